/* qmail-remote: one SMTP delivery. Usage:
     qmail-remote host sender recipient [recipient ...]
   The message is on fd 0. For each recipient it prints r (accepted),
   h (refused for good) or s (refused for now), the text and a NUL; then
   one report for the message: K (delivered), Z (try later) or D (give
   up), the text and a NUL; and exits 0 (qmail-remote(8)). Runs as qmailr,
   started by qmail-rspawn; fd 1 is the report channel, so nothing else
   may ever be written there. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "address.h"
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "byte.h"
#include "case.h"
#include "control.h"
#include "die.h"
#include "dns.h"
#include "fdmove.h"
#include "fmt.h"
#include "ip4.h"
#include "ip6.h"
#include "netio.h"
#include "remotehosts.h"
#include "sig.h"
#include "dotstuff.h"
#include "smtpreply.h"
#include "smtproutes.h"
#include "str.h"
#include "stralloc.h"
#include "tcpto.h"

#define REPORT_TEXT_MAX 450  /* per report: two of them fit what qmail-rspawn keeps */
#define QUIT_SECONDS 10      /* for the reply to QUIT, which changes nothing */
#define READ_CHUNK 65536

/* ---- the reports (fd 1) ---- */
static stralloc out;        /* every report so far */
static size_t reportstart;

static void flush_reports(void)
{
  if (fd_writeall(1, out.s, out.len) == -1) _exit(111);
  out.len = 0;
}
static void nomem_exit(void)
{
  static const char m[] = "ZOut of memory in qmail-remote. (#4.3.0)";
  out.len = 0;
  if (fd_writeall(1, m, sizeof m) == -1) _exit(111); /* with its NUL */
  _exit(0);
}
static void begin(char code)
{
  reportstart = out.len;
  if (!stralloc_append(&out, &code)) nomem_exit();
}
/* Text of the current report, cut at REPORT_TEXT_MAX. */
static void say(const char *s, size_t len)
{
  size_t used = out.len - reportstart - 1;
  if (used >= REPORT_TEXT_MAX) return;
  if (len > REPORT_TEXT_MAX - used) len = REPORT_TEXT_MAX - used;
  if (!stralloc_catb(&out, s, len)) nomem_exit();
}
static void says(const char *s) { say(s, str_len(s)); }
static void end_report(void) { if (!stralloc_0(&out)) nomem_exit(); }

/* A message report ends the run. */
static void finish(char code, const char *a, const char *b, const char *c) __attribute__((noreturn));
static void finish(char code, const char *a, const char *b, const char *c)
{
  begin(code);
  if (a) says(a);
  if (b) says(b);
  if (c) says(c);
  end_report();
  flush_reports();
  _exit(0);
}

static void temp_nomem(void) { nomem_exit(); }
static void temp_usage(void)
{
  begin('Z');
  says("qmail-remote was invoked improperly: usage: qmail-remote host sender recipient... (#4.3.5)\n");
  end_report();
  flush_reports();
  _exit(111);
}
static void temp_home(void) { finish('Z', "Unable to switch to the qmail home directory: ", error_str(errno), ". (#4.3.0)\n"); }
static void temp_control(const char *fn) { finish('Z', "Unable to read control/", fn, ". (#4.3.0)\n"); }
static void temp_routes(void) { finish('Z', "A matching entry of control/smtproutes is malformed. (#4.3.5)\n", 0, 0); }
static void temp_mess(void) { finish('Z', "Unable to read the message: ", error_str(errno), ". (#4.3.0)\n"); }
static void perm_linebreak(void) { finish('D', "An address contains a line break or NUL; it cannot go into SMTP. (#5.1.3)\n", 0, 0); }

/* ---- configuration ---- */
static stralloc helohost, routes, me;    /* me: control/me, localiphost, NUL-separated */
static unsigned long timeoutconnect = 60, timeoutremote = 1200;

