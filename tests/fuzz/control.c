/* Control files (control.h) and the two whose lines are parsed further:
   control/smtproutes (smtproutes.h) and control/rcpthosts (rcpthosts.h).
   The input is a control file, read through the in-memory parsers that
   control_readline, control_readulong and control_readfile use. Each
   line of it is then looked up as a domain in both tables. Promises
   checked: the first line comes out NUL-terminated without trailing
   blanks, the lines trimmed at both ends, with no comment and no blank line; a number is only digits;
   a route's relay is NUL-terminated and its port in 1..65535; a domain
   listed in rcpthosts matches, in any case, with a trailing dot. */
#include "byte.h"
#include "control.h"
#include "fuzz.h"
#include "rcpthosts.h"
#include "smtproutes.h"

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
/* no blank at the end (and, with both, none at the start) */
static int trimmed(const char *s, size_t len, int both)
{
  if (!len) return 1;
  return !blank(s[len - 1]) && !(both && blank(s[0]));
}

static void check_firstline(const char *s, size_t len)
{
  stralloc out = {0};
  unsigned long u;
  size_t i;
  require(control_parse_firstline(&out, s, len) == 1);
  require(out.len >= 1 && out.s[out.len - 1] == 0);
  require(trimmed(out.s, out.len - 1, 0) && !memchr(out.s, '\n', out.len));
  if (control_parse_ulong(&u, out.s, out.len - 1))
    for (i = 0; i + 1 < out.len; ++i) require(out.s[i] >= '0' && out.s[i] <= '9');
  stralloc_free(&out);
}

static void check_lines(const stralloc *lines)
{
  size_t i = 0;
  require(!lines->len || lines->s[lines->len - 1] == 0);
  while (i < lines->len) {
    size_t n = strlen(lines->s + i);
    require(n && lines->s[i] != '#' && trimmed(lines->s + i, n, 1));
    i += n + 1;
  }
}

static void route(const struct constmap *cm, const char *d, size_t len)
{
  stralloc relay = {0};
  unsigned long port = 0;
  int r = smtproutes_find(cm, d, len, &relay, &port);
  require(r == 1 || r == 0 || r == -1);
  if (r == 1) {
    require(relay.s[relay.len] == 0 && strlen(relay.s) == relay.len);
    require(port >= 1 && port <= 65535);
  }
  stralloc_free(&relay);
}

static void relay(struct rcpthosts *rh, const char *d, size_t len, int listed)
{
  stralloc up = {0};
  size_t i;
  int r = rcpthosts_match(rh, d, len);
  require(r == 0 || r == 1);
  if (listed && len && d[0] != '.' && d[len - 1] != '.') {
    require(r == 1);
    require(stralloc_copyb(&up, d, len) && stralloc_append(&up, "."));
    for (i = 0; i < up.len; ++i)
      if (up.s[i] >= 'a' && up.s[i] <= 'z') up.s[i] = (char)(up.s[i] - 32);
    require(rcpthosts_match(rh, up.s, up.len) == 1);
  }
  stralloc_free(&up);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  stralloc lines = {0};
  struct constmap routes;
  struct rcpthosts rh;
  size_t i = 0;
  check_firstline(s, size);
  require(control_parse_lines(&lines, s, size) == 1);
  if (!memchr(s, 0, size)) check_lines(&lines); /* a NUL splits a line */
  require(smtproutes_init(&routes, lines.s, lines.len) == 1);
  require(rcpthosts_init_from(&rh, lines.s, lines.len, -1) == 0);
  while (i < lines.len) {
    const char *d = lines.s + i;
    size_t n = strlen(d);
    size_t colon = byte_chr(d, n, ':');
    route(&routes, d, n);
    route(&routes, d, colon);
    relay(&rh, d, n, 1);
    relay(&rh, d, colon, 0);
    i += n + 1;
  }
  constmap_free(&routes);
  constmap_free(&rh.map);
  stralloc_free(&lines);
  return 0;
}
