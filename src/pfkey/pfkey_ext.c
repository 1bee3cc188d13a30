/*
 * PF_KEY extensions one at a time: length rules and content checks
 * (parse_exthdrs' per-type part in Linux net/key/af_key.c) and decoders
 * for the extensions with structure.
 *
 * Followed from af_key: the minimum lengths of sadb_ext_min_len[];
 * verify_address_len (a sockaddr_in or sockaddr_in6 filling the address
 * extension exactly, prefixlen within the family); verify_key_len;
 * verify_sec_ctx_len (at most PAGE_SIZE, filling the extension exactly);
 * parse_sockaddr_pair (two sockaddrs of one family); the X_FILTER prefix
 * bound of pfkey_dump (< 128).
 *
 * Deliberately stricter than af_key (EINVAL unless said), because the
 * clients we serve (racoon/setkey through libipsec, strongSwan's
 * kernel-pfkey) never send what is refused and each refusal closes a way
 * to smuggle unchecked bytes past the parser:
 *   - extensions of fixed size (sa, lifetimes, spirange, x_sa2, the NAT-T
 *     ones, x_filter) must be exactly that size, not merely at least it;
 *   - a key extension must be exactly as long as its bits need (af_key
 *     accepts longer ones); a sensitivity exactly as long as its bitmaps;
 *     a proposal a whole number of sadb_comb;
 *   - spirange min > max and an unknown x_sa2 mode are refused here for
 *     every message (af_key checks them in GETSPI and ADD only);
 *   - X_POLICY requests must be multiples of 8 bytes (af_key walks odd
 *     lengths to unaligned requests), nothing may follow the last one
 *     (af_key ignores fewer than 16 trailing bytes), each must name ESP,
 *     AH or IPcomp, a mode of 1 to 3 and a level of 0 to 3 (af_key takes
 *     any other level as "require"), and a request outside tunnel mode may
 *     carry endpoints only as a well-formed pair (af_key ignores them);
 *     more than PFKEY_REQ_MAX requests is ELOOP, af_key's errno when a
 *     policy exceeds its depth;
 *   - x_kmaddress must hold exactly one sockaddr pair; x_filter needs a
 *     known family and prefix lengths within it.
 * Padding after a sockaddr_in6, sin_zero, flow info and scope are not
 * looked at, as in af_key.
 */
#include "config.h"

#include "pfkey/pfkey_ext.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include <linux/ipsec.h>

#include "common/rd.h"

#define ALIGN8(n) (((size_t)(n) + 7u) & ~(size_t)7u)
#define EXT_FMT "ext %u (%s): "
#define EXT_ARG(t) (t), pfkey_ext_name(t)

/* Length rules in bytes: minimum, and exact size when fixed (else 0). */
static const struct {
	uint16_t min;
	uint16_t fixed;
} ext_rules[PFKEY_EXT_COUNT] = {
	[SADB_EXT_SA] = { sizeof(struct sadb_sa), sizeof(struct sadb_sa) },
	[SADB_EXT_LIFETIME_CURRENT] = { sizeof(struct sadb_lifetime),
	    sizeof(struct sadb_lifetime) },
	[SADB_EXT_LIFETIME_HARD] = { sizeof(struct sadb_lifetime),
	    sizeof(struct sadb_lifetime) },
	[SADB_EXT_LIFETIME_SOFT] = { sizeof(struct sadb_lifetime),
	    sizeof(struct sadb_lifetime) },
	[SADB_EXT_ADDRESS_SRC] = { sizeof(struct sadb_address), 0 },
	[SADB_EXT_ADDRESS_DST] = { sizeof(struct sadb_address), 0 },
	[SADB_EXT_ADDRESS_PROXY] = { sizeof(struct sadb_address), 0 },
	[SADB_EXT_KEY_AUTH] = { sizeof(struct sadb_key), 0 },
	[SADB_EXT_KEY_ENCRYPT] = { sizeof(struct sadb_key), 0 },
	[SADB_EXT_IDENTITY_SRC] = { sizeof(struct sadb_ident), 0 },
	[SADB_EXT_IDENTITY_DST] = { sizeof(struct sadb_ident), 0 },
	[SADB_EXT_SENSITIVITY] = { sizeof(struct sadb_sens), 0 },
	[SADB_EXT_PROPOSAL] = { sizeof(struct sadb_prop), 0 },
	[SADB_EXT_SUPPORTED_AUTH] = { sizeof(struct sadb_supported), 0 },
	[SADB_EXT_SUPPORTED_ENCRYPT] = { sizeof(struct sadb_supported), 0 },
	[SADB_EXT_SPIRANGE] = { sizeof(struct sadb_spirange),
	    sizeof(struct sadb_spirange) },
	[SADB_X_EXT_KMPRIVATE] = { sizeof(struct sadb_x_kmprivate), 0 },
	[SADB_X_EXT_POLICY] = { sizeof(struct sadb_x_policy), 0 },
	[SADB_X_EXT_SA2] = { sizeof(struct sadb_x_sa2),
	    sizeof(struct sadb_x_sa2) },
	[SADB_X_EXT_NAT_T_TYPE] = { sizeof(struct sadb_x_nat_t_type),
	    sizeof(struct sadb_x_nat_t_type) },
	[SADB_X_EXT_NAT_T_SPORT] = { sizeof(struct sadb_x_nat_t_port),
	    sizeof(struct sadb_x_nat_t_port) },
	[SADB_X_EXT_NAT_T_DPORT] = { sizeof(struct sadb_x_nat_t_port),
	    sizeof(struct sadb_x_nat_t_port) },
	[SADB_X_EXT_NAT_T_OA] = { sizeof(struct sadb_address), 0 },
	[SADB_X_EXT_SEC_CTX] = { sizeof(struct sadb_x_sec_ctx), 0 },
	[SADB_X_EXT_KMADDRESS] = { sizeof(struct sadb_x_kmaddress), 0 },
	[SADB_X_EXT_FILTER] = { sizeof(struct sadb_x_filter),
	    sizeof(struct sadb_x_filter) },
};

