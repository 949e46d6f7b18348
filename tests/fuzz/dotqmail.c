/* .qmail files (dotqmail.h): the input is read by dotqmail_read from a
   memory file, as qmail-local reads ~/.qmail, and every line is
   classified. Its first line also serves as an address extension (the
   file names tried for it) and its second as a sender (the sender for
   forwards). Promises checked: every argument lies inside its line with
   no trailing blank; a maildir ends in '/', an mbox does not; a safe
   extension has no '.' and no upper case; the search names the exact file,
   then ".qmail" + dash + each prefix of the extension that ends
   before a '-' + "default", $DEFAULT starting where the prefix ends. */
#include <sys/mman.h>
#include <unistd.h>
#include "dotqmail.h"
#include "fuzz.h"
#include "str.h"

static void check_line(const char *line, size_t len)
{
  struct dq_line l;
  dotqmail_line(&l, line, len);
  require(l.arg >= line && l.arg + l.len <= line + len);
  if (l.len) require(l.arg[l.len - 1] != ' ' && l.arg[l.len - 1] != '\t');
  switch (l.type) {
    case DQ_BLANK: require(!l.len); break;
    case DQ_MAILDIR: require(l.arg[l.len - 1] == '/'); break;
    case DQ_MBOX: require(l.arg[l.len - 1] != '/'); break;
    case DQ_COMMENT: require(line[0] == '#'); break;
    case DQ_PROGRAM: require(line[0] == '|'); break;
    case DQ_OPTION: require(line[0] == '+'); break;
    case DQ_FORWARD: break;
    default: require(0);
  }
}

static void check_search(const char *ext, size_t len, const char *dash)
{
  stralloc safe = {0}, fn = {0};
  struct dq_search s;
  size_t i, names = 0, dashes = 0, dp;
  int r;
  require(dotqmail_safeext(&safe, ext, len));
  require(safe.len == len);
  for (i = 0; i < len; ++i) {
    require(safe.s[i] != '.' && !(safe.s[i] >= 'A' && safe.s[i] <= 'Z'));
    dashes += ext[i] == '-';
  }
  dotqmail_search_init(&s, dash, safe.s, safe.len);
  while ((r = dotqmail_search_next(&s, &fn, &dp)) == 1) {
    size_t head = 6 + str_len(dash);
    const char *tail = fn.s + head;
    require(++names <= (*dash ? dashes + 2 : 1));
    require(fn.len >= head && !memcmp(fn.s, ".qmail", 6) && fn.s[fn.len] == 0);
    if (names == 1) {   /* the exact name */
      require(fuzz_same(tail, fn.len - head, safe.s, safe.len));
      require(dp == (size_t)-1 || dp + 7 == safe.len);
    } else {            /* a prefix ending before a '-', then "default" */
      require(dp <= safe.len && (!dp || safe.s[dp - 1] == '-'));
      require(fuzz_same(tail, fn.len - head - 7, safe.s, dp));
      require(!memcmp(tail + dp, "default", 7));
    }
  }
  require(r == 0);
  stralloc_free(&safe);
  stralloc_free(&fn);
}

static void check_newsender(const char *sender, const char *local)
{
  stralloc out = {0};
  int owner;
  for (owner = 0; owner < 4; ++owner) {
    require(dotqmail_newsender(&out, sender, local, "example.com", owner & 1, owner >> 1));
    require(out.len && out.s[out.len - 1] == 0);
  }
  stralloc_free(&out);
}

/* the input as a file: dotqmail_read is what qmail-local calls */
static void read_file(stralloc *sa, const uint8_t *data, size_t size)
{
  int fd = memfd_create("dotqmail", 0);
  require(fd != -1);
  require(write(fd, data, size) == (ssize_t)size);
  require(lseek(fd, 0, SEEK_SET) == 0);
  require(dotqmail_read(fd, sa) == 0); /* and closes fd */
  require(fuzz_same(sa->s, sa->len, data, size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  stralloc sa = {0}, first = {0}, second = {0};
  const char *line;
  size_t pos = 0, len, n = 0;
  read_file(&sa, data, size);
  while (fuzz_line(sa.s, sa.len, &pos, &line, &len)) {
    check_line(line, len);
    if (n == 0) require(stralloc_copyb(&first, line, len));
    if (n == 1) require(stralloc_copyb(&second, line, len));
    ++n;
  }
  check_search(first.s, first.len, "-");
  check_search(first.s, first.len, "");
  require(stralloc_0(&first) && stralloc_0(&second));
  check_newsender(second.s, first.s);
  stralloc_free(&sa);
  stralloc_free(&first);
  stralloc_free(&second);
  return 0;
}
