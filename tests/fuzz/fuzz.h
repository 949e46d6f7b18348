#ifndef FUZZ_H
#define FUZZ_H
/* What the harnesses share (tests/fuzz/README). Each harness is one
   LLVMFuzzerTestOneInput: it runs a parser over the input, then checks
   what the parser promises. A broken promise calls fuzz_fail, which
   aborts, so libFuzzer keeps the input as a crash and the replay driver
   (replay.c, make check) dies on it. Nothing may survive from one input
   to the next except the parsers' own reused static buffers. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static __attribute__((unused, noreturn)) void fuzz_fail(const char *what, const char *file, int line)
{
  fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
  abort();
}
#define require(c) do { if (!(c)) fuzz_fail(#c, __FILE__, __LINE__); } while (0)

/* Equal byte strings; either may be a null pointer when its length is 0
   (an empty stralloc), which memcmp must not be given. */
static __attribute__((unused)) int fuzz_same(const void *a, size_t alen, const void *b, size_t blen)
{
  return alen == blen && (!alen || !memcmp(a, b, alen));
}

/* A read op for libowfat buffers that serves the input in pieces of at
   most fuzz_piece bytes, so a reader meets every refill boundary. */
static const char *fuzz_src;
static size_t fuzz_srclen, fuzz_srcpos, fuzz_piece;
static __attribute__((unused)) ssize_t fuzz_read(int fd, char *buf, size_t len)
{
  size_t n = fuzz_srclen - fuzz_srcpos;
  (void)fd;
  if (n > len) n = len;
  if (n > fuzz_piece) n = fuzz_piece;
  memcpy(buf, fuzz_src + fuzz_srcpos, n);
  fuzz_srcpos += n;
  return (ssize_t)n;
}
static __attribute__((unused)) void fuzz_read_start(const void *s, size_t len, size_t piece)
{
  fuzz_src = s;
  fuzz_srclen = len;
  fuzz_srcpos = 0;
  fuzz_piece = piece ? piece : 1;
}

/* The next line of s (from *pos, without its '\n'); 0 at the end. */
static __attribute__((unused)) int fuzz_line(const char *s, size_t len, size_t *pos,
                                             const char **line, size_t *linelen)
{
  size_t i = *pos;
  if (i >= len) return 0;
  *line = s + i;
  while (i < len && s[i] != '\n') ++i;
  *linelen = i - *pos;
  *pos = i < len ? i + 1 : i;
  return 1;
}
#endif
