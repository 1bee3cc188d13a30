#!/usr/bin/env bash
# strongSwan's charon, unmodified, with its kernel-pfkey plugin under
# LD_PRELOAD of libipsecd-pfkey.so, drives ipsecd on each side: IKEv2 with
# a PSK negotiates, charon installs SAs and policies through PF_KEY
# (GETSPI, ADD, X_SPDADD, ...), ESP-in-UDP (encap=yes) shares the NAT-T
# port with charon's own IKE socket, and ping and iperf3 run through
# ipsecd.  The exchange starts from a trap policy's ACQUIRE; then the
# CHILD_SA is rekeyed by charon and traffic goes on.
#
#   +------------- cA-$$ -------------+        +------------- cB-$$ -------------+
#   | lo 10.202.0.1                   |        | lo 10.202.0.2                   |
#   | ipsecd A (ipsec0: policy routes)|        | ipsecd B                        |
#   | charon (kernel-pfkey, shim)     |        | charon (kernel-pfkey, shim)     |
#   |                 va 10.200.30.1  |--veth--|  vb 10.200.30.2                 |
#   +---------------------------------+        +---------------------------------+
#
# Debian builds strongSwan's kernel-pfkey plugin only for kFreeBSD, so
# Debian 12 has no libstrongswan-kernel-pfkey.so: the test runs with the
# plugin named by $IPSECD_KERNEL_PFKEY (default: the path
# tests/ike/build_kernel_pfkey.sh builds it to), bind-mounted into
# charon's plugin directory inside charon's own mount namespace; it fails
# without it.  charon's routes are off (install_routes = no):
# routing into ipsec0 is ipsecd's job (its default interface).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ike_lib.sh"
ike_require
charon=/usr/lib/ipsec/charon
plugin=${IPSECD_KERNEL_PFKEY:-/var/cache/ipsecd-test/libstrongswan-kernel-pfkey.so}
ike_need "$charon" strongswan-charon
ike_need swanctl strongswan-swanctl
ike_need iperf3 iperf3
[[ -f /usr/lib/ipsec/plugins/libstrongswan-gcm.so ]] ||
	{ echo "missing: Debian package libstrongswan-standard-plugins" >&2; exit 99; }
# No Debian package has this plugin for Linux: scripts/deps.sh builds it
# (tests/ike/build_kernel_pfkey.sh); without it the test fails.
[[ -f $plugin ]] || {
	echo "no kernel-pfkey plugin at $plugin (scripts/deps.sh builds it)" >&2
	exit 99
}
trap ike_cleanup EXIT

a=cA-$$ b=cB-$$
ike_ns "$a"
ike_ns "$b"
n "$a" ip link add va type veth peer name vb netns "$b"
n "$a" ip addr add 10.200.30.1/24 dev va
n "$b" ip addr add 10.200.30.2/24 dev vb
n "$a" ip addr add 10.202.0.1/32 dev lo
n "$b" ip addr add 10.202.0.2/32 dev lo
n "$a" ip link set va up
n "$b" ip link set vb up

ipsecd_start A "$a" "workers 2"
ipsecd_start B "$b" "workers 2"

# charon's plugins: the system's, and kernel-pfkey, in a directory that
# is mounted over the plugin directory in charon's namespace only.
plugins=$ike_tmp/plugins
mkdir -p "$plugins"
for f in /usr/lib/ipsec/plugins/*.so; do
	cp "$f" "$plugins/"
done
cp "$plugin" "$plugins/libstrongswan-kernel-pfkey.so"

write_conf() { # side local remote local_inner remote_inner local_id remote_id start
	local s=$1 d=$ike_tmp/$1
	cat >"$d/strongswan.conf" <<EOF
charon {
	load = random nonce aes sha1 sha2 hmac gcm kdf curve25519 pem pkcs1 x509 pubkey openssl socket-default kernel-pfkey kernel-netlink vici
	install_routes = no
	install_virtual_ip = no
	filelog {
		ike {
			path = $d/charon.log
			default = 1
			knl = 2
			append = no
			flush_line = yes
		}
	}
	syslog {
	}
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
	}
}
EOF
	cat >"$d/swanctl.conf" <<EOF
connections {
	t {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		encap = yes
		mobike = no
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = psk
			id = $6
		}
		remote {
			auth = psk
			id = $7
		}
		children {
			t {
				local_ts = $4/32
				remote_ts = $5/32
				esp_proposals = aes128gcm16
				mode = tunnel
				start_action = $8
			}
		}
	}
}
secrets {
	ike-t {
		id-1 = a@ipsecd.test
		id-2 = b@ipsecd.test
		secret = "ipsecd-test-psk-not-secret-0123456789"
	}
}
EOF
}
# A traps: its policies go in at once and the first packet's ACQUIRE
# starts the exchange.
write_conf A 10.200.30.1 10.200.30.2 10.202.0.1 10.202.0.2 a@ipsecd.test b@ipsecd.test trap
write_conf B 10.200.30.2 10.200.30.1 10.202.0.2 10.202.0.1 b@ipsecd.test a@ipsecd.test none

start_charon() { # NAME NS
	local name=$1 ns=$2 d=$ike_tmp/$1 i
	echo "+ [$ns] LD_PRELOAD=libipsecd-pfkey.so charon" >&2
	# ip netns exec gives charon a mount namespace of its own: a tmpfs
	# over /run (its pid file) and our plugin directory stay there.
	ip netns exec "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
		LD_PRELOAD="$IKE_SHIM" \
		IPSECD_PFKEY_SOCKET="$d/pfkey.sock" \
		IPSECD_CONTROL_SOCKET="$d/control.sock" \
		sh -c "mount -t tmpfs ipsecd-charon-run /run &&
			mount --bind '$plugins' /usr/lib/ipsec/plugins &&
			exec $charon" >"$d/charon.out" 2>&1 &
	ike_pids+=($!)
	for i in $(seq 1 100); do
		[[ -S $d/charon.vici ]] && return 0
		sleep 0.1
	done
	fail "charon $name did not start" "$(tail -n 20 "$d/charon.out" "$d/charon.log" 2>&1)"
}

swc() { # NAME args...
	local d=$ike_tmp/$1
	shift
	STRONGSWAN_CONF="$d/strongswan.conf" swanctl "$@" --uri "unix://$d/charon.vici"
}

charon_logs() {
	local f
	for f in "$ike_tmp"/*/charon.log; do
		echo "--- $f" >&2
		tail -60 "$f" >&2
	done
}

