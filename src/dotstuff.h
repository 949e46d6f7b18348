#ifndef DOTSTUFF_H
#define DOTSTUFF_H
#include <stddef.h>
#include "buffer.h"
/* The message as SMTP DATA wants it (RFC 5321 4.5.2): queued messages
   end their lines with LF; on the wire each LF becomes CR LF, a line
   that starts with '.' gets another '.' in front, and CR LF . CR LF
   ends it. The message is fed in pieces of any size: the state carries
   "at the start of a line" across pieces. A CR in the message is sent
   as it is (as qmail does). */
struct smtp_data { int bol; };   /* at the beginning of a line */

void smtp_data_start(struct smtp_data *d);
/* 0 ok, -1 the buffer's write failed (errno). Failures show through
   bufwrite's sticky error on b->fd, so b's op must be bufwrite or keep
   that error too (netio_write does): see bufwrite.h. */
int smtp_data_put(struct smtp_data *d, buffer *b, const char *s, size_t len);
/* A last line without LF gets CR LF, then ".\r\n"; flushes. 0, -1 */
int smtp_data_end(struct smtp_data *d, buffer *b);

/* What MAIL FROM needs to know before sending: the size on the wire
   (SIZE=, RFC 1870; bytes plus one CR per line, close enough and never
   less) and whether a byte has the high bit (BODY=8BITMIME, RFC 6152). */
struct smtp_msginfo { unsigned long long bytes, lines; int eightbit; };
void smtp_msginfo_start(struct smtp_msginfo *m);
void smtp_msginfo_add(struct smtp_msginfo *m, const char *s, size_t len);
unsigned long long smtp_msginfo_size(const struct smtp_msginfo *m);
#endif
