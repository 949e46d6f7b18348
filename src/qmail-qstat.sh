#!/bin/sh
# qmail-qstat: count the messages in the queue (qmail-qstat(8)).
# Built from src/qmail-qstat.sh: the home directory is filled in by make.
QMAILHOME='@QMAILHOME@'
PATH=/usr/bin:/bin
export PATH

fatal() { echo "qmail-qstat: fatal: $*" >&2; exit 111; }

# count DIR: the number of files under DIR. find's own status is lost in
# a pipe, so a failure is passed on as a line "!", which no queue file
# name can be (they all begin with the directory name).
count() {
  { find "$1" -type f -print || echo '!'; } |
    awk '$0 == "!" { bad = 1; next } { n++ } END { if (bad) exit 1; print n + 0 }'
}

cd "$QMAILHOME/queue" 2>/dev/null || fatal "unable to chdir to $QMAILHOME/queue"
mess=$(count mess) || fatal "unable to read $QMAILHOME/queue/mess"
todo=$(count todo) || fatal "unable to read $QMAILHOME/queue/todo"
echo "messages in queue: $mess"
echo "messages in queue but not yet preprocessed: $todo"
exit 0
