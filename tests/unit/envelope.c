/* qmail-queue's envelope parser, the intd/ID prefix and the Received line. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "envelope.h"
#include "tap.h"
#include "todoenv.h"

#define S(x) x, sizeof x - 1
static const struct {
  const char *name;
  const char *in; size_t inlen;
  int status;
  const char *out; size_t outlen;   /* what is stored, when OK */
  unsigned long rcpts;
} rows[] = {
  { "one recipient", S("Fa@b\0Tc@d\0\0"), ENVELOPE_OK, S("Fa@b\0Tc@d\0"), 1 },
  { "null sender, two recipients", S("F\0Tc@d\0Te@f\0\0"), ENVELOPE_OK, S("F\0Tc@d\0Te@f\0"), 2 },
  { "zero recipients accepted", S("Fa@b\0\0"), ENVELOPE_OK, S("Fa@b\0"), 0 },
  { "bytes after the final NUL are not read", S("Fa@b\0Tc@d\0\0Tjunk"), ENVELOPE_OK, S("Fa@b\0Tc@d\0"), 1 },
  { "any byte but NUL is part of an address", S("F\xff\n \0T\x01x\0\0"), ENVELOPE_OK, S("F\xff\n \0T\x01x\0"), 1 },
  { "empty input", S(""), ENVELOPE_TRUNCATED, S(""), 0 },
  { "missing F", S("Tc@d\0\0"), ENVELOPE_NOSENDER, S(""), 0 },
  { "NUL instead of F", S("\0"), ENVELOPE_NOSENDER, S(""), 0 },
  { "lower-case f", S("fa@b\0\0"), ENVELOPE_NOSENDER, S(""), 0 },
  { "junk byte instead of T", S("Fa@b\0Xc@d\0\0"), ENVELOPE_BADTAG, S(""), 0 },
  { "second F", S("Fa@b\0Fc@d\0\0"), ENVELOPE_BADTAG, S(""), 0 },
  { "empty recipient", S("Fa@b\0T\0\0"), ENVELOPE_EMPTYRCPT, S(""), 0 },
  { "missing final NUL", S("Fa@b\0Tc@d\0"), ENVELOPE_TRUNCATED, S(""), 0 },
  { "EOF mid-recipient", S("Fa@b\0Tc@"), ENVELOPE_TRUNCATED, S(""), 0 },
  { "EOF right after T", S("Fa@b\0T"), ENVELOPE_TRUNCATED, S(""), 0 },
  { "EOF mid-sender", S("Fa@b"), ENVELOPE_TRUNCATED, S(""), 0 },
  { "EOF right after F", S("F"), ENVELOPE_TRUNCATED, S(""), 0 },
};

/* read ops for libowfat buffers: from a table row, one byte per call */
static const char *feed; static size_t feedlen, feedpos, failafter;
static ssize_t onebyte(int fd, char *buf, size_t len)
{
  if (feedpos >= failafter) { errno = EIO; return -1; }
  if (feedpos >= feedlen || !len) return 0;
  buf[0] = feed[feedpos++];
  return 1;
}

static int parse(const char *in, size_t len, int bytewise, size_t fail,
                 stralloc *out, unsigned long *rcpts)
{
  static char space[64];
  buffer b;
  stralloc_zero(out);
  if (!bytewise) {
    buffer_frombuf(&b, in, len);
    return envelope_read(&b, out, rcpts);
  }
  feed = in; feedlen = len; feedpos = 0; failafter = fail;
  buffer_init(&b, onebyte, 0, space, sizeof space);
  return envelope_read(&b, out, rcpts);
}

