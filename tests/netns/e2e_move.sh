#!/usr/bin/env bash
# An ipsecN device moved into another namespace keeps carrying the tunnel
# (what xfrm interfaces exist for): A's ipsecd creates ipsec1, which is
# moved into C and configured there (addresses and routes in C's main
# table); pings from C go through A's ipsecd and the veth to B and back.
# When A's ipsecd stops, the device is gone from C too.
#
#   +---- e2eC-$$ ----+     +------- e2eA-$$ -------+        +------- e2eB-$$ -------+
#   | ipsec1 10.9.0.1 |     | ipsecd (queues of     |        | ipsecd                |
#   |  fd09::1        |<===>|  ipsec1 stay open)    |==ESP==>| ipsec1 10.9.0.2       |
#   | ping 10.9.0.2   |     | va 10.0.0.1 ----------+-veth---+- vb 10.0.0.2          |
#   +-----------------+     +-----------------------+        +-----------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
C=e2eC-$$
e2e_ns "$C"
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
e2e_ping A 10.9.0.2

n "$A" ip link set ipsec1 netns "$C"
! ip -n "$A" link show ipsec1 >/dev/null 2>&1 || fail "ipsec1 left A" "$(ip -n "$A" link show ipsec1)"
n "$C" ip link set ipsec1 up
n "$C" ip addr add 10.9.0.1/32 dev ipsec1
n "$C" ip addr add fd09::1/128 dev ipsec1 nodad
n "$C" ip route add 10.9.0.2/32 dev ipsec1
n "$C" ip route add fd09::2/128 dev ipsec1
before=$(e2e_sa_get A 0x2001 .packets)
e2e_ping "$C" 10.9.0.2
e2e_ping "$C" fd09::2
after=$(e2e_sa_get A 0x2001 .packets)
((after - before >= 6)) || fail "A's inbound SA carried C's replies" "$before -> $after"
grep -q "interface ipsec1 left this namespace" "$E2E_WORK/A/ipsecd.log" ||
	fail "A's ipsecd noticed the move" "$(cat "$E2E_WORK/A/ipsecd.log")"
# The interface's counters still count (the daemon still holds it).
got=$(ctl A -j show interfaces | jq '.[] | select(.name == "ipsec1") | .in.packets')
((got >= 9)) || fail "A's ipsec1 counters after the move" "$got"

e2e_stop A
((E2E_STATUS == 0)) || fail "A's ipsecd exit status" "$E2E_STATUS"
! ip -n "$C" link show ipsec1 >/dev/null 2>&1 || fail "ipsec1 gone from C" "$(ip -n "$C" link show ipsec1)"
echo "e2e_move: all checks passed"
