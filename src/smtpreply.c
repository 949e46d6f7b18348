#include "byte.h"
#include "smtpreply.h"

void smtp_reply_start(struct smtp_reply *r)
{
  r->code = 0;
  r->text.len = 0;
  r->lines = 0;
  r->linelen = 0;
  r->cut = 0;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* The code of a complete line, 0 when it has none. *last: no '-'. */
static unsigned int line_code(const char *s, size_t len, int *last)
{
  unsigned int code;
  if (len < 3 || !digit(s[0]) || !digit(s[1]) || !digit(s[2])) return 0;
  if (len > 3 && s[3] != ' ' && s[3] != '-') return 0;
  code = (unsigned int)(s[0] - '0') * 100 + (unsigned int)(s[1] - '0') * 10 + (unsigned int)(s[2] - '0');
  if (code < 200 || code > 599) return 0;
  *last = len == 3 || s[3] == ' ';
  return code;
}

/* Keep what fits of the line in the text. -1 nomem */
static int keep_line(struct smtp_reply *r, const char *s, size_t len)
{
  size_t room = SMTP_REPLY_TEXT_MAX - r->text.len, i, start;
  if (room <= 1) return 0;
  if (len > room - 1) len = room - 1;
  start = r->text.len;
  if (!stralloc_catb(&r->text, s, len) || !stralloc_append(&r->text, "\n")) return -1;
  for (i = start; i < r->text.len; ++i)
    if (!r->text.s[i]) r->text.s[i] = '?';
  return 0;
}

/* A line has ended: 1 the reply is complete, 0 more lines, -1 bad. */
static int end_line(struct smtp_reply *r)
{
  size_t len = r->linelen;
  unsigned int code;
  int last = 0;
  if (!r->cut && len && r->line[len - 1] == '\r') --len;
  code = line_code(r->line, len, &last);
  r->linelen = 0;
  r->cut = 0;
  if (!code) return -1;
  if (r->lines && code != r->code) return -1;
  r->code = code;
  if (++r->lines > SMTP_REPLY_LINES_MAX) return -1;
  if (keep_line(r, r->line, len) == -1) return -1;
  return last;
}

int smtp_reply_feed(struct smtp_reply *r, const char *buf, size_t len, size_t *used)
{
  size_t pos = 0;
  while (pos < len) {
    size_t n = byte_chr(buf + pos, len - pos, '\n');
    size_t take = n, room = SMTP_REPLY_LINE_MAX - r->linelen;
    if (take > room) { take = room; r->cut = 1; }
    byte_copy(r->line + r->linelen, take, buf + pos);
    r->linelen += take;
    if (pos + n == len) { *used = len; return 0; }
    pos += n + 1;
    switch (end_line(r)) {
      case -1: return -1;
      case 1: *used = pos; return 1;
    }
  }
  *used = len;
  return 0;
}
