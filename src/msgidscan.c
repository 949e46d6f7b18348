#include "msgidscan.h"

/* BOL: at the start of a header line; NAME: matching the field name;
   SKIP: in a line (or continuation) of another field; VALUE: in the
   Message-ID's value; VALUEBOL: after its newline, where a space or tab
   continues it; DONE: the header has ended or the field was read. */
enum { BOL, NAME, SKIP, SKIPBOL, VALUE, VALUEBOL, DONE };

static const char field[] = "message-id:";

void msgidscan_start(struct msgidscan *m)
{
  m->state = BOL;
  m->match = 0;
  m->len = 0;
}

static void keep(struct msgidscan *m, char c)
{
  if (c == '\t') c = ' ';
  if (c == ' ' && (!m->len || m->id[m->len - 1] == ' ')) return;   /* unfold */
  if (m->len < MSGIDSCAN_MAX) m->id[m->len++] = c;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static void step(struct msgidscan *m, char c)
{
  switch (m->state) {
    case SKIPBOL:
      if (c == ' ' || c == '\t') { m->state = SKIP; return; }
      /* fall through - a new field starts here */
    case BOL:
      if (c == '\n') { m->state = DONE; return; }   /* the empty line */
      m->match = 0;
      m->state = NAME;
      /* fall through */
    case NAME:
      if (lower((unsigned char)c) == field[m->match]) {
        if (++m->match == sizeof field - 1) m->state = VALUE;
        return;
      }
      m->state = c == '\n' ? SKIPBOL : SKIP;
      return;
    case SKIP:
      if (c == '\n') m->state = SKIPBOL;
      return;
    case VALUEBOL:
      if (c != ' ' && c != '\t') { m->state = DONE; return; }
      m->state = VALUE;
      /* fall through */
    case VALUE:
      if (c == '\n') m->state = VALUEBOL;
      else keep(m, c);
      return;
  }
}

void msgidscan_feed(struct msgidscan *m, const char *s, size_t len)
{
  size_t i;
  for (i = 0; i < len && m->state != DONE; ++i) step(m, s[i]);
}

size_t msgidscan_value(const struct msgidscan *m, const char **value)
{
  size_t n = m->len;
  while (n && m->id[n - 1] == ' ') --n;
  *value = m->id;
  return n;
}
