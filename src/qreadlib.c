/* qreadlib: the queue listing of qmail-qread (qreadlib.h). The queue is
   read in two passes: first every message's id and date is collected so
   the listing can be sorted, then each message's files are read and its
   lines written. The listing is a snapshot: a message that finishes while
   we read it is reported as trouble and skipped, as qmail-qread does. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "bufwrite.h"
#include "byte.h"
#include "die.h"
#include "fmt.h"
#include "getfield.h"
#include "open.h"
#include "printable.h"
#include "qfile.h"
#include "qreadlib.h"
#include "scan.h"
#include "str.h"
#include "todoenv.h"

struct entry { time_t when; unsigned long id; int todo; };

/* one listing */
struct run {
  const char *dir;
  buffer *out, *warn;
  stralloc *why;
  struct entry *e;
  size_t n, cap;
};

static stralloc fn;     /* dir/sub[/S]/ID or dir/sub[/S] */
static stralloc line;   /* an output line being built */
static stralloc field;  /* a field of a queue file */
static stralloc todo;   /* the contents of a todo/ID file */

/* ---- failures ---- */

/* why = "what[name]: error", or empty when out of memory; always -1 */
static int fail(struct run *r, const char *what, const char *name, int err)
{
  if (!stralloc_copys(r->why, what) || (name && !stralloc_cats(r->why, name)) ||
      !stralloc_cats(r->why, ": ") || !stralloc_cats(r->why, error_str(err)) ||
      !stralloc_0(r->why))
    r->why->len = 0;  /* the caller says "out of memory" */
  return -1;
}
static int fail_nomem(struct run *r)
{
  if (!stralloc_copys(r->why, "out of memory") || !stralloc_0(r->why)) r->why->len = 0;
  return -1;
}
static int fail_write(struct run *r) { return fail(r, "unable to write output", 0, errno); }

/* A warning about one message; the listing goes on. Always 0. */
static int trouble(struct run *r, unsigned long id, const char *what, const char *name, int err)
{
  char num[FMT_ULONG];
  buffer_puts(r->warn, "qmail-qread: warning: trouble with #");
  buffer_put(r->warn, num, fmt_ulong(num, id));
  buffer_puts(r->warn, ": ");
  buffer_puts(r->warn, what);
  if (name) buffer_puts(r->warn, name);
  if (err) { buffer_puts(r->warn, ": "); buffer_puts(r->warn, error_str(err)); }
  buffer_puts(r->warn, "\n");
  buffer_flush(r->warn);
  return 0;
}

/* ---- names ---- */

static int catnum(stralloc *sa, unsigned long long n)
{
  char num[FMT_ULONG * 2];
  return stralloc_catb(sa, num, fmt_ulonglong(num, n));
}

/* fn = dir/sub/S/ID (split directories) or dir/sub/ID; 1 ok, 0 nomem */
static int path_id(const struct run *r, const char *sub, unsigned long id)
{
  static stralloc rel;
  if (!qfile_name(&rel, sub, id)) return 0;
  return stralloc_copys(&fn, r->dir) && stralloc_append(&fn, "/") && stralloc_cat(&fn, &rel);
}

/* fn = dir/sub or dir/sub/S; 1 ok, 0 nomem */
static int path_dir(const struct run *r, const char *sub, int split, unsigned long s)
{
  if (!stralloc_copys(&fn, r->dir) || !stralloc_append(&fn, "/") || !stralloc_cats(&fn, sub)) return 0;
  if (split && (!stralloc_append(&fn, "/") || !catnum(&fn, s))) return 0;
  return stralloc_0(&fn);
}

/* a directory entry named by a message id: decimal digits only */
static int name_id(const char *s, unsigned long *id)
{
  size_t len = str_len(s);
  if (!len || len >= FMT_ULONG) return 0;
  if (s[0] == '0' && len > 1) return 0;
  return scan_ulong(s, id) == len;
}

/* ---- pass 1: collect ---- */

static int add(struct run *r, unsigned long id, time_t when, int istodo)
{
  if (r->n == r->cap) {
    size_t cap, bytes;
    struct entry *e;
    if (__builtin_mul_overflow(r->cap ? r->cap : 64, 2, &cap)) { errno = ENOMEM; return 0; }
    if (__builtin_mul_overflow(cap, sizeof *e, &bytes)) { errno = ENOMEM; return 0; }
    e = realloc(r->e, bytes);
    if (!e) return 0;
    r->e = e;
    r->cap = cap;
  }
  r->e[r->n].id = id;
  r->e[r->n].when = when;
  r->e[r->n].todo = istodo;
  ++r->n;
  return 1;
}

/* Note each id in the directory fn (subdirectory s of sub, when split).
   0 ok, -1 fatal. */
