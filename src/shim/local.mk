# libipsecd-pfkey.so, the LD_PRELOAD library that turns PF_KEY sockets
# into connections to ipsecd (shim.h).  Installed in $(pkglibdir)
# (e.g. /usr/lib/x86_64-linux-gnu/ipsecd/ in the Debian package): it is
# preloaded by path, never linked against.  It is
# built without the sanitizers even in --enable-sanitizers and fuzz
# builds: a preloaded library must not need a runtime the host program
# does not load first.  Only the interposed C library functions are
# exported.
pkglib_LTLIBRARIES = src/shim/libipsecd-pfkey.la
src_shim_libipsecd_pfkey_la_SOURCES = src/shim/shim.c src/shim/shim.h \
	src/shim/shim_int.h src/shim/shim_io.c \
	src/shim/shim_check.c src/shim/shim_check.h
src_shim_libipsecd_pfkey_la_CFLAGS = $(WARN_CFLAGS) $(HARDEN_CFLAGS) \
	-fvisibility=hidden
src_shim_libipsecd_pfkey_la_LDFLAGS = -module -avoid-version -shared \
	-no-undefined
src_shim_libipsecd_pfkey_la_LIBADD = -ldl

# The checks, against the PF_KEY codec's own base header check and the
# daemon's parser of the shim's control requests.
check_PROGRAMS += tests/unit/check_shim
TESTS += tests/unit/check_shim
tests_unit_check_shim_SOURCES = tests/unit/check_shim.c \
	src/shim/shim_check.c src/daemon/control_req.c $(PFKEY_MSG_SRCS)
tests_unit_check_shim_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_shim_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

# The daemon's table of socket policies (src/daemon/sockpol.c).
check_PROGRAMS += tests/unit/check_sockpol
TESTS += tests/unit/check_sockpol
tests_unit_check_sockpol_SOURCES = tests/unit/check_sockpol.c \
	src/daemon/sockpol.c
tests_unit_check_sockpol_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_sockpol_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

# Fuzz target of the shim's parsers (tests/fuzz/local.mk explains the two
# builds).
FUZZ_SHIM_SRCS = tests/fuzz/fuzz_shim.c src/shim/shim_check.c \
	src/daemon/control_req.c $(PFKEY_MSG_SRCS)
check_PROGRAMS += tests/fuzz/fuzz_shim_regress
TESTS += tests/fuzz/fuzz_shim_regress
tests_fuzz_fuzz_shim_regress_SOURCES = $(FUZZ_SHIM_SRCS)
tests_fuzz_fuzz_shim_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS
tests_fuzz_fuzz_shim_regress_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_shim_regress_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) \
	$(ZLIB_LIBS) $(JANSSON_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_shim
FUZZ_TARGETS += tests/fuzz/fuzz_shim
tests_fuzz_fuzz_shim_SOURCES = $(FUZZ_SHIM_SRCS)
tests_fuzz_fuzz_shim_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_shim_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_shim_LDADD = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS) \
	$(JANSSON_LIBS)
endif

dist_man8_MANS += man/libipsecd-pfkey.8
