#ifndef SHOWCTL_H
#define SHOWCTL_H
#include "buffer.h"
#include "stralloc.h"
/* qmail-showctl's report (man 8 qmail-showctl): the compiled-in settings,
   then every control file of man 5 qmail-control with its value or
   "(Default.)" and the default, in words, then every file in control/
   that neoqmail does not use. Anything odd (a missing me, a number that
   is not one, locals without me, ...) gets a line of its own beginning
   with "Oops! ". The brief form (qmail-showctl -c) prints only those,
   each as "PATH: what is wrong". */

#define SHOWCTL_USERS 8   /* conf-users: alias qmaild qmaill root qmailp qmailq qmailr qmails */
#define SHOWCTL_GROUPS 2  /* conf-groups: qmail nofiles */

struct showctl_config {
  const char *home;       /* control files are read in home/control */
  unsigned long split;
  int sandbox;
  int brief;              /* only the oddities */
  const char *user[SHOWCTL_USERS];   /* names, in conf-users order */
  const char *group[SHOWCTL_GROUPS]; /* names, in conf-groups order */
  /* the number of a user or group: 0 found, -1 no such name */
  int (*uid)(const char *name, unsigned long *id);
  int (*gid)(const char *name, unsigned long *id);
};

/* The settings compiled in (auto.h); numbers from the password database. */
void showctl_config_auto(struct showctl_config *c);

/* Write the report to out. Returns the number of oddities found (0 when
   nothing is odd; at most SHOWCTL_ODD_MAX); -1 when home/control cannot
   be listed or out cannot be written, with the reason in why
   (NUL-terminated; empty when memory ran out). */
#define SHOWCTL_ODD_MAX 10000
int showctl(const struct showctl_config *c, buffer *out, stralloc *why);

/* The limits qmail-send applies to concurrencylocal/concurrencyremote. */
#define SHOWCTL_CONCURRENCY_MAX 10000
#endif
