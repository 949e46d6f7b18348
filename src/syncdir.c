#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "byte.h"
#include "str.h"
#include "syncdir.h"

int fsync_dir(const char *path)
{
  int fd, r, e;
  fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1) return -1;
  r = fsync(fd);
  e = errno;
  close(fd);
  errno = e;
  return r;
}

int fsync_parent(const char *file)
{
  char dir[4096];
  size_t slash = str_rchr(file, '/');
  if (!file[slash]) return fsync_dir(".");
  if (slash >= sizeof dir) { errno = ENAMETOOLONG; return -1; }
  byte_copy(dir, slash, file);
  dir[slash ? slash : 1] = 0;
  if (!slash) dir[0] = '/';
  return fsync_dir(dir);
}
