#ifndef IPSECD_DAEMON_CONTROL_H
#define IPSECD_DAEMON_CONTROL_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipsecd;

/*
 * The control socket: what PF_KEY cannot carry (interfaces, counters,
 * knobs), for `ipsecctl show|get|set`.  SAs and policies
 * are managed over PF_KEY only (DESIGN.md, "One PF_KEY, two clients");
 * here they are only shown, with their counters.
 *
 * Transport
 *   An AF_UNIX SOCK_SEQPACKET socket at conf->control_socket (default
 *   /run/ipsecd/control.sock), mode 0660, group conf->group.  Message
 *   boundaries are the protocol's framing: one message is one JSON text.
 *   Each connecting process is checked with SO_PEERCRED and SO_PEERGROUPS:
 *   uid 0, or the socket's group as its primary or one of its supplementary
 *   groups.  Any other peer gets one error message (code "denied") and is
 *   closed (a client that had sent a request sees ECONNRESET once on its
 *   next read, then the message).  At most CONTROL_CLIENTS_MAX clients at once;
 * one more gets an error (code "busy") and is closed.
 *
 * Requests
 *   One message of 1 to CONTROL_REQ_MAX bytes: a single JSON object in
 *   UTF-8 with nothing after it (white space aside), no duplicate members
 *   and no members other than these:
 *
 *     "version"  integer, required: the protocol version the client speaks
 *                (CONTROL_VERSION; a higher one is refused, not guessed at)
 *     "cmd"      "show", "get", "set" or "sockpolicy", required
 *     "what"     show only, required: "sa", "sp", "interfaces", "stats",
 *                "knobs" or "crypto"
 *     "keys"     show sa only, optional boolean (default false): include
 *                the key material
 *     "name"     get and set, required: a knob name (canonical or alias),
 *                1 to CONTROL_NAME_MAX - 1 bytes
 *     "value"    set only, required string: the knob's new value as
 *                ipsecd.conf(5) takes it, 1 to CONTROL_VALUE_MAX - 1 bytes
 *     "op"       sockpolicy only, required: "set" or "clear"
 *     "pid", "fd"  sockpolicy only, required integers: the key manager's
 *                process (1 to 2^31 - 1) and descriptor (0 to 2^31 - 1)
 *     "family", "dir", "policy"  sockpolicy "set" only, required:
 *                "inet" or "inet6"; "in" or "out"; "none", "entrust" or
 *                "bypass"
 *
 *   sockpolicy is what libipsecd-pfkey.so sends for a key manager's
 *   setsockopt(IP_IPSEC_POLICY / IPV6_IPSEC_POLICY) (src/shim/shim.h):
 *   "set" records the policy of one direction of pid's descriptor fd,
 *   "clear" drops both (the descriptor was closed, or the policy
 *   cleared).  Its reply is of type "sockpolicy" with one item, the
 *   daemon's mark {"mark","mask"}, which the shim sets on a socket with
 *   an outbound policy so the policy-routing rule skips its packets.
 *
 *   e.g. {"version":1,"cmd":"show","what":"sa","keys":false}
 *        {"version":1,"cmd":"set","name":"net.inet.ipsec.dfbit","value":"1"}
 *
 *   A client sends its next request only after the last message of the
 *   previous reply; the server does not read while it replies.
 *
 * Replies
 *   One or more messages of at most CONTROL_MSG_MAX bytes, each a JSON
 *   object with
 *
 *     "version"  CONTROL_VERSION
 *     "type"     "sa", "sp", "interface", "stats", "knob", "crypto",
 *                "sockpolicy" or "error"
 *     "items"    array of objects of that type (absent in errors)
 *     "end"      true on the last message of the reply, false before
 *     "summary"  last message of show sa, sp and interfaces only: an
 *                object with "count" (items in the table at the end)
 *
 *   An error ends the reply, also after messages with items:
 *     {"version":1,"type":"error","error":"MESSAGE","code":"CODE","end":true}
 *   codes: "bad-request" (malformed, or a field out of range: nothing was
 *   done), "refused" (well formed, not carried out: unknown knob, bad
 *   value), "denied" (peer not allowed), "busy" (too many clients),
 *   "internal" (the daemon ran out of memory building the reply).  The
 *   message is printable ASCII.
 *
 *   A show of sa, sp or interfaces streams: the SAD and SPD are walked
 *   with their cursors (sad_cursor, spd_cursor) a message at a time, as the
 *   client reads, so a dump of 1,000,000 SAs is never built in memory and
 *   never stalls the event loop; SAs added or deleted meanwhile are seen
 *   as the cursors document.  Items:
 *
 *   sa: "spi" (number), "proto" ("esp", "ah", "ipcomp"), "mode"
 *     ("transport", "tunnel", "beet", "any"), "state" ("larval", "mature",
 *     "dying", "dead"), "src", "dst" (addresses), "reqid", "if_id",
 *     "flags" (array of "esn", "noecn", "decap-dscp", "nopmtudisc",
 *     "udp-encap"), "encap" ({"sport","dport"}, udp-encap only), "beet_src",
 *     "beet_dst" (BEET only), "enc" and "auth" ({"alg","key_bits"}, the
 *     algorithms present), "calg" (IPcomp), "replay_window", "seq_out",
 *     "lifetime" ({"soft":L,"hard":L} with L = {"bytes","packets","add_sec",
 *     "use_sec"}, 0 = none), "add_sec", "use_sec" (wall clock seconds; 0 =
 *     not used yet), "bytes", "packets", "drops" (every drop reason of
 *     ipsec_verdict_name, in that order, with its count), and with
 *     "keys":true "enc_key" and "auth_key" (lowercase hex, the algorithms
 *     present), "crypto" (ESP and AH, when the daemon has its crypto
 *     library: {"policy" (the offload policy applied), "enc" and "auth"
 *     ({"provider","hardware","async"}, the algorithms present),
 *     "fallback" (prefer put it on software although hardware is
 *     loaded), "note" (why, or why the SA would now be refused), "state"
 *     ("ok", "fallback" or "stopped" after provider failures; "refused"),
 *     "errors" (operations the provider failed), "workers_fallback",
 *     "workers_stopped"}).  summary: "count".
 *   sp: "id", "dir" ("in", "out", "fwd"), "action" ("discard", "none",
 *     "ipsec"), "priority", "src", "dst" (prefixes), "ul_proto" (number, 255
 *     = any), "sport", "dport" ([lo, hi]), "if_id", "templates" (array of
 *     {"proto","mode","level","reqid","src","dst"}; level "default", "use",
 *     "require", "unique"; src and dst "" in transport mode), "add_sec",
 *     "use_sec", "bytes", "packets".  After the SPD's policies, the socket
 *     policies of live key managers (daemon/sockpol.h): {"socket":true,
 *     "pid","fd","family","dir","action" ("none", "entrust", "bypass"),
 *     "add_sec"}.  summary: "count" (the SPD's policies).
 *   interface: "name", "ifindex", "key", "key_kind" ("none", "reqid",
 *     "if_id"), "mark", "mtu", "queues", "out" and "in" (each
 *     {"packets","bytes","drops"}, summed over the workers).  summary:
 *     "count".
 *   stats (one item): "uptime_sec", "workers", "sad" and "spd" (each
 *     {"count", "mem_bytes"}: sad_mem_bytes, spd_mem_bytes), "interfaces"
 *     (count), "packets"
 *     (the worker counters of worker.h by name), "out_drops", "in_drops"
 *     (by reason).
 *   crypto (one item): "query" (the global property query or null),
 *     "hardware" (some hardware is in use), "providers" (array of
 *     {"name","hardware" ("auto", "yes", "no" as configured),"async",
 *     "params" (the provider's gettable parameters by name: integers
 *     and strings, e.g. an accelerator's counters)}), "algorithms"
 *     (crypto_lib_caps' rows: {"alg","key_bits","policy","usable",
 *     "provider","hardware","async","fallback","hw_provider",
 *     "sw_provider","ops_per_sec" (start-up self-test),"selftest_ok",
 *     "note"}), "pipeline" (the workers' crypto counters summed:
 *     {"async","done","queue_full","errors","failovers","inflight_max"}).
 *   knob: "name", "value" (decimal string), "canonical" (the net.inet name
 *     an alias stands for; the name itself for canonical names) and, in
 *     show knobs, "descr"; in a set reply, "old" (the value before).
 *
 * Counters are JSON integers, clamped to 2^63 - 1.
 */

