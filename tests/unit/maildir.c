/* Mailbox formats: maildir unique names and delivery; mbox From_ line,
   >From quoting, delivery, truncation and locking. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "maildir.h"
#include "mbox.h"
#include "tap.h"

static const struct { const char *host, *want; } hosts[] = {
  { "mail.example.com", "mail.example.com" },
  { "a/b", "a\\057b" },
  { "x:y", "x\\072y" },
  { "/:", "\\057\\072" },
  { "", "localhost" },
};

static void unique_names(void)
{
  size_t i;
  stralloc sa = {0};
  for (i = 0; i < sizeof hosts / sizeof hosts[0]; ++i) {
    char name[64];
    sa.len = 0;
    maildir_hostname(&sa, hosts[i].host, strlen(hosts[i].host));
    snprintf(name, sizeof name, "host name %zu made safe", i);
    is_mem(sa.s, sa.len, hosts[i].want, strlen(hosts[i].want), name);
  }
  maildir_unique(&sa, 1700000000ULL, 123456, 4242, 1, "mx.example.com", 14);
  is_str(sa.s, "1700000000.M123456P4242Q1.mx.example.com", "unique name layout");
  maildir_unique(&sa, 5, 0, 1, 17, "a:b/c", 5);
  is_str(sa.s, "5.M0P1Q17.a\\072b\\057c", "no ':' or '/' in a unique name");
  stralloc_free(&sa);
}

static char *slurp(const char *fn, size_t *len)
{
  static char buf[65536];
  int fd = open(fn, O_RDONLY);
  ssize_t r = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd != -1) close(fd);
  if (r < 0) r = 0;
  buf[r] = 0;
  *len = (size_t)r;
  return buf;
}

static int message(const char *text)
{
  char fn[] = "/tmp/mailbox-msg-XXXXXX";
  int fd = mkstemp(fn);
  if (write(fd, text, strlen(text)) == -1) perror("write");
  unlink(fn);
  lseek(fd, 7, SEEK_SET); /* deliveries must rewind */
  return fd;
}

/* the names in dir, or 0 when it holds not exactly one */
static const char *only_entry(const char *dir)
{
  static char name[512];
  DIR *d = opendir(dir);
  struct dirent *de;
  int n = 0;
  if (!d) return 0;
  while ((de = readdir(d)))
    if (de->d_name[0] != '.') { snprintf(name, sizeof name, "%s/%s", dir, de->d_name); ++n; }
  closedir(d);
  return n == 1 ? name : 0;
}

