/* The DATA state machine: end detection, unstuffing, bare CR and LF (the
   SMTP smuggling variants), NUL, size limits, input split anywhere. */
#include <stdlib.h>
#include "smtpdata.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

struct result { int ended; size_t used; int flags; char out[4096]; size_t outlen; unsigned long long bytes; };

/* feed in pieces of `piece' bytes (0: all at once) */
static void feed(struct result *r, const char *in, size_t len, size_t piece, unsigned long long limit)
{
  static struct smtpdata d;
  static char out[4096];
  size_t pos = 0;
  smtpdata_start(&d, limit);
  r->ended = 0;
  r->outlen = 0;
  while (pos < len) {
    size_t n = piece && piece < len - pos ? piece : len - pos, used, olen;
    int e = smtpdata_feed(&d, in + pos, n, &used, out, &olen);
    memcpy(r->out + r->outlen, out, olen);
    r->outlen += olen;
    pos += used;
    if (e) { r->ended = 1; break; }
  }
  r->used = pos;
  r->flags = d.flags;
  r->bytes = d.bytes;
}

struct row { const char *name; const char *in; size_t len; int ended; size_t used; int flags; const char *out; size_t outlen; };

static const struct row rows[] = {
  { "empty message", S(".\r\n"), 1, 3, 0, S("") },
  { "one line", S("hi\r\n.\r\n"), 1, 7, 0, S("hi\n") },
  { "stops at the end; the rest is the next command", S("a\r\n.\r\nQUIT\r\n"), 1, 6, 0, S("a\n") },
  { "dot-stuffed line", S("..x\r\n...\r\n.\r\n"), 1, 13, 0, S(".x\n..\n") },
  { "a leading dot followed by text loses the dot", S(".x\r\n.\r\n"), 1, 7, 0, S("x\n") },
  { "dot in the middle of a line", S("a.b\r\n.\r\n"), 1, 8, 0, S("a.b\n") },
  { "no end yet", S("a\r\n.\r"), 0, 5, 0, S("a\n") },
  { "header and body", S("Subject: x\r\n\r\nbody\r\n.\r\n"), 1, 23, 0, S("Subject: x\n\nbody\n") },
  { "bare LF in a line", S("a\nb\r\n.\r\n"), 1, 8, SMTPDATA_BARELF, S("a") },
  { "bare CR in a line", S("a\rb\r\n.\r\n"), 1, 8, SMTPDATA_BARECR, S("a") },
  { "smuggling LF.LF: no end, hidden message read as data",
    S("a\n.\nMAIL FROM:<x@y>\r\n.\r\n"), 1, 24, SMTPDATA_BARELF, S("a") },
  { "smuggling CR.CR", S("a\r.\rMAIL FROM:<x@y>\r\n.\r\n"), 1, 24, SMTPDATA_BARECR, S("a") },
  { "smuggling LF.CRLF", S("a\n.\r\nRCPT TO:<x@y>\r\n.\r\n"), 1, 23, SMTPDATA_BARELF, S("a") },
  { "smuggling CRLF.LF", S("a\r\n.\nDATA\r\n.\r\n"), 1, 14, SMTPDATA_BARELF, S("a\n") },
  { "smuggling CR LF . CR", S("a\r\n.\rDATA\r\n.\r\n"), 1, 14, SMTPDATA_BARECR, S("a\n") },
  { "smuggling CR LF . CR CR LF", S("a\r\n.\r\r\nX\r\n.\r\n"), 1, 13, SMTPDATA_BARECR, S("a\n") },
  { "smuggling LF . LF at the very start", S("\n.\nX\r\n.\r\n"), 1, 9, SMTPDATA_BARELF, S("") },
  { "CR CR LF", S("a\r\r\n.\r\n"), 1, 7, SMTPDATA_BARECR, S("a") },
  { "NUL byte", S("a\0b\r\n.\r\n"), 1, 8, SMTPDATA_NUL, S("a") },
  { "8-bit bytes pass", S("\xc3\xa9\xff\r\n.\r\n"), 1, 8, 0, S("\xc3\xa9\xff\n") },
  { "only a bare LF message", S("\n"), 0, 1, SMTPDATA_BARELF, S("") },
};

static void table(void)
{
  static struct result r;
  size_t i, piece;
  static const size_t pieces[] = { 0, 1, 2, 3, 5 };
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    for (piece = 0; piece < sizeof pieces / sizeof pieces[0]; ++piece) {
      char name[200];
      const struct row *t = rows + i;
      feed(&r, t->in, t->len, pieces[piece], 0);
      snprintf(name, sizeof name, "%s (pieces of %zu)", t->name, pieces[piece]);
      if (!ok(r.ended == t->ended && r.used == t->used && r.flags == t->flags &&
              r.outlen == t->outlen && !memcmp(r.out, t->out, r.outlen), name))
        printf("#   ended %d used %zu flags %d out '%.*s'\n", r.ended, r.used, r.flags, (int)r.outlen, r.out);
    }
}

static void sizes(void)
{
  static struct result r;
  feed(&r, S("12345\r\n.\r\n"), 0, 6);
  ok(r.ended && !r.flags && r.outlen == 6 && r.bytes == 6, "6 bytes fit a limit of 6 (LF counted)");
  feed(&r, S("12345\r\n.\r\n"), 0, 5);
  ok(r.ended && r.flags == SMTPDATA_TOOBIG && r.bytes == 6, "6 bytes over a limit of 5: read to the end, refused");
  feed(&r, S("1234567890\r\n.\r\n"), 3, 5);
  ok(r.ended && r.flags == SMTPDATA_TOOBIG, "the same fed in pieces of 3");
}

/* a long line split across many reads is streamed, never held */
static void longline(void)
{
  static struct smtpdata d;
  static char in[65536], out[65536];
  size_t used, olen, total = 0;
  int i, e = 0;
  memset(in, 'x', sizeof in);
  smtpdata_start(&d, 0);
  for (i = 0; i < 64; ++i) {
    e = smtpdata_feed(&d, in, sizeof in, &used, out, &olen);
    total += olen;
    if (e || used != sizeof in) break;
  }
  ok(!e && total == 64 * sizeof in && d.bytes == total, "a 4 MiB line streams through");
  e = smtpdata_feed(&d, "\r\n.\r\n", 5, &used, out, &olen);
  ok(e && olen == 1 && out[0] == '\n' && !d.flags, "and ends normally");
}

static void saturate(void)
{
  static struct smtpdata d;
  char out[8];
  size_t used, olen;
  smtpdata_start(&d, 0);
  d.bytes = ~0ULL - 2;
  smtpdata_feed(&d, "abcdef", 6, &used, out, &olen);
  ok(d.bytes == ~0ULL, "the byte count saturates instead of wrapping");
  smtpdata_start(&d, 10);
  d.bytes = ~0ULL - 1;
  smtpdata_feed(&d, "\r\nxyz", 5, &used, out, &olen);
  ok(d.bytes == ~0ULL && (d.flags & SMTPDATA_TOOBIG), "and stays over the limit");
}

int main(void)
{
  table();
  sizes();
  longline();
  saturate();
  return done_testing();
}
