#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "byte.h"
#include "fmt.h"
#include "str.h"
#include "fdmove.h"
#include "sig.h"
#include "mbox.h"

static const char days[] = "SunMonTueWedThuFriSat";
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int two(stralloc *sa, int n)
{
  char d[2];
  d[0] = (char)('0' + n / 10 % 10);
  d[1] = (char)('0' + n % 10);
  return stralloc_catb(sa, d, 2);
}

struct utc { int year, mon, mday, wday, hour, min, sec; };

/* UTC calendar fields by arithmetic: glibc's gmtime_r reads the time
   zone files first, which costs every delivery several system calls.
   Days to civil date: the proleptic Gregorian algorithm over 400-year
   eras (146097 days each), years starting in March. */
static void utc_fields(struct utc *u, long long t)
{
  long long days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp, y;
  if (secs < 0) { secs += 86400; --days; }
  u->hour = (int)(secs / 3600); u->min = (int)(secs / 60 % 60); u->sec = (int)(secs % 60);
  u->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
  days += 719468; /* from 0000-03-01 */
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  u->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
  u->mon = (int)(mp < 10 ? mp + 2 : mp - 10); /* 0 = January */
  y = yoe + era * 400 + (u->mon <= 1);
  u->year = (int)y;
}

/* "Sun Nov 01 19:02:03 2026\n" */
static int ctime_utc(stralloc *sa, time_t t)
{
  struct utc u;
  char num[FMT_ULONG];
  utc_fields(&u, (long long)t);
  if (u.year < 0) { u.year = 1970; u.mon = 0; u.mday = 1; u.wday = 4; } /* nonsense clock */
  if (!stralloc_catb(sa, days + 3 * u.wday, 3) || !stralloc_append(sa, " ")) return 0;
  if (!stralloc_catb(sa, months + 3 * u.mon, 3) || !stralloc_append(sa, " ")) return 0;
  if (!two(sa, u.mday) || !stralloc_append(sa, " ")) return 0;
  if (!two(sa, u.hour) || !stralloc_append(sa, ":")) return 0;
  if (!two(sa, u.min) || !stralloc_append(sa, ":")) return 0;
  if (!two(sa, u.sec) || !stralloc_append(sa, " ")) return 0;
  if (!stralloc_catb(sa, num, fmt_ulong(num, (unsigned long)u.year))) return 0;
  return stralloc_append(sa, "\n");
}

int mbox_fromline(stralloc *sa, const char *sender, time_t t)
{
  size_t i, start;
  if (!stralloc_copys(sa, "From ")) return 0;
  start = sa->len;
  if (!stralloc_cats(sa, *sender ? sender : "MAILER-DAEMON")) return 0;
  for (i = start; i < sa->len; ++i)
    if (sa->s[i] == ' ' || sa->s[i] == '\t' || sa->s[i] == '\n') sa->s[i] = '-';
  if (!stralloc_append(sa, " ") || !ctime_utc(sa, t)) return 0;
  if (!stralloc_0(sa)) return 0;
  --sa->len;
  return 1;
}

/* Quoting states. A run of '>' at the start of a line is copied as it
   comes: adding the extra '>' after the run instead of before it gives
   the same bytes, so only "From" (4 bytes) is ever held back. */
enum { Q_START = 0, Q_MID = 1 }; /* 2..5: matched 1..4 bytes of "From" */
static const char from[] = "From ";
#define FROM_LEN 5

void mbox_quote_init(struct mbox_quote *q) { q->state = Q_START; q->atnl = 1; }

static int mid(struct mbox_quote *q, const char *in, size_t len, size_t *used, stralloc *out)
{
  size_t n = byte_chr(in, len, '\n');
  if (n < len) { ++n; q->state = Q_START; }
  *used = n;
  q->atnl = in[n - 1] == '\n';
  return stralloc_catb(out, in, n);
}

