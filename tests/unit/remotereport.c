/* qmail-rspawn: qmail-remote's r/h/s + K/Z/D report becomes the K/Z/D
   reply qmail-send expects; a crash or garbage becomes Z, but for a crash
   after a complete K report. */
#include <sys/wait.h>
#include "remotereport.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

static const struct { const char *in; size_t len; int want; char code; const char *text; } rows[] = {
  { S("r\0Kok said 250\0"), 1, 'K', "ok said 250" },
  { S("h\0no user\0DGiving up\0"), -1, 0, 0 },                     /* three reports */
  { S("hno user\0DGiving up\0"), 1, 'D', "no user" },
  { S("sbusy\0DGiving up\0"), 1, 'Z', "busy" },
  { S("hno\0Kdone\0"), 1, 'D', "no" },
  { S("stry later\0Kdone\0"), 1, 'Z', "try later" },
  { S("r\0Zlost after dot\0"), 1, 'Z', "lost after dot" },
  { S("r\0Drefused data\0"), 1, 'D', "refused data" },
  { S("Zcannot connect\0"), 1, 'Z', "cannot connect" },               /* no recipient report */
  { S("Dno such domain\0"), 1, 'D', "no such domain" },
  { S("Kdelivered to nobody\0"), -1, 0, 0 },
  { S("r\0Kno final NUL"), -1, 0, 0 },
  { S(""), -1, 0, 0 },
  { S("\0"), -1, 0, 0 },
  { S("x\0Kok\0"), -1, 0, 0 },
  { S("r\0Xok\0"), -1, 0, 0 },
  { S("r\0\0"), -1, 0, 0 },
  { S("garbage\n"), -1, 0, 0 },
};

static void test_verdicts(void)
{
  stralloc t = {0};
  size_t i;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    char code = 0;
    t.len = 0;
    int got = remote_report_verdict(rows[i].in, rows[i].len, &code, &t);
    if (!is_long(got, rows[i].want, "report read or refused")) printf("#   row %zu\n", i);
    if (got != 1) continue;
    is_long(code, rows[i].code, "  verdict");
    is_mem(t.s, t.len, rows[i].text, strlen(rows[i].text), "  text");
  }
  stralloc_free(&t);
}

/* The whole reply, as qmail-send gets it. */
static void reply(int wstat, const char *out, size_t len, stralloc *sa)
{
  struct spawn_output o = {0};
  sa->len = 0;
  spawn_output_add(&o, out, len);
  remote_report_exit(sa, "7", wstat, &o);
  stralloc_free(&o.head); stralloc_free(&o.tail);
}

static int has(const stralloc *sa, const char *s)
{
  size_t n = strlen(s), i;
  for (i = 0; i + n <= sa->len; ++i) if (!memcmp(sa->s + i, s, n)) return 1;
  return 0;
}

static void test_replies(void)
{
  stralloc sa = {0};
  reply(0, S("r\0K1.2.3.4 accepted\0"), &sa);
  is_mem(sa.s, sa.len, S("7\0K1.2.3.4 accepted\0"), "a delivery: K with qmail-remote's text");
  reply(111 << 8, S("ZUsage trouble\0"), &sa);
  is_mem(sa.s, sa.len, S("7\0ZUsage trouble\0"), "exit 111 with a Z report: Z");
  reply(111 << 8, S("r\0K1.2.3.4 accepted\0"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "exited 111"), "exit 111 with a K report: Z, it is not a report");
  reply(SIGSEGV, S("r\0"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "crashed (signal 11)"), "a crash: Z, naming the signal");
  reply(SIGKILL, S("r\0K1.2.3.4 accepted\0"), &sa);
  is_mem(sa.s, sa.len, S("7\0K1.2.3.4 accepted\0"), "killed after a complete K report (at QUIT): K, no second delivery");
  reply(SIGKILL, S("r\0K1.2.3.4 acc"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "crashed (signal 9)"), "killed in the middle of a K report: Z");
  reply(SIGKILL, S("h\0D1.2.3.4 refused\0"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "crashed (signal 9)"), "killed after a D report: Z, a crash never bounces");
  reply(SIGKILL, S("r\0Z1.2.3.4 later\0"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "crashed (signal 9)"), "killed after a Z report: Z, naming the signal");
  reply(0, S("Segmentation fault\n"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "without a proper report") && has(&sa, "Segmentation fault"),
     "garbage: Z, showing it");
  ok(sa.s[sa.len - 1] == 0 && memchr(sa.s + 2, 0, sa.len - 3) == 0, "  one NUL-terminated field");
  reply(100 << 8, S("Dsomething\0"), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z' && has(&sa, "exited 100"), "an unexpected exit code: Z");
  reply(0, S(""), &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z', "no output at all: Z");
  stralloc_free(&sa);
}

static void test_long(void)
{
  stralloc out = {0}, sa = {0};
  size_t i;
  stralloc_copyb(&out, "r\0K", 3);
  for (i = 0; i < 5000; ++i) stralloc_append(&out, "x");
  stralloc_0(&out);
  reply(0, out.s, out.len, &sa);
  ok(sa.len > 2 && sa.s[2] == 'Z', "a report longer than what is kept is not trusted: Z");
  ok(sa.len <= 2 + 1 + SPAWN_REPORT_MAX + 1, "  and the reply stays bounded");
  stralloc_free(&out); stralloc_free(&sa);
}

int main(void)
{
  test_verdicts();
  test_replies();
  test_long();
  return done_testing();
}
