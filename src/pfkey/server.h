#ifndef IPSECD_PFKEY_SERVER_H
#define IPSECD_PFKEY_SERVER_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "ipsec/sad.h"
#include "ipsec/selector.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_msg.h"

/*
 * The PF_KEY v2 emulation server: the kernel's side of PF_KEY (RFC 2367
 * with the Linux/KAME extensions, as net/key/af_key.c implements it),
 * over an AF_UNIX SOCK_SEQPACKET socket whose message boundaries are
 * PF_KEY's SOCK_RAW ones.  IKE daemons (through the LD_PRELOAD shim) and
 * ipsecctl send it requests; it changes the SAD and SPD and answers with
 * replies and broadcasts laid out as af_key lays them out.
 *
 *   client ──recv──► pfkey_msg_parse ──► handler ──► SAD / SPD
 *     ▲                  │ refused             │
 *     └── error reply ◄──┘                     ▼
 *     ◄── reply / broadcast ◄── deliver (ONE, ALL, REGISTERED, promisc)
 *
 * The server knows nothing of the daemon: it takes the tables, the crypto
 * library, a clock, a random source and a callback for SPD changes in a
 * struct pfkey_ctx, and runs on the caller's libevent event_base.  It is
 * the control thread's: every function here is called from that one
 * thread (a registered liburcu QSBR thread, online or offline; the SAD's
 * and SPD's threading contract, sad.h, applies), never concurrently.
 *
 * What a client observes (the contract the shim and the tests rely on):
 *
 *   - A message whose base header Linux refuses (fewer than 16 bytes,
 *     version, reserved, type, sadb_msg_len not matching the bytes sent,
 *     or more than PFKEY_SERVER_MSG_MAX bytes): Linux fails send() with
 *     EMSGSIZE or EINVAL and answers nothing.  A send() on a SEQPACKET
 *     socket cannot fail that way, so the server answers with an error
 *     reply instead, to the sender alone (no promiscuous copies: it
 *     stands for the failed send()): a bare sadb_msg with sadb_msg_errno
 *     set, version PF_KEY_V2, and type, satype, seq and pid copied from
 *     the bytes sent (0 where fewer than 16 bytes came), so its type may
 *     be one no parser takes.  The shim turns that into the
 *     failed send() by checking the base header itself before sending
 *     (pfkey_msg_parse's has_hdr false), so its clients see what they
 *     would see on Linux; other clients see the reply.  Nothing changes.
 *   - Any other refused message gets af_key's error reply
 *     (pfkey_compose_error: the request's header, errno set), to the
 *     sender and to promiscuous sockets.  Nothing changes.
 *   - Replies carry the requester's sadb_msg_pid and sadb_msg_seq.
 *     Changes (ADD, UPDATE, DELETE, FLUSH, X_SPDADD, ...) are announced
 *     to every socket, the requester included, as af_key's key_notify_*
 *     do, but without keys; GET and DUMP replies to the requester carry
 *     keys, as in af_key.
 *   - Promiscuous sockets (X_PROMISC) get a copy of every message any
 *     client sends whose base header passed, and of every message the
 *     server sends to any socket, as af_key's pfkey_broadcast.
 *   - REGISTER, ACQUIRE, EXPIRE and X_NAT_T_NEW_MAPPING go to the
 *     sockets registered for the message's SA type (RFC 2367 section
 *     3.1.2; af_key sends them to sockets registered for any type).
 *   - A dump (DUMP, X_SPDDUMP) is sent message by message across turns
 *     of the event loop while the requester's queue is less than a third
 *     full, with sadb_msg_seq counting down and 0 on the last message, so
 *     a dump of any size completes to a reader of any speed.  A dump of
 *     nothing is an error reply ENOENT; a second dump on a socket while
 *     one runs is EBUSY.
 *   - Each client has a bounded queue (PFKEY_SERVER_QUEUE_MAX bytes).  A
 *     message that does not fit is dropped and counted (af_key drops too
 *     when a receive buffer is full); the server never blocks and never
 *     buffers without bound.
 *
 * Where the handlers differ from af_key (and why) is said at the top of
 * the server_*.c file holding the handler.
 */

