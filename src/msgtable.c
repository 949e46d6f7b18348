#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "msgtable.h"

static size_t slot(const struct msgtable *t, unsigned long id)
{
  unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 20) & (t->cap - 1);
}

struct msg *msgtable_find(const struct msgtable *t, unsigned long id)
{
  size_t i;
  if (!t->cap) return 0;
  for (i = slot(t, id); t->m[i].used; i = (i + 1) & (t->cap - 1))
    if (t->m[i].id == id) return &t->m[i];
  return 0;
}

#define CAP_MIN 1024

/* Rehash every entry into a table of cap slots (a power of two that
   holds them all); 0 when out of memory, the table unchanged. */
static int resize(struct msgtable *t, size_t cap)
{
  struct msgtable n;
  size_t i;
  if (cap > ((size_t)-1) / sizeof *n.m) return 0;
  n.cap = cap;
  n.m = calloc(n.cap, sizeof *n.m);
  if (!n.m) return 0;
  n.len = 0;
  for (i = 0; i < t->cap; ++i)
    if (t->m[i].used) {
      size_t j = slot(&n, t->m[i].id);
      while (n.m[j].used) j = (j + 1) & (n.cap - 1);
      n.m[j] = t->m[i];
      ++n.len;
    }
  free(t->m);
  *t = n;
  return 1;
}

static int grow(struct msgtable *t)
{
  if (!t->cap) return resize(t, CAP_MIN);
  if (t->cap * 2 < t->cap) return 0;
  return resize(t, t->cap * 2);
}

/* A queue that held 100,000 messages and drained would otherwise keep
   its table (megabytes) for good. Halving below 1/8 full leaves it under
   1/4 full, far from the 3/4 that makes it grow: no back and forth. */
static void shrink_if_sparse(struct msgtable *t)
{
  if (t->cap <= CAP_MIN || t->len * 8 >= t->cap) return;
  if (!resize(t, t->cap / 2)) return; /* no memory: keep it */
#ifdef __GLIBC__
  /* glibc keeps freed heap pages below a live block; hand them back */
  malloc_trim(0);
#endif
}

struct msg *msgtable_add(struct msgtable *t, unsigned long id)
{
  struct msg *m = msgtable_find(t, id);
  size_t i;
  if (m) return m;
  if ((t->len + 1) * 4 > t->cap * 3 && !grow(t)) return 0; /* load <= 3/4 */
  i = slot(t, id);
  while (t->m[i].used) i = (i + 1) & (t->cap - 1);
  t->m[i].id = id;
  t->m[i].birth = 0;
  t->m[i].pending = 0;
  t->m[i].active = 0;
  t->m[i].used = 1;
  ++t->len;
  return &t->m[i];
}

/* backward-shift deletion keeps probe chains whole without tombstones */
void msgtable_del(struct msgtable *t, unsigned long id)
{
  struct msg *m = msgtable_find(t, id);
  size_t i, j;
  if (!m) return;
  i = (size_t)(m - t->m);
  t->m[i].used = 0;
  --t->len;
  for (j = (i + 1) & (t->cap - 1); t->m[j].used; j = (j + 1) & (t->cap - 1)) {
    size_t home = slot(t, t->m[j].id);
    /* move j back to i if its home is not in (i, j] cyclically */
    int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      t->m[i] = t->m[j];
      t->m[j].used = 0;
      i = j;
    }
  }
  shrink_if_sparse(t);
}
