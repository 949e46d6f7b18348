/* qmail-tcpto: shows queue/lock/tcpto, the hosts qmail-remote could not
   reach lately (tcpto.h, qmail-tcpto(8)). One line per host:
     ADDRESS: N failure(s) in a row, the last S seconds ago[; held off]
   Exit 0, or 111 when the file cannot be read. */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "bufwrite.h"
#include "die.h"
#include "fmt.h"
#include "ip4.h"
#include "ip6.h"
#include "tcpto.h"

static char space[4096];
static buffer out = BUFFER_INIT(bufwrite, 1, space, sizeof space);

static void put_num(unsigned long long n)
{
  char buf[FMT_ULONG + 1];
  buffer_put(&out, buf, fmt_ulonglong(buf, n));
}

static void show(const struct tcpto_entry *e, const char *table, long long now)
{
  char ip[IP6_FMT];
  size_t n = ip6_isv4mapped(e->ip) ? fmt_ip4(ip, e->ip + 12) : fmt_ip6(ip, e->ip);
  buffer_put(&out, ip, n);
  buffer_puts(&out, ": ");
  put_num(e->fails);
  buffer_puts(&out, e->fails == 1 ? " failure" : " failures");
  buffer_puts(&out, " in a row, the last ");
  if (now >= e->when) { put_num((unsigned long long)(now - e->when)); buffer_puts(&out, " seconds ago"); }
  else buffer_puts(&out, "in the future");
  if (tcpto_table_held(table, e->ip, now)) buffer_puts(&out, "; held off");
  buffer_puts(&out, "\n");
}

int main(void)
{
  static char table[TCPTO_SIZE];
  struct tcpto_entry e;
  long long now = (long long)time(0);
  size_t i;
  die_program("qmail-tcpto");
  if (chdir(auto_qmail) == -1 || chdir("queue/lock") == -1)
    fatal(111, "unable to switch to ", auto_qmail, "/queue/lock: ", error_str(errno));
  if (tcpto_read("tcpto", table) == -1) fatal(111, "unable to read queue/lock/tcpto: ", error_str(errno));
  for (i = 0; i < TCPTO_RECORDS; ++i)
    if (tcpto_table_entry(table, i, &e)) show(&e, table, now);
  /* a failed write during the puts above is sticky and shows here */
  if (bufwrite_flush(&out) == -1) fatal(111, "unable to write output: ", error_str(errno));
  return 0;
}
