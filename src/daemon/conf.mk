# ipsecd.conf (src/daemon/conf*.c), the knob table it shares with ipsecctl
# (src/ipsec/knobs.c, part of libipsec), their tests, the bad-config suite
# and the man page.
noinst_LTLIBRARIES += src/daemon/libconf.la
CONF_SRCS = src/daemon/conf.c src/daemon/conf_lex.c src/daemon/conf_stmt.c \
	src/daemon/conf_value.c src/daemon/conf_iface.c src/daemon/conf_sem.c \
	src/daemon/conf_secret.c src/daemon/conf_crypto.c
src_daemon_libconf_la_SOURCES = $(CONF_SRCS) src/daemon/conf.h \
	src/daemon/conf_lex.h src/daemon/conf_parse.h
# What a program or test linking the conf objects needs besides them.
CONF_DEP_SRCS = src/ipsec/knobs.c src/common/addr.c src/crypto/alg.c \
	src/crypto/crypto_conf.c

dist_man5_MANS += man/ipsecd.conf.5

check_PROGRAMS += tests/unit/check_knobs
TESTS += tests/unit/check_knobs
tests_unit_check_knobs_SOURCES = tests/unit/check_knobs.c src/ipsec/knobs.c
tests_unit_check_knobs_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_knobs_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_conf
TESTS += tests/unit/check_conf
tests_unit_check_conf_SOURCES = tests/unit/check_conf.c $(CONF_SRCS) \
	$(CONF_DEP_SRCS)
tests_unit_check_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_conf_LDADD = $(TEST_LIBS)

# The bad-config suite: tests/conf/run.sh runs conf_check (what `ipsecd -n`
# does: parse, then open the crypto section's providers) on every
# tests/conf/good and tests/conf/bad file.
check_PROGRAMS += tests/conf/conf_check
tests_conf_conf_check_SOURCES = tests/conf/conf_check.c
tests_conf_conf_check_CFLAGS = $(AM_CFLAGS)
tests_conf_conf_check_LDADD = src/daemon/libconf.la $(CORE_LIBS)
TESTS += tests/conf/run.sh

check_PROGRAMS += tests/fuzz/fuzz_conf_regress
TESTS += tests/fuzz/fuzz_conf_regress
tests_fuzz_fuzz_conf_regress_SOURCES = tests/fuzz/fuzz_conf.c $(CONF_SRCS) \
	$(CONF_DEP_SRCS)
tests_fuzz_fuzz_conf_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_conf
FUZZ_TARGETS += tests/fuzz/fuzz_conf
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c $(CONF_SRCS) \
	$(CONF_DEP_SRCS)
tests_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif

# Makefile.am distributes the directory tests/conf whole, and automake's
# distdir then also copies the build tree's tests/conf (the driver, its
# object, libtool's and the tests' files) when the two trees differ.  None
# of that may reach the tarball, where a VPATH build would take the stale
# object for its own: the hook copies the directory again from the source
# tree alone, less what an in-tree build leaves there.
dist-hook: conf-dist-hook
conf-dist-hook:
	rm -rf $(distdir)/tests/conf
	cp -pR $(srcdir)/tests/conf $(distdir)/tests/conf
	cd $(distdir)/tests/conf && rm -rf .deps .dirstamp .libs conf_check \
	    *.o *.log *.trs
.PHONY: conf-dist-hook
