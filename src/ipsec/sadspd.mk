# SAD, SPD and selectors (read-mostly tables on liburcu-qsbr).
src_ipsec_libipsec_la_SOURCES += src/ipsec/sad.c src/ipsec/sad.h \
	src/ipsec/spitab.c src/ipsec/spitab.h \
	src/ipsec/spd.c src/ipsec/spd.h src/ipsec/tagtab.c src/ipsec/tagtab.h \
	src/ipsec/selector.c src/ipsec/selector.h src/ipsec/table.h

SADSPD_SRCS = src/ipsec/sad.c src/ipsec/spitab.c src/ipsec/spd.c \
	src/ipsec/tagtab.c src/ipsec/selector.c \
	src/common/addr.c src/common/secret.c

check_PROGRAMS += tests/unit/check_sad
TESTS += tests/unit/check_sad
tests_unit_check_sad_SOURCES = tests/unit/check_sad.c $(SADSPD_SRCS) \
	bench/bench_tables.c bench/bench_tables.h
tests_unit_check_sad_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_sad_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_spd
TESTS += tests/unit/check_spd
tests_unit_check_spd_SOURCES = tests/unit/check_spd.c $(SADSPD_SRCS) \
	src/ipsec/knobs.c
tests_unit_check_spd_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_spd_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_spitab
TESTS += tests/unit/check_spitab
tests_unit_check_spitab_SOURCES = tests/unit/check_spitab.c \
	src/ipsec/spitab.c src/common/addr.c
tests_unit_check_spitab_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_spitab_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_tagtab
TESTS += tests/unit/check_tagtab
tests_unit_check_tagtab_SOURCES = tests/unit/check_tagtab.c \
	src/ipsec/tagtab.c
tests_unit_check_tagtab_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_tagtab_LDADD = $(TEST_LIBS)
