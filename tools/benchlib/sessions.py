"""The sessions workload: many SMTP sessions held open at once under the
sandbox's tcpserver, what they cost, and how new clients fare meanwhile.

The sandbox must have been made with SMTPD_CONCURRENCY above the number of
sessions (tools/bench does that), and this process needs a file
descriptor per session (raise_nofile). Half the held sessions stop after
RCPT, the other half in the middle of DATA (then a qmail-queue runs beside
their qmail-smtpd, as in qmail). At the end the held DATA sessions finish
their messages, which must all be delivered, like the new clients' ones.
"""
import asyncio
import os
import resource
import smtplib
import time

from .common import BenchError, count, empty_dir, print_load, session_pids, wait_count

REPLY_TIMEOUT = 60
OPENING_AT_ONCE = 50   # connections being set up at a time (the listen backlog is 100)


def raise_nofile(want):
    """Raise the soft RLIMIT_NOFILE to want if the hard limit allows; the
    soft limit we end with."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return want
    new = want if hard == resource.RLIM_INFINITY else min(want, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return new


# ---- what the processes cost ----

def pids_running(path):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % d) == path:
                    out.append(int(d))
            except OSError:
                pass
    return out


def rss_pss_kib(pid):
    """(Rss, Pss) of one process in KiB, from smaps_rollup; (0, 0) if gone."""
    got = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("Rss", "Pss"):
                    got[key] = int(line.split()[1])
    except OSError:
        pass
    return got.get("Rss", 0), got.get("Pss", 0)


def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


class Usage:
    """Processes, fds and memory of one program's running copies."""

    def __init__(self, pids):
        self.n = len(pids)
        self.rss = self.pss = self.fds = 0
        for pid in pids:
            r, p = rss_pss_kib(pid)
            self.rss += r
            self.pss += p
            self.fds += open_fds(pid)

    def per(self, what):
        return getattr(self, what) / self.n if self.n else 0.0


def mem_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def tcpserver_pids(neo):
    out = []
    for pid in session_pids(neo.session()):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "tcpserver":
                    out.append(pid)
        except OSError:
            pass
    return out


def snapshot(neo):
    return {"smtpd": Usage(pids_running(neo.bin("qmail-smtpd"))),
            "queue": Usage(pids_running(neo.bin("qmail-queue"))),
            "tcpserver": Usage(tcpserver_pids(neo)),
            "avail": mem_available_kib()}


# ---- the held sessions ----

async def reply(reader):
    """The code of one complete SMTP reply."""
    while True:
        line = await asyncio.wait_for(reader.readline(), REPLY_TIMEOUT)
        if not line:
            raise BenchError("a held session was closed by the server")
        if line[3:4] != b"-":
            return int(line[:3]) if line[:3].isdigit() else None


async def expect(reader, writer, line, want):
    if line is not None:
        writer.write(line.encode() + b"\r\n")
        await writer.drain()
    code = await reply(reader)
    if code != want:
        raise BenchError("held session: %r got %s, not %d" % (line or "(greeting)", code, want))


async def open_session(port, rcpt, k, in_data, gate):
    async with gate:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port),
                                                REPLY_TIMEOUT)
        await expect(reader, writer, None, 220)
        await expect(reader, writer, "EHLO held%d.example" % k, 250)
        await expect(reader, writer, "MAIL FROM:<held%d@source.test>" % k, 250)
        await expect(reader, writer, "RCPT TO:<%s>" % rcpt, 250)
        if in_data:
            await expect(reader, writer, "DATA", 354)
            writer.write(b"Subject: held %d\r\n\r\nthe first half, sent before the wait\r\n" % k)
            await writer.drain()
    return k, in_data, reader, writer


async def finish_session(k, in_data, reader, writer):
    """The DATA sessions end their message (it must be accepted); all quit."""
    if in_data:
        writer.write(b"the second half.\r\n.\r\n")
        await expect(reader, writer, None, 250)
    await expect(reader, writer, "QUIT", 221)
    writer.close()


# ---- new clients ----

MSG = "Subject: new client %d\r\n\r\n" + ("x" * 76 + "\r\n") * 26


def new_clients(neo, n, tag):
    """n messages, one SMTP client after the other; for each the seconds
    from connect to the 250 after the dot, and from there to its file in
    Maildir/new. Maildir/new must hold only our files."""
    accepted, delivered = [], []
    for i in range(n):
        before = count(neo.maildir_new)
        t0 = time.time()
        with smtplib.SMTP("127.0.0.1", neo.port, timeout=REPLY_TIMEOUT) as c:
            refused = c.sendmail("new@source.test", [neo.rcpt], MSG % i + tag)
            t1 = time.time()
        if refused:
            raise BenchError("new client %d: refused %r" % (i, refused))
        t2 = wait_count(neo.maildir_new, before + 1, 120)
        accepted.append(t1 - t0)
        delivered.append(t2 - t1)
    return accepted, delivered


