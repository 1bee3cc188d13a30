#!/usr/bin/env bash
# Build the Debian package the way Debian would: from the release tarball
# (`make dist`), with packaging/debian copied in as debian/, by
# `dpkg-buildpackage -b -us -uc`.
#   packaging/deb.sh [OUTDIR]        (default build/deb; as root on Debian 12)
# Installs the build dependencies it lacks first (as scripts/deps.sh does
# for the rest).  The .deb and .buildinfo/.changes end up in OUTDIR.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build/deb}" && cd "${1:-$top/build/deb}" && pwd)

"$top/scripts/deps.sh"
need=(debhelper dpkg-dev fakeroot)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deb: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The tarball, from a build tree of its own.
"$top/scripts/build.sh" "$out/dist"
make -C "$out/dist" -s dist >/dev/null
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$out/dist/Makefile")
tarball=$out/dist/ipsecd-$version.tar.gz

rm -rf "$out/ipsecd-$version"
tar -xzf "$tarball" -C "$out"
cp "$tarball" "$out/ipsecd_$version.orig.tar.gz"
cp -r "$out/ipsecd-$version/packaging/debian" "$out/ipsecd-$version/debian"
cd "$out/ipsecd-$version"
dpkg-buildpackage -b -us -uc
ls -l "$out"/*.deb
