#!/usr/bin/env python3
# Many sessions at once: 1,000 SMTP sessions held open under tcpserver
# (the sandbox made with SMTPD_CONCURRENCY above that), half of them idle
# after RCPT and half in the middle of DATA, while new clients (Python's
# smtplib) connect, send complete messages and have them delivered. Then
# every held session must still answer: the idle ones a NOOP, the others
# the end of their message, which must be delivered too. Not timed: only
# that every session got its replies and every message arrived.
# NEOQ_MANY_SESSIONS=n changes the number of held sessions (a quick try).
import os, resource, smtplib, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox

N = int(os.environ.get("NEOQ_MANY_SESSIONS", "1000"))
NEW = 5             # new clients served while the sessions are held
SPARE = 100         # fds for everything else this script opens


def raise_fd_limit(want):
    """Raise the soft RLIMIT_NOFILE to want, as far as the hard limit
    allows; the limit we end with."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < want:
        soft = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


limit = raise_fd_limit(N + SPARE)
if limit != resource.RLIM_INFINITY and limit < N + SPARE:
    tap.skip_all("the hard limit on open files (%d) is below the %d this test needs" % (limit, N + SPARE))
# a subprocess inherits the raised limit; mksandbox reads this
os.environ["SMTPD_CONCURRENCY"] = str(N + 100)


def open_session(sb, rcpt, k, in_data):
    """Greeting, EHLO, MAIL, RCPT (and DATA with half a message when
    in_data): the session, or the first reply that went wrong."""
    try:
        # a session beyond tcpserver's -c waits in the listen queue with
        # no greeting: that is the failure this test looks for
        s = sb.smtp_connect(timeout=20)
    except OSError as e:
        return None, "connect: %s" % e
    if s.greeting[0] != 220:
        s.close()
        return None, "greeting %r" % (s.greeting,)
    s.sock.settimeout(60)
    steps = [("EHLO many%d.example" % k, 250), ("MAIL FROM:<held%d@many.example>" % k, 250),
             ("RCPT TO:<%s>" % rcpt, 250)]
    if in_data:
        steps.append(("DATA", 354))
    for line, want in steps:
        code, text = s.cmd(line)
        if code != want:
            s.close()
            return None, "%s: %r %r" % (line, code, text)
    if in_data:
        s.send("Subject: held %d\r\n\r\nthe first half of message %d\r\n" % (k, k))
    return s, None


def delivered_subjects(sb):
    return {line for m in sb.maildir(sb.user) for line in m.splitlines() if line.startswith("Subject: ")}


with Sandbox() as sb:
    rcpt = "%s@%s" % (sb.user, sb.domain)
    held, errors = [], []
    for k in range(N):
        s, err = open_session(sb, rcpt, k, k % 2 == 1)
        if s:
            held.append((k, s))
        else:
            errors.append("session %d: %s" % (k, err))
            if len(errors) >= 2:
                break
    tap.eq(len(held), N, "%d sessions got their greeting and 250 to EHLO, MAIL, RCPT "
           "(every second one 354 to DATA)" % N)
    if errors:
        tap.diag("\n".join(errors))
        for k, s in held:
            s.close()
        tap.done()  # the rest would only wait for sessions that never come
    smtpds = sb.pids_of("qmail-smtpd")
    tap.ok(len(smtpds) >= len(held), "a qmail-smtpd for each held session (%d running)" % len(smtpds))

    served = 0
    for i in range(NEW):
        try:
            with smtplib.SMTP("127.0.0.1", sb.port, timeout=30) as c:
                refused = c.sendmail("new%d@many.example" % i, [rcpt],
                                     "Subject: new %d\r\n\r\nsent while %d sessions were held\r\n"
                                     % (i, len(held)))
                served += not refused
        except (OSError, smtplib.SMTPException) as e:
            tap.diag("new client %d: %s" % (i, e))
    tap.eq(served, NEW, "%d new clients sent complete messages while the sessions were held" % NEW)
    want_new = {"Subject: new %d" % i for i in range(NEW)}
    got = sb.wait_maildir(sb.user, NEW, 120)
    tap.ok(want_new <= delivered_subjects(sb), "their messages are in the Maildir",
           "missing: %s" % sorted(want_new - delivered_subjects(sb)))

    noop = done = 0
    for k, s in held:
        if k % 2:
            s.send("the second half.\r\n.\r\n")
            code, _ = s.reply()
            done += code == 250
        else:
            code, _ = s.cmd("NOOP")
            noop += code == 250
    n_idle = sum(1 for k, _ in held if k % 2 == 0)
    tap.eq(noop, n_idle, "every idle session is still open: 250 to NOOP")
    tap.eq(done, len(held) - n_idle, "every session held in DATA is still open: 250 to the final dot")
    quits = 0
    for k, s in held:
        code, _ = s.cmd("QUIT")
        quits += code == 221
        s.close()
    tap.eq(quits, len(held), "every held session ends with 221 to QUIT")
    want_held = {"Subject: held %d" % k for k, _ in held if k % 2}
    sb.wait_maildir(sb.user, NEW + len(want_held), 300)
    subjects = delivered_subjects(sb)
    tap.ok(want_held <= subjects, "the %d messages finished by held sessions are delivered" % len(want_held),
           "missing %d, e.g. %s" % (len(want_held - subjects), sorted(want_held - subjects)[:5]))
    tap.eq(len(sb.maildir(sb.user)), NEW + len(want_held), "nothing delivered twice or extra")
    tap.eq(sb.smtp_crashes(), [], "no qmail-smtpd died of a signal")
tap.done()
