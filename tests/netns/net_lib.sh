# Shared by tests/netns/net_*.sh (sourced, bash).  Skips (exit 77) without
# root, /dev/net/tun or network namespaces; creates namespaces whose names
# carry the caller's PID and deletes them on exit.

# The drivers are built in the build tree; `make check` runs from its top.
NET_BIN=${NET_BIN:-./tests/netns}
net_namespaces=()

net_require() {
	[[ $(id -u) == 0 && -c /dev/net/tun ]] || exit 77
	command -v ip >/dev/null || exit 77
	# jq reads ip -j; missing, it is a missing dependency, not a skip.
	command -v jq >/dev/null || { echo "jq missing (scripts/deps.sh)" >&2; exit 99; }
	local d
	for d in net_nl net_tun net_sock; do
		[[ -x $NET_BIN/$d ]] || { echo "missing $NET_BIN/$d" >&2; exit 99; }
	done
}

net_cleanup() {
	local ns
	for ns in "${net_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# Create a namespace with lo up; skip the test if that is not allowed.
net_ns() {
	ip netns add "$1" 2>/dev/null || exit 77
	net_namespaces+=("$1")
	ip -n "$1" link set lo up
}

# Run a command in a namespace, echoing it first.
n() {
	local ns=$1
	shift
	echo "+ [$ns] $*" >&2
	ip netns exec "$ns" "$@"
}

# Fail with a message: fail WHAT GOT
fail() {
	echo "FAIL: $1 (got: $2)" >&2
	exit 1
}
