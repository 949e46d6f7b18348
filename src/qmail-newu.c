/* qmail-newu: compiles users/assign into users/cdb (qmail-users(5)).
   The new users/cdb is written as users/cdb.tmp, fsynced, renamed into
   place and its directory fsynced, so qmail-lspawn sees the old file or
   the new one, never half of one, even after a crash. A malformed line
   stops everything before the rename: users/cdb stays as it was.
   Exit 0 done, 100 users/assign is malformed, 111 any other trouble. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "cdb_make.h"
#include "cdbfile.h"
#include "die.h"
#include "fmt.h"
#include "usersassign.h"

#define ASSIGN "users/assign"
#define CDB "users/cdb"
#define TMP "users/cdb.tmp"

#define NORETURN __attribute__((noreturn))
static struct cdbfile out = { "users", CDB, TMP, -1 };
static NORETURN void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static NORETURN void die_nomem(void) { cdbfile_abort(&out); fatal(111, "out of memory"); }
static NORETURN void die_read(void) { int e = errno; cdbfile_abort(&out); fatal(111, "unable to read " ASSIGN ": ", error_str(e)); }
static NORETURN void die_write(void) { cdbfile_die_write(&out); }
static NORETURN void die_format(unsigned long line, const char *why)
{
  char num[FMT_ULONG];
  num[fmt_ulong(num, line)] = 0;
  cdbfile_abort(&out);
  fatal(100, ASSIGN " line ", num, " ", why, "; " CDB " is unchanged");
}


static void compile(int fdin, int fdout)
{
  static char space[8192];
  static struct cdb_make cm;
  buffer in = BUFFER_INIT(read, fdin, space, sizeof space);
  unsigned long line;
  const char *why;
  if (cdb_make_start(&cm, fdout) == -1) die_write(); /* not 0 on success */
  switch (users_make(&cm, &in, &line, &why)) {
    case USERS_MAKE_OK: break;
    case USERS_MAKE_BAD: die_format(line, why);
    case USERS_MAKE_READ: die_read();
    case USERS_MAKE_NOMEM: die_nomem();
    default: die_write();
  }
  if (cdb_make_finish(&cm) == -1) die_write();
}

int main(void)
{
  int fdin, fdout;
  die_program("qmail-newu");
  if (chdir(auto_qmail) == -1) die_home();
  fdin = open(ASSIGN, O_RDONLY | O_CLOEXEC);
  if (fdin == -1) die_read();
  fdout = cdbfile_open(&out);
  compile(fdin, fdout);
  cdbfile_commit(&out);
  return 0;
}
