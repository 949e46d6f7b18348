#ifndef REMOTEREPORT_H
#define REMOTEREPORT_H
#include <stddef.h>
#include "spawner.h"
#include "stralloc.h"
/* qmail-rspawn's side of qmail-remote's report (qmail-remote(8)): for
   the one recipient it was given, qmail-remote prints
     r|h|s <text> NUL       the recipient: accepted, refused for ever, for now
     K|Z|D <text> NUL       the message: delivered, try later, give up
   (on usage trouble only the second), and exits 0 (111 after a Z).
   qmail-send wants one verdict per recipient:
     message K, recipient r -> K         message Z -> Z
     message K, recipient h -> D         message D, recipient s -> Z
     message K, recipient s -> Z         message D otherwise -> D
   The text is the recipient's when it was refused, else the message's:
   that is where the remote server's words are. */

/* 1 ok (*code and text appended), 0 nomem, -1 not a report. */
int remote_report_verdict(const char *s, size_t len, char *code, stralloc *text);
/* The reply for qmail-send for a qmail-remote that ended with wstat and
   wrote o. A crash, an unexpected exit code or output that is not a
   report gives Z with what it said made printable. 1, 0 nomem */
int remote_report_exit(stralloc *out, const char *delnum, int wstat,
                       const struct spawn_output *o);
#endif
