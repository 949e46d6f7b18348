/* qmail-smtpd: receive mail over SMTP on fds 0 and 1 (tcpserver's
   connection) and hand each message to qmail-queue (qmail-smtpd(8)).
   One process per connection, started by tcpserver as qmaild; nothing
   here needs or keeps a privilege. The modules do the parsing:
   smtpcmd (command lines), smtpdata (the body), rcpthosts (relaying),
   received (the trace field), smtpio (deadlines, pipelining). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "case.h"
#include "constmap.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "msgidscan.h"
#include "printable.h"
#include "queueclient.h"
#include "rcpthosts.h"
#include "received.h"
#include "scan.h"
#include "sig.h"
#include "smtpcmd.h"
#include "smtpdata.h"
#include "smtpio.h"
#include "str.h"
#include "stralloc.h"

/* The most recipients of one message; more get 452 (RFC 5321 4.5.3.1.8
   asks for at least 100). */
#define MAXRCPT 1000
/* Recipients named in a log line; the rest are counted. */
#define LOGRCPT 10

#define NORETURN __attribute__((noreturn))

static struct smtpio io;
static stralloc me, greeting, localiphost, badmailfrom;
static struct constmap bmfmap;
static struct rcpthosts rh;
static unsigned long long databytes;
static unsigned long timeout = 1200;
static const char *relayclient, *remoteip, *remotehost, *remoteinfo, *localip;

static stralloc line, helo, sender, rcpts, addr, logbuf, result;
static int seenhelo, esmtp, seenmail;
static size_t nrcpt;
static unsigned long nmsg;

/* ---- the log: one line per message and per connection, on stderr ---- */

static void log_cats(const char *s) { stralloc_cats(&logbuf, s); }
static void log_safe(const char *s, size_t len) { printable_cat(&logbuf, s, len < 300 ? len : 300); }
static void log_num(unsigned long long n)
{
  char num[FMT_ULONG];
  stralloc_catb(&logbuf, num, fmt_ulonglong(num, n));
}

static void log_start(const char *what)
{
  stralloc_copys(&logbuf, "qmail-smtpd: pid ");
  log_num((unsigned long long)getpid());
  log_cats(" ");
  log_cats(what);
}

/* a client's word with spaces shown as '_', so that it stays one field */
static void log_word(const char *s, size_t len)
{
  size_t i = logbuf.len;
  log_safe(s, len);
  for (; i < logbuf.len; ++i) if (logbuf.s[i] == ' ') logbuf.s[i] = '_';
}

static void log_client(void)
{
  log_cats("ip ");
  log_cats(remoteip ? remoteip : "unknown");
  log_cats(" helo ");
  if (seenhelo && helo.len) log_word(helo.s, helo.len); else log_cats("none");
}

static void log_end(void)
{
  log_cats("\n");
  if (write(2, logbuf.s, logbuf.len) == -1) { /* nowhere to complain */ }
}

static void log_connection(const char *how)
{
  log_start("end ip ");
  log_cats(remoteip ? remoteip : "unknown");
  log_cats(" host ");
  log_cats(remotehost && *remotehost ? remotehost : "unknown");
  log_cats(" helo ");
  if (seenhelo) log_safe(helo.s, helo.len); else log_cats("none");
  log_cats(" messages ");
  log_num(nmsg);
  log_cats(": ");
  log_cats(how);
  log_end();
}

/* ---- how a session ends ---- */

static NORETURN void bye(int code, const char *how)
{
  log_connection(how);
  _exit(code);
}
/* a last word to a client that may not be reading: never waits */
static NORETURN void bye_with(const char *text, const char *how)
{
  if (write(1, text, str_len(text)) == -1) { /* the client is gone */ }
  bye(1, how);
}
static NORETURN void die_io(void)
{
  if (errno == ETIMEDOUT) bye_with("451 4.4.2 timeout; closing the connection\r\n", "timeout");
  bye(1, errno == EPIPE || errno == ECONNRESET ? "connection lost" : "network error");
}
static NORETURN void die_nomem(void) { bye_with("421 4.3.0 out of memory; closing the connection\r\n", "out of memory"); }
static NORETURN void die_control(void)
{
  bye_with("421 4.3.0 unable to read the control files; closing the connection\r\n", "unable to read control files");
}
static NORETURN void die_root(void)
{
  bye_with("421 4.3.0 server misconfigured; closing the connection\r\n", "refusing to run as root");
}

static void out(const char *s) { if (smtpio_puts(&io, s) == -1) die_io(); }
static void reply(const char *s) { out(s); out("\r\n"); }

/* ---- set-up ---- */

static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : 0;
}

static void read_databytes(void)
{
  unsigned long u;
  const char *v = getenv("DATABYTES");
  if (control_readulong(&u, "control/databytes", 0) == -1) die_control();
  if (v && !control_parse_ulong(&u, v, str_len(v))) die_control();
  databytes = u;
}

