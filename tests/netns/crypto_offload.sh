#!/usr/bin/env bash
# Offload end to end with the test provider (tests/provider/ipsecdtest.c:
# AES-GCM only, hardware, asynchronous with a latency per operation)
# loaded from ipsecd.conf on both sides:
#
#   1. show crypto (and -j) lists ipsecdtest for the GCM algorithms only,
#      as hardware and asynchronous, and the default provider for the rest;
#   2. under "offload require" a ChaCha20-Poly1305 SA is refused at ADD
#      (ENOSYS) with a log line naming the algorithm, key size and
#      providers, and REGISTER lists GCM (and the NULL algorithms) only;
#      under "prefer" the same SA is accepted on software, said once in
#      the log and in show sa, and REGISTER lists ChaCha20-Poly1305 too;
#   3. the tunnel at 200 us per operation, one worker per side: an
#      iperf3 TCP stream flows, the ESP sequence numbers on the veth
#      increase per SPI (no packet overtakes another of its SA), and the
#      provider's own count of operations in flight at once reaches 16.
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
crypto_pair_conf require 200 0
# One worker per side: the order kept is that of one SA on one worker
# (with two, the iperf3 control and data connections may be read by
# different workers, whose packets of one SA interleave in any order,
# crypto or not).
sed -i 's/^workers 2$/workers 1/' "$E2E_WORK/A/ipsecd.conf" "$E2E_WORK/B/ipsecd.conf"

# 1. The capability listing.
e2e_start A
e2e_start B
out=$(ctl A show crypto)
echo "$out" >&2
j=$(ctl A -j show crypto)
[[ $(jq -r '[.algorithms[] | select(.provider == "ipsecdtest") | .alg] | unique | join(",")' <<<"$j") == \
    "aes-gcm-12,aes-gcm-16,aes-gcm-8,aes-gmac" ]] ||
	fail "ipsecdtest serves the GCM algorithms only" "$j"
[[ $(jq '[.algorithms[] | select(.provider == "ipsecdtest") |
    select(.hardware and .async and .key_bits != 192)] | length' <<<"$j") == 8 ]] ||
	fail "GCM at 128 and 256 bits on ipsecdtest, hardware, async" "$j"
[[ $(jq -r '.algorithms[] | select(.alg == "chacha20-poly1305") |
    "\(.usable) \(.hw_provider) \(.sw_provider)"' <<<"$j") == "false null default" ]] ||
	fail "chacha20-poly1305 not usable under require, default has it" "$j"
[[ $(jq -r '.providers | map(.name) | join(",")' <<<"$j") == "ipsecdtest,default" ]] ||
	fail "providers listed in load order" "$j"
[[ $out == *"ipsecdtest (hardware auto, async)"* && $out == *"aes-gcm-16"*"ipsecdtest"* ]] ||
	fail "show crypto as text" "$out"

# 2. require: ChaCha20-Poly1305 refused at ADD, REGISTER without it.
out=$(n "$A" "$PY" "$E2E_SRC/crypto_pfkey.py" add "$E2E_WORK/A/run/pfkey.sock" \
    10.0.0.1 10.0.0.2 0x1701 chacha)
[[ $out == "errno 38" ]] || fail "require refuses chacha20-poly1305 with ENOSYS" "$out"
[[ $(e2e_sa_get A 0x1701 .spi) == null ]] || fail "no SA 0x1701" "$(ctl A show sa)"
grep -q "pfkey: add of sa 0x00001701 refused: chacha20-poly1305 with a 256-bit key: offload require, but no hardware provider offers it (hardware providers: ipsecdtest)" \
    "$E2E_WORK/A/ipsecd.log" || fail "the refusal logged" "$(tail -n 5 "$E2E_WORK/A/ipsecd.log")"
out=$(n "$A" "$PY" "$E2E_SRC/crypto_pfkey.py" register "$E2E_WORK/A/run/pfkey.sock")
echo "$out" >&2
[[ $(grep -c '^encrypt ' <<<"$out") == 5 && $out == *"encrypt 20 128 256"* &&
    $out == *"encrypt 11 0 0"* && $out != *"encrypt 28 "* && $out != *"encrypt 12 "* ]] ||
	fail "REGISTER under require: GCM-8/12/16, GMAC and NULL" "$out"
[[ $(grep -c '^auth ' <<<"$out") == 1 && $out == *"auth 251 0 0"* ]] ||
	fail "REGISTER under require: only the NULL integrity algorithm" "$out"

# 3. The tunnel: 200 us per operation, in order, operations overlapping.
e2e_capture_start seq 3000 "esp"
e2e_iperf_start 10.9.0.2 5201 5
e2e_iperf_end 5201
e2e_capture_end
crypto_seq_check seq 1000
for s in A B; do
	hw=$(ctl "$s" -j show crypto | jq '.providers[] | select(.name == "ipsecdtest") | .params["max-inflight"]')
	echo "side $s: at most $hw operations in flight in the provider" >&2
	((hw >= 16)) || fail "side $s: the provider had 16 operations in flight at once" "$hw"
	[[ $(ctl "$s" -j show crypto | jq '.pipeline.async > 0 and .pipeline.errors == 0') == true ]] ||
		fail "side $s: asynchronous operations, no errors" "$(ctl "$s" -j show crypto | jq .pipeline)"
done
[[ $(e2e_sa_get A 0x1001 '.crypto.enc.provider') == ipsecdtest ]] ||
	fail "A's SA 0x1001 on ipsecdtest" "$(ctl A -j show sa)"

# 2 again, under prefer: accepted on software and said so.
e2e_stop A
e2e_stop B
crypto_pair_conf prefer 0 0
e2e_start A
out=$(n "$A" "$PY" "$E2E_SRC/crypto_pfkey.py" add "$E2E_WORK/A/run/pfkey.sock" \
    10.0.0.1 10.0.0.2 0x1702 chacha)
[[ $out == "errno 0" ]] || fail "prefer accepts chacha20-poly1305" "$out"
[[ $(e2e_sa_get A 0x1702 '.crypto | "\(.fallback) \(.enc.provider) \(.enc.hardware)"') == "true default false" ]] ||
	fail "SA 0x1702 on software, as a fallback" "$(ctl A -j show sa)"
out=$(ctl A show sa)
[[ $out == *"crypto: chacha20-poly1305 with a 256-bit key: no hardware offers it (hardware providers: ipsecdtest); on software, provider default"* ]] ||
	fail "show sa says SA 0x1702 fell back" "$out"
[[ $(grep -c "sa 0x00001702: chacha20-poly1305 with a 256-bit key: no hardware offers it" "$E2E_WORK/A/ipsecd.log") == 1 ]] ||
	fail "the fallback logged once" "$(tail -n 5 "$E2E_WORK/A/ipsecd.log")"
out=$(n "$A" "$PY" "$E2E_SRC/crypto_pfkey.py" register "$E2E_WORK/A/run/pfkey.sock")
[[ $out == *"encrypt 28 256 256"* && $out == *"encrypt 12 128 256"* && $out == *"auth 5 256 256"* ]] ||
	fail "REGISTER under prefer lists everything" "$out"
echo "crypto_offload: all checks passed"
