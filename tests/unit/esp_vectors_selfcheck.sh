#!/bin/sh
# make check wrapper: re-check the hand-copied vectors of esp_vectors.h
# with Python's cryptography (Debian's python3-cryptography, which only
# /usr/bin/python3 sees).  Exit 77 = skipped when either is missing.
[ -x /usr/bin/python3 ] || exit 77
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || {
	echo "esp_vectors_selfcheck: python3-cryptography missing, skipped"
	exit 77
}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/esp_vectors_selfcheck.py" "$here/esp_vectors.h"
