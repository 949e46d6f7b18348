/* showctl: qmail-showctl's report (showctl.h). Each control file has a row
   in the table below: how to read it, its default, the sentence that says
   what its value means, and the checks for oddities. The report is built
   in a stralloc one file at a time and then written out. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "auto.h"
#include "bufwrite.h"
#include "byte.h"
#include "case.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "printable.h"
#include "privdrop.h"
#include "scan.h"
#include "showctl.h"
#include "smtproutes.h"
#include "str.h"

static const char *home;
static stralloc text;      /* the part of the report not yet written */
static int nomem;          /* a say() ran out of memory */
static stralloc me;        /* control/me ... */
static int meok;           /* ... as control_readline returned */
static stralloc fn;        /* home/control/NAME */
static stralloc val;       /* the file being shown, as its reader returned it */
static stralloc names;     /* the entries of control/, NUL-terminated */
static unsigned long number; /* the number file being shown, for its check */
static int brief;          /* only the oddities, each after its file's path */
static stralloc where;     /* brief: the path the next oddities belong to */
static long odd;           /* oddities so far */

/* ---- writing ---- */

static void say(const char *s) { if (!stralloc_cats(&text, s)) nomem = 1; }
/* bytes from a file: made printable */
static void sayb(const char *s, size_t len) { if (!printable_cat(&text, s, len)) nomem = 1; }
static void saynum(unsigned long n)
{
  char num[FMT_ULONG];
  if (!stralloc_catb(&text, num, fmt_ulong(num, n))) nomem = 1;
}
/* every oddity starts with this, at the start of a line */
static void oops_begin(void) { say("Oops! "); ++odd; }
static void oops(const char *s) { oops_begin(); say(s); say("\n"); }

/* why = "what[name]: error", or empty when out of memory; always -1 */
static int fail(stralloc *why, const char *what, const char *name, int err)
{
  if (!stralloc_copys(why, what) || (name && !stralloc_cats(why, name)) ||
      !stralloc_cats(why, ": ") || !stralloc_cats(why, error_str(err)) || !stralloc_0(why))
    why->len = 0;  /* the caller says "out of memory" */
  return -1;
}

/* brief: text's "Oops! " lines only, as "WHERE: what is wrong" */
static int put_brief(buffer *out)
{
  size_t i = 0;
  while (i < text.len) {
    size_t n = byte_chr(text.s + i, text.len - i, '\n');
    if (n >= 6 && byte_equal(text.s + i, 6, "Oops! ")) {
      if (bufwrite_put(out, where.s, where.len) == -1 || bufwrite_puts(out, ": ") == -1 ||
          bufwrite_put(out, text.s + i + 6, n - 6) == -1 || bufwrite_puts(out, "\n") == -1)
        return -1;
    }
    i += n + 1;
  }
  return 0;
}

static int flush(buffer *out, stralloc *why)
{
  int r;
  if (nomem) { why->len = 0; return -1; }  /* the caller says "out of memory" */
  r = brief ? put_brief(out) : bufwrite_put(out, text.s, text.len);
  if (r == -1) return fail(why, "unable to write output", 0, errno);
  stralloc_zero(&text);
  return 0;
}

/* brief: the oddities said next belong to home/control/name, or to the
   users and groups when name is 0 */
static void set_where(const char *name)
{
  if (name ? !stralloc_copys(&where, home) || !stralloc_cats(&where, "/control/") ||
             !printable_cat(&where, name, str_len(name))
           : !stralloc_copys(&where, "users and groups")) nomem = 1;
}

/* ---- reading ---- */

/* fn = home/control/name; 1 ok, 0 out of memory (errno set) */
static int path(const char *name)
{
  if (stralloc_copys(&fn, home) && stralloc_cats(&fn, "/control/") &&
      stralloc_cats(&fn, name) && stralloc_0(&fn)) return 1;
  errno = ENOMEM;
  return 0;
}
/* The readers of control.h, with a missing file found out first: this
   report must tell "missing" from "empty" whatever openreadclose says. */
static int missing(void)
{
  struct stat st;
  return stat(fn.s, &st) == -1 && errno == ENOENT;
}
static int readline(stralloc *sa, const char *name)
{
  if (!path(name)) return -1;
  if (missing()) { stralloc_zero(sa); return 0; }
  return control_readline(sa, fn.s);
}
static int readlist(stralloc *sa, const char *name)
{
  if (!path(name)) return -1;
  if (missing()) { stralloc_zero(sa); return 0; }
  return control_readfile(sa, fn.s, 0);
}
static int readnum(unsigned long *u, const char *name, unsigned long def)
{
  if (!path(name)) return -1;
  if (missing()) { *u = def; return 0; }
  return control_readulong(u, fn.s, def);
}
static int exists(const char *name, struct stat *st)
{
  return path(name) && stat(fn.s, st) == 0;
}

