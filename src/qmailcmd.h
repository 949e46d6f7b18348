#ifndef QMAILCMD_H
#define QMAILCMD_H
#include <stddef.h>
#include <sys/types.h>
#include "stralloc.h"
/* Program deliveries (qmail-command(8)): the lines qmail-local adds to
   messages, the environment a |command gets, running it and reading its
   exit status. */

/* "Delivered-To: local@host\n", newlines inside turned into '_'.
   sa is NUL-terminated; the NUL is not counted in len. 1, 0 nomem. */
int qmailcmd_dtline(stralloc *sa, const char *local, const char *host);
/* "Return-Path: <sender>\n", the local part quoted as RFC 5322 needs
   (qmail's rule: quoted when it has characters outside atext, or a
   leading, trailing or doubled dot). Same conventions. */
int qmailcmd_rpline(stralloc *sa, const char *sender);
/* The address with its local part (before the last '@') quoted when
   needed; an empty address stays empty. Appends. 1, 0 nomem. */
int qmailcmd_quote(stralloc *out, const char *addr, size_t len);

/* HOST2..HOST4: host cut before its last, second-last, third-last dot
   (n = 2, 3, 4); the whole host when there are not enough dots. Returns
   the length of that prefix. */
size_t qmailcmd_hostpart(const char *host, size_t len, int n);
/* EXT2..EXT4: the part of ext after its first, second, third dash
   (n = 2, 3, 4); empty when there are not enough dashes. Returns the
   offset into ext. */
size_t qmailcmd_extpart(const char *ext, size_t len, int n);

struct qc_vars {
  const char *user, *home, *local, *host, *ext, *sender, *newsender;
  const char *defaultpart; /* $DEFAULT, or 0: not a -default file */
  const char *dtline, *rpline, *ufline; /* whole lines, with newline */
};
/* "NAME=value\0" for every variable of the qmail-command environment:
   RECIPIENT USER HOME LOCAL HOST HOST2 HOST3 HOST4 EXT EXT2 EXT3 EXT4
   [DEFAULT] SENDER NEWSENDER DTLINE RPLINE UFLINE. 1, 0 nomem. */
int qmailcmd_vars(stralloc *out, const struct qc_vars *v);
/* A NULL-terminated environment: inherited minus every name in the
   list above (DEFAULT too, even when vars does not set it), then vars.
   The strings are not copied. malloc'd; 0 when out of memory. */
char **qmailcmd_envp(const stralloc *vars, char *const *inherited);

/* Start "/bin/sh -c cmd" with env, sharing our descriptors (the message
   on 0, the report on 1 and 2), SIGPIPE back to default. The caller has
   rewound fd 0. The pid, or -1 (errno). */
pid_t qmailcmd_spawn(const char *cmd, char *const *env);

/* What a command's wait status means. Exit codes as qmail-local: 0 ok,
   99 ok and ignore the rest of the .qmail file, 100 and the sendmail
   codes 64 65 70 76 77 78 112 permanent, anything else temporary. */
enum { QC_OK, QC_STOP, QC_PERM, QC_TEMP, QC_CRASH };
int qmailcmd_status(int wstat);
#endif
