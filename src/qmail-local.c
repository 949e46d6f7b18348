/* qmail-local: deliver one message to one local recipient as its .qmail
   files say (qmail-local(8), dot-qmail(5)). It runs as the recipient,
   started by qmail-lspawn, with the message on fd 0. */
#include <unistd.h>
#include "str.h"
#include "localdeliver.h"

static const char usage_text[] =
  "qmail-local: usage: qmail-local [ -nN ] user homedir local dash ext domain sender defaultdelivery\n";

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
  if (write(2, usage_text, sizeof usage_text - 1) == -1) { /* exiting anyway */ }
  _exit(100);
}

/* getopt's rules for "nN": options end at "--" or the first operand */
static int options(int argc, char **argv, int *doit)
{
  int i;
  for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; ++i) {
    const char *o;
    if (str_equal(argv[i], "--")) return i + 1;
    for (o = argv[i] + 1; *o; ++o)
      if (*o == 'n') *doit = 0;
      else if (*o == 'N') *doit = 1;
      else usage();
  }
  return i;
}

int main(int argc, char **argv)
{
  struct ld_args a;
  int i;
  a.doit = 1;
  i = options(argc, argv, &a.doit);
  if (argc - i != 8) usage();
  a.user = argv[i]; a.homedir = argv[i + 1]; a.local = argv[i + 2];
  a.dash = argv[i + 3]; a.ext = argv[i + 4]; a.host = argv[i + 5];
  a.sender = argv[i + 6]; a.defaultdelivery = argv[i + 7];
  if (a.homedir[0] != '/') usage();
  localdeliver(&a);
}
