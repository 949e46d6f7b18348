#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "byte.h"
#include "str.h"
#include "dotqmail.h"

void dotqmail_line(struct dq_line *out, const char *line, size_t len)
{
  while (len && (line[len - 1] == ' ' || line[len - 1] == '\t')) --len;
  out->arg = line;
  out->len = len;
  if (!len) { out->type = DQ_BLANK; return; }
  switch (line[0]) {
    case '#': out->type = DQ_COMMENT; return;
    case '.': case '/':
      out->type = line[len - 1] == '/' ? DQ_MAILDIR : DQ_MBOX;
      return;
    case '|': out->type = DQ_PROGRAM; break;
    case '+': out->type = DQ_OPTION; break;
    case '&': out->type = DQ_FORWARD; break;
    default: out->type = DQ_FORWARD; return; /* whole line is the address */
  }
  ++out->arg;
  --out->len;
}

int dotqmail_safeext(stralloc *out, const char *ext, size_t len)
{
  size_t i;
  if (!stralloc_copyb(out, ext, len)) return 0;
  for (i = 0; i < len; ++i) {
    char c = out->s[i];
    if (c >= 'A' && c <= 'Z') out->s[i] = (char)(c + 32);
    else if (c == '.') out->s[i] = ':';
  }
  return 1;
}

void dotqmail_search_init(struct dq_search *s, const char *dash, const char *safeext, size_t len)
{
  s->dash = dash;
  s->ext = safeext;
  s->extlen = len;
  s->pos = len;
  s->state = 0;
}

static int name(stralloc *fn, const struct dq_search *s, size_t extlen, const char *tail)
{
  if (!stralloc_copys(fn, ".qmail")) return 0;
  if (!stralloc_cats(fn, s->dash)) return 0;
  if (!stralloc_catb(fn, s->ext, extlen)) return 0;
  if (!stralloc_cats(fn, tail)) return 0;
  if (!stralloc_0(fn)) return 0;
  --fn->len;
  return 1;
}

#define DEFAULT_LEN 7 /* "default" */

/* qmail sets DEFAULT even for an exact match whose name ends in
   "default"; so do we. */
static size_t exact_defaultpos(const struct dq_search *s)
{
  size_t i;
  if (s->extlen < DEFAULT_LEN) return (size_t)-1;
  i = s->extlen - DEFAULT_LEN;
  return byte_equal(s->ext + i, DEFAULT_LEN, "default") ? i : (size_t)-1;
}

int dotqmail_search_next(struct dq_search *s, stralloc *fn, size_t *defaultpos)
{
  size_t i;
  if (s->state == 0) {
    if (!name(fn, s, s->extlen, "")) return -1;
    *defaultpos = exact_defaultpos(s);
    s->state = *s->dash ? 1 : 2;
    return 1;
  }
  if (s->state != 1) return 0;
  /* cut points: the end of ext, then after each '-', right to left */
  i = s->pos;
  while (i && s->ext[i - 1] != '-') --i;
  if (!name(fn, s, i, "default")) return -1;
  *defaultpos = i;
  if (i) s->pos = i - 1; else s->state = 2;
  return 1;
}

/* errors that mean "there is no such file", as opposed to "cannot tell" */
static int absent(int e)
{
  return e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG || e == ELOOP;
}

#define PATTERN_WRITABLE 002 /* qmail's conf-patrn: world-writable */

int dotqmail_find(struct dq_search *s, stralloc *fn, int *fd, int *executable, size_t *defaultpos)
{
  int r;
  struct stat st;
  while ((r = dotqmail_search_next(s, fn, defaultpos)) == 1) {
    /* O_NONBLOCK: a FIFO by that name must not hang us */
    int f = open(fn->s, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f == -1) {
      if (absent(errno)) continue;
      return DQ_ERROR;
    }
    if (fstat(f, &st) == -1) { int e = errno; close(f); errno = e; return DQ_ERROR; }
    if (!S_ISREG(st.st_mode)) { close(f); continue; }
    if (st.st_mode & PATTERN_WRITABLE) { close(f); return DQ_WRITABLE; }
    *fd = f;
    *executable = !!(st.st_mode & S_IXUSR);
    return DQ_FOUND;
  }
  return r == 0 ? DQ_NONE : DQ_NOMEM;
}

int dotqmail_exists(stralloc *fn, const char *dash, const char *safeext, size_t len, const char *suffix)
{
  struct stat st;
  struct dq_search s;
  dotqmail_search_init(&s, dash, safeext, len);
  if (!name(fn, &s, len, suffix)) { errno = ENOMEM; return -1; }
  if (stat(fn->s, &st) == 0) return 1;
  return absent(errno) ? 0 : -1;
}

#define READ_CHUNK 4096

int dotqmail_read(int fd, stralloc *sa)
{
  struct stat st;
  size_t want = READ_CHUNK;
  sa->len = 0;
  if (fstat(fd, &st) == 0 && st.st_size > 0 && (unsigned long long)st.st_size < DOTQMAIL_MAX)
    want = (size_t)st.st_size + 1; /* +1: see EOF in the same pass */
  for (;;) {
    ssize_t r;
    if (!stralloc_readyplus(sa, want)) { close(fd); errno = ENOMEM; return -1; }
    r = read(fd, sa->s + sa->len, want);
    if (r == -1) {
      int e = errno;
      if (e == EINTR) continue;
      close(fd); errno = e; return -1;
    }
    if (!r) break;
    sa->len += (size_t)r;
    if (sa->len > DOTQMAIL_MAX) { close(fd); errno = EFBIG; return -1; }
    want = READ_CHUNK;
  }
  close(fd);
  return 0;
}

int dotqmail_newsender(stralloc *out, const char *sender, const char *local,
                       const char *host, int owner, int ownerdefault)
{
  int bounce = !*sender || str_equal(sender, "#@[]");
  if (bounce || !owner) {
    if (!stralloc_copys(out, sender)) return 0;
  } else if (ownerdefault) {
    if (!stralloc_copym(out, local, "-owner-@", host, "-@[]")) return 0;
  } else {
    if (!stralloc_copym(out, local, "-owner@", host)) return 0;
  }
  return stralloc_0(out);
}
