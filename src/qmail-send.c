/* qmail-send: the scheduler. It learns of new messages from qmail-todo,
   hands each recipient to qmail-lspawn or qmail-rspawn, records results
   in the queue, retries on qmail's schedule, sends bounces and asks
   qmail-clean to remove finished messages. It keeps one small record per
   queued message (msgtable.h); recipient lists stay on disk until a
   message's turn comes.

   fd 1, 2: the log. fd 3/4: requests to / reports from qmail-lspawn.
   fd 5/6: the same for qmail-rspawn (/dev/null when not installed).
   fd 7: "ID:chans\0" from qmail-todo; fd 8: control to qmail-todo.
   fd 9/10: requests to / replies from qmail-clean. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "byte.h"
#include "control.h"
#include "die.h"
#include "fdmove.h"
#include "fmt.h"
#include "msgtable.h"
#include "prioq.h"
#include "qfile.h"
#include "retry.h"
#include "scan.h"
#include "sendbounce.h"
#include "sendlog.h"
#include "sig.h"
#include "str.h"
#include "stralloc.h"

#define CHANNELS 2
#define CONCURRENCY_MAX 10000       /* per channel */
#define REPORT_MAX 1100             /* a spawner's report text */
#define NOTIFY_MAX 64               /* "ID:lr" */
#define CHANFILE_MAXBYTES (256UL * 1024 * 1024)
#define STALE_SCAN_SECONDS 600

static void die_nomem(void) { fatal(111, "out of memory"); }
static void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static void die_lock(void) { fatal(111, "another qmail-send is running (queue/lock/sendmutex is locked)"); }
__attribute__((noreturn)) static void die_helper(const char *who) {
  sendlog("alert: lost connection to ", who, ", exiting so that everything restarts");
  _exit(111);
}
__attribute__((noreturn)) static void die_proto(const char *who) {
  sendlog("alert: malformed report from ", who, ", exiting");
  _exit(111);
}

static long long now(void) { return (long long)time(0); }

/* ---- controls ---- */

static unsigned long queuelifetime = 604800;
static unsigned long concurrency[CHANNELS] = { 10, 20 };

/* Controls are read from the home directory; we live in queue/. */
static void read_controls(int starting)
{
  unsigned long cl, cr, ql;
  if (!starting && chdir(auto_qmail) == -1) die_home();
  if (control_readulong(&cl, "control/concurrencylocal", 10) == -1 ||
      control_readulong(&cr, "control/concurrencyremote", 20) == -1 ||
      control_readulong(&ql, "control/queuelifetime", 604800) == -1 ||
      sendbounce_controls() == -1) {
    sendlog("alert: unable to read controls: ", error_str(errno));
    if (starting) _exit(111);
    if (chdir("queue") == -1) die_home();
    return;
  }
  if (!starting && chdir("queue") == -1) die_home();
  if (cl < 1) cl = 1;
  if (cr < 1) cr = 1;
  if (cl > CONCURRENCY_MAX) cl = CONCURRENCY_MAX;
  if (cr > CONCURRENCY_MAX) cr = CONCURRENCY_MAX;
  /* concurrency only grows while running: slots are allocated at start */
  if (starting) { concurrency[0] = cl; concurrency[1] = cr; }
  queuelifetime = ql;
}

/* ---- messages, channels, jobs ---- */

static struct msgtable msgs;

struct job {
  unsigned long id;
  int fd;                   /* local/S/ID or remote/S/ID, for the D marks */
  stralloc list;            /* its contents */
  stralloc sender;
  size_t next;              /* offset of the next entry to look at */
  unsigned int running;
  int tempfail;
  struct job *nextjob;
};

/* A slot is a spawner's delivery number, reused; the log numbers
   deliveries with one counter for both channels, as qmail does, so a log
   line names one delivery (qmailanalog matches them by number). */
struct slot { struct job *job; size_t offset; unsigned long delid; };
static unsigned long masterdelid = 1;

struct channel {
  const char *name;         /* "local", "remote" */
  const char *dir;
  int fdreq, fdrep;
  int up;                   /* the spawner is there */
  unsigned int skip;
  unsigned long used;
  struct slot *slot;
  struct prioq pq;
  struct job *jobs;
  stralloc in;              /* reports read but not yet handled */
};

