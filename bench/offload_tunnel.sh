#!/usr/bin/env bash
# The offload benchmark at the tunnel level: figures, never pass/fail.
#
#   bench/offload_tunnel.sh [SECONDS [STREAMS]]   (as root, from a build
#                                                 directory)
#
# Two namespaces joined by a veth pair, each with its own ipsecd, one
# ESP tunnel (AES-128-GCM-16, 2 workers), iperf3 TCP from A to B for
# SECONDS (default 5) with STREAMS parallel streams (default 4: one TCP
# stream's window, over a path the accelerator makes 4 latencies longer,
# holds fewer packets than the pipeline can), once per crypto setting,
# all in the same run:
#
#   default        no crypto section: OpenSSL's default provider, inline
#   test N us      the test provider (tests/provider/ipsecdtest.c) on both
#                  sides at N = 0, 50 and 200 us per operation, through
#                  the workers' asynchronous pipeline (offload prefer)
#
# For each: the stream's throughput (Mbit/s), the packets per second A's
# outbound SA carried, what one operation at a time would allow at that
# latency (1 / latency, in packets per second: each packet is one
# operation on each side), the ratio of the two, and the most operations
# the provider of A had in flight at once.  The machine is shared and
# iperf3 over veth is noisy: compare the rows of one run, not runs.
#
# The namespaces and daemons come from tests/netns/e2e_lib.sh (and the
# provider's configuration from tests/netns/crypto_lib.sh); the build
# directory is the current one, the sources are found from this script.
set -eu
secs=${1:-5}
streams=${2:-4}
here=$(cd "$(dirname "$0")" && pwd)
export srcdir=$here/..
. "$here/../tests/netns/e2e_lib.sh"
. "$here/../tests/netns/crypto_lib.sh"
e2e_require
crypto_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair 2>/dev/null

# One setting: LABEL LATENCY (LATENCY "-" for the default provider).
run() {
	local label=$1 lat=$2 p0 p1 mbps pps one ratio infl
	if [[ $lat == - ]]; then
		e2e_pair_conf </dev/null
	else
		crypto_pair_conf prefer "$lat" 0
	fi
	e2e_start A 2>/dev/null
	e2e_start B 2>/dev/null
	p0=$(e2e_sa_get A 0x1001 .packets 2>/dev/null)
	nbg "$B" iperf3-s iperf3 -s -1 -p 5201 2>/dev/null
	sleep 0.5
	n "$A" timeout $((secs + 30)) iperf3 -c 10.9.0.2 -p 5201 -t "$secs" \
	    -P "$streams" -J --connect-timeout 5000 >"$E2E_WORK/iperf3-c-5201.out" 2>/dev/null ||
		fail "iperf3 ($label)" "$(jq -r .error "$E2E_WORK/iperf3-c-5201.out")"
	p1=$(e2e_sa_get A 0x1001 .packets 2>/dev/null)
	mbps=$(jq '.end.sum_received.bits_per_second / 1e6' "$E2E_WORK/iperf3-c-5201.out")
	pps=$(((p1 - p0) / secs))
	one=- ratio=- infl=-
	if [[ $lat != - ]]; then
		infl=$(ctl A -j show crypto 2>/dev/null |
		    jq '.providers[] | select(.name == "ipsecdtest") | .params["max-inflight"]')
		if ((lat > 0)); then
			one=$((1000000 / lat))
			ratio=$(awk -v a="$pps" -v b="$one" 'BEGIN { printf "%.1fx", a / b }')
		fi
	fi
	printf "%-14s %10.0f %10d %14s %8s %12s\n" "$label" "$mbps" "$pps" "$one" "$ratio" "$infl"
	e2e_stop A 2>/dev/null
	e2e_stop B 2>/dev/null
}

printf "offload tunnel: AES-128-GCM-16, iperf3 TCP %s s x %s streams, 2 workers per side\n" "$secs" "$streams"
printf "%-14s %10s %10s %14s %8s %12s\n" "crypto" "Mbit/s" "pkt/s" "one-at-a-time" "ratio" "max-inflight"
run default -
for lat in 0 50 200; do
	run "test $lat us" "$lat"
done
