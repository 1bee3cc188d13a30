# Shared by tests/ike/*.sh and tests/nat/*.sh (sourced, bash): namespaces
# whose names carry the caller's PID, ipsecd instances with their sockets
# in a temporary directory, key managers under libipsecd-pfkey.so, and a
# cleanup that stops exactly the processes started here (by PID) and
# deletes the namespaces.  Skips (exit 77) without root or /dev/net/tun.
#
# The programs are those of the build tree; `make check` runs from its top.

IKE_TOP=${IKE_TOP:-.}
IKE_IPSECD=$IKE_TOP/ipsecd
IKE_CTL=$IKE_TOP/src/ipsecctl/ipsecctl
IKE_PEER=$IKE_TOP/tests/ike/ike_peer
IKE_SHIM=$(cd "$IKE_TOP" && pwd)/src/shim/.libs/libipsecd-pfkey.so
ike_namespaces=()
ike_pids=()
ike_tmp=

ike_require() {
	[[ $(id -u) == 0 && -c /dev/net/tun ]] || exit 77
	command -v ip >/dev/null || exit 77
	ike_need jq jq
	local f
	for f in "$IKE_IPSECD" "$IKE_CTL" "$IKE_PEER" "$IKE_SHIM"; do
		[[ -e $f ]] || { echo "missing $f" >&2; exit 99; }
	done
	ike_tmp=$(mktemp -d /tmp/ike.XXXXXX)
}

# ike_need COMMAND PACKAGE: a missing tool is a missing dependency (a
# failure, not a skip).
ike_need() {
	command -v "$1" >/dev/null ||
		{ echo "$1 missing: Debian package $2 (scripts/deps.sh)" >&2; exit 99; }
}

ike_cleanup() {
	local pid ns i
	# Last started first: key managers go before the ipsecd they use.
	for ((i = ${#ike_pids[@]} - 1; i >= 0; i--)); do
		pid=${ike_pids[i]}
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${ike_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	# IKE_KEEP=1 keeps the logs and configurations for a look.
	if [[ -n $ike_tmp && ${IKE_KEEP:-0} != 1 ]]; then
		rm -rf "$ike_tmp"
	elif [[ -n $ike_tmp ]]; then
		echo "kept $ike_tmp" >&2
	fi
	return 0
}

# Print the logs of every instance (on failure).
ike_logs() {
	local f
	for f in "$ike_tmp"/*/log "$ike_tmp"/*/peer.*; do
		[[ -f $f ]] || continue
		echo "--- $f" >&2
		tail -40 "$f" >&2
	done
}

ike_ns() {
	ip netns add "$1" 2>/dev/null || exit 77
	ike_namespaces+=("$1")
	ip -n "$1" link set lo up
}

# Run a command in a namespace, echoing it first.
n() {
	local ns=$1
	shift
	echo "+ [$ns] $*" >&2
	ip netns exec "$ns" "$@"
}

fail() {
	echo "FAIL: $1 (got: $2)" >&2
	ike_logs
	exit 1
}

# ipsecd NAME NS [conf lines...]: start an instance in NS with its sockets
# in $ike_tmp/NAME/, one worker per line of the caller's choosing.
ipsecd_start() {
	local name=$1 ns=$2 d i
	shift 2
	d=$ike_tmp/$name
	mkdir -p "$d"
	{
		echo "pfkey-socket $d/pfkey.sock"
		echo "control-socket $d/control.sock"
		echo "user root"
		echo "group root"
		for l in "$@"; do echo "$l"; done
	} >"$d/ipsecd.conf"
	ip netns exec "$ns" "$IKE_IPSECD" -d -v -f "$d/ipsecd.conf" \
		>"$d/log" 2>&1 &
	ike_pids+=($!)
	eval "ipsecd_pid_$name=$!"
	for i in $(seq 1 50); do
		[[ -S $d/control.sock ]] && return 0
		sleep 0.1
	done
	fail "ipsecd $name did not start" "$(tail -5 "$d/log")"
}

# ipsecd_reload NAME SED-EXPR: edit instance NAME's configuration, SIGHUP
# it, and wait for its "reloaded" line.
ipsecd_reload() {
	local d=$ike_tmp/$1 pid i n
	eval "pid=\$ipsecd_pid_$1"
	n=$(grep -c '^reloaded' "$d/log" || true)
	sed -i "$2" "$d/ipsecd.conf"
	kill -HUP "$pid"
	for i in $(seq 1 50); do
		(($(grep -c '^reloaded' "$d/log" || true) > n)) && return 0
		sleep 0.1
	done
	fail "ipsecd $1 reload" "$(tail -n 5 "$d/log")"
}

# ctl NAME NS args...: ipsecctl against instance NAME.
ctl() {
	local d=$ike_tmp/$1 ns=$2
	shift 2
	ip netns exec "$ns" "$IKE_CTL" -s "$d/control.sock" \
		-k "$d/pfkey.sock" "$@"
}

# peer NAME NS args...: ike_peer under the shim against instance NAME,
# output in $ike_tmp/NAME/peer.out; waits for its "ready" line.
peer_start() {
	local name=$1 ns=$2 d i
	shift 2
	d=$ike_tmp/$name
	echo "+ [$ns] LD_PRELOAD=libipsecd-pfkey.so ike_peer $*" >&2
	ip netns exec "$ns" env LD_PRELOAD="$IKE_SHIM" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		IPSECD_PFKEY_SOCKET="$d/pfkey.sock" \
		IPSECD_CONTROL_SOCKET="$d/control.sock" \
		"$IKE_PEER" "$@" >"$d/peer.out" 2>"$d/peer.err" &
	ike_pids+=($!)
	eval "peer_pid_$name=$!"
	for i in $(seq 1 50); do
		grep -q '^ready$' "$d/peer.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "ike_peer $name did not start" "$(cat "$d/peer.err")"
}

# Wait for peer NAME to finish (it stops by itself after -d seconds).
peer_wait() {
	local pid
	eval "pid=\$peer_pid_$1"
	wait "$pid" || fail "ike_peer $1 exit status" "$?"
}

# The value of counter KEY in peer NAME's report.
pv() {
	awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' \
		"$ike_tmp/$1/peer.out"
}
