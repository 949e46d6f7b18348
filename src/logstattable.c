#include <stdlib.h>
#include <string.h>
#include "logstattable.h"

static size_t hash_bytes(const char *s, size_t len)
{
  size_t h = 5381, i;
  for (i = 0; i < len; ++i) h = (h * 33) ^ (unsigned char)s[i];
  return h;
}

static size_t hash_num(unsigned long long k)
{
  return (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 17);
}

/* ---- the counter ---- */

static struct lst_count *count_slot(struct lst_count *t, size_t cap, const char *key, size_t len)
{
  size_t i = hash_bytes(key, len) & (cap - 1);
  while (t[i].key && (t[i].len != len || memcmp(t[i].key, key, len))) i = (i + 1) & (cap - 1);
  return &t[i];
}

static int counter_grow(struct lst_counter *c)
{
  size_t cap = c->cap ? c->cap * 2 : 64, i;
  struct lst_count *t;
  if (cap < c->cap) return 0;
  t = calloc(cap, sizeof *t);
  if (!t) return 0;
  for (i = 0; i < c->cap; ++i)
    if (c->t[i].key) *count_slot(t, cap, c->t[i].key, c->t[i].len) = c->t[i];
  free(c->t);
  c->t = t;
  c->cap = cap;
  return 1;
}

int lst_counter_add(struct lst_counter *c, const char *key, size_t len, unsigned long long bytes)
{
  struct lst_count *e;
  if (c->used * 2 >= c->cap && !counter_grow(c)) return 0;
  e = count_slot(c->t, c->cap, key, len);
  if (!e->key) {
    e->key = malloc(len ? len : 1);
    if (!e->key) return 0;
    memcpy(e->key, key, len);
    e->len = len;
    ++c->used;
  }
  ++e->n;
  e->bytes += bytes;
  return 1;
}

static int by_count(const void *x, const void *y)
{
  const struct lst_count *a = *(const struct lst_count *const *)x;
  const struct lst_count *b = *(const struct lst_count *const *)y;
  size_t n = a->len < b->len ? a->len : b->len;
  int d;
  if (a->n != b->n) return a->n > b->n ? -1 : 1;
  d = memcmp(a->key, b->key, n);
  return d ? d : (a->len > b->len) - (a->len < b->len);
}

const struct lst_count **lst_counter_sorted(const struct lst_counter *c)
{
  const struct lst_count **v;
  size_t i, n = 0;
  if (!c->used) return 0;
  v = calloc(c->used, sizeof *v);
  if (!v) return 0;
  for (i = 0; i < c->cap; ++i) if (c->t[i].key) v[n++] = &c->t[i];
  qsort(v, n, sizeof *v, by_count);
  return v;
}

/* ---- the map ---- */

static struct lst_slot *map_slot(struct lst_slot *t, size_t cap, unsigned long long key)
{
  size_t i = hash_num(key) & (cap - 1);
  while (t[i].used && t[i].key != key) i = (i + 1) & (cap - 1);
  return &t[i];
}

struct lst_slot *lst_map_get(const struct lst_map *m, unsigned long long key)
{
  struct lst_slot *s;
  if (!m->cap) return 0;
  s = map_slot(m->t, m->cap, key);
  return s->used ? s : 0;
}

static int map_grow(struct lst_map *m)
{
  size_t cap = m->cap ? m->cap * 2 : 256, i;
  struct lst_slot *t;
  if (cap < m->cap) return 0;
  t = calloc(cap, sizeof *t);
  if (!t) return 0;
  for (i = 0; i < m->cap; ++i)
    if (m->t[i].used) *map_slot(t, cap, m->t[i].key) = m->t[i];
  free(m->t);
  m->t = t;
  m->cap = cap;
  return 1;
}

struct lst_slot *lst_map_put(struct lst_map *m, unsigned long long key)
{
  struct lst_slot *s;
  if (m->used * 2 >= m->cap && !map_grow(m)) return 0;
  s = map_slot(m->t, m->cap, key);
  if (!s->used) {
    memset(s, 0, sizeof *s);
    s->used = 1;
    s->key = key;
    s->t = -1;
    ++m->used;
  }
  return s;
}
