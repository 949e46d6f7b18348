#!/usr/bin/env python3
# Chaos: a mixed load (SMTP and sendmail, local recipients at sandbox A,
# remote ones at sandbox B through A's smtproutes) while a killer sends
# SIGKILL every 100 ms to one running process of a program picked at
# random among A's daemons and workers; svscan restarts what it runs.
# Afterwards every accepted message is in its recipients' Maildirs at
# least once and whole, nothing bounced, and neither queue holds
# anything (leftovers of killed injections are cleaned by qmail-send's
# scan when it starts). Duplicates and Maildir/tmp leftovers are allowed
# (at-least-once; maildir semantics) and reported.
#
# While each kill of qmail-send or a helper stops the whole qmail-start
# group (svscan restarts it after a second), few deliveries run; so after
# the last message is accepted the killer keeps on for CHAOS_FIRE_AFTER
# seconds (default 30) against qmail-local and qmail-remote alone, and the
# deliveries are killed too.
# CHAOS_MESSAGES (default 10000) sets the load; SEED the random choices.
import os, random, re, signal, smtplib, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

N = int(os.environ.get("CHAOS_MESSAGES", "10000"))
FIRE_AFTER = float(os.environ.get("CHAOS_FIRE_AFTER", "30"))
SEED = int(os.environ.get("SEED", str(int(time.time()))))
VICTIMS = ("qmail-send", "qmail-todo", "qmail-lspawn", "qmail-rspawn", "qmail-clean",
           "qmail-local", "qmail-remote", "qmail-smtpd", "qmail-queue")
WORKERS = ("qmail-local", "qmail-remote")
LOCAL = ("alice@a.example", "bob@a.example")
REMOTE = ("carol@b.example", "dave@b.example")
SMTP_CLIENTS, SENDMAIL_CLIENTS = 4, 3
ATTEMPTS = 200       # per message; a message never accepted fails the test


def with_domain(sb, dom):
    for f in ("locals", "rcpthosts"):
        with open(sb.path("control", f)) as fh:
            sb.control(f, fh.read().rstrip("\n") + "\n" + dom)


def body(token, rnd):
    """The body, which identifies the message and whose last line shows
    that it arrived whole; a few are larger than a pipe's buffer."""
    lines = rnd.choice((3, 3, 3, 40, 1500))
    text = "".join("%s line %d of %d\n" % (token, i, lines) for i in range(lines))
    return text + "end of %s\n" % token


class Load:
    """The messages, their recipients and which were accepted."""

    def __init__(self, n, seed):
        rnd = random.Random(seed)
        self.msgs = []
        for i in range(n):
            token = "chaos%05d" % i
            rcpts = [rnd.choice(LOCAL + REMOTE)]
            if rnd.random() < 0.2:
                rcpts.append(rnd.choice([r for r in LOCAL + REMOTE if r != rcpts[0]]))
            via = "smtp" if i % 2 == 0 else "sendmail"
            self.msgs.append((token, rcpts, via, body(token, rnd)))
        self.accepted = set()
        self.retried = 0      # injections tried again after a failure
        self.unsure = set()   # sent again after the data was: may be queued twice
        self.lock = threading.Lock()

    def note(self, token, accepted=False, retried=False, unsure=False):
        with self.lock:
            if accepted:
                self.accepted.add(token)
            self.retried += 1 if retried else 0
            if unsure:
                self.unsure.add(token)


def text_of(token, rcpts, b):
    return "From: chaos@a.example\nTo: %s\nSubject: %s\n\n%s" % (", ".join(rcpts), token, b)


def smtp_client(load, port, queue):
    """Many messages per session; a dead session is replaced and the
    message sent again (the same token, so a repeat shows as a duplicate)."""
    s = None
    for token, rcpts, _, b in queue:
        for attempt in range(ATTEMPTS):
            try:
                if s is None:
                    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
                    s.ehlo("chaos.example")
                sent_data = False
                s.mail("chaos@a.example")
                for r in rcpts:
                    code, _ = s.rcpt(r)
                    if code != 250:
                        raise smtplib.SMTPException("rcpt %d" % code)
                code, _ = s.docmd("DATA")
                if code != 354:
                    raise smtplib.SMTPException("data %d" % code)
                sent_data = True
                msg = text_of(token, rcpts, b).replace("\n", "\r\n").encode()
                s.send(msg + b".\r\n")
                code, _ = s.getreply()
                if code != 250:
                    raise smtplib.SMTPException("dot %d" % code)
                load.note(token, accepted=True, retried=attempt > 0)
                break
            except (OSError, smtplib.SMTPException):
                load.note(token, unsure=sent_data)
                try:
                    if s:
                        s.close()
                except OSError:
                    pass
                s = None
                time.sleep(0.05)
    if s:
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass


