/* SMTP replies as qmail-remote reads them: multi-line, fed in pieces of
   every size, bounded, and garbage refused. */
#include <stdlib.h>
#include "smtpreply.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

static const struct {
  const char *in; size_t len;
  int want;               /* 1 complete, 0 needs more, -1 malformed */
  unsigned int code;
  const char *text;       /* kept text */
  size_t used;            /* bytes taken when complete */
} rows[] = {
  { S("220 ok\r\n"), 1, 220, "220 ok\n", 8 },
  { S("250 ok\n"), 1, 250, "250 ok\n", 7 },                      /* bare LF */
  { S("250\r\n"), 1, 250, "250\n", 5 },                          /* code alone */
  { S("250-a\r\n250-b\r\n250 c\r\n"), 1, 250, "250-a\n250-b\n250 c\n", 21 },
  { S("250-a\r\n250 b\r\n354 next\r\n"), 1, 250, "250-a\n250 b\n", 14 }, /* pipelined */
  { S("550 no\r\r\n"), 1, 550, "550 no\r\n", 9 },                /* only one CR goes */
  { S("451 x\0y\r\n"), 1, 451, "451 x?y\n", 9 },                 /* NUL is not a separator here */
  { S("250-a\r\n"), 0, 0, 0, 0 },
  { S("250 ok"), 0, 0, 0, 0 },                                   /* no end of line yet */
  { S(""), 0, 0, 0, 0 },
  { S("hello\r\n"), -1, 0, 0, 0 },
  { S("25 ok\r\n"), -1, 0, 0, 0 },
  { S("250ok\r\n"), -1, 0, 0, 0 },
  { S("199 low\r\n"), -1, 0, 0, 0 },
  { S("600 high\r\n"), -1, 0, 0, 0 },
  { S("\r\n"), -1, 0, 0, 0 },
  { S("250-a\r\n550 b\r\n"), -1, 0, 0, 0 },                      /* codes differ */
  { S("250-a\r\nxyz\r\n"), -1, 0, 0, 0 },
};

/* Feed in pieces of `step' bytes; returns the verdict and *used overall. */
static int feed(struct smtp_reply *r, const char *in, size_t len, size_t step, size_t *used)
{
  size_t pos = 0, u;
  int got = 0;
  smtp_reply_start(r);
  while (pos < len || !len) {
    size_t n = len - pos < step ? len - pos : step;
    got = smtp_reply_feed(r, in + pos, n, &u);
    if (got == -1) return -1;
    pos += u;
    if (got == 1 || !len) break;
  }
  *used = pos;
  return got;
}

static void test_rows(void)
{
  static const size_t steps[] = { 1, 2, 3, 7, 1000 };
  struct smtp_reply r = {0};  /* feed starts it afresh each time */
  size_t i, k;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    for (k = 0; k < sizeof steps / sizeof steps[0]; ++k) {
      size_t used = 0;
      int got = feed(&r, rows[i].in, rows[i].len, steps[k], &used);
      if (!is_long(got, rows[i].want, "verdict")) printf("#   row %zu, pieces of %zu\n", i, steps[k]);
      if (got != 1 || rows[i].want != 1) continue;
      is_long(r.code, rows[i].code, "  code");
      is_mem(r.text.s, r.text.len, rows[i].text, strlen(rows[i].text), "  text");
      is_long((long)used, (long)rows[i].used, "  bytes taken");
    }
  stralloc_free(&r.text);
}

/* A long line is cut, the rest of it dropped, and the next line read. */
static void test_long_line(void)
{
  struct smtp_reply r = {0};
  stralloc in = {0};
  size_t used, i;
  stralloc_copys(&in, "550-");
  for (i = 0; i < 100000; ++i) stralloc_append(&in, "x");
  stralloc_cats(&in, "\r\n550 end\r\n");
  ok(feed(&r, in.s, in.len, 4096, &used) == 1, "a 100 kB reply line is read");
  is_long(r.code, 550, "  with its code");
  ok(r.text.len == SMTP_REPLY_LINE_MAX + 1 + 8, "  cut to the line limit");
  ok(r.text.len >= 8 && !memcmp(r.text.s + r.text.len - 8, "550 end\n", 8), "  and the next line kept");
  is_long((long)used, (long)in.len, "  every byte taken");
  free(in.s);
  stralloc_free(&r.text);
}

/* Many lines: the text stops growing, and too many lines are malformed. */
static void test_many_lines(void)
{
  struct smtp_reply r = {0};
  stralloc in = {0};
  size_t used, i;
  for (i = 0; i + 1 < SMTP_REPLY_LINES_MAX; ++i) stralloc_cats(&in, "250-abcdefghijklmnopqrstuvwxyz\r\n");
  stralloc_cats(&in, "250 last\r\n");
  ok(feed(&r, in.s, in.len, 512, &used) == 1, "a reply of the most lines allowed is read");
  ok(r.text.len <= SMTP_REPLY_TEXT_MAX, "  its text is bounded");
  in.len = 0;
  for (i = 0; i < SMTP_REPLY_LINES_MAX; ++i) stralloc_cats(&in, "250-x\r\n");
  stralloc_cats(&in, "250 last\r\n");
  ok(feed(&r, in.s, in.len, 512, &used) == -1, "one line more is malformed");
  free(in.s);
  stralloc_free(&r.text);
}

/* Replies one after another in one piece (PIPELINING). */
static void test_sequence(void)
{
  static const char in[] = "250 a\r\n250-b\r\n250 c\r\n354 go\r\n";
  static const unsigned int codes[] = { 250, 250, 354 };
  struct smtp_reply r = {0};
  size_t pos = 0, used, k;
  for (k = 0; k < 3; ++k) {
    smtp_reply_start(&r);
    ok(smtp_reply_feed(&r, in + pos, sizeof in - 1 - pos, &used) == 1, "pipelined reply complete");
    is_long(r.code, codes[k], "  code");
    pos += used;
  }
  is_long((long)pos, (long)(sizeof in - 1), "all three replies taken");
  stralloc_free(&r.text);
}

int main(void)
{
  test_rows();
  test_long_line();
  test_many_lines();
  test_sequence();
  return done_testing();
}
