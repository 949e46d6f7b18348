#include <errno.h>
#include "byte.h"
#include "case.h"
#include "fmt.h"
#include "getfield.h"
#include "scan.h"
#include "usersassign.h"

#define FIELDS 7 /* local user uid gid homedir dash ext, each ending in ':' */
#define WILDCHARS_MAX 256

/* A decimal uid or gid: digits only, at most USERS_ID_MAX. */
static int parse_id(unsigned long *u, const char *s, size_t len)
{
  size_t i;
  if (!len || len > 10) return 0;
  for (i = 0; i < len; ++i)
    if (s[i] < '0' || s[i] > '9') return 0;
  if (scan_ulongn(s, len, u) != len) return 0;
  return *u <= USERS_ID_MAX;
}

/* Split s into FIELDS colon-terminated fields; nothing may follow. */
static const char *split_fields(const char *s, size_t len,
                                const char *f[FIELDS], size_t n[FIELDS])
{
  size_t pos = 0, k;
  for (k = 0; k < FIELDS; ++k) {
    size_t c = byte_chr(s + pos, len - pos, ':');
    if (pos + c == len) return "has fewer than seven fields each ending in ':'";
    f[k] = s + pos;
    n[k] = c;
    pos += c + 1;
  }
  if (pos != len) return "has text after the seventh ':'";
  return 0;
}

int users_assign_parse(struct users_assign *a, const char *line, size_t len,
                       const char **why)
{
  const char *f[FIELDS];
  size_t n[FIELDS];
  if (len == 1 && line[0] == '.') return USERS_LINE_END;
  *why = "does not start with '=' or '+' (and is not the final \".\")";
  if (!len || (line[0] != '=' && line[0] != '+')) return USERS_LINE_BAD;
  *why = "contains a NUL byte";
  if (byte_chr(line, len, 0) != len) return USERS_LINE_BAD;
  *why = split_fields(line + 1, len - 1, f, n);
  if (*why) return USERS_LINE_BAD;
  a->wild = line[0] == '+';
  a->local = f[0]; a->locallen = n[0];
  a->user = f[1]; a->userlen = n[1];
  a->home = f[4]; a->homelen = n[4];
  a->dash = f[5]; a->dashlen = n[5];
  a->ext = f[6]; a->extlen = n[6];
  *why = "has an empty user name";
  if (!a->userlen) return USERS_LINE_BAD;
  *why = "has a uid that is not a decimal number up to 4294967294";
  if (!parse_id(&a->uid, f[2], n[2])) return USERS_LINE_BAD;
  *why = "has a gid that is not a decimal number up to 4294967294";
  if (!parse_id(&a->gid, f[3], n[3])) return USERS_LINE_BAD;
  *why = "has a homedir that does not start with '/'";
  if (!a->homelen || a->home[0] != '/') return USERS_LINE_BAD;
  *why = "has a '/' in dash";
  if (byte_chr(a->dash, a->dashlen, '/') != a->dashlen) return USERS_LINE_BAD;
  *why = 0;
  return USERS_LINE_OK;
}

int users_assign_key(stralloc *key, const struct users_assign *a)
{
  if (!stralloc_copys(key, "!")) return 0;
  if (!stralloc_catb(key, a->local, a->locallen)) return 0;
  case_lowerb(key->s, key->len);
  if (!a->wild && !stralloc_0(key)) return 0;
  return 1;
}

int users_assign_value(stralloc *value, const struct users_assign *a)
{
  char num[FMT_ULONG];
  if (!stralloc_copyb(value, a->user, a->userlen) || !stralloc_0(value)) return 0;
  if (!stralloc_catb(value, num, fmt_ulong(num, a->uid)) || !stralloc_0(value)) return 0;
  if (!stralloc_catb(value, num, fmt_ulong(num, a->gid)) || !stralloc_0(value)) return 0;
  if (!stralloc_catb(value, a->home, a->homelen) || !stralloc_0(value)) return 0;
  if (!stralloc_catb(value, a->dash, a->dashlen) || !stralloc_0(value)) return 0;
  return stralloc_catb(value, a->ext, a->extlen);
}

/* Remember the last byte of a wildcard's loc (lowercased) once. */
static int add_wildchar(stralloc *wild, const struct users_assign *a)
{
  char ch;
  if (!a->wild || !a->locallen) return 1;
  ch = a->local[a->locallen - 1];
  case_lowerb(&ch, 1);
  if (byte_chr(wild->s, wild->len, ch) != wild->len) return 1;
  return stralloc_append(wild, &ch);
}

static int add_line(struct cdb_make *cm, const char *s, size_t len,
                    stralloc *wild, const char **why)
{
  static stralloc key, value;
  struct users_assign a;
  int r = users_assign_parse(&a, s, len, why);
  if (r != USERS_LINE_OK) return r == USERS_LINE_END ? -1 : USERS_MAKE_BAD;
  if (!users_assign_key(&key, &a) || !users_assign_value(&value, &a) ||
      !add_wildchar(wild, &a))
    return USERS_MAKE_NOMEM;
  if (cdb_make_add(cm, (const unsigned char *)key.s, key.len,
                   (const unsigned char *)value.s, value.len) == -1)
    return errno == ENOMEM ? USERS_MAKE_NOMEM : USERS_MAKE_WRITE;
  return USERS_MAKE_OK;
}

