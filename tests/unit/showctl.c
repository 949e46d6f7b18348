/* qmail-showctl's report, golden output: control directories are built
   under /tmp (the defaults config writes, one full of oddities, one
   without me, none at all) and the report compared with the text
   qmail-showctl must print; the brief form (-c) of the odd one too. User and group numbers come from a fake
   lookup, so the test does not depend on the host's password file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "buffer.h"
#include "showctl.h"
#include "stralloc.h"
#include "tap.h"

static const struct { const char *name; unsigned long id; } ids[] = {
  { "alias", 7790 }, { "qmaild", 7791 }, { "qmaill", 7792 }, { "root", 0 },
  { "qmailp", 7793 }, { "qmailq", 7794 }, { "qmails", 7796 }, /* no qmailr */
  { "qmail", 2107 }, { "nofiles", 2108 },
};

static int fake(const char *name, unsigned long *id)
{
  size_t i;
  for (i = 0; i < sizeof ids / sizeof ids[0]; ++i)
    if (!strcmp(name, ids[i].name)) { *id = ids[i].id; return 0; }
  return -1;
}

static const char header[] =
  "queue subdirectory split: 23.\n"
  "sandbox: no; each role runs as its own user.\n"
  "users, by role:\n"
  "alias: alias, uid 7790.\n"
  "qmaild: qmaild, uid 7791.\n"
  "qmaill: qmaill, uid 7792.\n"
  "root: root, uid 0.\n"
  "qmailp: qmailp, uid 7793.\n"
  "qmailq: qmailq, uid 7794.\n"
  "qmailr: qmailr, uid unknown.\n"
  "Oops! There is no user named qmailr.\n"
  "qmails: qmails, uid 7796.\n"
  "groups, by role:\n"
  "qmail: qmail, gid 2107.\n"
  "nofiles: nofiles, gid 2108.\n";

/* me, locals and rcpthosts, as the setup step writes them */
static const char *plain_files[][2] = {
  { "me", "mail.example.com\n" },
  { "locals", "mail.example.com\n" },
  { "rcpthosts", "mail.example.com\n" },
};
static const char plain[] =
  "\nme: This host is called mail.example.com.\n"
  "\nbadmailfrom: (Default.) Every envelope sender is accepted.\n"
  "\nbouncefrom: (Default.) Failure notices come from the user MAILER-DAEMON.\n"
  "\nbouncehost: (Default.) Failure notices come from the host mail.example.com.\n"
  "\nconcurrencylocal: (Default.) At most 10 local deliveries run at once.\n"
  "\nconcurrencyremote: (Default.) At most 20 remote deliveries run at once.\n"
  "\ndatabytes: (Default.) qmail-smtpd accepts messages of any size.\n"
  "\ndefaultdomain: (Default.) qmail-inject adds .mail.example.com to a host name without a dot.\n"
  "\ndefaulthost: (Default.) qmail-inject adds @mail.example.com to an address without a host.\n"
  "\ndoublebouncehost: (Default.) Double bounces go to the host mail.example.com.\n"
  "\ndoublebounceto: (Default.) Double bounces go to the user postmaster.\n"
  "\nenvnoathost: (Default.) An envelope recipient without @ is taken to be at mail.example.com.\n"
  "\nhelohost: (Default.) qmail-remote introduces itself with HELO mail.example.com.\n"
  "\nidhost: (Default.) qmail-inject makes Message-IDs ending in @mail.example.com.\n"
  "\nlocaliphost: (Default.) A recipient at [an address of this host] is taken to be at mail.example.com.\n"
  "\nlocals:\nMail for mail.example.com is delivered locally.\n"
  "\nmorercpthosts: (Default.) No domains besides rcpthosts.\n"
  "\nmorercpthosts.cdb: (Default.) There is none: only rcpthosts counts.\n"
  "\npercenthack: (Default.) No domain has the percent hack.\n"
  "\nplusdomain: (Default.) qmail-inject replaces a + at the end of a host name with .mail.example.com.\n"
  "\nqueuelifetime: (Default.) A message is given up after 604800 seconds in the queue.\n"
  "\nrcpthosts:\nqmail-smtpd accepts recipients at mail.example.com.\n"
  "\nsmtpgreeting: (Default.) qmail-smtpd greets clients with 220 mail.example.com.\n"
  "\nsmtproutes: (Default.) Mail goes to the MX hosts of its domain.\n"
  "\ntcp.smtp: (Default.) There is none here: the SMTP service's run script decides who may connect and relay.\n"
  "\ntcp.smtp.cdb: (Default.) There is none here.\n"
  "\ntimeoutconnect: (Default.) qmail-remote gives up a connection attempt after 60 seconds.\n"
  "\ntimeoutremote: (Default.) qmail-remote waits at most 1200 seconds for the server.\n"
  "\ntimeoutsmtpd: (Default.) qmail-smtpd waits at most 1200 seconds for the client.\n"
  "\nvirtualdomains: (Default.) No virtual domains.\n";