static void read_controls(void)
{
  static stralloc line;
  int r;
  if (control_rldef(&helohost, "control/helohost", 1, "localhost") == -1) temp_control("helohost");
  if (control_readulong(&timeoutconnect, "control/timeoutconnect", 60) == -1) temp_control("timeoutconnect");
  if (control_readulong(&timeoutremote, "control/timeoutremote", 1200) == -1) temp_control("timeoutremote");
  if (control_readfile(&routes, "control/smtproutes", 0) == -1) temp_control("smtproutes");
  me.len = 0;
  r = control_readline(&line, "control/me");
  if (r == -1) temp_control("me");
  if (r == 1 && !stralloc_cat(&me, &line)) temp_nomem();
  r = control_readline(&line, "control/localiphost");
  if (r == -1) temp_control("localiphost");
  if (r == 1 && !stralloc_cat(&me, &line)) temp_nomem();
  if (!timeoutconnect) timeoutconnect = 1;
  if (!timeoutremote) timeoutremote = 1;
}

/* ---- the message: size and 8-bit bytes first, then rewound ---- */
static struct smtp_msginfo msginfo;
static int seekable;

static void scan_message(void)
{
  char buf[READ_CHUNK];
  struct stat st;
  smtp_msginfo_start(&msginfo);
  if (fstat(0, &st) == -1) temp_mess();
  seekable = S_ISREG(st.st_mode);
  if (!seekable) return; /* a pipe: no SIZE=, no BODY= */
  for (;;) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1) temp_mess();
    if (r == 0) break;
    smtp_msginfo_add(&msginfo, buf, (size_t)r);
  }
  if (lseek(0, 0, SEEK_SET) == -1) temp_mess();
}

/* ---- one connection ---- */
static int sock = -1;
static char ipstr[IP6_FMT];           /* the host, for the reports */
static char inbuf[4096];
static size_t inpos, inlen;
static char outspace[8192];
static buffer net;
static struct smtp_reply reply;
static const char *lost;              /* why the connection broke, 0 while fine */
static int ext_size, ext_pipelining, ext_8bitmime;

static void name_host(const char ip[16])
{
  size_t n = ip6_isv4mapped(ip) ? fmt_ip4(ipstr, ip + 12) : fmt_ip6(ipstr, ip);
  ipstr[n] = 0;
}

/* The next reply's code; 0 when the connection failed (lost says why). */
static unsigned int get_reply(void)
{
  smtp_reply_start(&reply);
  for (;;) {
    size_t used;
    int r;
    if (inpos == inlen) {
      ssize_t got = netio_read(sock, inbuf, sizeof inbuf);
      if (got <= 0) { lost = got == 0 ? "connection closed by the remote host" : error_str(errno); return 0; }
      inpos = 0;
      inlen = (size_t)got;
    }
    r = smtp_reply_feed(&reply, inbuf + inpos, inlen - inpos, &used);
    if (r == -1) { lost = "malformed reply from the remote host"; return 0; }
    inpos += used;
    if (r == 1) return reply.code;
  }
}

/* Write errors show in the socket's sticky error (bufwrite.h, netio.h). */
static int put(const char *s)
{
  if (bufwrite_puts(&net, s) == -1) { lost = error_str(errno); return -1; }
  return 0;
}
static int send_flush(void)
{
  if (bufwrite_flush(&net) == -1) { lost = error_str(errno); return -1; }
  return 0;
}

/* "Remote host said: ..." with every line of the last reply. */
static void say_reply(void)
{
  says("Remote host said: ");
  say(reply.text.s, reply.text.len);
}

/* The connection broke at `when': Z, or after the dot, Z with a warning. */
static void temp_lost(const char *when) __attribute__((noreturn));
static void temp_lost(const char *when)
{
  begin('Z');
  says("Connection to "); says(ipstr); says(" failed "); says(when); says(": ");
  says(lost ? lost : "unknown trouble"); says(". (#4.4.2)\n");
  end_report();
  flush_reports();
  _exit(0);
}

