#!/bin/sh
# qmailctl: start, stop and inspect neoqmail's services (qmailctl(8)).
# Built from src/qmailctl.sh: the values below are filled in by make.
QMAILHOME='@QMAILHOME@'
SANDBOX='@SANDBOX@'
PORT='@PORT@'
PATH="$QMAILHOME/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
export PATH
umask 022

# seconds to wait for a stop: qmail-send finishes the deliveries in progress
STOP_WAIT=${QMAILCTL_STOP_WAIT:-60}
START_WAIT=10
PIDFILE=$QMAILHOME/run/svscan.pid

# Exit codes (qmailctl(8)): 0 done; 1 usage; 2 check found a problem;
# 3 stat found a service that is not up; 111 failure, with a message.
say() { echo "qmailctl: $*"; }
warn() { echo "qmailctl: $*" >&2; }
fail() { warn "$*"; exit 111; }
usage() {
  [ $# -gt 0 ] && warn "$*"
  echo "usage: qmailctl start|stop|restart [service...] | stat|queue|flush|reload|pause|cont|cdb|check|help" >&2
  exit 1
}

help() {
  cat <<EOF
qmailctl controls neoqmail in $QMAILHOME$( [ "$SANDBOX" = 1 ] && echo " (a sandbox, SMTP port $PORT)").
  start    start the services$( [ "$SANDBOX" = 1 ] && echo " (svscan on $QMAILHOME/service)")
  stop     stop them; qmail-send finishes the deliveries in progress
  restart  stop, then start
           (start, stop and restart take service names too: qmailctl
           restart qmail-smtpd acts on that service only, with svc)
  stat     service status and queue counts
  queue    list the queue (qmail-qread)
  flush    try every queued message now (svc -a qmail-send)
  reload   reread control files (svc -h qmail-send)
  pause    suspend the services (svc -p)
  cont     resume them (svc -c)
  cdb      compile the tcprules files the SMTP service reads (control/
           tcp.smtp into tcp.smtp.cdb) and control/morercpthosts into
           morercpthosts.cdb (qmail-newmrh)
  check    the installed files' owners and modes (qmail-install -c) and
           the control files (qmail-showctl -c): what is wrong, if anything
  help     this text
Exit codes: 0 done, 1 usage, 2 check found a problem, 3 stat found a
service not up, 111 failure.
EOF
}

# ---- processes, through /proc ----

# true if pid $1 exists and is not a zombie
alive() {
  read -r st 2>/dev/null < "/proc/$1/stat" || return 1
  set -- ${st##*) }
  [ "$1" != Z ] && [ "$1" != X ]
}

# pids in process group $1, zombies left out
group_members() {
  g=$1
  for f in /proc/[0-9]*/stat; do
    read -r st 2>/dev/null < "$f" || continue
    pid=${st%% *}
    set -- ${st##*) }
    [ "$3" = "$g" ] && [ "$1" != Z ] && echo "$pid"
  done
  return 0
}

# the pid of our svscan, if it runs
svscan_pid() {
  read -r pid 2>/dev/null < "$PIDFILE" || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  alive "$pid" || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)
  case $cmd in *"svscan $QMAILHOME/service"*) echo "$pid" ;; *) return 1 ;; esac
}

