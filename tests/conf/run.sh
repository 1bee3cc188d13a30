#!/bin/sh
# The bad-config suite (STYLE.md section 11): run conf_check, which does
# what `ipsecd -n` does, on
#   tests/conf/good/*.conf  must print "configuration OK", exit 0;
#   tests/conf/bad/NN-what.conf  must print exactly NN-what.err on
#                                stderr, exit 1.
# Each file is copied into a scratch directory and checked there under its
# base name, so that messages read "NN-what.conf:LINE: ...", next to the
# include files the cases name, made here with the permissions they need:
#   secret-ok 0600, secret-ro 0400, secret-link -> secret-ok (good);
#   secret-group 0640, secret-world 0604, secret-gw 0620, secret-ow 0602,
#   secret-link-bad -> secret-group, secret-dir/, secret-fifo, and
#   secret-owner (0600, owned by uid 65534: made only when run as root).
# Run from the build directory (make check does); srcdir as automake sets.
# CONF_CHECK, if set, is the checker instead of conf_check: a command and
# its options before the file name, e.g. "/path/ipsecd -n -f"
# (tests/netns/e2e_badconf.sh); its stdout and stderr are read together.
set -eu
src=$(cd "${srcdir:-.}/tests/conf" && pwd)
bin=${CONF_CHECK:-$(pwd)/tests/conf/conf_check}
[ -x "${bin%% *}" ] || { echo "run.sh: no ${bin%% *}; run from the build directory" >&2; exit 99; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
umask 077
printf 'flush;\nspdflush;\n' >secret-ok
for f in secret-ro secret-group secret-world secret-gw secret-ow manual.conf; do
	cp secret-ok "$f"
done
chmod 0400 secret-ro
chmod 0640 secret-group
chmod 0604 secret-world
chmod 0620 secret-gw
chmod 0602 secret-ow
ln -s secret-ok secret-link
ln -s secret-group secret-link-bad
mkdir secret-dir
mkfifo secret-fifo
is_root=false
if [ "$(id -u)" = 0 ]; then
	is_root=true
	cp secret-ok secret-owner
	chown 65534 secret-owner
fi

pass=0
fail=0
skip=0
for f in "$src"/good/*.conf; do
	name=$(basename "$f")
	cp "$f" "$name"
	if $bin "$name" >err 2>&1 && [ "$(cat err)" = "configuration OK" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL good/$name:"
		cat err
		fail=$((fail + 1))
	fi
done
for f in "$src"/bad/*.conf; do
	name=$(basename "$f")
	if grep -q secret-owner "$f" && ! $is_root; then
		echo "SKIP bad/$name (needs root to give a file to uid 65534;" \
		    "check_conf covers the ownership rule)"
		skip=$((skip + 1))
		continue
	fi
	cp "$f" "$name"
	status=0
	$bin "$name" >err 2>&1 || status=$?
	if [ "$status" = 1 ] && cmp -s err "$src/bad/${name%.conf}.err"; then
		pass=$((pass + 1))
	else
		echo "FAIL bad/$name (exit $status); diff expected got:"
		diff "$src/bad/${name%.conf}.err" err || true
		fail=$((fail + 1))
	fi
done
for f in "$src"/bad/*.err; do
	[ -f "${f%.err}.conf" ] && continue
	echo "FAIL bad/$(basename "$f") has no .conf"
	fail=$((fail + 1))
done
echo "conf: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
