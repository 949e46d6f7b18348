#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bounce.h"
#include "control.h"
#include "datetime.h"
#include "die.h"
#include "fdmove.h"
#include "fmt.h"
#include "openreadclose.h"
#include "qfile.h"
#include "queueclient.h"
#include "sendbounce.h"
#include "sendlog.h"
#include "str.h"
#include "stralloc.h"
#include "syncdir.h"

#define BOUNCE_MAXBYTES (16UL * 1024 * 1024) /* of failure records */

static stralloc me, bouncefrom, bouncehost, dbto, dbhost;

int sendbounce_controls(void)
{
  if (control_readline(&me, "control/me") != 1) {
    if (errno == 0 || errno == ENOENT) errno = ENOENT;
    return -1;
  }
  if (control_rldef(&bouncefrom, "control/bouncefrom", 0, "MAILER-DAEMON") == -1) return -1;
  if (control_rldef(&bouncehost, "control/bouncehost", 0, me.s) == -1) return -1;
  if (control_rldef(&dbto, "control/doublebounceto", 0, "postmaster") == -1) return -1;
  if (control_rldef(&dbhost, "control/doublebouncehost", 0, me.s) == -1) return -1;
  return 0;
}

static void trouble(const char *what, const char *fn)
{
  sendlog("warning: unable to ", what, " ", fn, ": ", error_str(errno));
}

int sendbounce_record(unsigned long id, const char *rcpt, const char *reason, size_t len)
{
  static stralloc fn, rec;
  struct stat st;
  int fd, created;
  if (!qfile_name(&fn, "bounce", id)) return -1;
  stralloc_zero(&rec);
  if (!bounce_record(&rec, rcpt, reason, len)) return -1;
  created = stat(fn.s, &st) == -1;
  fd = open(fn.s, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd == -1) { trouble("open", fn.s); return -1; }
  if (fd_writeall(fd, rec.s, rec.len) == -1 || fsync(fd) == -1) {
    trouble("write", fn.s);
    close(fd);
    return -1;
  }
  close(fd);
  if (created && fsync_parent(fn.s) == -1) { trouble("sync the directory of", fn.s); return -1; }
  return 0;
}

/* The original sender, from info/S/ID, NUL-terminated. */
static int read_sender(unsigned long id, stralloc *sender)
{
  static stralloc fn, info;
  if (!qfile_name(&fn, "info", id)) return -1;
  if (openreadclose(fn.s, &info, 1024) != 1) { trouble("read", fn.s); return -1; }
  if (info.len < 2 || info.s[0] != 'F' || info.s[info.len - 1]) return -1;
  return stralloc_copyb(sender, info.s + 1, info.len - 1) ? 0 : -1;
}

static int copy_message(struct qqueue *q, unsigned long id)
{
  static stralloc fn;
  char buf[65536];
  ssize_t r;
  int fd;
  if (!qfile_name(&fn, "mess", id)) return -1;
  fd = open(fn.s, O_RDONLY | O_CLOEXEC);
  if (fd == -1) { trouble("open", fn.s); return -1; }
  while ((r = read(fd, buf, sizeof buf)) > 0) qq_put(q, buf, (size_t)r);
  close(fd);
  return r == 0 ? 0 : -1;
}

static void log_bounce(unsigned long id, pid_t qp)
{
  char a[FMT_ULONG], b[FMT_ULONG];
  a[fmt_ulong(a, id)] = 0;
  b[fmt_ulong(b, (unsigned long)qp)] = 0;
  sendlog("bounce msg ", a, " qp ", b);
}

/* name@host from two NUL-terminated control values */
static int address(stralloc *out, const stralloc *name, const stralloc *host)
{
  return stralloc_copyb(out, name->s, name->len - 1) && stralloc_cats(out, "@") &&
         stralloc_catb(out, host->s, host->len - 1) && stralloc_0(out);
}

static int inject(unsigned long id, const stralloc *records, const char *sender)
{
  static stralloc text, to, from;
  struct qqueue q;
  struct bounce b;
  char date[DATE822_LEN + 1];
  int dbl = !*sender, code;
  pid_t qp;
  date[date822fmt(date, time(0))] = 0;
  if (dbl) {
    /* an empty doublebounceto means: throw double bounces away */
    if (dbto.len <= 1) {
      sendlog("warning: discarding a double bounce: doublebounceto is empty");
      return 0;
    }
    if (!address(&to, &dbto, &dbhost)) return -1;
  } else if (!stralloc_copys(&to, sender) || !stralloc_0(&to)) return -1;
  if (!address(&from, &bouncefrom, &bouncehost)) return -1;
  b.me = me.s; b.from = from.s; b.to = to.s; b.date = date; b.dbl = dbl;
  b.records = records->s; b.recordslen = records->len;
  if (bounce_text(&text, &b) != 1) return -1;
  if (qq_open_direct(&q) == -1) { sendlog("warning: unable to start qmail-queue for a bounce: ", error_str(errno)); return -1; }
  qq_put(&q, text.s, text.len);
  if (copy_message(&q, id) == -1) q.failed = 1;
  qq_from(&q, dbl ? "#@[]" : "");
  qq_to(&q, to.s);
  qp = q.pid; /* qq_close reaps it */
  code = qq_close(&q);
  if (code) { sendlog("warning: unable to queue a bounce: ", qq_errtext(code)); return -1; }
  log_bounce(id, qp);
  return 0;
}

int sendbounce(unsigned long id)
{
  static stralloc fn, records, sender;
  int r;
  if (!qfile_name(&fn, "bounce", id)) return 0;
  stralloc_zero(&records);
  r = openreadclose(fn.s, &records, 4096);
  if (r == 0 || (r == -1 && errno == ENOENT)) return 1; /* no failures */
  if (r != 1 || records.len > BOUNCE_MAXBYTES) { trouble("read", fn.s); return 0; }
  if (read_sender(id, &sender) == -1) return 0;
  if (str_equal(sender.s, "#@[]")) {
    sendlog("triple bounce: discarding ", fn.s);
  } else if (inject(id, &records, sender.s) == -1) return 0;
  if (unlink(fn.s) == -1 && errno != ENOENT) { trouble("unlink", fn.s); return 0; }
  return 1;
}
