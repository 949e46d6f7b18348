#!/usr/bin/env python3
# Remote failures, against a scripted SMTP server that misbehaves on
# purpose: 4xx and 5xx at greeting, EHLO (HELO fallback), MAIL, RCPT,
# DATA and after the final dot, a close in the middle of DATA, a server
# that never answers. A 4xx or a broken connection defers (deferral in
# the log, the message stays queued, and it is delivered once the server
# is fixed and svc -a is sent); a 5xx bounces with the server's text.
# An unreachable host is remembered in lock/tcpto.
import os, re, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, free_port, wait_until
from remote import ScriptedSMTP

# name: (script, expected outcome, text the report must hold)
CASES = {
    "greet4": ({"greeting": "421 greet busy"}, "deferral", "421_greet_busy"),
    "greet5": ({"greeting": "554 greet go away"}, "failure", "554 greet go away"),
    "ehlo5": ({"ehlo": "502 what is EHLO"}, "success", "250_accepted,_id_42"),
    "helo5": ({"ehlo": "500 no ehlo", "helo": "501 helo refused here"}, "failure", "501 helo refused here"),
    "ehlo4": ({"ehlo": "421 ehlo busy"}, "deferral", "421_ehlo_busy"),
    "mail4": ({"mail": "451 mail later"}, "deferral", "451_mail_later"),
    "mail5": ({"mail": "553 sender refused"}, "failure", "553 sender refused"),
    "rcpt4": ({"rcpt": "450 mailbox busy"}, "deferral", "450_mailbox_busy"),
    "rcpt5": ({"rcpt": "550-no such user\r\n550 really not"}, "failure", "550-no such user\n550 really not"),
    "data4": ({"data": "451 data later"}, "deferral", "451_data_later"),
    "data5": ({"data": "554 no data for you"}, "failure", "554 no data for you"),
    "dot4": ({"dot": "452 dot later"}, "deferral", "452_dot_later"),
    "dot5": ({"dot": "552 message refused, too spammy"}, "failure", "552 message refused, too spammy"),
    "middata": ({"middata": "close"}, "deferral", "failed_while_sending_the_message"),
    "afterdot": ({"dot": "close"}, "deferral", "after_the_final_dot"),
    "hang": ({"greeting": "hang"}, "deferral", "Connection_timed_out"),
    "hangdata": ({"dot": "hang"}, "deferral", "after_the_final_dot"),
}


def outcomes(log):
    """remote recipient -> list of (outcome, text) in log order. qmail-send
    numbers deliveries with one counter for both channels, so a number
    names one delivery."""
    flight, out = {}, {}
    for line in log.splitlines():
        m = re.match(r"starting delivery (\d+): msg \d+ to (local|remote) (\S+)$", line)
        if m:
            flight[m.group(1)] = (m.group(2), m.group(3))
            continue
        m = re.match(r"delivery (\d+): (success|deferral|failure): (.*)$", line)
        if not m:
            continue
        chan, rcpt = flight.pop(m.group(1), (None, None))
        if chan == "remote":
            out.setdefault(rcpt, []).append((m.group(2), m.group(3)))
    return out


