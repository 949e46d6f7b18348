#ifndef RCPTHOSTS_H
#define RCPTHOSTS_H
/* Which domains qmail-smtpd accepts recipients for, from clients without
   RELAYCLIENT: control/rcpthosts (a list; "domain" matches that domain,
   ".domain" every domain ending in it) and control/morercpthosts.cdb
   (the same entries as keys, compiled by qmail-newmrh). Unlike qmail,
   a missing rcpthosts accepts nothing rather than everything: a host
   must never become an open relay because a file was lost. */
#include <stddef.h>
#include "constmap.h"
#include "stralloc.h"

struct rcpthosts {
  stralloc list;        /* rcpthosts, NUL-separated lines */
  struct constmap map;
  int fdcdb;            /* morercpthosts.cdb, -1 when there is none */
};

/* Read control/rcpthosts and open control/morercpthosts.cdb (relative to
   the current directory). 0 ok, -1 a read error (errno). */
int rcpthosts_init(struct rcpthosts *rh);
/* The same from given lines (each NUL-terminated) and cdb descriptor. */
int rcpthosts_init_from(struct rcpthosts *rh, const char *lines, size_t len, int fdcdb);
/* Is the domain ours? The domain is lower-cased and loses one trailing
   dot first. 1 yes, 0 no, -1 the cdb could not be read. */
int rcpthosts_match(struct rcpthosts *rh, const char *domain, size_t len);
#endif