def summary_ms(values):
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))] * 1000
    return "median %.1f, 90%% %.1f, max %.1f ms" % (pick(0.5), pick(0.9), v[-1] * 1000)


# ---- the workload ----

async def hold_and_measure(neo, n, n_new, out):
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    t0 = time.time()
    held = await asyncio.gather(*(open_session(neo.port, neo.rcpt, k, k % 2 == 1, gate)
                                  for k in range(n)))
    t_open = time.time() - t0
    out("held %d sessions (%d after RCPT, %d in DATA), opened in %.1f s (%.0f sessions/s, %d "
        "being set up at a time)" % (n, n - n // 2, n // 2, t_open, n / t_open, OPENING_AT_ONCE))
    time.sleep(1)  # let every process settle before its memory is read
    full = snapshot(neo)
    acc, dlv = new_clients(neo, n_new, "while held\r\n")
    out("new clients while %d sessions are held: accepted in %s; delivered %s later"
        % (n, summary_ms(acc), summary_ms(dlv)))
    t1 = time.time()
    await asyncio.gather(*(finish_session(*h) for h in held))
    out("every held session still answered: 221 to QUIT, the %d in DATA 250 to their final "
        "dot first (%.1f s)" % (n // 2, time.time() - t1))
    return full


def workload_sessions(neo, n, n_new, out):
    out()
    out("SMTP sessions held open at once (tcpserver -c %d), and new clients meanwhile" % (n + 100))
    limit = raise_nofile(n + 200)
    if limit < n + 200:
        out("  n/a: the hard limit on open files is %d; %d sessions need %d" % (limit, n, n + 200))
        return
    print_load(out, "at the start")
    empty_dir(neo.maildir_new)
    idle = snapshot(neo)
    acc, dlv = new_clients(neo, n_new, "no session held\r\n")
    out("new clients with no session held: accepted in %s; delivered %s later"
        % (summary_ms(acc), summary_ms(dlv)))
    full = asyncio.run(hold_and_measure(neo, n, n_new, out))
    want = 2 * n_new + n // 2
    wait_count(neo.maildir_new, want, 120 + want / 5)
    out("all %d messages delivered (%d from new clients, %d from held sessions)"
        % (want, 2 * n_new, n // 2))
    report_memory(idle, full, n, out)
    print_load(out, "at the end")
    empty_dir(neo.maildir_new)


def report_memory(idle, full, n, out):
    s, q, t = full["smtpd"], full["queue"], full["tcpserver"]
    t0 = idle["tcpserver"]
    out("with no session: tcpserver RSS %d KiB, PSS %d KiB; qmail-smtpd running: %d"
        % (t0.rss, t0.pss, idle["smtpd"].n))
    out("with %d held: qmail-smtpd %d processes, RSS %.1f MiB, PSS %.1f MiB; qmail-queue %d "
        "processes (the DATA sessions), RSS %.1f MiB, PSS %.1f MiB; tcpserver RSS %d KiB, PSS %d KiB"
        % (n, s.n, s.rss / 1024, s.pss / 1024, q.n, q.rss / 1024, q.pss / 1024, t.rss, t.pss))
    total_pss = s.pss + q.pss + t.pss - t0.pss
    total_rss = s.rss + q.rss + t.rss - t0.rss
    out("per session, all of them: PSS %.1f KiB, RSS %.1f KiB (qmail-smtpd, qmail-queue and "
        "tcpserver's growth, divided by %d)" % (total_pss / n, total_rss / n, n))
    out("  after RCPT: 1 process (qmail-smtpd), PSS %.1f KiB, RSS %.1f KiB, %.1f fds"
        % (s.per("pss"), s.per("rss"), s.per("fds")))
    if q.n:
        out("  in DATA: 2 processes (qmail-smtpd, qmail-queue), PSS %.1f KiB, RSS %.1f KiB, "
            "%.1f fds" % (s.per("pss") + q.per("pss"), s.per("rss") + q.per("rss"),
                          s.per("fds") + q.per("fds")))
    fell = idle["avail"] - full["avail"]
    if fell > 0:
        out("  the machine's MemAvailable fell by %.1f KiB per session (kernel sockets, page "
            "tables and process structures included; noisy when other work runs)" % (fell / n))
    else:
        out("  the machine's MemAvailable did not fall (other work freed memory meanwhile): n/a")
