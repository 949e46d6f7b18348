#ifndef MAILDIR_H
#define MAILDIR_H
#include <stddef.h>
#include "stralloc.h"
/* Maildir delivery (maildir(5)): write tmp/UNIQUE, fsync it, link it to
   new/UNIQUE, fsync new/, remove tmp/UNIQUE. */

/* Append host to out, with '/' written as \057 and ':' as \072 (the
   two bytes a file name in a maildir must not contain), so the name
   stays unique per host. An empty host is "localhost". 1, 0 nomem. */
int maildir_hostname(stralloc *out, const char *host, size_t len);
/* A unique name "SEC.MusecPpidQn.HOST": seconds and microseconds of the
   clock, process id, and n counting deliveries in this process; HOST as
   maildir_hostname gives it. Replaces out; NUL-terminated, NUL not
   counted. 1, 0 nomem. */
int maildir_unique(stralloc *out, unsigned long long sec, unsigned long usec,
                   unsigned long pid, unsigned long n, const char *host, size_t hostlen);

/* Deliver the message on msgfd (from its start), preceded by head (the
   Return-Path and Delivered-To lines), into the maildir dir ("./Maildir/").
   Returns MAILDIR_OK or what failed, errno set. */
enum { MAILDIR_OK = 0, MAILDIR_EDIR, MAILDIR_ECREATE, MAILDIR_EWRITE,
       MAILDIR_EREAD, MAILDIR_ELINK, MAILDIR_ESYNC, MAILDIR_ENOMEM };
int maildir_deliver(const char *dir, int msgfd, const char *head, size_t headlen);
#endif
