#ifndef PRINTABLE_H
#define PRINTABLE_H
#include <stddef.h>
#include "stralloc.h"
/* Append s to sa with every byte outside printable ASCII shown as '?',
   so untrusted text can go into a log line. 1 ok, 0 nomem. */
int printable_cat(stralloc *sa, const char *s, size_t len);
#endif
