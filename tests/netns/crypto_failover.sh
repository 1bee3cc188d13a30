#!/usr/bin/env bash
# A provider that fails while traffic flows: the test provider
# (tests/provider/ipsecdtest.c) on both sides fails every operation after
# its first 12000 (the start-up self-test takes a few thousand at most), in the
# middle of an iperf3 TCP stream through the tunnel.
#
#   prefer   every SA falls back to software on the first failure: the
#            stream goes on to its end, show sa says "fallback" with the
#            errors counted, the log says so once per SA, show stats and
#            show crypto count the failovers
#   require  (the provider fails on A only, so that it is A's SAs that
#            stop whichever side would have reached 12000 first) every SA
#            of A stops on its first failure: the stream stalls, the SAs'
#            packets are dropped and counted (drops "crypto-error"), show sa says
#            "stopped", the log says so once per SA, and the daemons keep
#            running and answering (then stop cleanly on SIGTERM)
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | ipsecd + ipsecdtest       |              |       ipsecd + ipsecdtest |
#   | ipsec1 10.9.0.1 ====== ESP 0x1001/0x2001 AES-GCM ====> ipsec1 10.9.0.2 |
#   | va 10.0.0.1 -------------+---- veth -----+------------- vb 10.0.0.2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
. "$here/crypto_lib.sh"
e2e_require
crypto_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
# The start-up self-test also counts: it runs 0.5 s, at most a few
# thousand operations at the provider's 50 us latency (1515 seen under
# ASan), so the failure comes from the traffic.
FAIL_AFTER=12000

# prefer: the stream survives the failure.
crypto_pair_conf prefer 50 $FAIL_AFTER
e2e_start A
e2e_start B
ops=$(ctl A -j show crypto | jq '.providers[] | select(.name == "ipsecdtest") | .params.ops')
((ops < FAIL_AFTER / 2)) || fail "the self-test leaves room before the failure" "$ops"
e2e_iperf_start 10.9.0.2 5201 4
e2e_iperf_end 5201
for s in A B; do
	[[ $(e2e_sa_get "$s" 0x1001 '.crypto | "\(.state) \(.errors > 0)"') == "fallback true" ]] ||
		fail "side $s: SA 0x1001 fell back after errors" "$(ctl "$s" -j show sa)"
	[[ $(ctl "$s" -j show crypto | jq '.pipeline.failovers > 0 and .pipeline.errors > 0') == true ]] ||
		fail "side $s: failovers counted" "$(ctl "$s" -j show crypto | jq .pipeline)"
	[[ $(ctl "$s" -j show stats | jq '.packets.crypto_failovers > 0') == true ]] ||
		fail "side $s: show stats counts the failovers" "$(ctl "$s" -j show stats)"
	[[ $(ctl "$s" -j show crypto | jq '.providers[] | select(.name == "ipsecdtest") | .params.failures > 0') == true ]] ||
		fail "side $s: the provider failed" "$(ctl "$s" -j show crypto | jq .providers)"
done
[[ $(grep -c "sa 0x00001001: provider ipsecdtest failed (worker [0-9]*): falling back to software (offload prefer)" \
    "$E2E_WORK/A/ipsecd.log") == 1 ]] ||
	fail "A logs SA 0x1001's fallback once" "$(grep 'provider ipsecdtest failed' "$E2E_WORK/A/ipsecd.log")"
out=$(ctl A show sa)
[[ $out == *"crypto fallback after "*" provider errors"* ]] || fail "show sa says fallback" "$out"
# Software from now on: the tunnel still carries traffic.  (A worker
# that had not used an SA yet loses the first packet that fails on it.)
out=$(n "$A" timeout 15 ping -c 6 -i 0.2 -W 2 10.9.0.2 2>&1) || true
[[ $out =~ \ ([3-6])\ received ]] || fail "pings through the fallen-back tunnel" "$out"
e2e_stop A
e2e_stop B
((E2E_STATUS == 0)) || fail "B stopped cleanly" "$E2E_STATUS"

# require: the SAs stop, the daemons do not.
crypto_pair_conf require 50 $FAIL_AFTER
sed -i '/fail-after/d' "$E2E_WORK/B/ipsecd.conf"
e2e_start A
e2e_start B
nbg "$B" iperf3-s iperf3 -s -1 -p 5202
sleep 0.5
nbg "$A" iperf3-c timeout 10 iperf3 -c 10.9.0.2 -p 5202 -t 6 --connect-timeout 3000
cpid=$!
wait "$cpid" || true
e2e_forget "$cpid"
[[ $(ctl A -j show crypto | jq '.providers[] | select(.name == "ipsecdtest") | .params.failures > 0') == true ]] ||
	fail "A's provider failed" "$(ctl A -j show crypto | jq .providers)"
# The first failure may have been an ACK's decryption (SA 0x2001): a
# ping then makes 0x1001 fail too, if it had not yet.
before=$(e2e_sa_get A 0x1001 '.drops["crypto-error"]')
out=$(n "$A" timeout 10 ping -c 3 -i 0.2 -W 1 10.9.0.2 2>&1) && fail "no traffic through stopped SAs" "$out"
after=$(e2e_sa_get A 0x1001 '.drops["crypto-error"]')
((after >= before + 3)) || fail "A drops and counts 0x1001's packets" "$before -> $after"
[[ $(e2e_sa_get A 0x1001 '.crypto | "\(.state) \(.errors > 0)"') == "stopped true" ]] ||
	fail "A's SA 0x1001 stopped after errors" "$(ctl A -j show sa)"
[[ $(e2e_sa_get B 0x1001 '.crypto.state') == ok ]] ||
	fail "B's SA 0x1001 untouched" "$(ctl B -j show sa)"
[[ $(grep -c "sa 0x00001001: provider ipsecdtest failed (worker [0-9]*): the SA is stopped" \
    "$E2E_WORK/A/ipsecd.log") == 1 ]] ||
	fail "A logs SA 0x1001's stop once" "$(grep 'provider ipsecdtest failed' "$E2E_WORK/A/ipsecd.log")"
out=$(ctl A show sa)
[[ $out == *"crypto stopped after "*" provider errors"* ]] || fail "show sa says stopped" "$out"
for s in A B; do
	e2e_stop "$s"
	((E2E_STATUS == 0)) || fail "$s stopped cleanly" "$E2E_STATUS"
done
echo "crypto_failover: all checks passed"
