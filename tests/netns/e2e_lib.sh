# Shared by tests/netns/e2e_*.sh (sourced, bash): ipsecd end to end.
#
# Two namespaces joined by a veth pair, each running its own ipsecd with
# manual keys from a setkey(8) include file.  e2e_pair writes both sides'
# ipsecd.conf and include file from a few parameters; scenarios with other
# needs write them with e2e_conf and e2e_keys.  The default topology:
#
#   +--------------- e2eA-$$ ---------------+      +--------------- e2eB-$$ ---------------+
#   | ipsecd -d (A)                         |      | ipsecd -d (B)                         |
#   | ipsec1 10.9.0.1/32 fd09::1/128        |      | ipsec1 10.9.0.2/32 fd09::2/128        |
#   |   routes 10.9.0.2, fd09::2 (tunnel)   |      |   routes 10.9.0.1, fd09::1 (tunnel)   |
#   |   routes 10.0.0.2, fd00::2 (transp.)  |      |   routes 10.0.0.1, fd00::1 (transp.)  |
#   | va 10.0.0.1/24 fd00::1/64 ------------+-veth-+------------ vb 10.0.0.2/24 fd00::2/64 |
#   +---------------------------------------+      +---------------------------------------+
#
# SPIs: A->B 0x1NNN, B->A 0x2NNN; ESP 0x?001, AH 0x?101, IPcomp CPI 0x?201
# (+1 for a second interface).  Keys are derived from the SPI (e2e_key)
# and written to $E2E_WORK/sas for tests/netns/e2e_pcap.py, which decrypts
# captures with scapy independently of ipsecd's parser.
#
# Every wait is bounded in count and time; a failure prints the daemons'
# logs.  Run from the build directory (make check does); srcdir as
# automake sets it.

E2E_BUILD=${E2E_BUILD:-$(pwd)}
E2E_SRC=$(cd "${srcdir:-.}/tests/netns" && pwd)
IPSECD=$E2E_BUILD/ipsecd
IPSECCTL=$E2E_BUILD/src/ipsecctl/ipsecctl
# Debian's Python, where python3-scapy is (the first python3 on PATH may
# be another build).
PY=/usr/bin/python3
# ping payload: "IPSECD-E2E-MARK!" repeated; must never appear on the veth.
E2E_MARK=IPSECD-E2E-MARK!
E2E_MARK_HEX=4950534543442d4532452d4d41524b21

e2e_namespaces=()
e2e_bg_pids=()
declare -A e2e_dpid=()
E2E_WORK=

# Skip (77) without root or /dev/net/tun, only; a missing tool is an error.
e2e_require() {
	[[ $(id -u) == 0 && -c /dev/net/tun ]] || exit 77
	local c
	for c in ip jq iperf3 tcpdump ping timeout; do
		command -v "$c" >/dev/null ||
			{ echo "$c missing (scripts/deps.sh)" >&2; exit 99; }
	done
	"$PY" -c 'import scapy.layers.ipsec' 2>/dev/null ||
		{ echo "python3-scapy missing (scripts/deps.sh)" >&2; exit 99; }
	[[ -x $IPSECD && -x $IPSECCTL ]] ||
		{ echo "no $IPSECD or $IPSECCTL: run from the build directory" >&2; exit 99; }
}

# Fail with a message: fail WHAT GOT
fail() {
	echo "FAIL: $1 (got: ${2-})" >&2
	exit 1
}

# Run a command in a namespace, echoing it first: n NS CMD...
n() {
	local ns=$1
	shift
	echo "+ [$ns] $*" >&2
	ip netns exec "$ns" "$@"
}

# Start a command in a namespace in the background, output in
# $E2E_WORK/NAME.out; its pid is in $! and killed at exit: nbg NS NAME CMD...
nbg() {
	local ns=$1 name=$2
	shift 2
	echo "+ [$ns] $* &" >&2
	ip netns exec "$ns" "$@" >"$E2E_WORK/$name.out" 2>&1 &
	e2e_bg_pids+=($!)
}