/* A refusal with the server's words; code decides D or Z. */
static void refused(unsigned int code, const char *what) __attribute__((noreturn));
static void refused(unsigned int code, const char *what)
{
  begin(code >= 500 ? 'D' : 'Z');
  says(ipstr); says(" "); says(what); says(".\n");
  say_reply();
  end_report();
  buffer_puts(&net, "QUIT\r\n");
  buffer_flush(&net);
  flush_reports();
  _exit(0);
}

static void read_extensions(void)
{
  size_t pos = 0, lineno = 0;
  ext_size = ext_pipelining = ext_8bitmime = 0;
  while (pos < reply.text.len) {
    const char *l = reply.text.s + pos;
    size_t n = byte_chr(l, reply.text.len - pos, '\n'), k;
    pos += n + 1;
    if (!lineno++ || n < 4) continue; /* the first line is the greeting */
    l += 4; n -= 4;
    for (k = 0; k < n && l[k] != ' '; ++k) {}
    if (k == 4 && case_equalb(l, 4, "SIZE")) ext_size = 1;
    if (k == 10 && case_equalb(l, 10, "PIPELINING")) ext_pipelining = 1;
    if (k == 8 && case_equalb(l, 8, "8BITMIME")) ext_8bitmime = 1;
  }
}

/* Greeting and EHLO (HELO when EHLO is refused). 1 go on, 0 try the
   next host (4xx greeting or a connection lost before it). */
static int open_session(void)
{
  static stralloc greeting;
  unsigned int code = get_reply();
  if (!code) return 0;
  if (code >= 400 && code < 500) { /* maybe only this host is busy: the next one may do */
    if (!stralloc_copys(&greeting, "greeted us with: ") || !stralloc_cat(&greeting, &reply.text) ||
        !stralloc_0(&greeting))
      temp_nomem();
    lost = greeting.s;
    return 0;
  }
  if (code != 220) refused(code, "did not greet us properly");
  if (put("EHLO ") == -1 || put(helohost.s) == -1 || put("\r\n") == -1 || send_flush() == -1) temp_lost("at EHLO");
  code = get_reply();
  if (!code) temp_lost("after EHLO");
  if (code >= 200 && code < 300) { read_extensions(); return 1; }
  if (code < 500) refused(code, "refused our EHLO");
  if (put("HELO ") == -1 || put(helohost.s) == -1 || put("\r\n") == -1 || send_flush() == -1) temp_lost("at HELO");
  code = get_reply();
  if (!code) temp_lost("after HELO");
  if (code < 200 || code >= 300) refused(code, "refused our HELO");
  ext_size = ext_pipelining = ext_8bitmime = 0;
  return 1;
}

/* <addr>, its local part quoted where RFC 5321 needs it ("john doe"@x):
   qmail sent it raw, which a server that follows the RFC refuses */
static int put_path(const char *addr)
{
  static stralloc path;
  if (!stralloc_copys(&path, "<") || !addr_quote(&path, addr, str_len(addr)) ||
      !stralloc_cats(&path, ">") || !stralloc_0(&path))
    temp_nomem();
  return put(path.s);
}

static int put_mail(const char *sender)
{
  char num[FMT_ULONG + 1];
  if (put("MAIL FROM:") == -1 || put_path(sender) == -1) return -1;
  if (ext_size && seekable) {
    num[fmt_ulonglong(num, smtp_msginfo_size(&msginfo))] = 0;
    if (put(" SIZE=") == -1 || put(num) == -1) return -1;
  }
  if (ext_8bitmime && msginfo.eightbit && put(" BODY=8BITMIME") == -1) return -1;
  return put("\r\n");
}

static int put_rcpt(const char *rcpt)
{
  return put("RCPT TO:") == -1 || put_path(rcpt) == -1 || put("\r\n") == -1 ? -1 : 0;
}

