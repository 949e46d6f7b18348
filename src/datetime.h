#ifndef DATETIME_H
#define DATETIME_H
#include <time.h>
/* RFC 5322 date-time, local time with numeric zone:
   "Sat, 21 Nov 2026 19:02:03 +0100". Writes at most DATE822_LEN bytes
   (no NUL) and returns the length. */
#define DATE822_LEN 40
unsigned int date822fmt(char *buf, time_t t);
#endif
