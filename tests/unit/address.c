/* Address lists: parsing, qualification, canonical rewriting, envelope
   forms. defaulthost "mail", defaultdomain "example.com", plusdomain
   "example.net" throughout; rewritten values start at column 3 ("To:"). */
#include "address.h"
#include "tap.h"

#define S(x) x, sizeof x - 1
#define FAIL 0, 0

static const struct {
  const char *in;
  int ret;
  const char *out;                /* the rewritten value */
  const char *addrs; size_t alen; /* envelope addresses, NUL-terminated */
} lists[] = {
  /* qualification */
  { "djb", 1, " djb@mail.example.com", S("djb@mail.example.com\0") },
  { "djb@silverton", 1, " djb@silverton.example.com", S("djb@silverton.example.com\0") },
  { "eric@mammoth.cs+", 1, " eric@mammoth.cs.example.net", S("eric@mammoth.cs.example.net\0") },
  { "eric@mammoth+", 1, " eric@mammoth.example.net", S("eric@mammoth.example.net\0") },
  { "u@+", 1, " u@example.net", S("u@example.net\0") },
  { "foo+", 1, " foo+@mail.example.com", S("foo+@mail.example.com\0") },
  { "a@b.c", 1, " a@b.c", S("a@b.c\0") },
  { "a@b.", 1, " a@b.", S("a@b.\0") },
  { "djb@[128.32.183.163]", 1, " djb@[128.32.183.163]", S("djb@[128.32.183.163]\0") },
  { "a@ [1.2.3.4]", 1, " a@[1.2.3.4]", S("a@[1.2.3.4]\0") },
  { "x@[IPv6:2001:db8::1]", 1, " x@[IPv6:2001:db8::1]", S("x@[IPv6:2001:db8::1]\0") },
  { "#@[]", 1, " #@[]", S("#@[]\0") },
  { "x@ y .com", 1, " x@y.com", S("x@y.com\0") },
  { "A@Example.COM", 1, " A@Example.COM", S("A@Example.COM\0") },
  /* lists, spaces for commas, semicolons */
  { "a@b.c, d@e.f", 1, " a@b.c, d@e.f", S("a@b.c\0d@e.f\0") },
  { "djb fred", 1, " djb@mail.example.com, fred@mail.example.com",
    S("djb@mail.example.com\0fred@mail.example.com\0") },
  { "a@b.c; d@e.f", 1, " a@b.c, d@e.f", S("a@b.c\0d@e.f\0") },
  { ",, a@b.c ,,", 1, " a@b.c", S("a@b.c\0") },
  { "<a@b.c> d@e.f", 1, " <a@b.c>, d@e.f", S("a@b.c\0d@e.f\0") },
  { "", 1, "", "", 0 },
  { "   ", 1, "", "", 0 },
  /* display names and comments */
  { "A Person <e@f>", 1, " A Person <e@f.example.com>", S("e@f.example.com\0") },
  { "John Q. Public <jqp@x.org>", 1, " John Q. Public <jqp@x.org>", S("jqp@x.org\0") },
  { "\"Smith, John\" <js@x.com>", 1, " \"Smith, John\" <js@x.com>", S("js@x.com\0") },
  { "\"a(b\" <c>", 1, " \"a(b\" <c@mail.example.com>", S("c@mail.example.com\0") },
  { "=?utf-8?q?J=C3=BCrgen?= <j@x.de>", 1, " =?utf-8?q?J=C3=BCrgen?= <j@x.de>", S("j@x.de\0") },
  { "J\xc3\xbcrgen <j@x.de>", 1, " J\xc3\xbcrgen <j@x.de>", S("j@x.de\0") },
  { "c@d (Somebody)", 1, " c@d.example.com (Somebody)", S("c@d.example.com\0") },
  { "(Somebody) c@d.e", 1, " c@d.e (Somebody)", S("c@d.e\0") },
  { "joe(comment)@x", 1, " joe@x.example.com (comment)", S("joe@x.example.com\0") },
  { "(a (nested) comment) a@b.c", 1, " a@b.c (a (nested) comment)", S("a@b.c\0") },
  { "a@b.c (x\\) y)", 1, " a@b.c (x\\) y)", S("a@b.c\0") },
  { "<a@b.c> (c1) (c2)", 1, " <a@b.c> (c1) (c2)", S("a@b.c\0") },
  { "Joe <j@x.y (home)>", 1, " Joe <j@x.y> (home)", S("j@x.y\0") },
  { "(only a comment)", 1, " (only a comment)", "", 0 },
  { "a@b.c (\xc3\xa9t\xc3\xa9)", 1, " a@b.c (\xc3\xa9t\xc3\xa9)", S("a@b.c\0") },
  /* quoted local parts */
  { "\"john doe\"@x.y", 1, " \"john doe\"@x.y", S("john doe@x.y\0") },
  { "\"a\\\"b\\\\c\"@x.com", 1, " \"a\\\"b\\\\c\"@x.com", S("a\"b\\c@x.com\0") },
  { "\"john\".\"doe\"@x.y", 1, " \"john\".\"doe\"@x.y", S("john.doe@x.y\0") },
  { "\"\"@x.y", 1, " \"\"@x.y", S("@x.y\0") },
  { "a\\ b@x.y", 1, " \"a b\"@x.y", S("a b@x.y\0") },
  /* routes, empty and odd addresses */
  { "<@r1,@r2:a@b.c>", 1, " <a@b.c>", S("a@b.c\0") },
  { "Joe <@relay.net:joe@x.org>", 1, " Joe <joe@x.org>", S("joe@x.org\0") },
  { "<>", 1, " <>", "", 0 },
  { "<@x.y:>", 1, " <>", "", 0 },
  { "<.a@b.c>", 1, " <a@b.c>", S("a@b.c\0") },
  { ".@foo", 1, " foo@mail.example.com", S("foo@mail.example.com\0") },
  { "@foo", 1, "", "", 0 },
  { "a@b)", 1, " a@\"b)\".example.com", S("a@b).example.com\0") },
  /* groups */
  { "undisclosed-recipients:;", 1, " undisclosed-recipients:;", "", 0 },
  { "list: a, b", 1, " list: a@mail.example.com, b@mail.example.com;",
    S("a@mail.example.com\0b@mail.example.com\0") },
  { "random group: g@h, i@j;, k@l", 1,
    " random group: g@h.example.com, i@j.example.com;, k@l.example.com",
    S("g@h.example.com\0i@j.example.com\0k@l.example.com\0") },
  { "g: Joe <j@x.y>; (c)", 1, " g: Joe <j@x.y>; (c)", S("j@x.y\0") },
  { ":a@b.c;", 1, " : a@b.c;", S("a@b.c\0") },
  /* folding */
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com, c@z.com", 1,
    " aaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com,\n  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com, c@z.com",
    S("aaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com\0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com\0c@z.com\0") },
  { "list: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com;", 1,
    " list: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com,\n  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com;",
    S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com\0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@y.com\0") },
  { "a@b.c,\n d@e.f,\n\tg@h.i", 1, " a@b.c, d@e.f, g@h.i", S("a@b.c\0d@e.f\0g@h.i\0") },
  { "\"folded\n name\" <a@b.c>", 1, " \"folded name\" <a@b.c>", S("a@b.c\0") },
  { "a@b.c (folded\n comment)", 1, " a@b.c (folded comment)", S("a@b.c\0") },
  { "Very Long Display Name That Goes On And On And On And On And On <someone@example.org>", 1,
    " Very Long Display Name That Goes On And On And On And On And On <someone@example.org>",
    S("someone@example.org\0") },
  /* not address lists */
  { "Joe <j", FAIL, "", 0 },
  { "Joe <j@x> >", FAIL, "", 0 },
  { "a@b.c>", FAIL, "", 0 },
  { ")", FAIL, "", 0 },
  { "a@[1.2.3.4", FAIL, "", 0 },
  { "\"unclosed@x.y", FAIL, "", 0 },
  { "(unclosed a@b.c", FAIL, "", 0 },
  { "g: h: i;;", FAIL, "", 0 },
  { "<a@b<c>>", FAIL, "", 0 },
  { "<a;b@c.d>", FAIL, "", 0 },
  { "<a@b.c, d@e.f>", FAIL, "", 0 },
  { "<a:b@c.d>", FAIL, "", 0 },
  { "<@r1,@r2>", 1, " <>", "", 0 },
};

