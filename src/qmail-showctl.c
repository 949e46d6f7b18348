/* qmail-showctl: print neoqmail's effective configuration: the settings
   compiled in and every control file with its value or default, flagging
   whatever looks wrong (man 8 qmail-showctl). With -c, only what looks
   wrong, and an exit code that says whether anything does. */
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "showctl.h"
#include "str.h"
#include "stralloc.h"

static void usage(void) { fatal(100, "usage: qmail-showctl [-c]"); }
static void temp_control(const stralloc *why) { fatal(111, why->s); }
static void temp_nomem(void) { fatal(111, "out of memory"); }

static char outspace[8192];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

int main(int argc, char **argv)
{
  struct showctl_config c;
  static stralloc why;
  int odd;
  die_program("qmail-showctl");
  showctl_config_auto(&c);
  if (argc == 2 && str_equal(argv[1], "-c")) c.brief = 1;
  else if (argc != 1) usage();
  odd = showctl(&c, &out, &why);
  if (odd == -1) {
    if (!why.len) temp_nomem();
    temp_control(&why);
  }
  /* the full report's exit code is qmail's: 0 whatever it says */
  return c.brief && odd ? 1 : 0;
}