start_charon A "$a"
start_charon B "$b"
swc A --load-all --file "$ike_tmp/A/swanctl.conf" >"$ike_tmp/load-A" 2>&1
swc B --load-all --file "$ike_tmp/B/swanctl.conf" >"$ike_tmp/load-B" 2>&1
trap_pols=$(ctl A "$a" -j show sp | jq '[.[] | select(.socket | not)] | length')
((trap_pols >= 2)) || fail "charon's trap policies in ipsecd A" "$trap_pols"

# The first echo request hits the trap: ACQUIRE, IKE_SA_INIT, IKE_AUTH,
# SAs; the requests held meanwhile are sent then.
got=$(n "$a" ping -q -c 20 -i 0.1 -W 3 -I 10.202.0.1 10.202.0.2 |
	sed -n 's/.* \([0-9]*\) received.*/\1/p' || true)
[[ $got == 20 ]] || { charon_logs; fail "echo replies from the ACQUIRE on" "$got"; }
grep -q "acquire" "$ike_tmp/A/charon.log" ||
	fail "charon saw the ACQUIRE" "$(grep -ci acquire "$ike_tmp/A/charon.log")"

# What charon installed, as ipsecd has it.
sas=$(ctl A "$a" -j show sa | jq 'length')
((sas == 2)) || fail "SAs charon installed in ipsecd A" "$sas"
udp=$(ctl A "$a" -j show sa | jq '[.[] | select(.flags | index("udp-encap"))] | length')
((udp == 2)) || fail "ESP-in-UDP SAs (encap=yes)" "$udp"
pols=$(ctl A "$a" -j show sp | jq '[.[] | select(.socket | not)] | length')
((pols >= 2)) || fail "policies charon installed in ipsecd A" "$pols"
socks=$(ctl A "$a" -j show sp | jq '[.[] | select(.socket)] | length')
((socks >= 2)) || fail "charon's bypass socket policies" "$socks"

ip netns exec "$b" iperf3 -s -1 -B 10.202.0.2 >/dev/null 2>&1 &
ike_pids+=($!)
sleep 0.5
out=$(n "$a" iperf3 -c 10.202.0.2 -B 10.202.0.1 -t 3 -J 2>/dev/null || true)
bits=$(echo "$out" | jq '.end.sum_received.bits_per_second // 0 | floor')
((bits > 1000000)) || fail "iperf3 through ipsecd" "$bits"

# charon rekeys the CHILD_SA (GETSPI, ADD, DELETE of the old) and
# traffic goes on over the new SAs.
old=$(ctl A "$a" -j show sa | jq -c '[.[].spi] | sort')
swc A --rekey --child t >"$ike_tmp/rekey" 2>&1
sleep 2
new=$(ctl A "$a" -j show sa | jq -c '[.[].spi] | sort')
[[ $new != "$old" ]] || fail "SAs after charon's rekey" "$new"
got=$(n "$a" ping -q -c 10 -i 0.1 -W 2 -I 10.202.0.1 10.202.0.2 |
	sed -n 's/.* \([0-9]*\) received.*/\1/p' || true)
[[ $got == 10 ]] || { charon_logs; fail "ping after the rekey" "$got"; }
ike=$(ctl A "$a" -j show stats | jq '.packets.ike')
[[ $ike == 0 ]] || fail "IKE packets at ipsecd's workers (not at charon)" "$ike"
echo "ike_charon: all checks passed ($((bits / 1000000)) Mbit/s through ipsecd)"
