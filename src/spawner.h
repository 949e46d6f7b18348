#ifndef SPAWNER_H
#define SPAWNER_H
#include <stddef.h>
#include "stralloc.h"
/* The engine of qmail-lspawn (and, later, qmail-rspawn): read delivery
   requests from qmail-send on fd 0, run one child per request, any number
   at once, collect each child's output, and answer on fd 1 when it ends.
   The protocol is in doc/DESIGN.md and qmail-lspawn(8):
     request  <delnum>\0<ID>\0<sender>\0<recipient>\0
     reply    <delnum>\0<K|Z|D><text>\0
   The parent only forks and watches: everything a delivery needs (look-
   ups, privileges, exec) happens in the child, so a slow child never
   holds up the others. fd 1 is non-blocking and replies wait in memory,
   so qmail-send writing requests and us writing replies cannot deadlock. */

#define SPAWN_DELNUM_MAX 20      /* digits of a delivery number */
#define SPAWN_ID_MAX 20          /* digits of a message id */
#define SPAWN_FIELD_MAX 65536    /* bytes of the sender or the recipient */
#define SPAWN_REPORT_MAX 1000    /* bytes of a reply's text */
#define SPAWN_TAIL_KEEP 300      /* of a longer output: bytes kept from its end */

/* ---- requests ---- */
struct spawn_request {
  const char *delnum;   /* decimal, exactly as qmail-send sent it */
  unsigned long id;     /* the message: queue/mess/S/ID */
  const char *sender;   /* may be empty */
  const char *rcpt;
};
/* One request at s[0..len): 1 when complete (fields point into s and are
   NUL-terminated there; *used is its size), 0 when more bytes are needed,
   -1 when malformed (*why says how): a field too long, a delivery number
   or ID that is not decimal. */
int spawn_request_parse(struct spawn_request *r, const char *s, size_t len,
                        size_t *used, const char **why);

/* ---- a child's output ----
   Kept: the first SPAWN_REPORT_MAX bytes and, once more arrives, the last
   SPAWN_TAIL_KEEP bytes. A report then shows the beginning, "\n[...]\n"
   and the end: the first lines usually say what failed, the last ones how
   it ended. Memory grows only with what a child writes. */
struct spawn_output {
  stralloc head;
  stralloc tail;              /* a ring, once head is full */
  size_t tailpos;             /* its oldest byte */
  unsigned long long total;   /* bytes written by the child */
};
int spawn_output_add(struct spawn_output *o, const char *buf, size_t len); /* 1, 0 nomem */
void spawn_output_reset(struct spawn_output *o);
/* Append the output to sa in at most room bytes (cut as above). 1, 0 nomem */
int spawn_output_text(stralloc *sa, const struct spawn_output *o, size_t room);

/* ---- replies ---- */
/* Append <delnum>\0<code><text>\0 to out; text is cut to
   SPAWN_REPORT_MAX bytes and any NUL in it shown as '?'. 1, 0 nomem */
int spawn_reply(stralloc *out, const char *delnum, char code,
                const char *text, size_t len);
/* The reply for a child that ran prog (qmail-local's convention): exit 0
   K, 100 D, any other exit or a signal Z. The text is the output; a
   signal puts "prog crashed (signal N).\n" in front, and a failure with
   no output gets a sentence naming the exit code. 1, 0 nomem */
int spawn_report_exit(stralloc *out, const char *delnum, int wstat,
                      const struct spawn_output *o, const char *prog);

/* ---- the loop ---- */
struct spawn_ops {
  /* In the child, right after fork: fd 1 and 2 are the output pipe, fd 0
     is closed (open the message first: it becomes fd 0), signal handlers
     and the file limit are back to what the program started with.
     Must exec or _exit; returning is treated as _exit(111). */
  void (*child)(const struct spawn_request *r, void *ctx);
  /* Append the reply for a finished child to out; 1, 0 nomem. */
  int (*report)(stralloc *out, const char *delnum, int wstat,
                const struct spawn_output *o, void *ctx);
  void *ctx;
};
/* Serve requests until fd 0 ends, then wait for the running children,
   report them and return. Dies (111, "fatal: ...") on a malformed or
   truncated request or when the loop itself cannot go on. */
void spawn_run(const struct spawn_ops *ops);
#endif
