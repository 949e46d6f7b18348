#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include "byte.h"
#include "tcpto.h"

static unsigned long long get_be(const char *s, size_t n)
{
  unsigned long long u = 0;
  size_t i;
  for (i = 0; i < n; ++i) u = (u << 8) | (unsigned char)s[i];
  return u;
}

static void put_be(char *s, size_t n, unsigned long long u)
{
  while (n-- > 0) { s[n] = (char)(u & 255); u >>= 8; }
}

static int is_free(const char *rec)
{
  size_t i;
  for (i = 0; i < TCPTO_RECORD; ++i) if (rec[i]) return 0;
  return 1;
}

int tcpto_table_entry(const char *table, size_t i, struct tcpto_entry *e)
{
  const char *rec = table + i * TCPTO_RECORD;
  if (i >= TCPTO_RECORDS || is_free(rec)) return 0;
  byte_copy(e->ip, 16, rec);
  e->when = (long long)get_be(rec + 16, 8);
  e->fails = (unsigned long)get_be(rec + 24, 4);
  return 1;
}

static char *find(const char *table, const char ip[16])
{
  size_t i;
  for (i = 0; i < TCPTO_RECORDS; ++i) {
    const char *rec = table + i * TCPTO_RECORD;
    if (byte_equal(rec, 16, ip) && !is_free(rec)) return (char *)rec;
  }
  return 0;
}

int tcpto_table_held(const char *table, const char ip[16], long long now)
{
  struct tcpto_entry e;
  const char *rec = find(table, ip);
  if (!rec) return 0;
  tcpto_table_entry(table, (size_t)(rec - table) / TCPTO_RECORD, &e);
  /* a clock set back must not hold a host off for ever; the difference
     is taken unsigned, where it cannot overflow whatever the file says */
  return e.fails >= TCPTO_FAILS && e.when <= now &&
         (unsigned long long)now - (unsigned long long)e.when < TCPTO_HOLD;
}

/* A free slot, else the record whose last failure is the oldest. */
static char *slot(char *table)
{
  size_t i;
  char *oldest = table;
  for (i = 0; i < TCPTO_RECORDS; ++i) {
    char *rec = table + i * TCPTO_RECORD;
    if (is_free(rec)) return rec;
    if (get_be(rec + 16, 8) < get_be(oldest + 16, 8)) oldest = rec;
  }
  return oldest;
}

void tcpto_table_note(char *table, const char ip[16], int failed, long long now)
{
  char *rec;
  unsigned long long fails;
  if (!failed) { /* every record of ip: a damaged file may hold two */
    while ((rec = find(table, ip))) byte_zero(rec, TCPTO_RECORD);
    return;
  }
  rec = find(table, ip);
  if (!rec) { rec = slot(table); byte_zero(rec, TCPTO_RECORD); byte_copy(rec, 16, ip); }
  fails = get_be(rec + 24, 4);
  if (fails < 0xffffffffULL) ++fails;
  put_be(rec + 16, 8, (unsigned long long)(now > 0 ? now : 1)); /* never all zeros */
  put_be(rec + 24, 4, fails);
}

static int read_all(int fd, char *table)
{
  size_t got = 0;
  byte_zero(table, TCPTO_SIZE);
  while (got < TCPTO_SIZE) {
    ssize_t r = pread(fd, table + got, TCPTO_SIZE - got, (off_t)got);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1) return -1;
    if (r == 0) break;
    got += (size_t)r;
  }
  byte_zero(table + got - got % TCPTO_RECORD, TCPTO_SIZE - (got - got % TCPTO_RECORD));
  return 0;
}

int tcpto_read(const char *fn, char *table)
{
  int fd = open(fn, O_RDONLY | O_CLOEXEC), r;
  if (fd == -1) {
    if (errno != ENOENT) return -1;
    byte_zero(table, TCPTO_SIZE);
    return 0;
  }
  r = flock(fd, LOCK_SH) == -1 ? -1 : read_all(fd, table);
  close(fd);
  return r;
}

int tcpto_note(const char *fn, const char ip[16], int failed, long long now)
{
  char table[TCPTO_SIZE];
  int fd = open(fn, O_RDWR | O_CLOEXEC), r = -1;
  if (fd == -1) return -1;
  if (flock(fd, LOCK_EX) == 0 && read_all(fd, table) == 0) {
    if (!failed && !find(table, ip)) r = 0; /* the common case: nothing to write */
    else {
      tcpto_table_note(table, ip, failed, now);
      r = pwrite(fd, table, TCPTO_SIZE, 0) == TCPTO_SIZE ? 0 : -1;
    }
  }
  close(fd);
  return r;
}
