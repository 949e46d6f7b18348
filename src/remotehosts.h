#ifndef REMOTEHOSTS_H
#define REMOTEHOSTS_H
#include <stddef.h>
#include "stralloc.h"
/* Where qmail-remote connects for a domain (qmail-remote(8)): the relay
   of an smtproutes entry (its A and AAAA records, or the address in
   brackets), else the domain's MX records, lowest preference first and
   in random order among equals, else the domain's own A and AAAA
   records; a domain written as an address literal ([1.2.3.4], [::1],
   [IPv6:::1]) is that address. Every address is 16 bytes, an IPv4 one
   v4-mapped (::ffff:a.b.c.d), as libowfat's dns_ip6 gives them. */

#define REMOTE_HOSTS_MAX 100     /* addresses kept for one delivery */
#define REMOTE_MX_MAX 50         /* MX names looked up */

struct remote_host { char ip[16]; unsigned int pref; };
struct remote_hosts { struct remote_host h[REMOTE_HOSTS_MAX]; size_t n; };

enum {
  REMOTE_HOSTS_OK = 0,
  REMOTE_HOSTS_SOFT = -1,    /* DNS trouble: try later */
  REMOTE_HOSTS_NONE = -2,    /* no such host, or no address for it */
  REMOTE_HOSTS_LOOP = -3,    /* the best MX is this host */
  REMOTE_HOSTS_NOMEM = -4,
  REMOTE_HOSTS_NULLMX = -5   /* RFC 7505 "MX 0 .": the domain takes no mail */
};

/* An address literal in s[0..len): 1 (ip set), 0 not in brackets,
   -1 in brackets but not an address. */
int remote_literal(const char *s, size_t len, char ip[16]);

/* The relay's addresses (a name, or a literal), all preference 0. */
int remote_hosts_relay(struct remote_hosts *hs, const char *relay);
/* The domain's MX hosts (or its addresses). me: names of this host,
   NUL-terminated one after another in me[0..melen) (control/me,
   control/localiphost); an MX with one of them and every MX of the same
   or a higher preference are dropped, as qmail does. */
int remote_hosts_domain(struct remote_hosts *hs, const char *domain,
                        const char *me, size_t melen);

/* Sort by preference; equals are shuffled with rnd(n) in 0..n-1. */
void remote_hosts_order(struct remote_hosts *hs, unsigned int (*rnd)(unsigned int));
/* Drop every host of preference >= pref. */
void remote_hosts_cut(struct remote_hosts *hs, unsigned int pref);
#endif
