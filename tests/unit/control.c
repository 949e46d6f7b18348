/* Control file parsing: first line, line lists, numbers. */
#include "control.h"
#include "tap.h"

#define S(x) x, sizeof x - 1
static const struct { const char *in; size_t len; const char *want; } first[] = {
  { S("example.com\n"), "example.com" },
  { S("example.com"), "example.com" },            /* no final newline */
  { S("example.com  \t\r\nsecond\n"), "example.com" },
  { S("\nsecond\n"), "" },
  { S(""), "" },
};

static const struct { const char *in; size_t len; const char *want; size_t wlen; } lists[] = {
  { S("a\nb\n"), S("a\0b\0") },
  { S("# comment\n\n  a  \n\t#x\nb"), S("a\0b\0") },
  { S("a:b c\n"), S("a:b c\0") },
  { S("\n\n"), "", 0 },
};

static const struct { const char *in; int ok; unsigned long want; } nums[] = {
  { "10", 1, 10 }, { "0", 1, 0 }, { "604800", 1, 604800 },
  { "", 0, 0 }, { "10x", 0, 0 }, { "-1", 0, 0 }, { " 5", 0, 0 },
};

int main(void)
{
  static stralloc out;  /* static: still reachable when main returns */
  size_t i;
  for (i = 0; i < sizeof first / sizeof first[0]; ++i) {
    control_parse_firstline(&out, first[i].in, first[i].len);
    is_str(out.s, first[i].want, "first line");
  }
  for (i = 0; i < sizeof lists / sizeof lists[0]; ++i) {
    control_parse_lines(&out, lists[i].in, lists[i].len);
    is_mem(out.s, out.len, lists[i].want, lists[i].wlen, "line list");
  }
  for (i = 0; i < sizeof nums / sizeof nums[0]; ++i) {
    unsigned long u = 12345;
    int r = control_parse_ulong(&u, nums[i].in, strlen(nums[i].in));
    is_long(r, nums[i].ok, nums[i].in);
    if (r) is_long((long)u, (long)nums[i].want, "its value");
  }
  return done_testing();
}
