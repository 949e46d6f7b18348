#ifndef USERSASSIGN_H
#define USERSASSIGN_H
#include <stddef.h>
#include "buffer.h"
#include "cdb.h"
#include "cdb_make.h"
#include "stralloc.h"
/* Who gets mail for a local address (man 5 qmail-users): users/assign
   lines, their compiled form in users/cdb, the lookup qmail-lspawn does
   in it, qmail-getpw's rule for the password database, and the answer
   both give: user\0uid\0gid\0homedir\0dash\0ext\0.

   users/cdb (qmail's layout, so an old qmail users/cdb still works):
     key "!" local-lowercased "\0"   value user\0uid\0gid\0home\0dash\0ext
     key "!" loc-lowercased          value user\0uid\0gid\0home\0dash\0pre
     key ""                          value: the last byte of every
                                     non-empty wildcard loc, lowercased
   A value has no final NUL: the lookup appends the rest of the address
   to pre for a wildcard, then the NUL. */

#define USERS_LINE_MAX 16384   /* bytes of one users/assign line */
#define USERS_ANSWER_MAX 16384 /* bytes of one answer (cdb value, getpw) */
#define USERS_NAME_MAX 32      /* qmail-getpw: longest account name tried */
#define USERS_ID_MAX 4294967294UL /* largest uid or gid; (uid_t)-1 is "none" */

/* One users/assign line. Pointers go into the caller's line. */
struct users_assign {
  int wild;                             /* 1: +loc, 0: =local */
  const char *local; size_t locallen;
  const char *user; size_t userlen;
  unsigned long uid, gid;
  const char *home; size_t homelen;
  const char *dash; size_t dashlen;
  const char *ext; size_t extlen;       /* pre, for a wildcard */
};

enum { USERS_LINE_BAD = 0, USERS_LINE_OK = 1, USERS_LINE_END = 2 };
/* Parse one line, without its newline. USERS_LINE_END for the final ".",
   USERS_LINE_BAD with *why set (a static phrase) for anything else that
   is not a well-formed =... or +... assignment. */
int users_assign_parse(struct users_assign *a, const char *line, size_t len,
                       const char **why);

/* The cdb key and value for a parsed line. 1 ok, 0 out of memory. */
int users_assign_key(stralloc *key, const struct users_assign *a);
int users_assign_value(stralloc *value, const struct users_assign *a);

/* Compile a whole users/assign from in into cm (started by the caller,
   not finished). Returns one of the USERS_MAKE codes; *line is the number
   of the line read last (for messages), *why the reason of a BAD. */
enum { USERS_MAKE_OK = 0, USERS_MAKE_BAD, USERS_MAKE_READ, USERS_MAKE_WRITE,
       USERS_MAKE_NOMEM };
int users_make(struct cdb_make *cm, buffer *in, unsigned long *line,
               const char **why);

/* Look local up in users/cdb (c): the first exact assignment, else the
   longest wildcard. local is the address as given (any case); the
   answer's ext keeps the case of the address. Returns 1 with the answer
   in out (NUL-terminated fields), 0 when nothing matches, -1 on a read
   error or a users/cdb that is not one (errno set), -2 out of memory. */
int users_cdb_find(struct cdb *c, const char *local, size_t len, stralloc *out);

/* An answer split into fields. Pointers into the answer, NUL-terminated. */
struct users_answer {
  const char *user;
  unsigned long uid, gid;
  const char *home, *dash, *ext;
};
/* 1 when s[0..len) is exactly six NUL-terminated fields with a non-empty
   user, decimal uid and gid, an absolute homedir; 0 when not. */
int users_answer_parse(struct users_answer *a, const char *s, size_t len);

/* qmail-getpw's rule: try the prefixes of local that end where local
   ends or before a '-', longest first, each lowercased and at most
   USERS_NAME_MAX bytes, and ask isuser(ctx, name) (1 yes, 0 no, -1
   temporary trouble). Returns 1 with *userlen set (the user is
   local[0..*userlen) lowercased; local[*userlen] is '-' or the end),
   0 when no prefix is a user, -1 when isuser said -1. */
int users_pw_split(const char *local, size_t len,
                   int (*isuser)(void *ctx, const char *name), void *ctx,
                   size_t *userlen);
#endif
