#include "byte.h"
#include "fmt.h"
#include "remotereport.h"
#include "waitchild.h"

static char verdict(char rcpt, char msg)
{
  if (msg == 'Z') return 'Z';
  if (msg == 'D') return rcpt == 's' ? 'Z' : 'D';
  return rcpt == 'r' ? 'K' : rcpt == 'h' ? 'D' : 'Z';
}

int remote_report_verdict(const char *s, size_t len, char *code, stralloc *text)
{
  size_t n0, n1 = 0;
  const char *rec1 = 0;
  char rcpt = 0, msg;
  if (!len || s[len - 1]) return -1;
  n0 = byte_chr(s, len, 0);
  if (n0 + 1 < len) {
    rec1 = s + n0 + 1;
    n1 = byte_chr(rec1, len - n0 - 1, 0);
    if (n0 + 1 + n1 + 1 != len) return -1; /* more than two reports */
    if (!n0 || (s[0] != 'r' && s[0] != 'h' && s[0] != 's')) return -1;
    rcpt = s[0];
  } else {
    rec1 = s; n1 = n0;
  }
  if (!n1) return -1;
  msg = rec1[0];
  if (msg != 'K' && msg != 'Z' && msg != 'D') return -1;
  if (msg == 'K' && !rcpt) return -1; /* delivered to nobody? */
  *code = verdict(rcpt, msg);
  if (rcpt == 'h' || rcpt == 's') return stralloc_catb(text, s + 1, n0 - 1) ? 1 : 0;
  return stralloc_catb(text, rec1 + 1, n1 - 1) ? 1 : 0;
}

static int cat_num(stralloc *sa, unsigned long n)
{
  char buf[FMT_ULONG];
  return stralloc_catb(sa, buf, fmt_ulong(buf, n));
}

/* What a broken qmail-remote wrote, NULs shown as '/', for the log. */
static int cat_garbage(stralloc *t, const struct spawn_output *o)
{
  size_t start = t->len, i;
  if (!spawn_output_text(t, o, SPAWN_REPORT_MAX - t->len - 1)) return 0;
  for (i = start; i < t->len; ++i) if (!t->s[i]) t->s[i] = '/';
  return 1;
}

/* qmail-remote writes its report, in one write, as soon as the server
   has accepted the message, and only then says QUIT: killed after that,
   it did deliver, and a retry would only deliver again. Any other report
   from a crashed qmail-remote is not trusted (a crash never bounces). */
static int delivered_before_crash(const struct spawn_output *o, stralloc *text)
{
  char code;
  if (o->total != o->head.len) return 0;
  if (remote_report_verdict(o->head.s, o->head.len, &code, text) != 1) return 0;
  return code == 'K';
}

int remote_report_exit(stralloc *out, const char *delnum, int wstat,
                       const struct spawn_output *o)
{
  static stralloc text;
  char code = 'Z';
  int r = -1, exitcode = wait_exitcode(wstat);
  text.len = 0;
  if (wait_crashed(wstat)) {
    if (delivered_before_crash(o, &text)) {
      code = 'K';
      r = 1;
    } else {
      text.len = 0;
      if (!stralloc_cats(&text, "qmail-remote crashed (signal ") ||
          !cat_num(&text, (unsigned long)wait_crashed(wstat)) ||
          !stralloc_cats(&text, "). (#4.3.0)\n"))
        return 0;
    }
  } else if (exitcode == 0 || exitcode == 111) {
    if (o->total == o->head.len) /* all of it kept: a report fits */
      r = remote_report_verdict(o->head.s, o->head.len, &code, &text);
    if (r == 0) return 0;
    if (r == 1 && exitcode == 111 && code != 'Z') r = -1; /* 111 comes only with Z */
  }
  if (r == -1 && !wait_crashed(wstat)) {
    text.len = 0;
    code = 'Z';
    if (!stralloc_cats(&text, "qmail-remote exited ") || !cat_num(&text, (unsigned long)exitcode) ||
        !stralloc_cats(&text, " without a proper report. (#4.3.0)\n"))
      return 0;
  }
  if (r == -1 && o->total && !cat_garbage(&text, o)) return 0;
  return spawn_reply(out, delnum, code, text.s, text.len);
}
