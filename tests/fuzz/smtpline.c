/* qmail-smtpd's line reader (smtpio_getline in smtpio.h): the input is
   what a client sends, served through a pipe as the network would. Read
   with the real limit (SMTP_LINE_MAX) and with a small one, the lines
   must be exactly those of the input: cut at LF, one CR before it
   dropped, a line longer than the limit (LF included) reported as too
   long and empty, a last line without LF not reported at all. */
#include <fcntl.h>
#include <unistd.h>
#include "fuzz.h"
#include "smtpcmd.h"
#include "smtpio.h"

/* the next line the reader must give: 1, or 0 at the end */
static int expected(const char *s, size_t len, size_t *pos, size_t max,
                    const char **line, size_t *linelen, int *toolong)
{
  const char *nl = memchr(s + *pos, '\n', len - *pos);
  size_t n;
  if (!nl) return 0;
  n = (size_t)(nl - (s + *pos));
  *line = s + *pos;
  *toolong = n + 1 > max;
  *linelen = *toolong ? 0 : n - (n && s[*pos + n - 1] == '\r');
  *pos += n + 1;
  return 1;
}

static void read_lines(const char *s, size_t len, size_t max)
{
  static struct smtpio io;   /* 80 KiB; smtpio_init resets it */
  stralloc got = {0};
  int p[2], out = open("/dev/null", O_WRONLY | O_CLOEXEC), toolong = -1;
  size_t pos = 0;
  require(out != -1 && pipe(p) == 0);
  require(write(p[1], s, len) == (ssize_t)len); /* len <= the pipe's 64 KiB */
  close(p[1]);
  smtpio_init(&io, p[0], out, 10);
  for (;;) {
    const char *line;
    size_t linelen;
    int wantlong, want = expected(s, len, &pos, max, &line, &linelen, &wantlong);
    int r = smtpio_getline(&io, &got, max, &toolong);
    require(r == want);
    if (!r) break;
    require(toolong == wantlong);
    require(fuzz_same(got.s, got.len, line, linelen));
  }
  close(p[0]);
  close(out);
  stralloc_free(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 60000) return 0;
  read_lines((const char *)data, size, SMTP_LINE_MAX);
  read_lines((const char *)data, size, 8);
  return 0;
}