#define CONTROL_VERSION 1
#define CONTROL_REQ_MAX 65536 /* bytes of one request */
#define CONTROL_MSG_MAX 65536 /* bytes of one reply message */
#define CONTROL_NAME_MAX 128  /* knob name, NUL included */
#define CONTROL_VALUE_MAX 32  /* knob value, NUL included */
#define CONTROL_CLIENTS_MAX 64
/* A client that takes no reply message for this long is dropped. */
#define CONTROL_STALL_MS 30000

struct control;

/*
 * Listen on path (unlinking a stale socket left there by a daemon that is
 * gone; a live one there is EADDRINUSE), mode 0660, group gid (chown(2):
 * the caller must own the file's new group or be root), and serve clients
 * on d->base, reading d's state.  d->sad and d->spd must outlive the
 * control (control_free frees its cursors).  NULL with errno on failure
 * (ENAMETOOLONG for a path longer than sun_path).
 */
struct control *control_new(struct ipsecd *d, const char *path, gid_t gid);

/*
 * Close every client and the socket, unlink path, free everything.  NULL
 * is fine.  Call it before sad_free and spd_free.
 */
void control_free(struct control *c);

/*
 * Drop a client whose reply makes no progress for ms milliseconds
 * (default CONTROL_STALL_MS; at least 1).
 */
void control_set_stall_ms(struct control *c, unsigned ms);

/* What the server has done so far, for tests and the debug log. */
struct control_stats {
	uint64_t accepted; /* connections accepted */
	uint64_t denied;   /* refused by the peer check or busy */
	uint64_t requests; /* requests read */
	uint64_t messages; /* reply messages sent */
	uint64_t stalled;  /* clients dropped for not reading */
	unsigned clients;  /* connected now */
};

void control_stats_get(const struct control *c, struct control_stats *st);

/*
 * The peer check: uid 0, or gid (the socket's group) equal to the peer's
 * primary group or one of its ngroups supplementary groups.
 */
bool control_peer_check(
    uid_t uid, gid_t pgid, const gid_t *groups, size_t ngroups, gid_t gid);

#endif
