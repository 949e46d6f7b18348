/* Reading the envelope a client hands to qmail-queue, and the two pieces
   of text qmail-queue adds: the intd/ID prefix and the Received line. */
#include "byte.h"
#include "datetime.h"
#include "envelope.h"
#include "fmt.h"
#include "getfield.h"
#include "str.h"

/* one field's address into addr; the tag byte has been read already */
static int read_addr(buffer *in, stralloc *addr)
{
  /* with room for the largest address, getfield never allocates, so
     GETFIELD_ERR can only be a read error */
  if (!stralloc_ready(addr, ENVELOPE_ADDR_MAX + 1)) return ENVELOPE_NOMEM;
  switch (getfield(in, addr, 0, ENVELOPE_ADDR_MAX)) {
    case GETFIELD_OK: return ENVELOPE_OK;
    case GETFIELD_LONG: return ENVELOPE_ADDRLONG;
    case GETFIELD_ERR: return ENVELOPE_READERR;
    default: return ENVELOPE_TRUNCATED;   /* EOF, PARTIAL */
  }
}

/* append tag, address and NUL to out, keeping the whole under the limit */
static int store(stralloc *out, size_t start, char tag, const stralloc *addr)
{
  size_t used = out->len - start;
  if (addr->len + 2 > ENVELOPE_MAXBYTES - used) return ENVELOPE_TOOBIG;
  if (!stralloc_append(out, &tag)) return ENVELOPE_NOMEM;
  if (!stralloc_catb(out, addr->s, addr->len)) return ENVELOPE_NOMEM;
  if (!stralloc_0(out)) return ENVELOPE_NOMEM;
  return ENVELOPE_OK;
}

/* the next tag byte: 1, or an envelope_status through *status */
static int tag(buffer *in, char *c, int *status)
{
  ssize_t r = buffer_getc(in, c);
  if (r == 1) return 1;
  *status = r == 0 ? ENVELOPE_TRUNCATED : ENVELOPE_READERR;
  return 0;
}

int envelope_read(buffer *in, stralloc *out, unsigned long *rcpts)
{
  static stralloc addr;
  size_t start = out->len;
  int status;
  char c;

  *rcpts = 0;
  if (!tag(in, &c, &status)) return status;
  if (c != 'F') return ENVELOPE_NOSENDER;
  if ((status = read_addr(in, &addr))) return status;
  if ((status = store(out, start, 'F', &addr))) return status;
  for (;;) {
    if (!tag(in, &c, &status)) return status;
    if (!c) return ENVELOPE_OK;
    if (c != 'T') return ENVELOPE_BADTAG;
    if ((status = read_addr(in, &addr))) return status;
    /* qmail-todo rejects T\0, and no one can deliver to it */
    if (!addr.len) return ENVELOPE_EMPTYRCPT;
    if ((status = store(out, start, 'T', &addr))) return status;
    ++*rcpts;
  }
}

int envelope_exitcode(int status)
{
  switch (status) {
    case ENVELOPE_OK: return 0;
    case ENVELOPE_NOMEM: return 51;
    case ENVELOPE_READERR: case ENVELOPE_TRUNCATED: return 54;
    case ENVELOPE_NOSENDER: case ENVELOPE_BADTAG: case ENVELOPE_EMPTYRCPT: return 91;
    case ENVELOPE_ADDRLONG: case ENVELOPE_TOOBIG: return 11;
    default: return 81;
  }
}

static int catnum(stralloc *sa, char tag, unsigned long n)
{
  char buf[FMT_ULONG];
  if (!stralloc_append(sa, &tag)) return 0;
  if (!stralloc_catb(sa, buf, fmt_ulong(buf, n))) return 0;
  return stralloc_0(sa);
}

int envelope_start(stralloc *out, unsigned long uid, unsigned long pid)
{
  return catnum(out, 'u', uid) && catnum(out, 'p', pid);
}

static size_t put(char *buf, size_t pos, const char *s)
{
  size_t len = str_len(s);
  byte_copy(buf + pos, len, s);
  return pos + len;
}

size_t envelope_received(char *buf, unsigned long pid, int how,
                         unsigned long uid, time_t when)
{
  /* fixed text under 50 bytes, two numbers of FMT_ULONG and a date of
     DATE822_LEN: well inside ENVELOPE_RECEIVED_LEN */
  size_t pos = put(buf, 0, "Received: (qmail ");
  pos += fmt_ulong(buf + pos, pid);
  switch (how) {
    case RECEIVED_NETWORK: pos = put(buf, pos, " invoked from network"); break;
    case RECEIVED_ALIAS: pos = put(buf, pos, " invoked by alias"); break;
    case RECEIVED_BOUNCE: pos = put(buf, pos, " invoked for bounce"); break;
    default:
      pos = put(buf, pos, " invoked by uid ");
      pos += fmt_ulong(buf + pos, uid);
  }
  pos = put(buf, pos, "); ");
  pos += date822fmt(buf + pos, when);
  buf[pos++] = '\n';
  return pos;
}
