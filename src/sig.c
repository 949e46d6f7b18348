#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "sig.h"

static int selfpipe[2] = { -1, -1 };

static void catch_with(int sig, void (*handler)(int), int flags)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, 0);
}

/* No SA_RESTART: a caught SIGALRM is how a blocking call gets a time
   limit (mbox's flock, for one). */
void sig_catch(int sig, void (*handler)(int)) { catch_with(sig, handler, 0); }

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

/* SA_RESTART: a trapped signal is only news for the main loop (poll()
   returns EINTR anyway and the pipe wakes it); it must not make a
   blocking read elsewhere fail. Without it, an svc -a that came while
   qmail-send waited for qmail-clean's reply looked like a lost helper,
   and qmail-send restarted. */
void selfpipe_trap(int sig) { catch_with(sig, trap, SA_RESTART); }

int selfpipe_next(void)
{
  unsigned char c;
  if (read(selfpipe[0], &c, 1) == 1) return c;
  return 0;
}
