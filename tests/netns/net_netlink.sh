#!/usr/bin/env bash
# src/daemon/netlink.c against the kernel: links, addresses, routes and
# rules appear as configured (checked with ip -j), the kernel's errors come
# back as errno, the monitor reports link and address events, and
# nl_cleanup removes what is ours (protocol 50) and nothing else.
#
#   +---------------- nl-$$ ----------------+
#   | ipsec0  TUN, 2 queues held by net_tun |
#   +---------------------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/net_lib.sh"
net_require
trap net_cleanup EXIT

ns=nl-$$
net_ns "$ns"
coproc TUN { ip netns exec "$ns" "$NET_BIN/net_tun" ipsec0 2; }
read -r -t 30 line <&"${TUN[0]}"
[[ $line == "ok ipsec0" ]] || fail "tun open" "$line"

nl() { n "$ns" "$NET_BIN/net_nl" "$@" || true; }
link() { ip -n "$ns" -j link show "$1" | jq -r ".[0].$2"; }

# Links: index, MTU, up/down, and errors.
idx=$(nl index ipsec0)
[[ $idx == "$(link ipsec0 ifindex)" ]] || fail "index" "$idx"
out=$(nl index nosuch0)
[[ $out == "error ENODEV" ]] || fail "missing device" "$out"
out=$(nl mtu 9999 1400)
[[ $out == "error ENODEV" ]] || fail "mtu of a missing index" "$out"
out=$(nl mtu ipsec0 1400)
[[ $out == ok && $(link ipsec0 mtu) == 1400 ]] || fail "mtu" "$out"
out=$(nl up ipsec0)
[[ $out == ok && $(link ipsec0 'flags | index("UP") != null') == true ]] ||
	fail "up" "$out"

# Addresses: IPv4, IPv6 usable at once (nodad), duplicates, listing.
out=$(nl addr-add ipsec0 10.20.0.1/24)
[[ $out == ok ]] || fail "addr add" "$out"
got=$(ip -n "$ns" -j addr show dev ipsec0 |
	jq -r '.[0].addr_info[] | select(.local == "10.20.0.1") | .prefixlen')
[[ $got == 24 ]] || fail "ipv4 address" "$got"
out=$(nl addr-add ipsec0 10.20.0.1/24)
[[ $out == "error EEXIST" ]] || fail "duplicate address" "$out"
out=$(nl addr-add ipsec0 fd20::1/64)
[[ $out == ok ]] || fail "ipv6 addr add" "$out"
got=$(ip -n "$ns" -j addr show dev ipsec0 |
	jq -c '.[0].addr_info[] | select(.local == "fd20::1") | [.prefixlen, .nodad, .tentative]')
[[ $got == '[64,true,null]' ]] || fail "ipv6 address nodad, not tentative" "$got"
out=$(nl addrs 4)
grep -qx "$idx 10.20.0.1/24" <<<"$out" || fail "list ipv4" "$out"
out=$(nl addrs all)
grep -qx "$idx fd20::1/64" <<<"$out" || fail "list all" "$out"
grep -qx "1 127.0.0.1/8" <<<"$out" || fail "list lo" "$out"
out=$(nl addr-del ipsec0 10.20.0.1/24)
[[ $out == ok ]] || fail "addr del" "$out"
got=$(ip -n "$ns" -j addr show dev ipsec0 |
	jq -r '[.[0].addr_info[] | select(.local == "10.20.0.1")] | length')
[[ $got == 0 ]] || fail "address deleted" "$got"
nl addr-add ipsec0 10.20.0.1/24 >/dev/null

# Routes through ipsec0 in table 100, ours by protocol 50.
out=$(nl route-add ipsec0 192.0.2.0/24 100 10)
[[ $out == ok ]] || fail "route add" "$out"
got=$(ip -n "$ns" -j route show table 100 |
	jq -c '.[] | select(.dst == "192.0.2.0/24") | [.dev, .protocol, .metric, .scope]')
