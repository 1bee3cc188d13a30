#ifndef IPSECD_DAEMON_CONF_H
#define IPSECD_DAEMON_CONF_H

#include <sys/stat.h>
#include <sys/types.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "crypto/crypto_conf.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"

/*
 * ipsecd.conf: the daemon's configuration (syntax and meaning in
 * ipsecd.conf(5)).  A parse turns a file into a struct conf, which the
 * caller owns.  Parsing never stops at the first error: every error goes
 * to the caller's sink as "file:line: message" and the parse returns NULL
 * when there was at least one, so a configuration is either wholly clean
 * or not there at all.  That is what reload needs: parse the file into a
 * new struct conf, and only when that returns non-NULL swap it in and
 * conf_free the old one; on NULL the running configuration is untouched.
 *
 * Every parsed object records the line it came from so that checks made
 * after parsing, here or by the daemon, can point at it.  Line 0 means
 * "not in the file: the default".
 */

/* Limits (each with a test one past it). */
#define CONF_FILE_MAX (1024 * 1024) /* bytes of ipsecd.conf */
#define CONF_PATH_MAX 4096	    /* include path, NUL included */
#define CONF_SOCKPATH_MAX 108	    /* sun_path, NUL included */
#define CONF_NAME_MAX 33	    /* user or group name, NUL included */
#define CONF_IFNAME_MAX IFNAMSIZ    /* interface name, NUL included */
#define CONF_IFACES_MAX 1024	    /* interface blocks */
#define CONF_ADDRS_MAX 64	    /* addresses per interface */
#define CONF_ROUTES_MAX 4096	    /* routes per interface */
#define CONF_INCLUDES_MAX 64	    /* include statements */
#define CONF_WORKERS_MAX 1024
#define CONF_KEEPALIVE_MAX 3600 /* seconds */
#define CONF_MTU_MIN 68		/* RFC 791 */
#define CONF_MTU_MAX 65535
#define CONF_MTU_IPV6_MIN 1280 /* RFC 8200 section 5 */
#define CONF_REPLAY_MIN 32     /* RFC 4303 section 3.4.3 */
#define CONF_REPLAY_MAX REPLAY_WINDOW_MAX
#define CONF_RULE_PRIORITY_MAX 32765 /* below the main table's rule */
#define CONF_WHY_MAX 128	     /* conf_secret_check's reason */
#define CONF_KNOBS_MAX 32	     /* knob lines; at least knobs_count() */

/* Defaults (ipsecd.conf(5) documents each). */
#define CONF_DEFAULT_NATT_PORT 4500
#define CONF_DEFAULT_KEEPALIVE 20
#define CONF_DEFAULT_PFKEY_SOCKET "/run/ipsecd/pfkey.sock"
#define CONF_DEFAULT_CONTROL_SOCKET "/run/ipsecd/control.sock"
#define CONF_DEFAULT_GROUP "ipsecd"
#define CONF_DEFAULT_USER "ipsecd"
#define CONF_DEFAULT_MARK 0x45
#define CONF_DEFAULT_MARK_MASK 0xff
#define CONF_DEFAULT_TABLE 4500
#define CONF_DEFAULT_RULE_PRIORITY 4500
#define CONF_DEFAULT_IFNAME "ipsec0"
#define CONF_DEFAULT_REPLAY 64 /* RFC 4303 section 3.4.3 */
#define CONF_DEFAULT_MTU 1400

/* The global settings, to index conf.line[]. */
enum conf_setting {
	CONF_CONTROL_SOCKET,
	CONF_DEFAULT_INTERFACE,
	CONF_GROUP,
	CONF_MARK,
	CONF_NATT_KEEPALIVE,
	CONF_NATT_PORT,
	CONF_PFKEY_SOCKET,
	CONF_REPLAY_WINDOW,
	CONF_RULE_PRIORITY,
	CONF_TABLE,
	CONF_TUN_OFFLOAD,
	CONF_USER,
	CONF_WORKERS,
	CONF_NSETTINGS
};

/* A firewall mark: packets get (mark & ~mask) | value. */
struct conf_mark {
	uint32_t value;
	uint32_t mask;
	unsigned line; /* 0: the default (global) or none (interface) */
};

/*
 * An interface address (addr with its prefix length, host bits kept, as
 * ip-address(8) takes it) or a route (host bits clear).
 */
struct conf_prefix {
	struct prefix pfx;
	unsigned line;
};

/* How an interface is bound to policies and SAs (DESIGN.md). */
enum conf_key_kind {
	CONF_KEY_NONE, /* only the default interface may have none */
	CONF_KEY_REQID,
	CONF_KEY_IFID,
};