/* The recipient's report from its RCPT reply; 1 accepted. */
static int rcpt_report(unsigned int code, const char *rcpt)
{
  if (code >= 200 && code < 300) { begin('r'); end_report(); return 1; }
  begin(code >= 500 ? 'h' : 's');
  says(ipstr); says(" does not like recipient <"); says(rcpt); says(">.\n");
  say_reply();
  end_report();
  return 0;
}

static void send_message(void)
{
  char buf[READ_CHUNK];
  struct smtp_data d;
  smtp_data_start(&d);
  for (;;) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1) temp_mess();
    if (r == 0) break;
    if (smtp_data_put(&d, &net, buf, (size_t)r) == -1) {
      lost = error_str(errno);
      temp_lost("while sending the message");
    }
  }
  if (smtp_data_end(&d, &net) == -1) { lost = error_str(errno); temp_lost("while sending the message"); }
}

static void quit(void)
{
  netio_timeout = QUIT_SECONDS;
  if (put("QUIT\r\n") == 0 && send_flush() == 0) get_reply();
}

/* MAIL, RCPT..., DATA, in one go with PIPELINING; then the message. */
static void transaction(const char *sender, char **rcpts)
{
  unsigned int mailcode = 0, code;
  int accepted = 0, pipe = ext_pipelining, i;
  if (put_mail(sender) == -1) temp_lost("at MAIL");
  if (!pipe) {
    if (send_flush() == -1 || !(mailcode = get_reply())) temp_lost("after MAIL");
    if (mailcode < 200 || mailcode >= 300) refused(mailcode, "refused the sender");
  }
  for (i = 0; rcpts[i]; ++i) {
    if (put_rcpt(rcpts[i]) == -1) temp_lost("at RCPT");
    if (pipe) continue;
    if (send_flush() == -1 || !(code = get_reply())) temp_lost("after RCPT");
    accepted += rcpt_report(code, rcpts[i]);
  }
  if (pipe || accepted) if (put("DATA\r\n") == -1 || send_flush() == -1) temp_lost("at DATA");
  if (pipe) {
    if (!(mailcode = get_reply())) temp_lost("after MAIL");
    if (mailcode < 200 || mailcode >= 300) refused(mailcode, "refused the sender");
    for (i = 0; rcpts[i]; ++i) {
      if (!(code = get_reply())) temp_lost("after RCPT");
      accepted += rcpt_report(code, rcpts[i]);
    }
  }
  if (!accepted) {
    if (pipe) get_reply(); /* DATA's refusal, or a 354 for an empty message */
    if (pipe && reply.code == 354) { put(".\r\n"); send_flush(); get_reply(); }
    quit();
    finish('D', "Giving up on ", ipstr, ": no recipient was accepted.\n");
  }
  if (!(code = get_reply())) temp_lost("after DATA");
  if (code != 354) refused(code >= 200 && code < 300 ? 451 : code, "refused DATA");
  send_message();
  if (!(code = get_reply())) temp_lost("after the final dot (the message may have been delivered; a retry may deliver it twice)");
  if (code < 200 || code >= 300) refused(code, "refused the message");
  begin('K');
  says(ipstr); says(" accepted the message.\n");
  say_reply();
  end_report();
  flush_reports();
  quit();
  _exit(0);
}

/* ---- finding and reaching a host ---- */
static struct remote_hosts hosts;
static unsigned long port = SMTPROUTES_PORT;
static char tcptotable[TCPTO_SIZE];
static const char *tcptofn = "queue/lock/tcpto";

