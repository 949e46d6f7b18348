/* Header handling of qmail-inject: input header block -> kept fields,
   added fields, recipients, sender; and the pieces around it (body line
   ends, options, new fields, the sendmail command line). defaulthost
   "mail", defaultdomain "example.com", plusdomain "example.net". */
#include <sysexits.h>
#include "constmap.h"
#include "headers.h"
#include "inject.h"
#include "tap.h"

#define S(x) x, sizeof x - 1
#define NONE "", 0

static struct addr_qualify q;

/* a test name on one line */
static const char *name(const char *s)
{
  static char n[64];
  size_t k;
  for (k = 0; s[k] && k + 1 < sizeof n; ++k) n[k] = (unsigned char)s[k] < 32 ? '|' : s[k];
  n[k] = 0;
  return n;
}

/* ---- reading a header through a buffer, a few bytes per read ---- */

static const char *input;
static size_t inputlen, inputpos;
static ssize_t from_string(int fd, char *buf, size_t len)
{
  size_t n = inputlen - inputpos;
  (void)fd;
  if (n > len) n = len;
  if (n > 5) n = 5;
  memcpy(buf, input + inputpos, n);
  inputpos += n;
  return (ssize_t)n;
}

enum { F_STRICT = 1, F_DELFROM = 2, F_DELMID = 4, F_NORP = 8, F_SENDER = 16 };