# True while pid, a background job of this shell, runs.  Asks bash's job
# table, not /proc: bash reaps its children as they end, after which the
# number may belong to another process.
e2e_alive() {
	[[ " $(jobs -pr | tr '\n' ' ') " == *" $1 "* ]]
}

# Wait up to TENTHS tenths of a second for pid to end: e2e_wait_gone PID TENTHS
e2e_wait_gone() {
	local i
	for ((i = 0; i < $2; i++)); do
		e2e_alive "$1" || return 0
		sleep 0.1
	done
	! e2e_alive "$1"
}

# Forget a background pid once it is reaped (its number may be reused).
e2e_forget() {
	local i
	for i in "${!e2e_bg_pids[@]}"; do
		[[ ${e2e_bg_pids[$i]} == "$1" ]] && unset "e2e_bg_pids[$i]"
	done
	return 0
}

# Stop a background pid of ours: TERM, 3 s, then KILL; reap it.  Its
# status is not read.
e2e_kill() {
	if e2e_alive "$1"; then
		kill -TERM "$1" 2>/dev/null || true
		e2e_wait_gone "$1" 30 || kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
	e2e_forget "$1"
}

e2e_cleanup() {
	local rc=$? pid s ns
	set +e
	trap - EXIT
	for pid in "${e2e_bg_pids[@]}"; do
		e2e_kill "$pid"
	done
	for s in "${!e2e_dpid[@]}"; do
		e2e_kill "${e2e_dpid[$s]}"
	done
	if ((rc != 0)) && [[ -n $E2E_WORK ]]; then
		for s in "$E2E_WORK"/*/ipsecd.log "$E2E_WORK"/*.out; do
			[[ -f $s ]] || continue
			echo "==== $s (last 60 lines)" >&2
			tail -n 60 "$s" >&2
		done
	fi
	for ns in "${e2e_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[[ -n $E2E_WORK && -z ${E2E_KEEP-} ]] && rm -rf "$E2E_WORK"
	exit "$rc"
}

# Create a namespace with lo up.
e2e_ns() {
	ip netns add "$1" || fail "ip netns add $1" "$?"
	e2e_namespaces+=("$1")
	ip -n "$1" link set lo up
}

# Namespaces A and B joined by veth va--vb with the addresses of the
# topology; the work directory; the cleanup trap.
e2e_init() {
	A=e2eA-$$ B=e2eB-$$
	trap e2e_cleanup EXIT
	# set -e ends the script at a failing command: say which.
	trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (status $?)" >&2' ERR
	E2E_WORK=$(mktemp -d /tmp/ipsecd-e2e.XXXXXX)
	mkdir -p "$E2E_WORK/A" "$E2E_WORK/B"
	: >"$E2E_WORK/sas"
	e2e_ns "$A"
	e2e_ns "$B"
	n "$A" ip link add va type veth peer name vb netns "$B"
	n "$A" ip addr add 10.0.0.1/24 dev va
	n "$A" ip addr add fd00::1/64 dev va nodad
	n "$B" ip addr add 10.0.0.2/24 dev vb
	n "$B" ip addr add fd00::2/64 dev vb nodad
	n "$A" ip link set va up
	n "$B" ip link set vb up
}

# The namespace of side A or B.
e2e_nsof() {
	case $1 in
	A) echo "$A" ;;
	B) echo "$B" ;;
	*) echo "$1" ;;
	esac
}

# SIDE's ipsecd.conf: the lines every test needs (its sockets in run/ of the
# work directory, made by ipsecd, 2 workers, no keepalives, the include file
# keys.conf), then stdin.  e2e_conf SIDE <body
e2e_conf() {
	local d=$E2E_WORK/$1
	mkdir -p "$d"
	{
		echo "# ipsecd.conf of side $1 (tests/netns/e2e_lib.sh)"
		echo "workers 2"
		echo "natt-keepalive 0"
		echo "pfkey-socket $d/run/pfkey.sock"
		echo "control-socket $d/run/control.sock"
		echo "include \"keys.conf\""
		cat
	} >"$d/ipsecd.conf"
}

# SIDE's include file keys.conf (mode 0600) from stdin: e2e_keys SIDE <text
e2e_keys() {
	local f=$E2E_WORK/$1/keys.conf
	(umask 077 && cat >"$f")
	chmod 0600 "$f"
}

# A key of NBYTES (at most 64) bytes in hex, derived from SPI:
# e2e_key SPI NBYTES
e2e_key() {
	local h
	h=$(printf 'e2e-%s-a' "$1" | sha256sum | cut -d' ' -f1)
	h+=$(printf 'e2e-%s-b' "$1" | sha256sum | cut -d' ' -f1)
	echo "${h:0:$(($2 * 2))}"
}

# setkey(8) algorithm arguments of an SA, and its line in $E2E_WORK/sas:
#   e2e_sa PROTO ALG SPI SRC DST  (PROTO esp, esp-udp, ah, ipcomp;
#   ALG gcm, chacha, cbc for ESP; sha256 for AH; deflate for IPcomp)
# Prints the setkey arguments after the SPI.
e2e_sa() {
	local proto=$1 alg=$2 spi=$3 src=$4 dst=$5 k a
	case $proto/$alg in
	esp*/gcm)
		k=$(e2e_key "$spi" 20)
		echo "-E aes-gcm-16 0x$k"
		echo "$spi esp AES-GCM $k NULL - $src $dst" >>"$E2E_WORK/sas"
		;;
	esp*/chacha)
		k=$(e2e_key "$spi" 36)
		echo "-E chacha20-poly1305 0x$k"
		echo "$spi esp CHACHA20-POLY1305 $k NULL - $src $dst" >>"$E2E_WORK/sas"
		;;
	esp*/cbc)
		k=$(e2e_key "$spi" 16)
		a=$(e2e_key "$((spi + 0x10000))" 32)
		echo "-E aes-cbc 0x$k -A hmac-sha256 0x$a"
		echo "$spi esp AES-CBC $k SHA2-256-128 $a $src $dst" >>"$E2E_WORK/sas"
		;;
	ah/sha256)
		a=$(e2e_key "$spi" 32)
		echo "-A hmac-sha256 0x$a"
		echo "$spi ah NULL - SHA2-256-128 $a $src $dst" >>"$E2E_WORK/sas"
		;;
	ipcomp/deflate)
		echo "-C deflate"
		echo "$spi ipcomp DEFLATE - NULL - $src $dst" >>"$E2E_WORK/sas"
		;;
	*)
		fail "e2e_sa: unknown $proto/$alg" "$*"
		;;
	esac
}

