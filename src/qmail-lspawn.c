/* qmail-lspawn: runs local deliveries for qmail-send. Usage:
     qmail-lspawn defaultdelivery
   Requests on fd 0, replies on fd 1 (spawner.h, qmail-lspawn(8)). For each
   request a child finds the user (users/cdb, else qmail-getpw run as
   qmailp), becomes that user and runs qmail-local with the message on
   fd 0. Everything it reads comes from qmail-send and from files root
   owns; nothing from the network. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "byte.h"
#include "cdb.h"
#include "die.h"
#include "error_temp.h"
#include "fdmove.h"
#include "fmt.h"
#include "privdrop.h"
#include "qfile.h"
#include "sig.h"
#include "spawner.h"
#include "str.h"
#include "stralloc.h"
#include "usersassign.h"
#include "waitchild.h"

#define LOOKUP_SECONDS 300 /* users/cdb plus qmail-getpw, at most */

/* ---- failures of the parent ---- */
static void die_usage(void) { fatal(111, "usage: qmail-lspawn defaultdelivery"); }
static void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static void die_user(const char *u) { fatal(111, "unknown user or group ", u); }
static void die_nomem(void) { fatal(111, "out of memory"); }

/* ---- failures of a delivery: the text goes into the report ---- */
static void say_exit_(int code, ...) __attribute__((noreturn, sentinel));
#define say_exit(code, ...) say_exit_((code), __VA_ARGS__, (const char *)0)
static void say_exit_(int code, ...)
{
  char space[1024];
  buffer b = BUFFER_INIT(bufwrite, 1, space, sizeof space);
  const char *s;
  va_list ap;
  va_start(ap, code);
  while ((s = va_arg(ap, const char *))) buffer_puts(&b, s);
  va_end(ap);
  buffer_flush(&b);
  _exit(code);
}
static void temp_nomem(void) { say_exit(111, "Out of memory in qmail-lspawn. (#4.3.0)\n"); }
static void temp_mess(void) { say_exit(111, "Unable to open the message: ", error_str(errno), ". (#4.3.0)\n"); }
static void temp_messowner(void) { say_exit(111, "The message file has the wrong owner or type. (#4.3.5)\n"); }
static void perm_nohost(void) { say_exit(100, "Sorry, address must include host name. (#5.1.3)\n"); }
static void perm_nomailbox(void) { say_exit(100, "Sorry, no mailbox here by that name. (#5.1.1)\n"); }
static void temp_cdb(void) { say_exit(111, "Trouble reading users/cdb in qmail-lspawn: ", error_str(errno), ". (#4.3.0)\n"); }
static void temp_answer(void) { say_exit(111, "Malformed user record from users/cdb or qmail-getpw. (#4.3.5)\n"); }
static void temp_getpw(const char *why) { say_exit(111, "Unable to look the user up: ", why, ". (#4.3.0)\n"); }
static void temp_root(void) { say_exit(111, "Not allowed to perform deliveries as root. (#4.3.0)\n"); }
static void temp_home(const char *h) { say_exit(111, "Unable to switch to ", h, ": ", error_str(errno), ". (#4.3.0)\n"); }
static void temp_become(const struct users_answer *a)
{
  char u[FMT_ULONG], g[FMT_ULONG];
  u[fmt_ulong(u, a->uid)] = 0;
  g[fmt_ulong(g, a->gid)] = 0;
  say_exit(111, "Unable to switch to uid ", u, " gid ", g, ": ", error_str(errno), ". (#4.3.0)\n");
}
static void exec_failed(void)
{
  say_exit(error_temp(errno) ? 111 : 100, "Unable to run qmail-local: ", error_str(errno), ". (#4.3.0)\n");
}
static void on_alarm(int sig)
{
  static const char m[] = "Timeout looking the user up. (#4.3.0)\n";
  if (write(1, m, sizeof m - 1) == -1) { /* exiting anyway */ }
  _exit(111);
}

/* ---- set up once, before any fork ---- */
static const char *defaultdelivery;
static uid_t qmailq_uid;         /* owner of every message file */
static uid_t getpw_uid;          /* qmailp, */
static gid_t getpw_gid;          /* group nofiles */
static stralloc localbin, getpwbin;

/* In a sandbox one user plays every role and the password database is
   not used at all. */
static void roles(void)
{
  if (auto_sandbox) {
    qmailq_uid = getpw_uid = getuid();
    getpw_gid = getgid();
    return;
  }
  if (priv_user(auto_userq, &qmailq_uid, 0) == -1) die_user(auto_userq);
  if (priv_user(auto_userp, &getpw_uid, 0) == -1) die_user(auto_userp);
  if (priv_group(auto_groupn, &getpw_gid) == -1) die_user(auto_groupn);
}

static void paths(void)
{
  if (!stralloc_copys(&localbin, auto_qmail) || !stralloc_cats(&localbin, "/bin/qmail-local") ||
      !stralloc_0(&localbin))
    die_nomem();
  if (!stralloc_copys(&getpwbin, auto_qmail) || !stralloc_cats(&getpwbin, "/bin/qmail-getpw") ||
      !stralloc_0(&getpwbin))
    die_nomem();
}

/* ---- in the child ---- */