def sendmail_client(load, sb, queue):
    for token, rcpts, _, b in queue:
        for attempt in range(ATTEMPTS):
            r = sb.sendmail(["-f", "chaos@a.example"] + rcpts, text_of(token, rcpts, b))
            if r.returncode == 0:
                load.note(token, accepted=True, retried=attempt > 0)
                break
            load.note(token, unsure=True)
            time.sleep(0.05)


class Killer(threading.Thread):
    """Every 100 ms: a program at random, and one running process of it
    in sandbox A (found by /proc/PID/exe), SIGKILLed."""

    def __init__(self, sb, seed):
        super().__init__(daemon=True)
        self.sb, self.rnd = sb, random.Random(seed)
        self.bins = {sb.bin(p): p for p in VICTIMS}
        self.kills = {p: 0 for p in VICTIMS}
        self.misses = {p: 0 for p in VICTIMS}
        self.victims = VICTIMS
        self.stopping = threading.Event()

    def running(self):
        out = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    p = self.bins.get(os.readlink("/proc/%s/exe" % d))
                except OSError:
                    continue
                if p:
                    out.setdefault(p, []).append(int(d))
        return out

    def run(self):
        while not self.stopping.wait(0.1):
            prog = self.rnd.choice(self.victims)
            pids = self.running().get(prog)
            if not pids:
                self.misses[prog] += 1
                continue
            try:
                os.kill(self.rnd.choice(pids), signal.SIGKILL)
                self.kills[prog] += 1
            except ProcessLookupError:
                self.misses[prog] += 1


def delivered(sb, user):
    """Every file in new/ and cur/: (token or None, whole?, name)."""
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(sb.home(user), "Maildir", sub)
        for n in os.listdir(d):
            with open(os.path.join(d, n), "rb") as f:
                m = f.read().decode("utf-8", "replace")
            g = re.search(r"^Subject: (chaos\d+)$", m, re.M)
            out.append((g.group(1) if g else None, m, n))
    return out


def busy(sb):
    """Messages still queued (info/ and todo/ entries)."""
    return [f for f in sb.queue_files() if f.startswith(("info/", "todo/"))]


