"""The bigqueue workload: a queue of 100,000 messages.

1. With qmail-send up but local delivery paused (its qmail-lspawn stopped
   with SIGSTOP, so the first requests wait in the pipe and nothing is
   delivered), q messages are injected through sendmail by several
   injectors; qmail-todo preprocesses them as they come and qmail-send
   takes in every one. Then qmail-send's memory is read.
2. qmail-lspawn continues; qmail-send is stopped (svc -d: it finishes the
   few deliveries it had started) and started again (svc -u): the time to
   its start-up scan's end and to the first delivery.
3. While it drains the queue, `more` messages are injected at full speed:
   delivery and injection rates, and the time until everything is in
   Maildir/new. Every message carries its own Message-ID; each must be
   there exactly once.
"""
import os
import re
import signal
import subprocess
import threading
import time

from .common import BenchError, count, empty_dir, print_load, session_pids, wait_count

MSG = "Message-ID: <bigqueue.%d@bench.test>\nSubject: big queue %d\n\n" + ("y" * 76 + "\n") * 26
MSGID = re.compile(rb"^Message-ID: <bigqueue\.(\d+)@bench\.test>", re.M | re.I)


def status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return 0


def helper_pid(neo, name):
    for pid in session_pids(neo.session()):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == name:
                    return pid
        except OSError:
            pass
    return None


class Injector(threading.Thread):
    """sendmail for messages first..first+n-1, `parallel` at a time, in a
    thread, so that deliveries can be watched meanwhile."""

    def __init__(self, argv, first, n, parallel):
        super().__init__(daemon=True)
        self.argv, self.first, self.n, self.parallel = argv, first, n, parallel
        self.error = None
        self.t0 = self.t1 = None

    def run(self):
        running = []
        self.t0 = time.time()
        try:
            for k in range(self.first, self.first + self.n):
                if len(running) >= self.parallel:
                    self.reap(running.pop(0))
                p = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
                p.stdin.write((MSG % (k, k)).encode())
                p.stdin.close()
                running.append(p)
            while running:
                self.reap(running.pop(0))
        except BenchError as e:
            self.error = e
        finally:
            for p in running:
                p.wait()
            self.t1 = time.time()

    def reap(self, p):
        err = p.stderr.read()
        if p.wait() != 0:
            raise BenchError("sendmail failed with %d: %s"
                             % (p.returncode, err.decode(errors="replace").strip()))

    def finish(self):
        self.join()
        if self.error:
            raise self.error
        return self.t1 - self.t0


def log_lines_since(neo, since):
    """qmail-send's log lines stamped at or after Unix time since, as
    (time, text), oldest first (multilog's rotated files and current)."""
    logdir = neo.path("log", "qmail-send")
    names = sorted(n for n in os.listdir(logdir) if n.startswith("@")) + ["current"]
    out = []
    for name in names:
        try:
            with open(os.path.join(logdir, name), errors="replace") as f:
                for line in f:
                    # a tai64n label: 2^62 + 10 + Unix seconds, then nanoseconds
                    if line.startswith("@") and len(line) > 26:
                        t = int(line[1:17], 16) - 2 ** 62 - 10 + int(line[17:25], 16) / 1e9
                        if t >= since:
                            out.append((t, line[26:].rstrip("\n")))
        except (OSError, ValueError):
            continue
    return out


def first_logged(lines, pattern):
    rx = re.compile(pattern)
    for t, text in lines:
        if rx.match(text):
            return t
    return None


def wait_queue_taken(neo, timeout):
    """Wait until todo/ is empty: qmail-todo has handed every message to
    qmail-send (the notices follow the clean-up at once)."""
    todo = neo.path("queue", "todo")
    end = time.time() + timeout
    while count(todo):
        if time.time() > end:
            raise BenchError("qmail-todo left %d messages in todo/ after %ds" % (count(todo), timeout))
        time.sleep(0.5)
    time.sleep(2)


def check_delivered(neo, total):
    """(distinct Message-IDs of ours in Maildir/new, files without one, duplicates)."""
    seen, missing_id, dups = set(), 0, 0
    for name in os.listdir(neo.maildir_new):
        with open(os.path.join(neo.maildir_new, name), "rb") as f:
            m = MSGID.search(f.read(4096))
        if not m:
            missing_id += 1
        elif int(m.group(1)) in seen:
            dups += 1
        else:
            seen.add(int(m.group(1)))
    return len(seen & set(range(total))), missing_id, dups


