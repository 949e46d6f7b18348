#!/usr/bin/env python3
# A failed write is reported: with stdout on /dev/full (ENOSPC) or a pipe
# whose reader is gone (EPIPE, SIGPIPE ignored), the programs that print
# exit non-zero and say why. libowfat 0.32's buffer_flush hides these
# failures; before bufwrite_flush they all exited 0 with nothing printed.
import os, signal, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

MSG = b"Subject: x\n\nhello\n"


def to_full(cmd, **kw):
    with open("/dev/full", "wb") as full:
        return subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, **kw)


def to_dead_pipe(cmd):
    """Run cmd with stdout on a pipe whose reader is closed, SIGPIPE ignored."""
    rd, wr = os.pipe()
    os.close(rd)
    try:
        return subprocess.run(cmd, stdout=wr, stderr=subprocess.PIPE,
                              preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
    finally:
        os.close(wr)


def fails(r, what, words):
    tap.ok(r.returncode != 0, what + " exits non-zero", "exit %d" % r.returncode)
    err = r.stderr.decode(errors="replace") if isinstance(r.stderr, bytes) else r.stderr
    tap.ok(words in err, what + " says why", err)


with Sandbox(start=False) as sb:
    D = sb.domain
    sb.add_user("alice")
    rc, err = sb.qmail_queue(MSG, b"Fbob@x\0Talice@" + D.encode() + b"\0\0")
    tap.eq(rc, 0, "a message is queued (qmail-send not running), so qmail-qread has output")

    r = sb.qread()
    tap.ok(r.returncode == 0 and "alice@" in r.stdout, "qmail-qread lists it on a good stdout", r.stdout)
    fails(to_full([sb.bin("qmail-qread")]), "qmail-qread > /dev/full", "unable to write output: No space left on device")
    fails(to_dead_pipe([sb.bin("qmail-qread")]), "qmail-qread into a dead pipe", "unable to write output: Broken pipe")

    r = subprocess.run([sb.bin("qmail-showctl")], capture_output=True, text=True)
    tap.ok(r.returncode == 0 and len(r.stdout) > 100, "qmail-showctl prints on a good stdout", r.stderr)
    fails(to_full([sb.bin("qmail-showctl")]), "qmail-showctl > /dev/full", "unable to write output: No space left on device")
    fails(to_dead_pipe([sb.bin("qmail-showctl")]), "qmail-showctl into a dead pipe", "unable to write output: Broken pipe")

    # a short message: all of it fits in the buffer, only the last flush writes
    r = to_full([sb.bin("qmail-inject"), "-n", "alice@" + D], input=MSG)
    fails(r, "qmail-inject -n > /dev/full", "unable to write the message: No space left on device")
tap.done()
