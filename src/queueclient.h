#ifndef QUEUECLIENT_H
#define QUEUECLIENT_H
#include <sys/types.h>
#include "buffer.h"
/* Handing a message to qmail-queue (man 8 qmail-queue): the caller side,
   for qmail-inject, sendmail, qmail-local (forwards), qmail-send (bounces)
   and qmail-smtpd.

     struct qqueue q;
     if (qq_open(&q) == -1) ...errno...;
     qq_puts(&q, "Subject: ...\n"); ... qq_put(&q, body, len);
     qq_from(&q, sender);            the message ends here
     qq_to(&q, rcpt); ...
     code = qq_close(&q);            0: queued; else qq_errtext(code),
                                     qq_permanent(code) decides 5xx/4xx

   Callers must ignore SIGPIPE (sig_ignore(SIGPIPE)) before qq_open: if
   qmail-queue dies early, our writes fail with EPIPE, are remembered, and
   qq_close reports qmail-queue's own exit code. The child gets SIGPIPE
   back at its default and an empty signal mask.
   Callers should keep their own descriptors close-on-exec: every
   descriptor qq_open creates is, so only fds 0 and 1 of the child are
   ours (0 = message pipe, 1 = envelope pipe). */
struct qqueue {
  pid_t pid;     /* the child, 0 once reaped */
  int fdm;       /* message pipe, -1 once closed */
  int fde;       /* envelope pipe, -1 once closed */
  int failed;    /* a write failed: the child did not get everything */
  buffer b;      /* on fdm, then on fde */
  char buf[8192];
};

/* Start $QMAILQUEUE if set and not empty, else auto_qmail/bin/qmail-queue.
   0 ok, -1 with errno (pipe or fork failed; nothing is left open). */
int qq_open(struct qqueue *q);
/* The same, ignoring QMAILQUEUE: for qmail-send's bounces. */
int qq_open_direct(struct qqueue *q);

/* Message bytes. Errors are remembered for qq_close, never reported here. */
void qq_put(struct qqueue *q, const char *s, size_t len);
void qq_puts(struct qqueue *q, const char *s);
/* End the message, start the envelope with the sender. */
void qq_from(struct qqueue *q, const char *sender);
void qq_to(struct qqueue *q, const char *rcpt);

/* End the envelope, wait for the child. Returns its exit code; 81 when it
   died of a signal; 54 when it exited 0 but our writes had failed; 120
   when the program could not be started. Called before qq_from, it
   sends no envelope, so qmail-queue removes the message and exits 54:
   that is how to abort. */
int qq_close(struct qqueue *q);

/* Text for an exit code, with an enhanced status code:
   "qq write error or disk full (#4.3.0)". "" for 0. */
const char *qq_errtext(int code);
/* 1 for the permanent codes (11..40), 0 for the rest */
int qq_permanent(int code);

#define QQ_EXEC_FAILED 120   /* the child's exit code when exec failed */
#endif
