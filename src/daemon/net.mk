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
