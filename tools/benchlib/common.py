"""Shared pieces of the benchmark: clocks, CPU counters, process
bookkeeping and the two Postfix test programs (smtp-source, smtp-sink).

Every process the benchmark starts is registered here by pid and ended by
that pid at the end, whatever happens; nothing is ever killed by name.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

HZ = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """Something the benchmark needs did not work: it stops, cleans up and
    says why. Never raised for a slow figure."""


# ---- CPU time ----

def machine_cpu():
    """CPU seconds used so far on the whole machine (user, nice, system,
    irq, softirq), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / HZ


def proc_stat(pid):
    """(session, cpu seconds of the process and its reaped children) or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name may hold spaces and parentheses: split after the last ')'
    fields = st[st.rindex(")") + 2:].split()
    session = int(fields[3])
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return session, ticks / HZ


def session_pids(sid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[0] == sid:
                out.append(int(name))
    return out


def tree_cpu(sid):
    """CPU seconds of a service tree: every live process of session sid
    with what its finished children used (the kernel adds a reaped child's
    time, its own children's included, to its parent). Processes still to
    be reaped are missed, which is why runs end with a short settle."""
    total = 0.0
    for pid in session_pids(sid):
        st = proc_stat(pid)
        if st and st[0] == sid:
            total += st[1]
    return total


def tree_pss_kib(sid):
    """Proportional set size of a service tree, KiB: what it costs in memory
    with shared pages split among their users."""
    total = 0
    for pid in session_pids(sid):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total, len(session_pids(sid))


class CpuMeter:
    """Both CPU figures for one measured interval."""

    def __init__(self, sid_func):
        self.sid_func = sid_func

    def start(self):
        self.m0 = machine_cpu()
        self.t0 = tree_cpu(self.sid_func())
        return self

    def stop(self):
        time.sleep(0.2)  # let the last children be reaped into their parents
        return machine_cpu() - self.m0, tree_cpu(self.sid_func()) - self.t0


# ---- processes ----

class Processes:
    """The processes the benchmark started, ended by pid in stop_all."""

    def __init__(self):
        self.procs = []

    def popen(self, argv, **kw):
        # a session of its own: a Ctrl-C on the terminal reaches only the
        # benchmark, which then ends everything in order
        kw.setdefault("start_new_session", True)
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def forget(self, p):
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self):
        for p in self.procs:
            end_process(p)
        self.procs = []


def end_process(p, grace=3.0):
    """TERM, then KILL after grace seconds: one process, by its pid."""
    if p.poll() is not None:
        return
    try:
        p.terminate()
        p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    except ProcessLookupError:
        pass


def kill_pid(pid, grace=3.0):
    """End a process we did not fork ourselves (a daemon we started), by pid."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        end = time.time() + grace
        while time.time() < end:
            if not alive(pid):
                return
            time.sleep(0.05)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return st[st.rindex(")") + 2] not in "ZX"


def print_load(out, when):
    """The machine's load average, so that a figure can be read with it."""
    out("  machine load %s: %.2f %.2f %.2f (1, 5, 15 min)" % ((when,) + os.getloadavg()))


# ---- files and sockets ----

def count(d):
    try:
        return len(os.listdir(d))
    except FileNotFoundError:
        return 0


def empty_dir(d):
    """Remove the files in d (a Maildir/new between runs), so that every run
    starts with a small directory on both sides."""
    for n in os.listdir(d):
        try:
            os.unlink(os.path.join(d, n))
        except FileNotFoundError:
            pass


def wait_count(d, n, timeout, what="messages"):
    """Time at which d holds n entries."""
    end = time.time() + timeout
    while True:
        now = time.time()
        if count(d) >= n:
            return now
        if now > end:
            raise BenchError("timed out after %ds waiting for %d %s in %s (have %d)"
                             % (timeout, n, what, d, count(d)))
        time.sleep(0.01)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_smtp(port, timeout):
    """Wait until an SMTP server greets on 127.0.0.1:port."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                greeting = s.recv(512)
                s.sendall(b"QUIT\r\n")
                if greeting.startswith(b"220"):
                    return
                last = greeting
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise BenchError("no SMTP greeting on 127.0.0.1:%d within %ds (%s)" % (port, timeout, last))


# ---- fsyncs ----

SYNC_EVENTS = ("fsync", "fdatasync", "syncfs", "sync_file_range")


class SyncCounter:
    """perf stat on a service tree's processes (their children inherit the
    counters): how many fsync-like system calls it makes. Only for a pass
    that is not timed, since a syscall tracepoint slows every system call."""

    def __init__(self, procs, sid, path):
        self.path = path
        self.proc = None
        pids = session_pids(sid)
        if not shutil.which("perf") or not pids:
            return
        events = ",".join("syscalls:sys_enter_" + e for e in SYNC_EVENTS)
        self.proc = procs.popen(["perf", "stat", "-x,", "-e", events, "-o", path,
                                 "-p", ",".join(str(p) for p in pids)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # perf attaches before the load starts
        if self.proc.poll() is not None:
            self.proc = None

    def stop(self):
        """The count, or None when perf could not count."""
        if self.proc is None:
            return None
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            end_process(self.proc)
            return None
        total, seen = 0, 0
        try:
            with open(self.path) as f:
                for line in f:
                    fields = line.strip().split(",")
                    if len(fields) > 2 and fields[2].startswith("syscalls:") and fields[0].isdigit():
                        total += int(fields[0])
                        seen += 1
        except FileNotFoundError:
            return None
        return total if seen else None


# ---- smtp-source and smtp-sink ----

def smtp_source(procs, port, n, concurrency, size, sender, rcpt):
    """Send n messages of size bytes, one per connection, concurrency at a
    time; return the seconds it took (until the last 250 to the dot)."""
    argv = ["smtp-source", "-s", str(concurrency), "-m", str(n), "-l", str(size),
            "-f", sender, "-t", rcpt, "-C", "5", "127.0.0.1:%d" % port]
    t0 = time.time()
    p = procs.popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = p.communicate()
    t1 = time.time()
    procs.forget(p)
    if p.returncode != 0:
        raise BenchError("smtp-source to port %d failed (exit %d): %s"
                         % (port, p.returncode, err.decode(errors="replace").strip()))
    return t0, t1


class Sink:
    """Postfix's smtp-sink on 127.0.0.1, counting the messages it took
    (its -c counters, read from its output by a thread)."""

    def __init__(self, procs, max_sessions):
        self.port = free_port()
        self.messages = 0
        self.lock = threading.Lock()
        argv = ["smtp-sink", "-c", "-4", "-m", str(max_sessions)]
        if os.geteuid() == 0:
            argv += ["-u", "nobody"]
        argv += ["127.0.0.1:%d" % self.port, "4096"]
        self.proc = procs.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.errors = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        wait_smtp(self.port, 10)

    def _read(self):
        rx = re.compile(rb"mesg=(\d+)")
        rest = b""
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                return
            rest += chunk
            parts = re.split(rb"[\r\n]", rest)
            rest = parts.pop()
            for line in parts:
                m = rx.search(line)
                if m:
                    with self.lock:
                        self.messages = max(self.messages, int(m.group(1)))
                elif line.strip():
                    self.errors = (self.errors + line + b"\n")[-2000:]

    def count(self):
        with self.lock:
            return self.messages

    def wait(self, n, timeout):
        """Time at which the sink has taken n messages in all."""
        end = time.time() + timeout
        while True:
            now = time.time()
            if self.count() >= n:
                return now
            if self.proc.poll() is not None:
                raise BenchError("smtp-sink ended: " + self.errors.decode(errors="replace"))
            if now > end:
                raise BenchError("timed out after %ds waiting for %d messages at smtp-sink "
                                 "(have %d)" % (timeout, n, self.count()))
            time.sleep(0.01)
