# NAT traversal end to end: three namespaces with a masquerading router,
# key managers under the shim (tests/ike/ike_lib.sh; root, /dev/net/tun,
# nft and conntrack, else skipped).
# nat_transport.sh also needs Debian's /usr/bin/python3 (l4_app.py).
NAT_TESTS = tests/nat/nat_traversal.sh tests/nat/nat_transport.sh
TESTS += $(NAT_TESTS)
EXTRA_DIST += $(NAT_TESTS) tests/nat/nat_lib.sh tests/nat/l4_app.py