static void read_controls(void)
{
  int r;
  if (control_readulong(&timeout, "control/timeoutsmtpd", 1200) == -1) die_control();
  if (!timeout) timeout = 1;
  smtpio_init(&io, 0, 1, timeout);
  if (control_readline(&me, "control/me") != 1) die_control();
  if (control_rldef(&greeting, "control/smtpgreeting", 1, 0) == -1) die_control();
  if (control_rldef(&localiphost, "control/localiphost", 1, 0) == -1) die_control();
  r = control_readfile(&badmailfrom, "control/badmailfrom", 0);
  if (r == -1) die_control();
  if (!constmap_init(&bmfmap, badmailfrom.s, badmailfrom.len, 0)) die_nomem();
  if (rcpthosts_init(&rh) == -1) die_control();
  read_databytes();
}

static void read_environment(void)
{
  relayclient = getenv("RELAYCLIENT");   /* set, even empty, means trusted */
  remoteip = env("TCPREMOTEIP");
  remotehost = env("TCPREMOTEHOST");
  remoteinfo = env("TCPREMOTEINFO");
  localip = env("TCPLOCALIP");
}

/* one line per refused MAIL or RCPT, so that refusals can be counted */
static void log_refused(const char *what, const stralloc *a, const char *why)
{
  log_start("refused ");
  log_client();
  log_cats(" ");
  log_cats(what);
  log_cats(" <");
  log_safe(a->s, a->len);
  log_cats(">: ");
  log_cats(why);
  log_end();
}

static void refuse_mail(const char *why) { log_refused("mail", &sender, why); reply(why); }
static void refuse_rcpt(const char *why) { log_refused("rcpt", &addr, why); reply(why); }

/* ---- commands ---- */

static void transaction_reset(void)
{
  seenmail = 0;
  nrcpt = 0;
  stralloc_zero(&rcpts);
}

static void smtp_greet(void)
{
  out("220 ");
  out(greeting.s);
  reply(" ESMTP");
}

