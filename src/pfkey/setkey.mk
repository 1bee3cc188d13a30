# setkey(8) language: parser (setkey.c and its parts) and printer
# (setkey_fmt.c).  Pure code over the core's structs; see setkey.h.
noinst_LTLIBRARIES += src/pfkey/libsetkey.la
src_pfkey_libsetkey_la_SOURCES = src/pfkey/setkey.c src/pfkey/setkey.h \
	src/pfkey/setkey_parse.h src/pfkey/setkey_lex.c src/pfkey/setkey_lex.h \
	src/pfkey/setkey_words.c src/pfkey/setkey_words.h \
	src/pfkey/setkey_sa.c src/pfkey/setkey_alg.c src/pfkey/setkey_spd.c \
	src/pfkey/setkey_fmt.c src/pfkey/setkey_fmt.h

SETKEY_SRCS = src/pfkey/setkey.c src/pfkey/setkey_lex.c \
	src/pfkey/setkey_words.c src/pfkey/setkey_sa.c src/pfkey/setkey_alg.c \
	src/pfkey/setkey_spd.c src/pfkey/setkey_fmt.c src/ipsec/selector.c src/common/addr.c \
	$(CRYPTO_SRCS)

check_PROGRAMS += tests/unit/check_setkey
TESTS += tests/unit/check_setkey
tests_unit_check_setkey_SOURCES = tests/unit/check_setkey.c \
	tests/unit/check_setkey.h $(SETKEY_SRCS)
tests_unit_check_setkey_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_setkey_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_setkey_fmt
TESTS += tests/unit/check_setkey_fmt
tests_unit_check_setkey_fmt_SOURCES = tests/unit/check_setkey_fmt.c \
	tests/unit/check_setkey.h $(SETKEY_SRCS)
tests_unit_check_setkey_fmt_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_setkey_fmt_LDADD = $(TEST_LIBS)

# The example files of tests/setkey/ (good: expected commands, bad:
# expected errors), read from the source tree.
check_PROGRAMS += tests/unit/check_setkey_files
TESTS += tests/unit/check_setkey_files
tests_unit_check_setkey_files_SOURCES = tests/unit/check_setkey_files.c \
	tests/unit/check_setkey.h $(SETKEY_SRCS)
tests_unit_check_setkey_files_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSETKEY_TESTDIR='"$(abs_top_srcdir)/tests/setkey"'
tests_unit_check_setkey_files_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_setkey_files_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/setkey

# Fuzz target (STYLE.md section 11): libFuzzer with --enable-fuzz, and its
# bounded regression driver in make check.  Seeds are
# tests/fuzz/corpus/fuzz_setkey/ (distributed with tests/fuzz/corpus).
SETKEY_FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-DSETKEY_TESTDIR='"$(abs_top_srcdir)/tests/setkey"' \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz_setkey"'

check_PROGRAMS += tests/fuzz/fuzz_setkey_regress
TESTS += tests/fuzz/fuzz_setkey_regress
tests_fuzz_fuzz_setkey_regress_SOURCES = tests/fuzz/fuzz_setkey.c \
	$(SETKEY_SRCS)
tests_fuzz_fuzz_setkey_regress_CPPFLAGS = $(SETKEY_FUZZ_CPPFLAGS) \
	-DFUZZ_REGRESS
tests_fuzz_fuzz_setkey_regress_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) \
	$(ZLIB_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_setkey
FUZZ_TARGETS += tests/fuzz/fuzz_setkey
tests_fuzz_fuzz_setkey_SOURCES = tests/fuzz/fuzz_setkey.c $(SETKEY_SRCS)
tests_fuzz_fuzz_setkey_CPPFLAGS = $(SETKEY_FUZZ_CPPFLAGS)
tests_fuzz_fuzz_setkey_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_setkey_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_setkey_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS)
endif
