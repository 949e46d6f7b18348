/* logstatsum: percentiles, reasons, remote hosts, and a small log added
   line by line. */
#include "logstatsum.h"
#include "tap.h"

static void test_percentiles(void)
{
  static const unsigned long long v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  is_long((long)logstat_percentile(v, 10, 50), 5, "p50 of 1..10 is 5 (nearest rank)");
  is_long((long)logstat_percentile(v, 10, 90), 9, "p90 is 9");
  is_long((long)logstat_percentile(v, 10, 95), 10, "p95 is 10");
  is_long((long)logstat_percentile(v, 10, 100), 10, "p100 is the maximum");
  is_long((long)logstat_percentile(v, 1, 50), 1, "one value is every percentile");
  is_long((long)logstat_percentile(v, 0, 50), 0, "no value: 0");
}

static void test_text(void)
{
  static const struct { const char *in, *reason, *host; } rows[] = {
    { "Connected_to_192.0.2.1_but_greeting_failed./", "Connected to 192.0.2.1 but greeting failed.", "192.0.2.1" },
    { "127.0.0.1_accepted_the_message./Remote_host_said:_250_ok/", "127.0.0.1 accepted the message. Remote host said: 250 ok", "127.0.0.1" },
    { "Giving_up_on_::1:_no_recipient_was_accepted./", "Giving up on ::1: no recipient was accepted.", "" },
    { "did_0+0+1/", "did 0+0+1", "" },
    { "__/__", "", "" },
  };
  size_t i;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    char r[200];
    const char *h = 0;
    size_t n = logstat_reason(r, sizeof r, rows[i].in, strlen(rows[i].in));
    is_mem(r, n, rows[i].reason, strlen(rows[i].reason), "reason");
    n = logstat_remotehost(rows[i].in, strlen(rows[i].in), &h);
    is_mem(n ? h : "", n, rows[i].host, strlen(rows[i].host), "remote host");
  }
  {
    char r[5];
    is_long((long)logstat_reason(r, sizeof r, "abcdefgh", 8), 5, "a reason is cut at its room");
  }
}

static const char *const lines[] = {
  "@400000006650e8a000000000 info msg 100: bytes 500 from <a@x.org> qp 77 uid 1001",
  "@400000006650e8a000000000 starting delivery 1: msg 100 to local bob@here",
  "@400000006650e8a100000000 delivery 1: success: did_0+0+1/",
  "@400000006650e8a100000000 starting delivery 2: msg 100 to remote c@there.net",
  "@400000006650e8a500000000 delivery 2: deferral: Connected_to_192.0.2.1_but_greeting_failed./",
  "@400000006650e8b500000000 starting delivery 2: msg 100 to remote c@there.net",
  "@400000006650e8b600000000 delivery 2: failure: 192.0.2.1_does_not_like_recipient./",
  "@400000006650e8b600000000 delivery 9: success: no_start_line_for_this_one/",
  "@400000006650e8a000000000 info msg 101: bytes 10 from <> qp 78 uid 0",
  "@400000006650e8a000000000 qmail-smtpd: pid 4711 message from <a@x.org> to <bob@here> bytes 400: accepted qp 77 ip 127.0.0.1 helo h msgid <1@x>",
  "@400000006650e8a000000000 qmail-smtpd: pid 4711 refused ip 127.0.0.2 helo h rcpt <z@else>: 553 5.7.1 no",
  "@400000006650e8a000000000 qmail-smtpd: pid 4711 end ip 127.0.0.1 host h helo h messages 1: quit",
};

static void test_sum(void)
{
  static struct logstat s;
  size_t i;
  for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
    struct logstat_line l;
    ok(logstat_parse(&l, lines[i], strlen(lines[i])) && logstat_add(&s, &l), "a line added");
  }
  is_long((long)s.received, 2, "two messages received");
  is_long((long)s.received_bytes, 510, "510 bytes");
  is_long((long)s.delivered[LS_LOCAL], 1, "one local success");
  is_long((long)s.delivered_bytes[LS_LOCAL], 500, "with the message's bytes");
  is_long((long)s.deferred[LS_REMOTE], 1, "one remote deferral");
  is_long((long)s.failed[LS_REMOTE], 1, "one remote failure (delivery number reused)");
  is_long((long)s.delivered[LS_REMOTE], 0, "a success without its start is not counted");
  is_long((long)s.smtp_accepted, 1, "one SMTP message");
  is_long((long)s.smtp_refused, 1, "one refusal");
  is_long((long)s.smtp_connections, 1, "one connection");
  is_long((long)s.delays[LS_LOCAL].n, 1, "one local delay");
  is_long((long)s.delays[LS_LOCAL].ms[0], 1000, "of one second");
  is_long((long)s.delays[LS_REMOTE].n, 1, "one remote delay (the failure)");
  is_long((long)s.delays[LS_REMOTE].ms[0], 22000, "of 22 seconds");
  is_long((long)s.senders.used, 2, "two senders (<> is one)");
  is_long((long)s.hosts.used, 1, "one remote host");
  is_long((long)s.first, 1716578454LL, "the first stamp");
  is_long((long)s.last, 1716578476LL, "the last stamp");
}

int main(void)
{
  test_percentiles();
  test_text();
  test_sum();
  return done_testing();
}
