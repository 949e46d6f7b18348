#ifndef SMTPROUTES_H
#define SMTPROUTES_H
#include <stddef.h>
#include "constmap.h"
#include "stralloc.h"
/* control/smtproutes (qmail-control(5)): lines domain:relay[:port].
   For a recipient domain a.b.c the first entry found among "a.b.c",
   ".b.c", ".c" and "" (the default route) decides, case-insensitively.
   An empty relay means: look the domain's MX up as usual (an exception
   to a wider route). The relay is a host name, [1.2.3.4], or an IPv6
   address in brackets, [::1] or [IPv6:::1]; port 1..65535, default 25. */

#define SMTPROUTES_PORT 25

/* routes: control_readfile's NUL-terminated lines. 1 ok, 0 nomem */
int smtproutes_init(struct constmap *cm, const char *routes, size_t len);
/* 1 a route was found: relay (NUL-terminated, maybe empty) and port set;
   0 none; -1 the entry that matched is malformed (a bad port, a '['
   without ']', junk after ']'); 0 when domain is empty. */
int smtproutes_find(const struct constmap *cm, const char *domain, size_t len,
                    stralloc *relay, unsigned long *port);
/* The route's value "relay[:port]" split; 1 ok, -1 malformed, 0 nomem. */
int smtproutes_parse(const char *value, stralloc *relay, unsigned long *port);
#endif
