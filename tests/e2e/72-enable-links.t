#!/usr/bin/env python3
# As root, in scratch roots (NEOQ_ROOT): tools/enable links the services
# into svscan's directory and makes svscan start at boot with systemd (a
# unit of ours, or Debian's daemontools.service when present, enabled
# offline by systemctl --root) or says what to do without an init it
# knows; tools/mta-links installs the sendmail, mailq and newaliases links
# and restores exactly what was there before.
import os, shutil, stat, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, TOP

if os.geteuid() != 0:
    tap.skip_all("needs root (the tools refuse to run otherwise)")
if not shutil.which("systemctl") or not shutil.which("svscan"):
    tap.skip_all("needs systemctl and svscan")

base = tempfile.mkdtemp(prefix="neoq-enable-")
home = os.path.join(base, "qmail")
for sv in ("qmail-send", "qmail-smtpd"):
    os.makedirs(os.path.join(home, "service", sv, "log"))
os.makedirs(os.path.join(home, "bin"))
shutil.copy(os.path.join(os.environ.get("O", os.path.join(TOP, "build")), "sendmail"), os.path.join(home, "bin"))
SVSCAN = shutil.which("svscan")


def run(tool, root, *args, init=None):
    env = dict(os.environ, NEOQ_ROOT=root)
    if init:
        env["NEOQ_INIT"] = init
    return subprocess.run(["sh", os.path.join(TOP, "tools", tool), home] + list(args),
                          capture_output=True, text=True, env=env)


def linked(root, svdir):
    return all(os.readlink(os.path.join(root, svdir, sv)) == os.path.join(home, "service", sv)
               for sv in ("qmail-send", "qmail-smtpd") if os.path.islink(os.path.join(root, svdir, sv))) and \
        all(os.path.islink(os.path.join(root, svdir, sv)) for sv in ("qmail-send", "qmail-smtpd"))


# ---- systemd, no daemontools-run: our unit ----
r1 = os.path.join(base, "r1")
os.makedirs(r1)
r = run("enable", r1, init="systemd")
tap.eq(r.returncode, 0, "enable with systemd: exit 0")
if r.returncode:
    tap.diag(r.stdout + r.stderr)
tap.ok(linked(r1, "etc/service"), "/etc/service made, both services linked into it")
unit = os.path.join(r1, "etc", "systemd", "system", "svscan.service")
text = open(unit).read() if os.path.exists(unit) else ""
tap.ok("ExecStart=%s /etc/service\n" % SVSCAN in text and "WantedBy=multi-user.target" in text,
       "svscan.service runs svscan on /etc/service, wanted by multi-user.target", text)
want = os.path.join(r1, "etc", "systemd", "system", "multi-user.target.wants", "svscan.service")
tap.ok(os.path.islink(want), "and is enabled (multi-user.target.wants)")
r = run("enable", r1, init="systemd")
tap.ok(r.returncode == 0 and " -> " not in r.stdout and "wrote" not in r.stdout,
       "enable again: nothing to do", r.stdout + r.stderr)

# ---- systemd with Debian's daemontools.service: that one, not a second svscan ----
r2 = os.path.join(base, "r2")
os.makedirs(os.path.join(r2, "lib", "systemd", "system"))
os.makedirs(os.path.join(r2, "etc", "service"))
with open(os.path.join(r2, "lib", "systemd", "system", "daemontools.service"), "w") as f:
    f.write("[Unit]\nDescription=daemontools\n[Service]\nExecStart=/usr/bin/svscanboot\n"
            "[Install]\nWantedBy=multi-user.target\n")
r = run("enable", r2, init="systemd")
tap.eq(r.returncode, 0, "enable beside daemontools-run: exit 0")
tap.ok(not os.path.exists(os.path.join(r2, "etc", "systemd", "system", "svscan.service")),
       "no svscan.service of ours")
tap.ok(os.path.islink(os.path.join(r2, "etc", "systemd", "system", "multi-user.target.wants", "daemontools.service")),
       "daemontools.service is enabled")
tap.ok(linked(r2, "etc/service"), "services linked into the existing /etc/service")

# ---- /service only, no init known ----
r3 = os.path.join(base, "r3")
os.makedirs(os.path.join(r3, "service"))
r = run("enable", r3, init="none")
tap.ok(r.returncode == 1 and "svscan /service" in r.stderr, "no known init: exit 1, says to run svscan /service",
       r.stdout + r.stderr)
