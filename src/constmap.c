#include <stdlib.h>
#include "case.h"
#include "constmap.h"

static size_t hash(const char *s, size_t len)
{
  size_t h = 5381;
  while (len--) {
    unsigned char c = (unsigned char)*s++;
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    h = (h * 33) ^ c;
  }
  return h;
}

static size_t count_lines(const char *s, size_t len)
{
  size_t i, n = 0;
  for (i = 0; i < len; ++i) if (!s[i]) ++n;
  return n;
}

int constmap_init(struct constmap *cm, const char *s, size_t len, int splitchar)
{
  size_t n = count_lines(s, len), size = 16, i = 0, pos = 0;
  while (size < 2 * n + 1) size *= 2;
  cm->e = calloc(n ? n : 1, sizeof *cm->e);
  cm->bucket = calloc(size, sizeof *cm->bucket);
  if (!cm->e || !cm->bucket) { constmap_free(cm); return 0; }
  cm->mask = size - 1;
  cm->num = 0;
  while (pos < len) {
    const char *line = s + pos;
    size_t linelen = 0, keylen, b;
    while (pos + linelen < len && line[linelen]) ++linelen;
    pos += linelen + 1;
    keylen = linelen;
    if (splitchar) {
      for (keylen = 0; keylen < linelen && line[keylen] != splitchar; ++keylen) {}
      if (keylen == linelen) continue; /* no value: ignore the line */
    }
    cm->e[i].key = line;
    cm->e[i].keylen = keylen;
    cm->e[i].value = splitchar ? line + keylen + 1 : line + linelen;
    b = hash(line, keylen) & cm->mask;
    cm->e[i].next = cm->bucket[b];
    cm->bucket[b] = ++i;
  }
  cm->num = i;
  return 1;
}

void constmap_free(struct constmap *cm)
{
  free(cm->e);
  free(cm->bucket);
  cm->e = 0;
  cm->bucket = 0;
  cm->num = 0;
}

const char *constmap_lookup(const struct constmap *cm, const char *key, size_t len)
{
  size_t i;
  if (!cm->bucket) return 0;
  /* first match in file order wins: walk the chain, remember the lowest */
  const char *found = 0;
  size_t best = (size_t)-1;
  for (i = cm->bucket[hash(key, len) & cm->mask]; i; i = cm->e[i - 1].next) {
    const struct constmap_entry *e = &cm->e[i - 1];
    if (e->keylen == len && !case_diffb(e->key, len, key) && i - 1 < best) {
      best = i - 1;
      found = e->value;
    }
  }
  return found;
}