static struct channel chan[CHANNELS] = {
  { "local", "local", 3, 4, 1, RETRY_SKIP_LOCAL, 0, 0, {0, 0, 0}, 0, {0, 0, 0} },
  { "remote", "remote", 5, 6, 1, RETRY_SKIP_REMOTE, 0, 0, {0, 0, 0}, 0, {0, 0, 0} },
};

static int flagexit;        /* TERM: finish running deliveries, then exit */
static int todo_gone;       /* qmail-todo ended: the same, then restart */

static void idstr(char *buf, unsigned long id) { buf[fmt_ulong(buf, id)] = 0; }

static void log_status(void)
{
  char a[FMT_ULONG], b[FMT_ULONG], c[FMT_ULONG], d[FMT_ULONG];
  idstr(a, chan[0].used); idstr(b, concurrency[0]);
  idstr(c, chan[1].used); idstr(d, concurrency[1]);
  sendlog("status: local ", a, "/", b, " remote ", c, "/", d);
}

static void schedule(int c, unsigned long id, long long when)
{
  if (!prioq_insert(&chan[c].pq, (unsigned long long)when, id)) die_nomem();
}

/* ---- qmail-clean ---- */

static int clean(char op, unsigned long id)
{
  char req[FMT_ULONG + 2], reply;
  size_t n = 0;
  req[n++] = op;
  n += fmt_ulong(req + n, id);
  req[n++] = 0;
  if (fd_writeall(9, req, n) == -1) die_helper("qmail-clean");
  if (read(10, &reply, 1) != 1) die_helper("qmail-clean");
  return reply == '+' ? 0 : -1;
}

/* ---- finishing a message ---- */

static void unlink_queue_file(const char *dir, unsigned long id)
{
  static stralloc fn;
  if (!qfile_name(&fn, dir, id)) die_nomem();
  if (unlink(fn.s) == -1 && errno != ENOENT)
    sendlog("warning: unable to unlink ", fn.s, ": ", error_str(errno));
}

/* Every channel is done. 1: gone from the queue; 0: its bounce could not
   be sent yet, try again later. */
static int message_done(unsigned long id)
{
  char s[FMT_ULONG];
  int r = sendbounce(id);
  if (r == 0) return 0;
  unlink_queue_file("local", id);
  unlink_queue_file("remote", id);
  unlink_queue_file("info", id);
  if (clean('m', id) == -1) {
    idstr(s, id);
    sendlog("warning: qmail-clean unable to remove mess/", s);
  }
  idstr(s, id);
  sendlog("end msg ", s);
  msgtable_del(&msgs, id);
  return 1;
}

static struct prioq bounceq; /* messages whose bounce must be retried */

static void maybe_done(unsigned long id)
{
  struct msg *m = msgtable_find(&msgs, id);
  if (!m || m->pending || m->active) return;
  if (!message_done(id)) {
    if (!prioq_insert(&bounceq, (unsigned long long)(now() + 60), id)) die_nomem();
  }
}

/* ---- jobs: one message's turn on one channel ---- */

static int load_list(struct job *j, int c)
{
  static stralloc fn;
  struct stat st;
  ssize_t r;
  if (!qfile_name(&fn, chan[c].dir, j->id)) die_nomem();
  j->fd = open(fn.s, O_RDWR | O_CLOEXEC);
  if (j->fd == -1) return errno == ENOENT ? 0 : -1;
  if (fstat(j->fd, &st) == -1 || (unsigned long)st.st_size > CHANFILE_MAXBYTES) return -1;
  if (!stralloc_ready(&j->list, (size_t)st.st_size + 1)) die_nomem();
  r = pread(j->fd, j->list.s, (size_t)st.st_size, 0);
  if (r != st.st_size) return -1;
  j->list.len = (size_t)r;
  return 1;
}

