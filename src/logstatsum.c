#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fmt.h"
#include "logstatsum.h"

#define REASON_MAX 120

/* ---- small readers of report text ---- */

size_t logstat_reason(char *out, size_t max, const char *report, size_t len)
{
  size_t i, n = 0;
  for (i = 0; i < len && n < max; ++i) {
    char c = report[i];
    if (c == '_' || c == '/' || c == '\t') c = ' ';
    if (c == ' ' && (!n || out[n - 1] == ' ')) continue;
    out[n++] = c;
  }
  while (n && out[n - 1] == ' ') --n;
  return n;
}

static size_t host_at(const char *s, size_t len, const char **host)
{
  size_t n = 0;
  while (n < len && s[n] != '_' && s[n] != ' ' && s[n] != '/' && s[n] != ':') ++n;
  *host = s;
  return n;
}

/* qmail-remote: "IP_accepted_the_message./...", "Connected_to_IP_but_...",
   "Giving_up_on_IP:..." (the log shows spaces as '_') */
size_t logstat_remotehost(const char *report, size_t len, const char **host)
{
  static const char *const lead[] = { "Connected_to_", "Giving_up_on_" };
  size_t i, n;
  for (i = 0; i < 2; ++i) {
    n = strlen(lead[i]);
    if (len > n && !memcmp(report, lead[i], n)) return host_at(report + n, len - n, host);
  }
  n = host_at(report, len, host);
  if (n && len - n >= 21 && !memcmp(report + n, "_accepted_the_message", 21)) return n;
  return 0;
}

unsigned long long logstat_percentile(const unsigned long long *v, size_t n, unsigned p)
{
  size_t rank;
  if (!n) return 0;
  rank = (n * p + 99) / 100;   /* ceil(n p / 100), at least 1 */
  if (rank < 1) rank = 1;
  return v[rank - 1];
}

/* ---- adding lines ---- */

static long long ms(const struct logstat_line *l) { return l->sec * 1000 + (long long)(l->nsec / 1000000); }

static void hour_add(struct logstat *s, const struct logstat_line *l, int col)
{
  struct tm tm;
  time_t t;
  if (!l->stamped) return;
  t = (time_t)l->sec;
  if (localtime_r(&t, &tm)) ++s->hour[tm.tm_hour][col];
}

static int delay_add(struct lst_delays *d, unsigned long long v)
{
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 1024;
    unsigned long long *m = realloc(d->ms, cap * sizeof *m);
    if (!m) return 0;
    d->ms = m;
    d->cap = cap;
  }
  d->ms[d->n++] = v;
  return 1;
}

static int info(struct logstat *s, const struct logstat_line *l)
{
  struct lst_slot *m = lst_map_put(&s->msgs, l->id), *q;
  if (!m) return 0;
  m->t = l->stamped ? ms(l) : -1;
  m->a = l->bytes;
  ++s->received;
  s->received_bytes += l->bytes;
  hour_add(s, l, LS_H_RECEIVED);
  if (!(q = lst_map_put(&s->infoqp, l->qp))) return 0;
  ++q->a;
  return lst_counter_add(&s->senders, l->text.len ? l->text.s : "<>", l->text.len ? l->text.len : 2, l->bytes);
}

static int start(struct logstat *s, const struct logstat_line *l)
{
  struct lst_slot *d = lst_map_put(&s->deliveries, l->id);
  if (!d) return 0;
  free(d->text);
  d->text = malloc(l->text.len + 1);
  if (!d->text) return 0;
  memcpy(d->text, l->text.s, l->text.len);
  d->text[l->text.len] = 0;
  d->a = l->msgid;
  d->b = (unsigned long long)l->remote;
  d->t = 0;     /* running */
  return 1;
}

static int reason(struct lst_counter *c, int chan, const struct logstat_text *t)
{
  char r[REASON_MAX + 8];
  size_t n;
  memcpy(r, chan == LS_REMOTE ? "remote: " : "local:  ", 8);
  n = logstat_reason(r + 8, REASON_MAX, t->s, t->len);
  return lst_counter_add(c, r, n + 8, 0);
}

static int delivered(struct logstat *s, int chan, const struct lst_slot *d, const struct lst_slot *m)
{
  const char *at = strrchr(d->text, '@');
  size_t len = strlen(d->text);
  ++s->delivered[chan];
  if (m) s->delivered_bytes[chan] += m->a;
  if (!lst_counter_add(&s->recipients, d->text, len, m ? m->a : 0)) return 0;
  if (chan == LS_REMOTE && at && !lst_counter_add(&s->domains, at + 1, strlen(at + 1), m ? m->a : 0)) return 0;
  return 1;
}