static void unreadable(void)
{
  say(" (unreadable)\n");
  oops_begin();
  say("Unable to read it: ");
  say(error_str(errno));
  say(".\n");
}

/* the line s[0..len) in the list l (NUL-terminated lines), ignoring case */
static int listed(const stralloc *l, const char *s, size_t len)
{
  size_t i = 0;
  while (i < l->len) {
    size_t n = str_len(l->s + i);
    if (n == len && case_equalb(l->s + i, len, s)) return 1;
    i += n + 1;
  }
  return 0;
}

/* ---- the files ---- */

struct ctl {
  const char *name;
  void (*show)(const struct ctl *);
  const char *def;      /* line: the default value, 0 = me (or the file's
                           name when me is missing, as the readers do);
                           number: the default; list: the sentence shown
                           when the file is missing, 0 = the list is me */
  const char *pre, *post;  /* the sentence around a value or a list line */
  void (*item)(const char *s, size_t len);  /* or this, to say it */
  void (*check)(int r);    /* oddities; r as the reader returned */
};

static void value(const struct ctl *c, const char *s, size_t len)
{
  if (c->item) { c->item(s, len); return; }
  say(c->pre);
  sayb(s, len);
  say(c->post);
}

static void show_line(const struct ctl *c)
{
  int r = readline(&val, c->name);
  const char *v;
  size_t len;
  if (r == -1) { unreadable(); return; }
  say(" ");
  if (r == 1) { v = val.s; len = val.len - 1; }
  else {
    say("(Default.) ");
    v = c->def ? c->def : meok == 1 ? me.s : c->name;
    len = str_len(v);
  }
  value(c, v, len);
  say("\n");
  if (r == 1 && !len && !c->item) oops("The first line is empty.");
  if (c->check) c->check(r);
}

static void show_number(const struct ctl *c)
{
  unsigned long def = 0, u;
  char num[FMT_ULONG];
  int r;
  scan_ulong(c->def, &def);
  r = readnum(&u, c->name, def);
  if (r == -1 && errno == EINVAL && readline(&val, c->name) == 1) {
    say(" (not a number)\n");
    oops_begin();
    if (val.len > 1) { say("\""); sayb(val.s, val.len - 1); say("\""); }
    else say("An empty line");
    say(" is not a number: the programs that read this file fail until it is fixed.\n");
    return;
  }
  if (r == -1) { unreadable(); return; }
  say(r ? " " : " (Default.) ");
  value(c, num, fmt_ulong(num, u));
  say("\n");
  number = u;
  if (c->check) c->check(r);
}

static void show_list(const struct ctl *c)
{
  int r = readlist(&val, c->name);
  size_t i = 0;
  if (r == -1) { unreadable(); return; }
  if (r == 0) {
    say(" (Default.) ");
    if (c->def) say(c->def);
    else if (meok == 1) value(c, me.s, me.len - 1);
    else say("Nothing, since me is missing too.");
    say("\n");
  } else {
    say(val.len ? "\n" : " The file lists nothing.\n");
    while (i < val.len) {
      size_t n = str_len(val.s + i);
      value(c, val.s + i, n);
      say("\n");
      i += n + 1;
    }
  }
  if (c->check) c->check(r);
}

static void check_host(const char *s, size_t len);
static void show_me(const struct ctl *c)
{
  (void)c;
  if (meok == -1) { unreadable(); return; }
  if (meok == 0) {
    say(" (missing)\n");
    oops("Without me, qmail-send does not start, and every host name below that defaults to me is only a placeholder.");
    return;
  }
  say(" This host is called ");
  sayb(me.s, me.len - 1);
  say(".\n");
  if (me.len == 1) oops("The first line is empty.");
  check_host(me.s, me.len - 1);
}

/* A cdb compiled from a text file (def names the source): the programs
   read only the cdb, so it must be there and newer than its source. */
