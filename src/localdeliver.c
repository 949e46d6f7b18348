/* The core of qmail-local. Report texts follow qmail's: a sentence, then
   the enhanced status code, e.g. "Sorry, no mailbox here by that name.
   (#5.1.1)". Failures go to fd 2, the summary "did F+W+P" to fd 1. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "buffer.h"
#include "bufwrite.h"
#include "byte.h"
#include "fmt.h"
#include "str.h"
#include "stralloc.h"
#include "die.h"
#include "dotqmail.h"
#include "fdmove.h"
#include "maildir.h"
#include "mbox.h"
#include "qmailcmd.h"
#include "queueclient.h"
#include "sig.h"
#include "waitchild.h"
#include "localdeliver.h"

extern char **environ;

#define NORETURN __attribute__((noreturn))
#define MSGFD 0
#define PATTERN_WRITABLE 002 /* qmail's conf-patrn: world-writable */
#define CHUNK 65536

static char outspace[1024];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

static void warn_sticky(void)
{
  char space[64];
  buffer b = BUFFER_INIT(bufwrite, 2, space, sizeof space);
  buffer_putsflush(&b, "Warning: home directory is sticky.\n");
}

static void fail_(int code, ...) __attribute__((noreturn, sentinel));
#define fail(code, ...) fail_((code), __VA_ARGS__, (const char *)0)
static void fail_(int code, ...)
{
  char space[512];
  buffer b = BUFFER_INIT(bufwrite, 2, space, sizeof space);
  const char *s;
  va_list ap;
  buffer_flush(&out);
  va_start(ap, code);
  while ((s = va_arg(ap, const char *))) buffer_puts(&b, s);
  va_end(ap);
  buffer_puts(&b, "\n");
  buffer_flush(&b);
  _exit(code);
}

static const char *err(void) { return error_str(errno); }

static NORETURN void temp_nomem(void) { fail(111, "Out of memory. (#4.3.0)"); }
static NORETURN void temp_rewind(void) { fail(111, "Unable to rewind message: ", err(), ". (#4.3.0)"); }
static NORETURN void temp_read(void) { fail(111, "Unable to read message: ", err(), ". (#4.3.0)"); }
static NORETURN void temp_home(const char *h) { fail(111, "Unable to switch to ", h, ": ", err(), ". (#4.3.0)"); }
static NORETURN void temp_homestat(void) { fail(111, "Unable to stat home directory: ", err(), ". (#4.3.0)"); }
static NORETURN void temp_homewritable(void) { fail(111, "Uh-oh: home directory is writable. (#4.7.0)"); }
static NORETURN void temp_sticky(void) { fail(111, "Home directory is sticky: the user is editing a .qmail file. (#4.2.1)"); }
static NORETURN void temp_qmail(const char *fn) { fail(111, "Unable to open ", fn, ": ", err(), ". (#4.2.1)"); }
static NORETURN void temp_qmailwritable(const char *fn) { fail(111, "Uh-oh: ", fn, " is world-writable. (#4.7.0)"); }
static NORETURN void temp_qmailbig(const char *fn) { fail(111, "Unable to read ", fn, ": ", err(), ". (#4.2.1)"); }
static NORETURN void temp_blankline(void) { fail(111, "Uh-oh: first line of .qmail file is blank. (#4.2.1)"); }
static NORETURN void temp_xfile(void) { fail(111, "Uh-oh: .qmail has file delivery but has x bit set. (#4.7.0)"); }
static NORETURN void temp_xprog(void) { fail(111, "Uh-oh: .qmail has prog delivery but has x bit set. (#4.7.0)"); }
static NORETURN void temp_spawn(void) { fail(111, "Unable to run /bin/sh: ", err(), ". (#4.3.0)"); }
static NORETURN void temp_crashed(void) { fail(111, "Aack, child crashed. (#4.3.0)"); }
static NORETURN void temp_toolong(void) { fail(111, "Argument too long. (#4.3.0)"); }
static NORETURN void perm_toolong(void) { fail(100, "Address too long. (#5.1.3)"); }
static NORETURN void perm_loop(void) { fail(100, "This message is looping: it already has my Delivered-To line. (#5.4.6)"); }
static NORETURN void perm_nomailbox(void) { fail(100, "Sorry, no mailbox here by that name. (#5.1.1)"); }

/* ---- loop detection ---- */

enum { DT_START, DT_MATCH, DT_SKIP };

