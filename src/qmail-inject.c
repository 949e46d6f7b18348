/* qmail-inject: read a message on stdin, give it a clean header (address
   fields qualified, Date, Message-ID, From added when missing, Bcc and
   Return-Path removed), and hand it to qmail-queue (qmail-inject(8),
   qmail-header(5)). The header is held in memory, within the limits of
   headers.h; the body streams through. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "constmap.h"
#include "control.h"
#include "datetime.h"
#include "die.h"
#include "fmt.h"
#include "headers.h"
#include "inject.h"
#include "printable.h"
#include "queueclient.h"
#include "sig.h"
#include "str.h"
#include "stralloc.h"

#define INBUF_BYTES (64 * 1024)
#define NORETURN __attribute__((noreturn))

static NORETURN void die_nomem(void) { fatal(111, "out of memory (#4.3.0)"); }
static NORETURN void die_usage(char c)
{
  char opt[2] = { c, 0 };
  fatal(100, "bad option -", opt, "; usage: qmail-inject [ -nNaAhH ] [ -fsender ] [ recip ... ]");
}
static NORETURN void die_home(void) { fatal(111, "unable to switch to ", auto_qmail, ": ", error_str(errno)); }
static NORETURN void die_control(const char *fn) { fatal(111, "unable to read ", fn, ": ", error_str(errno)); }
static NORETURN void die_controlsyntax(void)
{
  fatal(111, "unable to parse control/defaulthost, defaultdomain or plusdomain (or the QMAIL variables that replace them)");
}
static NORETURN void die_read(void) { fatal(111, "unable to read the message: ", error_str(errno)); }
static NORETURN void die_write(void) { fatal(111, "unable to write the message: ", error_str(errno)); }
static NORETURN void die_qqopen(void) { fatal(111, "unable to run qmail-queue: ", error_str(errno), " (#4.3.0)"); }
static NORETURN void die_qq(int code) { fatal(qq_permanent(code) ? 100 : 111, qq_errtext(code)); }
static NORETURN void die_recip(const char *a) { fatal(100, "unable to parse address: ", a, " (#5.1.3)"); }
static NORETURN void die_sender(const char *a) { fatal(100, "unable to parse sender address: ", a, " (#5.1.7)"); }
static NORETURN void die_from(void) { fatal(100, "unable to make a From field from the user and host names (#5.1.7)"); }
static NORETURN void die_addrlong(void) { fatal(100, "address too long (#5.1.3)"); }
static NORETURN void die_norecip(void) { fatal(100, "no recipients (#5.1.3)"); }
static NORETURN void die_toomany(void) { fatal(100, "too many recipients (#5.5.3)"); }
static NORETURN void die_toobig(void) { fatal(100, "header too large (#5.3.4)"); }
static NORETURN void die_fields(void) { fatal(100, "too many header fields (#5.3.4)"); }
static NORETURN void die_field(const stralloc *f)
{
  static stralloc shown;
  size_t len = f->len;
  if (len && f->s[len - 1] == '\n') --len;
  stralloc_zero(&shown);
  if (!printable_cat(&shown, f->s, len) || !stralloc_0(&shown)) die_nomem();
  fatal(100, "unable to parse this header field: ", shown.s, " (#5.6.0)");
}

static struct inject_flags flags;
static struct inject_opts opts;
static struct addr_qualify qual;
static stralloc idhost;
static struct header_conf hconf;
static struct header header;
static struct constmap mftmap;
static int flagmft;

static int flagqueue;
static struct qqueue qq;
static char outspace[8192];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

static void put(const char *s, size_t len)
{
  if (flagqueue) qq_put(&qq, s, len);
  else if (bufwrite_put(&out, s, len) == -1) die_write();
}
static void puts_(const char *s) { put(s, str_len(s)); }

/* the first variable of the list that is set and not empty */
static const char *envfirst(const char *a, const char *b, const char *c, const char *d)
{
  const char *names[4] = { a, b, c, d };
  int i;
  for (i = 0; i < 4; ++i) {
    const char *v = names[i] ? getenv(names[i]) : 0;
    if (v && *v) return v;
  }
  return 0;
}