static void show_compiled(const struct ctl *c)
{
  struct stat text_st, cdb_st;
  int text_ok = exists(c->def, &text_st);
  int cdb_ok = exists(c->name, &cdb_st);
  if (!text_ok && !cdb_ok) { say(" (Default.) "); say(c->pre); say("\n"); return; }
  say(text_ok && cdb_ok && text_st.st_mtime <= cdb_st.st_mtime ? " Compiled since " : "\n");
  if (!text_ok) {
    oops_begin(); say(c->name); say(" is there, but "); say(c->def); say(", its source, is not.\n");
  } else if (!cdb_ok) {
    oops_begin(); say(c->def); say(" has not been compiled into "); say(c->name);
    say(": "); say(c->post); say(" reads only the compiled file (qmailctl cdb).\n");
  } else if (text_st.st_mtime > cdb_st.st_mtime) {
    oops_begin(); say(c->name); say(" is older than "); say(c->def);
    say(": compile it again (qmailctl cdb).\n");
  } else { say(c->def); say(" last changed.\n"); }
}

/* ---- words for values ---- */

/* "@host" refuses a whole host; anything else one address */
static void item_badmailfrom(const char *s, size_t len)
{
  if (len && s[0] == '@') { say("Every sender at "); sayb(s + 1, len - 1); }
  else { say("The sender <"); sayb(s, len); say(">"); }
  say(" is refused in MAIL FROM.");
}

/* ".example.com" covers every host under example.com */
static void domain(const char *s, size_t len)
{
  if (!len) { say("every other domain"); return; }
  if (s[0] == '.') { say("every domain ending in "); sayb(s, len); return; }
  sayb(s, len);
}

static void item_rcpthosts(const char *s, size_t len)
{
  say("qmail-smtpd accepts recipients at ");
  domain(s, len);
  say(".");
}

static void item_databytes(const char *s, size_t len)
{
  if (len == 1 && s[0] == '0') { say("qmail-smtpd accepts messages of any size."); return; }
  say("qmail-smtpd accepts messages of up to ");
  sayb(s, len);
  say(" bytes.");
}

static void item_doublebounceto(const char *s, size_t len)
{
  if (!len) { say("The first line is empty: double bounces are thrown away."); return; }
  say("Double bounces go to the user ");
  sayb(s, len);
  say(".");
}

static void nocolon(const char *s, size_t len)
{
  oops_begin();
  say("The line ");
  sayb(s, len);
  say(" has no colon and is ignored.");
}

/* an oddity of its own after a value's sentence (value() ends the line) */
static void oops_after(void) { say("\n"); oops_begin(); }

/* domain:relay[:port]; an empty relay means the domain's MX hosts. The
   route is read as qmail-remote reads it (smtproutes.h). */
static void item_smtproutes(const char *s, size_t len)
{
  static stralloc relay;
  unsigned long port;
  size_t colon = byte_chr(s, len, ':');
  int r;
  if (colon == len) { nocolon(s, len); return; }
  say("Mail for ");
  domain(s, colon);
  if (colon + 1 == len) { say(" goes to its MX hosts."); return; }
  say(" goes to ");
  r = smtproutes_parse(s + colon + 1, &relay, &port);  /* s is NUL-terminated */
  if (r == 0) { nomem = 1; return; }
  if (r == -1) {
    sayb(s + colon + 1, len - colon - 1);
    say(".");
    oops_after();
    say("qmail-remote cannot use this route (a port that is not a number from 1 to 65535, a [ without its ], or more after the ]): it defers this mail until the file is fixed.");
    return;
  }
  if (relay.len) sayb(relay.s, relay.len);
  else say("its MX hosts");
  if (port != SMTPROUTES_PORT) { say(", port "); saynum(port); }
  say(".");
}

/* tcprules(1): address:allow or address:deny, then ,VAR="value"... */
static void item_tcprule(const char *s, size_t len)
{
  size_t colon = byte_chr(s, len, ':');
  /* IPv6 addresses hold colons: the instruction is the first ":allow"
     or ":deny" */
  while (colon < len && !(len - colon >= 6 && byte_equal(s + colon, 6, ":allow")) &&
         !(len - colon >= 5 && byte_equal(s + colon, 5, ":deny")))
    colon += 1 + byte_chr(s + colon + 1, len - colon - 1, ':');
  if (colon >= len) {
    oops_begin(); say("The rule "); sayb(s, len); say(" says neither allow nor deny: tcprules refuses it.");
    return;
  }
  say("Clients from ");
  if (colon) sayb(s, colon);
  else say("every other address");
  s += colon + 1;
  len -= colon + 1;
  if (s[0] == 'd') { say(" are refused."); return; }
  say(" are let in");
  if (len > 5 && s[5] == ',') { say(" with "); sayb(s + 6, len - 6); }
  say(".");
}

