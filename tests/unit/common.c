/* Small shared modules: getfield, constmap, sendlog conversions, qfile
   names, the RFC 5322 date. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "auto.h"
#include "constmap.h"
#include "datetime.h"
#include "getfield.h"
#include "qfile.h"
#include "sendlog.h"
#include "tap.h"

static ssize_t from_string(int fd, char *buf, size_t len);
static const char *input; static size_t inputlen, inputpos;
static ssize_t from_string(int fd, char *buf, size_t len)
{
  size_t n = inputlen - inputpos;
  (void)fd;
  if (n > len) n = len;
  if (n > 3) n = 3; /* short reads, to cross buffer refills */
  memcpy(buf, input + inputpos, n);
  inputpos += n;
  return (ssize_t)n;
}

static void fields(void)
{
  char space[4];
  buffer b = BUFFER_INIT(from_string, 0, space, sizeof space);
  stralloc sa = {0};
  input = "abc\0defghij\0xy"; inputlen = 14; inputpos = 0;
  is_long(getfield(&b, &sa, 0, 10), GETFIELD_OK, "first field");
  is_mem(sa.s, sa.len, "abc", 3, "its text");
  is_long(getfield(&b, &sa, 0, 5), GETFIELD_LONG, "second field is over the limit");
  {
    buffer c = BUFFER_INIT(from_string, 0, space, sizeof space);
    input = "xy"; inputlen = 2; inputpos = 0;
    is_long(getfield(&c, &sa, 0, 10), GETFIELD_PARTIAL, "end of input inside a field");
    is_long(getfield(&c, &sa, 0, 10), GETFIELD_EOF, "then a clean end");
  }
  stralloc_free(&sa);
}

static void maps(void)
{
  static const char lines[] = "Example.COM\0a.example:pre\0dup:first\0dup:second\0novalue\0";
  struct constmap plain, split;
  constmap_init(&plain, lines, sizeof lines - 1, 0);
  constmap_init(&split, lines, sizeof lines - 1, ':');
  ok(constmap_lookup(&plain, "example.com", 11) != 0, "lookup ignores case");
  ok(constmap_lookup(&plain, "example.co", 10) == 0, "no prefix matches");
  is_str(constmap_lookup(&split, "A.EXAMPLE", 9), "pre", "value after the colon");
  is_str(constmap_lookup(&split, "dup", 3), "first", "the first of two entries wins");
  ok(constmap_lookup(&split, "novalue", 7) == 0, "a line without a colon is ignored when split");
  constmap_free(&plain);
  constmap_free(&split);
}

static void logtext(void)
{
  char buf[64];
  size_t n = sendlog_report(buf, sizeof buf, "did 0+1+0\nok\x01", 13);
  is_mem(buf, n, "did_0+1+0/ok?", 13, "reports: space, newline, control");
  n = sendlog_safe(buf, 4, "a b\nc", 5);
  is_mem(buf, n, "a b?", 4, "safe text is bounded");
}

static void names(void)
{
  stralloc sa = {0};
  char want[64];
  qfile_name(&sa, "todo", 12345);
  is_str(sa.s, "todo/12345", "todo is not split");
  qfile_name(&sa, "mess", 12345);
  snprintf(want, sizeof want, "mess/%u/12345", 12345 % auto_split);
  is_str(sa.s, want, "mess is split by id modulo conf-split");
  stralloc_free(&sa);
}

static void dates(void)
{
  char buf[DATE822_LEN + 1];
  unsigned int n;
  setenv("TZ", "UTC", 1);
  n = date822fmt(buf, 1795287723); /* 2026-11-21 19:02:03 UTC */
  buf[n] = 0;
  is_str(buf, "Sat, 21 Nov 2026 19:02:03 +0000", "RFC 5322 date in UTC");
  setenv("TZ", "Europe/Berlin", 1);
  n = date822fmt(buf, 1795287723);
  buf[n] = 0;
  ok(!strcmp(buf, "Sat, 21 Nov 2026 20:02:03 +0100") || !strcmp(buf, "Sat, 21 Nov 2026 19:02:03 +0000"),
     "local time with its zone offset (or UTC without tzdata)");
}

int main(void)
{
  fields();
  maps();
  logtext();
  names();
  dates();
  return done_testing();
}
