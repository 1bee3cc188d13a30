#!/usr/bin/env bash
# Replayed and forged packets are dropped and counted by the receiver:
#   - an ESP frame captured on va, sent again from A's side of the veth
#     (scapy sendp), counts one "replay" drop on B's SA 0x1001 and is not
#     delivered (the SA's packet count stays);
#   - a packet scapy builds with the SA's keys and a fresh sequence number
#     is accepted (the control: the forgery below differs only in its
#     ICV), the same with a flipped ICV byte and a newer sequence number
#     counts one "icv" drop and is not delivered;
#   - the window did not move for the forgery: traffic goes on.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsecd, ipsec1 10.9.0.1 ====== ESP 0x1001 ======> ipsec1 10.9.0.2    |
#   | scapy sendp on va  ~~~~~~~~~~ replay / forged ESP ~~> ipsecd counts  |
#   | va 10.0.0.1 -------------+---- veth -----+------------- vb 10.0.0.2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
mac=$(ip -n "$B" -j link show vb | jq -r '.[0].address')

e2e_capture_start ping 6
e2e_ping A 10.9.0.2
e2e_capture_end
e2e_pcap_check ping --min-decrypted 6

# Wait (at most 5 s) until B's SA 0x1001 has counter FIELD equal to WANT.
wait_sa() {
	local i got
	for ((i = 0; i < 50; i++)); do
		got=$(e2e_sa_get B 0x1001 "$1")
		[[ $got == "$2" ]] && return 0
		sleep 0.1
	done
	fail "B sa 0x1001 $1 == $2" "$got"
}

pkts=$(e2e_sa_get B 0x1001 .packets)
((pkts == 3)) || fail "B sa 0x1001 packets after 3 pings" "$pkts"
[[ $(e2e_sa_get B 0x1001 .drops.replay) == 0 ]] || fail "no replay drop yet" "$(e2e_sa_get B 0x1001 .drops)"

# The last request again, byte for byte.
out=$(n "$A" "$PY" "$E2E_SRC/e2e_pcap.py" replay "$E2E_WORK/ping.pcap" va 10.0.0.1)
[[ $out == "0x1001 3" ]] || fail "replayed SPI and sequence number" "$out"
wait_sa .drops.replay 1
[[ $(e2e_sa_get B 0x1001 .packets) == 3 ]] || fail "replay not delivered" "$(e2e_sa_get B 0x1001 .packets)"

# A forged packet with the right keys and sequence number 10: accepted.
forge() {
	n "$A" "$PY" "$E2E_SRC/e2e_pcap.py" forge "$E2E_WORK/sas" 0x1001 "$1" va "$mac" \
	    10.9.0.1 10.9.0.2 "${@:2}"
}
forge 10
wait_sa .packets 4
# The same with sequence number 20 and the last ICV byte flipped.
forge 20 --flip
wait_sa .drops.icv 1
[[ $(e2e_sa_get B 0x1001 .packets) == 4 ]] || fail "forgery not delivered" "$(e2e_sa_get B 0x1001 .packets)"
[[ $(e2e_sa_get B 0x1001 .drops.replay) == 1 ]] || fail "one replay drop" "$(e2e_sa_get B 0x1001 .drops)"
# ipsecctl show sa (the table) names both reasons on B's SA.
row=$(ctl B show sa | grep '^0x00001001')
[[ $row == *"replay 1"* && $row == *"icv 1"* ]] || fail "show sa drops column" "$row"

# The forgery did not move the window: 20 is still new, and A's own
# sequence numbers 4.. are within the window (top 20, 64 wide).
forge 20
wait_sa .packets 5
e2e_ping A 10.9.0.2
wait_sa .packets 8
echo "e2e_replay: all checks passed"
