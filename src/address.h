#ifndef ADDRESS_H
#define ADDRESS_H
/* RFC 5322 address lists, read as tolerantly as qmail-inject reads them
   (comments, quoted strings, route-addrs, groups, "a b" for "a, b", ';'
   for ','), and bare names completed the qmail way:
     box           -> box@defaulthost
     box@host+     -> box@host.plusdomain
     box@host      -> box@host.defaultdomain   (no dot, not a [literal])
   Man page: qmail-header(5). */
#include <stddef.h>
#include "stralloc.h"

/* The longest envelope address passed on to qmail-queue. */
#define ADDRESS_MAX 1000
/* Rewritten address lists are folded before an address that would end
   past this column. */
#define ADDRESS_FOLD_WIDTH 78

enum addr_toktype { ATOK_ATOM, ATOK_QUOTED, ATOK_LITERAL, ATOK_COMMENT, ATOK_SPECIAL };
/* s points into the text buffer of the tokenizer: unescaped for atoms,
   quoted strings and literals; as written for comments. ch is the special
   character (<>@.,:;). space: white space came before the token. */
struct addr_token { int type; char ch; int space; const char *s; size_t len; };
struct addr_tokens { struct addr_token *t; size_t len, a; };

/* 1, 0 (unbalanced quote, comment, bracket; a NUL), -1 out of memory.
   Token texts live in buf, which must not change while ta is used. */
int addr_tokenize(struct addr_tokens *ta, stralloc *buf, const char *s, size_t len);
void addr_tokens_free(struct addr_tokens *ta);

/* How bare names are completed. */
struct addr_qualify {
  struct addr_tokens host, domain, plus;  /* "@defaulthost", ".defaultdomain", ".plusdomain" */
  stralloc hostbuf, domainbuf, plusbuf;
};
/* 1, 0 (a name does not tokenize), -1 out of memory */
int addr_qualify_init(struct addr_qualify *q, const char *defaulthost,
                      const char *defaultdomain, const char *plusdomain);
void addr_qualify_free(struct addr_qualify *q);

/* addr_rewrite flags */
#define ADDR_KEEPEMPTY 1   /* report <> too, as an empty string */

/* Rewrite an address list (a header field's value, folded or not): every
   address qualified, the list written to out in canonical form; out
   starts with a space unless the list is empty. col is the column where
   the value starts (the length of "Name:"), for folding. For every
   address, its envelope form is appended to addrs, NUL-terminated (when
   addrs is not 0); empty addresses only with ADDR_KEEPEMPTY.
   1 done, 0 not an address list (out and addrs then hold partial
   results), -1 out of memory. */
int addr_rewrite(stralloc *out, const char *s, size_t len, size_t col,
                 const struct addr_qualify *q, stralloc *addrs, int flags);

/* An envelope address as programs give it on a command line: local part
   not quoted ("john doe@example.com"), optionally in angle brackets, "<>"
   or "" for the null address. Qualified; the envelope form goes to out
   (not NUL-terminated). 1, 0 unparsable, -1 out of memory. */
int addr_envelope(stralloc *out, const char *s, size_t len, const struct addr_qualify *q);

/* Envelope form -> addr-spec: the local part (before the last @) quoted
   when RFC 5322 needs it. Appended to out. 1, or 0 out of memory. */
int addr_quote(stralloc *out, const char *s, size_t len);
int addr_quote_need(const char *s, size_t len);
#endif
