#!/usr/bin/env bash
# Every test of ipsecd, from a fresh Debian 12 machine (as root):
#   1. installs the build and test dependencies,
#   2. builds and runs `make check` (unit tests, scapy interop, header check),
#   3. does the same in an ASan+UBSan build (--enable-sanitizers),
#   4. builds every libFuzzer target with clang (make print-fuzz-targets)
#      and fuzzes each for FUZZ_SECONDS (default 60),
#   5. runs `make distcheck`.
# Ends with one line "N passed, N failed" over all test programs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fuzz_seconds=${FUZZ_SECONDS:-60}
jobs=$(nproc)

"$top/scripts/deps.sh"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

total_pass=0
total_fail=0
status=0

# Add one build's automake test summary to the totals.
tally() {
	local log=$1 pass fail skip err xpass
	pass=$(sed -n 's/^# PASS: *//p' "$log")
	fail=$(sed -n 's/^# FAIL: *//p' "$log")
	err=$(sed -n 's/^# ERROR: *//p' "$log")
	xpass=$(sed -n 's/^# XPASS: *//p' "$log")
	skip=$(sed -n 's/^# SKIP: *//p' "$log")
	total_pass=$((total_pass + ${pass:-0}))
	total_fail=$((total_fail + ${fail:-0} + ${err:-0} + ${xpass:-0}))
	echo "$2: ${pass:-0} passed, $((${fail:-0} + ${err:-0})) failed, ${skip:-0} skipped"
}

run_check() {
	local name=$1 dir=$2
	shift 2
	echo "== $name: configure and build in $dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -j"$jobs" >/dev/null)
	echo "== $name: make check"
	if ! (cd "$dir" && make -j"$jobs" check >check.out 2>&1); then
		status=1
		cat "$dir/check.out" | tail -40
		[ -f "$dir/test-suite.log" ] && cat "$dir/test-suite.log"
	fi
	if [ -f "$dir/test-suite.log" ]; then
		tally "$dir/test-suite.log" "$name"
	else
		echo "$name: no test-suite.log (build failed)"
		total_fail=$((total_fail + 1))
		status=1
	fi
}

run_check "unit" "$top/build/test"
run_check "sanitizers" "$top/build/asan" --enable-sanitizers

echo "== fuzz: clang libFuzzer builds, ${fuzz_seconds}s on each target"
mkdir -p "$top/build/fuzz"
if (cd "$top/build/fuzz" && CC=clang "$top/configure" -q --enable-fuzz &&
	make -j"$jobs" fuzz-targets >/dev/null); then
	for t in $(cd "$top/build/fuzz" && make -s print-fuzz-targets); do
		if "$top/tests/fuzz/run.sh" "$top/build/fuzz/$t" "$fuzz_seconds"; then
			echo "fuzz $(basename "$t"): 1 passed, 0 failed"
			total_pass=$((total_pass + 1))
		else
			echo "fuzz $(basename "$t"): 0 passed, 1 failed"
			total_fail=$((total_fail + 1))
			status=1
		fi
	done
else
	echo "fuzz: build failed"
	total_fail=$((total_fail + 1))
	status=1
fi

echo "== distcheck"
if (cd "$top/build/test" && make -j"$jobs" distcheck >distcheck.out 2>&1); then
	echo "distcheck: 1 passed, 0 failed"
	total_pass=$((total_pass + 1))
else
	tail -60 "$top/build/test/distcheck.out"
	echo "distcheck: 0 passed, 1 failed"
	total_fail=$((total_fail + 1))
	status=1
fi

echo "$total_pass passed, $total_fail failed"
exit $status
