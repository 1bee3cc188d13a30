# The daemon's I/O layer: TUN queues, rtnetlink, raw and UDP sockets.
noinst_LTLIBRARIES += src/daemon/libipsecd_net.la
src_daemon_libipsecd_net_la_SOURCES = src/daemon/tun.c src/daemon/tun.h \
	src/daemon/tun_gso.c src/daemon/tun_gso.h \
	src/daemon/netlink.c src/daemon/netlink.h \
	src/daemon/netlink_parse.c src/daemon/netlink_parse.h \
	src/daemon/sock.c src/daemon/sock.h \
	src/daemon/sock_pkt.c src/daemon/sock_pkt.h \
	src/daemon/sock_bpf.c src/daemon/sock_bpf.h
src_daemon_libipsecd_net_la_CFLAGS = $(DAEMON_CFLAGS)
src_daemon_libipsecd_net_la_LIBADD = $(LIBMNL_LIBS)

# The pure parts: steering programs, ancillary data, rebuilt headers,
# rtnetlink parsers.
NET_PURE_SRCS = src/daemon/sock_bpf.c src/daemon/sock_pkt.c \
	src/daemon/netlink_parse.c src/common/pbuf.c src/common/addr.c

check_PROGRAMS += tests/unit/check_sock
TESTS += tests/unit/check_sock
tests_unit_check_sock_SOURCES = tests/unit/check_sock.c $(NET_PURE_SRCS) \
	src/ipsec/iphdr.c
tests_unit_check_sock_CFLAGS = $(TEST_CFLAGS) $(LIBMNL_CFLAGS)
tests_unit_check_sock_LDADD = $(TEST_LIBS) $(LIBMNL_LIBS)

# Fuzz targets of the parsers (STYLE.md section 11): rtnetlink messages and
# the outer sockets' ancillary data and headers.
FUZZ_NET_NL_SRCS = tests/fuzz/fuzz_net_nl.c src/daemon/netlink_parse.c \
	src/common/addr.c
FUZZ_NET_SOCK_SRCS = tests/fuzz/fuzz_net_sock.c src/daemon/sock_pkt.c \
	src/common/pbuf.c src/common/addr.c

check_PROGRAMS += tests/fuzz/fuzz_net_nl_regress tests/fuzz/fuzz_net_sock_regress
TESTS += tests/fuzz/fuzz_net_nl_regress tests/fuzz/fuzz_net_sock_regress
tests_fuzz_fuzz_net_nl_regress_SOURCES = $(FUZZ_NET_NL_SRCS)
tests_fuzz_fuzz_net_nl_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS
tests_fuzz_fuzz_net_nl_regress_CFLAGS = $(AM_CFLAGS) $(LIBMNL_CFLAGS)
tests_fuzz_fuzz_net_nl_regress_LDADD = $(LIBMNL_LIBS)
tests_fuzz_fuzz_net_sock_regress_SOURCES = $(FUZZ_NET_SOCK_SRCS)
tests_fuzz_fuzz_net_sock_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_net_nl tests/fuzz/fuzz_net_sock
FUZZ_TARGETS += tests/fuzz/fuzz_net_nl tests/fuzz/fuzz_net_sock
tests_fuzz_fuzz_net_nl_SOURCES = $(FUZZ_NET_NL_SRCS)
tests_fuzz_fuzz_net_nl_CFLAGS = $(AM_CFLAGS) $(LIBMNL_CFLAGS)
tests_fuzz_fuzz_net_nl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_net_nl_LDADD = $(LIBMNL_LIBS)
tests_fuzz_fuzz_net_sock_SOURCES = $(FUZZ_NET_SOCK_SRCS)
tests_fuzz_fuzz_net_sock_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_net_sock_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif

# Network-namespace tests (root and /dev/net/tun, else skipped) and their
# drivers.
NET_DRIVER_CFLAGS = $(DAEMON_CFLAGS) -I$(top_srcdir)/tests/netns
NET_DRIVER_UTIL = tests/netns/net_util.c tests/netns/net_util.h \
	src/ipsec/iphdr.c src/common/pbuf.c src/common/addr.c
check_PROGRAMS += tests/netns/net_nl tests/netns/net_tun tests/netns/net_sock
tests_netns_net_nl_SOURCES = tests/netns/net_nl.c $(NET_DRIVER_UTIL) \
	src/daemon/netlink.c src/daemon/netlink_parse.c
tests_netns_net_nl_CFLAGS = $(NET_DRIVER_CFLAGS)
tests_netns_net_nl_LDADD = $(LIBMNL_LIBS)
tests_netns_net_tun_SOURCES = tests/netns/net_tun.c $(NET_DRIVER_UTIL) \
	src/daemon/tun.c src/daemon/tun_gso.c
tests_netns_net_tun_CFLAGS = $(NET_DRIVER_CFLAGS)
tests_netns_net_sock_SOURCES = tests/netns/net_sock.c $(NET_DRIVER_UTIL) \
	src/daemon/sock.c src/daemon/sock_pkt.c src/daemon/sock_bpf.c
tests_netns_net_sock_CFLAGS = $(NET_DRIVER_CFLAGS)

NET_TESTS = tests/netns/net_netlink.sh tests/netns/net_tun.sh \
	tests/netns/net_sock.sh
TESTS += $(NET_TESTS)
EXTRA_DIST += $(NET_TESTS) tests/netns/net_lib.sh

# TUN offloads (tun_gso.c): super-packets split, partial checksums
# completed; a unit suite and a fuzz target with its regression driver.
check_PROGRAMS += tests/unit/check_tun_gso tests/fuzz/fuzz_tun_gso_regress
TESTS += tests/unit/check_tun_gso tests/fuzz/fuzz_tun_gso_regress
tests_unit_check_tun_gso_SOURCES = tests/unit/check_tun_gso.c \
	src/daemon/tun_gso.c src/ipsec/iphdr.c src/common/addr.c
tests_unit_check_tun_gso_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_tun_gso_LDADD = $(TEST_LIBS)
FUZZ_TUN_GSO_SRCS = tests/fuzz/fuzz_tun_gso.c src/daemon/tun_gso.c
tests_fuzz_fuzz_tun_gso_regress_SOURCES = $(FUZZ_TUN_GSO_SRCS)
tests_fuzz_fuzz_tun_gso_regress_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_REGRESS
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_tun_gso
FUZZ_TARGETS += tests/fuzz/fuzz_tun_gso
tests_fuzz_fuzz_tun_gso_SOURCES = $(FUZZ_TUN_GSO_SRCS)
tests_fuzz_fuzz_tun_gso_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_tun_gso_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif
