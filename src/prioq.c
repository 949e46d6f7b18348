#include <stdlib.h>
#include "prioq.h"

int prioq_insert(struct prioq *q, unsigned long long when, unsigned long id)
{
  size_t i;
  if (q->len == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 64;
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
}