# the pid of an svscan that watches directory $1: named as its argument,
# or, with none, as its working directory
svscan_watching() {
  want=$(cd "$1" 2>/dev/null && pwd -P) || return 1
  for f in /proc/[0-9]*/cmdline; do
    p=${f#/proc/}; p=${p%/cmdline}
    # shellcheck disable=SC2046
    set -- $(tr '\0' ' ' < "$f" 2>/dev/null)
    [ "${1##*/}" = svscan ] || continue
    cwd=$(readlink "/proc/$p/cwd" 2>/dev/null) || continue
    case ${2:-.} in /*) d=$2 ;; *) d=$cwd/${2:-.} ;; esac
    [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$want" ] && { echo "$p"; return 0; }
  done
  return 1
}

# ---- services ----

# the service directories to act on, main services only
services() {
  if [ "$SANDBOX" = 1 ]; then
    for d in "$QMAILHOME"/service/*/; do
      [ -f "${d}run" ] && echo "${d%/}"
    done
    return 0
  fi
  svdir=${SERVICEDIR:-}
  [ -n "$svdir" ] || { [ -d /etc/service ] && svdir=/etc/service; }
  [ -n "$svdir" ] || { [ -d /service ] && svdir=/service; }
  for d in "$QMAILHOME"/service/*/; do
    n=$(basename "$d")
    [ -n "$svdir" ] && [ -d "$svdir/$n" ] && echo "$svdir/$n"
  done
  return 0
}

need_services() {
  list=$(services)
  [ -n "$list" ] && return 0
  if [ "$SANDBOX" = 1 ]; then fail "no services in $QMAILHOME/service: run make sandbox"; fi
  echo "qmailctl: no neoqmail service is linked into /etc/service (or /service); link them with" >&2
  for d in "$QMAILHOME"/service/*/; do [ -f "${d}run" ] && echo "  ln -s ${d%/} /etc/service/" >&2; done
  exit 111
}

# the named services exist (a usage error otherwise)
known_names() {
  need_services
  for n; do
    found=
    for s in $list; do [ "$(basename "$s")" = "$n" ] && found=1; done
    [ -n "$found" ] || usage "no service named $n; there are:$(for s in $list; do printf " %s" "$(basename "$s")"; done)"
  done
}

# true if supervise says the service $1 runs (and is not paused)
is_up() {
  case $(svstat "$1" 2>/dev/null) in
    *": up "*", paused"*) return 1 ;;
    *": up "*) return 0 ;;
  esac
  return 1
}

# flush and reload talk to a running qmail-send: svc alone would be silent
need_send_up() {
  need_services
  for s in $list; do
    [ "$(basename "$s")" = qmail-send ] || continue
    supervised "$s" || exit 111
    is_up "$s" || fail "qmail-send is not up ($(svstat "$s" 2>&1 | sed 's/^[^:]*: //')): nothing to $1; start it with: qmailctl start qmail-send"
    return 0
  done
  fail "there is no qmail-send service"
}

# svc OPTION on the named services (qmail-send, ...) or all
control() {
  opt=$1; shift
  need_services
  rc=0
  for s in $list; do
    if [ $# -gt 0 ]; then
      case " $* " in *" $(basename "$s") "*) ;; *) continue ;; esac
    fi
    supervised "$s" && { svc "$opt" "$s" || rc=111; } || rc=111
  done
  return $rc
}

# svc only warns when nobody supervises a service
supervised() {
  svok "$1" 2>/dev/null && return 0
  echo "qmailctl: $1 is not supervised: is svscan running on $(dirname "$1")?" >&2
  return 1
}

# wait up to $1 seconds until no supervise runs on the directories that follow
wait_supervise_gone() {
  n=$(( $1 * 10 )); shift
  while [ $n -gt 0 ]; do
    up=
    for d; do svok "$d" 2>/dev/null && up=1; done
    [ -z "$up" ] && return 0
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}

# ---- sandbox: our own svscan ----

sandbox_running() {
  if [ "$SANDBOX" = 1 ]; then
    svscan_pid >/dev/null || fail "not running (start it with: $QMAILHOME/bin/qmailctl start)"
  fi
}