[[ $got == '["ipsec0","50",10,"link"]' ]] || fail "route" "$got"
out=$(nl route-add ipsec0 192.0.2.0/24 100 10)
[[ $out == "error EEXIST" ]] || fail "duplicate route" "$out"
out=$(nl route-add 9999 198.18.0.0/15 100 0)
[[ $out == "error ENODEV" ]] || fail "route via a missing device" "$out"
out=$(nl route-add ipsec0 2001:db8:5::/48 100 0)
[[ $out == ok ]] || fail "ipv6 route add" "$out"
got=$(ip -n "$ns" -6 -j route show table 100 |
	jq -c '.[] | select(.dst == "2001:db8:5::/48") | [.dev, .protocol]')
[[ $got == '["ipsec0","50"]' ]] || fail "ipv6 route" "$got"
out=$(nl route-add ipsec0 198.51.100.0/24 254 0)
[[ $out == ok ]] || fail "route in main" "$out"
out=$(nl route-del ipsec0 198.51.100.0/24 254 0)
[[ $out == ok ]] || fail "route del" "$out"
out=$(nl route-del ipsec0 198.51.100.0/24 254 0)
[[ $out == "error ESRCH" ]] || fail "deleting a missing route" "$out"

# Rules: "not fwmark 0x4d table 100", as wg-quick's, for both families.
out=$(nl rule-add 4 not 0x4d 100 1000)
[[ $out == ok ]] || fail "rule add" "$out"
got=$(ip -n "$ns" -j rule show |
	jq -c '.[] | select(.priority == 1000) | [has("not"), .fwmark, .table, .protocol]')
[[ $got == '[true,"0x4d","100","50"]' ]] || fail "rule" "$got"
out=$(nl rule-add 4 not 0x4d 100 1000)
[[ $out == "error EEXIST" ]] || fail "duplicate rule" "$out"
out=$(nl rule-add 6 not 0x4d 100 1000)
[[ $out == ok ]] || fail "ipv6 rule add" "$out"
got=$(ip -n "$ns" -6 -j rule show |
	jq -c '.[] | select(.priority == 1000) | [has("not"), .fwmark, .table]')
[[ $got == '[true,"0x4d","100"]' ]] || fail "ipv6 rule" "$got"
out=$(nl rule-add 4 0x77 100 1002)
[[ $out == ok ]] || fail "plain fwmark rule" "$out"
out=$(nl rule-del 4 0x77 100 1002)
[[ $out == ok ]] || fail "rule del" "$out"

# Clean-up takes ours and leaves the administrator's.
n "$ns" ip route add 203.0.113.0/24 dev ipsec0 table 100
n "$ns" ip rule add fwmark 0x99 table 100 pref 1001
out=$(nl cleanup 100)
[[ $out == ok ]] || fail "cleanup" "$out"
got=$(ip -n "$ns" -j route show table 100 | jq -c '[.[] | .dst]')
[[ $got == '["203.0.113.0/24"]' ]] || fail "routes left in table 100" "$got"
got=$(ip -n "$ns" -6 -j route show table 100 | jq -c '[.[] | .dst]')
[[ $got == '[]' ]] || fail "ipv6 routes left in table 100" "$got"
got=$(ip -n "$ns" -j rule show | jq -c '[.[] | select(.table == "100") | .priority]')
[[ $got == '[1001]' ]] || fail "rules left" "$got"
got=$(ip -n "$ns" -6 -j rule show | jq -c '[.[] | select(.table == "100")] | length')
[[ $got == 0 ]] || fail "ipv6 rules left" "$got"

# The monitor sees an address and an MTU change made through netlink.c.
out=$(nl monitor ipsec0 10.30.0.1/24 1300)
[[ $out == $'newaddr 10.30.0.1/24\nnewlink ipsec0 mtu 1300\nok' ||
	$out == $'newlink ipsec0 mtu 1300\nnewaddr 10.30.0.1/24\nok' ]] ||
	fail "monitor" "$out"

# Down, and delete (the queues' fds stay open: the kernel detaches them).
out=$(nl down ipsec0)
[[ $out == ok && $(link ipsec0 'flags | index("UP") != null') == false ]] ||
	fail "down" "$out"
out=$(nl del ipsec0)
[[ $out == ok ]] || fail "link delete" "$out"
! ip -n "$ns" link show ipsec0 2>/dev/null || fail "ipsec0 still there" "yes"
out=$(nl del ipsec0)
[[ $out == "error ENODEV" ]] || fail "deleting a missing device" "$out"
echo quit >&"${TUN[1]}"
wait "$TUN_PID"
echo "net_netlink: all checks passed"