bool
pfkey_ext_copy(const uint8_t *p, size_t len, void *out, size_t size)
{
	struct rd r;

	rd_init(&r, p, len);
	return rd_copy(&r, out, size);
}

/* pfkey_ext_copy, or EINVAL naming type when p is too short. */
static bool
copy_fixed(unsigned type, const uint8_t *p, size_t len, void *out, size_t size,
    struct pfkey_err *err)
{
	if (pfkey_ext_copy(p, len, out, size))
		return true;
	pfkey_err_set(
	    err, EINVAL, EXT_FMT "%zu bytes < %zu", EXT_ARG(type), len, size);
	return false;
}

size_t
pfkey_sockaddr_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

size_t
pfkey_sockaddr_pair_len(int family)
{
	return ALIGN8(2 * pfkey_sockaddr_len(family));
}

static const char *
family_name(unsigned family)
{
	switch (family) {
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	}
	return "unknown";
}

enum sa_result {
	SA_OK,
	SA_SHORT,  /* the sockaddr does not fit */
	SA_FAMILY, /* neither AF_INET nor AF_INET6 */
	SA_MIXED,  /* a pair of two families */
	SA_LENGTH, /* a pair with bytes left over */
};

static const char *
sa_why(enum sa_result res)
{
	switch (res) {
	case SA_OK:
		break;
	case SA_SHORT:
		return "sockaddr does not fit";
	case SA_FAMILY:
		return "sockaddr family is not AF_INET or AF_INET6";
	case SA_MIXED:
		return "the two sockaddrs differ in family";
	case SA_LENGTH:
		return "bytes left after the sockaddr pair";
	}
	return "ok";
}

/*
 * A sockaddr_in or sockaddr_in6 at r, consumed.  sa_family is host order;
 * the port and address are network order (struct addr keeps that).
 */
static enum sa_result
rd_sockaddr(struct rd *r, struct addr *a, uint16_t *port, uint16_t *family)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct rd peek = *r;
	sa_family_t f;

	*family = 0;
	if (!rd_copy(&peek, &f, sizeof(f)))
		return SA_SHORT;
	*family = f;
	switch (f) {
	case AF_INET:
		if (!rd_copy(r, &sin, sizeof(sin)))
			return SA_SHORT;
		addr_set(a, AF_INET, &sin.sin_addr);
		*port = ntohs(sin.sin_port);
		return SA_OK;
	case AF_INET6:
		if (!rd_copy(r, &sin6, sizeof(sin6)))
			return SA_SHORT;
		addr_set(a, AF_INET6, &sin6.sin6_addr);
		*port = ntohs(sin6.sin6_port);
		return SA_OK;
	}
	return SA_FAMILY;
}

/* Two sockaddrs of one family filling exactly n bytes at r, consumed. */
static enum sa_result
rd_pair(struct rd *r, size_t n, struct addr *src, struct addr *dst)
{
	struct rd sub;
	enum sa_result res;
	uint16_t port, f1, f2;

	if (!rd_sub(r, n, &sub))
		return SA_SHORT;
	if ((res = rd_sockaddr(&sub, src, &port, &f1)) != SA_OK ||
	    (res = rd_sockaddr(&sub, dst, &port, &f2)) != SA_OK)
		return res;
	if (f1 != f2)
		return SA_MIXED;
	if (n != pfkey_sockaddr_pair_len(f1))
		return SA_LENGTH;
	return SA_OK;
}

