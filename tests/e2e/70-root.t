#!/usr/bin/env python3
# As root: a real install (make setup into a scratch home, with the real
# qmail users) runs every daemon under the uid the SPEC gives it, runs
# qmail-local as the recipient, and gives every queue file and directory
# its designed owner and mode.
import os, pwd, grp, re, stat, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from realinstall import scratch_tree, stop_svscan, finish
from neoq import tap, TOP, wait_until, free_port

if os.geteuid() != 0:
    tap.skip_all("needs root: real users and setuid")

base, home, build = scratch_tree("neoq-root-")
# the host's own files (/etc/aliases, /var/lib/qmail) under a scratch
# root; qmail-smtpd on loopback only
env = dict(os.environ, NEOQ_ROOT=os.path.join(base, "root"), SMTP_ADDR="127.0.0.1",
           SMTP_PORT=str(free_port()))
r = subprocess.run(["make", "-s", "setup", "O=" + build, "QMAILHOME=" + home], cwd=TOP,
                   capture_output=True, text=True, env=env)
if not tap.ok(r.returncode == 0, "make setup into a scratch home", r.stdout[-3000:] + r.stderr[-3000:]):
    tap.done()

RCPT_UID = 54321
mailhome = os.path.join(base, "mailuser")
os.makedirs(os.path.join(mailhome, "Maildir", "new"))
for d in ("cur", "tmp"):
    os.makedirs(os.path.join(mailhome, "Maildir", d))
with open(os.path.join(mailhome, ".qmail"), "w") as f:
    f.write("|id -u > uid-of-delivery\n./Maildir/\n")
for root, dirs, files in os.walk(mailhome):
    for n in dirs + files:
        os.chown(os.path.join(root, n), RCPT_UID, RCPT_UID)
os.chown(mailhome, RCPT_UID, RCPT_UID)
with open(os.path.join(home, "users", "assign"), "w") as f:
    f.write("=mu:mu:%d:%d:%s:::\n.\n" % (RCPT_UID, RCPT_UID, mailhome))
subprocess.run([os.path.join(home, "bin", "qmail-newu")], check=True)
with open(os.path.join(home, "control", "me")) as f:
    ME = f.read().strip()

