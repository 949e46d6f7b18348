#!/usr/bin/env python3
# Faults around a running sandbox, each with its right outcome and no loss:
# - a read-only queue (root: a tmpfs remounted ro): qmail-queue exits 63,
#   sendmail 75, qmail-smtpd 451; qmail-send cannot open a deferred
#   message's files, warns and retries; writable again, delivered once;
# - unreadable queue directories: info/ makes qmail-send log an alert and
#   exit (svscan retries it), todo/ makes injection fail with 451 and
#   qmail-todo log an alert; mail accepted meanwhile is delivered once
#   the modes are right;
# - missing control files: without control/me qmail-send logs an alert
#   (on svc -h it keeps its old settings; at start it exits and svscan
#   retries it), qmail-smtpd answers 421, sendmail still queues; without
#   rcpthosts no stranger may relay (an unreadable one: 421); without
#   locals, me is local.
# - qmail-remote killed after the server took the message, while it waits
#   for the reply to QUIT: delivered, not sent again.
# A remote host that accepts DATA and drops the connection before the
# final reply is tests/e2e/91-remote-fail.t's "afterdot" case.
import os, re, signal, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until
from remote import ScriptedSMTP

ROOT = os.geteuid() == 0


def as_user(sb, argv):
    """argv run as the sandbox's user: root would ignore the modes."""
    return (["setuidgid", sb.user] if ROOT else []) + argv


def sendmail(sb, rcpt, subject):
    return subprocess.run(as_user(sb, [sb.bin("sendmail"), "-f", "bob@" + sb.domain, rcpt]),
                          input=("Subject: %s\n\nbody of %s\n" % (subject, subject)).encode(),
                          capture_output=True)


def smtp(sb, rcpt, subject, source="127.0.0.1"):
    """(RCPT reply code, final reply) of one SMTP transaction."""
    c = sb.smtp_connect(source)
    if c.greeting[0] != 220:
        return c.greeting
    c.cmd("HELO faults.example")
    c.cmd("MAIL FROM:<bob@example.com>")
    code, text = c.cmd("RCPT TO:<%s>" % rcpt)
    if code != 250:
        c.close()
        return code, text
    c.cmd("DATA")
    c.send("Subject: %s\r\n\r\nbody of %s\r\n" % (subject, subject))
    r = c.cmd(".")
    c.cmd("QUIT")
    c.close()
    return r


def subjects(sb, user):
    return sorted(re.search(r"^Subject: (\S+)", m, re.M).group(1) for m in sb.maildir(user)
                  if re.search(r"^Subject: (\S+)", m, re.M))


def count(sb, pattern):
    return len(re.findall(pattern, sb.log(), re.M))


def drained(sb):
    def check():
        if not [f for f in sb.queue_files() if f.startswith(("info/", "todo/"))]:
            return True
        sb.svc("-a")
        return False
    return wait_until(check, 60, step=1)


# --- a read-only queue ---
if not ROOT:
    tap.n += 1
    print("ok %d # SKIP read-only queue: needs root to mount a tmpfs" % tap.n)
