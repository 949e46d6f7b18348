/* qmail-qread's listing, golden output: a queue is built under /tmp with
   preprocessed messages (to do, done, bouncing), messages still in todo/,
   and broken ones, and the listing and warnings are compared with the
   text qmail-qread must print. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "qfile.h"
#include "qreadlib.h"
#include "stralloc.h"
#include "tap.h"

#define S(x) x, sizeof x - 1
#define NONE 0, 0

/* one message: which files exist, what they hold, the date they carry */
static const struct msg {
  unsigned long id;
  time_t when;           /* mtime of info/S/ID (or todo/ID) */
  long size;             /* bytes in mess/S/ID; -1: no mess file */
  const char *info; size_t infolen;
  const char *local; size_t locallen;
  const char *remote; size_t remotelen;
  const char *todo; size_t todolen;
  int bounce;
} queue[] = {
  /* preprocessed, one local recipient to do and one done, one remote */
  { 100, 1700000000, 1234, S("Falice@example.com\0"),
    S("Tbob@here.example\0Dcarol@here.example\0"), S("Tdave@there.example\0"), NONE, 0 },
  /* same date as #100, smaller id: listed first; unprintable sender byte */
  { 46, 1700000000, 5, S("Fev\001l@example.com\0"), S("Tbob@here.example\0"), NONE, NONE, 0 },
  /* the oldest: a bounce (null sender) that is itself bouncing */
  { 57, 1699999000, 300, S("F\0"), NONE, S("Dx@y.example\0Tz@w.example\0"), NONE, 1 },
  /* not yet preprocessed */
  { 200, 1700000500, 10, NONE, NONE, NONE,
    S("u1000\0p4242\0Fsender@a.example\0Tr1@b.example\0Tr2@c.example\0"), 0 },
  /* todo/ID and info/S/ID both there (a crash in preprocessing): todo wins */
  { 300, 1700000600, 77, S("Fstale@x\0"), S("Tstale@x\0"), NONE, S("u0\0p1\0Fq@x\0Tq2@x\0"), 1 },
  /* trouble: the mess file is gone */
  { 400, 1700000700, -1, S("Fa@b\0"), S("Ta@b\0"), NONE, NONE, 0 },
  /* trouble: info without F */
  { 500, 1700000800, 1, S("Xjunk\0"), S("Ta@b\0"), NONE, NONE, 0 },
  /* trouble: a todo file that is not an envelope */
  { 700, 1700000900, 1, NONE, NONE, NONE, S("garbage"), 0 },
  /* a local list whose last field is torn: the whole ones are listed */
  { 800, 1700001000, 2, S("Fm@n\0"), S("Ta@b\0Tc@"), NONE, NONE, 0 },
};

static const char golden[] =
  "14 Nov 2023 21:56:40 GMT  #57  300  <>  bouncing\n"
  "  done\tremote\tx@y.example\n"
  "\tremote\tz@w.example\n"
  "14 Nov 2023 22:13:20 GMT  #46  5  <ev?l@example.com> \n"
  "\tlocal\tbob@here.example\n"
  "14 Nov 2023 22:13:20 GMT  #100  1234  <alice@example.com> \n"
  "\tlocal\tbob@here.example\n"
  "  done\tlocal\tcarol@here.example\n"
  "\tremote\tdave@there.example\n"
  "14 Nov 2023 22:21:40 GMT  #200  10  <sender@a.example>  todo\n"
  "\ttodo\tr1@b.example\n"
  "\ttodo\tr2@c.example\n"
  "14 Nov 2023 22:23:20 GMT  #300  77  <q@x>  bouncing todo\n"
  "\ttodo\tq2@x\n"
  "14 Nov 2023 22:30:00 GMT  #800  2  <m@n> \n"
  "\tlocal\ta@b\n";