# Both sides of one interface ipsec$IDX (reqid IDX) with manual SAs, from
# the variables
#   OUTER   4 or 6: the family of the outer header (tunnel endpoints)
#   MODE    tunnel (inner 10.9.IDX-1.x and fd09:IDX-1::x, both families
#           through the OUTER tunnel) or transport (the veth addresses,
#           each family with its own SAs, SPI + 0x10 for IPv6; OUTER is
#           ignored)
#   STACK   esp, "ah esp" or "ipcomp esp" (ESP and its partner)
#   ENCAP   raw or udp (ESP-in-UDP, port 4500)
#   ALG     gcm, chacha or cbc (ESP's algorithm)
#   IDX     1 (default) or 2: a second interface with its own SAs
# Appends to both sides' keys.part and ifaces.part, from which
# e2e_pair_conf writes keys.conf and ipsecd.conf.  Sets E2E_SRC4/6[IDX]
# (A's inner addresses) and E2E_DST4/6[IDX] (B's).
e2e_pair() {
	local idx=${IDX:-1} outer=${OUTER:-4} mode=${MODE:-tunnel}
	local stack=${STACK:-esp} encap=${ENCAP:-raw} alg=${ALG:-gcm}
	local s me peer esp ra rb
	local -a in4 in6
	esp=esp
	[[ $encap == udp ]] && esp=esp-udp
	if [[ $mode == transport ]]; then
		in4=(10.0.0.1 10.0.0.2) in6=(fd00::1 fd00::2)
	else
		in4=(10.9.$((idx - 1)).1 10.9.$((idx - 1)).2)
		in6=(fd09:$((idx - 1))::1 fd09:$((idx - 1))::2)
	fi
	# The requests of each direction, innermost first as setkey writes
	# them (ipsecd applies IPcomp, ESP, AH in that order anyway).
	if [[ $mode == tunnel ]]; then
		local oa=10.0.0.1 ob=10.0.0.2
		[[ $outer == 6 ]] && oa=fd00::1 ob=fd00::2
		e2e_pair_sas "$idx" 0 "$oa" "$ob" tunnel "$stack" "$esp" "$alg" >"$E2E_WORK/sas.conf"
		case $stack in
		esp) ra="esp/tunnel/$oa-$ob/unique:$idx" rb="esp/tunnel/$ob-$oa/unique:$idx" ;;
		"ah esp")
			ra="esp/tunnel/$oa-$ob/unique:$idx ah/transport//unique:$idx"
			rb="esp/tunnel/$ob-$oa/unique:$idx ah/transport//unique:$idx"
			;;
		"ipcomp esp")
			ra="ipcomp/tunnel/$oa-$ob/unique:$idx esp/transport//unique:$idx"
			rb="ipcomp/tunnel/$ob-$oa/unique:$idx esp/transport//unique:$idx"
			;;
		esac
	else
		{
			e2e_pair_sas "$idx" 0 10.0.0.1 10.0.0.2 transport "$stack" "$esp" "$alg"
			e2e_pair_sas "$idx" 16 fd00::1 fd00::2 transport "$stack" "$esp" "$alg"
		} >"$E2E_WORK/sas.conf"
		case $stack in
		esp) ra="esp/transport//unique:$idx" ;;
		"ah esp") ra="esp/transport//unique:$idx ah/transport//unique:$idx" ;;
		"ipcomp esp") ra="ipcomp/transport//unique:$idx esp/transport//unique:$idx" ;;
		esac
		rb=$ra
	fi
	for s in A B; do
		if [[ $s == A ]]; then me=0 peer=1; else me=1 peer=0; fi
		{
			cat "$E2E_WORK/sas.conf"
			e2e_pair_spd "${in4[$me]}" "${in4[$peer]}" "$s" "$ra" "$rb"
			e2e_pair_spd "${in6[$me]}" "${in6[$peer]}" "$s" "$ra" "$rb"
		} >>"$E2E_WORK/$s/keys.part"
		{
			echo "interface ipsec$idx {"
			echo "	reqid $idx"
			if [[ $mode == tunnel ]]; then
				echo "	address ${in4[$me]}/32"
				echo "	address ${in6[$me]}/128"
			fi
			echo "	route ${in4[$peer]}/32"
			echo "	route ${in6[$peer]}/128"
			echo "}"
		} >>"$E2E_WORK/$s/ifaces.part"
	done
	E2E_SRC4[$idx]=${in4[0]} E2E_SRC6[$idx]=${in6[0]}
	E2E_DST4[$idx]=${in4[1]} E2E_DST6[$idx]=${in6[1]}
}
declare -a E2E_DST4 E2E_DST6 E2E_SRC4 E2E_SRC6