else:
    with Sandbox(start=False) as sb:
        D = sb.domain
        sb.add_user("alice")
        go = os.path.join(sb.base, "go")
        # alice's mail waits (defers) until the file go exists
        sb.dotqmail("alice", "", "|test -e %s || exit 111\n./Maildir/\n" % go)
        q = sb.path("queue")
        subprocess.run(["cp", "-a", q, q + ".orig"], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", q], check=True)
        try:
            subprocess.run(["cp", "-a", q + ".orig/.", q], check=True)
            sb.start()
            r = sendmail(sb, "alice@" + D, "ro1")
            tap.eq(r.returncode, 0, "a message for alice is queued")
            tap.ok(sb.wait_log(r"^delivery \d+: deferral: ", 20), "its delivery defers (alice is not ready)")
            # no delivery may hold a queue file open for writing, or the
            # remount fails with EBUSY
            ro = wait_until(lambda: subprocess.run(["mount", "-o", "remount,ro", q],
                                                   stderr=subprocess.DEVNULL).returncode == 0, 20, step=0.5)
            tap.ok(ro, "the queue's file system is remounted read-only under a running qmail-send")
            rc, err = sb.qmail_queue(b"Subject: ro2\n\nx\n", ("Fbob@%s\0Talice@%s\0\0" % (D, D)).encode())
            tap.eq(rc, 63, "qmail-queue exits 63 (trouble in queue/pid)")
            r = sendmail(sb, "alice@" + D, "ro3")
            tap.ok(r.returncode == 75 and b"qq trouble creating files in the queue" in r.stderr,
                   "sendmail exits 75 with qmail-queue's reason", r.stderr)
            code, text = smtp(sb, "alice@" + D, "ro4")
            tap.ok(code == 451, "qmail-smtpd answers 451 to the final dot", text)
            open(go, "w").close()
            n = count(sb, r"^warning: trouble reading local/ or info/ for msg \d+: ")
            sb.svc("-a")
            tap.ok(wait_until(lambda: count(sb, r"^warning: trouble reading local/ or info/ for msg \d+: ") > n, 20),
                   "qmail-send, told to retry, warns that it cannot open the message's files", sb.log()[-800:])
            tap.eq(subjects(sb, "alice"), [], "and delivers nothing it could not mark done")
            tap.eq(subprocess.run(["mount", "-o", "remount,rw", q]).returncode, 0, "the queue is writable again")
            tap.ok(drained(sb), "the queue drains on svc -a", "\n".join(sb.queue_files()))
            tap.eq(subjects(sb, "alice"), ["ro1"], "the accepted message is delivered once; the refused ones never")
            tap.ok(sb.wait_queue_empty(20), "nothing is left in the queue", "\n".join(sb.queue_files()))
            sb.stop()
        finally:
            sb.stop()
            subprocess.run(["umount", q])

with Sandbox() as sb:
    D = sb.domain
    sb.add_user("alice")

    # --- unreadable queue/info: qmail-send cannot start; svscan retries ---
    info = sb.path("queue", "info")
    mode = os.stat(info).st_mode & 0o7777
    os.chmod(info, 0)
    try:
        n = count(sb, r"^alert: unable to scan queue/info")
        sb.svc("-t")
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to scan queue/info, exiting") > n, 20),
               "with queue/info unreadable, qmail-send logs an alert and exits", sb.log()[-800:])
        code, text = smtp(sb, "alice@" + D, "info1")
        tap.eq(code, 250, "qmail-smtpd still accepts mail meanwhile")
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to scan queue/info, exiting") > n + 1, 20),
               "svscan starts it again, and it logs the alert again")
    finally:
        os.chmod(info, mode)
    tap.ok(sb.wait_maildir("alice", 1, 30), "with the mode back, qmail-send runs and delivers the message")

    # --- unreadable queue/todo: injection fails, qmail-todo alerts ---
    todo = sb.path("queue", "todo")
    mode = os.stat(todo).st_mode & 0o7777
    os.chmod(todo, 0)
    try:
        code, text = smtp(sb, "alice@" + D, "todo1")
        tap.ok(code == 451 and "qq trouble creating files in the queue" in text,
               "with queue/todo unreadable, qmail-smtpd answers 451 (qmail-queue: 66)", text)
        r = sendmail(sb, "alice@" + D, "todo2")
        tap.eq(r.returncode, 75, "sendmail exits 75")
        n = count(sb, r"^alert: unable to scan queue/todo: ")
        sb.restart()
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to scan queue/todo: ") > n, 20),
               "a restarted qmail-todo logs an alert for queue/todo", sb.log()[-800:])
        tap.eq([f for f in sb.queue_files() if not f.startswith("todo/")], [],
               "the refused injections left nothing in the queue")
    finally:
        os.chmod(todo, mode)
    code, text = smtp(sb, "alice@" + D, "todo3")
    tap.eq(code, 250, "with the mode back, mail is accepted again")
    tap.ok(drained(sb), "and delivered")
    tap.eq(subjects(sb, "alice"), ["info1", "todo3"], "alice has each accepted message once, no refused one")

    # --- control/me missing ---
    me = open(sb.path("control", "me")).read().strip()
    sb.control("me", None)
    try:
        n = count(sb, r"^alert: unable to read controls: ")
        pid = sb.send_pid()
        sb.svc("-h")
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to read controls: ") > n, 20),
               "control/me removed and svc -h: qmail-send logs an alert", sb.log()[-800:])
        r = sendmail(sb, "alice@" + D, "me0")
        tap.ok(r.returncode == 0 and wait_until(lambda: "me0" in subjects(sb, "alice"), 20),
               "and keeps running on the controls it had: mail is still delivered")
        tap.eq(sb.send_pid(), pid, "the same qmail-send")
        n = count(sb, r"^alert: unable to read controls: ")
        sb.svc("-t")
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to read controls: ") > n, 20),
               "without control/me qmail-send logs an alert and does not start", sb.log()[-800:])
        c = sb.smtp_connect()
        tap.ok(c.greeting[0] == 421 and "4.3.0" in c.greeting[1], "qmail-smtpd answers 421 4.3.0 and closes",
               c.greeting)
        c.close()
        r = sendmail(sb, "alice@" + D, "me1")
        tap.eq(r.returncode, 0, "sendmail still queues (defaulthost and defaultdomain are set)")
        tap.ok(wait_until(lambda: count(sb, r"^alert: unable to read controls: ") > n + 1, 20),
               "svscan keeps retrying qmail-send, and it keeps alerting")
    finally:
        sb.control("me", me)
    tap.ok(drained(sb), "with control/me back, qmail-send runs and the queue drains")
    tap.eq(subjects(sb, "alice"), ["info1", "me0", "me1", "todo3"], "the message queued meanwhile is delivered once")

    # --- control/rcpthosts missing: no open relay ---
    rh = open(sb.path("control", "rcpthosts")).read()
    sb.control("rcpthosts", None)
    try:
        code, text = smtp(sb, "alice@" + D, "rh1", source="127.0.0.2")
        tap.eq(code, 553, "without control/rcpthosts a stranger gets 553 even for a local address")
        code, text = smtp(sb, "someone@elsewhere.example", "rh2", source="127.0.0.2")
        tap.eq(code, 553, "and cannot relay")
        code, text = smtp(sb, "alice@" + D, "rh3")
        tap.eq(code, 250, "a RELAYCLIENT still can send")
    finally:
        sb.control("rcpthosts", rh)
    tap.ok(sb.wait_maildir("alice", 5, 20), "and its message arrives")

    # --- control/rcpthosts unreadable: a temporary answer, not a guess ---
    p = sb.path("control", "rcpthosts")
    os.chmod(p, 0)
    try:
        c = sb.smtp_connect("127.0.0.2")
        tap.ok(c.greeting[0] == 421, "an unreadable control/rcpthosts: qmail-smtpd answers 421", c.greeting)
        c.close()
    finally:
        os.chmod(p, 0o644)

    # --- control/locals missing: me is the local domain ---
    loc = open(sb.path("control", "locals")).read()
    sb.control("locals", None)
    try:
        tap.ok(sb.reload(), "qmail-send rereads its control files")
        r = sendmail(sb, "alice@" + D, "loc1")
        tap.eq(r.returncode, 0, "mail for alice@me is queued without control/locals")
        tap.ok(wait_until(lambda: "loc1" in subjects(sb, "alice"), 20),
               "and delivered locally (locals defaults to me)", sb.log()[-800:])
    finally:
        sb.control("locals", loc)
    tap.ok(sb.wait_queue_empty(20), "the queue is empty at the end", "\n".join(sb.queue_files()))

