/* qmail-todo: turns newly queued messages (todo/ID) into the scheduler's
   files (info/S/ID, local/S/ID, remote/S/ID), durably, in batches, then
   tells qmail-send. Running apart from qmail-send, a burst of injections
   costs the scheduler nothing: the fsyncs happen here.

   fd 0: control from qmail-send ('H' reread controls; 'A' look at todo/
         now, which any byte makes the loop do; EOF: exit)
   fd 1: the log;  fd 3: "ID:chans\0" to qmail-send
   fd 4/5: requests to / replies from our qmail-clean */
#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include "auto.h"
#include "byte.h"
#include "control.h"
#include "die.h"
#include "fdmove.h"
#include "fmt.h"
#include "openreadclose.h"
#include "qfile.h"
#include "recipclass.h"
#include "scan.h"
#include "sendlog.h"
#include "sig.h"
#include "str.h"
#include "stralloc.h"
#include "syncdir.h"
#include "todoenv.h"

#define BATCH_MAX 256          /* messages committed per directory fsync */
#define ENVELOPE_MAXBYTES (64UL * 1024 * 1024)
#define RESCAN_SECONDS 60      /* look at todo/ even without a trigger */

static void die_nomem(void) { fatal(111, "out of memory"); }
static void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static void die_trigger(void) { fatal(111, "unable to open queue/lock/trigger: ", error_str(errno)); }
static void die_send(void) { fatal(111, "lost connection to qmail-send"); }
static void die_clean(void) { fatal(111, "lost connection to qmail-clean"); }

static struct recipclass rc;
static stralloc ctl_locals, ctl_vdoms, ctl_percent, ctl_envnoathost;

static int read_controls(void)
{
  struct recipclass fresh;
  static stralloc l, v, p, e;
  if (control_readfile(&l, "control/locals", 1) == -1) return -1;
  if (control_readfile(&v, "control/virtualdomains", 0) == -1) return -1;
  if (control_readfile(&p, "control/percenthack", 0) == -1) return -1;
  if (control_rldef(&e, "control/envnoathost", 1, "envnoathost") == -1) return -1;
  if (!constmap_init(&fresh.locals, l.s, l.len, 0)) return -1;
  if (!constmap_init(&fresh.vdoms, v.s, v.len, ':')) { constmap_free(&fresh.locals); return -1; }
  if (!constmap_init(&fresh.percenthack, p.s, p.len, 0)) {
    constmap_free(&fresh.locals); constmap_free(&fresh.vdoms); return -1;
  }
  /* the maps point into the strallocs: swap both together */
  if (rc.locals.e) { constmap_free(&rc.locals); constmap_free(&rc.vdoms); constmap_free(&rc.percenthack); }
  { stralloc t; t = ctl_locals; ctl_locals = l; l = t; }
  { stralloc t; t = ctl_vdoms; ctl_vdoms = v; v = t; }
  { stralloc t; t = ctl_percent; ctl_percent = p; p = t; }
  { stralloc t; t = ctl_envnoathost; ctl_envnoathost = e; e = t; }
  rc = fresh;
  rc.envnoathost = ctl_envnoathost.s;
  return 0;
}

/* ---- one message ---- */

struct pending { unsigned long id; int local, remote; };
static struct pending batch[BATCH_MAX];
static size_t batchlen;
static unsigned char *dirty; /* 3 * auto_split flags: info, local, remote */

static void mark_dirty(int kind, unsigned long id) { dirty[kind * auto_split + id % auto_split] = 1; }

static int write_file(const char *fn, const char *s, size_t len, const struct timespec *mtime)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd == -1) return -1;
  if (fd_writeall(fd, s, len) == -1) goto fail;
  if (mtime) {
    struct timespec ts[2] = { *mtime, *mtime };
    if (futimens(fd, ts) == -1) goto fail;
  }
  if (fsync(fd) == -1) goto fail;
  return close(fd);
fail:
  { int e = errno; close(fd); errno = e; }
  return -1;
}

static void complain(const char *what, const char *fn)
{
  sendlog("warning: trouble ", what, " ", fn, ": ", error_str(errno));
}

/* write (or, when empty, remove) one channel file */
static int put_channel(const char *dir, int kind, unsigned long id, const stralloc *list)
{
  static stralloc fn;
  if (!qfile_name(&fn, dir, id)) die_nomem();
  if (!list->len) {
    if (unlink(fn.s) == -1 && errno != ENOENT) { complain("removing", fn.s); return -1; }
    return 0;
  }
  if (write_file(fn.s, list->s, list->len, 0) == -1) { complain("writing", fn.s); return -1; }
  mark_dirty(kind, id);
  return 0;
}