with Sandbox(start=False) as sb:
    D = sb.domain
    sb.add_user("bob")
    servers = {name: ScriptedSMTP(script) for name, (script, _, _) in CASES.items()}
    dead = free_port()
    routes = ["%s.example:[127.0.0.1]:%d" % (n, s.port) for n, s in servers.items()]
    routes.append("dead.example:[127.0.0.2]:%d" % dead)
    sb.control("smtproutes", "\n".join(routes))
    sb.control("timeoutremote", "8")
    sb.control("timeoutconnect", "3")
    sb.start()

    # the one for middata is larger than what socket buffers hold, so the
    # close is seen while the message is still being written
    big = "".join("%07d filler filler filler filler filler filler filler\n" % i for i in range(150000))
    for name in CASES:
        r = sb.sendmail(["-f", "bob@" + D, "user@%s.example" % name],
                        "Subject: case %s\n\nline one\nline two\nline three\n%s" % (name, big if name == "middata" else ""))
        tap.eq(r.returncode, 0, "queued a message for user@%s.example" % name)
    r = sb.sendmail(["-f", "bob@" + D, "user@dead.example"], "Subject: dead\n\nx\n")

    def settled():
        o = outcomes(sb.log())
        return all(("user@%s.example" % n) in o for n in CASES) and "user@dead.example" in o
    tap.ok(wait_until(settled, 60), "every delivery has an outcome in the log", sb.log())
    o = outcomes(sb.log())
    nums = [int(n) for n in re.findall(r"^starting delivery (\d+): msg \d+ to (?:local|remote) ", sb.log(), re.M)]
    tap.ok(nums and nums == list(range(nums[0], nums[0] + len(nums))),
           "the log numbers local and remote deliveries with one counter", nums)
    bounces = sb.wait_maildir("bob", sum(1 for c in CASES.values() if c[1] == "failure"), 30) or []
    for name, (script, want, text) in CASES.items():
        got = o.get("user@%s.example" % name, [])
        first = got[0] if got else ("none", "")
        tap.eq(first[0], want, "%s: %s" % (name, want))
        if want == "failure":
            b = [x for x in bounces if "<user@%s.example>:" % name in x]
            tap.ok(b and text in b[0], "  the bounce to the sender has the server's text", b[0] if b else bounces)
        else:
            tap.ok(text in first[1], "  the log has the reason", first[1])

    s = servers["ehlo5"]
    tap.ok(any(c.startswith("HELO ") for c in s.commands), "EHLO refused with 5xx: HELO follows", s.commands)
    tap.ok(not any("SIZE=" in c for c in s.commands if c.startswith("MAIL")), "  and no extensions after HELO", s.commands)
    s = servers["dot4"]
    tap.ok(any(re.match(r"MAIL FROM:<bob@\S+> SIZE=\d+$", c) for c in s.commands),
           "SIZE= is sent when offered", s.commands)
    tap.ok(servers["middata"].messages == [] and servers["hangdata"].messages != [],
           "the server that closed mid-DATA got no message; the silent one got it")
    tap.ok("Connection_timed_out" in o.get("user@dead.example", [("", "")])[0][1] or
           "Connection_refused" in o.get("user@dead.example", [("", "")])[0][1],
           "an unreachable host defers", o.get("user@dead.example"))

    # deferred mail is still queued; fix the servers, svc -a, delivered
    q = sb.qread().stdout
    for name, (_, want, _) in CASES.items():
        if want == "deferral":
            tap.ok("user@%s.example" % name in q, "%s: still in the queue" % name, q)
    for s in servers.values():
        s.script = {}
    sb.svc("-a")

    def redelivered():
        o = outcomes(sb.log())
        return all(o.get("user@%s.example" % n, [("", "")])[-1][0] == "success"
                   for n, c in CASES.items() if c[1] == "deferral")
    tap.ok(wait_until(redelivered, 60), "after the fix and svc -a every deferred message is delivered", sb.log())
    for name, (_, want, _) in CASES.items():
        if want == "deferral" and name not in ("afterdot", "hangdata"):
            tap.eq(len(servers[name].messages), 1, "%s: the fixed server has the message once" % name)
    tap.ok(len(servers["afterdot"].messages) == 2,
           "a connection lost after the dot means a retry: the message came twice (the documented risk)")

    # the dead host: two failures in a row and it is held off
    tap.ok(wait_until(lambda: len(outcomes(sb.log()).get("user@dead.example", [])) >= 2, 30),
           "the dead host was tried a second time on the first svc -a")
    sb.svc("-a")
    tap.ok(wait_until(lambda: len(outcomes(sb.log()).get("user@dead.example", [])) >= 3, 30),
           "the dead host is tried again on svc -a")
    t = subprocess.run([sb.bin("qmail-tcpto")], capture_output=True, text=True)
    tap.ok(re.search(r"^127\.0\.0\.2: \d+ failures in a row, the last \d+ seconds ago; held off$", t.stdout, re.M),
           "qmail-tcpto shows it held off", t.stdout + t.stderr)
    last = outcomes(sb.log())["user@dead.example"][-1]
    tap.ok(last[0] == "deferral" and "held_off_by_lock/tcpto" in last[1], "and the next delivery skips it", last)
    for s in servers.values():
        s.stop()
tap.done()
