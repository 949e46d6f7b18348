#!/usr/bin/env python3
# A deferred message: qmail-qread lists it with its date, size, sender and
# recipients; qmail-qstat counts it; once it is older than queuelifetime the
# next failure bounces it.
import os, re, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("bob")
    sb.add_user("carol")
    sb.dotqmail("carol", "", "|echo mailbox is busy; exit 111\n")
    r = sb.sendmail(["-f", f"bob@{D}", f"carol@{D}"], "Subject: waits\n\n" + "y" * 1000 + "\n")
    tap.eq(r.returncode, 0, "message accepted")
    tap.ok(sb.wait_log(r"delivery \d+: deferral: mailbox_is_busy/"), "the delivery is deferred")
    q = sb.qread()
    tap.eq(q.returncode, 0, "qmail-qread exits 0")
    lines = q.stdout.splitlines()
    tap.ok(len(lines) >= 2 and re.match(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT  #\d+  \d+  <bob@" + re.escape(D) + "> *$", lines[0]),
           "first line: date, #id, size, <sender>", q.stdout)
    size = int(lines[0].split()[6]) if lines and len(lines[0].split()) > 6 else 0
    tap.ok(1000 < size < 2000, "the size is the queued message's", q.stdout)
    tap.ok(len(lines) >= 2 and re.match(r"^\s+local\s+carol@" + re.escape(D) + "$", lines[1]), "then the recipient, local, not done", q.stdout)
    st = subprocess.run([sb.bin("qmail-qstat")], capture_output=True, text=True)
    tap.ok("messages in queue: 1" in st.stdout, "qmail-qstat counts it", st.stdout)

    # the deferral's schedule survives a restart: no new attempt at once
    attempts = lambda: sb.log().count("deferral: mailbox_is_busy/")
    n = attempts()
    tap.ok(sb.restart(), "qmail-send restarted")
    time.sleep(2)
    tap.eq(attempts(), n, "a restart does not retry a deferred message before its time")
    sb.svc("-a")
    tap.ok(wait_until(lambda: attempts() > n, 15), "svc -a retries it")

    sb.control("queuelifetime", "2")
    sb.reload()
    time.sleep(3)
    sb.svc("-a")
    b = sb.wait_maildir("bob", 1, timeout=30)
    tap.ok(b and f"<carol@{D}>:" in b[0] and "mailbox is busy" in b[0] and "too long" in b[0],
           "after queuelifetime the next temporary failure bounces", b[0] if b else sb.log())
    tap.ok(sb.wait_queue_empty(), "and the queue is empty", "\n".join(sb.queue_files()))
tap.done()
