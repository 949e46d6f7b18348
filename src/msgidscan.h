#ifndef MSGIDSCAN_H
#define MSGIDSCAN_H
/* The Message-ID field of a message, found while the message streams
   through (qmail-smtpd's log names it): fed with the message in LF form
   in pieces of any size, it watches the header only, takes the first
   Message-ID field, unfolds it, and keeps at most MSGIDSCAN_MAX bytes of
   its value. Nothing is held but the state and that value. */
#include <stddef.h>

#define MSGIDSCAN_MAX 200

struct msgidscan {
  int state;
  size_t match;                 /* bytes of "message-id:" matched so far */
  size_t len;
  char id[MSGIDSCAN_MAX];
};

void msgidscan_start(struct msgidscan *m);
void msgidscan_feed(struct msgidscan *m, const char *s, size_t len);
/* The value without surrounding white space; length 0 when the header
   had no Message-ID (or it was empty). */
size_t msgidscan_value(const struct msgidscan *m, const char **value);
#endif
