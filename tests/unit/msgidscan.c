/* msgidscan: the Message-ID field found in a streamed header, fed in
   pieces of every size. */
#include "msgidscan.h"
#include "tap.h"

static const struct { const char *msg; const char *want; } rows[] = {
  { "Subject: x\nMessage-ID: <a@b>\n\nbody\n", "<a@b>" },
  { "message-id:<a@b>\n\n", "<a@b>" },
  { "MESSAGE-ID:   <a@b>   \n\n", "<a@b>" },
  { "Message-ID:\n <folded@b>\n\n", "<folded@b>" },
  { "Message-ID: <x\n\t y@b>\nTo: c\n\n", "<x y@b>" },
  { "Subject: x\n\nMessage-ID: <in@body>\n", "" },             /* the body is not the header */
  { "Subject: x\n Message-ID: <continued@line>\n\n", "" },      /* a continuation line */
  { "X-Message-ID: <not@this>\n\n", "" },
  { "Message-IDs: <no@b>\n\n", "" },
  { "Message-ID: <first@b>\nMessage-ID: <second@b>\n\n", "<first@b>" },
  { "Message-ID:\n\n", "" },
  { "", "" },
};

static void feed_in_pieces(struct msgidscan *m, const char *s, size_t piece)
{
  size_t len = strlen(s), i;
  msgidscan_start(m);
  for (i = 0; i < len; i += piece) msgidscan_feed(m, s + i, len - i < piece ? len - i : piece);
}

int main(void)
{
  struct msgidscan m;
  const char *v;
  size_t i, piece, n;
  char big[600];
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    for (piece = 1; piece <= 7; piece += 6) {
      feed_in_pieces(&m, rows[i].msg, piece);
      n = msgidscan_value(&m, &v);
      if (!is_mem(v, n, rows[i].want, strlen(rows[i].want), "Message-ID value")) printf("#   row %zu piece %zu\n", i, piece);
    }
  /* a long value is cut, never overrun */
  memcpy(big, "Message-ID: <", 13);
  memset(big + 13, 'x', sizeof big - 13);
  big[sizeof big - 3] = '>'; big[sizeof big - 2] = '\n'; big[sizeof big - 1] = 0;
  feed_in_pieces(&m, big, 64);
  n = msgidscan_value(&m, &v);
  is_long((long)n, MSGIDSCAN_MAX, "a long Message-ID is cut at MSGIDSCAN_MAX");
  return done_testing();
}
