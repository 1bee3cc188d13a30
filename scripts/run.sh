#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): install the
# dependencies, build, and bring up a site-to-site tunnel between two
# network namespaces, each running its own ipsecd with the shipped example
# configuration (etc/ipsecd.conf and its include file of manual keys, the
# east side mirrored from it); show IPv4 and IPv6 traffic passing through
# it (ping, a short iperf3 TCP stream), `ipsecctl show sa` and
# `show interfaces`; stop both daemons and tear everything down.
#
#   west-PID namespace                         east-PID namespace
#   198.51.100.1/32, 2001:db8:1::1 on ipsec1    203.0.113.1/32, 2001:db8:2::1 on ipsec1
#          ipsecd (west)  192.0.2.1 veth ===== veth 192.0.2.2  ipsecd (east)
#                              ESP, AES-128-GCM, tunnel mode
#
#   scripts/run.sh            the tunnel demo (about a minute after the build)
#   scripts/run.sh --bench    the benchmarks instead (README's figures): the
#                             core one (ESP against raw OpenSSL EVP, SAD/SPD
#                             lookups, memory per SA; further arguments go
#                             to it: -m Markdown tables, -q quick), then, as
#                             root, the tunnel one (bench/tunnel.sh: ipsecd
#                             against the bare veth pair and wireguard-go,
#                             given -m and -q too)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/release

"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$build"

if [[ ${1:-} == --bench ]]; then
	shift
	"$build/bench/ipsecd-bench" "$@"
	if ((EUID != 0)) || [[ ! -c /dev/net/tun ]]; then
		echo "run: the tunnel benchmark needs root and /dev/net/tun" >&2
		exit 1
	fi
	targs=()
	for a; do
		case $a in
		-m | -q) targs+=("$a") ;;
		esac
	done
	exec "$top/bench/tunnel.sh" -b "$build" "${targs[@]}"
fi

if ((EUID != 0)); then
	echo "run: the tunnel demo needs root (network namespaces, TUN)" >&2
	exit 1
fi
[[ -c /dev/net/tun ]] || { echo "run: no /dev/net/tun" >&2; exit 1; }
# The demo's own tools, beyond what building and testing need.
missing=()
command -v iperf3 >/dev/null || missing+=(iperf3)
command -v ping >/dev/null || missing+=(iputils-ping)
if ((${#missing[@]})); then
	echo "run: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

ipsecd=$build/ipsecd
ipsecctl=$build/src/ipsecctl/ipsecctl
west=west-$$ east=east-$$
tmp=$(mktemp -d /tmp/ipsecd-run.XXXXXX)
pids=()

cleanup() {
	local rc=$? pid i
	trap - EXIT
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	ip netns del "$west" 2>/dev/null || true
	ip netns del "$east" 2>/dev/null || true
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Echo a command run in a namespace, then run it.
n() {
	local ns=$1
	shift
	echo "+ [$ns] $*"
	ip netns exec "$ns" "$@"
}

# The east side of the example: the two LANs swapped everywhere, and in
# the policies (spdadd lines and their request lines) the two gateways
# too; the SAs (add lines) are the same on both ends.
mirror_lans() {
	sed -e 's/198\.51\.100\./@W4@/g; s/203\.0\.113\./198.51.100./g; s/@W4@/203.0.113./g' \
	    -e 's/2001:db8:1:/@W6@/g; s/2001:db8:2:/2001:db8:1:/g; s/@W6@/2001:db8:2:/g'
}
mirror_policies() {
	sed -e '/^spdadd\|^[[:space:]]*esp\//{s/192\.0\.2\.1\b/@G@/g; s/192\.0\.2\.2\b/192.0.2.1/g; s/@G@/192.0.2.2/g}'
}

# Each side's files: the example as shipped (mirrored for east), plus the
# socket paths, which must differ between two daemons on one machine.
mkdir -p "$tmp/west" "$tmp/east"
cp "$top/etc/ipsecd.conf" "$top/etc/ipsecd-keys.conf" "$tmp/west/"
mirror_lans <"$top/etc/ipsecd.conf" >"$tmp/east/ipsecd.conf"
mirror_lans <"$top/etc/ipsecd-keys.conf" | mirror_policies >"$tmp/east/ipsecd-keys.conf"
for side in west east; do
	chmod 600 "$tmp/$side/ipsecd-keys.conf"
	cat >>"$tmp/$side/ipsecd.conf" <<-EOF

		# Added by scripts/run.sh: two daemons on one machine.
		pfkey-socket "$tmp/$side/pfkey.sock"
		control-socket "$tmp/$side/control.sock"
	EOF
	"$ipsecd" -n -f "$tmp/$side/ipsecd.conf" | sed "s/^/$side: /"
done

echo "== two namespaces joined by a veth pair"
for ns in "$west" "$east"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip link add veth0 netns "$west" type veth peer name veth0 netns "$east"
n "$west" ip addr add 192.0.2.1/24 dev veth0
n "$east" ip addr add 192.0.2.2/24 dev veth0
n "$west" ip link set veth0 up
n "$east" ip link set veth0 up

echo "== ipsecd on each side"
for side in west east; do
	ns=$west
	[[ $side == east ]] && ns=$east
	ip netns exec "$ns" "$ipsecd" -d -f "$tmp/$side/ipsecd.conf" \
		>"$tmp/$side.log" 2>&1 &
	pids+=($!)
done
ctl_west=("$ipsecctl" -s "$tmp/west/control.sock")
ctl_east=("$ipsecctl" -s "$tmp/east/control.sock")
for side in west east; do
	sock=$tmp/$side/control.sock
	for ((i = 0; i < 100; i++)); do
		"$ipsecctl" -s "$sock" show stats >/dev/null 2>&1 && break
		sleep 0.1
	done
	"$ipsecctl" -s "$sock" show stats >/dev/null ||
		{ echo "run: ipsecd ($side) did not start:" >&2; cat "$tmp/$side.log" >&2; exit 1; }
	sed "s/^/$side: /" "$tmp/$side.log"
done

echo "== traffic through the tunnel"
n "$west" ping -c 3 -i 0.2 -W 2 -I 198.51.100.1 203.0.113.1
n "$west" ping -6 -c 3 -i 0.2 -W 2 -I 2001:db8:1::1 2001:db8:2::1
ip netns exec "$east" timeout 30 iperf3 -s -1 -B 203.0.113.1 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 50; i++)); do
	ip netns exec "$east" ss -Hltn 'sport = :5201' | grep -q . && break
	sleep 0.1
done
n "$west" timeout 30 iperf3 -c 203.0.113.1 -B 198.51.100.1 -t 3 -f m |
	grep -E 'sender|receiver'

echo "== what the west gateway saw"
echo "+ [$west] ipsecctl show sa"
ip netns exec "$west" "${ctl_west[@]}" show sa
echo "+ [$west] ipsecctl show interfaces"
ip netns exec "$west" "${ctl_west[@]}" show interfaces
echo "+ [$east] ipsecctl show sa"
ip netns exec "$east" "${ctl_east[@]}" show sa

echo "== stop (SIGTERM): each ipsecd removes its devices, routes and rule"
kill -TERM "${pids[0]}" "${pids[1]}"
wait "${pids[0]}" "${pids[1]}"
left=$( (ip -n "$west" -br link; ip -n "$east" -br link) | grep -c ipsec || true)
rules=$( (ip -n "$west" rule; ip -n "$east" rule) | grep -c 'lookup 4500' || true)
echo "ipsec devices left: $left, ipsecd rules left: $rules"
((left == 0 && rules == 0))
echo "tunnel demo: OK"