/* [user@]domain:prefix; an empty prefix makes an exception */
static void item_virtualdomains(const char *s, size_t len)
{
  size_t colon = byte_chr(s, len, ':');
  if (colon == len) { nocolon(s, len); return; }
  say("Mail for ");
  if (byte_chr(s, colon, '@') < colon) sayb(s, colon);
  else domain(s, colon);
  if (colon + 1 == len) { say(" is not virtual, whatever the entries for wider domains say."); return; }
  say(" is delivered locally, with ");
  sayb(s + colon + 1, len - colon - 1);
  say("- in front of the address.");
}

/* ---- checks ---- */

/* what a host name, or an address literal, may hold */
static int host_char(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '.' || ch == '-' || ch == '_' || ch == '[' || ch == ']' || ch == ':';
}

static void check_host(const char *s, size_t len)
{
  size_t i;
  for (i = 0; i < len; ++i)
    if (!host_char(s[i])) {
      oops_begin();
      sayb(s, len);
      say(" holds a character no host name has (a space, an @, ...): the programs take it as it is.\n");
      return;
    }
}

/* a file of one host name */
static void check_hostname(int r) { if (r == 1) check_host(val.s, val.len - 1); }

/* a list of host names */
static void check_hostlist(int r)
{
  size_t i = 0;
  if (r != 1) return;
  for (i = 0; i < val.len; i += str_len(val.s + i) + 1) check_host(val.s + i, str_len(val.s + i));
}

static void check_locals(int r)
{
  check_hostlist(r);
  if (r != 1 || meok != 1 || listed(&val, me.s, me.len - 1)) return;
  oops_begin();
  say("me (");
  sayb(me.s, me.len - 1);
  say(") is not in locals: mail for this host itself will not be delivered here.\n");
}

static void check_rcpthosts(int r)
{
  check_hostlist(r);
  if (r == 0) oops("Without rcpthosts, qmail-smtpd takes mail only from clients with RELAYCLIENT (and for morercpthosts): nobody else can send mail here.");
  if (r == 1 && !val.len) oops("rcpthosts lists nothing: qmail-smtpd takes mail only from clients with RELAYCLIENT (and for morercpthosts).");
}

/* a number of seconds, where 0 means everything gives up at once */
static void check_seconds(int r)
{
  if (r == 1 && number == 0) oops("0 seconds: every wait gives up at once.");
}

static void check_queuelifetime(int r)
{
  if (r == 1 && number == 0) oops("0 seconds: a message not delivered at the first try bounces at once.");
}

/* qmail-send keeps concurrency in range */
static void check_concurrency(int r)
{
  unsigned long u = number;
  (void)r;
  if (u < 1) oops("0 deliveries at once is not possible: qmail-send uses 1.");
  if (u > SHOWCTL_CONCURRENCY_MAX) {
    oops_begin();
    say("qmail-send uses at most ");
    saynum(SHOWCTL_CONCURRENCY_MAX);
    say(".\n");
  }
}

