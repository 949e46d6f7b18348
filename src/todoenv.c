#include "byte.h"
#include "scan.h"
#include "todoenv.h"

/* length of the field at s (up to its NUL), or len when there is no NUL */
static size_t field(const char *s, size_t len) { return byte_chr(s, len, 0); }

static int number(const char *s, size_t flen, char tag, unsigned long *u)
{
  if (flen < 2 || s[0] != tag) return 0;
  return scan_ulongn(s + 1, flen - 1, u) == flen - 1;
}

int todoenv_parse(struct todoenv *e, const char *s, size_t len)
{
  size_t pos = 0, f;
  f = field(s, len);
  if (f == len || !number(s, f, 'u', &e->uid)) return 0;
  pos = f + 1;
  f = field(s + pos, len - pos);
  if (pos + f == len || !number(s + pos, f, 'p', &e->pid)) return 0;
  pos += f + 1;
  f = field(s + pos, len - pos);
  if (pos + f == len || !f || s[pos] != 'F') return 0;
  e->sender = s + pos + 1;
  e->senderlen = f - 1;
  pos += f + 1;
  e->rcpts = s + pos;
  e->rcptslen = len - pos;
  while (pos < len) {
    f = field(s + pos, len - pos);
    if (pos + f == len || f < 2 || s[pos] != 'T') return 0;
    pos += f + 1;
  }
  return 1;
}

int todoenv_next(const struct todoenv *e, size_t *pos, const char **addr, size_t *len)
{
  size_t f;
  if (*pos >= e->rcptslen) return 0;
  f = field(e->rcpts + *pos, e->rcptslen - *pos);
  *addr = e->rcpts + *pos + 1;
  *len = f - 1;
  *pos += f + 1;
  return 1;
}
