#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cdbfile.h"
#include "die.h"
#include "syncdir.h"

void cdbfile_abort(struct cdbfile *f)
{
  if (f->fd != -1) { close(f->fd); unlink(f->tmp); f->fd = -1; }
}

void cdbfile_die_write(struct cdbfile *f)
{
  int e = errno;
  cdbfile_abort(f);
  fatal(111, "unable to write ", f->tmp, ": ", error_str(e));
}

int cdbfile_open(struct cdbfile *f)
{
  f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f->fd == -1) fatal(111, "unable to write ", f->tmp, ": ", error_str(errno));
  if (fchmod(f->fd, 0644) == -1) cdbfile_die_write(f);
  return f->fd;
}

void cdbfile_commit(struct cdbfile *f)
{
  if (fsync(f->fd) == -1) cdbfile_die_write(f);
  if (close(f->fd) == -1) { f->fd = -1; unlink(f->tmp); fatal(111, "unable to write ", f->tmp, ": ", error_str(errno)); }
  f->fd = -1;
  if (rename(f->tmp, f->name) == -1) {
    int e = errno;
    unlink(f->tmp);
    fatal(111, "unable to move ", f->tmp, " to ", f->name, ": ", error_str(e));
  }
  if (fsync_dir(f->dir) == -1)
    fatal(111, "unable to sync ", f->dir, "/ after the rename (", f->name,
          " is new but may not survive a crash): ", error_str(errno));
}
