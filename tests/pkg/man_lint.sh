#!/usr/bin/env bash
# Every man page in man/ is clean under `mandoc -Tlint` at level warning:
# a warning, an error or an unsupported feature fails the test (style
# notes, such as a referenced page that is not installed, do not).  The
# pages the unit file names in Documentation= exist too.
set -eu
srcdir=${srcdir:-.}
command -v mandoc >/dev/null || { echo "mandoc missing (scripts/deps.sh)" >&2; exit 99; }

pages=("$srcdir"/man/*.[1-9])
((${#pages[@]} >= 3)) || { echo "FAIL: man pages found: ${pages[*]}" >&2; exit 1; }
status=0
for p in "${pages[@]}"; do
	if out=$(mandoc -Tlint -W warning "$p" 2>&1) && [[ -z $out ]]; then
		echo "ok: $p"
	else
		echo "FAIL: $p" >&2
		echo "$out" >&2
		status=1
	fi
done

# Documentation=man:NAME(S) of the unit: each page is one of ours.
doc=$(sed -n 's/^Documentation=//p' "$srcdir/etc/ipsecd.service.in")
[[ -n $doc ]] || { echo "FAIL: no Documentation= in the unit" >&2; exit 1; }
for ref in $doc; do
	[[ $ref =~ ^man:([a-z.]+)\(([1-9])\)$ ]] || { echo "FAIL: $ref" >&2; status=1; continue; }
	f="$srcdir/man/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
	[[ -f $f ]] && echo "ok: $ref" || { echo "FAIL: $ref: no $f" >&2; status=1; }
done
exit $status
