#ifndef TAP_H
#define TAP_H
/* A minimal TAP producer for the table-driven unit tests. */
#include <stdio.h>
#include <string.h>
static __attribute__((unused)) int tap_n, tap_failed;
static __attribute__((unused)) int ok(int cond, const char *name)
{
  ++tap_n;
  if (!cond) ++tap_failed;
  printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
  return cond;
}
static __attribute__((unused)) int is_str(const char *got, const char *want, const char *name)
{
  int r = ok(got && want && !strcmp(got, want), name);
  if (!r) printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
  return r;
}
static __attribute__((unused)) int is_mem(const char *got, size_t glen, const char *want, size_t wlen, const char *name)
{
  /* memcmp with a null pointer is undefined even for 0 bytes */
  int r = ok(glen == wlen && (!glen || !memcmp(got, want, glen)), name);
  if (!r) printf("#   got:  '%.*s' (%zu)\n#   want: '%.*s' (%zu)\n", (int)glen, got, glen, (int)wlen, want, wlen);
  return r;
}
static __attribute__((unused)) int is_long(long got, long want, const char *name)
{
  int r = ok(got == want, name);
  if (!r) printf("#   got:  %ld\n#   want: %ld\n", got, want);
  return r;
}
static __attribute__((unused)) int done_testing(void)
{
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}
#endif