def fill_paused(neo, q, injectors, out):
    """Step 1; returns qmail-lspawn's pid (stopped)."""
    pid = neo.send_pid()
    rss0 = status_kib(pid, "VmRSS")
    lspawn = helper_pid(neo, "qmail-lspawn")
    if lspawn is None:
        raise BenchError("no qmail-lspawn in the sandbox's tree")
    os.kill(lspawn, signal.SIGSTOP)
    t_inj = Injector(neo.sendmail_argv(neo.rcpt), 0, q, injectors)
    t_inj.start()
    secs = t_inj.finish()
    out("injected %d with local delivery paused: %.1f s, %.1f msg/s (%d sendmails at once; "
        "qmail-todo preprocessing meanwhile)" % (q, secs, q / secs, injectors))
    wait_queue_taken(neo, 600)
    info = sum(len(files) for _, _, files in os.walk(neo.path("queue", "info")))
    rss, hwm = status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM")
    todo = helper_pid(neo, "qmail-todo")
    out("qmail-send holds all %d (info/ has %d): VmRSS %d KiB (%d KiB before), VmHWM %d KiB, "
        "%.0f bytes per message; qmail-todo VmHWM %d KiB"
        % (q, info, rss, rss0, hwm, (rss - rss0) * 1024.0 / q, status_kib(todo, "VmHWM")))
    return lspawn


def restart(neo, out):
    """Step 2; returns the time of svc -u."""
    neo.pause_delivery()
    base = count(neo.maildir_new)
    t0 = time.time()
    neo.resume_delivery()
    t1 = wait_count(neo.maildir_new, base + 1, 600)
    neo.wait_send(True)
    lines = log_lines_since(neo, t0)
    scanned = first_logged(lines, r"status: local ")
    success = first_logged(lines, r"delivery \d+: success")
    out("restart (svc -d, then svc -u) with the queue full: start-up scan done after %s, "
        "first 'delivery: success' logged after %s, first file in Maildir/new after %.2f s "
        "(%d delivered before the restart)"
        % ("%.2f s" % (scanned - t0) if scanned else "?", "%.2f s" % (success - t0) if success else "?",
           t1 - t0, base))
    return t0


def drain(neo, q, more, injectors, t0, out):
    """Step 3."""
    total = q + more
    inj = Injector(neo.sendmail_argv(neo.rcpt), q, more, injectors)
    d0 = count(neo.maildir_new)
    inj.start()
    while inj.is_alive():
        time.sleep(1)
    secs = inj.finish()
    d1 = count(neo.maildir_new)
    out("while %d more were injected (%d sendmails at once): %.1f msg/s injected, %.1f msg/s "
        "delivered meanwhile (%d in %.1f s)" % (more, injectors, more / secs, (d1 - d0) / secs,
                                                d1 - d0, secs))
    t_end = wait_count(neo.maildir_new, total, 600 + total / 20)
    out("drained: all %d delivered %.1f s after svc -u, %.1f msg/s on average"
        % (total, t_end - t0, total / (t_end - t0)))
    end = time.time() + 60
    while neo.queued() and time.time() < end:
        time.sleep(0.5)
    pid = neo.send_pid()
    out("qmail-send with the queue empty again: VmRSS %d KiB, VmHWM %d KiB (what it keeps from "
        "the big queue)" % (status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM")))
    ok, no_id, dups = check_delivered(neo, total)
    out("check: %d of %d Message-IDs delivered, %d duplicates, %d files without ours, %d files "
        "left in the queue" % (ok, total, dups, no_id, neo.queued()))
    if ok != total:
        raise BenchError("only %d of %d messages were delivered" % (ok, total))


def workload_bigqueue(neo, q, more, injectors, out):
    out()
    out("neoqmail with a queue of %d messages (sendmail; local delivery paused, then qmail-send "
        "restarted; then %d more injected during the drain)" % (q, more))
    print_load(out, "at the start")
    empty_dir(neo.maildir_new)
    lspawn = None
    try:
        lspawn = fill_paused(neo, q, injectors, out)
        os.kill(lspawn, signal.SIGCONT)
        lspawn = None
        t0 = restart(neo, out)
        drain(neo, q, more, injectors, t0, out)
    finally:
        if lspawn is not None:
            try:
                os.kill(lspawn, signal.SIGCONT)  # or qmail-send could never stop
            except ProcessLookupError:
                pass
    print_load(out, "at the end")
    empty_dir(neo.maildir_new)
