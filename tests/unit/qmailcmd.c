/* The qmail-command environment: added lines, HOST2..4 and EXT2..4,
   the variable list and the merged environment, exit statuses. */
#include <stdlib.h>
#include "qmailcmd.h"
#include "waitchild.h"
#include "tap.h"

static const struct { const char *host; const char *h2, *h3, *h4; } hosts[] = {
  { "mail.example.co.uk", "mail.example.co", "mail.example", "mail" },
  { "a.b", "a", "a", "a" },
  { "localhost", "localhost", "localhost", "localhost" },
  { "", "", "", "" },
  { "a.b.c.d.e", "a.b.c.d", "a.b.c", "a.b" },
};

static void host_parts(void)
{
  size_t i;
  for (i = 0; i < sizeof hosts / sizeof hosts[0]; ++i) {
    const char *h = hosts[i].host;
    size_t len = strlen(h);
    char name[128];
    snprintf(name, sizeof name, "HOST2 of '%s'", h);
    is_mem(h, qmailcmd_hostpart(h, len, 2), hosts[i].h2, strlen(hosts[i].h2), name);
    snprintf(name, sizeof name, "HOST3 of '%s'", h);
    is_mem(h, qmailcmd_hostpart(h, len, 3), hosts[i].h3, strlen(hosts[i].h3), name);
    snprintf(name, sizeof name, "HOST4 of '%s'", h);
    is_mem(h, qmailcmd_hostpart(h, len, 4), hosts[i].h4, strlen(hosts[i].h4), name);
  }
}

static const struct { const char *ext; const char *e2, *e3, *e4; } exts[] = {
  { "a-b-c-d", "b-c-d", "c-d", "d" },
  { "list-subscribe-joe=example.org", "subscribe-joe=example.org", "joe=example.org", "" },
  { "plain", "", "", "" },
  { "", "", "", "" },
  { "a--b", "-b", "b", "" },
  { "a-", "", "", "" },
};

static void ext_parts(void)
{
  size_t i;
  for (i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
    const char *e = exts[i].ext;
    size_t len = strlen(e);
    char name[128];
    snprintf(name, sizeof name, "EXT2 of '%s'", e);
    is_str(e + qmailcmd_extpart(e, len, 2), exts[i].e2, name);
    snprintf(name, sizeof name, "EXT3 of '%s'", e);
    is_str(e + qmailcmd_extpart(e, len, 3), exts[i].e3, name);
    snprintf(name, sizeof name, "EXT4 of '%s'", e);
    is_str(e + qmailcmd_extpart(e, len, 4), exts[i].e4, name);
  }
}

static const struct { const char *sender, *rpline; } rplines[] = {
  { "joe@example.org", "Return-Path: <joe@example.org>\n" },
  { "", "Return-Path: <>\n" },
  { "#@[]", "Return-Path: <#@[]>\n" },
  { "a.b+c@example.org", "Return-Path: <a.b+c@example.org>\n" },
  { "a b@example.org", "Return-Path: <\"a b\"@example.org>\n" },
  { "a..b@example.org", "Return-Path: <\"a..b\"@example.org>\n" },
  { ".a@example.org", "Return-Path: <\".a\"@example.org>\n" },
  { "a.@example.org", "Return-Path: <\"a.\"@example.org>\n" },
  { "x\"y@z", "Return-Path: <\"x\\\"y\"@z>\n" },
  { "a@b@c", "Return-Path: <\"a@b\"@c>\n" },
  { "@example.org", "Return-Path: <\"\"@example.org>\n" },
  { "noat", "Return-Path: <noat>\n" },
  { "a\nb@c", "Return-Path: <\"a\\_b\"@c>\n" },
  { "caf\xc3\xa9@example.org", "Return-Path: <\"caf\xc3\xa9\"@example.org>\n" },
};

static void added_lines(void)
{
  size_t i;
  stralloc sa = {0};
  qmailcmd_dtline(&sa, "joe-list", "example.com");
  is_str(sa.s, "Delivered-To: joe-list@example.com\n", "Delivered-To line");
  is_long((long)sa.len, 35, "its length counts no NUL");
  qmailcmd_dtline(&sa, "a\nb", "c");
  is_str(sa.s, "Delivered-To: a_b@c\n", "newlines inside become _");
  for (i = 0; i < sizeof rplines / sizeof rplines[0]; ++i) {
    char name[128];
    qmailcmd_rpline(&sa, rplines[i].sender);
    snprintf(name, sizeof name, "Return-Path for sender %zu", i);
    is_str(sa.s, rplines[i].rpline, name);
  }
  stralloc_free(&sa);
}

static const char *lookup(const stralloc *v, const char *name)
{
  size_t i, n = strlen(name);
  for (i = 0; i < v->len; i += strlen(v->s + i) + 1)
    if (!strncmp(v->s + i, name, n) && v->s[i + n] == '=') return v->s + i + n + 1;
  return 0;
}

static struct qc_vars sample(void)
{
  struct qc_vars v;
  v.user = "joe"; v.home = "/home/joe"; v.local = "joe-list-sub";
  v.host = "mail.example.com"; v.ext = "list-sub"; v.sender = "bob@example.org";
  v.newsender = "joe-list-owner@mail.example.com"; v.defaultpart = "sub";
  v.dtline = "Delivered-To: joe-list-sub@mail.example.com\n";
  v.rpline = "Return-Path: <bob@example.org>\n";
  v.ufline = "From bob@example.org Thu Jan 01 00:00:00 1970\n";
  return v;
}

