#!/usr/bin/env python3
# make start as root from a tree under a directory other users cannot
# enter (root's home, mode 700, on a fresh machine): the sandbox user
# could not enter ./sandbox, so tools/start puts the sandbox in /var/tmp
# and makes DIR a link to it; mail then works through DIR's paths.
import os, shutil, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, TOP, free_port, wait_until

if os.geteuid() != 0:
    tap.skip_all("needs root (a sandbox made by root belongs to the user neoqmail)")

closed = tempfile.mkdtemp(prefix="neoq-closed-")
os.chmod(closed, 0o700)
port = free_port()
sbox = os.path.join(closed, "sandbox")
real = "/var/tmp/neoqmail-sandbox-%d" % port
try:
    r = subprocess.run(["sh", os.path.join(TOP, "tools", "start"), sbox, str(port)],
                       capture_output=True, text=True)
    tap.eq(r.returncode, 0, "tools/start succeeds in a directory closed to others", )
    tap.ok(os.path.islink(sbox) and os.path.realpath(sbox) == real,
           "DIR is a link to %s" % real, r.stdout + r.stderr)
    tap.ok("closed to other users" in r.stdout, "and it says so", r.stdout)
    tap.ok(sbox + "/bin/sendmail" in r.stdout, "the usage lines name DIR's paths", r.stdout)
    m = subprocess.run([sbox + "/bin/sendmail", "neoqmail"], input=b"Subject: closed\n\nx\n")
    tap.eq(m.returncode, 0, "sendmail through DIR accepts a message")
    new = os.path.join(sbox, "home", "neoqmail", "Maildir", "new")
    tap.ok(wait_until(lambda: os.listdir(new), 20), "it is delivered")
finally:
    if os.path.exists(sbox + "/bin/qmailctl"):
        subprocess.run([sbox + "/bin/qmailctl", "stop"], capture_output=True)
    shutil.rmtree(closed, ignore_errors=True)
    shutil.rmtree(real, ignore_errors=True)
tap.done()
