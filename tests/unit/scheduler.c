/* The scheduler's data structures: the message table, the priority
   queue and the retry schedule. */
#include <stdlib.h>
#include "msgtable.h"
#include "prioq.h"
#include "retry.h"
#include "tap.h"

static void table(void)
{
  struct msgtable t = {0};
  unsigned long i;
  int bad = 0;
  for (i = 1; i <= 100000; ++i) if (!msgtable_add(&t, i * 7919)) bad = 1;
  ok(!bad, "100,000 messages added");
  is_long((long)t.len, 100000, "table length");
  ok(t.cap * sizeof *t.m <= 8u * 1024 * 1024, "100,000 messages take at most 8 MiB");
  for (i = 1; i <= 100000; i += 2) msgtable_del(&t, i * 7919);
  for (i = 1, bad = 0; i <= 100000; ++i) {
    struct msg *m = msgtable_find(&t, i * 7919);
    if ((i % 2) ? m != 0 : (m == 0 || m->id != i * 7919)) bad = 1;
  }
  ok(!bad, "after deleting every other one, exactly the rest are found");
  ok(msgtable_add(&t, 14) == msgtable_find(&t, 14), "add returns the entry");
  ok(msgtable_add(&t, 7919 * 2) == msgtable_find(&t, 7919 * 2), "adding twice finds the same entry");
  free(t.m);
}

/* a big queue that drains gives its table back, and keeps what is left */
static void table_shrinks(void)
{
  struct msgtable t = {0};
  size_t big;
  unsigned long i;
  int bad = 0;
  for (i = 1; i <= 100000; ++i) if (!msgtable_add(&t, i)) bad = 1;
  big = t.cap;
  for (i = 1; i <= 100000; ++i) if (i % 10000) msgtable_del(&t, i);
  is_long((long)t.len, 10, "10 of 100,000 left");
  ok(t.cap * 64 <= big, "the table shrank to at most 1/64 of its size");
  for (i = 1; i <= 100000; ++i) if ((msgtable_find(&t, i) != 0) != (i % 10000 == 0)) bad = 1;
  ok(!bad, "exactly the 10 left are found");
  for (i = 1; i <= 100000; ++i) if (i % 10000 == 0) msgtable_del(&t, i);
  ok(t.len == 0 && t.cap == 1024, "empty again: the smallest table");
  free(t.m);
}

static void heap(void)
{
  struct prioq q = {0};
  struct prioq_elt e;
  unsigned long long last = 0;
  int i, sorted = 1;
  srand(1);
  for (i = 0; i < 5000; ++i) prioq_insert(&q, (unsigned long long)(rand() % 1000), (unsigned long)i);
  for (i = 0; i < 5000; ++i) {
    if (!prioq_min(&q, &e)) { sorted = 0; break; }
    if (e.when < last) sorted = 0;
    last = e.when;
    prioq_delmin(&q);
  }
  ok(sorted, "5,000 random times come out in order");
  ok(!prioq_min(&q, &e), "then the queue is empty");
  ok(q.cap <= 128, "and its memory is given back");
  free(q.e);
}

static const struct { long long birth, now; unsigned int skip; long long want; } schedule[] = {
  { 1000, 1000, 10, 1100 },      /* first local retry 100 s after queueing */
  { 1000, 1000, 20, 1400 },      /* first remote retry 400 s after */
  { 1000, 1100, 10, 1400 },      /* sqrt(100) = 10: (10+10)^2 */
  { 1000, 1400, 20, 2600 },      /* sqrt(400) = 20: (20+20)^2 */
  { 1000, 999, 10, 1100 },       /* clock went back: as at birth */
  { 0, 604800, 20, 797 * 797 },  /* sqrt(604800) = 777, +20 */
};

int main(void)
{
  size_t i;
  table();
  table_shrinks();
  heap();
  for (i = 0; i < sizeof schedule / sizeof schedule[0]; ++i)
    is_long((long)retry_next(schedule[i].birth, schedule[i].now, schedule[i].skip),
            (long)schedule[i].want, "retry schedule row");
  return done_testing();
}
