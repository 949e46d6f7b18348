#include "byte.h"
#include "case.h"
#include "recipclass.h"
#include "str.h"

/* The virtualdomains entry for user@domain: the whole address first, then
   the domain, then each parent as ".parent", then the catch-all "". */
static const char *vdom_lookup(const struct constmap *m, const char *addr, size_t len, size_t at)
{
  const char *v;
  size_t i;
  if ((v = constmap_lookup(m, addr, len))) return v;
  if ((v = constmap_lookup(m, addr + at + 1, len - at - 1))) return v;
  for (i = at + 1; i < len; ++i)
    if (addr[i] == '.' && (v = constmap_lookup(m, addr + i, len - i))) return v;
  return constmap_lookup(m, "", 0);
}

/* user%host@dom with dom in percenthack becomes user@host, repeatedly */
static int apply_percenthack(const struct recipclass *rc, stralloc *a)
{
  for (;;) {
    size_t at = byte_rchr(a->s, a->len, '@'), pct;
    if (at == a->len) return 1;
    if (!constmap_lookup(&rc->percenthack, a->s + at + 1, a->len - at - 1)) return 1;
    pct = byte_rchr(a->s, at, '%');
    if (pct == at) return 1;
    a->s[pct] = '@';
    a->len = at;
  }
}

int recipclass(const struct recipclass *rc, const char *addr, size_t len, stralloc *out)
{
  static stralloc a;
  size_t at;
  const char *prefix;
  if (!stralloc_copyb(&a, addr, len)) return 0;
  if (byte_chr(a.s, a.len, '@') == a.len)
    if (!stralloc_append(&a, "@") || !stralloc_cats(&a, rc->envnoathost)) return 0;
  if (!apply_percenthack(rc, &a)) return 0;
  at = byte_rchr(a.s, a.len, '@');
  if (constmap_lookup(&rc->locals, a.s + at + 1, a.len - at - 1)) {
    if (!stralloc_copy(out, &a) || !stralloc_0(out)) return 0;
    return RECIP_LOCAL;
  }
  prefix = vdom_lookup(&rc->vdoms, a.s, a.len, at);
  if (prefix && *prefix) {
    if (!stralloc_copys(out, prefix) || !stralloc_append(out, "-") ||
        !stralloc_cat(out, &a) || !stralloc_0(out)) return 0;
    return RECIP_LOCAL;
  }
  if (!stralloc_copy(out, &a) || !stralloc_0(out)) return 0;
  return RECIP_REMOTE;
}
