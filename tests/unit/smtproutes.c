/* control/smtproutes: which entry wins for a domain, and how an entry's
   relay and port are read. */
#include "control.h"
#include "smtproutes.h"
#include "tap.h"

static const char file[] =
  "# routes\n"
  "example.com:relay.example.net\n"
  ".example.com:[10.0.0.1]:2525\n"
  "direct.example.com:\n"
  "Upper.Example.ORG:[IPv6:::1]:26\n"
  "v6.example.org:[::1]\n"
  "badport.example:relay:99999\n"
  "badbracket.example:[1.2.3.4\n"
  "junk.example:[1.2.3.4]x\n"
  "nonum.example:relay:\n"
  "dup.example:first\n"
  "dup.example:second\n"
  "noroute.example\n"
  ":default.relay:587\n";

static const struct { const char *domain; int want; const char *relay; unsigned long port; } rows[] = {
  { "example.com", 1, "relay.example.net", 25 },
  { "EXAMPLE.COM", 1, "relay.example.net", 25 },         /* any case */
  { "a.example.com", 1, "[10.0.0.1]", 2525 },            /* suffix entry */
  { "a.b.example.com", 1, "[10.0.0.1]", 2525 },
  { "direct.example.com", 1, "", 25 },                   /* exact wins, empty relay = MX */
  { "x.direct.example.com", 1, "[10.0.0.1]", 2525 },     /* no ".direct..." entry */
  { "upper.example.org", 1, "[IPv6:::1]", 26 },
  { "v6.example.org", 1, "[::1]", 25 },
  { "badport.example", -1, 0, 0 },
  { "badbracket.example", -1, 0, 0 },
  { "junk.example", -1, 0, 0 },
  { "nonum.example", -1, 0, 0 },
  { "dup.example", 1, "first", 25 },                     /* first in the file */
  { "noroute.example", 1, "default.relay", 587 },        /* a line without ':' is ignored */
  { "other.net", 1, "default.relay", 587 },              /* the default route */
  { "", 0, 0, 0 },
};

static const char nodefault[] = "example.com:relay\n";

int main(void)
{
  stralloc lines = {0}, relay = {0};
  struct constmap cm;
  size_t i;
  unsigned long port;
  control_parse_lines(&lines, file, sizeof file - 1);
  ok(smtproutes_init(&cm, lines.s, lines.len), "routes read");
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    int got = smtproutes_find(&cm, rows[i].domain, strlen(rows[i].domain), &relay, &port);
    if (!is_long(got, rows[i].want, "route found or not")) printf("#   domain '%s'\n", rows[i].domain);
    if (got != 1) continue;
    is_str(relay.s, rows[i].relay, "  relay");
    is_long((long)port, (long)rows[i].port, "  port");
  }
  control_parse_lines(&lines, nodefault, sizeof nodefault - 1);
  constmap_free(&cm);
  smtproutes_init(&cm, lines.s, lines.len);
  is_long(smtproutes_find(&cm, "x.org", 5, &relay, &port), 0, "no default route: none found");
  is_long(smtproutes_find(&cm, "a.example.com", 13, &relay, &port), 0, "no suffix entry: a subdomain is not routed");
  constmap_free(&cm);
  stralloc_free(&lines); stralloc_free(&relay);
  return done_testing();
}
