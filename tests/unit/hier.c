/* The installed tree: owners and modes of the entries that matter for
   security, creation order, and the check's descriptions. */
#include <string.h>
#include "hier.h"
#include "tap.h"

#define SPLIT 3

static const struct {
  const char *path;
  enum hier_kind kind;
  enum hier_user user;
  mode_t mode;
} want[] = {
  { ".", HIER_DIR, HIER_ROOT, 0755 },
  { "alias", HIER_DIR, HIER_ALIAS, 02755 },
  { "queue", HIER_DIR, HIER_QMAILQ, 0750 },
  { "queue/pid", HIER_DIR, HIER_QMAILQ, 0700 },
  { "queue/intd", HIER_DIR, HIER_QMAILQ, 0700 },
  { "queue/todo", HIER_DIR, HIER_QMAILQ, 0750 },
  { "queue/mess/2", HIER_DIR, HIER_QMAILQ, 0750 },
  { "queue/info/0", HIER_DIR, HIER_QMAILS, 0700 },
  { "queue/local/1", HIER_DIR, HIER_QMAILS, 0700 },
  { "queue/remote/2", HIER_DIR, HIER_QMAILS, 0700 },
  { "queue/bounce/2", HIER_DIR, HIER_QMAILS, 0700 },
  { "queue/lock", HIER_DIR, HIER_QMAILQ, 0750 },
  { "queue/lock/trigger", HIER_FIFO, HIER_QMAILS, 0622 },
  { "queue/lock/sendmutex", HIER_EMPTY, HIER_QMAILS, 0600 },
  { "queue/lock/tcpto", HIER_EMPTY, HIER_QMAILR, 0644 },
  { "bin/qmail-queue", HIER_PROGRAM, HIER_QMAILQ, 04711 },
  { "bin/qmail-start", HIER_PROGRAM, HIER_ROOT, 0700 },
  { "bin/qmail-lspawn", HIER_PROGRAM, HIER_ROOT, 0700 },
  { "bin/qmail-send", HIER_PROGRAM, HIER_ROOT, 0711 },
  { "bin/qmail-getpw", HIER_PROGRAM, HIER_ROOT, 0711 },
  { "bin/sendmail", HIER_PROGRAM, HIER_ROOT, 0755 },
  { "bin/qmailctl", HIER_PROGRAM, HIER_ROOT, 0755 },
  { "bin/qmail-smtpd", HIER_PROGRAM, HIER_ROOT, 0755 },
  { "bin/qmail-newmrh", HIER_PROGRAM, HIER_ROOT, 0700 },
};
#define NWANT (sizeof want / sizeof want[0])

#define MAXSEEN 400
static char seen[MAXSEEN][64];
static const struct hier_entry *seen_entry[MAXSEEN];
static int nseen;

static int record(const struct hier_entry *e, const char *path, void *arg)
{
  if (nseen >= MAXSEEN || strlen(path) >= sizeof seen[0]) return 1;
  strcpy(seen[nseen], path);
  seen_entry[nseen++] = e;
  return 0;
}

static int find(const char *path)
{
  int i;
  for (i = 0; i < nseen; ++i) if (!strcmp(seen[i], path)) return i;
  return -1;
}

/* every object's directory comes before it */
static int parents_first(void)
{
  char dir[64];
  int i;
  for (i = 0; i < nseen; ++i) {
    char *slash;
    strcpy(dir, seen[i]);
    slash = strrchr(dir, '/');
    if (!slash) { if (strcmp(dir, ".") && find(".") > i) return 0; continue; }
    *slash = 0;
    if (find(dir) == -1 || find(dir) > i) return 0;
  }
  return 1;
}

static const struct {
  mode_t st_mode;
  uid_t uid;
  gid_t gid;
  int n;
  const char *text;
} compare[] = {
  /* entry: queue/lock/trigger, FIFO 0622, owner 7:8 */
  { S_IFIFO | 0622, 7, 8, 0, "" },
  { S_IFIFO | 0644, 7, 8, 1, "mode 0644, want 0622" },
  { S_IFREG | 0622, 7, 8, 1, "not a named pipe" },
  { S_IFIFO | 0622, 0, 8, 1, "owner 0, want 7 (" },
  { S_IFIFO | 0600, 7, 9, 2, "group 9, want 8 (" },
};

static void test_compare(void)
{
  const struct hier_entry *trigger = seen_entry[find("queue/lock/trigger")];
  stralloc out = {0};
  struct stat st;
  size_t i;
  for (i = 0; i < sizeof compare / sizeof compare[0]; ++i) {
    memset(&st, 0, sizeof st);
    st.st_mode = compare[i].st_mode;
    st.st_uid = compare[i].uid;
    st.st_gid = compare[i].gid;
    out.len = 0;
    is_long(hier_compare(&out, trigger, &st, 7, 8), compare[i].n, "number of differences");
    ok(out.len >= strlen(compare[i].text) &&
       (!out.len || !memcmp(out.s, compare[i].text, strlen(compare[i].text))), compare[i].text);
  }
  memset(&st, 0, sizeof st);
  st.st_mode = S_IFDIR | 0755;
  out.len = 0;
  is_long(hier_compare(&out, seen_entry[find("queue/info/1")], &st, 0, 0), 1, "info/1 mode");
  is_mem(out.s, out.len, "mode 0755, want 0700", 20, "its description");
}

int main(void)
{
  size_t i;
  is_long(hier_walk(record, 0, SPLIT), 0, "walk completes");
  ok(find("queue/mess") != -1 && find("queue/mess/3") == -1, "split into SPLIT subdirectories");
  ok(find("queue/todo/0") == -1, "todo is not split");
  ok(parents_first(), "directories come before their contents");
  for (i = 0; i < NWANT; ++i) {
    int k = find(want[i].path);
    if (!ok(k != -1, want[i].path)) continue;
    is_long(seen_entry[k]->kind, want[i].kind, "  kind");
    is_long(seen_entry[k]->user, want[i].user, "  owner role");
    is_long(seen_entry[k]->group, HIER_GQMAIL, "  group role");
    is_long(seen_entry[k]->mode, want[i].mode, "  mode");
  }
  test_compare();
  return done_testing();
}
