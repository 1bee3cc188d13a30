# The knob table (src/ipsec/knobs.c, part of libipsec) and ipsecd.conf.
check_PROGRAMS += tests/unit/check_knobs
TESTS += tests/unit/check_knobs
tests_unit_check_knobs_SOURCES = tests/unit/check_knobs.c src/ipsec/knobs.c
tests_unit_check_knobs_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_knobs_LDADD = $(TEST_LIBS)