# The SAs between OA and OB, both directions, as setkey lines:
# e2e_pair_sas IDX SPIOFF OA OB MODE STACK ESPWORD ALG
# SPIs 0x1000 (A to B) or 0x2000 (B to A) + IDX + SPIOFF, plus 0x100 for
# AH and 0x200 for IPcomp.  In a tunnel-mode IPcomp bundle IPcomp makes
# the tunnel and ESP is in transport mode over it; AH is always in
# transport mode over what ESP made.
e2e_pair_sas() {
	local idx=$1 off=$2 oa=$3 ob=$4 mode=$5 stack=$6 esp=$7 alg=$8
	local dir src dst spi em=$5
	[[ $stack == "ipcomp esp" ]] && em=transport
	for dir in ab ba; do
		if [[ $dir == ab ]]; then
			src=$oa dst=$ob spi=$((0x1000 + idx + off))
		else
			src=$ob dst=$oa spi=$((0x2000 + idx + off))
		fi
		echo "add $src $dst $esp $spi -m $em -u $idx $(e2e_sa "$esp" "$alg" "$spi" "$src" "$dst");"
		if [[ $stack == "ah esp" ]]; then
			echo "add $src $dst ah $((spi + 0x100)) -m transport -u $idx $(e2e_sa ah sha256 $((spi + 0x100)) "$src" "$dst");"
		fi
		if [[ $stack == "ipcomp esp" ]]; then
			echo "add $src $dst ipcomp $((spi + 0x200)) -m $mode -u $idx $(e2e_sa ipcomp deflate $((spi + 0x200)) "$src" "$dst");"
		fi
	done
}

