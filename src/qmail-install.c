/* qmail-install: installs neoqmail under auto_qmail from a build
   directory, or checks an installed tree against the table in hier.c
   (qmail-install(8)). Programs are replaced through a temporary file and
   rename; queue contents and control files are never touched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "fdmove.h"
#include "hier.h"
#include "privdrop.h"
#include "str.h"
#include "stralloc.h"
#include "syncdir.h"

#define COPY_CHUNK 65536
#define MAN_MODE 0644

static void usage(void) { fatal(100, "usage: qmail-install BUILDDIR MANDIR, or qmail-install -c"); }
static void temp_nomem(void) { fatal(111, "out of memory"); }
static void temp_home(void) { fatal(111, "unable to make or enter ", auto_qmail, ": ", error_str(errno)); }
static void temp_src(const char *dir) { fatal(111, "unable to open ", dir, ": ", error_str(errno)); }
static void temp_user(const char *name) { fatal(111, "unknown user ", name, ": create the users first (make setup)"); }
static void temp_group(const char *name) { fatal(111, "unknown group ", name, ": create the groups first (make setup)"); }
static void temp_obj(const char *what, const char *path) { fatal(111, "unable to ", what, " ", auto_qmail, "/", path, ": ", error_str(errno)); }
static void temp_kind(const char *path, const char *want) { fatal(111, auto_qmail, "/", path, " exists and is not a ", want); }
static void temp_read(const char *dir, const char *name) { fatal(111, "unable to read ", dir, "/", name, ": ", error_str(errno)); }
static void temp_out(void) { fatal(111, "unable to write output: ", error_str(errno)); }

static char outspace[4096];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);
static uid_t uids[HIER_USERS];
static gid_t gids[HIER_GROUPS];
static int dochown;     /* set owners (root, real install), or leave them */
static int buildfd = -1;
static const char *builddir;
static int problems;

static void lookup_roles(void)
{
  int u, g;
  for (u = 0; u < HIER_USERS; ++u)
    if (priv_user(hier_username(u), &uids[u], 0) == -1) temp_user(hier_username(u));
  for (g = 0; g < HIER_GROUPS; ++g)
    if (priv_group(hier_groupname(g), &gids[g]) == -1) temp_group(hier_groupname(g));
}

/* One owner for everything: the owner of the home directory. */
static void one_owner(void)
{
  struct stat st;
  int i;
  if (stat(".", &st) == -1) temp_home();
  for (i = 0; i < HIER_USERS; ++i) uids[i] = st.st_uid;
  for (i = 0; i < HIER_GROUPS; ++i) gids[i] = st.st_gid;
}

static void set_owner_mode(const struct hier_entry *e, const char *path)
{
  /* chown first: it clears the setuid bit */
  if (dochown && chown(path, uids[e->user], gids[e->group]) == -1) temp_obj("chown", path);
  if (chmod(path, e->mode) == -1) temp_obj("chmod", path);
}

static void make_dir(const struct hier_entry *e, const char *path)
{
  struct stat st;
  if (stat(path, &st) == -1) {
    if (errno != ENOENT) temp_obj("stat", path);
    if (mkdir(path, 0700) == -1) temp_obj("make directory", path);
  } else if (!S_ISDIR(st.st_mode)) temp_kind(path, "directory");
  set_owner_mode(e, path);
}

static void make_node(const struct hier_entry *e, const char *path)
{
  struct stat st;
  int fd;
  if (lstat(path, &st) == 0) {
    int right = e->kind == HIER_FIFO ? S_ISFIFO(st.st_mode) : S_ISREG(st.st_mode);
    if (!right) temp_kind(path, hier_kindname(e->kind));
  } else if (errno != ENOENT) temp_obj("stat", path);
  else if (e->kind == HIER_FIFO) {
    if (mkfifo(path, 0600) == -1) temp_obj("make named pipe", path);
  } else {
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1 || fsync(fd) == -1 || close(fd) == -1) temp_obj("create", path);
  }
  set_owner_mode(e, path);
}

