#!/usr/bin/env bash
# SA bundles in tunnel mode over IPv4: ESP (AES-GCM-16) in tunnel mode
# with AH (HMAC-SHA-256) in transport mode over it through ipsec1, and
# IPcomp (deflate) making the tunnel with ESP (ChaCha20-Poly1305) in
# transport mode over it through ipsec2, both at once: ping (a
# compressible payload) and 10-second iperf3 TCP streams; the capture all
# AH and ESP with our SPIs, scapy verifies AH, decrypts ESP and inflates
# IPcomp down to the marker.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsec1 10.9.0.1 ========= IP|AH 0x1101|ESP 0x1001|IP ==> ipsec1     |
#   | ipsec2 10.9.1.1 ========= IP|ESP 0x1002|IPcomp 0x1202|IP => ipsec2    |
#   | va 10.0.0.1 -------------+---- veth -----+------------- vb 10.0.0.2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
IDX=1 OUTER=4 MODE=tunnel STACK="ah esp" ENCAP=raw ALG=gcm e2e_pair
IDX=2 OUTER=4 MODE=tunnel STACK="ipcomp esp" ENCAP=raw ALG=chacha e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
# 300 bytes of marker compress (IPcomp's threshold is 90 bytes).
E2E_PING_ARGS="-s 300" E2E_NEED=ah,esp,ipcomp e2e_traffic 1 2
echo "e2e_bundle: all checks passed"