static int scan_dir(struct run *r, const char *sub, int split, unsigned long s)
{
  static stralloc dirname;
  DIR *d;
  struct dirent *de;
  if (!path_dir(r, sub, split, s) || !stralloc_copy(&dirname, &fn)) return fail_nomem(r);
  d = opendir(dirname.s);
  if (!d) return fail(r, "unable to opendir ", dirname.s, errno);
  for (;;) {
    unsigned long id;
    struct stat st;
    errno = 0;
    if (!(de = readdir(d))) break;
    if (!name_id(de->d_name, &id)) continue;
    if (split && id % auto_split != s) {
      trouble(r, id, "not in its subdirectory: ", dirname.s, 0);
      continue;
    }
    if (!path_id(r, sub, id)) { closedir(d); return fail_nomem(r); }
    if (stat(fn.s, &st) == -1) {
      if (errno != ENOENT) trouble(r, id, "unable to stat ", fn.s, errno);
      continue;  /* ENOENT: finished since readdir */
    }
    if (!add(r, id, st.st_mtime, !split)) { closedir(d); return fail_nomem(r); }
  }
  if (errno) { int e = errno; closedir(d); return fail(r, "unable to read directory ", dirname.s, e); }
  closedir(d);
  return 0;
}

static int by_id(const void *a, const void *b)
{
  const struct entry *x = a, *y = b;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return y->todo - x->todo;  /* todo first */
}

static int by_date(const void *a, const void *b)
{
  const struct entry *x = a, *y = b;
  if (x->when != y->when) return x->when < y->when ? -1 : 1;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return 0;
}

/* A message with both todo/ID and info/S/ID is listed once, from todo:
   qmail-todo will preprocess it again and rewrite the others. */
static void sort(struct run *r)
{
  size_t i, j = 0;
  if (!r->n) return;
  qsort(r->e, r->n, sizeof *r->e, by_id);
  for (i = 1; i < r->n; ++i)
    if (r->e[i].id != r->e[j].id) r->e[++j] = r->e[i];
  r->n = j + 1;
  qsort(r->e, r->n, sizeof *r->e, by_date);
}

/* ---- pass 2: list ---- */

/* (libowfat's fmt_ulong0 does not pad here: write the two digits) */
static size_t two(char *s, int n)
{
  s[0] = (char)('0' + n / 10 % 10);
  s[1] = (char)('0' + n % 10);
  return 2;
}

size_t qread_date(char *buf, time_t t)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  struct tm tm;
  size_t len = 0;
  if (!gmtime_r(&t, &tm)) { time_t zero = 0; gmtime_r(&zero, &tm); }
  len += fmt_ulong(buf + len, (unsigned long)tm.tm_mday);
  buf[len++] = ' ';
  byte_copy(buf + len, 3, months + 3 * (tm.tm_mon % 12));
  len += 3;
  buf[len++] = ' ';
  len += fmt_long(buf + len, (long)tm.tm_year + 1900);
  buf[len++] = ' ';
  len += two(buf + len, tm.tm_hour);
  buf[len++] = ':';
  len += two(buf + len, tm.tm_min);
  buf[len++] = ':';
  len += two(buf + len, tm.tm_sec);
  byte_copy(buf + len, 4, " GMT");
  return len + 4;
}

static int put_line(struct run *r)
{
  if (bufwrite_put(r->out, line.s, line.len) == -1) return fail_write(r);
  return 0;
}

/* DATE GMT  #ID  SIZE  <SENDER> [ bouncing][ todo] */
static int header(struct run *r, const struct entry *e, unsigned long long size,
                  int bouncing, const char *sender, size_t len)
{
  char date[QREAD_DATE_LEN];
  if (!stralloc_copyb(&line, date, qread_date(date, e->when)) ||
      !stralloc_cats(&line, "  #") || !catnum(&line, e->id) ||
      !stralloc_cats(&line, "  ") || !catnum(&line, size) ||
      !stralloc_cats(&line, "  <") || !printable_cat(&line, sender, len) ||
      !stralloc_cats(&line, "> ") ||
      (bouncing && !stralloc_cats(&line, " bouncing")) ||
      (e->todo && !stralloc_cats(&line, " todo")) ||
      !stralloc_append(&line, "\n")) return fail_nomem(r);
  return put_line(r);
}

/* [  done]<TAB>CHANNEL<TAB>ADDRESS */
static int recipient(struct run *r, int done, const char *chan, const char *addr, size_t len)
{
  if (!stralloc_copys(&line, done ? "  done\t" : "\t") || !stralloc_cats(&line, chan) ||
      !stralloc_append(&line, "\t") || !printable_cat(&line, addr, len) ||
      !stralloc_append(&line, "\n")) return fail_nomem(r);
  return put_line(r);
}

