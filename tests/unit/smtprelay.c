/* rcpthosts matching (list and morercpthosts.cdb) and the Received line. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "cdb_make.h"
#include "rcpthosts.h"
#include "received.h"
#include "tap.h"

#define PREFIX(s, p) (!strncmp((s), (p), strlen(p)))

static int makecdb(const char *path)
{
  static struct cdb_make cm;
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd == -1 || cdb_make_start(&cm, fd) == -1) return -1;
  cdb_make_add(&cm, (const unsigned char *)"more.example", 12, (const unsigned char *)"", 0);
  cdb_make_add(&cm, (const unsigned char *)".sub.example", 12, (const unsigned char *)"", 0);
  if (cdb_make_finish(&cm) == -1) return -1;
  return fd;
}

static void matching(void)
{
  static const char list[] = "us.example\0.wild.example\0MiXeD.Example\0";
  static struct rcpthosts rh;
  static const struct { const char *d; int want; } t[] = {
    { "us.example", 1 }, { "US.EXAMPLE", 1 }, { "us.example.", 1 }, { "mixed.example", 1 },
    { "x.us.example", 0 }, { "notus.example", 0 }, { "example", 0 },
    { "wild.example", 0 }, { "a.wild.example", 1 }, { "a.b.wild.example", 1 },
    { "awild.example", 0 }, { "more.example", 1 }, { "MORE.example.", 1 },
    { "x.more.example", 0 }, { "x.sub.example", 1 }, { "sub.example", 0 },
    { "", 0 }, { ".", 0 }, { "other.example", 0 }, { "us.example.other.example", 0 },
  };
  char path[] = "/tmp/smtprelay.XXXXXX";
  int tmp = mkstemp(path), fd;
  size_t i;
  close(tmp);
  fd = makecdb(path);
  unlink(path);
  ok(fd != -1, "made a morercpthosts.cdb");
  ok(rcpthosts_init_from(&rh, list, sizeof list - 1, fd) == 0, "rcpthosts loaded");
  for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
    char name[200];
    snprintf(name, sizeof name, "'%s' %s", t[i].d, t[i].want ? "is ours" : "is not ours");
    is_long(rcpthosts_match(&rh, t[i].d, strlen(t[i].d)), t[i].want, name);
  }
  constmap_free(&rh.map);
  if (fd != -1) close(fd);
  ok(rcpthosts_init_from(&rh, "", 0, -1) == 0, "an empty (or missing) rcpthosts, no cdb");
  is_long(rcpthosts_match(&rh, "us.example", 10), 0, "accepts nothing");
  constmap_free(&rh.map);
}

static void received(void)
{
  static stralloc out;
  struct received_info r = { "client.example", "192.0.2.7", "host.example", "ident", "mx.us.example", 1 };
  time_t t = 0;
  char *date;
  received_line(&out, &r, t);
  ok(out.len > 0 && out.s[out.len - 1] == '\n', "the field ends with LF");
  stralloc_0(&out);
  date = strstr(out.s, "; ");
  ok(PREFIX(out.s, "Received: from client.example (ident@host.example [192.0.2.7])\n  by mx.us.example with ESMTP; ") && date,
     "qmail's layout with HELO, ident, host, IP, ESMTP");

  r.helo = 0; r.remotehost = 0; r.remoteinfo = ""; r.esmtp = 0; r.remoteip = "::1";
  received_line(&out, &r, t);
  stralloc_0(&out);
  ok(PREFIX(out.s, "Received: from unknown (unknown [IPv6:::1])\n  by mx.us.example with SMTP; "),
     "no HELO, no host name: unknown; IPv6 literal; SMTP after HELO");

  r.remoteip = "::ffff:192.0.2.9"; r.helo = "evil\r\nX-Injected: 1 (\x01\xff)";
  received_line(&out, &r, t);
  stralloc_0(&out);
  ok(PREFIX(out.s, "Received: from evil??X-Injected: 1 (?" "?) (unknown [192.0.2.9])\n"),
     "control bytes in HELO made printable; v4-mapped shown as IPv4");

  {
    static char helo[1001];
    memset(helo, 'h', 1000);
    r.helo = helo;
    received_line(&out, &r, t);
    ok(out.len < 400, "a 1000-byte HELO is cut");
  }
}

int main(void)
{
  matching();
  received();
  return done_testing();
}
