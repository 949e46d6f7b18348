/* The qmail-queue client, run against a fake qmail-queue: this very
   program, started through QMAILQUEUE with QQFAKE=dir in its environment. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "queueclient.h"
#include "tap.h"

static char dir[] = "/tmp/qqclient.XXXXXX";
static char path[256];

static char *file(const char *d, const char *name)
{
  snprintf(path, sizeof path, "%s/%s", d, name);
  return path;
}

static void writefile(const char *d, const char *name, const char *s, size_t len)
{
  FILE *f = fopen(file(d, name), "w");
  if (!f) return;
  fwrite(s, 1, len, f);
  fclose(f);
}

static size_t readfile(const char *d, const char *name, char *buf, size_t max)
{
  FILE *f = fopen(file(d, name), "r");
  size_t n;
  if (!f) return 0;
  n = fread(buf, 1, max, f);
  fclose(f);
  unlink(path);
  return n;
}

#define S(x) x, sizeof x - 1
static char got[1 << 20];

/* ---- the fake qmail-queue ---- */

static void copyfd(int fd, const char *d, const char *name)
{
  size_t n = 0;
  ssize_t r;
  while ((r = read(fd, got + n, sizeof got - n)) > 0) n += (size_t)r;
  writefile(d, name, got, n);
}

/* any descriptor besides 0 and 1 on one of our two pipes is a leak */
static int leaks(void)
{
  struct stat s0, s1, st;
  int fd, n = 0;
  fstat(0, &s0);
  fstat(1, &s1);
  for (fd = 2; fd < 1024; ++fd)
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
        (st.st_ino == s0.st_ino || st.st_ino == s1.st_ino)) ++n;
  return n;
}

static int fake(const char *d)
{
  char mode[16], report[128];
  size_t n = readfile(d, "mode", mode, sizeof mode - 1);
  struct sigaction sa;
  sigset_t blocked;
  mode[n] = 0;
  if (!strcmp(mode, "early")) return 0;
  if (!strcmp(mode, "kill")) raise(SIGKILL);
  sigaction(SIGPIPE, 0, &sa);
  sigprocmask(SIG_BLOCK, 0, &blocked);
  n = (size_t)snprintf(report, sizeof report, "leaks %d sigpipe %s usr1 %s\n", leaks(),
                       sa.sa_handler == SIG_DFL ? "default" : "changed",
                       sigismember(&blocked, SIGUSR1) ? "blocked" : "free");
  writefile(d, "report", report, n);
  copyfd(0, d, "msg");
  copyfd(1, d, "env");
  return atoi(mode);
}

/* ---- the tests ---- */

static void mode(const char *m) { writefile(dir, "mode", m, strlen(m)); }

static int send_one(void)
{
  struct qqueue q;
  if (qq_open(&q) == -1) return -1;
  qq_puts(&q, "Subject: test\n\n");
  qq_put(&q, S("body\0with a NUL\n"));
  qq_from(&q, "me@here");
  qq_to(&q, "you@there");
  qq_to(&q, "them@else");
  return qq_close(&q);
}

static void basic(void)
{
  size_t n;
  mode("0");
  is_long(send_one(), 0, "queued: exit code 0");
  n = readfile(dir, "msg", got, sizeof got);
  is_mem(got, n, S("Subject: test\n\nbody\0with a NUL\n"), "message arrives on fd 0");
  n = readfile(dir, "env", got, sizeof got);
  is_mem(got, n, S("Fme@here\0Tyou@there\0Tthem@else\0\0"), "envelope arrives on fd 1");
  n = readfile(dir, "report", got, sizeof got);
  is_mem(got, n, S("leaks 0 sigpipe default usr1 free\n"),
         "the child holds no write end, SIGPIPE default, nothing blocked");
}

static void codes(void)
{
  static char big[1 << 20];
  struct qqueue q;
  mode("53");
  is_long(send_one(), 53, "exit 53 passed on");
  mode("11");
  is_long(send_one(), 11, "exit 11 passed on");
  mode("kill");
  is_long(send_one(), 81, "killed child: 81");
  /* the child exits 0 unread: our writes fail, so it cannot be 0 */
  mode("early");
  qq_open(&q);
  qq_put(&q, big, sizeof big);
  qq_from(&q, "");
  qq_to(&q, "a@b");
  is_long(qq_close(&q), 54, "writes failed, child said 0: 54");
  setenv("QMAILQUEUE", "/nonexistent/qq", 1);
  is_long(send_one(), QQ_EXEC_FAILED, "no such program: 120");
}

