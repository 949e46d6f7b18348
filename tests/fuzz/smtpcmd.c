/* qmail-smtpd's command lines (smtpcmd.h): every line of the input, as
   qmail-smtpd would read it (LF ends it, one CR before it goes, lines
   over SMTP_LINE_MAX are refused whole), goes through the verb parser,
   both path parsers and both parameter parsers. Promises checked: offsets
   stay inside the line; an accepted path is at most SMTP_ADDR_MAX bytes
   of printable ASCII, so no NUL or line end can reach the envelope;
   and sent on as qmail-remote sends it, it reads back the same. */
#include "address.h"
#include "fuzz.h"
#include "smtpcmd.h"

/* An accepted path, sent on as qmail-remote sends it (the local part
   quoted where RFC 5321 needs it), reads back as the same address:
   what one neoqmail relays, the next accepts. */
static void check_resend(const stralloc *addr, const char *prefix)
{
  stralloc line = {0}, again = {0};
  size_t params;
  require(stralloc_copys(&line, prefix) && stralloc_cats(&line, "<"));
  require(addr_quote(&line, addr->s, addr->len) && stralloc_cats(&line, ">"));
  require(smtpcmd_path(&again, line.s, line.len, prefix, &params) == SMTP_OK);
  require(params == line.len);
  require(fuzz_same(again.s, again.len, addr->s, addr->len));
  stralloc_free(&line);
  stralloc_free(&again);
}

static void check_path(stralloc *addr, const char *s, size_t len, const char *prefix)
{
  size_t params = (size_t)-1, i;
  unsigned long long size;
  enum smtp_parse r = smtpcmd_path(addr, s, len, prefix, &params);
  require(r == SMTP_OK || r == SMTP_SYNTAX || r == SMTP_TOOLONG);
  if (r != SMTP_OK) return;
  require(params <= len);
  require(addr->len <= SMTP_ADDR_MAX);
  for (i = 0; i < addr->len; ++i)
    require(addr->s[i] >= 32 && addr->s[i] <= 126);
  require(smtpcmd_domainpos(addr->s, addr->len) <= addr->len);
  check_resend(addr, prefix);
  (void)smtpcmd_routed(addr->s, addr->len);
  r = smtpcmd_mailparams(s + params, len - params, &size);
  require(r == SMTP_OK || r == SMTP_SYNTAX || r == SMTP_BADPARAM);
  r = smtpcmd_rcptparams(s + params, len - params);
  require(r == SMTP_OK || r == SMTP_BADPARAM);
}

static void command(stralloc *addr, const char *s, size_t len)
{
  size_t arg = (size_t)-1;
  enum smtp_verb v = smtpcmd_verb(s, len, &arg);
  require(arg <= len);
  require(v >= SMTP_UNKNOWN && v <= SMTP_HELP);
  check_path(addr, s + arg, len - arg, "from:");
  check_path(addr, s + arg, len - arg, "to:");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data, *line;
  size_t pos = 0, len;
  stralloc addr = {0};
  while (fuzz_line(s, size, &pos, &line, &len)) {
    if (len + 1 > SMTP_LINE_MAX) continue;
    if (len && line[len - 1] == '\r') --len;
    command(&addr, line, len);
  }
  stralloc_free(&addr);
  return 0;
}
