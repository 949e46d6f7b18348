# tests/lib/sandbox.sh: shell helpers for end-to-end tests, which print TAP.
# A test (tests/e2e/NN-name.t, plain sh) starts with
#   . "$(dirname "$0")/../lib/sandbox.sh"
#
# TAP:   plan N                 say how many tests follow (or use done_testing)
#        ok STATUS NAME         "ok" when STATUS is 0:  cmd; ok $? "cmd works"
#        is GOT WANT NAME       "ok" when the strings are equal
#        diag TEXT...           comment lines ("# ..."), shown by tests/run
#        done_testing           print the plan if none was given; exit status
# Sandbox (tools/mksandbox; as root it belongs to the user neoqmail):
#        sb_make                a fresh one in a temporary directory, on a
#                               free port; sets SB (its directory), SB_PORT,
#                               SB_USER (its owner and mail user), SB_MAILDIR
#                               (SB_USER's Maildir). It is stopped and removed
#                               at exit (kept when a test failed or SB_KEEP=1).
#        sb_start, sb_stop      bin/qmailctl start (and wait for qmail-send), stop
#        sb_send ARGS...        bin/sendmail ARGS, message on stdin
#        sb_wait_maildir MAILDIR N [SECONDS]   wait for N files in MAILDIR/new
#        sb_queue_empty [NAME]  TAP: no files left in the queue (waits a while)
#        sb_log                 the qmail-send log without timestamps
#                               (sb_log -t: with local times)
#        sb_adduser NAME        a mail user: home, Maildir, users/assign, qmail-newu
#        sb_procs               pids of live processes that belong to $SB
# Waits last at most SB_WAIT seconds (default 20).

SB_TOP=$(cd "$(dirname "$0")/../.." && pwd)
SB_WAIT=${SB_WAIT:-20}
_tap_n=0
_tap_failed=0
_tap_planned=
_sb_made=

plan() { _tap_planned=$1; echo "1..$1"; }

