#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "byte.h"
#include "die.h"
#include "fdmove.h"
#include "fmt.h"
#include "scan.h"
#include "sig.h"
#include "spawner.h"
#include "str.h"
#include "waitchild.h"

#define READ_CHUNK 65536      /* bytes per read() of requests or output */
#define OUTQ_COMPACT 65536    /* move unwritten replies to the front past this */

static const char marker[] = "\n[...]\n";
#define MARKER_LEN (sizeof marker - 1)

/* ---- requests ---- */

static int decimal(const char *s, size_t n, unsigned long *u)
{
  size_t i;
  if (!n) return 0;
  for (i = 0; i < n; ++i)
    if (s[i] < '0' || s[i] > '9') return 0;
  return scan_ulongn(s, n, u) == n; /* scan stops short on overflow */
}

int spawn_request_parse(struct spawn_request *r, const char *s, size_t len,
                        size_t *used, const char **why)
{
  static const size_t max[4] = { SPAWN_DELNUM_MAX, SPAWN_ID_MAX, SPAWN_FIELD_MAX, SPAWN_FIELD_MAX };
  static const char *const toolong[4] = { "delivery number too long", "message id too long",
                                          "sender too long", "recipient too long" };
  const char *f[4];
  size_t n[4], pos = 0, k;
  unsigned long u;
  for (k = 0; k < 4; ++k) {
    n[k] = byte_chr(s + pos, len - pos, 0);
    if (n[k] > max[k]) { *why = toolong[k]; return -1; }
    if (pos + n[k] == len) return 0;
    f[k] = s + pos;
    pos += n[k] + 1;
  }
  *why = "delivery number is not a decimal number";
  if (!decimal(f[0], n[0], &u)) return -1;
  *why = "message id is not a decimal number";
  if (!decimal(f[1], n[1], &r->id)) return -1;
  r->delnum = f[0];
  r->sender = f[2];
  r->rcpt = f[3];
  *used = pos;
  *why = 0;
  return 1;
}

/* ---- output ---- */

void spawn_output_reset(struct spawn_output *o)
{
  o->head.len = 0;
  stralloc_free(&o->tail); /* rare: give it back */
  o->tailpos = 0;
  o->total = 0;
}

/* Put bytes at the end of the ring (which is full: SPAWN_TAIL_KEEP). */
static void ring_put(struct spawn_output *o, const char *buf, size_t len)
{
  size_t first;
  if (len >= SPAWN_TAIL_KEEP) {
    byte_copy(o->tail.s, SPAWN_TAIL_KEEP, buf + len - SPAWN_TAIL_KEEP);
    o->tailpos = 0;
    return;
  }
  first = SPAWN_TAIL_KEEP - o->tailpos;
  if (first > len) first = len;
  byte_copy(o->tail.s + o->tailpos, first, buf);
  byte_copy(o->tail.s, len - first, buf + first);
  o->tailpos = (o->tailpos + len) % SPAWN_TAIL_KEEP;
}

int spawn_output_add(struct spawn_output *o, const char *buf, size_t len)
{
  size_t take = SPAWN_REPORT_MAX - o->head.len;
  if (take > len) take = len;
  if (!stralloc_catb(&o->head, buf, take)) return 0;
  o->total += len;
  if (take == len) return 1;
  if (!o->tail.len) { /* the first overflow: the ring starts as head's end */
    if (!stralloc_copyb(&o->tail, o->head.s + SPAWN_REPORT_MAX - SPAWN_TAIL_KEEP, SPAWN_TAIL_KEEP))
      return 0;
    o->tailpos = 0;
  }
  ring_put(o, buf + take, len - take);
  return 1;
}

/* The last n bytes of the output (n <= what is kept of the end). */
static int cat_last(stralloc *sa, const struct spawn_output *o, size_t n)
{
  size_t start, first;
  if (o->total <= o->head.len)
    return stralloc_catb(sa, o->head.s + o->head.len - n, n);
  start = (o->tailpos + SPAWN_TAIL_KEEP - n) % SPAWN_TAIL_KEEP;
  first = SPAWN_TAIL_KEEP - start;
  if (first > n) first = n;
  return stralloc_catb(sa, o->tail.s + start, first) &&
         stralloc_catb(sa, o->tail.s, n - first);
}

