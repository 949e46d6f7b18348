#include <stdlib.h>
#include "prioq.h"

#define CAP_MIN 64

/* Give back most of a heap that a big queue grew, once it has drained:
   halve below 1/4 full, so it is half full afterwards and an insert or
   two cannot make it grow again at once. */
static void shrink_if_sparse(struct prioq *q)
{
  struct prioq_elt *e;
  if (q->cap <= CAP_MIN || q->len >= q->cap / 4) return;
  e = realloc(q->e, q->cap / 2 * sizeof *e);
  if (!e) return; /* no memory: keep the bigger one */
  q->e = e;
  q->cap /= 2;
}

int prioq_insert(struct prioq *q, unsigned long long when, unsigned long id)
{
  size_t i;
  if (q->len == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : CAP_MIN;
    struct prioq_elt *e;
    if (cap < q->cap || cap > ((size_t)-1) / sizeof *e) return 0;
    e = realloc(q->e, cap * sizeof *e);
    if (!e) return 0;
    q->e = e;
    q->cap = cap;
  }
  i = q->len++;
  while (i) {
    size_t parent = (i - 1) / 2;
    if (q->e[parent].when <= when) break;
    q->e[i] = q->e[parent];
    i = parent;
  }
  q->e[i].when = when;
  q->e[i].id = id;
  return 1;
}

int prioq_min(const struct prioq *q, struct prioq_elt *out)
{
  if (!q->len) return 0;
  *out = q->e[0];
  return 1;
}

void prioq_delmin(struct prioq *q)
{
  size_t i = 0;
  struct prioq_elt last;
  if (!q->len) return;
  last = q->e[--q->len];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= q->len) break;
    if (child + 1 < q->len && q->e[child + 1].when < q->e[child].when) ++child;
    if (last.when <= q->e[child].when) break;
    q->e[i] = q->e[child];
    i = child;
  }
  if (q->len) q->e[i] = last;
  shrink_if_sparse(q);
}
