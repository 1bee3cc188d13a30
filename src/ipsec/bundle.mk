# ecn, tunnel and bundles (core helper).
src_ipsec_libipsec_la_SOURCES += src/ipsec/ecn.c src/ipsec/ecn.h

check_PROGRAMS += tests/unit/check_ecn
TESTS += tests/unit/check_ecn
tests_unit_check_ecn_SOURCES = tests/unit/check_ecn.c src/ipsec/ecn.c
tests_unit_check_ecn_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_ecn_LDADD = $(TEST_LIBS)

src_ipsec_libipsec_la_SOURCES += src/ipsec/tunnel.c src/ipsec/tunnel.h

check_PROGRAMS += tests/unit/check_tunnel
TESTS += tests/unit/check_tunnel
tests_unit_check_tunnel_SOURCES = tests/unit/check_tunnel.c \
	src/ipsec/tunnel.c src/ipsec/ecn.c src/ipsec/iphdr.c \
	src/ipsec/knobs.c src/common/addr.c src/common/pbuf.c
tests_unit_check_tunnel_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_tunnel_LDADD = $(TEST_LIBS)

src_ipsec_libipsec_la_SOURCES += src/ipsec/bundle.c src/ipsec/bundle.h

check_PROGRAMS += tests/unit/check_bundle
TESTS += tests/unit/check_bundle
tests_unit_check_bundle_SOURCES = tests/unit/check_bundle.c \
	src/ipsec/bundle.c src/ipsec/esp.c src/ipsec/ah.c src/ipsec/ipcomp.c \
	src/ipsec/tunnel.c src/ipsec/ecn.c \
	src/ipsec/iphdr.c src/ipsec/replay.c src/ipsec/knobs.c \
	src/ipsec/spd.c src/ipsec/tagtab.c src/ipsec/selector.c \
	src/ipsec/verdict.c \
	src/common/addr.c src/common/pbuf.c $(CRYPTO_SRCS)
tests_unit_check_bundle_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_bundle_LDADD = $(TEST_LIBS)
