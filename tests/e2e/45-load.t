#!/usr/bin/env python3
# No loss under load: 2000 messages from 10 parallel sendmails while
# deliveries run. Every message that sendmail accepted arrives exactly
# once and the queue ends empty. Message IDs are inode numbers, reused
# as soon as a message is finished: this load reuses them all the time,
# and once caught qmail-todo removing a newer message's todo/ID. Signals
# rain on qmail-send all the while: none may look like a lost helper.
import os, re, signal, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

N, PARALLEL = 2000, 10

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("dana")
    # svc -a and svc -h, as an administrator may send them at any time:
    # here every few milliseconds, straight to qmail-send, all along
    send_pid = sb.send_pid()
    stop, sent = threading.Event(), [0]
    def pester():
        while not stop.is_set():
            try:
                os.kill(send_pid, signal.SIGALRM if sent[0] % 4 else signal.SIGHUP)
                sent[0] += 1
            except ProcessLookupError:
                return
            time.sleep(0.003)
    pest = threading.Thread(target=pester)
    pest.start()
    running, refused = [], []
    def reap(p):
        err = p.stderr.read()
        if p.wait() != 0:
            refused.append((p.returncode, err.decode(errors="replace").strip()))
    for i in range(N):
        p = subprocess.Popen([sb.bin("sendmail"), f"dana@{D}"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        p.stdin.write(("Subject: load %d\n\n%s\n" % (i, "x" * 1500)).encode())
        p.stdin.close()
        running.append(p)
        if len(running) >= PARALLEL:
            reap(running.pop(0))
    for p in running:
        reap(p)
    tap.eq(refused, [], "sendmail accepted all %d messages" % N)

    def subjects():
        return [m.group(1) for m in (re.search(r"^Subject: load (\d+)$", t, re.M)
                                     for t in sb.maildir("dana")) if m]
    wait_until(lambda: len(subjects()) >= N, 120, step=0.5)
    stop.set()
    pest.join()
    tap.ok(sent[0] > 100, "qmail-send got %d ALRM and HUP signals meanwhile" % sent[0])
    tap.eq(sb.send_pid(), send_pid, "it never restarted")
    tap.ok("alert:" not in sb.log(), "and logged no alert", [l for l in sb.log().splitlines() if "alert:" in l][:5])
    got = subjects()
    missing = sorted(set(str(i) for i in range(N)) - set(got), key=int)
    tap.eq(missing, [], "every accepted message was delivered")
    tap.eq(len(got), len(set(got)), "none was delivered twice")
    tap.ok(sb.wait_queue_empty(30), "the queue is empty afterwards", "\n".join(sb.queue_files()))
tap.done()