ok() {
  _tap_n=$((_tap_n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $_tap_n - $2"
    return 0
  fi
  _tap_failed=$((_tap_failed + 1))
  echo "not ok $_tap_n - $2"
  return 1
}

is() {
  if [ "$1" = "$2" ]; then ok 0 "$3"; return 0; fi
  ok 1 "$3"
  diag "got:  '$1'" "want: '$2'"
  return 1
}

diag() {
  for _l; do printf '%s\n' "$_l" | sed 's/^/# /'; done
}

done_testing() {
  [ -n "$_tap_planned" ] || echo "1..$_tap_n"
  if [ "$_tap_failed" != 0 ]; then exit 1; fi
  if [ -n "$_tap_planned" ] && [ "$_tap_planned" != "$_tap_n" ]; then exit 1; fi
  exit 0
}

# ---- sandboxes ----

_sb_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_sb_cleanup() {
  for _d in $_sb_made; do
    [ -x "$_d/sb/bin/qmailctl" ] && "$_d/sb/bin/qmailctl" stop >/dev/null 2>&1
    if [ "$_tap_failed" != 0 ] || [ -n "${SB_KEEP:-}" ]; then
      diag "sandbox kept in $_d/sb"
      [ -f "$_d/sb/log/qmail-send/current" ] &&
        diag "qmail-send log, last lines:" "$(SB=$_d/sb sb_log | tail -n 30)"
    else
      rm -rf "$_d"
    fi
  done
}

sb_make() {
  _base=$(mktemp -d "${TMPDIR:-/tmp}/neoq-sh.XXXXXX") || return 111
  chmod 755 "$_base" # the sandbox user must be able to enter it
  if [ -z "$_sb_made" ]; then
    trap _sb_cleanup EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
  fi
  _sb_made="$_sb_made $_base"
  SB=$_base/sb
  SB_PORT=$(_sb_free_port) || return 111
  if ! (unset MAKEFLAGS MFLAGS MAKELEVEL; sh "$SB_TOP/tools/mksandbox" "$SB" "$SB_PORT") \
      > "$_base/mksandbox.log" 2>&1; then
    diag "tools/mksandbox $SB $SB_PORT failed:" "$(tail -n 30 "$_base/mksandbox.log")"
    return 111
  fi
  SB_USER=$(stat -c %U "$SB")
  SB_MAILDIR=$SB/home/$SB_USER/Maildir
  return 0
}

# as the sandbox's user (root runs tests; the sandbox is not root's)
_sb_as() {
  if [ "$(id -u)" = 0 ]; then setuidgid "$SB_USER" "$@"; else "$@"; fi
}

_sb_send_up() {
  svstat "$SB/service/qmail-send" 2>/dev/null | grep -q ': up (pid '
}

sb_start() {
  "$SB/bin/qmailctl" start >/dev/null || return 1
  _sb_wait_up
}

_sb_wait_up() {
  _n=$((SB_WAIT * 10))
  while [ $_n -gt 0 ]; do
    _sb_send_up && return 0
    sleep 0.1
    _n=$((_n - 1))
  done
  diag "qmail-send did not come up:" "$(sb_log | tail -n 20)"
  return 1
}

sb_stop() { "$SB/bin/qmailctl" stop >/dev/null; }

sb_send() { "$SB/bin/sendmail" "$@"; }

_sb_count() { ls -A "$1" 2>/dev/null | wc -l; }

sb_wait_maildir() {
  _n=$((${3:-$SB_WAIT} * 10))
  while [ "$(_sb_count "$1/new")" -lt "$2" ]; do
    [ $_n -gt 0 ] || return 1
    sleep 0.1
    _n=$((_n - 1))
  done
  return 0
}

_sb_queue_files() {
  for _q in pid intd todo mess info local remote bounce; do
    find "$SB/queue/$_q" -type f 2>/dev/null
  done
}

sb_queue_empty() {
  _n=$((SB_WAIT * 10))
  while [ -n "$(_sb_queue_files)" ] && [ $_n -gt 0 ]; do
    sleep 0.1
    _n=$((_n - 1))
  done
  _left=$(_sb_queue_files)
  ok "$([ -z "$_left" ]; echo $?)" "${1:-the queue is empty}" && return 0
  diag "left in the queue:" "$_left"
  return 1
}

sb_log() {
  _logs=$(ls "$SB"/log/qmail-send/@* "$SB/log/qmail-send/current" 2>/dev/null)
  [ -n "$_logs" ] || return 0
  # shellcheck disable=SC2086
  if [ "${1:-}" = -t ]; then cat $_logs | tai64nlocal; else cat $_logs | sed 's/^@[0-9a-f]\{24\} //'; fi
}

sb_adduser() {
  _home=$SB/home/$1
  _uid=$(id -u "$SB_USER")
  _gid=$(id -g "$SB_USER")
  mkdir -p "$_home" && chmod 755 "$_home" || return 111
  [ "$(id -u)" = 0 ] && chown "$SB_USER:$(id -gn "$SB_USER")" "$_home"
  [ -d "$_home/Maildir" ] || _sb_as "$SB/bin/maildirmake" "$_home/Maildir" || return 111
  # every line but the final "." then ours: exact address and extensions
  { grep -v '^\.$' "$SB/users/assign"
    printf '=%s:%s:%s:%s:%s:::\n' "$1" "$SB_USER" "$_uid" "$_gid" "$_home"
    printf '+%s-:%s:%s:%s:%s:-::\n' "$1" "$SB_USER" "$_uid" "$_gid" "$_home"
    echo .
  } > "$SB/users/assign.new" || return 111
  [ "$(id -u)" = 0 ] && chown "$SB_USER" "$SB/users/assign.new"
  mv "$SB/users/assign.new" "$SB/users/assign" || return 111
  (cd "$SB" && _sb_as "$SB/bin/qmail-newu") || return 111
}

sb_procs() {
  for _p in /proc/[0-9]*; do
    _pid=${_p#/proc/}
    [ "$_pid" = $$ ] && continue
    _st=$(cat "$_p/stat" 2>/dev/null) || continue
    _st=${_st##*) }
    [ "${_st%% *}" = Z ] && continue
    _what="$(tr '\0' ' ' < "$_p/cmdline" 2>/dev/null) $(readlink "$_p/cwd" 2>/dev/null) $(readlink "$_p/exe" 2>/dev/null)"
    case $_what in *"$SB/"*|*"$SB "*) echo "$_pid" ;; esac
  done
}
