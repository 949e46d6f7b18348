#include <stdarg.h>
#include <unistd.h>
#include "sendlog.h"
#include "byte.h"
#include "str.h"

void sendlog_(int unused, ...)
{
  char line[SENDLOG_MAX + 1];
  size_t len = 0;
  const char *s;
  va_list ap;
  va_start(ap, unused);
  while ((s = va_arg(ap, const char *))) {
    size_t n = str_len(s);
    if (n > SENDLOG_MAX - len) n = SENDLOG_MAX - len;
    byte_copy(line + len, n, s);
    len += n;
  }
  va_end(ap);
  line[len++] = '\n';
  if (write(1, line, len) == -1) { /* nowhere to report it */ }
}

static size_t convert(char *buf, size_t max, const char *text, size_t len, int report)
{
  size_t i, n = len < max ? len : max;
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)text[i];
    if (report && c == '\n') c = '/';
    else if (report && c == ' ') c = '_';
    else if (c < 32 || c > 126) c = '?';
    buf[i] = (char)c;
  }
  return n;
}

size_t sendlog_report(char *buf, size_t max, const char *text, size_t len)
{
  return convert(buf, max, text, len, 1);
}

size_t sendlog_safe(char *buf, size_t max, const char *text, size_t len)
{
  return convert(buf, max, text, len, 0);
}
