# Key managers driving ipsecd through libipsecd-pfkey.so (src/shim/).
#   shim_io      the shim in a live process, against fake ipsecd sockets
#                (no root needed)
SHIM_LIB_PATH = $(abs_top_builddir)/src/shim/.libs/libipsecd-pfkey.so

check_PROGRAMS += tests/ike/shim_io
TESTS += tests/ike/shim_io
tests_ike_shim_io_SOURCES = tests/ike/shim_io.c
tests_ike_shim_io_CPPFLAGS = $(AM_CPPFLAGS) -DSHIM_LIB='"$(SHIM_LIB_PATH)"'
tests_ike_shim_io_CFLAGS = $(TEST_CFLAGS) -pthread
tests_ike_shim_io_LDADD = $(CHECK_LIBS) -lpthread
tests_ike_shim_io_DEPENDENCIES = src/shim/libipsecd-pfkey.la

# ike_peer, the test key manager (run under the shim by the scripts).
check_PROGRAMS += tests/ike/ike_peer
tests_ike_ike_peer_SOURCES = tests/ike/ike_peer.c tests/ike/ike_pfkey.c \
	tests/ike/ike_pfkey.h $(PFKEY_MSG_SRCS)
tests_ike_ike_peer_CFLAGS = $(TEST_CFLAGS)
tests_ike_ike_peer_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS)

# End-to-end: key managers under the shim drive ipsecd in namespaces
# (root and /dev/net/tun, else skipped).
# ike_charon.sh runs strongSwan's charon with its kernel-pfkey plugin,
# which Debian does not ship for Linux: scripts/deps.sh builds it with
# tests/ike/build_kernel_pfkey.sh.
IKE_TESTS = tests/ike/ike_cycle.sh tests/ike/ike_charon.sh
TESTS += $(IKE_TESTS)
EXTRA_DIST += $(IKE_TESTS) tests/ike/ike_lib.sh \
	tests/ike/build_kernel_pfkey.sh