static const struct { const char *in; int ret; const char *out; } envelopes[] = {
  { "joe", 1, "joe@mail.example.com" },
  { "joe@x.y", 1, "joe@x.y" },
  { "joe@x", 1, "joe@x.example.com" },
  { "joe@x+", 1, "joe@x.example.net" },
  { "john doe@x.y", 1, "john doe@x.y" },
  { "a@b@c.d", 1, "a@b@c.d" },
  { "<joe@x.y>", 1, "joe@x.y" },
  { "<>", 1, "" },
  { "", 1, "" },
  { "#@[]", 1, "#@[]" },
  { "x@[10.0.0.1]", 1, "x@[10.0.0.1]" },
  { "\"q\"@x.y", 1, "\"q\"@x.y" },
  { "joe@x y.z", 0, "" },
  { "joe@x,y.z", 0, "" },
  { "joe@<x>", 0, "" },
  { "joe@a <b>", 0, "" },
  { "joe@", 0, "" },
  { "joe@x.y (c)", 0, "" },
  { "joe.@x.y", 1, "joe.@x.y" },
};

static const struct { const char *in; const char *out; } quotes[] = {
  { "joe@x.y", "joe@x.y" },
  { "john doe@x.y", "\"john doe\"@x.y" },
  { "a@b@c", "\"a@b\"@c" },
  { "a\"b@c", "\"a\\\"b\"@c" },
  { ".a@c", "\".a\"@c" },
  { "a..b@c", "\"a..b\"@c" },
  { "a.b@c", "a.b@c" },
  { "joe", "joe" },
  { "@x.y", "\"\"@x.y" },
  { "", "" },
  { "j\xc3\xbcrgen@x.de", "\"j\xc3\xbcrgen\"@x.de" },
};