bool
pfkey_ext_address(const uint8_t *p, size_t len, struct pfkey_address *a,
    struct pfkey_err *err)
{
	struct sadb_address h;
	struct rd r;
	enum sa_result res;
	uint16_t family;
	unsigned max;
	size_t need;

	memset(a, 0, sizeof(*a));
	rd_init(&r, p, len);
	if (!rd_copy(&r, &h, sizeof(h))) {
		pfkey_err_set(
		    err, EINVAL, "address extension of %zu bytes", len);
		return false;
	}
	if ((res = rd_sockaddr(&r, &a->addr, &a->port, &family)) != SA_OK) {
		pfkey_err_set(err, EINVAL, EXT_FMT "%s (family %u, %zu bytes)",
		    EXT_ARG(h.sadb_address_exttype), sa_why(res), family, len);
		return false;
	}
	need = ALIGN8(sizeof(h) + pfkey_sockaddr_len(family));
	if (len != need) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "%zu bytes for an %s sockaddr, expected %zu",
		    EXT_ARG(h.sadb_address_exttype), len, family_name(family),
		    need);
		return false;
	}
	max = family == AF_INET ? 32 : 128;
	if (h.sadb_address_prefixlen > max) {
		pfkey_err_set(err, EINVAL, EXT_FMT "prefixlen %u > %u",
		    EXT_ARG(h.sadb_address_exttype), h.sadb_address_prefixlen,
		    max);
		return false;
	}
	a->proto = h.sadb_address_proto;
	a->prefixlen = h.sadb_address_prefixlen;
	return true;
}

bool
pfkey_ext_key(const uint8_t *p, size_t len, const uint8_t **key, unsigned *bits,
    struct pfkey_err *err)
{
	struct sadb_key h;
	struct rd r;
	size_t need;

	rd_init(&r, p, len);
	if (!rd_copy(&r, &h, sizeof(h))) {
		pfkey_err_set(err, EINVAL, "key extension of %zu bytes", len);
		return false;
	}
	need = ALIGN8(sizeof(h) + (h.sadb_key_bits + 7u) / 8u);
	if (len != need) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "%u key bits need %zu bytes, extension has %zu",
		    EXT_ARG(h.sadb_key_exttype), h.sadb_key_bits, need, len);
		return false;
	}
	*key = rd_cur(&r);
	*bits = h.sadb_key_bits;
	return true;
}

static bool
check_levels(
    const struct sadb_x_ipsecrequest *q, unsigned n, struct pfkey_err *err)
{
	unsigned proto = q->sadb_x_ipsecrequest_proto;

	if (proto != IPPROTO_ESP && proto != IPPROTO_AH &&
	    proto != IPPROTO_COMP) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: protocol %u is not esp, ah or ipcomp",
		    EXT_ARG(SADB_X_EXT_POLICY), n, proto);
		return false;
	}
	if (q->sadb_x_ipsecrequest_mode < IPSEC_MODE_TRANSPORT ||
	    q->sadb_x_ipsecrequest_mode > IPSEC_MODE_BEET) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: mode %u is not 1 to 3",
		    EXT_ARG(SADB_X_EXT_POLICY), n, q->sadb_x_ipsecrequest_mode);
		return false;
	}
	if (q->sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: level %u is not 0 to 3",
		    EXT_ARG(SADB_X_EXT_POLICY), n,
		    q->sadb_x_ipsecrequest_level);
		return false;
	}
	return true;
}

