#!/usr/bin/env bash
# A key manager of ours drives two ipsecd instances through
# libipsecd-pfkey.so, unmodified (tests/ike/ike_peer.c is a plain PF_KEY
# program): policies (X_SPDADD), the first packet's ACQUIRE, GETSPI with
# the ACQUIRE's seq, UPDATE of the larval inbound SA, ADD of the outbound
# one, X_SPDUPDATE, traffic, soft EXPIRE, rekey, hard EXPIRE of the old
# SAs, again and again (soft 5 s, hard 8 s) while a steady ping runs.
# Both key managers share ipsecd's NAT-T port for their IKE-framed
# messages (PING/PONG every second while ESP flows).
#
#   +------------- iA-$$ -------------+        +------------- iB-$$ -------------+
#   | lo 10.1.0.1                     |        | lo 10.2.0.1                     |
#   | ipsec0 (ipsecd A)               |        | ipsecd B (ipsec0)               |
#   | ike_peer initiator   va 10.0.0.1|--veth--|vb 10.0.0.2   ike_peer responder|
#   +---------------------------------+        +---------------------------------+
#           ESP tunnel 10.0.0.1 <-> 10.0.0.2 for 10.1.0.1 <-> 10.2.0.1
#
# The loss window, documented: none.  The first packets wait in the
# worker's hold queue for the SAs the ACQUIRE brings (worker.c: up to 10 s)
# and are then sent; each side makes its new inbound SA usable before the
# other side's new outbound SA to it exists, and an old SA lives until
# its hard lifetime, after the new ones took over (newest MATURE SA first,
# sad_lookup_out).  So every ping of the stream must come back.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ike_lib.sh"
ike_require
trap ike_cleanup EXIT

a=iA-$$ b=iB-$$
ike_ns "$a"
ike_ns "$b"
n "$a" ip link add va type veth peer name vb netns "$b"
n "$a" ip addr add 10.0.0.1/24 dev va
n "$b" ip addr add 10.0.0.2/24 dev vb
n "$a" ip addr add 10.1.0.1/32 dev lo
n "$b" ip addr add 10.2.0.1/32 dev lo
n "$a" ip link set va up
n "$b" ip link set vb up

ipsecd_start A "$a" "workers 2"
ipsecd_start B "$b" "workers 2"

common=(-s 5 -h 8 -d 24)
peer_start B "$b" -r responder -l 10.0.0.2 -p 10.0.0.1 -L 10.2.0.1/32 \
	-R 10.1.0.1/32 "${common[@]}"
peer_start A "$a" -r initiator -l 10.0.0.1 -p 10.0.0.2 -L 10.1.0.1/32 \
	-R 10.2.0.1/32 "${common[@]}"

# 200 echo requests over 20 s: the first ACQUIRE, then two or three
# rekeys and the hard expiry of the SAs they replaced.
out=$(n "$a" ping -q -c 200 -i 0.1 -W 2 -I 10.1.0.1 10.2.0.1 || true)
echo "$out" >&2
received=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
stats=$(ctl A "$a" -j show stats)
# The key manager's bypass policies on its UDP socket, as ipsecd keeps them.
socks=$(ctl A "$a" -j show sp | jq -c '[.[] | select(.socket) | [.pid, .dir, .action]] | sort')
eval "pa=\$peer_pid_A"
[[ $socks == "[[$pa,\"in\",\"bypass\"],[$pa,\"out\",\"bypass\"]]" ]] ||
	fail "socket policies in show sp" "$socks"
ctl A "$a" show sp | grep -q "^-  *out  *bypass .*socket  *pid $pa fd" ||
	fail "socket policy row" "$(ctl A "$a" show sp)"
peer_wait A
peer_wait B
socks=$(ctl A "$a" -j show sp | jq '[.[] | select(.socket)] | length')
[[ $socks == 0 ]] || fail "socket policies dropped at close" "$socks"

[[ $received == 200 ]] || fail "echo replies across ACQUIRE and rekeys (window 0)" "$received"
(($(pv A acquires) >= 1)) || fail "initiator ACQUIREs" "$(pv A acquires)"
(($(pv A children) >= 3)) || fail "CHILD SAs (first and rekeys)" "$(pv A children)"
(($(pv B children) == $(pv A children))) || fail "responder CHILD SAs" "$(pv B children)"
(($(pv A getspi) == $(pv A children))) || fail "GETSPIs" "$(pv A getspi)"
(($(pv A updates) == $(pv A children))) || fail "UPDATEs" "$(pv A updates)"
(($(pv A adds) == $(pv A children))) || fail "ADDs" "$(pv A adds)"
(($(pv A spdadds) == 2 && $(pv A spdupdates) == 1)) || fail "SPD requests" "$(pv A spdadds)/$(pv A spdupdates)"
(($(pv A soft_expires) >= 2)) || fail "soft EXPIREs" "$(pv A soft_expires)"
(($(pv A hard_expires) >= 2)) || fail "hard EXPIREs" "$(pv A hard_expires)"
(($(pv B hard_expires) >= 2)) || fail "hard EXPIREs (responder)" "$(pv B hard_expires)"
(($(pv A hard_current) == 0 && $(pv B hard_current) == 0)) || fail "hard EXPIRE of SAs in use" "$(pv A hard_current)"
(($(pv A errors) == 0 && $(pv B errors) == 0)) || fail "key manager errors" "$(pv A errors)/$(pv B errors)"
(($(pv A events_dropped) == 0)) || fail "events dropped" "$(pv A events_dropped)"
# IKE-framed messages reached the key managers, none strayed to a worker.
(($(pv A pongs) >= 15)) || fail "PONGs on the shared port" "$(pv A pongs)"
ike_at_workers=$(echo "$stats" | jq '.packets.ike')
[[ $ike_at_workers == 0 ]] || fail "IKE packets at ipsecd's workers" "$ike_at_workers"
held=$(echo "$stats" | jq '.packets.held_sent')
((held >= 1)) || fail "packets held for the first SA and sent" "$held"
echo "ike_cycle: all checks passed ($(pv A children) CHILD SAs, $received/200 replies)"
