#!/usr/bin/env bash
# Path MTU and the outer DF bit, tunnel mode over IPv4 (AES-GCM-16).  The
# veth MTU is lowered to 1400 under an ipsec1 MTU of 1500, so that a full
# inner packet no longer fits once encapsulated:
#   - net.inet.ipsec.dfbit set at run time (ipsecctl set) changes the
#     outer header as ipsecd.conf(5) says: 2 copies the inner DF, 0 clears
#     it, 1 sets it (captured on va); with 0 a 1500-byte DF packet still
#     goes, its outer packet fragmented;
#   - with 2 (copy), a 1500-byte DF ping gets ICMP fragmentation-needed
#     back from ipsecd (ping reports it, `ip route get` shows the learned
#     PMTU) with the largest inner size that fits: 1400 minus outer IPv4
#     (20), ESP header (8), IV (8), ICV (16), less the 2 trailer bytes,
#     ESP padding to 4 bytes, = 1346; a DF ping of exactly 1346 bytes then
#     goes through and one of 1347 is refused by the sender's kernel;
#   - the same for IPv6 inside: ICMPv6 packet-too-big with MTU 1346;
#   - with the veth at 1300, 1280 bytes of IPv6 no longer fit once
#     encapsulated, but IPv6 never sends less: such packets go in
#     fragmented outer packets without DF, and larger ones get
#     packet-too-big with 1280.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ping -M do                |              |                           |
#   | ipsec1 mtu 1500 10.9.0.1 ===== ESP 0x1001 ====> ipsec1 10.9.0.2      |
#   |  <-- ICMP frag-needed     |              |                           |
#   | va mtu 1400 10.0.0.1 -----+---- veth -----+-------- vb mtu 1400     |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
e2e_pair_conf </dev/null
sed -i 's/^\treqid 1$/\treqid 1\n\tmtu 1500/' "$E2E_WORK/A/ipsecd.conf" "$E2E_WORK/B/ipsecd.conf"
n "$A" ip link set va mtu 1400
n "$B" ip link set vb mtu 1400
e2e_start A
e2e_start B
[[ $(ip -n "$A" -j link show ipsec1 | jq '.[0].mtu') == 1500 ]] || fail "ipsec1 mtu 1500" "$(ip -n "$A" link show ipsec1)"
pmtu=$(((1400 - 20 - 8 - 8 - 16) / 4 * 4 - 2))

# The outer DF bits of A's COUNT ESP packets (or fragments) while
# pinging with ping ARGS ("DF MF OFFSET LENGTH" lines in NAME.df):
# outer_df NAME COUNT ARGS...
outer_df() {
	local name=$1 count=$2
	shift 2
	e2e_capture_start "$name" "$count" "ip src 10.0.0.1"
	e2e_ping A 10.9.0.2 "$@"
	e2e_capture_end
	"$PY" "$E2E_SRC/e2e_pcap.py" df "$E2E_WORK/$name.pcap" 10.0.0.1 >"$E2E_WORK/$name.df"
	(($(wc -l <"$E2E_WORK/$name.df") == count)) || fail "$name: $count outer packets" "$(cat "$E2E_WORK/$name.df")"
}
# All outer packets of NAME have DF equal to WANT: all_df NAME WANT
all_df() {
	local got
	got=$(cut -d' ' -f1 "$E2E_WORK/$1.df" | sort -u | tr '\n' ' ')
	[[ $got == "$2 " ]] || fail "$1: outer DF $2 on every packet" "$got"
}

[[ $(ctl A get net.inet.ipsec.dfbit) == "net.inet.ipsec.dfbit: 2" ]] || fail "dfbit default 2" "$(ctl A get net.inet.ipsec.dfbit)"
outer_df copy-df 3 -s 100 -M do
all_df copy-df 1
outer_df copy-nodf 3 -s 100 -M dont
all_df copy-nodf 0
out=$(ctl A set net.inet.ipsec.dfbit=0)
[[ $out == "net.inet.ipsec.dfbit: 2 -> 0" ]] || fail "ipsecctl set dfbit=0" "$out"
outer_df clear-df 3 -s 100 -M do
all_df clear-df 0
# Too big for the path, DF inside: the outer packet is fragmented.
outer_df clear-big 6 -s 1472 -M do
all_df clear-big 0
grep -q '^0 1 0 ' "$E2E_WORK/clear-big.df" || fail "clear-big: first fragments (MF)" "$(cat "$E2E_WORK/clear-big.df")"
grep -q '^0 0 [1-9][0-9]* ' "$E2E_WORK/clear-big.df" || fail "clear-big: last fragments" "$(cat "$E2E_WORK/clear-big.df")"
ctl A set net.inet.ipsec.dfbit=1
outer_df set-nodf 3 -s 100 -M dont
all_df set-nodf 1
ctl A set net.inet.ipsec.dfbit=2

