#include "byte.h"
#include "scan.h"
#include "smtproutes.h"
#include "str.h"

int smtproutes_init(struct constmap *cm, const char *routes, size_t len)
{
  return constmap_init(cm, routes, len, ':');
}

static int port_parse(const char *s, unsigned long *port)
{
  size_t n = str_len(s), i;
  if (!n || n > 5) return -1;
  for (i = 0; i < n; ++i) if (s[i] < '0' || s[i] > '9') return -1;
  if (scan_ulong(s, port) != n || *port < 1 || *port > 65535) return -1;
  return 1;
}

int smtproutes_parse(const char *value, stralloc *relay, unsigned long *port)
{
  size_t n;
  *port = SMTPROUTES_PORT;
  if (value[0] == '[') {
    n = str_chr(value, ']');
    if (!value[n]) return -1;
    ++n;
    if (value[n] && value[n] != ':') return -1;
  } else {
    n = str_chr(value, ':');
  }
  if (!stralloc_copyb(relay, value, n) || !stralloc_0(relay)) return 0;
  --relay->len; /* the NUL terminates but does not count */
  if (!value[n]) return 1;
  return port_parse(value + n + 1, port);
}

int smtproutes_find(const struct constmap *cm, const char *domain, size_t len,
                    stralloc *relay, unsigned long *port)
{
  size_t i;
  const char *v = 0;
  if (!len) return 0;
  for (i = 0; i <= len; ++i) {
    if (i && i < len && domain[i] != '.') continue;
    v = constmap_lookup(cm, domain + i, len - i);
    if (v) break;
  }
  if (!v) return 0;
  return smtproutes_parse(v, relay, port) == 1 ? 1 : -1; /* nomem is rare: treated as trouble */
}