static void copy_data(int in, int out, const char *dir, const char *name, const char *tmp)
{
  static char buf[COPY_CHUNK];
  for (;;) {
    ssize_t r = read(in, buf, sizeof buf);
    if (r == -1) { if (errno == EINTR) continue; temp_read(dir, name); }
    if (r == 0) return;
    if (fd_writeall(out, buf, (unsigned long)r) == -1) temp_obj("write", tmp);
  }
}

/* Replaces path with the contents of fd `in' (named name) atomically:
   a running program keeps its old file, a new exec gets the new one. */
static void install_file(int in, const char *dir, const char *name, const char *path,
                         uid_t uid, gid_t gid, mode_t mode)
{
  static stralloc tmp;
  size_t slash = str_rchr(path, '/');
  int out;
  if (!stralloc_copyb(&tmp, path, slash + 1)) temp_nomem();
  if (!stralloc_cats(&tmp, ".") || !stralloc_cats(&tmp, path + slash + 1)) temp_nomem();
  if (!stralloc_cats(&tmp, ".tmp") || !stralloc_0(&tmp)) temp_nomem();
  if (unlink(tmp.s) == -1 && errno != ENOENT) temp_obj("remove", tmp.s);
  out = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out == -1) temp_obj("create", tmp.s);
  copy_data(in, out, dir, name, tmp.s);
  if (fsync(out) == -1) temp_obj("write", tmp.s);
  if (dochown && fchown(out, uid, gid) == -1) temp_obj("chown", tmp.s);
  if (fchmod(out, mode) == -1) temp_obj("chmod", tmp.s);
  if (close(out) == -1) temp_obj("write", tmp.s);
  if (rename(tmp.s, path) == -1) temp_obj("rename to", path);
}

static void install_program(const struct hier_entry *e, const char *path)
{
  const char *name = path + str_rchr(path, '/') + 1;
  int in = openat(buildfd, name, O_RDONLY | O_CLOEXEC);
  if (in == -1) {
    if (errno == ENOENT && e->kind == HIER_OPTIONAL) return;
    temp_read(builddir, name);
  }
  install_file(in, builddir, name, path, uids[e->user], gids[e->group], e->mode);
  close(in);
}

static int install_one(const struct hier_entry *e, const char *path, void *arg)
{
  switch (e->kind) {
    case HIER_DIR: make_dir(e, path); break;
    case HIER_PROGRAM: case HIER_OPTIONAL: install_program(e, path); break;
    case HIER_EMPTY: case HIER_FIFO: make_node(e, path); break;
  }
  return 0;
}

/* man pages are NAME.S with section S a digit; they go to man/manS/ */
static int man_section(const char *name)
{
  size_t len = str_len(name);
  if (name[0] == '.' || len < 3 || name[len - 2] != '.') return 0;
  if (name[len - 1] < '1' || name[len - 1] > '9') return 0;
  return name[len - 1];
}

static void install_man(int mandirfd, const char *mandir)
{
  static stralloc path;
  struct dirent *de;
  struct stat st;
  DIR *d = fdopendir(mandirfd);
  if (!d) temp_src(mandir);
  while ((de = readdir(d))) {
    char s = (char)man_section(de->d_name);
    int in;
    if (!s) continue;
    if (!stralloc_copys(&path, "man/man") || !stralloc_append(&path, &s)) temp_nomem();
    if (!stralloc_0(&path)) temp_nomem();
    if (stat(path.s, &st) == -1) { warning("no ", path.s, "/ for ", de->d_name); continue; }
    path.s[path.len - 1] = '/';
    if (!stralloc_cats(&path, de->d_name) || !stralloc_0(&path)) temp_nomem();
    in = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
    if (in == -1) temp_read(mandir, de->d_name);
    install_file(in, mandir, de->d_name, path.s, uids[HIER_ROOT], gids[HIER_GQMAIL], MAN_MODE);
    close(in);
  }
  closedir(d);
}