static int load_sender(struct job *j)
{
  static stralloc fn;
  int fd;
  ssize_t r;
  char buf[1100];
  if (!qfile_name(&fn, "info", j->id)) die_nomem();
  fd = open(fn.s, O_RDONLY | O_CLOEXEC);
  if (fd == -1) return -1;
  r = read(fd, buf, sizeof buf);
  close(fd);
  if (r < 2 || buf[0] != 'F' || buf[r - 1] != 0) return -1;
  return stralloc_copyb(&j->sender, buf + 1, (size_t)r - 1) ? 0 : -1; /* keeps the NUL */
}

static void free_job(struct job *j)
{
  if (j->fd != -1) close(j->fd);
  stralloc_free(&j->list);
  stralloc_free(&j->sender);
  free(j);
}

static void unlink_job(int c, struct job *j)
{
  struct job **p;
  for (p = &chan[c].jobs; *p; p = &(*p)->nextjob)
    if (*p == j) { *p = j->nextjob; return; }
}

/* the job has nothing running and nothing left to start */
static void job_finished(int c, struct job *j)
{
  struct msg *m = msgtable_find(&msgs, j->id);
  unsigned long id = j->id;
  unlink_job(c, j);
  if (m) {
    m->active &= (unsigned char)~(1 << c);
    if (j->tempfail) {
      long long next = retry_next(m->birth, now(), chan[c].skip);
      /* the list's mtime is its next attempt, for a restart (found_info) */
      struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)next, 0 } };
      futimens(j->fd, ts);
      schedule(c, id, next);
    } else
      m->pending &= (unsigned char)~(1 << c);
  }
  free_job(j);
  maybe_done(id);
}

/* offset of the next 'T' entry at or after j->next, or -1 */
static long next_todo(struct job *j)
{
  while (j->next < j->list.len) {
    size_t at = j->next;
    size_t n = byte_chr(j->list.s + at, j->list.len - at, 0);
    if (at + n == j->list.len) { j->next = j->list.len; return -1; } /* torn tail */
    j->next = at + n + 1;
    if (j->list.s[at] == 'T') return (long)at;
  }
  return -1;
}

static int free_slot(int c)
{
  unsigned long i;
  for (i = 0; i < concurrency[c]; ++i)
    if (!chan[c].slot[i].job) return (int)i;
  return -1;
}

static void start_delivery(int c, struct job *j, size_t offset)
{
  static stralloc req;
  char num[FMT_ULONG], ids[FMT_ULONG], safe[1100];
  const char *rcpt = j->list.s + offset + 1;
  int s = free_slot(c);
  size_t n;
  if (s < 0) return;
  idstr(num, (unsigned long)s);
  idstr(ids, j->id);
  if (!stralloc_copys(&req, num) || !stralloc_0(&req) ||
      !stralloc_cats(&req, ids) || !stralloc_0(&req) ||
      !stralloc_cat(&req, &j->sender) ||
      !stralloc_cats(&req, rcpt) || !stralloc_0(&req)) die_nomem();
  if (fd_writeall(chan[c].fdreq, req.s, req.len) == -1) die_helper(chan[c].name);
  chan[c].slot[s].job = j;
  chan[c].slot[s].offset = offset;
  chan[c].slot[s].delid = masterdelid;
  idstr(num, masterdelid++);
  ++j->running;
  ++chan[c].used;
  n = sendlog_safe(safe, sizeof safe - 1, rcpt, str_len(rcpt));
  safe[n] = 0;
  sendlog("starting delivery ", num, ": msg ", ids, " to ", chan[c].name, " ", safe);
  log_status();
}

static struct job *new_job(int c, unsigned long id)
{
  struct job *j = calloc(1, sizeof *j);
  int r;
  if (!j) die_nomem();
  j->id = id;
  j->fd = -1;
  r = load_list(j, c);
  if (r == 1 && load_sender(j) == -1) r = -1;
  if (r != 1) {
    char s[FMT_ULONG];
    struct msg *m = msgtable_find(&msgs, id);
    idstr(s, id);
    /* no job: pull_job's mark must go, or the message is never pulled
       again (until a restart) and never finishes */
    if (m) m->active &= (unsigned char)~(1 << c);
    if (r == 0) { /* no such file: nothing to do on this channel */
      if (m) m->pending &= (unsigned char)~(1 << c);
    } else {
      sendlog("warning: trouble reading ", chan[c].dir, "/ or info/ for msg ", s, ": ", error_str(errno));
      if (m) schedule(c, id, now() + 300);
    }
    free_job(j);
    maybe_done(id);
    return 0;
  }
  j->nextjob = chan[c].jobs;
  chan[c].jobs = j;
  return j;
}

