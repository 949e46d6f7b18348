/* qmail-inject's core: options, new fields, the sender, reading the
   header, the body's line ends, envelope recipients; and the sendmail
   wrapper's command line. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include "byte.h"
#include "fmt.h"
#include "inject.h"
#include "str.h"
#include "waitchild.h"

/* ---- qmail-inject's command line ---- */

static int inject_flag(struct inject_opts *o, char c)
{
  switch (c) {
  case 'a': o->recip = RECIP_ARGS; return 1;
  case 'A': o->recip = RECIP_DEFAULT; return 1;
  case 'h': o->recip = RECIP_HEADER; return 1;
  case 'H': o->recip = RECIP_BOTH; return 1;
  case 'n': o->queue = 0; return 1;
  case 'N': o->queue = 1; return 1;
  default: o->bad = c; return 0;
  }
}

int inject_options(struct inject_opts *o, int argc, char *const *argv)
{
  int i;
  o->recip = RECIP_DEFAULT;
  o->queue = 1;
  o->sender = 0;
  o->bad = 0;
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (a[0] != '-' || !a[1]) break;
    if (!strcmp(a, "--")) return i + 1;
    for (++a; *a; ++a) {
      if (*a == 'f') {
        if (a[1]) o->sender = a + 1;
        else if (i + 1 < argc) o->sender = argv[++i];
        else { o->bad = 'f'; return -1; }
        break;
      }
      if (!inject_flag(o, *a)) return -1;
    }
  }
  return i;
}

void inject_flags(struct inject_flags *f, const char *letters)
{
  byte_zero(f, sizeof *f);
  for (; letters && *letters; ++letters)
    switch (*letters) {
    case 'c': f->namecomment = 1; break;
    case 's': f->ignore_returnpath = 1; break;
    case 'f': f->delete_from = 1; break;
    case 'i': f->delete_messageid = 1; break;
    case 'r': f->verp_recip = 1; break;
    case 'm': f->verp_mess = 1; break;
    }
}

/* ---- new fields and the sender ---- */

/* a personal name from the environment, on one line */
static int cat_name(stralloc *out, const char *name, char open, char close, const char *esc)
{
  if (!stralloc_append(out, &open)) return 0;
  for (; *name; ++name) {
    char c = *name;
    if ((unsigned char)c < 32 || c == 127) c = ' ';
    if (strchr(esc, c) && !stralloc_append(out, "\\")) return 0;
    if (!stralloc_append(out, &c)) return 0;
  }
  return stralloc_append(out, &close);
}

static int cat_local(stralloc *out, const char *user)
{
  size_t len = str_len(user);
  if (!addr_quote_need(user, len)) return stralloc_catb(out, user, len);
  return cat_name(out, user, '"', '"', "\"\\");
}

int inject_from(stralloc *out, const char *name, const char *user, const char *host, int comment)
{
  int named = name && *name;
  stralloc_zero(out);
  if (named && !comment && (!cat_name(out, name, '"', '"', "\"\\") || !stralloc_cats(out, " <")))
    return 0;
  if (!cat_local(out, user)) return 0;
  if (host && (!stralloc_append(out, "@") || !stralloc_cats(out, host))) return 0;
  if (named && !comment && !stralloc_append(out, ">")) return 0;
  if (named && comment && (!stralloc_append(out, " ") || !cat_name(out, name, '(', ')', "()\\")))
    return 0;
  return 1;
}

int inject_sender(stralloc *out, const char *user, const char *host, const struct inject_flags *f,
                  unsigned long when, unsigned long pid, const struct addr_qualify *q)
{
  static stralloc local, spec, rewritten, addrs;
  char num[FMT_ULONG];
  int r;
  if (!stralloc_copys(&local, user)) return -1;
  if (f->verp_mess) {
    if (!stralloc_append(&local, "-") || !stralloc_catb(&local, num, fmt_ulong(num, when))) return -1;
    if (!stralloc_append(&local, ".") || !stralloc_catb(&local, num, fmt_ulong(num, pid))) return -1;
  }
  if (f->verp_recip && !stralloc_append(&local, "-")) return -1;
  if (!stralloc_0(&local)) return -1;
  stralloc_zero(&spec);
  if (!cat_local(&spec, local.s)) return -1;
  if (host && (!stralloc_append(&spec, "@") || !stralloc_cats(&spec, host))) return -1;
  stralloc_zero(&addrs);
  r = addr_rewrite(&rewritten, spec.s, spec.len, 0, q, &addrs, ADDR_KEEPEMPTY);
  if (r != 1) return r;
  if (!addrs.len || byte_chr(addrs.s, addrs.len, 0) != addrs.len - 1) return 0;
  if (!stralloc_copyb(out, addrs.s, addrs.len - 1)) return -1;
  if (f->verp_recip && !stralloc_cats(out, "-@[]")) return -1;
  return 1;
}

