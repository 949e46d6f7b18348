#ifndef SMTPDATA_H
#define SMTPDATA_H
/* The body of SMTP's DATA command, read as a state machine fed with
   whatever the network gives, in pieces of any size: the message ends
   only at CR LF . CR LF (RFC 5321 4.1.1.4); lines are turned into qmail's
   form (LF endings) and dot-unstuffed (4.5.2). A bare LF or a bare CR
   anywhere, a "." line ended otherwise than by CR LF, or a NUL byte
   spoils the message: from then on nothing more is output, but reading
   goes on to the real end, so a message hidden behind a bare-LF "end"
   (SMTP smuggling) is never taken for a new command or message. A message
   over the size limit stops the output the same way. Lines may be of any
   length: nothing is held but the state. */
#include <stddef.h>

#define SMTPDATA_BARELF 1   /* a LF not preceded by CR */
#define SMTPDATA_BARECR 2   /* a CR not followed by LF */
#define SMTPDATA_NUL 4      /* a NUL byte */
#define SMTPDATA_TOOBIG 8   /* more than limit bytes */

struct smtpdata {
  int state;
  int flags;                 /* SMTPDATA_*: any set means refuse */
  unsigned long long bytes;  /* message bytes after unstuffing; saturates */
  unsigned long long limit;  /* 0: none */
};

/* Before each message: the limit is kept. */
void smtpdata_start(struct smtpdata *d, unsigned long long limit);
/* Feed len bytes. Output (at most len bytes) goes to out, its length to
   *outlen; *used is how many input bytes were taken: all of them, or
   fewer when the end of the message came first (what follows belongs to
   the next command). Returns 1 when the end was seen, 0 to be fed more. */
int smtpdata_feed(struct smtpdata *d, const char *in, size_t len, size_t *used,
                  char *out, size_t *outlen);
#endif
