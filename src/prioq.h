#ifndef PRIOQ_H
#define PRIOQ_H
#include <stddef.h>
/* A binary min-heap of (time, id): the scheduler's "what is due next". */
struct prioq_elt { unsigned long long when; unsigned long id; };
struct prioq { struct prioq_elt *e; size_t len, cap; };
int prioq_insert(struct prioq *q, unsigned long long when, unsigned long id); /* 1 ok, 0 nomem */
int prioq_min(const struct prioq *q, struct prioq_elt *out); /* 1, or 0 when empty */
void prioq_delmin(struct prioq *q);
#endif
