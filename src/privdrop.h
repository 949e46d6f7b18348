#ifndef PRIVDROP_H
#define PRIVDROP_H
#include <sys/types.h>
/* Users and privileges. Names are compiled in (auto.h); numbers are
   looked up at run time. */
int priv_user(const char *name, uid_t *uid, gid_t *gid); /* 0, -1 unknown */
int priv_group(const char *name, gid_t *gid);            /* 0, -1 unknown */
/* Become uid/gid: setgroups, setgid, setuid, each checked, then verified.
   A process that is not root may only "become" itself (a sandbox).
   0 or -1. */
int priv_become(uid_t uid, gid_t gid);
#endif