static struct addr_qualify q;

/* a test name on one line */
static const char *name(const char *s)
{
  static char n[64];
  size_t k;
  for (k = 0; s[k] && k + 1 < sizeof n; ++k) n[k] = (unsigned char)s[k] < 32 ? '?' : s[k];
  n[k] = 0;
  return n;
}

static void test_lists(void)
{
  stralloc out = {0}, addrs = {0}, again = {0}, again_addrs = {0};
  size_t i;
  for (i = 0; i < sizeof lists / sizeof lists[0]; ++i) {
    int r;
    stralloc_zero(&addrs);
    r = addr_rewrite(&out, lists[i].in, strlen(lists[i].in), 3, &q, &addrs, 0);
    if (!is_long(r, lists[i].ret, name(lists[i].in))) continue;
    if (r != 1) continue;
    is_mem(out.s, out.len, lists[i].out, strlen(lists[i].out), "  rewritten");
    is_mem(addrs.s, addrs.len, lists[i].addrs, lists[i].alen, "  envelope addresses");
    /* the canonical form is a fixed point: rewriting it changes nothing */
    stralloc_zero(&again_addrs);
    addr_rewrite(&again, out.s, out.len, 3, &q, &again_addrs, 0);
    is_mem(again.s, again.len, out.s, out.len, "  rewritten again: the same");
    is_mem(again_addrs.s, again_addrs.len, addrs.s, addrs.len, "  the same addresses");
  }
  stralloc_free(&out); stralloc_free(&addrs); stralloc_free(&again); stralloc_free(&again_addrs);
}

