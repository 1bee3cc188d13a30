#ifndef IPSECD_PFKEY_SETKEY_H
#define IPSECD_PFKEY_SETKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "ipsec/sa.h"
#include "ipsec/spd.h"

/*
 * The command language of ipsec-tools' setkey(8), Linux flavour, parsed
 * into commands over the core's structs.  Administrators key ipsecd by
 * hand with it (`ipsecctl -f FILE`, `ipsecctl -c`) and ipsecd.conf can
 * include such files; another module turns each command into a PF_KEY
 * message.  Pure code: text in, structs and messages out, no sockets, no
 * name resolution.
 *
 *   add     [-46n] src dst proto spi [ext...] algorithm... ;
 *   update  [-46n] src dst proto spi [ext...] algorithm... ;
 *   getspi  [-46n] src dst proto spi [ext...] ;
 *   get     [-46n] src dst proto spi [ext...] ;
 *   delete  [-46n] src dst proto spi [ext...] ;
 *   deleteall [-46n] src dst proto ;
 *   flush [proto] ;            dump [proto] ;
 *   spdadd    [-46n] src_range dst_range upperspec policy ;
 *   spdupdate [-46n] src_range dst_range upperspec policy ;
 *   spddelete [-46n] src_range dst_range upperspec -P dir [...] ;
 *   spdflush ;                 spddump ;
 *
 *   src, dst    numeric IPv4/IPv6 address, with [port] for esp-udp only
 *   proto       esp | ah | ipcomp | esp-udp [nat-oa-address]
 *   spi         decimal or 0x hex; 256 and up for esp and ah (0-255 are
 *               IANA's), at most 0xffff (a CPI) for ipcomp
 *   ext         -m transport|tunnel|any|beet   -r packets   -u reqid
 *               -f zero-pad|random-pad|seq-pad|nocyclic-seq
 *               -lh/-ls seconds   -bh/-bs bytes
 *   algorithm   -E ealgo key [-A aalgo key] (esp), -A aalgo key (ah),
 *               -C deflate [-R] (ipcomp); key is 0x hex (an even number
 *               of digits) or a "quoted string"; null takes no key
 *   src_range   address[/prefixlen][[port|any]]
 *   upperspec   any | a protocol number | a name (tcp, udp, icmp, icmp6,
 *               gre, ...); icmp, icmp6 and mobility-header take
 *               "type[,code]", gre "key" or "a.b.c.d"; 0 is a wildcard,
 *               as in setkey(8)
 *   policy      -P in|out|fwd [prio[rity] N | prio[rity] -N |
 *               prio[rity] low|def|high [+|- N]] discard|none|ipsec
 *               request...    (at most SPD_TMPL_MAX requests)
 *   request     esp|ah|ipcomp/transport|tunnel|beet/[src-dst]/[level]
 *               with src and dst optionally [port]; level default, use,
 *               require, unique or unique:N (N = reqid, 1..16383)
 *
 * Statements end with ";" and may span lines; "#" starts a comment to the
 * end of the line (outside quoted strings).  Keywords are case-sensitive,
 * as in setkey.
 *
 * Deliberate differences from setkey(8), all refused with a message rather
 * than silently changed:
 *   - Only numeric addresses: no DNS (-n is accepted and changes nothing;
 *     -4 and -6 check the family of the addresses given).
 *   - Algorithms are the ones ipsecd implements (crypto/alg.h); setkey's
 *     others (des-cbc, 3des-cbc, hmac-md5, ...) are errors that list ours.
 *   - -r counts packets, as Linux's af_key reads sadb_sa_replay (KAME and
 *     FreeBSD read it as bytes of bitmap); at most SETKEY_REPLAY_MAX
 *     because PF_KEY carries it in one byte, which setkey truncates.
 *   - Odd hex digit counts in keys, host bits beyond a prefix, ports on
 *     SA addresses of anything but esp-udp, and a port number with an
 *     upperspec without ports (any, icmp, ...) are errors; [any] and [0]
 *     (any port) fit every upperspec, as setkey -DP prints them.
 *   - unique:N takes 1..16383 (Linux's IPSEC_MANUAL_REQID_MAX; above it
 *     Linux silently picks a reqid of its own).
 *   - Refused as unsupported: esp-old, ah-old, tcp (TCP-MD5), -ctx
 *     (SELinux labels), "spdadd tagged", entrust and bypass policies,
 *     me/any request endpoints (socket policies), exit/quit/bye.
 *   - No RFC-mode expansion: setkey on Linux adds a fwd policy for each
 *     in policy itself (-r); commands here are exactly what was written.
 *   Extensions: mode beet (SA and request), "default" as a priority base
 *   (same as "def").
 *
 * Errors are "file:line: message" (STYLE.md section 9): they name the
 * token and the choices, and parsing goes on with the next statement (and
 * within a statement, after errors in values) so that one run reports
 * every error.  A command with an error is not delivered.  Messages never
 * contain key material.
 */

