#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include "privdrop.h"

int priv_user(const char *name, uid_t *uid, gid_t *gid)
{
  struct passwd *pw = getpwnam(name);
  if (!pw) return -1;
  *uid = pw->pw_uid;
  if (gid) *gid = pw->pw_gid;
  return 0;
}

int priv_group(const char *name, gid_t *gid)
{
  struct group *gr = getgrnam(name);
  if (!gr) return -1;
  *gid = gr->gr_gid;
  return 0;
}

int priv_become(uid_t uid, gid_t gid)
{
  if (geteuid() != 0) {
    if (getuid() == uid && geteuid() == uid && getgid() == gid) return 0;
    if (getuid() == uid && geteuid() == uid && setgid(gid) == 0) return 0;
    errno = EPERM;
    return -1;
  }
  if (setgroups(1, &gid) == -1) return -1;
  if (setgid(gid) == -1) return -1;
  if (setuid(uid) == -1) return -1;
  if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
    errno = EPERM;
    return -1;
  }
  if (uid != 0 && setuid(0) == 0) { errno = EPERM; return -1; }
  return 0;
}
