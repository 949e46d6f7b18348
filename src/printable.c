#include "printable.h"

int printable_cat(stralloc *sa, const char *s, size_t len)
{
  size_t i;
  if (!stralloc_readyplus(sa, len)) return 0;
  for (i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)s[i];
    sa->s[sa->len++] = (c < 32 || c > 126) ? '?' : (char)c;
  }
  return 1;
}