int users_make(struct cdb_make *cm, buffer *in, unsigned long *line,
               const char **why)
{
  static stralloc sa, wild;
  int r;
  *line = 0;
  *why = 0;
  wild.len = 0;
  for (;;) {
    int g = getfield(in, &sa, '\n', USERS_LINE_MAX);
    ++*line;
    if (g == GETFIELD_ERR) return errno == ENOMEM ? USERS_MAKE_NOMEM : USERS_MAKE_READ;
    if (g == GETFIELD_LONG) { *why = "is too long"; return USERS_MAKE_BAD; }
    if (g == GETFIELD_EOF) { *why = "is past the end: the file must end with a line holding only \".\""; return USERS_MAKE_BAD; }
    r = add_line(cm, sa.s, sa.len, &wild, why);
    if (r == -1) break; /* the final "." */
    if (r != USERS_MAKE_OK) return r;
    if (g == GETFIELD_PARTIAL) { *why = "has no newline and no \".\" line follows"; return USERS_MAKE_BAD; }
  }
  if (cdb_make_add(cm, (const unsigned char *)"", 0,
                   (const unsigned char *)wild.s, wild.len) == -1)
    return errno == ENOMEM ? USERS_MAKE_NOMEM : USERS_MAKE_WRITE;
  return USERS_MAKE_OK;
}

/* ---- lookup ---- */

/* The value for key, appended to out. 1, 0 none, -1 error, -2 nomem. */
static int fetch(struct cdb *c, const char *key, size_t klen, stralloc *out)
{
  size_t dlen;
  int r = cdb_find(c, (const unsigned char *)key, klen);
  if (r != 1) return r;
  dlen = cdb_datalen(c);
  if (dlen > USERS_ANSWER_MAX) { errno = EINVAL; return -1; }
  if (!stralloc_readyplus(out, dlen)) return -2;
  if (cdb_read(c, (unsigned char *)out->s + out->len, dlen, cdb_datapos(c)) == -1) return -1;
  out->len += dlen;
  return 1;
}

static int read_wildchars(struct cdb *c, stralloc *wild)
{
  int r;
  wild->len = 0;
  r = fetch(c, "", 0, wild);
  if (r == 0) { errno = EINVAL; return -1; } /* not made by qmail-newu */
  if (r == 1 && wild->len > WILDCHARS_MAX) { errno = EINVAL; return -1; }
  return r;
}

int users_cdb_find(struct cdb *c, const char *local, size_t len, stralloc *out)
{
  static stralloc key, wild;
  size_t i;
  int r;
  out->len = 0;
  if (len > USERS_LINE_MAX) return 0; /* no assign line could name it */
  if (!stralloc_copys(&key, "!") || !stralloc_catb(&key, local, len) ||
      !stralloc_0(&key))
    return -2;
  case_lowerb(key.s, key.len);
  r = read_wildchars(c, &wild);
  if (r != 1) return r;
  r = fetch(c, key.s, key.len, out);
  if (r == 1) return stralloc_0(out) ? 1 : -2;
  if (r != 0) return r;
  /* key.s[0..i) is "!" and the first i-1 bytes of local */
  for (i = len + 1; i > 0; --i) {
    if (i > 1 && byte_chr(wild.s, wild.len, key.s[i - 1]) == wild.len) continue;
    r = fetch(c, key.s, i, out);
    if (r == 0) continue;
    if (r != 1) return r;
    if (!stralloc_catb(out, local + i - 1, len - (i - 1)) || !stralloc_0(out)) return -2;
    return 1;
  }
  return 0;
}

/* ---- answers ---- */

static const char *field(const char **pos, const char *end)
{
  const char *s = *pos;
  size_t n;
  if (s >= end) return 0;
  n = byte_chr(s, (size_t)(end - s), 0);
  if (s + n == end) return 0;
  *pos = s + n + 1;
  return s;
}

static int answer_id(unsigned long *u, const char *s)
{
  size_t n = 0;
  while (s[n]) ++n;
  return parse_id(u, s, n);
}

int users_answer_parse(struct users_answer *a, const char *s, size_t len)
{
  const char *pos = s, *end = s + len, *uid, *gid;
  if (!(a->user = field(&pos, end)) || !(uid = field(&pos, end)) ||
      !(gid = field(&pos, end)) || !(a->home = field(&pos, end)) ||
      !(a->dash = field(&pos, end)) || !(a->ext = field(&pos, end)))
    return 0;
  if (pos != end) return 0;
  if (!a->user[0] || a->home[0] != '/') return 0;
  return answer_id(&a->uid, uid) && answer_id(&a->gid, gid);
}

/* ---- qmail-getpw's rule ---- */

static int try_name(const char *local, size_t n,
                    int (*isuser)(void *, const char *), void *ctx)
{
  char name[USERS_NAME_MAX + 1];
  byte_copy(name, n, local);
  name[n] = 0;
  case_lowerb(name, n);
  return isuser(ctx, name);
}

int users_pw_split(const char *local, size_t len,
                   int (*isuser)(void *ctx, const char *name), void *ctx,
                   size_t *userlen)
{
  size_t end = len;
  for (;;) {
    if (end && end <= USERS_NAME_MAX && (end == len || local[end] == '-') &&
        byte_chr(local, end, 0) == end) {
      int r = try_name(local, end, isuser, ctx);
      if (r < 0) return -1;
      if (r) { *userlen = end; return 1; }
    }
    if (!end) return 0;
    --end;
  }
}
