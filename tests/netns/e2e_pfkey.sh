#!/usr/bin/env bash
# Bad PF_KEY messages through the daemon's real PF_KEY socket
# (tests/netns/e2e_pfkey.py crafts them with Python's socket module):
# truncated (shorter than a header, and shorter than sadb_msg_len says),
# an extension running past the end, a duplicate extension, a zero-length
# one, mismatched address families, an unknown algorithm and a wrong key
# size each get an error reply with af_key's errno, and add no SA.  The
# daemon keeps serving: a valid ADD on the same socket then installs A's
# outbound SA 0x1001, the one A's include file left out, and only then
# does traffic flow through the tunnel.
#
#   +--------- e2eA-$$ ---------+              +--------- e2eB-$$ ---------+
#   | e2e_pfkey.py -> pfkey.sock|              |                           |
#   | ipsecd, ipsec1 10.9.0.1 ====== ESP 0x1001 (added by PF_KEY) ==> B    |
#   | va 10.0.0.1 -------------+---- veth -----+------------- vb 10.0.0.2 |
#   +---------------------------+              +---------------------------+
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
# A gets no SA 0x1001 from its file; B's has the key the script sends.
sed -i '/^add 10.0.0.1 10.0.0.2 esp 4097 /d' "$E2E_WORK/A/keys.part"
sed -i "s/^\\(add 10.0.0.1 10.0.0.2 esp 4097 .* -E aes-gcm-16 0x\\)[0-9a-f]*;/\\1$(printf '%02x' $(seq 1 20));/" \
    "$E2E_WORK/B/keys.part"
grep -q "esp 4097 .*0x0102030405060708090a0b0c0d0e0f1011121314;" "$E2E_WORK/B/keys.part" ||
	fail "B's SA 0x1001 key" "$(cat "$E2E_WORK/B/keys.part")"
e2e_pair_conf </dev/null
e2e_start A
e2e_start B
[[ $(e2e_sa_get A 0x1001 .spi) == null ]] || fail "A has no SA 0x1001 yet" "$(ctl A show sa)"
nsa=$(ctl A -j show sa | jq length)

out=$(n "$A" "$PY" "$E2E_SRC/e2e_pfkey.py" "$E2E_WORK/A/run/pfkey.sock" 10.0.0.1 10.0.0.2 0x1001 2>&1) ||
	fail "bad PF_KEY messages" "$out"
echo "$out" >&2
for c in "short: errno 90" "truncated: errno 90" "ext-overrun: errno 22" \
    "duplicate: errno 22" "zero-length: errno 22" "families: errno 22" \
    "unknown-alg: errno 38" "key-size: errno 22" "valid add: errno 0" \
    "valid get: errno 0"; do
	[[ $out == *"$c "* ]] || fail "reply $c" "$out"
done
# One SA more, the valid one; the refused ones left nothing.
[[ $(ctl A -j show sa | jq length) == $((nsa + 1)) ]] || fail "one SA added" "$(ctl A show sa)"
[[ $(e2e_sa_get A 0x1001 .mode) == tunnel ]] || fail "SA 0x1001 as added" "$(ctl A show sa)"
e2e_ping A 10.9.0.2
e2e_sa_moved A 0x1001
e2e_sa_moved B 0x1001
echo "e2e_pfkey: all checks passed"