void dtscan_init(struct dtscan *s, const char *dtline, size_t len)
{
  s->dt = dtline;
  s->dtlen = len;
  s->pos = 0;
  s->state = DT_START;
}

int dtscan_feed(struct dtscan *s, const char *buf, size_t len)
{
  size_t i = 0;
  while (i < len) {
    char c = buf[i];
    if (s->state == DT_SKIP) {
      size_t n = byte_chr(buf + i, len - i, '\n');
      if (n == len - i) return 0;
      i += n + 1;
      s->state = DT_START;
      continue;
    }
    if (s->state == DT_START) {
      if (c == '\n') return -1; /* empty line: end of header */
      s->state = DT_MATCH;
      s->pos = 0;
    }
    if (s->pos < s->dtlen && c == s->dt[s->pos]) {
      if (++s->pos == s->dtlen) return 1; /* dtline ends in \n: whole line */
      ++i;
      continue;
    }
    s->state = DT_SKIP; /* this byte again: it may be the newline */
  }
  return 0;
}

static char msgbuf[CHUNK];
static stralloc dtline, rpline, ufline, head, safeext, fn, cmds, newsender, vars;
static const struct ld_args *arg;
static const char *defaultpart; /* $DEFAULT or 0 */
static char **envp;
static unsigned long count_file, count_forward, count_program;

static void rewind_message(void)
{
  if (lseek(MSGFD, 0, SEEK_SET) == -1) temp_rewind();
}

static void loopcheck(void)
{
  struct dtscan s;
  rewind_message();
  dtscan_init(&s, dtline.s, dtline.len);
  for (;;) {
    int r;
    ssize_t n = read(MSGFD, msgbuf, sizeof msgbuf);
    if (n == -1) { if (errno == EINTR) continue; temp_read(); }
    if (!n) return;
    r = dtscan_feed(&s, msgbuf, (size_t)n);
    if (r == 1) perm_loop();
    if (r == -1) return;
  }
}

/* A world-writable home: its .qmail files cannot be trusted. The sticky
   bit on home: the user is editing .qmail files (qmail's convention). */
static void checkhome(void)
{
  struct stat st;
  if (stat(".", &st) == -1) temp_homestat();
  if (st.st_mode & PATTERN_WRITABLE) temp_homewritable();
  if (st.st_mode & S_ISVTX) {
    if (arg->doit) temp_sticky();
    warn_sticky();
  }
}

static void checklen(const char *s, void (*die)(void))
{
  if (str_len(s) > LD_FIELD_MAX) die();
}

static void checkargs(void)
{
  checklen(arg->user, temp_toolong);
  checklen(arg->homedir, temp_toolong);
  checklen(arg->defaultdelivery, temp_toolong);
  checklen(arg->dash, temp_toolong);
  checklen(arg->local, perm_toolong);
  checklen(arg->ext, perm_toolong);
  checklen(arg->host, perm_toolong);
  checklen(arg->sender, perm_toolong);
}

static void lines(void)
{
  if (!qmailcmd_dtline(&dtline, arg->local, arg->host)) temp_nomem();
  if (!qmailcmd_rpline(&rpline, arg->sender)) temp_nomem();
  if (!mbox_fromline(&ufline, arg->sender, time(0))) temp_nomem();
}

/* Open the .qmail file for the extension; -1 when there is none. */
static int findqmail(int *executable)
{
  struct dq_search s;
  size_t pos;
  int fd = -1;
  if (!dotqmail_safeext(&safeext, arg->ext, str_len(arg->ext))) temp_nomem();
  dotqmail_search_init(&s, arg->dash, safeext.s, safeext.len);
  switch (dotqmail_find(&s, &fn, &fd, executable, &pos)) {
    case DQ_FOUND: break;
    case DQ_NONE: return -1;
    case DQ_WRITABLE: temp_qmailwritable(fn.s);
    case DQ_NOMEM: temp_nomem();
    default: temp_qmail(fn.s);
  }
  if (pos != (size_t)-1 && pos <= str_len(arg->ext)) defaultpart = arg->ext + pos;
  return fd;
}

static int ownerfile(const char *suffix)
{
  int r = dotqmail_exists(&fn, arg->dash, safeext.s, safeext.len, suffix);
  if (r == -1) { if (errno == ENOMEM) temp_nomem(); temp_qmail(fn.s); }
  return r;
}

