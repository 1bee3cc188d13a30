#!/usr/bin/env bash
# etc/ipsecd.service.in, with its directories pointing at this build tree,
# passes `systemd-analyze verify` with nothing to say: an unknown
# directive, a bad value or a missing program is output, and output
# fails.  Skipped (77) where systemd-analyze is missing.  The exposure
# figure of `systemd-analyze security` is printed for the record.
set -eu
srcdir=${srcdir:-.}
command -v systemd-analyze >/dev/null || exit 77
[[ -x ./ipsecd ]] || { echo "run from the top of the build tree (./ipsecd)" >&2; exit 99; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s|@sbindir@|$PWD|g" -e "s|@sysconfdir@|$tmp|g" \
	"$srcdir/etc/ipsecd.service.in" >"$tmp/ipsecd.service"
if grep -n '@[a-z]*@' "$tmp/ipsecd.service"; then
	echo "FAIL: placeholder left in the unit" >&2
	exit 1
fi
# --man=no: the pages are checked in the source tree by man_lint.sh.
out=$(cd "$tmp" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no ./ipsecd.service 2>&1) || {
	echo "FAIL: systemd-analyze verify" >&2
	echo "$out" >&2
	exit 1
}
if [[ -n $out ]]; then
	echo "FAIL: systemd-analyze verify has something to say:" >&2
	echo "$out" >&2
	exit 1
fi
echo "ok: systemd-analyze verify"
# Not a verdict: how much of the sandbox systemd counts as used.
(cd "$tmp" && systemd-analyze security --offline=yes ./ipsecd.service 2>/dev/null |
	grep -a 'Overall exposure') || true
