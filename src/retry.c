#include "retry.h"

static unsigned long long isqrt(unsigned long long x)
{
  unsigned long long r = 0, bit = 1ULL << 62;
  while (bit > x) bit >>= 2;
  while (bit) {
    if (x >= r + bit) { x -= r + bit; r = (r >> 1) + bit; }
    else r >>= 1;
    bit >>= 2;
  }
  return r;
}

long long retry_next(long long birth, long long now, unsigned int skip)
{
  unsigned long long n = now > birth ? isqrt((unsigned long long)(now - birth)) : 0;
  n += skip;
  return birth + (long long)(n * n);
}