/* The next sadb_x_ipsecrequest at r, appended to pol. */
static bool
rd_request(struct rd *r, struct pfkey_policy *pol, struct pfkey_err *err)
{
	struct sadb_x_ipsecrequest q;
	struct pfkey_req *rq;
	struct rd peek = *r;
	enum sa_result res;
	unsigned n = pol->nreq + 1u; /* 1-based, for reasons */
	size_t qlen, left = rd_left(r);

	if (!rd_copy(&peek, &q, sizeof(q))) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: %zu bytes left, a request needs %zu",
		    EXT_ARG(SADB_X_EXT_POLICY), n, left, sizeof(q));
		return false;
	}
	qlen = q.sadb_x_ipsecrequest_len;
	if (qlen < sizeof(q) || qlen > left || qlen % 8u != 0) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: length %zu is not a multiple of 8 in "
			    "16..%zu",
		    EXT_ARG(SADB_X_EXT_POLICY), n, qlen, left);
		return false;
	}
	if (pol->nreq == PFKEY_REQ_MAX) {
		pfkey_err_set(err, ELOOP, EXT_FMT "more than %u requests",
		    EXT_ARG(SADB_X_EXT_POLICY), PFKEY_REQ_MAX);
		return false;
	}
	if (!check_levels(&q, n, err))
		return false;
	rq = &pol->req[pol->nreq];
	memset(rq, 0, sizeof(*rq));
	rq->proto = (uint8_t)q.sadb_x_ipsecrequest_proto;
	rq->mode = q.sadb_x_ipsecrequest_mode;
	rq->level = q.sadb_x_ipsecrequest_level;
	rq->reqid = q.sadb_x_ipsecrequest_reqid;
	rd_skip(r, sizeof(q));
	if (qlen > sizeof(q)) {
		res = rd_pair(r, qlen - sizeof(q), &rq->src, &rq->dst);
		if (res != SA_OK) {
			pfkey_err_set(err, EINVAL,
			    EXT_FMT "request %u: %s (%zu bytes of endpoints)",
			    EXT_ARG(SADB_X_EXT_POLICY), n, sa_why(res),
			    qlen - sizeof(q));
			return false;
		}
	} else if (rq->mode == IPSEC_MODE_TUNNEL) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "request %u: tunnel mode without endpoints",
		    EXT_ARG(SADB_X_EXT_POLICY), n);
		return false;
	}
	pol->nreq++;
	return true;
}

bool
pfkey_ext_policy(const uint8_t *p, size_t len, struct pfkey_policy *pol,
    struct pfkey_err *err)
{
	struct sadb_x_policy h;
	struct rd r;

	memset(pol, 0, sizeof(*pol));
	rd_init(&r, p, len);
	if (!rd_copy(&r, &h, sizeof(h))) {
		pfkey_err_set(
		    err, EINVAL, "policy extension of %zu bytes", len);
		return false;
	}
	pol->type = h.sadb_x_policy_type;
	pol->dir = h.sadb_x_policy_dir;
	pol->id = h.sadb_x_policy_id;
	pol->priority = h.sadb_x_policy_priority;
	while (rd_left(&r) > 0)
		if (!rd_request(&r, pol, err))
			return false;
	return true;
}

bool
pfkey_ext_kmaddress(const uint8_t *p, size_t len, struct addr *local,
    struct addr *remote, struct pfkey_err *err)
{
	struct sadb_x_kmaddress h;
	struct rd r;
	enum sa_result res;

	rd_init(&r, p, len);
	if (!rd_copy(&r, &h, sizeof(h))) {
		pfkey_err_set(
		    err, EINVAL, "kmaddress extension of %zu bytes", len);
		return false;
	}
	if ((res = rd_pair(&r, rd_left(&r), local, remote)) != SA_OK) {
		pfkey_err_set(err, EINVAL, EXT_FMT "%s (%zu bytes)",
		    EXT_ARG(SADB_X_EXT_KMADDRESS), sa_why(res), len);
		return false;
	}
	return true;
}

static bool
check_sens(const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct sadb_sens h;
	size_t need;

	if (!copy_fixed(SADB_EXT_SENSITIVITY, p, len, &h, sizeof(h), err))
		return false;
	need = sizeof(h) +
	    8u * ((size_t)h.sadb_sens_sens_len + h.sadb_sens_integ_len);
	if (len != need) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "bitmaps of %u and %u units need %zu bytes, "
			    "extension has %zu",
		    EXT_ARG(SADB_EXT_SENSITIVITY), h.sadb_sens_sens_len,
		    h.sadb_sens_integ_len, need, len);
		return false;
	}
	return true;
}

static bool
check_proposal(size_t len, struct pfkey_err *err)
{
	if ((len - sizeof(struct sadb_prop)) % sizeof(struct sadb_comb) != 0) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "%zu bytes are not a whole number of %zu-byte "
			    "combinations",
		    EXT_ARG(SADB_EXT_PROPOSAL), len - sizeof(struct sadb_prop),
		    sizeof(struct sadb_comb));
		return false;
	}
	return true;
}

static bool
check_spirange(const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct sadb_spirange h;

	if (!copy_fixed(SADB_EXT_SPIRANGE, p, len, &h, sizeof(h), err))
		return false;
	if (h.sadb_spirange_min > h.sadb_spirange_max) {
		pfkey_err_set(err, EINVAL, EXT_FMT "min 0x%x > max 0x%x",
		    EXT_ARG(SADB_EXT_SPIRANGE), h.sadb_spirange_min,
		    h.sadb_spirange_max);
		return false;
	}
	return true;
}

