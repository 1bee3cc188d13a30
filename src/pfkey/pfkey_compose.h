#ifndef IPSECD_PFKEY_PFKEY_COMPOSE_H
#define IPSECD_PFKEY_PFKEY_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_msg.h"

/*
 * Whole PF_KEY messages the kernel side sends (replies and broadcasts),
 * from the core's structs, into a bounded writer (pfkey_build.h), laid out
 * as Linux's af_key composes the same messages so that racoon and
 * strongSwan's kernel-pfkey read them as they read the kernel's.  Each
 * function writes one complete message at the writer's end and returns
 * its length in bytes, or 0 when it did not fit (the writer is then
 * failed).  A message with keys (PFKEY_SA_KEYS) leaves them in the
 * buffer: its owner wipes it after use.
 */

/*
 * What an SA message carries besides SA, LIFETIME_CURRENT, ADDRESS_SRC/DST
 * and X_SA2 (always there: strongSwan reads LIFETIME_CURRENT and X_SA2
 * without checking).  af_key puts both limits in every SA message
 * (GETSPI, ADD, UPDATE, DELETE, GET, DUMP replies: PFKEY_SA_HARD |
 * PFKEY_SA_SOFT | PFKEY_SA_KEYS), and one limit without keys in EXPIRE.
 */
#define PFKEY_SA_KEYS 0x1u /* KEY_AUTH, KEY_ENCRYPT (when non-empty) */
#define PFKEY_SA_HARD 0x2u /* LIFETIME_HARD */
#define PFKEY_SA_SOFT 0x4u /* LIFETIME_SOFT */
#define PFKEY_SA_ALL (PFKEY_SA_KEYS | PFKEY_SA_HARD | PFKEY_SA_SOFT)

/*
 * A whole SA message with header h (type, satype, seq, pid, errno as
 * given): SA (spi, replay window up to 255, state, algorithm numbers,
 * flags), [LIFETIME_HARD], [LIFETIME_SOFT], LIFETIME_CURRENT (packets,
 * bytes, add and first-use time of e), ADDRESS_SRC, ADDRESS_DST,
 * [ADDRESS_PROXY: BEET inner source], [KEY_AUTH], [KEY_ENCRYPT], X_SA2
 * (mode, reqid), [X_NAT_T_TYPE, _SPORT, _DPORT for ESP-in-UDP, and
 * X_NAT_T_OA when it has an original address, which af_key leaves out], in
 * af_key's order.  Returns the message length, 0 if it did not fit.
 */
size_t pfkey_compose_sa(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct sad_entry *e, unsigned what);

/*
 * SADB_EXPIRE for e: soft or hard limit reached.  seq and pid 0,
 * broadcast to registered sockets (af_key key_notify_sa_expire).
 */
size_t pfkey_compose_expire(
    struct pfkey_wr *w, const struct sad_entry *e, bool is_hard);

/*
 * A whole policy message with header h (satype should be 0): ADDRESS_SRC,
 * ADDRESS_DST (selector prefixes, protocol, one port or 0 for any:
 * a port range PF_KEY cannot express is shown as 0), LIFETIME_HARD and
 * _SOFT (the limits of life, all zero when life is NULL: no limits),
 * LIFETIME_CURRENT (packets, bytes, add and last use time), X_POLICY
 * (type, direction + 1, id, priority, one request per template: tunnel
 * endpoints in tunnel mode).
 */
size_t pfkey_compose_policy(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct spd_policy *p, const struct pfkey_policy_life *life);

/* The REGISTER reply: header h, then SUPPORTED_AUTH and _ENCRYPT, each
 * left out when no algorithm of its kind is usable. */
size_t pfkey_compose_register(struct pfkey_wr *w, const struct pfkey_hdr *h,
    pfkey_alg_fn usable, void *arg);

/* An ACQUIRE: a packet matched an outbound policy with no SA. */
struct pfkey_acquire {
	uint32_t seq;	 /* ties the key manager's GETSPI to it; not 0 */
	uint8_t proto;	 /* IPPROTO_ESP, _AH or _COMP */
	struct addr src; /* SA endpoints */
	struct addr dst;
	uint32_t policy_id; /* the policy that matched */
	uint32_t priority;
};

/*
 * SADB_ACQUIRE (af_key pfkey_send_acquire): ADDRESS_SRC, ADDRESS_DST,
 * X_POLICY (ipsec, outbound, the policy's id and priority, no requests),
 * PROPOSAL (ESP and AH only).  pid 0.
 */
size_t pfkey_compose_acquire(struct pfkey_wr *w, const struct pfkey_acquire *a,
    pfkey_alg_fn usable, void *arg);

/* A NAT mapping change seen on an ESP-in-UDP SA. */
struct pfkey_new_mapping {
	uint32_t seq;
	const struct sad_entry *e;
	struct addr addr; /* the peer's new address */
	uint16_t port;	  /* and port, host order */
};

/*
 * SADB_X_NAT_T_NEW_MAPPING (af_key pfkey_send_new_mapping): SA (spi
 * only), ADDRESS_SRC and X_NAT_T_SPORT (the SA's source and encap source
 * port), ADDRESS_DST and X_NAT_T_DPORT (the new address and port), and
 * X_SA2 (mode, reqid), which af_key does not send but strongSwan needs to
 * act on the message (FreeBSD sends it).  satype ESP, pid 0.
 */
size_t pfkey_compose_new_mapping(
    struct pfkey_wr *w, const struct pfkey_new_mapping *nm);

/*
 * SADB_X_MIGRATE as af_key's pfkey_send_migrate announces a migration to
 * every socket: seq and pid 0, satype of the first pair's protocol,
 * [X_KMADDRESS], ADDRESS_SRC and ADDRESS_DST (the selector), X_POLICY
 * (ipsec, the direction, id and priority 0) with an (old, new) pair of
 * requests per item, level "unique" when it names a reqid, else
 * "require".  strongSwan acts only on messages with pid 0.
 */
size_t pfkey_compose_migrate(
    struct pfkey_wr *w, const struct pfkey_migrate *mg);

/*
 * The error reply to a request (af_key pfkey_error): the request's header
 * with sadb_msg_errno = code and nothing else.  code is 1..255; others are
 * sent as EINVAL, as af_key does for errnos that do not fit.
 */
size_t pfkey_compose_error(
    struct pfkey_wr *w, const struct pfkey_hdr *orig, int code);

#endif
