#!/usr/bin/env python3
# qmail-logstat on a sandbox's real logs after real traffic: messages by
# SMTP (smtplib, relaying from 127.0.0.1) and by sendmail, a refused RCPT
# from a stranger (127.0.0.2), a local failure (bounce), a remote
# delivery deferred by a scripted server and delivered once it is fixed.
# Its figures are checked against the log lines counted here, and
# qmail-smtpd's message line must carry client, HELO and Message-ID.
import os, re, smtplib, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until
from remote import ScriptedSMTP


def logstat(sb, *args, stdin=None):
    return subprocess.run([sb.bin("qmail-logstat")] + list(args), input=stdin,
                          capture_output=True, text=True, env=dict(os.environ, TZ="UTC"))


def figure(out, label):
    """the number after a label in the totals ('  received   12')"""
    m = re.search(r"^  %s +(\d+)$" % re.escape(label), out, re.M)
    return int(m.group(1)) if m else None


def section(out, title):
    m = re.search(r"^%s\n((?:[ ].*\n)*)" % re.escape(title), out, re.M)
    return m.group(1) if m else ""


srv = ScriptedSMTP({"rcpt": "450 mailbox busy, try later"})
with Sandbox(start=False) as sb:
    try:
        sb.control("smtproutes", "remote.example:[127.0.0.1]:%d" % srv.port)
        sb.start()
        D = sb.domain
        sb.add_user("alice")

        # three messages by SMTP, one of them to a remote recipient
        s = smtplib.SMTP("127.0.0.1", sb.port, local_hostname="client.example", timeout=20)
        for i in range(2):
            s.sendmail("sender@example.org", ["alice@" + D],
                       ("Message-ID: <m%d@example.org>\r\nSubject: %d\r\n\r\nhello\r\n" % (i, i)).encode())
        s.sendmail("sender@example.org", ["bob@remote.example"],
                   b"Message-ID: <far@example.org>\r\nSubject: far\r\n\r\nhello\r\n")
        s.quit()
        # a stranger is refused at RCPT
        c = sb.smtp_connect("127.0.0.2")
        c.cmd("HELO stranger.example")
        c.cmd("MAIL FROM:<spam@example.net>")
        code, _ = c.cmd("RCPT TO:<victim@elsewhere.example>")
        tap.eq(code, 553, "a stranger's relay attempt is refused")
        c.cmd("QUIT")
        c.close()
        # one by sendmail, and one to nobody (a local failure, bounced)
        r = sb.sendmail(["-f", "local@" + D, "alice@" + D], "Subject: here\n\nlocal\n")
        tap.eq(r.returncode, 0, "sendmail queues a message")
        r = sb.sendmail(["-f", "local@" + D, "nobody@" + D], "Subject: lost\n\nnobody\n")
        tap.eq(r.returncode, 0, "sendmail queues a message to nobody")

        tap.ok(sb.wait_log(r"^delivery \d+: deferral: .*450_mailbox_busy", 30), "the remote delivery is deferred")
        srv.script = {}
        sb.svc("-a")
        tap.ok(sb.wait_log(r"^delivery \d+: success: 127\.0\.0\.1_accepted_the_message", 60),
               "after the fix and svc -a it is delivered", sb.log())
        tap.ok(sb.wait_queue_empty(40), "the queue empties (bounce included)", "\n".join(sb.queue_files()))

        slog = sb.smtp_log()
        tap.ok(re.search(r"qmail-smtpd: pid \d+ message from <sender@example\.org> to <alice@%s> bytes \d+: "
                         r"accepted qp \d+ ip 127\.0\.0\.1 helo client\.example msgid <m0@example\.org>$" % re.escape(D),
                         slog, re.M), "qmail-smtpd's message line: result, client, HELO, Message-ID", slog)
        tap.ok(re.search(r"qmail-smtpd: pid \d+ refused ip 127\.0\.0\.2 helo stranger\.example rcpt "
                         r"<victim@elsewhere\.example>: 553 5\.7\.1 ", slog), "a refused RCPT has its line", slog)

        # the figures, against the lines counted here
        log = sb.log()
        flight = {m.group(1): m.group(2) for m in re.finditer(r"^starting delivery (\d+): msg \d+ to (\w+) ", log, re.M)}
        ends = re.findall(r"^delivery (\d+): (success|deferral|failure): ", log, re.M)
        count = lambda chan, what: sum(1 for n, w in ends if w == what and flight.get(n) == chan)
        out = logstat(sb, sb.path("log", "qmail-send"), sb.path("log", "qmail-smtpd"))
        tap.eq(out.returncode, 0, "qmail-logstat reads two multilog directories")
        o = out.stdout
        received = len(re.findall(r"^info msg ", log, re.M))
        tap.eq(figure(o, "received"), received, "received: every info msg line (%d)" % received)
        tap.eq(figure(o, "  by SMTP"), 3, "by SMTP: the three qmail-smtpd accepted")
        tap.eq(figure(o, "  injected here"), received - 3, "injected here: the rest (sendmail, the bounce)")
        tap.eq(figure(o, "delivered local"), count("local", "success"), "delivered local")
        tap.eq(figure(o, "delivered remote"), 1, "delivered remote: one")
        tap.eq(figure(o, "deferred remote"), count("remote", "deferral"), "deferred remote")
        tap.ok(figure(o, "deferred remote") >= 1, "at least one deferral")
        tap.eq(figure(o, "failed local"), count("local", "failure"), "failed local")
        tap.ok(figure(o, "failed local") >= 1, "the message to nobody failed")
        tap.eq(figure(o, "bounces sent"), len(re.findall(r"^bounce msg ", log, re.M)), "bounces sent")
        tap.eq(figure(o, "messages accepted"), 3, "SMTP messages accepted")
        tap.eq(figure(o, "refused"), 1, "SMTP refused: one")
        tap.eq(figure(o, "connections"), len(re.findall(r"qmail-smtpd: pid \d+ end ", slog)), "SMTP connections: end lines")
        tap.ok(re.search(r"^ +\d+  remote: .*450 mailbox busy, try later", section(o, "Deferrals by reason"), re.M),
               "the deferral's reason, spaces restored", o)
        tap.ok("local:  Sorry, no mailbox here by that name" in section(o, "Failures by reason"), "the failure's reason", o)
        tap.ok("553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts" in section(o, "SMTP refusals by reason"),
               "the refusal's reason", o)
        tap.ok(re.search(r"^ +3 +\d+  sender@example\.org$", section(o, "Top senders (messages, bytes)"), re.M),
               "top senders: sender@example.org with 3", o)
        tap.ok(re.search(r"^ +1 +\d+  bob@remote\.example$", section(o, "Top recipients (deliveries, bytes)"), re.M), "top recipients", o)
        tap.ok(re.search(r"^ +1 +\d+  remote\.example$", section(o, "Top remote domains (deliveries, bytes)"), re.M), "top remote domains", o)
        tap.ok(re.search(r"^ +\d+  127\.0\.0\.1$", section(o, "Top remote hosts (delivery attempts)"), re.M), "top remote hosts", o)
        tap.ok(re.search(r"^ +3 +\d+  127\.0\.0\.1$", section(o, "Top SMTP clients (messages, bytes)"), re.M), "top SMTP clients", o)
        m = re.search(r"^  remote +1 +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)$", o, re.M)
        tap.ok(m and float(m.group(5)) > 0, "a delay for the one remote delivery (it waited for svc -a)", o)
        hours = [l.split() for l in section(o, "Per hour (local time)  received delivered deferred   failed").splitlines()]
        tap.eq(len(hours), 24, "24 hours")
        tap.eq(sum(int(h[1]) for h in hours), received, "per hour: the received add up")
        tap.eq(sum(int(h[2]) for h in hours), count("local", "success") + 1, "per hour: the delivered add up")

        # standard input gives the same figures as the directories
        both = open(sb.path("log", "qmail-send", "current")).read() + open(sb.path("log", "qmail-smtpd", "current")).read()
        r = logstat(sb, stdin=both)
        tap.eq(r.stdout, o, "standard input: the same report")
        r = logstat(sb, "-n", "1", stdin=both)
        tap.ok(r.returncode == 0 and len(section(r.stdout, "Top recipients (deliveries, bytes)").splitlines()) == 1, "-n 1: one line per list", r.stdout)
        r = logstat(sb, "-n", "x")
        tap.eq(r.returncode, 100, "a bad option: exit 100")
        r = logstat(sb, sb.path("log", "nothing-here"))
        tap.ok(r.returncode == 111 and "qmail-logstat: fatal: unable to read" in r.stderr, "a missing input: exit 111 and why", r.stderr)
    finally:
        srv.stop()
tap.done()
