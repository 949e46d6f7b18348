/* SMTP command lines: verbs, MAIL/RCPT paths with every trick, params. */
#include "smtpcmd.h"
#include "tap.h"

static void verbs(void)
{
  static const struct { const char *line; enum smtp_verb v; size_t arg; } t[] = {
    { "HELO x", SMTP_HELO, 5 }, { "ehlo  client.example", SMTP_EHLO, 6 },
    { "MaIl FROM:<>", SMTP_MAIL, 5 }, { "RCPT TO:<a@b>", SMTP_RCPT, 5 },
    { "DATA", SMTP_DATA, 4 }, { "rset", SMTP_RSET, 4 }, { "NOOP x", SMTP_NOOP, 5 },
    { "VRFY bob", SMTP_VRFY, 5 }, { "QUIT", SMTP_QUIT, 4 }, { "HELP", SMTP_HELP, 4 },
    { "DATAX", SMTP_UNKNOWN, 5 }, { "STARTTLS", SMTP_UNKNOWN, 8 }, { "", SMTP_UNKNOWN, 0 },
    { "MAI", SMTP_UNKNOWN, 3 }, { "QUIT\tnow", SMTP_QUIT, 5 },
  };
  size_t i, arg;
  for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
    enum smtp_verb v = smtpcmd_verb(t[i].line, strlen(t[i].line), &arg);
    ok(v == t[i].v && arg == t[i].arg, t[i].line);
  }
}

struct pathcase { const char *line; enum smtp_parse r; const char *addr; const char *params; };

static void paths(const char *prefix, const struct pathcase *t, size_t n)
{
  static stralloc a;
  size_t i, p;
  for (i = 0; i < n; ++i) {
    enum smtp_parse r = smtpcmd_path(&a, t[i].line, strlen(t[i].line), prefix, &p);
    char name[300];
    snprintf(name, sizeof name, "%s -> %d", t[i].line, t[i].r);
    if (!ok(r == t[i].r, name)) { printf("#   got %d\n", r); continue; }
    if (r != SMTP_OK) continue;
    snprintf(name, sizeof name, "%s: address", t[i].line);
    is_mem(a.s, a.len, t[i].addr, strlen(t[i].addr), name);
    snprintf(name, sizeof name, "%s: parameters", t[i].line);
    is_str(t[i].line + p, t[i].params, name);
  }
}

