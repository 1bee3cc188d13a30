#ifndef IPSECD_PFKEY_PFKEY_BUILD_H
#define IPSECD_PFKEY_PFKEY_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pfkeyv2.h>

#include "common/addr.h"
#include "crypto/alg.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_ext.h"
#include "pfkey/pfkey_msg.h"

/*
 * Building PF_KEY messages into a caller's buffer, laid out as Linux
 * net/key/af_key.c builds the same messages (pfkey_xfrm_state2msg,
 * pfkey_xfrm_policy2msg, pfkey_send_acquire, pfkey_send_new_mapping,
 * compose_sadb_supported, pfkey_error), so that racoon and strongSwan's
 * kernel-pfkey read them as they read the kernel's.
 *
 * A message is: pfkey_wr_init, pfkey_build_hdr, any extensions,
 * pfkey_build_finish (which writes sadb_msg_len).  The writer never
 * writes past the buffer: an append that does not fit, or whose input
 * cannot be encoded (an address of no family, a key of more than 8191
 * bytes), writes nothing, returns false and marks the writer failed;
 * every later append and pfkey_build_finish fail too, so a caller may
 * append a whole message and check once at the end.  Every extension is
 * zero-padded to 8 bytes; reserved fields are zero.  Nothing is allocated.  A
 * buffer that received keys (PFKEY_SA_KEYS) must be wiped by its owner after
 * use.
 */
struct pfkey_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;	 /* bytes written so far */
	size_t start;	 /* offset of the current message's header */
	bool has_failed; /* an append did not fit (or could not be encoded) */
};

void pfkey_wr_init(struct pfkey_wr *w, void *buf, size_t cap);

/*
 * Begin a message at the current end of the writer: h with version
 * PF_KEY_V2 (h->version is ignored) and len64 left for pfkey_build_finish.
 */
bool pfkey_build_hdr(struct pfkey_wr *w, const struct pfkey_hdr *h);

/*
 * Close the message begun by pfkey_build_hdr: write its sadb_msg_len.
 * Returns its length in bytes, or 0 when anything did not fit (or it
 * passed 65535 units).
 */
size_t pfkey_build_finish(struct pfkey_wr *w);

/*
 * Append an extension of type with body (body_len bytes after the 4-byte
 * sadb_ext header), zero-padded to 8.  Any type, for messages the typed
 * builders below do not cover (identities, sensitivity, x_kmprivate).
 */
bool pfkey_build_ext(
    struct pfkey_wr *w, uint16_t type, const void *body, size_t body_len);

/*
 * Typed extensions.  Those taking a <linux/pfkeyv2.h> struct copy it as
 * given (host order; sadb_sa_spi and NAT-T ports network order) and set
 * its length and type fields themselves.
 */
bool pfkey_build_sa(struct pfkey_wr *w, const struct sadb_sa *sa);
bool pfkey_build_lifetime(
    struct pfkey_wr *w, uint16_t type, const struct sadb_lifetime *l);
bool pfkey_build_sa2(struct pfkey_wr *w, const struct sadb_x_sa2 *sa2);
bool pfkey_build_spirange(
    struct pfkey_wr *w, const struct sadb_spirange *range);
bool pfkey_build_filter(struct pfkey_wr *w, const struct sadb_x_filter *f);

/* An address extension (ADDRESS_SRC/DST/PROXY, X_NAT_T_OA): sockaddr_in
 * or sockaddr_in6 of a->addr with a->port, a->proto, a->prefixlen. */
bool pfkey_build_address(
    struct pfkey_wr *w, uint16_t type, const struct pfkey_address *a);

/* KEY_AUTH or KEY_ENCRYPT: len bytes of key (sadb_key_bits = 8 * len). */
bool pfkey_build_key(
    struct pfkey_wr *w, uint16_t type, const uint8_t *key, size_t len);

/* X_NAT_T_TYPE; X_NAT_T_SPORT or _DPORT with port in host order. */
bool pfkey_build_nat_t_type(struct pfkey_wr *w, uint8_t type);
bool pfkey_build_nat_t_port(struct pfkey_wr *w, uint16_t type, uint16_t port);