static void find_hosts(const char *domain)
{
  static stralloc relay;
  struct constmap cm;
  int r = 0;
  if (!smtproutes_init(&cm, routes.s, routes.len)) temp_nomem();
  r = smtproutes_find(&cm, domain, str_len(domain), &relay, &port);
  constmap_free(&cm);
  if (r == -1) temp_routes();
  if (r == 1 && relay.len) r = remote_hosts_relay(&hosts, relay.s);
  else r = remote_hosts_domain(&hosts, domain, me.s, me.len);
  if (r == REMOTE_HOSTS_NOMEM) temp_nomem();
  if (r == REMOTE_HOSTS_SOFT) finish('Z', "DNS lookup of ", domain, " failed temporarily. (#4.4.3)\n");
  if (r == REMOTE_HOSTS_NONE) finish('D', "Sorry, there is no host named ", domain, " that takes mail (no MX, A or AAAA record). (#5.1.2)\n");
  if (r == REMOTE_HOSTS_NULLMX) finish('D', domain, " says it accepts no mail (null MX, RFC 7505). (#5.1.10)\n", 0);
  if (r == REMOTE_HOSTS_LOOP) finish('D', "The best MX for ", domain, " is this host, but it is not one of control/locals: a mail loop. (#5.4.6)\n");
  remote_hosts_order(&hosts, dns_random);
}

/* Connect to one host; 1 connected. */
static int reach(const char ip[16])
{
  long long now = (long long)time(0);
  name_host(ip);
  sock = netio_socket(ip);
  if (sock == -1) { lost = error_str(errno); return 0; }
  if (netio_connect(sock, ip, (unsigned short)port, timeoutconnect) == -1) {
    int e = errno;
    lost = error_str(e);
    if (e == ETIMEDOUT || e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH)
      tcpto_note(tcptofn, ip, 1, now);
    close(sock);
    sock = -1;
    return 0;
  }
  tcpto_note(tcptofn, ip, 0, now); /* writes only when the host had a record */
  return 1;
}

static void deliver(const char *sender, char **rcpts)
{
  static stralloc why;
  long long now = (long long)time(0);
  size_t i, tried = 0;
  if (tcpto_read(tcptofn, tcptotable) == -1) byte_zero(tcptotable, sizeof tcptotable);
  for (i = 0; i < hosts.n; ++i) {
    if (tcpto_table_held(tcptotable, hosts.h[i].ip, now)) continue;
    ++tried;
    lost = 0;
    if (!reach(hosts.h[i].ip)) continue;
    buffer_init(&net, (ssize_t (*)())netio_write, sock, outspace, sizeof outspace);
    bufwrite_clear(sock); /* a reused fd: forget the last connection's error */
    inpos = inlen = 0;
    netio_timeout = timeoutremote;
    if (open_session()) transaction(sender, rcpts); /* does not return */
    if (!stralloc_copys(&why, lost ? lost : "unknown trouble") || !stralloc_0(&why)) temp_nomem();
    lost = why.s;
    close(sock);
    sock = -1;
  }
  if (!tried) finish('Z', "Every host for this domain failed recently (held off by lock/tcpto). (#4.4.1)\n", 0, 0);
  begin('Z');
  says("Unable to talk to any host for this domain; the last one, ");
  says(ipstr); says(": "); says(lost ? lost : "failed"); says(". (#4.4.1)\n");
  end_report();
  flush_reports();
  _exit(0);
}

static void check_address(const char *s)
{
  for (; *s; ++s) if (*s == '\r' || *s == '\n') perm_linebreak();
}

int main(int argc, char **argv)
{
  int i;
  sig_ignore(SIGPIPE);
  if (argc < 4 || !argv[1][0]) temp_usage();
  if (chdir(auto_qmail) == -1) temp_home();
  check_address(argv[1]);
  check_address(argv[2]);
  for (i = 3; i < argc; ++i) check_address(argv[i]);
  read_controls();
  scan_message();
  dns_random_init((const char *)&hosts); /* any bytes; libowfat mixes in time and pid */
  find_hosts(argv[1]);
  deliver(argv[2], argv + 3);
  return 0;
}