/* n in decimal, zero-padded to width (libowfat's fmt_ulong0 pads wrongly) */
static size_t fmt_padded(char *s, unsigned long n, size_t width)
{
  char tmp[FMT_ULONG];
  size_t len = fmt_ulong(tmp, n), pad = len < width ? width - len : 0;
  memset(s, '0', pad);
  byte_copy(s + pad, len, tmp);
  return pad + len;
}

int inject_messageid(stralloc *out, time_t sec, unsigned long usec, unsigned long pid,
                     const char *idhost)
{
  struct tm tm;
  char num[FMT_ULONG * 8];
  size_t n = 0;
  if (!gmtime_r(&sec, &tm)) byte_zero(&tm, sizeof tm);
  n += fmt_ulong(num + n, (unsigned long)tm.tm_year + 1900);
  n += fmt_padded(num + n, (unsigned long)tm.tm_mon + 1, 2);
  n += fmt_padded(num + n, (unsigned long)tm.tm_mday, 2);
  n += fmt_padded(num + n, (unsigned long)tm.tm_hour, 2);
  n += fmt_padded(num + n, (unsigned long)tm.tm_min, 2);
  n += fmt_padded(num + n, (unsigned long)tm.tm_sec, 2);
  num[n++] = '.';
  n += fmt_padded(num + n, usec % 1000000, 6);
  num[n++] = '.';
  n += fmt_ulong(num + n, pid);
  return stralloc_copys(out, "<") && stralloc_catb(out, num, n) && stralloc_cats(out, ".qmail@")
         && stralloc_cats(out, idhost) && stralloc_append(out, ">");
}

/* ---- reading the header ---- */

enum { LINE_EOF, LINE_OK, LINE_PARTIAL, LINE_LONG, LINE_ERR };

/* One line without its "\n", at most max bytes of it: LINE_LONG leaves
   sa holding max bytes and the rest unread. */
static int getline_bounded(buffer *b, stralloc *sa, size_t max)
{
  stralloc_zero(sa);
  for (;;) {
    ssize_t avail = buffer_feed(b);
    char *p;
    size_t n;
    if (avail < 0) return LINE_ERR;
    if (avail == 0) return sa->len ? LINE_PARTIAL : LINE_EOF;
    p = buffer_peek(b);
    n = byte_chr(p, (size_t)avail, '\n');
    if (n > max - sa->len) {
      size_t room = max - sa->len;
      if (!stralloc_catb(sa, p, room)) return LINE_ERR;
      buffer_seek(b, room);
      return LINE_LONG;
    }
    if (!stralloc_catb(sa, p, n)) return LINE_ERR;
    if (n < (size_t)avail) { buffer_seek(b, n + 1); return LINE_OK; }
    buffer_seek(b, n);
  }
}

static int flush_field(struct header *h, stralloc *field)
{
  int r = HEADER_OK;
  if (field->len) r = header_field(h, field->s, field->len);
  stralloc_zero(field);
  return r;
}

/* the line starts the body: keep it as read */
static int body_starts(stralloc *bodystart, const stralloc *line, int got)
{
  if (!stralloc_copy(bodystart, line)) return HEADER_NOMEM;
  if (got == LINE_OK && !stralloc_append(bodystart, "\n")) return HEADER_NOMEM;
  return HEADER_OK;
}

static int add_line(stralloc *field, const char *prefix, const char *s, size_t len)
{
  size_t plen = str_len(prefix);
  if (field->len > HEADER_FIELD_MAX || len > HEADER_FIELD_MAX - field->len - plen - 1)
    return HEADER_TOOBIG;
  if (!stralloc_cats(field, prefix) || !stralloc_catb(field, s, len) || !stralloc_append(field, "\n"))
    return HEADER_NOMEM;
  return HEADER_OK;
}

