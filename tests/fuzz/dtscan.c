/* qmail-local's loop check (dtscan in localdeliver.h): the input is a
   message; is its own Delivered-To line in the header? The scanner,
   fed in pieces of 1, 5 and all bytes, must agree with the plain
   reading: the header's lines up to the first empty one, and a line
   counts only when it is the whole Delivered-To line. */
#include "fuzz.h"
#include "localdeliver.h"

/* 1 found, -1 the header ended first, 0 the message ended first */
static int plain(const char *s, size_t len, const char *dt, size_t dtlen)
{
  size_t pos = 0;
  for (;;) {
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t n;
    if (!nl) return 0;
    n = (size_t)(nl - (s + pos)) + 1;
    if (n == 1) return -1;
    if (fuzz_same(s + pos, n, dt, dtlen)) return 1;
    pos += n;
  }
}

static int scan(const char *s, size_t len, const char *dt, size_t dtlen, size_t piece)
{
  struct dtscan d;
  size_t i;
  dtscan_init(&d, dt, dtlen);
  for (i = 0; i < len; i += piece) {
    size_t n = len - i < piece ? len - i : piece;
    int r = dtscan_feed(&d, s + i, n);
    if (r) return r;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const dts[] = { "Delivered-To: joe@example.com\n", "D\n", "\n" };
  const char *s = (const char *)data;
  size_t k;
  for (k = 0; k < sizeof dts / sizeof dts[0]; ++k) {
    size_t dtlen = strlen(dts[k]);
    int want = plain(s, size, dts[k], dtlen);
    if (dtlen == 1) continue;   /* "\n" alone: only a guard for plain() */
    require(scan(s, size, dts[k], dtlen, 1) == want);
    require(scan(s, size, dts[k], dtlen, 5) == want);
    require(scan(s, size, dts[k], dtlen, size ? size : 1) == want);
  }
  return 0;
}
