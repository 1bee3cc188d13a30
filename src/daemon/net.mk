# The daemon's I/O layer: TUN queues, rtnetlink, raw and UDP sockets.
noinst_LTLIBRARIES += src/daemon/libipsecd_net.la
src_daemon_libipsecd_net_la_SOURCES = src/daemon/tun.c src/daemon/tun.h \
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
