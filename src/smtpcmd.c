/* SMTP command lines: verbs, paths, parameters (smtpcmd.h). */
#include "byte.h"
#include "case.h"
#include "smtpcmd.h"
#include "str.h"

static const struct { const char *name; enum smtp_verb verb; } verbs[] = {
  { "helo", SMTP_HELO }, { "ehlo", SMTP_EHLO }, { "mail", SMTP_MAIL },
  { "rcpt", SMTP_RCPT }, { "data", SMTP_DATA }, { "rset", SMTP_RSET },
  { "noop", SMTP_NOOP }, { "vrfy", SMTP_VRFY }, { "quit", SMTP_QUIT },
  { "help", SMTP_HELP },
};

static int isspace_(char c) { return c == ' ' || c == '\t'; }

enum smtp_verb smtpcmd_verb(const char *s, size_t len, size_t *arg)
{
  size_t n = 0, i;
  while (n < len && !isspace_(s[n])) ++n;
  *arg = n;
  while (*arg < len && isspace_(s[*arg])) ++*arg;
  if (n != 4) return SMTP_UNKNOWN;
  for (i = 0; i < sizeof verbs / sizeof verbs[0]; ++i)
    if (!case_diffb(s, 4, verbs[i].name)) return verbs[i].verb;
  return SMTP_UNKNOWN;
}

/* RFC 5322 atext, and '.' for a dot-string */
static int isatext(unsigned char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
  static const char extra[] = "!#$%&'*+-/=?^_`{|}~.";
  return c && extra[str_chr(extra, (char)c)] != 0;
}

static int isdomainchar(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_';
}

/* @a,@b: -- checked, then skipped */
static int skip_route(const char *s, size_t len, size_t *i)
{
  if (*i >= len || s[*i] != '@') return 1;
  while (*i < len && s[*i] != ':') {
    if (!isdomainchar((unsigned char)s[*i]) && s[*i] != '@' && s[*i] != ',' &&
        s[*i] != '[' && s[*i] != ']')
      return 0;
    ++*i;
  }
  if (*i >= len) return 0;
  ++*i;
  return 1;
}

/* "quoted string" (RFC 5321 quoted-string: printable ASCII, \ escapes) */
static enum smtp_parse quoted_local(stralloc *out, const char *s, size_t len, size_t *i)
{
  ++*i;
  for (;;) {
    unsigned char c;
    if (*i >= len) return SMTP_SYNTAX;
    c = (unsigned char)s[*i];
    if (c == '"') break;
    if (c == '\\') {
      if (++*i >= len) return SMTP_SYNTAX;
      c = (unsigned char)s[*i];
    }
    if (c < 32 || c > 126) return SMTP_SYNTAX;
    if (!stralloc_append(out, (char *)&c)) return SMTP_NOMEM;
    ++*i;
  }
  ++*i;
  return SMTP_OK;
}

static enum smtp_parse dot_local(stralloc *out, const char *s, size_t len, size_t *i)
{
  size_t start = *i;
  while (*i < len && isatext((unsigned char)s[*i])) ++*i;
  if (!stralloc_catb(out, s + start, *i - start)) return SMTP_NOMEM;
  return SMTP_OK;
}

/* a domain, or an address literal [..]; the whole rest of s */
static int domain_ok(const char *s, size_t len)
{
  size_t i;
  if (!len) return 0;
  if (s[0] == '[') {
    if (len < 3 || s[len - 1] != ']') return 0;
    /* IPv4, IPv6:..., or tag:content of the same characters. RFC 5321
       allows more in a general literal, but '@' would move the
       envelope's domain (it starts after the last '@') and '>' would
       end the path when qmail-remote sends it on */
    for (i = 1; i < len - 1; ++i)
      if (!isdomainchar((unsigned char)s[i]) && s[i] != ':') return 0;
    return 1;
  }
  for (i = 0; i < len; ++i)
    if (!isdomainchar((unsigned char)s[i])) return 0;
  /* one trailing dot was dropped already: a second would make the
     address change each time it is read (a@b.. -> a@b. -> a@b) */
  return s[0] != '.' && s[len - 1] != '.';
}

/* the inside of <...>: [route] local [@ domain] */
static enum smtp_parse mailbox(stralloc *out, const char *s, size_t len)
{
  size_t i = 0;
  enum smtp_parse r;
  stralloc_zero(out);
  if (!len) return SMTP_OK;
  if (!skip_route(s, len, &i)) return SMTP_SYNTAX;
  r = (i < len && s[i] == '"') ? quoted_local(out, s, len, &i) : dot_local(out, s, len, &i);
  if (r != SMTP_OK) return r;
  if (!out->len) return SMTP_SYNTAX;
  /* no domain: the envelope form of "a@b" would be a@b, domain b */
  if (i == len) return byte_chr(out->s, out->len, '@') == out->len ? SMTP_OK : SMTP_SYNTAX;
  if (s[i] != '@') return SMTP_SYNTAX;
  ++i;
  if (len - i > 1 && s[len - 1] == '.' && s[i] != '[') --len;
  if (!domain_ok(s + i, len - i)) return SMTP_SYNTAX;
  if (!stralloc_catb(out, s + i - 1, len - i + 1)) return SMTP_NOMEM;
  return SMTP_OK;
}

