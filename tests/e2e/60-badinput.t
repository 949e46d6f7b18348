#!/usr/bin/env python3
# Bad input: a malformed envelope exits 91 (one that ends early, 54, as
# qmail), an over-long address 11, a full
# disk 53 with nothing half-queued, an unreadable control file a temporary
# error and an alert in the log.
import os, shutil, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

MSG = b"Subject: x\n\nhello\n"

with Sandbox() as sb:
    D = sb.domain
    A = ("alice@" + D).encode()
    sb.add_user("alice")
    rows = [
        (b"Xbob@x\0T" + A + b"\0\0", 91, "an envelope that does not start with F"),
        (b"Fbob@x\0T" + A + b"\0", 54, "an envelope that ends without its final NUL (qmail: 54)"),
        (b"Fbob@x\0Zalice@localhost\0\0", 91, "a recipient field that is not T"),
        (b"Fbob@x\0Talice@local", 54, "an envelope cut inside an address (qmail: 54)"),
        (b"F" + b"a" * 5000 + b"@x\0T" + A + b"\0\0", 11, "an over-long sender"),
        (b"Fbob@x\0T" + b"a" * 5000 + b"@x\0\0", 11, "an over-long recipient"),
    ]
    for env, code, name in rows:
        rc, err = sb.qmail_queue(MSG, env)
        tap.eq(rc, code, "%s exits %d" % (name, code))
    tap.eq(sb.queue_files(), [], "refused injections leave nothing in the queue")
    rc, err = sb.qmail_queue(MSG, b"Fbob@x\0T" + A + b"\0\0")
    tap.eq(rc, 0, "a good envelope is accepted")
    tap.ok(sb.wait_maildir("alice", 1), "and delivered")

    # unreadable control files
    p = sb.path("control", "defaultdomain")
    sb.control("defaultdomain", "example.com")
    os.chmod(p, 0)
    r = subprocess.run(["su", "-s", "/bin/sh", sb.user, "-c", sb.bin("qmail-inject") + f" alice@{D}"]
                       if os.geteuid() == 0 else [sb.bin("qmail-inject"), f"alice@{D}"],
                       input=MSG, capture_output=True)
    tap.eq(r.returncode, 111, "qmail-inject with an unreadable control file exits 111 (temporary)")
    tap.ok(b"defaultdomain" in r.stderr, "and names the file", r.stderr)
    os.chmod(p, 0o644)

    p = sb.path("control", "concurrencylocal")
    sb.control("concurrencylocal", "5")
    os.chmod(p, 0)
    sb.svc("-t")
    tap.ok(sb.wait_log(r"^alert: .*(control|concurrencylocal).*"), "qmail-send logs an alert for an unreadable control file")
    os.chmod(p, 0o644)
    tap.ok(wait_until(sb.send_pid, 10), "and runs again once it is readable")

if os.geteuid() != 0:
    print("ok %d # SKIP disk-full test needs root to mount a small tmpfs" % (tap.n + 1))
    tap.n += 1
else:
    with Sandbox(start=False) as sb:
        D = sb.domain
        A = ("alice@" + D).encode()
        sb.add_user("alice")
        q = sb.path("queue")
        keep = sb.path("queue.orig")
        subprocess.run(["cp", "-a", q, keep], check=True)  # keeps the trigger FIFO
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", q], check=True)
        try:
            subprocess.run(["cp", "-a", keep + "/.", q], check=True)
            big = b"Subject: big\n\n" + (b"x" * 1000 + b"\n") * 1000
            rc, err = sb.qmail_queue(big, b"Fbob@x\0T" + A + b"\0\0")
            tap.eq(rc, 53, "a message larger than the free space exits 53")
            tap.eq(sb.queue_files(), [], "and leaves nothing half-queued")
            sb.start()
            rc, err = sb.qmail_queue(MSG, b"Fbob@x\0T" + A + b"\0\0")
            tap.eq(rc, 0, "with space, the next message is accepted")
            tap.ok(sb.wait_maildir("alice", 1), "and delivered")
            tap.ok(sb.wait_queue_empty(), "the queue is empty again")
            sb.stop()
        finally:
            subprocess.run(["umount", q])
tap.done()
