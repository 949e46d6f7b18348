/* qmail-newmrh: compiles control/morercpthosts into
   control/morercpthosts.cdb, which qmail-smtpd reads (qmail-newmrh(8)).
   Each domain, lower-cased, is a key with an empty value. The new file is
   written as morercpthosts.tmp, fsynced, renamed into place and the
   directory fsynced: qmail-smtpd sees the old database or the new one,
   never half of one. Exit 0 done, 111 any trouble (the old database is
   then unchanged). */
#include <errno.h>
#include <unistd.h>
#include "auto.h"
#include "case.h"
#include "cdb_make.h"
#include "cdbfile.h"
#include "control.h"
#include "die.h"
#include "str.h"
#include "stralloc.h"

#define SRC "control/morercpthosts"
#define CDB "control/morercpthosts.cdb"
#define TMP "control/morercpthosts.tmp"

#define NORETURN __attribute__((noreturn))
static struct cdbfile out = { "control", CDB, TMP, -1 };
static NORETURN void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static NORETURN void die_nomem(void) { cdbfile_abort(&out); fatal(111, "out of memory"); }
static NORETURN void die_read(void) { int e = errno; cdbfile_abort(&out); fatal(111, "unable to read " SRC ": ", error_str(e)); }
static NORETURN void die_write(void) { cdbfile_die_write(&out); }

static void compile(const stralloc *lines, int fd)
{
  static struct cdb_make cm;
  size_t i;
  if (cdb_make_start(&cm, fd) == -1) die_write();
  for (i = 0; i < lines->len; i += str_len(lines->s + i) + 1) {
    char *key = lines->s + i;
    size_t len = str_len(key);
    case_lowerb(key, len);
    if (cdb_make_add(&cm, (unsigned char *)key, len, (unsigned char *)"", 0) == -1) {
      if (errno == ENOMEM) die_nomem();
      die_write();
    }
  }
  if (cdb_make_finish(&cm) == -1) die_write();
}

int main(void)
{
  static stralloc lines;
  int fd;
  die_program("qmail-newmrh");
  if (chdir(auto_qmail) == -1) die_home();
  /* a missing source compiles to an empty database, as in qmail */
  if (control_readfile(&lines, SRC, 0) == -1) die_read();
  fd = cdbfile_open(&out);
  compile(&lines, fd);
  cdbfile_commit(&out);
  return 0;
}
