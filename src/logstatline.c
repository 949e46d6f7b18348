/* The formats are the ones qmail-send and qmail-smtpd write; fields that
   hold outside text (addresses, reports, HELO) are found from the fixed
   words around them, so a hostile address cannot move the numbers. */
#include "logstatline.h"
#include "byte.h"
#include "str.h"

/* TAI64 labels are 2^62 + TAI seconds; TAI is 10 s ahead of the UNIX
   clock as multilog reads it (libtai, tai64nlocal) */
#define TAI64_UNIX 4611686018427387914ULL

static int hex(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int logstat_tai64n(const char *s, size_t len, long long *sec, unsigned long *nsec)
{
  unsigned long long label = 0, frac = 0;
  size_t i;
  if (len < 25 || s[0] != '@') return 0;
  for (i = 1; i < 25; ++i) {
    int h = hex(s[i]);
    if (h < 0) return 0;
    if (i <= 16) label = label << 4 | (unsigned)h;
    else frac = frac << 4 | (unsigned)h;
  }
  if (label < TAI64_UNIX || label - TAI64_UNIX > (1ULL << 40) || frac > 999999999) return 0;
  *sec = (long long)(label - TAI64_UNIX);
  *nsec = (unsigned long)frac;
  return 1;
}

/* ---- a cursor over the line ---- */

struct cur { const char *s; size_t len, pos; };

static int word(struct cur *c, const char *w)
{
  size_t n = str_len(w);
  if (c->len - c->pos < n || byte_diff(c->s + c->pos, n, w)) return 0;
  c->pos += n;
  return 1;
}

static int number(struct cur *c, unsigned long long *n)
{
  size_t start = c->pos;
  *n = 0;
  while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
    unsigned d = (unsigned)(c->s[c->pos++] - '0');
    if (*n > (~0ULL - d) / 10) return 0;
    *n = *n * 10 + d;
  }
  return c->pos > start;
}

/* up to the next space (or the end) */
static void token(struct cur *c, struct logstat_text *t)
{
  t->s = c->s + c->pos;
  while (c->pos < c->len && c->s[c->pos] != ' ') ++c->pos;
  t->len = (size_t)(c->s + c->pos - t->s);
}

static void rest(struct cur *c, struct logstat_text *t)
{
  t->s = c->s + c->pos;
  t->len = c->len - c->pos;
  c->pos = c->len;
}

static int ended(const struct cur *c) { return c->pos == c->len; }

/* the last occurrence of w in s[from, to): its position, or to */
static size_t last(const char *s, size_t from, size_t to, const char *w)
{
  size_t n = str_len(w), i;
  if (to - from < n) return to;
  for (i = to - n + 1; i-- > from;)
    if (!byte_diff(s + i, n, w)) return i;
  return to;
}

/* ---- qmail-send ---- */

static int info(struct logstat_line *l, struct cur *c)
{
  unsigned long long uid;
  size_t q;
  if (!number(c, &l->id) || !word(c, ": bytes ") || !number(c, &l->bytes) || !word(c, " from <")) return 0;
  q = last(c->s, c->pos, c->len, "> qp ");
  if (q == c->len) return 0;
  l->text.s = c->s + c->pos;
  l->text.len = q - c->pos;
  c->pos = q;
  if (!word(c, "> qp ") || !number(c, &l->qp) || !word(c, " uid ") || !number(c, &uid)) return 0;
  l->kind = LS_INFO;
  return ended(c);
}

static int start(struct logstat_line *l, struct cur *c)
{
  if (!number(c, &l->id) || !word(c, ": msg ") || !number(c, &l->msgid) || !word(c, " to ")) return 0;
  if (word(c, "local ")) l->remote = 0;
  else if (word(c, "remote ")) l->remote = 1;
  else return 0;
  rest(c, &l->text);
  l->kind = LS_START;
  return 1;
}

static int delivery(struct logstat_line *l, struct cur *c)
{
  if (!number(c, &l->id)) return 0;
  if (word(c, ": success: ")) l->kind = LS_SUCCESS;
  else if (word(c, ": deferral: ")) l->kind = LS_DEFERRAL;
  else if (word(c, ": failure: ")) l->kind = LS_FAILURE;
  else return 0;
  rest(c, &l->text);
  return 1;
}

