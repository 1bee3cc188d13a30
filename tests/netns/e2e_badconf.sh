#!/usr/bin/env bash
# Bad configurations through the real `ipsecd -n`:
#   - every tests/conf/good file prints "configuration OK" and every
#     tests/conf/bad file exactly its expected "file:line: message" lines
#     (tests/conf/run.sh with CONF_CHECK="ipsecd -n -f": the same suite
#     the conf module runs through its own driver);
#   - the include files are checked too: a setkey error in one is a
#     "file:line:" error and exit 1, as it would stop ipsecd at start.
# No namespace, no root needed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/e2e_lib.sh"
[[ -x $IPSECD ]] || { echo "no $IPSECD: run from the build directory" >&2; exit 99; }
E2E_WORK=$(mktemp -d /tmp/ipsecd-e2e.XXXXXX)
trap 'rm -rf "$E2E_WORK"' EXIT

out=$(CONF_CHECK="$IPSECD -n -f" "$E2E_SRC/../conf/run.sh" 2>&1) || fail "tests/conf through ipsecd -n" "$out"
echo "$out" | tail -n 1 >&2

cd "$E2E_WORK"
umask 077
printf 'include "keys.conf"\ninterface ipsec1 {\n\treqid 1\n}\n' >ipsecd.conf
printf 'add 10.0.0.1 10.0.0.2 esp 0x1001 -u 1 -E aes-gcm-16 0x%s;\n' \
    "$(e2e_key 0x1001 20)" >keys.conf
out=$("$IPSECD" -n -f ipsecd.conf 2>&1) || fail "good include file" "$out"
[[ $out == "configuration OK" ]] || fail "good include file" "$out"
printf 'add 10.0.0.1 10.0.0.2 esp 0x1002 -E aes-gcm-16 0x0102;\n' >>keys.conf
st=0
out=$("$IPSECD" -n -f ipsecd.conf 2>&1) || st=$?
((st == 1)) || fail "bad include file: exit 1" "$st: $out"
[[ $out == *"keys.conf:2: "* && $out != *"configuration OK"* ]] ||
	fail "bad include file: keys.conf:2: error" "$out"
echo "e2e_badconf: all checks passed"
