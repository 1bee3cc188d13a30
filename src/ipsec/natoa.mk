# Transport-mode NAT-T checksums (natoa.h), called from dpath_input.
src_ipsec_libipsec_la_SOURCES += src/ipsec/natoa.c src/ipsec/natoa.h

check_PROGRAMS += tests/unit/check_natoa
TESTS += tests/unit/check_natoa
tests_unit_check_natoa_SOURCES = tests/unit/check_natoa.c src/ipsec/natoa.c \
	src/ipsec/iphdr.c src/common/addr.c
tests_unit_check_natoa_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_natoa_LDADD = $(TEST_LIBS)

# Fuzz target (tests/fuzz/local.mk explains the two builds).
FUZZ_NATOA_SRCS = tests/fuzz/fuzz_natoa.c src/ipsec/natoa.c \
	src/ipsec/iphdr.c src/common/addr.c
check_PROGRAMS += tests/fuzz/fuzz_natoa_regress
TESTS += tests/fuzz/fuzz_natoa_regress
tests_fuzz_fuzz_natoa_regress_SOURCES = $(FUZZ_NATOA_SRCS)
tests_fuzz_fuzz_natoa_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_natoa
FUZZ_TARGETS += tests/fuzz/fuzz_natoa
tests_fuzz_fuzz_natoa_SOURCES = $(FUZZ_NATOA_SRCS)
tests_fuzz_fuzz_natoa_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_natoa_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif
