/* qmail-queue: the only way into the queue (man 8 qmail-queue).
   Message on fd 0, envelope on fd 1; the answer is the exit code alone.
   Installed setuid qmailq; everything it reads is untrusted.

   Life of a message here (doc/DESIGN.md): pid/PID, flock, ID = inode,
   link as mess/S/ID, write and fsync the message, fsync mess/S/, read the
   envelope, write and fsync intd/ID, link it as todo/ID, fsync todo/,
   poke lock/trigger. The flock is held until exit: a lockable mess
   without todo is a dead injection's leftover. Any failure removes what
   was created before exiting. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "envelope.h"
#include "fdmove.h"
#include "fmt.h"
#include "privdrop.h"
#include "qfile.h"
#include "sig.h"
#include "stralloc.h"
#include "syncdir.h"

#define TIMEOUT_SECONDS 86400     /* as qmail: a client stuck for a day */
#define IOBUF_BYTES (64 * 1024)   /* message copy and envelope reads */
#define PID_TRIES 5               /* names tried in pid/ */

#define NORETURN __attribute__((noreturn))
static void cleanup(void);
static NORETURN void die(int code) { cleanup(); _exit(code); }
/* qmail-queue says nothing: its callers turn the code into text
   (queueclient.h qq_errtext), and fd 2 may be anything. */
static NORETURN void die_addr(void) { die(11); }
static NORETURN void die_nomem(void) { die(51); }
static NORETURN void die_timeout(int sig) { die(52); }
static NORETURN void die_write(void) { die(53); }
static NORETURN void die_read(void) { die(54); }
static NORETURN void die_home(void) { die(61); }
static NORETURN void die_queue(void) { die(62); }
static NORETURN void die_pid(void) { die(63); }
static NORETURN void die_mess(void) { die(64); }
static NORETURN void die_intd(void) { die(65); }
static NORETURN void die_todo(void) { die(66); }
static NORETURN void die_bug(void) { die(81); }
static NORETURN void die_format(void) { die(91); }

/* What exists and must go if we fail. A name is complete before its flag
   is set and never changes after, so the ALRM handler may use it. */
static stralloc pidfn, messfn, intdfn, todofn;
static volatile sig_atomic_t have_pid, have_mess, have_intd, have_todo;

static void cleanup(void)
{
  /* qmail-clean's order: todo first, so no todo outlives its files */
  if (have_todo) unlink(todofn.s);
  if (have_intd) unlink(intdfn.s);
  if (have_mess) unlink(messfn.s);
  if (have_pid) unlink(pidfn.s);
}

static char iobuf[IOBUF_BYTES];

/* Which Received line: qmail's names for the roles that inject. A role
   that cannot be looked up simply does not match. */
static int invoker(uid_t uid)
{
  uid_t u;
  if (priv_user(auto_usera, &u, 0) == 0 && u == uid) return RECEIVED_ALIAS;
  if (priv_user(auto_userd, &u, 0) == 0 && u == uid) return RECEIVED_NETWORK;
  if (priv_user(auto_users, &u, 0) == 0 && u == uid) return RECEIVED_BOUNCE;
  return RECEIVED_UID;
}

static void pid_name(unsigned long pid, unsigned int try)
{
  char num[FMT_ULONG];
  if (!stralloc_copys(&pidfn, "pid/")) die_nomem();
  if (!stralloc_catb(&pidfn, num, fmt_ulong(num, pid))) die_nomem();
  if (try) {
    if (!stralloc_append(&pidfn, ".")) die_nomem();
    if (!stralloc_catb(&pidfn, num, fmt_ulong(num, try))) die_nomem();
  }
  if (!stralloc_0(&pidfn)) die_nomem();
}

/* Create pid/PID and lock it; *st gets its inode. qmail-clean removes a
   pid file whose lock it can take: if it took ours before we did, the
   name is gone (st_nlink 0) and we start over under another name. */