static void log_new(unsigned long id, const struct todoenv *e, unsigned long bytes)
{
  char idstr[FMT_ULONG], b[FMT_ULONG], qp[FMT_ULONG], uid[FMT_ULONG];
  char sender[1024];
  size_t n = sendlog_safe(sender, sizeof sender - 1, e->sender, e->senderlen);
  sender[n] = 0;
  idstr[fmt_ulong(idstr, id)] = 0;
  b[fmt_ulong(b, bytes)] = 0;
  qp[fmt_ulong(qp, e->pid)] = 0;
  uid[fmt_ulong(uid, e->uid)] = 0;
  sendlog("new msg ", idstr);
  sendlog("info msg ", idstr, ": bytes ", b, " from <", sender, "> qp ", qp, " uid ", uid);
}

/* 0: written (added to the batch), -1: left in todo/ for later */
static int preprocess(unsigned long id)
{
  static stralloc fn, env, info, local, remote, rewritten;
  struct todoenv e;
  struct stat st, mst;
  size_t pos = 0;
  const char *a;
  size_t alen;

  if (!qfile_name(&fn, "todo", id)) die_nomem();
  stralloc_zero(&env);
  switch (openreadclose(fn.s, &env, 4096)) {
    case 0: return -1; /* gone meanwhile: nothing to do */
    case -1: complain("reading", fn.s); return -1;
  }
  if (stat(fn.s, &st) == -1) { complain("reading", fn.s); return -1; }
  if (env.len > ENVELOPE_MAXBYTES || !todoenv_parse(&e, env.s, env.len)) {
    sendlog("warning: trouble parsing ", fn.s, ": not a valid envelope, left in place");
    return -1;
  }
  if (!qfile_name(&fn, "mess", id)) die_nomem();
  if (stat(fn.s, &mst) == -1) { complain("opening", fn.s); return -1; }

  stralloc_zero(&local);
  stralloc_zero(&remote);
  while (todoenv_next(&e, &pos, &a, &alen)) {
    int kind = recipclass(&rc, a, alen, &rewritten);
    stralloc *list = kind == RECIP_LOCAL ? &local : &remote;
    if (!kind) die_nomem();
    if (!stralloc_append(list, "T") || !stralloc_cat(list, &rewritten)) die_nomem();
  }
  if (!stralloc_copys(&info, "F") || !stralloc_catb(&info, e.sender, e.senderlen) ||
      !stralloc_0(&info)) die_nomem();

  if (!qfile_name(&fn, "info", id)) die_nomem();
  if (write_file(fn.s, info.s, info.len, &st.st_mtim) == -1) { complain("writing", fn.s); return -1; }
  mark_dirty(0, id);
  if (put_channel("local", 1, id, &local) == -1) return -1;
  if (put_channel("remote", 2, id, &remote) == -1) return -1;

  log_new(id, &e, (unsigned long)mst.st_size);
  batch[batchlen].id = id;
  batch[batchlen].local = local.len > 0;
  batch[batchlen].remote = remote.len > 0;
  ++batchlen;
  return 0;
}

/* ---- committing a batch ---- */

static int sync_dirty(void)
{
  static const char *const dirs[3] = { "info", "local", "remote" };
  char fn[64];
  unsigned int kind, s;
  int r = 0;
  for (kind = 0; kind < 3; ++kind)
    for (s = 0; s < auto_split; ++s) {
      size_t n;
      if (!dirty[kind * auto_split + s]) continue;
      dirty[kind * auto_split + s] = 0;
      n = str_copy(fn, dirs[kind]);
      fn[n++] = '/';
      fn[n + fmt_ulong(fn + n, s)] = 0;
      if (fsync_dir(fn) == -1) { complain("syncing", fn); r = -1; }
    }
  return r;
}

static void tell_send(const struct pending *p)
{
  char msg[FMT_ULONG + 4];
  size_t n = fmt_ulong(msg, p->id);
  msg[n++] = ':';
  if (p->local) msg[n++] = 'l';
  if (p->remote) msg[n++] = 'r';
  msg[n++] = 0;
  if (fd_writeall(3, msg, n) == -1) die_send();
}