/* QMAILMFTFILE is read before the chdir: its name may be relative */
static void mft_init(void)
{
  static stralloc lists;
  const char *fn = getenv("QMAILMFTFILE");
  int r;
  if (!fn || !*fn) return;
  r = control_readfile(&lists, fn, 0);
  if (r == -1) die_control(fn);
  if (r == 0) return;
  if (!constmap_init(&mftmap, lists.s, lists.len, 0)) die_nomem();
  flagmft = 1;
}

static void control_or_env(stralloc *sa, const char *fn, const char *literal, const char *var)
{
  const char *v = getenv(var);
  if (control_rldef(sa, fn, 1, literal) == -1) die_control(fn);
  if (v && *v && !(stralloc_copys(sa, v) && stralloc_0(sa))) die_nomem();
}

static void getcontrols(void)
{
  static stralloc host, domain, plus;
  if (chdir(auto_qmail) == -1) die_home();
  control_or_env(&domain, "control/defaultdomain", "defaultdomain", "QMAILDEFAULTDOMAIN");
  control_or_env(&host, "control/defaulthost", "defaulthost", "QMAILDEFAULTHOST");
  control_or_env(&plus, "control/plusdomain", "plusdomain", "QMAILPLUSDOMAIN");
  control_or_env(&idhost, "control/idhost", "idhost", "QMAILIDHOST");
  switch (addr_qualify_init(&qual, host.s, domain.s, plus.s)) {
  case -1: die_nomem();
  case 0: die_controlsyntax();
  }
}

static void add_recipient(stralloc *list, const char *arg)
{
  static stralloc a;
  switch (addr_envelope(&a, arg, str_len(arg), &qual)) {
  case -1: die_nomem();
  case 0: die_recip(arg);
  }
  if (a.len > ADDRESS_MAX) die_addrlong();
  if (!a.len) return; /* <> is nobody */
  if (!stralloc_cat(list, &a) || !stralloc_0(list)) die_nomem();
}

static NORETURN void die_header(int r)
{
  switch (r) {
  case HEADER_NOMEM: die_nomem();
  case HEADER_BADADDR: die_field(&header.bad);
  case HEADER_TOOBIG: die_toobig();
  case HEADER_TOOMANY: die_fields();
  case HEADER_ADDRLONG: die_addrlong();
  case INJECT_READERR: die_read();
  default: fatal(111, "internal error: header status unknown (#4.3.0)");
  }
}

static void the_sender(stralloc *sender, struct timeval *start)
{
  const char *user = envfirst("QMAILUSER", "MAILUSER", "USER", "LOGNAME");
  const char *host = envfirst("QMAILHOST", "MAILHOST", 0, 0);
  const char *suser = envfirst("QMAILSUSER", 0, 0, 0);
  const char *shost = envfirst("QMAILSHOST", 0, 0, 0);
  if (opts.sender) {
    switch (addr_envelope(sender, opts.sender, str_len(opts.sender), &qual)) {
    case -1: die_nomem();
    case 0: die_sender(opts.sender);
    }
  } else if (header.returnpath_set) {
    if (!stralloc_copy(sender, &header.returnpath)) die_nomem();
    if (flags.verp_recip && sender->len && !stralloc_cats(sender, "-@[]")) die_nomem();
  } else {
    if (!user) user = "anonymous";
    switch (inject_sender(sender, suser ? suser : user, shost ? shost : host, &flags,
                          (unsigned long)start->tv_sec, (unsigned long)getpid(), &qual)) {
    case -1: die_nomem();
    case 0: die_sender(suser ? suser : user);
    }
  }
  if (sender->len > ADDRESS_MAX) die_addrlong();
  if (!stralloc_0(sender)) die_nomem();
}

static void the_top(stralloc *top, struct timeval *start)
{
  static stralloc from, msgid;
  char date[DATE822_LEN + 1];
  struct header_add add;
  const char *user = envfirst("QMAILUSER", "MAILUSER", "USER", "LOGNAME");
  const char *host = envfirst("QMAILHOST", "MAILHOST", 0, 0);
  const char *name = envfirst("QMAILNAME", "MAILNAME", "NAME", 0);
  date[date822fmt(date, start->tv_sec)] = 0;
  if (!inject_from(&from, name, user ? user : "anonymous", host, flags.namecomment)) die_nomem();
  if (!stralloc_0(&from)) die_nomem();
  if (!inject_messageid(&msgid, start->tv_sec, (unsigned long)start->tv_usec,
                        (unsigned long)getpid(), idhost.s) || !stralloc_0(&msgid)) die_nomem();
  add.date = date;
  add.messageid = msgid.s;
  add.from = from.s;
  add.mft = flagmft ? &mftmap : 0;
  switch (header_top(top, &header, &add)) {
  case HEADER_NOMEM: die_nomem();
  case HEADER_BADADDR: die_from();
  }
}

