#ifndef SENDLOG_H
#define SENDLOG_H
#include <stddef.h>
/* qmail-log(5) lines from qmail-send and qmail-todo. Each line is written
   to fd 1 with one write(), so two processes sharing the log pipe never
   interleave within a line. Arguments are strings; the line ends with
   '\n' added here. Log lines are bounded (SENDLOG_MAX); longer ones are
   cut, never split. */
#define SENDLOG_MAX 4000
void sendlog_(int unused, ...) __attribute__((sentinel));
#define sendlog(...) sendlog_(0, __VA_ARGS__, (const char *)0)
/* A delivery report as qmail-log shows it: '\n' -> '/', ' ' -> '_',
   other unprintable bytes -> '?'. Writes into buf (at most max bytes),
   returns the length. */
size_t sendlog_report(char *buf, size_t max, const char *text, size_t len);
/* An address or other untrusted text: unprintable bytes -> '?'. */
size_t sendlog_safe(char *buf, size_t max, const char *text, size_t len);
#endif
