/* RFC 5322 address lists: tokenizer, tolerant parser, qualification and
   canonical rewriting, as qmail-inject does them (qmail-header(5)). */
#include <stdlib.h>
#include <string.h>
#include "address.h"
#include "byte.h"
#include "str.h"

/* ---- token arrays ---- */

static int tokens_readyplus(struct addr_tokens *ta, size_t n)
{
  size_t want, a, bytes;
  struct addr_token *t;
  if (__builtin_add_overflow(ta->len, n, &want)) return 0;
  if (want <= ta->a) return 1;
  if (__builtin_add_overflow(want, want / 2 + 8, &a)) return 0;
  if (__builtin_mul_overflow(a, sizeof *t, &bytes)) return 0;
  t = realloc(ta->t, bytes);
  if (!t) return 0;
  ta->t = t;
  ta->a = a;
  return 1;
}

static int tokens_push(struct addr_tokens *ta, const struct addr_token *t)
{
  if (!tokens_readyplus(ta, 1)) return 0;
  ta->t[ta->len++] = *t;
  return 1;
}

static int tokens_pushall(struct addr_tokens *ta, const struct addr_tokens *more, size_t from)
{
  size_t k;
  for (k = from; k < more->len; ++k)
    if (!tokens_push(ta, more->t + k)) return 0;
  return 1;
}

static void tokens_dropfront(struct addr_tokens *ta, size_t n)
{
  if (n > ta->len) n = ta->len;
  memmove(ta->t, ta->t + n, (ta->len - n) * sizeof *ta->t);
  ta->len -= n;
}

void addr_tokens_free(struct addr_tokens *ta)
{
  free(ta->t);
  ta->t = 0;
  ta->len = ta->a = 0;
}

/* ---- tokenizer ---- */

/* c is one of set (never the NUL) */
static int in_set(const char *set, char c) { return c && strchr(set, c) != 0; }

