/* hier: the installed tree (hier.h). Owners and modes follow qmail 1.03
   and the queue table of doc/DESIGN.md. */
#include "auto.h"
#include "fmt.h"
#include "hier.h"

#define D(path, split, user, mode) { HIER_DIR, path, split, user, HIER_GQMAIL, mode }
#define P(name, user, mode) { HIER_PROGRAM, "bin/" name, 0, user, HIER_GQMAIL, mode }
#define OPT(name, user, mode) { HIER_OPTIONAL, "bin/" name, 0, user, HIER_GQMAIL, mode }

const struct hier_entry hier_table[] = {
  D(".", 0, HIER_ROOT, 0755),
  D("bin", 0, HIER_ROOT, 0755),
  D("control", 0, HIER_ROOT, 0755),
  D("users", 0, HIER_ROOT, 0755),
  D("man", 0, HIER_ROOT, 0755),
  D("man/man1", 0, HIER_ROOT, 0755),
  D("man/man5", 0, HIER_ROOT, 0755),
  D("man/man7", 0, HIER_ROOT, 0755),
  D("man/man8", 0, HIER_ROOT, 0755),
  /* setgid: what the alias user delivers stays in the qmail group */
  D("alias", 0, HIER_ALIAS, 02755),

  D("queue", 0, HIER_QMAILQ, 0750),
  D("queue/pid", 0, HIER_QMAILQ, 0700),
  D("queue/intd", 0, HIER_QMAILQ, 0700),
  D("queue/todo", 0, HIER_QMAILQ, 0750),
  D("queue/mess", 1, HIER_QMAILQ, 0750),
  D("queue/info", 1, HIER_QMAILS, 0700),
  D("queue/local", 1, HIER_QMAILS, 0700),
  D("queue/remote", 1, HIER_QMAILS, 0700),
  D("queue/bounce", 1, HIER_QMAILS, 0700),
  /* qmailq: the setuid qmail-queue must reach lock/trigger; qmail-send
     and qmail-todo come in through the group */
  D("queue/lock", 0, HIER_QMAILQ, 0750),
  { HIER_EMPTY, "queue/lock/sendmutex", 0, HIER_QMAILS, HIER_GQMAIL, 0600 },
  { HIER_EMPTY, "queue/lock/tcpto", 0, HIER_QMAILR, HIER_GQMAIL, 0644 },
  /* anyone may poke qmail-send; only qmail-send reads */
  { HIER_FIFO, "queue/lock/trigger", 0, HIER_QMAILS, HIER_GQMAIL, 0622 },

  /* the only way into the queue */
  P("qmail-queue", HIER_QMAILQ, 04711),
  /* run by root only */
  P("qmail-start", HIER_ROOT, 0700),
  P("qmail-lspawn", HIER_ROOT, 0700),
  P("qmail-newu", HIER_ROOT, 0700),
  /* daemons and helpers started under their own uids */
  P("qmail-send", HIER_ROOT, 0711),
  P("qmail-todo", HIER_ROOT, 0711),
  P("qmail-clean", HIER_ROOT, 0711),
  P("qmail-local", HIER_ROOT, 0711),
  P("qmail-getpw", HIER_ROOT, 0711),
  P("qmail-rspawn", HIER_ROOT, 0711),
  P("qmail-remote", HIER_ROOT, 0711),
  /* for everybody */
  P("qmail-inject", HIER_ROOT, 0755),
  P("sendmail", HIER_ROOT, 0755),
  P("qmail-qread", HIER_ROOT, 0755),
  P("qmail-qstat", HIER_ROOT, 0755),
  P("qmail-tcpto", HIER_ROOT, 0755),
  P("qmail-logstat", HIER_ROOT, 0755),
  P("qmail-showctl", HIER_ROOT, 0755),
  P("maildirmake", HIER_ROOT, 0755),
  P("qmailctl", HIER_ROOT, 0755),
  P("qmail-install", HIER_ROOT, 0755),
  /* run by tcpserver as qmaild; qmail-newmrh by root */
  P("qmail-smtpd", HIER_ROOT, 0755),
  P("qmail-newmrh", HIER_ROOT, 0700),
};
const size_t hier_count = sizeof hier_table / sizeof hier_table[0];

