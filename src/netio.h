#ifndef NETIO_H
#define NETIO_H
#include <stddef.h>
#include <sys/types.h>
/* Network I/O with a deadline on every operation, for the one connection
   of a short-lived client (qmail-remote): the socket is non-blocking and
   each read or write first waits with poll() for at most netio_timeout
   seconds. A timeout fails with errno ETIMEDOUT. */
extern unsigned long netio_timeout;
/* The first write error (errno value) on the connection, 0 while none.
   Check it after buffer_put and buffer_flush: Debian's libowfat 0.32
   buffer_flush never returns -1 (it reads buffer_stubborn's int -1 as a
   64-bit value and sees a positive number), so a failed write is only
   seen here. */
extern int netio_errno;

/* The op for an output buffer on the socket: BUFFER_INIT(netio_write, ...). */
ssize_t netio_write(int fd, const char *buf, size_t len);
/* Read up to len bytes: >0 bytes, 0 end of file, -1 error (errno). */
ssize_t netio_read(int fd, char *buf, size_t len);
/* Connect the non-blocking socket s to the 16-byte address ip (v4-mapped
   for IPv4) within seconds; 0, -1 (errno; ETIMEDOUT). */
int netio_connect(int s, const char ip[16], unsigned short port, unsigned long seconds);
/* A TCP socket for ip's family, non-blocking, close-on-exec; -1 on error. */
int netio_socket(const char ip[16]);
#endif
