#ifndef MSGTABLE_H
#define MSGTABLE_H
#include <stddef.h>
/* qmail-send's table of queued messages, keyed by ID: open addressing
   with linear probing, 24 bytes a message, so 100,000 queued messages
   cost about 4 MiB; the table shrinks again as the queue drains.
   Pointers into the table move when it grows or when an entry is
   deleted: look an entry up again after either. */
struct msg {
  unsigned long id;
  long long birth;          /* when it was queued (info/ mtime) */
  unsigned char pending;    /* channels with recipients still to do: 1 local, 2 remote */
  unsigned char active;     /* channels with a job running */
  unsigned char used;       /* 0 = empty slot */
};
struct msgtable { struct msg *m; size_t cap, len; };
struct msg *msgtable_find(const struct msgtable *t, unsigned long id);
struct msg *msgtable_add(struct msgtable *t, unsigned long id); /* 0: nomem; existing entry if present */
void msgtable_del(struct msgtable *t, unsigned long id);
#endif
