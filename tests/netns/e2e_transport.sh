#!/usr/bin/env bash
# Transport mode between the hosts' own veth addresses, IPv4 and IPv6
# (each family its own SAs), raw ESP with AES-CBC and HMAC-SHA-256: ping
# and a 10-second iperf3 TCP stream per family, the capture on the veth
# all ESP with our SPIs (no plaintext TCP or ICMP between the hosts),
# decrypted by scapy.  The routes to the peer's veth address go into
# ipsec1 in ipsecd's table; ipsecd's own ESP packets carry its mark and
# skip that table, so they leave by the veth.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsecd, ipsec1 (no addr)  |              |  ipsec1 (no addr), ipsecd |
#   |  routes 10.0.0.2, fd00::2 |              |  routes 10.0.0.1, fd00::1 |
#   | va 10.0.0.1 fd00::1 ======= ESP 0x1001 (v4), 0x1011 (v6) ===> vb     |
#   |                         <== ESP 0x2001 (v4), 0x2011 (v6) ==== 10.0.0.2|
#   |                           |   veth       |                 fd00::2   |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
MODE=transport STACK=esp ENCAP=raw ALG=cbc e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
E2E_NEED=esp e2e_traffic 1
echo "e2e_transport: all checks passed"
