# ipsecctl's PF_KEY commands (keycmd.h): -f/-c files, dump, spddump,
# monitor, flush, spdflush.  A convenience library for ipsecctl's main.
noinst_LTLIBRARIES += src/ipsecctl/libkeycmd.la
src_ipsecctl_libkeycmd_la_SOURCES = src/ipsecctl/keycmd.c \
	src/ipsecctl/keycmd.h
KEYCMD_LIBS = src/ipsecctl/libkeycmd.la src/pfkey/libsetkey_msg.la \
	src/pfkey/libsetkey.la src/pfkey/libpfkey_msg.la

# ipsecd serves PF_KEY.  This belongs to src/daemon/daemon.mk's ipsecd
# link line; it is here because "+=" must follow daemon.mk's "=".
ipsecd_LDADD += $(PFKEY_SERVER_LIBS) $(CORE_LIBS)

# daemon.h is included by ipsecd.c and iface.c but listed in no SOURCES:
# without this, `make distcheck` fails (it belongs in daemon.mk).
EXTRA_DIST += src/daemon/daemon.h
