#ifndef LOCALDELIVER_H
#define LOCALDELIVER_H
#include <stddef.h>
/* The core of qmail-local (qmail-local(8)): follow the .qmail
   instructions for one recipient and exit 0 (delivered), 100 (permanent
   failure) or 111 (temporary failure), the report text on fd 1/2. */

struct ld_args {
  const char *user, *homedir, *local, *dash, *ext, *host, *sender, *defaultdelivery;
  int doit; /* 0 (-n): only print what would be done */
};
void localdeliver(const struct ld_args *a) __attribute__((noreturn));

/* Each argument is at most this long; lspawn's own limits are lower. */
#define LD_FIELD_MAX 16384
/* How long to wait for the lock on an mbox. */
#define LD_LOCK_TIMEOUT 30

/* Loop detection: does the message header (up to the first empty line)
   hold a line exactly equal to dtline (which ends in "\n")? Feed the
   message in pieces: 1 found, -1 the header ended without it, 0 not
   decided yet (at the end of the message that means "not found"). */
struct dtscan { const char *dt; size_t dtlen, pos; int state; };
void dtscan_init(struct dtscan *s, const char *dtline, size_t len);
int dtscan_feed(struct dtscan *s, const char *buf, size_t len);
#endif
