#ifndef LOGSTATLINE_H
#define LOGSTATLINE_H
/* qmail-logstat's reader of one log line: a multilog line (an optional
   "@" TAI64N stamp and a space, then the text) from qmail-send
   (qmail-log(5)) or qmail-smtpd (qmail-smtpd(8), LOG). Nothing is
   copied: the text fields point into the line. */
#include <stddef.h>

enum logstat_kind {
  LS_OTHER,        /* a line nobody counts (status:, tcpserver, ...) */
  LS_NEWMSG,       /* new msg ID */
  LS_INFO,         /* info msg ID: bytes N from <SENDER> qp Q uid U */
  LS_START,        /* starting delivery D: msg ID to CHANNEL RCPT */
  LS_SUCCESS,      /* delivery D: success: REPORT */
  LS_DEFERRAL,     /* delivery D: deferral: REPORT */
  LS_FAILURE,      /* delivery D: failure: REPORT */
  LS_BOUNCE,       /* bounce msg ID qp Q */
  LS_END,          /* end msg ID */
  LS_TRIPLE,       /* triple bounce: discarding ... */
  LS_SMTPMSG,      /* qmail-smtpd: pid P message from <S> to ... bytes N: RESULT ip A helo H msgid M */
  LS_SMTPREFUSED,  /* qmail-smtpd: pid P refused ip A helo H mail|rcpt <X>: REPLY */
  LS_SMTPEND       /* qmail-smtpd: pid P end ip A host H helo X messages N: HOW */
};

struct logstat_text { const char *s; size_t len; };

struct logstat_line {
  enum logstat_kind kind;
  int stamped;                  /* the line had a TAI64N stamp */
  long long sec;                /* its time, seconds since 1970 (UTC) */
  unsigned long nsec;
  unsigned long long id;        /* message ID, or delivery number */
  unsigned long long msgid;     /* LS_START: the message */
  unsigned long long bytes;     /* LS_INFO, LS_SMTPMSG */
  unsigned long long qp;        /* LS_INFO, LS_BOUNCE, LS_SMTPMSG accepted */
  unsigned long long count;     /* LS_SMTPEND: messages */
  int remote;                   /* LS_START: 1 remote channel, 0 local */
  int accepted;                 /* LS_SMTPMSG: 1 accepted */
  struct logstat_text text;     /* sender (LS_INFO, LS_SMTPMSG), recipient (LS_START),
                                   report (deliveries), result (LS_SMTPMSG, LS_SMTPREFUSED),
                                   how (LS_SMTPEND) */
  struct logstat_text ip;       /* qmail-smtpd's client */
  struct logstat_text helo;
  struct logstat_text what;     /* LS_SMTPREFUSED: mail or rcpt; LS_SMTPMSG: Message-ID */
};

/* 1: read (kind may be LS_OTHER); 0: a known line that is malformed. */
int logstat_parse(struct logstat_line *l, const char *s, size_t len);
/* The TAI64N label of "@" + 24 hex digits as UNIX seconds: 1 ok, 0 not one. */
int logstat_tai64n(const char *s, size_t len, long long *sec, unsigned long *nsec);
#endif