struct conf_iface {
	char name[CONF_IFNAME_MAX];
	unsigned line; /* of "interface NAME {" */
	enum conf_key_kind key_kind;
	uint32_t key; /* the reqid or if-id; 0 only with CONF_KEY_NONE */
	unsigned key_line;
	unsigned mtu; /* CONF_DEFAULT_MTU unless mtu_line != 0 */
	unsigned mtu_line;
	struct conf_mark mark; /* output mark; mark.line 0: none */
	struct conf_prefix *addrs;
	size_t naddrs;
	struct conf_prefix *routes;
	size_t nroutes;
	/* tunnel SRC DST (if_ipsec(4) style) when tunnel_line != 0. */
	struct addr tunnel_src;
	struct addr tunnel_dst;
	unsigned tunnel_line;
};

/*
 * A setkey(8)-syntax file to load at start.  path is as written when
 * absolute, else joined to the directory of the configuration file.  The
 * file passed conf_secret_check_path when it was parsed; whoever reads it
 * later checks the open descriptor again (conf_secret_check_fd).
 */
struct conf_include {
	char *path;
	unsigned line;
};

/* A knob set in the file: the canonical name (knobs_lookup) and line. */
struct conf_knob {
	const char *name;
	unsigned line;
};

struct conf {
	char *file; /* the name errors use, as given to the parser */
	struct knobs knobs;
	unsigned workers; /* 0: one per online CPU */
	bool tun_offload; /* TUN_F_OFFLOAD on the devices (tun.h) */
	uint16_t natt_port;
	unsigned natt_keepalive_sec; /* 0: off */
	char pfkey_socket[CONF_SOCKPATH_MAX];
	char control_socket[CONF_SOCKPATH_MAX];
	char group[CONF_NAME_MAX]; /* may use both sockets */
	char user[CONF_NAME_MAX];  /* privilege drop */
	/* SO_MARK of ipsecd's outer packets; the routing rule skips it. */
	struct conf_mark mark;
	uint32_t table;		/* ipsecd's routing table */
	uint32_t rule_priority; /* of its ip rule */
	char default_ifname[CONF_IFNAME_MAX];
	unsigned replay_window; /* packets, for SAs that do not say */
	unsigned line[CONF_NSETTINGS];
	struct conf_knob knob_lines[CONF_KNOBS_MAX];
	size_t nknob_lines;
	struct conf_include *includes;
	size_t nincludes;
	struct conf_iface *ifaces;
	size_t nifaces;
	/*
	 * The crypto { } section (crypto_conf.h); defaults when absent.
	 * The daemon makes its library context from it with
	 * crypto_lib_open(&c->crypto, c->file, ...), which is where a
	 * provider that does not load is found.
	 */
	struct crypto_conf crypto;
};

/*
 * Called once per error with "file:line: message" (no newline); arg is the
 * caller's.  The string is valid only during the call.
 */
typedef void (*conf_error_fn)(void *arg, const char *msg);

/*
 * A configuration holding every default and no interface, include or
 * knob line; file is set to name (copied).  NULL if out of memory.
 */
struct conf *conf_new(const char *name);

/* Free c and everything it owns; NULL is fine. */
void conf_free(struct conf *c);

/*
 * Parse len bytes of buf (need not be NUL-terminated) as the file name,
 * which names it in errors and anchors relative include paths.  Include
 * files are checked with stat(2) as the parse reaches them.  Returns the
 * new configuration, owned by the caller; or NULL after reporting every
 * error through fn (out of memory included).
 */
struct conf *conf_parse_buffer(
    const char *name, const void *buf, size_t len, conf_error_fn fn, void *arg);

/* Read path (at most CONF_FILE_MAX bytes) and parse it as above. */
struct conf *conf_parse_file(const char *path, conf_error_fn fn, void *arg);

/*
 * The whole of `ipsecd -n`: parse path, print each error, or on success
 * "configuration OK", one per line to out.  Returns the exit status: 0 for
 * a clean configuration, 1 otherwise.
 */
int conf_test(const char *path, FILE *out);

/*
 * May st hold keys?  Only a regular file owned by root or by euid, with no
 * permission bits for group or others.  On false why (size bytes, at most
 * CONF_WHY_MAX needed) says what is wrong and what was expected.
 */
bool conf_secret_check(
    const struct stat *st, uid_t euid, char *why, size_t size);

/*
 * conf_secret_check with geteuid() on fstat(fd) or stat(path) (symbolic
 * links followed).  A failing stat is false with strerror in why.
 */
bool conf_secret_check_fd(int fd, char *why, size_t size);
bool conf_secret_check_path(const char *path, char *why, size_t size);

/*
 * The keywords in table order, for the test that asserts they are sorted:
 * is_iface picks the interface block's table.  NULL when i is past the end.
 */
const char *conf_keyword(bool is_iface, size_t i);

/*
 * The crypto section's keywords in table order (is_provider: the provider
 * block's), for the same test.  NULL when i is past the end.
 */
const char *conf_crypto_keyword(bool is_provider, size_t i);

#endif
