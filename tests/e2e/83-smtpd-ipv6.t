#!/usr/bin/env python3
# qmail-smtpd over IPv6, under a real IPv6 tcpserver (Debian's
# ucspi-tcp-ipv6) on ::1, beside the sandbox's IPv4 service: smtplib
# delivers a message whose Received line records [IPv6:::1]; ::1 is not
# in tcp.smtp's relaying rule, so relaying is refused; an address literal
# of our own IPv6 address is local. Skipped when the installed tcpserver
# cannot serve IPv6 or the machine has no ::1.
import os, re, signal, smtplib, socket, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, free_port, wait_until

def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False

if not ipv6_loopback():
    tap.skip_all("no IPv6 loopback (::1) on this machine")

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")
    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
        port6 = s.getsockname()[1]
    drop = ["setuidgid", sb.user] if os.geteuid() == 0 else []
    log = open(sb.path("log", "tcpserver6.log"), "w")
    srv = subprocess.Popen(["tcpserver", "-v", "-R", "-H", "-l", D, "-x", sb.path("control", "tcp.smtp.cdb"),
                            "::1", str(port6)] + drop + [sb.bin("qmail-smtpd")],
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def up():
            try:
                with socket.create_connection(("::1", port6), timeout=2) as c:
                    return c.recv(512).startswith(b"220 ")
            except OSError:
                return False
        if not wait_until(up, 5):
            srv.kill()
            srv.wait()
            tap.skip_all("this tcpserver cannot serve IPv6 (install ucspi-tcp-ipv6): "
                         + open(sb.path("log", "tcpserver6.log")).read().strip()[:200])

        s = smtplib.SMTP("::1", port6, local_hostname="v6client.example", timeout=20)
        code, _ = s.ehlo()
        tap.eq(code, 250, "EHLO over IPv6")
        refused = s.sendmail("v6@example.org", [f"alice@{D}"], "Subject: over v6\r\n\r\nsix\r\n")
        tap.eq(refused, {}, "a message for a local user is accepted from ::1")
        try:
            s.sendmail("v6@example.org", ["someone@elsewhere.example"], "Subject: relay\r\n\r\nno\r\n")
            tap.ok(False, "relaying from ::1 is refused (it was accepted)")
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
            tap.eq(code, 553, "relaying from ::1 is refused: ::1 is not in tcp.smtp's relay rule")
        refused = s.sendmail("v6@example.org", ["alice@[IPv6:::1]"], "Subject: literal\r\n\r\nlit\r\n")
        tap.eq(refused, {}, "alice@[IPv6:::1], our own address, is accepted")
        s.quit()

        msgs = sb.wait_maildir("alice", 2, timeout=20) or []
        six = [m for m in msgs if "Subject: over v6" in m]
        tap.ok(six and re.search(r"^Received: from v6client\.example \((?:unknown )?\[IPv6:::1\]\)\n  by %s with ESMTP" % re.escape(D),
                                 six[0], re.M), "the Received line records [IPv6:::1]", six[:1] or msgs)
        tap.ok(any("Subject: literal" in m for m in msgs), "the address literal was delivered locally", msgs)
        tap.ok(sb.wait_queue_empty(), "the queue is empty", "\n".join(sb.queue_files()))
    finally:
        if srv.poll() is None:
            srv.send_signal(signal.SIGTERM)
            srv.wait()
        log.close()
tap.done()