static int ended(struct logstat *s, const struct logstat_line *l)
{
  struct lst_slot *d = lst_map_get(&s->deliveries, l->id), *m;
  const char *host;
  size_t hlen;
  int chan;
  if (!d || d->t) return 1;     /* its start is not in the input */
  d->t = 1;
  chan = d->b ? LS_REMOTE : LS_LOCAL;
  m = lst_map_get(&s->msgs, d->a);
  if (chan == LS_REMOTE && (hlen = logstat_remotehost(l->text.s, l->text.len, &host)))
    if (!lst_counter_add(&s->hosts, host, hlen, 0)) return 0;
  if (l->kind == LS_DEFERRAL) {
    ++s->deferred[chan];
    hour_add(s, l, LS_H_DEFERRED);
    return reason(&s->deferrals, chan, &l->text);
  }
  if (m && m->t >= 0 && l->stamped && ms(l) >= m->t)
    if (!delay_add(&s->delays[chan], (unsigned long long)(ms(l) - m->t))) return 0;
  if (l->kind == LS_FAILURE) {
    ++s->failed[chan];
    hour_add(s, l, LS_H_FAILED);
    return reason(&s->failures, chan, &l->text);
  }
  hour_add(s, l, LS_H_DELIVERED);
  return delivered(s, chan, d, m);
}

static int smtp_message(struct logstat *s, const struct logstat_line *l)
{
  struct lst_slot *q;
  if (!l->accepted) {
    ++s->smtp_refused;
    return lst_counter_add(&s->refusals, l->text.s, l->text.len < REASON_MAX ? l->text.len : REASON_MAX, 0);
  }
  ++s->smtp_accepted;
  s->smtp_accepted_bytes += l->bytes;
  if (!(q = lst_map_put(&s->smtpqp, l->qp))) return 0;
  ++q->a;
  return !l->ip.len || lst_counter_add(&s->clients, l->ip.s, l->ip.len, l->bytes);
}

int logstat_add(struct logstat *s, const struct logstat_line *l)
{
  ++s->lines;
  if (l->stamped) {
    if (!s->stamped || l->sec < s->first) s->first = l->sec;
    if (!s->stamped || l->sec > s->last) s->last = l->sec;
    s->stamped = 1;
  }
  switch (l->kind) {
    case LS_INFO: return info(s, l);
    case LS_START: return start(s, l);
    case LS_SUCCESS: case LS_DEFERRAL: case LS_FAILURE: return ended(s, l);
    case LS_BOUNCE: ++s->bounces; return 1;
    case LS_TRIPLE: ++s->triples; return 1;
    case LS_SMTPMSG: return smtp_message(s, l);
    case LS_SMTPREFUSED:
      ++s->smtp_refused;
      return lst_counter_add(&s->refusals, l->text.s, l->text.len < REASON_MAX ? l->text.len : REASON_MAX, 0);
    case LS_SMTPEND: ++s->smtp_connections; return 1;
    default: return 1;
  }
}

/* ---- the report ---- */

static void put(buffer *b, const char *s) { buffer_puts(b, s); }

static void put_num(buffer *b, unsigned long long n, size_t width)
{
  char num[FMT_ULONG];
  size_t len = fmt_ulonglong(num, n);
  while (width-- > len) buffer_puts(b, " ");
  buffer_put(b, num, len);
}

static void put_line(buffer *b, const char *label, unsigned long long n)
{
  put(b, "  ");
  put(b, label);
  put_num(b, n, 28 > strlen(label) ? 28 - strlen(label) : 1);
  put(b, "\n");
}

