/* Reading commands and writing replies with deadlines (smtpio.h). */
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include "byte.h"
#include "fdmove.h"
#include "smtpio.h"
#include "str.h"

void smtpio_init(struct smtpio *io, int fdin, int fdout, unsigned long timeout)
{
  if (timeout > 86400) timeout = 86400;
  io->fdin = fdin;
  io->fdout = fdout;
  io->timeout_ms = (int)timeout * 1000;
  io->inpos = io->inlen = io->outlen = 0;
  fd_nonblock(fdin);
  fd_nonblock(fdout);
}

/* 1 ready, -1 timeout (ETIMEDOUT) or error */
static int wait_fd(int fd, short events, int ms)
{
  struct pollfd p;
  int r;
  p.fd = fd;
  p.events = events;
  do r = poll(&p, 1, ms); while (r == -1 && errno == EINTR);
  if (r == 0) { errno = ETIMEDOUT; return -1; }
  return r == -1 ? -1 : 1;
}

int smtpio_flush(struct smtpio *io)
{
  size_t done = 0;
  while (done < io->outlen) {
    ssize_t w = write(io->fdout, io->out + done, io->outlen - done);
    if (w > 0) { done += (size_t)w; continue; }
    if (w == -1 && errno != EAGAIN && errno != EINTR) return -1;
    if (w == -1 && errno == EAGAIN && wait_fd(io->fdout, POLLOUT, io->timeout_ms) == -1) return -1;
  }
  io->outlen = 0;
  return 0;
}

int smtpio_put(struct smtpio *io, const char *s, size_t len)
{
  while (len) {
    size_t n = sizeof io->out - io->outlen;
    if (!n) {
      if (smtpio_flush(io) == -1) return -1;
      continue;
    }
    if (n > len) n = len;
    byte_copy(io->out + io->outlen, n, s);
    io->outlen += n;
    s += n;
    len -= n;
  }
  return 0;
}

int smtpio_puts(struct smtpio *io, const char *s) { return smtpio_put(io, s, str_len(s)); }

int smtpio_fill(struct smtpio *io)
{
  if (io->inpos < io->inlen) return 1;
  if (smtpio_flush(io) == -1) return -1;
  io->inpos = io->inlen = 0;
  for (;;) {
    ssize_t r = read(io->fdin, io->in, sizeof io->in);
    if (r > 0) { io->inlen = (size_t)r; return 1; }
    if (r == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return -1;
    if (wait_fd(io->fdin, POLLIN, io->timeout_ms) == -1) return -1;
  }
}

int smtpio_getline(struct smtpio *io, stralloc *line, size_t max, int *toolong)
{
  stralloc_zero(line);
  *toolong = 0;
  for (;;) {
    size_t avail, n;
    int r = smtpio_fill(io);
    if (r <= 0) return r;
    avail = io->inlen - io->inpos;
    n = byte_chr(io->in + io->inpos, avail, '\n');
    if (!*toolong) {
      size_t take = n < avail ? n + 1 : n;
      if (line->len + take > max) { *toolong = 1; stralloc_zero(line); }
      else if (!stralloc_catb(line, io->in + io->inpos, n)) { errno = ENOMEM; return -1; }
    }
    io->inpos += n < avail ? n + 1 : n;
    if (n < avail) break;
  }
  if (line->len && line->s[line->len - 1] == '\r') --line->len;
  return 1;
}
