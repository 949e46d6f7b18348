#ifndef ENVELOPE_H
#define ENVELOPE_H
#include <stddef.h>
#include <time.h>
#include "buffer.h"
#include "stralloc.h"
/* The envelope qmail-queue reads on descriptor 1 (man 5 qmail-envelope):
   F<sender>\0, then T<recipient>\0 for each recipient, then \0.
   Nothing in it is trusted: every field is bounded and checked. */

#define ENVELOPE_ADDR_MAX 1024          /* bytes of one address (no tag, no NUL) */
#define ENVELOPE_MAXBYTES (16UL << 20)  /* F and T fields together, as stored;
                                           qmail-todo reads up to 64 MiB */

enum envelope_status {
  ENVELOPE_OK = 0,
  ENVELOPE_NOMEM,        /* 51 */
  ENVELOPE_READERR,      /* 54: read(2) failed */
  ENVELOPE_TRUNCATED,    /* 54: end of input before the final \0 */
  ENVELOPE_NOSENDER,     /* 91: the first byte is not F */
  ENVELOPE_BADTAG,       /* 91: a recipient field does not start with T */
  ENVELOPE_EMPTYRCPT,    /* 91: T\0, an empty recipient */
  ENVELOPE_ADDRLONG,     /* 11: an address over ENVELOPE_ADDR_MAX */
  ENVELOPE_TOOBIG        /* 11: the fields together over ENVELOPE_MAXBYTES */
};

/* Read one envelope from in, up to and including its final \0 (nothing
   after it is read on purpose), and append its fields to out as they are
   stored in intd/ID: F<sender>\0T<rcpt>\0... without the final \0.
   *rcpts gets the number of recipients (zero is allowed, as in qmail).
   Returns an envelope_status; on failure out holds a partial copy. */
int envelope_read(buffer *in, stralloc *out, unsigned long *rcpts);

/* qmail-queue's exit code for an envelope_status (0 for ENVELOPE_OK). */
int envelope_exitcode(int status);

/* Start an intd/ID file's contents in out: u<uid>\0p<pid>\0. 1 ok, 0 nomem. */
int envelope_start(stralloc *out, unsigned long uid, unsigned long pid);

/* The Received line qmail-queue puts in front of every message:
   "Received: (qmail PID invoked by uid UID); DATE\n", or "invoked from
   network" (qmaild), "invoked by alias" (alias), "invoked for bounce"
   (qmails). Writes at most ENVELOPE_RECEIVED_LEN bytes, returns the length. */
enum { RECEIVED_UID, RECEIVED_NETWORK, RECEIVED_ALIAS, RECEIVED_BOUNCE };
#define ENVELOPE_RECEIVED_LEN 160
size_t envelope_received(char *buf, unsigned long pid, int how,
                         unsigned long uid, time_t when);
#endif
