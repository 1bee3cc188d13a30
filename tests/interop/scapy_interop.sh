#!/bin/sh
# make check wrapper: ipsecd's ESP against scapy (Debian's python3-scapy,
# which only /usr/bin/python3 sees).  Exit 77 = skipped.
[ -x /usr/bin/python3 ] || exit 77
exec /usr/bin/python3 "$(dirname "$0")/scapy_check.py" "${ESPTOOL:-./tests/interop/esptool}"
