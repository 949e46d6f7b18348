#!/usr/bin/env python3
# Mail injected with sendmail and qmail-inject reaches local users' Maildirs,
# with the headers qmail adds, and leaves nothing in the queue.
import os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")
    sb.add_user("bob")
    body = "Hello Alice.\n.\nA line with a single dot above.\nFrom here on.\n"
    r = sb.sendmail(["-f", "sender@example.org", f"alice@{D}"],
                    f"Subject: first\nTo: alice@{D}\n\n" + body)
    tap.eq(r.returncode, 0, "sendmail exits 0")
    msgs = sb.wait_maildir("alice", 1)
    tap.ok(msgs and len(msgs) == 1, "one message in alice's Maildir/new")
    m = msgs[0] if msgs else ""
    head, _, got_body = m.partition("\n\n")
    tap.ok(head.startswith("Return-Path: <sender@example.org>\n"), "Return-Path first, with the envelope sender", head)
    tap.ok(f"\nDelivered-To: alice@{D}\n" in "\n" + head, "Delivered-To names the recipient", head)
    # qmail-queue names the injecting uid, or says "alias" for the alias
    # user's: in a sandbox made by an ordinary user, every role is that user
    by = "invoked by alias" if os.getuid() == sb.uid else "invoked by uid %d" % os.getuid()
    tap.ok("Received: (qmail " in head and by in head, "qmail-queue's Received line", head)
    tap.ok("\nDate: " in head and "\nMessage-ID: <" in head, "qmail-inject added Date and Message-ID", head)
    tap.ok("\nFrom: " in head, "qmail-inject added a From line", head)
    tap.eq(got_body, body, "the body arrives byte for byte, dots and all")

    r = sb.sendmail(["-f", "x@example.org", f"bob@{D}", f"alice@{D}"], "Subject: two\n\nhi\n")
    tap.eq(r.returncode, 0, "sendmail with two recipients")
    tap.ok(sb.wait_maildir("bob", 1) and sb.wait_maildir("alice", 2), "each of them gets it")

    env = {"QMAILUSER": "carol", "QMAILHOST": "example.net", "QMAILNAME": "Carol C"}
    r = sb.sendmail(["-t"], f"To: bob@{D}\nCc: alice@{D}\nBcc: bob\nSubject: t\n\nbcc test\n", env)
    tap.eq(r.returncode, 0, "sendmail -t takes recipients from the header")
    msgs = sb.wait_maildir("alice", 3)
    last = [x for x in (msgs or []) if "bcc test" in x]
    tap.ok(last and "\nBcc:" not in last[0] and "Carol C" in last[0], "Bcc removed, From built from QMAILNAME/QMAILUSER",
           last[0] if last else "nothing")
    tap.ok(sb.wait_maildir("bob", 2), "Bcc recipient bob (qualified with defaulthost) got it too")

    r = subprocess.run([sb.bin("qmail-inject"), "-fqi@example.org", f"alice@{D}"],
                       input=b"Subject: via qmail-inject\n\nqi\n", capture_output=True)
    tap.eq(r.returncode, 0, "qmail-inject exits 0")
    msgs = sb.wait_maildir("alice", 4)
    tap.ok(msgs and any("Return-Path: <qi@example.org>" in x for x in msgs), "qmail-inject -f sets the envelope sender")

    tap.ok(sb.wait_queue_empty(), "the queue holds no files afterwards", "\n".join(sb.queue_files()))
    tap.ok(sb.wait_log(r"^end msg \d+$"), "qmail-send logs end msg")
    tap.ok(sb.wait_log(r"^info msg \d+: bytes \d+ from <sender@example.org> qp \d+ uid \d+$"), "info msg line as qmail-log(5)")
tap.done()
