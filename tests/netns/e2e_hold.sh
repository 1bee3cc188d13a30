#!/usr/bin/env bash
# The ACQUIRE hold queue: packets that hit an IPsec policy with no SA wait
# in a bounded per-worker queue (WORKER_HOLD = 128, WORKER_HOLD_SEC = 10 s,
# src/daemon/worker.c) and every one that cannot wait, or waited too long,
# is counted as dropped.
#
# Side A has B's policies but no SAs (no key manager answers its
# ACQUIRE).  One ping flow (one TUN queue, so one worker) of 200 echo
# requests sent back to back:
#   - held + held_dropped = 200, held = 128 (the queue's bound), the
#     other 72 dropped at once, and at least one ACQUIRE counted;
#   - after the 10 s hold time, every held packet is dropped too:
#     held_dropped = 200, held_sent = 0, nothing reached B.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
e2e_require
e2e_init
OUTER=4 MODE=tunnel STACK=esp ENCAP=raw ALG=gcm e2e_pair
# A keeps its policies and loses its SAs.
grep -v '^add ' "$E2E_WORK/A/keys.part" >"$E2E_WORK/A/keys.nosa"
mv "$E2E_WORK/A/keys.nosa" "$E2E_WORK/A/keys.part"
e2e_pair_conf </dev/null
e2e_start A
e2e_start B

stat() { ctl A -j show stats | jq -r ".packets.$1"; }
sent=200
# -i 0.001 -l: back to back, well inside the 10 s hold time; no replies.
n "$(e2e_nsof A)" timeout 10 ping -q -c "$sent" -i 0.001 -l 32 -W 1 \
	-I 10.9.0.1 10.9.0.2 >/dev/null 2>&1 || true

held=$(stat held) dropped=$(stat held_dropped) acq=$(stat acquires)
echo "after the burst: held $held, held_dropped $dropped, acquires $acq"
((held + dropped == sent)) || fail "every packet held or dropped ($sent)" "$held + $dropped"
((held == 128)) || fail "the hold queue takes 128" "$held"
((dropped == sent - 128)) || fail "the rest dropped at once" "$dropped"
((acq >= 1)) || fail "an ACQUIRE asked for" "$acq"

# The hold time passes: bounded wait of 15 s for the retry to drop them.
for ((i = 0; i < 150; i++)); do
	(($(stat held_dropped) == sent)) && break
	sleep 0.1
done
dropped=$(stat held_dropped) hsent=$(stat held_sent)
echo "after the hold time: held_dropped $dropped, held_sent $hsent"
((dropped == sent)) || fail "held packets dropped after 10 s" "$dropped"
((hsent == 0)) || fail "nothing sent without an SA" "$hsent"
got=$(ctl B -j show stats | jq -r '.packets.sock_rx')
((got == 0)) || fail "nothing reached B" "$got"
echo "e2e_hold: all checks passed"