/* a job with recipients left to start, if any */
static struct job *job_with_work(int c)
{
  struct job *j;
  for (j = chan[c].jobs; j; j = j->nextjob)
    if (j->next < j->list.len) return j;
  return 0;
}

static int pull_job(int c, long long t)
{
  struct prioq_elt e;
  struct msg *m;
  while (prioq_min(&chan[c].pq, &e) && (long long)e.when <= t) {
    prioq_delmin(&chan[c].pq);
    m = msgtable_find(&msgs, e.id);
    if (!m || !(m->pending & (1 << c)) || (m->active & (1 << c))) continue;
    m->active |= (unsigned char)(1 << c);
    if (new_job(c, e.id)) return 1;
  }
  return 0;
}

static void fill_channel(int c)
{
  long long t = now();
  while (chan[c].up && chan[c].used < concurrency[c] && !flagexit) {
    struct job *j = job_with_work(c);
    long off;
    if (!j) {
      if (!pull_job(c, t)) return;
      continue;
    }
    off = next_todo(j);
    if (off >= 0) start_delivery(c, j, (size_t)off);
    else if (!j->running) job_finished(c, j);
  }
}

/* A channel without a spawner (qmail-rspawn not installed) defers. */
static void defer_unavailable(int c)
{
  struct prioq_elt e;
  long long t = now();
  while (!chan[c].up && prioq_min(&chan[c].pq, &e) && (long long)e.when <= t) {
    struct msg *m;
    char s[FMT_ULONG];
    prioq_delmin(&chan[c].pq);
    m = msgtable_find(&msgs, e.id);
    if (!m || !(m->pending & (1 << c))) continue;
    idstr(s, e.id);
    sendlog("warning: msg ", s, ": ", chan[c].name, " delivery is not installed; deferring");
    schedule(c, e.id, retry_next(m->birth, t, chan[c].skip));
  }
}

/* ---- reports ---- */

static void record_failure(struct job *j, size_t offset, const char *text, size_t len)
{
  const char *rcpt = j->list.s + offset + 1;
  if (sendbounce_record(j->id, rcpt, text, len) == -1) {
    /* not recorded: keep the recipient to do, so nothing is lost */
    j->tempfail = 1;
    return;
  }
  if (pwrite(j->fd, "D", 1, (off_t)offset) != 1) j->tempfail = 1;
}

static void handle_report(int c, unsigned long s, const char *rep, size_t len)
{
  struct slot *sl = &chan[c].slot[s];
  struct job *j = sl->job;
  struct msg *m;
  char num[FMT_ULONG], text[REPORT_MAX + 100];
  static const char toolong[] = "\nI'm not going to try again; this message has been in the queue too long.";
  size_t tl;
  if (!j || !len) die_proto(chan[c].name);
  idstr(num, sl->delid);
  m = msgtable_find(&msgs, j->id);
  tl = sendlog_report(text, sizeof text - 1, rep + 1, len - 1);
  text[tl] = 0;
  switch (rep[0]) {
    case 'K':
      sendlog("delivery ", num, ": success: ", text);
      if (pwrite(j->fd, "D", 1, (off_t)sl->offset) != 1) j->tempfail = 1;
      break;
    case 'D':
      sendlog("delivery ", num, ": failure: ", text);
      record_failure(j, sl->offset, rep + 1, len - 1);
      break;
    case 'Z':
      sendlog("delivery ", num, ": deferral: ", text);
      if (m && now() > m->birth + (long long)queuelifetime) {
        static stralloc why;
        if (!stralloc_copyb(&why, rep + 1, len - 1) || !stralloc_cats(&why, toolong)) die_nomem();
        record_failure(j, sl->offset, why.s, why.len);
      } else
        j->tempfail = 1;
      break;
    default:
      die_proto(chan[c].name);
  }
  sl->job = 0;
  --j->running;
  --chan[c].used;
  log_status();
  if (!j->running && j->next >= j->list.len) job_finished(c, j);
}