static void copy_body(buffer *in, const stralloc *bodystart, int end)
{
  static char conv[INBUF_BYTES + 2];
  struct inject_lf lf;
  inject_lf_init(&lf);
  if (end == HEADER_END_EOF) return;
  put("\n", 1);
  if (end == HEADER_END_BODY) {
    size_t k;
    for (k = 0; k < bodystart->len; k += INBUF_BYTES) {
      size_t n = bodystart->len - k < INBUF_BYTES ? bodystart->len - k : INBUF_BYTES;
      put(conv, inject_lf(&lf, bodystart->s + k, n, conv));
    }
  }
  for (;;) {
    ssize_t n = buffer_feed(in);
    size_t take;
    if (n < 0) die_read();
    if (n == 0) break;
    take = (size_t)n < INBUF_BYTES ? (size_t)n : INBUF_BYTES;
    put(conv, inject_lf(&lf, buffer_peek(in), take, conv));
    buffer_seek(in, take);
  }
  put(conv, inject_lf_end(&lf, conv));
}

static void recipients(stralloc *list, const stralloc *fromargs)
{
  stralloc_zero(list);
  if (!inject_dedupe(list, fromargs)) die_nomem();
  if (opts.recip != RECIP_ARGS) {
    if (!header_recipients_ok(&header)) die_field(&header.bad);
    if (!inject_dedupe(list, header_recipients(&header))) die_nomem();
  }
  if (inject_count(list) > INJECT_RECIPIENTS_MAX) die_toomany();
}

static void finish(const stralloc *sender, const stralloc *list)
{
  size_t k = 0;
  int code;
  if (!flagqueue) {
    if (bufwrite_flush(&out) == -1) die_write();
    return;
  }
  qq_from(&qq, sender->s);
  while (k < list->len) {
    qq_to(&qq, list->s + k);
    k += str_len(list->s + k) + 1;
  }
  code = qq_close(&qq);
  if (code) die_qq(code);
}

int main(int argc, char **argv)
{
  static char inspace[INBUF_BYTES];
  static stralloc fromargs, sender, top, bodystart, list;
  buffer in = BUFFER_INIT(read, 0, inspace, sizeof inspace);
  struct timeval start;
  int first, end, r;

  die_program("qmail-inject");
  sig_ignore(SIGPIPE);
  gettimeofday(&start, 0);
  inject_flags(&flags, getenv("QMAILINJECT"));
  first = inject_options(&opts, argc, argv);
  if (first < 0) die_usage(opts.bad);
  if (opts.recip == RECIP_DEFAULT) opts.recip = first < argc ? RECIP_ARGS : RECIP_HEADER;
  flagqueue = opts.queue;
  mft_init();
  getcontrols();

  if (opts.recip != RECIP_HEADER)
    for (; first < argc; ++first) add_recipient(&fromargs, argv[first]);

  hconf.q = &qual;
  hconf.delete_from = flags.delete_from;
  hconf.delete_messageid = flags.delete_messageid;
  hconf.ignore_returnpath = flags.ignore_returnpath;
  hconf.sender_given = opts.sender != 0;
  header_init(&header, &hconf);
  r = inject_readheader(&in, &header, &bodystart, &end);
  if (r != HEADER_OK) die_header(r);

  the_sender(&sender, &start);
  recipients(&list, &fromargs);
  if (flagqueue && !list.len) die_norecip();
  the_top(&top, &start);

  if (flagqueue && qq_open(&qq) == -1) die_qqopen();
  if (!flagqueue) {
    static stralloc rp;
    stralloc_zero(&rp);
    if (!addr_quote(&rp, sender.s, sender.len - 1)) die_nomem();
    puts_("Return-Path: <");
    put(rp.s, rp.len);
    puts_(">\n");
  }
  put(top.s, top.len);
  put(header.kept.s, header.kept.len);
  copy_body(&in, &bodystart, end);
  finish(&sender, &list);
  return 0;
}
