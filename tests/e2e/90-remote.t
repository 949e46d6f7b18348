#!/usr/bin/env python3
# Remote delivery to a real SMTP server: Postfix's smtp-sink on loopback,
# reached through control/smtproutes. Messages sent with the sandbox's
# sendmail arrive intact (a line starting with '.', 8-bit text, 1 MiB),
# and the log says success with smtp-sink's reply.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, free_port, wait_until
from remote import Sink, body_of


def delivered(sb, n):
    """n remote successes in the log: smtp-sink has written those messages
    in full (it writes its dump files as a session goes on)."""
    return wait_until(lambda: len(re.findall(r"^delivery \d+: success: ", sb.log(), re.M)) >= n, 60)

if not os.path.exists("/usr/sbin/smtp-sink"):
    tap.skip_all("smtp-sink (postfix) is not installed")

with Sandbox(start=False) as sb:
    port = free_port()
    sink = Sink(sb.base, sb.uid, "127.0.0.1", port)
    try:
        sb.control("smtproutes", "remote.example:[127.0.0.1]:%d" % port)
        sb.start()
        D = sb.domain

        body = "first line\n.starts with a dot\n..two dots\n.\nlast\n"
        r = sb.sendmail(["-f", "me@" + D, "user@remote.example"], "Subject: plain\n\n" + body)
        tap.eq(r.returncode, 0, "sendmail takes mail for user@remote.example")
        got = delivered(sb, 1) and wait_until(lambda: len(sink.messages()) >= 1, 30)
        tap.ok(got, "smtp-sink received it", sb.log())
        if got:
            head, msg = sink.messages()[0]
            tap.eq(body_of(msg), body.encode(), "the body arrives byte for byte, dot lines included")
            tap.ok(b"Subject: plain\n" in msg, "with its header")
            tap.ok("X-Mail-Args: <me@%s>" % D in head, "the envelope sender is ours", head)
            tap.ok("X-Rcpt-Args: <user@remote.example>" in head, "the envelope recipient too", head)
            tap.ok(re.search(r"X-Helo-Args: %s" % re.escape(D), head), "EHLO gives control/me (no helohost)", head)
        tap.ok(sb.wait_log(r"^starting delivery \d+: msg \d+ to remote user@remote\.example$"),
               "qmail-send starts a remote delivery")
        tap.ok(sb.wait_log(r"^delivery \d+: success: 127\.0\.0\.1_accepted_the_message\./Remote_host_said:_250_2\.0\.0_Ok"),
               "the log says success with smtp-sink's reply", sb.log())
        tap.ok(sb.wait_queue_empty(), "the queue is empty afterwards", "\n".join(sb.queue_files()))

        # 8-bit text: BODY=8BITMIME (smtp-sink announces 8BITMIME)
        text8 = "Subject: 8bit\nContent-Type: text/plain; charset=utf-8\n\n\u00e9t\u00e9 \u00fcber \u2603\n"
        sb.control("helohost", "helo.example")
        r = sb.sendmail(["-f", "me@" + D, "eight@remote.example"], text8.encode())
        tap.eq(r.returncode, 0, "an 8-bit message is queued")
        got = delivered(sb, 2) and wait_until(lambda: len(sink.messages()) >= 2, 30)
        tap.ok(got, "and delivered", sb.log())
        if got:
            head, msg = [m for m in sink.messages() if "eight@" in m[0]][0]
            tap.eq(body_of(msg), "\u00e9t\u00e9 \u00fcber \u2603\n".encode(), "8-bit bytes arrive untouched")
            tap.ok("X-Helo-Args: helo.example" in head, "control/helohost is used", head)

        # 1 MiB
        line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-=+*&^%$#@!~\n"
        big = "".join("%06d %s" % (i, line) for i in range(1024 * 1024 // (len(line) + 7) + 1))
        r = sb.sendmail(["-f", "me@" + D, "big@remote.example"], "Subject: big\n\n" + big)
        tap.eq(r.returncode, 0, "a 1 MiB message is queued")
        got = delivered(sb, 3) and wait_until(lambda: len(sink.messages()) >= 3, 60)
        tap.ok(got, "and delivered", sb.log())
        if got:
            head, msg = [m for m in sink.messages() if "big@" in m[0]][0]
            tap.ok(body_of(msg) == big.encode(), "1 MiB arrives intact (%d bytes)" % len(big))

        # several recipients: one delivery each, all to the same server
        r = sb.sendmail(["-f", "me@" + D, "a@remote.example", "b@Remote.Example"], "Subject: two\n\nx\n")
        got = delivered(sb, 5) and wait_until(lambda: len(sink.messages()) >= 5, 30)
        tap.ok(got, "two recipients, two deliveries (the route matches in any case)", sb.log())

        # a local part that needs quotes goes out quoted (RFC 5321 4.1.2;
        # qmail sent it raw), found with tests/fuzz/smtpcmd.c's resend check
        r = sb.sendmail(["-f", "the boss@" + D, "john doe@remote.example"], "Subject: quoted\n\nx\n")
        tap.eq(r.returncode, 0, "a message for john doe@remote.example is queued")
        got = delivered(sb, 6) and wait_until(lambda: len(sink.messages()) >= 6, 30)
        tap.ok(got, "and delivered", sb.log())
        if got:
            head = [m for m in sink.messages() if "Subject: quoted" in m[1].decode("latin-1")][0][0]
            tap.ok('X-Rcpt-Args: <"john doe"@remote.example>' in head, "RCPT TO quotes the local part", head)
            tap.ok('X-Mail-Args: <"the boss"@%s>' % D in head, "so does MAIL FROM", head)
        tap.ok(sb.wait_queue_empty(), "the queue is empty at the end", "\n".join(sb.queue_files()))
    finally:
        sink.stop()
tap.done()
