#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "byte.h"
#include "fmt.h"
#include "fdmove.h"
#include "maildir.h"

int maildir_hostname(stralloc *out, const char *host, size_t len)
{
  size_t i;
  if (!len) return stralloc_cats(out, "localhost");
  for (i = 0; i < len; ++i) {
    int ok;
    if (host[i] == '/') ok = stralloc_cats(out, "\\057");
    else if (host[i] == ':') ok = stralloc_cats(out, "\\072");
    else ok = stralloc_append(out, host + i);
    if (!ok) return 0;
  }
  return 1;
}

static int num(stralloc *out, const char *tag, unsigned long long n)
{
  char buf[FMT_ULONG];
  size_t len;
  if (n > (unsigned long)-1) n = (unsigned long)-1; /* 32-bit longs only */
  len = fmt_ulong(buf, (unsigned long)n);
  return stralloc_cats(out, tag) && stralloc_catb(out, buf, len);
}

int maildir_unique(stralloc *out, unsigned long long sec, unsigned long usec,
                   unsigned long pid, unsigned long n, const char *host, size_t hostlen)
{
  out->len = 0;
  if (!num(out, "", sec) || !num(out, ".M", usec) || !num(out, "P", pid) || !num(out, "Q", n)) return 0;
  if (!stralloc_append(out, ".") || !maildir_hostname(out, host, hostlen)) return 0;
  if (!stralloc_0(out)) return 0;
  --out->len;
  return 1;
}

#define CREATE_TRIES 5 /* a clash needs the same pid within the same µs */
#define HOST_MAX 255
#define CHUNK 65536

static unsigned long deliveries;
static stralloc host, uniq, tmpname, newname;
static char buf[CHUNK];

static int gethost(void)
{
  char h[HOST_MAX + 1];
  if (host.len) return 1;
  if (gethostname(h, sizeof h) == -1) h[0] = 0;
  h[HOST_MAX] = 0;
  return stralloc_copyb(&host, h, byte_chr(h, HOST_MAX, 0)) && (host.len || stralloc_cats(&host, "localhost"));
}

static int next_unique(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return maildir_unique(&uniq, (unsigned long long)ts.tv_sec, (unsigned long)ts.tv_nsec / 1000,
                        (unsigned long)getpid(), ++deliveries, host.s, host.len);
}

static int path(stralloc *sa, const char *sub)
{
  return stralloc_copym(sa, sub, "/", uniq.s) && stralloc_0(sa);
}

/* the rest of msgfd to fd: in-kernel when the file systems allow it;
   read/write finishes (and confirms the end) in every case */
static int copy(int fd, int msgfd)
{
  for (;;) {
    ssize_t r = copy_file_range(msgfd, 0, fd, 0, CHUNK * 16, 0);
    if (r > 0) continue;
    if (r == 0) break;
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF) break;
    return MAILDIR_EWRITE;
  }
  for (;;) {
    ssize_t r = read(msgfd, buf, sizeof buf);
    if (r == -1) { if (errno == EINTR) continue; return MAILDIR_EREAD; }
    if (!r) return MAILDIR_OK;
    if (fd_writeall(fd, buf, (unsigned long)r) == -1) return MAILDIR_EWRITE;
  }
}

static int write_message(int fd, int msgfd, const char *head, size_t headlen)
{
  int r;
  if (lseek(msgfd, 0, SEEK_SET) == -1) return MAILDIR_EREAD;
  if (fd_writeall(fd, head, headlen) == -1) return MAILDIR_EWRITE;
  r = copy(fd, msgfd);
  if (r == MAILDIR_OK && fsync(fd) == -1) r = MAILDIR_EWRITE;
  return r;
}

static int create_tmp(int dfd, int *fd)
{
  int i;
  for (i = 0; i < CREATE_TRIES; ++i) {
    if (!next_unique() || !path(&tmpname, "tmp")) return MAILDIR_ENOMEM;
    *fd = openat(dfd, tmpname.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (*fd != -1) return MAILDIR_OK;
    if (errno != EEXIST) break;
  }
  return MAILDIR_ECREATE;
}

static int link_new(int dfd)
{
  int i, fd;
  if (!path(&newname, "new")) return MAILDIR_ENOMEM;
  for (i = 0; linkat(dfd, tmpname.s, dfd, newname.s, 0) == -1; ++i) {
    /* a clash is astronomically rare, but then pick another name */
    if (errno != EEXIST || i == CREATE_TRIES) return MAILDIR_ELINK;
    if (!next_unique() || !path(&newname, "new")) return MAILDIR_ENOMEM;
  }
  fd = openat(dfd, "new", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1) return MAILDIR_ESYNC;
  i = fsync(fd);
  close(fd);
  return i == -1 ? MAILDIR_ESYNC : MAILDIR_OK;
}

int maildir_deliver(const char *dir, int msgfd, const char *head, size_t headlen)
{
  int dfd, fd, r, e;
  if (!gethost()) { errno = ENOMEM; return MAILDIR_ENOMEM; }
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd == -1) return MAILDIR_EDIR;
  r = create_tmp(dfd, &fd);
  if (r != MAILDIR_OK) { e = errno; close(dfd); errno = e; return r; }
  r = write_message(fd, msgfd, head, headlen);
  e = errno;
  if (close(fd) == -1 && r == MAILDIR_OK) { r = MAILDIR_EWRITE; e = errno; }
  if (r == MAILDIR_OK) { r = link_new(dfd); e = errno; }
  unlinkat(dfd, tmpname.s, 0);
  close(dfd);
  errno = e;
  return r;
}
