/* canary MODE: one deliberate error of the kind make check-asan hunts, so
 * that tools/check-asan can prove, before the suite, that such an error
 * leaves a report file where it looks (and from any uid). A run that
 * finds no report is no evidence when reports are lost.
 *   leak      memory lost at exit (LeakSanitizer)
 *   overflow  a read past a heap block (AddressSanitizer)
 *   overflow-int  a signed integer overflow (UndefinedBehaviorSanitizer) */
#include <stdlib.h>
#include <string.h>

static volatile int sink;

static int leak(void)
{
  char *p = malloc(64);
  if (!p) return 111;
  memset(p, 'x', 64);
  sink = p[3];
  p = 0;  /* the only pointer is gone */
  return 0;
}

static int overflow(int n)
{
  char *p = malloc((size_t)n);
  int r;
  if (!p) return 111;
  memset(p, 0, (size_t)n);
  r = p[n];  /* one past the end */
  free(p);
  return r;
}

static int overflow_int(int n)
{
  return n + 2147483647;
}

int main(int argc, char **argv)
{
  if (argc != 2) return 100;
  if (!strcmp(argv[1], "leak")) return leak();
  if (!strcmp(argv[1], "overflow")) return overflow(argc + 14);
  if (!strcmp(argv[1], "overflow-int")) { sink = overflow_int(argc); return 0; }
  return 100;
}
