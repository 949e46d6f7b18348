#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "fdmove.h"

int fd_copy(int to, int from)
{
  if (to == from) return 0;
  if (fcntl(from, F_GETFL, 0) == -1) return -1;
  close(to);
  if (fcntl(from, F_DUPFD, to) == -1) return -1;
  return 0;
}

int fd_move(int to, int from)
{
  if (to == from) return 0;
  if (fd_copy(to, from) == -1) return -1;
  close(from);
  return 0;
}

int fd_cloexec(int fd) { return fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ? -1 : 0; }

int fd_nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL, 0);
  if (fl == -1) return -1;
  return fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ? -1 : 0;
}

int fd_writeall(int fd, const char *buf, unsigned long len)
{
  while (len) {
    ssize_t w = write(fd, buf, len);
    if (w == -1) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += w;
    len -= (unsigned long)w;
  }
  return 0;
}