static int msgline(struct logstat_line *l, struct cur *c, enum logstat_kind k)
{
  if (!number(c, &l->id)) return 0;
  if (k == LS_BOUNCE && (!word(c, " qp ") || !number(c, &l->qp))) return 0;
  l->kind = k;
  return ended(c);
}

/* ---- qmail-smtpd ---- */

/* " ip A helo H msgid M" at the end: *at is where it starts */
static int smtp_tail(struct logstat_line *l, struct cur *c, size_t *at)
{
  struct cur t = *c;
  size_t m = last(c->s, c->pos, c->len, " msgid ");
  size_t h = last(c->s, c->pos, m, " helo ");
  size_t i = last(c->s, c->pos, h, " ip ");
  if (m == c->len || h == m || i == h) return 0;
  t.pos = i;
  if (!word(&t, " ip ")) return 0;
  token(&t, &l->ip);
  if (!word(&t, " helo ")) return 0;
  token(&t, &l->helo);
  if (!word(&t, " msgid ")) return 0;
  token(&t, &l->what);
  if (!ended(&t)) return 0;
  *at = i;
  return 1;
}

static int smtp_message(struct logstat_line *l, struct cur *c)
{
  size_t end = c->len, b;
  struct cur r;
  if (!smtp_tail(l, c, &end)) {   /* an older line: no tail */
    end = c->len;
    l->ip.len = l->helo.len = l->what.len = 0;
  }
  b = last(c->s, c->pos, end, " bytes ");
  if (b == end) return 0;
  c->pos = b;
  if (!word(c, " bytes ") || !number(c, &l->bytes) || !word(c, ": ")) return 0;
  l->text.s = c->s + c->pos;
  l->text.len = end - c->pos;
  r.s = l->text.s; r.len = l->text.len; r.pos = 0;
  if (word(&r, "accepted qp ") && number(&r, &l->qp) && ended(&r)) l->accepted = 1;
  l->kind = LS_SMTPMSG;
  return 1;
}

static int smtp_refused(struct logstat_line *l, struct cur *c)
{
  size_t r;
  if (!word(c, "ip ")) return 0;
  token(c, &l->ip);
  if (!word(c, " helo ")) return 0;
  token(c, &l->helo);
  if (!word(c, " ")) return 0;
  token(c, &l->what);
  r = last(c->s, c->pos, c->len, ">: ");
  if (r == c->len) return 0;
  c->pos = r + 3;
  rest(c, &l->text);
  l->kind = LS_SMTPREFUSED;
  return 1;
}

static int smtp_end(struct logstat_line *l, struct cur *c)
{
  size_t m;
  if (!word(c, "ip ")) return 0;
  token(c, &l->ip);
  m = last(c->s, c->pos, c->len, " messages ");
  if (m == c->len) return 0;
  c->pos = m;
  if (!word(c, " messages ") || !number(c, &l->count) || !word(c, ": ")) return 0;
  rest(c, &l->text);
  l->kind = LS_SMTPEND;
  return 1;
}

static int smtpd(struct logstat_line *l, struct cur *c)
{
  unsigned long long pid;
  if (!number(c, &pid) || !word(c, " ")) return 0;
  if (word(c, "message from <")) return smtp_message(l, c);
  if (word(c, "refused ")) return smtp_refused(l, c);
  if (word(c, "end ")) return smtp_end(l, c);
  return 1;
}

int logstat_parse(struct logstat_line *l, const char *s, size_t len)
{
  struct cur c;
  byte_zero(l, sizeof *l);
  c.s = s; c.len = len; c.pos = 0;
  while (c.len && (s[c.len - 1] == '\n' || s[c.len - 1] == '\r')) --c.len;
  if (logstat_tai64n(s, c.len, &l->sec, &l->nsec)) {
    l->stamped = 1;
    c.pos = 25;
    if (!word(&c, " ")) return 1;
  }
  if (word(&c, "new msg ")) return msgline(l, &c, LS_NEWMSG);
  if (word(&c, "info msg ")) return info(l, &c);
  if (word(&c, "starting delivery ")) return start(l, &c);
  if (word(&c, "delivery ")) return delivery(l, &c);
  if (word(&c, "bounce msg ")) return msgline(l, &c, LS_BOUNCE);
  if (word(&c, "end msg ")) return msgline(l, &c, LS_END);
  if (word(&c, "triple bounce: ")) { l->kind = LS_TRIPLE; return 1; }
  if (word(&c, "qmail-smtpd: pid ")) return smtpd(l, &c);
  return 1;
}
