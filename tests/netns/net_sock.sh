#!/usr/bin/env bash
# src/daemon/sock.c between two namespaces: raw ESP, AH and IPcomp arrive
# as whole IPv4/IPv6 packets with the sent addresses, TOS and TTL; the SPI
# steering gives each packet to exactly one of N worker sockets, the same
# one for one SPI; ESP-in-UDP on port 4500 is steered the same way, sent
# from a chosen source address, keepalives reach worker 0, and IKE packets
# reach an IKE daemon's socket that joins the reuseport group late.
#
# SO_MARK: sA routes every packet WITHOUT mark 0x4d to "unreachable"
# (ip rule add not fwmark 0x4d table 4500), as ipsecd's policy rule sends
# unmarked traffic into an ipsecN device; so a packet reaches sB only if
# its socket marked it, and sockets with mark 0 get EHOSTUNREACH.
#
#   +----------- sA-$$ -----------+          +------- sB-$$ -------+
#   | va 10.0.0.1, 10.0.0.3       |--veth----| vb 10.0.0.2         |
#   |    fd00::1, fd00::3         |          |    fd00::2          |
#   | rule: not fwmark 0x4d       |          | N raw/UDP sockets   |
#   |       -> unreachable        |          | (+ late IKE socket) |
#   +-----------------------------+          +---------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/net_lib.sh"
net_require
trap net_cleanup EXIT

a=sA-$$ b=sB-$$
net_ns "$a"
net_ns "$b"
n "$a" ip link add va type veth peer name vb netns "$b"
n "$a" ip addr add 10.0.0.1/24 dev va
n "$a" ip addr add 10.0.0.3/24 dev va
n "$a" ip addr add fd00::1/64 dev va nodad
n "$a" ip addr add fd00::3/64 dev va nodad
n "$b" ip addr add 10.0.0.2/24 dev vb
n "$b" ip addr add fd00::2/64 dev vb nodad
n "$a" ip link set va up
n "$b" ip link set vb up
for f in -4 -6; do
	n "$a" ip "$f" route add unreachable default table 4500
	n "$a" ip "$f" rule add not fwmark 0x4d table 4500 pref 100
done

sock() { n "$a" "$NET_BIN/net_sock" "$@" || true; }

ok4="sent 128 received 128 misrouted 0 duplicates 0 malformed 0 workers 4"
ok3="sent 128 received 128 misrouted 0 duplicates 0 malformed 0 workers 3"
for p in esp ah comp; do
	out=$(sock raw "$a" "$b" "$p" 4 10.0.0.1 10.0.0.2 0x4d)
	[[ $out == "$ok4" ]] || fail "raw $p ipv4" "$out"
	out=$(sock raw "$a" "$b" "$p" 3 fd00::1 fd00::2 0x4d)
	[[ $out == "$ok3" ]] || fail "raw $p ipv6" "$out"
done
out=$(sock raw "$a" "$b" esp 1 10.0.0.1 10.0.0.2 0x4d)
[[ $out == "sent 128 received 128 misrouted 0 duplicates 0 malformed 0 workers 1" ]] ||
	fail "raw esp, one worker" "$out"

# Without the mark the policy rule catches the packets.
out=$(sock raw "$a" "$b" esp 2 10.0.0.1 10.0.0.2 0)
[[ $out == "sent 0 error EHOSTUNREACH" ]] || fail "raw ipv4 unmarked" "$out"
out=$(sock raw "$a" "$b" esp 2 fd00::1 fd00::2 0)
[[ $out == "sent 0 error EHOSTUNREACH" ]] || fail "raw ipv6 unmarked" "$out"
out=$(sock udp "$a" "$b" 2 10.0.0.1 10.0.0.3 10.0.0.2 0)
[[ $out == "sent 0 error EHOSTUNREACH" ]] || fail "udp unmarked" "$out"

udp_ok=$'alone esp 128 misrouted 0 duplicates 0 malformed 0 keepalives 4 ike-at-workers 8
joined esp 128 misrouted 0 duplicates 0 malformed 0 keepalives 0 ike-at-workers 0
ike-at-daemon 8'
out=$(sock udp "$a" "$b" 4 10.0.0.1 10.0.0.3 10.0.0.2 0x4d)
[[ $out == "$udp_ok" ]] || fail "esp-in-udp ipv4" "$out"
out=$(sock udp "$a" "$b" 4 fd00::1 fd00::3 fd00::2 0x4d)
[[ $out == "$udp_ok" ]] || fail "esp-in-udp ipv6" "$out"
echo "net_sock: all checks passed"