static void put_time(buffer *b, long long sec)
{
  char t[64];
  time_t tt = (time_t)sec;
  struct tm tm;
  if (localtime_r(&tt, &tm) && strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S", &tm)) put(b, t);
}

static unsigned long long smtp_received(const struct logstat *s)
{
  unsigned long long n = 0;
  size_t i;
  for (i = 0; i < s->infoqp.cap; ++i) {
    const struct lst_slot *q = &s->infoqp.t[i], *m;
    if (!q->used || !(m = lst_map_get(&s->smtpqp, q->key))) continue;
    n += q->a < m->a ? q->a : m->a;
  }
  return n;
}

static void totals(struct logstat *s, buffer *b)
{
  unsigned long long smtp = smtp_received(s);
  put(b, "Messages\n");
  put_line(b, "received", s->received);
  put_line(b, "  bytes", s->received_bytes);
  put_line(b, "  by SMTP", smtp);
  put_line(b, "  injected here", s->received - smtp);
  put_line(b, "delivered local", s->delivered[LS_LOCAL]);
  put_line(b, "  bytes", s->delivered_bytes[LS_LOCAL]);
  put_line(b, "delivered remote", s->delivered[LS_REMOTE]);
  put_line(b, "  bytes", s->delivered_bytes[LS_REMOTE]);
  put_line(b, "deferred local", s->deferred[LS_LOCAL]);
  put_line(b, "deferred remote", s->deferred[LS_REMOTE]);
  put_line(b, "failed local", s->failed[LS_LOCAL]);
  put_line(b, "failed remote", s->failed[LS_REMOTE]);
  put_line(b, "bounces sent", s->bounces);
  put_line(b, "triple bounces discarded", s->triples);
  put(b, "\nSMTP\n");
  put_line(b, "connections", s->smtp_connections);
  put_line(b, "messages accepted", s->smtp_accepted);
  put_line(b, "  bytes", s->smtp_accepted_bytes);
  put_line(b, "refused", s->smtp_refused);
}

static int by_value(const void *x, const void *y)
{
  unsigned long long a = *(const unsigned long long *)x, b = *(const unsigned long long *)y;
  return (a > b) - (a < b);
}

static void put_seconds(buffer *b, unsigned long long msec)
{
  char num[FMT_ULONG];
  size_t len = fmt_ulonglong(num, msec / 1000);
  size_t w = 8;
  while (w-- > len + 2) buffer_puts(b, " ");
  buffer_put(b, num, len);
  buffer_puts(b, ".");
  put_num(b, (msec % 1000) / 100, 1);
}

static void delays(struct logstat *s, buffer *b)
{
  static const unsigned pct[] = { 50, 90, 95, 99, 100 };
  static const char *const name[] = { "local ", "remote" };
  int c;
  size_t i;
  put(b, "\nDelivery delay, seconds from queued to done\n");
  put(b, "             n       50%      90%      95%      99%      max\n");
  for (c = 0; c < 2; ++c) {
    struct lst_delays *d = &s->delays[c];
    qsort(d->ms, d->n, sizeof *d->ms, by_value);
    put(b, "  ");
    put(b, name[c]);
    put_num(b, d->n, 6);
    for (i = 0; i < 5; ++i) { put(b, " "); put_seconds(b, logstat_percentile(d->ms, d->n, pct[i])); }
    put(b, "\n");
  }
}

static void hours(struct logstat *s, buffer *b)
{
  int h;
  put(b, "\nPer hour (local time)  received delivered deferred   failed\n");
  for (h = 0; h < 24; ++h) {
    int c;
    put(b, "  ");
    put_num(b, (unsigned long long)h / 10, 1);
    put_num(b, (unsigned long long)h % 10, 1);
    put(b, ":00          ");
    for (c = 0; c < LS_H_COLUMNS; ++c) put_num(b, s->hour[h][c], 9);
    put(b, "\n");
  }
}

static int list(buffer *b, const char *title, const struct lst_counter *c, size_t top, int bytes)
{
  const struct lst_count **v;
  size_t i;
  put(b, "\n");
  put(b, title);
  put(b, "\n");
  if (!c->used) { put(b, "  none\n"); return 1; }
  if (!(v = lst_counter_sorted(c))) return 0;
  for (i = 0; i < c->used && i < top; ++i) {
    put_num(b, v[i]->n, 8);
    if (bytes) { put(b, " "); put_num(b, v[i]->bytes, 12); }
    put(b, "  ");
    buffer_put(b, v[i]->key, v[i]->len);
    put(b, "\n");
  }
  free(v);
  return 1;
}

int logstat_report(struct logstat *s, buffer *b, size_t top)
{
  put(b, "qmail-logstat: ");
  put_num(b, s->lines, 0);
  put(b, " lines");
  if (s->stamped) { put(b, " from "); put_time(b, s->first); put(b, " to "); put_time(b, s->last); }
  put(b, "\n\n");
  totals(s, b);
  delays(s, b);
  if (s->stamped) hours(s, b);
  return list(b, "Deferrals by reason", &s->deferrals, top, 0) &&
         list(b, "Failures by reason", &s->failures, top, 0) &&
         list(b, "SMTP refusals by reason", &s->refusals, top, 0) &&
         list(b, "Top senders (messages, bytes)", &s->senders, top, 1) &&
         list(b, "Top recipients (deliveries, bytes)", &s->recipients, top, 1) &&
         list(b, "Top remote domains (deliveries, bytes)", &s->domains, top, 1) &&
         list(b, "Top remote hosts (delivery attempts)", &s->hosts, top, 0) &&
         list(b, "Top SMTP clients (messages, bytes)", &s->clients, top, 1);
}