svscan = subprocess.Popen(["svscan", os.path.join(home, "service")], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)
try:
    def procs():
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                exe = os.readlink("/proc/%s/exe" % pid)
                st = open("/proc/%s/status" % pid).read()
            except OSError:
                continue
            if exe.startswith(home + "/bin/"):
                uid = int(re.search(r"^Uid:\s+(\d+)\s+(\d+)", st, re.M).group(2))
                gid = int(re.search(r"^Gid:\s+(\d+)\s+(\d+)", st, re.M).group(2))
                out.setdefault(os.path.basename(exe), []).append((uid, gid))
        return out
    want = {"qmail-send": "qmails", "qmail-todo": "qmails", "qmail-clean": "qmailq",
            "qmail-lspawn": "root"}
    p = wait_until(lambda: all(k in procs() for k in want) and procs(), 15) or {}
    for prog, user in want.items():
        uid = pwd.getpwnam(user).pw_uid
        tap.ok(prog in p and all(u == uid for u, g in p[prog]), "%s runs as %s (from /proc)" % (prog, user), p.get(prog))
    qgid = grp.getgrnam("qmail").gr_gid
    tap.ok(all(g == qgid for k in ("qmail-send", "qmail-todo", "qmail-clean") for u, g in p.get(k, [])),
           "and with the qmail group")

    r = subprocess.run([os.path.join(home, "bin", "sendmail"), "-f", "root@" + ME, "mu@" + ME],
                       input=b"Subject: as root\n\nhi\n", capture_output=True)
    tap.eq(r.returncode, 0, "sendmail as root")
    uidfile = os.path.join(mailhome, "uid-of-delivery")
    tap.ok(wait_until(lambda: os.path.exists(uidfile) and open(uidfile).read().strip(), 20), "program delivery ran")
    if os.path.exists(uidfile):
        tap.eq(open(uidfile).read().strip(), str(RCPT_UID), "qmail-local ran as the recipient's uid")
    new = os.path.join(mailhome, "Maildir", "new")
    files = wait_until(lambda: os.listdir(new), 20) or []
    tap.ok(files and all(os.stat(os.path.join(new, f)).st_uid == RCPT_UID for f in files),
           "the Maildir file belongs to the recipient")

    chk = subprocess.run([os.path.join(home, "bin", "qmail-install"), "-c"], capture_output=True, text=True)
    tap.eq(chk.returncode, 0, "qmail-install -c finds every installed file as designed")
    if chk.returncode:
        tap.diag(chk.stdout + chk.stderr)
    # qmail-smtpd: never as root; as qmaild (its run script's user) it
    # hands a message to the setuid qmail-queue
    smtpd = os.path.join(home, "bin", "qmail-smtpd")
    r = subprocess.run([smtpd], input=b"QUIT\r\n", capture_output=True, env={"PATH": "/usr/bin:/bin"})
    tap.ok(r.returncode == 1 and r.stdout.startswith(b"421 4.3.0") and b"refusing to run as root" in r.stderr,
           "qmail-smtpd refuses to run as root", r)
    session = ("HELO root.test\r\nMAIL FROM:<smtp@example.org>\r\nRCPT TO:<mu@%s>\r\nDATA\r\n"
               "Subject: smtp as qmaild\r\n\r\nvia qmail-smtpd\r\n.\r\nQUIT\r\n" % ME).encode()
    r = subprocess.run(["setuidgid", "qmaild", smtpd], input=session, capture_output=True,
                       env={"PATH": "/usr/bin:/bin", "TCPREMOTEIP": "192.0.2.1"})
    tap.ok(r.returncode == 0 and b"\r\n250 2.0.0 ok " in r.stdout, "as qmaild it queues a message", r)
    tap.ok(wait_until(lambda: any("via qmail-smtpd" in open(os.path.join(new, f), errors="replace").read()
                                  for f in os.listdir(new)), 20), "which is delivered")
    q = os.path.join(home, "queue")
    expect = {"lock": ("qmailq", 0o750), "pid": ("qmailq", 0o700), "intd": ("qmailq", 0o700),
              "todo": ("qmailq", 0o750), "mess": ("qmailq", 0o750), "info": ("qmails", 0o700),
              "local": ("qmails", 0o700), "remote": ("qmails", 0o700), "bounce": ("qmails", 0o700)}
    for d, (owner, mode) in expect.items():
        st = os.stat(os.path.join(q, d))
        tap.ok(st.st_uid == pwd.getpwnam(owner).pw_uid and stat.S_IMODE(st.st_mode) == mode
               and st.st_gid == qgid, "queue/%s is %s:qmail %o" % (d, owner, mode),
               "%d:%d %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
    qq = os.stat(os.path.join(home, "bin", "qmail-queue"))
    tap.ok(qq.st_mode & stat.S_ISUID and qq.st_uid == pwd.getpwnam("qmailq").pw_uid, "qmail-queue is setuid qmailq")

    # a message held in the queue: its files' owners and modes
    with open(os.path.join(mailhome, ".qmail"), "w") as f:
        f.write("|exit 111\n")
    subprocess.run([os.path.join(home, "bin", "sendmail"), "mu@" + ME], input=b"Subject: held\n\nx\n")
    def held():
        out = {}
        for d in ("mess", "info", "local"):
            for root, _, fs in os.walk(os.path.join(q, d)):
                for f in fs:
                    out[d] = os.stat(os.path.join(root, f))
        return len(out) == 3 and out
    h = wait_until(held, 20) or {}
    for d, owner, mode in (("mess", "qmailq", 0o644), ("info", "qmails", 0o600), ("local", "qmails", 0o600)):
        st = h.get(d)
        tap.ok(st and st.st_uid == pwd.getpwnam(owner).pw_uid and stat.S_IMODE(st.st_mode) == mode,
               "a queued message's %s file is %s %o" % (d, owner, mode))
finally:
    stop_svscan(svscan, os.path.join(home, "service"), home)
    finish(base)
tap.done()
