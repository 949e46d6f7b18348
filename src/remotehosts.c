#include "byte.h"
#include "case.h"
#include "dns.h"
#include "ip4.h"
#include "ip6.h"
#include "remotehosts.h"
#include "str.h"

static const char v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,(char)0xff,(char)0xff };

int remote_literal(const char *s, size_t len, char ip[16])
{
  char buf[IP6_FMT + 8];
  size_t n;
  if (len < 2 || s[0] != '[' || s[len - 1] != ']') return 0;
  ++s; len -= 2;
  if (len >= 5 && !case_diffb(s, 5, "IPv6:")) { s += 5; len -= 5; }
  if (!len || len >= sizeof buf) return -1;
  byte_copy(buf, len, s);
  buf[len] = 0;
  n = scan_ip4(buf, ip + 12);
  if (n && n == len) { byte_copy(ip, 12, v4mapped); return 1; }
  n = scan_ip6(buf, ip);
  if (n && n == len) return 1;
  return -1;
}

static int add(struct remote_hosts *hs, const char *ip, unsigned int pref)
{
  size_t i;
  for (i = 0; i < hs->n; ++i) if (byte_equal(hs->h[i].ip, 16, ip)) return 0; /* once is enough */
  if (hs->n >= REMOTE_HOSTS_MAX) return 0;
  byte_copy(hs->h[hs->n].ip, 16, ip);
  hs->h[hs->n++].pref = pref;
  return 1;
}

/* The A and AAAA records of name: OK (maybe none added), SOFT, NOMEM. */
static int addresses(struct remote_hosts *hs, const char *name, unsigned int pref)
{
  static stralloc fqdn, ips;
  size_t i;
  char ip[16];
  int lit = remote_literal(name, str_len(name), ip);
  if (lit == 1) { add(hs, ip, pref); return REMOTE_HOSTS_OK; }
  if (lit == -1) return REMOTE_HOSTS_NONE;
  if (!stralloc_copys(&fqdn, name)) return REMOTE_HOSTS_NOMEM;
  if (dns_ip6(&ips, &fqdn) == -1) return REMOTE_HOSTS_SOFT;
  for (i = 0; i + 16 <= ips.len; i += 16) add(hs, ips.s + i, pref);
  return REMOTE_HOSTS_OK;
}

int remote_hosts_relay(struct remote_hosts *hs, const char *relay)
{
  int r;
  hs->n = 0;
  r = addresses(hs, relay, 0);
  if (r != REMOTE_HOSTS_OK) return r;
  return hs->n ? REMOTE_HOSTS_OK : REMOTE_HOSTS_NONE;
}

static int is_me(const char *name, const char *me, size_t melen)
{
  size_t pos = 0, n = str_len(name);
  while (n && name[n - 1] == '.') --n; /* an absolute name */
  while (pos < melen) {
    size_t k = str_len(me + pos);
    if (k == n && !case_diffb(me + pos, n, name)) return 1;
    pos += k + 1;
  }
  return 0;
}

/* dns_mx's answer: per MX, 2 bytes of preference (big-endian) and the
   name, NUL-terminated. */
static int from_mx(struct remote_hosts *hs, const stralloc *mx, const char *me, size_t melen)
{
  size_t pos = 0, names = 0;
  unsigned int prefme = 0x10000;
  int soft = 0;
  while (pos + 3 <= mx->len && names++ < REMOTE_MX_MAX) {
    unsigned int pref = ((unsigned char)mx->s[pos] << 8) | (unsigned char)mx->s[pos + 1];
    const char *name = mx->s + pos + 2;
    size_t n = byte_chr(name, mx->len - pos - 2, 0);
    int r;
    if (pos + 2 + n == mx->len) break; /* not terminated: not ours to guess */
    pos += 2 + n + 1;
    if (!n || (n == 1 && name[0] == '.')) { if (mx->len == pos && names == 1) return REMOTE_HOSTS_NULLMX; continue; }
    if (is_me(name, me, melen)) { if (pref < prefme) prefme = pref; continue; }
    r = addresses(hs, name, pref);
    if (r == REMOTE_HOSTS_NOMEM) return r;
    if (r == REMOTE_HOSTS_SOFT) soft = 1;
  }
  if (prefme < 0x10000) {
    remote_hosts_cut(hs, prefme);
    if (!hs->n) return REMOTE_HOSTS_LOOP;
  }
  if (!hs->n) return soft ? REMOTE_HOSTS_SOFT : REMOTE_HOSTS_NONE;
  return REMOTE_HOSTS_OK;
}

int remote_hosts_domain(struct remote_hosts *hs, const char *domain,
                        const char *me, size_t melen)
{
  static stralloc fqdn, mx;
  char ip[16];
  int lit;
  hs->n = 0;
  lit = remote_literal(domain, str_len(domain), ip);
  if (lit == 1) { add(hs, ip, 0); return REMOTE_HOSTS_OK; }
  if (lit == -1 || !domain[0]) return REMOTE_HOSTS_NONE;
  if (!stralloc_copys(&fqdn, domain)) return REMOTE_HOSTS_NOMEM;
  if (dns_mx(&mx, &fqdn) == -1) return REMOTE_HOSTS_SOFT;
  if (mx.len) return from_mx(hs, &mx, me, melen);
  return remote_hosts_relay(hs, domain); /* no MX: the domain's own addresses */
}

static void swap(struct remote_host *a, struct remote_host *b)
{
  struct remote_host t = *a;
  *a = *b;
  *b = t;
}

void remote_hosts_order(struct remote_hosts *hs, unsigned int (*rnd)(unsigned int))
{
  size_t i, j;
  for (i = hs->n; i > 1; --i) swap(&hs->h[i - 1], &hs->h[rnd((unsigned int)i)]); /* shuffle */
  for (i = 1; i < hs->n; ++i) /* then a stable sort: at most 100 hosts */
    for (j = i; j > 0 && hs->h[j - 1].pref > hs->h[j].pref; --j) swap(&hs->h[j - 1], &hs->h[j]);
}

void remote_hosts_cut(struct remote_hosts *hs, unsigned int pref)
{
  size_t i, n = 0;
  for (i = 0; i < hs->n; ++i)
    if (hs->h[i].pref < pref) hs->h[n++] = hs->h[i];
  hs->n = n;
}
