#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include "byte.h"
#include "str.h"
#include "qmailcmd.h"

/* sa gets a NUL after its text, not counted in len */
static int terminate(stralloc *sa)
{
  if (!stralloc_0(sa)) return 0;
  --sa->len;
  return 1;
}

static void newlines_out(stralloc *sa, size_t from)
{
  size_t i;
  for (i = from; i < sa->len; ++i) if (sa->s[i] == '\n') sa->s[i] = '_';
}

int qmailcmd_dtline(stralloc *sa, const char *local, const char *host)
{
  if (!stralloc_copym(sa, "Delivered-To: ", local, "@", host)) return 0;
  newlines_out(sa, 0);
  return stralloc_cats(sa, "\n") && terminate(sa);
}

int qmailcmd_rpline(stralloc *sa, const char *sender)
{
  if (!stralloc_copys(sa, "Return-Path: <")) return 0;
  if (!qmailcmd_quote(sa, sender, str_len(sender))) return 0;
  newlines_out(sa, 0);
  return stralloc_cats(sa, ">\n") && terminate(sa);
}

/* RFC 5322 atext, plus the dot (checked separately) */
static int atom_char(unsigned char c)
{
  static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
  return byte_chr(specials, sizeof specials - 1, (char)c) < sizeof specials - 1;
}

static int quote_needed(const char *s, size_t n)
{
  size_t i;
  if (!n) return 1;
  if (s[0] == '.' || s[n - 1] == '.') return 1;
  for (i = 0; i < n; ++i) {
    if (s[i] == '.') {
      if (i + 1 < n && s[i + 1] == '.') return 1;
      continue;
    }
    if (!atom_char((unsigned char)s[i])) return 1;
  }
  return 0;
}

static int quote_local(stralloc *out, const char *s, size_t n)
{
  size_t i;
  if (!quote_needed(s, n)) return stralloc_catb(out, s, n);
  if (!stralloc_append(out, "\"")) return 0;
  for (i = 0; i < n; ++i) {
    char c = s[i];
    if (c == '\r' || c == '\n' || c == '"' || c == '\\')
      if (!stralloc_append(out, "\\")) return 0;
    if (!stralloc_append(out, &c)) return 0;
  }
  return stralloc_append(out, "\"");
}

int qmailcmd_quote(stralloc *out, const char *addr, size_t len)
{
  size_t at;
  if (!len) return 1;
  at = byte_rchr(addr, len, '@');
  if (!quote_local(out, addr, at)) return 0;
  return stralloc_catb(out, addr + at, len - at);
}

size_t qmailcmd_hostpart(const char *host, size_t len, int n)
{
  for (; n > 1; --n) len = byte_rchr(host, len, '.');
  return len;
}

size_t qmailcmd_extpart(const char *ext, size_t len, int n)
{
  size_t pos = 0;
  for (; n > 1; --n) {
    pos += byte_chr(ext + pos, len - pos, '-');
    if (pos < len) ++pos;
  }
  return pos;
}

static const char *const names[] = {
  "RECIPIENT", "USER", "HOME", "LOCAL", "HOST", "HOST2", "HOST3", "HOST4",
  "EXT", "EXT2", "EXT3", "EXT4", "DEFAULT", "SENDER", "NEWSENDER",
  "DTLINE", "RPLINE", "UFLINE", 0
};

static int var(stralloc *out, const char *name, const char *value, size_t len)
{
  return stralloc_cats(out, name) && stralloc_append(out, "=")
      && stralloc_catb(out, value, len) && stralloc_0(out);
}

static int vars(stralloc *out, const char *name, const char *value)
{
  return var(out, name, value, str_len(value));
}

int qmailcmd_vars(stralloc *out, const struct qc_vars *v)
{
  size_t hl = str_len(v->host), el = str_len(v->ext);
  static const char *const hostn[] = { "HOST2", "HOST3", "HOST4" };
  static const char *const extn[] = { "EXT2", "EXT3", "EXT4" };
  int n;
  out->len = 0;
  if (!stralloc_copym(out, "RECIPIENT=", v->local, "@", v->host) || !stralloc_0(out)) return 0;
  if (!vars(out, "USER", v->user) || !vars(out, "HOME", v->home)) return 0;
  if (!vars(out, "LOCAL", v->local) || !vars(out, "HOST", v->host)) return 0;
  for (n = 2; n <= 4; ++n)
    if (!var(out, hostn[n - 2], v->host, qmailcmd_hostpart(v->host, hl, n))) return 0;
  if (!vars(out, "EXT", v->ext)) return 0;
  for (n = 2; n <= 4; ++n) {
    size_t pos = qmailcmd_extpart(v->ext, el, n);
    if (!var(out, extn[n - 2], v->ext + pos, el - pos)) return 0;
  }
  if (v->defaultpart && !vars(out, "DEFAULT", v->defaultpart)) return 0;
  if (!vars(out, "SENDER", v->sender) || !vars(out, "NEWSENDER", v->newsender)) return 0;
  if (!vars(out, "DTLINE", v->dtline) || !vars(out, "RPLINE", v->rpline)) return 0;
  return vars(out, "UFLINE", v->ufline);
}

static int ours(const char *entry)
{
  size_t i, eq = str_chr(entry, '=');
  for (i = 0; names[i]; ++i)
    if (str_len(names[i]) == eq && byte_equal(entry, eq, names[i])) return 1;
  return 0;
}

#define ENV_MAX 100000 /* more inherited variables than this: refuse */

char **qmailcmd_envp(const stralloc *v, char *const *inherited)
{
  size_t n = 0, nv = 0, i, j = 0;
  char **e;
  while (inherited && inherited[n]) if (++n > ENV_MAX) return 0;
  for (i = 0; i < v->len; ++i) if (!v->s[i]) ++nv;
  e = calloc(n + nv + 1, sizeof *e); /* both under ENV_MAX-ish: no overflow */
  if (!e) return 0;
  for (i = 0; i < n; ++i) if (!ours(inherited[i])) e[j++] = inherited[i];
  for (i = 0; i < v->len; i += str_len(v->s + i) + 1) e[j++] = v->s + i;
  e[j] = 0;
  return e;
}

pid_t qmailcmd_spawn(const char *cmd, char *const *env)
{
  posix_spawnattr_t attr;
  sigset_t none, pipe;
  pid_t pid;
  int r;
  char *argv[4];
  argv[0] = (char *)"/bin/sh"; argv[1] = (char *)"-c"; argv[2] = (char *)cmd; argv[3] = 0;
  sigemptyset(&none);
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  if ((r = posix_spawnattr_init(&attr))) { errno = r; return -1; }
  posix_spawnattr_setsigdefault(&attr, &pipe);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  r = posix_spawn(&pid, argv[0], 0, &attr, argv, env);
  posix_spawnattr_destroy(&attr);
  if (r) { errno = r; return -1; }
  return pid;
}

int qmailcmd_status(int wstat)
{
  if (wstat & 127) return QC_CRASH;
  switch ((wstat >> 8) & 255) {
    case 0: return QC_OK;
    case 99: return QC_STOP;
    case 100: case 64: case 65: case 70: case 76: case 77: case 78: case 112:
      return QC_PERM;
    default: return QC_TEMP;
  }
}
