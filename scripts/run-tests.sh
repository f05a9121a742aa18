#!/bin/sh
# Runs every test binary given, as root where the integration suites need it, and
# prints one closing line: "N passed, N failed, N skipped".
set -u
build=$1; shift
pass=0 fail=0 skip=0 failed=""
for t in "$@"; do
	[ -x "$t" ] || continue
	echo "== $t"
	out=$(mktemp)
	# Criterion forks one process per test; -j2 keeps the 2-core machine busy without
	# oversubscribing the integration tests that start their own daemons.
	"$t" --jobs=2 --verbose=0 --always-succeed=0 2>&1 | tee "$out"
	rc=$?
	line=$(grep -E '^\[====\] Synthesis:' "$out" | tail -1)
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	s=$(grep -c '\[SKIP\]' "$out")
	rm -f "$out"
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${c:-0}))
	skip=$((skip + s))
	if [ -z "$line" ] || [ "${f:-0}" != 0 ] || [ "${c:-0}" != 0 ]; then
		failed="$failed $t"
		[ -z "$line" ] && fail=$((fail + 1))
	fi
done
echo
[ -n "$failed" ] && echo "failing suites:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
