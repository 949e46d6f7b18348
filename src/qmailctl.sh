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

say() { echo "qmailctl: $*"; }
fail() { echo "qmailctl: $*" >&2; exit 111; }
usage() {
  echo "usage: qmailctl start|stop|restart|stat|queue|flush|reload|pause|cont|cdb|help" >&2
  exit 1
}

help() {
  cat <<EOF
qmailctl controls neoqmail in $QMAILHOME$( [ "$SANDBOX" = 1 ] && echo " (a sandbox, SMTP port $PORT)").
  start    start the services$( [ "$SANDBOX" = 1 ] && echo " (svscan on $QMAILHOME/service)")
  stop     stop them; qmail-send finishes the deliveries in progress
  restart  stop, then start
  stat     service status and queue counts
  queue    list the queue (qmail-qread)
  flush    try every queued message now (svc -a qmail-send)
  reload   reread control files (svc -h qmail-send)
  pause    suspend the services (svc -p)
  cont     resume them (svc -c)
  cdb      compile control/tcp.smtp into tcp.smtp.cdb (tcprules) and
           control/morercpthosts into morercpthosts.cdb (qmail-newmrh)
  help     this text
Exit codes: 0 done, 1 usage, 111 failure.
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

# the SMTP service's databases; qmail-smtpd reads them at each connection
cdb() {
  cd "$QMAILHOME/control" || fail "unable to enter $QMAILHOME/control"
  if [ -f tcp.smtp ]; then
    tcprules tcp.smtp.cdb tcp.smtp.tmp < tcp.smtp || fail "unable to compile control/tcp.smtp"
    say "compiled control/tcp.smtp into tcp.smtp.cdb"
  fi
  if [ -f morercpthosts ]; then
    qmail-newmrh || fail "qmail-newmrh failed"
    say "compiled control/morercpthosts into morercpthosts.cdb"
  fi
  return 0
}

stat_() {
  need_services
  rc=0
  if [ "$SANDBOX" = 1 ]; then
    if pid=$(svscan_pid); then echo "svscan: up (pid $pid)"; else echo "svscan: not running"; fi
  fi
  for s in $list; do
    svstat "$s" || rc=111
    [ -d "$s/log" ] && { svstat "$s/log" || rc=111; }
  done
  qmail-qstat || rc=111
  return $rc
}

real_start() {
  need_services
  rc=0
  for s in $list; do
    supervised "$s" && { svc -u "$s" || rc=111; } || rc=111
    [ -d "$s/log" ] && { supervised "$s/log" && svc -u "$s/log" || rc=111; }
  done
  [ $rc = 0 ] && say "started"
  return $rc
}

real_stop() {
  control -d || return 111
  say "stopped (the logs keep running)"
}

[ $# -eq 1 ] || usage
case $1 in
  start) if [ "$SANDBOX" = 1 ]; then sandbox_start; else real_start; fi ;;
  stop) if [ "$SANDBOX" = 1 ]; then sandbox_stop; else real_stop; fi ;;
  restart)
    if [ "$SANDBOX" = 1 ]; then
      sandbox_stop && sandbox_start
    else
      control -t && say "restarted"
    fi ;;
  stat|status) stat_ ;;
  queue) qmail-qread ;;
  flush) sandbox_running; control -a qmail-send && say "flushing the queue" ;;
  reload|hup) sandbox_running; control -h qmail-send && say "rereading control files" ;;
  pause) sandbox_running; control -p && say "paused" ;;
  cont) sandbox_running; control -c && say "continued" ;;
  cdb) cdb ;;
  help|-h|--help) help ;;
  *) usage ;;
esac
exit $?
