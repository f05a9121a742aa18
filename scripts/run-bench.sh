#!/bin/sh
# Runs each benchmark binary; each prints its own table of ratios.
set -eu
build=$1; shift
for b in "$@"; do
	echo "== $b"
	"$b"
done
