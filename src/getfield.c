#include "byte.h"
#include "getfield.h"

int getfield(buffer *b, stralloc *sa, char sep, size_t max)
{
  stralloc_zero(sa);
  for (;;) {
    ssize_t avail = buffer_feed(b);
    char *p;
    size_t n, take;
    if (avail < 0) return GETFIELD_ERR;
    if (avail == 0) return sa->len ? GETFIELD_PARTIAL : GETFIELD_EOF;
    p = buffer_peek(b);
    n = byte_chr(p, (size_t)avail, sep);
    take = n;
    if (sa->len + take > max) return GETFIELD_LONG;
    if (!stralloc_catb(sa, p, take)) return GETFIELD_ERR;
    if (n < (size_t)avail) { buffer_seek(b, n + 1); return GETFIELD_OK; }
    buffer_seek(b, n);
  }
}
