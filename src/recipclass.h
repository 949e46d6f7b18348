#ifndef RECIPCLASS_H
#define RECIPCLASS_H
#include "constmap.h"
#include "stralloc.h"
/* Deciding where a recipient goes, as qmail-send does: control/locals,
   control/virtualdomains, control/percenthack, control/envnoathost. */
struct recipclass {
  struct constmap locals;        /* domains delivered locally */
  struct constmap vdoms;         /* "user@dom", "dom", ".dom", "" -> prefix */
  struct constmap percenthack;   /* domains where user%host@dom -> user@host */
  const char *envnoathost;       /* domain for addresses without '@' */
};
enum { RECIP_LOCAL = 'l', RECIP_REMOTE = 'r' };
/* Classify addr (len bytes, no NUL needed). out gets the address to store
   in local/ or remote/ (NUL-terminated): for a virtual domain with prefix P
   that is "P-localpart@domain". Returns RECIP_LOCAL or RECIP_REMOTE, or 0
   when out of memory. */
int recipclass(const struct recipclass *rc, const char *addr, size_t len, stralloc *out);
#endif
