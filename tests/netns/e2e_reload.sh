#!/usr/bin/env bash
# SIGHUP and SIGTERM.
#   - While a 10-second iperf3 TCP stream runs through ipsec1, both
#     ipsecd.conf files change (a second address and a route on ipsec1,
#     net.inet.ipsec.dfbit 2 -> 1) and so do the include files (an SA pair
#     over IPv6 and its policies for the new addresses); SIGHUP to both
#     daemons.  The stream lives on (iperf3 ends cleanly, the SA it uses
#     keeps its counters and counts on after the reload), and the change
#     is in force: the address is on ipsec1, the knob is 1, the new SAs are
#     there and a ping between the new addresses goes through them.
#   - A config with an error is refused on SIGHUP with its file:line
#     message; the running configuration keeps working.
#   - SIGTERM: exit status 0, and no ipsecN device, route in table 4500
#     (IPv4 and IPv6), policy-routing rule or socket file is left;
#     ipsecctl then exits 3 naming the socket.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsec1 10.9.0.1 ========== ESP 0x1001 (v4 outer) ==> 10.9.0.2 ipsec1 |
#   |   + 10.9.2.1 (reload) ==== ESP 0x1003 (v6 outer) ==> 10.9.2.2 (rel.) |
#   | va 10.0.0.1 fd00::1 -----+---- veth -----+----- vb 10.0.0.2 fd00::2 |
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

# Wait (at most 10 s) until A's SA SPI counted more than BYTES bytes.
wait_bytes() {
	local i got
	for ((i = 0; i < 100; i++)); do
		got=$(e2e_sa_get A "$1" .bytes)
		((got > $2)) && return 0
		sleep 0.1
	done
	fail "A sa $1 above $2 bytes" "$got"
}
# Wait (at most 10 s) for the Nth line matching PATTERN in SIDE's log.
wait_log() {
	local i
	for ((i = 0; i < 100; i++)); do
		(($(grep -c "$2" "$E2E_WORK/$1/ipsecd.log") >= $3)) && return 0
		sleep 0.1
	done
	fail "$1's log: $2 (${3}x)" "$(tail -n 5 "$E2E_WORK/$1/ipsecd.log")"
}

e2e_iperf_start 10.9.0.2 5201 10
wait_bytes 0x1001 1000000

# The new configuration of both sides.
{
	echo "add fd00::1 fd00::2 esp 0x1003 -m tunnel -u 1 $(e2e_sa esp chacha 0x1003 fd00::1 fd00::2);"
	echo "add fd00::2 fd00::1 esp 0x2003 -m tunnel -u 1 $(e2e_sa esp chacha 0x2003 fd00::2 fd00::1);"
} >"$E2E_WORK/new-sas"
for s in A B; do
	if [[ $s == A ]]; then me=1 peer=2; else me=2 peer=1; fi
	sed -i "s|^\taddress 10.9.0.$me/32\$|&\n\taddress 10.9.2.$me/32\n\troute 10.9.2.$peer/32|" \
	    "$E2E_WORK/$s/ipsecd.conf"
	echo "net.inet.ipsec.dfbit = 1" >>"$E2E_WORK/$s/ipsecd.conf"
	cat "$E2E_WORK/new-sas" >>"$E2E_WORK/$s/keys.conf"
	echo "spdadd 10.9.2.$me 10.9.2.$peer any -P out ipsec esp/tunnel/fd00::$me-fd00::$peer/unique:1;" >>"$E2E_WORK/$s/keys.conf"
	echo "spdadd 10.9.2.$peer 10.9.2.$me any -P in ipsec esp/tunnel/fd00::$peer-fd00::$me/unique:1;" >>"$E2E_WORK/$s/keys.conf"
done
n "$A" "$IPSECD" -n -f "$E2E_WORK/A/ipsecd.conf"

bytes_before=$(e2e_sa_get A 0x1001 .bytes)
kill -HUP "${e2e_dpid[B]}" "${e2e_dpid[A]}"
wait_log A "reloaded" 1
wait_log B "reloaded" 1
e2e_alive "${E2E_IPERF_PID[5201]}" || fail "iperf3 still running after the reload" "ended"
bytes_reload=$(e2e_sa_get A 0x1001 .bytes)
((bytes_reload >= bytes_before)) || fail "sa 0x1001 kept its counters" "$bytes_before -> $bytes_reload"
e2e_iperf_end 5201
bytes_end=$(e2e_sa_get A 0x1001 .bytes)
((bytes_end > bytes_reload)) || fail "bytes moved after the reload" "$bytes_reload -> $bytes_end"

