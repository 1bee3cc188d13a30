#!/usr/bin/env bash
# Tunnel benchmark (issue 3): figures, never pass/fail.  In one run, three
# systems, each between its own two network namespaces joined by a veth
# pair, one after the other:
#
#   veth          the bare veth pair: the underlay's limit
#   ipsecd        two ipsecd, manual keys, ESP AES-128-GCM tunnel mode,
#                 interface MTU 1440
#   ipsecd-nogso  the same with tun-offload 0 in ipsecd.conf: no TSO super-packets
#                 read from the TUN device, no coalesced ones written to it
#   wireguard-go  userspace WireGuard over TUN, interface MTU 1440
#
#   +------------- bXA-$$ -------------+            +------------- bXB-$$ -------------+
#   | iperf3 -c, ping                  |            |                        iperf3 -s |
#   | tunnel dev 10.9.0.1/32 (ipsec1,  |            | tunnel dev 10.9.0.2/32           |
#   |   wg$$a) ==== ESP / WireGuard ===================> route 10.9.0.1               |
#   | va 10.0.0.1/24 ------------------+---- veth --+------------------ vb 10.0.0.2/24 |
#   +----------------------------------+            +----------------------------------+
#   (X = v, i, w; the veth system uses 10.0.0.x directly)
#
# For each: TCP throughput with 1 and 4 streams (iperf3, A to B), UDP
# packets/s of 1400-byte IP packets (1372-byte payload) with under 1% loss
# (the highest offered rate found by a bounded bisection), ping RTT
# (average of 100 pings 10 ms apart), and the tunnel processes' CPU seconds
# (utime + stime of both ends from /proc/PID/stat, all threads, system
# calls included) per GB received during each TCP run.  Then the table,
# with ratios ipsecd/wireguard-go and ipsecd/veth.
#
#   bench/tunnel.sh [-m] [-q] [-b BUILD] [-s SYSTEMS] [-t SECS] [-w N]
#                   [-c 'ipsecd.conf line']... [-P DIR]
#     -m  Markdown table (default: aligned text)
#     -q  quick: 3-second runs, fewer UDP probes, 20 pings
#     -b  build directory with ipsecd (default: build/release of this tree)
#     -s  comma-separated systems (default veth,ipsecd,ipsecd-nogso,
#         wireguard-go)
#     -t  seconds per TCP run and per UDP confirmation (default 10)
#     -w  ipsecd workers (default: 0, one per CPU)
#     -c  a line added to both ipsecd.conf (repeatable)
#     -P  record a perf profile (cpu-clock, call graphs) of both tunnel
#         ends during the 1-stream TCP run into DIR/SYSTEM.perf.data
#
# Needs root, /dev/net/tun, and iperf3, jq, ping, wireguard-go and wg
# (installed with apt-get when missing).  Every loop is bounded in count
# and time; namespaces carry $$ and go away with the trap, like the
# processes this script started (by pid).  Only the veths and tunnel
# devices in those namespaces get addresses; no packet leaves them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

markdown=0 quick=0 build=$top/build/release
systems=veth,ipsecd,ipsecd-nogso,wireguard-go
tcp_secs=10 workers=0 perf_dir=
conf_extra=()
while getopts mqb:s:t:w:c:P: opt; do
	case $opt in
	m) markdown=1 ;;
	q) quick=1 ;;
	b) build=$OPTARG ;;
	s) systems=$OPTARG ;;
	t) tcp_secs=$OPTARG ;;
	w) workers=$OPTARG ;;
	c) conf_extra+=("$OPTARG") ;;
	P) perf_dir=$(mkdir -p "$OPTARG" && cd "$OPTARG" && pwd) ;;
	*)
		sed -n '/^#   bench\/tunnel.sh/,/^#     -P/p' "$0" | sed 's/^# \?//' >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
[[ $tcp_secs =~ ^[0-9]+$ ]] && ((tcp_secs >= 1 && tcp_secs <= 600)) ||
	{ echo "tunnel.sh: -t wants 1..600 seconds" >&2; exit 2; }