# One family's policies of side S: e2e_pair_spd MINE PEERS S REQS_AB REQS_BA
# IPcomp is optional ("use") on the way in, as strongSwan's kernel
# interfaces make it: a packet too small to compress comes without it.
e2e_pair_spd() {
	local mine=$1 peers=$2 s=$3 out in
	if [[ $s == A ]]; then out=$4 in=$5; else out=$5 in=$4; fi
	in=$(echo "$in" | sed 's|^\(ipcomp/[a-z]*/[^/]*\)/unique:[0-9]*|\1/use|')
	echo "spdadd $mine $peers any -P out ipsec $out;"
	echo "spdadd $peers $mine any -P in ipsec $in;"
}

# Write both sides' ipsecd.conf and keys.conf from what e2e_pair made,
# with extra ipsecd.conf lines from stdin (may be empty: </dev/null).
e2e_pair_conf() {
	local s extra
	extra=$(cat)
	for s in A B; do
		e2e_keys "$s" <"$E2E_WORK/$s/keys.part"
		{
			[[ -n $extra ]] && echo "$extra"
			cat "$E2E_WORK/$s/ifaces.part"
		} | e2e_conf "$s"
	done
}

# ipsecctl in SIDE's namespace on SIDE's sockets: ctl SIDE ARGS...
ctl() {
	local s=$1
	shift
	n "$(e2e_nsof "$s")" timeout 20 "$IPSECCTL" -s "$E2E_WORK/$s/run/control.sock" \
	    -k "$E2E_WORK/$s/run/pfkey.sock" "$@"
}

# Start ipsecd -d on SIDE's config, in the namespace NS (default SIDE's),
# and wait (at most 20 s) until `ipsecctl show stats` answers.
e2e_start() {
	local s=$1 ns=${2:-$(e2e_nsof "$1")} i pid
	echo "+ [$ns] $IPSECD -d -f $E2E_WORK/$s/ipsecd.conf &" >&2
	ip netns exec "$ns" "$IPSECD" -d ${E2E_VERBOSE:+-v} -f "$E2E_WORK/$s/ipsecd.conf" \
	    >>"$E2E_WORK/$s/ipsecd.log" 2>&1 &
	pid=$!
	e2e_dpid[$s]=$pid
	for ((i = 0; i < 200; i++)); do
		e2e_alive "$pid" || fail "ipsecd $s exited at start" "$(tail -n 5 "$E2E_WORK/$s/ipsecd.log")"
		ip netns exec "$ns" "$IPSECCTL" -s "$E2E_WORK/$s/run/control.sock" \
		    show stats >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "ipsecd $s not ready in 20 s" "$(tail -n 5 "$E2E_WORK/$s/ipsecd.log")"
}

