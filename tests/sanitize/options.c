/* The sanitizer runtimes' default options, linked into every program and
 * unit test of a sanitized build (make check-asan; see tools/check-asan).
 *
 * Why compiled in rather than set in ASAN_OPTIONS: the run scripts start
 * the daemons with `env -`, the setuid qmail-queue and the programs that
 * qmail-lspawn starts as a recipient inherit whatever their caller had,
 * and any of them may run as a uid that differs from the test's. A
 * default compiled into the binary reaches all of them; ASAN_OPTIONS,
 * UBSAN_OPTIONS and LSAN_OPTIONS in the environment are read after it and
 * still override it.
 *
 * Every report goes to a file SANITIZER_LOG/report.PROGRAM.PID in a
 * directory every uid can write (mode 1777), never to fd 2, which is a
 * protocol channel or a log nobody reads for several of these programs.
 * tools/check-asan fails when any such file exists.
 *
 * exitcode 86: a sanitized process that finds an error exits with a code
 * no neoqmail program uses, so a log that shows it is recognisable; the
 * report file is still the signal that counts. */
#include <sys/auxv.h>

#ifndef SANITIZER_LOG
#error "SANITIZER_LOG must name the report directory"
#endif

/* print_suppressions=0: a run whose only leaks are suppressed (below)
 * writes no file, so that any file is a finding */
#define COMMON_OPTIONS "log_path=" SANITIZER_LOG "/report:log_exe_name=1:exitcode=86" \
                       ":print_suppressions=0"

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);
const char *__lsan_default_suppressions(void);

/* halt_on_error: ASan cannot go on safely after a bad access anyway.
 * fast_unwind_on_malloc=0: libowfat is built without frame pointers, and
 * a leak's stack that ends in stralloc_ready names nobody. */
#define ASAN_OPTIONS COMMON_OPTIONS ":abort_on_error=0:halt_on_error=1:fast_unwind_on_malloc=0"

/* The runtime calls these before it has set itself up: they must not be
 * instrumented, nor call the C library's string functions, which it
 * intercepts. */
#define UNSANITIZED __attribute__((no_sanitize("address", "undefined")))

/* Is the program's file name, without its directory, name? */
UNSANITIZED static int program_is(const char *name)
{
  const char *fn = (const char *)getauxval(AT_EXECFN), *base;
  if (!fn) return 0;
  for (base = fn; *fn; ++fn)
    if (*fn == '/') base = fn + 1;
  while (*base && *base == *name) { ++base; ++name; }
  return !*base && !*name;
}

UNSANITIZED const char *__asan_default_options(void)
{
  /* LeakSanitizer stops the process with ptrace, which the kernel refuses
   * in a set-user-id process (the setuid qmail-queue of a real install):
   * there it would report only its own fatal error. Leak checking is off
   * in such a process; ASan and UBSan still run, and the same qmail-queue
   * code is leak-checked in every sandbox test, where it is not setuid. */
  if (getauxval(AT_SECURE)) return ASAN_OPTIONS ":detect_leaks=0";
  /* The check at exit stops the process the same way, with a SIGSTOP,
   * and a SIGCONT that arrives meanwhile discards a pending SIGSTOP: the
   * check then waits for ever. supervise stops a service with TERM and
   * CONT at once, and qmail-send, the one program of ours that supervise
   * runs and stops, hung at exit in 66-qmailctl: its checker attached,
   * the process never stopped, for minutes. It is not checked at exit;
   * the helpers it starts (qmail-lspawn, -rspawn, -clean, -todo, and
   * every qmail-local and qmail-remote) are. */
  if (program_is("qmail-send")) return ASAN_OPTIONS ":detect_leaks=1:leak_check_at_exit=0";
  return ASAN_OPTIONS ":detect_leaks=1";
}

UNSANITIZED const char *__ubsan_default_options(void)
{
  /* -fno-sanitize-recover=undefined already makes each finding fatal */
  return COMMON_OPTIONS ":print_stacktrace=1:halt_on_error=1";
}

UNSANITIZED const char *__lsan_default_options(void)
{
  return COMMON_OPTIONS;
}

/* LeakSanitizer's suppressions: only for memory that libowfat itself
 * loses, never for ours (a finding in neoqmail is fixed, not hidden).
 *
 * cdb_make_addend and cdb_make_finish: libowfat's cdb writer (after djb's
 * cdbmake, a program that exits when the file is written) mallocs its
 * hash-pointer lists in cdb_make_addend and the table in cdb_make_finish
 * and frees neither; struct cdb_make offers no call that would, and
 * freeing its private lists from outside would tie us to its internals.
 * qmail-newu, qmail-newmrh and their tests write one cdb and exit, so the
 * loss is bounded by one file's index. */
UNSANITIZED const char *__lsan_default_suppressions(void)
{
  return "leak:cdb_make_addend\n"
         "leak:cdb_make_finish\n";
}