const char *hier_username(enum hier_user u)
{
  switch (u) {
    case HIER_ALIAS: return auto_usera;
    case HIER_QMAILD: return auto_userd;
    case HIER_QMAILL: return auto_userl;
    case HIER_ROOT: return auto_usero;
    case HIER_QMAILP: return auto_userp;
    case HIER_QMAILQ: return auto_userq;
    case HIER_QMAILR: return auto_userr;
    case HIER_QMAILS: return auto_users;
  }
  return "?";
}

const char *hier_groupname(enum hier_group g)
{
  return g == HIER_GNOFILES ? auto_groupn : auto_groupq;
}

const char *hier_kindname(enum hier_kind k)
{
  switch (k) {
    case HIER_DIR: return "directory";
    case HIER_PROGRAM: case HIER_OPTIONAL: case HIER_EMPTY: return "regular file";
    case HIER_FIFO: return "named pipe";
  }
  return "?";
}

static int catnum(stralloc *sa, unsigned long n, int base8)
{
  char buf[FMT_ULONG];
  size_t len = base8 ? fmt_8long(buf, n) : fmt_ulong(buf, n);
  if (base8 && !stralloc_cats(sa, "0")) return 0; /* octal, as chmod shows it */
  return stralloc_catb(sa, buf, len);
}

int hier_walk(hier_fn fn, void *arg, unsigned int split)
{
  static stralloc path;
  size_t i;
  unsigned int s;
  int r;
  for (i = 0; i < hier_count; ++i) {
    const struct hier_entry *e = &hier_table[i];
    if ((r = fn(e, e->path, arg))) return r;
    for (s = 0; e->split && s < split; ++s) {
      if (!stralloc_copys(&path, e->path)) return -1;
      if (!stralloc_cats(&path, "/")) return -1;
      if (!catnum(&path, s, 0) || !stralloc_0(&path)) return -1;
      if ((r = fn(e, path.s, arg))) return r;
    }
  }
  return 0;
}

static int kind_matches(enum hier_kind k, mode_t m)
{
  switch (k) {
    case HIER_DIR: return S_ISDIR(m);
    case HIER_FIFO: return S_ISFIFO(m);
    default: return S_ISREG(m);
  }
}

int hier_saydiff(stralloc *out, int before, const char *what, unsigned long got,
                 unsigned long want, int base8, const char *name)
{
  if (before && !stralloc_cats(out, "; ")) return 0;
  if (!stralloc_cats(out, what) || !stralloc_cats(out, " ")) return 0;
  if (!catnum(out, got, base8) || !stralloc_cats(out, ", want ")) return 0;
  if (!catnum(out, want, base8)) return 0;
  if (name && (!stralloc_cats(out, " (") || !stralloc_cats(out, name) ||
               !stralloc_cats(out, ")"))) return 0;
  return 1;
}

static int say(stralloc *out, int *n, const char *what, unsigned long got,
               unsigned long want, int base8, const char *name)
{
  return hier_saydiff(out, (*n)++, what, got, want, base8, name) ? 0 : -1;
}

int hier_compare(stralloc *out, const struct hier_entry *e,
                 const struct stat *st, uid_t uid, gid_t gid)
{
  int n = 0;
  mode_t perm = st->st_mode & 07777;
  if (!kind_matches(e->kind, st->st_mode)) {
    if (!stralloc_cats(out, "not a ")) return -1;
    if (!stralloc_cats(out, hier_kindname(e->kind))) return -1;
    return 1; /* owner and mode of the wrong object do not matter */
  }
  if (st->st_uid != uid &&
      say(out, &n, "owner", st->st_uid, uid, 0, hier_username(e->user)) == -1)
    return -1;
  if (st->st_gid != gid &&
      say(out, &n, "group", st->st_gid, gid, 0, hier_groupname(e->group)) == -1)
    return -1;
  if (perm != e->mode && say(out, &n, "mode", perm, e->mode, 1, 0) == -1)
    return -1;
  return n;
}
