#ifndef BUFWRITE_H
#define BUFWRITE_H
#include <sys/types.h>
#include "buffer.h"
/* The op for every output buffer: BUFFER_INIT(bufwrite, fd, space, len).
   Two sharp edges of Debian's libowfat 0.32 make it necessary:
   - buffer_put takes a shortcut when a buffer's op is write(2) itself,
     and after a short write it copies the rest into the buffer without
     checking that it fits (a heap or stack overflow when a pipe's reader
     dies or a disk fills). Any other function avoids that path.
   - buffer_flush never returns -1 (it reads buffer_stubborn's int -1 as
     a 64-bit value), and buffer_put, flushing a full buffer, drops the
     error too: a failed write is invisible in their return values.
   So bufwrite remembers the first errno of a failed write on each file
   descriptor (a sticky error), and bufwrite_flush and bufwrite_put report
   it. Check output with them, never with buffer_flush's result.
   Descriptors from BUFWRITE_FDS up share one slot: a failure on any of
   them is reported on all of them (never a missed error, at worst a
   false one). Negative ones (buffer_tosa's) share another. */
#define BUFWRITE_FDS 256

ssize_t bufwrite(int fd, const char *buf, size_t len);
/* The sticky error on fd: the first errno of a failed write since the
   last bufwrite_clear(fd), 0 while none. */
int bufwrite_error(int fd);
/* Record err as fd's error unless one is already there (for other ops,
   e.g. netio_write, that share the idea). */
void bufwrite_fail(int fd, int err);
/* Forget fd's error: for a descriptor that is closed and reused. */
void bufwrite_clear(int fd);
/* buffer_flush, then 0, or -1 with errno set if any write on b->fd has
   failed since its error was last cleared. */
int bufwrite_flush(buffer *b);
/* buffer_put or buffer_puts: 0, or -1 with errno set like bufwrite_flush
   (a put that fills the buffer writes, and that write may fail). */
int bufwrite_put(buffer *b, const char *s, size_t len);
int bufwrite_puts(buffer *b, const char *s);
/* bufwrite_puts, then bufwrite_flush. */
int bufwrite_putsflush(buffer *b, const char *s);
#endif