# SIGTERM SIDE's ipsecd and wait (at most 10 s); its exit status in
# E2E_STATUS.
e2e_stop() {
	local pid=${e2e_dpid[$1]}
	E2E_STATUS=0
	e2e_alive "$pid" || fail "ipsecd $1 running until SIGTERM" "$(tail -n 5 "$E2E_WORK/$1/ipsecd.log")"
	kill -TERM "$pid"
	e2e_wait_gone "$pid" 100 || fail "ipsecd $1 still running 10 s after SIGTERM" "$pid"
	wait "$pid" || E2E_STATUS=$?
	unset "e2e_dpid[$1]"
}

# A JSON field of SIDE's SA with SPI: e2e_sa_get SIDE SPI JQ-PATH
# (e.g. .packets, .drops.replay); "null" when there is no such SA.
e2e_sa_get() {
	ctl "$1" -j show sa 2>/dev/null | jq -r --argjson spi "$(($2))" \
	    "first(.[] | select(.spi == \$spi) | $3) // \"null\""
}

# ping through the tunnel: 3 echoes with the marker, all answered.
# e2e_ping SIDE DST [ping args...]
e2e_ping() {
	local ns out
	ns=$(e2e_nsof "$1")
	out=$(n "$ns" timeout 15 ping -c 3 -i 0.2 -W 2 -p "$E2E_MARK_HEX" "${@:3}" "$2" 2>&1) ||
		fail "ping $2 from $1" "$out"
	[[ $out == *" 3 received"* ]] || fail "ping $2 from $1: 3 replies" "$out"
}

# A 10-second iperf3 TCP stream from A to B's DST, with port PORT;
# bytes received in E2E_BYTES.  Runs in the background; e2e_iperf_end
# waits for it.  e2e_iperf_start DST PORT [SECONDS]
e2e_iperf_start() {
	local dst=$1 port=$2 secs=${3:-10} i
	nbg "$B" "iperf3-s-$port" iperf3 -s -1 -p "$port"
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$B" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	nbg "$A" "iperf3-c-$port" timeout $((secs + 30)) iperf3 -c "$dst" -p "$port" \
	    -t "$secs" -J --connect-timeout 5000
	E2E_IPERF_PID[$port]=$!
}
declare -a E2E_IPERF_PID

# Wait for the client of PORT; fail unless it ended cleanly with bytes
# received.  Sets E2E_BYTES.
e2e_iperf_end() {
	local port=$1 pid=${E2E_IPERF_PID[$1]} st=0 out=$E2E_WORK/iperf3-c-$1.out err
	wait "$pid" || st=$?
	e2e_forget "$pid"
	err=$(jq -r '.error // ""' "$out" 2>/dev/null || echo "no JSON")
	((st == 0)) && [[ -z $err ]] || fail "iperf3 to port $port (exit $st)" "$err"
	E2E_BYTES=$(jq '.end.sum_received.bytes' "$out")
	((E2E_BYTES > 0)) || fail "iperf3 port $port moved bytes" "$E2E_BYTES"
	echo "iperf3 port $port: $E2E_BYTES bytes," \
	    "$(jq '.end.sum_received.bits_per_second / 1e6 | floor' "$out") Mbit/s" >&2
}

# What a capture leaves out: link traffic that never goes through a
# tunnel (ARP, IPv6 multicast such as MLD, neighbour discovery).
E2E_LINK_NOISE="not arp and not ip6 multicast and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)"

# Capture COUNT packets on va (A's veth) into $E2E_WORK/NAME.pcap, in the
# background, with a pcap-filter(7) expression (default: all but
# E2E_LINK_NOISE).  tcpdump ends by itself after COUNT packets, so none
# is lost in its buffer; the traffic must make exactly that many.
# e2e_capture_start NAME COUNT [FILTER]
e2e_capture_start() {
	local name=$1 count=$2 filter=${3:-$E2E_LINK_NOISE} i
	nbg "$A" "tcpdump-$name" tcpdump -i va -U --immediate-mode -n -s 0 -c "$count" \
	    -w "$E2E_WORK/$name.pcap" "$filter"
	E2E_TCPDUMP_PID=$!
	# tcpdump prints "listening on" once its socket is bound.
	for ((i = 0; i < 100; i++)); do
		grep -qs "listening on" "$E2E_WORK/tcpdump-$name.out" && return 0
		sleep 0.1
	done
	fail "tcpdump did not start" "$(cat "$E2E_WORK/tcpdump-$name.out")"
}

