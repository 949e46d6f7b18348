"""Helpers for neoqmail's end-to-end tests: TAP output and a real sandbox
(made by tools/mksandbox, run by svscan through bin/qmailctl).

A test is a Python script under tests/e2e/*.t that does

    from neoq import tap, Sandbox
    with Sandbox() as sb:
        ...
        tap.ok(cond, "what it shows")
    tap.done()

Nothing here fakes a part of the system: messages go in through the
sandbox's sendmail or qmail-queue and are read back from Maildirs and mboxes.
"""
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUEUE_DIRS = ("pid", "intd", "todo", "mess", "info", "local", "remote", "bounce")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name), flush=True)
        if not cond and diag:
            for line in str(diag).splitlines():
                print("#   " + line)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def skip_all(self, why):
        print("1..0 # SKIP " + why)
        sys.exit(0)

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


tap = Tap()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout, step=0.05):
    end = time.time() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.time() > end:
            return r
        time.sleep(step)


class Sandbox:
    """A fresh sandbox in a temporary directory, started on entry and
    stopped (and removed, unless the test failed or KEEP is set) on exit."""

    def __init__(self, start=True):
        self.base = tempfile.mkdtemp(prefix="neoq-e2e-")
        os.chmod(self.base, 0o755)
        self.dir = os.path.join(self.base, "sb")
        self.port = free_port()
        r = subprocess.run(["sh", os.path.join(TOP, "tools", "mksandbox"), self.dir, str(self.port)],
                           cwd=TOP, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("mksandbox failed:\n" + r.stdout + r.stderr)
        st = os.stat(self.dir)
        self.uid, self.gid = st.st_uid, st.st_gid
        self.user = pwd.getpwuid(self.uid).pw_name
        with open(os.path.join(self.dir, "control", "me")) as f:
            self.domain = f.read().strip()   # address mail to user@domain
        self.autostart = start

    # ---- lifecycle ----
    def __enter__(self):
        if self.autostart:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        if os.environ.get("KEEP") or tap.failed:
            tap.diag("sandbox kept in " + self.dir)
            tap.diag("qmail-send log tail:\n" + "\n".join(self.log().splitlines()[-40:]))
        else:
            shutil.rmtree(self.base, ignore_errors=True)
        return False

    def ctl(self, *args):
        return subprocess.run([self.bin("qmailctl")] + list(args), capture_output=True, text=True)

    def start(self):
        n = self.log().count("status: local")
        r = self.ctl("start")
        if r.returncode != 0:
            raise RuntimeError("qmailctl start failed:\n" + r.stdout + r.stderr)
        # up means: qmail-send has logged its first status line, so its
        # signal handlers are in place (svc -h, -a work from now on)
        if not wait_until(lambda: self.send_pid() and self.log().count("status: local") > n, 15):
            raise RuntimeError("qmail-send did not come up; log:\n" + self.log())
        # and the SMTP service answers with its greeting
        if not wait_until(lambda: self.smtp_greets(), 15):
            raise RuntimeError("qmail-smtpd does not answer on port %d; log:\n%s"
                               % (self.port, self.smtp_log()))

    def stop(self):
        self.ctl("stop")

    def svc(self, flag, service="qmail-send"):
        subprocess.run(["svc", flag, os.path.join(self.dir, "service", service)], check=True)

    def restart(self):
        """svc -t, then wait for the new qmail-send's first status line."""
        old, n = self.send_pid(), self.log().count("status: local")
        self.svc("-t")
        return wait_until(lambda: self.send_pid() not in (None, old)
                          and self.log().count("status: local") > n, 15)

    def reload(self):
        """svc -h, then wait until qmail-send says it reread its controls
        (supervise holds commands for a second after it starts a service)."""
        n = self.log().count("status: rereading control files")
        self.svc("-h")
        return wait_until(lambda: self.log().count("status: rereading control files") > n, 10)

    def send_pid(self):
        out = subprocess.run(["svstat", os.path.join(self.dir, "service", "qmail-send")],
                             capture_output=True, text=True).stdout
        m = re.search(r"up \(pid (\d+)\)", out)
        return int(m.group(1)) if m else None

    def pids_of(self, prog):
        """Pids of this sandbox's running bin/PROG (from /proc)."""
        want, out = self.bin(prog), []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.readlink("/proc/%s/exe" % d) == want:
                        out.append(int(d))
                except OSError:
                    pass
        return out

    # ---- paths and files ----
    def bin(self, prog):
        return os.path.join(self.dir, "bin", prog)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def own(self, path):
        """Give a file we made to the sandbox's user (matters when root)."""
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(path):
                for n in dirs + files:
                    os.lchown(os.path.join(root, n), self.uid, self.gid)
            os.lchown(path, self.uid, self.gid)

    def write(self, path, text, mode=0o644):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        self.own(path)

    def control(self, name, value):
        p = self.path("control", name)
        if value is None:
            if os.path.exists(p):
                os.unlink(p)
        else:
            self.write(p, value if value.endswith("\n") else value + "\n")

    # ---- users ----
    def home(self, name):
        return self.path("home", name)

    def add_user(self, name, maildir=True):
        """A mail user the qmail way: a line in users/assign, then qmail-newu."""
        home = self.home(name)
        os.makedirs(home, exist_ok=True)
        os.chmod(home, 0o755)
        if maildir and not os.path.exists(os.path.join(home, "Maildir")):
            subprocess.run([self.bin("maildirmake"), os.path.join(home, "Maildir")], check=True)
        self.own(home)
        assign = self.path("users", "assign")
        with open(assign) as f:
            lines = [l for l in f.read().splitlines() if l.strip() != "."]
        lines.append("=%s:%s:%d:%d:%s:::" % (name, self.user, self.uid, self.gid, home))
        lines.append("+%s-:%s:%d:%d:%s:-::" % (name, self.user, self.uid, self.gid, home))
        self.write(assign, "\n".join(lines) + "\n.\n")
        r = subprocess.run([self.bin("qmail-newu")], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("qmail-newu failed: " + r.stderr)
        return home

    def dotqmail(self, user, ext, text):
        name = ".qmail" + ("-" + ext if ext else "")
        self.write(os.path.join(self.home(user), name), text, 0o644)

    # ---- sending ----
    def sendmail(self, args, message, env=None):
        e = dict(os.environ)
        e.update(env or {})
        r = subprocess.run([self.bin("sendmail")] + list(args), input=message.encode()
                           if isinstance(message, str) else message, capture_output=True, env=e)
        return r

    def qmail_queue(self, message, envelope, env=None):
        """Run qmail-queue with message on fd 0 and envelope on fd 1;
        returns (exit code, stderr)."""
        e = dict(os.environ)
        e.update(env or {})
        rd, wr = os.pipe()
        os.write(wr, envelope)  # small envelopes fit in the pipe
        os.close(wr)
        p = subprocess.Popen([self.bin("qmail-queue")], stdin=subprocess.PIPE, stdout=rd,
                             stderr=subprocess.PIPE, env=e)
        os.close(rd)
        _, err = p.communicate(message)
        return p.returncode, err.decode(errors="replace")

    # ---- reading results ----
    def maildir(self, user, sub="new", base="Maildir"):
        d = os.path.join(self.home(user), base, sub)
        try:
            names = sorted(os.listdir(d))
        except FileNotFoundError:
            return []
        out = []
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        return out

    def wait_maildir(self, user, n, timeout=20, base="Maildir"):
        return wait_until(lambda: len(self.maildir(user, base=base)) >= n, timeout) \
            and self.maildir(user, base=base)

    def log(self):
        p = self.path("log", "qmail-send", "current")
        try:
            with open(p, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return ""
        return re.sub(r"^@[0-9a-f]{24} ", "", text, flags=re.M)

    def wait_log(self, pattern, timeout=20):
        rx = re.compile(pattern, re.M)
        return wait_until(lambda: rx.search(self.log()), timeout)

    def queue_files(self):
        out = []
        for d in QUEUE_DIRS:
            for root, dirs, files in os.walk(self.path("queue", d)):
                out += [os.path.relpath(os.path.join(root, f), self.path("queue")) for f in files]
        return sorted(out)

    def wait_queue_empty(self, timeout=20):
        return wait_until(lambda: not self.queue_files(), timeout)

    def qread(self):
        return subprocess.run([self.bin("qmail-qread")], capture_output=True, text=True)

    # ---- SMTP (service/qmail-smtpd: tcpserver on 127.0.0.1:port) ----
    def smtp_greets(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as c:
                return c.recv(512).startswith(b"220 ")
        except OSError:
            return False

    def smtp_connect(self, source="127.0.0.1", timeout=10):
        """A raw socket to the SMTP service from a loopback source address
        (127.0.0.1 relays; 127.0.0.2 is a stranger), greeting read."""
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(timeout)
        c.bind((source, 0))
        c.connect(("127.0.0.1", self.port))
        return SmtpRaw(c)

    def smtp_log(self):
        p = self.path("log", "qmail-smtpd", "current")
        try:
            with open(p, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return ""
        return re.sub(r"^@[0-9a-f]{24} ", "", text, flags=re.M)

    def smtp_crashes(self):
        """tcpserver's "end PID status S" lines whose child died of a signal."""
        return [l for l in self.smtp_log().splitlines()
                if re.match(r"tcpserver: end \d+ status (\d+)$", l)
                and int(l.split()[-1]) & 127]


class SmtpRaw:
    """A bare SMTP connection: bytes out, replies in, nothing smoothed over."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One complete (possibly multi-line) reply as (code, text); (None,
        partial) when the server closed or timed out first."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                try:
                    more = self.sock.recv(65536)
                except OSError:
                    more = b""
                if not more:
                    return None, b"".join(lines) + self.buf
                self.buf += more
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line + b"\n")
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]) if line[:3].isdigit() else None, b"".join(lines).decode("latin1")

    def cmd(self, line):
        self.send(line + "\r\n" if isinstance(line, str) else line + b"\r\n")
        return self.reply()

    def closed(self):
        """True when the server has closed the connection (EOF)."""
        try:
            return self.buf == b"" and self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()
