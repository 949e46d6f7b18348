#ifndef CONSTMAP_H
#define CONSTMAP_H
#include <stddef.h>
/* A read-only, case-insensitive hash table built over a list of
   NUL-terminated lines (as control_readfile gives). With splitchar, each
   line is "key<splitchar>value" (the first splitchar splits); without,
   lines are keys with empty values. Used for locals, rcpthosts,
   virtualdomains. */
struct constmap_entry { const char *key; size_t keylen; const char *value; size_t next; };
struct constmap {
  struct constmap_entry *e;
  size_t *bucket; /* index+1 into e, 0 = empty */
  size_t num, mask;
};
int constmap_init(struct constmap *cm, const char *s, size_t len, int splitchar); /* 1 ok, 0 nomem */
void constmap_free(struct constmap *cm);
/* the value (NUL-terminated) for key, or 0 */
const char *constmap_lookup(const struct constmap *cm, const char *key, size_t len);
#endif
