#!/usr/bin/env bash
# NAT traversal through a masquerading router: ESP-in-UDP (RFC 3948) on
# the NAT-T port shared by ipsecd and a key manager under the shim, the
# NAT mapping kept by ipsecd's keepalives, and a forced mapping change
# detected by ipsecd and reported with SADB_X_NAT_T_NEW_MAPPING (with
# X_SA2) to the key manager registered for ESP.
#
#   +------ nA-$$ ------+       +-------- nR-$$ --------+       +------ nB-$$ ------+
#   | lo 10.1.0.1       |       | masquerade on rb:     |       | lo 10.2.0.1       |
#   | ipsecd A          |       |  udp 4500 -> :41000   |       | ipsecd B          |
#   | ike_peer init.    |       |  (then -> :42000)     |       | ike_peer resp.    |
#   | va 10.9.1.2/24    |--veth-| ra 10.9.1.1  rb 10.9.2.1 |-veth-| vb 10.9.2.2/24    |
#   +-------------------+       | conntrack udp 4 s     |       +-------------------+
#                               +-----------------------+
#   A's ESP goes 10.9.1.2:4500 -> 10.9.2.2:4500 and reaches B from
#   10.9.2.1:41000; B only ever sees the router's address.
#
# Phases:
#   1. ESP-in-UDP through the NAT both ways; IKE-framed PINGs on the same
#      port reach the key managers (never ipsecd's workers) while the
#      echo stream runs.
#   2. 10 s without traffic (conntrack's UDP timeout is 4 s): ipsecd's
#      keepalives (natt-keepalive 1) keep the mapping, so B can still
#      reach A.
#   3. The same after a reload set natt-keepalive 0 on both sides: the
#      mapping expires and B cannot reach A.
#   4. The masquerade port changes (41000 -> 42000) and conntrack is
#      flushed: A's next ESP reaches B from the new port; ipsecd B moves
#      its SAs there and sends NEW_MAPPING, which B's key manager reads
#      through the shim.  Window: the replies B sends before it has moved
#      its SA (at most the first one or two) are lost.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ike/ike_lib.sh"
. "$here/nat_lib.sh"
ike_require
ike_need nft nftables
ike_need conntrack conntrack
trap ike_cleanup EXIT

a=nA-$$ r=nR-$$ b=nB-$$
nat_topology "$a" "$r" "$b"

ipsecd_start A "$a" "workers 2" "natt-keepalive 1"
ipsecd_start B "$b" "workers 2" "natt-keepalive 1"

common=(-u -q -s 300 -h 600 -d 60)
peer_start B "$b" -r responder -l 10.9.2.2 -p 10.9.2.1 -L 10.2.0.1/32 \
	-R 10.1.0.1/32 "${common[@]}"
peer_start A "$a" -r initiator -l 10.9.1.2 -p 10.9.2.2 -L 10.1.0.1/32 \
	-R 10.2.0.1/32 "${common[@]}"
eval "pa=\$peer_pid_A"

