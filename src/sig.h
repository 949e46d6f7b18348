#ifndef SIG_H
#define SIG_H
#include <signal.h>
/* Signals. The self-pipe turns caught signals into readable bytes, so an
   event loop can poll() for them along with its other descriptors. */
void sig_catch(int sig, void (*handler)(int));
void sig_ignore(int sig);
void sig_default(int sig);
void sig_block(int sig);
void sig_unblock(int sig);
int selfpipe_init(void);         /* the read end (non-blocking), -1 on error */
void selfpipe_trap(int sig);     /* deliver sig through the self-pipe */
int selfpipe_next(void);         /* next pending signal, 0 when none */
#endif
