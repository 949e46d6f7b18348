"""Helpers for the remote-delivery tests (tests/e2e/9x-*.t): Postfix's
smtp-sink as a real SMTP server, dnsmasq as a real DNS server, and
ScriptedSMTP, a small SMTP server that misbehaves on purpose (refuses at
a chosen step, closes mid-DATA, never answers), which no real server can
be made to do at every step.

Each helper starts processes itself and ends them by their pid."""
import os
import re
import shutil
import socket
import subprocess
import threading
import time

SINK = "/usr/sbin/smtp-sink"


def _more_files():
    """In a child: descriptors up to the hard limit (thousands of sessions)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def sink_user_args(uid):
    """smtp-sink refuses to run as root without -u."""
    if os.geteuid() == 0:
        import pwd
        return ["-u", pwd.getpwuid(uid).pw_name]
    return []


class Sink:
    """smtp-sink on addr:port, dumping each message into its own file."""

    def __init__(self, base, uid, addr="127.0.0.1", port=None, args=(), backlog=100):
        self.dir = os.path.join(base, "sink-%s-%d" % (addr.strip("[]").replace(":", "_"), port or 0))
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)
        self.addr, self.port = addr, port
        self.log = open(os.path.join(self.dir, "..", "sink-%d.log" % (port or 0)), "ab")
        cmd = [SINK] + sink_user_args(uid) + ["-d", self.dir + "/%M."] + list(args) + \
            ["%s:%d" % (addr, port), str(backlog)]
        self.p = subprocess.Popen(cmd, stdout=self.log, stderr=self.log, preexec_fn=_more_files)
        self.wait_listening()

    def wait_listening(self):
        host = self.addr.strip("[]")
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        end = time.time() + 10
        while time.time() < end:
            if self.p.poll() is not None:
                raise RuntimeError("smtp-sink exited")
            s = socket.socket(fam)
            try:
                s.connect((host, self.port))
                s.close()
                return
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        raise RuntimeError("smtp-sink does not listen")

    def messages(self):
        """Each dumped message: (smtp-sink's headers, the message as received)."""
        out = []
        for n in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, n), "rb") as f:
                data = f.read()
            m = re.match(rb"((?:X-[^\n]*\n)*Received: [^\n]*\n\t[^\n]*\n\t[^\n]*\n)(.*)\n\Z", data, re.S)
            if m:
                out.append((m.group(1).decode(errors="replace"), m.group(2)))
            else:
                out.append(("", data))
        return out

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def body_of(msg):
    """The part of a message after the first empty line."""
    i = msg.find(b"\n\n")
    return msg[i + 2:] if i >= 0 else b""


class Dnsmasq:
    """dnsmasq on one loopback address, port 53, answering only from its
    command line (no /etc/hosts, no resolv.conf). Needs root."""

    def __init__(self, base, addr, records):
        self.log = open(os.path.join(base, "dnsmasq-%s.log" % addr), "ab")
        cmd = ["dnsmasq", "--no-daemon", "--keep-in-foreground", "--no-resolv", "--no-hosts",
               "--listen-address=" + addr, "--bind-interfaces", "--port", "53",
               "--pid-file=", "--log-queries", "--user=nobody", "--group=nogroup"] + list(records)
        self.p = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        self.addr = addr
        end = time.time() + 10
        while time.time() < end and not self.answers():
            if self.p.poll() is not None:
                raise RuntimeError("dnsmasq exited; see " + self.log.name)
            time.sleep(0.1)

    def answers(self):
        r = subprocess.run(["python3", "-c", _DNS_PROBE, self.addr], capture_output=True)
        return r.returncode == 0

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait(5)
        self.log.close()


# a bare DNS query over UDP: does anything answer on addr:53?
_DNS_PROBE = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05probe\x07example\x00\x00\x01\x00\x01"
try:
    s.sendto(q, (sys.argv[1], 53))
    s.recv(512)
except OSError:
    sys.exit(1)
"""


def loopback_free(addr):
    """Nothing listens on addr:53 (tcp) and it can be bound."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((addr, 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


def hangup(c):
    """Close for real: the makefile() reader would keep the socket open."""
    try:
        c.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    c.close()


class ScriptedSMTP:
    """An SMTP server on 127.0.0.1 that answers as told. script maps a
    step (greeting, ehlo, helo, mail, rcpt, data, dot, quit) to a reply
    line (or several, joined by \\r\\n), or to "close" (hang up without a
    reply) or "hang" (never answer). Steps not in the script get a normal
    2xx/354. The script may be changed while it runs (fix the server).
    Every command and message received is recorded."""

    def __init__(self, script=None, ehlo_ext=("PIPELINING", "SIZE 10000000", "8BITMIME")):
        self.script = dict(script or {})
        self.ehlo_ext = ehlo_ext
        self.commands = []
        self.messages = []
        self.sessions = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # a small receive window (as a busy server has), so that a large
        # message cannot all be in flight when the server hangs up
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def serve(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(c,), daemon=True).start()

    def reply(self, c, step, normal):
        r = self.script.get(step, normal)
        if r == "close":
            hangup(c)
            return False
        if r == "hang":
            time.sleep(3600)
            return False
        c.sendall(r.encode() + b"\r\n")
        return True

    def session(self, c):
        self.sessions += 1
        f = c.makefile("rb")
        try:
            if not self.reply(c, "greeting", "220 scripted ESMTP"):
                return
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.decode(errors="replace").rstrip("\r\n")
                self.commands.append(cmd)
                verb = cmd.split(" ")[0].upper()
                if verb == "EHLO":
                    ext = "".join("\r\n250-" + e for e in self.ehlo_ext[:-1])
                    normal = ("250-scripted" + ext + "\r\n250 " + self.ehlo_ext[-1]) if self.ehlo_ext else "250 scripted"
                    if not self.reply(c, "ehlo", normal):
                        return
                elif verb == "HELO":
                    if not self.reply(c, "helo", "250 scripted"):
                        return
                elif verb == "MAIL":
                    if not self.reply(c, "mail", "250 ok"):
                        return
                elif verb == "RCPT":
                    if not self.reply(c, "rcpt", "250 ok"):
                        return
                elif verb == "DATA":
                    if not self.reply(c, "data", "354 go ahead"):
                        return
                    if self.script.get("data", "354").startswith("354"):
                        if not self.read_data(c, f):
                            return
                elif verb == "QUIT":
                    self.reply(c, "quit", "221 bye")
                    return
                else:
                    c.sendall(b"502 unknown\r\n")
        except OSError:
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def read_data(self, c, f):
        lines = []
        while True:
            line = f.readline()
            if not line:
                return False
            if self.script.get("middata") == "close" and len(lines) >= 2:
                hangup(c)
                return False
            if line == b".\r\n":
                break
            lines.append(line)
        # a message counts as received when the server says it took it
        # (or says nothing at all: the client cannot know)
        if lines and self.script.get("dot", "250")[:1] not in ("4", "5"):
            self.messages.append(b"".join(lines))
        return self.reply(c, "dot", "250 accepted, id 42")

    def stop(self):
        self.stopping = True
        self.sock.close()
