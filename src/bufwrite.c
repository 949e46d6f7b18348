#include <errno.h>
#include <unistd.h>
#include "bufwrite.h"
#include "str.h"

/* errors[fd] for fd < BUFWRITE_FDS; errors[BUFWRITE_FDS] holds every
   larger fd. A negative fd (buffer_tosa's, with an op that is not ours)
   gets its own slot, so that a failure elsewhere never shows there. */
static int errors[BUFWRITE_FDS + 1], negative;

static int *slot(int fd)
{
  if (fd < 0) return &negative;
  return &errors[fd < BUFWRITE_FDS ? fd : BUFWRITE_FDS];
}

int bufwrite_error(int fd) { return *slot(fd); }

void bufwrite_fail(int fd, int err)
{
  int *e = slot(fd);
  if (!*e) *e = err ? err : EIO;
}

void bufwrite_clear(int fd) { *slot(fd) = 0; }

/* buffer_stubborn retries EINTR itself; every other failure loses data. */
ssize_t bufwrite(int fd, const char *buf, size_t len)
{
  ssize_t w = write(fd, buf, len);
  if (w == -1 && errno != EINTR) bufwrite_fail(fd, errno);
  return w;
}

static int checked(buffer *b, int r)
{
  int e = bufwrite_error(b->fd);
  if (e) { errno = e; return -1; }
  return r == -1 ? -1 : 0;
}

int bufwrite_flush(buffer *b) { return checked(b, buffer_flush(b)); }

int bufwrite_put(buffer *b, const char *s, size_t len) { return checked(b, buffer_put(b, s, len)); }

int bufwrite_puts(buffer *b, const char *s) { return bufwrite_put(b, s, str_len(s)); }

int bufwrite_putsflush(buffer *b, const char *s)
{
  if (bufwrite_puts(b, s) == -1) return -1;
  return bufwrite_flush(b);
}
