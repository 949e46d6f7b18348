#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "sig.h"

static int selfpipe[2] = { -1, -1 };

void sig_catch(int sig, void (*handler)(int))
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, 0);
}

void sig_ignore(int sig) { sig_catch(sig, SIG_IGN); }
void sig_default(int sig) { sig_catch(sig, SIG_DFL); }

static void mask(int how, int sig)
{
  sigset_t ss;
  sigemptyset(&ss);
  sigaddset(&ss, sig);
  sigprocmask(how, &ss, 0);
}

void sig_block(int sig) { mask(SIG_BLOCK, sig); }
void sig_unblock(int sig) { mask(SIG_UNBLOCK, sig); }

static void trap(int sig)
{
  int saved = errno;
  unsigned char c = (unsigned char)sig;
  if (write(selfpipe[1], &c, 1) == -1) { /* pipe full: signal already queued */ }
  errno = saved;
}

int selfpipe_init(void)
{
  if (pipe2(selfpipe, O_NONBLOCK | O_CLOEXEC) == -1) return -1;
  return selfpipe[0];
}

void selfpipe_trap(int sig) { sig_catch(sig, trap); }

int selfpipe_next(void)
{
  unsigned char c;
  if (read(selfpipe[0], &c, 1) == 1) return c;
  return 0;
}
