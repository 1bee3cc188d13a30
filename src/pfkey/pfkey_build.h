#ifndef IPSECD_PFKEY_PFKEY_BUILD_H
#define IPSECD_PFKEY_PFKEY_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pfkeyv2.h>

#include "common/addr.h"
#include "crypto/alg.h"
#include "pfkey/pfkey_ext.h"
#include "pfkey/pfkey_msg.h"

/*
 * Building PF_KEY messages into a caller's buffer, one extension at a
 * time, laid out as Linux net/key/af_key.c lays out the same extensions.
 * Whole messages (SA, policy, REGISTER, ACQUIRE, EXPIRE, NEW_MAPPING,
 * error replies) are composed from these in pfkey_compose.h.
 *
 * A message is: pfkey_wr_init, pfkey_build_hdr, any extensions,
 * pfkey_build_finish (which writes sadb_msg_len).  The writer never
 * writes past the buffer: an append that does not fit, or whose input
 * cannot be encoded (an address of no family, a key of more than 8191
 * bytes), writes nothing, returns false and marks the writer failed;
 * every later append and pfkey_build_finish fail too, so a caller may
 * append a whole message and check once at the end.  Every extension is
 * zero-padded to 8 bytes; reserved fields are zero.  Nothing is
 * allocated.  A buffer that received keys must be wiped by its owner
 * after use.
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

/* How many algorithms pfkey_build_supported would list (0 for other types). */
size_t pfkey_build_supported_count(
    uint16_t type, pfkey_alg_fn usable, void *arg);

/*
 * PROPOSAL for an ACQUIRE of proto: AH one sadb_comb per usable
 * integrity algorithm; ESP one per usable AEAD and one per usable
 * (encryption, non-null integrity) pair; replay 32 and af_key's default
 * lifetimes (hard/soft addtime 24 h / 20 h, usetime 8 h / 7 h).
 */
bool pfkey_build_proposal(
    struct pfkey_wr *w, uint8_t proto, pfkey_alg_fn usable, void *arg);

#endif
