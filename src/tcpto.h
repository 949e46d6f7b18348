#ifndef TCPTO_H
#define TCPTO_H
#include <stddef.h>
/* queue/lock/tcpto: the hosts that qmail-remote could not reach lately,
   so that the next deliveries skip them instead of waiting for the same
   timeout again (qmail's idea, our format; qmail-tcpto(8) shows it).

   The file is a table of TCPTO_RECORDS records of TCPTO_RECORD bytes:
     0..15   the address, IPv6 (an IPv4 one v4-mapped, ::ffff:a.b.c.d)
     16..23  time of the last failure, seconds since the epoch, big-endian
     24..27  failures in a row, big-endian
     28..31  zero
   A record of zeros is a free slot; the file is never longer than the
   table (a shorter one is read as if padded with free slots). A failure
   (connection timed out or refused) adds to the host's record, taking a
   free slot or else the one with the oldest failure; a connection that
   works frees it. Readers take a shared flock, writers an exclusive one
   and rewrite the whole table with one pwrite. A host is held off after
   TCPTO_FAILS failures in a row for TCPTO_HOLD seconds after the last. */

#define TCPTO_RECORD 32
#define TCPTO_RECORDS 128
#define TCPTO_SIZE (TCPTO_RECORD * TCPTO_RECORDS)
#define TCPTO_FAILS 2
#define TCPTO_HOLD 3600

struct tcpto_entry { char ip[16]; long long when; unsigned long fails; };

/* ---- the table in memory (TCPTO_SIZE bytes) ---- */
/* 1 when ip is held off at time now */
int tcpto_table_held(const char *table, const char ip[16], long long now);
/* Record a failure (failed) or a working connection (!failed). */
void tcpto_table_note(char *table, const char ip[16], int failed, long long now);
/* Record i (0..TCPTO_RECORDS-1): 1 in use (e filled), 0 free. */
int tcpto_table_entry(const char *table, size_t i, struct tcpto_entry *e);

/* ---- the file ---- */
/* Read fn into table (TCPTO_SIZE bytes). 0, -1 (errno). A missing file
   reads as empty. */
int tcpto_read(const char *fn, char *table);
/* Note the outcome in fn under an exclusive lock. 0, -1 (errno). */
int tcpto_note(const char *fn, const char ip[16], int failed, long long now);
#endif