/* Largest request accepted, bytes (af_key: the socket's sndbuf - 32). */
#define PFKEY_SERVER_MSG_MAX 65536u
/* Per-client queue of messages not yet taken by the client, bytes. */
#define PFKEY_SERVER_QUEUE_MAX (1024u * 1024u)
/* Larval SAs and acquire states live this long (Linux XFRM_ACQ_EXPIRES). */
#define PFKEY_SERVER_ACQ_EXPIRES 30u
/* Acquire states at once; ACQUIREs past this are dropped and counted. */
#define PFKEY_SERVER_ACQ_MAX 4096u
/* GETSPI's range for IPcomp CPIs without SPIRANGE (RFC 3173 3.3). */
#define PFKEY_SERVER_CPI_MIN 0x100u
#define PFKEY_SERVER_CPI_MAX 0xefffu
/* Reqids the server picks for "unique" templates start above this. */
#define PFKEY_SERVER_REQID_MANUAL_MAX 0x3fffu

/*
 * What the server works on.  The tables, library and callbacks are the
 * caller's and must outlive the server.  now returns wall-clock seconds
 * (the SAD's clock); rand32 unpredictable bits (SPI choice); spd_changed,
 * if not NULL, is called after every change to the SPD (insert, update,
 * delete, flush, migrate).  acq_expires_sec 0 means
 * PFKEY_SERVER_ACQ_EXPIRES.
 */
struct crypto_lib;

struct pfkey_ctx {
	struct sad *sad;
	struct spd *spd;
	const struct crypto_lib *lib;
	uint64_t (*now)(void *arg);
	uint32_t (*rand32)(void *arg);
	void (*spd_changed)(void *arg);
	void *arg;
	unsigned acq_expires_sec;
};

/* Counters, for ipsecctl show stats and the tests. */
struct pfkey_server_stats {
	uint64_t clients;	 /* connected now */
	uint64_t accepted;	 /* connections accepted */
	uint64_t rejected;	 /* connections closed by the peer checks */
	uint64_t received;	 /* messages received (inject included) */
	uint64_t refused;	 /* of which answered with an error */
	uint64_t sent;		 /* messages queued or sent to clients */
	uint64_t dropped;	 /* messages dropped: a client's queue full */
	uint64_t acquires;	 /* ACQUIREs sent */
	uint64_t acq_limited;	 /* ACQUIREs not sent: one is pending */
	uint64_t acq_dropped;	 /* ACQUIREs not sent: PFKEY_SERVER_ACQ_MAX */
	uint64_t expires;	 /* EXPIREs sent */
	uint64_t acq_timeouts;	 /* acquire states that timed out */
	uint64_t policy_expires; /* policies deleted by a hard lifetime */
};

struct event_base;
struct pfkey_server;

/*
 * A new server on base (which must outlive it) with no socket yet; it
 * keeps a copy of *ctx and arms a one-second timer on base that calls
 * pfkey_server_tick.  NULL on allocation failure.
 */
struct pfkey_server *pfkey_server_new(
    const struct pfkey_ctx *ctx, struct event_base *base);

/*
 * Listen at path: an AF_UNIX SOCK_SEQPACKET socket, a stale socket file
 * at path removed first, the new one given group gid and mode 0660.  A
 * client is served when SO_PEERCRED says uid 0, or when gid is its
 * primary group or among its groups (SO_PEERGROUPS); others are closed at
 * once and counted.  0, or -1 with errno set (nothing left behind).
 */
int pfkey_server_listen(struct pfkey_server *s, const char *path, gid_t gid);

/*
 * Close every client, the socket (its file is removed), and free the
 * server.  Dumps in progress end without their last message.  NULL is
 * fine.
 */
void pfkey_server_free(struct pfkey_server *s);