/* Linux setkey's default policy priority (libipsec PRIORITY_DEFAULT). */
#define SETKEY_PRIO_DEFAULT 0x80000000u
#define SETKEY_PRIO_HIGH 0x40000000u
#define SETKEY_PRIO_LOW 0xc0000000u
/* Largest -r: PF_KEY's sadb_sa_replay is one byte. */
#define SETKEY_REPLAY_MAX 255
/* Largest unique:N (Linux's IPSEC_MANUAL_REQID_MAX). */
#define SETKEY_REQID_MANUAL_MAX 0x3fff
/* Default ESP-in-UDP port when esp-udp addresses carry none (RFC 3948). */
#define SETKEY_NATT_PORT 4500
/*
 * Longest statement read from a FILE (bytes up to its ";"); longer ones
 * are an error and are skipped.  A setkey statement with four requests
 * and two 64-byte hex keys is well under 1 KB.
 */
#define SETKEY_STMT_MAX 65536

enum setkey_op {
	SETKEY_ADD,
	SETKEY_UPDATE,
	SETKEY_GETSPI,
	SETKEY_GET,
	SETKEY_DELETE,
	SETKEY_DELETEALL,
	SETKEY_FLUSH,
	SETKEY_DUMP,
	SETKEY_SPDADD,
	SETKEY_SPDUPDATE,
	SETKEY_SPDDELETE,
	SETKEY_SPDFLUSH,
	SETKEY_SPDDUMP,
};

/*
 * setkey's -f and -R options, KAME sadb_sa_flags extensions that Linux's
 * af_key ignores.  Recorded so that the PF_KEY builder can pass them on;
 * ipsecd itself always pads as RFC 4303 section 2.4 says.
 */
#define SETKEY_EXT_PAD_ZERO 0x01
#define SETKEY_EXT_PAD_RANDOM 0x02
#define SETKEY_EXT_PAD_SEQ 0x04
#define SETKEY_EXT_NOCYCLIC_SEQ 0x08
#define SETKEY_EXT_RAWCPI 0x10 /* -R: the spi is the CPI on the wire */

/*
 * One command.  Which members are meaningful depends on op:
 *
 *   ADD UPDATE       sa (all of it: identity, mode, reqid, replay, ports,
 *                    keys, lifetimes), ext, natt_oa
 *   GETSPI           sa identity (spi 0 = let the SAD choose), mode, reqid
 *   GET DELETE       sa.src, sa.dst, sa.proto, sa.spi (and ports/flags of
 *                    esp-udp); extensions given are parsed and kept
 *   DELETEALL        sa.src, sa.dst, sa.proto
 *   FLUSH DUMP       satype
 *   SPDADD SPDUPDATE pol (dir, action, priority, sel, ntmpl, tmpl[]),
 *                    tmpl_sport/tmpl_dport
 *   SPDDELETE        pol.dir and pol.sel identify the policy; the rest of
 *                    the policy, if written, is parsed and kept
 *   SPDFLUSH SPDDUMP nothing
 *
 * Everything not set is zero.  sa.replay is NULL and sa.seq_out 0.
 * sa.key holds key material in fixed arrays: setkey_cmd_clear() wipes it,
 * and so must whoever copies a command.
 */