/* the recipients in local/S/ID or remote/S/ID: T (to do) and D (done) */
static int channel(struct run *r, const struct entry *e, const char *chan)
{
  char space[4096];
  buffer b;
  int fd, g;
  if (!path_id(r, chan, e->id)) return fail_nomem(r);
  fd = open_read(fn.s);
  if (fd == -1) return errno == ENOENT ? 0 : trouble(r, e->id, "unable to open ", fn.s, errno);
  buffer_init(&b, read, fd, space, sizeof space);
  while ((g = getfield(&b, &field, 0, QREAD_FIELD_MAX)) == GETFIELD_OK) {
    if (!field.len || (field.s[0] != 'T' && field.s[0] != 'D')) continue;
    if (recipient(r, field.s[0] == 'D', chan, field.s + 1, field.len - 1) == -1) {
      close(fd);
      return -1;
    }
  }
  if (g == GETFIELD_ERR) trouble(r, e->id, "unable to read ", fn.s, errno);
  else if (g != GETFIELD_EOF) trouble(r, e->id, "malformed ", fn.s, 0);
  close(fd);
  return 0;
}

/* a preprocessed message: the sender in info/S/ID */
static int list_info(struct run *r, const struct entry *e, unsigned long long size, int bouncing)
{
  char space[1024];
  buffer b;
  int fd, g;
  if (!path_id(r, "info", e->id)) return fail_nomem(r);
  fd = open_read(fn.s);
  if (fd == -1) return trouble(r, e->id, "unable to open ", fn.s, errno);
  buffer_init(&b, read, fd, space, sizeof space);
  g = getfield(&b, &field, 0, QREAD_FIELD_MAX);
  if (g == GETFIELD_ERR) { int err = errno; close(fd); return trouble(r, e->id, "unable to read ", fn.s, err); }
  close(fd);
  if (g != GETFIELD_OK || !field.len || field.s[0] != 'F')
    return trouble(r, e->id, "malformed ", fn.s, 0);
  if (header(r, e, size, bouncing, field.s + 1, field.len - 1) == -1) return -1;
  if (channel(r, e, "local") == -1) return -1;
  return channel(r, e, "remote");
}

/* the whole of fd, at most max bytes, into sa; 0 ok, -1 error, 1 too big */
static int read_bounded(int fd, stralloc *sa, size_t max)
{
  stralloc_zero(sa);
  for (;;) {
    ssize_t got;
    if (!stralloc_readyplus(sa, 8192)) return -1;
    got = read(fd, sa->s + sa->len, 8192);
    if (got == -1) { if (errno == EINTR) continue; return -1; }
    if (got == 0) return 0;
    sa->len += (size_t)got;
    if (sa->len > max) return 1;
  }
}

/* a message not yet preprocessed: its envelope in todo/ID */
static int list_todo(struct run *r, const struct entry *e, unsigned long long size, int bouncing)
{
  struct todoenv env;
  const char *addr;
  size_t pos = 0, len;
  int fd, got;
  if (!path_id(r, "todo", e->id)) return fail_nomem(r);
  fd = open_read(fn.s);
  if (fd == -1) return trouble(r, e->id, "unable to open ", fn.s, errno);
  got = read_bounded(fd, &todo, QREAD_TODO_MAX);
  if (got == -1) { int err = errno; close(fd); return trouble(r, e->id, "unable to read ", fn.s, err); }
  close(fd);
  if (got == 1) return trouble(r, e->id, "too large: ", fn.s, 0);
  if (!todoenv_parse(&env, todo.s, todo.len)) return trouble(r, e->id, "malformed ", fn.s, 0);
  if (header(r, e, size, bouncing, env.sender, env.senderlen) == -1) return -1;
  while (todoenv_next(&env, &pos, &addr, &len))
    if (recipient(r, 0, "todo", addr, len) == -1) return -1;
  return 0;
}

static int list_one(struct run *r, const struct entry *e)
{
  struct stat st;
  unsigned long long size;
  int bouncing;
  if (!path_id(r, "mess", e->id)) return fail_nomem(r);
  if (stat(fn.s, &st) == -1) return trouble(r, e->id, "unable to stat ", fn.s, errno);
  size = (unsigned long long)st.st_size;
  if (!path_id(r, "bounce", e->id)) return fail_nomem(r);
  bouncing = stat(fn.s, &st) == 0;
  if (e->todo) return list_todo(r, e, size, bouncing);
  return list_info(r, e, size, bouncing);
}

int qread_list(const char *dir, buffer *out, buffer *warn, stralloc *why)
{
  struct run r = { dir, out, warn, why, 0, 0, 0 };
  unsigned long s;
  size_t i;
  int ret = 0;
  for (s = 0; s < auto_split && ret == 0; ++s)
    ret = scan_dir(&r, "info", 1, s);
  if (ret == 0) ret = scan_dir(&r, "todo", 0, 0);
  if (ret == 0) sort(&r);
  for (i = 0; i < r.n && ret == 0; ++i)
    ret = list_one(&r, &r.e[i]);
  if (ret == 0 && bufwrite_flush(out) == -1) ret = fail_write(&r);
  free(r.e);
  return ret;
}
