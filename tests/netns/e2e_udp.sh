#!/usr/bin/env bash
# ESP-in-UDP (RFC 3948, port 4500, "esp-udp" in the setkey files) in
# tunnel mode, over IPv4 through ipsec1 (AES-GCM-16) and over IPv6 through
# ipsec2 (AES-CBC with HMAC-SHA-256) at once, each carrying IPv4 and IPv6:
# ping and 10-second iperf3 TCP streams, the capture all UDP 4500 with our
# SPIs, decrypted by scapy.
#
#   +----------- e2eA-$$ -----------+          +----------- e2eB-$$ -----------+
#   | ipsec1 10.9.0.1 fd09::1 ====== UDP 10.0.0.1:4500 -> 10.0.0.2:4500 ===> ipsec1 |
#   | ipsec2 10.9.1.1 fd09:1::1 ==== UDP [fd00::1]:4500 -> [fd00::2]:4500 => ipsec2 |
#   | va 10.0.0.1 fd00::1 ----------+-- veth --+---------- vb 10.0.0.2 fd00::2 |
#   +-------------------------------+          +-------------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
IDX=1 OUTER=4 MODE=tunnel STACK=esp ENCAP=udp ALG=gcm e2e_pair
IDX=2 OUTER=6 MODE=tunnel STACK=esp ENCAP=udp ALG=cbc e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
E2E_NEED=udp e2e_traffic 1 2
for s in A B; do
	flags=$(e2e_sa_get "$s" 0x1001 '.flags | join(",")')
	[[ $flags == *udp-encap* ]] || fail "$s: sa 0x1001 flags udp-encap" "$flags"
done
echo "e2e_udp: all checks passed"
