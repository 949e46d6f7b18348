#include "auto.h"
#include "fmt.h"
#include "qfile.h"
#include "str.h"

int qfile_is_split(const char *dir)
{
  return str_equal(dir, "mess") || str_equal(dir, "info") ||
         str_equal(dir, "local") || str_equal(dir, "remote") ||
         str_equal(dir, "bounce");
}

/* (stralloc_catulong0 with width 0 appends nothing: use fmt_ulong) */
static int catnum(stralloc *sa, unsigned long n)
{
  char buf[FMT_ULONG];
  return stralloc_catb(sa, buf, fmt_ulong(buf, n));
}

int qfile_name(stralloc *sa, const char *dir, unsigned long id)
{
  if (!stralloc_copys(sa, dir)) return 0;
  if (!stralloc_cats(sa, "/")) return 0;
  if (qfile_is_split(dir)) {
    if (!catnum(sa, id % auto_split)) return 0;
    if (!stralloc_cats(sa, "/")) return 0;
  }
  if (!catnum(sa, id)) return 0;
  return stralloc_0(sa);
}
