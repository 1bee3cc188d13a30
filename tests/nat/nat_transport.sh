#!/usr/bin/env bash
# Transport-mode ESP-in-UDP through a NAT, and natt_cksum_policy
# (src/ipsec/natoa.c): TCP and UDP between A (behind the NAT, 10.9.1.2)
# and B (10.9.2.2), whose checksums the peer computed over addresses the
# NAT then changed, reach the other side's stack intact.  Topology as in
# nat_lib.sh; key managers under the shim negotiate transport-mode SAs
# (their own IKE-framed messages, covered by the host-to-host policies,
# leave unprotected because the shim marks their bypass socket).
#
#   A -> B  B sees the NAT's address as source where A's checksum used
#           10.9.1.2: mended at B (incrementally with X_NAT_T_OA, else
#           UDP cleared / TCP recomputed, or recomputed under policy 1)
#   B -> A  A sees its own address as destination where B's checksum
#           used the NAT's: mended at A (no OA can describe that change:
#           UDP cleared / TCP recomputed, or recomputed under policy 1)
#
# Three rounds: policy 1 (full); policy 0 with X_NAT_T_OA; policy 0
# without.  Each: 20 UDP datagrams each way and a 20000-byte TCP echo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ike/ike_lib.sh"
. "$here/nat_lib.sh"
ike_require
ike_need nft nftables
ike_need /usr/bin/python3 python3
trap ike_cleanup EXIT
app=$here/l4_app.py

a=tA-$$ r=tR-$$ b=tB-$$
nat_topology "$a" "$r" "$b"
ipsecd_start A "$a" "workers 2" "natt-keepalive 1"
ipsecd_start B "$b" "workers 2" "natt-keepalive 1"

# Wait for a "ready" line in file.
ready() {
	local i
	for i in $(seq 1 50); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "helper did not start" "$(cat "$1")"
}

round() {
	local name=$1 policy=$2 oa=$3 d=$ike_tmp/$1 got udpb udpa
	mkdir -p "$d"
	for s in "A $a" "B $b"; do
		set -- $s
		ctl "$1" "$2" set net.inet.ipsec.natt_cksum_policy="$policy" >/dev/null
		ctl "$1" "$2" flush
		ctl "$1" "$2" spdflush
	done
	peer_start B "$b" -r responder -t -u $oa -q -l 10.9.2.2 -p 10.9.2.1 \
		-s 300 -h 600 -d 60
	peer_start A "$a" -r initiator -t -u $oa -q -l 10.9.1.2 -p 10.9.2.2 \
		-s 300 -h 600 -d 60
	ip netns exec "$b" /usr/bin/python3 "$app" udp-recv 7000 15 20 >"$d/udpb" &
	ike_pids+=($!)
	local rb=$!
	ip netns exec "$a" /usr/bin/python3 "$app" udp-recv 7002 15 20 >"$d/udpa" &
	ike_pids+=($!)
	local ra=$!
	ip netns exec "$b" /usr/bin/python3 "$app" tcp-echo 7001 15 >"$d/echo" &
	ike_pids+=($!)
	ready "$d/udpb"
	ready "$d/udpa"
	ready "$d/echo"
	# A starts (its first packet brings the SAs), then B answers.
	n "$a" /usr/bin/python3 "$app" udp-send 10.9.2.2 7000 20
	got=$(n "$a" /usr/bin/python3 "$app" tcp-send 10.9.2.2 7001 || true)
	[[ $got == "tcp ok 20000" ]] || fail "$name: tcp echo through the NAT" "$got"
	n "$b" /usr/bin/python3 "$app" udp-send 10.9.2.1 7002 20
	wait "$rb" || true
	wait "$ra" || true
	udpb=$(cat "$d/udpb" | tail -1)
	udpa=$(cat "$d/udpa" | tail -1)
	set -- $udpb
	[[ $2 == 20 ]] || fail "$name: udp A -> B" "$udpb"
	case $name in
	full | oa) [[ $4 == 0 && $6 == 20 ]] || fail "$name: A -> B checksums kept" "$udpb" ;;
	none) [[ $4 == 20 ]] || fail "$name: A -> B checksums cleared" "$udpb" ;;
	esac
	set -- $udpa
	[[ $2 == 20 ]] || fail "$name: udp B -> A" "$udpa"
	case $name in
	full) [[ $6 == 20 ]] || fail "$name: B -> A checksums recomputed" "$udpa" ;;
	oa | none) [[ $4 == 20 ]] || fail "$name: B -> A checksums cleared" "$udpa" ;;
	esac
	local pa pb
	eval "pa=\$peer_pid_A pb=\$peer_pid_B"
	kill -TERM "$pa" "$pb"
	peer_wait A
	peer_wait B
	(($(pv A errors) == 0 && $(pv B errors) == 0)) ||
		fail "$name: key manager errors" "$(pv A errors)/$(pv B errors)"
	echo "nat_transport: $name: udp A->B $udpb; udp B->A $udpa; tcp ok" >&2
}

round full 1 ""
round oa 0 -o
round none 0 ""
echo "nat_transport: all checks passed"
