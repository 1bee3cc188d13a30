#!/usr/bin/env bash
# Tunnel mode over IPv6 (4in6 and 6in6), raw ESP with ChaCha20-Poly1305:
# ping and a 10-second iperf3 TCP stream per inner family, the capture on
# the veth all ESP with our SPIs, no marker in the clear, decrypted by
# scapy.  With tun-offload 0: the devices read and write one packet at a
# time (the other tests run with the default, TCP segmentation offload).
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsecd                    |              |                    ipsecd |
#   | ipsec1 10.9.0.1 fd09::1 ==== ESP 0x1001 ===> ipsec1 10.9.0.2 fd09::2 |
#   |                          <=== ESP 0x2001 ====                        |
#   | va fd00::1 --------------+---- veth -----+---------------- vb fd00::2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
OUTER=6 MODE=tunnel STACK=esp ENCAP=raw ALG=chacha e2e_pair
echo "tun-offload 0" | e2e_pair_conf
e2e_start A
e2e_start B
E2E_NEED=esp e2e_traffic 1
echo "e2e_esp6: all checks passed"
