#!/usr/bin/env python3
# The checks an administrator runs on a sandbox: qmail-showctl (the full
# report and -c), qmail-install -c and qmailctl check, first on the tree
# mksandbox made (nothing wrong), then with real mistakes made in it: each
# is named with its file, and the exit codes say so.
import os, stat, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox


def run(sb, *args):
    return subprocess.run([sb.bin(args[0])] + list(args[1:]), capture_output=True, text=True)


with Sandbox(start=False) as sb:
    home = sb.dir
    # ---- as made: nothing is odd ----
    r = run(sb, "qmail-showctl")
    tap.ok(r.returncode == 0 and "me: This host is called " + sb.domain in r.stdout, "the full report", r)
    tap.ok("Oops!" not in r.stdout, "with no Oops! line on a fresh sandbox", r.stdout)
    tap.ok("tcp.smtp.cdb: Compiled since tcp.smtp last changed." in r.stdout
           and "Clients from 127.0.0.1 are let in with RELAYCLIENT=\"\"." in r.stdout,
           "the SMTP service's rules are known and explained", r.stdout)
    r = run(sb, "qmail-showctl", "-c")
    tap.ok(r.returncode == 0 and r.stdout == "", "qmail-showctl -c: silent, exit 0", r)
    r = run(sb, "qmail-install", "-c")
    tap.ok(r.returncode == 0 and r.stdout == "", "qmail-install -c: silent, exit 0", r)
    r = run(sb, "qmailctl", "check")
    tap.ok(r.returncode == 0 and "look right" in r.stdout, "qmailctl check: exit 0, says so", r)
    r = run(sb, "qmail-showctl", "-x")
    tap.ok(r.returncode == 100 and "usage" in r.stderr, "qmail-showctl -x: usage, exit 100", r)

    # ---- mistakes ----
    os.chmod(sb.path("control", "locals"), 0o666)
    sb.write(sb.path("control", "rcpthost"), "typo.example\n")
    sb.control("concurrencyremote", "twenty")
    sb.control("smtproutes", "slow.example:relay.example:25x\n")
    sb.control("timeoutremote", "0")
    sb.control("defaulthost", "mail example.com")
    sb.control("tcp.smtp", "127.0.0.1:allow,RELAYCLIENT=\"\"\n:deny\n")
    os.utime(sb.path("control", "tcp.smtp.cdb"), (1000000000, 1000000000))
    os.chmod(sb.path("alias", ".qmail-root"), 0o646)
    os.chmod(sb.bin("qmail-queue"), 0o755)
    os.chmod(sb.path("service", "qmail-send", "run"), 0o644)
    c = sb.path("control") + "/"
    want_showctl = [
        c + "concurrencyremote: \"twenty\" is not a number",
        c + "defaulthost: mail example.com holds a character no host name has",
        c + "locals: Writable by everybody",
        c + "smtproutes: qmail-remote cannot use this route",
        c + "tcp.smtp.cdb: tcp.smtp.cdb is older than tcp.smtp: compile it again (qmailctl cdb).",
        c + "timeoutremote: 0 seconds: every wait gives up at once.",
        c + "rcpthost: neoqmail does not use this file.",
    ]
    want_install = [
        home + "/bin/qmail-queue: mode 0755, want 04711",
        home + "/control/locals: mode 0666, want 0644",
        home + "/alias/.qmail-root: mode 0646, want 0644",
        home + "/service/qmail-send/run: mode 0644, want 0755",
    ]
    r = run(sb, "qmail-showctl", "-c")
    tap.eq(r.returncode, 1, "qmail-showctl -c: exit 1")
    lines = r.stdout.splitlines()
    for w in want_showctl:
        tap.ok(any(l.startswith(w) for l in lines), "it says: " + w[len(home):], r.stdout)
    tap.eq(len(lines), len(want_showctl), "and nothing else")
    full = run(sb, "qmail-showctl")
    tap.ok(full.returncode == 0 and full.stdout.count("\nOops! ") == len(lines),
           "the full report: exit 0, the same problems as Oops! lines", full.stdout)
    r = run(sb, "qmail-install", "-c")
    tap.eq(r.returncode, 1, "qmail-install -c: exit 1")
    tap.eq(r.stdout.splitlines(), want_install, "it names each file with its mode and the one to use")
    r = run(sb, "qmailctl", "check")
    tap.ok(r.returncode == 2 and all(w in r.stdout for w in want_install + want_showctl)
           and "found the problems above" in r.stderr, "qmailctl check: both, exit 2", r)

    # ---- repaired ----
    os.chmod(sb.path("control", "locals"), 0o644)
    os.unlink(sb.path("control", "rcpthost"))
    for f in ("concurrencyremote", "smtproutes", "timeoutremote", "defaulthost"):
        sb.control(f, None)
    r = run(sb, "qmailctl", "cdb")
    tap.eq(r.returncode, 0, "qmailctl cdb")
    os.chmod(sb.path("alias", ".qmail-root"), 0o644)
    os.chmod(sb.path("service", "qmail-send", "run"), 0o755)
    r = run(sb, "qmailctl", "check")
    tap.ok(r.returncode == 2 and r.stdout.strip() == want_install[0], "only qmail-queue is left", r)
    r = subprocess.run(["sh", os.path.join(os.path.dirname(__file__), "..", "..", "tools", "mksandbox"),
                        sb.dir, str(sb.port)], capture_output=True, text=True)
    tap.eq(r.returncode, 0, "mksandbox again (it reinstalls the programs)")
    r = run(sb, "qmailctl", "check")
    tap.ok(r.returncode == 0 and "look right" in r.stdout, "qmailctl check: all right again", r)

    # ---- unable to check ----
    os.rename(sb.path("control"), sb.path("control.away"))
    r = run(sb, "qmail-showctl", "-c")
    tap.ok(r.returncode == 111 and "unable to list " + sb.path("control") in r.stderr,
           "no control directory: qmail-showctl -c exits 111", r)
    r = run(sb, "qmailctl", "check")
    tap.ok(r.returncode == 111 and home + "/control: missing" in r.stdout and "unable to check everything" in r.stderr,
           "qmailctl check: 111, with what qmail-install found", r)
    os.rename(sb.path("control.away"), sb.path("control"))
tap.done()
