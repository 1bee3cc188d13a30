# The test provider (tests/provider/ipsecdtest.c): an OpenSSL 3 provider
# that looks like an accelerator, built as a loadable module for the tests
# and the offload benchmark, never installed.  libtool builds a shared
# module for a noinst library only when it is given an rpath.
noinst_LTLIBRARIES += tests/provider/ipsecdtest.la
tests_provider_ipsecdtest_la_SOURCES = tests/provider/ipsecdtest.c
tests_provider_ipsecdtest_la_CFLAGS = $(AM_CFLAGS) -pthread
tests_provider_ipsecdtest_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/tests/provider
tests_provider_ipsecdtest_la_LIBADD = $(OPENSSL_LIBS) -lpthread

# Where the tests and the benchmark find it in the build tree.
TEST_PROVIDER_PATH = $(abs_top_builddir)/tests/provider/.libs/ipsecdtest.so

# ipsecd.conf's crypto section: the parser, the data, and a whole
# configuration text through to the test provider loaded.
check_PROGRAMS += tests/unit/check_crypto_conf
TESTS += tests/unit/check_crypto_conf
tests_unit_check_crypto_conf_SOURCES = tests/unit/check_crypto_conf.c \
	tests/unit/check_provider.h $(CONF_SRCS) src/ipsec/knobs.c \
	src/common/addr.c $(CRYPTO_SRCS)
tests_unit_check_crypto_conf_CPPFLAGS = $(TEST_PROVIDER_CPPFLAGS)
tests_unit_check_crypto_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_crypto_conf_LDADD = $(TEST_LIBS)

# The PF_KEY server under an offload policy with the test provider loaded
# (refusals at ADD, REGISTER and ACQUIRE listing what the policy allows).
check_PROGRAMS += tests/provider/pfkey_offload
TESTS += tests/provider/pfkey_offload
tests_provider_pfkey_offload_SOURCES = tests/provider/pfkey_offload.c \
	tests/unit/check_provider.h $(PFKEY_SUITE_SRCS)
tests_provider_pfkey_offload_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS) \
	-DTEST_PROVIDER_PATH='"$(TEST_PROVIDER_PATH)"'
tests_provider_pfkey_offload_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_provider_pfkey_offload_LDADD = $(PFKEY_SUITE_LIBS)

# End to end with the test provider in two namespaces (tests/netns/
# crypto_*.sh: root and /dev/net/tun, else skipped, as tests/netns/
# local.mk's e2e tests): show crypto, offload policies at ADD and in
# REGISTER, the asynchronous pipeline in order and overlapping, provider
# failures at run time.
CRYPTO_E2E_TESTS = tests/netns/crypto_offload.sh tests/netns/crypto_failover.sh
TESTS += $(CRYPTO_E2E_TESTS)
EXTRA_DIST += $(CRYPTO_E2E_TESTS) tests/netns/crypto_lib.sh \
	tests/netns/crypto_pfkey.py
# The tunnel-level offload benchmark (figures only; it sources the two
# libraries above).
EXTRA_DIST += bench/offload_tunnel.sh
