/* qmail-rspawn: runs remote deliveries for qmail-send. No arguments.
   Requests on fd 0, replies on fd 1 (spawner.h, qmail-rspawn(8)); runs
   as qmailr. For each request a child opens the message as fd 0 and runs
   qmail-remote HOST SENDER RECIPIENT, HOST being the recipient's domain;
   qmail-remote's report becomes the reply (remotereport.h). The spawner
   raises the descriptor limit to the hard one for thousands of pipes and
   gives children the limit we started with. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "byte.h"
#include "die.h"
#include "error_temp.h"
#include "fdmove.h"
#include "qfile.h"
#include "remotereport.h"
#include "spawner.h"
#include "str.h"
#include "stralloc.h"

static void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static void die_nomem(void) { fatal(111, "out of memory"); }

/* In the child, a failure is the report: qmail-remote's format, so the
   parent reads it like any other (message report only). */
static void child_exit(const char *a, const char *b) __attribute__((noreturn));
static void child_exit(const char *a, const char *b)
{
  char space[512];
  buffer bw = BUFFER_INIT(bufwrite, 1, space, sizeof space);
  buffer_puts(&bw, a);
  if (b) { buffer_puts(&bw, b); buffer_puts(&bw, ". (#4.3.0)\n"); }
  buffer_put(&bw, "", 1); /* the NUL that ends a report */
  buffer_flush(&bw);
  _exit(0);
}

static stralloc remotebin;

static void open_message(unsigned long id)
{
  static stralloc rel, fn;
  int fd;
  if (!qfile_name(&rel, "mess", id) || !stralloc_copys(&fn, "queue/") || !stralloc_cat(&fn, &rel))
    child_exit("ZOut of memory in qmail-rspawn. (#4.3.0)\n", 0);
  fd = open(fn.s, O_RDONLY);
  if (fd == -1 || fd_move(0, fd) == -1)
    child_exit("ZUnable to open the message in qmail-rspawn: ", error_str(errno));
}

static void deliver(const struct spawn_request *r, void *ctx)
{
  static stralloc host;
  size_t len = str_len(r->rcpt);
  size_t at = byte_rchr(r->rcpt, len, '@');
  char *args[5];
  if (at == len || at + 1 == len) child_exit("DSorry, the address has no host name. (#5.1.3)\n", 0);
  if (!stralloc_copys(&host, r->rcpt + at + 1) || !stralloc_0(&host))
    child_exit("ZOut of memory in qmail-rspawn. (#4.3.0)\n", 0);
  open_message(r->id);
  args[0] = remotebin.s;
  args[1] = host.s;
  args[2] = (char *)r->sender;
  args[3] = (char *)r->rcpt;
  args[4] = 0;
  execv(args[0], args);
  child_exit(error_temp(errno) ? "ZUnable to run qmail-remote: " : "DUnable to run qmail-remote: ",
             error_str(errno));
}

static int report(stralloc *out, const char *delnum, int wstat,
                  const struct spawn_output *o, void *ctx)
{
  return remote_report_exit(out, delnum, wstat, o);
}

int main(int argc, char **argv)
{
  struct spawn_ops ops = { deliver, report, 0 };
  die_program("qmail-rspawn");
  if (chdir(auto_qmail) == -1) die_home();
  if (!stralloc_copys(&remotebin, auto_qmail) || !stralloc_cats(&remotebin, "/bin/qmail-remote") ||
      !stralloc_0(&remotebin))
    die_nomem();
  spawn_run(&ops);
  return 0;
}
