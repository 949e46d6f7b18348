#!/usr/bin/env python3
# As root: make setup's services, as an administrator starts them. Into a
# scratch home, with the host's files (/etc/service, /etc/inittab,
# /etc/aliases, /var/lib/qmail) under a scratch root: tools/enable links
# qmail-send and qmail-smtpd into ROOT/etc/service and adds svscan to
# ROOT/etc/inittab; svscan on that directory (as init would run it) then
# serves SMTP through tcpserver and tcprules on a loopback port, delivers
# to the alias user, forwards a name of /etc/aliases through Debian's
# fastforward, and logs through multilog as qmaill with tai64n stamps.
# fastforward forwards through /var/lib/qmail/bin/qmail-queue: svscan runs
# in a private mount namespace where ROOT/var/lib/qmail is /var/lib/qmail.
import os, pwd, re, smtplib, stat, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from realinstall import scratch_tree, stop_svscan, finish
from neoq import tap, TOP, wait_until, free_port

if os.geteuid() != 0:
    tap.skip_all("needs root: real users, setuid, mount namespaces")
if not os.access("/usr/bin/fastforward", os.X_OK) or not os.access("/usr/sbin/qmail-newaliases", os.X_OK):
    tap.skip_all("needs Debian's fastforward (make deps)")

base, home, build = scratch_tree("neoq-svc-")
root = os.path.join(base, "root")
os.makedirs(os.path.join(root, "etc"))
with open(os.path.join(root, "etc", "inittab"), "w") as f:
    f.write("id:2:initdefault:\n")
with open(os.path.join(root, "etc", "aliases"), "w") as f:
    f.write("# test aliases\npostmaster: root\nteam: mu, root\n")
port = free_port()
env = dict(os.environ, NEOQ_ROOT=root, NEOQ_INIT="sysv", SMTP_ADDR="127.0.0.1", SMTP_PORT=str(port))
r = subprocess.run(["make", "-s", "setup", "O=" + build, "QMAILHOME=" + home], cwd=TOP,
                   capture_output=True, text=True, env=env)
if not tap.ok(r.returncode == 0, "make setup into a scratch home", r.stdout[-3000:] + r.stderr[-3000:]):
    tap.done()
tap.ok("make enable" in r.stdout, "setup names the one step that starts it: make enable", r.stdout)

qmaill = pwd.getpwnam("qmaill").pw_uid
for sv in ("qmail-send", "qmail-smtpd"):
    for f in ("run", "log/run"):
        p = os.path.join(home, "service", sv, f)
        tap.ok(os.path.isfile(p) and os.stat(p).st_mode & 0o111, "service/%s/%s is there, executable" % (sv, f))
    logrun = open(os.path.join(home, "service", sv, "log", "run")).read()
    tap.ok(re.search(r"setuidgid qmaill multilog t s\d+ n\d+ " + re.escape(os.path.join(home, "log", sv)), logrun),
           "%s logs through multilog as qmaill with tai64n into log/%s, rotated" % (sv, sv), logrun)
    st = os.stat(os.path.join(home, "log", sv))
    tap.ok(st.st_uid == qmaill and stat.S_IMODE(st.st_mode) == 0o750, "log/%s is qmaill's, 750" % sv)
smtprun = open(os.path.join(home, "service", "qmail-smtpd", "run")).read()
tap.ok("envuidgid qmaild" in smtprun and "tcp.smtp.cdb" in smtprun and "127.0.0.1 %d" % port in smtprun,
       "qmail-smtpd's run: tcpserver as qmaild with tcp.smtp.cdb, on SMTP_ADDR SMTP_PORT", smtprun)
tap.ok(os.path.isfile(os.path.join(home, "control", "tcp.smtp.cdb")), "control/tcp.smtp is compiled")
tap.eq(open(os.path.join(home, "alias", ".qmail-default")).read(),
       "| fastforward -d %s/etc/aliases.cdb\n" % root, "alias/.qmail-default hands other names to fastforward")
tap.ok(os.path.isfile(os.path.join(root, "etc", "aliases.cdb")), "ROOT/etc/aliases is compiled by qmail-newaliases")
tap.eq(os.readlink(os.path.join(root, "var", "lib", "qmail", "bin", "qmail-queue")),
       os.path.join(home, "bin", "qmail-queue"), "fastforward's qmail-queue is ours")
pf = subprocess.run(["printforward"], stdin=open(os.path.join(root, "etc", "aliases.cdb"), "rb"),
                    capture_output=True, text=True)
tap.ok("team@" in pf.stdout and "&mu@%s" % open(os.path.join(home, "control", "me")).read().strip() in pf.stdout,
       "printforward: team is compiled, names qualified with control/me", pf.stdout + pf.stderr)

r = subprocess.run(["sh", os.path.join(TOP, "tools", "enable"), home], capture_output=True, text=True, env=env)
tap.eq(r.returncode, 0, "tools/enable (sysv)")
svdir = os.path.join(root, "etc", "service")
for sv in ("qmail-send", "qmail-smtpd"):
    p = os.path.join(svdir, sv)
    tap.ok(os.path.islink(p) and os.readlink(p) == os.path.join(home, "service", sv),
           "ROOT/etc/service/%s links to the service" % sv)
