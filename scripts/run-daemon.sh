#!/bin/sh
# `make run`: start airlockd in the foreground with its embedded default policy.
set -eu
build=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "make run: airlockd needs root (seccomp listeners of other users, cgroups, BPF): sudo make run" >&2
	exit 1
fi
cat <<MSG

airlockd is starting with the embedded default policy (show it: $build/airlock policy show --default).
From a second terminal, try:

    $build/airlock run -- sh -c 'echo hello; sudo true'   # the sudo waits for you
    $build/airlock pending                                 # see it
    $build/airlock approve 1                               # let it run
    $build/airlock watch                                   # follow decisions live
    $build/airlock status

Audit log: /var/log/airlock/audit.jsonl (verify: $build/airlock audit verify /var/log/airlock/audit.jsonl)
Stop with Ctrl-C.

MSG
exec "$build/airlockd" -v
