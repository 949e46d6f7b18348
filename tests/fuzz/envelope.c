/* qmail-queue's envelope reader (envelope.h): the input is what a
   caller writes to qmail-queue's descriptor 1. Promises checked: the
   verdict and the stored copy do not depend on how reads are cut; the
   exit code is one qmail-queue documents; an accepted envelope is
   stored as F<sender>\0 T<rcpt>\0..., every address bounded, recipients
   counted right, and not one byte past the final \0 was read. */
#include "buffer.h"
#include "envelope.h"
#include "fuzz.h"

struct verdict { int status; unsigned long rcpts; size_t read; };

static void parse(struct verdict *v, stralloc *out, const char *s, size_t len, size_t piece)
{
  char space[16];
  buffer b;
  out->len = 0;
  v->rcpts = 0;
  fuzz_read_start(s, len, piece);
  buffer_init(&b, fuzz_read, 0, space, sizeof space);
  v->status = envelope_read(&b, out, &v->rcpts);
  v->read = fuzz_srcpos;
}

static void check_stored(const stralloc *out, unsigned long rcpts)
{
  size_t i = 0, n;
  unsigned long t = 0;
  require(out->len >= 2 && out->s[0] == 'F');
  while (i < out->len) {
    const char *f = memchr(out->s + i, 0, out->len - i);
    require(f);
    n = (size_t)(f - (out->s + i));
    require(n >= 1 && n - 1 <= ENVELOPE_ADDR_MAX);
    if (i) { require(out->s[i] == 'T' && n > 1); ++t; }
    i += n + 1;
  }
  require(t == rcpts);
  require(out->len <= ENVELOPE_MAXBYTES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int codes[] = { 0, 11, 51, 54, 91 };
  const char *s = (const char *)data;
  stralloc a = {0}, b = {0};
  struct verdict va, vb;
  size_t i;
  int code, known = 0;
  parse(&va, &a, s, size, 1);
  parse(&vb, &b, s, size, 4096);
  require(va.status == vb.status && va.rcpts == vb.rcpts);
  code = envelope_exitcode(va.status);
  for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) known |= code == codes[i];
  require(known && (code == 0) == (va.status == ENVELOPE_OK));
  if (va.status == ENVELOPE_OK) {
    require(fuzz_same(a.s, a.len, b.s, b.len));
    check_stored(&a, va.rcpts);
    /* the final \0 follows the stored fields; byte-wise reads stop there */
    require(va.read == a.len + 1 && va.read <= size && s[a.len] == 0);
    require(!memcmp(s, a.s, a.len));
  }
  stralloc_free(&a);
  stralloc_free(&b);
  return 0;
}