# Wait (at most 10 s) for tcpdump to have its COUNT packets and end.
e2e_capture_end() {
	e2e_wait_gone "$E2E_TCPDUMP_PID" 100 ||
		echo "tcpdump: fewer packets than counted, stopped" >&2
	e2e_kill "$E2E_TCPDUMP_PID"
}

# Check a capture with e2e_pcap.py: every IP packet protected with a known
# SPI, no marker in the clear, and the marker in what scapy decrypts.
# e2e_pcap_check NAME [e2e_pcap.py options...]
e2e_pcap_check() {
	local out
	out=$("$PY" "$E2E_SRC/e2e_pcap.py" check "$E2E_WORK/$1.pcap" \
	    "$E2E_WORK/sas" "$E2E_MARK" "${@:2}" 2>&1) ||
		fail "capture $1" "$out"
	echo "$out" >&2
}

# The counters of SA SPI on SIDE after traffic: packets and bytes > 0.
e2e_sa_moved() {
	local p b
	p=$(e2e_sa_get "$1" "$2" .packets)
	b=$(e2e_sa_get "$1" "$2" .bytes)
	[[ $p =~ ^[0-9]+$ ]] && ((p > 0 && b > 0)) ||
		fail "$1 sa $2 counters grew" "packets $p bytes $b"
}

# The sum of FIELD over SIDE's SAs of protocol PROTO from SRC (A's
# addresses: "A"): e2e_sa_sum SIDE PROTO FIELD
e2e_sa_sum() {
	ctl "$1" -j show sa 2>/dev/null | jq --arg p "$2" \
	    "[.[] | select(.proto == \$p and (.src == \"10.0.0.1\" or .src == \"fd00::1\")) | $3] | add // 0"
}

# Traffic through the interfaces IDX... of e2e_pair:
#   - ping each inner family of each with the marker (ping options in
#     E2E_PING_ARGS) while capturing on va; e2e_pcap_check (with --need E2E_NEED if set) proves every
#     packet protected and 12 per interface decrypting to the marker;
#   - a 10-second iperf3 TCP stream per interface and family, all at
#     once, each moving bytes;
#   - every SA of $E2E_WORK/sas counted packets on both sides, and A's
#     outbound ESP SAs counted at least the bytes iperf3 delivered.
e2e_traffic() {
	local idx port=5201 before after total=0 s spi
	local -a ports=()
	# 3 echoes and 3 replies per family and interface.
	e2e_capture_start ping $((12 * $#))
	for idx; do
		e2e_ping A "${E2E_DST4[$idx]}" ${E2E_PING_ARGS-}
		e2e_ping A "${E2E_DST6[$idx]}" ${E2E_PING_ARGS-}
	done
	e2e_capture_end
	e2e_pcap_check ping --min-decrypted $((12 * $#)) ${E2E_NEED:+--need "$E2E_NEED"}
	before=$(e2e_sa_sum A esp .bytes)
	for idx; do
		e2e_iperf_start "${E2E_DST4[$idx]}" $port
		ports+=($port)
		e2e_iperf_start "${E2E_DST6[$idx]}" $((port + 1))
		ports+=($((port + 1)))
		port=$((port + 2))
	done
	for port in "${ports[@]}"; do
		e2e_iperf_end "$port"
		total=$((total + E2E_BYTES))
	done
	after=$(e2e_sa_sum A esp .bytes)
	((after - before >= total)) ||
		fail "A's outbound ESP SAs counted the $total bytes iperf3 moved" "$((after - before))"
	for s in A B; do
		while read -r spi _; do
			e2e_sa_moved "$s" "$spi"
		done <"$E2E_WORK/sas"
	done
}