int spawn_output_text(stralloc *sa, const struct spawn_output *o, size_t room)
{
  size_t t = SPAWN_TAIL_KEEP;
  if (room > SPAWN_REPORT_MAX) room = SPAWN_REPORT_MAX; /* all head holds */
  if (o->total <= room && o->total == o->head.len)
    return stralloc_catb(sa, o->head.s, o->head.len);
  if (t > o->head.len) t = o->head.len;
  if (room < MARKER_LEN + 2 * t) /* too small to show both ends */
    return stralloc_catb(sa, o->head.s, room < o->head.len ? room : o->head.len);
  return stralloc_catb(sa, o->head.s, room - MARKER_LEN - t) &&
         stralloc_catb(sa, marker, MARKER_LEN) && cat_last(sa, o, t);
}

/* ---- replies ---- */

int spawn_reply(stralloc *out, const char *delnum, char code,
                const char *text, size_t len)
{
  size_t i, start;
  if (len > SPAWN_REPORT_MAX) len = SPAWN_REPORT_MAX;
  if (!stralloc_cats(out, delnum) || !stralloc_0(out) ||
      !stralloc_append(out, &code))
    return 0;
  start = out->len;
  if (!stralloc_catb(out, text, len)) return 0;
  for (i = start; i < out->len; ++i)
    if (!out->s[i]) out->s[i] = '?';
  return stralloc_0(out);
}

static int cat_num(stralloc *sa, unsigned long n)
{
  char buf[FMT_ULONG];
  return stralloc_catb(sa, buf, fmt_ulong(buf, n));
}

int spawn_report_exit(stralloc *out, const char *delnum, int wstat,
                      const struct spawn_output *o, const char *prog)
{
  static stralloc text;
  int code = wait_exitcode(wstat);
  char c = code == 0 ? 'K' : code == 100 ? 'D' : 'Z';
  text.len = 0;
  if (wait_crashed(wstat)) {
    c = 'Z';
    if (!stralloc_cats(&text, prog) || !stralloc_cats(&text, " crashed (signal ") ||
        !cat_num(&text, (unsigned long)wait_crashed(wstat)) || !stralloc_cats(&text, ").\n"))
      return 0;
  }
  if (!spawn_output_text(&text, o, SPAWN_REPORT_MAX - text.len)) return 0;
  if (!text.len && c != 'K') {
    if (!stralloc_cats(&text, prog) || !stralloc_cats(&text, " exited ") ||
        !cat_num(&text, (unsigned long)code) ||
        !stralloc_cats(&text, c == 'D' ? " without saying why. (#5.3.0)\n"
                                       : " without saying why. (#4.3.0)\n"))
      return 0;
  }
  return spawn_reply(out, delnum, c, text.s, text.len);
}

/* ---- the loop ---- */

struct kid {
  pid_t pid;
  int fd;                  /* read end of its output pipe; -1 after EOF */
  int exited;
  int wstat;
  char delnum[SPAWN_DELNUM_MAX + 1];
  struct spawn_output out;
};

static struct kid *kids;
static size_t nkids, kidcap;
static struct pollfd *pfd;
static size_t pfdcap;
static stralloc in;             /* request bytes not yet parsed */
static stralloc outq;           /* replies not yet written */
static size_t outpos;
static int reading = 1, writing = 1;
static int selfpipe = -1;
static struct rlimit startlimit;

static void die_nomem(void) { fatal(111, "out of memory"); }
static void die_read(void) { fatal(111, "unable to read requests: ", error_str(errno)); }
static void die_poll(void) { fatal(111, "unable to poll: ", error_str(errno)); }
static void die_proto(const char *why) { fatal(111, "malformed request from qmail-send: ", why); }
static void die_selfpipe(void) { fatal(111, "unable to create the signal pipe: ", error_str(errno)); }