/* Reports are "<slot>\0<code><text>\0". Take all the complete ones. */
static void read_reports(int c)
{
  struct channel *ch = &chan[c];
  char buf[8192];
  ssize_t r = read(ch->fdrep, buf, sizeof buf);
  size_t pos = 0;
  if (r == 0) die_helper(c ? "qmail-rspawn" : "qmail-lspawn");
  if (r == -1) { if (errno == EINTR || errno == EAGAIN) return; die_helper(ch->name); }
  if (!stralloc_catb(&ch->in, buf, (size_t)r)) die_nomem();
  for (;;) {
    size_t a = byte_chr(ch->in.s + pos, ch->in.len - pos, 0), b;
    unsigned long s;
    if (pos + a == ch->in.len) break;
    b = byte_chr(ch->in.s + pos + a + 1, ch->in.len - pos - a - 1, 0);
    if (pos + a + 1 + b == ch->in.len) {
      if (b > REPORT_MAX) die_proto(ch->name);
      break;
    }
    if (!a || scan_ulong(ch->in.s + pos, &s) != a || s >= concurrency[c]) die_proto(ch->name);
    handle_report(c, s, ch->in.s + pos + a + 1, b);
    pos += a + 1 + b + 1;
  }
  if (ch->in.len - pos > 2 * REPORT_MAX) die_proto(ch->name);
  byte_copy(ch->in.s, ch->in.len - pos, ch->in.s + pos);
  ch->in.len -= pos;
}

/* ---- learning of messages ---- */

/* due[c]: when channel c is next tried (0: now) */
static void add_message(unsigned long id, int pending, long long birth, const long long *due)
{
  struct msg *m;
  int c;
  if (msgtable_find(&msgs, id)) return; /* already known */
  m = msgtable_add(&msgs, id);
  if (!m) die_nomem();
  m->birth = birth;
  m->pending = (unsigned char)pending;
  for (c = 0; c < CHANNELS; ++c)
    if (pending & (1 << c)) schedule(c, id, due[c]);
  if (!pending) maybe_done(id);
}

static long long mtime_of(const char *dir, unsigned long id, int *exists)
{
  static stralloc fn;
  struct stat st;
  if (!qfile_name(&fn, dir, id)) die_nomem();
  *exists = stat(fn.s, &st) == 0;
  return *exists ? (long long)st.st_mtime : 0;
}

static void notified(const char *s, size_t len)
{
  unsigned long id;
  size_t n = scan_ulong(s, &id), i;
  int pending = 0, exists;
  long long birth, due[CHANNELS] = { 0, 0 };
  if (!n || n >= len || s[n] != ':') die_proto("qmail-todo");
  for (i = n + 1; i < len; ++i) {
    if (s[i] == 'l') pending |= 1;
    else if (s[i] == 'r') pending |= 2;
    else die_proto("qmail-todo");
  }
  birth = mtime_of("info", id, &exists);
  if (!exists) birth = now();
  add_message(id, pending, birth, due);
}

static stralloc todoin;

static void read_todo(void)
{
  char buf[4096];
  ssize_t r = read(7, buf, sizeof buf);
  size_t pos = 0;
  if (r == -1 && (errno == EINTR || errno == EAGAIN)) return;
  if (r <= 0) {
    /* Wait for the running deliveries' reports before exiting: without
       their marks, every one of them would be made again after the
       restart (over and over, should qmail-todo keep dying). */
    sendlog("alert: lost connection to qmail-todo, exiting when running deliveries are done");
    todo_gone = flagexit = 1;
    return;
  }
  if (!stralloc_catb(&todoin, buf, (size_t)r)) die_nomem();
  for (;;) {
    size_t n = byte_chr(todoin.s + pos, todoin.len - pos, 0);
    if (pos + n == todoin.len) break;
    notified(todoin.s + pos, n);
    pos += n + 1;
  }
  if (todoin.len - pos > NOTIFY_MAX) die_proto("qmail-todo");
  byte_copy(todoin.s, todoin.len - pos, todoin.s + pos);
  todoin.len -= pos;
}