# The change is in force.
for s in A B; do
	if [[ $s == A ]]; then me=1; else me=2; fi
	ip -n "$(e2e_nsof $s)" -j addr show dev ipsec1 | jq -e --arg a 10.9.2.$me \
	    '[.[0].addr_info[].local] | index($a) != null' >/dev/null ||
		fail "$s: 10.9.2.$me on ipsec1" "$(ip -n "$(e2e_nsof $s)" addr show dev ipsec1)"
	[[ $(ctl $s get net.inet.ipsec.dfbit) == "net.inet.ipsec.dfbit: 1" ]] ||
		fail "$s: dfbit reloaded" "$(ctl $s get net.inet.ipsec.dfbit)"
	[[ $(e2e_sa_get $s 0x1003 .src) == fd00::1 ]] || fail "$s: sa 0x1003 added" "$(ctl $s show sa)"
done
e2e_capture_start new 6
e2e_ping A 10.9.2.2 -I 10.9.2.1
e2e_capture_end
e2e_pcap_check new --min-decrypted 6
e2e_sa_moved A 0x1003
e2e_sa_moved B 0x2003

# A configuration with an error: refused, the running one goes on.
echo "net.inet.ipsec.ecn = 7" >>"$E2E_WORK/A/ipsecd.conf"
line=$(wc -l <"$E2E_WORK/A/ipsecd.conf")
kill -HUP "${e2e_dpid[A]}"
wait_log A "errors: the running configuration is kept" 1
grep -q "ipsecd.conf:$line: " "$E2E_WORK/A/ipsecd.log" ||
	fail "the error names ipsecd.conf:$line" "$(tail -n 5 "$E2E_WORK/A/ipsecd.log")"
e2e_ping A 10.9.0.2
[[ $(ctl A get net.inet.ipsec.dfbit) == "net.inet.ipsec.dfbit: 1" ]] ||
	fail "dfbit unchanged by the refused reload" "$(ctl A get net.inet.ipsec.dfbit)"

# SIGTERM leaves nothing behind.
for s in A B; do
	ns=$(e2e_nsof $s)
	[[ -S $E2E_WORK/$s/run/control.sock && -S $E2E_WORK/$s/run/pfkey.sock ]] || fail "$s: sockets while running" "$(ls "$E2E_WORK/$s/run")"
	[[ -n $(ip -n "$ns" route show table 4500) ]] || fail "$s: routes in table 4500 while running" "none"
	e2e_stop $s
	((E2E_STATUS == 0)) || fail "$s: exit status after SIGTERM" "$E2E_STATUS"
	got=$(ip -n "$ns" -j link show | jq -r '.[].ifname | select(startswith("ipsec"))')
	[[ -z $got ]] || fail "$s: no ipsecN device left" "$got"
	got=$(ip -n "$ns" -4 route show table 4500; ip -n "$ns" -6 route show table 4500)
	[[ -z $got ]] || fail "$s: no route left in table 4500" "$got"
	got=$(ip -n "$ns" -4 rule show; ip -n "$ns" -6 rule show)
	[[ $got != *"lookup 4500"* ]] || fail "$s: no rule left" "$got"
	[[ ! -e $E2E_WORK/$s/run/control.sock && ! -e $E2E_WORK/$s/run/pfkey.sock ]] ||
		fail "$s: no socket file left" "$(ls "$E2E_WORK/$s/run")"
	grep -q '^stopped$' "$E2E_WORK/$s/ipsecd.log" || fail "$s: logged its stop" "$(tail -n 3 "$E2E_WORK/$s/ipsecd.log")"
	# ipsecctl says so: exit 3, naming the socket.
	st=0
	out=$(ctl $s show stats 2>&1) || st=$?
	((st == 3)) && [[ $out == *"$E2E_WORK/$s/run/control.sock"* ]] ||
		fail "$s: ipsecctl with ipsecd stopped exits 3 naming the socket" "$st: $out"
done
echo "e2e_reload: all checks passed"
