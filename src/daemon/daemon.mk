# The daemon: workers, interfaces, control plane, main.
noinst_LTLIBRARIES += src/daemon/libipsecd_daemon.la
src_daemon_libipsecd_daemon_la_SOURCES = src/daemon/daemon.h \
	src/daemon/worker.c src/daemon/worker.h \
	src/daemon/wevent.c src/daemon/wevent.h \
	src/daemon/natt.c src/daemon/natt.h \
	src/daemon/incl.c src/daemon/incl.h \
	src/daemon/addrset.c src/daemon/addrset.h \
	src/daemon/iface_table.c src/daemon/iface.h \
	src/daemon/privdrop.c src/daemon/privdrop.h \
	src/daemon/sockpol.c src/daemon/sockpol.h \
	src/daemon/iface.c
src_daemon_libipsecd_daemon_la_CFLAGS = $(DAEMON_CFLAGS)
# The control socket: server, request parser, replies, JSON items.
src_daemon_libipsecd_daemon_la_SOURCES += \
	src/daemon/control.c src/daemon/control.h \
	src/daemon/control_req.c src/daemon/control_req.h \
	src/daemon/control_reply.c src/daemon/control_reply.h \
	src/daemon/control_json.c src/daemon/control_json.h

sbin_PROGRAMS += ipsecd
ipsecd_SOURCES = src/daemon/ipsecd.c
ipsecd_CFLAGS = $(DAEMON_CFLAGS)
ipsecd_LDADD = src/daemon/libipsecd_daemon.la src/daemon/libipsecd_net.la \
	src/daemon/libconf.la $(CORE_LIBS) $(DAEMON_LIBS)
