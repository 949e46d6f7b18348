#ifndef LOGSTATSUM_H
#define LOGSTATSUM_H
/* qmail-logstat's summary: every parsed line is added, then the report
   is printed (qmail-logstat(8) shows it). A message's time in the queue
   is measured from its "info msg" line to the line that ends each of its
   deliveries, so delays need both lines, stamped, in the input. */
#include "buffer.h"
#include "logstatline.h"
#include "logstattable.h"

enum { LS_LOCAL, LS_REMOTE };
enum { LS_H_RECEIVED, LS_H_DELIVERED, LS_H_DEFERRED, LS_H_FAILED, LS_H_COLUMNS };

struct lst_delays { unsigned long long *ms; size_t n, cap; };

struct logstat {
  unsigned long long lines, malformed;
  unsigned long long received, received_bytes, bounces, triples;
  unsigned long long delivered[2], delivered_bytes[2], deferred[2], failed[2];
  unsigned long long smtp_connections, smtp_accepted, smtp_accepted_bytes, smtp_refused;
  unsigned long long hour[24][LS_H_COLUMNS];
  int stamped;
  long long first, last;        /* seconds */
  struct lst_counter senders, recipients, domains, hosts, clients;
  struct lst_counter deferrals, failures, refusals;
  struct lst_map msgs;          /* message ID -> t queued, a bytes */
  struct lst_map deliveries;    /* delivery number -> a message ID, b channel, text recipient */
  struct lst_map infoqp;        /* qp of "info msg" lines -> a how many */
  struct lst_map smtpqp;        /* qp that qmail-smtpd reported accepted */
  struct lst_delays delays[2];
};

/* 1 ok, 0 out of memory */
int logstat_add(struct logstat *s, const struct logstat_line *l);
/* the report, top entries per list; buffer errors are the caller's to check */
int logstat_report(struct logstat *s, buffer *out, size_t top);
/* the nearest-rank percentile p (0-100) of n sorted values */
unsigned long long logstat_percentile(const unsigned long long *v, size_t n, unsigned p);
/* a delivery report as a reason: '_' and '/' back to spaces, white space
   collapsed, at most max bytes; returns the length written to out */
size_t logstat_reason(char *out, size_t max, const char *report, size_t len);
/* the remote host a qmail-remote report names, or 0 */
size_t logstat_remotehost(const char *report, size_t len, const char **host);
#endif
