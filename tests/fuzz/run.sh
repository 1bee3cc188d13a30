#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time: run.sh BINARY SECONDS
# Seeds come from tests/fuzz/corpus/<target>/ (read-only); new inputs go to
# a scratch directory.  Fails if the fuzzer finds a crash, leak or timeout.
set -eu
bin=$1
secs=${2:-60}
name=$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=()
[ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
echo "fuzz: $name for ${secs}s"
"$bin" -max_total_time="$secs" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work" "${seeds[@]}" \
	>"$work/log" 2>&1 || {
	tail -50 "$work/log"
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -f "$f" ] && { echo "artifact $f:"; od -An -tx1 "$f" | head -20; }
	done
	exit 1
}
grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$work/log" || true
