/* sendmail: the command line that programs expect of /usr/sbin/sendmail,
   turned into a run of qmail-inject (or qmail-qread for -bp and mailq,
   qmail-smtpd for -bs). Exit codes are sendmail's (sysexits.h), mapped
   from qmail-inject's (sendmail(8)). */
#include <errno.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "inject.h"
#include "stralloc.h"
#include "waitchild.h"

#define NORETURN __attribute__((noreturn))
#define USAGE "usage: sendmail [ -t ] [ -f sender ] [ -F name ] [ -bp ] [ -bs ] [ recipient ... ]"

static NORETURN void die_nomem(void) { fatal(EX_TEMPFAIL, "out of memory"); }
static NORETURN void die_usage(char c)
{
  char opt[2] = { c, 0 };
  if (c == 'b') fatal(EX_USAGE, "unsupported mode -b; ", USAGE);
  fatal(EX_USAGE, "unsupported option -", opt, "; ", USAGE);
}
static NORETURN void die_norecip(void)
{
  fatal(EX_USAGE, "no recipients given; name them as arguments, or use -t to take them from the header");
}
static NORETURN void die_newaliases(void)
{
  fatal(EX_UNAVAILABLE, "there is no aliases database: qmail delivers for aliases through ",
        auto_qmail, "/alias/.qmail-NAME files");
}
static NORETURN void die_nosmtpd(const char *path)
{
  fatal(EX_UNAVAILABLE, "-bs needs ", path, ", which is not installed");
}
static NORETURN void die_exec(const char *path) { fatal(EX_TEMPFAIL, "unable to run ", path, ": ", error_str(errno)); }
static NORETURN void die_fork(void) { fatal(EX_TEMPFAIL, "unable to fork: ", error_str(errno)); }
static NORETURN void die_wait(void) { fatal(EX_TEMPFAIL, "unable to wait for qmail-inject: ", error_str(errno)); }

static const char *program(const char *name)
{
  static stralloc path;
  if (!stralloc_copys(&path, auto_qmail) || !stralloc_cats(&path, "/bin/") ||
      !stralloc_cats(&path, name) || !stralloc_0(&path)) die_nomem();
  return path.s;
}

static void setenv_or_die(const char *name, const char *value)
{
  if (setenv(name, value, 1) == -1) die_nomem();
}

static NORETURN void qread(void)
{
  const char *path = program("qmail-qread");
  char *argv[2];
  argv[0] = (char *)path;
  argv[1] = 0;
  execv(path, argv);
  die_exec(path);
}

/* as if from a local TCP client that may relay, when not already run
   under tcpserver */
static NORETURN void smtpd(void)
{
  const char *path = program("qmail-smtpd");
  char *argv[2];
  if (access(path, X_OK) == -1) {
    if (errno == ENOENT) die_nosmtpd(path);
    die_exec(path);
  }
  if (!getenv("PROTO")) {
    setenv_or_die("RELAYCLIENT", "");
    setenv_or_die("DATABYTES", "0");
    setenv_or_die("PROTO", "TCP");
    setenv_or_die("TCPLOCALIP", "127.0.0.1");
    setenv_or_die("TCPLOCALHOST", "localhost");
    setenv_or_die("TCPREMOTEIP", "127.0.0.1");
    setenv_or_die("TCPREMOTEHOST", "localhost");
    setenv_or_die("TCPREMOTEINFO", "sendmail-bs");
  }
  argv[0] = (char *)path;
  argv[1] = 0;
  execv(path, argv);
  die_exec(path);
}

/* -f also names the author when the message has no From */
static void identity(const struct sendmail_args *a)
{
  static stralloc user, host;
  if (a->fullname) setenv_or_die("QMAILNAME", a->fullname);
  if (!a->sender) return;
  switch (sendmail_identity(a->sender, &user, &host)) {
  case -1: die_nomem();
  case 0: return;
  }
  setenv_or_die("QMAILUSER", user.s);
  if (host.s[0]) { setenv_or_die("QMAILHOST", host.s); return; }
  unsetenv("QMAILHOST");
  unsetenv("MAILHOST");
}

static NORETURN void inject(const struct sendmail_args *a, int argc, char **argv)
{
  const char *path = program("qmail-inject");
  char **qiargv;
  int n = 0, i, w;
  pid_t pid;
  size_t slots;
  if (!a->headers && a->first >= argc) die_norecip();
  identity(a);
  /* path, -a/-H, -f, sender, --, recipients, 0 */
  if (__builtin_add_overflow((size_t)(argc - a->first), 6, &slots)) die_nomem();
  qiargv = calloc(slots, sizeof *qiargv);
  if (!qiargv) die_nomem();
  qiargv[n++] = (char *)path;
  qiargv[n++] = a->headers ? "-H" : "-a";
  if (a->sender) { qiargv[n++] = "-f"; qiargv[n++] = (char *)a->sender; }
  qiargv[n++] = "--";
  for (i = a->first; i < argc; ++i) qiargv[n++] = argv[i];
  qiargv[n] = 0;
  pid = fork();
  if (pid == -1) die_fork();
  if (pid == 0) {
    execv(path, qiargv);
    die_exec(path);
  }
  if (wait_pid(pid, &w) != pid) die_wait();
  _exit(sendmail_exitcode(w));
}

int main(int argc, char **argv)
{
  struct sendmail_args a;
  die_program("sendmail");
  if (!sendmail_parse(&a, argc, argv)) die_usage(a.bad);
  switch (a.mode) {
  case SENDMAIL_QREAD: qread();
  case SENDMAIL_SMTP: smtpd();
  case SENDMAIL_NEWALIASES: die_newaliases();
  default: inject(&a, argc, argv);
  }
}
