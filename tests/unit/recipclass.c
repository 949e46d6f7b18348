/* Where recipients go: locals, virtualdomains, percenthack, envnoathost. */
#include "constmap.h"
#include "recipclass.h"
#include "tap.h"

static const char locals[] = "example.com\0localhost\0";
static const char vdoms[] = "virt.example:vu\0.sub.example:subu\0joe@other.example:jo\0"
                            "remote.virt.example:\0";
static const char percent[] = "example.com\0";

static const struct { const char *in, *out; int kind; } rows[] = {
  { "joe@example.com", "joe@example.com", 'l' },
  { "Joe@EXAMPLE.com", "Joe@EXAMPLE.com", 'l' },
  { "joe@localhost", "joe@localhost", 'l' },
  { "joe", "joe@envhost.example", 'r' },
  { "bob@remote.example", "bob@remote.example", 'r' },
  { "ann@virt.example", "vu-ann@virt.example", 'l' },
  { "ann@a.sub.example", "subu-ann@a.sub.example", 'l' },
  { "ann@x.y.sub.example", "subu-ann@x.y.sub.example", 'l' },
  { "ann@sub.example", "ann@sub.example", 'r' },          /* .sub only matches below it */
  { "joe@other.example", "jo-joe@other.example", 'l' },    /* user@domain entry */
  { "sue@other.example", "sue@other.example", 'r' },
  { "x@remote.virt.example", "x@remote.virt.example", 'r' }, /* empty prefix: exception */
  { "u%elsewhere.example@example.com", "u@elsewhere.example", 'r' },
  { "u%a.example%b.example@example.com", "u%a.example@b.example", 'r' },
  { "u%localhost@example.com", "u@localhost", 'l' },
};

int main(void)
{
  struct recipclass rc;
  stralloc out = {0};
  size_t i;
  constmap_init(&rc.locals, locals, sizeof locals - 1, 0);
  constmap_init(&rc.vdoms, vdoms, sizeof vdoms - 1, ':');
  constmap_init(&rc.percenthack, percent, sizeof percent - 1, 0);
  rc.envnoathost = "envhost.example";
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    int k = recipclass(&rc, rows[i].in, strlen(rows[i].in), &out);
    is_long(k, rows[i].kind, rows[i].in);
    is_str(out.s, rows[i].out, rows[i].in);
  }
  constmap_free(&rc.locals); constmap_free(&rc.vdoms); constmap_free(&rc.percenthack);
  stralloc_free(&out);
  return done_testing();
}
