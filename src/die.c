#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"

static const char *program = "neoqmail";

void die_program(const char *name) { program = name; }

const char *error_str(int e) { return strerror(e); }

static void say(const char *kind, va_list ap)
{
  char space[512];
  buffer b = BUFFER_INIT(bufwrite, 2, space, sizeof space);
  const char *s;
  buffer_puts(&b, program);
  buffer_puts(&b, kind);
  while ((s = va_arg(ap, const char *)))
    buffer_puts(&b, s);
  buffer_puts(&b, "\n");
  buffer_flush(&b);
}

void fatal_(int code, ...)
{
  va_list ap;
  va_start(ap, code);
  say(": fatal: ", ap);
  va_end(ap);
  _exit(code);
}

void warning_(int unused, ...)
{
  va_list ap;
  int saved = errno;
  va_start(ap, unused);
  say(": warning: ", ap);
  va_end(ap);
  errno = saved;
}
