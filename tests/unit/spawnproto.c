/* The qmail-send <-> qmail-lspawn protocol: requests, the kept output of
   a child, reply framing and the exit-code verdict. */
#include <stdlib.h>
#include "spawner.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

/* ---- requests ---- */
static const struct {
  const char *in; size_t len;
  int want;               /* 1, 0 incomplete, -1 malformed */
  size_t used;
  const char *delnum; unsigned long id; const char *sender; const char *rcpt;
} reqs[] = {
  { S("0\0" "123\0" "a@b\0" "joe@example.com\0"), 1, 26, "0", 123, "a@b", "joe@example.com" },
  { S("17\0" "4\0" "\0" "x@y\0"), 1, 10, "17", 4, "", "x@y" },              /* bounce sender */
  { S("1\0" "2\0" "s\0" "r\0" "3\0"), 1, 8, "1", 2, "s", "r" },             /* next one follows */
  { S("007\0" "9\0" "s\0" "\0"), 1, 9, "007", 9, "s", "" },                /* as sent */
  { S(""), 0, 0, 0, 0, 0, 0 },
  { S("1"), 0, 0, 0, 0, 0, 0 },
  { S("1\0" "2\0" "s\0" "r"), 0, 0, 0, 0, 0, 0 },                           /* no final NUL */
  { S("\0" "2\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },                         /* empty delnum */
  { S("x\0" "2\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },
  { S("-1\0" "2\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },
  { S("1\0" "\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },                         /* empty id */
  { S("1\0" "2a\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },
  { S("1\0" "99999999999999999999\0" "s\0" "r\0"), -1, 0, 0, 0, 0, 0 },     /* overflows */
  { S("123456789012345678901"), -1, 0, 0, 0, 0, 0 },                        /* delnum too long, incomplete */
  { S("1\0" "123456789012345678901"), -1, 0, 0, 0, 0, 0 },
};

static void test_requests(void)
{
  size_t i;
  for (i = 0; i < sizeof reqs / sizeof reqs[0]; ++i) {
    struct spawn_request r;
    size_t used = 0;
    const char *why = 0;
    int got = spawn_request_parse(&r, reqs[i].in, reqs[i].len, &used, &why);
    is_long(got, reqs[i].want, "request parse");
    if (got == -1) ok(why != 0, "  with a reason");
    if (got != 1 || reqs[i].want != 1) continue;
    is_long((long)used, (long)reqs[i].used, "  size");
    is_str(r.delnum, reqs[i].delnum, "  delnum");
    is_long((long)r.id, (long)reqs[i].id, "  id");
    is_str(r.sender, reqs[i].sender, "  sender");
    is_str(r.rcpt, reqs[i].rcpt, "  recipient");
  }
}

/* a field just at its limit is fine, one byte more is not */
static void test_limits(void)
{
  stralloc sa = {0};
  struct spawn_request r;
  size_t used, i;
  const char *why;
  stralloc_copyb(&sa, "1\0" "2\0", 4);
  for (i = 0; i < SPAWN_FIELD_MAX; ++i) stralloc_append(&sa, "s");
  stralloc_0(&sa);
  stralloc_catb(&sa, "r", 2);
  is_long(spawn_request_parse(&r, sa.s, sa.len, &used, &why), 1, "sender of SPAWN_FIELD_MAX bytes");
  sa.len = 4;
  for (i = 0; i <= SPAWN_FIELD_MAX; ++i) stralloc_append(&sa, "s");
  is_long(spawn_request_parse(&r, sa.s, sa.len, &used, &why), -1, "longer sender refused before its end");
  stralloc_free(&sa);
}

/* ---- kept output ---- */
static void fill(char *buf, size_t n, size_t from)
{
  size_t i;
  for (i = 0; i < n; ++i) buf[i] = (char)('a' + (from + i) % 26);
}

/* the expected text for a stream of `total' letters rendered in `room' */
static void expect(stralloc *sa, size_t total, size_t room)
{
  char buf[5000];
  size_t t = SPAWN_TAIL_KEEP, h;
  sa->len = 0;
  if (room > SPAWN_REPORT_MAX) room = SPAWN_REPORT_MAX;
  if (total <= room) { fill(buf, total, 0); stralloc_catb(sa, buf, total); return; }
  h = room - 7 - t;
  fill(buf, h, 0);
  stralloc_catb(sa, buf, h);
  stralloc_cats(sa, "\n[...]\n");
  fill(buf, t, total - t);
  stralloc_catb(sa, buf, t);
}

static const struct { size_t total; size_t chunk; size_t room; } outs[] = {
  { 0, 1, 1000 }, { 10, 3, 1000 }, { 1000, 7, 1000 }, { 1000, 1000, 1000 },
  { 1001, 1, 1000 }, { 1001, 1001, 1000 }, { 1299, 50, 1000 }, { 1300, 13, 1000 },
  { 4000, 299, 1000 }, { 4000, 4000, 1000 }, { 4001, 301, 1000 }, { 4000, 1, 1000 },
  { 990, 10, 970 }, { 4000, 100, 970 }, { 30, 30, 970 }, { 4000, 100, 5000 },
};

static void test_output(void)
{
  struct spawn_output o = {0};
  stralloc got = {0}, want = {0};
  char buf[5000];
  size_t i;
  for (i = 0; i < sizeof outs / sizeof outs[0]; ++i) {
    size_t pos = 0;
    spawn_output_reset(&o);
    while (pos < outs[i].total) {
      size_t n = outs[i].total - pos < outs[i].chunk ? outs[i].total - pos : outs[i].chunk;
      fill(buf, n, pos);
      spawn_output_add(&o, buf, n);
      pos += n;
    }
    got.len = 0;
    ok(spawn_output_text(&got, &o, outs[i].room), "output text");
    expect(&want, outs[i].total, outs[i].room);
    is_mem(got.s, got.len, want.s, want.len, "  first and last bytes kept");
    ok(got.len <= outs[i].room, "  within room");
  }
  /* a tiny room: the beginning only */
  spawn_output_reset(&o);
  fill(buf, 2000, 0);
  spawn_output_add(&o, buf, 2000);
  got.len = 0;
  spawn_output_text(&got, &o, 50);
  is_mem(got.s, got.len, buf, 50, "small room: the first bytes");
  stralloc_free(&got); stralloc_free(&want);
  stralloc_free(&o.head); stralloc_free(&o.tail);
}

/* ---- replies ---- */
static void test_replies(void)
{
  stralloc out = {0};
  char big[1500];
  size_t i;
  spawn_reply(&out, "3", 'K', S("did 1+0+0\n"));
  is_mem(out.s, out.len, S("3\0Kdid 1+0+0\n\0"), "K reply");
  out.len = 0;
  spawn_reply(&out, "12", 'D', S("a\0b"));
  is_mem(out.s, out.len, S("12\0Da?b\0"), "NUL in text shown as ?");
  out.len = 0;
  spawn_reply(&out, "0", 'Z', "", 0);
  is_mem(out.s, out.len, S("0\0Z\0"), "empty text");
  out.len = 0;
  for (i = 0; i < sizeof big; ++i) big[i] = 'x';
  spawn_reply(&out, "0", 'Z', big, sizeof big);
  is_long((long)out.len, (long)(2 + 1 + SPAWN_REPORT_MAX + 1), "text cut to SPAWN_REPORT_MAX");
  is_long(out.s[out.len - 1], 0, "  still NUL-terminated");
  stralloc_free(&out);
}

/* ---- the verdict from the exit status ---- */
static const struct {
  int wstat; const char *output; const char *want; size_t wlen;
} verdicts[] = {
  { 0 << 8, "did 0+0+1\n", S("5\0Kdid 0+0+1\n\0") },
  { 0 << 8, "", S("5\0K\0") },
  { 100 << 8, "Sorry, no mailbox here by that name. (#5.1.1)\n", S("5\0DSorry, no mailbox here by that name. (#5.1.1)\n\0") },
  { 111 << 8, "Temporary.\n", S("5\0ZTemporary.\n\0") },
  { 1 << 8, "odd\n", S("5\0Zodd\n\0") },                       /* unknown codes are temporary */
  { 99 << 8, "", S("5\0Zqmail-local exited 99 without saying why. (#4.3.0)\n\0") },
  { 100 << 8, "", S("5\0Dqmail-local exited 100 without saying why. (#5.3.0)\n\0") },
  { 11, "", S("5\0Zqmail-local crashed (signal 11).\n\0") },
  { 9, "partial\n", S("5\0Zqmail-local crashed (signal 9).\npartial\n\0") },
  { 9 | 0x80, "", S("5\0Zqmail-local crashed (signal 9).\n\0") },  /* core dumped */
};

static void test_verdicts(void)
{
  struct spawn_output o = {0};
  stralloc out = {0};
  size_t i;
  for (i = 0; i < sizeof verdicts / sizeof verdicts[0]; ++i) {
    spawn_output_reset(&o);
    spawn_output_add(&o, verdicts[i].output, strlen(verdicts[i].output));
    out.len = 0;
    ok(spawn_report_exit(&out, "5", verdicts[i].wstat, &o, "qmail-local"), "verdict made");
    is_mem(out.s, out.len, verdicts[i].want, verdicts[i].wlen, "  verdict");
  }
  /* a crash with long output still fits */
  spawn_output_reset(&o);
  {
    char buf[3000];
    memset(buf, 'y', sizeof buf);
    spawn_output_add(&o, buf, sizeof buf);
  }
  out.len = 0;
  spawn_report_exit(&out, "5", 11, &o, "qmail-local");
  ok(out.len <= 2 + 1 + SPAWN_REPORT_MAX + 1, "crash report with long output fits");
  stralloc_free(&out);
  stralloc_free(&o.head); stralloc_free(&o.tail);
}

int main(void)
{
  test_requests();
  test_limits();
  test_output();
  test_replies();
  test_verdicts();
  return done_testing();
}