load = Load(N, SEED)
tap.diag("seed %d, %d messages" % (SEED, N))
with Sandbox(start=False) as a, Sandbox(start=False) as b:
    with_domain(a, "a.example")
    with_domain(b, "b.example")
    a.control("smtproutes", "b.example:127.0.0.1:%d" % b.port)
    a.control("timeoutremote", "30")
    for u in ("alice", "bob", "chaos"):
        a.add_user(u)
    for u in ("carol", "dave"):
        b.add_user(u)
    a.start()
    b.start()
    bpid = b.send_pid()

    t0 = time.time()
    killer = Killer(a, SEED)
    killer.start()
    smtp = [m for m in load.msgs if m[2] == "smtp"]
    local = [m for m in load.msgs if m[2] == "sendmail"]
    clients = [threading.Thread(target=smtp_client, args=(load, a.port, smtp[i::SMTP_CLIENTS]))
               for i in range(SMTP_CLIENTS)]
    clients += [threading.Thread(target=sendmail_client, args=(load, a, local[i::SENDMAIL_CLIENTS]))
                for i in range(SENDMAIL_CLIENTS)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    ti = time.time()
    first = dict(killer.kills), dict(killer.misses)
    killer.victims = WORKERS
    time.sleep(FIRE_AFTER)
    killer.stopping.set()
    killer.join()
    t1 = time.time()
    tap.diag("injection under fire: %.0f s, then %.0f s of deliveries under fire" % (ti - t0, t1 - ti))
    tap.diag("%d injections retried, %d after the data was sent (these may be queued twice)"
             % (load.retried, len(load.unsure)))
    tap.diag("SIGKILLs while injecting (and when no process was running):")
    for p in VICTIMS:
        tap.diag("  %-13s %4d  (%d)" % (p, first[0][p], first[1][p]))
    tap.diag("SIGKILLs of workers while delivering:")
    for p in WORKERS:
        tap.diag("  %-13s %4d  (%d)" % (p, killer.kills[p] - first[0][p], killer.misses[p] - first[1][p]))
    tap.eq(len(load.accepted), N, "every message was accepted in the end (250 after DATA, or exit 0)")
    kills, ticks = sum(killer.kills.values()), sum(killer.kills.values()) + sum(killer.misses.values())
    tap.ok(ticks >= 5 * (t1 - t0) and kills >= 20,
           "the killer struck all along (%d kills in %d rounds)" % (kills, ticks))
    tap.ok(len([p for p in VICTIMS if first[0][p]]) >= 6,
           "the kills while injecting hit most of the programs", first[0])
    tap.ok(all(killer.kills[p] > first[0][p] for p in WORKERS),
           "deliveries were killed, both local and remote", killer.kills)
    tap.eq(b.send_pid(), bpid, "only sandbox A's processes were killed: B's qmail-send kept its pid")

    # drain: svscan has restarted everything; deferred deliveries are
    # retried at once on svc -a
    def drained():
        if not busy(a) and not busy(b):
            return True
        for sb in (a, b):
            if sb.send_pid():
                sb.svc("-a")
        return False
    ok = wait_until(drained, 400, step=3)
    t2 = time.time()
    tap.ok(ok, "both queues drain (%.0f s after the killer stopped)" % (t2 - t1),
           "A: %d queued, B: %d queued" % (len(busy(a)), len(busy(b))))

    # what a killed qmail-queue leaves (pid/, a mess/ without todo/ or
    # info/, intd/) is removed by the scan qmail-send makes when it starts
    left = [f for f in a.queue_files() if not f.startswith(("info/", "todo/"))]
    tap.diag("A's injection leftovers before the restart: %d (%s)"
             % (len(left), ", ".join(sorted(set(f.split("/")[0] for f in left)))))
    a.restart()
    tap.ok(a.wait_queue_empty(60), "A's queue is empty after qmail-send's start-up scan", "\n".join(a.queue_files()))
    tap.ok(b.wait_queue_empty(30), "B's queue is empty", "\n".join(b.queue_files()))

    want = {}
    for token, rcpts, _, bd in load.msgs:
        for r in rcpts:
            want.setdefault(r, {})[token] = bd
    missing, torn, stray, dups, tmp = [], [], [], {}, {}
    dup_inject = 0
    for addr in LOCAL + REMOTE:
        user, dom = addr.split("@")
        sb = a if dom == "a.example" else b
        seen = {}
        for token, m, name in delivered(sb, user):
            if token is None or token not in want[addr]:
                stray.append("%s: %s" % (addr, name))
                continue
            seen[token] = seen.get(token, 0) + 1
            if not m.endswith("\n\n" + want[addr][token]) or not re.search(r"^Delivered-To: ", m, re.M):
                torn.append("%s: %s (%d bytes)" % (addr, name, len(m)))
        missing += ["%s %s" % (t, addr) for t in want[addr] if t in load.accepted and t not in seen]
        dups[addr] = sum(c - 1 for c in seen.values())
        dup_inject += sum(c - 1 for t, c in seen.items() if t in load.unsure)
        tmp[addr] = len(os.listdir(os.path.join(sb.home(user), "Maildir", "tmp")))
    tap.eq(missing[:20], [], "every accepted message is in each of its recipients' Maildirs (%d missing)" % len(missing))
    tap.eq(torn[:20], [], "every delivered file is whole: its body ends with the token's last line")
    tap.eq(stray[:20], [], "nothing else was delivered to the users")
    alias = os.path.join(a.path("alias"), "Maildir")
    bounces = delivered(a, "chaos") + os.listdir(os.path.join(alias, "new")) + os.listdir(os.path.join(alias, "cur"))
    tap.eq(len(bounces), 0, "nothing bounced (a killed delivery defers)")
    tap.diag("duplicates: local %d, remote %d (%s)" % (sum(dups[r] for r in LOCAL), sum(dups[r] for r in REMOTE),
                                                          ", ".join("%s %d" % kv for kv in dups.items())))
    tap.diag("  of them %d of messages sent again after an unanswered DATA, %d repeated deliveries"
             % (dup_inject, sum(dups.values()) - dup_inject))
    tap.diag("Maildir/tmp leftovers of killed qmail-local runs: %d" % sum(tmp.values()))
    tap.diag("total %.0f s: injection %.0f s, drain %.0f s" % (t2 - t0, t1 - t0, t2 - t1))
tap.done()
