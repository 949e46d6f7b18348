#ifndef GETFIELD_H
#define GETFIELD_H
#include "buffer.h"
#include "stralloc.h"
/* Read one field ending in sep from b into sa (sep not included, no NUL
   added), reading at most max bytes of field. libowfat's token readers
   are unbounded; everything read from another process goes through here.
   Returns GETFIELD_OK, GETFIELD_EOF (clean end before any byte),
   GETFIELD_ERR (read error, errno), GETFIELD_LONG (over max),
   GETFIELD_PARTIAL (end of input inside a field). */
enum { GETFIELD_OK = 1, GETFIELD_EOF = 0, GETFIELD_ERR = -1,
       GETFIELD_LONG = -2, GETFIELD_PARTIAL = -3 };
int getfield(buffer *b, stralloc *sa, char sep, size_t max);
#endif