static void maildir_delivery(void)
{
  char dir[] = "/tmp/maildir-test-XXXXXX";
  char sub[600];
  const char *f;
  size_t len;
  int fd = message("Subject: hi\n\nbody\n");
  static const char head[] = "Return-Path: <a@b>\nDelivered-To: joe@example.com\n";
  static const char want[] = "Return-Path: <a@b>\nDelivered-To: joe@example.com\nSubject: hi\n\nbody\n";
  if (!mkdtemp(dir)) { ok(0, "temporary directory"); return; }
  snprintf(sub, sizeof sub, "%s/tmp", dir); mkdir(sub, 0700);
  snprintf(sub, sizeof sub, "%s/new", dir); mkdir(sub, 0700);
  snprintf(sub, sizeof sub, "%s/cur", dir); mkdir(sub, 0700);
  snprintf(sub, sizeof sub, "%s/", dir);
  is_long(maildir_deliver(sub, fd, head, sizeof head - 1), MAILDIR_OK, "maildir delivery");
  snprintf(sub, sizeof sub, "%s/new", dir);
  f = only_entry(sub);
  ok(f != 0, "one file in new/");
  if (f) {
    struct stat st;
    char *text = slurp(f, &len);
    is_mem(text, len, want, sizeof want - 1, "head and message");
    ok(stat(f, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 600");
    ok(strchr(strrchr(f, '/'), ':') == 0, "no ':' in the new name");
    unlink(f);
  }
  snprintf(sub, sizeof sub, "%s/tmp", dir);
  ok(only_entry(sub) == 0, "tmp/ left empty");
  is_long(maildir_deliver("/nonexistent/Maildir/", fd, head, sizeof head - 1), MAILDIR_EDIR, "missing maildir");
  snprintf(sub, sizeof sub, "%s/new", dir); rmdir(sub);
  snprintf(sub, sizeof sub, "%s/", dir);
  is_long(maildir_deliver(sub, fd, head, sizeof head - 1), MAILDIR_ELINK, "no new/ directory");
  snprintf(sub, sizeof sub, "%s/tmp", dir);
  ok(only_entry(sub) == 0, "tmp/ cleaned after a failure");
  rmdir(sub);
  snprintf(sub, sizeof sub, "%s/cur", dir); rmdir(sub);
  rmdir(dir);
  close(fd);
}

static void from_lines(void)
{
  stralloc sa = {0};
  mbox_fromline(&sa, "bob@example.org", 0);
  is_str(sa.s, "From bob@example.org Thu Jan 01 00:00:00 1970\n", "From_ line at the epoch");
  mbox_fromline(&sa, "", 1700000000);
  is_str(sa.s, "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n", "empty sender, UTC");
  mbox_fromline(&sa, "a b\tc\nd@e", 86400 * 31);
  is_str(sa.s, "From a-b-c-d@e Sun Feb 01 00:00:00 1970\n", "blanks in sender become dashes");
  mbox_fromline(&sa, "a", 951782400);
  is_str(sa.s, "From a Tue Feb 29 00:00:00 2000\n", "leap day of a 400th year");
  mbox_fromline(&sa, "a", (time_t)4107542400LL);
  is_str(sa.s, "From a Mon Mar 01 00:00:00 2100\n", "2100 is no leap year");
  mbox_fromline(&sa, "a", (time_t)253402300799LL);
  is_str(sa.s, "From a Fri Dec 31 23:59:59 9999\n", "far future");
  mbox_fromline(&sa, "a", -1);
  is_str(sa.s, "From a Wed Dec 31 23:59:59 1969\n", "before the epoch");
  stralloc_free(&sa);
}

static const struct { const char *in, *out; } quotes[] = {
  { "", "\n" },
  { "a\n", "a\n\n" },
  { "a", "a\n\n" },
  { "From x\n", ">From x\n\n" },
  { ">From x\n", ">>From x\n\n" },
  { ">>>From x\n", ">>>>From x\n\n" },
  { "From", "From\n\n" },
  { "From\n", "From\n\n" },
  { "From ", ">From \n\n" },
  { "Fromage\n", "Fromage\n\n" },
  { "FFrom x\n", "FFrom x\n\n" },
  { " From x\n", " From x\n\n" },
  { "x From y\n", "x From y\n\n" },
  { "x\nFrom y\nFro\n>>From z\n", "x\n>From y\nFro\n>>>From z\n\n" },
  { "\nFrom \n", "\n>From \n\n" },
  { ">\n", ">\n\n" },
  { ">>", ">>\n\n" },
  { ">F", ">F\n\n" },
  { "from x\n", "from x\n\n" },
  { "a\n\nFrom b\nFrom c", "a\n\n>From b\n>From c\n\n" },
};

static void quoting(void)
{
  size_t i, j;
  stralloc out = {0};
  for (i = 0; i < sizeof quotes / sizeof quotes[0]; ++i) {
    struct mbox_quote q;
    const char *in = quotes[i].in;
    size_t len = strlen(in);
    char name[128];
    out.len = 0;
    mbox_quote_init(&q);
    mbox_quote(&q, in, len, &out);
    mbox_quote_end(&q, &out);
    snprintf(name, sizeof name, "quoting %zu, whole", i);
    is_mem(out.s, out.len, quotes[i].out, strlen(quotes[i].out), name);
    out.len = 0;
    mbox_quote_init(&q);
    for (j = 0; j < len; ++j) mbox_quote(&q, in + j, 1, &out);
    mbox_quote_end(&q, &out);
    snprintf(name, sizeof name, "quoting %zu, byte by byte", i);
    is_mem(out.s, out.len, quotes[i].out, strlen(quotes[i].out), name);
  }
  stralloc_free(&out);
}

static void mbox_delivery(void)
{
  char fn[] = "/tmp/mbox-test-XXXXXX";
  int fd = message("Subject: x\n\nFrom here\nend");
  static const char head[] = "From a@b Thu Jan 01 00:00:00 1970\nReturn-Path: <a@b>\n";
  static const char one[] = "From a@b Thu Jan 01 00:00:00 1970\nReturn-Path: <a@b>\n"
                            "Subject: x\n\n>From here\nend\n\n";
  size_t len;
  char *text;
  pid_t pid;
  int p[2], lfd;
  close(mkstemp(fn));
  unlink(fn);
  is_long(mbox_deliver(fn, fd, head, sizeof head - 1, 5), MBOX_OK, "mbox created and written");
  text = slurp(fn, &len);
  is_mem(text, len, one, sizeof one - 1, "one message");
  is_long(mbox_deliver(fn, fd, head, sizeof head - 1, 5), MBOX_OK, "second delivery appends");
  text = slurp(fn, &len);
  ok(len == 2 * (sizeof one - 1) && !memcmp(text + sizeof one - 1, one, sizeof one - 1), "two messages");
  /* a lock held by another process: wait, then give up */
  if (pipe(p) == -1) return;
  pid = fork();
  if (pid == 0) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    lfd = open(fn, O_WRONLY);
    fcntl(lfd, F_SETLKW, &fl);
    if (write(p[1], "x", 1) == -1) _exit(1);
    for (;;) pause(); /* hold the lock until killed */
    _exit(0);
  }
  close(p[1]); /* a locker that dies gives EOF, not a hang */
  { char c; if (read(p[0], &c, 1) != 1) ok(0, "locker started"); }
  close(p[0]);
  is_long(mbox_deliver(fn, fd, head, sizeof head - 1, 1), MBOX_ETIMEOUT, "held lock: timeout");
  kill(pid, SIGKILL);
  waitpid(pid, 0, 0);
  text = slurp(fn, &len);
  is_long((long)len, (long)(2 * (sizeof one - 1)), "nothing written after a timeout");
  is_long(mbox_deliver("/nonexistent/mbox", fd, head, sizeof head - 1, 1), MBOX_EOPEN, "unopenable mbox");
  /* a write error truncates back: /dev/full is not lockable, so use a
     read error instead: a message fd that cannot be read */
  {
    int bad = open("/", O_RDONLY | O_DIRECTORY);
    is_long(mbox_deliver(fn, bad, head, sizeof head - 1, 1), MBOX_EREAD, "unreadable message");
    close(bad);
    text = slurp(fn, &len);
    is_long((long)len, (long)(2 * (sizeof one - 1)), "truncated back to the old size");
  }
  unlink(fn);
  close(fd);
}

int main(void)
{
  unique_names();
  maildir_delivery();
  from_lines();
  quoting();
  mbox_delivery();
  return done_testing();
}
