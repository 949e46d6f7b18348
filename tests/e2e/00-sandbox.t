#!/bin/sh
# A sandbox is made right, starts, refuses a second start, stops with
# nothing left running, survives being made again, and lives beside another.
. "$(dirname "$0")/../lib/sandbox.sh"

sb_make
ok $? "tools/mksandbox makes a sandbox" || done_testing

out=$("$SB/bin/qmail-install" -c 2>&1)
ok $? "qmail-install -c finds every file with its owner and mode" || diag "$out"
ok "$(test -u "$SB/bin/qmail-queue"; echo $?)" "qmail-queue is setuid"
ok "$(test -p "$SB/queue/lock/trigger"; echo $?)" "lock/trigger is a named pipe"
[ "$(id -u)" = 0 ] && is "$SB_USER" neoqmail "as root, the sandbox belongs to neoqmail"
[ "$(id -u)" = 0 ] || is "$SB_USER" "$(id -un)" "the sandbox belongs to its maker"
me=$(cat "$SB/control/me")
ok "$(grep -qx localhost "$SB/control/locals" && grep -qxF "$me" "$SB/control/locals"; echo $?)" \
  "localhost and control/me ($me) are local"
case $me in *.*) ok 0 "control/me has a dot (qmail-inject would qualify it)" ;;
  *) ok 1 "control/me has a dot (qmail-inject would qualify it)" ;; esac
is "$(cat "$SB/control/doublebounceto")" postmaster "double bounces go to postmaster"
is "$(cat "$SB/port")" "$SB_PORT" "the port is recorded"
ok "$(grep -q "^=$SB_USER:$SB_USER:$(id -u "$SB_USER"):$(id -g "$SB_USER"):$SB/home/$SB_USER:::\$" \
  "$SB/users/assign"; echo $?)" "users/assign names the mail user"
ok "$(test -s "$SB/users/cdb"; echo $?)" "qmail-newu made users/cdb"
ok "$(test -d "$SB_MAILDIR/new" && test -d "$SB/alias/Maildir/new"; echo $?)" "Maildirs for the user and for alias"
is "$(cat "$SB/alias/.qmail-postmaster")" ./Maildir/ "postmaster's mail goes to alias/Maildir/"
is "$(sb_procs)" "" "nothing runs before start"

sb_start
ok $? "qmailctl start: qmail-send comes up"
pid=$(cat "$SB/run/svscan.pid")
ok "$(svstat "$SB/service/qmail-send/log" | grep -q ': up '; echo $?)" "its log service is up"
"$SB/bin/qmailctl" start >/dev/null 2>&1
is $? 111 "a second start is refused"
is "$(cat "$SB/run/svscan.pid")" "$pid" "and changes nothing"
out=$("$SB/bin/qmailctl" stat 2>&1)
ok $? "qmailctl stat" || diag "$out"
ok "$(echo "$out" | grep -q 'qmail-send: up'; echo $?)" "stat shows qmail-send up" || diag "$out"
n=$((SB_WAIT * 10))
until sb_log | grep -q '^status: ' || [ $n = 0 ]; do sleep 0.1; n=$((n - 1)); done
ok "$(sb_log | grep -q '^status: '; echo $?)" "qmail-send logs through multilog"
# the helpers e2e tests use: a message each to the sandbox's user and a new one
printf 'Subject: smoke\n\nhello\n' | sb_send "$SB_USER"
ok $? "sendmail to the sandbox's user"
sb_wait_maildir "$SB_MAILDIR" 1
ok $? "it lands in $SB_USER's Maildir/new" || diag "$(sb_log | tail -n 20)"
sb_adduser carol
ok $? "sb_adduser carol"
printf 'Subject: smoke\n\nhello\n' | sb_send "carol@$me"
sb_wait_maildir "$SB/home/carol/Maildir" 1
ok $? "carol gets mail" || diag "$(sb_log | tail -n 20)"
sb_queue_empty "nothing is left in the queue"
n=$((SB_WAIT * 10))
until [ "$(sb_log | grep -c '^end msg ')" -ge 2 ] || [ $n = 0 ]; do sleep 0.1; n=$((n - 1)); done
is "$(sb_log | grep -c '^end msg ')" 2 "the log shows two end msg lines"

"$SB/bin/qmailctl" frobnicate >/dev/null 2>&1
is $? 1 "an unknown verb is a usage error"

"$SB/bin/qmailctl" stop >/dev/null
ok $? "qmailctl stop"
left=$(sb_procs)
is "$left" "" "nothing of the sandbox runs after stop" || ps -o pid,user,args -p "$(echo $left | tr ' ' ,)" | diag "$(cat)"
ok "$(test ! -e "$SB/run/svscan.pid"; echo $?)" "the pid file is gone"
"$SB/bin/qmailctl" stop >/dev/null
is $? 0 "stop when stopped is fine"

# made again: programs upgraded, modes repaired, configuration and queue untouched
chmod 644 "$SB/queue/lock/trigger"
out=$("$SB/bin/qmail-install" -c 2>&1)
is $? 1 "qmail-install -c notices a wrong mode"
is "$out" "$SB/queue/lock/trigger: mode 0644, want 0622" "and says what is wrong"
echo edited.example > "$SB/control/me"
echo junk > "$SB/queue/mess/0/1"
(unset MAKEFLAGS MFLAGS MAKELEVEL; sh "$SB_TOP/tools/mksandbox" "$SB" "$SB_PORT") >/dev/null 2>&1
ok $? "tools/mksandbox over an existing sandbox"
out=$("$SB/bin/qmail-install" -c 2>&1)
ok $? "the mode is right again" || diag "$out"
is "$(cat "$SB/control/me")" edited.example "control files are kept"
is "$(cat "$SB/queue/mess/0/1")" junk "the queue is not touched"
rm -f "$SB/queue/mess/0/1"

# restart, and two sandboxes side by side
sb_start
ok $? "started again"
first=$SB
sb_make
ok $? "a second sandbox"
second=$SB
sb_start
ok $? "the second one starts while the first runs"
"$first/bin/qmailctl" restart >/dev/null
ok $? "qmailctl restart of the first"
SB=$first
_sb_wait_up
ok $? "the first is up after restart"
sb_stop
is "$(sb_procs)" "" "the first stops completely"
SB=$second
ok "$(_sb_send_up; echo $?)" "the second still runs"
sb_stop
is "$(sb_procs)" "" "the second stops completely"

done_testing