static const struct pathcase mail[] = {
  { "FROM:<>", SMTP_OK, "", "" },
  { "from:<a@b.example>", SMTP_OK, "a@b.example", "" },
  { "FROM: <a@b.example> SIZE=10", SMTP_OK, "a@b.example", " SIZE=10" },
  { "FROM:a@b.example", SMTP_OK, "a@b.example", "" },
  { "FROM:a@b.example BODY=8BITMIME", SMTP_OK, "a@b.example", " BODY=8BITMIME" },
  { "FROM:<a@b.example.>", SMTP_OK, "a@b.example", "" },
  { "FROM:<@relay.example,@r2.example:a@b.example>", SMTP_OK, "a@b.example", "" },
  { "FROM:<@relay.example:a@b.example>", SMTP_OK, "a@b.example", "" },
  { "FROM:<@relay.example a@b.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<\"john doe\"@b.example>", SMTP_OK, "john doe@b.example", "" },
  { "FROM:<\"a\\\"q\"@b.example>", SMTP_OK, "a\"q@b.example", "" },
  { "FROM:<\"a>b\"@b.example>", SMTP_OK, "a>b@b.example", "" },
  { "FROM:<\"unterminated@b.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@[192.0.2.1]>", SMTP_OK, "a@[192.0.2.1]", "" },
  { "FROM:<a@[IPv6:2001:db8::1]>", SMTP_OK, "a@[IPv6:2001:db8::1]", "" },
  { "FROM:<a@[192.0.2.1>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@b@c.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a b@c.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@b c.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<@b.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a\001@b.example>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@b.example>x", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@b.example", SMTP_SYNTAX, 0, 0 },
  { "FROM:", SMTP_SYNTAX, 0, 0 },
  { "FROM <a@b>", SMTP_SYNTAX, 0, 0 },
  { "TO:<a@b>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<user>", SMTP_OK, "user", "" },
  { "FROM:<\xc3\xa9@b.example>", SMTP_SYNTAX, 0, 0 },
  /* found by tests/fuzz/smtpcmd.c: each accepted address must read back
     the same when qmail-remote sends it on */
  { "FROM:<a@b.example..>", SMTP_SYNTAX, 0, 0 },
  { "FROM:<\"@\">", SMTP_SYNTAX, 0, 0 },
  { "FROM:\"a@b\"", SMTP_SYNTAX, 0, 0 },
  { "FROM:<\"a b\">", SMTP_OK, "a b", "" },
  { "FROM:<a@[x:@]>", SMTP_SYNTAX, 0, 0 },
  { "FROM:\"b\"@[>]", SMTP_SYNTAX, 0, 0 },
  { "FROM:<a@[tag:x-y.z]>", SMTP_OK, "a@[tag:x-y.z]", "" },
};

static const struct pathcase rcpt[] = {
  { "TO:<postmaster>", SMTP_OK, "postmaster", "" },
  { "to:<user%other.example@us.example>", SMTP_OK, "user%other.example@us.example", "" },
  { "TO:<other.example!user@us.example>", SMTP_OK, "other.example!user@us.example", "" },
  { "TO:<\"user@other.example\"@us.example>", SMTP_OK, "user@other.example@us.example", "" },
  { "TO:<@us.example:user@other.example>", SMTP_OK, "user@other.example", "" },
  { "TO:<@us.example,@x.example:\"a@b\"@other.example>", SMTP_OK, "a@b@other.example", "" },
  { "TO:<user@other.example@us.example>", SMTP_SYNTAX, 0, 0 },
  { "TO:<>", SMTP_OK, "", "" },
  { "TO:<\"\"@us.example>", SMTP_SYNTAX, 0, 0 },
  { "TO:<a@us.example> NOTIFY=NEVER", SMTP_OK, "a@us.example", " NOTIFY=NEVER" },
};

static void longpath(void)
{
  static char line[2200];
  static stralloc a;
  size_t p;
  memcpy(line, "TO:<", 4);
  memset(line + 4, 'a', 1000);
  memcpy(line + 1004, "@b>", 4);
  ok(smtpcmd_path(&a, line, strlen(line), "to:", &p) == SMTP_TOOLONG, "a 1000-byte local part is too long");
  memset(line + 4, 'a', 880);
  memcpy(line + 884, "@b.example>", 12);
  ok(smtpcmd_path(&a, line, strlen(line), "to:", &p) == SMTP_OK, "an 890-byte address is fine");
}

static void params(void)
{
  static const struct { const char *s; enum smtp_parse r; unsigned long long size; } t[] = {
    { "", SMTP_OK, 0 }, { " SIZE=1000", SMTP_OK, 1000 }, { " size=0", SMTP_OK, 0 },
    { " SIZE=99999999999999999999999999", SMTP_OK, ~0ULL },
    { " SIZE=18446744073709551615", SMTP_OK, 18446744073709551615ULL },
    { " SIZE=18446744073709551616", SMTP_OK, ~0ULL },
    { " SIZE=", SMTP_SYNTAX, 0 }, { " SIZE=12a", SMTP_SYNTAX, 0 }, { " SIZE=-1", SMTP_SYNTAX, 0 },
    { " BODY=8BITMIME", SMTP_OK, 0 }, { " body=7bit SIZE=5", SMTP_OK, 5 },
    { " BODY=BINARYMIME", SMTP_SYNTAX, 0 }, { " AUTH=<>", SMTP_BADPARAM, 0 },
    { " SMTPUTF8", SMTP_BADPARAM, 0 }, { "  SIZE=7  ", SMTP_OK, 7 },
  };
  size_t i;
  unsigned long long size;
  for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
    enum smtp_parse r = smtpcmd_mailparams(t[i].s, strlen(t[i].s), &size);
    char name[200];
    snprintf(name, sizeof name, "MAIL params '%s'", t[i].s);
    ok(r == t[i].r && (r != SMTP_OK || size == t[i].size), name);
  }
  ok(smtpcmd_rcptparams("", 0) == SMTP_OK, "RCPT without parameters");
  ok(smtpcmd_rcptparams(" ", 1) == SMTP_OK, "RCPT with a trailing space");
  ok(smtpcmd_rcptparams(" NOTIFY=NEVER", 13) == SMTP_BADPARAM, "RCPT NOTIFY is not supported");
}

static void domains(void)
{
  static const struct { const char *a; size_t pos; int routed; } t[] = {
    { "a@b", 2, 0 }, { "postmaster", 10, 0 }, { "a%b@c", 4, 1 }, { "b!a@c", 4, 1 },
    { "a@b@c", 4, 1 }, { "", 0, 0 }, { "x%y", 3, 1 }, { "a.b-c+d@e", 8, 0 },
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
    char name[100];
    snprintf(name, sizeof name, "domain and routing of '%s'", t[i].a);
    ok(smtpcmd_domainpos(t[i].a, strlen(t[i].a)) == t[i].pos &&
       smtpcmd_routed(t[i].a, strlen(t[i].a)) == t[i].routed, name);
  }
}

int main(void)
{
  verbs();
  paths("from:", mail, sizeof mail / sizeof mail[0]);
  paths("to:", rcpt, sizeof rcpt / sizeof rcpt[0]);
  longpath();
  params();
  domains();
  return done_testing();
}
