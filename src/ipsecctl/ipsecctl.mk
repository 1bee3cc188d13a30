# ipsecctl (the control socket's client) and the control socket's tests:
# unit tests, the tests/ctl harness and script, the fuzz target, the man
# page.  The server itself (src/daemon/control*.c) is in the daemon
# library (src/daemon/daemon.mk).
CONTROL_SRCS = src/daemon/control.c src/daemon/control_req.c \
	src/daemon/sockpol.c \
	src/daemon/control_reply.c src/daemon/control_json.c
# The request handler without the socket (for the fuzz target).
CONTROL_REPLY_SRCS = src/daemon/control_req.c src/daemon/control_reply.c \
	src/daemon/sockpol.c \
	src/daemon/control_json.c
CTL_STATE_SRCS = tests/ctl/ctl_state.c tests/ctl/ctl_state.h
CONTROL_TEST_CFLAGS = $(TEST_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) \
	-I$(top_srcdir)/tests/ctl
CONTROL_TEST_LIBS = $(CORE_LIBS) $(CHECK_LIBS) $(LIBEVENT_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/check_control_req
TESTS += tests/unit/check_control_req
tests_unit_check_control_req_SOURCES = tests/unit/check_control_req.c \
	src/daemon/control_req.c
tests_unit_check_control_req_CFLAGS = $(TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_control_req_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/check_control_reply
TESTS += tests/unit/check_control_reply
tests_unit_check_control_reply_SOURCES = tests/unit/check_control_reply.c \
	$(CONTROL_REPLY_SRCS) $(CTL_STATE_SRCS)
tests_unit_check_control_reply_CFLAGS = $(CONTROL_TEST_CFLAGS)
tests_unit_check_control_reply_LDADD = $(CONTROL_TEST_LIBS)

check_PROGRAMS += tests/unit/check_control
TESTS += tests/unit/check_control
tests_unit_check_control_SOURCES = tests/unit/check_control.c \
	$(CONTROL_SRCS) $(CTL_STATE_SRCS)
tests_unit_check_control_CFLAGS = $(CONTROL_TEST_CFLAGS)
tests_unit_check_control_LDADD = $(CONTROL_TEST_LIBS)

# Fuzz target of the request handler (STYLE.md section 11), linked from
# sources as the other fuzz targets are.
FUZZ_CONTROL_SRCS = tests/fuzz/fuzz_control.c $(CONTROL_REPLY_SRCS) \
	$(CTL_STATE_SRCS) $(SADSPD_SRCS) src/ipsec/knobs.c \
	src/ipsec/verdict.c src/ipsec/replay.c src/crypto/alg.c \
	src/crypto/crypto_conf.c src/crypto/provider.c src/crypto/provload.c \
	src/crypto/provinfo.c src/crypto/selftest.c src/crypto/cipher.c \
	src/crypto/submit.c
FUZZ_CONTROL_LIBS = $(OPENSSL_LIBS) $(URCU_LIBS) $(JANSSON_LIBS)
check_PROGRAMS += tests/fuzz/fuzz_control_regress
TESTS += tests/fuzz/fuzz_control_regress
tests_fuzz_fuzz_control_regress_SOURCES = $(FUZZ_CONTROL_SRCS)
tests_fuzz_fuzz_control_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS
tests_fuzz_fuzz_control_regress_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	-I$(top_srcdir)/tests/ctl
tests_fuzz_fuzz_control_regress_LDADD = $(FUZZ_CONTROL_LIBS)

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_control
FUZZ_TARGETS += tests/fuzz/fuzz_control
tests_fuzz_fuzz_control_SOURCES = $(FUZZ_CONTROL_SRCS)
tests_fuzz_fuzz_control_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	-I$(top_srcdir)/tests/ctl
tests_fuzz_fuzz_control_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_control_LDADD = $(FUZZ_CONTROL_LIBS)
endif

# ipsecctl goes to sbin, as ip(8), setkey(8) and swanctl(8) do: it is for
# root and the ipsecd group.
sbin_PROGRAMS += src/ipsecctl/ipsecctl
src_ipsecctl_ipsecctl_SOURCES = src/ipsecctl/ipsecctl.c \
	src/ipsecctl/ctlclient.c src/ipsecctl/ctlclient.h \
	src/ipsecctl/show.c src/ipsecctl/show.h \
	src/ipsecctl/show_crypto.c src/ipsecctl/show_crypto.h \
	src/ipsecctl/show_table.c src/ipsecctl/show_table.h \
	src/daemon/control_req.c src/daemon/control_req.h
src_ipsecctl_ipsecctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
src_ipsecctl_ipsecctl_LDADD = $(KEYCMD_LIBS) $(CORE_LIBS) \
	src/common/libcommon.la $(OPENSSL_LIBS) $(JANSSON_LIBS)

# tests/ctl: the real ipsecctl against a control server over a test-built
# state (ctl_server), driven by run.sh.
check_PROGRAMS += tests/ctl/ctl_server
tests_ctl_ctl_server_SOURCES = tests/ctl/ctl_server.c $(CONTROL_SRCS) \
	$(CTL_STATE_SRCS)
tests_ctl_ctl_server_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS) -I$(top_srcdir)/tests/ctl
tests_ctl_ctl_server_LDADD = $(CORE_LIBS) $(LIBEVENT_LIBS) $(JANSSON_LIBS)
TESTS += tests/ctl/run.sh
EXTRA_DIST += tests/ctl/run.sh

dist_man8_MANS += man/ipsecctl.8

# The daemon context the control server reads (declared by the daemon; in
# the tarball whether or not ipsecd itself is built yet).
