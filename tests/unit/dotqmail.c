/* .qmail files: line types, the file search order, NEWSENDER, finding
   the file on disk, and Delivered-To loop detection. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dotqmail.h"
#include "localdeliver.h"
#include "tap.h"

static const struct { const char *line; enum dq_type type; const char *arg; } lines[] = {
  { "", DQ_BLANK, "" },
  { " \t ", DQ_BLANK, "" },
  { "# a comment", DQ_COMMENT, "# a comment" },
  { "#", DQ_COMMENT, "#" },
  { "|preline /usr/bin/vacation joe", DQ_PROGRAM, "preline /usr/bin/vacation joe" },
  { "|exit 99 \t ", DQ_PROGRAM, "exit 99" },
  { "|", DQ_PROGRAM, "" },
  { "&joe@example.com", DQ_FORWARD, "joe@example.com" },
  { "&joe@example.com  ", DQ_FORWARD, "joe@example.com" },
  { "joe@example.com", DQ_FORWARD, "joe@example.com" },
  { "9lives@example.com", DQ_FORWARD, "9lives@example.com" },
  { "<odd@example.com>", DQ_FORWARD, "<odd@example.com>" }, /* as qmail: any other start */
  { "./Mailbox", DQ_MBOX, "./Mailbox" },
  { "/var/spool/mail/joe\t", DQ_MBOX, "/var/spool/mail/joe" },
  { ".", DQ_MBOX, "." },
  { "./Maildir/", DQ_MAILDIR, "./Maildir/" },
  { "/home/joe/Maildir/ ", DQ_MAILDIR, "/home/joe/Maildir/" },
  { "/", DQ_MAILDIR, "/" },
  { "+list", DQ_OPTION, "list" },
  { " ./Mailbox", DQ_FORWARD, " ./Mailbox" }, /* leading blanks are not trimmed */
};

static void line_types(void)
{
  size_t i;
  for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
    struct dq_line l;
    char name[128];
    dotqmail_line(&l, lines[i].line, strlen(lines[i].line));
    snprintf(name, sizeof name, "'%s' has type %d", lines[i].line, (int)lines[i].type);
    is_long(l.type, lines[i].type, name);
    snprintf(name, sizeof name, "'%s' has argument '%s'", lines[i].line, lines[i].arg);
    is_mem(l.arg, l.len, lines[i].arg, strlen(lines[i].arg), name);
  }
}

/* names tried, "name" or "name@DEFAULTPOS", separated by spaces */
static const struct { const char *dash, *ext, *want; } searches[] = {
  { "", "", ".qmail" },
  { "-", "", ".qmail- .qmail-default@0" },
  { "-", "a", ".qmail-a .qmail-default@0" },
  { "-", "a-", ".qmail-a- .qmail-a-default@2 .qmail-default@0" },
  { "-", "a-b", ".qmail-a-b .qmail-a-default@2 .qmail-default@0" },
  { "-", "a-b-", ".qmail-a-b- .qmail-a-b-default@4 .qmail-a-default@2 .qmail-default@0" },
  { "-", "foo-bar-baz", ".qmail-foo-bar-baz .qmail-foo-bar-default@8 .qmail-foo-default@4 .qmail-default@0" },
  { "-", "list-default", ".qmail-list-default@5 .qmail-list-default@5 .qmail-default@0" },
  { "-", "--", ".qmail--- .qmail---default@2 .qmail--default@1 .qmail-default@0" },
};

static void search_order(void)
{
  size_t i;
  stralloc fn = {0}, got = {0};
  for (i = 0; i < sizeof searches / sizeof searches[0]; ++i) {
    struct dq_search s;
    size_t pos;
    int r;
    char name[128];
    got.len = 0;
    dotqmail_search_init(&s, searches[i].dash, searches[i].ext, strlen(searches[i].ext));
    while ((r = dotqmail_search_next(&s, &fn, &pos)) == 1) {
      if (got.len) stralloc_cats(&got, " ");
      stralloc_catb(&got, fn.s, fn.len);
      if (pos != (size_t)-1) { char num[32]; snprintf(num, sizeof num, "@%zu", pos); stralloc_cats(&got, num); }
    }
    stralloc_0(&got);
    snprintf(name, sizeof name, "search order for dash '%s' ext '%s'", searches[i].dash, searches[i].ext);
    is_str(got.s, searches[i].want, name);
    ok(r == 0, "search ends cleanly");
    ok(fn.s[fn.len] == 0, "names are NUL-terminated");
  }
  stralloc_free(&fn); stralloc_free(&got);
}

static void safe_extensions(void)
{
  stralloc sa = {0};
  dotqmail_safeext(&sa, "Foo.Bar-..", 10);
  is_mem(sa.s, sa.len, "foo:bar-::", 10, "lower case, dots become colons");
  dotqmail_safeext(&sa, "", 0);
  is_long((long)sa.len, 0, "empty extension stays empty");
  stralloc_free(&sa);
}

static const struct { const char *sender; int owner, ownerdefault; const char *want; } senders[] = {
  { "bob@example.org", 0, 0, "bob@example.org" },
  { "bob@example.org", 1, 0, "list-owner@example.com" },
  { "bob@example.org", 1, 1, "list-owner-@example.com-@[]" },
  { "", 1, 1, "" },                 /* a bounce keeps its empty sender */
  { "#@[]", 1, 0, "#@[]" },         /* so does a double bounce */
};