static int sync_one(const struct hier_entry *e, const char *path, void *arg)
{
  if (e->kind == HIER_DIR && fsync_dir(path) == -1) temp_obj("sync", path);
  return 0;
}

static void report(const char *path, const char *what, size_t len)
{
  ++problems;
  if (bufwrite_puts(&out, auto_qmail) == -1) temp_out();
  if (!str_equal(path, ".") && (bufwrite_puts(&out, "/") == -1 ||
                                bufwrite_puts(&out, path) == -1)) temp_out();
  if (bufwrite_puts(&out, ": ") == -1 || bufwrite_put(&out, what, len) == -1) temp_out();
  if (bufwrite_puts(&out, "\n") == -1) temp_out();
}

static int check_one(const struct hier_entry *e, const char *path, void *arg)
{
  static stralloc what;
  struct stat st;
  int r = e->kind == HIER_DIR ? stat(path, &st) : lstat(path, &st);
  if (r == -1) {
    const char *why = errno == ENOENT ? "missing" : error_str(errno);
    if (errno != ENOENT || e->kind != HIER_OPTIONAL) report(path, why, str_len(why));
    return 0;
  }
  what.len = 0;
  r = hier_compare(&what, e, &st, uids[e->user], gids[e->group]);
  if (r == -1) temp_nomem();
  if (r) report(path, what.s, what.len);
  return 0;
}

/* ---- what qmail-install does not make, but reads or runs as another
   user: files the administrator and make setup write ---- */

/* The rule for the files of one directory: owner (a role, or ANY_OWNER),
   group (a role, or ANY_GROUP), the mode bits it must not have, those it
   must have, and the mode to suggest. */
#define ANY_OWNER (-1)
#define ANY_GROUP (-1)
struct file_rule {
  const char *dir;
  const char *prefix;    /* only names starting with this; 0: every name
                            not starting with '.' */
  int user, group;
  mode_t forbid, need, want;
};

static const struct file_rule file_rules[] = {
  /* read by every role; changed by root only */
  { "control", 0, HIER_ROOT, ANY_GROUP, 07022, 0444, 0644 },
  { "users", 0, HIER_ROOT, ANY_GROUP, 07022, 0, 0644 },
  /* qmail-local defers the alias user's mail while these are writable
     by others */
  { "alias", ".qmail", ANY_OWNER, ANY_GROUP, 07002, 0, 0644 },
  { "man/man1", 0, HIER_ROOT, HIER_GQMAIL, 07133, 0644, MAN_MODE },
  { "man/man5", 0, HIER_ROOT, HIER_GQMAIL, 07133, 0644, MAN_MODE },
  { "man/man7", 0, HIER_ROOT, HIER_GQMAIL, 07133, 0644, MAN_MODE },
  { "man/man8", 0, HIER_ROOT, HIER_GQMAIL, 07133, 0644, MAN_MODE },
};

static void check_file(const struct file_rule *r, const char *path)
{
  static stralloc what;
  struct stat st;
  mode_t perm;
  int n = 0;
  if (stat(path, &st) == -1) { report(path, error_str(errno), str_len(error_str(errno))); return; }
  if (!S_ISREG(st.st_mode)) return;  /* a subdirectory is not ours to judge */
  perm = st.st_mode & 07777;
  what.len = 0;
  if (r->user != ANY_OWNER && st.st_uid != uids[r->user]) {
    if (!hier_saydiff(&what, n++, "owner", st.st_uid, uids[r->user], 0, hier_username(r->user))) temp_nomem();
  }
  if (r->group != ANY_GROUP && st.st_gid != gids[r->group]) {
    if (!hier_saydiff(&what, n++, "group", st.st_gid, gids[r->group], 0, hier_groupname(r->group))) temp_nomem();
  }
  if ((perm & r->forbid) || (perm & r->need) != r->need) {
    if (!hier_saydiff(&what, n++, "mode", perm, r->want, 1, 0)) temp_nomem();
  }
  if (n) report(path, what.s, what.len);
}