/* everything that deserves a remark (helohost is a directory) */
static const char *odd_files[][2] = {
  { "me", "mail.example.com  \n" },
  { "badmailfrom", "# spammers\n@spam.example\nbad@x.example\n" },
  { "bouncefrom", "\n" },
  { "bouncehost", "postmaster@mail.example.com\n" },
  { "concurrencylocal", "0\n" },
  { "concurrencyremote", "abc\n" },
  { "databytes", "1000000\n" },
  { "doublebounceto", "\n" },
  { "locals", "example.com\n" },
  { "morercpthosts", "" },
  { "queuelifetime", "86400\n" },
  { "rcpthosts", "example.com\n.example.org\nbad host.example\n" },
  { "percenthack", "old.example\n" },
  { "smtpgreeting", "mail\001.example.com\n" },
  { "smtproutes", ":relay.example.net:2525\nfoo.example:\n.bar.example:[10.0.0.1]\nbad\np.example:relay.example.net:99999\n"
                  "six.example:[IPv6:::1]:2526\nq.example:[10.0.0.2\n" },
  { "tcp.smtp", "# rules\n127.0.0.1:allow,RELAYCLIENT=\"\"\n::1:allow\n10.:deny\n:allow\n192.0.2.1\n" },
  { "timeoutconnect", "0\n" },
  { "timeoutsmtpd", "\n" },
  { "concurrencylocal~", "5\n" },
  { "virtualdomains", "v.example:alice\nbob@w.example:bob\n.x.example:\nnocolon\n" },
  { "qmqpservers", "10.0.0.2\n" },
};
static const char odd[] =
  "\nme: This host is called mail.example.com.\n"
  "\nbadmailfrom:\n"
  "Every sender at spam.example is refused in MAIL FROM.\n"
  "The sender <bad@x.example> is refused in MAIL FROM.\n"
  "\nbouncefrom: Failure notices come from the user .\n"
  "Oops! The first line is empty.\n"
  "\nbouncehost: Failure notices come from the host postmaster@mail.example.com.\n"
  "Oops! postmaster@mail.example.com holds a character no host name has (a space, an @, ...): the programs take it as it is.\n"
  "\nconcurrencylocal: At most 0 local deliveries run at once.\n"
  "Oops! 0 deliveries at once is not possible: qmail-send uses 1.\n"
  "\nconcurrencyremote: (not a number)\n"
  "Oops! \"abc\" is not a number: the programs that read this file fail until it is fixed.\n"
  "\ndatabytes: qmail-smtpd accepts messages of up to 1000000 bytes.\n"
  "\ndefaultdomain: (Default.) qmail-inject adds .mail.example.com to a host name without a dot.\n"
  "\ndefaulthost: (Default.) qmail-inject adds @mail.example.com to an address without a host.\n"
  "\ndoublebouncehost: (Default.) Double bounces go to the host mail.example.com.\n"
  "\ndoublebounceto: The first line is empty: double bounces are thrown away.\n"
  "\nenvnoathost: (Default.) An envelope recipient without @ is taken to be at mail.example.com.\n"
  "\nhelohost: (unreadable)\n"
  "Oops! Unable to read it: Is a directory.\n"
  "\nidhost: (Default.) qmail-inject makes Message-IDs ending in @mail.example.com.\n"
  "\nlocaliphost: (Default.) A recipient at [an address of this host] is taken to be at mail.example.com.\n"
  "\nlocals:\nMail for example.com is delivered locally.\n"
  "Oops! me (mail.example.com) is not in locals: mail for this host itself will not be delivered here.\n"
  "Oops! Not readable by everybody, but it is read by programs running as other users; mode 644 is usual.\n"
  "\nmorercpthosts: The file lists nothing.\n"
  "\nmorercpthosts.cdb:\n"
  "Oops! morercpthosts has not been compiled into morercpthosts.cdb: qmail-smtpd reads only the compiled file (qmailctl cdb).\n"
  "\npercenthack:\nuser%host@old.example is rewritten to user@host.\n"
  "Oops! Writable by everybody: anyone can change where mail goes; mode 644 is usual.\n"
  "\nplusdomain: (Default.) qmail-inject replaces a + at the end of a host name with .mail.example.com.\n"
  "\nqueuelifetime: A message is given up after 86400 seconds in the queue.\n"
  "\nrcpthosts:\n"
  "qmail-smtpd accepts recipients at example.com.\n"
  "qmail-smtpd accepts recipients at every domain ending in .example.org.\n"
  "qmail-smtpd accepts recipients at bad host.example.\n"
  "Oops! bad host.example holds a character no host name has (a space, an @, ...): the programs take it as it is.\n"
  "\nsmtpgreeting: qmail-smtpd greets clients with 220 mail?.example.com.\n"
  "\nsmtproutes:\n"
  "Mail for every other domain goes to relay.example.net, port 2525.\n"
  "Mail for foo.example goes to its MX hosts.\n"
  "Mail for every domain ending in .bar.example goes to [10.0.0.1].\n"
  "Oops! The line bad has no colon and is ignored.\n"
  "Mail for p.example goes to relay.example.net:99999.\n"
  "Oops! qmail-remote cannot use this route (a port that is not a number from 1 to 65535, a [ without its ], or more after the ]): it defers this mail until the file is fixed.\n"
  "Mail for six.example goes to [IPv6:::1], port 2526.\n"
  "Mail for q.example goes to [10.0.0.2.\n"
  "Oops! qmail-remote cannot use this route (a port that is not a number from 1 to 65535, a [ without its ], or more after the ]): it defers this mail until the file is fixed.\n"
  "\ntcp.smtp:\n"
  "Clients from 127.0.0.1 are let in with RELAYCLIENT=\"\".\n"
  "Clients from ::1 are let in.\n"
  "Clients from 10. are refused.\n"
  "Clients from every other address are let in.\n"
  "Oops! The rule 192.0.2.1 says neither allow nor deny: tcprules refuses it.\n"
  "\ntcp.smtp.cdb:\n"
  "Oops! tcp.smtp has not been compiled into tcp.smtp.cdb: tcpserver reads only the compiled file (qmailctl cdb).\n"
  "\ntimeoutconnect: qmail-remote gives up a connection attempt after 0 seconds.\n"
  "Oops! 0 seconds: every wait gives up at once.\n"
  "\ntimeoutremote: (Default.) qmail-remote waits at most 1200 seconds for the server.\n"
  "\ntimeoutsmtpd: (not a number)\n"
  "Oops! An empty line is not a number: the programs that read this file fail until it is fixed.\n"
  "\nvirtualdomains:\n"
  "Mail for v.example is delivered locally, with alice- in front of the address.\n"
  "Mail for bob@w.example is delivered locally, with bob- in front of the address.\n"
  "Mail for every domain ending in .x.example is not virtual, whatever the entries for wider domains say.\n"
  "Oops! The line nocolon has no colon and is ignored.\n"
  "\nconcurrencylocal~:\nOops! neoqmail does not use this file.\n"
  "\nqmqpservers:\nOops! Other qmail installations use this file; neoqmail does not.\n";

