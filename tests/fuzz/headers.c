/* qmail-inject's header rewriting (headers.h, inject.h): the input is a
   message as a user pipes it to qmail-inject or sendmail. The header is
   read and rewritten, the fields qmail-inject adds are made, the header
   recipients deduplicated, and the body converted to LF line ends. The
   settings (QMAILINJECT letters, -f, -t) come from the input's length,
   so every seed meets several of them. Promises checked: the outcome
   does not depend on how reads are cut; every kept field ends in a line
   end; an envelope address is at most ADDRESS_MAX bytes; deduplication
   only drops; the body's conversion does not
   depend on where the input is cut and ends in a line end. */
#include "buffer.h"
#include "fuzz.h"
#include "headers.h"
#include "inject.h"

static struct addr_qualify q;

static int read_header(struct header *h, const struct header_conf *c, stralloc *body,
                       int *end, const char *s, size_t len, size_t piece)
{
  char space[32];
  buffer b;
  fuzz_read_start(s, len, piece);
  buffer_init(&b, fuzz_read, 0, space, sizeof space);
  header_init(h, c);
  return inject_readheader(&b, h, body, end);
}

static void check_recipients(const stralloc *r)
{
  stralloc uniq = {0};
  size_t i = 0;
  require(!r->len || r->s[r->len - 1] == 0);
  while (i < r->len) {
    size_t n = strlen(r->s + i);
    require(n <= ADDRESS_MAX);
    i += n + 1;
  }
  require(inject_dedupe(&uniq, r));
  require(uniq.len <= r->len && inject_count(&uniq) <= inject_count(r));
  stralloc_free(&uniq);
}

static void same_header(const struct header *a, const struct header *b)
{
  require(fuzz_same(a->kept.s, a->kept.len, b->kept.s, b->kept.len));
  require(fuzz_same(a->hr.s, a->hr.len, b->hr.s, b->hr.len));
  require(fuzz_same(a->hrr.s, a->hrr.len, b->hrr.s, b->hrr.len));
}

/* the body converted in pieces of `piece' bytes into out (len + 2) */
static size_t body_lf(const char *s, size_t len, size_t piece, char *out)
{
  struct inject_lf c;
  size_t o = 0, i;
  inject_lf_init(&c);
  for (i = 0; i < len; i += piece) {
    size_t n = len - i < piece ? len - i : piece;
    o += inject_lf(&c, s + i, n, out + o);
    require(o <= i + n + 1);
  }
  o += inject_lf_end(&c, out + o);
  require(o <= len + 2);
  require(!len || out[o - 1] == '\n');
  return o;
}

static void body(const char *s, size_t len)
{
  char *whole = malloc(len + 2), *cut = malloc(len + 2);
  size_t w, k;
  require(whole && cut);
  w = body_lf(s, len, len ? len : 1, whole);
  k = body_lf(s, len, 3, cut);
  require(fuzz_same(whole, w, cut, k));
  free(whole);
  free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int qualified;
  const char *s = (const char *)data;
  struct header a = {0}, b = {0};
  struct header_conf c;
  struct header_add add = { "Sat, 21 Nov 2026 00:00:00 +0000", "<id@example.com>", "me", 0 };
  stralloc bodya = {0}, bodyb = {0}, top = {0};
  int ra, rb, enda = -1, endb = -1;
  if (!qualified) {
    require(addr_qualify_init(&q, "mail", "example.com", "example.net") == 1);
    qualified = 1;
  }
  c.q = &q;
  c.delete_from = size & 1;
  c.delete_messageid = !!(size & 2);
  c.ignore_returnpath = !!(size & 4);
  c.sender_given = !!(size & 8);
  c.strict_recipients = !!(size & 16);
  ra = read_header(&a, &c, &bodya, &enda, s, size, 4096);
  rb = read_header(&b, &c, &bodyb, &endb, s, size, 1);
  require(ra == rb);
  require(ra == HEADER_OK || ra == HEADER_BADADDR || ra == HEADER_TOOBIG ||
          ra == HEADER_TOOMANY || ra == HEADER_ADDRLONG);
  if (ra == HEADER_OK) {
    int t;
    require(enda == endb && enda >= HEADER_END_BLANK && enda <= HEADER_END_EOF);
    same_header(&a, &b);
    require(!a.kept.len || a.kept.s[a.kept.len - 1] == '\n');
    require(a.fields <= HEADER_FIELDS_MAX && a.bytes <= HEADER_BYTES_MAX);
    check_recipients(header_recipients(&a));
    t = header_top(&top, &a, &add);
    require(t == HEADER_OK);
    require(!top.len || top.s[top.len - 1] == '\n');
  }
  body(s, size);
  header_free(&a);
  header_free(&b);
  stralloc_free(&bodya);
  stralloc_free(&bodyb);
  stralloc_free(&top);
  return 0;
}
