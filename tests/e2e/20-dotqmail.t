#!/usr/bin/env python3
# .qmail instructions: Maildir, mbox (read back with Python's mailbox
# module), programs with each exit code and the qmail-command environment,
# forwards, .qmail-ext and .qmail-default.
import mailbox, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from neoq import tap, Sandbox, wait_until

def send(sb, rcpt, subject, sender=None, body="body text\nFrom the start of a line\n"):
    sender = sender or "bob@" + sb.domain
    r = sb.sendmail(["-f", sender, rcpt], "Subject: %s\n\n%s" % (subject, body))
    tap.eq(r.returncode, 0, "sendmail accepts mail for %s (%s)" % (rcpt, subject))

with Sandbox() as sb:
    D = sb.domain
    alice = sb.add_user("alice")
    sb.add_user("bob")
    sb.add_user("carol")
    os.makedirs(os.path.join(alice, "Other"), exist_ok=True)
    import subprocess
    subprocess.run([sb.bin("maildirmake"), os.path.join(alice, "Other", "md")], check=True)
    sb.own(os.path.join(alice, "Other"))

    # Maildir + mbox + program with environment dump, all in one .qmail
    sb.dotqmail("alice", "", "# comment line\n./Other/md/\n./mbox\n|env > envdump\n")
    send(sb, f"alice@{D}", "three ways")
    tap.ok(sb.wait_maildir("alice", 1, base="Other/md"), "the Maildir line delivered")
    mbox_path = os.path.join(alice, "mbox")
    tap.ok(wait_until(lambda: os.path.exists(mbox_path) and os.path.getsize(mbox_path) > 0, 20), "the mbox line delivered")
    box = mailbox.mbox(mbox_path)
    msgs = list(box)
    tap.eq(len(msgs), 1, "Python's mailbox module reads one message from the mbox")
    if msgs:
        tap.eq(msgs[0]["Subject"], "three ways", "with its Subject")
        tap.ok(msgs[0].get_from().startswith(f"bob@{D} "), "From_ line carries the envelope sender", msgs[0].get_from())
        tap.ok(">From the start" in msgs[0].get_payload(), "a body line starting with From is quoted as >From",
               msgs[0].get_payload())
    envdump = os.path.join(alice, "envdump")
    tap.ok(wait_until(lambda: os.path.exists(envdump), 20), "the program ran")
    env = {}
    if os.path.exists(envdump):
        for line in open(envdump):
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    expect = {"RECIPIENT": f"alice@{D}", "USER": sb.user, "HOME": alice, "LOCAL": "alice",
              "HOST": D, "EXT": "", "SENDER": f"bob@{D}", "NEWSENDER": f"bob@{D}",
              "UFLINE": f"From bob@{D}"}
    for k, v in expect.items():
        got = env.get(k)
        if k == "UFLINE":
            tap.ok(got is not None and got.startswith(v), "qmail-command %s" % k, got)
        else:
            tap.eq(got, v, "qmail-command %s" % k)
    tap.eq(env.get("DTLINE"), f"Delivered-To: alice@{D}", "qmail-command DTLINE")
    tap.eq(env.get("RPLINE"), f"Return-Path: <bob@{D}>", "qmail-command RPLINE")

    # extensions: .qmail-foo, .qmail-default with DEFAULT, EXT2..4, HOST2..4
    sb.dotqmail("alice", "foo", "|echo \"$EXT|$EXT2|$HOST2|$HOST3|$HOST4\" > extdump\n./Other/md/\n")
    sb.dotqmail("alice", "default", "|echo \"$DEFAULT|$EXT|$EXT2|$EXT3|$EXT4\" > defdump\n")
    send(sb, f"alice-foo@{D}", "ext foo")
    send(sb, f"alice-bar-baz-qux@{D}", "default")
    extdump, defdump = os.path.join(alice, "extdump"), os.path.join(alice, "defdump")
    # the shell makes the file before echo writes its line: wait for the line
    def written(fn):
        return os.path.exists(fn) and open(fn).read().endswith("\n")
    tap.ok(wait_until(lambda: written(extdump), 20), ".qmail-foo used for alice-foo")
    tap.ok(wait_until(lambda: written(defdump), 20), ".qmail-default used for alice-bar-baz-qux")
    if os.path.exists(extdump):
        h2 = D.rsplit(".", 1)[0]; h3 = h2.rsplit(".", 1)[0]; h4 = h3.rsplit(".", 1)[0]
        tap.eq(open(extdump).read(), "foo||%s|%s|%s\n" % (h2, h3, h4), f"EXT, EXT2, HOST2..4 for alice-foo@{D}")
    if os.path.exists(defdump):
        tap.eq(open(defdump).read(), "bar-baz-qux|bar-baz-qux|baz-qux|qux|\n", "DEFAULT and EXT..EXT4 for the default")

    # exit 99 stops the file; later lines do not run
    sb.dotqmail("carol", "", "|exit 99\n./Maildir/\n")
    send(sb, f"carol@{D}", "ninety-nine")
    tap.ok(sb.wait_log(r"delivery \d+: success"), "exit 99 counts as delivered")
    # exit 100 bounces to the sender with the program's words
    sb.dotqmail("carol", "perm", "|echo no such list here; exit 100\n")
    send(sb, f"carol-perm@{D}", "perm fail")
    bounces = sb.wait_maildir("bob", 1)
    tap.ok(bounces and "no such list here" in bounces[0] and f"<carol-perm@{D}>:" in bounces[0],
           "exit 100 bounces to the sender with the program's text", bounces[0] if bounces else sb.log())
    tap.ok(bounces and "Hi. This is the" in bounces[0] and "--- Below this line is a copy of the message." in bounces[0],
           "the bounce is QSBMF")
    tap.eq(len(sb.maildir("carol")), 0, "nothing after exit 99 was delivered")

    # forwards: &address and a bare address, in one .qmail
    sb.dotqmail("carol", "fwd", f"&alice-foo@{D}\nbob@{D}\n")
    send(sb, f"carol-fwd@{D}", "forwarded", sender="origin@example.org")
    bobs = sb.wait_maildir("bob", 2)
    fwd = [m for m in (bobs or []) if "forwarded" in m]
    tap.ok(fwd and f"Delivered-To: carol-fwd@{D}" in fwd[0], "a bare-address forward arrives, with the forwarder's Delivered-To",
           fwd[0] if fwd else "")
    tap.ok(fwd and "Return-Path: <origin@example.org>" in fwd[0], "forwards keep the original envelope sender")
    tap.ok(sb.wait_maildir("alice", 3, base="Other/md"), "the &address forward arrives too")

    # exit 111 defers: the message stays, and is retried
    sb.dotqmail("carol", "temp", "|test -f ok || { echo not yet; exit 111; }\n./Maildir/\n")
    send(sb, f"carol-temp@{D}", "deferred")
    tap.ok(sb.wait_log(r"delivery \d+: deferral: not_yet/"), "exit 111 is a deferral, with the program's text in the log")
    tap.ok(sb.queue_files(), "the deferred message stays in the queue")
    sb.write(os.path.join(sb.home("carol"), "ok"), "")
    sb.svc("-a")
    tap.ok(sb.wait_maildir("carol", 1), "after svc -a the retry delivers it")
    tap.ok(sb.wait_queue_empty(), "and the queue is empty", "\n".join(sb.queue_files()))
tap.done()
