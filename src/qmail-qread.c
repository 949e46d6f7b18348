/* qmail-qread: list the messages in the queue and their recipients
   (man 8 qmail-qread). Run as root or as qmails: info/, local/ and
   remote/ are readable by nobody else. */
#include <errno.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "qreadlib.h"
#include "stralloc.h"

static void temp_nomem(void) { fatal(111, "out of memory"); }
static void temp_queue(const stralloc *why) { fatal(111, why->s); }

static char outspace[8192], errspace[1024];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);
static buffer err = BUFFER_INIT(bufwrite, 2, errspace, sizeof errspace);

int main(void)
{
  static stralloc queue;
  static stralloc why;
  die_program("qmail-qread");
  if (!stralloc_copys(&queue, auto_qmail) || !stralloc_cats(&queue, "/queue") ||
      !stralloc_0(&queue)) temp_nomem();
  if (qread_list(queue.s, &out, &err, &why) == -1) {
    buffer_flush(&out);
    if (!why.len) temp_nomem();
    temp_queue(&why);
  }
  return 0;
}
