# IPcomp and AH (core helper).
src_ipsec_libipsec_la_SOURCES += src/ipsec/ipcomp.c src/ipsec/ipcomp.h

check_PROGRAMS += tests/unit/check_ipcomp
TESTS += tests/unit/check_ipcomp
tests_unit_check_ipcomp_SOURCES = tests/unit/check_ipcomp.c \
	src/ipsec/ipcomp.c src/ipsec/iphdr.c src/common/addr.c \
	src/common/pbuf.c
tests_unit_check_ipcomp_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_ipcomp_LDADD = $(TEST_LIBS)

src_ipsec_libipsec_la_SOURCES += src/ipsec/ah.c src/ipsec/ah.h

check_PROGRAMS += tests/unit/check_ah
TESTS += tests/unit/check_ah
tests_unit_check_ah_SOURCES = tests/unit/check_ah.c src/ipsec/ah.c \
	src/ipsec/iphdr.c src/ipsec/replay.c src/ipsec/knobs.c \
	src/ipsec/verdict.c src/common/addr.c src/common/pbuf.c \
	$(CRYPTO_SRCS)
tests_unit_check_ah_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_ah_LDADD = $(TEST_LIBS)
