#ifndef SMTPREPLY_H
#define SMTPREPLY_H
#include <stddef.h>
#include "stralloc.h"
/* SMTP replies as a client reads them (RFC 5321 4.2): one or more lines
   "ddd-text" ending with "ddd text" (or a bare "ddd"), every line with
   the same code. Bytes are fed as they arrive, in pieces of any size; a
   reply may end in the middle of a piece (pipelining), and the rest
   belongs to the next reply.

   Everything is bounded: a line longer than SMTP_REPLY_LINE_MAX is cut
   (the rest of it is read and dropped), the kept text of a reply is at
   most SMTP_REPLY_TEXT_MAX bytes, and a reply of more than
   SMTP_REPLY_LINES_MAX lines is malformed, so a server cannot make us
   hold or read forever what it sends as one reply. */

#define SMTP_REPLY_LINE_MAX 512     /* RFC 5321 4.5.3.1.5: 512 with CRLF */
#define SMTP_REPLY_TEXT_MAX 2000    /* bytes of a reply's lines kept */
#define SMTP_REPLY_LINES_MAX 200    /* lines in one reply */

struct smtp_reply {
  unsigned int code;        /* 200..599, valid once a reply is complete */
  stralloc text;            /* its lines, each ending in '\n', CR and the
                               line's cut-off part dropped, NUL shown as '?' */
  size_t lines;
  char line[SMTP_REPLY_LINE_MAX];
  size_t linelen;           /* bytes of the current line kept in line[] */
  int cut;                  /* the current line went past line[] */
};

/* Before each reply. */
void smtp_reply_start(struct smtp_reply *r);
/* Feed buf[0..len). Returns 1 when the reply is complete (*used bytes
   of buf were taken; the rest is the next reply's), 0 when all of buf
   was taken and more is needed, -1 when the reply is malformed (no code,
   a code outside 200..599, codes that differ between lines, too many
   lines) or memory ran out (*used is then meaningless). */
int smtp_reply_feed(struct smtp_reply *r, const char *buf, size_t len, size_t *used);
#endif