static void smtp_helo(const char *arg, size_t len, int ehlo)
{
  if (!stralloc_copyb(&helo, arg, len)) die_nomem();
  seenhelo = 1;
  esmtp = ehlo;
  transaction_reset();
  if (!ehlo) { out("250 "); reply(me.s); return; }
  out("250-");
  out(me.s);
  out("\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
  if (databytes) {
    char num[FMT_ULONG];
    num[fmt_ulonglong(num, databytes)] = 0;
    out("250-SIZE ");
    out(num);
    out("\r\n");
  } else
    out("250-SIZE\r\n");
  reply("250 ENHANCEDSTATUSCODES");
}

static int badsender(void)
{
  size_t d;
  if (!sender.len) return 0;
  if (constmap_lookup(&bmfmap, sender.s, sender.len)) return 1;
  d = smtpcmd_domainpos(sender.s, sender.len);
  return d < sender.len && constmap_lookup(&bmfmap, sender.s + d - 1, sender.len - d + 1);
}

static void smtp_mail(const char *arg, size_t len)
{
  size_t p;
  unsigned long long size;
  if (seenmail) { reply("503 5.5.1 nested MAIL command"); return; }
  switch (smtpcmd_path(&sender, arg, len, "from:", &p)) {
    case SMTP_OK: break;
    case SMTP_TOOLONG: reply("553 5.1.7 sender address too long"); return;
    case SMTP_NOMEM: die_nomem();
    default: reply("501 5.1.7 bad sender address syntax"); return;
  }
  switch (smtpcmd_mailparams(arg + p, len - p, &size)) {
    case SMTP_OK: break;
    case SMTP_BADPARAM: reply("555 5.5.4 unsupported MAIL parameter"); return;
    default: reply("501 5.5.4 bad MAIL parameter"); return;
  }
  if (databytes && size > databytes) {
    refuse_mail("552 5.3.4 sorry, that message size exceeds my databytes limit");
    return;
  }
  if (badsender()) { refuse_mail("553 5.7.1 sorry, your envelope sender is in my badmailfrom list"); return; }
  if (!stralloc_0(&sender)) die_nomem();
  transaction_reset();
  seenmail = 1;
  reply("250 2.1.0 ok");
}

/* box@[our address] (box@[IPv6:our address]) is box@localiphost */
static void localip_rewrite(void)
{
  static stralloc literal;
  size_t d = smtpcmd_domainpos(addr.s, addr.len);
  if (!localip || d >= addr.len) return;
  if (!stralloc_copys(&literal, "[") ||
      (localip[str_chr(localip, ':')] && !stralloc_cats(&literal, "IPv6:")) ||
      !stralloc_cats(&literal, localip) || !stralloc_cats(&literal, "]"))
    die_nomem();
  if (addr.len - d != literal.len || case_diffb(addr.s + d, literal.len, literal.s)) return;
  addr.len = d;
  if (!stralloc_cats(&addr, localiphost.s)) die_nomem();
}

/* the reply refusing addr, or 0 when it is acceptable */
static const char *rcpt_refusal(void)
{
  size_t d = smtpcmd_domainpos(addr.s, addr.len);
  if (d >= addr.len) {
    if (addr.len == 10 && !case_diffb(addr.s, 10, "postmaster")) return 0;
    return "553 5.1.3 sorry, a recipient address needs a domain";
  }
  if (relayclient) {
    if (!stralloc_cats(&addr, relayclient)) die_nomem();
    return 0;
  }
  if (smtpcmd_routed(addr.s, addr.len))
    return "553 5.7.1 sorry, sender-specified routing (% ! or @ in the local part) is not accepted";
  switch (rcpthosts_match(&rh, addr.s + d, addr.len - d)) {
    case 1: return 0;
    case 0: return "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts";
    default: return "451 4.3.0 unable to read morercpthosts.cdb";
  }
}

static void smtp_rcpt(const char *arg, size_t len)
{
  size_t p;
  const char *refusal;
  if (!seenmail) { reply("503 5.5.1 MAIL first"); return; }
  switch (smtpcmd_path(&addr, arg, len, "to:", &p)) {
    case SMTP_OK: break;
    case SMTP_TOOLONG: reply("553 5.1.3 recipient address too long"); return;
    case SMTP_NOMEM: die_nomem();
    default: reply("501 5.1.3 bad recipient address syntax"); return;
  }
  if (smtpcmd_rcptparams(arg + p, len - p) != SMTP_OK) { reply("555 5.5.4 unsupported RCPT parameter"); return; }
  if (!addr.len) { reply("501 5.1.3 the null address cannot receive mail"); return; }
  if (nrcpt >= MAXRCPT) { reply("452 4.5.3 too many recipients"); return; }
  localip_rewrite();
  if ((refusal = rcpt_refusal())) { refuse_rcpt(refusal); return; }
  if (!stralloc_catb(&rcpts, addr.s, addr.len) || !stralloc_0(&rcpts)) die_nomem();
  ++nrcpt;
  reply("250 2.1.5 ok");
}

/* ---- DATA ---- */

static struct msgidscan msgid;

/* the message line ends in " ip A helo H msgid M": three space-free
   fields after the result, so readers can take them from the right */
static void log_message(unsigned long long bytes, const char *result)
{
  const char *id;
  size_t idlen = msgidscan_value(&msgid, &id);
  size_t i = 0, n = 0;
  log_start("message from <");
  log_safe(sender.s, str_len(sender.s));
  log_cats("> to");
  while (i < rcpts.len) {
    size_t len = str_len(rcpts.s + i);
    if (n++ < LOGRCPT) { log_cats(" <"); log_safe(rcpts.s + i, len); log_cats(">"); }
    i += len + 1;
  }
  if (n > LOGRCPT) { log_cats(" and "); log_num(n - LOGRCPT); log_cats(" more"); }
  log_cats(" bytes ");
  log_num(bytes);
  log_cats(": ");
  log_cats(result);
  log_cats(" ");
  log_client();
  log_cats(" msgid ");
  if (idlen) log_word(id, idlen); else log_cats("none");
  log_end();
}

static void put_received(struct qqueue *qq)
{
  static stralloc rl;
  struct received_info ri;
  ri.helo = seenhelo && helo.len ? helo.s : 0;
  if (ri.helo && !stralloc_0(&helo)) die_nomem();
  ri.remoteip = remoteip;
  ri.remotehost = remotehost;
  ri.remoteinfo = remoteinfo;
  ri.me = me.s;
  ri.esmtp = esmtp;
  if (!received_line(&rl, &ri, time(0))) die_nomem();
  qq_put(qq, rl.s, rl.len);
  if (ri.helo) --helo.len;
}

/* read the body to its end; what it holds goes to qmail-queue until it
   is spoiled */
static void read_body(struct qqueue *qq, struct smtpdata *d)
{
  static char buf[SMTPIO_INBUF];
  int ended = 0;
  smtpdata_start(d, databytes);
  msgidscan_start(&msgid);
  while (!ended) {
    size_t used, olen;
    int r = smtpio_fill(&io);
    if (r <= 0) {
      int e = errno;
      qq_close(qq);   /* no envelope: qmail-queue stores nothing */
      if (r == 0) bye(1, "end of input in DATA");
      errno = e;
      die_io();
    }
    ended = smtpdata_feed(d, io.in + io.inpos, io.inlen - io.inpos, &used, buf, &olen);
    io.inpos += used;
    if (olen) { qq_put(qq, buf, olen); msgidscan_feed(&msgid, buf, olen); }
  }
}

static const char *spoiled(int flags)
{
  if (flags & (SMTPDATA_BARELF | SMTPDATA_BARECR))
    return "554 5.6.0 sorry, bare LF or CR in the message; lines must end with CR LF (RFC 5321 2.3.8)";
  if (flags & SMTPDATA_NUL) return "554 5.6.0 sorry, NUL bytes are not accepted in a message";
  return "552 5.3.4 sorry, that message size exceeds my databytes limit";
}

/* "... (#4.3.0)" -> "451 4.3.0 ... (#4.3.0)", in result */
static void reply_qq(int code)
{
  const char *text = qq_errtext(code);
  size_t i = str_len(text), n;
  if (!stralloc_copys(&result, qq_permanent(code) ? "554 " : "451 ")) die_nomem();
  while (i > 0 && text[i - 1] != '#') --i;
  n = str_len(text + i);
  if (i > 0 && n > 1 && n < 16)
    if (!stralloc_catb(&result, text + i, n - 1) || !stralloc_cats(&result, " ")) die_nomem();
  if (!stralloc_cats(&result, text) || !stralloc_0(&result)) die_nomem();
  reply(result.s);
}

static void queue_message(struct qqueue *qq, unsigned long long bytes)
{
  char num[FMT_ULONG];
  size_t i;
  pid_t qp = qq->pid;
  int code;
  qq_from(qq, sender.s);
  for (i = 0; i < rcpts.len; i += str_len(rcpts.s + i) + 1) qq_to(qq, rcpts.s + i);
  code = qq_close(qq);
  if (code) {
    reply_qq(code);
    log_message(bytes, result.s);
    return;
  }
  ++nmsg;
  out("250 2.0.0 ok ");
  num[fmt_ulong(num, (unsigned long)time(0))] = 0;
  out(num);
  out(" qp ");
  num[fmt_ulong(num, (unsigned long)qp)] = 0;
  reply(num);
  if (!stralloc_copys(&result, "accepted qp ") || !stralloc_cats(&result, num) ||
      !stralloc_0(&result))
    die_nomem();
  log_message(bytes, result.s);
}

static void smtp_data(void)
{
  static struct qqueue qq;
  struct smtpdata d;
  if (!seenmail) { reply("503 5.5.1 MAIL first"); return; }
  if (!nrcpt) { reply("503 5.5.1 RCPT first"); return; }
  if (qq_open(&qq) == -1) { reply("451 4.3.0 unable to start qmail-queue"); return; }
  reply("354 go ahead; end with <CR><LF>.<CR><LF>");
  put_received(&qq);
  read_body(&qq, &d);
  if (d.flags) {
    qq_close(&qq);
    reply(spoiled(d.flags));
    log_message(d.bytes, spoiled(d.flags));
  } else
    queue_message(&qq, d.bytes);
  transaction_reset();
}

/* ---- the loop ---- */

static void command(void)
{
  size_t arg;
  enum smtp_verb v = smtpcmd_verb(line.s, line.len, &arg);
  const char *a = line.s + arg;
  size_t alen = line.len - arg;
  switch (v) {
    case SMTP_HELO: smtp_helo(a, alen, 0); break;
    case SMTP_EHLO: smtp_helo(a, alen, 1); break;
    case SMTP_MAIL: smtp_mail(a, alen); break;
    case SMTP_RCPT: smtp_rcpt(a, alen); break;
    case SMTP_DATA: smtp_data(); break;
    case SMTP_RSET: transaction_reset(); reply("250 2.0.0 ok"); break;
    case SMTP_NOOP: reply("250 2.0.0 ok"); break;
    case SMTP_VRFY: reply("252 2.0.0 cannot verify this address, but will take mail for it"); break;
    case SMTP_HELP: reply("214 2.0.0 commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY QUIT HELP"); break;
    case SMTP_QUIT:
      out("221 2.0.0 ");
      reply(me.s);
      if (smtpio_flush(&io) == -1) die_io();
      bye(0, "quit");
    default: reply("502 5.5.1 command not recognized"); break;
  }
}

int main(void)
{
  die_program("qmail-smtpd");
  sig_ignore(SIGPIPE);
  read_environment();
  if (!auto_sandbox && (getuid() == 0 || geteuid() == 0)) die_root();
  if (chdir(auto_qmail) == -1) die_control();
  read_controls();
  smtp_greet();
  for (;;) {
    int toolong;
    int r = smtpio_getline(&io, &line, SMTP_LINE_MAX, &toolong);
    if (r == 0) bye(0, "end of input");
    if (r == -1) die_io();
    if (toolong) reply("500 5.5.2 line too long");
    else command();
  }
}
