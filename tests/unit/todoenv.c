/* Parsing the envelope qmail-queue stores in intd/ and todo/. */
#include "tap.h"
#include "todoenv.h"

#define S(x) x, sizeof x - 1
static const struct { const char *s; size_t len; int ok; const char *sender; int nrcpt; } rows[] = {
  { S("u1000\0p42\0Fa@b\0Tc@d\0"), 1, "a@b", 1 },
  { S("u0\0p1\0F\0Tc@d\0Te@f\0"), 1, "", 2 },           /* null sender */
  { S("u1\0p1\0Fa@b\0"), 1, "a@b", 0 },                /* no recipients */
  { S("u1\0p1\0Fa@b\0Tc@d"), 0, 0, 0 },                /* torn last field */
  { S("p1\0u1\0Fa@b\0Tc@d\0"), 0, 0, 0 },              /* wrong order */
  { S("u1x\0p1\0Fa@b\0Tc@d\0"), 0, 0, 0 },             /* junk in number */
  { S("u1\0p1\0Fa@b\0Xc@d\0"), 0, 0, 0 },              /* unknown field */
  { S("u1\0p1\0Fa@b\0T\0"), 0, 0, 0 },                 /* empty recipient */
  { S("u\0p1\0Fa@b\0Tc@d\0"), 0, 0, 0 },               /* empty number */
  { S(""), 0, 0, 0 },
};

int main(void)
{
  size_t i;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    struct todoenv e;
    char name[64];
    int r = todoenv_parse(&e, rows[i].s, rows[i].len);
    snprintf(name, sizeof name, "row %zu parses as %s", i, rows[i].ok ? "valid" : "invalid");
    is_long(r, rows[i].ok, name);
    if (r && rows[i].ok) {
      size_t pos = 0, alen;
      const char *a;
      int n = 0;
      is_mem(e.sender, e.senderlen, rows[i].sender, strlen(rows[i].sender), "sender");
      while (todoenv_next(&e, &pos, &a, &alen)) ++n;
      is_long(n, rows[i].nrcpt, "recipient count");
    }
  }
  {
    struct todoenv e;
    size_t pos = 0, alen;
    const char *a;
    static const char env[] = "u7\0p99\0Fs@x\0Tone@x\0Ttwo@y\0";
    todoenv_parse(&e, env, sizeof env - 1);
    is_long((long)e.uid, 7, "uid");
    is_long((long)e.pid, 99, "pid");
    todoenv_next(&e, &pos, &a, &alen);
    is_mem(a, alen, "one@x", 5, "first recipient");
    todoenv_next(&e, &pos, &a, &alen);
    is_mem(a, alen, "two@y", 5, "second recipient");
    ok(!todoenv_next(&e, &pos, &a, &alen), "then the end");
  }
  return done_testing();
}