int inject_readheader(buffer *in, struct header *h, stralloc *bodystart, int *end)
{
  static stralloc line, field;
  stralloc_zero(&field);
  stralloc_zero(bodystart);
  for (;;) {
    int got = getline_bounded(in, &line, HEADER_FIELD_MAX), type, r;
    size_t len = line.len;
    if (got == LINE_ERR) return INJECT_READERR;
    if (got == LINE_EOF) { *end = HEADER_END_EOF; return flush_field(h, &field); }
    if (len && line.s[len - 1] == '\r' && got != LINE_LONG) --len;
    type = header_linetype(line.s, len);
    if (got == LINE_LONG && type != HLINE_BODY) return HEADER_TOOBIG;
    if (type == HLINE_CONT && field.len) r = add_line(&field, "", line.s, len);
    else {
      r = flush_field(h, &field);
      if (r != HEADER_OK) return r;
      if (type == HLINE_END) { *end = HEADER_END_BLANK; return HEADER_OK; }
      if (type == HLINE_BODY || type == HLINE_CONT) {
        *end = HEADER_END_BODY;
        return body_starts(bodystart, &line, got);
      }
      /* an mbox "From " line is kept, as a field */
      r = add_line(&field, type == HLINE_MBOX ? "MBOX-Line: " : "", line.s, len);
    }
    if (r != HEADER_OK) return r;
    if (got == LINE_PARTIAL) { *end = HEADER_END_EOF; return flush_field(h, &field); }
  }
}

/* ---- the body ---- */

void inject_lf_init(struct inject_lf *c) { c->cr = 0; c->last = -1; }

size_t inject_lf(struct inject_lf *c, const char *in, size_t len, char *out)
{
  size_t o = 0, k;
  for (k = 0; k < len; ++k) {
    char ch = in[k];
    if (c->cr) {
      c->cr = 0;
      if (ch != '\n') out[o++] = '\r';
    }
    if (ch == '\r') { c->cr = 1; continue; }
    out[o++] = ch;
  }
  if (o) c->last = (unsigned char)out[o - 1];
  return o;
}

size_t inject_lf_end(struct inject_lf *c, char *out)
{
  size_t o = 0;
  if (c->cr) { out[o++] = '\r'; c->cr = 0; c->last = '\r'; }
  if (c->last != -1 && c->last != '\n') { out[o++] = '\n'; c->last = '\n'; }
  return o;
}

/* ---- envelope recipients ---- */

struct entry { const char *s; size_t len, at, order; };

static int entry_cmp(const void *x, const void *y)
{
  const struct entry *a = x, *b = y;
  size_t k;
  int d;
  if (a->at != b->at) return a->at < b->at ? -1 : 1;
  d = memcmp(a->s, b->s, a->at);
  if (d) return d;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  for (k = a->at; k < a->len; ++k) {
    unsigned char c = (unsigned char)a->s[k], e = (unsigned char)b->s[k];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (e >= 'A' && e <= 'Z') e += 32;
    if (c != e) return c < e ? -1 : 1;
  }
  return a->order < b->order ? -1 : a->order > b->order;
}

size_t inject_count(const stralloc *list)
{
  size_t k, n = 0;
  for (k = 0; k < list->len; ++k)
    if (!list->s[k]) ++n;
  return n;
}

static void entries_fill(struct entry *e, const stralloc *list)
{
  size_t k = 0, i = 0;
  while (k < list->len) {
    size_t n = byte_chr(list->s + k, list->len - k, 0), at = n;
    while (at > 0 && list->s[k + at - 1] != '@') --at;
    e[i].s = list->s + k;
    e[i].len = n;
    e[i].at = at ? at - 1 : n;
    e[i].order = i;
    ++i;
    k += n + 1;
  }
}

/* keep[order] = 1 for the first of each group of equal addresses */
static void mark_firsts(struct entry *e, size_t n, unsigned char *keep)
{
  size_t i;
  qsort(e, n, sizeof *e, entry_cmp);
  for (i = 0; i < n; ++i) {
    struct entry a = e[i];
    if (i > 0) {
      struct entry p = e[i - 1];
      p.order = a.order; /* compare the addresses only */
      if (!entry_cmp(&p, &a)) continue;
    }
    keep[a.order] = 1;
  }
}

