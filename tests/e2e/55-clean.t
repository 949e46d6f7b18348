#!/usr/bin/env python3
# qmail-clean's protocol (qmail-clean(8)): requests "<op><id>\0", one reply
# byte each. IDs are inode numbers and come in every length: a short ID
# after a long one must be read as itself (the 100,000-message benchmark
# once made qmail-clean die on "t4960487" after "t11041486").
import os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

with Sandbox(start=False) as sb:
    split = int(open(os.path.join(os.path.dirname(__file__), "..", "..", "conf-split")).readline())
    ids = [11041486, 4960487, 99, 123456789012, 7]
    files = []
    for i in ids:
        for d in ("mess/%d" % (i % split), "intd", "todo"):
            p = sb.path("queue", *d.split("/"), str(i))
            sb.write(p, "x")
            files.append(p)
    # m: intd, todo and mess; t: todo and intd only
    req = b"".join(b"%s%d\0" % (b"m" if n % 2 == 0 else b"t", i) for n, i in enumerate(ids))
    cmd = [sb.bin("qmail-clean")]
    if os.geteuid() == 0:
        cmd = ["setuidgid", sb.user] + cmd
    r = subprocess.run(cmd, input=req, capture_output=True)
    tap.eq(r.returncode, 0, "qmail-clean exits 0 at the end of its input")
    tap.eq(r.stdout, b"+" * len(ids), "one '+' per request, whatever the IDs' lengths")
    tap.eq(r.stderr, b"", "and says nothing")
    left = sorted(os.path.relpath(p, sb.path("queue")) for p in files if os.path.exists(p))
    want = sorted("mess/%d/%d" % (i % split, i) for n, i in enumerate(ids) if n % 2 == 1)
    tap.eq(left, want, "m removed intd, todo and mess; t removed todo and intd")

    r = subprocess.run(cmd, input=b"m12x\0", capture_output=True)
    tap.eq(r.returncode, 111, "a malformed request: exit 111")
    tap.ok(b"malformed request" in r.stderr, "with a message that says so", r.stderr)
tap.done()