/*
 * Run one message as if an internal client had sent it: replies to that
 * client are discarded, broadcasts and promiscuous copies are delivered.
 * For ipsecd.conf's include files.  Returns 0 when the message was
 * accepted, else the errno of the error reply (err, if not NULL, says
 * why).  A dump through inject is accepted and sends nothing: its
 * messages would all be replies to the internal client.
 */
int pfkey_server_inject(
    struct pfkey_server *s, const void *buf, size_t len, struct pfkey_err *err);

/*
 * A lifetime limit of SA e was reached (sad_expire_scan's callback;
 * tripped holds SAD_EXP_* bits): SADB_EXPIRE to the sockets registered
 * for its SA type with the limit that was reached (hard when any hard bit
 * is set, else soft), pid and seq 0, as af_key's key_notify_sa_expire.
 * A hard expiry then deletes e (sad_delete), as Linux does; the caller
 * must not touch e afterwards.
 */
void pfkey_server_expire(
    struct pfkey_server *s, struct sad_entry *e, unsigned tripped);

/*
 * A packet of flow k matched outbound policy pol and an SA it needs is
 * missing (dpath's IPSEC_DROP_NOSA).  For the first template whose SA is
 * missing, sends SADB_ACQUIRE (af_key pfkey_send_acquire: ADDRESS_SRC and
 * ADDRESS_DST, the SA's endpoints as /32 or /128 with port 0: the tunnel
 * endpoints, or the flow's addresses in transport mode; X_POLICY of type
 * ipsec with the policy's id; PROPOSAL of the usable algorithms) to the
 * sockets registered for its SA type, pid 0, and records an acquire
 * state with the message's seq.  While that state lives (GETSPI with its
 * seq adopts it; ADD or UPDATE of the SA ends it; a negative ACQUIRE marks
 * it failed; it times out after acq_expires_sec) no other ACQUIRE goes
 * out for the same policy, template and endpoints.  Returns 1 when an
 * ACQUIRE was sent, 0 when none was needed or one is pending, -1 when
 * none could be sent (state table full, no memory).
 */
int pfkey_server_acquire(struct pfkey_server *s, const struct spd_policy *pol,
    const struct selector_key *k);

/*
 * ESP-in-UDP SA e saw authenticated packets from a new peer address or
 * port: SADB_X_NAT_T_NEW_MAPPING (pfkey_compose_new_mapping, with X_SA2)
 * to the sockets registered for ESP, pid 0.  0, or -1 when e is not
 * ESP-in-UDP or addr is not of its family.
 */
int pfkey_server_new_mapping(struct pfkey_server *s, const struct sad_entry *e,
    const struct addr *addr, uint16_t port);

/*
 * Time out acquire states older than acq_expires_sec and delete the
 * policies past a hard time limit of the lifetimes they were added with
 * (server_plife.c; silently, as Linux), calling spd_changed if any went
 * (the timer calls it each second; tests call it after moving their
 * clock).  Larval SAs carry their own hard lifetime of acq_expires_sec
 * seconds and are expired by the daemon's lifetime scan
 * (pfkey_server_expire).
 */
void pfkey_server_tick(struct pfkey_server *s);

void pfkey_server_stats(
    const struct pfkey_server *s, struct pfkey_server_stats *st);

/*
 * Load a file of setkey(8) commands (setkey.h) through the server, as
 * ipsecd does with ipsecd.conf's include files at start and on reload:
 * every command is turned into its PF_KEY message (setkey_msg.h, with
 * replay_window for SAs that give none) and injected; deleteall deletes
 * each SA between its addresses.  Reading goes on after errors, which go
 * to on_error as "name:line: message" (parse errors as setkey.h reports
 * them; refused commands with their reason and errno text).  Returns 0
 * when every command parsed and was accepted, -1 otherwise.
 */
int pfkey_server_load(struct pfkey_server *s, const char *name, FILE *fp,
    unsigned replay_window, void (*on_error)(void *arg, const char *msg),
    void *arg);

#endif