tab = open(os.path.join(root, "etc", "inittab")).read()
tap.ok(re.search(r"^SV:2345:respawn:/usr/bin/svscanboot$", tab, re.M), "inittab respawns svscanboot", tab)
r2 = subprocess.run(["sh", os.path.join(TOP, "tools", "enable"), home], capture_output=True, text=True, env=env)
tap.ok(r2.returncode == 0 and open(os.path.join(root, "etc", "inittab")).read() == tab,
       "enable again: inittab unchanged", r2.stdout + r2.stderr)

with open(os.path.join(home, "control", "me")) as f:
    ME = f.read().strip()
# fastforward's test: team -> mu (a user of users/assign) and root (alias)
RCPT_UID = 54322
mailhome = os.path.join(base, "mu")
for d in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(mailhome, "Maildir", d))
for dp, dirs, files in os.walk(mailhome):
    for n in dirs:
        os.chown(os.path.join(dp, n), RCPT_UID, RCPT_UID)
os.chown(mailhome, RCPT_UID, RCPT_UID)
# the alias user's passwd home is the first scratch home it was made
# for: every other name goes to this home's alias/ by a wildcard
al = pwd.getpwnam("alias")
with open(os.path.join(home, "users", "assign"), "w") as f:
    f.write("=mu:mu:%d:%d:%s:::\n+:alias:%d:%d:%s:-::\n.\n"
            % (RCPT_UID, RCPT_UID, mailhome, al.pw_uid, al.pw_gid, os.path.join(home, "alias")))
subprocess.run([os.path.join(home, "bin", "qmail-newu")], check=True)
bind = ('mount --bind "$1/var/lib/qmail" /var/lib/qmail && exec svscan "$1/etc/service"')
svscan = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", bind, "sh", root],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
new = os.path.join(home, "alias", "Maildir", "new")


def mails():
    return [open(os.path.join(new, f), errors="replace").read() for f in os.listdir(new)]


try:
    def greets():
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=5)
            s.quit()
            return True
        except OSError:
            return False
    tap.ok(wait_until(greets, 20), "svscan starts qmail-smtpd: it answers on the port")
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.sendmail("someone@example.org", ["postmaster@" + ME], "Subject: to postmaster\r\n\r\nover smtp\r\n")
    s.quit()
    tap.ok(wait_until(lambda: any("over smtp" in m for m in mails()), 20),
           "a message to postmaster over SMTP reaches alias/Maildir")
    # 127.0.0.1 may relay (RELAYCLIENT from tcp.smtp.cdb): the recipient is
    # accepted; the envelope is then dropped, so nothing goes out
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.mail("someone@example.org")
    code, _ = s.rcpt("x@elsewhere.example")
    s.rset()
    s.quit()
    tap.eq(code, 250, "127.0.0.1 may relay (RELAYCLIENT from tcp.smtp.cdb)")

    r = subprocess.run([os.path.join(home, "bin", "sendmail"), "-f", "boss@example.org", "team@" + ME],
                       input=b"Subject: to the team\n\nfanned out\n", capture_output=True)
    tap.eq(r.returncode, 0, "sendmail team@ME")
    mu_new = os.path.join(mailhome, "Maildir", "new")
    fwd = "Return-Path: <boss@example.org>\n"
    tap.ok(wait_until(lambda: any(open(os.path.join(mu_new, f)).read().startswith(fwd) and "fanned out" in
                                  open(os.path.join(mu_new, f)).read() for f in os.listdir(mu_new)), 20),
           "fastforward forwards team to mu (an /etc/aliases name), sender kept")
    tap.ok(wait_until(lambda: any(m.startswith(fwd) and "fanned out" in m for m in mails()), 20),
           "and to root, the alias user's Maildir")
    r = subprocess.run([os.path.join(home, "bin", "sendmail"), "-f", "mu@" + ME, "nobody-here@" + ME],
                       input=b"Subject: unknown\n\nlost\n", capture_output=True)
    tap.ok(wait_until(lambda: any("nobody-here" in open(os.path.join(mu_new, f), errors="replace").read()
                                  and "lost" in open(os.path.join(mu_new, f), errors="replace").read()
                                  for f in os.listdir(mu_new)), 20),
           "a name in neither /etc/aliases nor users bounces to its sender (fastforward)")

    # the logs: multilog's files, qmaill's, tai64n stamped
    for sv in ("qmail-send", "qmail-smtpd"):
        cur = os.path.join(home, "log", sv, "current")
        ok = wait_until(lambda: os.path.exists(cur) and os.path.getsize(cur) > 0, 10)
        lines = open(cur).read().splitlines() if ok else []
        tap.ok(lines and os.stat(cur).st_uid == qmaill and all(re.match(r"@4000[0-9a-f]{20} ", l) for l in lines),
               "log/%s/current: qmaill's, every line tai64n stamped" % sv, lines[:3])
    smtplog = open(os.path.join(home, "log", "qmail-smtpd", "current")).read()
    tap.ok("tcpserver: status" in smtplog and "127.0.0.1" in smtplog, "tcpserver -v logs the connections", smtplog[-500:])
finally:
    stop_svscan(svscan, os.path.join(root, "etc", "service"), home)
    finish(base)
tap.done()
