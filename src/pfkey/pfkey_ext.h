#ifndef IPSECD_PFKEY_PFKEY_EXT_H
#define IPSECD_PFKEY_PFKEY_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_msg.h"

/*
 * One PF_KEY extension: its length rules, its content checks and the
 * decoded forms of the extensions with structure (addresses, keys, the
 * policy with its requests, socket address pairs).  Every function takes
 * the whole extension, p[0..len) with its 4-byte sadb_ext header, as
 * pfkey_msg_ext() returns it, reads it with the bounded reader only, and
 * reports problems as "ext N (name): ..." in err.
 */

/*
 * Requests one X_POLICY may carry: a policy has at most SPD_TMPL_MAX
 * templates (one request each), a MIGRATE message two requests (old and
 * new endpoints) per template.
 */
#define PFKEY_REQ_MAX (2 * SPD_TMPL_MAX)

/* Linux's bound on a security context string (af_key: PAGE_SIZE). */
#define PFKEY_SEC_CTX_MAX 4096u

/* An address extension (sadb_address and its sockaddr), decoded. */
struct pfkey_address {
	struct addr addr;
	uint16_t port;	   /* sin_port in host order; 0 = any */
	uint8_t proto;	   /* sadb_address_proto; IPSEC_ULPROTO_ANY = any */
	uint8_t prefixlen; /* at most 32 or 128 by family */
};

/* One sadb_x_ipsecrequest. */
struct pfkey_req {
	uint8_t proto; /* IPPROTO_ESP, IPPROTO_AH or IPPROTO_COMP */
	uint8_t mode;  /* IPSEC_MODE_TRANSPORT, _TUNNEL or _BEET */
	uint8_t level; /* IPSEC_LEVEL_DEFAULT .. _UNIQUE */
	uint32_t reqid;
	struct addr src; /* endpoints; family 0 when the request has none */
	struct addr dst;
};

/* An X_POLICY extension with its requests. */
struct pfkey_policy {
	uint16_t type; /* IPSEC_POLICY_* */
	uint8_t dir;   /* IPSEC_DIR_* */
	uint32_t id;
	uint32_t priority;
	uint8_t nreq;
	struct pfkey_req req[PFKEY_REQ_MAX];
};

/*
 * The checks of one extension whose type (its sadb_ext_type, 1 to
 * SADB_EXT_MAX) the caller has read from p: at least the type's minimum
 * length, exactly its size where the size is fixed, and its contents:
 *   addresses    sockaddr_in/_in6 filling the extension exactly (IPv6:
 *                28 bytes padded to 32), prefixlen within the family
 *   keys         the extension exactly as long as sadb_key_bits need
 *   sensitivity  exactly as long as its two bitmaps
 *   proposal     a whole number of sadb_comb
 *   spirange     min <= max
 *   x_policy     requests as pfkey_ext_policy
 *   x_sa2        a known mode
 *   x_sec_ctx    context of at most PFKEY_SEC_CTX_MAX bytes filling it
 *   x_kmaddress  a socket address pair filling it
 *   x_filter     family AF_INET/AF_INET6, prefix lengths within it
 * false with err set (EINVAL, or ELOOP for too many requests) otherwise.
 */
bool pfkey_ext_check(
    unsigned type, const uint8_t *p, size_t len, struct pfkey_err *err);

/* Decode a checked address extension (ADDRESS_*, X_NAT_T_OA). */
bool pfkey_ext_address(const uint8_t *p, size_t len, struct pfkey_address *a,
    struct pfkey_err *err);

/*
 * A key extension: *key points at its first key byte (in p), *bits is
 * sadb_key_bits; the extension holds at least (bits + 7) / 8 bytes.
 */
bool pfkey_ext_key(const uint8_t *p, size_t len, const uint8_t **key,
    unsigned *bits, struct pfkey_err *err);

/*
 * Decode an X_POLICY extension and its requests (at most PFKEY_REQ_MAX,
 * ELOOP beyond).  Each request is at least 16 bytes and a multiple of 8,
 * fits what is left, names ESP, AH or IPcomp, a mode of 1 to 3 and a level
 * of 0 to 3, and carries either no addresses or exactly one pair of
 * sockaddrs of one family (required in tunnel mode); nothing may follow
 * the last request.
 */
bool pfkey_ext_policy(const uint8_t *p, size_t len, struct pfkey_policy *pol,
    struct pfkey_err *err);

/* The local and remote address of an X_KMADDRESS extension. */
bool pfkey_ext_kmaddress(const uint8_t *p, size_t len, struct addr *local,
    struct addr *remote, struct pfkey_err *err);

/*
 * Copy the first size bytes of the extension p[0..len) into out (a
 * <linux/pfkeyv2.h> struct: host order as in the kernel) through the
 * bounded reader; false, copying nothing, when len < size.
 */
bool pfkey_ext_copy(const uint8_t *p, size_t len, void *out, size_t size);

/* Bytes a sockaddr of family takes in PF_KEY: 16, 28, or 0 for others. */
size_t pfkey_sockaddr_len(int family);

/* A sockaddr pair's bytes, padded to 8: 32 (IPv4), 56 (IPv6), or 0. */
size_t pfkey_sockaddr_pair_len(int family);

#endif