static const struct {
  const char *in;
  int flags, ret, end;
  const char *kept;       /* fields kept, rewritten */
  const char *top;        /* fields added */
  const char *rcpts; size_t rlen; /* header recipients */
  const char *rp;         /* sender from Return-Path, or 0 */
  const char *body;       /* the line that started the body */
} rows[] = {
  { "To: joe\nSubject: hi\n\nbody\n", F_STRICT, HEADER_OK, HEADER_END_BLANK,
    "To: joe@mail.example.com\nSubject: hi\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("joe@mail.example.com\0"), 0, "" },
  /* Bcc, Return-Path, Content-Length go; Bcc still counts */
  { "From: Boss <boss>\nTo: a@b.c\nBcc: secret\nReturn-Path: <bounce@x.y>\nContent-Length: 5\n\n",
    F_STRICT, HEADER_OK, HEADER_END_BLANK,
    "From: Boss <boss@mail.example.com>\nTo: a@b.c\n",
    "Date: DATE\nMessage-ID: <ID>\n",
    S("a@b.c\0secret@mail.example.com\0"), "bounce@x.y", "" },
  { "Return-Path: <>\nTo: a@b.c\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "To: a@b.c\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("a@b.c\0"), "", "" },
  { "Return-Path: <first@x.y>\nReturn-Path: <second@x.y>\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, "first@x.y", "" },
  /* -f given: Return-Path sets nothing; QMAILINJECT=s: not even looked at */
  { "Return-Path: <rp@x.y>\n\n", F_SENDER, HEADER_OK, HEADER_END_BLANK,
    "", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  { "Return-Path: <rp@x.y\n\n", F_NORP, HEADER_OK, HEADER_END_BLANK,
    "", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  { "Return-Path: <rp@x.y\n\n", 0, HEADER_BADADDR, 0, "", "", NONE, 0, "" },
  /* Date and Message-ID present: none added; QMAILINJECT=f and i */
  { "Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\nFrom: a@b.c\nCc: d@e.f\n\n",
    0, HEADER_OK, HEADER_END_BLANK,
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\nFrom: a@b.c\nCc: d@e.f\n",
    "", S("d@e.f\0"), 0, "" },
  { "Message-ID: <x@y>\nFrom: a@b.c\nTo: d@e.f\n\n", F_DELFROM | F_DELMID, HEADER_OK, HEADER_END_BLANK,
    "To: d@e.f\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("d@e.f\0"), 0, "" },
  /* an empty From is replaced */
  { "From:\nTo: d@e.f\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "To: d@e.f\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("d@e.f\0"), 0, "" },
  { "From: (nobody)\nTo: d@e.f\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "To: d@e.f\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("d@e.f\0"), 0, "" },
  /* folded fields: address fields refolded, others kept as they are */
  { "To: a@b.c,\n  d@e.f\nSubject: one\n two\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "To: a@b.c, d@e.f\nSubject: one\n two\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("a@b.c\0d@e.f\0"), 0, "" },
  { "TO :joe\ncC:\tbob (Bob)\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "TO: joe@mail.example.com\ncC: bob@mail.example.com (Bob)\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("joe@mail.example.com\0bob@mail.example.com\0"), 0, "" },
  /* sender fields are qualified, not collected */
  { "Reply-To: rt\nSender: s\nErrors-To: e\nMail-Followup-To: m\nX-Other: o\n\n", 0, HEADER_OK,
    HEADER_END_BLANK,
    "Reply-To: rt@mail.example.com\nSender: s@mail.example.com\nErrors-To: e@mail.example.com\n"
    "Mail-Followup-To: m@mail.example.com\nX-Other: o\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  /* Apparently-To is a recipient field, and stays */
  { "Apparently-To: x\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "Apparently-To: x@mail.example.com\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    S("x@mail.example.com\0"), 0, "" },
  /* group syntax */
  { "To: undisclosed-recipients:;\n\n", F_STRICT, HEADER_OK, HEADER_END_BLANK,
    "To: undisclosed-recipients:;\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    NONE, 0, "" },
  /* resent: Resent- recipients, Resent- fields added */
  { "From: a@b.c\nTo: orig@x.y\nResent-To: new\nResent-Bcc: hidden@x.y\n\n", F_STRICT, HEADER_OK,
    HEADER_END_BLANK,
    "From: a@b.c\nTo: orig@x.y\nResent-To: new@mail.example.com\n",
    "Resent-Date: DATE\nResent-Message-ID: <ID>\nResent-From: me@mail.example.com\n",
    S("new@mail.example.com\0hidden@x.y\0"), 0, "" },
  { "Resent-Date: D\nTo: orig@x.y\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "Resent-Date: D\nTo: orig@x.y\n",
    "Resent-Message-ID: <ID>\nResent-From: me@mail.example.com\nResent-Cc: recipient list not shown: ;\n",
    NONE, 0, "" },
  /* a broken original To does not matter for a resent message */
  { "To: Joe <j\nResent-To: new@x.y\n\n", F_STRICT, HEADER_OK, HEADER_END_BLANK,
    "To: Joe <j\nResent-To: new@x.y\n",
    "Resent-Date: DATE\nResent-Message-ID: <ID>\nResent-From: me@mail.example.com\n",
    S("new@x.y\0"), 0, "" },
  /* how the header ends */
  { "Subject: s\nthis is no header line\nmore\n", 0, HEADER_OK, HEADER_END_BODY,
    "Subject: s\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "this is no header line\n" },
  { "Subject: s", 0, HEADER_OK, HEADER_END_EOF, "Subject: s\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  { "", 0, HEADER_OK, HEADER_END_EOF, "",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  { "\nbody\n", 0, HEADER_OK, HEADER_END_BLANK, "",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
  { " starts with a space\n", 0, HEADER_OK, HEADER_END_BODY, "",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, " starts with a space\n" },
  { "Bad Name: x\n", 0, HEADER_OK, HEADER_END_BODY, "",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "Bad Name: x\n" },
  /* CR LF line ends */
  { "To: a@b.c\r\nSubject: s\r\n\r\nbody\r\n", 0, HEADER_OK, HEADER_END_BLANK,
    "To: a@b.c\nSubject: s\n", "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n",
    S("a@b.c\0"), 0, "" },
  { "Subject: s\r\nno header\r\n", 0, HEADER_OK, HEADER_END_BODY, "Subject: s\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "no header\r\n" },
  /* an mbox From_ line is kept as a field */
  { "From joe Mon Jan  1 00:00:00 2024\nTo: a@b.c\n\n", 0, HEADER_OK, HEADER_END_BLANK,
    "MBOX-Line: From joe Mon Jan  1 00:00:00 2024\nTo: a@b.c\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n", S("a@b.c\0"), 0, "" },
  /* recipient fields that do not parse */
  { "To: Joe <j\n\n", F_STRICT, HEADER_OK, HEADER_END_BLANK, "To: Joe <j\n",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n", NONE, 0, "" },
  { "From: Joe <j\nTo: a@b.c\n\n", F_STRICT, HEADER_OK, HEADER_END_BLANK,
    "From: Joe <j\nTo: a@b.c\n", "Date: DATE\nMessage-ID: <ID>\n", S("a@b.c\0"), 0, "" },
  { "Bcc: \"unclosed\n\n", 0, HEADER_OK, HEADER_END_BLANK, "",
    "Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\nCc: recipient list not shown: ;\n",
    NONE, 0, "" },
};

static void flags_to_conf(struct header_conf *c, int flags)
{
  c->q = &q;
  c->strict_recipients = !!(flags & F_STRICT);
  c->delete_from = !!(flags & F_DELFROM);
  c->delete_messageid = !!(flags & F_DELMID);
  c->ignore_returnpath = !!(flags & F_NORP);
  c->sender_given = !!(flags & F_SENDER);
}

static void test_rows(void)
{
  static struct header h;
  struct header_conf c;
  struct header_add add = { "DATE", "<ID>", "me", 0 };
  stralloc top = {0}, body = {0};
  size_t i;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    char space[16];
    buffer b = BUFFER_INIT(from_string, 0, space, sizeof space);
    const stralloc *r;
    int ret, end = -1;
    input = rows[i].in; inputlen = strlen(input); inputpos = 0;
    flags_to_conf(&c, rows[i].flags);
    header_init(&h, &c);
    ret = inject_readheader(&b, &h, &body, &end);
    if (!is_long(ret, rows[i].ret, name(rows[i].in)) || ret != HEADER_OK) continue;
    is_long(end, rows[i].end, "  how the header ended");
    is_mem(h.kept.s, h.kept.len, rows[i].kept, strlen(rows[i].kept), "  kept fields");
    is_long(header_top(&top, &h, &add), HEADER_OK, "  header_top");
    is_mem(top.s, top.len, rows[i].top, strlen(rows[i].top), "  added fields");
    r = header_recipients(&h);
    is_mem(r->s, r->len, rows[i].rcpts, rows[i].rlen, "  recipients");
    is_long(h.returnpath_set, rows[i].rp != 0, "  Return-Path sets the sender");
    if (rows[i].rp) is_mem(h.returnpath.s, h.returnpath.len, rows[i].rp, strlen(rows[i].rp), "  sender");
    is_mem(body.s, body.len, rows[i].body, strlen(rows[i].body), "  body starts with");
  }
  stralloc_free(&top); stralloc_free(&body);
}

static void test_badrecipients(void)
{
  static struct header h;
  struct header_conf c;
  flags_to_conf(&c, F_STRICT);
  header_init(&h, &c);
  is_long(header_field(&h, S("To: a@b.c\n")), HEADER_OK, "a good To");
  is_long(header_field(&h, S("Cc: Joe <j\n")), HEADER_OK, "a bad Cc is kept for now");
  is_long(header_recipients_ok(&h), 0, "  but the header recipients are not usable");
  is_mem(h.bad.s, h.bad.len, S("Cc: Joe <j\n"), "  the field is named");
}

static void test_limits(void)
{
  static struct header h;
  static char big[HEADER_FIELD_MAX + 2];
  struct header_conf c;
  stralloc body = {0};
  size_t k;
  int end;
  flags_to_conf(&c, 0);
  header_init(&h, &c);
  for (k = 0; k < HEADER_FIELDS_MAX; ++k)
    if (header_field(&h, S("X: y\n")) != HEADER_OK) break;
  is_long((long)k, HEADER_FIELDS_MAX, "HEADER_FIELDS_MAX fields are fine");
  is_long(header_field(&h, S("X: y\n")), HEADER_TOOMANY, "one more is too many");

  header_init(&h, &c);
  memcpy(big, "X-Long: ", 8);
  memset(big + 8, 'a', sizeof big - 8);
  {
    char space[4096];
    buffer b = BUFFER_INIT(from_string, 0, space, sizeof space);
    input = big; inputlen = sizeof big; inputpos = 0;
    is_long(inject_readheader(&b, &h, &body, &end), HEADER_TOOBIG, "a header line over HEADER_FIELD_MAX");
  }
  header_init(&h, &c);
  memset(big, 'a', sizeof big);
  {
    char space[4096];
    buffer b = BUFFER_INIT(from_string, 0, space, sizeof space);
    input = big; inputlen = sizeof big; inputpos = 0;
    is_long(inject_readheader(&b, &h, &body, &end), HEADER_OK, "a long first line of body is fine");
    is_long(end, HEADER_END_BODY, "  it starts the body");
    is_long((long)body.len, HEADER_FIELD_MAX, "  a part of it read");
  }
  header_init(&h, &c);
  {
    static char to[ADDRESS_MAX + 20];
    memcpy(to, "To: ", 4);
    memset(to + 4, 'a', ADDRESS_MAX + 1);
    memcpy(to + 4 + ADDRESS_MAX + 1, "@b.c\n", 5);
    is_long(header_field(&h, to, 4 + ADDRESS_MAX + 6), HEADER_ADDRLONG, "an address over ADDRESS_MAX");
  }
  stralloc_free(&body);
}

static void test_mft(void)
{
  static struct header h;
  struct header_conf c;
  struct constmap map;
  struct header_add add = { "DATE", "<ID>", "me", &map };
  stralloc top = {0};
  static const char lists[] = "list@lists.example.org\0";
  if (!constmap_init(&map, lists, sizeof lists - 1, 0)) return;
  flags_to_conf(&c, 0);
  header_init(&h, &c);
  header_field(&h, S("To: List@Lists.Example.ORG\n"));
  header_field(&h, S("Cc: \"a b\"@x.y\n"));
  header_top(&top, &h, &add);
  is_mem(top.s, top.len, S("Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n"
                           "Mail-Followup-To: List@Lists.Example.ORG, \"a b\"@x.y\n"),
         "Mail-Followup-To for a list in QMAILMFTFILE");
  header_init(&h, &c);
  header_field(&h, S("To: other@x.y\n"));
  header_top(&top, &h, &add);
  is_mem(top.s, top.len, S("Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n"),
         "  none without a list");
  header_init(&h, &c);
  header_field(&h, S("To: list@lists.example.org\n"));
  header_field(&h, S("Mail-Followup-To: me\n"));
  header_top(&top, &h, &add);
  is_mem(top.s, top.len, S("Date: DATE\nMessage-ID: <ID>\nFrom: me@mail.example.com\n"),
         "  none when there is one");
  constmap_free(&map);
  stralloc_free(&top);
}

static const struct { const char *s; int type, valid, line; } fields[] = {
  { "To: x", H_TO, 1, HLINE_FIELD },
  { "to : x", H_TO, 1, HLINE_FIELD },
  { "TO:x", H_TO, 1, HLINE_FIELD },
  { "Toxic: x", H_OTHER, 1, HLINE_FIELD },
  { "Resent-Bcc: x", H_R_BCC, 1, HLINE_FIELD },
  { "Content-Length: 5", H_CONTENTLENGTH, 1, HLINE_FIELD },
  { "return-path: <>", H_RETURNPATH, 1, HLINE_FIELD },
  { "Mail-Followup-To: x", H_MAILFOLLOWUPTO, 1, HLINE_FIELD },
  { "X-Mailer: y", H_OTHER, 1, HLINE_FIELD },
  { "Bad Name: x", H_OTHER, 0, HLINE_BODY },
  { ": x", H_OTHER, 0, HLINE_BODY },
  { "no colon", H_OTHER, 0, HLINE_BODY },
  { "X-\x80: x", H_OTHER, 0, HLINE_BODY },
  { " continued", H_OTHER, 0, HLINE_CONT },
  { "\tcontinued: x", H_OTHER, 0, HLINE_CONT },
  { "From joe@x Mon", H_OTHER, 0, HLINE_MBOX },
  { "", H_OTHER, 0, HLINE_END },
};

static void test_fields(void)
{
  size_t i;
  for (i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
    size_t len = strlen(fields[i].s);
    is_long(hfield_known(fields[i].s, len), fields[i].type, name(fields[i].s));
    is_long(hfield_valid(fields[i].s, len), fields[i].valid, "  valid");
    is_long(header_linetype(fields[i].s, len), fields[i].line, "  line type");
  }
}

/* ---- body line ends ---- */

static const struct { const char *chunks[3]; const char *out; } lfs[] = {
  { { "a\r\nb\r\n", 0, 0 }, "a\nb\n" },
  { { "a\r", "\nb", 0 }, "a\nb\n" },
  { { "a\r", "b", 0 }, "a\rb\n" },
  { { "a\r", 0, 0 }, "a\r\n" },
  { { "a\r\r\n", 0, 0 }, "a\r\n" },
  { { "no newline", 0, 0 }, "no newline\n" },
  { { "", 0, 0 }, "" },
  { { "\n", 0, 0 }, "\n" },
  { { "bare\rcr\n", 0, 0 }, "bare\rcr\n" },
};

static void test_lf(void)
{
  size_t i;
  for (i = 0; i < sizeof lfs / sizeof lfs[0]; ++i) {
    struct inject_lf c;
    char out[64];
    size_t n = 0, k;
    inject_lf_init(&c);
    for (k = 0; k < 3 && lfs[i].chunks[k]; ++k)
      n += inject_lf(&c, lfs[i].chunks[k], strlen(lfs[i].chunks[k]), out + n);
    n += inject_lf_end(&c, out + n);
    is_mem(out, n, lfs[i].out, strlen(lfs[i].out), name(lfs[i].chunks[0]));
  }
}

/* ---- options ---- */

static const struct { const char *argv[6]; int ret, recip, queue; const char *sender; char bad; } iopts[] = {
  { { "qi", 0 }, 1, RECIP_DEFAULT, 1, 0, 0 },
  { { "qi", "a@b", 0 }, 1, RECIP_DEFAULT, 1, 0, 0 },
  { { "qi", "-n", "-h", 0 }, 3, RECIP_HEADER, 0, 0, 0 },
  { { "qi", "-nH", "x", 0 }, 2, RECIP_BOTH, 0, 0, 0 },
  { { "qi", "-f", "s@x", "-a", "r", 0 }, 4, RECIP_ARGS, 1, "s@x", 0 },
  { { "qi", "-fs@x", "r", 0 }, 2, RECIP_DEFAULT, 1, "s@x", 0 },
  { { "qi", "-f", "", "r", 0 }, 3, RECIP_DEFAULT, 1, "", 0 },
  { { "qi", "-nNA", "--", "-r", 0 }, 3, RECIP_DEFAULT, 1, 0, 0 },
  { { "qi", "-x", 0 }, -1, 0, 0, 0, 'x' },
  { { "qi", "-f", 0 }, -1, 0, 0, 0, 'f' },
};

static int argc_of(const char *const *argv)
{
  int n = 0;
  while (argv[n]) ++n;
  return n;
}

static void test_inject_options(void)
{
  size_t i;
  for (i = 0; i < sizeof iopts / sizeof iopts[0]; ++i) {
    struct inject_opts o;
    int r = inject_options(&o, argc_of(iopts[i].argv), (char *const *)iopts[i].argv);
    is_long(r, iopts[i].ret, "qmail-inject options");
    if (r < 0) { is_long(o.bad, iopts[i].bad, "  the bad option"); continue; }
    is_long(o.recip, iopts[i].recip, "  recipients from");
    is_long(o.queue, iopts[i].queue, "  queue or print");
    if (iopts[i].sender) is_str(o.sender, iopts[i].sender, "  sender");
    else ok(!o.sender, "  no sender");
  }
}

static void test_flags(void)
{
  struct inject_flags f;
  inject_flags(&f, "csfirmx");
  ok(f.namecomment && f.ignore_returnpath && f.delete_from && f.delete_messageid && f.verp_recip
     && f.verp_mess, "QMAILINJECT letters");
  inject_flags(&f, 0);
  ok(!f.namecomment && !f.verp_recip, "  none without QMAILINJECT");
}

/* ---- new fields, sender ---- */

static const struct { const char *name, *user, *host; int comment; const char *out; } froms[] = {
  { 0, "joe", 0, 0, "joe" },
  { "", "joe", "x.y", 0, "joe@x.y" },
  { "Joe Smith", "joe", "x.y", 0, "\"Joe Smith\" <joe@x.y>" },
  { "Joe Smith", "joe", "x.y", 1, "joe@x.y (Joe Smith)" },
  { "Joe \"The\" \\Man", "joe", 0, 0, "\"Joe \\\"The\\\" \\\\Man\" <joe>" },
  { "Joe (x)", "joe", 0, 1, "joe (Joe \\(x\\))" },
  { "Evil\nBcc: x", "joe", 0, 0, "\"Evil Bcc: x\" <joe>" },
  { 0, "john doe", "x.y", 0, "\"john doe\"@x.y" },
};

static void test_from(void)
{
  stralloc out = {0};
  size_t i;
  for (i = 0; i < sizeof froms / sizeof froms[0]; ++i) {
    inject_from(&out, froms[i].name, froms[i].user, froms[i].host, froms[i].comment);
    is_mem(out.s, out.len, froms[i].out, strlen(froms[i].out), name(froms[i].out));
  }
  stralloc_free(&out);
}

static const struct { const char *user, *host, *letters, *out; } senders[] = {
  { "joe", 0, "", "joe@mail.example.com" },
  { "joe", "x.y", "", "joe@x.y" },
  { "joe", "box", "", "joe@box.example.com" },
  { "joe", "x.y", "r", "joe-@x.y-@[]" },
  { "joe", "x.y", "m", "joe-1700000000.42@x.y" },
  { "joe", "x.y", "mr", "joe-1700000000.42-@x.y-@[]" },
  { "a@b", 0, "", "a@b@mail.example.com" },
  { "john doe", "x.y", "", "john doe@x.y" },
};

static void test_sender(void)
{
  stralloc out = {0};
  size_t i;
  for (i = 0; i < sizeof senders / sizeof senders[0]; ++i) {
    struct inject_flags f;
    inject_flags(&f, senders[i].letters);
    is_long(inject_sender(&out, senders[i].user, senders[i].host, &f, 1700000000UL, 42, &q), 1,
            senders[i].out);
    is_mem(out.s, out.len, senders[i].out, strlen(senders[i].out), "  sender");
  }
  stralloc_free(&out);
}

static void test_messageid(void)
{
  stralloc out = {0};
  inject_messageid(&out, 1700000000, 7, 4242, "id.example.com");
  is_mem(out.s, out.len, S("<20231114221320.000007.4242.qmail@id.example.com>"), "Message-ID");
  stralloc_free(&out);
}

/* ---- recipients ---- */

static void test_dedupe(void)
{
  stralloc out = {0}, in = {0};
  stralloc_copyb(&out, S("a@b.c\0"));
  stralloc_copyb(&in, S("x@y.z\0a@B.C\0A@b.c\0x@y.z\0a@b.c\0"));
  inject_dedupe(&out, &in);
  is_mem(out.s, out.len, S("a@b.c\0x@y.z\0A@b.c\0"), "duplicates dropped, domains in any case, order kept");
  is_long((long)inject_count(&out), 3, "  three left");
  stralloc_zero(&out);
  stralloc_zero(&in);
  inject_dedupe(&out, &in);
  is_long((long)out.len, 0, "  nothing from nothing");
  stralloc_free(&out); stralloc_free(&in);
}

/* ---- sendmail ---- */

static const struct {
  const char *argv[8];
  int ret, mode, headers;
  const char *sender, *fullname;
  int first;
  char bad;
} sms[] = {
  { { "sendmail", "a@b", 0 }, 1, SENDMAIL_SEND, 0, 0, 0, 1, 0 },
  { { "/usr/sbin/sendmail", "-t", "-i", 0 }, 1, SENDMAIL_SEND, 1, 0, 0, 3, 0 },
  { { "sendmail", "-oi", "-f", "s@x", "-F", "Full Name", "r", 0 }, 1, SENDMAIL_SEND, 0, "s@x", "Full Name", 6, 0 },
  { { "sendmail", "-fs@x", "-FName", "-oem", "-odi", "--", "-r", 0 }, 1, SENDMAIL_SEND, 0, "s@x", "Name", 6, 0 },
  { { "sendmail", "-r", "s@x", "r", 0 }, 1, SENDMAIL_SEND, 0, "s@x", 0, 3, 0 },
  { { "sendmail", "-v", "-B", "8BITMIME", "-N", "never", "-Lx", 0 }, 1, SENDMAIL_SEND, 0, 0, 0, 7, 0 },
  { { "sendmail", "-itv", "-O", "DeliveryMode=b", "-R", "hdrs", "r", 0 }, 1, SENDMAIL_SEND, 1, 0, 0, 6, 0 },
  { { "sendmail", "-bm", "r", 0 }, 1, SENDMAIL_SEND, 0, 0, 0, 2, 0 },
  { { "sendmail", "-bp", 0 }, 1, SENDMAIL_QREAD, 0, 0, 0, 2, 0 },
  { { "sendmail", "-bs", 0 }, 1, SENDMAIL_SMTP, 0, 0, 0, 2, 0 },
  { { "sendmail", "-bi", 0 }, 1, SENDMAIL_NEWALIASES, 0, 0, 0, 2, 0 },
  { { "sendmail", "-I", 0 }, 1, SENDMAIL_NEWALIASES, 0, 0, 0, 2, 0 },
  { { "/usr/bin/mailq", 0 }, 1, SENDMAIL_QREAD, 0, 0, 0, 1, 0 },
  { { "newaliases", 0 }, 1, SENDMAIL_NEWALIASES, 0, 0, 0, 1, 0 },
  { { "sendmail", "-Exyz", "r", 0 }, 1, SENDMAIL_SEND, 0, 0, 0, 2, 0 },
  { { "sendmail", "r", "-t", 0 }, 1, SENDMAIL_SEND, 0, 0, 0, 1, 0 },
  { { "sendmail", "-q", 0 }, 0, 0, 0, 0, 0, 0, 'q' },
  { { "sendmail", "-bv", "r", 0 }, 0, 0, 0, 0, 0, 0, 'b' },
  { { "sendmail", "-bd", 0 }, 0, 0, 0, 0, 0, 0, 'b' },
  { { "sendmail", "-f", 0 }, 0, 0, 0, 0, 0, 0, 'f' },
  { { "sendmail", "-tZ", 0 }, 0, 0, 0, 0, 0, 0, 'Z' },
};

static void test_sendmail_args(void)
{
  size_t i;
  for (i = 0; i < sizeof sms / sizeof sms[0]; ++i) {
    struct sendmail_args a;
    int r = sendmail_parse(&a, argc_of(sms[i].argv), (char *const *)sms[i].argv);
    if (!is_long(r, sms[i].ret, sms[i].argv[1] ? sms[i].argv[1] : sms[i].argv[0])) continue;
    if (!r) { is_long(a.bad, sms[i].bad, "  the option named"); continue; }
    is_long(a.mode, sms[i].mode, "  mode");
    is_long(a.headers, sms[i].headers, "  -t");
    is_long(a.first, sms[i].first, "  first recipient");
    if (sms[i].sender) is_str(a.sender, sms[i].sender, "  sender"); else ok(!a.sender, "  no sender");
    if (sms[i].fullname) is_str(a.fullname, sms[i].fullname, "  full name");
    else ok(!a.fullname, "  no full name");
  }
}

static const struct { const char *in; int ret; const char *user, *host; } ids[] = {
  { "bob@example.org", 1, "bob", "example.org" },
  { "<bob@example.org>", 1, "bob", "example.org" },
  { "bob", 1, "bob", "" },
  { "a@b@c", 1, "a@b", "c" },
  { "", 0, 0, 0 },
  { "<>", 0, 0, 0 },
};

static void test_identity(void)
{
  stralloc user = {0}, host = {0};
  size_t i;
  for (i = 0; i < sizeof ids / sizeof ids[0]; ++i) {
    int r = sendmail_identity(ids[i].in, &user, &host);
    is_long(r, ids[i].ret, ids[i].in);
    if (r != 1) continue;
    is_str(user.s, ids[i].user, "  user");
    is_str(host.s, ids[i].host, "  host");
  }
  stralloc_free(&user); stralloc_free(&host);
}

static void test_exitcodes(void)
{
  is_long(sendmail_exitcode(0 << 8), 0, "qmail-inject 0 -> 0");
  is_long(sendmail_exitcode(100 << 8), EX_DATAERR, "100 -> EX_DATAERR");
  is_long(sendmail_exitcode(111 << 8), EX_TEMPFAIL, "111 -> EX_TEMPFAIL");
  is_long(sendmail_exitcode(1 << 8), EX_TEMPFAIL, "anything else -> EX_TEMPFAIL");
  is_long(sendmail_exitcode(9), EX_TEMPFAIL, "killed -> EX_TEMPFAIL");
}

int main(void)
{
  if (addr_qualify_init(&q, "mail", "example.com", "example.net") != 1) return 1;
  test_rows();
  test_badrecipients();
  test_limits();
  test_mft();
  test_fields();
  test_lf();
  test_inject_options();
  test_flags();
  test_from();
  test_sender();
  test_messageid();
  test_dedupe();
  test_sendmail_args();
  test_identity();
  test_exitcodes();
  return done_testing();
}
