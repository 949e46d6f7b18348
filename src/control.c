#include <errno.h>
#include "control.h"
#include "openreadclose.h"
#include "scan.h"
#include "stralloc.h"

/* A control file larger than this is refused rather than read. */
#define CONTROL_MAXBYTES (64UL * 1024 * 1024)

static stralloc me;

static int isspace_ctl(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int slurp(stralloc *sa, const char *fn)
{
  int r;
  stralloc_zero(sa);
  /* libowfat: 1 read, 0 no such file, -1 error */
  r = openreadclose(fn, sa, 4096);
  if (r == 0 || (r == -1 && errno == ENOENT)) return 0;
  if (r == -1) return -1;
  if (sa->len > CONTROL_MAXBYTES) { errno = EFBIG; return -1; }
  return 1;
}

int control_parse_firstline(stralloc *out, const char *buf, size_t len)
{
  size_t end = 0;
  while (end < len && buf[end] != '\n') ++end;
  while (end > 0 && isspace_ctl(buf[end - 1])) --end;
  if (!stralloc_copyb(out, buf, end)) return -1;
  if (!stralloc_0(out)) return -1;
  return 1;
}

int control_parse_lines(stralloc *out, const char *buf, size_t len)
{
  size_t i = 0;
  stralloc_zero(out);
  while (i < len) {
    size_t start = i, end;
    while (i < len && buf[i] != '\n') ++i;
    end = i;
    if (i < len) ++i;
    while (start < end && isspace_ctl(buf[start])) ++start;
    while (end > start && isspace_ctl(buf[end - 1])) --end;
    if (start == end || buf[start] == '#') continue;
    if (!stralloc_catb(out, buf + start, end - start)) return -1;
    if (!stralloc_0(out)) return -1;
  }
  return 1;
}

int control_parse_ulong(unsigned long *u, const char *s, size_t len)
{
  size_t n;
  if (!len) return 0;
  n = scan_ulongn(s, len, u); /* s need not end after len */
  if (n != len) return 0;
  return 1;
}

int control_readline(stralloc *sa, const char *fn)
{
  static stralloc raw;
  int r = slurp(&raw, fn);
  if (r != 1) return r;
  if (control_parse_firstline(sa, raw.s, raw.len) == -1) return -1;
  return 1;
}

/* read each time: control files may change (svc -h) */
static int readme(void)
{
  return control_readline(&me, "control/me");
}

int control_rldef(stralloc *sa, const char *fn, int flagme, const char *def)
{
  int r = control_readline(sa, fn);
  if (r != 0) return r;
  if (flagme) {
    int m = readme();
    if (m == -1) return -1;
    if (m == 1) return stralloc_copy(sa, &me) ? 0 : -1;
  }
  if (def) return stralloc_copys(sa, def) && stralloc_0(sa) ? 0 : -1;
  stralloc_zero(sa);
  return 0;
}

int control_readulong(unsigned long *u, const char *fn, unsigned long def)
{
  static stralloc line;
  int r = control_readline(&line, fn);
  if (r == 0) { *u = def; return 0; }
  if (r == -1) return -1;
  if (!control_parse_ulong(u, line.s, line.len - 1)) { errno = EINVAL; return -1; }
  return 1;
}

int control_readfile(stralloc *sa, const char *fn, int flagme)
{
  static stralloc raw;
  int r = slurp(&raw, fn);
  if (r == -1) return -1;
  if (r == 0) {
    stralloc_zero(sa);
    if (flagme) {
      int m = readme();
      if (m == -1) return -1;
      if (m == 1 && !stralloc_copy(sa, &me)) return -1;
    }
    return 0;
  }
  if (control_parse_lines(sa, raw.s, raw.len) == -1) return -1;
  return 1;
}