/* Every known file, in the order shown: me first, then by name. */
static const struct ctl files[] = {
  { "me", show_me, 0, 0, 0, 0, 0 },
  { "badmailfrom", show_list, "Every envelope sender is accepted.", 0, 0, item_badmailfrom, 0 },
  { "bouncefrom", show_line, "MAILER-DAEMON", "Failure notices come from the user ", ".", 0, 0 },
  { "bouncehost", show_line, 0, "Failure notices come from the host ", ".", 0, check_hostname },
  { "concurrencylocal", show_number, "10", "At most ", " local deliveries run at once.", 0, check_concurrency },
  { "concurrencyremote", show_number, "20", "At most ", " remote deliveries run at once.", 0, check_concurrency },
  { "databytes", show_number, "0", 0, 0, item_databytes, 0 },
  { "defaultdomain", show_line, 0, "qmail-inject adds .", " to a host name without a dot.", 0, check_hostname },
  { "defaulthost", show_line, 0, "qmail-inject adds @", " to an address without a host.", 0, check_hostname },
  { "doublebouncehost", show_line, 0, "Double bounces go to the host ", ".", 0, check_hostname },
  { "doublebounceto", show_line, "postmaster", 0, 0, item_doublebounceto, 0 },
  { "envnoathost", show_line, 0, "An envelope recipient without @ is taken to be at ", ".", 0, check_hostname },
  { "helohost", show_line, 0, "qmail-remote introduces itself with HELO ", ".", 0, check_hostname },
  { "idhost", show_line, 0, "qmail-inject makes Message-IDs ending in @", ".", 0, check_hostname },
  { "localiphost", show_line, 0, "A recipient at [an address of this host] is taken to be at ", ".", 0, check_hostname },
  { "locals", show_list, 0, "Mail for ", " is delivered locally.", 0, check_locals },
  { "morercpthosts", show_list, "No domains besides rcpthosts.", 0, 0, item_rcpthosts, check_hostlist },
  { "morercpthosts.cdb", show_compiled, "morercpthosts", "There is none: only rcpthosts counts.", "qmail-smtpd", 0, 0 },
  { "percenthack", show_list, "No domain has the percent hack.", "user%host@", " is rewritten to user@host.", 0, check_hostlist },
  { "plusdomain", show_line, 0, "qmail-inject replaces a + at the end of a host name with .", ".", 0, check_hostname },
  { "queuelifetime", show_number, "604800", "A message is given up after ", " seconds in the queue.", 0, check_queuelifetime },
  { "rcpthosts", show_list, "qmail-smtpd accepts recipients only from clients with RELAYCLIENT.", 0, 0, item_rcpthosts, check_rcpthosts },
  { "smtpgreeting", show_line, 0, "qmail-smtpd greets clients with 220 ", ".", 0, 0 },
  { "smtproutes", show_list, "Mail goes to the MX hosts of its domain.", 0, 0, item_smtproutes, 0 },
  { "tcp.smtp", show_list, "There is none here: the SMTP service's run script decides who may connect and relay.", 0, 0, item_tcprule, 0 },
  { "tcp.smtp.cdb", show_compiled, "tcp.smtp", "There is none here.", "tcpserver", 0, 0 },
  { "timeoutconnect", show_number, "60", "qmail-remote gives up a connection attempt after ", " seconds.", 0, check_seconds },
  { "timeoutremote", show_number, "1200", "qmail-remote waits at most ", " seconds for the server.", 0, check_seconds },
  { "timeoutsmtpd", show_number, "1200", "qmail-smtpd waits at most ", " seconds for the client.", 0, check_seconds },
  { "virtualdomains", show_list, "No virtual domains.", 0, 0, item_virtualdomains, 0 },
};
#define NFILES (sizeof files / sizeof files[0])

/* files of qmail, of its common patches and of Life with qmail's
   setup, that neoqmail has no use for */
static const char *const qmail_only[] = {
  "qmqpservers", "defaultdelivery", "concurrencyincoming", "spfbehavior",
  "tarpitcount", "tarpitdelay", "servercert.pem", "clientcert.pem", 0 };

static void show_file(const struct ctl *c)
{
  struct stat st;
  say("\n");
  say(c->name);
  say(":");
  c->show(c);
  if (!exists(c->name, &st)) return;
  if (!(st.st_mode & S_IROTH))
    oops("Not readable by everybody, but it is read by programs running as other users; mode 644 is usual.");
  if (st.st_mode & S_IWOTH)
    oops("Writable by everybody: anyone can change where mail goes; mode 644 is usual.");
}

/* ---- the header ---- */

static const char *const user_role[SHOWCTL_USERS] = {
  "alias", "qmaild", "qmaill", "root", "qmailp", "qmailq", "qmailr", "qmails" };
static const char *const group_role[SHOWCTL_GROUPS] = { "qmail", "nofiles" };

/* "ROLE: NAME, uid N." or "..., uid unknown." and an Oops */
static void id(const char *role, const char *name, int (*lookup)(const char *, unsigned long *), int isuser)
{
  unsigned long n;
  int found = lookup(name, &n) == 0;
  say(role); say(": "); say(name); say(isuser ? ", uid " : ", gid ");
  if (found) { saynum(n); say(".\n"); return; }
  say("unknown.\n");
  oops_begin();
  say("There is no ");
  say(isuser ? "user" : "group");
  say(" named "); say(name); say(".\n");
}

static void header(const struct showctl_config *c)
{
  size_t i;
  say("home directory: "); say(c->home); say(".\n");
  say("queue subdirectory split: "); saynum(c->split); say(".\n");
  say(c->sandbox ? "sandbox: yes; one user owns everything, /etc/passwd is not used for mail.\n"
                 : "sandbox: no; each role runs as its own user.\n");
  say("users, by role:\n");
  for (i = 0; i < SHOWCTL_USERS; ++i) id(user_role[i], c->user[i], c->uid, 1);
  say("groups, by role:\n");
  for (i = 0; i < SHOWCTL_GROUPS; ++i) id(group_role[i], c->group[i], c->gid, 0);
}