replies() {
	sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# 1. Through the NAT, with IKE-framed messages on the shared port.
n "$a" ping -q -c 40 -i 0.1 -W 2 -I 10.1.0.1 10.2.0.1 >"$ike_tmp/p1" &
ping_pid=$!
sleep 1
kill -USR1 "$pa"
wait "$ping_pid" || true
got=$(replies <"$ike_tmp/p1")
[[ $got == 40 ]] || fail "echo replies through the NAT" "$got"
sa=$(ctl B "$b" -j show sa)
dport=$(echo "$sa" | jq '[.[] | select(.dst == "10.9.2.1") | .encap.dport] | first')
[[ $dport == 41000 ]] || fail "B's outbound SA to the NAT's port" "$dport"
src=$(echo "$sa" | jq -r '[.[] | select(.dst == "10.9.2.2") | .src] | first')
[[ $src == 10.9.2.1 ]] || fail "B's inbound SA from the NAT's address" "$src"
n "$r" conntrack -L -p udp --orig-port-src 4500 >"$ike_tmp/ct1" 2>/dev/null || true
grep -q 'dport=41000' "$ike_tmp/ct1" || fail "router mapping to 41000" "$(cat "$ike_tmp/ct1")"

# 2. Idle longer than conntrack's timeout: keepalives keep the mapping.
sleep 10
n "$r" conntrack -L -p udp --orig-port-src 4500 >"$ike_tmp/ct2" 2>/dev/null || true
grep -q 'dport=41000' "$ike_tmp/ct2" || fail "mapping kept by keepalives" "$(cat "$ike_tmp/ct2")"
got=$(n "$b" ping -q -c 5 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.1 | replies || true)
[[ $got == 5 ]] || fail "B reaches A through the kept mapping" "$got"
ka=$(ctl B "$b" -j show stats | jq '.packets.keepalive')
((ka >= 5)) || fail "keepalives from A at B's workers" "$ka"

# 3. The control: without keepalives (natt-keepalive 0 by a reload on
# both sides) the mapping expires.
ipsecd_reload A 's/^natt-keepalive 1$/natt-keepalive 0/'
ipsecd_reload B 's/^natt-keepalive 1$/natt-keepalive 0/'
grep -q 'nat-t keepalives off' "$ike_tmp/A/log" || fail "keepalives off after the reload" "$(tail -n 3 "$ike_tmp/A/log")"
ka=$(ctl B "$b" -j show stats | jq '.packets.keepalive')
sleep 10
n "$r" conntrack -L -p udp --orig-port-src 4500 >"$ike_tmp/ct3" 2>/dev/null || true
! grep -q 'dport=41000' "$ike_tmp/ct3" || fail "mapping expired without keepalives" "$(cat "$ike_tmp/ct3")"
got=$(n "$b" ping -q -c 3 -i 0.2 -W 1 -I 10.2.0.1 10.1.0.1 | replies || true)
[[ $got == 0 ]] || fail "B cannot reach A without a mapping" "$got"
ka2=$(ctl B "$b" -j show stats | jq '.packets.keepalive')
((ka2 == ka)) || fail "no keepalives after the reload" "$ka -> $ka2"

# 4. A new mapping on another port: NEW_MAPPING, and the SAs follow.
nat_rule "$r" 42000
n "$r" conntrack -D -p udp >/dev/null 2>&1 || true
got=$(n "$a" ping -q -c 20 -i 0.1 -W 2 -I 10.1.0.1 10.2.0.1 | replies || true)
((got >= 18)) || fail "echo replies after the mapping changed (window 2)" "$got"
kill -USR1 "$pa"
sleep 1
dport=$(ctl B "$b" -j show sa | jq '[.[] | select(.dst == "10.9.2.1") | .encap.dport] | first')
[[ $dport == 42000 ]] || fail "B's outbound SA moved to the new port" "$dport"
kill -TERM "$pa"
peer_wait A
eval "pb=\$peer_pid_B"
kill -TERM "$pb"
peer_wait B

(($(pv B new_mappings) >= 1)) || fail "NEW_MAPPING read by B's key manager" "$(pv B new_mappings)"
(($(pv B new_mappings_sa2) == $(pv B new_mappings))) || fail "NEW_MAPPING with X_SA2" "$(pv B new_mappings_sa2)"
set -- $(pv B last_mapping)
[[ $2 == 10.9.2.1 && $3 == 41000 && $4 == 10.9.2.1 && $5 == 42000 ]] ||
	fail "NEW_MAPPING old and new address and port" "$*"
(($(pv A pongs) == 10)) || fail "PONGs on the shared port while ESP flows" "$(pv A pongs)"
(($(pv A errors) == 0 && $(pv B errors) == 0)) || fail "key manager errors" "$(pv A errors)/$(pv B errors)"
for s in "A $a" "B $b"; do
	set -- $s
	ike=$(ctl "$1" "$2" -j show stats | jq '.packets.ike')
	[[ $ike == 0 ]] || fail "IKE packets at ipsecd $1's workers" "$ike"
done
echo "nat_traversal: all checks passed"
