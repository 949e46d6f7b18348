#!/usr/bin/env python3
# Two neoqmail sandboxes relaying to each other on loopback: A's
# qmail-remote hands mail for b.example to B's qmail-smtpd (through A's
# control/smtproutes), B delivers it to a Maildir; a message for an
# unknown user at b.example bounces from B back to the sender at A the
# same way. Nothing but our own programs, real tcpserver and svscan.
import os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

def with_domain(sb, dom):
    """sb also receives mail for dom (locals and rcpthosts)."""
    for f in ("locals", "rcpthosts"):
        with open(sb.path("control", f)) as fh:
            sb.control(f, fh.read().rstrip("\n") + "\n" + dom)

with Sandbox(start=False) as a, Sandbox(start=False) as b:
    with_domain(a, "a.example")
    with_domain(b, "b.example")
    a.control("smtproutes", "b.example:127.0.0.1:%d" % b.port)
    b.control("smtproutes", "a.example:127.0.0.1:%d" % a.port)
    a.control("helohost", "relay-a.example")
    a.add_user("bob")
    b.add_user("carol")
    a.start()
    b.start()

    body = "Hello from A.\n.a line with a leading dot\n\u00e9t\u00e9 8-bit\n"
    r = a.sendmail(["-f", "bob@a.example", "carol@b.example"],
                   ("Subject: across\n\n" + body).encode())
    tap.eq(r.returncode, 0, "A accepts mail for carol@b.example")
    got = b.wait_maildir("carol", 1, timeout=30)
    tap.ok(got, "it arrives in carol's Maildir at B", a.log() + "\n---\n" + b.log())
    if got:
        m = got[0]
        tap.ok(m.endswith("\n\n" + body), "the body is intact (dot line, 8-bit text)", m[-300:])
        tap.ok(re.search(r"^Received: from relay-a\.example \(\S* ?\[127\.0\.0\.1\]\)\n\s+by \S+ with E?SMTP", m, re.M),
               "B's Received line names A's HELO and address", m[:600])
        tap.ok(re.search(r"^Return-Path: <bob@a\.example>$", m, re.M), "the envelope sender survives", m[:400])
    tap.ok(a.wait_log(r"^delivery \d+: success: 127\.0\.0\.1_accepted_the_message\./Remote_host_said:_250"),
           "A's log: delivered to B, with B's reply", a.log())

    r = a.sendmail(["-f", "bob@a.example", "nobody@b.example"], "Subject: lost\n\nto nobody\n")
    tap.eq(r.returncode, 0, "A accepts mail for nobody@b.example")
    bounce = a.wait_maildir("bob", 1, timeout=40)
    tap.ok(bounce and "<nobody@b.example>:" in bounce[0],
           "B bounces it and the bounce comes back to bob at A", b.log())
    if bounce:
        tap.ok(re.search(r"^Return-Path: <>$", bounce[0], re.M), "the bounce has the null sender", bounce[0][:400])
        tap.ok("Subject: lost" in bounce[0], "and quotes the original message")
    tap.ok(a.wait_queue_empty() and b.wait_queue_empty(), "both queues are empty at the end",
           "\n".join(a.queue_files() + b.queue_files()))
tap.done()