[[ $workers =~ ^[0-9]+$ ]] || { echo "tunnel.sh: -w wants a number" >&2; exit 2; }

# UDP search: probe seconds, most bisection probes, most step-downs.
udp_probe_secs=3 udp_probes=8 udp_steps=3 ping_count=100
if ((quick)); then
	((tcp_secs > 3)) && tcp_secs=3
	udp_probe_secs=1 udp_probes=5 udp_steps=2 ping_count=20
fi
udp_secs=$tcp_secs
udp_len=1372 # 1400-byte IP packets
tunnel_mtu=1440

if ((EUID != 0)); then
	echo "tunnel.sh: needs root (network namespaces, TUN)" >&2
	exit 1
fi
[[ -c /dev/net/tun ]] || { echo "tunnel.sh: no /dev/net/tun" >&2; exit 1; }

want() {
	[[ ,$systems, == *,$1,* ]]
}

# The tools, installed when missing.
missing=()
command -v iperf3 >/dev/null || missing+=(iperf3)
command -v jq >/dev/null || missing+=(jq)
command -v ping >/dev/null || missing+=(iputils-ping)
if want wireguard-go; then
	command -v wireguard-go >/dev/null || missing+=(wireguard-go)
	command -v wg >/dev/null || missing+=(wireguard-tools)
