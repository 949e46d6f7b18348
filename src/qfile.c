#include "auto.h"
#include "qfile.h"
#include "str.h"

int qfile_is_split(const char *dir)
{
  return str_equal(dir, "mess") || str_equal(dir, "info") ||
         str_equal(dir, "local") || str_equal(dir, "remote") ||
         str_equal(dir, "bounce");
}

int qfile_name(stralloc *sa, const char *dir, unsigned long id)
{
  if (!stralloc_copys(sa, dir)) return 0;
  if (!stralloc_cats(sa, "/")) return 0;
  if (qfile_is_split(dir)) {
    if (!stralloc_catulong0(sa, id % auto_split, 0)) return 0;
    if (!stralloc_cats(sa, "/")) return 0;
  }
  if (!stralloc_catulong0(sa, id, 0)) return 0;
  return stralloc_0(sa);
}
