"""A private Postfix instance for the benchmark, in a scratch directory.

It has its own config_directory (main.cf, master.cf), queue_directory and
data_directory, listens only on 127.0.0.1:PORT (a free port; every other
service is a UNIX socket in its own queue), takes mail for one virtual
Maildir (DOMAIN, one user, files owned by nobody) and routes the remote test
domain to an smtp-sink by transport_maps. It is started with
`postfix -c DIR start` and stopped with `postfix -c DIR stop`, and never
touches the system's instance (MAIL_CONFIG is set as well as -c).
Postfix's own defaults are kept everywhere else (process limits, in_flow_delay,
connection cache, fsync of queue files), except for the remote test's
default_destination_concurrency_limit (and process limit to match).
"""
import os
import pwd
import grp
import subprocess
import time

from .common import BenchError, kill_pid, alive, session_pids, proc_stat, wait_smtp

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
DOMAIN = "bench.test"
USER = "bench"

MASTER_CF = """\
# written by tools/bench: one SMTP listener on loopback, the rest internal
127.0.0.1:{port} inet n - n - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
local      unix  - n n -     - local
virtual    unix  - n n -     - virtual
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
"""


def available():
    return os.path.exists(POSTFIX) and os.geteuid() == 0


class Postfix:
    def __init__(self, base):
        self.dir = os.path.join(base, "postfix")
        self.etc = os.path.join(self.dir, "etc")
        self.queue = os.path.join(self.dir, "queue")
        self.data = os.path.join(self.dir, "data")
        self.vmail = os.path.join(self.dir, "vmail")
        self.maillog = os.path.join(self.dir, "maillog")
        self.port = None
        self.master = None
        self.route = None        # (domain, port) of the smtp-sink
        self.concurrency = None  # default_destination_concurrency_limit
        self.rcpt = "%s@%s" % (USER, DOMAIN)
        self.maildir_new = os.path.join(self.vmail, USER, "Maildir", "new")
        self.env = dict(os.environ, MAIL_CONFIG=self.etc)
        self.mail_uid = pwd.getpwnam("nobody").pw_uid
        self.mail_gid = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_gid

    def version(self):
        r = subprocess.run(["postconf", "-c", self.etc, "-h", "mail_version"],
                           capture_output=True, text=True, env=self.env)
        return r.stdout.strip() or "?"

    # ---- configuration ----
    def setup(self, port):
        self.port = port
        for d in (self.dir, self.etc, self.queue, self.data, self.vmail):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        os.chown(self.data, pwd.getpwnam("postfix").pw_uid, -1)
        md = os.path.join(self.vmail, USER, "Maildir")
        for sub in ("", "/new", "/cur", "/tmp"):
            os.makedirs(md + sub, exist_ok=True)
        for root, dirs, files in os.walk(self.vmail):
            os.chown(root, self.mail_uid, self.mail_gid)
        self.write_config()

    def write_config(self):
        lines = [
            "# written by tools/bench for a private benchmark instance",
            "compatibility_level = 3.6",
            "queue_directory = " + self.queue,
            "data_directory = " + self.data,
            "mail_owner = postfix",
            "setgid_group = postdrop",
            "myhostname = postfix-bench.test",
            "mydomain = postfix-bench.test",
            "myorigin = $myhostname",
            "mydestination = localhost",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.0/8",
            "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
            # like tcpserver -R -H on our side: no DNS lookup of the client
            "smtpd_peername_lookup = no",
            "alias_maps =",
            "alias_database =",
            "virtual_mailbox_domains = " + DOMAIN,
            "virtual_mailbox_base = " + self.vmail,
            "virtual_mailbox_maps = inline:{ {%s = %s/Maildir/} }" % (self.rcpt, USER),
            "virtual_uid_maps = static:%d" % self.mail_uid,
            "virtual_gid_maps = static:%d" % self.mail_gid,
            # a log file (postlogd), as multilog is on neoqmail's side
            "maillog_file_prefixes = " + self.dir,
            "maillog_file = " + self.maillog,
        ]
        if self.route:
            lines.append("transport_maps = inline:{ {%s = smtp:[127.0.0.1]:%d} }" % self.route)
        if self.concurrency:
            lines.append("default_destination_concurrency_limit = %d" % self.concurrency)
            lines.append("default_process_limit = %d" % max(100, self.concurrency))
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))

    # ---- running ----
    def postfix(self, verb):
        r = subprocess.run([POSTFIX, "-c", self.etc, verb], capture_output=True, text=True,
                           env=self.env, stdin=subprocess.DEVNULL)
        return r

    def start(self, wait_smtp_up=True):
        r = self.postfix("start")
        if r.returncode != 0:
            raise BenchError("postfix -c %s start failed: %s%s\n%s"
                             % (self.etc, r.stdout, r.stderr, self.log_tail()))
        self.master = self.master_pid()
        if not self.master:
            raise BenchError("Postfix started but wrote no master.pid\n" + self.log_tail())
        if wait_smtp_up:
            wait_smtp(self.port, 15)

    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                pid = int(f.read().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return pid if alive(pid) else None

    def session(self):
        return self.master

    def stop(self):
        """postfix stop, then make sure the master and its children are gone
        (by their pids, from the master's session)."""
        pid = self.master or self.master_pid()
        if not pid:
            return
        self.postfix("stop")
        end = time.time() + 20
        while alive(pid) and time.time() < end:
            time.sleep(0.05)
        if alive(pid):
            self.postfix("abort")
            kill_pid(pid)
        for child in session_pids(pid):
            st = proc_stat(child)
            if st and st[0] == pid:
                kill_pid(child)
        self.master = None

    def log_tail(self, n=15):
        try:
            with open(self.maillog, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except FileNotFoundError:
            return "(no %s)" % self.maillog

    # ---- injection ----
    def sendmail_argv(self, rcpt):
        return [SENDMAIL, "-C", self.etc, "-f", "bench@postfix-bench.test", rcpt]

    def queued(self):
        """Messages anywhere in the queue."""
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            for root, dirs, files in os.walk(os.path.join(self.queue, sub)):
                n += len(files)
        return n
