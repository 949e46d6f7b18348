/* logstatline: qmail-send's and qmail-smtpd's log lines, as multilog
   writes them, read into fields; hostile text cannot move the numbers. */
#include "logstatline.h"
#include "tap.h"

#define T "@400000006650e8a01234567a "   /* 2024-05-24 19:20:54 UTC, as TAI (+10 s) */

static const struct {
  const char *line; int ok; enum logstat_kind kind;
  unsigned long long id, msgid, bytes, qp; int remote, accepted;
  const char *text, *ip, *helo, *what;
} rows[] = {
  { T "new msg 12345", 1, LS_NEWMSG, 12345, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "info msg 12345: bytes 2301 from <a@example.org> qp 4713 uid 1001", 1, LS_INFO, 12345, 0, 2301, 4713, 0, 0, "a@example.org", "", "", "" },
  { T "info msg 7: bytes 9 from <> qp 1 uid 0", 1, LS_INFO, 7, 0, 9, 1, 0, 0, "", "", "", "" },
  { T "info msg 7: bytes 9 from <x> qp 3 uid 0> qp 2 uid 5", 1, LS_INFO, 7, 0, 9, 2, 0, 0, "x> qp 3 uid 0", "", "", "" },
  { T "info msg 7: bytes x from <a> qp 1 uid 0", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "starting delivery 3: msg 12345 to local alice@example.com", 1, LS_START, 3, 12345, 0, 0, 0, 0, "alice@example.com", "", "", "" },
  { T "starting delivery 4: msg 12345 to remote bob@example.net", 1, LS_START, 4, 12345, 0, 0, 1, 0, "bob@example.net", "", "", "" },
  { T "starting delivery 4: msg 12345 to elsewhere bob", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "delivery 3: success: did_0+0+1/", 1, LS_SUCCESS, 3, 0, 0, 0, 0, 0, "did_0+0+1/", "", "", "" },
  { T "delivery 4: deferral: Connected_to_192.0.2.1_but_greeting_failed./", 1, LS_DEFERRAL, 4, 0, 0, 0, 0, 0, "Connected_to_192.0.2.1_but_greeting_failed./", "", "", "" },
  { T "delivery 5: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/", 1, LS_FAILURE, 5, 0, 0, 0, 0, 0, "Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/", "", "", "" },
  { T "delivery 5: maybe: x", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "bounce msg 12345 qp 4800", 1, LS_BOUNCE, 12345, 0, 0, 4800, 0, 0, "", "", "", "" },
  { T "end msg 12345", 1, LS_END, 12345, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "end msg 12345 extra", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "end msg 99999999999999999999999", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "status: local 0/10 remote 0/20", 1, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "tcpserver: ok 4711 0:127.0.0.1:25 :127.0.0.1::51234", 1, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { "new msg 5", 1, LS_NEWMSG, 5, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "qmail-smtpd: pid 4711 message from <a@example.org> to <b@example.com> <c@example.com> bytes 2301: accepted qp 4713 ip 192.0.2.7 helo mx.example.org msgid <1@example.org>",
    1, LS_SMTPMSG, 0, 0, 2301, 4713, 0, 1, "accepted qp 4713", "192.0.2.7", "mx.example.org", "<1@example.org>" },
  { T "qmail-smtpd: pid 4711 message from <a@example.org> to <b@example.com> bytes 88: 554 5.6.0 sorry, bare LF or CR in the message; lines must end with CR LF (RFC 5321 2.3.8) ip ::1 helo none msgid none",
    1, LS_SMTPMSG, 0, 0, 88, 0, 0, 0, "554 5.6.0 sorry, bare LF or CR in the message; lines must end with CR LF (RFC 5321 2.3.8)", "::1", "none", "none" },
  /* an address that imitates the fields: the numbers come from the right */
  { T "qmail-smtpd: pid 1 message from <x bytes 5: ip 1 helo 2 msgid 3> to <y> bytes 77: accepted qp 9 ip 10.0.0.1 helo h msgid none",
    1, LS_SMTPMSG, 0, 0, 77, 9, 0, 1, "accepted qp 9", "10.0.0.1", "h", "none" },
  /* the line of an older qmail-smtpd, without the tail */
  { T "qmail-smtpd: pid 4711 message from <a@b> to <c@d> bytes 12: accepted qp 5", 1, LS_SMTPMSG, 0, 0, 12, 5, 0, 1, "accepted qp 5", "", "", "" },
  { T "qmail-smtpd: pid 4711 refused ip 192.0.2.9 helo spam.example rcpt <x@elsewhere.example>: 553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts",
    1, LS_SMTPREFUSED, 0, 0, 0, 0, 0, 0, "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts", "192.0.2.9", "spam.example", "rcpt" },
  { T "qmail-smtpd: pid 4711 refused ip 192.0.2.9 helo none mail <>: 552 5.3.4 too big",
    1, LS_SMTPREFUSED, 0, 0, 0, 0, 0, 0, "552 5.3.4 too big", "192.0.2.9", "none", "mail" },
  { T "qmail-smtpd: pid 4711 refused ip 192.0.2.9 helo none rcpt x", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
  { T "qmail-smtpd: pid 4711 end ip 192.0.2.7 host mx.example.org helo a messages 7 b messages 3: quit",
    1, LS_SMTPEND, 0, 0, 0, 0, 0, 0, "quit", "192.0.2.7", "", "" },
  { T "qmail-smtpd: pid x end", 0, LS_OTHER, 0, 0, 0, 0, 0, 0, "", "", "", "" },
};

static void text(struct logstat_text t, const char *want, const char *name, size_t row)
{
  if (!is_mem(t.s ? t.s : "", t.len, want, strlen(want), name)) printf("#   row %zu\n", row);
}

static void test_rows(void)
{
  size_t i;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    struct logstat_line l;
    int r = logstat_parse(&l, rows[i].line, strlen(rows[i].line));
    if (!is_long(r, rows[i].ok, "line read or refused")) printf("#   row %zu: %s\n", i, rows[i].line);
    if (!r) continue;
    is_long(l.kind, rows[i].kind, "  kind");
    is_long((long)l.id, (long)rows[i].id, "  id");
    is_long((long)l.msgid, (long)rows[i].msgid, "  msg");
    is_long((long)l.bytes, (long)rows[i].bytes, "  bytes");
    is_long((long)l.qp, (long)rows[i].qp, "  qp");
    is_long(l.remote, rows[i].remote, "  channel");
    is_long(l.accepted, rows[i].accepted, "  accepted");
    text(l.text, rows[i].text, "  text", i);
    text(l.ip, rows[i].ip, "  ip", i);
    text(l.helo, rows[i].helo, "  helo", i);
    text(l.what, rows[i].what, "  what", i);
  }
}

static void test_stamps(void)
{
  struct logstat_line l;
  long long sec;
  unsigned long nsec;
  ok(logstat_tai64n(T, 25, &sec, &nsec) && sec == 1716578454LL && nsec == 0x1234567a, "a TAI64N label is UNIX time + 10 s");
  ok(!logstat_tai64n("@400000006650e8a01234567", 24, &sec, &nsec), "a short label is no stamp");
  ok(!logstat_tai64n("@400000006650e8a0123456zz", 25, &sec, &nsec), "a label must be hex");
  ok(!logstat_tai64n("@40000000ffffffffffffffff", 25, &sec, &nsec), "nanoseconds stay under 10^9");
  ok(!logstat_tai64n("@000000006650e8a01234567a", 25, &sec, &nsec), "a label before 1970 is refused");
  logstat_parse(&l, T "end msg 1\n", strlen(T "end msg 1\n"));
  ok(l.stamped && l.sec == 1716578454LL && l.kind == LS_END && l.id == 1, "a stamped line, newline and all");
  logstat_parse(&l, "end msg 1", 9);
  ok(!l.stamped && l.kind == LS_END, "a line without stamp");
}

int main(void)
{
  test_rows();
  test_stamps();
  return done_testing();
}
