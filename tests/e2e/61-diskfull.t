#!/usr/bin/env python3
# A full disk in the middle of a load (root only: small tmpfs mounts).
# The queue and alice's home each live on their own small tmpfs.
# - alice's file system full: her deliveries defer (log), her Maildir
#   keeps no partial file, the messages stay queued;
# - the queue's file system filled while SMTP and sendmail clients
#   inject: qmail-queue exits 53, qmail-smtpd answers 451 to the final
#   dot, sendmail exits 75 (EX_TEMPFAIL) with qmail-queue's text, and
#   the queue holds no half-message;
# - qmail-todo on a full disk cannot write info/: it warns and keeps
#   todo/ for later;
# - space returns: every accepted message is delivered exactly once,
#   no refused one is delivered at all, the queue empties.
import errno, os, re, smtplib, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

if os.geteuid() != 0:
    tap.skip_all("needs root to mount small tmpfs file systems")


def mount_tmpfs(path, size, owner=None):
    keep = path + ".orig"
    subprocess.run(["cp", "-a", path, keep], check=True)  # keeps the trigger FIFO
    opts = "size=%s,mode=0755" % size
    if owner:
        opts += ",uid=%d,gid=%d" % owner
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], check=True)
    subprocess.run(["cp", "-a", keep + "/.", path], check=True)