int inject_dedupe(stralloc *out, const stralloc *in)
{
  static stralloc all;
  size_t n, bytes, k = 0, i = 0;
  struct entry *e;
  unsigned char *keep;
  int ok = 1;
  if (!stralloc_copy(&all, out) || !stralloc_cat(&all, in)) return 0;
  n = inject_count(&all);
  if (!n) return 1;
  if (__builtin_mul_overflow(n, sizeof *e, &bytes)) return 0;
  e = malloc(bytes);
  keep = calloc(n, 1);
  if (!e || !keep) { free(e); free(keep); return 0; }
  entries_fill(e, &all);
  mark_firsts(e, n, keep);
  stralloc_zero(out);
  while (k < all.len) {
    size_t len = byte_chr(all.s + k, all.len - k, 0);
    if (keep[i] && !stralloc_catb(out, all.s + k, len + 1)) ok = 0;
    k += len + 1;
    ++i;
  }
  free(e);
  free(keep);
  return ok;
}

/* ---- the sendmail wrapper ---- */

static const char *basename_of(const char *s)
{
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

/* options taking an argument: the rest of this word or the next one */
static int takes_arg(char c) { return c && strchr("fFrbBoONRVLpehCXA", c) != 0; }

static int sendmail_mode(struct sendmail_args *a, const char *v)
{
  if (!strcmp(v, "m")) a->mode = SENDMAIL_SEND;
  else if (!strcmp(v, "p")) a->mode = SENDMAIL_QREAD;
  else if (!strcmp(v, "s")) a->mode = SENDMAIL_SMTP;
  else if (!strcmp(v, "i")) a->mode = SENDMAIL_NEWALIASES;
  else { a->bad = 'b'; return 0; }
  return 1;
}

static int sendmail_opt(struct sendmail_args *a, char c, const char *v)
{
  switch (c) {
  case 'f': case 'r': a->sender = v; return 1;
  case 'F': a->fullname = v; return 1;
  case 'b': return sendmail_mode(a, v);
  case 't': a->headers = 1; return 1;
  case 'I': a->mode = SENDMAIL_NEWALIASES; return 1;
  /* accepted and ignored: qmail has one delivery mode, one error mode,
     never treats a lone dot specially, and keeps no DSN options */
  case 'B': case 'o': case 'O': case 'N': case 'R': case 'V': case 'L':
  case 'p': case 'e': case 'h': case 'C': case 'X': case 'A':
  case 'i': case 'm': case 'n': case 'v': case 'x': case 'G': case 'U':
    return 1;
  default: a->bad = c; return 0;
  }
}

static int sendmail_word(struct sendmail_args *a, int *i, int argc, char *const *argv)
{
  const char *w = argv[*i] + 1;
  for (; *w; ++w) {
    if (*w == 'E' || *w == 'J') return 1; /* NEWS-OS: an optional argument */
    if (takes_arg(*w)) {
      const char *v = w[1] ? w + 1 : 0;
      if (!v && *i + 1 < argc) v = argv[++*i];
      if (!v) { a->bad = *w; return 0; }
      return sendmail_opt(a, *w, v);
    }
    if (!sendmail_opt(a, *w, 0)) return 0;
  }
  return 1;
}

int sendmail_parse(struct sendmail_args *a, int argc, char *const *argv)
{
  int i;
  const char *prog = argc > 0 ? basename_of(argv[0]) : "sendmail";
  byte_zero(a, sizeof *a);
  if (!strcmp(prog, "mailq")) a->mode = SENDMAIL_QREAD;
  if (!strcmp(prog, "newaliases")) a->mode = SENDMAIL_NEWALIASES;
  for (i = 1; i < argc; ++i) {
    if (argv[i][0] != '-' || !argv[i][1]) break;
    if (!strcmp(argv[i], "--")) { ++i; break; }
    if (!sendmail_word(a, &i, argc, argv)) return 0;
  }
  a->first = i;
  return 1;
}

int sendmail_identity(const char *sender, stralloc *user, stralloc *host)
{
  size_t len = str_len(sender), at;
  if (len >= 2 && sender[0] == '<' && sender[len - 1] == '>') { ++sender; len -= 2; }
  if (!len) return 0;
  for (at = len; at > 0 && sender[at - 1] != '@'; --at) ;
  if (!at) at = len + 1; /* no @: all of it is the user */
  if (!stralloc_copyb(user, sender, at - 1) || !stralloc_0(user)) return -1;
  stralloc_zero(host);
  if (at <= len && !stralloc_catb(host, sender + at, len - at)) return -1;
  return stralloc_0(host) ? 1 : -1;
}

int sendmail_exitcode(int wstatus)
{
  if (wait_crashed(wstatus)) return EX_TEMPFAIL;
  switch (wait_exitcode(wstatus)) {
  case 0: return 0;
  case 100: return EX_DATAERR;
  default: return EX_TEMPFAIL;
  }
}
