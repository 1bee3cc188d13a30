# PF_KEY v2 codec (pure): parsing and checks (pfkey_msg, pfkey_ext),
# conversions to the core's structs (pfkey_conv), builders of extensions
# (pfkey_build) and of whole messages (pfkey_compose).
noinst_LTLIBRARIES += src/pfkey/libpfkey_msg.la
src_pfkey_libpfkey_msg_la_SOURCES = \
	src/pfkey/pfkey_msg.c src/pfkey/pfkey_msg.h \
	src/pfkey/pfkey_ext.c src/pfkey/pfkey_ext.h \
	src/pfkey/pfkey_conv.c src/pfkey/pfkey_conv.h \
	src/pfkey/pfkey_build.c src/pfkey/pfkey_build.h \
	src/pfkey/pfkey_compose.c src/pfkey/pfkey_compose.h

# What the codec's tests link: the codec and the core modules it uses.
PFKEY_MSG_SRCS = src/pfkey/pfkey_msg.c src/pfkey/pfkey_ext.c \
	src/pfkey/pfkey_conv.c src/pfkey/pfkey_build.c \
	src/pfkey/pfkey_compose.c src/ipsec/sad.c src/ipsec/spitab.c \
	src/ipsec/spd.c src/ipsec/tagtab.c \
	src/ipsec/selector.c src/ipsec/knobs.c src/common/addr.c \
	$(CRYPTO_SRCS)

check_PROGRAMS += tests/unit/check_pfkey_msg
TESTS += tests/unit/check_pfkey_msg
tests_unit_check_pfkey_msg_SOURCES = tests/unit/check_pfkey_msg.c \
	tests/unit/pfkey_testmsg.h $(PFKEY_MSG_SRCS)
tests_unit_check_pfkey_msg_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_pfkey_msg_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_pfkey_conv
TESTS += tests/unit/check_pfkey_conv
tests_unit_check_pfkey_conv_SOURCES = tests/unit/check_pfkey_conv.c \
	tests/unit/pfkey_testmsg.h $(PFKEY_MSG_SRCS)
tests_unit_check_pfkey_conv_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_pfkey_conv_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_pfkey_build
TESTS += tests/unit/check_pfkey_build
tests_unit_check_pfkey_build_SOURCES = tests/unit/check_pfkey_build.c \
	tests/unit/pfkey_testmsg.h $(PFKEY_MSG_SRCS)
tests_unit_check_pfkey_build_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_pfkey_build_LDADD = $(TEST_LIBS)

# Fuzz target for the codec: parse, convert, rebuild (tests/fuzz/local.mk
# explains the two builds).
check_PROGRAMS += tests/fuzz/fuzz_pfkey_regress
TESTS += tests/fuzz/fuzz_pfkey_regress
tests_fuzz_fuzz_pfkey_regress_SOURCES = tests/fuzz/fuzz_pfkey.c \
	$(PFKEY_MSG_SRCS)
tests_fuzz_fuzz_pfkey_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz_pfkey"'
tests_fuzz_fuzz_pfkey_regress_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) \
	$(ZLIB_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_pfkey
FUZZ_TARGETS += tests/fuzz/fuzz_pfkey
tests_fuzz_fuzz_pfkey_SOURCES = tests/fuzz/fuzz_pfkey.c $(PFKEY_MSG_SRCS)
tests_fuzz_fuzz_pfkey_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_pfkey_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pfkey_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS)
endif