static void table(void)
{
  static stralloc out;
  size_t i;
  int bytewise;
  char name[128];
  for (bytewise = 0; bytewise < 2; ++bytewise)
    for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
      unsigned long n;
      int r = parse(rows[i].in, rows[i].inlen, bytewise, (size_t)-1, &out, &n);
      snprintf(name, sizeof name, "%s%s: status", rows[i].name, bytewise ? " (bytewise)" : "");
      is_long(r, rows[i].status, name);
      if (rows[i].status != ENVELOPE_OK) continue;
      snprintf(name, sizeof name, "%s%s: stored", rows[i].name, bytewise ? " (bytewise)" : "");
      is_mem(out.s, out.len, rows[i].out, rows[i].outlen, name);
      snprintf(name, sizeof name, "%s%s: recipients", rows[i].name, bytewise ? " (bytewise)" : "");
      is_long((long)n, (long)rows[i].rcpts, name);
    }
}

static void read_error(void)
{
  static stralloc out;
  unsigned long n;
  static const char env[] = "Fa@b\0Tc@d\0\0";
  size_t k;
  for (k = 0; k < sizeof env - 1; ++k) {
    char name[64];
    snprintf(name, sizeof name, "read error after %zu bytes", k);
    is_long(parse(env, sizeof env - 1, 1, k, &out, &n), ENVELOPE_READERR, name);
  }
}

/* F<addr of len bytes>\0 T<rcpt>\0 \0, or with the long one as recipient */
static void build(stralloc *sa, size_t len, int asrcpt)
{
  stralloc_copys(sa, asrcpt ? "Fs@x" : "F");
  if (asrcpt) { stralloc_0(sa); stralloc_cats(sa, "T"); }
  while (len--) stralloc_append(sa, "a");
  stralloc_0(sa);
  if (!asrcpt) { stralloc_cats(sa, "Tr@x"); stralloc_0(sa); }
  stralloc_0(sa);
}

static void lengths(void)
{
  static stralloc in, out;
  unsigned long n;
  build(&in, ENVELOPE_ADDR_MAX, 0);
  is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_OK, "sender of the maximum length");
  build(&in, ENVELOPE_ADDR_MAX + 1, 0);
  is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_ADDRLONG, "sender one byte too long");
  build(&in, ENVELOPE_ADDR_MAX, 1);
  is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_OK, "recipient of the maximum length");
  build(&in, ENVELOPE_ADDR_MAX + 1, 1);
  is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_ADDRLONG, "recipient one byte too long");
  build(&in, 100000, 1);
  is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_ADDRLONG, "recipient far too long");
  ok(out.len <= ENVELOPE_ADDR_MAX + 10, "nothing of it stored");
}

/* recipients of the maximum length, then one that ends exactly at the
   limit on the whole, or one byte past it */
static void toobig(void)
{
  static stralloc in, out;
  unsigned long n, full;
  size_t field = ENVELOPE_ADDR_MAX + 2, last, i, k;
  int past;
  full = (unsigned long)((ENVELOPE_MAXBYTES - 2) / field);
  last = ENVELOPE_MAXBYTES - 2 - full * field - 2;   /* address bytes */
  for (past = 0; past < 2; ++past) {
    stralloc_copys(&in, "F");
    stralloc_0(&in);
    for (i = 0; i < full; ++i) {
      stralloc_append(&in, "T");
      for (k = 0; k < ENVELOPE_ADDR_MAX; ++k) stralloc_append(&in, "r");
      stralloc_0(&in);
    }
    stralloc_append(&in, "T");
    for (k = 0; k < last + (size_t)past; ++k) stralloc_append(&in, "l");
    stralloc_0(&in);
    stralloc_0(&in);
    if (!past) {
      is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_OK, "envelope exactly at the limit");
      is_long((long)out.len, (long)ENVELOPE_MAXBYTES, "stored size is the limit");
      is_long((long)n, (long)full + 1, "all its recipients counted");
    } else {
      is_long(parse(in.s, in.len, 0, 0, &out, &n), ENVELOPE_TOOBIG, "one byte over the limit");
      ok(out.len <= ENVELOPE_MAXBYTES, "and nothing stored past it");
    }
  }
}

