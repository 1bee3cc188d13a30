#!/usr/bin/env bash
# The packages carry the version of configure.ac's AC_INIT: the first
# entry of packaging/debian/changelog (as VERSION-N) and Version: of
# packaging/rpm/ipsecd.spec.  With rpmspec installed, the spec also
# parses.
set -eu
srcdir=${srcdir:-.}
version=$(sed -n 's/^AC_INIT(\[ipsecd\], \[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
[[ -n $version ]] || { echo "FAIL: no version in configure.ac" >&2; exit 1; }

deb=$(sed -n '1s/^ipsecd (\([^)]*\)).*/\1/p' "$srcdir/packaging/debian/changelog")
[[ $deb =~ ^${version//./\\.}-[0-9]+$ ]] ||
	{ echo "FAIL: debian/changelog has $deb, configure.ac $version" >&2; exit 1; }
echo "ok: debian/changelog $deb"

rpm=$(sed -n 's/^Version: *//p' "$srcdir/packaging/rpm/ipsecd.spec")
[[ $rpm == "$version" ]] ||
	{ echo "FAIL: ipsecd.spec has $rpm, configure.ac $version" >&2; exit 1; }
echo "ok: ipsecd.spec $rpm"

if command -v rpmspec >/dev/null; then
	got=$(rpmspec -q --qf '%{version}\n' --define '_unitdir /usr/lib/systemd/system' \
		"$srcdir/packaging/rpm/ipsecd.spec" 2>&1) ||
		{ echo "FAIL: rpmspec: $got" >&2; exit 1; }
	[[ $got == "$version" ]] || { echo "FAIL: rpmspec says $got" >&2; exit 1; }
	echo "ok: rpmspec parses ipsecd.spec"
fi