static const struct { const char *name, *value; } wanted[] = {
  { "RECIPIENT", "joe-list-sub@mail.example.com" }, { "USER", "joe" },
  { "HOME", "/home/joe" }, { "LOCAL", "joe-list-sub" }, { "HOST", "mail.example.com" },
  { "HOST2", "mail.example" }, { "HOST3", "mail" }, { "HOST4", "mail" },
  { "EXT", "list-sub" }, { "EXT2", "sub" }, { "EXT3", "" }, { "EXT4", "" },
  { "DEFAULT", "sub" }, { "SENDER", "bob@example.org" },
  { "NEWSENDER", "joe-list-owner@mail.example.com" },
  { "DTLINE", "Delivered-To: joe-list-sub@mail.example.com\n" },
  { "RPLINE", "Return-Path: <bob@example.org>\n" },
  { "UFLINE", "From bob@example.org Thu Jan 01 00:00:00 1970\n" },
};

static void variables(void)
{
  struct qc_vars v = sample();
  stralloc sa = {0};
  size_t i;
  ok(qmailcmd_vars(&sa, &v), "variables built");
  for (i = 0; i < sizeof wanted / sizeof wanted[0]; ++i)
    is_str(lookup(&sa, wanted[i].name), wanted[i].value, wanted[i].name);
  v.defaultpart = 0;
  qmailcmd_vars(&sa, &v);
  ok(lookup(&sa, "DEFAULT") == 0, "no DEFAULT when the file was not a -default one");
  stralloc_free(&sa);
}

static void environment(void)
{
  struct qc_vars v = sample();
  stralloc sa = {0};
  char *inherited[] = { "PATH=/bin:/usr/bin", "HOST=stale", "DEFAULT=stale", "EXTRA=1", "HOSTNAME=h", 0 };
  char **e;
  size_t i, host = 0, def = 0, path = 0, extra = 0, hostname = 0;
  v.defaultpart = 0;
  qmailcmd_vars(&sa, &v);
  e = qmailcmd_envp(&sa, inherited);
  ok(e != 0, "environment built");
  for (i = 0; e && e[i]; ++i) {
    if (!strncmp(e[i], "HOST=", 5)) { ++host; is_str(e[i], "HOST=mail.example.com", "HOST is ours"); }
    if (!strncmp(e[i], "DEFAULT=", 8)) ++def;
    if (!strcmp(e[i], "PATH=/bin:/usr/bin")) ++path;
    if (!strcmp(e[i], "EXTRA=1")) ++extra;
    if (!strcmp(e[i], "HOSTNAME=h")) ++hostname;
  }
  is_long((long)host, 1, "HOST once");
  is_long((long)def, 0, "inherited DEFAULT dropped");
  ok(path == 1 && extra == 1 && hostname == 1, "other variables kept");
  free(e);
  stralloc_free(&sa);
}

static const struct { int wstat; int want; } statuses[] = {
  { 0 << 8, QC_OK }, { 99 << 8, QC_STOP }, { 100 << 8, QC_PERM }, { 111 << 8, QC_TEMP },
  { 64 << 8, QC_PERM }, { 65 << 8, QC_PERM }, { 70 << 8, QC_PERM }, { 76 << 8, QC_PERM },
  { 77 << 8, QC_PERM }, { 78 << 8, QC_PERM }, { 112 << 8, QC_PERM }, { 1 << 8, QC_TEMP },
  { 75 << 8, QC_TEMP }, { 9, QC_CRASH }, { 15 | 0x80, QC_CRASH },
};

static void exit_statuses(void)
{
  size_t i;
  for (i = 0; i < sizeof statuses / sizeof statuses[0]; ++i) {
    char name[64];
    snprintf(name, sizeof name, "wait status %d", statuses[i].wstat);
    is_long(qmailcmd_status(statuses[i].wstat), statuses[i].want, name);
  }
}

static int run(const char *cmd, char **env)
{
  int w;
  pid_t pid = qmailcmd_spawn(cmd, env);
  if (pid == -1 || wait_pid(pid, &w) != pid) return -1;
  return qmailcmd_status(w);
}

static void spawning(void)
{
  struct qc_vars v = sample();
  stralloc sa = {0};
  char *inherited[] = { "PATH=/bin:/usr/bin", 0 };
  char **e;
  qmailcmd_vars(&sa, &v);
  e = qmailcmd_envp(&sa, inherited);
  is_long(run("exit 0", e), QC_OK, "exit 0 is success");
  is_long(run("exit 99", e), QC_STOP, "exit 99 stops");
  is_long(run("exit 100", e), QC_PERM, "exit 100 is permanent");
  is_long(run("exit 111", e), QC_TEMP, "exit 111 is temporary");
  is_long(run("kill -9 $$", e), QC_CRASH, "a signal is a crash");
  is_long(run("test \"$HOST2\" = mail.example && test \"$EXT2\" = sub && test \"$DEFAULT\" = sub", e),
          QC_OK, "the command sees its environment");
  is_long(run("case \"$DTLINE\" in 'Delivered-To: joe-list-sub@mail.example.com\n') exit 0;; esac; exit 1", e),
          QC_OK, "DTLINE is the whole line with its newline");
  free(e);
  stralloc_free(&sa);
}

int main(void)
{
  host_parts();
  ext_parts();
  added_lines();
  variables();
  environment();
  exit_statuses();
  spawning();
  return done_testing();
}
