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

/* ---- writing ---- */

static void say(const char *s) { if (!stralloc_cats(&text, s)) nomem = 1; }
/* bytes from a file: made printable */
static void sayb(const char *s, size_t len) { if (!printable_cat(&text, s, len)) nomem = 1; }
static void saynum(unsigned long n)
{
  char num[FMT_ULONG];
  if (!stralloc_catb(&text, num, fmt_ulong(num, n))) nomem = 1;
}
static void oops(const char *s) { say("Oops! "); say(s); say("\n"); }

/* why = "what[name]: error", or empty when out of memory; always -1 */
static int fail(stralloc *why, const char *what, const char *name, int err)
{
  if (!stralloc_copys(why, what) || (name && !stralloc_cats(why, name)) ||
      !stralloc_cats(why, ": ") || !stralloc_cats(why, error_str(err)) || !stralloc_0(why))
    why->len = 0;  /* the caller says "out of memory" */
  return -1;
}

static int flush(buffer *out, stralloc *why)
{
  if (nomem) { why->len = 0; return -1; }  /* the caller says "out of memory" */
  if (bufwrite_put(out, text.s, text.len) == -1) return fail(why, "unable to write output", 0, errno);
  stralloc_zero(&text);
  return 0;
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
  say(" (unreadable)\nOops! Unable to read it: ");
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
    say(" (not a number)\nOops! ");
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
}

