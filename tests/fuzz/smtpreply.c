/* qmail-remote's reply reader (smtpreply.h): the input is what an SMTP
   server sends, any number of replies. Replies are read one after the
   other, as qmail-remote reads them in a pipelined session, until one is
   malformed or the input ends. Promises checked: the replies do not
   depend on how the network cuts the stream (all at once against pieces
   of 1 and 3 bytes); a complete reply has a code in 200..599, at most
   SMTP_REPLY_LINES_MAX lines and SMTP_REPLY_TEXT_MAX bytes of text, no
   NUL, and every kept line starts with its code. */
#include "fuzz.h"
#include "smtpreply.h"
#include "stralloc.h"

/* A digest of every reply: code, text, "!" for malformed, "." for the
   end of the input in the middle of one. */
static void read_replies(stralloc *digest, const char *s, size_t len, size_t piece)
{
  struct smtp_reply r = {0};
  size_t pos = 0;
  digest->len = 0;
  smtp_reply_start(&r);
  while (pos < len) {
    size_t n = piece && piece < len - pos ? piece : len - pos, used = (size_t)-1;
    int got = smtp_reply_feed(&r, s + pos, n, &used);
    if (got == -1) { require(stralloc_cats(digest, "!")); break; }
    require(used <= n);
    require(got == 1 || used == n);
    pos += used;
    if (got == 1) {
      char code[3], *nl;
      size_t i;
      require(r.code >= 200 && r.code <= 599);
      require(r.lines >= 1 && r.lines <= SMTP_REPLY_LINES_MAX);
      require(r.text.len && r.text.len <= SMTP_REPLY_TEXT_MAX && !memchr(r.text.s, 0, r.text.len));
      code[0] = (char)('0' + r.code / 100);
      code[1] = (char)('0' + r.code / 10 % 10);
      code[2] = (char)('0' + r.code % 10);
      /* every kept line (the last may be cut short at the text limit) */
      for (i = 0; i < r.text.len; i = (size_t)(nl - r.text.s) + 1) {
        nl = memchr(r.text.s + i, '\n', r.text.len - i);
        require(nl);
        if ((size_t)(nl - (r.text.s + i)) >= 3) require(!memcmp(r.text.s + i, code, 3));
      }
      require(stralloc_catb(digest, code, 3) && stralloc_catb(digest, r.text.s, r.text.len));
      smtp_reply_start(&r);
    }
  }
  if (pos >= len) require(stralloc_cats(digest, "."));
  stralloc_free(&r.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  stralloc whole = {0}, cut = {0};
  read_replies(&whole, s, size, 0);
  read_replies(&cut, s, size, 1);
  require(fuzz_same(whole.s, whole.len, cut.s, cut.len));
  read_replies(&cut, s, size, 3);
  require(fuzz_same(whole.s, whole.len, cut.s, cut.len));
  stralloc_free(&whole);
  stralloc_free(&cut);
  return 0;
}