/* the brief form of the same: one line per oddity, after its path */
static const char *odd_brief[] = {
  "users and groups: There is no user named qmailr.\n",
  "/control/bouncefrom: The first line is empty.\n",
  "/control/helohost: Unable to read it: Is a directory.\n",
  "/control/locals: me (mail.example.com) is not in locals: mail for this host itself will not be delivered here.\n",
  "/control/smtproutes: The line bad has no colon and is ignored.\n",
  "/control/tcp.smtp: The rule 192.0.2.1 says neither allow nor deny: tcprules refuses it.\n",
  "/control/qmqpservers: Other qmail installations use this file; neoqmail does not.\n",
};

/* no me: placeholders, and nothing is local */
static const char *nome_files[][2] = {
  { "morercpthosts", "other.example\n" },
  { "morercpthosts.cdb", "not really a cdb" },
  { "tcp.smtp.cdb", "not really a cdb" },
  { "rcpthosts", "" },
};
/* parts the report without me must have (the whole of it is long) */
static const char *nome_parts[][2] = {
  { "me is missing", "\nme: (missing)\nOops! Without me, qmail-send does not start, and every host name below that defaults to me is only a placeholder.\n" },
  { "bouncehost falls back to its placeholder", "\nbouncehost: (Default.) Failure notices come from the host bouncehost.\n" },
  { "so does helohost", "\nhelohost: (Default.) qmail-remote introduces itself with HELO helohost.\n" },
  { "nothing is local", "\nlocals: (Default.) Nothing, since me is missing too.\n" },
  { "morercpthosts without rcpthosts counts", "\nmorercpthosts:\nqmail-smtpd accepts recipients at other.example.\n\nmorercpthosts.cdb:" },
  { "an old morercpthosts.cdb", "\nmorercpthosts.cdb:\nOops! morercpthosts.cdb is older than morercpthosts: compile it again (qmailctl cdb).\n" },
  { "a tcp.smtp.cdb without its source", "\ntcp.smtp.cdb:\nOops! tcp.smtp.cdb is there, but tcp.smtp, its source, is not.\n" },
  { "an empty rcpthosts", "\nrcpthosts: The file lists nothing.\n"
    "Oops! rcpthosts lists nothing: qmail-smtpd takes mail only from clients with RELAYCLIENT (and for morercpthosts).\n" },
};

