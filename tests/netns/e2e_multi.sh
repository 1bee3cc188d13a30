#!/usr/bin/env bash
# Two SAs with different algorithms at once: ipsec1 (reqid 1) with
# AES-GCM-16 and ipsec2 (reqid 2) with ChaCha20-Poly1305, both raw ESP in
# tunnel mode between the same veth addresses; ping and 10-second iperf3
# TCP streams through both interfaces together; each interface and each
# SA counted its own traffic, with its own algorithm.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsec1 10.9.0.1 fd09::1 ===== ESP 0x1001 (aes-gcm-16) ====> ipsec1   |
#   | ipsec2 10.9.1.1 fd09:1::1 === ESP 0x1002 (chacha20-poly1305) => ipsec2|
#   |                          <=== ESP 0x2001, 0x2002 ======              |
#   | va 10.0.0.1 -------------+---- veth -----+------------- vb 10.0.0.2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
IDX=1 OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
IDX=2 OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=chacha e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
E2E_NEED=esp e2e_traffic 1 2
for s in A B; do
	for spi in 0x1001 0x2001; do
		alg=$(e2e_sa_get "$s" $spi .enc.alg)
		[[ $alg == aes-gcm-16 ]] || fail "$s sa $spi algorithm" "$alg"
	done
	for spi in 0x1002 0x2002; do
		alg=$(e2e_sa_get "$s" $spi .enc.alg)
		[[ $alg == chacha20-poly1305 ]] || fail "$s sa $spi algorithm" "$alg"
	done
	for i in ipsec1 ipsec2; do
		got=$(ctl "$s" -j show interfaces | jq --arg i $i '.[] | select(.name == $i) | [.out.packets, .in.packets] | min')
		((got > 0)) || fail "$s $i counted packets both ways" "$got"
	done
done
echo "e2e_multi: all checks passed"