static int grow(void **p, size_t *cap, size_t want, size_t size)
{
  size_t n = *cap ? *cap : 16;
  void *q;
  if (want <= *cap) return 1;
  while (n < want) {
    if (n > ((size_t)-1) / 2 / size) return 0;
    n *= 2;
  }
  q = realloc(*p, n * size);
  if (!q) return 0;
  *p = q;
  *cap = n;
  return 1;
}

static void reply_trouble(const char *delnum, const char *what, int e)
{
  static stralloc t;
  if (!stralloc_copys(&t, what) || !stralloc_cats(&t, error_str(e)) ||
      !stralloc_cats(&t, ". (#4.3.0)\n") ||
      !spawn_reply(&outq, delnum, 'Z', t.s, t.len))
    die_nomem();
}

/* In the child: the pipe on fd 1 and 2, nothing else of ours. */
static void child_setup(int wr)
{
  sig_default(SIGCHLD);
  sig_default(SIGPIPE);
  setrlimit(RLIMIT_NOFILE, &startlimit);
  close(0);
  if (fd_copy(1, wr) == -1 || fd_copy(2, 1) == -1) _exit(111);
  if (wr > 2) close(wr);
}

static void start(const struct spawn_ops *ops, const struct spawn_request *r)
{
  int p[2];
  pid_t pid;
  struct kid *k;
  if (!grow((void **)&kids, &kidcap, nkids + 1, sizeof *kids)) die_nomem();
  if (pipe2(p, O_CLOEXEC) == -1) { reply_trouble(r->delnum, "Unable to create a pipe: ", errno); return; }
  pid = fork();
  if (pid == -1) {
    int e = errno;
    close(p[0]); close(p[1]);
    reply_trouble(r->delnum, "Unable to fork: ", e);
    return;
  }
  if (pid == 0) {
    child_setup(p[1]);
    ops->child(r, ops->ctx);
    _exit(111);
  }
  close(p[1]);
  fd_nonblock(p[0]);
  k = &kids[nkids++];
  byte_zero(k, sizeof *k);
  k->pid = pid;
  k->fd = p[0];
  byte_copy(k->delnum, str_len(r->delnum) + 1, r->delnum); /* parse bounded it */
}

/* Parse and start every complete request in `in'. */
static void take_requests(const struct spawn_ops *ops)
{
  size_t pos = 0, used;
  struct spawn_request r;
  const char *why;
  int got;
  while ((got = spawn_request_parse(&r, in.s + pos, in.len - pos, &used, &why)) == 1) {
    start(ops, &r);
    pos += used;
  }
  if (got == -1) die_proto(why);
  byte_copy(in.s, in.len - pos, in.s + pos);
  in.len -= pos;
}

static void read_requests(const struct spawn_ops *ops)
{
  ssize_t r;
  if (!stralloc_readyplus(&in, READ_CHUNK)) die_nomem();
  r = read(0, in.s + in.len, READ_CHUNK);
  if (r == -1) {
    if (errno == EINTR || errno == EAGAIN) return;
    die_read();
  }
  if (r == 0) {
    reading = 0;
    if (in.len) die_proto("the last request is truncated");
    return;
  }
  in.len += (size_t)r;
  take_requests(ops);
}

/* Read what a child wrote; at EOF close its end. Non-blocking. */
static void read_output(struct kid *k)
{
  char buf[READ_CHUNK];
  for (;;) {
    ssize_t r = read(k->fd, buf, sizeof buf);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1 && errno == EAGAIN) return;
    if (r <= 0) { close(k->fd); k->fd = -1; return; } /* EOF, or nothing more to get */
    if (!spawn_output_add(&k->out, buf, (size_t)r)) die_nomem();
    if ((size_t)r < sizeof buf) return;
  }
}

struct dead { pid_t pid; int wstat; };
static struct dead *deads;
static size_t ndeads, deadcap;

static int bypid(const void *a, const void *b)
{
  pid_t x = ((const struct dead *)a)->pid, y = ((const struct dead *)b)->pid;
  return x < y ? -1 : x > y;
}