static int pid_create(unsigned long pid, struct stat *st)
{
  unsigned int try;
  for (try = 0; try < PID_TRIES; ++try) {
    int fd;
    pid_name(pid, try);
    fd = open(pidfn.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd == -1) {
      if (errno == EEXIST) continue;
      die_pid();
    }
    have_pid = 1;
    if (flock(fd, LOCK_EX) == -1) die_pid();
    if (fstat(fd, st) == -1) die_pid();
    if (st->st_nlink) return fd;
    have_pid = 0;
    close(fd);
  }
  die_pid();
}

static void names(unsigned long id)
{
  if (!qfile_name(&messfn, "mess", id)) die_nomem();
  if (!qfile_name(&intdfn, "intd", id)) die_nomem();
  if (!qfile_name(&todofn, "todo", id)) die_nomem();
}

/* The Received line and the message, through one big buffer. */
static void copy_message(int fd, size_t headlen)
{
  size_t n = headlen;
  for (;;) {
    ssize_t r = read(0, iobuf + n, sizeof iobuf - n);
    if (r == -1) {
      if (errno == EINTR) continue;
      die_read();
    }
    if (r == 0) break;
    n += (size_t)r;
    if (n == sizeof iobuf) {
      if (fd_writeall(fd, iobuf, n) == -1) die_write();
      n = 0;
    }
  }
  if (n && fd_writeall(fd, iobuf, n) == -1) die_write();
  if (fdatasync(fd) == -1) die_write();
}

static void read_envelope(stralloc *env, unsigned long uid, unsigned long pid)
{
  buffer in;
  unsigned long rcpts;
  int status;
  if (!envelope_start(env, uid, pid)) die_nomem();
  buffer_init(&in, read, 1, iobuf, sizeof iobuf);
  status = envelope_read(&in, env, &rcpts);
  switch (envelope_exitcode(status)) {
    case 0: return;
    case 11: die_addr();
    case 51: die_nomem();
    case 54: die_read();
    case 91: die_format();
    default: die_bug();
  }
}

/* intd/ID for our ID can only be a leftover: the mess file we hold pins
   the inode number, so no live message has it. */
static int intd_create(void)
{
  int fd = open(intdfn.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd == -1 && errno == EEXIST && unlink(intdfn.s) == 0)
    fd = open(intdfn.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd == -1) die_intd();
  have_intd = 1;
  return fd;
}

static void write_intd(const stralloc *env)
{
  int fd = intd_create();
  if (fd_writeall(fd, env->s, env->len) == -1) die_write();
  if (fdatasync(fd) == -1) die_write();
  if (close(fd) == -1) die_write();
}

/* Wake qmail-todo. No reader (ENXIO) or a full FIFO is fine: it also
   rescans todo/ on its own. */
static void trigger(void)
{
  int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd == -1) return;
  if (write(fd, "", 1) == -1) { /* ignored, see above */ }
  close(fd);
}

int main(void)
{
  static stralloc env;
  struct stat st;
  unsigned long uid = (unsigned long)getuid();
  unsigned long pid = (unsigned long)getpid();
  int fd, how;

  sig_ignore(SIGPIPE);
  sig_ignore(SIGXFSZ);  /* over a file size limit: EFBIG, exit 53, clean up */
  sig_catch(SIGALRM, die_timeout);
  alarm(TIMEOUT_SECONDS);
  umask(022);  /* mess must be readable by qmails and the recipients */
  how = invoker((uid_t)uid);

  if (chdir(auto_qmail) == -1) die_home();
  if (chdir("queue") == -1) die_queue();

  fd = pid_create(pid, &st);
  names((unsigned long)st.st_ino);
  if (link(pidfn.s, messfn.s) == -1) die_mess();
  have_mess = 1;
  if (unlink(pidfn.s) == -1) die_pid();
  have_pid = 0;

  copy_message(fd, envelope_received(iobuf, pid, how, uid, time(0)));
  /* mess/S/ID must be durable before a todo/ID can point to it */
  if (fsync_parent(messfn.s) == -1) die_write();

  read_envelope(&env, uid, pid);
  write_intd(&env);
  if (link(intdfn.s, todofn.s) == -1) die_todo();
  have_todo = 1;
  /* intd/ needs no fsync: todo/ID is a link to the same, fsynced inode */
  if (fsync_dir("todo") == -1) die_write();

  trigger();
  _exit(0);  /* the flock on fd goes with us */
}