/* queue/mess/S/ID becomes fd 0 (the lowest free descriptor). */
static void open_message(unsigned long id)
{
  static stralloc rel, fn;
  struct stat st;
  int fd;
  /* qfile_name is relative to queue/ and NUL-terminates */
  if (!qfile_name(&rel, "mess", id) || !stralloc_copys(&fn, "queue/") ||
      !stralloc_cat(&fn, &rel))
    temp_nomem();
  fd = open(fn.s, O_RDONLY);
  if (fd == -1) temp_mess();
  if (fstat(fd, &st) == -1) temp_mess();
  /* qmailq has to be trusted; anything else is damage to contain */
  if (!S_ISREG(st.st_mode) || st.st_uid != qmailq_uid) temp_messowner();
  if (fd_move(0, fd) == -1) temp_mess();
}

/* 1 found in users/cdb (answer in ans), 0 not there or no users/cdb. */
static int from_cdb(const char *local, size_t len, stralloc *ans)
{
  struct cdb c;
  int fd = open("users/cdb", O_RDONLY | O_CLOEXEC), r;
  if (fd == -1) {
    if (errno == ENOENT) return 0;
    temp_cdb();
  }
  cdb_init(&c, fd);
  r = users_cdb_find(&c, local, len, ans);
  if (r == -2) temp_nomem();
  if (r == -1) temp_cdb();
  cdb_free(&c);
  close(fd);
  return r;
}

/* Until the exec, fd 1 and 2 are the report pipe, so failures land in
   the report; only qmail-getpw itself writes its answer on fd 1. */
static void getpw_child(int wr, const char *local)
{
  char *args[3];
  close(0);
  if (priv_become(getpw_uid, getpw_gid) == -1) temp_getpw("cannot become the qmailp user");
  if (fd_copy(1, wr) == -1) temp_getpw("cannot set up descriptors");
  args[0] = getpwbin.s;
  args[1] = (char *)local;
  args[2] = 0;
  execv(args[0], args);
  if (fd_copy(1, 2) == -1) _exit(111);
  temp_getpw("cannot run qmail-getpw");
}

/* Read qmail-getpw's answer, at most USERS_ANSWER_MAX bytes worth. */
static int slurp(int fd, stralloc *ans)
{
  char buf[4096];
  int over = 0;
  ans->len = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) break;
    if (over || ans->len + (size_t)r > USERS_ANSWER_MAX) { over = 1; continue; }
    if (!stralloc_catb(ans, buf, (size_t)r)) temp_nomem();
  }
  close(fd);
  return over ? -1 : 0;
}

static void from_getpw(const char *local, stralloc *ans)
{
  int p[2], wstat, over;
  pid_t pid;
  if (pipe2(p, O_CLOEXEC) == -1) temp_getpw("cannot create a pipe");
  pid = fork();
  if (pid == -1) temp_getpw("cannot fork");
  if (pid == 0) getpw_child(p[1], local);
  close(p[1]);
  over = slurp(p[0], ans);
  if (wait_pid(pid, &wstat) == -1) temp_getpw("lost qmail-getpw");
  if (wait_crashed(wstat)) temp_getpw("qmail-getpw crashed");
  if (wait_exitcode(wstat) == 100) perm_nomailbox();
  if (wait_exitcode(wstat) != 0) temp_getpw("qmail-getpw had trouble");
  if (over) temp_answer();
}

static void find_user(const char *local, size_t len, stralloc *ans, struct users_answer *a)
{
  sig_catch(SIGALRM, on_alarm);
  alarm(LOOKUP_SECONDS);
  if (!from_cdb(local, len, ans)) from_getpw(local, ans);
  alarm(0);
  sig_default(SIGALRM);
  if (!users_answer_parse(a, ans->s, ans->len)) temp_answer();
}

static void run_local(const struct users_answer *a, const char *local,
                      const char *domain, const char *sender)
{
  char *args[11];
  if (a->uid == 0) temp_root();
  if (priv_become((uid_t)a->uid, (gid_t)a->gid) == -1) temp_become(a);
  if (getuid() == 0) temp_root();
  if (chdir(a->home) == -1) temp_home(a->home);
  args[0] = localbin.s;
  args[1] = (char *)"--";
  args[2] = (char *)a->user;
  args[3] = (char *)a->home;
  args[4] = (char *)local;
  args[5] = (char *)a->dash;
  args[6] = (char *)a->ext;
  args[7] = (char *)domain;
  args[8] = (char *)sender;
  args[9] = (char *)defaultdelivery;
  args[10] = 0;
  execv(args[0], args);
  exec_failed();
}

static void deliver(const struct spawn_request *r, void *ctx)
{
  static stralloc local, ans;
  struct users_answer a;
  size_t len = str_len(r->rcpt);
  size_t at = byte_rchr(r->rcpt, len, '@');
  if (at == len) perm_nohost();
  if (!at) _exit(0); /* "@host": nobody; qmail discards such mail */
  if (!stralloc_copyb(&local, r->rcpt, at) || !stralloc_0(&local)) temp_nomem();
  open_message(r->id);
  find_user(local.s, at, &ans, &a);
  run_local(&a, local.s, r->rcpt + at + 1, r->sender);
}

static int report(stralloc *out, const char *delnum, int wstat,
                  const struct spawn_output *o, void *ctx)
{
  return spawn_report_exit(out, delnum, wstat, o, "qmail-local");
}

int main(int argc, char **argv)
{
  struct spawn_ops ops = { deliver, report, 0 };
  die_program("qmail-lspawn");
  if (argc < 2 || !argv[1][0]) die_usage();
  defaultdelivery = argv[1];
  if (chdir(auto_qmail) == -1) die_home();
  roles();
  paths();
  spawn_run(&ops);
  return 0;
}
