/* lock/tcpto: failures are counted, a host is held off after two, for
   TCPTO_HOLD seconds, a working connection frees it, the table never
   grows, and the file round-trips under its lock. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "byte.h"
#include "tcpto.h"
#include "tap.h"

static void ip_of(char ip[16], unsigned int n)
{
  byte_zero(ip, 16);
  ip[10] = ip[11] = (char)0xff;
  ip[12] = 10; ip[13] = (char)(n >> 16); ip[14] = (char)(n >> 8); ip[15] = (char)n;
}

static size_t used(const char *t)
{
  struct tcpto_entry e;
  size_t i, n = 0;
  for (i = 0; i < TCPTO_RECORDS; ++i) n += tcpto_table_entry(t, i, &e);
  return n;
}

static void test_table(void)
{
  static char t[TCPTO_SIZE];
  char a[16], b[16];
  struct tcpto_entry e;
  unsigned int i;
  long long now = 1700000000;
  ip_of(a, 1); ip_of(b, 2);
  ok(!tcpto_table_held(t, a, now), "an unknown host is not held off");
  tcpto_table_note(t, a, 1, now);
  ok(!tcpto_table_held(t, a, now), "one failure does not hold it off");
  tcpto_table_note(t, a, 1, now + 10);
  ok(tcpto_table_held(t, a, now + 11), "two in a row do");
  ok(tcpto_table_held(t, a, now + 10 + TCPTO_HOLD - 1), "  until TCPTO_HOLD seconds have passed");
  ok(!tcpto_table_held(t, a, now + 10 + TCPTO_HOLD), "  and not after");
  ok(!tcpto_table_held(t, a, now), "a clock set back does not hold it off");
  ok(!tcpto_table_held(t, b, now + 11), "another host is not held off");
  ok(tcpto_table_entry(t, 0, &e) && byte_equal(e.ip, 16, a) && e.fails == 2 && e.when == now + 10,
     "the record holds address, time and count");
  tcpto_table_note(t, b, 0, now);
  is_long((long)used(t), 1, "a working host that had no record gets none");
  tcpto_table_note(t, a, 0, now + 20);
  ok(!tcpto_table_held(t, a, now + 21), "a working connection frees the host");
  is_long((long)used(t), 0, "  and its record");
  for (i = 0; i < TCPTO_RECORDS + 50; ++i) tcpto_table_note(t, (ip_of(a, 100 + i), a), 1, now + i);
  is_long((long)used(t), TCPTO_RECORDS, "the table never holds more than TCPTO_RECORDS");
  ip_of(a, 100 + TCPTO_RECORDS + 49);
  tcpto_table_note(t, a, 1, now + 1000);
  ok(tcpto_table_held(t, a, now + 1000), "the newest failures are kept");
  ip_of(a, 100);
  ok(!tcpto_table_entry(t, 0, &e) || !byte_equal(e.ip, 16, a), "the oldest were replaced");
}

static void test_file(void)
{
  char fn[] = "/tmp/tcpto-test.XXXXXX";
  static char t[TCPTO_SIZE];
  char a[16];
  int fd = mkstemp(fn);
  FILE *f;
  long size;
  ip_of(a, 7);
  ok(fd != -1, "a file to test with");
  close(fd);
  ok(tcpto_note(fn, a, 1, 1000) == 0 && tcpto_note(fn, a, 1, 1001) == 0, "failures noted in the file");
  ok(tcpto_read(fn, t) == 0 && tcpto_table_held(t, a, 1002), "and read back");
  f = fopen(fn, "r");
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fclose(f);
  is_long(size, TCPTO_SIZE, "the file is one table long");
  ok(tcpto_note(fn, a, 0, 1003) == 0 && tcpto_read(fn, t) == 0 && !tcpto_table_held(t, a, 1004),
     "a success frees it in the file");
  truncate(fn, 40); /* a torn file: one record and a piece */
  ok(tcpto_read(fn, t) == 0 && used(t) <= 1, "a short file reads as free slots");
  unlink(fn);
  ok(tcpto_read(fn, t) == 0 && !used(t), "a missing file reads as empty");
  ok(tcpto_note(fn, a, 1, 1) == -1, "noting into a missing file fails");
}

/* A damaged file may hold any time; found by tests/fuzz/tcpto.c: the
   difference now - when overflowed (and, wrapped, held a host off). */
static void test_damaged(void)
{
  static char t[TCPTO_SIZE];
  char a[16];
  ip_of(a, 3);
  byte_copy(t, 16, a);
  byte_copy(t + 16, 12, "\xff\xff\xff\xff\xff\xff\xff\xff\0\0\0\5");
  ok(!tcpto_table_held(t, a, 9223372036854775807LL), "a failure time of -1 seen at the largest time: not held");
  byte_copy(t + 16, 8, "\x80\0\0\0\0\0\0\0");
  ok(!tcpto_table_held(t, a, 1700000000), "the smallest failure time: not held");
  byte_copy(t + 16, 8, "\x7f\xff\xff\xff\xff\xff\xff\xff");
  ok(!tcpto_table_held(t, a, -9223372036854775807LL - 1), "the largest, seen at the smallest time: not held");
  /* two records for one host (fuzzing again): a success frees both */
  byte_copy(t + 16, 8, "\0\0\0\0\0\0\0\1");
  byte_copy(t + TCPTO_RECORD, TCPTO_RECORD, t);
  tcpto_table_note(t, a, 0, 1700000000);
  ok(!tcpto_table_held(t, a, 2) && !tcpto_table_entry(t, 1, &(struct tcpto_entry){0}),
     "a success frees every record of the host");
}

int main(void)
{
  test_table();
  test_damaged();
  test_file();
  return done_testing();
}
