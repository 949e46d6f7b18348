#ifndef DOTQMAIL_H
#define DOTQMAIL_H
#include <stddef.h>
#include "stralloc.h"
/* .qmail files (dot-qmail(5)): which file holds the instructions for an
   extension, and what each line of it means. */

/* A .qmail file larger than this is refused (temporary failure): a
   forward list of 100,000 addresses still fits. */
#define DOTQMAIL_MAX (8UL * 1024 * 1024)

enum dq_type {
  DQ_BLANK,   /* empty line: allowed, except as the first line */
  DQ_COMMENT, /* # ... */
  DQ_PROGRAM, /* |command */
  DQ_FORWARD, /* &address, or any line starting with another character */
  DQ_MBOX,    /* starts with / or ., no trailing / */
  DQ_MAILDIR, /* starts with / or ., trailing / */
  DQ_OPTION   /* +word: "+list" forbids file and program lines */
};

/* One line, without its newline. Trailing spaces and tabs are ignored.
   arg/len: the command (after |), the address (after & if present), the
   path, or the option word (after +); the whole trimmed line otherwise. */
struct dq_line { enum dq_type type; const char *arg; size_t len; };
void dotqmail_line(struct dq_line *out, const char *line, size_t len);

/* The extension as it appears in file names: lower case, every '.'
   turned into ':' (so that ".." cannot name a parent directory).
   1 ok, 0 out of memory. */
int dotqmail_safeext(stralloc *out, const char *ext, size_t len);

/* The files tried for an extension, in order. For dash "-" and ext
   "a-b": .qmail-a-b, .qmail-a-default, .qmail-default. With an empty
   dash (the user's own address) only .qmail itself. */
struct dq_search {
  const char *dash;
  const char *ext; size_t extlen; /* safe extension */
  size_t pos;                     /* next cut point for -default */
  int state;                      /* 0 exact name next, 1 defaults, 2 done */
};
void dotqmail_search_init(struct dq_search *s, const char *dash, const char *safeext, size_t len);
/* 1: fn holds the next name (NUL-terminated, len excludes the NUL);
   *defaultpos is where $DEFAULT starts in ext, or (size_t)-1 when the
   name sets no DEFAULT. 0: no names left. -1: out of memory. */
int dotqmail_search_next(struct dq_search *s, stralloc *fn, size_t *defaultpos);

/* Opening the file: the first name of the search that is a regular
   file. Results: */
enum {
  DQ_FOUND = 1,     /* *fd open, *executable = user-x bit */
  DQ_NONE = 0,      /* none of the names exists */
  DQ_ERROR = -1,    /* temporary error on fn (errno) */
  DQ_WRITABLE = -2, /* fn is world-writable: defer */
  DQ_NOMEM = -3
};
int dotqmail_find(struct dq_search *s, stralloc *fn, int *fd, int *executable, size_t *defaultpos);
/* Does .qmail<dash><safeext><suffix> exist? 1, 0, or -1 (temporary
   error, errno; or out of memory, errno ENOMEM). fn gets the name. */
int dotqmail_exists(stralloc *fn, const char *dash, const char *safeext, size_t len, const char *suffix);
/* Read a whole .qmail file into sa and close fd. 0 ok, -1 error (errno;
   EFBIG when it is over DOTQMAIL_MAX). */
int dotqmail_read(int fd, stralloc *sa);

/* The envelope sender for forwards and $NEWSENDER: the original sender,
   except that a non-bounce (sender neither empty nor "#@[]") to an
   extension with an -owner file gets local-owner@host, or with -owner and
   -owner-default the VERP form local-owner-@host-@[]. NUL-terminated.
   1 ok, 0 out of memory. */
int dotqmail_newsender(stralloc *out, const char *sender, const char *local,
                       const char *host, int owner, int ownerdefault);
#endif
