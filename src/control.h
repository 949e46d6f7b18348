#ifndef CONTROL_H
#define CONTROL_H
#include "stralloc.h"
/* Control files (man 5 qmail-control). Paths are relative to the current
   directory, which programs set to auto_qmail. Each reader returns
   1 when the file was read, 0 when it does not exist (the default was
   used), -1 on a read error (errno set; EINVAL for a malformed value).
   Every string result is NUL-terminated. */

/* The first line, trailing white space removed. If the file is missing:
   control/me when flagme, else def (no value, when def is 0). */
int control_rldef(stralloc *sa, const char *fn, int flagme, const char *def);
int control_readline(stralloc *sa, const char *fn);
/* The first line as an unsigned decimal number. */
int control_readulong(unsigned long *u, const char *fn, unsigned long def);
/* Every line, comments (#) and blank lines dropped, white space trimmed,
   each line NUL-terminated in sa. */
int control_readfile(stralloc *sa, const char *fn, int flagme);

/* The parsers behind the readers, for tests. */
int control_parse_firstline(stralloc *out, const char *buf, size_t len);
int control_parse_lines(stralloc *out, const char *buf, size_t len);
int control_parse_ulong(unsigned long *u, const char *s, size_t len);
#endif
