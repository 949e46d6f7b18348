/* The replay driver: linked with one harness (built with the ordinary
   compiler, not libFuzzer) it becomes the unit test $(O)/tests/fuzz-NAME,
   which feeds every file of tests/fuzz/corpus/NAME and
   tests/fuzz/regress/NAME to the harness and prints TAP, one line per
   directory. A broken promise aborts the test, so make check (and make
   check-asan, with sanitizers) fails on it. With file arguments it
   replays just those: the way to reproduce a crash without clang.
   Paths are relative to the top of the tree, where tests/run starts
   every test. FUZZ_NAME is set by the Makefile. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=\"harness\""
#endif

/* A file's bytes in a buffer of exactly its size, so that a sanitizer
   sees a read past the end. 0 ok, -1 error (reported). */
static int replay_file(const char *fn)
{
  FILE *f = fopen(fn, "rb");
  unsigned char *data = 0, *more;
  size_t len = 0, got;
  unsigned char chunk[4096];
  if (!f) { printf("# cannot open %s: %s\n", fn, strerror(errno)); return -1; }
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    more = realloc(data, len + got);
    if (!more) { free(data); fclose(f); printf("# out of memory\n"); return -1; }
    data = more;
    memcpy(data + len, chunk, got);
    len += got;
  }
  if (ferror(f)) { free(data); fclose(f); printf("# cannot read %s\n", fn); return -1; }
  fclose(f);
  if (!len) data = malloc(1);  /* a valid pointer for the empty input */
  fflush(stdout);
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  return 0;
}

static int skip_name(const char *name)
{
  return name[0] == '.' || !strcmp(name, "README");
}

/* Every file of dir: the number replayed, or -1 (dir missing: *missing). */
static long replay_dir(const char *dir, int *missing)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  long n = 0;
  *missing = 0;
  if (!d) { *missing = errno == ENOENT; return -1; }
  while ((e = readdir(d))) {
    char fn[4096];
    if (skip_name(e->d_name)) continue;
    if ((size_t)snprintf(fn, sizeof fn, "%s/%s", dir, e->d_name) >= sizeof fn) continue;
    if (replay_file(fn) == -1) { closedir(d); return -1; }
    ++n;
  }
  closedir(d);
  return n;
}

int main(int argc, char **argv)
{
  static const char *const kinds[] = { "corpus", "regress" };
  int i, failed = 0;
  if (argc > 1) {
    for (i = 1; i < argc; ++i)
      if (replay_file(argv[i]) == -1) failed = 1;
    if (!failed) fprintf(stderr, "%s: %d inputs replayed, no crash\n", FUZZ_NAME, argc - 1);
    return failed;
  }
  for (i = 0; i < 2; ++i) {
    char dir[256];
    int missing;
    long n;
    snprintf(dir, sizeof dir, "tests/fuzz/%s/%s", kinds[i], FUZZ_NAME);
    n = replay_dir(dir, &missing);
    if (n >= 0)
      printf("%sok %d - %s: %ld %s inputs replayed, no crash\n", n || i ? "" : "not ",
             i + 1, FUZZ_NAME, n, kinds[i]);
    else if (missing && i == 1)
      printf("ok %d - %s: no regression inputs # SKIP none found yet\n", i + 1, FUZZ_NAME);
    else {
      printf("not ok %d - %s: cannot replay %s\n", i + 1, FUZZ_NAME, dir);
      failed = 1;
    }
    if (n == 0 && i == 0) failed = 1;   /* a harness without seeds */
  }
  printf("1..2\n");
  return failed;
}
