#include "datetime.h"
#include "byte.h"
#include "fmt.h"

static const char days[] = "SunMonTueWedThuFriSat";
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static unsigned int two(char *s, unsigned int n)
{
  s[0] = (char)('0' + n / 10 % 10);
  s[1] = (char)('0' + n % 10);
  return 2;
}

unsigned int date822fmt(char *buf, time_t t)
{
  struct tm tm;
  unsigned int len = 0;
  long off;
  if (!localtime_r(&t, &tm)) { gmtime_r(&t, &tm); tm.tm_gmtoff = 0; }
  off = tm.tm_gmtoff / 60;
  byte_copy(buf, 3, days + 3 * (tm.tm_wday % 7)); len = 3;
  buf[len++] = ','; buf[len++] = ' ';
  len += (unsigned int)fmt_ulong(buf + len, (unsigned long)tm.tm_mday);
  buf[len++] = ' ';
  byte_copy(buf + len, 3, months + 3 * (tm.tm_mon % 12)); len += 3;
  buf[len++] = ' ';
  len += (unsigned int)fmt_ulong(buf + len, (unsigned long)(tm.tm_year + 1900));
  buf[len++] = ' ';
  len += two(buf + len, (unsigned int)tm.tm_hour); buf[len++] = ':';
  len += two(buf + len, (unsigned int)tm.tm_min); buf[len++] = ':';
  len += two(buf + len, (unsigned int)tm.tm_sec); buf[len++] = ' ';
  buf[len++] = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  len += two(buf + len, (unsigned int)(off / 60));
  len += two(buf + len, (unsigned int)(off % 60));
  return len;
}