static void new_senders(void)
{
  size_t i;
  stralloc sa = {0};
  for (i = 0; i < sizeof senders / sizeof senders[0]; ++i) {
    char name[128];
    dotqmail_newsender(&sa, senders[i].sender, "list", "example.com", senders[i].owner, senders[i].ownerdefault);
    snprintf(name, sizeof name, "NEWSENDER for '%s' owner %d default %d", senders[i].sender,
             senders[i].owner, senders[i].ownerdefault);
    is_str(sa.s, senders[i].want, name);
  }
  stralloc_free(&sa);
}

static void put(const char *fn, const char *text, int mode)
{
  int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (write(fd, text, strlen(text)) == -1) perror("write");
  close(fd);
  chmod(fn, (mode_t)mode);
}

static int find(const char *dash, const char *ext, stralloc *fn, int *x, size_t *pos)
{
  struct dq_search s;
  int fd = -1, r;
  dotqmail_search_init(&s, dash, ext, strlen(ext));
  r = dotqmail_find(&s, fn, &fd, x, pos);
  if (r == DQ_FOUND) close(fd);
  return r;
}

static void on_disk(void)
{
  char dir[] = "/tmp/dotqmail-test-XXXXXX";
  stralloc fn = {0}, text = {0};
  int x, fd;
  size_t pos;
  if (!mkdtemp(dir) || chdir(dir) == -1) { ok(0, "temporary directory"); return; }
  put(".qmail-foo-default", "./Maildir/\n", 0600);
  put(".qmail-foo-bar", "|exit 0\n", 0700);
  mkdir(".qmail-foo-dir", 0700);
  put(".qmail-bad", "x\n", 0602);
  put(".qmail-list-owner", "", 0600);
  is_long(find("-", "foo-bar", &fn, &x, &pos), DQ_FOUND, "exact file found");
  is_str(fn.s, ".qmail-foo-bar", "named");
  ok(x == 1, "user-x bit reported");
  ok(pos == (size_t)-1, "no DEFAULT for an exact match");
  is_long(find("-", "foo-baz-qux", &fn, &x, &pos), DQ_FOUND, "-default file found");
  is_str(fn.s, ".qmail-foo-default", "the nearest default");
  ok(x == 0 && pos == 4, "DEFAULT is the rest after foo-");
  is_long(find("-", "foo-dir", &fn, &x, &pos), DQ_FOUND, "a directory is skipped");
  is_str(fn.s, ".qmail-foo-default", "for the next default");
  is_long(find("-", "other", &fn, &x, &pos), DQ_NONE, "no file at all");
  is_long(find("", "", &fn, &x, &pos), DQ_NONE, "no .qmail");
  is_long(find("-", "bad", &fn, &x, &pos), DQ_WRITABLE, "world-writable file defers");
  is_long(dotqmail_exists(&fn, "-", "list", 4, "-owner"), 1, "-owner file exists");
  is_long(dotqmail_exists(&fn, "-", "list", 4, "-owner-default"), 0, "-owner-default does not");
  fd = open(".qmail-foo-default", O_RDONLY);
  ok(dotqmail_read(fd, &text) == 0, "file read");
  is_mem(text.s, text.len, "./Maildir/\n", 11, "its contents");
  unlink(".qmail-foo-default"); unlink(".qmail-foo-bar"); rmdir(".qmail-foo-dir");
  unlink(".qmail-bad"); unlink(".qmail-list-owner");
  if (chdir("/") == 0) rmdir(dir);
  stralloc_free(&fn); stralloc_free(&text);
}

static const char dt[] = "Delivered-To: joe@example.com\n";
static const struct { const char *msg; int want; } loops[] = {
  { "Delivered-To: joe@example.com\nSubject: x\n\nbody\n", 1 },
  { "Received: x\nDelivered-To: joe@example.com\n\nbody\n", 1 },
  { "Delivered-To: joe@example.com", 0 },                 /* no newline: not the line */
  { "Delivered-To: joe@example.com.au\n\n", -1 },
  { "Delivered-To: JOE@example.com\n\n", -1 },            /* exact, as qmail */
  { "X-Delivered-To: joe@example.com\n\n", -1 },
  { "Subject: x\n\nDelivered-To: joe@example.com\n", -1 }, /* body does not count */
  { "\nDelivered-To: joe@example.com\n", -1 },
  { "Subject: Delivered-To: joe@example.com\n\n", -1 },
  { "Subject: x\n", 0 },
  { "", 0 },
};

static void loop_detection(void)
{
  size_t i, j;
  for (i = 0; i < sizeof loops / sizeof loops[0]; ++i) {
    struct dtscan s;
    const char *m = loops[i].msg;
    size_t len = strlen(m);
    int r = 0;
    char name[128];
    dtscan_init(&s, dt, sizeof dt - 1);
    snprintf(name, sizeof name, "loop check on message %zu, whole", i);
    is_long(dtscan_feed(&s, m, len), loops[i].want, name);
    dtscan_init(&s, dt, sizeof dt - 1);
    for (j = 0; j < len && !r; ++j) r = dtscan_feed(&s, m + j, 1);
    snprintf(name, sizeof name, "loop check on message %zu, byte by byte", i);
    is_long(r, loops[i].want, name);
  }
}

int main(void)
{
  line_types();
  search_order();
  safe_extensions();
  new_senders();
  on_disk();
  loop_detection();
  return done_testing();
}
