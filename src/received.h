#ifndef RECEIVED_H
#define RECEIVED_H
/* qmail-smtpd's trace field (RFC 5321 4.4), in qmail's layout:
     Received: from HELO (INFO@HOST [IP])
       by ME with ESMTP; DATE
   HELO is what the client gave ("unknown" when nothing), HOST its name
   from TCPREMOTEHOST ("unknown" when not known), INFO its TCPREMOTEINFO
   (left out when not known), IP its address, IPv6 as [IPv6:...] (RFC
   5321 4.1.3; a v4-mapped ::ffff:a.b.c.d is shown as a.b.c.d). Untrusted
   bytes are made printable and the HELO is cut to RECEIVED_HELO_MAX, so
   the field stays within RFC 5322's line limit. */
#include <time.h>
#include "stralloc.h"

#define RECEIVED_HELO_MAX 255

struct received_info {
  const char *helo;         /* 0 when the client sent none */
  const char *remoteip, *remotehost, *remoteinfo;   /* 0 when unset */
  const char *me;
  int esmtp;                /* EHLO: "ESMTP", else "SMTP" */
};
/* Replace out with the field, LF-terminated. 1, or 0 out of memory. */
int received_line(stralloc *out, const struct received_info *r, time_t t);
/* The address as a Received line and a log show it: [1.2.3.4] or
   [IPv6:::1]. Appended. 1, or 0 out of memory. */
int received_ipliteral(stralloc *out, const char *ip);
#endif
