#ifndef HIER_H
#define HIER_H
#include <sys/stat.h>
#include <sys/types.h>
#include "stralloc.h"
/* Every directory and file that qmail-install makes under auto_qmail,
   with its kind, owner role, group role and mode: one table, read both by
   the installer and by its check mode (qmail-install -c). Manual pages are
   not listed: qmail-install copies whatever the build's man/ holds. */

enum hier_kind {
  HIER_DIR,      /* directory, made when missing */
  HIER_PROGRAM,  /* bin/NAME, copied from the build directory every time */
  HIER_OPTIONAL, /* like HIER_PROGRAM, when the build has it */
  HIER_EMPTY,    /* regular file, made empty when missing; contents kept */
  HIER_FIFO      /* named pipe */
};

/* The roles, in the order of conf-users and conf-groups (auto.h). */
enum hier_user {
  HIER_ALIAS, HIER_QMAILD, HIER_QMAILL, HIER_ROOT,
  HIER_QMAILP, HIER_QMAILQ, HIER_QMAILR, HIER_QMAILS
};
#define HIER_USERS 8
enum hier_group { HIER_GQMAIL, HIER_GNOFILES };
#define HIER_GROUPS 2

struct hier_entry {
  enum hier_kind kind;
  const char *path;      /* relative to auto_qmail; "." is auto_qmail */
  int split;             /* 1: also path/0 .. path/(split-1), same owner */
  enum hier_user user;
  enum hier_group group;
  mode_t mode;           /* permission bits, with setuid/setgid */
};

extern const struct hier_entry hier_table[];
extern const size_t hier_count;

/* The role names compiled in (auto.h). */
const char *hier_username(enum hier_user u);
const char *hier_groupname(enum hier_group g);

/* Calls fn(entry, path, arg) for every object in creation order (a
   directory before what it holds), split directories expanded into
   `split' subdirectories. Stops at the first nonzero return of fn and
   returns it; 0 when done; -1 when out of memory. */
typedef int (*hier_fn)(const struct hier_entry *e, const char *path, void *arg);
int hier_walk(hier_fn fn, void *arg, unsigned int split);

/* Compares an existing object (st, from stat for directories and lstat
   otherwise) with what e wants, owned by uid:gid. Appends a description
   of every difference to out ("mode 0644, want 0622"; several joined by
   "; "), not NUL-terminated. Returns the number of differences, or -1
   when out of memory. */
int hier_compare(stralloc *out, const struct hier_entry *e,
                 const struct stat *st, uid_t uid, gid_t gid);

/* Appends "what GOT, want WANT (name)" to out, after "; " when before is
   nonzero; numbers in octal with a leading 0 when base8; no "(name)"
   when name is 0. 1 done, 0 out of memory. */
int hier_saydiff(stralloc *out, int before, const char *what, unsigned long got,
                 unsigned long want, int base8, const char *name);

/* The name of a kind for messages ("directory", "named pipe", ...). */
const char *hier_kindname(enum hier_kind k);
#endif