/* morercpthosts.cdb: qmail-smtpd reads only this compiled form */
static void show_mrhcdb(const struct ctl *c)
{
  struct stat text_st, cdb_st;
  int text_ok = exists("morercpthosts", &text_st);
  int cdb_ok = exists("morercpthosts.cdb", &cdb_st);
  (void)c;
  if (!text_ok && !cdb_ok) { say(" (Default.) There is none: only rcpthosts counts.\n"); return; }
  if (!text_ok) { say("\n"); oops("morercpthosts.cdb is there, but morercpthosts, its source, is not."); return; }
  if (!cdb_ok) { say("\n"); oops("morercpthosts has not been compiled into morercpthosts.cdb: qmail-smtpd reads only the compiled file."); return; }
  if (text_st.st_mtime > cdb_st.st_mtime) { say("\n"); oops("morercpthosts.cdb is older than morercpthosts: compile it again."); return; }
  say(" Compiled since morercpthosts last changed.\n");
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

/* domain:relay[:port]; an empty relay means the domain's MX hosts */
static void item_smtproutes(const char *s, size_t len)
{
  size_t colon = byte_chr(s, len, ':');
  if (colon == len) { say("Oops! The line "); sayb(s, len); say(" has no colon and is ignored."); return; }
  say("Mail for ");
  domain(s, colon);
  if (colon + 1 == len) { say(" goes to its MX hosts."); return; }
  s += colon + 1;
  len -= colon + 1;
  colon = byte_chr(s, len, ':');
  say(" goes to ");
  if (colon) sayb(s, colon);
  else say("its MX hosts");
  if (colon < len) { say(", port "); sayb(s + colon + 1, len - colon - 1); }
  say(".");
}

/* [user@]domain:prefix; an empty prefix makes an exception */
static void item_virtualdomains(const char *s, size_t len)
{
  size_t colon = byte_chr(s, len, ':');
  if (colon == len) { say("Oops! The line "); sayb(s, len); say(" has no colon and is ignored."); return; }
  say("Mail for ");
  if (byte_chr(s, colon, '@') < colon) sayb(s, colon);
  else domain(s, colon);
  if (colon + 1 == len) { say(" is not virtual, whatever the entries for wider domains say."); return; }
  say(" is delivered locally, with ");
  sayb(s + colon + 1, len - colon - 1);
  say("- in front of the address.");
}

/* ---- checks ---- */

static void check_locals(int r)
{
  if (r != 1 || meok != 1 || listed(&val, me.s, me.len - 1)) return;
  say("Oops! me (");
  sayb(me.s, me.len - 1);
  say(") is not in locals: mail for this host itself will not be delivered here.\n");
}

static void check_rcpthosts(int r)
{
  if (r == 0) oops("Without rcpthosts, qmail-smtpd takes mail only from clients with RELAYCLIENT (and for morercpthosts): nobody else can send mail here.");
}

/* qmail-send keeps concurrency in range */
static void check_concurrency(int r)
{
  unsigned long u = number;
  (void)r;
  if (u < 1) oops("0 deliveries at once is not possible: qmail-send uses 1.");
  if (u > SHOWCTL_CONCURRENCY_MAX) {
    say("Oops! qmail-send uses at most ");
    saynum(SHOWCTL_CONCURRENCY_MAX);
    say(".\n");
  }
}

/* Every known file, in the order shown: me first, then by name. */
static const struct ctl files[] = {
  { "me", show_me, 0, 0, 0, 0, 0 },
  { "badmailfrom", show_list, "Every envelope sender is accepted.", 0, 0, item_badmailfrom, 0 },
  { "bouncefrom", show_line, "MAILER-DAEMON", "Failure notices come from the user ", ".", 0, 0 },
  { "bouncehost", show_line, 0, "Failure notices come from the host ", ".", 0, 0 },
  { "concurrencylocal", show_number, "10", "At most ", " local deliveries run at once.", 0, check_concurrency },
  { "concurrencyremote", show_number, "20", "At most ", " remote deliveries run at once.", 0, check_concurrency },
  { "databytes", show_number, "0", 0, 0, item_databytes, 0 },
  { "defaultdomain", show_line, 0, "qmail-inject adds .", " to a host name without a dot.", 0, 0 },
  { "defaulthost", show_line, 0, "qmail-inject adds @", " to an address without a host.", 0, 0 },
  { "doublebouncehost", show_line, 0, "Double bounces go to the host ", ".", 0, 0 },
  { "doublebounceto", show_line, "postmaster", 0, 0, item_doublebounceto, 0 },
  { "envnoathost", show_line, 0, "An envelope recipient without @ is taken to be at ", ".", 0, 0 },
  { "helohost", show_line, 0, "qmail-remote introduces itself with HELO ", ".", 0, 0 },
  { "idhost", show_line, 0, "qmail-inject makes Message-IDs ending in @", ".", 0, 0 },
  { "localiphost", show_line, 0, "A recipient at [an address of this host] is taken to be at ", ".", 0, 0 },
  { "locals", show_list, 0, "Mail for ", " is delivered locally.", 0, check_locals },
  { "morercpthosts", show_list, "No domains besides rcpthosts.", 0, 0, item_rcpthosts, 0 },
  { "morercpthosts.cdb", show_mrhcdb, 0, 0, 0, 0, 0 },
  { "percenthack", show_list, "No domain has the percent hack.", "user%host@", " is rewritten to user@host.", 0, 0 },
  { "plusdomain", show_line, 0, "qmail-inject replaces a + at the end of a host name with .", ".", 0, 0 },
  { "queuelifetime", show_number, "604800", "A message is given up after ", " seconds in the queue.", 0, 0 },
  { "rcpthosts", show_list, "qmail-smtpd accepts recipients only from clients with RELAYCLIENT.", 0, 0, item_rcpthosts, check_rcpthosts },
  { "smtpgreeting", show_line, 0, "qmail-smtpd greets clients with 220 ", ".", 0, 0 },
  { "smtproutes", show_list, "Mail goes to the MX hosts of its domain.", 0, 0, item_smtproutes, 0 },
  { "timeoutconnect", show_number, "60", "qmail-remote gives up a connection attempt after ", " seconds.", 0, 0 },
  { "timeoutremote", show_number, "1200", "qmail-remote waits at most ", " seconds for the server.", 0, 0 },
  { "timeoutsmtpd", show_number, "1200", "qmail-smtpd waits at most ", " seconds for the client.", 0, 0 },
  { "virtualdomains", show_list, "No virtual domains.", 0, 0, item_virtualdomains, 0 },
};
#define NFILES (sizeof files / sizeof files[0])

/* qmail files neoqmail has no use for */
static const char *const qmail_only[] = { "qmqpservers", 0 };

static void show_file(const struct ctl *c)
{
  struct stat st;
  say("\n");
  say(c->name);
  say(":");
  c->show(c);
  if (exists(c->name, &st) && !(st.st_mode & S_IROTH))
    oops("Not readable by everybody, but it is read by programs running as other users; mode 644 is usual.");
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
  say("unknown.\nOops! There is no ");
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
    if (str_equal(name, qmail_only[i])) { oops("qmail uses this file; neoqmail does not."); return; }
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
  for (i = 0; i < n; ++i) if (!known(v[i])) show_unknown(v[i]);
  free(v);
  return flush(out, why);
}

int showctl(const struct showctl_config *c, buffer *out, stralloc *why)
{
  size_t i;
  home = c->home;
  nomem = 0;
  stralloc_zero(&text);
  header(c);
  if (flush(out, why) == -1) return -1;
  if (list_dir() == -1) {
    int e = errno;
    buffer_flush(out);
    return fail(why, "unable to list ", fn.s, e);
  }
  meok = readline(&me, "me");
  for (i = 0; i < NFILES; ++i) {
    show_file(&files[i]);
    if (flush(out, why) == -1) return -1;
  }
  if (show_unknowns(out, why) == -1) return -1;
  if (bufwrite_flush(out) == -1) return fail(why, "unable to write output", 0, errno);
  return 0;
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
  c->uid = lookup_uid;
  c->gid = lookup_gid;
}