static int is_white(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_special(char c)
{
  return c == '<' || c == '>' || c == '@' || c == ',' || c == ':' || c == ';' || c == '.';
}
/* characters that end an atom; ')' and ']' do not (qmail accepts them
   inside an atom and quotes the atom on output) */
static int ends_atom(char c)
{
  return is_white(c) || is_special(c) || c == '(' || c == '"' || c == '[';
}

struct lexer { const char *s; size_t len, i; char *out; size_t outlen; };

/* Copy one (possibly backslash-escaped) character of a quoted string,
   comment or literal; line breaks of a folded field disappear. */
static void lex_char(struct lexer *x, int keepescape)
{
  char c = x->s[x->i++];
  if (c == '\r' || c == '\n') return;
  if (c == '\\' && x->i < x->len) {
    char d = x->s[x->i++];
    if (d == '\r' || d == '\n') return;
    if (keepescape) x->out[x->outlen++] = c;
    c = d;
  }
  x->out[x->outlen++] = c;
}

/* A delimited token: the text up to the unescaped close character;
   comments nest. 1, or 0 when it is not closed. */
static int lex_delimited(struct lexer *x, char open, char close, int keepescape)
{
  size_t depth = 1;
  for (;;) {
    char c;
    if (x->i >= x->len) return 0;
    c = x->s[x->i];
    if (c == close && !--depth) { ++x->i; return 1; }
    if (c == open && open == '(') ++depth; /* only comments nest */
    lex_char(x, keepescape);
  }
}

static void lex_atom(struct lexer *x)
{
  while (x->i < x->len && !ends_atom(x->s[x->i])) {
    if (x->s[x->i] == '\\' && x->i + 1 >= x->len) { ++x->i; break; }
    lex_char(x, 0);
  }
}

int addr_tokenize(struct addr_tokens *ta, stralloc *buf, const char *s, size_t len)
{
  struct lexer x;
  int space = 0;
  /* a NUL would end an envelope address early, or split it in two */
  if (byte_chr(s, len, 0) != len) return 0;
  /* unescaped text is never longer than the field */
  if (!stralloc_ready(buf, len + 1)) return -1;
  x.s = s; x.len = len; x.i = 0; x.out = buf->s; x.outlen = 0;
  ta->len = 0;
  while (x.i < len) {
    struct addr_token t;
    char c = s[x.i];
    if (is_white(c)) { space = 1; ++x.i; continue; }
    if (c == ')' || c == ']') return 0;
    t.space = space; t.ch = 0; t.s = x.out + x.outlen; t.len = 0;
    space = 0;
    if (is_special(c)) { t.type = ATOK_SPECIAL; t.ch = c; ++x.i; }
    else if (c == '(') { t.type = ATOK_COMMENT; ++x.i; if (!lex_delimited(&x, '(', ')', 1)) return 0; }
    else if (c == '"') { t.type = ATOK_QUOTED; ++x.i; if (!lex_delimited(&x, '"', '"', 0)) return 0; }
    else if (c == '[') { t.type = ATOK_LITERAL; ++x.i; if (!lex_delimited(&x, '[', ']', 0)) return 0; }
    else { t.type = ATOK_ATOM; lex_atom(&x); }
    if (t.type != ATOK_SPECIAL) t.len = (size_t)(x.out + x.outlen - t.s);
    if (!tokens_push(ta, &t)) return -1;
  }
  buf->len = x.outlen;
  return 1;
}

/* ---- rendering ---- */

static int is_ch(const struct addr_token *t, char c) { return t->type == ATOK_SPECIAL && t->ch == c; }
static int is_word(const struct addr_token *t)
{
  return t->type == ATOK_ATOM || t->type == ATOK_QUOTED || t->type == ATOK_LITERAL;
}

/* can this text stand as an atom? (8-bit is fine: RFC 6532) */
static int atom_plain(const char *s, size_t len)
{
  size_t k;
  if (!len) return 0;
  for (k = 0; k < len; ++k) {
    unsigned char c = (unsigned char)s[k];
    if (c <= 32 || c == 127) return 0;
    if (in_set("()<>[]:;@\\,.\"", (char)c)) return 0;
  }
  return 1;
}

static int cat_escaped(stralloc *out, const char *s, size_t len, char open, char close, const char *esc)
{
  size_t k;
  if (!stralloc_append(out, &open)) return 0;
  for (k = 0; k < len; ++k) {
    if (in_set(esc, s[k]) && !stralloc_append(out, "\\")) return 0;
    if (!stralloc_append(out, s + k)) return 0;
  }
  return stralloc_append(out, &close);
}

static int render_token(stralloc *out, const struct addr_token *t)
{
  switch (t->type) {
  case ATOK_ATOM:
    if (atom_plain(t->s, t->len)) return stralloc_catb(out, t->s, t->len);
    /* fall through */
  case ATOK_QUOTED: return cat_escaped(out, t->s, t->len, '"', '"', "\"\\");
  case ATOK_LITERAL: return cat_escaped(out, t->s, t->len, '[', ']', "[]\\");
  case ATOK_COMMENT:
    return stralloc_append(out, "(") && stralloc_catb(out, t->s, t->len) && stralloc_append(out, ")");
  default: return stralloc_append(out, &t->ch);
  }
}

/* the envelope form: no quoting, no comments */
static int unquote_token(stralloc *out, const struct addr_token *t)
{
  switch (t->type) {
  case ATOK_ATOM: case ATOK_QUOTED: return stralloc_catb(out, t->s, t->len);
  case ATOK_LITERAL:
    return stralloc_append(out, "[") && stralloc_catb(out, t->s, t->len) && stralloc_append(out, "]");
  case ATOK_COMMENT: return 1;
  default: return stralloc_append(out, &t->ch);
  }
}

/* ---- qualification ---- */

static size_t find_ch(const struct addr_tokens *a, char c)
{
  size_t k;
  for (k = 0; k < a->len; ++k)
    if (is_ch(a->t + k, c)) return k;
  return a->len;
}

/* host ends in '+': drop it, add .plusdomain */
static int qualify_plus(struct addr_tokens *a, const struct addr_qualify *q)
{
  struct addr_token *last = a->t + a->len - 1;
  if (last->type != ATOK_ATOM || !last->len || last->s[last->len - 1] != '+') return 1;
  if (--last->len) return tokens_pushall(a, &q->plus, 0);
  --a->len; /* "box@+": the host is plusdomain itself */
  return tokens_pushall(a, &q->plus,
                        a->len && (is_ch(a->t + a->len - 1, '@') || is_ch(a->t + a->len - 1, '.')));
}

/* host without a dot (and not a literal): add .defaultdomain */
static int qualify_nodot(struct addr_tokens *a, const struct addr_qualify *q)
{
  size_t k;
  for (k = a->len; k > 0; --k) {
    const struct addr_token *t = a->t + k - 1;
    if (is_ch(t, '@')) break;
    if (is_ch(t, '.') || t->type == ATOK_LITERAL) return 1;
  }
  return tokens_pushall(a, &q->domain, 0);
}

static int qualify(struct addr_tokens *a, const struct addr_qualify *q)
{
  size_t n = a->len;
  if (!n) return 1;
  /* box@[] is qmail's own (the double-bounce sender #@[]): leave it */
  if (n >= 2 && a->t[n - 1].type == ATOK_LITERAL && !a->t[n - 1].len && is_ch(a->t + n - 2, '@'))
    return 1;
  if (is_ch(a->t, '@')) { /* source route @a,@b:box@host; "@a" alone is <> */
    size_t colon = find_ch(a, ':');
    tokens_dropfront(a, colon < a->len ? colon + 1 : a->len);
  }
  /* stray dots and at signs in front: ".@foo" is foo */
  while (a->len && (is_ch(a->t, '.') || is_ch(a->t, '@'))) tokens_dropfront(a, 1);
  if (!a->len) return 1;
  if (find_ch(a, '@') == a->len && !tokens_pushall(a, &q->host, 0)) return 0;
  if (!qualify_plus(a, q)) return 0;
  return qualify_nodot(a, q);
}

static int tokenize_name(struct addr_tokens *ta, stralloc *buf, const char *prefix, const char *name)
{
  static stralloc text;
  if (!stralloc_copys(&text, prefix) || !stralloc_cats(&text, name)) return -1;
  return addr_tokenize(ta, buf, text.s, text.len);
}

int addr_qualify_init(struct addr_qualify *q, const char *defaulthost,
                      const char *defaultdomain, const char *plusdomain)
{
  int r = tokenize_name(&q->host, &q->hostbuf, "@", defaulthost);
  if (r == 1) r = tokenize_name(&q->domain, &q->domainbuf, ".", defaultdomain);
  if (r == 1) r = tokenize_name(&q->plus, &q->plusbuf, ".", plusdomain);
  return r;
}

void addr_qualify_free(struct addr_qualify *q)
{
  addr_tokens_free(&q->host);
  addr_tokens_free(&q->domain);
  addr_tokens_free(&q->plus);
  stralloc_free(&q->hostbuf);
  stralloc_free(&q->domainbuf);
  stralloc_free(&q->plusbuf);
}

/* ---- the list parser ---- */

struct rw {
  const struct addr_token *t;
  size_t n, i;
  const struct addr_qualify *q;
  stralloc *out;
  size_t col;
  int linehas;      /* an address is on the current output line */
  stralloc *addrs;
  int flags;
  size_t next;      /* the next structural token at or after i, when >= i */
};

static struct addr_tokens field;  /* the tokens of the list */
static stralloc fieldbuf;
static struct addr_tokens one;    /* the address being qualified */
static stralloc piece;            /* one unbreakable piece of output */
static stralloc comments;

/* Append punct, then (brk) a space or a fold, then the piece. */
static int put_piece(struct rw *w, const char *punct, int brk)
{
  size_t plen = str_len(punct);
  if (!stralloc_catb(w->out, punct, plen)) return -1;
  w->col += plen;
  if (brk) {
    int fits = w->col < ADDRESS_FOLD_WIDTH && piece.len < ADDRESS_FOLD_WIDTH - w->col;
    if (w->linehas && !fits) {
      if (!stralloc_cats(w->out, "\n  ")) return -1;
      w->col = 2;
    } else {
      if (!stralloc_append(w->out, " ")) return -1;
      ++w->col;
    }
  }
  if (!stralloc_cat(w->out, &piece)) return -1;
  w->col += piece.len;
  w->linehas = 1;
  return 1;
}

static int add_comment(const struct addr_token *t)
{
  if (comments.len && !stralloc_append(&comments, " ")) return 0;
  return render_token(&comments, t);
}

static int cat_comments(void)
{
  if (!comments.len) return 1;
  if (piece.len && !stralloc_append(&piece, " ")) return 0;
  return stralloc_cat(&piece, &comments);
}

/* tokens b..e as written (display names, group names) */
static int render_phrase(size_t b, size_t e, const struct rw *w)
{
  size_t k;
  for (k = b; k < e; ++k) {
    if (k > b && w->t[k].space && !stralloc_append(&piece, " ")) return 0;
    if (!render_token(&piece, w->t + k)) return 0;
  }
  return 1;
}

/* The address in tokens b..e: qualify it, render it into piece, report
   its envelope form. Comments are collected, to follow the address. */
static int take_address(struct rw *w, size_t b, size_t e, int angle)
{
  size_t k;
  one.len = 0;
  for (k = b; k < e; ++k) {
    const struct addr_token *t = w->t + k;
    if (t->type == ATOK_COMMENT) { if (!add_comment(t)) return -1; continue; }
    if (!tokens_push(&one, t)) return -1;
  }
  if (!one.len && !angle) return 1; /* comments only: no address at all */
  if (!qualify(&one, w->q)) return -1;
  /* what is left of a route must not be a second address */
  if (find_ch(&one, ',') < one.len || find_ch(&one, ':') < one.len) return 0;
  for (k = 0; k < one.len; ++k)
    if (!render_token(&piece, one.t + k)) return -1;
  if (!w->addrs || (!one.len && !(w->flags & ADDR_KEEPEMPTY))) return 1;
  for (k = 0; k < one.len; ++k)
    if (!unquote_token(w->addrs, one.t + k)) return -1;
  return stralloc_0(w->addrs) ? 1 : -1;
}

static void piece_start(void) { stralloc_zero(&piece); stralloc_zero(&comments); }

/* the end of a bare address: a word right after a word starts the next
   one ("djb fred" means "djb, fred") */
static size_t bare_end(const struct rw *w, size_t i)
{
  int wordok = 1;
  for (; i < w->n; ++i) {
    const struct addr_token *t = w->t + i;
    if (t->type == ATOK_COMMENT) continue;
    if (is_word(t)) { if (!wordok) break; wordok = 0; continue; }
    if (is_ch(t, '.') || is_ch(t, '@')) { wordok = 1; continue; }
    break;
  }
  return i;
}

static int parse_bare(struct rw *w, int *first)
{
  size_t e = bare_end(w, w->i);
  int r;
  piece_start();
  r = take_address(w, w->i, e, 0);
  w->i = e;
  if (r != 1) return r;
  if (!cat_comments()) return -1;
  if (!piece.len) return 1;
  r = put_piece(w, *first ? "" : ",", 1);
  *first = 0;
  return r;
}

static void trailing_comments(struct rw *w, int *r)
{
  while (*r == 1 && w->i < w->n && w->t[w->i].type == ATOK_COMMENT)
    if (!add_comment(w->t + w->i++)) *r = -1;
}

/* phrase <route:box@host> */
static int parse_angle(struct rw *w, size_t lt, int *first)
{
  size_t gt;
  int r;
  for (gt = lt + 1; gt < w->n && !is_ch(w->t + gt, '>'); ++gt)
    if (is_ch(w->t + gt, '<') || is_ch(w->t + gt, ';')) return 0;
  if (gt >= w->n) return 0;
  piece_start();
  if (!render_phrase(w->i, lt, w)) return -1;
  if (piece.len && !stralloc_append(&piece, " ")) return -1;
  if (!stralloc_append(&piece, "<")) return -1;
  r = take_address(w, lt + 1, gt, 1);
  if (r == 1 && !stralloc_append(&piece, ">")) r = -1;
  w->i = gt + 1;
  trailing_comments(w, &r);
  if (r == 1 && !cat_comments()) r = -1;
  if (r != 1) return r;
  r = put_piece(w, *first ? "" : ",", 1);
  *first = 0;
  return r;
}

static int parse_list(struct rw *w, int ingroup);

/* name: member, member; */
static int parse_group(struct rw *w, size_t colon, int *first)
{
  int r;
  piece_start();
  if (!render_phrase(w->i, colon, w) || !stralloc_append(&piece, ":")) return -1;
  r = put_piece(w, *first ? "" : ",", 1);
  *first = 0;
  if (r != 1) return r;
  w->i = colon + 1;
  r = parse_list(w, 1);
  if (r != 1) return r;
  if (w->i < w->n) ++w->i; /* the ';'; a missing one at the end is forgiven */
  piece_start();
  if (!stralloc_append(&piece, ";")) return -1;
  trailing_comments(w, &r);
  if (r == 1 && !cat_comments()) r = -1;
  if (r != 1) return r;
  return put_piece(w, "", 0);
}

/* the first of , ; < > : from w->i; remembered, so that a long list
   without commas ("a b c ...") is not scanned again for each address */
static size_t next_structure(struct rw *w)
{
  size_t i = w->i;
  if (w->next >= i && w->next != (size_t)-1) return w->next;
  for (; i < w->n; ++i)
    if (w->t[i].type == ATOK_SPECIAL && in_set(",;<>:", w->t[i].ch)) break;
  w->next = i;
  return i;
}

static int parse_list(struct rw *w, int ingroup)
{
  int first = 1;
  while (w->i < w->n) {
    const struct addr_token *t = w->t + w->i;
    size_t k;
    int r;
    /* ';' between addresses is a common slip for ',' */
    if (is_ch(t, ',') || (!ingroup && is_ch(t, ';'))) { ++w->i; continue; }
    if (is_ch(t, ';')) return 1;
    k = next_structure(w);
    if (k < w->n && is_ch(w->t + k, '<')) r = parse_angle(w, k, &first);
    else if (k < w->n && is_ch(w->t + k, ':')) r = ingroup ? 0 : parse_group(w, k, &first);
    else if (k < w->n && is_ch(w->t + k, '>')) r = 0;
    else r = parse_bare(w, &first);
    if (r != 1) return r;
  }
  return 1;
}

int addr_rewrite(stralloc *out, const char *s, size_t len, size_t col,
                 const struct addr_qualify *q, stralloc *addrs, int flags)
{
  struct rw w;
  int r = addr_tokenize(&field, &fieldbuf, s, len);
  stralloc_zero(out);
  if (r != 1) return r;
  w.t = field.t; w.n = field.len; w.i = 0;
  w.q = q; w.out = out; w.col = col; w.linehas = 0;
  w.addrs = addrs; w.flags = flags; w.next = (size_t)-1;
  return parse_list(&w, 0);
}

/* ---- single envelope addresses ---- */

static int quote_ok(unsigned char c)
{
  if (c <= 32 || c >= 127) return 0;
  return !in_set("\"(),:;<>@[\\]", (char)c);
}

int addr_quote_need(const char *s, size_t len)
{
  size_t k;
  if (!len) return 1;
  for (k = 0; k < len; ++k)
    if (!quote_ok((unsigned char)s[k])) return 1;
  if (s[0] == '.' || s[len - 1] == '.') return 1;
  for (k = 0; k + 1 < len; ++k)
    if (s[k] == '.' && s[k + 1] == '.') return 1;
  return 0;
}

int addr_quote(stralloc *out, const char *s, size_t len)
{
  size_t at = len;
  if (!len) return 1;
  while (at > 0 && s[at - 1] != '@') --at;
  at = at ? at - 1 : len; /* the last '@', or none */
  if (!addr_quote_need(s, at)) {
    if (!stralloc_catb(out, s, at)) return 0;
  } else if (!cat_escaped(out, s, at, '"', '"', "\"\\")) return 0;
  return stralloc_catb(out, s + at, len - at);
}

/* words joined by dots, at most one @, a word after it: nothing a list
   parser could take for a display name or a second address */
static int plain_spec(const struct addr_tokens *ta)
{
  size_t k, ats = 0;
  int wordok = 1;
  for (k = 0; k < ta->len; ++k) {
    const struct addr_token *t = ta->t + k;
    if (is_word(t)) { if (!wordok) return 0; wordok = 0; continue; }
    if (is_ch(t, '@') && !ats++ && k + 1 < ta->len) { wordok = 1; continue; }
    if (!is_ch(t, '.')) return 0;
    wordok = 1;
  }
  return 1;
}

int addr_envelope(stralloc *out, const char *s, size_t len, const struct addr_qualify *q)
{
  static stralloc quoted, rewritten, addrs, buf;
  static struct addr_tokens ta;
  int r;
  if (len >= 2 && s[0] == '<' && s[len - 1] == '>') { ++s; len -= 2; }
  stralloc_zero(out);
  if (!len) return 1;
  stralloc_zero(&quoted);
  if (!addr_quote(&quoted, s, len)) return -1;
  r = addr_tokenize(&ta, &buf, quoted.s, quoted.len);
  if (r != 1) return r;
  if (!plain_spec(&ta)) return 0;
  stralloc_zero(&addrs);
  r = addr_rewrite(&rewritten, quoted.s, quoted.len, 0, q, &addrs, ADDR_KEEPEMPTY);
  if (r != 1) return r;
  if (!addrs.len || byte_chr(addrs.s, addrs.len, 0) != addrs.len - 1) return 0;
  return stralloc_copyb(out, addrs.s, addrs.len - 1) ? 1 : -1;
}
