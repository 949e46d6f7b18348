#!/usr/bin/env python3
# As root: qmailctl on a real install (make setup into a scratch home, the
# real qmail users), its qmail-send service linked into a scratch svscan
# directory named by SERVICEDIR, as an administrator links it into
# /etc/service. Only qmail-send is linked: nothing listens on a port.
import os, re, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from realinstall import scratch_tree, stop_svscan, finish
from neoq import tap, TOP, wait_until

if os.geteuid() != 0:
    tap.skip_all("needs root: a real install")

base, home, build = scratch_tree("neoq-ctl-")
r = subprocess.run(["make", "-s", "setup", "O=" + build, "QMAILHOME=" + home], cwd=TOP,
                   capture_output=True, text=True)
if not tap.ok(r.returncode == 0, "make setup into a scratch home", r.stdout[-3000:] + r.stderr[-3000:]):
    tap.done()

svdir = os.path.join(base, "service")
os.mkdir(svdir)
send = os.path.join(svdir, "qmail-send")
os.symlink(os.path.join(home, "service", "qmail-send"), send)
log = os.path.join(home, "log", "qmail-send", "current")


def ctl(*args, servicedir=svdir):
    env = dict(os.environ, SERVICEDIR=servicedir)
    return subprocess.run([os.path.join(home, "bin", "qmailctl")] + list(args), capture_output=True,
                          text=True, env=env)


def svstat(d):
    return subprocess.run(["svstat", d], capture_output=True, text=True).stdout


def pid_of(d):
    m = re.search(r": up \(pid (\d+)\) (\d+) seconds", svstat(d))
    return m and int(m.group(2)) >= 1 and int(m.group(1))


def logtext():
    try:
        return open(log, errors="replace").read()
    except OSError:
        return ""


# ---- before svscan runs ----
empty = os.path.join(base, "empty")
os.mkdir(empty)
r = ctl("stat", servicedir=empty)
tap.ok(r.returncode == 111 and "ln -s " + os.path.join(home, "service", "qmail-send") in r.stderr,
       "nothing linked: exit 111, with the ln -s to type", r)
r = ctl("stat")
tap.ok(r.returncode == 3 and "svscan: no svscan process watches " + svdir in r.stdout,
       "stat without svscan: exit 3, says nobody watches the directory", r)
r = ctl("start")
tap.ok(r.returncode == 111 and "is not supervised: is svscan running on " + svdir in r.stderr,
       "linked but no svscan: start exits 111 and says why", r)

svscan = subprocess.Popen(["svscan", svdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True)
try:
    first = wait_until(lambda: pid_of(send) and pid_of(send + "/log") and "status: local" in logtext()
                       and pid_of(send), 20)
    tap.ok(first, "svscan starts qmail-send and its log", svstat(send) + svstat(send + "/log"))
    r = ctl("stat")
    tap.ok(r.returncode == 0 and "svscan: up (pid %d) on %s" % (svscan.pid, svdir) in r.stdout
           and "qmail-send: up" in r.stdout and "qmail-send/log: up" in r.stdout
           and "messages in queue: 0" in r.stdout, "stat: exit 0, service, log and queue", r)

    # ---- flush, reload ----
    r = ctl("flush")
    tap.ok(r.returncode == 0 and "flushing the queue" in r.stdout, "flush", r)
    n = logtext().count("status: rereading control files")
    r = ctl("reload")
    tap.ok(r.returncode == 0 and wait_until(lambda: logtext().count("status: rereading control files") > n, 15),
           "reload: qmail-send rereads its control files", r.stdout + r.stderr + logtext()[-1000:])

    # ---- stop, start, restart ----
    r = ctl("stop")
    tap.ok(r.returncode == 0 and "stopped (the logs keep running)" in r.stdout, "stop", r)
    tap.ok(wait_until(lambda: "down" in svstat(send), 60), "qmail-send goes down", svstat(send))
    tap.ok(pid_of(send + "/log"), "its log runs on")
    r = ctl("stat")
    tap.ok(r.returncode == 3 and "qmail-send: down" in r.stdout, "stat: exit 3 while it is down", r)
    r = ctl("flush")
    tap.ok(r.returncode == 111 and "qmail-send is not up" in r.stderr, "flush while down: exit 111", r)
    r = ctl("start")
    tap.ok(r.returncode == 0 and wait_until(lambda: pid_of(send), 15), "start: up again", r)
    old = pid_of(send)
    r = ctl("restart", "qmail-send")
    tap.ok(r.returncode == 0 and wait_until(lambda: pid_of(send) not in (None, old), 15),
           "restart qmail-send: a new process", r)
    r = ctl("restart", "qmail-smtpd")
    tap.ok(r.returncode == 1 and "no service named qmail-smtpd" in r.stderr, "a service not linked is not there", r)

    # ---- check, with the real owners ----
    r = ctl("check")
    tap.ok(r.returncode == 0 and "look right" in r.stdout, "check: a fresh install looks right", r)
    me = os.path.join(home, "control", "me")
    os.chmod(me, 0o600)
    os.chown(os.path.join(home, "control", "locals"), 1, 1)
    r = ctl("check")
    tap.ok(r.returncode == 2 and me + ": mode 0600, want 0644" in r.stdout
           and os.path.join(home, "control", "locals") + ": owner 1, want 0 (root)" in r.stdout
           and me + ": Not readable by everybody" in r.stdout,
           "a private control/me and a control file of another owner are named", r)
    os.chmod(me, 0o644)
    os.chown(os.path.join(home, "control", "locals"), 0, 0)
    tap.eq(ctl("check").returncode, 0, "repaired")
finally:
    stop_svscan(svscan, svdir)
    finish(base)
tap.done()
