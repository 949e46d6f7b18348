#!/usr/bin/env python3
# Concurrency: concurrencyremote 1000 and 1,100 messages for a smtp-sink
# that waits before it answers DATA, so that deliveries pile up. Well
# over 500 must run at once (qmail-send's "status: ... remote N/1000"
# lines), and every message must arrive. Not a timed test: only how many
# ran together and that none was lost.
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, free_port, wait_until
from remote import Sink

N = 1100
if not os.path.exists("/usr/sbin/smtp-sink"):
    tap.skip_all("smtp-sink (postfix) is not installed")


def rspawn_rss(sb):
    """qmail-rspawn's resident memory in KiB (a figure, not a test)."""
    want = sb.bin("qmail-rspawn").encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if f.read().split(b"\0")[0] != want:
                    continue
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
    return None


with Sandbox(start=False) as sb:
    port = free_port()
    sink = Sink(sb.base, sb.uid, "127.0.0.1", port, args=["-m", "3000", "-w", "20"], backlog=2000)
    try:
        sb.control("smtproutes", "many.example:[127.0.0.1]:%d" % port)
        sb.control("concurrencyremote", "1000")
        env = b"Fme@%s\0" % sb.domain.encode()
        for i in range(N):
            rc, err = sb.qmail_queue(b"Subject: many %d\n\nmessage %d\n" % (i, i), env + b"Tu%d@many.example\0\0" % i)
            if rc != 0:
                break
        tap.eq(rc, 0, "%d messages queued while qmail-send is down" % N)
        sb.start()
        tap.ok(sb.wait_log(r"^status: local \d+/10 remote \d+/1000$", 10), "qmail-send runs with remote concurrency 1000")
        peak, rss = 0, None
        end = time.time() + 120
        while time.time() < end:
            counts = [int(x) for x in re.findall(r"^status: local \d+/\d+ remote (\d+)/1000$", sb.log(), re.M)]
            if counts and max(counts) > peak:
                peak = max(counts)
                rss = rspawn_rss(sb) or rss
            if peak >= 900 or len(sink.messages()) >= N:
                break
            time.sleep(0.5)
        tap.diag("peak remote deliveries at once: %d; qmail-rspawn RSS then: %s KiB" % (peak, rss))
        tap.ok(peak > 500, "well over 500 remote deliveries ran at once (peak %d)" % peak)
        # smtp-sink writes a dump file as the session goes on: count
        # them once qmail-remote has seen its 250 for each
        succ = lambda: len(re.findall(r"^delivery \d+: success: 127\.0\.0\.1_accepted", sb.log(), re.M))
        tap.ok(wait_until(lambda: succ() >= N, 300, 1), "the log has a success for each of the %d" % N,
               "got %d" % succ())
        tap.eq(len(sink.messages()), N, "smtp-sink got all %d" % N)
        rcpts = set()
        for head, msg in sink.messages():
            m = re.search(r"X-Rcpt-Args: <(u\d+)@many\.example>", head)
            if m:
                rcpts.add(m.group(1))
        tap.eq(len(rcpts), N, "each recipient exactly once")
        tap.ok(sb.wait_queue_empty(60), "the queue is empty", "%d files left" % len(sb.queue_files()))
    finally:
        sink.stop()
tap.done()
