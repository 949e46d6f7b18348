#ifndef QREADLIB_H
#define QREADLIB_H
#include <stddef.h>
#include <time.h>
#include "buffer.h"
#include "stralloc.h"
/* qmail-qread's work (man 8 qmail-qread): list every message of the queue
   in the directory dir (e.g. /var/qmail/queue), oldest first, as qmail
   1.03 lists them:

   DATE GMT  #ID  SIZE  <SENDER> [ bouncing][ todo]
   [  done]<TAB>local<TAB>ADDRESS       one line per recipient
   [  done]<TAB>remote<TAB>ADDRESS
   <TAB>todo<TAB>ADDRESS                 not yet preprocessed (todo/ID)

   A message whose todo/ID exists is listed from its envelope there, since
   qmail-todo will rewrite its info, local and remote files anyway.
   Trouble with one message (it vanished, a file is malformed) is reported
   on warn as "qmail-qread: warning: trouble with #ID: ..." and the message
   is skipped. Returns 0; or -1 when the queue cannot be read or out cannot
   be written, with the reason in why (NUL-terminated, no program name;
   empty when memory ran out). */
int qread_list(const char *dir, buffer *out, buffer *warn, stralloc *why);

#define QREAD_FIELD_MAX 65536        /* bytes of one sender or recipient read */
#define QREAD_TODO_MAX (64UL << 20)  /* bytes of a todo/ID file read (as
                                        qmail-todo) */

/* The date as qmail-qread prints it, in UTC: "1 Nov 2026 19:02:03 GMT".
   Writes at most QREAD_DATE_LEN bytes (no NUL), returns the length. */
#define QREAD_DATE_LEN 40
size_t qread_date(char *buf, time_t t);
#endif
