#!/usr/bin/env bash
# src/daemon/tun.c: a multi-queue TUN device carries IPv4 and IPv6 both
# ways through its queue fds, with and without the virtio header, and
# keeps doing so after it is moved to a second and then a third network
# namespace while net_tun keeps the same fds.
#
#   net_tun (runs in tA, holds 4 queue fds of ipsec0, 2 of ipsec1)
#      |
#   +-- tA-$$ --+   ip link set    +-- tB-$$ --+   ip link set   +-- tC-$$ --+
#   | ipsec0    | ---- netns ----> | ipsec0    | ---- netns ---> | ipsec0    |
#   | 10.77.0.1 |                  | 10.78.0.1 |                 | 10.79.0.1 |
#   | fd77::1   |                  | fd78::1   |                 | fd79::1   |
#   | ipsec1 (virtio header), 10.76.0.1, fd76::1                 +-----------+
#   +-----------+
#
# "outbound": UDP from sockets in the namespace to the peer (x.x.0.2),
# routed into the device, read from the queues.  "inbound": UDP written
# into the queues from the peer to x.x.0.1, received by a socket.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/net_lib.sh"
net_require
trap net_cleanup EXIT

a=tA-$$ b=tB-$$ c=tC-$$
net_ns "$a"
net_ns "$b"
net_ns "$c"

coproc Q0 { ip netns exec "$a" "$NET_BIN/net_tun" ipsec0 4; }
read -r -t 30 line <&"${Q0[0]}"
[[ $line == "ok ipsec0" ]] || fail "open ipsec0" "$line"

# ask CMD: one command to the ipsec0 server, its answer on stdout.
ask() {
	echo "+ net_tun: $*" >&2
	echo "$*" >&"${Q0[1]}"
	read -r -t 30 line <&"${Q0[0]}"
	echo "$line"
}

# Configure ipsec0 in namespace $1 with 10.$2.0.1/24 and fd$2::1/64.
configure() {
	n "$1" ip addr add "10.$2.0.1/24" dev "$3"
	n "$1" ip addr add "fd$2::1/64" dev "$3" nodad
	n "$1" ip link set "$3" up
}

# Traffic both ways, both families, through the server $1 (ask/ask1).
traffic() {
	local via=$1 ns=$2 net=$3 out
	out=$($via outbound "$ns" "10.$net.0.2" 5000 32)
	[[ $out =~ ^"outbound got 32 queues "([0-9]+)$ ]] || fail "$ns: outbound ipv4" "$out"
	qs=${BASH_REMATCH[1]}
	out=$($via outbound "$ns" "fd$net::2" 5000 32)
	[[ $out =~ ^"outbound got 32 queues " ]] || fail "$ns: outbound ipv6" "$out"
	out=$($via inbound "$ns" "10.$net.0.2" "10.$net.0.1" 5001 32)
	[[ $out == "inbound delivered 32" ]] || fail "$ns: inbound ipv4" "$out"
	out=$($via inbound "$ns" "fd$net::2" "fd$net::1" 5001 32)
	[[ $out == "inbound delivered 32" ]] || fail "$ns: inbound ipv6" "$out"
}

# The device as created: multi-queue, no packet information, 4 queues.
got=$(ip -n "$a" -d -j link show ipsec0 |
	jq -c '.[0].linkinfo.info_data | [.type, .pi, .vnet_hdr, .multi_queue, .numqueues]')
[[ $got == '["tun",false,false,true,4]' ]] || fail "tun flags" "$got"

configure "$a" 77 ipsec0
traffic ask "$a" 77
# 32 flows over 4 queues: the kernel spread them (by flow hash).
((qs >= 2)) || fail "flows spread over queues" "$qs"

# Moved: the fds stay valid; the device is configured again there.
n "$a" ip link set ipsec0 netns "$b"
! ip -n "$a" link show ipsec0 2>/dev/null || fail "ipsec0 left in $a" "yes"
configure "$b" 78 ipsec0
traffic ask "$b" 78

n "$b" ip link set ipsec0 netns "$c"
configure "$c" 79 ipsec0
traffic ask "$c" 79
got=$(ip -n "$c" -d -j link show ipsec0 | jq -r '.[0].linkinfo.info_data.numqueues')
[[ $got == 4 ]] || fail "queues after two moves" "$got"

# A second device with the virtio header switched on.
coproc Q1 { ip netns exec "$a" "$NET_BIN/net_tun" ipsec1 2 vnet; }
read -r -t 30 line <&"${Q1[0]}"
[[ $line == "ok ipsec1" ]] || fail "open ipsec1" "$line"
ask1() {
	echo "+ net_tun vnet: $*" >&2
	echo "$*" >&"${Q1[1]}"
	read -r -t 30 line <&"${Q1[0]}"
	echo "$line"
}
got=$(ip -n "$a" -d -j link show ipsec1 | jq -c '.[0].linkinfo.info_data | [.vnet_hdr, .numqueues]')
[[ $got == '[true,2]' ]] || fail "vnet flags" "$got"
configure "$a" 76 ipsec1
traffic ask1 "$a" 76

# Errors come back as errno.
out=$(n "$a" "$NET_BIN/net_tun" ipsec_name_too_long0 1 || true)
[[ $out == "error EINVAL" ]] || fail "long name" "$out"
n "$a" ip tuntap add dev single0 mode tun
out=$(n "$a" "$NET_BIN/net_tun" single0 1 || true)
[[ $out == "error EINVAL" ]] || fail "attach to a single-queue device" "$out"

echo quit >&"${Q1[1]}"
wait "$Q1_PID"
echo quit >&"${Q0[1]}"
wait "$Q0_PID"
! ip -n "$c" link show ipsec0 2>/dev/null || fail "ipsec0 outlived its queues" "yes"
echo "net_tun: all checks passed"
