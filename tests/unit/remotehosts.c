/* qmail-remote's host list: address literals, preference order with
   random order among equals, and the cut below an MX that is us. */
#include "byte.h"
#include "remotehosts.h"
#include "tap.h"

static const struct { const char *in; int want; const char *ip; } lits[] = {
  { "[127.0.0.1]", 1, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\1" },
  { "[::1]", 1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1" },
  { "[IPv6:::1]", 1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1" },
  { "[ipv6:2001:db8::5]", 1, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\5" },
  { "example.com", 0, 0 },
  { "[1.2.3]", -1, 0 },
  { "[1.2.3.4.5]", -1, 0 },
  { "[example.com]", -1, 0 },
  { "[]", -1, 0 },
  { "[1.2.3.4", 0, 0 },
};

static unsigned int calls;
static unsigned int fixed(unsigned int n) { ++calls; return n - 1; }   /* no shuffle */
static unsigned int other(unsigned int n) { ++calls; return n == 4 ? 1 : n - 1; } /* swaps 1 and 3 */

static void fill(struct remote_hosts *hs, const unsigned int *prefs, size_t n)
{
  size_t i;
  hs->n = n;
  for (i = 0; i < n; ++i) {
    byte_zero(hs->h[i].ip, 16);
    hs->h[i].ip[15] = (char)i;
    hs->h[i].pref = prefs[i];
  }
}

int main(void)
{
  static struct remote_hosts hs;
  static const unsigned int prefs[] = { 20, 10, 30, 10, 20 };
  size_t i;
  int sorted = 1, moved = 0;
  for (i = 0; i < sizeof lits / sizeof lits[0]; ++i) {
    char ip[16];
    int got = remote_literal(lits[i].in, strlen(lits[i].in), ip);
    if (!is_long(got, lits[i].want, "literal or not")) printf("#   '%s'\n", lits[i].in);
    if (got == 1 && lits[i].want == 1) ok(byte_equal(ip, 16, lits[i].ip), "  the address");
  }
  fill(&hs, prefs, 5);
  remote_hosts_order(&hs, fixed);
  for (i = 1; i < hs.n; ++i) if (hs.h[i - 1].pref > hs.h[i].pref) sorted = 0;
  ok(sorted, "lowest preference first");
  ok(hs.h[0].ip[15] == 1 && hs.h[1].ip[15] == 3, "equals keep their order when the dice say so");
  fill(&hs, prefs, 5);
  remote_hosts_order(&hs, other);
  for (i = 1; i < hs.n; ++i) if (hs.h[i - 1].pref > hs.h[i].pref) sorted = 0;
  ok(sorted, "still sorted after a shuffle");
  moved = hs.h[0].ip[15] == 3 && hs.h[1].ip[15] == 1;
  ok(moved, "and equals can change places");
  ok(calls > 0, "the random source is used");
  fill(&hs, prefs, 5);
  remote_hosts_cut(&hs, 20);
  is_long((long)hs.n, 2, "an MX at 20 that is us leaves only the ones below 20");
  ok(hs.h[0].pref == 10 && hs.h[1].pref == 10, "  those");
  remote_hosts_cut(&hs, 10);
  is_long((long)hs.n, 0, "and none when we are the best");
  return done_testing();
}
