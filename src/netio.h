#ifndef NETIO_H
#define NETIO_H
#include <stddef.h>
#include <sys/types.h>
/* Network I/O with a deadline on every operation, for the one connection
   of a short-lived client (qmail-remote): the socket is non-blocking and
   each read or write first waits with poll() for at most netio_timeout
   seconds. A timeout fails with errno ETIMEDOUT. */
extern unsigned long netio_timeout;

/* The op for an output buffer on the socket: BUFFER_INIT(netio_write, ...).
   A failed write is kept as the socket's sticky error in bufwrite's table
   (see bufwrite.h): check output with bufwrite_put and bufwrite_flush, and
   bufwrite_clear a new socket. Once a write failed, later ones fail at
   once (no use waiting out another deadline). */
ssize_t netio_write(int fd, const char *buf, size_t len);
/* Read up to len bytes: >0 bytes, 0 end of file, -1 error (errno). */
ssize_t netio_read(int fd, char *buf, size_t len);
/* Connect the non-blocking socket s to the 16-byte address ip (v4-mapped
   for IPv4) within seconds; 0, -1 (errno; ETIMEDOUT). */
int netio_connect(int s, const char ip[16], unsigned short port, unsigned long seconds);
/* A TCP socket for ip's family, non-blocking, close-on-exec; -1 on error. */
int netio_socket(const char ip[16]);
#endif