/* ---- files nobody reads ---- */

static int by_name(const void *a, const void *b)
{
  return str_diff(*(const char *const *)a, *(const char *const *)b);
}

static int known(const char *name)
{
  size_t i;
  for (i = 0; i < NFILES; ++i) if (str_equal(name, files[i].name)) return 1;
  return 0;
}

static void show_unknown(const char *name)
{
  size_t i;
  say("\n");
  sayb(name, str_len(name));
  say(":\n");
  for (i = 0; qmail_only[i]; ++i)
    if (str_equal(name, qmail_only[i])) { oops("Other qmail installations use this file; neoqmail does not."); return; }
  oops("neoqmail does not use this file.");
}

/* every entry of control/, into names; 0, or -1 (errno) */
static int list_dir(void)
{
  DIR *d;
  struct dirent *de;
  if (!stralloc_copys(&fn, home) || !stralloc_cats(&fn, "/control") || !stralloc_0(&fn)) { errno = ENOMEM; return -1; }
  if (!(d = opendir(fn.s))) return -1;
  stralloc_zero(&names);
  for (;;) {
    errno = 0;
    if (!(de = readdir(d))) break;
    if (str_equal(de->d_name, ".") || str_equal(de->d_name, "..")) continue;
    if (!stralloc_cats(&names, de->d_name) || !stralloc_0(&names)) { closedir(d); errno = ENOMEM; return -1; }
  }
  if (errno) { int e = errno; closedir(d); errno = e; return -1; }
  closedir(d);
  return 0;
}

static int show_unknowns(buffer *out, stralloc *why)
{
  const char **v;
  size_t n = 0, i;
  for (i = 0; i < names.len; i += str_len(names.s + i) + 1) ++n;
  if (!n) return 0;
  if (!(v = calloc(n, sizeof *v))) { why->len = 0; return -1; }
  for (n = 0, i = 0; i < names.len; i += str_len(names.s + i) + 1) v[n++] = names.s + i;
  qsort(v, n, sizeof *v, by_name);
  for (i = 0; i < n; ++i) {
    if (known(v[i])) continue;
    set_where(v[i]);
    show_unknown(v[i]);
    if (flush(out, why) == -1) { free(v); return -1; }
  }
  free(v);
  return 0;
}

int showctl(const struct showctl_config *c, buffer *out, stralloc *why)
{
  size_t i;
  home = c->home;
  brief = c->brief;
  nomem = 0;
  odd = 0;
  stralloc_zero(&text);
  set_where(0);
  header(c);
  if (flush(out, why) == -1) return -1;
  if (list_dir() == -1) {
    int e = errno;
    buffer_flush(out);
    return fail(why, "unable to list ", fn.s, e);
  }
  meok = readline(&me, "me");
  for (i = 0; i < NFILES; ++i) {
    set_where(files[i].name);
    show_file(&files[i]);
    if (flush(out, why) == -1) return -1;
  }
  if (show_unknowns(out, why) == -1) return -1;
  if (bufwrite_flush(out) == -1) return fail(why, "unable to write output", 0, errno);
  return odd > SHOWCTL_ODD_MAX ? SHOWCTL_ODD_MAX : (int)odd;
}

/* ---- the compiled-in configuration ---- */

static int lookup_uid(const char *name, unsigned long *id)
{
  uid_t u;
  gid_t g;
  if (priv_user(name, &u, &g) == -1) return -1;
  *id = (unsigned long)u;
  return 0;
}

static int lookup_gid(const char *name, unsigned long *id)
{
  gid_t g;
  if (priv_group(name, &g) == -1) return -1;
  *id = (unsigned long)g;
  return 0;
}

void showctl_config_auto(struct showctl_config *c)
{
  c->home = auto_qmail;
  c->split = auto_split;
  c->sandbox = auto_sandbox;
  c->user[0] = auto_usera; c->user[1] = auto_userd; c->user[2] = auto_userl;
  c->user[3] = auto_usero; c->user[4] = auto_userp; c->user[5] = auto_userq;
  c->user[6] = auto_userr; c->user[7] = auto_users;
  c->group[0] = auto_groupq; c->group[1] = auto_groupn;
  c->brief = 0;
  c->uid = lookup_uid;
  c->gid = lookup_gid;
}