static void setnewsender(void)
{
  int owner = 0, ownerdefault = 0;
  const char *s = arg->sender;
  if (*s && !str_equal(s, "#@[]")) {
    owner = ownerfile("-owner");
    if (owner) ownerdefault = ownerfile("-owner-default");
  }
  if (!dotqmail_newsender(&newsender, s, arg->local, arg->host, owner, ownerdefault)) temp_nomem();
}

static void readqmail(int fd, int *executable)
{
  cmds.len = 0;
  if (fd != -1 && dotqmail_read(fd, &cmds) == -1) {
    if (errno == ENOMEM) temp_nomem();
    temp_qmailbig(fn.s);
  }
  if (!cmds.len) {
    /* missing (for the bare user) or empty: the default delivery */
    if (!stralloc_copys(&cmds, arg->defaultdelivery)) temp_nomem();
    *executable = 0;
  }
  if (!cmds.len || cmds.s[cmds.len - 1] != '\n')
    if (!stralloc_append(&cmds, "\n")) temp_nomem();
}

static void say(const char *what, const char *s, size_t len)
{
  buffer_puts(&out, what);
  buffer_put(&out, s, len);
  buffer_putsflush(&out, "\n");
}

/* ---- the deliveries ---- */

static void mailbox_head(int withfrom)
{
  if (!stralloc_copys(&head, "")) temp_nomem();
  if (withfrom && !stralloc_cat(&head, &ufline)) temp_nomem();
  if (!stralloc_cat(&head, &rpline) || !stralloc_cat(&head, &dtline)) temp_nomem();
}

static void deliver_mbox(const char *path)
{
  int r;
  mailbox_head(1);
  r = mbox_deliver(path, MSGFD, head.s, head.len, LD_LOCK_TIMEOUT);
  switch (r) {
    case MBOX_OK: return;
    case MBOX_EOPEN: fail(111, "Unable to open ", path, ": ", err(), ". (#4.2.1)");
    case MBOX_ELOCK: fail(111, "Unable to lock ", path, ": ", err(), ". (#4.2.1)");
    case MBOX_ETIMEOUT: fail(111, "Timed out waiting for the lock on ", path, ". (#4.2.1)");
    case MBOX_EREAD: temp_read();
    case MBOX_ENOMEM: temp_nomem();
    default: fail(111, "Unable to write ", path, ": ", err(), ". (#4.3.0)");
  }
}

static void deliver_maildir(const char *path)
{
  int r;
  mailbox_head(0);
  r = maildir_deliver(path, MSGFD, head.s, head.len);
  switch (r) {
    case MAILDIR_OK: return;
    case MAILDIR_EDIR: fail(111, "Unable to open maildir ", path, ": ", err(), ". (#4.2.1)");
    case MAILDIR_ECREATE: fail(111, "Unable to create a file in ", path, "tmp: ", err(), ". (#4.2.1)");
    case MAILDIR_ELINK: fail(111, "Unable to link into ", path, "new: ", err(), ". (#4.3.0)");
    case MAILDIR_ESYNC: fail(111, "Unable to sync ", path, "new: ", err(), ". (#4.3.0)");
    case MAILDIR_EREAD: temp_read();
    case MAILDIR_ENOMEM: temp_nomem();
    default: fail(111, "Unable to write to maildir ", path, ": ", err(), ". (#4.3.0)");
  }
}

static void buildenv(void)
{
  struct qc_vars v;
  if (envp) return;
  v.user = arg->user; v.home = arg->homedir; v.local = arg->local;
  v.host = arg->host; v.ext = arg->ext; v.sender = arg->sender;
  v.newsender = newsender.s; v.defaultpart = defaultpart;
  v.dtline = dtline.s; v.rpline = rpline.s; v.ufline = ufline.s;
  if (!qmailcmd_vars(&vars, &v)) temp_nomem();
  envp = qmailcmd_envp(&vars, environ);
  if (!envp) temp_nomem();
}

/* 1 when the program asked (exit 99) to skip the rest of the file */
static int deliver_program(const char *cmd)
{
  pid_t pid;
  int wstat;
  buildenv();
  rewind_message();
  buffer_flush(&out);
  pid = qmailcmd_spawn(cmd, envp);
  if (pid == -1) temp_spawn();
  if (wait_pid(pid, &wstat) == -1) temp_spawn();
  switch (qmailcmd_status(wstat)) {
    case QC_OK: return 0;
    case QC_STOP: return 1;
    case QC_PERM: _exit(100); /* the program's own output is the report */
    case QC_CRASH: temp_crashed();
    default: _exit(111);
  }
}

