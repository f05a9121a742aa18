#!/bin/sh
# Builds each tests/fuzz/*.c as a libFuzzer target linked with the agent sources.
set -eu
build=$1
out=$build/fuzz
mkdir -p "$out"
srcs=$(ls agent/*.c | grep -v -e 'agent/airlockd.c' -e 'agent/airlock.c')
for f in tests/fuzz/*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .c)
	echo "  FUZZ     $out/$name"
	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Iagent -I"$build" \
		-o "$out/$name" "$f" $srcs \
		-lbpf -lelf -lz -lseccomp -lyaml -ljansson -lhs -lsystemd -lcrypto -lm -lpthread
done