static bool
check_sa2(const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct sadb_x_sa2 h;

	if (!copy_fixed(SADB_X_EXT_SA2, p, len, &h, sizeof(h), err))
		return false;
	if (h.sadb_x_sa2_mode > IPSEC_MODE_BEET) {
		pfkey_err_set(err, EINVAL, EXT_FMT "mode %u is not 0 to 3",
		    EXT_ARG(SADB_X_EXT_SA2), h.sadb_x_sa2_mode);
		return false;
	}
	return true;
}

static bool
check_sec_ctx(const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct sadb_x_sec_ctx h;
	size_t need;

	if (!copy_fixed(SADB_X_EXT_SEC_CTX, p, len, &h, sizeof(h), err))
		return false;
	need = ALIGN8(sizeof(h) + h.sadb_x_ctx_len);
	if (h.sadb_x_ctx_len > PFKEY_SEC_CTX_MAX || len != need) {
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "context of %u bytes (at most %u) needs %zu bytes, "
			    "extension has %zu",
		    EXT_ARG(SADB_X_EXT_SEC_CTX), h.sadb_x_ctx_len,
		    PFKEY_SEC_CTX_MAX, need, len);
		return false;
	}
	return true;
}

static bool
check_filter(const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct sadb_x_filter h;
	unsigned max;

	if (!copy_fixed(SADB_X_EXT_FILTER, p, len, &h, sizeof(h), err))
		return false;
	switch (h.sadb_x_filter_family) {
	case AF_INET:
		max = 32;
		break;
	case AF_INET6:
		max = 127; /* af_key refuses 128 and more */
		break;
	default:
		pfkey_err_set(err, EINVAL,
		    EXT_FMT "family %u is not AF_INET or AF_INET6",
		    EXT_ARG(SADB_X_EXT_FILTER), h.sadb_x_filter_family);
		return false;
	}
	if (h.sadb_x_filter_splen > max || h.sadb_x_filter_dplen > max) {
		pfkey_err_set(err, EINVAL, EXT_FMT "prefix lengths %u/%u > %u",
		    EXT_ARG(SADB_X_EXT_FILTER), h.sadb_x_filter_splen,
		    h.sadb_x_filter_dplen, max);
		return false;
	}
	return true;
}

/* Contents of a type whose length rules p already passed. */
static bool
check_contents(
    unsigned type, const uint8_t *p, size_t len, struct pfkey_err *err)
{
	struct pfkey_address a;
	struct pfkey_policy pol;
	struct addr local, remote;
	const uint8_t *key;
	unsigned bits;

	switch (type) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		return pfkey_ext_address(p, len, &a, err);
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		return pfkey_ext_key(p, len, &key, &bits, err);
	case SADB_EXT_SENSITIVITY:
		return check_sens(p, len, err);
	case SADB_EXT_PROPOSAL:
		return check_proposal(len, err);
	case SADB_EXT_SPIRANGE:
		return check_spirange(p, len, err);
	case SADB_X_EXT_POLICY:
		return pfkey_ext_policy(p, len, &pol, err);
	case SADB_X_EXT_SA2:
		return check_sa2(p, len, err);
	case SADB_X_EXT_SEC_CTX:
		return check_sec_ctx(p, len, err);
	case SADB_X_EXT_KMADDRESS:
		return pfkey_ext_kmaddress(p, len, &local, &remote, err);
	case SADB_X_EXT_FILTER:
		return check_filter(p, len, err);
	}
	/*
	 * sa, lifetimes, identities, supported lists, kmprivate and the NAT-T
	 * type and ports: their length rules are all there is to check
	 * here; values are judged where they are used (pfkey_conv.c).
	 */
	return true;
}

bool
pfkey_ext_check(
    unsigned type, const uint8_t *p, size_t len, struct pfkey_err *err)
{
	if (type == SADB_EXT_RESERVED || type > SADB_EXT_MAX) {
		pfkey_err_set(err, EINVAL, "unknown extension type %u", type);
		return false;
	}
	if (len < ext_rules[type].min) {
		pfkey_err_set(err, EINVAL, EXT_FMT "%zu bytes < minimum %u",
		    EXT_ARG(type), len, ext_rules[type].min);
		return false;
	}
	if (ext_rules[type].fixed != 0 && len != ext_rules[type].fixed) {
		pfkey_err_set(err, EINVAL, EXT_FMT "%zu bytes, expected %u",
		    EXT_ARG(type), len, ext_rules[type].fixed);
		return false;
	}
	return check_contents(type, p, len, err);
}
