/* qmail-showctl: print neoqmail's effective configuration: the settings
   compiled in and every control file with its value or default, flagging
   whatever looks wrong (man 8 qmail-showctl). */
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "showctl.h"
#include "stralloc.h"

static void temp_control(const stralloc *why) { fatal(111, why->s); }
static void temp_nomem(void) { fatal(111, "out of memory"); }

static char outspace[8192];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

int main(void)
{
  struct showctl_config c;
  stralloc why = {0};
  die_program("qmail-showctl");
  showctl_config_auto(&c);
  if (showctl(&c, &out, &why) == -1) {
    if (!why.len) temp_nomem();
    temp_control(&why);
  }
  return 0;
}