/* the end of the path: the '>' that closes it, quotes respected */
static int path_end(const char *s, size_t len, size_t i, size_t *end)
{
  int quoted = 0;
  for (; i < len; ++i) {
    if (quoted && s[i] == '\\') { ++i; continue; }
    if (s[i] == '"') quoted = !quoted;
    else if (!quoted && s[i] == '>') { *end = i; return 1; }
  }
  return 0;
}

enum smtp_parse smtpcmd_path(stralloc *addr, const char *s, size_t len,
                             const char *prefix, size_t *params)
{
  size_t plen = str_len(prefix), i, start, end;
  enum smtp_parse r;
  if (len < plen || case_diffb(s, plen, prefix)) return SMTP_SYNTAX;
  i = plen;
  while (i < len && isspace_(s[i])) ++i;
  if (i < len && s[i] == '<') {
    start = i + 1;
    if (!path_end(s, len, start, &end)) return SMTP_SYNTAX;
    *params = end + 1;
  } else {
    start = i;
    end = i;
    while (end < len && !isspace_(s[end])) ++end;
    if (end == start) return SMTP_SYNTAX;
    *params = end;
  }
  if (end - start > SMTP_ADDR_MAX) return SMTP_TOOLONG;
  r = mailbox(addr, s + start, end - start);
  if (r != SMTP_OK) return r;
  if (addr->len > SMTP_ADDR_MAX) return SMTP_TOOLONG;
  if (*params < len && !isspace_(s[*params])) return SMTP_SYNTAX;
  return SMTP_OK;
}

/* the next "KEY[=VALUE]"; 0 at the end */
static int nextparam(const char *s, size_t len, size_t *i, size_t *k, size_t *klen,
                     size_t *v, size_t *vlen)
{
  while (*i < len && isspace_(s[*i])) ++*i;
  if (*i >= len) return 0;
  *k = *i;
  while (*i < len && !isspace_(s[*i]) && s[*i] != '=') ++*i;
  *klen = *i - *k;
  *v = *i;
  *vlen = 0;
  if (*i < len && s[*i] == '=') {
    *v = ++*i;
    while (*i < len && !isspace_(s[*i])) ++*i;
    *vlen = *i - *v;
  }
  return 1;
}

static int keyis(const char *s, size_t len, const char *key)
{
  return len == str_len(key) && !case_diffb(s, len, key);
}

/* decimal digits only, saturating at the largest value */
static int scan_size(const char *s, size_t len, unsigned long long *u)
{
  size_t i;
  *u = 0;
  if (!len) return 0;
  for (i = 0; i < len; ++i) {
    unsigned d;
    if (s[i] < '0' || s[i] > '9') return 0;
    d = (unsigned)(s[i] - '0');
    if (*u > (~0ULL - d) / 10) *u = ~0ULL;
    else *u = *u * 10 + d;
  }
  return 1;
}

enum smtp_parse smtpcmd_mailparams(const char *s, size_t len, unsigned long long *size)
{
  size_t i = 0, k, klen, v, vlen;
  *size = 0;
  while (nextparam(s, len, &i, &k, &klen, &v, &vlen)) {
    if (keyis(s + k, klen, "size")) {
      if (!scan_size(s + v, vlen, size)) return SMTP_SYNTAX;
    } else if (keyis(s + k, klen, "body")) {
      if (!keyis(s + v, vlen, "7bit") && !keyis(s + v, vlen, "8bitmime")) return SMTP_SYNTAX;
    } else
      return SMTP_BADPARAM;
  }
  return SMTP_OK;
}

enum smtp_parse smtpcmd_rcptparams(const char *s, size_t len)
{
  size_t i = 0, k, klen, v, vlen;
  if (nextparam(s, len, &i, &k, &klen, &v, &vlen)) return SMTP_BADPARAM;
  return SMTP_OK;
}

size_t smtpcmd_domainpos(const char *addr, size_t len)
{
  size_t i = len;
  while (i > 0)
    if (addr[--i] == '@') return i + 1;
  return len;
}

int smtpcmd_routed(const char *addr, size_t len)
{
  size_t d = smtpcmd_domainpos(addr, len), i;
  size_t local = d < len || (len && addr[len - 1] == '@') ? d - 1 : len;
  for (i = 0; i < local; ++i)
    if (addr[i] == '@' || addr[i] == '%' || addr[i] == '!') return 1;
  return 0;
}
