#ifndef LOGSTATTABLE_H
#define LOGSTATTABLE_H
/* qmail-logstat's two tables, both open addressing with linear probing
   and doubling: a counter of strings (senders, recipients, reasons...)
   and a map from numbers (message IDs, delivery numbers, qp) to a few
   numbers. Entries are never removed: IDs and delivery numbers are reused
   in a long log, and a reused key simply takes its slot over. Pointers to
   entries move when a table grows. */
#include <stddef.h>

struct lst_count { char *key; size_t len; unsigned long long n, bytes; };
struct lst_counter { struct lst_count *t; size_t cap, used; };

/* count one more of key (and its bytes): 1 ok, 0 out of memory */
int lst_counter_add(struct lst_counter *c, const char *key, size_t len, unsigned long long bytes);
/* the entries, most counted first (then by key): a malloc'd array of
   c->used pointers, 0 when out of memory (or when empty) */
const struct lst_count **lst_counter_sorted(const struct lst_counter *c);

struct lst_slot {
  unsigned long long key;
  long long t;                /* a time, milliseconds; -1 none */
  unsigned long long a, b;
  char *text;                 /* malloc'd, owned by the slot */
  int used;
};
struct lst_map { struct lst_slot *t; size_t cap, used; };

struct lst_slot *lst_map_get(const struct lst_map *m, unsigned long long key);
/* the slot of key, made (zeroed, t = -1) when missing; 0 out of memory */
struct lst_slot *lst_map_put(struct lst_map *m, unsigned long long key);
#endif