static char base[] = "/tmp/showctl-test.XXXXXX";

static void bail(const char *what)
{
  printf("Bail out! %s: %s\n", what, strerror(errno));
  exit(1);
}

static void put(const char *home, const char *name, const char *text, int mode, time_t when)
{
  char path[256];
  struct timeval tv[2];
  int fd;
  size_t len = strlen(text);
  snprintf(path, sizeof path, "%s/control/%s", home, name);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd == -1 || write(fd, text, len) != (ssize_t)len || fchmod(fd, (mode_t)mode) == -1 ||
      close(fd) == -1) bail(path);
  tv[0].tv_sec = tv[1].tv_sec = when;
  tv[0].tv_usec = tv[1].tv_usec = 0;
  if (when && utimes(path, tv) == -1) bail(path);
}

/* base/name/control holding files */
static const char *make_home(const char *name, const char *(*files)[2], size_t n)
{
  static char home[256];
  char path[300];
  size_t i;
  snprintf(home, sizeof home, "%s/%s", base, name);
  snprintf(path, sizeof path, "%s/control", home);
  if (mkdir(home, 0755) == -1 || mkdir(path, 0755) == -1) bail(path);
  for (i = 0; i < n; ++i) put(home, files[i][0], files[i][1], 0644, 0);
  return home;
}

static int report(const char *home, stralloc *out, stralloc *why, int brief)
{
  struct showctl_config c;
  buffer b;
  size_t i;
  static const char *users[SHOWCTL_USERS] = {
    "alias", "qmaild", "qmaill", "root", "qmailp", "qmailq", "qmailr", "qmails" };
  c.home = home;
  c.split = 23;
  c.sandbox = 0;
  c.brief = brief;
  for (i = 0; i < SHOWCTL_USERS; ++i) c.user[i] = users[i];
  c.group[0] = "qmail";
  c.group[1] = "nofiles";
  c.uid = fake;
  c.gid = fake;
  stralloc_zero(out);
  buffer_tosa(&b, out);
  return showctl(&c, &b, why);
}

