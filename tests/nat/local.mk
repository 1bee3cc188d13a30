# NAT traversal end to end: three namespaces with a masquerading router,
# key managers under the shim (tests/ike/ike_lib.sh; root, /dev/net/tun,
# nft and conntrack, else skipped).
NAT_TESTS = tests/nat/nat_traversal.sh
TESTS += $(NAT_TESTS)
EXTRA_DIST += $(NAT_TESTS)
