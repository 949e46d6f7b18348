/* users/assign (usersassign.h): the input is a users/assign file. It is
   compiled as qmail-newu does, into a cdb in a memory file, and looked
   up as qmail-lspawn does; each line also goes to qmail-getpw's rule.
   Promises checked: a file that compiles answers every '=' line's local
   part; every answer parses into the six fields qmail-lspawn needs; a
   lookup never fails on a cdb qmail-newu made; the password rule only
   names a prefix that ends before a '-' or at the end. */
#include <sys/mman.h>
#include <unistd.h>
#include "buffer.h"
#include "byte.h"
#include "fuzz.h"
#include "usersassign.h"

/* qmail-getpw's isuser, made up: names of odd length exist */
static int odd_isuser(void *ctx, const char *name)
{
  (void)ctx;
  return (int)(strlen(name) & 1);
}

static void check_pw(const char *local, size_t len)
{
  size_t userlen = (size_t)-1;
  int r = users_pw_split(local, len, odd_isuser, 0, &userlen);
  require(r == 0 || r == 1);
  if (r == 1) {
    require(userlen && userlen <= len && userlen <= USERS_NAME_MAX);
    require(userlen == len || local[userlen] == '-');
  }
}

static int lookup(struct cdb *c, const char *local, size_t len, stralloc *out)
{
  struct users_answer a;
  int r = users_cdb_find(c, local, len, out);
  require(r == 0 || r == 1);
  if (r == 1 && !memchr(local, 0, len))
    require(users_answer_parse(&a, out->s, out->len) == 1);
  return r;
}

/* each line: its local part, that with the line's tail, the line itself */
static void lookups(struct cdb *c, const char *s, size_t size)
{
  stralloc out = {0}, local = {0};
  const char *line;
  size_t pos = 0, len;
  int compiled = 1;   /* lines before the final "." are in the cdb */
  while (fuzz_line(s, size, &pos, &line, &len)) {
    size_t colon = byte_chr(line, len, ':'), last = len;
    struct users_assign a;
    const char *why;
    while (last && line[last - 1] != ':') --last;
    if (colon < len && colon > 0) {
      int exact = compiled &&
                  users_assign_parse(&a, line, len, &why) == USERS_LINE_OK && !a.wild;
      require(lookup(c, line + 1, colon - 1, &out) == 1 || !exact);
      require(stralloc_copyb(&local, line + 1, colon - 1));
      require(stralloc_catb(&local, line + last, len - last));
      lookup(c, local.s, local.len, &out);
    }
    lookup(c, line, len, &out);
    if (len == 1 && line[0] == '.') compiled = 0;
    check_pw(line, len);
  }
  stralloc_free(&out);
  stralloc_free(&local);
}

/* cdb_make_finish leaves its tables allocated (qmail-newu exits) */
static void cdb_make_release(struct cdb_make *cm)
{
  struct cdb_hplist *x;
  while ((x = cm->head)) { cm->head = x->next; free(x); }
  free(cm->split);
  cm->split = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data, *why = 0;
  struct cdb_make cm;
  struct cdb c;
  unsigned long line = 0;
  char space[64];
  buffer in;
  int fd = memfd_create("users.cdb", 0), r, fin;
  require(fd != -1);
  require(cdb_make_start(&cm, fd) != -1);
  fuzz_read_start(s, size, 5);
  buffer_init(&in, fuzz_read, 0, space, sizeof space);
  r = users_make(&cm, &in, &line, &why);
  require(r == USERS_MAKE_OK || r == USERS_MAKE_BAD);
  require(r != USERS_MAKE_BAD || why);
  fin = cdb_make_finish(&cm);
  cdb_make_release(&cm);
  if (r == USERS_MAKE_OK) {
    require(fin == 0);
    cdb_init(&c, fd);
    lookups(&c, s, size);
    cdb_free(&c);
  }
  close(fd);
  return 0;
}