# --- qmail-remote killed after the server took the message, at QUIT ---
with Sandbox(start=False) as sb:
    server = ScriptedSMTP({"quit": "hang"})
    sb.control("smtproutes", "quit.example:[127.0.0.1]:%d" % server.port)
    sb.start()
    r = sendmail(sb, "user@quit.example", "quit1")
    tap.eq(r.returncode, 0, "a message for a server that never answers QUIT is queued")
    # its K report is written before QUIT is sent
    tap.ok(wait_until(lambda: "QUIT" in server.commands and sb.pids_of("qmail-remote"), 20),
           "the server has the message and qmail-remote waits for the reply to QUIT", server.commands)
    for pid in sb.pids_of("qmail-remote"):
        os.kill(pid, signal.SIGKILL)
    tap.ok(sb.wait_log(r"^delivery \d+: (success|deferral|failure): ", 20), "the delivery has an outcome")
    tap.ok(re.search(r"^delivery \d+: success: 127\.0\.0\.1_accepted_the_message", sb.log(), re.M),
           "killed after its report, qmail-remote counts as delivered", sb.log()[-600:])
    tap.ok(sb.wait_queue_empty(20), "the message is done: nothing is left to send again", "\n".join(sb.queue_files()))
    tap.eq(len(server.messages), 1, "the server got it once")
    server.stop()
tap.done()