sandbox_start() {
  if pid=$(svscan_pid); then fail "already running (svscan pid $pid)"; fi
  need_services
  for s in $list; do
    svok "$s" 2>/dev/null && fail "$s is supervised without our svscan: run qmailctl stop first"
  done
  mkdir -p "$QMAILHOME/run" "$QMAILHOME/log" || fail "unable to make $QMAILHOME/run"
  rm -f "$PIDFILE"
  # the shell writes its own pid, then becomes svscan: the pid is right
  # whether setsid forks or not. A session of its own keeps it from the
  # terminal, and gives stop a process group to wait for.
  setsid sh -c 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1" && exec svscan "$2/service"' \
    sh "$PIDFILE" "$QMAILHOME" </dev/null >>"$QMAILHOME/log/svscan.log" 2>&1 &
  n=$((START_WAIT * 10))
  while [ $n -gt 0 ]; do
    started=1
    for s in $list; do svok "$s" 2>/dev/null || started=; done
    [ -n "$started" ] && pid=$(svscan_pid) && { say "started (svscan pid $pid)"; return 0; }
    sleep 0.1
    n=$((n - 1))
  done
  tail -n 5 "$QMAILHOME/log/svscan.log" >&2 2>/dev/null
  fail "svscan did not start the services; see $QMAILHOME/log/svscan.log"
}

sandbox_stop() {
  need_services
  pid=$(svscan_pid) || pid=
  if [ -n "$pid" ]; then
    # svscan first, or it would start a supervise again
    kill -TERM "$pid" 2>/dev/null
    n=50
    while alive "$pid" && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
  fi
  logs=
  was=$pid
  for s in $list; do
    [ -d "$s/log" ] && logs="$logs $s/log"
    svok "$s" 2>/dev/null && { svc -dx "$s"; was=1; }
  done
  # the logs last: they write what the services said until the end
  ok=1
  wait_supervise_gone "$STOP_WAIT" $list || ok=
  for l in $logs; do svok "$l" 2>/dev/null && { svc -dx "$l"; was=1; }; done
  wait_supervise_gone 10 $logs || ok=
  if [ -n "$pid" ]; then
    n=$((STOP_WAIT * 10))
    while [ -n "$(group_members "$pid")" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
    left=$(group_members "$pid")
    if [ -n "$left" ]; then
      echo "qmailctl: still running after ${STOP_WAIT}s, killed:" $left >&2
      kill -KILL -- "-$pid" 2>/dev/null
      ok=
    fi
  fi
  rm -f "$PIDFILE"
  [ -n "$pid" ] || [ -n "$ok" ] || fail "unable to stop every supervise"
  if [ -z "$was" ]; then say "not running"; else say "stopped"; fi
}

# ---- verbs ----

# the tcprules databases the services' run scripts give tcpserver -x,
# one a line, and control/tcp.smtp.cdb, without repeats
rules_cdbs() {
  {
    echo "$QMAILHOME/control/tcp.smtp.cdb"
    for d in "$QMAILHOME"/service/*/; do
      [ -f "${d}run" ] && sed -n 's/.*[[:space:]]-x[[:space:]]*\([^[:space:]]*\.cdb\).*/\1/p' "${d}run"
    done
  } | awk '!seen[$0]++'
}

# in a sandbox that root runs, files are made as the sandbox's owner
as_owner() {
  if [ "$SANDBOX" = 1 ] && [ "$(id -u)" = 0 ]; then
    setuidgid "$(stat -c %U "$QMAILHOME")" "$@"
  else
    "$@"
  fi
}

# The rules lines tcprules cannot take (neither :allow nor :deny), as
# "LINENO: LINE": Debian's tcprules loops forever on them, so they are
# refused here, and tcprules gets a deadline besides.
bad_rules() {
  awk '/^[[:space:]]*(#|$)/ { next } !/:(allow|deny)(,|[[:space:]]*$)/ { print NR ": " $0 }' "$1"
}

# the SMTP service's databases; qmail-smtpd (and tcpserver) read them at
# each connection, so nothing needs a restart
cdb() {
  cd "$QMAILHOME/control" || fail "unable to enter $QMAILHOME/control"
  done_=
  for c in $(rules_cdbs); do
    src=${c%.cdb}
    [ -f "$src" ] || continue
    bad=$(bad_rules "$src")
    [ -z "$bad" ] || fail "$src: these lines say neither allow nor deny; nothing was compiled:
$bad"
    as_owner timeout 60 tcprules "$c" "$src.tmp" < "$src" || fail "unable to compile $src (tcprules said why, above)"
    say "compiled $src into $c"
    done_=1
  done
  if [ -f morercpthosts ]; then
    as_owner qmail-newmrh || fail "qmail-newmrh failed"
    say "compiled control/morercpthosts into morercpthosts.cdb"
    done_=1
  fi
  [ -n "$done_" ] || say "nothing to compile: no tcprules file ($(rules_cdbs | sed 's/\.cdb$//' | tr '\n' ' ')) and no control/morercpthosts"
  return 0
}

# the installed tree, then the configuration; both may speak
check() {
  rc=0
  qmail-install -c
  case $? in 0) ;; 1) rc=2 ;; *) rc=111 ;; esac
  qmail-showctl -c
  case $? in 0) ;; 1) [ $rc = 0 ] && rc=2 ;; *) rc=111 ;; esac
  case $rc in
    0) say "the installed files and the control files look right" ;;
    2) warn "found the problems above (see qmail-install(8) and qmail-showctl(8))" ;;
    *) warn "unable to check everything (see above)" ;;
  esac
  return $rc
}