int mbox_quote(struct mbox_quote *q, const char *in, size_t len, stralloc *out)
{
  size_t i = 0, used;
  while (i < len) {
    char c = in[i];
    if (q->state == Q_MID) {
      if (!mid(q, in + i, len - i, &used, out)) return 0;
      i += used;
    } else if (q->state == Q_START) {
      if (c == '>') {
        if (!stralloc_append(out, &c)) return 0;
        q->atnl = 0; ++i;
      } else if (c == 'F') {
        q->state = 2; ++i;
      } else
        q->state = Q_MID; /* this byte again, as mid-line text */
    } else {
      int m = q->state - 1; /* bytes of "From " matched so far */
      if (c == from[m]) {
        ++i;
        if (m + 1 < FROM_LEN) { ++q->state; continue; }
        if (!stralloc_catb(out, ">From ", FROM_LEN + 1)) return 0;
      } else if (!stralloc_catb(out, from, (size_t)m))
        return 0;
      q->state = Q_MID;
      q->atnl = 0;
    }
  }
  return 1;
}

int mbox_quote_end(struct mbox_quote *q, stralloc *out)
{
  if (q->state > Q_MID) {
    if (!stralloc_catb(out, from, (size_t)(q->state - 1))) return 0;
    q->atnl = 0;
  }
  if (!q->atnl && !stralloc_append(out, "\n")) return 0;
  mbox_quote_init(q);
  return stralloc_append(out, "\n");
}

#define CHUNK 65536
static char inbuf[CHUNK];
static stralloc out;

static void wake(int sig) { (void)sig; } /* only to interrupt F_SETLKW */

/* errors meaning "this file system has no locks" */
static int nolocks(int e) { return e == ENOLCK || e == EINVAL || e == EOPNOTSUPP; }

/* 1 locked, 0 no locking on this file system, -1 error (errno; EINTR
   when the timeout ran out) */
static int lock(int fd, unsigned int timeout)
{
  struct flock fl;
  int r, e;
  byte_zero(&fl, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &fl) == 0) return 1; /* the usual case: no wait */
  if (errno != EAGAIN && errno != EACCES) return nolocks(errno) ? 0 : -1;
  sig_catch(SIGALRM, wake);
  alarm(timeout);
  r = fcntl(fd, F_SETLKW, &fl);
  e = errno;
  alarm(0);
  sig_default(SIGALRM);
  if (r == 0) return 1;
  if (nolocks(e)) return 0;
  errno = e;
  return -1;
}

static int copy_quoted(int fd, int msgfd, const char *head, size_t headlen)
{
  struct mbox_quote q;
  mbox_quote_init(&q);
  if (!stralloc_copyb(&out, head, headlen)) return MBOX_ENOMEM;
  if (lseek(msgfd, 0, SEEK_SET) == -1) return MBOX_EREAD;
  for (;;) {
    ssize_t r = read(msgfd, inbuf, sizeof inbuf);
    if (r == -1) { if (errno == EINTR) continue; return MBOX_EREAD; }
    if (!r) break;
    if (!mbox_quote(&q, inbuf, (size_t)r, &out)) return MBOX_ENOMEM;
    if (out.len >= CHUNK) {
      if (fd_writeall(fd, out.s, out.len) == -1) return MBOX_EWRITE;
      out.len = 0;
    }
  }
  if (!mbox_quote_end(&q, &out)) return MBOX_ENOMEM;
  if (fd_writeall(fd, out.s, out.len) == -1) return MBOX_EWRITE;
  if (fsync(fd) == -1) return MBOX_EWRITE;
  return MBOX_OK;
}

int mbox_deliver(const char *fn, int msgfd, const char *head, size_t headlen, unsigned int locktimeout)
{
  int fd, locked, r, e;
  off_t pos;
  fd = open(fn, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd == -1) return MBOX_EOPEN;
  locked = lock(fd, locktimeout);
  if (locked == -1) {
    e = errno; close(fd);
    errno = e;
    return e == EINTR ? MBOX_ETIMEOUT : MBOX_ELOCK;
  }
  pos = lseek(fd, 0, SEEK_END);
  if (pos == -1) { e = errno; close(fd); errno = e; return MBOX_EWRITE; }
  r = copy_quoted(fd, msgfd, head, headlen);
  e = errno;
  if (r != MBOX_OK) {
    /* only our lock keeps others from having appended after pos */
    if (locked && ftruncate(fd, pos) == -1) { /* nothing better to do */ }
    close(fd);
    errno = e;
    return r;
  }
  if (close(fd) == -1) return MBOX_EWRITE;
  return MBOX_OK;
}
