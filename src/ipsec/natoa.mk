# Transport-mode NAT-T checksums (natoa.h), called from dpath_input.
src_ipsec_libipsec_la_SOURCES += src/ipsec/natoa.c src/ipsec/natoa.h

check_PROGRAMS += tests/unit/check_natoa
TESTS += tests/unit/check_natoa
tests_unit_check_natoa_SOURCES = tests/unit/check_natoa.c src/ipsec/natoa.c \
	src/ipsec/iphdr.c src/common/addr.c
tests_unit_check_natoa_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_natoa_LDADD = $(TEST_LIBS)