/* every file of r->dir the rule covers, in name order */
static void check_dir(const struct file_rule *r)
{
  static stralloc path;
  struct dirent **list;
  int n, i;
  n = scandir(r->dir, &list, 0, alphasort);
  if (n == -1) {
    if (errno != ENOENT) report(r->dir, error_str(errno), str_len(error_str(errno)));
    return;  /* missing: the table's check has said so */
  }
  for (i = 0; i < n; ++i) {
    const char *name = list[i]->d_name;
    int mine = r->prefix ? str_start(name, r->prefix) : name[0] != '.';
    if (mine) {
      if (!stralloc_copys(&path, r->dir) || !stralloc_cats(&path, "/") ||
          !stralloc_cats(&path, name) || !stralloc_0(&path)) temp_nomem();
      check_file(r, path.s);
    }
    free(list[i]);
  }
  free(list);
}

/* service/NAME/run and service/NAME/log/run: run by root through supervise */
static void check_services(void)
{
  static const struct file_rule run = { "service", 0, HIER_ROOT, ANY_GROUP, 07022, 0100, 0755 };
  static stralloc path;
  struct dirent **list;
  struct stat st;
  int n, i;
  n = scandir("service", &list, 0, alphasort);
  if (n == -1) {
    if (errno != ENOENT) report("service", error_str(errno), str_len(error_str(errno)));
    return;  /* no services yet: nothing to check */
  }
  for (i = 0; i < n; ++i) {
    const char *name = list[i]->d_name;
    const char *runs[] = { "/run", "/log/run" };
    size_t k;
    for (k = 0; name[0] != '.' && k < 2; ++k) {
      if (!stralloc_copys(&path, "service/") || !stralloc_cats(&path, name) ||
          !stralloc_cats(&path, runs[k]) || !stralloc_0(&path)) temp_nomem();
      if (lstat(path.s, &st) == 0 || errno != ENOENT) check_file(&run, path.s);
    }
    free(list[i]);
  }
  free(list);
}

static void check_files(void)
{
  size_t i;
  for (i = 0; i < sizeof file_rules / sizeof file_rules[0]; ++i) check_dir(&file_rules[i]);
  check_services();
}

/* An install made by root for real users has its home owned by the root
   role; anything else was made without chown and has one owner. */
static void check_roles(void)
{
  struct stat st;
  uid_t root;
  if (stat(".", &st) == -1) temp_home();
  if (!auto_sandbox && priv_user(auto_usero, &root, 0) == 0 && st.st_uid == root)
    lookup_roles();
  else
    one_owner();
}

static int check(void)
{
  if (chdir(auto_qmail) == -1) temp_home();
  check_roles();
  if (hier_walk(check_one, 0, auto_split) == -1) temp_nomem();
  check_files();
  if (bufwrite_flush(&out) == -1) temp_out();
  return problems ? 1 : 0;
}

static int install(const char *mandir)
{
  int mandirfd;
  buildfd = open(builddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (buildfd == -1) temp_src(builddir);
  mandirfd = open(mandir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mandirfd == -1) temp_src(mandir);
  dochown = !auto_sandbox && geteuid() == 0;
  if (dochown) lookup_roles();
  if (mkdir(auto_qmail, 0700) == -1 && errno != EEXIST) temp_home();
  if (chdir(auto_qmail) == -1) temp_home();
  if (!dochown) one_owner();
  if (hier_walk(install_one, 0, auto_split) == -1) temp_nomem();
  install_man(mandirfd, mandir);
  if (hier_walk(sync_one, 0, auto_split) == -1) temp_nomem();
  return 0;
}

int main(int argc, char **argv)
{
  die_program("qmail-install");
  umask(022);
  if (argc == 2 && str_equal(argv[1], "-c")) return check();
  if (argc != 3 || argv[1][0] == '-') usage();
  builddir = argv[1];
  return install(argv[2]);
}
