#ifndef MBOX_H
#define MBOX_H
#include <stddef.h>
#include <time.h>
#include "stralloc.h"
/* mbox delivery (mbox(5)): each message is a "From " line, the message
   with every line matching ^>*From  given one more '>', and a blank
   line. */

/* "From SENDER Sun Nov 01 19:02:03 2026\n": UTC, day of month in two
   digits (qmail's form). An empty sender is MAILER-DAEMON; space, tab
   and newline in the sender become '-'. NUL-terminated, the NUL not
   counted. 1, 0 nomem. */
int mbox_fromline(stralloc *sa, const char *sender, time_t t);

/* Streaming >From quoting: feed the message in pieces of any size;
   the quoted text is appended to out. mbox_quote_end appends what is
   held back, a newline if the message did not end with one, and the
   blank separator line. 1, 0 nomem. */
struct mbox_quote { int state; int atnl; };
void mbox_quote_init(struct mbox_quote *q);
int mbox_quote(struct mbox_quote *q, const char *in, size_t len, stralloc *out);
int mbox_quote_end(struct mbox_quote *q, stralloc *out);

/* Append the message on msgfd (read from its start) to the mbox fn,
   after head (the From_, Return-Path and Delivered-To lines). The file
   is created mode 600 if missing and locked with fcntl, waiting at most
   locktimeout seconds; on a file system without locks it is written
   unlocked. A failed write truncates a locked file back to where it
   was. Returns MBOX_OK or what failed, with errno set. */
enum { MBOX_OK = 0, MBOX_EOPEN, MBOX_ELOCK, MBOX_ETIMEOUT, MBOX_EREAD, MBOX_EWRITE, MBOX_ENOMEM };
int mbox_deliver(const char *fn, int msgfd, const char *head, size_t headlen, unsigned int locktimeout);
#endif