/* Call fn for every ID in the split directory dir (info, mess, ...).
   -1 when a subdirectory cannot be read. */
static int each_id(const char *dir, void (*fn)(unsigned long id, const char *sub))
{
  unsigned int s;
  int r = 0;
  for (s = 0; s < auto_split; ++s) {
    char dn[FMT_ULONG + 16];
    size_t n = str_copy(dn, dir);
    DIR *d;
    struct dirent *de;
    dn[n++] = '/';
    dn[n + fmt_ulong(dn + n, s)] = 0;
    d = opendir(dn);
    if (!d) { sendlog("warning: unable to scan queue/", dn, ": ", error_str(errno)); r = -1; continue; }
    while ((de = readdir(d))) {
      unsigned long id;
      size_t k = scan_ulong(de->d_name, &id);
      if (k && !de->d_name[k]) fn(id, dn);
    }
    closedir(d);
  }
  return r;
}

/* A channel list's mtime in the future is the next attempt that a
   deferral scheduled (job_finished). Any other mtime (the list was just
   written, or a delivery marked it when we were killed) means now. A clock
   that went back cannot push an attempt past the retry schedule. */
static long long due_from_mtime(int c, long long mtime, long long birth)
{
  long long t = now(), latest;
  if (mtime <= t) return 0;
  latest = retry_next(birth, t, chan[c].skip);
  return mtime < latest ? mtime : latest;
}

/* Every message with info/ and no todo/ (those come through qmail-todo)
   that we do not know yet. At start that is the whole queue; later it is
   a message whose notice was lost with a killed predecessor (qmail-todo
   removes todo/ID before it tells us). */
static void found_info(unsigned long id, const char *sub)
{
  int e, c, pending = 0;
  long long birth, due[CHANNELS];
  if (msgtable_find(&msgs, id)) return;
  mtime_of("todo", id, &e);
  if (e) return;
  birth = mtime_of("info", id, &e);
  if (!e) return;
  for (c = 0; c < CHANNELS; ++c) {
    long long t = mtime_of(chan[c].dir, id, &e);
    due[c] = e ? due_from_mtime(c, t, birth) : 0;
    if (e) pending |= 1 << c;
  }
  add_message(id, pending, birth, due);
}

static void scan_queue(int starting)
{
  if (each_id("info", found_info) == -1 && starting) {
    sendlog("alert: unable to scan queue/info, exiting");
    _exit(111);
  }
}

/* Crash leftovers: a mess/ file whose injection is over (its flock is
   free) with neither todo/ nor info/ is garbage. The order of the checks
   matters: todo/ID goes away only after info/S/ID exists. */
static void found_mess(unsigned long id, const char *sub)
{
  static stralloc fn;
  char ids[FMT_ULONG];
  int fd, e;
  if (msgtable_find(&msgs, id)) return;
  if (!qfile_name(&fn, "mess", id)) die_nomem();
  fd = open(fn.s, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd == -1) return;
  e = flock(fd, LOCK_SH | LOCK_NB);
  close(fd);
  if (e == -1) return; /* qmail-queue is still writing it */
  mtime_of("todo", id, &e);
  if (e) return;
  mtime_of("info", id, &e);
  if (e) return;
  idstr(ids, id);
  sendlog("warning: removing leftover of an interrupted injection: ", sub, "/", ids);
  clean('m', id);
}

static void scan_stale(void)
{
  clean('s', 0);
  each_id("mess", found_mess);
}

/* ---- signals and the loop ---- */

static void flush_all(void)
{
  size_t i;
  int c;
  for (c = 0; c < CHANNELS; ++c)
    for (i = 0; i < chan[c].pq.len; ++i) chan[c].pq.e[i].when = 0; /* all equal: still a heap */
  for (i = 0; i < bounceq.len; ++i) bounceq.e[i].when = 0;
}