/*
 * X_POLICY with its requests in order; a request whose src has a family
 * carries the endpoint pair (src.family must equal dst.family).
 */
bool pfkey_build_policy(struct pfkey_wr *w, const struct pfkey_policy *p);

/* X_KMADDRESS: a local and a remote address of one family. */
bool pfkey_build_kmaddress(
    struct pfkey_wr *w, const struct addr *local, const struct addr *remote);

/* X_SEC_CTX with ctx_len bytes of context. */
bool pfkey_build_sec_ctx(struct pfkey_wr *w, uint8_t alg, uint8_t doi,
    const void *ctx, uint16_t ctx_len);

/*
 * Which algorithms a REGISTER reply or ACQUIRE proposal lists: true for
 * those the daemon can use (e.g. its crypto provider has them).
 */
typedef bool (*pfkey_alg_fn)(const struct alg *a, void *arg);

/*
 * SUPPORTED_AUTH (type SADB_EXT_SUPPORTED_AUTH: integrity algorithms) or
 * SUPPORTED_ENCRYPT (AEAD and encryption algorithms), one sadb_alg per
 * usable algorithm in table order: id, IV bytes, key bits without salt
 * (min and max of the sizes the table has).
 */
bool pfkey_build_supported(
    struct pfkey_wr *w, uint16_t type, pfkey_alg_fn usable, void *arg);

/*
 * PROPOSAL for an ACQUIRE of proto: AH one sadb_comb per usable
 * integrity algorithm; ESP one per usable AEAD and one per usable
 * (encryption, non-null integrity) pair; replay 32 and af_key's default
 * lifetimes (hard/soft addtime 24 h / 20 h, usetime 8 h / 7 h).
 */
bool pfkey_build_proposal(
    struct pfkey_wr *w, uint8_t proto, pfkey_alg_fn usable, void *arg);

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
 * (mode, reqid), [X_NAT_T_TYPE, _SPORT, _DPORT for ESP-in-UDP], in
 * af_key's order.  Returns the message length, 0 if it did not fit.
 */
size_t pfkey_build_sa_msg(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct sad_entry *e, unsigned what);

/*
 * SADB_EXPIRE for e: soft or hard limit reached.  seq and pid 0,
 * broadcast to registered sockets (af_key key_notify_sa_expire).
 */
size_t pfkey_build_expire(
    struct pfkey_wr *w, const struct sad_entry *e, bool is_hard);

/*
 * A whole policy message with header h (satype should be 0): ADDRESS_SRC,
 * ADDRESS_DST (selector prefixes, protocol, one port or 0 for any:
 * a port range PF_KEY cannot express is shown as 0), LIFETIME_HARD and
 * _SOFT (zero: no limits), LIFETIME_CURRENT (packets, bytes, add and last
 * use time), X_POLICY (type, direction + 1, id, priority, one request per
 * template: tunnel endpoints in tunnel mode).
 */
size_t pfkey_build_policy_msg(
    struct pfkey_wr *w, const struct pfkey_hdr *h, const struct spd_policy *p);

/* The REGISTER reply: header h, then SUPPORTED_AUTH and _ENCRYPT, each
 * left out when no algorithm of its kind is usable. */
size_t pfkey_build_register(struct pfkey_wr *w, const struct pfkey_hdr *h,
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
size_t pfkey_build_acquire(struct pfkey_wr *w, const struct pfkey_acquire *a,
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
size_t pfkey_build_new_mapping(
    struct pfkey_wr *w, const struct pfkey_new_mapping *nm);

/*
 * The error reply to a request (af_key pfkey_error): the request's header
 * with sadb_msg_errno = code and nothing else.  code is 1..255; others are
 * sent as EINVAL, as af_key does for errnos that do not fit.
 */
size_t pfkey_build_error(
    struct pfkey_wr *w, const struct pfkey_hdr *orig, int code);

#endif
