#!/usr/bin/env python3
# As root: `make setup` over a running installation upgrades it in place.
# With messages held in the queue and edited control files, .qmail files
# and run scripts, a second make setup replaces the programs (new inodes)
# and changes nothing else; after a restart the held messages are
# delivered, every one.
import os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from realinstall import scratch_tree, stop_svscan, finish
from neoq import tap, TOP, wait_until, free_port

if os.geteuid() != 0:
    tap.skip_all("needs root: real users and setuid")

base, home, build = scratch_tree("neoq-upgrade-")
env = dict(os.environ, NEOQ_ROOT=os.path.join(base, "root"), SMTP_ADDR="127.0.0.1",
           SMTP_PORT=str(free_port()))


def setup():
    return subprocess.run(["make", "-s", "setup", "O=" + build, "QMAILHOME=" + home], cwd=TOP,
                          capture_output=True, text=True, env=env)


r = setup()
if not tap.ok(r.returncode == 0, "make setup into a scratch home", r.stdout[-3000:] + r.stderr[-3000:]):
    tap.done()

RCPT_UID = 54323
mailhome = os.path.join(base, "mu")
for d in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(mailhome, "Maildir", d))
dotqmail = os.path.join(mailhome, ".qmail")
with open(dotqmail, "w") as f:
    f.write("|exit 111\n")                      # every delivery deferred: held
for dp, dirs, files in os.walk(mailhome):
    for n in dirs + files:
        os.chown(os.path.join(dp, n), RCPT_UID, RCPT_UID)
os.chown(mailhome, RCPT_UID, RCPT_UID)
with open(os.path.join(home, "users", "assign"), "w") as f:
    f.write("=mu:mu:%d:%d:%s:::\n.\n" % (RCPT_UID, RCPT_UID, mailhome))
subprocess.run([os.path.join(home, "bin", "qmail-newu")], check=True)
ME = open(os.path.join(home, "control", "me")).read().strip()

# the administrator's edits
with open(os.path.join(home, "control", "databytes"), "w") as f:
    f.write("1234567\n")
with open(os.path.join(home, "control", "locals"), "a") as f:
    f.write("other.example\n")
with open(os.path.join(home, "alias", ".qmail-root"), "w") as f:
    f.write("&admin@example.net\n")
with open(os.path.join(home, "service", "qmail-send", "run"), "a") as f:
    f.write("# edited by the administrator\n")


def snapshot():
    """every file under control/, alias/.qmail*, service/ and users/, with its bytes"""
    out = {}
    for sub in ("control", "service", "users", "alias"):
        for dp, dirs, files in os.walk(os.path.join(home, sub)):
            if "Maildir" in dp:
                continue
            for n in files:
                p = os.path.join(dp, n)
                if "/supervise" in p or n in ("lock", "status", "control", "ok"):
                    continue
                out[os.path.relpath(p, home)] = open(p, "rb").read()
    return out


def queued():
    out = set()
    for d in ("mess", "info", "local"):
        for dp, dirs, files in os.walk(os.path.join(home, "queue", d)):
            out.update(os.path.relpath(os.path.join(dp, n), home) for n in files)
    return out


svscan = subprocess.Popen(["svscan", os.path.join(home, "service")], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)
try:
    log = os.path.join(home, "log", "qmail-send", "current")
    tap.ok(wait_until(lambda: os.path.exists(log) and "status:" in open(log).read(), 20), "qmail-send runs")
    for i in range(3):
        r = subprocess.run([os.path.join(home, "bin", "sendmail"), "mu@" + ME],
                           input=("Subject: held %d\n\nbody %d\n" % (i, i)).encode(), capture_output=True)
        tap.eq(r.returncode, 0, "message %d queued" % i)
    tap.ok(wait_until(lambda: open(log).read().count("deferral") >= 3, 20), "all three deferred: held in the queue")
    held = queued()
    tap.eq(len([q for q in held if q.startswith("queue/mess/")]), 3, "three messages in queue/mess")
    before = snapshot()
    ino = os.stat(os.path.join(home, "bin", "qmail-send")).st_ino

    r = setup()
    tap.ok(r.returncode == 0, "make setup again, over the running installation", r.stdout[-3000:] + r.stderr[-3000:])
    tap.ok(os.stat(os.path.join(home, "bin", "qmail-send")).st_ino != ino, "the programs are replaced (new inode)")
    after = snapshot()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    tap.eq(changed, [], "control files, .qmail files, users/ and run scripts unchanged")
    tap.ok(after.get("control/databytes") == b"1234567\n" and b"other.example" in after.get("control/locals", b""),
           "the edited control files are the administrator's")
    tap.ok(held <= queued(), "the held messages are still queued, every file")
    chk = subprocess.run([os.path.join(home, "bin", "qmail-install"), "-c"], capture_output=True, text=True)
    tap.eq(chk.returncode, 0, "qmail-install -c: the upgraded tree is as designed")
    if chk.returncode:
        tap.diag(chk.stdout + chk.stderr)

    # restart on the new programs; the held messages go out
    with open(dotqmail, "w") as f:
        f.write("./Maildir/\n")
    os.chown(dotqmail, RCPT_UID, RCPT_UID)
    sv = os.path.join(home, "service", "qmail-send")
    subprocess.run(["svc", "-t", sv])
    new = os.path.join(mailhome, "Maildir", "new")

    def delivered():
        subprocess.run(["svc", "-a", sv])      # retry now (qmail-send's ALRM)
        time.sleep(0.5)
        return len(os.listdir(new)) >= 3 and os.listdir(new)
    got = wait_until(delivered, 60) or []
    bodies = sorted(open(os.path.join(new, f)).read().split("\n\n", 1)[-1] for f in got)
    tap.eq(bodies, ["body 0\n", "body 1\n", "body 2\n"], "after the restart all three held messages are delivered")
    tap.ok(wait_until(lambda: not queued(), 20), "and the queue is empty")
finally:
    stop_svscan(svscan, os.path.join(home, "service"), home)
    finish(base)
tap.done()
