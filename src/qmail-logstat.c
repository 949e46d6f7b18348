/* qmail-logstat: a summary of qmail-send's and qmail-smtpd's logs
   (qmail-logstat(8)). Reads the files and multilog directories named,
   or standard input, line by line; the summary goes to standard output.
   Exit 0; 100 on usage; 111 when an input cannot be read or memory runs
   out. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "fmt.h"
#include "logstatline.h"
#include "logstatsum.h"
#include "open.h"
#include "scan.h"
#include "stralloc.h"

/* multilog lines are at most a few thousand bytes; longer ones are cut */
#define LINE_MAX_BYTES 16384

static struct logstat sum;
static char outspace[8192];
static buffer out = BUFFER_INIT(bufwrite, 1, outspace, sizeof outspace);

static void usage(void) { fatal(100, "usage: qmail-logstat [-n top] [file or multilog directory ...]"); }
static void die_nomem(void) { fatal(111, "out of memory"); }
static void die_read(const char *fn) { fatal(111, "unable to read ", fn, ": ", error_str(errno)); }

static void line(const char *s, size_t len)
{
  struct logstat_line l;
  if (!logstat_parse(&l, s, len)) { ++sum.malformed; l.kind = LS_OTHER; }
  if (!logstat_add(&sum, &l)) die_nomem();
}

/* every line of fd; a last line without newline counts too */
static void read_lines(int fd, const char *fn)
{
  static char buf[65536];
  static stralloc partial;
  int cut = 0;
  partial.len = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    size_t i, from = 0;
    if (r == -1) { if (errno == EINTR) continue; die_read(fn); }
    if (r == 0) break;
    for (i = 0; i < (size_t)r; ++i) {
      if (buf[i] != '\n') continue;
      if (partial.len || cut) {
        if (!cut && !stralloc_catb(&partial, buf + from, i - from)) die_nomem();
        line(partial.s, partial.len > LINE_MAX_BYTES ? LINE_MAX_BYTES : partial.len);
        partial.len = 0;
        cut = 0;
      } else
        line(buf + from, i - from);
      from = i + 1;
    }
    if (from < (size_t)r && !cut) {
      if (!stralloc_catb(&partial, buf + from, (size_t)r - from)) die_nomem();
      if (partial.len > LINE_MAX_BYTES) cut = 1;   /* keep the head, skip the rest */
    }
  }
  if (partial.len) line(partial.s, partial.len > LINE_MAX_BYTES ? LINE_MAX_BYTES : partial.len);
}

static void read_file(const char *fn)
{
  int fd = open_read(fn);
  if (fd == -1) die_read(fn);
  read_lines(fd, fn);
  close(fd);
}

static int oldest_first(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int archived(const char *name)
{
  size_t n = strlen(name);
  return name[0] == '@' && n > 2 && name[n - 2] == '.' && (name[n - 1] == 's' || name[n - 1] == 'u');
}

/* a multilog directory: the archived @TAI64N.s/.u files (their names sort
   by time), then current */
static void read_dir(const char *dn)
{
  static stralloc fn;
  DIR *d = opendir(dn);
  struct dirent *e;
  char **names = 0;
  size_t n = 0, cap = 0, i;
  if (!d) die_read(dn);
  while ((errno = 0, e = readdir(d))) {
    if (!archived(e->d_name)) continue;
    if (n == cap) {
      char **v = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *v);
      if (!v) die_nomem();
      names = v;
    }
    if (!(names[n++] = strdup(e->d_name))) die_nomem();
  }
  if (errno) die_read(dn);
  closedir(d);
  if (n) qsort(names, n, sizeof *names, oldest_first); /* never with a null array */
  for (i = 0; i <= n; ++i) {
    if (!stralloc_copys(&fn, dn) || !stralloc_cats(&fn, "/") ||
        !stralloc_cats(&fn, i < n ? names[i] : "current") || !stralloc_0(&fn))
      die_nomem();
    if (i == n && access(fn.s, F_OK) == -1 && errno == ENOENT) break;
    read_file(fn.s);
    if (i < n) free(names[i]);
  }
  free(names);
}

static void read_path(const char *p)
{
  struct stat st;
  if (!strcmp(p, "-")) { read_lines(0, "standard input"); return; }
  if (stat(p, &st) == -1) die_read(p);
  if (S_ISDIR(st.st_mode)) read_dir(p); else read_file(p);
}

int main(int argc, char **argv)
{
  unsigned long top = 10;
  int i = 1;
  die_program("qmail-logstat");
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; ++i) {
    if (!strcmp(argv[i], "--")) { ++i; break; }
    if (strcmp(argv[i], "-n") || i + 1 >= argc) usage();
    ++i;
    if (argv[i][scan_ulong(argv[i], &top)] || !top) usage();
  }
  if (i == argc) read_lines(0, "standard input");
  for (; i < argc; ++i) read_path(argv[i]);
  if (!logstat_report(&sum, &out, top)) die_nomem();
  if (sum.malformed) {
    char num[40];
    num[fmt_ulonglong(num, sum.malformed)] = 0;
    buffer_puts(&out, "\nmalformed lines skipped: ");
    buffer_puts(&out, num);
    buffer_puts(&out, "\n");
  }
  if (bufwrite_flush(&out) == -1) fatal(111, "unable to write output: ", error_str(errno));
  return 0;
}
