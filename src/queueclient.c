/* The caller's side of qmail-queue: two pipes, a child, an exit code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "auto.h"
#include "bufwrite.h"
#include "queueclient.h"
#include "sig.h"
#include "str.h"
#include "stralloc.h"
#include "waitchild.h"

/* put fd on target, open across exec */
static int onto(int target, int fd)
{
  if (fd == target) return fcntl(fd, F_SETFD, 0);
  return dup2(fd, target) == -1 ? -1 : 0;
}

static void child(int m, int e, const char *prog)
{
  char *argv[2];
  sigset_t none;
  /* e on 0 would be overwritten by m before it reaches 1 */
  if (e == 0 && (e = fcntl(e, F_DUPFD_CLOEXEC, 3)) == -1) _exit(QQ_EXEC_FAILED);
  if (onto(0, m) == -1 || onto(1, e) == -1) _exit(QQ_EXEC_FAILED);
  /* the caller ignores SIGPIPE and may block signals: neither is ours
     to pass on (qmail-queue's timeout is an ALRM) */
  sig_default(SIGPIPE);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  argv[0] = (char *)prog;
  argv[1] = 0;
  execv(prog, argv);
  _exit(QQ_EXEC_FAILED);
}

static void close4(int *a, int *b)
{
  int e = errno;
  close(a[0]); close(a[1]);
  if (b) { close(b[0]); close(b[1]); }
  errno = e;
}


static int start(struct qqueue *q, const char *prog)
{
  int pm[2], pe[2];
  q->pid = 0;
  q->fdm = q->fde = -1;
  q->failed = 0;
  /* close-on-exec: no other child of the caller may hold a write end,
     or qmail-queue would never see the end of its input */
  if (pipe2(pm, O_CLOEXEC) == -1) return -1;
  if (pipe2(pe, O_CLOEXEC) == -1) { close4(pm, 0); return -1; }
  q->pid = fork();
  if (q->pid == -1) { q->pid = 0; close4(pm, pe); return -1; }
  if (q->pid == 0) child(pm[0], pe[0], prog);
  close(pm[0]);
  close(pe[0]);
  q->fdm = pm[1];
  q->fde = pe[1];
  bufwrite_clear(q->fdm); /* new pipes, maybe on fds that failed before */
  bufwrite_clear(q->fde);
  buffer_init(&q->b, bufwrite, q->fdm, q->buf, sizeof q->buf);
  return 0;
}

int qq_open_direct(struct qqueue *q)
{
  static stralloc path;
  if (!path.len) {
    if (!stralloc_copys(&path, auto_qmail) || !stralloc_cats(&path, "/bin/qmail-queue") ||
        !stralloc_0(&path)) {
      path.len = 0;
      errno = ENOMEM;
      return -1;
    }
  }
  return start(q, path.s);
}

int qq_open(struct qqueue *q)
{
  const char *prog = getenv("QMAILQUEUE");
  if (prog && *prog) return start(q, prog);
  return qq_open_direct(q);
}

static void put(struct qqueue *q, const char *s, size_t len)
{
  if (q->failed) return;
  if (bufwrite_put(&q->b, s, len) == -1) q->failed = 1;
}

void qq_put(struct qqueue *q, const char *s, size_t len)
{
  if (q->fdm == -1) { q->failed = 1; return; }   /* after qq_from: a bug */
  put(q, s, len);
}

void qq_puts(struct qqueue *q, const char *s) { qq_put(q, s, str_len(s)); }

static void finish(struct qqueue *q, int *fd)
{
  if (!q->failed && bufwrite_flush(&q->b) == -1) q->failed = 1;
  if (close(*fd) == -1) q->failed = 1;
  *fd = -1;
}

/* an envelope field: tag, address, NUL */
static void field(struct qqueue *q, const char *tag, const char *addr)
{
  put(q, tag, 1);
  put(q, addr, str_len(addr));
  put(q, "", 1);
}

void qq_from(struct qqueue *q, const char *sender)
{
  if (q->fdm == -1) { q->failed = 1; return; }
  finish(q, &q->fdm);
  buffer_init(&q->b, bufwrite, q->fde, q->buf, sizeof q->buf);
  field(q, "F", sender);
}

void qq_to(struct qqueue *q, const char *rcpt)
{
  if (q->fdm != -1) { q->failed = 1; return; }   /* before qq_from: a bug */
  field(q, "T", rcpt);
}

int qq_close(struct qqueue *q)
{
  int w;
  pid_t pid = q->pid;
  if (q->fdm != -1) {
    /* no envelope at all: qmail-queue cleans up and exits 54 */
    close(q->fdm);
    q->fdm = -1;
    close(q->fde);
    q->fde = -1;
    q->failed = 1;
  } else if (q->fde != -1) {
    put(q, "", 1);
    finish(q, &q->fde);
  }
  q->pid = 0;
  if (!pid || wait_pid(pid, &w) != pid) return 81;   /* no child to ask */
  if (wait_crashed(w)) return 81;
  if (wait_exitcode(w) == 0 && q->failed) return 54;
  return wait_exitcode(w);
}

int qq_permanent(int code) { return code >= 11 && code <= 40; }

const char *qq_errtext(int code)
{
  switch (code) {
    case 0: return "";
    case 11: return "envelope address too long for qq (#5.1.3)";
    case 31: return "mail server permanently refused the message (#5.3.0)";
    case 51: return "qq out of memory (#4.3.0)";
    case 52: return "qq timed out (#4.3.0)";
    case 53: return "qq write error or disk full (#4.3.0)";
    case 54: return "qq read error (#4.3.0)";
    case 55: return "qq unable to read its configuration (#4.3.0)";
    case 56: return "qq trouble making a network connection (#4.3.0)";
    case 61: return "qq trouble in the home directory (#4.3.0)";
    case 62: case 63: case 64: case 65: case 66:
      return "qq trouble creating files in the queue (#4.3.0)";
    case 71: return "mail server temporarily refused the message (#4.3.0)";
    case 72: return "connection to mail server timed out (#4.4.1)";
    case 73: return "connection to mail server refused (#4.4.1)";
    case 74: return "communication with mail server failed, or queue locked (#4.4.2)";
    case 81: return "qq internal bug (#4.3.0)";
    case 91: return "qq envelope format error (#4.3.0)";
    case QQ_EXEC_FAILED: return "unable to run qq (#4.3.0)";
    default:
      return qq_permanent(code) ? "qq permanent problem (#5.3.0)"
                                : "qq temporary problem (#4.3.0)";
  }
}
