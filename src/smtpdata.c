/* The DATA state machine (smtpdata.h). */
#include "smtpdata.h"

enum { BOL, MID, CR, DOT, DOTCR };

void smtpdata_start(struct smtpdata *d, unsigned long long limit)
{
  d->state = BOL;
  d->flags = 0;
  d->bytes = 0;
  d->limit = limit;
}

/* a run of ordinary bytes in the middle of a line: copied in one go */
static size_t run(struct smtpdata *d, const char *in, size_t len, char *out, size_t *o)
{
  size_t n = 0;
  while (n < len && in[n] != '\r' && in[n] != '\n' && in[n] != 0) ++n;
  if (d->bytes > ~0ULL - n) d->bytes = ~0ULL;
  else d->bytes += n;
  if (d->limit && d->bytes > d->limit) d->flags |= SMTPDATA_TOOBIG;
  if (!d->flags) {
    size_t i;
    for (i = 0; i < n; ++i) out[*o + i] = in[i];
    *o += n;
  }
  return n;
}

static void emit(struct smtpdata *d, char c, char *out, size_t *o)
{
  if (c == 0) d->flags |= SMTPDATA_NUL;
  if (d->bytes != ~0ULL) ++d->bytes;
  if (d->limit && d->bytes > d->limit) d->flags |= SMTPDATA_TOOBIG;
  if (!d->flags) out[(*o)++] = c;
}

/* one byte; 1 at the end of the message */
static int step(struct smtpdata *d, char c, char *out, size_t *o)
{
  switch (d->state) {
    case BOL:
    case MID:
      if (c == '.' && d->state == BOL) { d->state = DOT; return 0; }
      break;
    case CR:
      if (c == '\n') { emit(d, '\n', out, o); d->state = BOL; return 0; }
      d->flags |= SMTPDATA_BARECR;
      break;
    case DOT:
      break;
    case DOTCR:
      if (c == '\n') return 1;
      d->flags |= SMTPDATA_BARECR;
      break;
  }
  /* what is left: c in the middle of a line */
  if (c == '\r') { d->state = d->state == DOT ? DOTCR : CR; return 0; }
  if (c == '\n') d->flags |= SMTPDATA_BARELF;
  else emit(d, c, out, o);
  d->state = MID;
  return 0;
}

int smtpdata_feed(struct smtpdata *d, const char *in, size_t len, size_t *used,
                  char *out, size_t *outlen)
{
  size_t i = 0;
  *outlen = 0;
  while (i < len) {
    if (d->state == MID) {
      i += run(d, in + i, len - i, out, outlen);
      if (i >= len) break;
    }
    if (step(d, in[i++], out, outlen)) { *used = i; return 1; }
  }
  *used = i;
  return 0;
}
