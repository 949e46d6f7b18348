/* users/assign lines, users/cdb lookups (exact, wildcard, case),
   answers, and qmail-getpw's prefix rule. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "cdb.h"
#include "cdb_make.h"
#include "usersassign.h"
#include "tap.h"

#define S(x) x, sizeof x - 1

/* ---- lines ---- */
static const struct {
  const char *line; size_t len;
  int want;                     /* USERS_LINE_* */
  const char *key; size_t klen; /* for OK */
  const char *value; size_t vlen;
} lines[] = {
  { S("=joe:joe:507:100:/home/joe:::"), USERS_LINE_OK,
    S("!joe\0"), S("joe\0" "507\0" "100\0" "/home/joe\0\0") },
  { S("=Joe.Shmoe:joe:503:78:/home/joe:::"), USERS_LINE_OK,
    S("!joe.shmoe\0"), S("joe\0" "503\0" "78\0" "/home/joe\0\0") },
  { S("+joe-:joe:507:100:/home/joe:-::"), USERS_LINE_OK,
    S("!joe-"), S("joe\0" "507\0" "100\0" "/home/joe\0-\0") },
  { S("+:alias:7790:2108:/var/qmail/alias:-::"), USERS_LINE_OK,
    S("!"), S("alias\0" "7790\0" "2108\0" "/var/qmail/alias\0-\0") },
  { S("+list-:ezmlm:600:60:/home/ezmlm:-:list-:"), USERS_LINE_OK,
    S("!list-"), S("ezmlm\0" "600\0" "60\0" "/home/ezmlm\0-\0list-") },
  { S("=:nobody:99:99:/:::"), USERS_LINE_OK, S("!\0"), S("nobody\0" "99\0" "99\0" "/\0\0") },
  { S("=x:u:4294967294:0:/h:::"), USERS_LINE_OK, S("!x\0"), S("u\0" "4294967294\0" "0\0" "/h\0\0") },
  { S("."), USERS_LINE_END, 0, 0, 0, 0 },
  { S(""), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S(". "), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("joe:joe:507:100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("#=joe:joe:507:100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:507:100:/home/joe::"), USERS_LINE_BAD, 0, 0, 0, 0 },   /* six fields */
  { S("=joe:joe:507:100:/home/joe:::x"), USERS_LINE_BAD, 0, 0, 0, 0 }, /* trailing text */
  { S("=joe:joe:507:100:/home/joe:::\r"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe::507:100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },     /* no user */
  { S("=joe:joe:50x:100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe::100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:507:-1:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:4294967295:1:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:99999999999:1:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:507:100:home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },   /* relative */
  { S("=joe:joe:507:100::::"), USERS_LINE_BAD, 0, 0, 0, 0 },
  { S("=joe:joe:507:100:/home/joe:/::"), USERS_LINE_BAD, 0, 0, 0, 0 }, /* dash with / */
  { S("=jo\0e:joe:507:100:/home/joe:::"), USERS_LINE_BAD, 0, 0, 0, 0 },
};

static void test_lines(void)
{
  stralloc key = {0}, value = {0};
  size_t i;
  for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
    struct users_assign a;
    const char *why = 0;
    int r = users_assign_parse(&a, lines[i].line, lines[i].len, &why);
    is_long(r, lines[i].want, lines[i].line);
    if (r == USERS_LINE_BAD) ok(why != 0, "  with a reason");
    if (r != USERS_LINE_OK || lines[i].want != USERS_LINE_OK) continue;
    ok(users_assign_key(&key, &a) && users_assign_value(&value, &a), "  key and value made");
    is_mem(key.s, key.len, lines[i].key, lines[i].klen, "  key");
    is_mem(value.s, value.len, lines[i].value, lines[i].vlen, "  value");
  }
  stralloc_free(&key); stralloc_free(&value);
}

/* ---- whole files ---- */
static const char *src;
static size_t srclen;
static ssize_t fromstr(int fd, char *buf, size_t len)
{
  size_t n = len < srclen ? len : srclen;
  memcpy(buf, src, n);
  src += n;
  srclen -= n;
  return (ssize_t)n;
}

static int make(const char *text, size_t len, const char *fn,
                unsigned long *line, const char **why)
{
  struct cdb_make cm;
  buffer in;
  char space[7]; /* small: lines cross buffer refills */
  int fd = open(fn, O_RDWR | O_CREAT | O_TRUNC, 0600), r;
  if (fd == -1) return -100;
  src = text;
  srclen = len;
  buffer_init(&in, fromstr, -1, space, sizeof space);
  if (cdb_make_start(&cm, fd) == -1) return -100;
  r = users_make(&cm, &in, line, why);
  if (r == USERS_MAKE_OK && cdb_make_finish(&cm) == -1) r = -100;
  close(fd);
  return r;
}

static const struct { const char *text; size_t len; int want; unsigned long line; } files[] = {
  { S("=a:a:1:1:/a:::\n.\n"), USERS_MAKE_OK, 2 },
  { S(".\n"), USERS_MAKE_OK, 1 },
  { S("."), USERS_MAKE_OK, 1 },                         /* no final newline */
  { S("=a:a:1:1:/a:::\n.\nanything at all\n"), USERS_MAKE_OK, 2 },
  { S("=a:a:1:1:/a:::\n"), USERS_MAKE_BAD, 2 },         /* no "." */
  { S(""), USERS_MAKE_BAD, 1 },
  { S("=a:a:1:1:/a:::"), USERS_MAKE_BAD, 1 },           /* no newline, no "." */
  { S("=a:a:1:1:/a:::\n\n.\n"), USERS_MAKE_BAD, 2 },    /* blank line */
  { S("=a:a:1:1:/a:::\n=b:b:x:1:/b:::\n.\n"), USERS_MAKE_BAD, 2 },
};

static void test_files(const char *fn)
{
  size_t i;
  for (i = 0; i < sizeof files / sizeof files[0]; ++i) {
    unsigned long line = 0;
    const char *why = 0;
    int r = make(files[i].text, files[i].len, fn, &line, &why);
    is_long(r, files[i].want, "users_make result");
    is_long((long)line, (long)files[i].line, "  line number");
    if (r == USERS_MAKE_BAD) ok(why != 0, "  with a reason");
  }
}

/* ---- lookups ---- */
static const char assign[] =
  "+:alias:7790:2108:/var/qmail/alias:-::\n"
  "+joe-:joe:507:100:/home/joe:-::\n"
  "=joe:joe:507:100:/home/joe:::\n"
  "=joe:second:1:1:/nowhere:::\n"          /* a second =joe: the first wins */
  "+joe-list-:list:600:60:/home/list:-:l-:\n" /* longer prefix wins */
  "+Big:big:5:5:/big:-:B:\n"               /* upper case in loc */
  "=Mixed.Case:mc:6:6:/mc:::\n"
  "+x:xu:7:7:/x:-::\n"
  ".\n";

#define A(u, uid, gid, home, dash, ext) u "\0" uid "\0" gid "\0" home "\0" dash "\0" ext "\0"
static const struct { const char *local; int want; const char *answer; size_t alen; } finds[] = {
  { "joe", 1, S(A("joe", "507", "100", "/home/joe", "", "")) },
  { "JOE", 1, S(A("joe", "507", "100", "/home/joe", "", "")) },
  { "joe-", 1, S(A("joe", "507", "100", "/home/joe", "-", "")) },
  { "joe-direct", 1, S(A("joe", "507", "100", "/home/joe", "-", "direct")) },
  { "Joe-Direct", 1, S(A("joe", "507", "100", "/home/joe", "-", "Direct")) }, /* ext keeps case */
  { "joe-list-x", 1, S(A("list", "600", "60", "/home/list", "-", "l-x")) },
  { "joe-list-", 1, S(A("list", "600", "60", "/home/list", "-", "l-")) },
  { "joe-list", 1, S(A("joe", "507", "100", "/home/joe", "-", "list")) },
  { "joex", 1, S(A("alias", "7790", "2108", "/var/qmail/alias", "-", "joex")) },
  { "bill", 1, S(A("alias", "7790", "2108", "/var/qmail/alias", "-", "bill")) },
  { "", 1, S(A("alias", "7790", "2108", "/var/qmail/alias", "-", "")) },
  { "bigfoot", 1, S(A("big", "5", "5", "/big", "-", "Bfoot")) },
  { "BIGfoot", 1, S(A("big", "5", "5", "/big", "-", "Bfoot")) },
  { "mixed.case", 1, S(A("mc", "6", "6", "/mc", "", "")) },
  { "x", 1, S(A("xu", "7", "7", "/x", "-", "")) },
  { "xY", 1, S(A("xu", "7", "7", "/x", "-", "Y")) },
};

static const char assign2[] =              /* no catch-all */
  "=joe:joe:507:100:/home/joe:::\n"
  "+joe-:joe:507:100:/home/joe:-::\n"
  ".\n";
static const struct { const char *local; int want; const char *answer; size_t alen; } finds2[] = {
  { "joe", 1, S(A("joe", "507", "100", "/home/joe", "", "")) },
  { "joe-a", 1, S(A("joe", "507", "100", "/home/joe", "-", "a")) },
  { "jo", 0, 0, 0 },
  { "joey", 0, 0, 0 },
  { "bill", 0, 0, 0 },
};

static int open_cdb(struct cdb *c, const char *fn, const char *text, size_t len)
{
  unsigned long line;
  const char *why;
  int fd;
  if (make(text, len, fn, &line, &why) != USERS_MAKE_OK) return -1;
  fd = open(fn, O_RDONLY);
  if (fd == -1) return -1;
  cdb_init(c, fd);
  return fd;
}

static void test_finds(const char *fn)
{
  stralloc out = {0};
  struct cdb c;
  size_t i;
  int fd = open_cdb(&c, fn, assign, sizeof assign - 1);
  ok(fd != -1, "users/cdb with a catch-all made");
  if (fd == -1) return;
  for (i = 0; i < sizeof finds / sizeof finds[0]; ++i) {
    int r = users_cdb_find(&c, finds[i].local, strlen(finds[i].local), &out);
    is_long(r, finds[i].want, finds[i].local);
    if (r == 1) is_mem(out.s, out.len, finds[i].answer, finds[i].alen, "  answer");
  }
  cdb_free(&c);
  close(fd);
  fd = open_cdb(&c, fn, assign2, sizeof assign2 - 1);
  ok(fd != -1, "users/cdb without a catch-all made");
  if (fd == -1) return;
  for (i = 0; i < sizeof finds2 / sizeof finds2[0]; ++i) {
    int r = users_cdb_find(&c, finds2[i].local, strlen(finds2[i].local), &out);
    is_long(r, finds2[i].want, finds2[i].local);
    if (r == 1) is_mem(out.s, out.len, finds2[i].answer, finds2[i].alen, "  answer");
  }
  cdb_free(&c);
  close(fd);
  stralloc_free(&out);
}

/* a cdb without the "" key was not made by qmail-newu */
static void test_foreign(const char *fn)
{
  struct cdb_make cm;
  struct cdb c;
  stralloc out = {0};
  int fd = open(fn, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ok(fd != -1 && cdb_make_start(&cm, fd) != -1 && /* returns 2048 */
     cdb_make_add(&cm, (const unsigned char *)"!joe", 5, (const unsigned char *)"x", 1) == 0 &&
     cdb_make_finish(&cm) == 0, "foreign cdb made");
  cdb_init(&c, fd);
  is_long(users_cdb_find(&c, "joe", 3, &out), -1, "foreign cdb is an error");
  cdb_free(&c);
  close(fd);
  /* the "" key lists the last bytes of the wildcards: a prefix ending in
     another byte is not even looked up (qmail's users/cdb works so) */
  fd = open(fn, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ok(fd != -1 && cdb_make_start(&cm, fd) != -1 &&
     cdb_make_add(&cm, (const unsigned char *)"!j", 2, (const unsigned char *)"j\0" "1\0" "1\0" "/j\0-\0", 11) == 0 &&
     cdb_make_add(&cm, (const unsigned char *)"!k", 2, (const unsigned char *)"k\0" "1\0" "1\0" "/k\0-\0", 11) == 0 &&
     cdb_make_add(&cm, (const unsigned char *)"", 0, (const unsigned char *)"k", 1) == 0 &&
     cdb_make_finish(&cm) == 0, "cdb with a partial wildcard index made");
  cdb_init(&c, fd);
  is_long(users_cdb_find(&c, "jx", 2, &out), 0, "wildcard not in the index is not used");
  is_long(users_cdb_find(&c, "kx", 2, &out), 1, "wildcard in the index is used");
  is_mem(out.s, out.len, S("k\0" "1\0" "1\0" "/k\0-\0x\0"), "  its answer");
  cdb_free(&c);
  close(fd);
  stralloc_free(&out);
}

/* ---- answers ---- */
static const struct { const char *s; size_t len; int want; } answers[] = {
  { S("joe\0" "507\0" "100\0" "/home/joe\0" "-\0" "ext\0"), 1 },
  { S("joe\0" "507\0" "100\0" "/home/joe\0\0\0"), 1 },
  { S("joe\0" "507\0" "100\0" "/home/joe\0\0"), 0 },        /* five fields */
  { S("joe\0" "507\0" "100\0" "/home/joe\0\0\0x"), 0 },     /* trailing */
  { S("joe\0" "507\0" "100\0" "/home/joe\0\0\0\0"), 0 },    /* seven */
  { S("\0" "507\0" "100\0" "/home/joe\0\0\0"), 0 },
  { S("joe\0" "5x7\0" "100\0" "/home/joe\0\0\0"), 0 },
  { S("joe\0" "507\0" "\0" "/home/joe\0\0\0"), 0 },
  { S("joe\0" "507\0" "100\0" "home\0\0\0"), 0 },
  { S(""), 0 },
};

static void test_answers(void)
{
  size_t i;
  struct users_answer a;
  for (i = 0; i < sizeof answers / sizeof answers[0]; ++i)
    is_long(users_answer_parse(&a, answers[i].s, answers[i].len), answers[i].want, "answer parse");
  ok(users_answer_parse(&a, answers[0].s, answers[0].len) && a.uid == 507 && a.gid == 100 &&
     !strcmp(a.user, "joe") && !strcmp(a.home, "/home/joe") && !strcmp(a.dash, "-") &&
     !strcmp(a.ext, "ext"), "answer fields");
}

/* ---- qmail-getpw's rule ---- */
static const char *const pwusers[] = { "joe", "joe-x", "ann", "temp", "abcdefghijklmnopqrstuvwxyz012345", 0 };
static int isuser(void *ctx, const char *name)
{
  size_t i;
  ++*(int *)ctx;
  if (!strcmp(name, "temp")) return -1;
  for (i = 0; pwusers[i]; ++i)
    if (!strcmp(name, pwusers[i])) return 1;
  return 0;
}

static const struct { const char *local; int want; size_t userlen; } splits[] = {
  { "joe", 1, 3 },
  { "JOE", 1, 3 },
  { "joe-a-b", 1, 3 },
  { "joe-x", 1, 5 },           /* the longest prefix first */
  { "joe-x-y", 1, 5 },
  { "Joe-X-y", 1, 5 },
  { "joex", 0, 0 },            /* only at a '-' */
  { "jo-e", 0, 0 },
  { "ann-", 1, 3 },
  { "-ann", 0, 0 },
  { "", 0, 0 },
  { "temp-1", -1, 0 },
  { "abcdefghijklmnopqrstuvwxyz012345", 1, 32 },
  { "abcdefghijklmnopqrstuvwxyz0123456", 0, 0 },
};

static void test_splits(void)
{
  size_t i;
  for (i = 0; i < sizeof splits / sizeof splits[0]; ++i) {
    size_t n = 999;
    int calls = 0;
    int r = users_pw_split(splits[i].local, strlen(splits[i].local), isuser, &calls, &n);
    is_long(r, splits[i].want, splits[i].local);
    if (r == 1) is_long((long)n, (long)splits[i].userlen, "  user length");
  }
}

int main(void)
{
  char fn[] = "/tmp/neoq-usersassign-XXXXXX";
  int fd = mkstemp(fn);
  if (fd == -1) { ok(0, "mkstemp"); return done_testing(); }
  close(fd);
  test_lines();
  test_files(fn);
  test_finds(fn);
  test_foreign(fn);
  test_answers();
  test_splits();
  unlink(fn);
  return done_testing();
}
