#!/usr/bin/env bash
# Install what building and testing ipsecd needs on Debian 12 (run as root).
# Idempotent: packages already present are not fetched again.
set -eu
pkgs=(build-essential autoconf automake libtool pkg-config
	libssl-dev libevent-dev libmnl-dev check liburcu-dev zlib1g-dev
	libjansson-dev libsystemd-dev libcap-ng-dev
	clang libclang-rt-14-dev python3 python3-scapy iproute2 jq mandoc python3-cryptography
	iperf3 iputils-ping tcpdump coreutils nftables conntrack
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	systemd dpkg-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	if ((EUID != 0)); then
		echo "deps: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# strongSwan's kernel-pfkey plugin for tests/ike/ike_charon.sh: Debian
# builds it only for kFreeBSD, so it is built once from the source of the
# installed strongSwan (tests/ike/build_kernel_pfkey.sh).
plugin=${IPSECD_KERNEL_PFKEY:-/var/cache/ipsecd-test/libstrongswan-kernel-pfkey.so}
if [[ ! -f $plugin ]]; then
	if ((EUID != 0)); then
		echo "deps: no $plugin; run as root to build it" >&2
		exit 1
	fi
	echo "deps: building strongSwan's kernel-pfkey plugin"
	"$(dirname "$0")/../tests/ike/build_kernel_pfkey.sh" "$plugin"
fi
