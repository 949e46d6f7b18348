#ifndef BOUNCE_H
#define BOUNCE_H
#include <stddef.h>
#include "stralloc.h"
/* Failure notices in QSBMF form (qmail-send(8)): a "Hi. This is the"
   paragraph, one "<address>:" paragraph per failed recipient, then the
   "--- Below this line" separator; the original message follows it. */
struct bounce {
  const char *me;          /* this host, for the introduction */
  const char *from;        /* header From: address (bouncefrom@bouncehost) */
  const char *to;          /* header To: who receives the notice */
  const char *date;        /* RFC 5322 date */
  int dbl;                 /* 1: a double bounce, to the postmaster */
  const char *records;     /* bounce/ file: <rcpt>\0<reason>\0 ... */
  size_t recordslen;
};
/* The notice up to and including the separator line and a blank line.
   1 ok, 0 out of memory, -1 the records are malformed. */
int bounce_text(stralloc *out, const struct bounce *b);
/* Append one record to a bounce/ file buffer. 1 ok, 0 nomem. */
int bounce_record(stralloc *out, const char *rcpt, const char *reason, size_t reasonlen);
#endif
