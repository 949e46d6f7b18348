/* rcpthosts and morercpthosts.cdb (rcpthosts.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "case.h"
#include "cdb.h"
#include "control.h"
#include "rcpthosts.h"

int rcpthosts_init_from(struct rcpthosts *rh, const char *lines, size_t len, int fdcdb)
{
  rh->fdcdb = fdcdb;
  if (!constmap_init(&rh->map, lines, len, 0)) { errno = ENOMEM; return -1; }
  return 0;
}

int rcpthosts_init(struct rcpthosts *rh)
{
  int fd;
  if (control_readfile(&rh->list, "control/rcpthosts", 0) == -1) return -1;
  fd = open("control/morercpthosts.cdb", O_RDONLY | O_CLOEXEC);
  if (fd == -1 && errno != ENOENT) return -1;
  return rcpthosts_init_from(rh, rh->list.s, rh->list.len, fd);
}

static int incdb(struct rcpthosts *rh, const char *key, size_t len)
{
  struct cdb c;
  int r;
  if (rh->fdcdb == -1) return 0;
  cdb_init(&c, rh->fdcdb);
  r = cdb_find(&c, (const unsigned char *)key, len);
  cdb_free(&c);
  return r;
}

/* the key itself, in rcpthosts or in the cdb */
static int listed(struct rcpthosts *rh, const char *key, size_t len)
{
  if (constmap_lookup(&rh->map, key, len)) return 1;
  return incdb(rh, key, len);
}

int rcpthosts_match(struct rcpthosts *rh, const char *domain, size_t len)
{
  static stralloc d;
  size_t i;
  int r;
  if (len && domain[len - 1] == '.') --len;
  if (!len) return 0;
  if (!stralloc_copyb(&d, domain, len)) { errno = ENOMEM; return -1; }
  case_lowerb(d.s, d.len);
  if ((r = listed(rh, d.s, d.len))) return r;
  /* ".example.com" entries match every name below example.com */
  for (i = 1; i < d.len; ++i)
    if (d.s[i] == '.' && (r = listed(rh, d.s + i, d.len - i))) return r;
  return 0;
}
