/* Failure notices: QSBMF structure, records, malformed record files. */
#include "bounce.h"
#include "tap.h"

int main(void)
{
  static stralloc rec, out;  /* static: still reachable when main returns */
  struct bounce b;
  bounce_record(&rec, "joe@example.com", "Sorry, no mailbox here by that name. (#5.1.1)\n", 46);
  bounce_record(&rec, "ann@example.com", "line one\nline two", 17);
  b.me = "mx.example.com"; b.from = "MAILER-DAEMON@mx.example.com";
  b.to = "sender@example.org"; b.date = "Sat, 21 Nov 2026 19:02:03 +0000";
  b.dbl = 0; b.records = rec.s; b.recordslen = rec.len;
  is_long(bounce_text(&out, &b), 1, "a notice is made");
  if (!stralloc_0(&out)) return 1;
  is_str(out.s,
    "Date: Sat, 21 Nov 2026 19:02:03 +0000\n"
    "From: MAILER-DAEMON@mx.example.com\n"
    "To: sender@example.org\n"
    "Subject: failure notice\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "Hi. This is the neoqmail delivery program at mx.example.com.\n"
    "Your message could not be delivered to the addresses below.\n"
    "These are permanent failures: no further attempts will be made.\n"
    "\n"
    "<joe@example.com>:\n"
    "Sorry, no mailbox here by that name. (#5.1.1)\n"
    "\n"
    "<ann@example.com>:\n"
    "line one\nline two\n"
    "\n"
    "--- Below this line is a copy of the message.\n\n",
    "the whole notice, QSBMF paragraphs");
  b.dbl = 1;
  bounce_text(&out, &b);
  if (!stralloc_0(&out)) return 1;
  ok(strstr(out.s, "notice about it could not\nbe returned") != 0, "a double bounce says so");
  b.records = "joe@example.com\0no end"; b.recordslen = 22;
  is_long(bounce_text(&out, &b), -1, "a torn record file is refused");
  stralloc_zero(&rec);
  bounce_record(&rec, "x@y", "a\0b", 3);
  is_mem(rec.s, rec.len, "x@y\0a?b\0", 8, "a NUL in a reason is shown as ?");
  return done_testing();
}
