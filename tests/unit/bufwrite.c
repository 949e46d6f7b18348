/* bufwrite: a failed write through a buffer is seen by bufwrite_put and
   bufwrite_flush (libowfat 0.32's buffer_flush and buffer_put hide it),
   for a full disk (/dev/full, ENOSPC) and a dead pipe reader (EPIPE),
   with puts smaller and larger than the buffer; a good descriptor is not
   affected, and a cleared descriptor starts afresh. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "bufwrite.h"
#include "tap.h"

#define SPACE 64
static char big[4 * SPACE];

/* A fresh output descriptor: the failure table is per fd, and fds are reused. */
static int fresh(int fd) { if (fd >= 0) bufwrite_clear(fd); return fd; }

static int open_full(void) { return fresh(open("/dev/full", O_WRONLY | O_CLOEXEC)); }

/* The write end of a pipe whose reader is already closed. */
static int open_dead_pipe(void)
{
  int p[2];
  if (pipe(p) == -1) return -1;
  close(p[0]);
  return fresh(p[1]);
}

/* A small put fits in the buffer: nothing written yet, the flush fails. */
static void small_put(const char *what, int fd, int want)
{
  char space[SPACE], name[128];
  buffer b = BUFFER_INIT(bufwrite, fd, space, sizeof space);
  snprintf(name, sizeof name, "%s: small put is buffered", what);
  is_long(bufwrite_puts(&b, "hello\n"), 0, name);
  errno = 0;
  snprintf(name, sizeof name, "%s: flush after a small put fails", what);
  is_long(bufwrite_flush(&b), -1, name);
  snprintf(name, sizeof name, "%s: errno is the write's", what);
  is_long(errno, want, name);
  snprintf(name, sizeof name, "%s: the error is sticky", what);
  is_long(bufwrite_error(fd), want, name);
  snprintf(name, sizeof name, "%s: a later flush still fails", what);
  is_long(bufwrite_flush(&b), -1, name);
}

/* Puts that fill the buffer: the put that makes buffer_put write fails. */
static void filling_puts(const char *what, int fd, int want)
{
  char space[SPACE], name[128];
  buffer b = BUFFER_INIT(bufwrite, fd, space, sizeof space);
  int i, r = 0;
  for (i = 0; i < 2 * SPACE && r == 0; ++i) r = bufwrite_put(&b, "0123456789", 10);
  snprintf(name, sizeof name, "%s: a put that fills the buffer fails", what);
  is_long(r, -1, name);
  snprintf(name, sizeof name, "%s: ... on the first write", what);
  ok(i <= SPACE / 10 + 1, name);
  snprintf(name, sizeof name, "%s: ... with the write's errno", what);
  is_long(errno, want, name);
}

/* A put larger than the buffer is written directly. */
static void large_put(const char *what, int fd, int want)
{
  char space[SPACE], name[128];
  buffer b = BUFFER_INIT(bufwrite, fd, space, sizeof space);
  errno = 0;
  snprintf(name, sizeof name, "%s: a put larger than the buffer fails", what);
  is_long(bufwrite_put(&b, big, sizeof big), -1, name);
  snprintf(name, sizeof name, "%s: ... with the write's errno", what);
  is_long(errno, want, name);
  snprintf(name, sizeof name, "%s: putsflush fails too", what);
  is_long(bufwrite_putsflush(&b, "x"), -1, name);
}

static void each_failure(const char *what, int (*opener)(void), int want)
{
  int fd;
  if ((fd = opener()) == -1) { ok(0, what); return; }
  small_put(what, fd, want);
  close(fd);
  if ((fd = opener()) == -1) { ok(0, what); return; }
  filling_puts(what, fd, want);
  close(fd);
  if ((fd = opener()) == -1) { ok(0, what); return; }
  large_put(what, fd, want);
  close(fd);
}

/* The hidden error itself, as a note only: a fixed libowfat is no failure. */
static void diag_note(int r, int fd)
{
  printf("# libowfat's own buffer_flush on fd %d (/dev/full) returned %d%s\n", fd, r,
         r == -1 ? "" : ": the failure is invisible to it");
}

static void note_libowfat(void)
{
  char space[SPACE];
  int fd = open_full();
  buffer b = BUFFER_INIT(bufwrite, fd, space, sizeof space);
  buffer_puts(&b, "hello\n");
  diag_note(buffer_flush(&b), fd);
  close(fd);
}

/* A good pipe keeps working while other descriptors fail; its bytes arrive. */
static void good_fd(void)
{
  char space[SPACE], got[sizeof big + 16];
  buffer b;
  size_t n = 0;
  ssize_t r;
  int p[2], dead = open_dead_pipe();
  if (pipe(p) == -1 || dead == -1) { ok(0, "good fd: pipes"); return; }
  fresh(p[1]);
  buffer_init(&b, bufwrite, p[1], space, sizeof space);
  is_long(bufwrite_puts(&b, "abc"), 0, "good fd: small put");
  bufwrite(dead, "x", 1); /* fails with EPIPE on another fd */
  is_long(bufwrite_error(dead), EPIPE, "good fd: the other fd failed");
  is_long(bufwrite_put(&b, big, sizeof big), 0, "good fd: large put");
  is_long(bufwrite_putsflush(&b, "xyz"), 0, "good fd: putsflush");
  is_long(bufwrite_error(p[1]), 0, "good fd: no sticky error");
  close(p[1]);
  while (n < sizeof got && (r = read(p[0], got + n, sizeof got - n)) > 0) n += (size_t)r;
  close(p[0]);
  ok(n == 3 + sizeof big + 3 && !memcmp(got, "abc", 3) && !memcmp(got + 3, big, sizeof big) &&
     !memcmp(got + 3 + sizeof big, "xyz", 3), "good fd: every byte arrived in order");
  close(dead);
}

/* Clearing forgets; a large fd (shared slot) still reports its failure. */
static void clear_and_large_fd(void)
{
  char space[SPACE];
  buffer b;
  int fd = open_full(), high = fd == -1 ? -1 : dup2(fd, BUFWRITE_FDS + 40);
  if (high == -1) { ok(0, "large fd: dup2"); return; }
  bufwrite_clear(high);
  buffer_init(&b, bufwrite, high, space, sizeof space);
  bufwrite_puts(&b, "hello\n");
  is_long(bufwrite_flush(&b), -1, "large fd: a failed write is seen");
  is_long(errno, ENOSPC, "large fd: ENOSPC");
  bufwrite_clear(high);
  is_long(bufwrite_error(high), 0, "clear: the error is forgotten");
  is_long(bufwrite_flush(&b), 0, "clear: an empty flush then succeeds");
  close(high);
  close(fd);
}

int main(void)
{
  memset(big, 'b', sizeof big);
  signal(SIGPIPE, SIG_IGN);
  note_libowfat();
  each_failure("/dev/full", open_full, ENOSPC);
  each_failure("dead pipe", open_dead_pipe, EPIPE);
  good_fd();
  clear_and_large_fd();
  return done_testing();
}