/* "home directory: HOME.\n" + header + rest */
static void expect(stralloc *want, const char *home, const char *rest)
{
  stralloc_copys(want, "home directory: ");
  stralloc_cats(want, home);
  stralloc_cats(want, ".\n");
  stralloc_cats(want, header);
  stralloc_cats(want, rest);
}

/* the number of "Oops! " lines in s */
static long oopses(const char *s, size_t len)
{
  long n = 0;
  size_t i;
  for (i = 0; i + 6 <= len; ++i)
    if ((i == 0 || s[i - 1] == '\n') && !memcmp(s + i, "Oops! ", 6)) ++n;
  return n;
}

static long lines(const stralloc *sa)
{
  long n = 0;
  size_t i;
  for (i = 0; i < sa->len; ++i) if (sa->s[i] == '\n') ++n;
  return n;
}

static int contains(const stralloc *sa, const char *s)
{
  size_t n = strlen(s), i;
  for (i = 0; i + n <= sa->len; ++i)
    if (!memcmp(sa->s + i, s, n)) return 1;
  return 0;
}

int main(void)
{
  static stralloc out, want, why;  /* static: still reachable when main returns */
  const char *home;
  char path[300];
  size_t i;
  if (!mkdtemp(base)) bail("mkdtemp");

  home = make_home("plain", plain_files, sizeof plain_files / sizeof plain_files[0]);
  is_long(report(home, &out, &why, 0), 1, "a plain control directory is reported, with one oddity (no qmailr)");
  expect(&want, home, plain);
  is_mem(out.s, out.len, want.s, want.len, "with the defaults spelled out");

  home = make_home("odd", odd_files, sizeof odd_files / sizeof odd_files[0]);
  snprintf(path, sizeof path, "%s/control/helohost", home);
  if (mkdir(path, 0755) == -1) bail(path);
  put(home, "locals", "example.com\n", 0600, 0);
  put(home, "percenthack", "old.example\n", 0666, 0);
  expect(&want, home, odd);
  is_long(report(home, &out, &why, 0), oopses(want.s, want.len), "an odd control directory is reported, and every oddity counted");
  is_mem(out.s, out.len, want.s, want.len, "and every oddity is flagged");
  is_long(report(home, &out, &why, 1), oopses(want.s, want.len), "the brief report counts the same");
  is_long(lines(&out), oopses(want.s, want.len), "with one line per oddity");
  for (i = 0; i < sizeof odd_brief / sizeof odd_brief[0]; ++i) {
    if (odd_brief[i][0] == '/') snprintf(path, sizeof path, "%s%s", home, odd_brief[i]);
    else snprintf(path, sizeof path, "%s", odd_brief[i]);
    ok(contains(&out, path), "brief line for each kind of oddity");
  }

  home = make_home("nome", nome_files, sizeof nome_files / sizeof nome_files[0]);
  put(home, "morercpthosts.cdb", "not really a cdb", 0644, 1000000000);
  is_long(report(home, &out, &why, 0), 5, "a control directory without me is reported, with 5 oddities");
  is_long(oopses(out.s, out.len), 5, "which are the Oops! lines");
  for (i = 0; i < sizeof nome_parts / sizeof nome_parts[0]; ++i)
    ok(contains(&out, nome_parts[i][1]), nome_parts[i][0]);

  snprintf(path, sizeof path, "%s/none", base);
  is_long(report(path, &out, &why, 0), -1, "a missing control directory is fatal");
  snprintf(path, sizeof path, "unable to list %s/none/control: No such file or directory", base);
  is_str(why.s, path, "and says which directory");
  ok(contains(&out, header), "the compiled-in settings are shown first");

  snprintf(path, sizeof path, "rm -rf '%s'", base);
  if (system(path) != 0) ok(0, "clean up");
  return done_testing();
}
