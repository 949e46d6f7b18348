/* Address lists and envelope addresses (address.h), as qmail-inject and
   sendmail read them from headers and command lines. The input is a
   header field's value. Promises checked: a NUL never tokenizes; a
   rewritten list starts with a space; rewriting is idempotent (the
   canonical form of a canonical list is itself, with the same envelope
   addresses); every envelope address with a plain domain reads back as
   itself through addr_envelope (which quotes it first), the path a -f sender takes. */
#include "address.h"
#include "fuzz.h"

static struct addr_qualify q;

static void qualify_once(void)
{
  static int done;
  if (done) return;
  require(addr_qualify_init(&q, "mail", "example.com", "example.net") == 1);
  done = 1;
}

/* A qualified domain a mail system can use: letters, digits, '-', '_', '.', or a
   literal [...] of those and ':'. Header syntax allows stranger domains
   (a"b.c from "a\"b".c); addr_envelope, which quotes only the local
   part, is not meant to take them back. */
static int plain_domain(const char *d)
{
  size_t i, n = strlen(d);
  int literal = n >= 2 && d[0] == '[' && d[n - 1] == ']';
  for (i = literal; i < n - literal; ++i) {
    char c = d[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.' || (literal && c == ':')))
      return 0;
  }
  /* and qualified: with no dot addr_envelope would qualify it; an
     envelope address does not say which '@' began the domain */
  return literal || strchr(d, '.');
}

/* every NUL-terminated envelope address in addrs with a plain domain
   reads back as itself */
static void envelope_round_trip(const stralloc *addrs)
{
  stralloc back = {0};
  size_t i = 0;
  while (i < addrs->len) {
    const char *e = addrs->s + i;
    size_t n = strlen(e);
    const char *at = strrchr(e, '@');
    if (!at || plain_domain(at + 1)) {
      require(addr_envelope(&back, e, n, &q) == 1);
      require(fuzz_same(back.s, back.len, e, n));
    }
    i += n + 1;
  }
  stralloc_free(&back);
}

/* flags 0 or ADDR_KEEPEMPTY. With ADDR_KEEPEMPTY a bare route ("@a.b")
   is reported as an empty address but not written out, so only the text
   is compared then. */
static void rewrite(const char *s, size_t len, int flags)
{
  stralloc out = {0}, addrs = {0}, out2 = {0}, addrs2 = {0};
  int r = addr_rewrite(&out, s, len, 3, &q, &addrs, flags);
  require(r == 0 || r == 1);
  if (memchr(s, 0, len)) require(r == 0);
  if (r == 1) {
    require(!out.len || out.s[0] == ' ');
    require(!addrs.len || addrs.s[addrs.len - 1] == 0);
    require(addr_rewrite(&out2, out.s, out.len, 3, &q, &addrs2, flags) == 1);
    require(fuzz_same(out2.s, out2.len, out.s, out.len));
    if (!flags) require(fuzz_same(addrs2.s, addrs2.len, addrs.s, addrs.len));
    envelope_round_trip(&addrs);
  }
  stralloc_free(&out);
  stralloc_free(&addrs);
  stralloc_free(&out2);
  stralloc_free(&addrs2);
}

static void envelope(const char *s, size_t len)
{
  stralloc out = {0};
  int r = addr_envelope(&out, s, len, &q);
  require(r == 0 || r == 1);
  if (r == 1 && out.len) require(!memchr(out.s, 0, out.len));
  stralloc_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  struct addr_tokens ta = {0};
  stralloc buf = {0};
  size_t i;
  int r;
  qualify_once();
  r = addr_tokenize(&ta, &buf, s, size);
  require(r == 0 || r == 1);
  if (r == 1)
    for (i = 0; i < ta.len; ++i)
      if (ta.t[i].type != ATOK_SPECIAL)
        require(ta.t[i].s >= buf.s && ta.t[i].s + ta.t[i].len <= buf.s + buf.len);
  addr_tokens_free(&ta);
  stralloc_free(&buf);
  rewrite(s, size, 0);
  rewrite(s, size, ADDR_KEEPEMPTY);
  envelope(s, size);
  return 0;
}