/* the warnings, %s standing for the queue directory */
static const char *golden_warn[] = {
  "qmail-qread: warning: trouble with #600: not in its subdirectory: %s/info/3\n",
  "qmail-qread: warning: trouble with #400: unable to stat %s/mess/9/400: No such file or directory\n",
  "qmail-qread: warning: trouble with #500: malformed %s/info/17/500\n",
  "qmail-qread: warning: trouble with #700: malformed %s/todo/700\n",
  "qmail-qread: warning: trouble with #800: malformed %s/local/18/800\n",
};

static const struct { time_t t; const char *want; } dates[] = {
  { 0, "1 Jan 1970 00:00:00 GMT" },
  { 1700000000, "14 Nov 2023 22:13:20 GMT" },
  { 1767225600, "1 Jan 2026 00:00:00 GMT" },
  { 1799999999, "15 Jan 2027 07:59:59 GMT" },
};

static char dir[] = "/tmp/qread-test.XXXXXX";

static void bail(const char *what)
{
  printf("Bail out! %s: %s\n", what, strerror(errno));
  exit(1);
}

static void mkdir_p(const char *sub, long s)
{
  char path[256];
  if (s < 0) snprintf(path, sizeof path, "%s/%s", dir, sub);
  else snprintf(path, sizeof path, "%s/%s/%ld", dir, sub, s);
  if (mkdir(path, 0700) == -1) bail(path);
}

/* write dir/REL with the given contents and mtime */
static void put(const char *rel, const char *data, size_t len, time_t when)
{
  char path[256];
  struct timeval tv[2];
  int fd;
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd == -1 || write(fd, data, len) != (ssize_t)len || close(fd) == -1) bail(path);
  tv[0].tv_sec = tv[1].tv_sec = when;
  tv[0].tv_usec = tv[1].tv_usec = 0;
  if (utimes(path, tv) == -1) bail(path);
}

static void put_q(const char *sub, unsigned long id, const char *data, size_t len, time_t when)
{
  stralloc name = {0};
  if (!qfile_name(&name, sub, id)) bail("qfile_name");
  put(name.s, data, len, when);
  stralloc_free(&name);
  stralloc_free(&name);
}

static void build(void)
{
  static const char *split[] = { "mess", "info", "local", "remote", "bounce" };
  static char bytes[2000];
  size_t i;
  unsigned long s;
  if (!mkdtemp(dir)) bail("mkdtemp");
  for (i = 0; i < 5; ++i) {
    mkdir_p(split[i], -1);
    for (s = 0; s < auto_split; ++s) mkdir_p(split[i], (long)s);
  }
  mkdir_p("todo", -1);
  for (i = 0; i < sizeof queue / sizeof queue[0]; ++i) {
    const struct msg *m = &queue[i];
    if (m->size >= 0) put_q("mess", m->id, bytes, (size_t)m->size, m->when);
    if (m->info) put_q("info", m->id, m->info, m->infolen, m->todo ? 1600000000 : m->when);
    if (m->local) put_q("local", m->id, m->local, m->locallen, m->when);
    if (m->remote) put_q("remote", m->id, m->remote, m->remotelen, m->when);
    if (m->todo) put_q("todo", m->id, m->todo, m->todolen, m->when);
    if (m->bounce) put_q("bounce", m->id, S("x@y\0reason\0"), m->when);
  }
  /* names that are not message ids are passed over */
  put("info/0/tmp.1", S("Fz@z\0"), 1);
  put("info/0/0123", S("Fz@z\0"), 1);
  put("todo/x", S("u0\0p1\0Fz@z\0"), 1);
  /* #600 belongs in info/2 */
  put("info/3/600", S("Fz@z\0"), 1);
}

static ssize_t write_fails(int fd, const void *buf, size_t len)
{
  (void)fd; (void)buf; (void)len;
  errno = EIO;
  return -1;
}

