#include "bufwrite.h"
#include "byte.h"
#include "dotstuff.h"

void smtp_data_start(struct smtp_data *d) { d->bol = 1; }

int smtp_data_put(struct smtp_data *d, buffer *b, const char *s, size_t len)
{
  while (len) {
    size_t n = byte_chr(s, len, '\n');
    if (d->bol && s[0] == '.' && bufwrite_put(b, ".", 1) == -1) return -1;
    if (n == len) { /* the line goes on in the next piece */
      if (bufwrite_put(b, s, len) == -1) return -1;
      d->bol = 0;
      return 0;
    }
    if (bufwrite_put(b, s, n) == -1 || bufwrite_put(b, "\r\n", 2) == -1) return -1;
    d->bol = 1;
    s += n + 1;
    len -= n + 1;
  }
  return 0;
}

int smtp_data_end(struct smtp_data *d, buffer *b)
{
  if (!d->bol && bufwrite_put(b, "\r\n", 2) == -1) return -1;
  d->bol = 1;
  if (bufwrite_put(b, ".\r\n", 3) == -1) return -1;
  return bufwrite_flush(b);
}

void smtp_msginfo_start(struct smtp_msginfo *m) { m->bytes = m->lines = 0; m->eightbit = 0; }

void smtp_msginfo_add(struct smtp_msginfo *m, const char *s, size_t len)
{
  size_t i;
  m->bytes += len;
  for (i = 0; i < len; ++i) {
    if (s[i] == '\n') ++m->lines;
    else if ((unsigned char)s[i] & 0x80) m->eightbit = 1;
  }
}

unsigned long long smtp_msginfo_size(const struct smtp_msginfo *m)
{
  return m->bytes + m->lines + 5; /* CR per line, a last CR LF, ".\r\n" */
}
