#!/usr/bin/env python3
# qmailctl on a running sandbox: every verb does what it says to the real
# services (svscan, supervise, qmail-send, tcpserver), answers with a clear
# message, and exits with the code qmailctl(8) gives it.
import os, re, socket, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until


def ctl(sb, *args):
    return sb.ctl(*args)


def svstat(sb, name):
    return subprocess.run(["svstat", sb.path("service", name)], capture_output=True, text=True).stdout


def up_for(sb, name, seconds):
    """supervise ignores commands in a service's first second"""
    m = re.search(r": up \(pid \d+\) (\d+) seconds", svstat(sb, name))
    return m and int(m.group(1)) >= seconds


def refused(sb):
    try:
        socket.create_connection(("127.0.0.1", sb.port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


with Sandbox() as sb:
    # ---- usage ----
    r = ctl(sb, "help")
    tap.ok(r.returncode == 0 and all(v in r.stdout for v in (
        "start", "stop", "restart", "stat", "queue", "flush", "reload", "pause", "cont", "cdb", "check")),
        "help lists every command", r.stdout)
    r = ctl(sb)
    tap.ok(r.returncode == 1 and "usage:" in r.stderr, "no command: usage, exit 1", r)
    r = ctl(sb, "frobnicate")
    tap.ok(r.returncode == 1 and "unknown command: frobnicate" in r.stderr, "an unknown command is named, exit 1", r)
    r = ctl(sb, "flush", "now")
    tap.ok(r.returncode == 1 and "flush takes no arguments" in r.stderr, "arguments where none are taken: exit 1", r)
    r = ctl(sb, "restart", "qmail-foo")
    tap.ok(r.returncode == 1 and "no service named qmail-foo; there are: qmail-send qmail-smtpd" in r.stderr,
           "an unknown service is named, with the real ones", r)

    # ---- stat ----
    wait_until(lambda: all(up_for(sb, n, 2) for n in ("qmail-send", "qmail-smtpd", "qmail-send/log")), 10)
    r = ctl(sb, "stat")
    tap.eq(r.returncode, 0, "stat: exit 0 when everything is up")
    tap.ok(r.stdout.count("/service/") == 4 and r.stdout.count(": up (pid ") == 5 and "svscan: up" in r.stdout
           and "messages in queue: 0" in r.stdout, "stat shows svscan, two services, two logs and the queue", r.stdout)

    # ---- flush: a deferred message is tried again at once ----
    sb.add_user("defer")
    sb.dotqmail("defer", "", "|exit 111\n")
    sb.sendmail(["defer@" + sb.domain], "Subject: later\n\nx\n")
    tap.ok(sb.wait_log(r"delivery \d+: deferral"), "a message is deferred")
    starts = sb.log().count("starting delivery")
    r = ctl(sb, "queue")
    tap.ok(r.returncode == 0 and "defer@" + sb.domain in r.stdout, "queue lists it", r)
    r = ctl(sb, "flush")
    tap.ok(r.returncode == 0 and "flushing the queue" in r.stdout, "flush: exit 0, says so", r)
    # its own schedule would try again only 100 seconds after its birth
    tap.ok(wait_until(lambda: sb.log().count("starting delivery") > starts, 30),
           "and qmail-send tries the deferred message again", sb.log()[-2000:])
    r = ctl(sb, "stat")
    tap.ok("messages in queue: 1" in r.stdout, "stat counts it", r.stdout)

    # ---- reload ----
    n = sb.log().count("status: rereading control files")
    r = ctl(sb, "reload")
    tap.ok(r.returncode == 0 and "rereading control files" in r.stdout, "reload: exit 0", r)
    tap.ok(wait_until(lambda: sb.log().count("status: rereading control files") > n, 15),
           "and qmail-send rereads its control files")

    # ---- pause, cont ----
    r = ctl(sb, "pause")
    tap.ok(r.returncode == 0 and "paused" in svstat(sb, "qmail-send") and "paused" in svstat(sb, "qmail-smtpd"),
           "pause: both services are paused", r.stderr + svstat(sb, "qmail-send"))
    tap.eq(ctl(sb, "stat").returncode, 3, "stat: exit 3 while paused")
    r = ctl(sb, "cont")
    # supervise reads svc's command from its fifo when it next runs: on a
    # loaded machine (make check-asan) the status lags a moment
    tap.ok(r.returncode == 0 and wait_until(lambda: "paused" not in svstat(sb, "qmail-send"), 10),
           "cont: running again", r)
    tap.ok(wait_until(lambda: ctl(sb, "stat").returncode == 0, 10), "stat: exit 0 again")

    # ---- one service at a time ----
    r = ctl(sb, "stop", "qmail-smtpd")
    tap.ok(r.returncode == 0 and "stopped qmail-smtpd" in r.stdout, "stop qmail-smtpd", r)
    tap.ok(wait_until(lambda: refused(sb), 10), "nobody listens on the SMTP port any more")
    tap.ok(sb.send_pid() is not None, "qmail-send runs on")
    r = ctl(sb, "stat")
    tap.ok(r.returncode == 3 and "qmail-smtpd: down" in r.stdout, "stat: exit 3, qmail-smtpd down", r.stdout)
    r = ctl(sb, "start", "qmail-smtpd")
    tap.ok(r.returncode == 0 and wait_until(sb.smtp_greets, 10), "start qmail-smtpd: it greets again", r)
    old = sb.send_pid()
    r = ctl(sb, "restart", "qmail-send")
    tap.ok(r.returncode == 0 and wait_until(lambda: sb.send_pid() not in (None, old), 15),
           "restart qmail-send: a new qmail-send", r)

    # ---- flush and reload need qmail-send up ----
    wait_until(lambda: up_for(sb, "qmail-send", 2), 10)
    ctl(sb, "stop", "qmail-send")
    wait_until(lambda: "down" in svstat(sb, "qmail-send"), 60)
    for verb in ("flush", "reload"):
        r = ctl(sb, verb)
        tap.ok(r.returncode == 111 and "qmail-send is not up" in r.stderr and "nothing to " + verb in r.stderr,
               verb + " with qmail-send down: exit 111, says why", r)
    r = ctl(sb, "start", "qmail-send")
    tap.ok(r.returncode == 0 and wait_until(lambda: sb.send_pid(), 10), "start qmail-send", r)

    # ---- cdb: tcp.smtp and morercpthosts, read at the next connection ----
    rules = sb.path("control", "tcp.smtp")
    good = open(rules).read()
    sb.write(rules, "127.0.0.1:deny\n:allow\n")
    r = ctl(sb, "cdb")
    tap.ok(r.returncode == 0 and "compiled %s into %s.cdb" % (rules, rules) in r.stdout, "cdb compiles tcp.smtp", r)
    tap.eq(os.stat(rules + ".cdb").st_uid, sb.uid, "as the sandbox's owner")

    def dropped():
        try:
            with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as c:
                return c.recv(512) == b""
        except OSError:
            return False
    tap.ok(dropped(), "tcpserver now drops 127.0.0.1 without a greeting")
    sb.write(rules, "127.0.0.1:allow,RELAYCLIENT=\"\"\nthis is no rule\n")
    r = ctl(sb, "cdb")
    tap.ok(r.returncode == 111 and "neither allow nor deny" in r.stderr and "2: this is no rule" in r.stderr,
           "a rule without allow or deny (tcprules would loop on it): exit 111, the line named", r)
    sb.write(rules, "127.0.0.1:allow,RELAYCLIENT\n")
    r = ctl(sb, "cdb")
    tap.ok(r.returncode == 111 and "unable to compile " + rules in r.stderr and "unable to parse" in r.stderr,
           "a rule tcprules refuses: exit 111, with tcprules' reason", r)
    tap.ok(dropped(), "and the old rules stay in force")
    sb.write(rules, good)
    sb.write(sb.path("control", "morercpthosts"), "more.example\n")
    r = ctl(sb, "cdb")
    tap.ok(r.returncode == 0 and "morercpthosts.cdb" in r.stdout and os.path.exists(sb.path("control", "morercpthosts.cdb")),
           "cdb compiles morercpthosts too", r)
    tap.ok(sb.smtp_greets(), "127.0.0.1 is let in again")
    c = sb.smtp_connect("127.0.0.2")
    c.cmd("HELO x")
    c.cmd("MAIL FROM:<a@b.example>")
    code, text = c.cmd("RCPT TO:<u@more.example>")
    c.close()
    tap.eq(code, 250, "qmail-smtpd takes mail for a domain of morercpthosts")
    os.unlink(sb.path("control", "tcp.smtp"))
    os.unlink(sb.path("control", "tcp.smtp.cdb"))
    os.unlink(sb.path("control", "morercpthosts"))
    os.unlink(sb.path("control", "morercpthosts.cdb"))
    r = ctl(sb, "cdb")
    tap.ok(r.returncode == 0 and "nothing to compile" in r.stdout, "cdb with nothing to compile says so", r)
    sb.write(rules, good)
    ctl(sb, "cdb")

    # ---- stop, and stat of a stopped sandbox ----
    r = ctl(sb, "stop")
    tap.ok(r.returncode == 0 and "stopped" in r.stdout, "stop", r)
    r = ctl(sb, "stat")
    tap.ok(r.returncode == 3 and "svscan: not running" in r.stdout, "stat of a stopped sandbox: exit 3", r)
    for verb in ("flush", "reload", "pause", "cont"):
        r = ctl(sb, verb)
        tap.ok(r.returncode == 111 and "not running" in r.stderr, verb + " of a stopped sandbox: exit 111", r)
    r = ctl(sb, "stop", "qmail-smtpd")
    tap.ok(r.returncode == 111 and "not running" in r.stderr, "stop of one service needs a running sandbox", r)
tap.done()
