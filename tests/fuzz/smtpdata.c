/* The DATA state machine (smtpdata.h) and its outgoing twin, dot
   stuffing (dotstuff.h). The input is a DATA stream as a client sends it.
   Promises checked: the result does not depend on how the network cuts
   the stream (all at once against pieces of 1, 2, 3 and 7 bytes); no
   call outputs more than it was fed or takes more than it got; a clean
   message holds no CR and no NUL. Then the round trip: the clean message
   (in qmail's LF form) dot-stuffed by qmail-remote's code and read back
   by qmail-smtpd's must come out as it went in, ending exactly at the
   final dot. */
#include "buffer.h"
#include "dotstuff.h"
#include "fuzz.h"
#include "smtpdata.h"
#include "stralloc.h"

struct outcome { int ended; size_t used; int flags; unsigned long long bytes; };

/* Feed in pieces of `piece' bytes (0: all at once); output into out. */
static void feed(struct outcome *o, stralloc *out, const char *in, size_t len,
                 size_t piece, unsigned long long limit)
{
  struct smtpdata d;
  size_t pos = 0;
  smtpdata_start(&d, limit);
  out->len = 0;
  o->ended = 0;
  while (pos < len) {
    size_t n = piece && piece < len - pos ? piece : len - pos, used = (size_t)-1, olen = (size_t)-1;
    int e;
    require(stralloc_readyplus(out, n));
    e = smtpdata_feed(&d, in + pos, n, &used, out->s + out->len, &olen);
    require(used <= n && olen <= used);
    require(e || used == n);
    out->len += olen;
    pos += used;
    if (e) { o->ended = 1; break; }
  }
  o->used = pos;
  o->flags = d.flags;
  o->bytes = d.bytes;
}

static void same(const struct outcome *a, const stralloc *aout,
                 const struct outcome *b, const stralloc *bout)
{
  require(a->ended == b->ended && a->used == b->used);
  require(a->flags == b->flags && a->bytes == b->bytes);
  require(fuzz_same(aout->s, aout->len, bout->s, bout->len));
}

/* dot-stuffing writes into a stralloc */
static stralloc *wire;
static ssize_t to_wire(int fd, const char *buf, size_t len)
{
  (void)fd;
  require(stralloc_catb(wire, buf, len));
  return (ssize_t)len;
}

/* msg (LF lines, no CR, no NUL) -> wire -> smtpdata: the same msg */
static void round_trip(const stralloc *msg, stralloc *w, stralloc *back)
{
  char space[64];
  buffer b = BUFFER_INIT(to_wire, 1, space, sizeof space);
  struct smtp_data sd;
  struct smtp_msginfo mi;
  struct outcome o;
  size_t i;
  wire = w;
  w->len = 0;
  smtp_data_start(&sd);
  smtp_msginfo_start(&mi);
  for (i = 0; i < msg->len; i += 5) {
    size_t n = msg->len - i < 5 ? msg->len - i : 5;
    require(smtp_data_put(&sd, &b, msg->s + i, n) == 0);
    smtp_msginfo_add(&mi, msg->s + i, n);
  }
  require(smtp_data_end(&sd, &b) == 0);
  require(smtp_msginfo_size(&mi) >= msg->len);
  feed(&o, back, w->s, w->len, 0, 0);
  require(o.ended && o.used == w->len && !o.flags);
  /* a last line without LF gets one on the way */
  require(back->len == msg->len + (msg->len && msg->s[msg->len - 1] != '\n'));
  require(fuzz_same(back->s, msg->len, msg->s, msg->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const size_t pieces[] = { 1, 2, 3, 7 };
  const char *s = (const char *)data;
  stralloc whole = {0}, part = {0}, w = {0};
  struct outcome a, b;
  size_t i;
  feed(&a, &whole, s, size, 0, 0);
  for (i = 0; i < sizeof pieces / sizeof pieces[0]; ++i) {
    feed(&b, &part, s, size, pieces[i], 0);
    same(&a, &whole, &b, &part);
  }
  if (!a.flags) {
    require(!whole.len || (!memchr(whole.s, '\r', whole.len) && !memchr(whole.s, 0, whole.len)));
    require(a.bytes == whole.len);
    feed(&b, &part, s, size, 0, a.bytes ? a.bytes : 1);
    require(b.flags == 0);
    round_trip(&whole, &w, &part);
  }
  if (a.bytes > 1) {   /* one byte under the limit spoils it */
    feed(&b, &part, s, size, 3, a.bytes - 1);
    require(b.flags & SMTPDATA_TOOBIG);
  }
  stralloc_free(&whole);
  stralloc_free(&part);
  stralloc_free(&w);
  return 0;
}
