#!/bin/sh
# `make run`: start airlockd in the foreground with its embedded default policy.
set -eu
build=$(cd "$1" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "make run: airlockd needs root (seccomp listeners of other users, cgroups, BPF): sudo make run" >&2
	exit 1
fi
cat <<MSG

airlockd is starting with the embedded default policy (show it: $build/airlock policy show --default).
From a second terminal, in a scratch directory, try:

    mkdir -p junk/a
    $build/airlock run -- sh -c 'echo working; rm -rf junk; echo rc=\$?'   # the rm waits for you
    $build/airlock pending                                 # see it (from a third terminal)
    $build/airlock approve 1                               # let it run (or: deny 1)
    $build/airlock watch                                   # follow asks and decisions live
    $build/airlock status

Audit log: /var/log/airlock/audit.jsonl (verify: $build/airlock audit verify /var/log/airlock/audit.jsonl)
Stop with Ctrl-C.

MSG
exec "$build/airlockd" -v