# one line per service and log, then the queue; 3 when one is not up
stat_() {
  need_services
  rc=0
  if [ "$SANDBOX" = 1 ]; then
    if pid=$(svscan_pid); then echo "svscan: up (pid $pid)"; else echo "svscan: not running"; rc=3; fi
  else
    d=$(dirname "$(echo "$list" | sed -n 1p)")
    if pid=$(svscan_watching "$d"); then echo "svscan: up (pid $pid) on $d"
    else echo "svscan: no svscan process watches $d; it must start at boot (see INSTALL)"; fi
  fi
  for s in $list $(for s in $list; do [ -d "$s/log" ] && echo "$s/log"; done); do
    svstat "$s" 2>&1
    is_up "$s" || rc=3
  done
  qmail-qstat || rc=111
  return $rc
}

real_start() {
  need_services
  [ $# -gt 0 ] && list=$(for s in $list; do case " $* " in *" $(basename "$s") "*) echo "$s" ;; esac; done)
  rc=0
  for s in $list; do
    supervised "$s" && { svc -u "$s" || rc=111; } || rc=111
    [ -d "$s/log" ] && { supervised "$s/log" && svc -u "$s/log" || rc=111; }
  done
  [ $rc = 0 ] && say "started${1:+ $*}"
  return $rc
}

real_stop() {
  control -d "$@" || return 111
  say "stopped${1:+ $*} (the logs keep running)"
}

[ $# -ge 1 ] || usage
verb=$1; shift
case $verb in
  start|stop|restart) [ $# -gt 0 ] && known_names "$@" ;;
  *) [ $# -eq 0 ] || usage "$verb takes no arguments" ;;
esac
case $verb in
  start)
    if [ "$SANDBOX" = 1 ] && [ $# -eq 0 ]; then sandbox_start
    else sandbox_running; real_start "$@"; fi ;;
  stop)
    if [ "$SANDBOX" = 1 ] && [ $# -eq 0 ]; then sandbox_stop
    else sandbox_running; real_stop "$@"; fi ;;
  restart)
    if [ "$SANDBOX" = 1 ] && [ $# -eq 0 ]; then
      sandbox_stop && sandbox_start
    else
      sandbox_running; control -t "$@" && say "restarted${1:+ $*}"
    fi ;;
  stat|status) stat_ ;;
  queue) qmail-qread || exit 111 ;;
  flush) sandbox_running; need_send_up flush; control -a qmail-send && say "flushing the queue" ;;
  reload|hup) sandbox_running; need_send_up reload; control -h qmail-send && say "rereading control files" ;;
  pause) sandbox_running; control -p && say "paused" ;;
  cont) sandbox_running; control -c && say "continued" ;;
  cdb) cdb ;;
  check) check ;;
  help|-h|--help) help ;;
  *) usage "unknown command: $verb" ;;
esac
exit $?