static void listing(void)
{
  stralloc out = {0}, warn = {0}, why = {0}, want = {0};
  buffer bo, bw;
  size_t i;
  char line[512];
  buffer_tosa(&bo, &out);
  buffer_tosa(&bw, &warn);
  is_long(qread_list(dir, &bo, &bw, &why), 0, "a readable queue is listed");
  is_mem(out.s, out.len, golden, sizeof golden - 1, "the listing is qmail-qread's");
  for (i = 0; i < sizeof golden_warn / sizeof golden_warn[0]; ++i) {
    snprintf(line, sizeof line, golden_warn[i], dir);
    stralloc_cats(&want, line);
  }
  is_mem(warn.s, warn.len, want.s, want.len, "each troubled message is warned about");

  /* the same queue, listed again: nothing is kept from the last run */
  stralloc_zero(&out);
  buffer_tosa(&bo, &out);
  buffer_tosa(&bw, &warn);
  qread_list(dir, &bo, &bw, &why);
  is_mem(out.s, out.len, golden, sizeof golden - 1, "a second listing is the same");
  stralloc_free(&out); stralloc_free(&warn); stralloc_free(&why); stralloc_free(&want);
}

static void failures(void)
{
  stralloc out = {0}, warn = {0}, why = {0};
  buffer bo, bw;
  char space[16];
  buffer_tosa(&bo, &out);
  buffer_tosa(&bw, &warn);
  is_long(qread_list("/nonexistent-qread", &bo, &bw, &why), -1, "a missing queue is fatal");
  is_str(why.s, "unable to opendir /nonexistent-qread/info/0: No such file or directory",
         "and says which directory");
  is_long((long)out.len, 0, "nothing is listed");

  buffer_init(&bo, write_fails, 1, space, sizeof space);
  is_long(qread_list(dir, &bo, &bw, &why), -1, "a failing output is fatal");
  is_str(why.s, "unable to write output: Input/output error", "and says so");
  stralloc_free(&out); stralloc_free(&warn); stralloc_free(&why);
}

static void empty(void)
{
  char path[256];
  stralloc out = {0}, warn = {0}, why = {0};
  buffer bo, bw;
  unsigned long s;
  snprintf(path, sizeof path, "%s/empty", dir);
  if (mkdir(path, 0700) == -1) bail(path);
  snprintf(path, sizeof path, "%s/empty/info", dir);
  if (mkdir(path, 0700) == -1) bail(path);
  for (s = 0; s < auto_split; ++s) {
    snprintf(path, sizeof path, "%s/empty/info/%lu", dir, s);
    if (mkdir(path, 0700) == -1) bail(path);
  }
  snprintf(path, sizeof path, "%s/empty", dir);
  buffer_tosa(&bo, &out);
  buffer_tosa(&bw, &warn);
  is_long(qread_list(path, &bo, &bw, &why), -1, "a queue without todo/ is fatal");
  snprintf(path, sizeof path, "unable to opendir %s/empty/todo: No such file or directory", dir);
  is_str(why.s, path, "and names todo/");
  snprintf(path, sizeof path, "%s/empty/todo", dir);
  if (mkdir(path, 0700) == -1) bail(path);
  snprintf(path, sizeof path, "%s/empty", dir);
  is_long(qread_list(path, &bo, &bw, &why), 0, "an empty queue is fine");
  is_long((long)out.len, 0, "and lists nothing");
  is_long((long)warn.len, 0, "without warnings");
  stralloc_free(&out); stralloc_free(&warn); stralloc_free(&why);
}

int main(void)
{
  size_t i;
  char cmd[300];
  for (i = 0; i < sizeof dates / sizeof dates[0]; ++i) {
    char buf[QREAD_DATE_LEN];
    size_t n = qread_date(buf, dates[i].t);
    is_mem(buf, n, dates[i].want, strlen(dates[i].want), dates[i].want);
  }
  build();
  listing();
  failures();
  empty();
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) ok(0, "clean up");
  return done_testing();
}