struct setkey_cmd {
	enum setkey_op op;
	unsigned line;	/* line of the command word, from 1 */
	uint8_t satype; /* FLUSH/DUMP: IPPROTO_ESP, _AH, _COMP; 0 = all */
	uint8_t ext;	/* SETKEY_EXT_* */
	struct sa sa;
	struct addr natt_oa; /* "esp-udp ADDR": NAT original address */
	struct spd_policy pol;
	/*
	 * Ports written on request endpoints ("esp/tunnel/a[4500]-b[4500]/"),
	 * 0 when none.  Templates carry no ports (neither do Linux's), so
	 * they are kept here for the PF_KEY builder only.
	 */
	uint16_t tmpl_sport[SPD_TMPL_MAX];
	uint16_t tmpl_dport[SPD_TMPL_MAX];
};

/*
 * Where a parse delivers its results.
 *
 * on_cmd is called for each command parsed without error, in input order;
 * the command is borrowed for the call only (it is wiped afterwards).  It
 * returns 0 to go on or -1 to stop parsing (the parse then returns -1).
 * NULL discards commands (a syntax check, like setkey -n).
 *
 * on_error is called for each error with one line of text,
 * "name:line: message", without a newline.  NULL only counts errors.
 */
struct setkey_sink {
	int (*on_cmd)(void *arg, const struct setkey_cmd *cmd);
	void *cmd_arg;
	void (*on_error)(void *arg, const char *msg);
	void *err_arg;
};

/*
 * Parse len bytes of setkey text (NUL bytes are errors).  name is used in
 * messages (a file name, "<stdin>").  Every error goes to the sink and is
 * counted into *nerrors (if not NULL, set to the count of this parse).
 * Returns 0 when the whole input parsed without error, -1 when there was
 * an error or on_cmd stopped the parse.  The buffer is only read.
 */
int setkey_parse_buf(const char *name, const char *buf, size_t len,
    const struct setkey_sink *sink, unsigned *nerrors);

/*
 * As setkey_parse_buf, reading fp to its end one statement at a time, so
 * input of any size needs memory for one statement (SETKEY_STMT_MAX).
 * The statement buffer is wiped as soon as it is parsed; stdio's own
 * buffer is the caller's.  A read error is reported as an error message
 * and returns -1 with errno set; running out of memory likewise (ENOMEM).
 */
int setkey_parse_file(const char *name, FILE *fp,
    const struct setkey_sink *sink, unsigned *nerrors);

/* Wipe a command (keys included) and zero it. */
void setkey_cmd_clear(struct setkey_cmd *cmd);

/*
 * A growable array of commands, for callers that want all of them before
 * acting (ipsecd.conf applies a file only when it parsed clean).
 * Zero-initialise it ({ 0 }) before use.
 */
struct setkey_list {
	struct setkey_cmd *cmds;
	size_t ncmds;
	size_t cap;
};

/*
 * An on_cmd for struct setkey_list (arg): appends a copy of cmd.  Growing
 * moves the commands to a new array and wipes the old one, so no key is
 * left behind in freed memory.  -1 with errno ENOMEM when out of memory.
 */
int setkey_list_push(void *list, const struct setkey_cmd *cmd);

/* Wipe and free every command; the list is empty again afterwards. */
void setkey_list_free(struct setkey_list *l);

/* An on_error that writes the message and a newline to the FILE * arg. */
void setkey_print_error(void *fp, const char *msg);

#endif