/* ---- forwards: one qmail-queue run for all addresses of the file ---- */
static unsigned long forward_qp; /* qmail-queue's pid, for the report */

static void forward(const char **to, size_t n)
{
  struct qqueue q;
  size_t i;
  int code;
  rewind_message();
  if (qq_open(&q) == -1) fail(111, "Unable to run qmail-queue: ", err(), ". (#4.3.0)");
  forward_qp = (unsigned long)q.pid;
  qq_put(&q, dtline.s, dtline.len);
  for (;;) {
    ssize_t r = read(MSGFD, msgbuf, sizeof msgbuf);
    if (r == -1) {
      if (errno == EINTR) continue;
      code = errno;
      qq_close(&q); /* no envelope: qmail-queue queues nothing */
      errno = code;
      temp_read();
    }
    if (!r) break;
    qq_put(&q, msgbuf, (size_t)r);
  }
  qq_from(&q, newsender.s);
  for (i = 0; i < n; ++i) qq_to(&q, to[i]);
  code = qq_close(&q);
  if (!code) return;
  fail(qq_permanent(code) ? 100 : 111, "Unable to forward message: ", qq_errtext(code), ".");
}

static void forward_report(buffer *b)
{
  char num[FMT_ULONG];
  if (!forward_qp) return;
  buffer_puts(b, "qp ");
  buffer_put(b, num, fmt_ulong(num, forward_qp));
  buffer_puts(b, "\n");
}

/* Follow every line of cmds. Forwards are collected and sent together
   after everything else, as qmail does. */
static void follow(int forwardonly)
{
  size_t i = 0, j, nlines = 0, nfwd = 0;
  const char **fwd;
  for (j = 0; j < cmds.len; ++j) if (cmds.s[j] == '\n') ++nlines;
  fwd = calloc(nlines + 1, sizeof *fwd);
  if (!fwd) temp_nomem();
  for (j = 0; j < cmds.len; ++j) {
    struct dq_line l;
    int stop = 0;
    if (cmds.s[j] != '\n') continue;
    dotqmail_line(&l, cmds.s + i, j - i);
    cmds.s[j] = 0;
    cmds.s[l.arg - cmds.s + l.len] = 0; /* trailing blanks cut */
    switch (l.type) {
      case DQ_BLANK: if (!i) temp_blankline(); break;
      case DQ_COMMENT: break;
      case DQ_OPTION: if (str_equal(l.arg, "list")) forwardonly = 1; break;
      case DQ_MBOX: case DQ_MAILDIR:
        ++count_file;
        if (forwardonly) temp_xfile();
        if (!arg->doit) say(l.type == DQ_MBOX ? "mbox " : "maildir ", l.arg, l.len);
        else if (l.type == DQ_MBOX) deliver_mbox(l.arg);
        else deliver_maildir(l.arg);
        break;
      case DQ_PROGRAM:
        ++count_program;
        if (forwardonly) temp_xprog();
        if (!arg->doit) say("program ", l.arg, l.len);
        else stop = deliver_program(l.arg);
        break;
      case DQ_FORWARD:
        ++count_forward;
        if (!arg->doit) say("forward ", l.arg, l.len);
        else fwd[nfwd++] = l.arg;
        break;
    }
    i = j + 1;
    if (stop) break;
  }
  if (nfwd) forward(fwd, nfwd);
  free(fwd);
}

static void count(const char *sep, unsigned long n)
{
  char num[FMT_ULONG];
  buffer_puts(&out, sep);
  buffer_put(&out, num, fmt_ulong(num, n));
}

void localdeliver(const struct ld_args *a)
{
  int fd, executable = 0;
  arg = a;
  umask(077);
  sig_ignore(SIGPIPE);
  checkargs();
  if (chdir(a->homedir) == -1) temp_home(a->homedir);
  checkhome();
  lines();
  if (a->doit) loopcheck();
  fd = findqmail(&executable);
  if (fd == -1 && *a->dash) perm_nomailbox();
  setnewsender();
  readqmail(fd, &executable);
  follow(executable);
  count("did ", count_file);
  count("+", count_forward);
  count("+", count_program);
  buffer_puts(&out, "\n");
  forward_report(&out);
  buffer_flush(&out); /* unchecked: the delivery is done, a retry would repeat it */
  _exit(0);
}
