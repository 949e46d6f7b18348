#ifndef SMTPIO_H
#define SMTPIO_H
/* qmail-smtpd's two directions, each with a deadline: every read and
   every write waits at most `timeout' seconds (poll(2), descriptors made
   non-blocking), so a client that stops sending or stops reading our
   replies is dropped. Replies are collected and sent only when the input
   buffer is empty, before waiting for more input (RFC 2920 3.2 item 4:
   one packet per pipelined group), or when the reply buffer is full. */
#include <stddef.h>
#include "stralloc.h"

#define SMTPIO_INBUF (64 * 1024)
#define SMTPIO_OUTBUF (16 * 1024)

struct smtpio {
  int fdin, fdout;
  int timeout_ms;
  size_t inpos, inlen;
  size_t outlen;
  char in[SMTPIO_INBUF];
  char out[SMTPIO_OUTBUF];
};

/* fds made non-blocking; timeout in seconds (at most a day is used) */
void smtpio_init(struct smtpio *io, int fdin, int fdout, unsigned long timeout);
/* Queue reply bytes; may flush. 0, or -1 (errno; ETIMEDOUT) */
int smtpio_put(struct smtpio *io, const char *s, size_t len);
int smtpio_puts(struct smtpio *io, const char *s);
int smtpio_flush(struct smtpio *io);
/* Make input available in in[inpos..inlen): flushes replies first when
   there is none. 1 data, 0 end of input, -1 error (errno; ETIMEDOUT). */
int smtpio_fill(struct smtpio *io);
/* One command line into line, without its LF and CR. A line longer than
   max bytes (its LF included) is read to its end and dropped: *toolong
   is set and line is empty. 1 a line, 0 end of input (a partial last
   line is dropped), -1 error. */
int smtpio_getline(struct smtpio *io, stralloc *line, size_t max, int *toolong);
#endif
