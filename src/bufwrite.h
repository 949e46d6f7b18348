#ifndef BUFWRITE_H
#define BUFWRITE_H
#include <sys/types.h>
/* The op for every output buffer: BUFFER_INIT(bufwrite, fd, space, len).
   libowfat 0.32's buffer_put takes a shortcut when a buffer's op is
   write(2) itself, and after a short write it copies the rest into the
   buffer without checking that it fits (a heap or stack overflow when a
   pipe's reader dies or a disk fills). Any other function avoids that
   path; this one simply calls write(2). */
ssize_t bufwrite(int fd, const char *buf, size_t len);
#endif
