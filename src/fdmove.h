#ifndef FDMOVE_H
#define FDMOVE_H
/* fd_copy: make `to' a copy of `from'. fd_move: and close `from'.
   Both return 0 or -1. */
int fd_copy(int to, int from);
int fd_move(int to, int from);
int fd_cloexec(int fd);
int fd_nonblock(int fd);
/* write all of buf, retrying after EINTR and short writes; 0 or -1 */
int fd_writeall(int fd, const char *buf, unsigned long len);
#endif
