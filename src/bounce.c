#include "bounce.h"
#include "byte.h"
#include "str.h"

static int cats(stralloc *sa, const char *s) { return stralloc_cats(sa, s); }

int bounce_record(stralloc *out, const char *rcpt, const char *reason, size_t reasonlen)
{
  size_t i;
  if (!stralloc_cats(out, rcpt) || !stralloc_0(out)) return 0;
  /* a NUL inside the reason would end the field early: show it as '?' */
  for (i = 0; i < reasonlen; ++i)
    if (!stralloc_append(out, reason[i] ? &reason[i] : "?")) return 0;
  return stralloc_0(out);
}

/* Each reason line, trailing newlines dropped, goes out as its own line. */
static int reason_lines(stralloc *out, const char *r, size_t len)
{
  while (len && r[len - 1] == '\n') --len;
  if (!len) return cats(out, "(no reason given)\n");
  return stralloc_catb(out, r, len) && cats(out, "\n");
}

static int records(stralloc *out, const char *s, size_t len)
{
  size_t pos = 0;
  while (pos < len) {
    size_t a = byte_chr(s + pos, len - pos, 0), r;
    if (pos + a == len) return -1;
    r = byte_chr(s + pos + a + 1, len - pos - a - 1, 0);
    if (pos + a + 1 + r == len) return -1;
    if (!cats(out, "<") || !stralloc_catb(out, s + pos, a) || !cats(out, ">:\n")) return 0;
    if (!reason_lines(out, s + pos + a + 1, r) || !cats(out, "\n")) return 0;
    pos += a + 1 + r + 1;
  }
  return 1;
}

int bounce_text(stralloc *out, const struct bounce *b)
{
  int r;
  stralloc_zero(out);
  if (!cats(out, "Date: ") || !cats(out, b->date) || !cats(out, "\n") ||
      !cats(out, "From: ") || !cats(out, b->from) || !cats(out, "\n") ||
      !cats(out, "To: ") || !cats(out, b->to) || !cats(out, "\n") ||
      !cats(out, "Subject: failure notice\n") ||
      !cats(out, "Auto-Submitted: auto-replied\n\n")) return 0;
  if (!cats(out, "Hi. This is the neoqmail delivery program at ") || !cats(out, b->me) || !cats(out, ".\n")) return 0;
  if (b->dbl) {
    if (!cats(out, "A message could not be delivered, and the notice about it could not\n"
                   "be returned to its sender either. The failures follow.\n\n")) return 0;
  } else {
    if (!cats(out, "Your message could not be delivered to the addresses below.\n"
                   "These are permanent failures: no further attempts will be made.\n\n")) return 0;
  }
  r = records(out, b->records, b->recordslen);
  if (r != 1) return r;
  return cats(out, "--- Below this line is a copy of the message.\n\n");
}
