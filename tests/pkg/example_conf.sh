#!/usr/bin/env bash
# The example configuration of etc/ (what make install and the packages
# put in /etc/ipsecd) passes `ipsecd -n`, with its include file made
# mode 0600 as the install makes it; and the include file is refused
# while group or others can read it, as the example's comments say.
set -eu
srcdir=${srcdir:-.}
[[ -x ./ipsecd ]] || { echo "run from the top of the build tree (./ipsecd)" >&2; exit 99; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$srcdir/etc/ipsecd.conf" "$srcdir/etc/ipsecd-keys.conf" "$tmp/"
chmod 600 "$tmp/ipsecd-keys.conf"

out=$(./ipsecd -n -f "$tmp/ipsecd.conf" 2>&1) || {
	echo "FAIL: ipsecd -n on the example: $out" >&2
	exit 1
}
[[ $out == "configuration OK" ]] || { echo "FAIL: ipsecd -n said: $out" >&2; exit 1; }
echo "ok: ipsecd -n accepts etc/ipsecd.conf"

chmod 640 "$tmp/ipsecd-keys.conf"
if out=$(./ipsecd -n -f "$tmp/ipsecd.conf" 2>&1); then
	echo "FAIL: a group-readable include file was accepted: $out" >&2
	exit 1
fi
[[ $out == *"ipsecd.conf:"*"ipsecd-keys.conf"*"mode 0640"* ]] ||
	{ echo "FAIL: unexpected refusal: $out" >&2; exit 1; }
echo "ok: ipsecd -n refuses the include file at mode 0640"