static void exitcodes(void)
{
  static const struct { int status, code; } m[] = {
    { ENVELOPE_OK, 0 }, { ENVELOPE_NOMEM, 51 }, { ENVELOPE_READERR, 54 },
    { ENVELOPE_TRUNCATED, 54 }, { ENVELOPE_NOSENDER, 91 }, { ENVELOPE_BADTAG, 91 },
    { ENVELOPE_EMPTYRCPT, 91 }, { ENVELOPE_ADDRLONG, 11 }, { ENVELOPE_TOOBIG, 11 },
    { 999, 81 },
  };
  size_t i;
  for (i = 0; i < sizeof m / sizeof m[0]; ++i) {
    char name[64];
    snprintf(name, sizeof name, "status %d exits %d", m[i].status, m[i].code);
    is_long(envelope_exitcode(m[i].status), m[i].code, name);
  }
}

/* what qmail-queue writes must be what qmail-todo reads */
static void roundtrip(void)
{
  static stralloc out;
  static const char env[] = "Fme@here\0Tyou@there\0Tthem@else\0\0";
  struct todoenv e;
  buffer b;
  unsigned long n;
  size_t pos = 0, alen;
  const char *a;
  stralloc_zero(&out);
  ok(envelope_start(&out, 1000, 4242), "prefix");
  is_mem(out.s, out.len, S("u1000\0p4242\0"), "prefix bytes");
  buffer_frombuf(&b, env, sizeof env - 1);
  is_long(envelope_read(&b, &out, &n), ENVELOPE_OK, "appended after the prefix");
  is_long(todoenv_parse(&e, out.s, out.len), 1, "qmail-todo accepts it");
  is_long((long)e.uid, 1000, "uid survives");
  is_long((long)e.pid, 4242, "pid survives");
  is_mem(e.sender, e.senderlen, S("me@here"), "sender survives");
  todoenv_next(&e, &pos, &a, &alen);
  is_mem(a, alen, S("you@there"), "first recipient survives");
  todoenv_next(&e, &pos, &a, &alen);
  is_mem(a, alen, S("them@else"), "second recipient survives");
  ok(!todoenv_next(&e, &pos, &a, &alen), "no more");
  stralloc_zero(&out);
  envelope_start(&out, 0, 1);
  buffer_frombuf(&b, S("F\0\0"));
  envelope_read(&b, &out, &n);
  is_long(todoenv_parse(&e, out.s, out.len), 1, "qmail-todo accepts zero recipients");
}

static void received(void)
{
  static const struct { int how; const char *want; } r[] = {
    { RECEIVED_UID, "Received: (qmail 4242 invoked by uid 1000); Thu, 1 Jan 1970 00:00:00 +0000\n" },
    { RECEIVED_NETWORK, "Received: (qmail 4242 invoked from network); Thu, 1 Jan 1970 00:00:00 +0000\n" },
    { RECEIVED_ALIAS, "Received: (qmail 4242 invoked by alias); Thu, 1 Jan 1970 00:00:00 +0000\n" },
    { RECEIVED_BOUNCE, "Received: (qmail 4242 invoked for bounce); Thu, 1 Jan 1970 00:00:00 +0000\n" },
  };
  char buf[ENVELOPE_RECEIVED_LEN + 1];
  size_t i, len;
  setenv("TZ", "UTC", 1);
  tzset();
  for (i = 0; i < sizeof r / sizeof r[0]; ++i) {
    len = envelope_received(buf, 4242, r[i].how, 1000, 0);
    is_mem(buf, len, r[i].want, strlen(r[i].want), r[i].want);
  }
  len = envelope_received(buf, (unsigned long)-1, RECEIVED_UID, (unsigned long)-1, (time_t)4102444799);
  ok(len <= ENVELOPE_RECEIVED_LEN, "the longest line fits");
}

int main(void)
{
  table();
  read_error();
  lengths();
  toobig();
  exitcodes();
  roundtrip();
  received();
  return done_testing();
}