static void test_keepempty(void)
{
  stralloc out = {0}, addrs = {0};
  addr_rewrite(&out, S("<>, a@b.c, @foo"), 0, &q, &addrs, ADDR_KEEPEMPTY);
  is_mem(addrs.s, addrs.len, S("\0a@b.c\0\0"), "empty addresses reported with ADDR_KEEPEMPTY");
  stralloc_zero(&addrs);
  addr_rewrite(&out, S("(comment only)"), 0, &q, &addrs, ADDR_KEEPEMPTY);
  is_long((long)addrs.len, 0, "a comment is no address, even with ADDR_KEEPEMPTY");
  is_long(addr_rewrite(&out, S("a\0b@x.y"), 0, &q, &addrs, 0), 0, "a NUL makes no address list");
  stralloc_free(&out); stralloc_free(&addrs);
}

static void test_envelopes(void)
{
  stralloc out = {0};
  size_t i;
  for (i = 0; i < sizeof envelopes / sizeof envelopes[0]; ++i) {
    int r = addr_envelope(&out, envelopes[i].in, strlen(envelopes[i].in), &q);
    if (!is_long(r, envelopes[i].ret, envelopes[i].in) || r != 1) continue;
    is_mem(out.s, out.len, envelopes[i].out, strlen(envelopes[i].out), "  envelope form");
  }
  stralloc_free(&out);
}

static void test_quotes(void)
{
  stralloc out = {0};
  size_t i;
  for (i = 0; i < sizeof quotes / sizeof quotes[0]; ++i) {
    stralloc_zero(&out);
    addr_quote(&out, quotes[i].in, strlen(quotes[i].in));
    is_mem(out.s, out.len, quotes[i].out, strlen(quotes[i].out), quotes[i].in);
  }
  is_long(addr_quote_need(S("a.b")), 0, "dot-atom needs no quotes");
  is_long(addr_quote_need(S("a b")), 1, "space needs quotes");
  is_long(addr_quote_need(S("a.")), 1, "trailing dot needs quotes");
  stralloc_free(&out);
}

static void test_tokens(void)
{
  struct addr_tokens ta = {0};
  stralloc buf = {0};
  is_long(addr_tokenize(&ta, &buf, S("\"q\\\"x\" (c) [l] a.b<")), 1, "tokenize");
  is_long((long)ta.len, 7, "  7 tokens");
  if (ta.len == 7) {
    is_long(ta.t[0].type, ATOK_QUOTED, "  quoted string");
    is_mem(ta.t[0].s, ta.t[0].len, S("q\"x"), "  unescaped");
    is_long(ta.t[1].type, ATOK_COMMENT, "  comment");
    is_long(ta.t[1].space, 1, "  after white space");
    is_long(ta.t[2].type, ATOK_LITERAL, "  literal");
    is_long(ta.t[4].type, ATOK_SPECIAL, "  dot");
    is_long(ta.t[5].space, 0, "  no space before b");
    is_long(ta.t[6].ch, '<', "  angle");
  }
  is_long(addr_tokenize(&ta, &buf, S("a\\")), 1, "a trailing backslash ends the atom");
  addr_tokens_free(&ta);
  stralloc_free(&buf);
}

static void test_qualify_names(void)
{
  struct addr_qualify q2 = {0};
  stralloc out = {0}, addrs = {0};
  is_long(addr_qualify_init(&q2, "host+", "dom", "plus.example"), 1, "defaulthost with a plus");
  addr_rewrite(&out, S("u"), 3, &q2, &addrs, 0);
  is_mem(addrs.s, addrs.len, S("u@host.plus.example\0"), "  plusdomain, not defaultdomain");
  stralloc_zero(&addrs);
  is_long(addr_qualify_init(&q2, "mail.example.org", "dom", "p"), 1, "dotted defaulthost");
  addr_rewrite(&out, S("u"), 3, &q2, &addrs, 0);
  is_mem(addrs.s, addrs.len, S("u@mail.example.org\0"), "  no defaultdomain");
  is_long(addr_qualify_init(&q2, "\"bad", "dom", "p"), 0, "an unparsable defaulthost");
  addr_qualify_free(&q2);
  stralloc_free(&out); stralloc_free(&addrs);
}

int main(void)
{
  if (addr_qualify_init(&q, "mail", "example.com", "example.net") != 1) return 1;
  test_lists();
  test_keepempty();
  test_envelopes();
  test_quotes();
  test_tokens();
  test_qualify_names();
  return done_testing();
}
