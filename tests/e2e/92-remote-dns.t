#!/usr/bin/env python3
# Remote delivery found through real DNS: dnsmasq on a loopback address
# of its own, DNSCACHEIP (service/qmail-send/env) pointing there, and
# smtp-sink on other loopback addresses, port 25. MX records, a second
# MX when the first is down, a domain with no MX (its A record), an
# AAAA-only host on ::1, an MX that is this host (a loop), a domain that
# does not exist, and a DNS server that does not answer.
# Needs root (ports 53 and 25).
import os, random, re, socket, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until
from remote import Sink, Dnsmasq

if os.geteuid() != 0:
    tap.skip_all("needs root: dnsmasq on port 53 and smtp-sink on port 25")
if not os.path.exists("/usr/sbin/smtp-sink") or not os.path.exists("/usr/sbin/dnsmasq"):
    tap.skip_all("smtp-sink (postfix) or dnsmasq (dnsmasq-base) is missing")

def ipv6_loopback():
    s = socket.socket(socket.AF_INET6)
    try:
        s.bind(("::1", 0))
        return True
    except OSError:
        return False
    finally:
        s.close()

net = random.randint(1, 250)   # 127.77.N.* (DNS), 127.78.N.* (mail): ours alone
dnsip = "127.77.%d.53" % net
mx1, dead, live, plain = ("127.78.%d.%d" % (net, i) for i in (1, 2, 3, 4))

with Sandbox(start=False) as sb:
    me = sb.domain
    records = [
        "--local=/test/",                                 # unknown names: NXDOMAIN
        "--mx-host=mx.test,mx1.mx.test,10",
        "--host-record=mx1.mx.test," + mx1,
        "--mx-host=fb.test,dead.fb.test,10",
        "--mx-host=fb.test,live.fb.test,20",
        "--host-record=dead.fb.test," + dead,
        "--host-record=live.fb.test," + live,
        "--host-record=plain.test," + plain,
        "--host-record=v6.test,::1",
        "--mx-host=loop.test,%s,10" % me,
    ]
    dns = Dnsmasq(sb.base, dnsip, records)
    sinks = []
    try:
        for ip in (mx1, live, plain):
            sinks.append(Sink(sb.base, sb.uid, ip, 25))
        v6 = None
        if ipv6_loopback():
            try:
                v6 = Sink(sb.base, sb.uid, "[::1]", 25)
                sinks.append(v6)
            except RuntimeError:
                v6 = None
        sb.write(sb.path("service", "qmail-send", "env", "DNSCACHEIP"), dnsip + "\n")
        sb.control("timeoutconnect", "5")
        sb.start()
        sb.add_user("bob")

        def send(rcpt):
            return sb.sendmail(["-f", "bob@" + me, rcpt], "Subject: to %s\n\nhello %s\n" % (rcpt, rcpt)).returncode

        for rcpt in ("a@mx.test", "b@fb.test", "c@plain.test", "d@nosuch.test", "e@loop.test"):
            tap.eq(send(rcpt), 0, "queued mail for " + rcpt)
        # a message counts once qmail-remote has logged the 250 for it
        # (smtp-sink writes its dump file as the session goes on)
        def got(sink, rcpt):
            return re.search(r"^delivery \d+: success: %s_accepted" % re.escape(sink.addr.strip("[]")), sb.log(), re.M) \
                and any(("<%s>" % rcpt) in h for h, _ in sink.messages())
        tap.ok(wait_until(lambda: got(sinks[0], "a@mx.test"), 30), "MX: delivered to the MX's address", sb.log())
        tap.ok(wait_until(lambda: got(sinks[1], "b@fb.test"), 30),
               "the first MX is down: delivered to the second", sb.log())
        tap.ok(wait_until(lambda: got(sinks[2], "c@plain.test"), 30), "no MX: delivered to the A record", sb.log())
        tap.ok(sb.wait_log(r"^delivery \d+: success: %s_accepted_the_message" % re.escape(mx1)),
               "the log names the MX's address")

        bounces = sb.wait_maildir("bob", 2, 30) or []
        b = [x for x in bounces if "<d@nosuch.test>:" in x]
        tap.ok(b and "no host named nosuch.test" in b[0], "a domain that does not exist bounces", bounces)
        b = [x for x in bounces if "<e@loop.test>:" in x]
        tap.ok(b and "mail loop" in b[0] and "#5.4.6" in b[0], "an MX pointing to this host bounces as a loop", bounces)

        if v6:
            tap.eq(send("f@v6.test"), 0, "queued mail for an AAAA-only host")
            tap.ok(wait_until(lambda: got(v6, "f@v6.test"), 30), "delivered over IPv6 to ::1", sb.log())
            tap.ok(sb.wait_log(r"^delivery \d+: success: ::1_accepted_the_message"), "the log names ::1")
        else:
            for i in range(3):
                tap.ok(True, "# SKIP IPv6 loopback does not work here")

        # a DNS server that does not answer: a socket that reads nothing
        mute = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        muteip = "127.77.%d.54" % net
        mute.bind((muteip, 53))
        sb.write(sb.path("service", "qmail-send", "env", "DNSCACHEIP"), muteip + "\n")
        tap.ok(sb.restart(), "qmail-send restarted with the mute DNS server")
        tap.eq(send("g@mx.test"), 0, "queued mail while DNS is mute")
        tap.ok(sb.wait_log(r"^delivery \d+: deferral: DNS_lookup_of_mx\.test_failed_temporarily", 120),
               "a DNS server that does not answer defers", sb.log())
        tap.ok("g@mx.test" in sb.qread().stdout, "the message stays queued")
        mute.close()
    finally:
        for s in sinks:
            s.stop()
        dns.stop()
tap.done()