tap.ok(linked(r3, "service") and not os.path.exists(os.path.join(r3, "etc", "service")),
       "services linked into /service, no /etc/service made")

# ---- a link left by someone else is not replaced ----
r4 = os.path.join(base, "r4")
os.makedirs(os.path.join(r4, "etc", "service"))
os.symlink("/nowhere", os.path.join(r4, "etc", "service", "qmail-send"))
with open(os.path.join(r4, "etc", "inittab"), "w") as f:
    f.write("SV:123456:respawn:/usr/bin/svscanboot\n")
r = run("enable", r4, init="sysv")
tap.ok(r.returncode == 0 and os.readlink(os.path.join(r4, "etc", "service", "qmail-send")) == "/nowhere"
       and "left alone" in r.stderr, "a foreign etc/service/qmail-send is left alone, with a warning", r.stderr)
tap.eq(open(os.path.join(r4, "etc", "inittab")).read(), "SV:123456:respawn:/usr/bin/svscanboot\n",
       "an inittab that runs svscan already is unchanged")

# ---- mta-links ----
m = os.path.join(base, "m")
for d in ("usr/sbin", "usr/lib", "usr/bin"):
    os.makedirs(os.path.join(m, d))
old = os.path.join(m, "usr", "sbin", "sendmail")
with open(old, "w") as f:
    f.write("#!/bin/sh\necho the old MTA\n")
os.chmod(old, 0o2755)
os.symlink("../sbin/sendmail", os.path.join(m, "usr", "lib", "sendmail"))
os.symlink("../sbin/sendmail", os.path.join(m, "usr", "bin", "mailq"))
# no usr/bin/newaliases


def state():
    out = {}
    for p in ("usr/sbin/sendmail", "usr/lib/sendmail", "usr/bin/mailq", "usr/bin/newaliases"):
        f = os.path.join(m, p)
        if os.path.islink(f):
            out[p] = ("link", os.readlink(f))
        elif os.path.exists(f):
            st = os.stat(f)
            out[p] = ("file", open(f).read(), stat.S_IMODE(st.st_mode))
        else:
            out[p] = None
    return out


before = state()
r = run("mta-links", m, "install")
tap.eq(r.returncode, 0, "mta-links install: exit 0")
mine = os.path.join(home, "bin", "sendmail")
na = "/usr/sbin/qmail-newaliases" if os.access("/usr/sbin/qmail-newaliases", os.X_OK) else mine
tap.eq(state(), {"usr/sbin/sendmail": ("link", mine), "usr/lib/sendmail": ("link", mine),
                 "usr/bin/mailq": ("link", mine), "usr/bin/newaliases": ("link", na)},
       "sendmail (both), mailq and newaliases are neoqmail's")
mq = subprocess.run([os.path.join(m, "usr", "bin", "mailq")], capture_output=True, text=True)
# this build's sendmail runs its home's qmail-qread, which may not be
# installed here: either way it names it, and the old MTA never speaks
tap.ok("qmail-qread" in mq.stderr + mq.stdout or (mq.returncode == 0 and "old MTA" not in mq.stdout),
       "mailq through the link runs neoqmail's sendmail as mailq (qmail-qread)", mq)
r = run("mta-links", m, "install")
tap.ok(r.returncode == 0 and r.stdout.count("ours already") == 4, "install again: nothing changes", r.stdout)
r = run("mta-links", m, "restore")
tap.eq(r.returncode, 0, "mta-links restore: exit 0")
tap.eq(state(), before, "everything is back as it was: the file with its mode, the links, no newaliases")
tap.eq(os.listdir(os.path.join(home, "mta-saved", "usr", "sbin")), [], "nothing left saved")

# restore never undoes a package's new file
run("mta-links", m, "install")
os.unlink(os.path.join(m, "usr", "sbin", "sendmail"))
with open(os.path.join(m, "usr", "sbin", "sendmail"), "w") as f:
    f.write("upgraded package\n")
r = run("mta-links", m, "restore")
tap.ok(open(os.path.join(m, "usr", "sbin", "sendmail")).read() == "upgraded package\n" and "left alone" in r.stderr
       and os.path.exists(os.path.join(home, "mta-saved", "usr", "sbin", "sendmail")),
       "restore leaves a sendmail that is not ours any more, and keeps the saved one", r.stdout + r.stderr)

if not tap.failed:
    shutil.rmtree(base, ignore_errors=True)
else:
    tap.diag("kept " + base)
tap.done()
