# Flow keys and the per-worker data path (SPD/SAD lookups around bundles).
src_ipsec_libipsec_la_SOURCES += src/ipsec/flow.c src/ipsec/flow.h \
	src/ipsec/dpath.c src/ipsec/dpath.h

check_PROGRAMS += tests/unit/check_flow
TESTS += tests/unit/check_flow
tests_unit_check_flow_SOURCES = tests/unit/check_flow.c src/ipsec/flow.c \
	src/ipsec/iphdr.c src/common/addr.c
tests_unit_check_flow_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_flow_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_dpath
TESTS += tests/unit/check_dpath
tests_unit_check_dpath_SOURCES = tests/unit/check_dpath.c \
	tests/unit/check_provider.h
# The test provider (tests/provider/local.mk) for the offload cases.
tests_unit_check_dpath_CPPFLAGS = $(TEST_PROVIDER_CPPFLAGS)
tests_unit_check_dpath_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_dpath_LDADD = $(CORE_LIBS) $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_sad_wstate
TESTS += tests/unit/check_sad_wstate
tests_unit_check_sad_wstate_SOURCES = tests/unit/check_sad_wstate.c \
	$(SADSPD_SRCS)
tests_unit_check_sad_wstate_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_sad_wstate_LDADD = $(TEST_LIBS)

src_ipsec_libipsec_la_SOURCES += src/ipsec/frag.c src/ipsec/frag.h
check_PROGRAMS += tests/unit/check_frag
TESTS += tests/unit/check_frag
tests_unit_check_frag_SOURCES = tests/unit/check_frag.c src/ipsec/frag.c \
	src/ipsec/iphdr.c src/common/addr.c src/common/pbuf.c
tests_unit_check_frag_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_frag_LDADD = $(TEST_LIBS)
