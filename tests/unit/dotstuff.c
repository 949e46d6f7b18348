/* The DATA writer: LF -> CR LF, dot-stuffing, the final dot, with the
   message cut into pieces of every size and an output buffer smaller
   than a line; and the SIZE / 8BITMIME scan. */
#include "buffer.h"
#include "dotstuff.h"
#include "stralloc.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

static stralloc wire;
static ssize_t to_wire(int fd, const char *buf, size_t len)
{
  if (len > 3) len = 3; /* short writes, always */
  return stralloc_catb(&wire, buf, len) ? (ssize_t)len : -1;
}

static const struct { const char *in; size_t len; const char *out; size_t outlen; } rows[] = {
  { S("a\n"), S("a\r\n.\r\n") },
  { S(""), S(".\r\n") },
  { S("no newline"), S("no newline\r\n.\r\n") },
  { S(".\n"), S("..\r\n.\r\n") },
  { S("x\n.\n"), S("x\r\n..\r\n.\r\n") },
  { S("x\n..y\n"), S("x\r\n...y\r\n.\r\n") },
  { S("a.b\n.c"), S("a.b\r\n..c\r\n.\r\n") },
  { S("\n\n"), S("\r\n\r\n.\r\n") },
  { S("cr\r\n"), S("cr\r\r\n.\r\n") },            /* as qmail: CR is data */
  { S("8bit \xc3\xa9\n"), S("8bit \xc3\xa9\r\n.\r\n") },
  { S("Subject: x\n\nbody\n.\n..\nend\n"), S("Subject: x\r\n\r\nbody\r\n..\r\n...\r\nend\r\n.\r\n") },
};

static void test_rows(void)
{
  static const size_t steps[] = { 1, 2, 3, 5, 1000 };
  size_t i, k;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    for (k = 0; k < sizeof steps / sizeof steps[0]; ++k) {
      char space[4];
      buffer b = BUFFER_INIT(to_wire, 1, space, sizeof space);
      struct smtp_data d;
      size_t pos = 0;
      int bad = 0;
      wire.len = 0;
      smtp_data_start(&d);
      while (pos < rows[i].len) {
        size_t n = rows[i].len - pos < steps[k] ? rows[i].len - pos : steps[k];
        if (smtp_data_put(&d, &b, rows[i].in + pos, n) == -1) bad = 1;
        pos += n;
      }
      if (smtp_data_end(&d, &b) == -1) bad = 1;
      ok(!bad, "written");
      if (!is_mem(wire.s, wire.len, rows[i].out, rows[i].outlen, "  on the wire"))
        printf("#   row %zu, pieces of %zu\n", i, steps[k]);
    }
}

static ssize_t broken(int fd, const char *buf, size_t len) { return -1; }

static void test_write_error(void)
{
  char space[4];
  buffer b = BUFFER_INIT(broken, 1, space, sizeof space);
  struct smtp_data d;
  smtp_data_start(&d);
  ok(smtp_data_put(&d, &b, S("a line longer than the buffer\n")) == -1, "a write error is reported");
}

static void test_msginfo(void)
{
  struct smtp_msginfo m;
  smtp_msginfo_start(&m);
  smtp_msginfo_add(&m, S("a\nb\n"));
  smtp_msginfo_add(&m, S("c"));
  ok(!m.eightbit, "7-bit text is 7-bit");
  is_long((long)m.bytes, 5, "bytes counted");
  is_long((long)m.lines, 2, "lines counted across pieces");
  ok(smtp_msginfo_size(&m) >= 5 + 2 + 2 + 3, "SIZE is never less than what goes on the wire");
  smtp_msginfo_add(&m, S("\x80"));
  ok(m.eightbit, "a byte with the high bit is 8-bit");
}

int main(void)
{
  test_rows();
  test_write_error();
  test_msginfo();
  return done_testing();
}
