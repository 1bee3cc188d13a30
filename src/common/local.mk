src_common_libcommon_la_SOURCES += src/common/log.c src/common/log.h \
	src/common/rd.h src/common/pbuf.c src/common/pbuf.h \
	src/common/secret.c src/common/secret.h \
	src/common/addr.c src/common/addr.h

check_PROGRAMS += tests/unit/check_common
TESTS += tests/unit/check_common
tests_unit_check_common_SOURCES = tests/unit/check_common.c \
	src/common/pbuf.c src/common/addr.c src/common/secret.c
tests_unit_check_common_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_common_LDADD = $(TEST_LIBS)
