#!/usr/bin/env python3
# Unknown users bounce to the sender; a bounce that bounces goes to
# doublebounceto; a failed double bounce is discarded (triple bounce).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("bob")
    sb.add_user("pm")
    sb.control("doublebounceto", "pm")
    sb.control("doublebouncehost", D)
    sb.reload()

    r = sb.sendmail(["-f", f"bob@{D}", f"nosuchuser@{D}"], "Subject: to nobody\n\nlost\n")
    tap.eq(r.returncode, 0, "mail to an unknown local user is accepted")
    b = sb.wait_maildir("bob", 1)
    tap.ok(b and f"<nosuchuser@{D}>:" in b[0] and "(#5.1.1)" in b[0],
           "the sender gets a bounce naming the address, #5.1.1", b[0] if b else sb.log())
    if b:
        head = b[0].split("\n\n")[0]
        tap.ok("Return-Path: <>" in head, "the bounce has an empty envelope sender", head)
        tap.ok("Subject: to nobody" in b[0] and "lost" in b[0], "with a copy of the message")
    tap.ok(sb.wait_log(r"^bounce msg \d+ qp \d+$"), "qmail-send logs bounce msg")

    # the bounce itself cannot be delivered: it goes to doublebounceto
    r = sb.sendmail(["-f", f"ghost@{D}", f"nosuchuser@{D}"], "Subject: double\n\nx\n")
    tap.eq(r.returncode, 0, "mail from an unknown local sender to an unknown user")
    d = sb.wait_maildir("pm", 1)
    tap.ok(d and f"<ghost@{D}>:" in d[0], "the undeliverable bounce reaches doublebounceto", d[0] if d else sb.log())
    if d:
        tap.ok("Return-Path: <#@[]>" in d[0], "the double bounce's envelope sender is #@[]", d[0].split("\n\n")[0])

    # and if the postmaster is unknown too, the double bounce is discarded
    sb.control("doublebounceto", "nobodyatall")
    sb.reload()
    r = sb.sendmail(["-f", f"ghost2@{D}", f"nosuchuser@{D}"], "Subject: triple\n\nx\n")
    tap.ok(sb.wait_log(r"^triple bounce: discarding bounce/\d+/\d+$", 30), "a failed double bounce is logged as a triple bounce")
    tap.ok(sb.wait_queue_empty(), "the queue holds no files afterwards", "\n".join(sb.queue_files()))
tap.done()