# Path MTU discovery through the tunnel, IPv4 inside.
icmp=$(ctl A -j show stats | jq '.packets.icmp_tx')
out=$(n "$A" timeout 15 ping -c 1 -W 2 -M do -s 1472 10.9.0.2 2>&1) && fail "1500-byte DF ping through a 1400 path" "$out"
[[ $out == *"Frag needed and DF set (mtu = $pmtu)"* ]] || fail "ICMP fragmentation-needed with mtu $pmtu" "$out"
route=$(n "$A" ip route get 10.9.0.2)
[[ $route == *" mtu $pmtu"* ]] || fail "learned PMTU $pmtu" "$route"
(($(ctl A -j show stats | jq '.packets.icmp_tx') > icmp)) || fail "icmp_tx counted" "$(ctl A show stats)"
e2e_ping A 10.9.0.2 -M do -s $((pmtu - 28))
out=$(n "$A" timeout 15 ping -c 1 -W 2 -M do -s $((pmtu - 27)) 10.9.0.2 2>&1) && fail "one byte over the PMTU" "$out"
[[ $out == *"message too long"* ]] || fail "one byte over the PMTU refused by the sender" "$out"

# IPv6 inside: packet-too-big.
out=$(n "$A" timeout 15 ping -c 1 -W 2 -M do -s 1452 fd09::2 2>&1) && fail "1500-byte IPv6 ping through a 1400 path" "$out"
[[ $out == *"Packet too big: mtu=$pmtu"* ]] || fail "ICMPv6 packet-too-big with mtu $pmtu" "$out"
route=$(n "$A" ip -6 route get fd09::2)
[[ $route == *" mtu $pmtu "* ]] || fail "learned IPv6 PMTU $pmtu" "$route"
e2e_ping A fd09::2 -M do -s $((pmtu - 48))

# A path too small for 1280 bytes of IPv6 inside: IPv6 may never send
# less, so those are encapsulated and the outer packet fragmented (RFC
# 4213 section 3.2), and larger ones get packet-too-big with 1280.
n "$A" ip link set va mtu 1300
n "$B" ip link set vb mtu 1300
# The first packet over the old PMTU is refused by the kernel (EMSGSIZE)
# and makes ipsecd probe again; the next ones get the error.
out=$(n "$A" timeout 15 ping -c 3 -i 0.2 -W 2 -M do -s $((pmtu - 48)) fd09::2 2>&1) &&
	fail "$pmtu-byte IPv6 ping through a 1300 path" "$out"
[[ $out == *"Packet too big: mtu=1280"* ]] || fail "ICMPv6 packet-too-big with mtu 1280" "$out"
# B learns the smaller path the same way, on its first oversized packet
# (lost: the kernel refuses it), so that it answers the pings below.
n "$B" timeout 15 ping -c 2 -i 0.2 -W 2 -M do -s $((1280 - 48)) fd09::1 >/dev/null || true
e2e_capture_start v6min 6 "ip src 10.0.0.1"
e2e_ping A fd09::2 -M do -s $((1280 - 48))
e2e_capture_end
"$PY" "$E2E_SRC/e2e_pcap.py" df "$E2E_WORK/v6min.pcap" 10.0.0.1 >"$E2E_WORK/v6min.df"
[[ $(grep -c '^0 1 0 ' "$E2E_WORK/v6min.df") == 3 ]] ||
	fail "1280 bytes of IPv6 in fragmented outer packets without DF" "$(cat "$E2E_WORK/v6min.df")"
echo "e2e_pmtu: all checks passed"
