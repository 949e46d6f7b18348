#!/usr/bin/env python3
# Hostile clients over raw sockets: every SMTP smuggling variant, NUL
# bytes, a 100 KiB command line, 10,000 recipients, a message over
# databytes, a client that never reads our replies, clients that stall
# (also in the middle of DATA) or vanish. After each: qmail-smtpd did
# not die of a signal, the queue holds no leftovers, and what was
# accepted was delivered.
import os, socket, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until


def check(sb, what):
    tap.eq(sb.smtp_crashes(), [], what + ": qmail-smtpd did not die of a signal")
    tap.ok(sb.wait_queue_empty(), what + ": no leftovers in the queue", "\n".join(sb.queue_files()))


def with_alice(c, D):
    c.cmd("MAIL FROM:<attacker@example.org>")
    return c.cmd("RCPT TO:<alice@%s>" % D)


def delivered(sb, marker):
    return [m for m in sb.maildir("alice") if marker in m]


with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")

    # ---- smuggling: each fake end is followed by a hidden message ----
    variants = [("LF . LF", b"\n.\n"), ("CR . CR", b"\r.\r"), ("LF . CR LF", b"\n.\r\n"),
                ("CR LF . LF", b"\r\n.\n"), ("CR . CR LF", b"\r.\r\n"), ("CR LF . CR", b"\r\n.\r"),
                ("CR LF . CR CR LF", b"\r\n.\r\r\n"), ("LF . LF at the start", None)]
    good = 0
    for i, (name, sep) in enumerate(variants):
        c = sb.smtp_connect("127.0.0.2")
        c.cmd("EHLO smuggler")
        with_alice(c, D)
        code, _ = c.cmd("DATA")
        hidden = ("MAIL FROM:<hidden@example.org>\r\nRCPT TO:<alice@%s>\r\nDATA\r\n"
                  "Subject: hidden %d\r\n\r\nHIDDEN-%d\r\n.\r\n" % (D, i, i)).encode()
        if sep is None:
            c.send(b"\n.\n" + hidden)
        else:
            c.send(b"Subject: smuggle %d\r\n\r\nVISIBLE-%d" % (i, i) + sep + hidden)
        code, text = c.reply()
        tap.ok(code == 554 and "5.6.0" in text, "smuggling %s: the message is refused with 554 5.6.0" % name, text)
        code, text = c.cmd("NOOP")
        tap.eq(code, 250, "smuggling %s: the session is in step afterwards (the hidden commands were data)" % name)
        # a good message on the same connection goes through
        with_alice(c, D)
        c.cmd("DATA")
        c.send("Subject: good %d\r\n\r\nGOOD-%d\r\n.\r\n" % (i, i))
        code, text = c.reply()
        tap.eq(code, 250, "smuggling %s: then a clean message is accepted" % name)
        good += 1
        c.cmd("QUIT")
        c.close()
    tap.ok(sb.wait_maildir("alice", good), "the clean messages arrive")
    time.sleep(0.5)
    tap.eq(len(sb.maildir("alice")), good, "and nothing else")
    tap.ok(not any("VISIBLE-" in m or "HIDDEN-" in m for m in sb.maildir("alice")),
           "neither a smuggling message nor a hidden one was stored")
    check(sb, "smuggling")
    n = len(sb.maildir("alice"))

    # ---- a client that talks before the greeting: answered in order ----
    s = socket.socket()
    s.settimeout(20)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", sb.port))
    s.sendall(b"EHLO early\r\nMAIL FROM:<e@example.org>\r\nRCPT TO:<alice@" + D.encode() +
              b">\r\nDATA\r\nSubject: early\r\n\r\nEARLY-BIRD\r\n.\r\nQUIT\r\n")
    got = b""
    while True:
        more = s.recv(65536)
        if not more:
            break
        got += more
    s.close()
    codes = [l[:3] for l in got.split(b"\r\n") if l[3:4] == b" "]
    tap.eq(codes, [b"220", b"250", b"250", b"250", b"354", b"250", b"221"],
           "everything sent before the greeting is answered, in order")
    tap.ok(wait_until(lambda: delivered(sb, "EARLY-BIRD"), 20), "and its message delivered")
    n = len(sb.maildir("alice"))

    # ---- NUL bytes ----
    c = sb.smtp_connect("127.0.0.2")
    c.cmd("HELO nul")
    with_alice(c, D)
    c.cmd("DATA")
    c.send(b"Subject: nul\r\n\r\nNUL-\x00-BYTE\r\n.\r\n")
    code, text = c.reply()
    tap.ok(code == 554 and "NUL" in text, "a NUL byte in the message: 554", text)
    code, text = c.cmd(b"NO\x00OP")
    tap.eq(code, 502, "a NUL byte in a command: 502")
    c.cmd("QUIT")
    c.close()
    check(sb, "NUL")
    tap.ok(not any("NUL-" in m for m in sb.maildir("alice")), "the NUL message was not stored")

    # ---- a 100 KiB command line, and 10,000 recipients ----
    c = sb.smtp_connect("127.0.0.2")
    code, text = c.cmd(b"HELO " + b"x" * 102400)
    tap.ok(code == 500 and "5.5.2" in text, "a 100 KiB command line: 500 5.5.2", text)
    code, text = c.cmd("NOOP")
    tap.eq(code, 250, "the rest of that line was discarded, the session goes on")
    c.cmd("MAIL FROM:<many@example.org>")
    c.send(b"".join(b"RCPT TO:<nobody-%d@%s>\r\n" % (i, D.encode()) for i in range(10000)))
    codes = [c.reply()[0] for i in range(10000)]
    tap.eq(codes.count(250), 1000, "10,000 recipients: the first 1000 accepted")
    tap.eq(codes.count(452), 9000, "and 9000 answered 452 (too many recipients)")
    code, text = c.cmd("RSET")
    tap.eq(code, 250, "RSET afterwards")
    with_alice(c, D)
    c.cmd("DATA")
    c.send("Subject: after many\r\n\r\nAFTER-MANY\r\n.\r\n")
    tap.eq(c.reply()[0], 250, "and a message after that is accepted")
    c.cmd("QUIT")
    c.close()
    tap.ok(wait_until(lambda: delivered(sb, "AFTER-MANY"), 20), "and delivered")
    check(sb, "long line and many recipients")

    # ---- databytes ----
    sb.control("databytes", "2000")
    c = sb.smtp_connect("127.0.0.2")
    c.cmd("EHLO big")
    with_alice(c, D)
    c.cmd("DATA")
    c.send(b"Subject: big\r\n\r\n" + b"TOO-BIG-" + b"y" * 78 + b"\r\n" + (b"z" * 98 + b"\r\n") * 100 + b".\r\n")
    code, text = c.reply()
    tap.ok(code == 552 and "5.3.4" in text, "a message over databytes: 552 5.3.4 after the dot", text)
    with_alice(c, D)
    c.cmd("DATA")
    c.send("Subject: small\r\n\r\nSMALL-ONE\r\n.\r\n")
    tap.eq(c.reply()[0], 250, "a small one after it is accepted")
    c.cmd("QUIT")
    c.close()
    sb.control("databytes", None)
    tap.ok(wait_until(lambda: delivered(sb, "SMALL-ONE"), 20), "and delivered")
    tap.ok(not delivered(sb, "TOO-BIG-"), "the big one was not stored")
    check(sb, "databytes")

    # ---- timeouts: timeoutsmtpd 2 ----
    sb.control("timeoutsmtpd", "2")
    # a client that sends a message, then floods commands and never reads
    c = sb.smtp_connect("127.0.0.2")
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.cmd("HELO deaf")
    with_alice(c, D)
    c.cmd("DATA")
    c.send("Subject: before the flood\r\n\r\nBEFORE-FLOOD\r\n.\r\n")
    result = {}

    def flood():
        sent = 0
        c.sock.settimeout(60)
        try:
            while sent < 200 * 1024 * 1024:
                c.sock.sendall(b"NOOP\r\n" * 10000)
                sent += 60000
            result["end"] = "sent everything"
        except OSError as e:
            result["end"] = "server closed: %s" % e
        result["sent"] = sent
    t = threading.Thread(target=flood)
    t.start()
    t.join(120)
    tap.ok(not t.is_alive() and result.get("end", "").startswith("server closed"),
           "a client that never reads is dropped (our writes then fail)", result)
    c.close()
    tap.ok(wait_until(lambda: "helo deaf messages 1: timeout" in sb.smtp_log(), 20),
           "qmail-smtpd logs the timeout", sb.smtp_log()[-2000:])
    tap.ok(wait_until(lambda: delivered(sb, "BEFORE-FLOOD"), 20), "the message it sent first is not lost")

    # a client that stalls after HELO
    c = sb.smtp_connect("127.0.0.2", timeout=60)
    c.cmd("HELO staller")
    code, text = c.reply()
    tap.ok(code == 451 and "4.4.2" in text, "a stalled client gets 451 4.4.2 timeout", text)
    tap.ok(c.closed(), "and the connection is closed")
    c.close()

    # a client that stalls in the middle of DATA
    c = sb.smtp_connect("127.0.0.2", timeout=60)
    c.cmd("HELO halfway")
    with_alice(c, D)
    c.cmd("DATA")
    c.send("Subject: half\r\n\r\nHALF-A-MESSAGE\r\n")
    code, text = c.reply()
    tap.ok(code == 451, "a client stalled in DATA gets 451", text)
    c.close()
    # and one that vanishes in the middle of DATA
    c = sb.smtp_connect("127.0.0.2")
    c.cmd("HELO vanish")
    with_alice(c, D)
    c.cmd("DATA")
    c.send("Subject: gone\r\n\r\nVANISHED\r\n")
    c.close()
    tap.ok(wait_until(lambda: "helo vanish messages 0: end of input in DATA" in sb.smtp_log(), 20),
           "a client gone in DATA: logged", sb.smtp_log()[-1500:])
    sb.control("timeoutsmtpd", None)
    check(sb, "timeouts")
    tap.ok(not delivered(sb, "HALF-A-MESSAGE") and not delivered(sb, "VANISHED"),
           "no half message was stored")
tap.done()
