"""The neoqmail side of the benchmark: a sandbox made by tools/mksandbox,
run by its own svscan (bin/qmailctl), with one extra mail user added the
qmail way (a users/assign line, then bin/qmail-newu).

The contract it relies on: the sandbox serves SMTP on 127.0.0.1:PORT when it
has a service/qmail-smtpd (relaying for 127.0.0.1), remote deliveries follow
control/smtproutes (domain:127.0.0.1:port) and control/concurrencyremote
is read when qmail-send starts.
"""
import os
import pwd
import re
import subprocess
import time

from .common import BenchError, session_pids, wait_smtp

USER = "bench"


class Neoqmail:
    def __init__(self, top, base):
        self.top = top
        self.dir = os.path.join(base, "neoqmail")
        self.port = None
        self.started = False

    def setup(self, port):
        self.port = port
        r = subprocess.run(["sh", os.path.join(self.top, "tools", "mksandbox"), self.dir, str(port)],
                           cwd=self.top, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("tools/mksandbox failed:\n" + r.stdout + r.stderr)
        st = os.stat(self.dir)
        self.uid, self.gid = st.st_uid, st.st_gid
        self.owner = pwd.getpwuid(self.uid).pw_name
        with open(self.path("control", "me")) as f:
            self.domain = f.read().strip()
        self.rcpt = "%s@%s" % (USER, self.domain)
        self.add_user(USER)
        self.maildir_new = os.path.join(self.dir, "home", USER, "Maildir", "new")

    # ---- files ----
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def bin(self, prog):
        return self.path("bin", prog)

    def own(self, path):
        if os.geteuid() == 0:
            os.lchown(path, self.uid, self.gid)

    def write(self, path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        self.own(tmp)
        os.rename(tmp, path)

    def control(self, name, value):
        p = self.path("control", name)
        if value is None:
            if os.path.exists(p):
                os.unlink(p)
        else:
            self.write(p, value + "\n")

    def add_user(self, name):
        home = self.path("home", name)
        os.makedirs(home, exist_ok=True)
        os.chmod(home, 0o755)
        self.own(home)
        md = os.path.join(home, "Maildir")
        if not os.path.exists(md):
            subprocess.run(["setuidgid", self.owner, self.bin("maildirmake"), md]
                           if os.geteuid() == 0 else [self.bin("maildirmake"), md], check=True)
        assign = self.path("users", "assign")
        with open(assign) as f:
            lines = [l for l in f.read().splitlines() if l.strip() != "."]
        lines.append("=%s:%s:%d:%d:%s:::" % (name, self.owner, self.uid, self.gid, home))
        self.write(assign, "\n".join(lines) + "\n.\n")
        r = subprocess.run([self.bin("qmail-newu")], cwd=self.dir, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("qmail-newu failed: " + r.stderr)

    # ---- what this build has ----
    def has_smtp(self):
        return os.path.isdir(self.path("service", "qmail-smtpd"))

    def has_remote(self):
        return os.path.exists(self.bin("qmail-remote"))

    def version(self):
        r = subprocess.run(["git", "-C", self.top, "describe", "--always", "--dirty"],
                           capture_output=True, text=True)
        return r.stdout.strip() or "?"

    # ---- running ----
    def ctl(self, verb):
        return subprocess.run([self.bin("qmailctl"), verb], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)

    def start(self):
        r = self.ctl("start")
        if r.returncode != 0:
            raise BenchError("qmailctl start failed:\n" + r.stdout + r.stderr)
        self.started = True
        self.wait_send(True)
        if self.has_smtp():
            wait_smtp(self.port, 15)

    def stop(self):
        if self.started:
            self.ctl("stop")
            self.started = False

    def session(self):
        """svscan's pid: qmailctl runs it in a session of its own."""
        try:
            with open(self.path("run", "svscan.pid")) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return -1

    def svc(self, flag, service="qmail-send"):
        subprocess.run(["svc", flag, self.path("service", service)], check=True)

    def send_pid(self):
        out = subprocess.run(["svstat", self.path("service", "qmail-send")],
                             capture_output=True, text=True).stdout
        m = re.search(r"up \(pid (\d+)\)", out)
        return int(m.group(1)) if m else None

    def wait_send(self, up, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if bool(self.send_pid()) == up:
                return
            time.sleep(0.05)
        raise BenchError("qmail-send did not go %s within %ds; log:\n%s"
                         % ("up" if up else "down", timeout, self.log_tail()))

    HELPERS = ("qmail-send", "qmail-todo", "qmail-clean", "qmail-lspawn", "qmail-rspawn",
               "qmail-local", "qmail-remote")

    def pause_delivery(self):
        """svc -d, then wait until qmail-send's helpers have gone too: they
        are reaped outside the tree, so a CPU count begun while they live
        would lose what they used."""
        self.svc("-d")
        self.wait_send(False)
        end = time.time() + 30
        while self.helpers() and time.time() < end:
            time.sleep(0.05)

    def helpers(self):
        found = []
        for pid in session_pids(self.session()):
            try:
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() in self.HELPERS:
                        found.append(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass
        return found

    def resume_delivery(self):
        self.svc("-u")

    def peak_remote(self, since):
        """Highest 'remote N/M' in qmail-send's status lines logged at or
        after the Unix time since (multilog's current file and the ones it
        rotated): (N, M), or None."""
        logdir = self.path("log", "qmail-send")
        best = None
        try:
            names = [n for n in os.listdir(logdir) if n == "current" or n.startswith("@")]
        except FileNotFoundError:
            return None
        for name in names:
            try:
                with open(os.path.join(logdir, name), errors="replace") as f:
                    lines = f.readlines()
            except FileNotFoundError:
                continue
            for line in lines:
                m = re.match(r"@([0-9a-f]{16})[0-9a-f]{8} status: .*remote (\d+)/(\d+)", line)
                # a tai64n label: 2^62 + 10 + Unix seconds (daemontools' TAI offset)
                if m and int(m.group(1), 16) - 2 ** 62 - 10 >= since - 1:
                    n = (int(m.group(2)), int(m.group(3)))
                    if best is None or n[0] > best[0]:
                        best = n
        return best

    def log_tail(self, n=15):
        try:
            with open(self.path("log", "qmail-send", "current"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except FileNotFoundError:
            return "(no log)"

    # ---- injection ----
    def sendmail_argv(self, rcpt):
        return [self.bin("sendmail"), "-f", "bench@" + self.domain, rcpt]

    def queued(self):
        n = 0
        for d in ("todo", "info"):
            for root, dirs, files in os.walk(self.path("queue", d)):
                n += len(files)
        return n