def fill(path):
    """Grow the file PATH until its file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (65536, 4096, 512, 1):
            try:
                while os.write(fd, b"f" * chunk):
                    pass
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)


def queue_ids(sb, d):
    out = set()
    for root, dirs, files in os.walk(sb.path("queue", d)):
        out |= {f for f in files}
    return out


def half_messages(sb):
    """What would be a half-message: pid/ files, intd/ without todo/, a
    mess/ with neither todo/ nor info/ (nothing injects now)."""
    mess, info, todo = queue_ids(sb, "mess"), queue_ids(sb, "info"), queue_ids(sb, "todo")
    bad = ["pid/" + f for f in queue_ids(sb, "pid")]
    bad += ["intd/" + f for f in queue_ids(sb, "intd") - todo]
    bad += ["mess/" + f for f in mess - info - todo]
    bad += ["info/" + f for f in info - mess]
    return bad


class Load(threading.Thread):
    """Messages to RCPT, by SMTP and by sendmail in turn, until stopped;
    each has its own token and is either accepted or refused."""

    def __init__(self, sb, rcpt, prefix):
        super().__init__(daemon=True)
        self.sb, self.rcpt, self.prefix = sb, rcpt, prefix
        self.accepted, self.refused = [], []
        self.smtp_codes, self.sendmail_errs = [], []
        self.stop = threading.Event()

    def message(self, token):
        return "Subject: %s\n\n%s\n%s\n" % (token, "load " * 200, token)

    def smtp(self, token):
        with smtplib.SMTP("127.0.0.1", self.sb.port, timeout=30) as s:
            s.ehlo("load.example")
            s.mail("loader@example.com")
            s.rcpt(self.rcpt)
            code, text = s.data(self.message(token))
            self.smtp_codes.append((code, text.decode(errors="replace")))
            return code == 250

    def sendmail(self, token):
        r = self.sb.sendmail(["-f", "loader@example.com", self.rcpt], self.message(token))
        if r.returncode:
            self.sendmail_errs.append((r.returncode, r.stderr.decode(errors="replace").strip()))
        return r.returncode == 0

    def run(self):
        i = 0
        while not self.stop.is_set():
            token = "%s%04d" % (self.prefix, i)
            ok = (self.smtp if i % 2 == 0 else self.sendmail)(token)
            (self.accepted if ok else self.refused).append(token)
            i += 1
            time.sleep(0.02)


def tokens(sb, user, prefix):
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(sb.home(user), "Maildir", sub)
        for n in os.listdir(d):
            with open(os.path.join(d, n), errors="replace") as f:
                m = f.read()
            g = re.search(r"^Subject: (%s\d+)$" % prefix, m, re.M)
            if g and m.endswith("\n%s\n" % g.group(1)):
                out.append(g.group(1))
            elif g:
                out.append("torn:" + g.group(1))
    return out


with Sandbox(start=False) as sb:
    D = sb.domain
    sb.add_user("alice")
    sb.add_user("bob")
    q, home = sb.path("queue"), sb.home("alice")
    mounts = []
    try:
        mount_tmpfs(q, "6m")
        mounts.append(q)
        mount_tmpfs(home, "1m", (sb.uid, sb.gid))
        mounts.append(home)
        sb.start()

        # --- alice's file system is full: her deliveries defer ---
        fill(os.path.join(home, "filler"))
        for i in range(5):
            r = sb.sendmail(["-f", "bob@" + D, "alice@" + D], "Subject: early%04d\n\n%s\nearly%04d\n"
                            % (i, "x" * 2000, i))
            tap.eq(r.returncode, 0, "message %d for alice accepted while her disk is full" % i)
        defer = wait_until(lambda: len(re.findall(r"^delivery \d+: deferral: .*[Nn]o_space_left_on_device",
                                                   sb.log(), re.M)) >= 5, 30)
        tap.ok(defer, "her deliveries defer: 'no space left on device' in the log", sb.log()[-2000:])
        tap.eq(tokens(sb, "alice", "early"), [], "nothing reached her Maildir")
        tap.eq(os.listdir(os.path.join(home, "Maildir", "tmp")), [], "and nothing half-written stays in Maildir/tmp")
        alice_ids = queue_ids(sb, "info")
        tap.eq(len(alice_ids), 5, "the five messages stay queued")

        # --- the queue's file system fills while clients inject ---
        load = Load(sb, "bob@" + D, "load")
        load.start()
        tap.ok(wait_until(lambda: len(load.accepted) >= 10, 30), "the load flows before the disk fills")
        qfill = os.path.join(q, "filler")
        refusals = lambda: (sum(1 for c, _ in load.smtp_codes if c != 250) >= 3 and len(load.sendmail_errs) >= 3)
        # deliveries to bob free space, which the load takes again: fill
        # until the clients see refusals
        wait_until(lambda: fill(qfill) or refusals(), 60, step=0.5)
        load.stop.set()
        load.join()
        tap.diag("load: %d accepted, %d refused" % (len(load.accepted), len(load.refused)))
        tap.ok(refusals(), "SMTP and sendmail clients were refused while the queue's disk was full",
               "%s\n%s" % (load.smtp_codes[-5:], load.sendmail_errs[-5:]))
        bad = [(c, t) for c, t in load.smtp_codes if c != 250 and not (c == 451 and "disk full" in t)]
        tap.eq(bad, [], "every SMTP refusal is 451 'qq write error or disk full'")
        bad = [(c, t) for c, t in load.sendmail_errs if c != 75 or "disk full" not in t]
        tap.eq(bad, [], "every sendmail refusal exits 75 with 'qq write error or disk full'")

        # with the load stopped and bob's mail delivered, fill what that freed
        # (mess/ goes last when a message is done)
        wait_until(lambda: queue_ids(sb, "info") <= alice_ids and
                   queue_ids(sb, "mess") <= alice_ids | queue_ids(sb, "todo"), 30)
        fill(qfill)
        rc, err = sb.qmail_queue(b"Subject: direct0000\n\nx\ndirect0000\n", ("Fbob@%s\0Tbob@%s\0\0" % (D, D)).encode())
        tap.eq(rc, 53, "qmail-queue itself exits 53")
        c = sb.smtp_connect()
        c.cmd("HELO direct.example")
        c.cmd("MAIL FROM:<bob@example.com>")
        c.cmd("RCPT TO:<bob@%s>" % D)
        code, _ = c.cmd("DATA")
        c.send("Subject: direct0001\r\n\r\nx\r\ndirect0001\r\n")
        code, text = c.cmd(".")
        tap.ok(code == 451 and "4.3.0" in text, "qmail-smtpd answers 451 4.3.0 to the final dot", text)
        code, _ = c.cmd("QUIT")
        c.close()
        tap.eq(half_messages(sb), [], "the queue holds no half-message")

        # --- messages queued while qmail-send was down, then the disk filled:
        # qmail-todo cannot write info/ and leaves todo/ for later ---
        os.unlink(qfill)
        sb.svc("-d")
        tap.ok(wait_until(lambda: not sb.send_pid(), 20), "qmail-send stopped")
        for i in range(3):
            r = sb.sendmail(["-f", "bob@" + D, "bob@" + D], "Subject: held%04d\n\nheld\nheld%04d\n" % (i, i))
            tap.eq(r.returncode, 0, "held message %d queued while qmail-send is down" % i)
        fill(qfill)
        sb.svc("-u")
        tap.ok(sb.wait_log(r"(?i)^warning: trouble writing (info|local|remote)/\d+/\d+: no space left on device", 30),
               "qmail-todo, restarted on a full disk, warns that it cannot write the scheduler's files",
               sb.log()[-1500:])
        # (a message of the load may be there too: accepted just as the
        # disk filled, before qmail-todo could write its files)
        tap.ok(len(queue_ids(sb, "todo")) >= 3, "and leaves the three in todo/", queue_ids(sb, "todo"))
        tap.eq(tokens(sb, "bob", "held"), [], "none of them is delivered yet")

        # --- space returns ---
        os.unlink(qfill)
        os.unlink(os.path.join(home, "filler"))
        # svc -a: qmail-todo looks at todo/ at once, not at its next
        # trigger or a minute later
        sb.svc("-a")
        tap.ok(wait_until(lambda: not queue_ids(sb, "todo"), 30),
               "on svc -a qmail-todo prepares what it could not before", sb.log()[-1000:])
        r = sb.sendmail(["-f", "bob@" + D, "alice@" + D], "Subject: early9999\n\nafter\nearly9999\n")
        tap.eq(r.returncode, 0, "with space again, a new message is accepted")

        def drained():
            if not [f for f in sb.queue_files() if f.startswith(("info/", "todo/"))]:
                return True
            sb.svc("-a")
            return False
        tap.ok(wait_until(drained, 120, step=2), "the queue drains (svc -a retries the deferred ones)",
               "\n".join(sb.queue_files()))
        got = tokens(sb, "alice", "early")
        tap.eq(sorted(got), ["early%04d" % i for i in (0, 1, 2, 3, 4, 9999)],
               "alice has each of her messages exactly once, whole")
        got = tokens(sb, "bob", "load")
        tap.eq(sorted(got), sorted(load.accepted), "bob has each accepted message of the load exactly once, whole")
        tap.eq([t for t in load.refused if t in got], [], "no refused message was delivered")
        tap.eq([t for t in tokens(sb, "bob", "direct")], [], "nor the directly refused ones")
        tap.eq(sorted(tokens(sb, "bob", "held")), ["held0000", "held0001", "held0002"],
               "the held messages are delivered once each")
        tap.ok(sb.wait_queue_empty(30), "the queue is empty", "\n".join(sb.queue_files()))
        tap.eq(os.listdir(os.path.join(home, "Maildir", "tmp")), [], "Maildir/tmp is empty")
        trouble = re.findall(r"^(?:warning|alert): .*", sb.log(), re.M)
        tap.diag("qmail-send and qmail-todo complained %d times, e.g.:\n%s" % (len(trouble), "\n".join(trouble[:5])))
        sb.stop()
    finally:
        sb.stop()
        for m in reversed(mounts):
            subprocess.run(["umount", m])
tap.done()