fi
if ((${#missing[@]})); then
	echo "tunnel.sh: installing ${missing[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
ipsecd=$build/ipsecd
ipsecctl=$build/src/ipsecctl/ipsecctl
if { want ipsecd || want ipsecd-nogso; } && [[ ! -x $ipsecd || ! -x $ipsecctl ]]; then
	echo "tunnel.sh: no $ipsecd: build first (scripts/build.sh $build)" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/ipsecd-bench.XXXXXX)
namespaces=()
pids=()
clk_tck=$(getconf CLK_TCK)

log() {
	echo "[$(date +%T)] $*" >&2
}

# Stop a pid of ours: TERM, at most 3 s, then KILL.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	local rc=$? pid ns
	set +e
	trap - EXIT
	for pid in "${pids[@]}"; do
		stop_pid "$pid"
	done
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if ((rc != 0)); then
		for f in "$tmp"/*.log; do
			[[ -s $f ]] || continue
			echo "==== $f (last 20 lines)" >&2
			tail -n 20 "$f" >&2
		done
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Start a command in a namespace in the background, output in
# $tmp/NAME.log; its pid in BG_PID.  start_bg NS NAME CMD...
start_bg() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.log" 2>&1 &
	BG_PID=$!
	pids+=("$BG_PID")
}

# Two namespaces $1 and $2 joined by veth va (10.0.0.1) -- vb (10.0.0.2).
underlay() {
	local a=$1 b=$2 ns
	for ns in "$a" "$b"; do
		ip netns add "$ns"
		namespaces+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip -n "$a" link add va type veth peer name vb netns "$b"
	ip -n "$a" addr add 10.0.0.1/24 dev va
	ip -n "$b" addr add 10.0.0.2/24 dev vb
	ip -n "$a" link set va up
	ip -n "$b" link set vb up
	nsx "$a" ping -c 1 -W 2 10.0.0.2 >/dev/null ||
		{ echo "tunnel.sh: underlay ping failed" >&2; exit 1; }
}

# Wait (at most 10 s) until ping from A to DST through the tunnel answers.
wait_path() {
	local a=$1 dst=$2 i
	for ((i = 0; i < 10; i++)); do
		nsx "$a" ping -c 1 -W 1 "$dst" >/dev/null 2>&1 && return 0
	done
	echo "tunnel.sh: no path to $dst" >&2
	exit 1
}

# utime + stime of a process (all its threads), in clock ticks.
ticks() {
	local stat rest
	read -r stat <"/proc/$1/stat" || { echo 0; return; }
	rest=${stat##*) }
	# Fields after the command: state is 1, utime 12, stime 13.
	set -- $rest
	echo $((${12} + ${13}))
}

ticks_sum() {
	local t=0 pid
	for pid; do
		t=$((t + $(ticks "$pid")))
	done
	echo "$t"
}

# Results: R[system/metric]
declare -A R=()

# iperf3 from A (bound to SRC) to DST; JSON in $tmp/TAG.json.  Extra
# iperf3 arguments follow.  iperf TAG A SRC DST ARGS...
iperf() {
	local tag=$1 a=$2 src=$3 dst=$4
	shift 4
	nsx "$a" timeout $((tcp_secs + 30)) iperf3 -c "$dst" -B "$src" -J \
	    --connect-timeout 5000 "$@" >"$tmp/$tag.json" 2>"$tmp/$tag.err" || true
}

# A TCP run: Gbit/s received, and CPU s/GB of the pids given.
# tcp SYSTEM METRIC A SRC DST STREAMS PIDS...
tcp() {
	local sys=$1 m=$2 a=$3 src=$4 dst=$5 streams=$6 t0 t1 bytes bps
	shift 6
	local perf=
	if [[ -n $perf_dir && $m == tcp1 ]] && (($# > 0)); then
		perf record -q -e cpu-clock -g -o "$perf_dir/$sys.perf.data" \
		    -p "$(IFS=,; echo "$*")" >"$tmp/perf-$sys.log" 2>&1 &
		perf=$!
		pids+=("$perf")
		sleep 1
	fi
	t0=$(ticks_sum "$@")
	iperf "$sys-$m" "$a" "$src" "$dst" -t "$tcp_secs" -P "$streams"
	t1=$(ticks_sum "$@")
	if [[ -n $perf ]]; then
		kill -INT "$perf" 2>/dev/null || true
		wait "$perf" 2>/dev/null || true
	fi
	bytes=$(jq -r '.end.sum_received.bytes // 0' "$tmp/$sys-$m.json" 2>/dev/null || echo 0)
	bps=$(jq -r '.end.sum_received.bits_per_second // 0' "$tmp/$sys-$m.json" 2>/dev/null || echo 0)
	R[$sys/$m]=$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }')
	if (($# > 0)) && ((bytes > 0)); then
		R[$sys/cpu_$m]=$(awk -v t=$((t1 - t0)) -v hz="$clk_tck" -v by="$bytes" \
		    'BEGIN { printf "%.1f", t / hz / (by / 1e9) }')
	fi
	log "$sys tcp $streams stream(s): ${R[$sys/$m]} Gbit/s${R[$sys/cpu_$m]:+, ${R[$sys/cpu_$m]} CPU s/GB}"
}

# One UDP run at RATE packets/s (0: unlimited) for SECS: prints
# "sent_pps received_pps loss_percent".  udp_run TAG A SRC DST RATE SECS
udp_run() {
	local tag=$1 a=$2 src=$3 dst=$4 rate=$5 secs=$6
	iperf "$tag" "$a" "$src" "$dst" -u -l "$udp_len" -t "$secs" \
	    -b $((rate * udp_len * 8))
	jq -r '.end.sum | "\(.packets / .seconds | floor) \((.packets - .lost_packets) / .seconds | floor) \(.lost_percent * 100 | round / 100)"' \
	    "$tmp/$tag.json" 2>/dev/null || echo "0 0 100"
}

lossy() {
	awk -v l="$1" 'BEGIN { exit !(l >= 1) }'
}

# The highest rate with under 1% loss:
#   1. one unlimited run: under 1% loss means the iperf3 sender is the
#      limit, and its received rate is the figure (marked "s");
#   2. else at most udp_probes bisection runs between 0 and the unlimited
#      run's sent rate or 4 times its received rate, whichever is lower
#      (receivers collapse under overload, so the received rate there
#      underestimates), starting at its received rate; the top doubles
#      when a probe within 10% of it passes;
#   3. a confirmation run of udp_secs at the best rate, stepped down 20%
#      at most udp_steps times while it loses 1% or more (a receiver that
#      keeps up for a short probe may fall behind for good in a long run).
# udp SYSTEM A SRC DST
udp() {
	local sys=$1 a=$2 src=$3 dst=$4 sent recv loss lo=0 hi mid i
	read -r sent recv loss < <(udp_run "$sys-udp-unl" "$a" "$src" "$dst" 0 "$udp_probe_secs")
	log "$sys udp unlimited: sent $sent pps, received $recv pps, loss $loss%"
	if ! lossy "$loss" && ((recv > 0)); then
		R[$sys/udp]="$recv s"
		return
	fi
	hi=$((4 * recv < sent ? 4 * recv : sent))
	mid=$recv
	((mid > 0 && mid < hi)) || mid=$((hi / 2))
	for ((i = 0; i < udp_probes && mid > 0; i++)); do
		read -r sent recv loss < <(udp_run "$sys-udp-$i" "$a" "$src" "$dst" "$mid" "$udp_probe_secs")
		log "$sys udp probe $mid pps: received $recv pps, loss $loss%"
		if lossy "$loss"; then
			hi=$mid
		else
			lo=$mid
			# Close to the top without loss: the unlimited run was
			# starved (a loaded machine); look higher.
			((lo * 10 < hi * 9)) || hi=$((hi * 2))
		fi
		mid=$(((lo + hi) / 2))
		((hi - lo > hi / 40)) || break
	done
	for ((i = 0; i <= udp_steps && lo > 0; i++)); do
		read -r sent recv loss < <(udp_run "$sys-udp-c$i" "$a" "$src" "$dst" "$lo" "$udp_secs")
		log "$sys udp confirm $lo pps: received $recv pps, loss $loss%"
		if ! lossy "$loss"; then
			R[$sys/udp]=$recv
			return
		fi
		lo=$((lo * 8 / 10))
	done
	R[$sys/udp]="-"
}

# ping RTT average in ms.  rtt SYSTEM A SRC DST
rtt() {
	local sys=$1 a=$2 src=$3 dst=$4 out
	out=$(nsx "$a" timeout 60 ping -q -c "$ping_count" -i 0.01 -W 1 -I "$src" "$dst" 2>&1 || true)
	R[$sys/rtt]=$(echo "$out" | awk -F/ '/^rtt|^round-trip/ { printf "%.3f", $5 }')
	[[ -n ${R[$sys/rtt]} ]] || R[$sys/rtt]="-"
	log "$sys ping: ${R[$sys/rtt]} ms"
}

# Everything for one system, the iperf3 server in B on DST.
# measure SYSTEM A B SRC DST PIDS...
measure() {
	local sys=$1 a=$2 b=$3 src=$4 dst=$5 i
	shift 5
	start_bg "$b" "$sys-iperf3-s" iperf3 -s -B "$dst"
	local srv=$BG_PID
	for ((i = 0; i < 50; i++)); do
		nsx "$b" ss -Hltn 'sport = :5201' | grep -q . && break
		sleep 0.1
	done
	rtt "$sys" "$a" "$src" "$dst"
	tcp "$sys" tcp1 "$a" "$src" "$dst" 1 "$@"
	tcp "$sys" tcp4 "$a" "$src" "$dst" 4 "$@"
	udp "$sys" "$a" "$src" "$dst"
	stop_pid "$srv"
}

bench_veth() {
	local a=bvA-$$ b=bvB-$$
	log "veth: setting up"
	underlay "$a" "$b"
	measure veth "$a" "$b" 10.0.0.1 10.0.0.2
	ip netns del "$a"
	ip netns del "$b"
}

hexkey() {
	od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# ipsecd.conf and keys.conf of side S (A or B) in $tmp/S.
ipsecd_conf() {
	local s=$1 me peer ome opeer d=$tmp/$1 line
	shift
	if [[ $s == A ]]; then
		me=10.9.0.1 peer=10.9.0.2 ome=10.0.0.1 opeer=10.0.0.2
	else
		me=10.9.0.2 peer=10.9.0.1 ome=10.0.0.2 opeer=10.0.0.1
	fi
	mkdir -p "$d"
	{
		echo "workers $workers"
		echo "natt-keepalive 0"
		echo "pfkey-socket $d/pfkey.sock"
		echo "control-socket $d/control.sock"
		echo "include \"keys.conf\""
		for line in "${conf_extra[@]}" "$@"; do
			echo "$line"
		done
		echo "interface ipsec1 {"
		echo "	reqid 1"
		echo "	address $me/32"
		echo "	route $peer/32"
		echo "	mtu $tunnel_mtu"
		echo "}"
	} >"$d/ipsecd.conf"
	(
		umask 077
		{
			cat "$tmp/sas"
			echo "spdadd $me/32 $peer/32 any -P out ipsec esp/tunnel/$ome-$opeer/unique:1;"
			echo "spdadd $peer/32 $me/32 any -P in ipsec esp/tunnel/$opeer-$ome/unique:1;"
		} >"$d/keys.conf"
	)
}

# bench_ipsecd SYSTEM [LINE...]: extra ipsecd.conf lines of both daemons.
bench_ipsecd() {
	local sys=$1 a=biA-$$ b=biB-$$ s ns i pa pb
	shift
	log "$sys: setting up"
	underlay "$a" "$b"
	(
		umask 077
		{
			echo "add 10.0.0.1 10.0.0.2 esp 0x1001 -m tunnel -u 1 -E aes-gcm-16 0x$(hexkey 20);"
			echo "add 10.0.0.2 10.0.0.1 esp 0x2001 -m tunnel -u 1 -E aes-gcm-16 0x$(hexkey 20);"
		} >"$tmp/sas"
	)
	for s in A B; do
		ipsecd_conf "$s" "$@"
		ns=$a
		[[ $s == B ]] && ns=$b
		start_bg "$ns" "$sys-$s" "$ipsecd" -d -f "$tmp/$s/ipsecd.conf"
		[[ $s == A ]] && pa=$BG_PID || pb=$BG_PID
		for ((i = 0; i < 100; i++)); do
			"$ipsecctl" -s "$tmp/$s/control.sock" show stats >/dev/null 2>&1 && break
			kill -0 "$BG_PID" 2>/dev/null ||
				{ echo "tunnel.sh: ipsecd $s exited" >&2; exit 1; }
			sleep 0.1
		done
	done
	rm -f "$tmp/sas"
	wait_path "$a" 10.9.0.2
	measure "$sys" "$a" "$b" 10.9.0.1 10.9.0.2 "$pa" "$pb"
	stop_pid "$pa"
	stop_pid "$pb"
	ip netns del "$a"
	ip netns del "$b"
}

bench_wg() {
	local a=bwA-$$ b=bwB-$$ ifa=wg$$a ifb=wg$$b s ns ifn i pa pb
	log "wireguard-go: setting up"
	underlay "$a" "$b"
	for s in A B; do
		ns=$a ifn=$ifa
		[[ $s == B ]] && ns=$b ifn=$ifb
		# In the foreground, ip netns exec's pid is wireguard-go's.
		start_bg "$ns" "wg-$s" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go "$ifn"
		[[ $s == A ]] && pa=$BG_PID || pb=$BG_PID
		for ((i = 0; i < 50; i++)); do
			[[ -S /var/run/wireguard/$ifn.sock ]] && break
			sleep 0.1
		done
		(umask 077 && wg genkey >"$tmp/wg-$s.key")
		wg pubkey <"$tmp/wg-$s.key" >"$tmp/wg-$s.pub"
	done
	nsx "$a" wg set "$ifa" private-key "$tmp/wg-A.key" listen-port 51820 \
	    peer "$(cat "$tmp/wg-B.pub")" allowed-ips 10.9.0.2/32 endpoint 10.0.0.2:51820
	nsx "$b" wg set "$ifb" private-key "$tmp/wg-B.key" listen-port 51820 \
	    peer "$(cat "$tmp/wg-A.pub")" allowed-ips 10.9.0.1/32 endpoint 10.0.0.1:51820
	rm -f "$tmp"/wg-?.key
	ip -n "$a" addr add 10.9.0.1/32 peer 10.9.0.2/32 dev "$ifa"
	ip -n "$b" addr add 10.9.0.2/32 peer 10.9.0.1/32 dev "$ifb"
	ip -n "$a" link set "$ifa" mtu "$tunnel_mtu" up
	ip -n "$b" link set "$ifb" mtu "$tunnel_mtu" up
	wait_path "$a" 10.9.0.2
	measure wireguard-go "$a" "$b" 10.9.0.1 10.9.0.2 "$pa" "$pb"
	stop_pid "$pa"
	stop_pid "$pb"
	ip netns del "$a"
	ip netns del "$b"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
want veth && bench_veth
want ipsecd && bench_ipsecd ipsecd
want ipsecd-nogso && bench_ipsecd ipsecd-nogso "tun-offload 0"
want wireguard-go && bench_wg

# The table.  A ratio is ipsecd's figure over the other's; for RTT and
# CPU lower is better, for the rest higher.
ratio() {
	local x=${1%% *} y=${2%% *}
	[[ $x =~ ^[0-9.]+$ && $y =~ ^[0-9.]+$ ]] || { echo "-"; return; }
	awk -v x="$x" -v y="$y" 'BEGIN { if (y == 0) print "-"; else printf "%.2f", x / y }'
}
cols=(veth ipsecd ipsecd-nogso wireguard-go)
rows=("TCP 1 stream, Gbit/s|tcp1" "TCP 4 streams, Gbit/s|tcp4"
	"UDP 1400-B packets/s, <1% loss|udp" "ping RTT avg, ms|rtt"
	"CPU s/GB both ends, TCP 1 stream|cpu_tcp1"
	"CPU s/GB both ends, TCP 4 streams|cpu_tcp4")
table=$tmp/table
{
	printf '%s' "metric"
	for c in "${cols[@]}"; do
		want "$c" && printf '|%s' "$c"
	done
	want ipsecd && want wireguard-go && printf '|%s' "ipsecd/wireguard-go"
	want ipsecd-nogso && want wireguard-go && printf '|%s' "ipsecd-nogso/wireguard-go"
	want ipsecd && want veth && printf '|%s' "ipsecd/veth"
	echo
	for r in "${rows[@]}"; do
		name=${r%%|*} key=${r##*|}
		printf '%s' "$name"
		for c in "${cols[@]}"; do
			want "$c" && printf '|%s' "${R[$c/$key]:--}"
		done
		want ipsecd && want wireguard-go &&
			printf '|%s' "$(ratio "${R[ipsecd/$key]:--}" "${R[wireguard-go/$key]:--}")"
		want ipsecd-nogso && want wireguard-go &&
			printf '|%s' "$(ratio "${R[ipsecd-nogso/$key]:--}" "${R[wireguard-go/$key]:--}")"
		want ipsecd && want veth &&
			printf '|%s' "$(ratio "${R[ipsecd/$key]:--}" "${R[veth/$key]:--}")"
		echo
	done
} >"$table"

wgver=$(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null || echo "?")
ipver=$(git -C "$top" describe --always --dirty 2>/dev/null || echo "?")
echo
echo "Tunnel benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs" \
    "($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))," \
    "kernel $(uname -r), load average before $load0"
echo "ipsecd $ipver (workers ${workers/#0/per CPU}${conf_extra[*]:+; ${conf_extra[*]}})," \
    "wireguard-go $wgver; TCP runs ${tcp_secs} s, tunnel MTU $tunnel_mtu," \
    "UDP payload $udp_len B (s: iperf3 sender-bound, no loss at full speed)"
echo
if ((markdown)); then
	awk -F'|' '{
		printf "|"
		for (i = 1; i <= NF; i++)
			printf " %s |", $i
		print ""
		if (NR == 1) {
			printf "|"
			for (i = 1; i <= NF; i++)
				printf "---|"
			print ""
		}
	}' "$table"
else
	column -t -s '|' "$table"
fi
