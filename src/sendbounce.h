#ifndef SENDBOUNCE_H
#define SENDBOUNCE_H
#include <stddef.h>
/* qmail-send's bounces: recording permanent failures in bounce/S/ID and,
   when a message is finished, sending the notice through qmail-queue.
   The current directory is the queue. */
int sendbounce_controls(void);   /* (re)read me, bouncefrom, ...: 0 or -1 */
/* Append a failure record and make it durable: 0, or -1 (logged). */
int sendbounce_record(unsigned long id, const char *rcpt, const char *reason, size_t len);
/* Send the notice for id if it has failures. 1: done (or nothing to do),
   0: not now (logged), try again later. */
int sendbounce(unsigned long id);
#endif
