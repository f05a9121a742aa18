#!/bin/sh
# Runs every test binary given and prints one closing line:
# "N passed, N failed, N skipped".  Criterion forks one process per test; --jobs=2 fits
# the 2-core machines this runs on, and --timeout stops a hung test instead of the run.
# --ignore-warnings: a cr_log_warn (a test noting what it could not arrange, e.g. a pid
# not reused) is information, not a failure; failures are counted from the synthesis.
set -u
build=$1; shift
pass=0 fail=0 skip=0 failed=""
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" --jobs=2 --verbose --timeout 300 --ignore-warnings >"$out" 2>&1
	rc=$?
	# The per-test lines for passes are noise in CI logs; keep everything else.
	grep -v -e '^\[RUN \]' -e '^\[PASS\]' "$out"
	line=$(grep -E '^\[====\] Synthesis:' "$out" | tail -1)
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	s=$(grep -c '^\[SKIP\]' "$out")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${c:-0}))
	skip=$((skip + s))
	if [ -z "$line" ] || [ "$rc" -ne 0 ]; then
		failed="$failed $t"
		# A suite that died before its synthesis counts as one failure.
		[ -z "$line" ] && fail=$((fail + 1))
	fi
done
echo
[ -n "$failed" ] && echo "failing suites:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ -z "$failed" ]
