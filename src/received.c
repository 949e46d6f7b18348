/* The Received field of qmail-smtpd (received.h). */
#include "datetime.h"
#include "printable.h"
#include "received.h"
#include "str.h"

static int cat_safe(stralloc *out, const char *s, size_t max)
{
  size_t len = str_len(s);
  if (len > max) len = max;
  return printable_cat(out, s, len);
}

static int cat_or_unknown(stralloc *out, const char *s, size_t max)
{
  if (!s || !*s) return stralloc_cats(out, "unknown");
  return cat_safe(out, s, max);
}

int received_ipliteral(stralloc *out, const char *ip)
{
  if (!ip || !*ip) return stralloc_cats(out, "[unknown]");
  if (str_start(ip, "::ffff:") && ip[str_chr(ip, '.')]) ip += 7;
  if (!stralloc_cats(out, "[")) return 0;
  if (ip[str_chr(ip, ':')] && !stralloc_cats(out, "IPv6:")) return 0;
  return cat_safe(out, ip, 100) && stralloc_cats(out, "]");
}

int received_line(stralloc *out, const struct received_info *r, time_t t)
{
  char date[DATE822_LEN];
  if (!stralloc_copys(out, "Received: from ")) return 0;
  if (!cat_or_unknown(out, r->helo, RECEIVED_HELO_MAX)) return 0;
  if (!stralloc_cats(out, " (")) return 0;
  if (r->remoteinfo && *r->remoteinfo) {
    if (!cat_safe(out, r->remoteinfo, 100) || !stralloc_cats(out, "@")) return 0;
  }
  if (!cat_or_unknown(out, r->remotehost, 255)) return 0;
  if (!stralloc_cats(out, " ") || !received_ipliteral(out, r->remoteip)) return 0;
  if (!stralloc_cats(out, ")\n  by ") || !cat_or_unknown(out, r->me, 255)) return 0;
  if (!stralloc_cats(out, r->esmtp ? " with ESMTP; " : " with SMTP; ")) return 0;
  if (!stralloc_catb(out, date, date822fmt(date, t))) return 0;
  return stralloc_cats(out, "\n");
}