static void clean_todo(unsigned long id)
{
  char req[FMT_ULONG + 2], reply;
  size_t n = 0;
  req[n++] = 't';
  n += fmt_ulong(req + n, id);
  req[n++] = 0;
  if (fd_writeall(4, req, n) == -1) die_clean();
  if (read(5, &reply, 1) != 1) die_clean();
  if (reply != '+') {
    char idstr[FMT_ULONG];
    idstr[fmt_ulong(idstr, id)] = 0;
    sendlog("warning: qmail-clean unable to clean up todo/", idstr);
  }
}

static void commit_batch(void)
{
  size_t i;
  if (!batchlen) return;
  if (sync_dirty() == -1) {
    /* not durable: leave todo/ in place, they will be redone */
    batchlen = 0;
    return;
  }
  /* todo/ID goes before qmail-send hears of ID. The other way round,
     qmail-send could deliver the message and have mess/ID removed, the
     inode number ID could come back as the next injection's, and our late
     clean-up would then remove that message's todo/ID: lost. A notice
     lost after the clean-up is no loss: info/ID is there, and qmail-send
     finds it when it starts and in its periodic rescan. */
  for (i = 0; i < batchlen; ++i) clean_todo(batch[i].id);
  for (i = 0; i < batchlen; ++i) tell_send(&batch[i]);
  batchlen = 0;
}

/* ---- the loop ---- */

/* Preprocess up to BATCH_MAX messages; 1 if todo/ may hold more. */
static int scan_todo(void)
{
  DIR *d = opendir("todo");
  struct dirent *de;
  int more = 0, trouble = 0;
  if (!d) { sendlog("alert: unable to scan queue/todo: ", error_str(errno)); return 0; }
  while ((de = readdir(d))) {
    unsigned long id;
    size_t n = scan_ulong(de->d_name, &id);
    if (!n || de->d_name[n]) continue;
    if (batchlen == BATCH_MAX) { more = 1; break; }
    if (preprocess(id) == -1) trouble = 1;
  }
  closedir(d);
  commit_batch();
  return more && !trouble;
}

static int read_control_channel(void)
{
  char c[64];
  ssize_t r = read(0, c, sizeof c);
  ssize_t i;
  if (r == 0) return 0;
  if (r == -1) return errno == EINTR || errno == EAGAIN ? 1 : 0;
  for (i = 0; i < r; ++i)
    if (c[i] == 'H') {
      /* controls live in the home directory; we work in queue/ */
      if (chdir(auto_qmail) == -1) die_home();
      if (read_controls() == -1)
        sendlog("alert: unable to reread controls: ", error_str(errno));
      if (chdir("queue") == -1) die_home();
    }
  return 1;
}

/* We must not outlive the qmail-send we serve (our parent: qmail-start
   exec'd it). A successor's qmail-todo redoes our todo/ files; were we
   still writing info/ID, we could rewrite a list that the new qmail-send
   has already marked, or resurrect a finished message. On Linux the kernel
   kills us with it; elsewhere we notice EOF on fd 0 at the next poll. */
static void die_with_qmail_send(void)
{
  struct pollfd p;
#ifdef __linux__
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
    sendlog("warning: prctl(PR_SET_PDEATHSIG) failed: ", error_str(errno));
#endif
  /* it may have died before the prctl */
  p.fd = 0; p.events = POLLIN;
  if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) die_send();
}

int main(void)
{
  struct pollfd pfd[2];
  int trigger;
  die_program("qmail-todo");
  die_with_qmail_send();
  sig_ignore(SIGPIPE);
  if (chdir(auto_qmail) == -1) die_home();
  if (read_controls() == -1) {
    sendlog("alert: cannot start: qmail-todo unable to read controls: ", error_str(errno));
    _exit(111);
  }
  if (chdir("queue") == -1) die_home();
  dirty = calloc(3, auto_split);
  if (!dirty) die_nomem();
  /* O_RDWR keeps a writer on the FIFO, so poll() does not spin on EOF */
  trigger = open("lock/trigger", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (trigger == -1) die_trigger();
  for (;;) {
    while (scan_todo()) {}
    pfd[0].fd = 0; pfd[0].events = POLLIN;
    pfd[1].fd = trigger; pfd[1].events = POLLIN;
    if (poll(pfd, 2, RESCAN_SECONDS * 1000) == -1 && errno != EINTR) fatal(111, "poll: ", error_str(errno));
    if (pfd[0].revents && !read_control_channel()) return 0;
    if (pfd[1].revents & POLLIN) {
      char junk[256];
      while (read(trigger, junk, sizeof junk) > 0) {}
    }
  }
}
