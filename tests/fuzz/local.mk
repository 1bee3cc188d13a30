# Fuzz targets (STYLE.md section 11).  The libFuzzer build needs clang and
# --enable-fuzz; the regression driver of the same entry point always runs
# in `make check`.
FUZZ_CORE_SRCS = src/ipsec/esp.c src/ipsec/ah.c src/ipsec/ipcomp.c \
	src/ipsec/bundle.c src/ipsec/tunnel.c src/ipsec/ecn.c \
	src/ipsec/spd.c src/ipsec/tagtab.c src/ipsec/selector.c \
	src/ipsec/knobs.c src/ipsec/iphdr.c src/ipsec/replay.c \
	src/ipsec/verdict.c src/common/addr.c src/common/pbuf.c $(CRYPTO_SRCS)

check_PROGRAMS += tests/fuzz/fuzz_inbound_regress
TESTS += tests/fuzz/fuzz_inbound_regress
tests_fuzz_fuzz_inbound_regress_SOURCES = tests/fuzz/fuzz_inbound.c \
	$(FUZZ_CORE_SRCS)
tests_fuzz_fuzz_inbound_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS
tests_fuzz_fuzz_inbound_regress_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_inbound
FUZZ_TARGETS += tests/fuzz/fuzz_inbound
tests_fuzz_fuzz_inbound_SOURCES = tests/fuzz/fuzz_inbound.c $(FUZZ_CORE_SRCS)
tests_fuzz_fuzz_inbound_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_inbound_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_inbound_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS)
endif

EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/corpus
