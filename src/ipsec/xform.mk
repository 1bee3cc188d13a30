# iphdr, replay (core helper); ESP lines are appended below by its author.
src_ipsec_libipsec_la_SOURCES += src/ipsec/iphdr.c src/ipsec/iphdr.h

check_PROGRAMS += tests/unit/check_iphdr
TESTS += tests/unit/check_iphdr
tests_unit_check_iphdr_SOURCES = tests/unit/check_iphdr.c src/ipsec/iphdr.c \
	src/common/addr.c
tests_unit_check_iphdr_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_iphdr_LDADD = $(TEST_LIBS)

src_ipsec_libipsec_la_SOURCES += src/ipsec/replay.c src/ipsec/replay.h

check_PROGRAMS += tests/unit/check_replay
TESTS += tests/unit/check_replay
tests_unit_check_replay_SOURCES = tests/unit/check_replay.c src/ipsec/replay.c
tests_unit_check_replay_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_replay_LDADD = $(TEST_LIBS)