/* Collect every exited child, then mark ours (one pass, binary search). */
static void reap(void)
{
  size_t i;
  int wstat;
  pid_t pid;
  ndeads = 0;
  while ((pid = wait_nohang(&wstat)) > 0) {
    if (!grow((void **)&deads, &deadcap, ndeads + 1, sizeof *deads)) die_nomem();
    deads[ndeads].pid = pid;
    deads[ndeads++].wstat = wstat;
  }
  if (!ndeads) return;
  qsort(deads, ndeads, sizeof *deads, bypid);
  for (i = 0; i < nkids; ++i) {
    struct dead key, *d;
    key.pid = kids[i].pid;
    d = bsearch(&key, deads, ndeads, sizeof *deads, bypid);
    if (d) { kids[i].exited = 1; kids[i].wstat = d->wstat; }
  }
}

/* Report every child that has exited. Its own output is all in the pipe
   by now; a grandchild that keeps the pipe open is not waited for. */
static void finish(const struct spawn_ops *ops)
{
  size_t i = nkids;
  while (i-- > 0) {
    struct kid *k = &kids[i];
    if (!k->exited) continue;
    if (k->fd != -1) {
      read_output(k);
      if (k->fd != -1) { close(k->fd); k->fd = -1; }
    }
    if (!ops->report(&outq, k->delnum, k->wstat, &k->out, ops->ctx)) die_nomem();
    spawn_output_reset(&k->out);
    stralloc_free(&k->out.head);
    kids[i] = kids[--nkids];
  }
}

/* Write what we can; if qmail-send has gone, drop replies quietly. */
static void flush(void)
{
  while (writing && outpos < outq.len) {
    ssize_t w = write(1, outq.s + outpos, outq.len - outpos);
    if (w == -1) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      writing = 0;
      break;
    }
    outpos += (size_t)w;
  }
  if (!writing || outpos == outq.len) { outq.len = 0; outpos = 0; return; }
  if (outpos > OUTQ_COMPACT) {
    byte_copy(outq.s, outq.len - outpos, outq.s + outpos);
    outq.len -= outpos;
    outpos = 0;
  }
}

/* pfd: [0] the signal pipe, [1] requests, [2] replies, then the kids.
   An unused entry has fd -1, which poll ignores. */
static size_t fill_pollfds(void)
{
  size_t i, n = 3 + nkids;
  if (!grow((void **)&pfd, &pfdcap, n, sizeof *pfd)) die_nomem();
  pfd[0].fd = selfpipe; pfd[0].events = POLLIN;
  pfd[1].fd = reading ? 0 : -1; pfd[1].events = POLLIN;
  pfd[2].fd = writing && outpos < outq.len ? 1 : -1; pfd[2].events = POLLOUT;
  for (i = 0; i < nkids; ++i) { pfd[3 + i].fd = kids[i].fd; pfd[3 + i].events = POLLIN; }
  return n;
}

static void prepare(void)
{
  getrlimit(RLIMIT_NOFILE, &startlimit);
  {
    struct rlimit more = startlimit; /* thousands of pipes at once */
    more.rlim_cur = more.rlim_max;
    setrlimit(RLIMIT_NOFILE, &more);
  }
  selfpipe = selfpipe_init();
  if (selfpipe == -1) die_selfpipe();
  selfpipe_trap(SIGCHLD);
  sig_ignore(SIGPIPE);
  fd_nonblock(1);
}

void spawn_run(const struct spawn_ops *ops)
{
  prepare();
  for (;;) {
    size_t i, n;
    if (!reading && !nkids && outpos == outq.len) return;
    n = fill_pollfds();
    if (poll(pfd, (nfds_t)n, -1) == -1) {
      if (errno == EINTR) continue;
      die_poll();
    }
    if (pfd[0].revents) { while (selfpipe_next()) {} reap(); }
    for (i = 0; i < nkids; ++i)
      if (kids[i].fd != -1 && pfd[3 + i].revents) read_output(&kids[i]);
    if (pfd[1].revents) read_requests(ops);
    finish(ops);
    flush();
  }
}
