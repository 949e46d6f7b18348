#ifndef WAITCHILD_H
#define WAITCHILD_H
#include <sys/types.h>
/* waitpid() without the EINTR dance. */
pid_t wait_nohang(int *status);         /* 0: none finished, -1: no children */
pid_t wait_pid(pid_t pid, int *status); /* blocks for that child */
#define wait_crashed(w) ((w) & 127)
#define wait_exitcode(w) (((w) >> 8) & 255)
#endif
