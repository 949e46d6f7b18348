/* queue/lock/tcpto (tcpto.h): the input is the file, padded with free
   slots or cut to TCPTO_SIZE as tcpto_read does. The file is shared by
   every qmail-remote and may be damaged or written by an older
   version. For the address of each record, and one that is in none,
   the table is asked and updated. Promises checked: every answer is
   0 or 1 at any time; two failures in a row hold a host off for
   TCPTO_HOLD seconds and no longer; a connection that works frees it. */
#include <limits.h>
#include "fuzz.h"
#include "tcpto.h"

#define NOW 1800000000LL

static void check_host(char *table, const char ip[16])
{
  static const long long times[] = { LLONG_MIN, -1, 0, 1, NOW, LLONG_MAX };
  struct tcpto_entry e;
  size_t i;
  for (i = 0; i < sizeof times / sizeof times[0]; ++i) {
    int h = tcpto_table_held(table, ip, times[i]);
    require(h == 0 || h == 1);
  }
  tcpto_table_note(table, ip, 1, NOW);
  tcpto_table_note(table, ip, 1, NOW);
  require(tcpto_table_held(table, ip, NOW) == 1);
  require(tcpto_table_held(table, ip, NOW + TCPTO_HOLD - 1) == 1);
  require(tcpto_table_held(table, ip, NOW + TCPTO_HOLD) == 0);
  tcpto_table_note(table, ip, 0, NOW);
  require(tcpto_table_held(table, ip, NOW) == 0);
  for (i = 0; i < TCPTO_RECORDS; ++i)
    if (tcpto_table_entry(table, i, &e)) require(e.fails <= 0xffffffffUL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char table[TCPTO_SIZE], ip[16];
  size_t i, whole = size < TCPTO_SIZE ? size - size % TCPTO_RECORD : TCPTO_SIZE;
  memset(table, 0, sizeof table);
  memcpy(table, data, whole);
  for (i = 0; i < TCPTO_RECORDS; ++i) {
    struct tcpto_entry e;
    if (!tcpto_table_entry(table, i, &e)) continue;
    memcpy(ip, e.ip, 16);
    check_host(table, ip);
  }
  memset(ip, 0xfe, sizeof ip);
  check_host(table, ip);
  return 0;
}
