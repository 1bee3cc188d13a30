#!/usr/bin/env bash
# ipsecctl against a control server (tests/ctl/ctl_server: the daemon's
# control socket over the known state of tests/ctl/ctl_state.h), from the
# command line as an administrator types it:
#
#   ipsecctl ──SOCK_SEQPACKET──► ctl_server: control.c ─► SAD, SPD, knobs,
#      (this script checks           interfaces and worker counters
#       stdout, stderr, exit          made by ctl_state.c
#       status; -j through jq)
#
# Tables, -j (checked with jq), --show-keys, set/get, and every exit
# status: 0 ok, 1 refused, 2 usage, 3 no daemon or permission denied.
# The permission cases need a second user: run as root (as make check in
# CI is), they run ipsecctl as nobody with setpriv.  Run from the build
# directory (make check does).
set -eu
ctl=./src/ipsecctl/ipsecctl
srv=./tests/ctl/ctl_server
[[ -x $ctl && -x $srv ]] || { echo "run.sh: run from the build directory" >&2; exit 99; }
command -v jq >/dev/null || { echo "jq missing (scripts/deps.sh)" >&2; exit 99; }

work=$(mktemp -d /tmp/ctl-test.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# Start a server on socket $1 with more ctl_server options; returns once
# it listens.
start() {
	local sock=$1
	shift
	"$srv" -p "$work/pid" "$@" "$sock" >>"$work/server.log" 2>&1
	pids+=("$(cat "$work/pid")")
}

# Run ipsecctl, keeping stdout, stderr and the exit status.
out=$work/out
err=$work/err
rc=0
c() {
	echo "+ ipsecctl $*" >&2
	rc=0
	"$ctl" "$@" >"$out" 2>"$err" || rc=$?
}

# -j output through jq: j FILTER must print true.
j() {
	[[ $(jq -e "$1" "$out") == true ]] || { echo "jq $1 failed on:" >&2; cat "$out" >&2; exit 1; }
}

has() { grep -qF -- "$1" "$2"; }

sock=$work/control.sock
export IPSECD_CONTROL=$sock

# --- exit status 3: no daemon ---------------------------------------------
c show sa
[[ $rc == 3 ]]
has "ipsecd is not running (no control socket at $sock)" "$err"
c -s "$work/other.sock" show stats
[[ $rc == 3 ]]
has "no control socket at $work/other.sock" "$err"

# --- exit status 2: usage -------------------------------------------------
c
[[ $rc == 2 ]]
has "command missing" "$err"
c frobnicate
[[ $rc == 2 ]]
has 'unknown command "frobnicate"' "$err"
c show
[[ $rc == 2 ]]
c show sad
[[ $rc == 2 ]]
has 'unknown table "sad"' "$err"
c show sa sp
[[ $rc == 2 ]]
c --show-keys show sp
[[ $rc == 2 ]]
has "--show-keys goes only with show sa" "$err"
c set net.inet.ipsec.dfbit
[[ $rc == 2 ]]
has 'expected NAME=VALUE' "$err"
c set =1
[[ $rc == 2 ]]
c get
[[ $rc == 2 ]]
c -x show sa
[[ $rc == 2 ]]
c help
[[ $rc == 0 ]]
has "ipsecctl show sa|sp|interfaces|stats|knobs" "$out"

start "$sock"

# --- show sa ------------------------------------------------------------------
c show sa
[[ $rc == 0 ]]
head -1 "$out" | grep -q '^SPI  *PROTO  *MODE  *STATE  *SRC  *DST  *REQID  *IF_ID  *ALGORITHMS  *PACKETS  *BYTES  *DROPS$'
grep -q '^0x00001000  *esp  *tunnel  *mature  *192\.0\.2\.1  *192\.0\.2\.2  *1  *0  *aes-gcm-16/160  *10  *1500  *replay 2, icv 1$' "$out"
grep -q '^0x00002000  *esp  *transport  *dying  *2001:db8::1  *2001:db8::2 .* aes-cbc/128 hmac-sha256/256 .* -$' "$out"
grep -q '^0x00004000  *ipcomp .* deflate ' "$out"
[[ $(wc -l <"$out") == 5 ]]
! grep -q 'key' "$out"
# Columns line up: every row's PROTO starts where the header's does.
[[ $(awk '{ print index($0, $2) }' "$out" | sort -u | wc -l) == 1 ]]
c show sa --show-keys
[[ $rc == 0 ]]
has "    enc key 0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3" "$out"
has "    auth key 0xc0c1c2" "$out"
c -v show sa
has "    flags esn udp-encap; udp encap ports 4500 -> 4501; replay window 0; seq out 0" "$out"
has "    lifetime soft: 3000 s after add; hard: 3600 s after add" "$out"
has "    drops: dummy 0, short 0, bad-header 0, seq-zero 0, replay 2, icv 1," "$out"
c -j show sa
[[ $rc == 0 ]]
j 'length == 4'
j '.[] | select(.spi == 4096) | .drops.replay == 2 and .drops.icv == 1 and .packets == 10'
j '.[] | select(.spi == 8192) | .encap.dport == 4501 and .if_id == 7 and .flags == ["esn", "udp-encap"]'
j 'map(has("enc_key")) | any | not'
c -j --show-keys show sa
j '.[] | select(.spi == 4096) | .enc_key == "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"'

# --- show sp, interfaces, stats, knobs ---------------------------------------
c show sp
[[ $rc == 0 ]]
head -1 "$out" | grep -q '^ID  *DIR  *ACTION  *PRIO  *SRC  *DST  *PROTO  *SPORT  *DPORT  *IF_ID  *PACKETS  *BYTES  *TEMPLATES$'
grep -q ' out  *ipsec  *0  *10\.1\.0\.0/16  *10\.2\.0\.0/16  *any  *any  *any  *0  *5  *500  *esp/tunnel/192\.0\.2\.1-192\.0\.2\.2/require reqid 1$' "$out"
grep -q ' fwd  *discard  *10  *::/0  *::/0  *tcp  *any  *22 ' "$out"
c -j show sp
j 'length == 3'
j '.[] | select(.dir == "out") | .templates[0].proto == "esp" and .packets == 5'
c show interfaces
[[ $rc == 0 ]]
grep -q '^ipsec0  *default  *1400  *2  *0  *0  *0  *0  *-$' "$out"
grep -q '^ipsec1  *reqid 1  *1380  *2  *7  *700  *0  *0  *out: -; in: policy 2$' "$out"
c -j show interfaces
j '.[1].out.packets == 7 and .[1].in.drops.policy == 2'
c show stats
[[ $rc == 0 ]]
has "uptime: 1000 s" "$out"
has "sad: 4 SAs" "$out"
grep -q '^    no-sa  *11$' "$out"
c -j show stats
j '.packets.tun_rx == 15 and .in_drops["no-sa"] == 11 and .workers == 2'
c show knobs
[[ $rc == 0 ]]
grep -q '^net\.inet\.ipsec\.dfbit  *2  ' "$out"
c -j show knobs
j 'map(select(.name == "net.inet6.ipsec6.ecn"))[0].canonical == "net.inet.ipsec.ecn"'

# --- get and set ----------------------------------------------------------------
c get net.inet.ipsec.dfbit
[[ $rc == 0 ]]
[[ $(cat "$out") == "net.inet.ipsec.dfbit: 2" ]]
c set net.inet.ipsec.dfbit=1
[[ $rc == 0 ]]
[[ $(cat "$out") == "net.inet.ipsec.dfbit: 2 -> 1" ]]
c -j get net.inet.ipsec.dfbit
j '.value == "1" and .canonical == "net.inet.ipsec.dfbit"'
c set net.inet.ipsec.ecn=1 net.inet.ipsec.def_policy=discard
[[ $rc == 0 ]]
[[ $(wc -l <"$out") == 2 ]]
c get net.inet.ipsec.ecn net.inet.ipsec.def_policy
[[ $(cat "$out") == $'net.inet.ipsec.ecn: 1\nnet.inet.ipsec.def_policy: 0' ]]

# --- exit status 1: refused -----------------------------------------------------
c get net.inet.ipsec.nope
[[ $rc == 1 ]]
has 'ipsecctl: unknown knob "net.inet.ipsec.nope"' "$err"
c set net.inet.ipsec.dfbit=9
[[ $rc == 1 ]]
has 'ipsecctl: net.inet.ipsec.dfbit: bad value "9": expected' "$err"
c get net.inet.ipsec.dfbit
[[ $(cat "$out") == "net.inet.ipsec.dfbit: 1" ]]
# One bad name among good ones: the others are still read, status 1.
c get net.inet.ipsec.ecn nope
[[ $rc == 1 ]]
has "net.inet.ipsec.ecn: 1" "$out"

# --- a dump that takes many messages ----------------------------------------------
big=$work/big.sock
start "$big" -b 20000
c -s "$big" show sa
[[ $rc == 0 ]]
[[ $(wc -l <"$out") == 20005 ]]
c -s "$big" -j show sa
j 'length == 20004 and .[20003].spi == (65536 + 19999)'

# --- exit status 3: the daemon is gone -----------------------------------------------
# SIGKILL leaves the socket behind, and nothing listens on it.
kill -KILL "${pids[0]}"
for _ in $(seq 100); do c show sa; [[ $rc == 3 ]] && break; sleep 0.1; done
[[ $rc == 3 ]]
has "ipsecd is not running (nothing listens on $sock)" "$err"
[[ -S $sock ]]
# SIGTERM: the server removes its socket.
kill -TERM "${pids[1]}"
for _ in $(seq 100); do [[ -e $big ]] || break; sleep 0.1; done
[[ ! -e $big ]]

# --- exit status 3: permission --------------------------------------------------
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
	as_nobody() {
		echo "+ (nobody) ipsecctl $*" >&2
		rc=0
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$ctl" "$@" >"$out" 2>"$err" || rc=$?
	}
	chmod 0755 "$work"
	# The socket's mode (0660, group root) keeps nobody out.
	start "$sock" -g 0
	as_nobody -s "$sock" show sa
	[[ $rc == 3 ]]
	has "permission denied on $sock" "$err"
	# Open to all, the daemon's own peer check refuses nobody.
	open=$work/open.sock
	start "$open" -g 0 -m 0666
	as_nobody -s "$open" show sa
	[[ $rc == 3 ]]
	has "$open: permission denied: uid 65534 is not root and gid 0 is not among its groups" "$err"
	# A member of the group is let in.
	setpriv --reuid=65534 --regid=65534 --groups=0 "$ctl" -s "$open" get net.inet.ipsec.ecn >"$out"
	[[ $(cat "$out") == "net.inet.ipsec.ecn: 0" ]]
	echo "run.sh: all checks passed"
else
	echo "run.sh: not root: every check passed but the permission ones, which need a second user" >&2
	exit 77
fi

