#!/usr/bin/env python3
# qmail-smtpd on a real sandbox, through tcpserver on 127.0.0.1:PORT:
# Python's smtplib, swaks with PIPELINING, Postfix's smtp-source for a
# burst; relaying from 127.0.0.1 (RELAYCLIENT); badmailfrom, databytes,
# morercpthosts.cdb made by qmail-newmrh; IPv6 in the Received line.
import os, re, shutil, smtplib, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until


def as_user(sb, argv):
    """argv run as the sandbox's user (when we are root)."""
    return (["setuidgid", sb.user] if os.geteuid() == 0 else []) + argv


def check_server(sb, what):
    tap.eq(sb.smtp_crashes(), [], what + ": no qmail-smtpd died of a signal")
    tap.ok(sb.wait_queue_empty(), what + ": the queue holds no leftovers", "\n".join(sb.queue_files()))


with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")

    # ---- smtplib: capabilities, a message, its Received line ----
    s = smtplib.SMTP("127.0.0.1", sb.port, local_hostname="client.example", timeout=20)
    code, text = s.ehlo()
    caps = text.decode().splitlines()
    tap.eq(code, 250, "EHLO answered 250")
    tap.eq(caps[0], D, "EHLO's first line is control/me")
    for cap in ("PIPELINING", "8BITMIME", "SIZE", "ENHANCEDSTATUSCODES"):
        tap.ok(cap in caps, "EHLO offers " + cap, caps)
    body = "Subject: over SMTP\r\nTo: alice@%s\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\nend\r\n" % D
    refused = s.sendmail("sender@example.org", ["alice@" + D], body.encode())
    tap.eq(refused, {}, "smtplib: the message is accepted")
    code, text = s.docmd("VRFY", "alice")
    tap.eq(code, 252, "VRFY: 252")
    code, text = s.docmd("HELP")
    tap.eq(code, 214, "HELP: 214")
    code, text = s.docmd("STARTTLS")
    tap.eq(code, 502, "an unknown command: 502")
    code, text = s.docmd("RCPT", "TO:<alice@%s>" % D)
    tap.ok(code == 503 and text.startswith(b"5.5.1"), "RCPT before MAIL: 503 5.5.1", text)
    s.quit()
    msgs = sb.wait_maildir("alice", 1)
    m = msgs[0] if msgs else ""
    tap.ok(re.search(r"\nReceived: from client\.example \(\S+ \[127\.0\.0\.1\]\)\n  by %s with ESMTP; \w\w\w, " % re.escape(D), m),
           "qmail-smtpd's Received line: HELO, host, [IP], me, ESMTP", m)
    # smtplib dot-stuffs, qmail-smtpd unstuffs: the text arrives as it was
    tap.ok(m.endswith("line one\n.starts with a dot\n..two dots\nend\n"), "lines end in LF, dots unstuffed", m)
    tap.ok("Return-Path: <sender@example.org>\n" in m, "the envelope sender", m)
    tap.ok(sb.wait_log(r"^info msg \d+: bytes \d+ from <sender@example.org> qp \d+"), "qmail-send took it")
    slog = sb.smtp_log()
    m2 = re.search(r"qmail-smtpd: pid \d+ message from <sender@example.org> to <alice@%s> bytes (\d+): accepted qp (\d+)" % re.escape(D), slog)
    tap.ok(m2, "qmail-smtpd logs the message with qmail-queue's pid", slog)
    if m2:
        tap.ok(re.search(r"^info msg \d+: bytes \d+ from <sender@example.org> qp %s " % m2.group(2), sb.log(), re.M),
               "and that qp names the message in qmail-send's log")
    tap.ok(re.search(r"qmail-smtpd: pid \d+ end ip 127\.0\.0\.1 host \S+ helo client\.example messages 1: quit", slog),
           "one line per connection", slog)
    check_server(sb, "smtplib")

    # ---- HELO gives SMTP in the Received line ----
    s = smtplib.SMTP("127.0.0.1", sb.port, timeout=20)
    s.helo("old.example")
    s.sendmail("", ["alice@" + D], b"Subject: helo\r\n\r\nnull sender\r\n")
    s.quit()
    msgs = sb.wait_maildir("alice", 2)
    m = [x for x in msgs or [] if "null sender" in x]
    tap.ok(m and "Received: from old.example (" in m[0] and " with SMTP; " in m[0], "HELO: with SMTP", m)
    tap.ok(m and "Return-Path: <>\n" in m[0], "MAIL FROM:<> is the null sender", m)

    # ---- swaks with PIPELINING ----
    if shutil.which("swaks"):
        r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(sb.port), "--pipeline",
                            "--from", "swaks@example.org", "--to", "alice@" + D, "--helo", "swaks.example",
                            "--header", "Subject: swaks"], capture_output=True, text=True, timeout=60)
        tap.eq(r.returncode, 0, "swaks --pipeline succeeds")
        tap.ok("<** " not in r.stdout and re.search(r"<-\s+250 2\.0\.0 ok \d+ qp \d+", r.stdout), "swaks sees 250 after the dot", r.stdout)
        tap.ok(sb.wait_maildir("alice", 3), "the swaks message is delivered")
    else:
        tap.diag("swaks not installed: skipped")

    # ---- smtp-source: a burst ----
    if os.path.exists("/usr/sbin/smtp-source"):
        sb.add_user("burst")
        n, c = 200, 10
        r = subprocess.run(["/usr/sbin/smtp-source", "-s", str(c), "-m", str(n), "-l", "2048",
                            "-f", "src@example.org", "-t", "burst@" + D, "127.0.0.1:%d" % sb.port],
                           capture_output=True, text=True, timeout=300)
        tap.eq(r.returncode, 0, "smtp-source: %d messages, %d sessions at once" % (n, c))
        tap.ok(sb.wait_maildir("burst", n, timeout=120), "every one delivered",
               "%d in Maildir" % len(sb.maildir("burst")))
        tap.eq(len(sb.maildir("burst")), n, "exactly %d, none twice" % n)
        check_server(sb, "smtp-source")
    else:
        tap.diag("smtp-source not installed: skipped")

    # ---- control files: badmailfrom, databytes, morercpthosts.cdb ----
    sb.control("badmailfrom", "spammer@example.net\n@bad.example\n")
    sb.control("databytes", "1000")
    sb.write(sb.path("control", "morercpthosts"), "more.example\n.wild.example\n")
    r = subprocess.run(as_user(sb, [sb.bin("qmail-newmrh")]), capture_output=True, text=True)
    tap.ok(r.returncode == 0, "qmail-newmrh compiles morercpthosts", r.stderr)
    tap.ok(os.path.exists(sb.path("control", "morercpthosts.cdb")) and
           not os.path.exists(sb.path("control", "morercpthosts.tmp")), "into morercpthosts.cdb, no tmp left")
    c = sb.smtp_connect("127.0.0.2")
    code, text = c.cmd("EHLO stranger")
    tap.ok("250-SIZE 1000\n" in text, "EHLO announces SIZE 1000 from control/databytes", text)
    code, text = c.cmd("MAIL FROM:<spammer@example.net>")
    tap.ok(code == 553 and "5.7.1" in text, "badmailfrom address: 553 5.7.1", text)
    code, text = c.cmd("MAIL FROM:<anyone@BAD.example>")
    tap.ok(code == 553, "badmailfrom @domain: 553", text)
    code, text = c.cmd("MAIL FROM:<ok@example.org> SIZE=1001")
    tap.ok(code == 552 and "5.3.4" in text, "SIZE= over databytes: 552 5.3.4 at MAIL", text)
    code, text = c.cmd("MAIL FROM:<ok@example.org> SIZE=999 BODY=8BITMIME")
    tap.eq(code, 250, "SIZE= within the limit and BODY=8BITMIME: 250")
    code, text = c.cmd("RCPT TO:<x@more.example>")
    tap.eq(code, 250, "a domain in morercpthosts.cdb is accepted")
    code, text = c.cmd("RCPT TO:<x@a.wild.example>")
    tap.eq(code, 250, "and a .domain entry matches below it")
    code, text = c.cmd("RCPT TO:<x@wild.example>")
    tap.eq(code, 553, "but not the domain itself")
    c.cmd("RSET")
    c.cmd("MAIL FROM:<ok@example.org> AUTH=<>")
    code, text = c.cmd("MAIL FROM:<ok@example.org> FOO=bar")
    tap.ok(code == 555, "an unknown MAIL parameter: 555", text)
    c.cmd("QUIT")
    c.close()
    sb.control("badmailfrom", None)
    sb.control("databytes", None)

    # ---- IPv6 variables as a tcpserver sets them, with qmail-smtpd run
    # directly (83-smtpd-ipv6 does it through a real IPv6 tcpserver) ----
    env = {"TCPREMOTEIP": "::1", "TCPREMOTEHOST": "localhost6", "TCPLOCALIP": "::1",
           "TCPLOCALPORT": "25", "PATH": "/usr/bin:/bin"}   # no RELAYCLIENT
    session = ("EHLO v6.example\r\nMAIL FROM:<v6@example.org>\r\nRCPT TO:<alice@[IPv6:::1]>\r\n"
               "DATA\r\nSubject: v6\r\n\r\nover IPv6\r\n.\r\nQUIT\r\n")
    r = subprocess.run(as_user(sb, [sb.bin("qmail-smtpd")]), input=session.encode(), env=env,
                       capture_output=True, timeout=30)
    out = r.stdout.decode("latin1")
    tap.ok(r.returncode == 0 and "\n250 2.0.0 ok " in out, "qmail-smtpd run directly with TCPREMOTEIP=::1", out + r.stderr.decode())
    msgs = sb.wait_maildir("alice", 4)
    m = [x for x in msgs or [] if "over IPv6" in x]
    tap.ok(m and "Received: from v6.example (localhost6 [IPv6:::1])\n  by %s with ESMTP" % D in m[0],
           "the Received line shows [IPv6:::1]", m)
    tap.ok(m and "\nDelivered-To: alice@%s\n" % D in m[0] and m[0].count("Delivered-To:") == 1,
           "alice@[IPv6:::1] (our own address) became alice@localiphost", m)

    # ---- QMAILQUEUE, and qmail-queue's exit codes as replies ----
    filt = sb.path("qq-filter")
    sb.write(filt, "#!/bin/sh\ncat > /dev/null\nexit $QQ_EXIT\n", 0o755)
    for qcode, want in ((31, "554 5.3.0 mail server permanently refused the message (#5.3.0)"),
                        (71, "451 4.3.0 mail server temporarily refused the message (#4.3.0)"),
                        (53, "451 4.3.0 qq write error or disk full (#4.3.0)"),
                        (11, "554 5.1.3 envelope address too long for qq (#5.1.3)")):
        env = {"QMAILQUEUE": filt, "QQ_EXIT": str(qcode), "PATH": "/usr/bin:/bin", "TCPREMOTEIP": "127.0.0.9"}
        session = ("HELO qq\r\nMAIL FROM:<qq@example.org>\r\nRCPT TO:<alice@%s>\r\nDATA\r\n"
                   "Subject: qq\r\n\r\nqq\r\n.\r\nQUIT\r\n" % D)
        r = subprocess.run(as_user(sb, [sb.bin("qmail-smtpd")]), input=session.encode(), env=env,
                           capture_output=True, timeout=30)
        tap.ok(("\r\n%s\r\n" % want) in r.stdout.decode("latin1"),
               "QMAILQUEUE exiting %d: %s" % (qcode, want[:9]), r.stdout.decode("latin1"))

    check_server(sb, "all")

    # ---- relaying: 127.0.0.1 has RELAYCLIENT ----
    c = sb.smtp_connect("127.0.0.1")
    c.cmd("HELO relay")
    c.cmd("MAIL FROM:<alice@%s>" % D)
    code, text = c.cmd("RCPT TO:<someone@remote.invalid>")
    tap.eq(code, 250, "from 127.0.0.1 (RELAYCLIENT) a remote recipient is accepted")
    code, _ = c.cmd("DATA")
    c.send("Subject: relayed\r\n\r\nout\r\n.\r\n")
    code, text = c.reply()
    tap.eq(code, 250, "and the message queued (its remote delivery will not succeed here)")
    c.cmd("QUIT")
    c.close()
    # queued for remote delivery: still in the queue (no qmail-rspawn yet),
    # or already tried by qmail-remote (the qmail-send log names it)
    tap.ok(wait_until(lambda: "someone@remote.invalid" in sb.qread().stdout
                      or "to remote someone@remote.invalid" in sb.log(), 20),
           "it was queued for remote delivery", sb.qread().stdout)

tap.done()