static void misuse(void)
{
  struct qqueue q;
  size_t n;
  mode("0");
  qq_open(&q);
  qq_puts(&q, "half a message");
  is_long(qq_close(&q), 54, "close before qq_from aborts: 54");
  n = readfile(dir, "env", got, sizeof got);
  is_long((long)n, 0, "and no envelope was sent");
  qq_open(&q);
  qq_to(&q, "a@b");
  qq_from(&q, "s");
  is_long(qq_close(&q), 54, "qq_to before qq_from: 54");
  qq_open(&q);
  qq_from(&q, "s");
  qq_puts(&q, "late");
  is_long(qq_close(&q), 54, "qq_put after qq_from: 54");
}

/* a message far bigger than the buffer and the pipe */
static void large(void)
{
  static char big[600000];
  struct qqueue q;
  size_t i, n;
  for (i = 0; i < sizeof big; ++i) big[i] = (char)(i * 7);
  mode("0");
  qq_open(&q);
  for (i = 0; i < sizeof big; i += 1000) qq_put(&q, big + i, 1000);
  qq_from(&q, "s@x");
  qq_to(&q, "r@y");
  is_long(qq_close(&q), 0, "large message queued");
  n = readfile(dir, "msg", got, sizeof got);
  is_mem(got, n, big, sizeof big, "large message intact");
}

/* the pipes land on 0 or 1 when the caller has those closed */
static void low_fds(void)
{
  int save = dup(0);
  size_t n;
  long r;
  mode("0");
  close(0);
  is_long(send_one(), 0, "caller without fd 0: queued");
  dup2(save, 0);
  close(save);
  n = readfile(dir, "msg", got, sizeof got);
  is_long((long)n, 31, "message complete");
  n = readfile(dir, "env", got, sizeof got);
  is_long((long)n, 32, "envelope complete");
  n = readfile(dir, "report", got, sizeof got);
  is_mem(got, n, S("leaks 0 sigpipe default usr1 free\n"), "no leak either");
  fflush(stdout);
  save = dup(1);
  close(1);
  r = send_one();
  dup2(save, 1);
  close(save);
  is_long(r, 0, "caller without fd 1: queued");
  n = readfile(dir, "env", got, sizeof got);
  is_mem(got, n, S("Fme@here\0Tyou@there\0Tthem@else\0\0"), "envelope intact");
  n = readfile(dir, "report", got, sizeof got);
  is_mem(got, n, S("leaks 0 sigpipe default usr1 free\n"), "no leak either");
}

static void direct(void)
{
  char qq[512];
  struct stat st;
  struct qqueue q;
  snprintf(qq, sizeof qq, "%s/bin/qmail-queue", auto_qmail);
  if (stat(qq, &st) == 0) { ok(1, "# skip: qmail-queue installed, not run"); return; }
  setenv("QMAILQUEUE", "/proc/self/exe", 1);
  qq_open_direct(&q);
  qq_from(&q, "");
  is_long(qq_close(&q), QQ_EXEC_FAILED, "qq_open_direct ignores QMAILQUEUE");
}

static void texts(void)
{
  static const struct { int code, perm; const char *text; } t[] = {
    { 0, 0, "" },
    { 11, 1, "envelope address too long for qq (#5.1.3)" },
    { 31, 1, "mail server permanently refused the message (#5.3.0)" },
    { 40, 1, "qq permanent problem (#5.3.0)" },
    { 41, 0, "qq temporary problem (#4.3.0)" },
    { 10, 0, "qq temporary problem (#4.3.0)" },
    { 53, 0, "qq write error or disk full (#4.3.0)" },
    { 54, 0, "qq read error (#4.3.0)" },
    { 64, 0, "qq trouble creating files in the queue (#4.3.0)" },
    { 81, 0, "qq internal bug (#4.3.0)" },
    { 91, 0, "qq envelope format error (#4.3.0)" },
    { 120, 0, "unable to run qq (#4.3.0)" },
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
    char name[64];
    snprintf(name, sizeof name, "code %d: permanent %d", t[i].code, t[i].perm);
    is_long(qq_permanent(t[i].code), t[i].perm, name);
    is_str(qq_errtext(t[i].code), t[i].text, t[i].text);
  }
}

int main(void)
{
  static const char *const names[] = { "mode", "msg", "env", "report" };
  char self[256];
  sigset_t usr1;
  ssize_t len;
  size_t i;
  const char *d = getenv("QQFAKE");
  if (d) return fake(d);

  len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0 || !mkdtemp(dir)) { ok(0, "setting up"); return done_testing(); }
  self[len] = 0;
  setenv("QQFAKE", dir, 1);
  setenv("QMAILQUEUE", self, 1);
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, 0);

  basic();
  codes();
  setenv("QMAILQUEUE", self, 1);
  misuse();
  large();
  low_fds();
  direct();
  texts();

  for (i = 0; i < sizeof names / sizeof names[0]; ++i) unlink(file(dir, names[i]));
  rmdir(dir);
  return done_testing();
}
