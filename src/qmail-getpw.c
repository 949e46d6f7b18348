/* qmail-getpw: which user controls a local address. Usage:
     qmail-getpw local
   Prints user\0uid\0gid\0homedir\0dash\0ext\0 (qmail-getpw(8)): the
   account named by the longest prefix of local that ends before a '-'
   (lowercased, nonzero uid, home directory it owns), else the alias user
   with ext = local. In a sandbox the password database is never read:
   every address belongs to the alias user, who is the sandbox's user.
   qmail-lspawn runs it as qmailp. Exit 0, 100 no such user and no alias
   user, 111 temporary trouble (said on stderr). */
#include <errno.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "byte.h"
#include "die.h"
#include "fmt.h"
#include "str.h"
#include "stralloc.h"
#include "usersassign.h"

#define PWBUF_START 16384
#define PWBUF_MAX (1024UL * 1024) /* getpwnam_r's buffer, at most */

static void die_usage(void) { fatal(111, "usage: qmail-getpw local"); }
static void die_nomem(void) { fatal(111, "out of memory"); }
static void die_write(void) { fatal(111, "unable to write the answer: ", error_str(errno)); }
static void die_pw(const char *name) { fatal(111, "unable to look up user ", name, ": ", error_str(errno)); }
static void die_home(const char *h) { fatal(111, "unable to look at home directory ", h, ": ", error_str(errno)); }
static void perm_noalias(void) { _exit(100); }

/* 1 found, 0 no such user, -1 trouble (errno). getpwnam_r tells the two
   apart, unlike getpwnam. */
static int lookup(const char *name, struct passwd *pw)
{
  static stralloc buf;
  struct passwd *res;
  size_t size = buf.a ? buf.a : PWBUF_START;
  for (;;) {
    int r;
    if (!stralloc_ready(&buf, size)) die_nomem();
    r = getpwnam_r(name, pw, buf.s, buf.a, &res);
    if (r == 0) return res ? 1 : 0;
    if (r == ENOENT || r == ESRCH || r == EBADF || r == EPERM) return 0;
    if (r != ERANGE || size >= PWBUF_MAX) { errno = r; return -1; }
    size *= 2;
  }
}

struct found {
  struct passwd pw;
  char name[USERS_NAME_MAX + 1];  /* the account that gave trouble */
  const char *failed;             /* it, or its home directory */
};

/* qmail's rules: a user has a nonzero uid and owns an existing home. */
static int isuser(void *ctx, const char *name)
{
  struct found *f = ctx;
  struct stat st;
  int r = lookup(name, &f->pw);
  if (r == -1) {
    byte_copy(f->name, str_len(name) + 1, name); /* at most USERS_NAME_MAX */
    f->failed = f->name;
    return -1;
  }
  if (r == 0) return 0;
  if (!f->pw.pw_uid) return 0;
  if (stat(f->pw.pw_dir, &st) == -1) {
    if (errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
        errno == ENAMETOOLONG || errno == ELOOP)
      return 0;
    f->failed = f->pw.pw_dir;
    return -1;
  }
  return st.st_uid == f->pw.pw_uid;
}

static char outspace[1024];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

static void put(const char *s)
{
  if (bufwrite_puts(&out, s) == -1 || bufwrite_put(&out, "", 1) == -1) die_write();
}

static void putnum(unsigned long n)
{
  char num[FMT_ULONG];
  num[fmt_ulong(num, n)] = 0;
  put(num);
}

static void answer(const char *user, unsigned long uid, unsigned long gid,
                   const char *home, const char *dash, const char *ext)
{
  put(user);
  putnum(uid);
  putnum(gid);
  put(home);
  put(dash);
  put(ext);
  if (bufwrite_flush(&out) == -1) die_write();
  _exit(0);
}

static void sandbox(const char *local)
{
  static stralloc home;
  if (!stralloc_copys(&home, auto_qmail) || !stralloc_cats(&home, "/alias") ||
      !stralloc_0(&home))
    die_nomem();
  answer(auto_usera, getuid(), getgid(), home.s, "-", local);
}

int main(int argc, char **argv)
{
  struct found f;
  const char *local;
  size_t len, userlen;
  int r;
  die_program("qmail-getpw");
  if (argc < 2) die_usage();
  local = argv[1];
  if (auto_sandbox) sandbox(local);
  len = str_len(local);
  r = users_pw_split(local, len, isuser, &f, &userlen);
  if (r == -1) { if (f.failed == f.name) die_pw(f.failed); die_home(f.failed); }
  if (r == 1) {
    if (userlen == len) answer(f.pw.pw_name, f.pw.pw_uid, f.pw.pw_gid, f.pw.pw_dir, "", "");
    answer(f.pw.pw_name, f.pw.pw_uid, f.pw.pw_gid, f.pw.pw_dir, "-", local + userlen + 1);
  }
  r = lookup(auto_usera, &f.pw);
  if (r == -1) die_pw(auto_usera);
  if (r == 0) perm_noalias();
  answer(f.pw.pw_name, f.pw.pw_uid, f.pw.pw_gid, f.pw.pw_dir, "-", local);
  return 111;
}
