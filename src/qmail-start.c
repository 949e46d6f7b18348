/* qmail-start: starts the delivery daemons, each under its own uid, wired
   by pipes, then becomes qmail-send. Usage:
     qmail-start [defaultdelivery [logger [arg ...]]]
   The descriptor plan is in qmail-start(8) and doc/DESIGN.md. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "fdmove.h"
#include "privdrop.h"
#include "sig.h"
#include "stralloc.h"

static void die_pipe(void) { fatal(111, "unable to create pipe: ", error_str(errno)); }
static void die_fork(void) { fatal(111, "unable to fork: ", error_str(errno)); }
static void die_user(const char *u) { fatal(111, "unknown user or group for role ", u); }
static void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }

struct role { const char *user; uid_t uid; gid_t gid; };

static void lookup(struct role *r, const char *user, const char *group)
{
  r->user = user;
  if (priv_user(user, &r->uid, 0) == -1) die_user(user);
  if (priv_group(group, &r->gid) == -1) die_user(group);
}

static void mkpipe(int p[2]) { if (pipe(p) == -1) die_pipe(); }

/* fds we must not leak into children: everything above 2 is placed
   deliberately, so close the rest up to a generous bound */
static void close_from(int lowest)
{
  int fd;
  for (fd = lowest; fd < 64; ++fd) close(fd);
}

/* In the child: move the pairs (to, from) into place, drop privileges,
   exec. plan is a list of to/from pairs ending with -1. */
static void run(const struct role *r, const int *plan, char *const argv[], int is_send)
{
  int tmp[32], n = 0, i;
  /* first park everything above the final range so moves cannot clobber */
  for (i = 0; plan[i] != -1; i += 2) {
    tmp[n] = fcntl(plan[i + 1], F_DUPFD, 64);
    if (tmp[n] == -1) fatal(111, "unable to set up descriptors: ", error_str(errno));
    ++n;
  }
  close_from(3);
  for (i = 0, n = 0; plan[i] != -1; i += 2, ++n)
    if (fd_move(plan[i], tmp[n]) == -1) fatal(111, "unable to set up descriptors: ", error_str(errno));
  for (i = 64; i < 64 + 32; ++i) close(i);
  if (!is_send) {
    sig_unblock(SIGHUP); sig_unblock(SIGALRM); sig_unblock(SIGTERM);
  }
  if (priv_become(r->uid, r->gid) == -1)
    fatal(111, "unable to become ", r->user, ": ", error_str(errno));
  execv(argv[0], argv);
  fatal(111, "unable to run ", argv[0], ": ", error_str(errno));
}

static pid_t start(const struct role *r, const int *plan, char *const argv[])
{
  pid_t pid = fork();
  if (pid == -1) die_fork();
  if (pid == 0) run(r, plan, argv, 0);
  return pid;
}

static char *bin(const char *prog)
{
  static stralloc sa[8];
  static int n;
  stralloc *s = &sa[n++ & 7];
  if (!stralloc_copys(s, auto_qmail) || !stralloc_cats(s, "/bin/") ||
      !stralloc_cats(s, prog) || !stralloc_0(s))
    fatal(111, "out of memory");
  return s->s;
}

static int have_rspawn(void)
{
  struct stat st;
  return stat(bin("qmail-rspawn"), &st) == 0;
}

/* Optional logger: all daemons' fd 1 and 2 go into its stdin. */
static void start_logger(char **argv, const struct role *logrole)
{
  int p[2];
  pid_t pid;
  mkpipe(p);
  pid = fork();
  if (pid == -1) die_fork();
  if (pid == 0) {
    int plan[] = { 0, p[0], 1, 1, 2, 2, -1 };
    close(p[1]);
    run(logrole, plan, argv, 0);
  }
  close(p[0]);
  if (fd_copy(1, p[1]) == -1 || fd_move(2, p[1]) == -1) die_pipe();
}

int main(int argc, char **argv)
{
  struct role send, lspawn, rspawn, clean, todo, logr;
  int sl[2], ls[2], sr[2], rs[2], sc[2], cs[2], st[2], ts[2], tc[2], ct[2];
  char *deflt = argc > 1 ? argv[1] : "./Maildir/";
  int rspawn_ok;

  die_program("qmail-start");
  /* svc -h, -a, -t may come before qmail-send can take them: keep them
     pending (a blocked signal survives exec) until it unblocks them */
  sig_block(SIGHUP); sig_block(SIGALRM); sig_block(SIGTERM);
  if (chdir(auto_qmail) == -1) die_home();
  lookup(&send, auto_users, auto_groupq);
  lookup(&todo, auto_users, auto_groupq);
  lookup(&lspawn, auto_usero, auto_groupq);
  lookup(&rspawn, auto_userr, auto_groupq);
  lookup(&clean, auto_userq, auto_groupq);
  lookup(&logr, auto_userl, auto_groupn);
  if (argc > 2) start_logger(argv + 2, &logr);
  rspawn_ok = have_rspawn();

  mkpipe(sl); mkpipe(ls); mkpipe(sc); mkpipe(cs);
  mkpipe(st); mkpipe(ts); mkpipe(tc); mkpipe(ct);
  if (rspawn_ok) { mkpipe(sr); mkpipe(rs); }
  else {
    /* without qmail-rspawn, qmail-send sees EOF and defers remote mail */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull == -1) die_pipe();
    sr[0] = sr[1] = rs[0] = rs[1] = devnull;
  }

  {
    char *a[] = { bin("qmail-lspawn"), deflt, 0 };
    int plan[] = { 0, sl[0], 1, ls[1], -1 };
    start(&lspawn, plan, a);
  }
  if (rspawn_ok) {
    char *a[] = { bin("qmail-rspawn"), 0 };
    int plan[] = { 0, sr[0], 1, rs[1], -1 };
    start(&rspawn, plan, a);
  }
  {
    char *a[] = { bin("qmail-clean"), 0 };
    int plan[] = { 0, sc[0], 1, cs[1], -1 };
    start(&clean, plan, a);
  }
  {
    char *a[] = { bin("qmail-clean"), 0 };
    int plan[] = { 0, tc[0], 1, ct[1], -1 };
    start(&clean, plan, a);
  }
  {
    char *a[] = { bin("qmail-todo"), 0 };
    int plan[] = { 0, st[0], 3, ts[1], 4, tc[1], 5, ct[0], -1 };
    start(&todo, plan, a);
  }
  {
    char *a[] = { bin("qmail-send"), 0 };
    int plan[] = { 0, 0, 3, sl[1], 4, ls[0], 5, sr[1], 6, rs[0], 7, ts[0],
                   8, st[1], 9, sc[1], 10, cs[0], -1 };
    run(&send, plan, a, 1);
  }
  return 111;
}
