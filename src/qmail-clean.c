/* qmail-clean: removes queue files on request of qmail-send or qmail-todo.
   It runs as qmailq, the owner of pid/, intd/, todo/ and mess/. Requests
   on fd 0, one reply byte each on fd 1 (doc/DESIGN.md, qmail-clean(8)). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "die.h"
#include "getfield.h"
#include "qfile.h"
#include "scan.h"
#include "sig.h"
#include "stralloc.h"

#define ID_MAX 40

static void die_home(void) { fatal(111, "unable to switch to queue directory: ", error_str(errno)); }
static void die_proto(void) { fatal(111, "malformed request from the scheduler"); }
static void die_read(void) { fatal(111, "unable to read request: ", error_str(errno)); }
static void die_write(void) { fatal(111, "unable to write reply: ", error_str(errno)); }
static void die_nomem(void) { fatal(111, "out of memory"); }

static stralloc fn;

/* 0 if the file is gone (or never was), -1 otherwise */
static int remove_file(const char *dir, unsigned long id)
{
  if (!qfile_name(&fn, dir, id)) die_nomem();
  if (unlink(fn.s) == 0 || errno == ENOENT) return 0;
  warning("unable to unlink ", fn.s, ": ", error_str(errno));
  return -1;
}

static int clean_todo(unsigned long id)
{
  /* todo first: an intd/ID without todo/ID is recognisable garbage */
  int r = remove_file("todo", id);
  if (remove_file("intd", id) == -1) r = -1;
  return r;
}

static int clean_message(unsigned long id)
{
  int r = remove_file("intd", id);
  if (remove_file("todo", id) == -1) r = -1;
  if (remove_file("mess", id) == -1) r = -1;
  return r;
}

/* A pid/ file whose flock we can take belongs to a dead qmail-queue. */
static void scan_pid(void)
{
  DIR *d = opendir("pid");
  struct dirent *de;
  if (!d) { warning("unable to scan pid/: ", error_str(errno)); return; }
  while ((de = readdir(d))) {
    int fd;
    if (de->d_name[0] == '.') continue;
    if (!stralloc_copys(&fn, "pid/") || !stralloc_cats(&fn, de->d_name) || !stralloc_0(&fn)) die_nomem();
    fd = open(fn.s, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
      if (unlink(fn.s) == -1 && errno != ENOENT)
        warning("unable to unlink ", fn.s, ": ", error_str(errno));
    close(fd);
  }
  closedir(d);
}

/* intd/ID with no mess/S/ID is left from a removed message. */
static void scan_intd(void)
{
  DIR *d = opendir("intd");
  struct dirent *de;
  struct stat st;
  if (!d) { warning("unable to scan intd/: ", error_str(errno)); return; }
  while ((de = readdir(d))) {
    unsigned long id;
    size_t n = scan_ulong(de->d_name, &id);
    if (!n || de->d_name[n]) continue;
    if (!qfile_name(&fn, "mess", id)) die_nomem();
    if (stat(fn.s, &st) == -1 && errno == ENOENT) remove_file("intd", id);
  }
  closedir(d);
}

static int handle(const stralloc *req)
{
  unsigned long id;
  size_t n;
  if (req->len < 2) die_proto();
  /* the stralloc holds the previous, maybe longer, request beyond len */
  n = scan_ulongn(req->s + 1, req->len - 1, &id);
  if (n != req->len - 1) die_proto();
  switch (req->s[0]) {
    case 't': return clean_todo(id);
    case 'm': return clean_message(id);
    case 's': scan_pid(); scan_intd(); return 0;
    default: die_proto();
  }
  return -1;
}

int main(void)
{
  static char inbuf[1024];
  buffer in = BUFFER_INIT(read, 0, inbuf, sizeof inbuf);
  static stralloc req;
  die_program("qmail-clean");
  sig_ignore(SIGPIPE);
  if (chdir(auto_qmail) == -1 || chdir("queue") == -1) die_home();
  for (;;) {
    char reply;
    int r = getfield(&in, &req, 0, ID_MAX);
    if (r == GETFIELD_EOF) return 0;
    if (r == GETFIELD_ERR) die_read();
    if (r != GETFIELD_OK) die_proto();
    reply = handle(&req) == 0 ? '+' : '!';
    if (write(1, &reply, 1) != 1) die_write();
  }
}
