#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bufwrite.h"
#include "byte.h"
#include "ip6.h"
#include "netio.h"
#include "socket.h"

unsigned long netio_timeout = 1200;

static int wait_for(int fd, short events, unsigned long seconds)
{
  struct pollfd p;
  int ms = seconds > 2000000 ? 2000000000 : (int)(seconds * 1000);
  p.fd = fd;
  p.events = events;
  for (;;) {
    int r = poll(&p, 1, ms);
    if (r == 1) return 0;
    if (r == 0) { errno = ETIMEDOUT; return -1; }
    if (errno != EINTR) return -1;
  }
}

static ssize_t failed(int fd)
{
  bufwrite_fail(fd, errno);
  return -1;
}

ssize_t netio_write(int fd, const char *buf, size_t len)
{
  int e = bufwrite_error(fd);
  if (e) { errno = e; return -1; } /* no use going on */
  for (;;) {
    ssize_t w;
    if (wait_for(fd, POLLOUT, netio_timeout) == -1) return failed(fd);
    w = write(fd, buf, len);
    if (w == -1 && (errno == EAGAIN || errno == EINTR)) continue;
    if (w <= 0) return failed(fd);
    return w;
  }
}

ssize_t netio_read(int fd, char *buf, size_t len)
{
  for (;;) {
    ssize_t r;
    if (wait_for(fd, POLLIN, netio_timeout) == -1) return -1;
    r = read(fd, buf, len);
    if (r == -1 && (errno == EAGAIN || errno == EINTR)) continue;
    return r;
  }
}

int netio_socket(const char ip[16])
{
  int s = ip6_isv4mapped(ip) ? socket_tcp4() : socket_tcp6();
  if (s != -1) fcntl(s, F_SETFD, FD_CLOEXEC);
  return s;
}

int netio_connect(int s, const char ip[16], unsigned short port, unsigned long seconds)
{
  int r = ip6_isv4mapped(ip) ? socket_connect4(s, ip + 12, port) : socket_connect6(s, ip, port, 0);
  if (r == 0) return 0;
  if (errno != EINPROGRESS && errno != EWOULDBLOCK) return -1;
  if (wait_for(s, POLLOUT, seconds) == -1) return -1;
  { /* the outcome, as connect would have said it */
    int e = 0;
    socklen_t l = sizeof e;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) == -1) return -1;
    if (!e) return 0;
    errno = e;
    return -1;
  }
}
