# The PF_KEY emulation server (server*.c, see server.h) and setkey(8)
# commands as PF_KEY messages (setkey_msg.c, see setkey_msg.h).
noinst_LTLIBRARIES += src/pfkey/libsetkey_msg.la src/pfkey/libpfkey_server.la
src_pfkey_libsetkey_msg_la_SOURCES = src/pfkey/setkey_msg.c \
	src/pfkey/setkey_msg.h
src_pfkey_libpfkey_server_la_SOURCES = src/pfkey/server.c \
	src/pfkey/server.h src/pfkey/server_int.h src/pfkey/server_send.c \
	src/pfkey/server_sa.c src/pfkey/server_spd.c src/pfkey/server_acq.c \
	src/pfkey/server_load.c src/pfkey/server_plife.c
src_pfkey_libpfkey_server_la_CFLAGS = $(DAEMON_CFLAGS)

# What ipsecd links for the server (src/ipsecctl/keycmd.mk appends it to
# ipsecd_LDADD: automake wants that after daemon.mk's "=").
PFKEY_SERVER_LIBS = src/pfkey/libpfkey_server.la src/pfkey/libsetkey_msg.la \
	src/pfkey/libsetkey.la src/pfkey/libpfkey_msg.la

# What the server's tests link: the server, the codec, the setkey
# language and the core modules they use.
SETKEY_LANG_SRCS = src/pfkey/setkey.c src/pfkey/setkey_lex.c \
	src/pfkey/setkey_words.c src/pfkey/setkey_sa.c src/pfkey/setkey_alg.c \
	src/pfkey/setkey_spd.c src/pfkey/setkey_fmt.c
SERVER_SRCS = src/pfkey/server.c src/pfkey/server_send.c \
	src/pfkey/server_sa.c src/pfkey/server_spd.c src/pfkey/server_acq.c \
	src/pfkey/server_load.c src/pfkey/server_plife.c src/pfkey/setkey_msg.c \
	$(SETKEY_LANG_SRCS) \
	$(PFKEY_MSG_SRCS) src/ipsec/replay.c src/common/log.c
SERVER_TEST_CFLAGS = $(TEST_CFLAGS) $(LIBEVENT_CFLAGS)
SERVER_TEST_LIBS = $(TEST_LIBS) $(LIBEVENT_LIBS)

check_PROGRAMS += tests/unit/check_server
TESTS += tests/unit/check_server
tests_unit_check_server_SOURCES = tests/unit/check_server.c \
	tests/pfkey/harness.c tests/pfkey/harness.h $(SERVER_SRCS)
tests_unit_check_server_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/unit -I$(top_srcdir)/tests/pfkey
tests_unit_check_server_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_unit_check_server_LDADD = $(SERVER_TEST_LIBS)

check_PROGRAMS += tests/unit/check_setkey_msg
TESTS += tests/unit/check_setkey_msg
tests_unit_check_setkey_msg_SOURCES = tests/unit/check_setkey_msg.c \
	tests/unit/pfkey_testmsg.h src/pfkey/setkey_msg.c \
	$(SETKEY_LANG_SRCS) $(PFKEY_MSG_SRCS)
tests_unit_check_setkey_msg_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSETKEY_TESTDIR='"$(abs_top_srcdir)/tests/setkey"'
tests_unit_check_setkey_msg_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_setkey_msg_LDADD = $(TEST_LIBS)

# The PF_KEY conformance suite (tests/pfkey/): programs that run the
# server on a temporary socket with a real SAD and SPD (harness.h) and
# talk to it through client sockets.
PFKEY_SUITE_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-I$(top_srcdir)/tests/pfkey
PFKEY_SUITE_SRCS = tests/pfkey/harness.c tests/pfkey/harness.h
PFKEY_SUITE_LIBS = $(PFKEY_SERVER_LIBS) $(CORE_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS)
PFKEY_SUITE = tests/pfkey/pfkey_sa tests/pfkey/pfkey_spd \
	tests/pfkey/pfkey_errors tests/pfkey/pfkey_ike tests/pfkey/pfkey_dump \
	tests/pfkey/pfkey_bcast tests/pfkey/check_keycmd
check_PROGRAMS += $(PFKEY_SUITE)
TESTS += $(PFKEY_SUITE)

tests_pfkey_pfkey_sa_SOURCES = tests/pfkey/pfkey_sa.c $(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_sa_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_sa_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_sa_LDADD = $(PFKEY_SUITE_LIBS)

tests_pfkey_pfkey_spd_SOURCES = tests/pfkey/pfkey_spd.c $(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_spd_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_spd_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_spd_LDADD = $(PFKEY_SUITE_LIBS)

tests_pfkey_pfkey_errors_SOURCES = tests/pfkey/pfkey_errors.c \
	$(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_errors_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_errors_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_errors_LDADD = $(PFKEY_SUITE_LIBS)

tests_pfkey_pfkey_ike_SOURCES = tests/pfkey/pfkey_ike.c $(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_ike_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_ike_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_ike_LDADD = $(PFKEY_SUITE_LIBS)

tests_pfkey_pfkey_dump_SOURCES = tests/pfkey/pfkey_dump.c $(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_dump_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_dump_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_dump_LDADD = $(PFKEY_SUITE_LIBS)

tests_pfkey_pfkey_bcast_SOURCES = tests/pfkey/pfkey_bcast.c \
	$(PFKEY_SUITE_SRCS)
tests_pfkey_pfkey_bcast_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_pfkey_bcast_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_pfkey_bcast_LDADD = $(PFKEY_SUITE_LIBS)

# ipsecctl's PF_KEY commands (src/ipsecctl/keycmd.h) against the server.
tests_pfkey_check_keycmd_SOURCES = tests/pfkey/check_keycmd.c \
	$(PFKEY_SUITE_SRCS)
tests_pfkey_check_keycmd_CPPFLAGS = $(PFKEY_SUITE_CPPFLAGS)
tests_pfkey_check_keycmd_CFLAGS = $(SERVER_TEST_CFLAGS)
tests_pfkey_check_keycmd_LDADD = src/ipsecctl/libkeycmd.la \
	$(PFKEY_SUITE_LIBS)

# Fuzz target of the server's dispatch (tests/fuzz/local.mk explains the
# two builds); seeds in tests/fuzz/corpus/fuzz_server/.
FUZZ_SERVER_SRCS = tests/fuzz/fuzz_server.c $(SERVER_SRCS)
FUZZ_SERVER_LIBS = $(OPENSSL_LIBS) $(URCU_LIBS) $(ZLIB_LIBS) $(LIBEVENT_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_server_regress
TESTS += tests/fuzz/fuzz_server_regress
tests_fuzz_fuzz_server_regress_SOURCES = $(FUZZ_SERVER_SRCS)
tests_fuzz_fuzz_server_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/fuzz_server"'
tests_fuzz_fuzz_server_regress_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tests_fuzz_fuzz_server_regress_LDADD = $(FUZZ_SERVER_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_server
FUZZ_TARGETS += tests/fuzz/fuzz_server
tests_fuzz_fuzz_server_SOURCES = $(FUZZ_SERVER_SRCS)
# clang's -Wformat=2 refuses src/common/log.c's vsnprintf of a format
# passed in (its callers are printf-checked); gcc does not.
tests_fuzz_fuzz_server_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) \
	-Wno-format-nonliteral
tests_fuzz_fuzz_server_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_server_LDADD = $(FUZZ_SERVER_LIBS)
endif

# What issue 4 asked for, where it is and what proves it.
EXTRA_DIST += doc/issue4-audit.md
