#!/usr/bin/env bash
# Build strongSwan's kernel-pfkey plugin, which Debian ships only for
# kFreeBSD, for tests/ike/ike_charon.sh: from the orig tarball of the
# strongswan source package of the installed version (Debian's deb-src
# archive; unmodified upstream code), against the installed libcharon.
#
#   tests/ike/build_kernel_pfkey.sh [DEST]
#     DEST  where the plugin goes (default the path ike_charon.sh reads,
#           /var/cache/ipsecd-test/libstrongswan-kernel-pfkey.so)
#
# Needs root (apt), strongswan-charon installed, and Debian's archive.
set -eu
dest=${1:-/var/cache/ipsecd-test/libstrongswan-kernel-pfkey.so}
ver=$(dpkg-query -W -f='${Version}' strongswan-charon)
upstream=${ver%%-*}
work=$(mktemp -d /tmp/kernel-pfkey.XXXXXX)
trap 'rm -rf "$work"' EXIT

# deb-src for the suites apt already uses (bookworm's layout).
src=/etc/apt/sources.list.d/ipsecd-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
	! grep -qs '^deb-src' /etc/apt/sources.list; then
	cat >"$src" <<EOT
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev build-essential \
	pkg-config libssl-dev >/dev/null
cd "$work"
# Only the upstream tarball: the plugin is upstream code.
apt-get source -qq --tar-only strongswan >/dev/null 2>&1 ||
	apt-get source -qq --download-only strongswan >/dev/null 2>&1 || true
tarball=$(ls strongswan_"$upstream".orig.tar.* 2>/dev/null | head -1)
[[ -n $tarball ]] || { echo "no strongswan $upstream source" >&2; exit 1; }
tar xf "$tarball"
cd "strongswan-$upstream"
./configure -q --prefix=/usr --sysconfdir=/etc --libexecdir=/usr/lib \
	--with-ipsecdir=/usr/lib/ipsec --with-ipseclibdir=/usr/lib/ipsec \
	--enable-kernel-pfkey --disable-gmp --disable-stroke --disable-pki \
	--disable-swanctl >/dev/null
make -s -C src/libcharon/plugins/kernel_pfkey >/dev/null
mkdir -p "$(dirname "$dest")"
install -m 0644 src/libcharon/plugins/kernel_pfkey/.libs/libstrongswan-kernel-pfkey.so "$dest"
echo "built $dest (strongSwan $upstream)"