static void handle_signals(void)
{
  int sig;
  while ((sig = selfpipe_next())) {
    if (sig == SIGALRM) {
      sendlog("status: flushing the queue on request");
      flush_all();
      /* and todo/: what qmail-todo could not prepare (a full disk, say)
         would otherwise wait for the next injection or its next look */
      if (!todo_gone && fd_writeall(8, "A", 1) == -1) die_helper("qmail-todo");
    }
    else if (sig == SIGHUP) {
      sendlog("status: rereading control files");
      read_controls(0);
      if (!todo_gone && fd_writeall(8, "H", 1) == -1) die_helper("qmail-todo");
    } else if (sig == SIGTERM) {
      sendlog("status: exiting when running deliveries are done");
      flagexit = 1;
    }
  }
}

static void retry_bounces(void)
{
  struct prioq_elt e;
  long long t = now();
  while (prioq_min(&bounceq, &e) && (long long)e.when <= t) {
    prioq_delmin(&bounceq);
    maybe_done(e.id);
  }
}

/* milliseconds until something is due, at most a minute */
static int next_wakeup(void)
{
  long long t = now(), soonest = t + 60;
  struct prioq_elt e;
  int c;
  for (c = 0; c < CHANNELS; ++c)
    if (prioq_min(&chan[c].pq, &e) && (long long)e.when < soonest &&
        (chan[c].used < concurrency[c] || !chan[c].up)) soonest = (long long)e.when;
  if (prioq_min(&bounceq, &e) && (long long)e.when < soonest) soonest = (long long)e.when;
  if (soonest <= t) return 0;
  return (int)(soonest - t) * 1000;
}

static void setup_channels(void)
{
  struct stat st;
  int c;
  for (c = 0; c < CHANNELS; ++c) {
    chan[c].slot = calloc(concurrency[c], sizeof *chan[c].slot);
    if (!chan[c].slot) die_nomem();
    if (fstat(chan[c].fdrep, &st) == -1 || !S_ISFIFO(st.st_mode)) chan[c].up = 0;
    fd_nonblock(chan[c].fdrep);
  }
  fd_nonblock(7);
}

/* Read-only: flock needs no more, and a descriptor open for writing
   would keep the queue's file system from being remounted read-only
   (for a backup, say) while we run. */
static void lock_queue(void)
{
  int fd = open("lock/sendmutex", O_RDONLY | O_CLOEXEC);
  if (fd == -1) fatal(111, "unable to open queue/lock/sendmutex: ", error_str(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) == -1) die_lock();
}

int main(void)
{
  int sigfd;
  long long laststale;
  die_program("qmail-send");
  if (chdir(auto_qmail) == -1) die_home();
  read_controls(1);
  if (chdir("queue") == -1) die_home();
  lock_queue();
  sig_ignore(SIGPIPE);
  sigfd = selfpipe_init();
  if (sigfd == -1) fatal(111, "unable to create self-pipe: ", error_str(errno));
  selfpipe_trap(SIGALRM);
  selfpipe_trap(SIGHUP);
  selfpipe_trap(SIGTERM);
  sig_unblock(SIGHUP); sig_unblock(SIGALRM); sig_unblock(SIGTERM); /* qmail-start blocked them */
  setup_channels();
  scan_queue(1);
  scan_stale();
  laststale = now();
  log_status();
  for (;;) {
    struct pollfd p[4];
    int c;
    handle_signals();
    retry_bounces();
    for (c = 0; c < CHANNELS; ++c) { fill_channel(c); defer_unavailable(c); }
    if (flagexit && !chan[0].used && !chan[1].used) break;
    if (now() - laststale >= STALE_SCAN_SECONDS) { scan_queue(0); scan_stale(); laststale = now(); }
    p[0].fd = sigfd; p[0].events = POLLIN;
    p[1].fd = todo_gone ? -1 : 7; p[1].events = POLLIN;
    p[2].fd = chan[0].up ? chan[0].fdrep : -1; p[2].events = POLLIN;
    p[3].fd = chan[1].up ? chan[1].fdrep : -1; p[3].events = POLLIN;
    if (poll(p, 4, next_wakeup()) == -1 && errno != EINTR) fatal(111, "poll: ", error_str(errno));
    if (p[1].revents) read_todo();
    if (p[2].revents) read_reports(0);
    if (p[3].revents) read_reports(1);
  }
  sendlog("status: exiting");
  return todo_gone ? 111 : 0;
}
