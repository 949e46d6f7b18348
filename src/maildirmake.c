/* maildirmake: create an empty maildir (maildirmake(1), maildir(5)). */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "die.h"
#include "syncdir.h"

static void usage(void) { fatal(100, "usage: maildirmake dir"); }
static void die_mkdir(const char *d) { fatal(111, "unable to mkdir ", d, ": ", error_str(errno)); }
static void die_chdir(const char *d) { fatal(111, "unable to chdir to ", d, ": ", error_str(errno)); }
static void die_sync(const char *d) { fatal(111, "unable to sync ", d, ": ", error_str(errno)); }

int main(int argc, char **argv)
{
  static const char *const sub[] = { "tmp", "new", "cur", 0 };
  const char *dir;
  int i;
  die_program("maildirmake");
  if (argc != 2 || !*argv[1]) usage();
  dir = argv[1];
  umask(077);
  if (mkdir(dir, 0700) == -1) die_mkdir(dir); /* an existing dir is an error */
  if (chdir(dir) == -1) die_chdir(dir);
  for (i = 0; sub[i]; ++i)
    if (mkdir(sub[i], 0700) == -1) die_mkdir(sub[i]);
  if (fsync_dir(".") == -1) die_sync(dir);
  if (fsync_dir("..") == -1) die_sync("..");
  return 0;
}
