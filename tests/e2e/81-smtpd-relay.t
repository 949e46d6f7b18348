#!/usr/bin/env python3
# Relaying: a client without RELAYCLIENT (127.0.0.2; the sandbox's rules
# give RELAYCLIENT to 127.0.0.1 only) gets no recipient outside rcpthosts,
# whatever trick it tries; every refusal is 553 5.7.1 (or a syntax error),
# and nothing reaches the queue.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")
    tricks = [
        ("plain foreign domain", "<victim@remote.invalid>"),
        ("foreign domain, upper case", "<victim@REMOTE.INVALID>"),
        ("trailing dot", "<victim@remote.invalid.>"),
        ("our domain as a prefix", "<victim@%s.remote.invalid>" % D),
        ("our domain as a suffix without a dot", "<victim@x%s>" % D),
        ("percent hack", "<victim%%remote.invalid@%s>" % D),
        ("percent hack, two hops", "<victim%%remote.invalid%%other.invalid@%s>" % D),
        ("bang path", "<remote.invalid!victim@%s>" % D),
        ("quoted local part holding @", "<\"victim@remote.invalid\"@%s>" % D),
        ("source route through us", "<@%s:victim@remote.invalid>" % D),
        ("source route, two hops", "<@%s,@localhost:victim@remote.invalid>" % D),
        ("double @", "<victim@remote.invalid@%s>" % D),
        ("no brackets", "victim@remote.invalid"),
        ("address literal", "<victim@[192.0.2.1]>"),
        ("IPv6 address literal", "<victim@[IPv6:2001:db8::1]>"),
        ("no domain at all", "<victim>"),
        ("space before the address", " <victim@remote.invalid>"),
        ("smuggled second path", "<victim@remote.invalid> <alice@%s>" % D),
        ("localhost literal from a stranger", "<victim@[127.0.0.2]>"),
    ]
    c = sb.smtp_connect("127.0.0.2")
    c.cmd("EHLO stranger.example")
    code, text = c.cmd("MAIL FROM:<stranger@example.org>")
    tap.eq(code, 250, "a stranger may send mail")
    for name, path in tricks:
        code, text = c.cmd("RCPT TO:" + path)
        tap.ok(code is not None and 500 <= code < 600, "refused from 127.0.0.2: %s (%s)" % (name, path), text)
        if name == "plain foreign domain":
            tap.ok(code == 553 and text.startswith("553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts"),
                   "with qmail's words and 5.7.1", text)
        if name == "percent hack":
            tap.ok(code == 553 and "5.7.1" in text, "routing in the local part: 553 5.7.1", text)
    code, text = c.cmd("DATA")
    tap.ok(code == 503 and "5.5.1" in text, "no recipient was accepted, so DATA is 503 5.5.1", text)
    # our own domains are fine, in any case, with a trailing dot
    for path in ("<alice@%s>" % D, "<alice@%s.>" % D, "<ALICE@%s>" % D.upper(), "<postmaster>",
                 "<@elsewhere.invalid:alice@%s>" % D):
        code, text = c.cmd("RCPT TO:" + path)
        tap.eq(code, 250, "accepted from 127.0.0.2: " + path)
    code, _ = c.cmd("DATA")
    c.send("Subject: local\r\n\r\nfor alice\r\n.\r\n")
    code, text = c.reply()
    tap.eq(code, 250, "the local message is queued")
    c.cmd("QUIT")
    c.close()
    msgs = sb.wait_maildir("alice", 4)
    tap.eq(len(msgs or []), 4, "alice got her four copies")
    tap.ok(sb.wait_queue_empty(), "nothing else is queued: no relayed message", "\n".join(sb.queue_files()))
    tap.ok("remote.invalid" not in sb.qread().stdout and "remote.invalid" not in sb.log(),
           "qmail-send never saw a remote.invalid recipient")

    # the same tricks from 127.0.0.1 (RELAYCLIENT) are accepted: relaying
    # is a matter of trust, not of syntax
    c = sb.smtp_connect("127.0.0.1")
    c.cmd("HELO trusted")
    c.cmd("MAIL FROM:<alice@%s>" % D)
    code, text = c.cmd("RCPT TO:<victim@remote.invalid>")
    tap.eq(code, 250, "from 127.0.0.1 the foreign domain is accepted")
    code, text = c.cmd("RCPT TO:<victim%%remote.invalid@%s>" % D)
    tap.eq(code, 250, "and so is routing in the local part")
    c.cmd("RSET")
    c.cmd("QUIT")
    c.close()
    tap.eq(sb.smtp_crashes(), [], "no qmail-smtpd died of a signal")
tap.done()
