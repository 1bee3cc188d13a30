/*
 * PF_KEY v2 message parsing: the base header, the walk over the
 * extensions, and each message type's rules, for requests from key
 * managers (PFKEY_ORIGIN_USER) and for the kernel side's own messages
 * (PFKEY_ORIGIN_KERNEL).  Pure: no I/O, no allocation, no logging.
 *
 * Followed from Linux net/key/af_key.c:
 *   - pfkey_get_base_msg: version PF_KEY_V2, reserved 0, type 1..SADB_MAX
 *     (EINVAL); fewer than 16 bytes or sadb_msg_len != len / 8 or < 2 is
 *     EMSGSIZE.  These failures leave err->has_hdr false: Linux fails the
 *     send() with the errno and answers nothing.
 *   - parse_exthdrs: an extension header must fit; its length is at least
 *     one unit and at most what is left; type 0 and repeated types are
 *     EINVAL; then the per-type rules of pfkey_ext.c.
 *   - the handlers' required extensions and values, all EINVAL unless
 *     said: GETSPI needs SRC and DST of one family and an SA type of AH,
 *     ESP or IPcomp; ADD/UPDATE need SA, SRC, DST of one family, ESP a
 *     KEY_ENCRYPT, AH a KEY_AUTH, LIFETIME_HARD and _SOFT both or neither,
 *     algorithm numbers within SADB_AALG_MAX / SADB_EALG_MAX /
 *     SADB_X_CALG_MAX, non-zero key bits for a non-null algorithm, and an
 *     SA type naming a protocol (UNSPEC: EPROTONOSUPPORT, which Linux
 *     answers from xfrm_init_state); DELETE/GET need SA, SRC, DST of one
 *     family, and an unknown SA type is ESRCH (Linux's lookup finds
 *     nothing); a user ACQUIRE is a bare header, else EOPNOTSUPP; REGISTER
 *     takes an SA type up to SADB_SATYPE_MAX; FLUSH and DUMP take UNSPEC,
 *     AH, ESP or IPcomp; a bare X_PROMISC takes satype 0 or 1;
 *     X_SPDADD/UPDATE/SETIDX need SRC, DST of one family and X_POLICY with
 *     a type of at most IPSEC_POLICY_IPSEC and a direction of 1 to 3;
 *     X_SPDDELETE the same without the type rule; X_SPDGET/DELETE2 an
 *     X_POLICY whose id encodes a direction below 3; X_MIGRATE SRC, DST,
 *     X_POLICY and pairs of requests (old, new) that agree in protocol,
 *     mode and reqid.  Types without a handler in af_key (EXPIRE,
 *     X_PCHANGE, X_SPDACQUIRE, X_SPDEXPIRE, X_NAT_T_NEW_MAPPING) are
 *     EOPNOTSUPP from a user.
 *
 * Deliberately different (and why):
 *   - A length that is not a multiple of 8 is refused here as trailing
 *     bytes (EINVAL), which is what Linux reaches too, one step later.
 *   - Extension types above SADB_EXT_MAX are EINVAL; af_key skips them.
 *     No client built against <linux/pfkeyv2.h> can send one, and a
 *     silently dropped extension hides a mismatch between the peers.
 *   - A policy may carry at most SPD_TMPL_MAX (4) requests, the templates
 *     our SPD holds; the fifth is ELOOP, af_key's errno when its own
 *     depth (6) is exceeded.  This holds for every policy type (af_key
 *     reads requests of IPSEC policies only).  A MIGRATE carries at most
 *     4 pairs for the same reason (af_key: 6).
 *   - A MIGRATE or SPD direction of 0 is refused at once (af_key lets
 *     MIGRATE's through to xfrm_migrate, which refuses it: same errno).
 *   - Kernel-side messages are not described by af_key's parser at all:
 *     for them we require what af_key's builders always emit (see
 *     kernel_rules below) so that ipsecctl can rely on it, and allow a
 *     non-zero sadb_msg_reserved (Linux puts a policy's refcount there).
 */
#include "config.h"

#include "pfkey/pfkey_msg.h"

#include <netinet/in.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/ipsec.h>

#include "common/rd.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_ext.h"

#define X(t) (1u << (t)) /* bit of extension type t in a set */

static const char *const msg_names[SADB_MAX + 1] = {
	[SADB_RESERVED] = "reserved",
	[SADB_GETSPI] = "getspi",
	[SADB_UPDATE] = "update",
	[SADB_ADD] = "add",
	[SADB_DELETE] = "delete",
	[SADB_GET] = "get",
	[SADB_ACQUIRE] = "acquire",
	[SADB_REGISTER] = "register",
	[SADB_EXPIRE] = "expire",
	[SADB_FLUSH] = "flush",
	[SADB_DUMP] = "dump",
	[SADB_X_PROMISC] = "x_promisc",
	[SADB_X_PCHANGE] = "x_pchange",
	[SADB_X_SPDUPDATE] = "x_spdupdate",
	[SADB_X_SPDADD] = "x_spdadd",
	[SADB_X_SPDDELETE] = "x_spddelete",
	[SADB_X_SPDGET] = "x_spdget",
	[SADB_X_SPDACQUIRE] = "x_spdacquire",
	[SADB_X_SPDDUMP] = "x_spddump",
	[SADB_X_SPDFLUSH] = "x_spdflush",
	[SADB_X_SPDSETIDX] = "x_spdsetidx",
	[SADB_X_SPDEXPIRE] = "x_spdexpire",
	[SADB_X_SPDDELETE2] = "x_spddelete2",
	[SADB_X_NAT_T_NEW_MAPPING] = "x_nat_t_new_mapping",
	[SADB_X_MIGRATE] = "x_migrate",
};

static const char *const ext_names[PFKEY_EXT_COUNT] = {
	[SADB_EXT_RESERVED] = "reserved",
	[SADB_EXT_SA] = "sa",
	[SADB_EXT_LIFETIME_CURRENT] = "lifetime_current",
	[SADB_EXT_LIFETIME_HARD] = "lifetime_hard",
	[SADB_EXT_LIFETIME_SOFT] = "lifetime_soft",
	[SADB_EXT_ADDRESS_SRC] = "address_src",
	[SADB_EXT_ADDRESS_DST] = "address_dst",
	[SADB_EXT_ADDRESS_PROXY] = "address_proxy",
	[SADB_EXT_KEY_AUTH] = "key_auth",
	[SADB_EXT_KEY_ENCRYPT] = "key_encrypt",
	[SADB_EXT_IDENTITY_SRC] = "identity_src",
	[SADB_EXT_IDENTITY_DST] = "identity_dst",
	[SADB_EXT_SENSITIVITY] = "sensitivity",
	[SADB_EXT_PROPOSAL] = "proposal",
	[SADB_EXT_SUPPORTED_AUTH] = "supported_auth",
	[SADB_EXT_SUPPORTED_ENCRYPT] = "supported_encrypt",
	[SADB_EXT_SPIRANGE] = "spirange",
	[SADB_X_EXT_KMPRIVATE] = "x_kmprivate",
	[SADB_X_EXT_POLICY] = "x_policy",
	[SADB_X_EXT_SA2] = "x_sa2",
	[SADB_X_EXT_NAT_T_TYPE] = "x_nat_t_type",
	[SADB_X_EXT_NAT_T_SPORT] = "x_nat_t_sport",
	[SADB_X_EXT_NAT_T_DPORT] = "x_nat_t_dport",
	[SADB_X_EXT_NAT_T_OA] = "x_nat_t_oa",
	[SADB_X_EXT_SEC_CTX] = "x_sec_ctx",
	[SADB_X_EXT_KMADDRESS] = "x_kmaddress",
	[SADB_X_EXT_FILTER] = "x_filter",
};

const char *
pfkey_msg_name(unsigned type)
{
	return type <= SADB_MAX ? msg_names[type] : "?";
}

const char *
pfkey_ext_name(unsigned type)
{
	return type <= SADB_EXT_MAX ? ext_names[type] : "?";
}

void
pfkey_err_set(struct pfkey_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
}

uint8_t
pfkey_satype_proto(uint8_t satype)
{
	switch (satype) {
	case SADB_SATYPE_AH:
		return IPPROTO_AH;
	case SADB_SATYPE_ESP:
		return IPPROTO_ESP;
	case SADB_X_SATYPE_IPCOMP:
		return IPPROTO_COMP;
	}
	return 0;
}

uint8_t
pfkey_proto_satype(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_AH:
		return SADB_SATYPE_AH;
	case IPPROTO_ESP:
		return SADB_SATYPE_ESP;
	case IPPROTO_COMP:
		return SADB_X_SATYPE_IPCOMP;
	}
	return SADB_SATYPE_UNSPEC;
}

bool
pfkey_msg_has(const struct pfkey_msg *m, unsigned type)
{
	return type != SADB_EXT_RESERVED && type <= SADB_EXT_MAX &&
	    m->ext[type].len != 0;
}

const uint8_t *
pfkey_msg_ext(const struct pfkey_msg *m, unsigned type, size_t *len)
{
	if (!pfkey_msg_has(m, type))
		return NULL;
	*len = m->ext[type].len;
	return m->buf + m->ext[type].off;
}

static const char *
name(const struct pfkey_msg *m)
{
	return pfkey_msg_name(m->hdr.type);
}

/* --- base header and extension walk --- */

static bool
parse_hdr(struct pfkey_msg *m, size_t len, enum pfkey_origin origin,
    struct pfkey_err *err)
{
	struct sadb_msg h;
	struct rd r;

	rd_init(&r, m->buf, len);
	if (!rd_copy(&r, &h, sizeof(h))) {
		pfkey_err_set(err, EMSGSIZE,
		    "message of %zu bytes is shorter than its 16-byte header",
		    len);
		return false;
	}
	m->hdr.version = h.sadb_msg_version;
	m->hdr.type = h.sadb_msg_type;
	m->hdr.error = h.sadb_msg_errno;
	m->hdr.satype = h.sadb_msg_satype;
	m->hdr.len64 = h.sadb_msg_len;
	m->hdr.reserved = h.sadb_msg_reserved;
	m->hdr.seq = h.sadb_msg_seq;
	m->hdr.pid = h.sadb_msg_pid;
	if (h.sadb_msg_version != PF_KEY_V2) {
		pfkey_err_set(err, EINVAL, "version %u, expected %u",
		    h.sadb_msg_version, PF_KEY_V2);
		return false;
	}
	if (h.sadb_msg_reserved != 0 && origin == PFKEY_ORIGIN_USER) {
		pfkey_err_set(err, EINVAL, "reserved field is %u, not 0",
		    h.sadb_msg_reserved);
		return false;
	}
	if (h.sadb_msg_type == SADB_RESERVED || h.sadb_msg_type > SADB_MAX) {
		pfkey_err_set(
		    err, EINVAL, "unknown message type %u", h.sadb_msg_type);
		return false;
	}
	if (h.sadb_msg_len < PFKEY_HDR_LEN / 8u || h.sadb_msg_len != len / 8u) {
		pfkey_err_set(err, EMSGSIZE,
		    "%s: sadb_msg_len %u units for %zu bytes", name(m),
		    h.sadb_msg_len, len);
		return false;
	}
	return true;
}

static bool
parse_exts(struct pfkey_msg *m, struct pfkey_err *err)
{
	struct rd r;

	rd_init(&r, m->buf, m->len);
	rd_skip(&r, PFKEY_HDR_LEN);
	while (rd_left(&r) > 0) {
		struct sadb_ext eh;
		struct rd peek = r;
		size_t off = r.off, bytes;
		unsigned type;
		const uint8_t *p;

		if (!rd_copy(&peek, &eh, sizeof(eh))) {
			pfkey_err_set(err, EINVAL,
			    "%s: %zu trailing bytes after the last extension",
			    name(m), rd_left(&r));
			return false;
		}
		type = eh.sadb_ext_type;
		bytes = (size_t)eh.sadb_ext_len * 8u;
		if (bytes == 0) {
			pfkey_err_set(err, EINVAL,
			    "%s: ext %u (%s) at byte %zu has length 0", name(m),
			    type, pfkey_ext_name(type), off);
			return false;
		}
		if (!rd_ptr(&r, bytes, &p)) {
			pfkey_err_set(err, EINVAL,
			    "%s: ext %u (%s) of %zu bytes at byte %zu, only "
			    "%zu left",
			    name(m), type, pfkey_ext_name(type), bytes, off,
			    rd_left(&r));
			return false;
		}
		if (pfkey_msg_has(m, type)) {
			pfkey_err_set(err, EINVAL, "%s: ext %u (%s) repeated",
			    name(m), type, pfkey_ext_name(type));
			return false;
		}
		if (!pfkey_ext_check(type, p, bytes, err))
			return false;
		m->ext[type].off = (uint32_t)off;
		m->ext[type].len = (uint32_t)bytes;
	}
	return true;
}

/* --- message rules --- */

typedef bool (*rule_fn)(const struct pfkey_msg *m, struct pfkey_err *err);

/* Every extension of the set is present, else EINVAL naming one. */
static bool
need(const struct pfkey_msg *m, uint32_t set, struct pfkey_err *err)
{
	for (unsigned t = 1; t <= SADB_EXT_MAX; t++) {
		if ((set & X(t)) != 0 && !pfkey_msg_has(m, t)) {
			pfkey_err_set(err, EINVAL, "%s: missing ext %u (%s)",
			    name(m), t, pfkey_ext_name(t));
			return false;
		}
	}
	return true;
}

static bool
address(const struct pfkey_msg *m, unsigned type, struct pfkey_address *a,
    struct pfkey_err *err)
{
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, type, &len);

	if (p == NULL) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (%s)", name(m),
		    type, pfkey_ext_name(type));
		return false;
	}
	return pfkey_ext_address(p, len, a, err);
}

/* SRC and DST (present) are of one family (af_key's present_and_same_family).
 */
static bool
same_family(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_address src, dst;

	if (!address(m, SADB_EXT_ADDRESS_SRC, &src, err) ||
	    !address(m, SADB_EXT_ADDRESS_DST, &dst, err))
		return false;
	if (src.addr.family != dst.addr.family) {
		pfkey_err_set(err, EINVAL,
		    "%s: address_src family %u differs from address_dst "
		    "family %u",
		    name(m), src.addr.family, dst.addr.family);
		return false;
	}
	return true;
}

/* The SA type names AH, ESP or IPcomp, else code. */
static bool
satype_sa(const struct pfkey_msg *m, int code, struct pfkey_err *err)
{
	if (pfkey_satype_proto(m->hdr.satype) == 0) {
		pfkey_err_set(err, code,
		    "%s: satype %u is not ah, esp or ipcomp", name(m),
		    m->hdr.satype);
		return false;
	}
	return true;
}

static bool
satype_sa_or_any(const struct pfkey_msg *m, struct pfkey_err *err)
{
	return m->hdr.satype == SADB_SATYPE_UNSPEC || satype_sa(m, EINVAL, err);
}

static bool
policy(
    const struct pfkey_msg *m, struct pfkey_policy *pol, struct pfkey_err *err)
{
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, SADB_X_EXT_POLICY, &len);

	if (p == NULL) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (x_policy)",
		    name(m), SADB_X_EXT_POLICY);
		return false;
	}
	return pfkey_ext_policy(p, len, pol, err);
}

static bool
policy_dir(const struct pfkey_msg *m, const struct pfkey_policy *pol,
    struct pfkey_err *err)
{
	if (pol->dir < IPSEC_DIR_INBOUND || pol->dir > IPSEC_DIR_FWD) {
		pfkey_err_set(err, EINVAL,
		    "%s: policy direction %u is not 1 (in), 2 (out) or 3 (fwd)",
		    name(m), pol->dir);
		return false;
	}
	return true;
}

static bool
policy_depth(const struct pfkey_msg *m, const struct pfkey_policy *pol,
    struct pfkey_err *err)
{
	if (pol->nreq > SPD_TMPL_MAX) {
		pfkey_err_set(err, ELOOP, "%s: %u requests, at most %u",
		    name(m), pol->nreq, SPD_TMPL_MAX);
		return false;
	}
	return true;
}

static bool
sa_values(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct sadb_sa sa;
	struct sadb_key key;
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, SADB_EXT_SA, &len);

	if (p == NULL || !pfkey_ext_copy(p, len, &sa, sizeof(sa))) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (sa)", name(m),
		    SADB_EXT_SA);
		return false;
	}
	if (sa.sadb_sa_auth > SADB_AALG_MAX ||
	    sa.sadb_sa_encrypt > SADB_EALG_MAX ||
	    (m->hdr.satype == SADB_X_SATYPE_IPCOMP &&
		sa.sadb_sa_encrypt > SADB_X_CALG_MAX)) {
		pfkey_err_set(err, EINVAL,
		    "%s: algorithm numbers auth %u / encrypt %u out of range",
		    name(m), sa.sadb_sa_auth, sa.sadb_sa_encrypt);
		return false;
	}
	if ((p = pfkey_msg_ext(m, SADB_EXT_KEY_AUTH, &len)) != NULL &&
	    pfkey_ext_copy(p, len, &key, sizeof(key))) {
		if (key.sadb_key_bits == 0 &&
		    sa.sadb_sa_auth != SADB_X_AALG_NULL) {
			pfkey_err_set(err, EINVAL,
			    "%s: key_auth of 0 bits for auth algorithm %u",
			    name(m), sa.sadb_sa_auth);
			return false;
		}
	}
	if ((p = pfkey_msg_ext(m, SADB_EXT_KEY_ENCRYPT, &len)) != NULL &&
	    pfkey_ext_copy(p, len, &key, sizeof(key))) {
		if (key.sadb_key_bits == 0 &&
		    sa.sadb_sa_encrypt != SADB_EALG_NULL) {
			pfkey_err_set(err, EINVAL,
			    "%s: key_encrypt of 0 bits for encryption "
			    "algorithm %u",
			    name(m), sa.sadb_sa_encrypt);
			return false;
		}
	}
	return true;
}

static bool
user_getspi(const struct pfkey_msg *m, struct pfkey_err *err)
{
	return need(
		   m, X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST), err) &&
	    same_family(m, err) && satype_sa(m, EINVAL, err);
}

static bool
user_add(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (!need(m,
		X(SADB_EXT_SA) | X(SADB_EXT_ADDRESS_SRC) |
		    X(SADB_EXT_ADDRESS_DST),
		err) ||
	    !same_family(m, err))
		return false;
	if ((m->hdr.satype == SADB_SATYPE_ESP &&
		!need(m, X(SADB_EXT_KEY_ENCRYPT), err)) ||
	    (m->hdr.satype == SADB_SATYPE_AH &&
		!need(m, X(SADB_EXT_KEY_AUTH), err)))
		return false;
	if (pfkey_msg_has(m, SADB_EXT_LIFETIME_HARD) !=
	    pfkey_msg_has(m, SADB_EXT_LIFETIME_SOFT)) {
		pfkey_err_set(err, EINVAL,
		    "%s: lifetime_hard and lifetime_soft come together",
		    name(m));
		return false;
	}
	if (m->hdr.satype != SADB_SATYPE_UNSPEC && !satype_sa(m, EINVAL, err))
		return false;
	if (!sa_values(m, err))
		return false;
	if (m->hdr.satype == SADB_SATYPE_UNSPEC) {
		pfkey_err_set(err, EPROTONOSUPPORT,
		    "%s: satype 0 (unspec) names no protocol", name(m));
		return false;
	}
	return true;
}

static bool
user_sa_id(const struct pfkey_msg *m, struct pfkey_err *err)
{
	return need(m,
		   X(SADB_EXT_SA) | X(SADB_EXT_ADDRESS_SRC) |
		       X(SADB_EXT_ADDRESS_DST),
		   err) &&
	    same_family(m, err) && satype_sa(m, ESRCH, err);
}

static bool
user_acquire(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (m->len != PFKEY_HDR_LEN) {
		pfkey_err_set(err, EOPNOTSUPP,
		    "acquire from a key manager is a bare header, not %zu "
		    "bytes",
		    m->len);
		return false;
	}
	return true;
}

static bool
user_register(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (m->hdr.satype > SADB_SATYPE_MAX) {
		pfkey_err_set(err, EINVAL, "register: satype %u > %u",
		    m->hdr.satype, SADB_SATYPE_MAX);
		return false;
	}
	return true;
}

static bool
user_refused(const struct pfkey_msg *m, struct pfkey_err *err)
{
	pfkey_err_set(
	    err, EOPNOTSUPP, "%s is not accepted from a key manager", name(m));
	return false;
}

static bool
user_promisc(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (m->len == PFKEY_HDR_LEN && m->hdr.satype > 1) {
		pfkey_err_set(err, EINVAL,
		    "x_promisc: satype %u is not 0 (off) or 1 (on)",
		    m->hdr.satype);
		return false;
	}
	return true;
}

static bool
spd_common(
    const struct pfkey_msg *m, struct pfkey_policy *pol, struct pfkey_err *err)
{
	return need(m,
		   X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |
		       X(SADB_X_EXT_POLICY),
		   err) &&
	    same_family(m, err) && policy(m, pol, err) &&
	    policy_dir(m, pol, err) && policy_depth(m, pol, err);
}

static bool
user_spdadd(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_policy pol;

	if (!spd_common(m, &pol, err))
		return false;
	if (pol.type > IPSEC_POLICY_IPSEC) {
		pfkey_err_set(err, EINVAL,
		    "%s: policy type %u is not discard, none or ipsec", name(m),
		    pol.type);
		return false;
	}
	return true;
}

static bool
user_spddelete(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_policy pol;

	return spd_common(m, &pol, err);
}

static bool
user_spdget(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_policy pol;

	if (!need(m, X(SADB_X_EXT_POLICY), err) || !policy(m, &pol, err))
		return false;
	/* Linux policy ids carry the direction in their low 3 bits. */
	if ((pol.id & 7u) > SPD_DIR_FWD) {
		pfkey_err_set(err, EINVAL,
		    "%s: policy id %u encodes direction %u, not 0 to 2",
		    name(m), pol.id, pol.id & 7u);
		return false;
	}
	return true;
}

static bool
no_rule(const struct pfkey_msg *m, struct pfkey_err *err)
{
	(void)m;
	(void)err;
	return true;
}

/* Old and new endpoints in pairs of requests (af_key ipsecrequests_to_migrate).
 */
static bool
migrate_pairs(const struct pfkey_msg *m, const struct pfkey_policy *pol,
    struct pfkey_err *err)
{
	if (pol->nreq == 0 || pol->nreq % 2u != 0 ||
	    pol->nreq > 2u * SPD_TMPL_MAX) {
		pfkey_err_set(err, EINVAL,
		    "%s: %u requests, expected 1 to %u (old, new) pairs",
		    name(m), pol->nreq, SPD_TMPL_MAX);
		return false;
	}
	for (unsigned i = 0; i < pol->nreq; i += 2) {
		const struct pfkey_req *a = &pol->req[i], *b = &pol->req[i + 1];

		if (a->src.family == 0 || b->src.family == 0) {
			pfkey_err_set(err, EINVAL,
			    "%s: request pair %u without endpoints", name(m),
			    i / 2u + 1u);
			return false;
		}
		if (a->proto != b->proto || a->mode != b->mode ||
		    a->reqid != b->reqid) {
			pfkey_err_set(err, EINVAL,
			    "%s: request pair %u differs in protocol, mode or "
			    "reqid",
			    name(m), i / 2u + 1u);
			return false;
		}
	}
	return true;
}

static bool
migrate(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_policy pol;

	return need(m,
		   X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |
		       X(SADB_X_EXT_POLICY),
		   err) &&
	    same_family(m, err) && policy(m, &pol, err) &&
	    policy_dir(m, &pol, err) && migrate_pairs(m, &pol, err);
}

/* What af_key's __pfkey_xfrm_state2msg always emits. */
#define SA_MSG_EXTS                                                            \
	(X(SADB_EXT_SA) | X(SADB_EXT_LIFETIME_CURRENT) |                       \
	    X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |                \
	    X(SADB_X_EXT_SA2))

static bool
kernel_sa(const struct pfkey_msg *m, struct pfkey_err *err)
{
	return need(m, SA_MSG_EXTS, err) && same_family(m, err) &&
	    satype_sa(m, EINVAL, err);
}

static bool
kernel_expire(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (!kernel_sa(m, err))
		return false;
	if (pfkey_msg_has(m, SADB_EXT_LIFETIME_HARD) ==
	    pfkey_msg_has(m, SADB_EXT_LIFETIME_SOFT)) {
		pfkey_err_set(err, EINVAL,
		    "expire: needs exactly one of lifetime_hard and "
		    "lifetime_soft");
		return false;
	}
	return true;
}

static bool
kernel_acquire(const struct pfkey_msg *m, struct pfkey_err *err)
{
	return need(m,
		   X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |
		       X(SADB_X_EXT_POLICY),
		   err) &&
	    same_family(m, err) && satype_sa(m, EINVAL, err);
}

/* What af_key's pfkey_xfrm_policy2msg always emits. */
static bool
kernel_spd(const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_policy pol;

	return need(m,
		   X(SADB_EXT_LIFETIME_CURRENT) | X(SADB_EXT_LIFETIME_HARD) |
		       X(SADB_EXT_LIFETIME_SOFT),
		   err) &&
	    spd_common(m, &pol, err);
}

static bool
kernel_new_mapping(const struct pfkey_msg *m, struct pfkey_err *err)
{
	if (!need(m,
		X(SADB_EXT_SA) | X(SADB_EXT_ADDRESS_SRC) |
		    X(SADB_EXT_ADDRESS_DST) | X(SADB_X_EXT_NAT_T_SPORT) |
		    X(SADB_X_EXT_NAT_T_DPORT),
		err) ||
	    !same_family(m, err))
		return false;
	if (m->hdr.satype != SADB_SATYPE_ESP) {
		pfkey_err_set(err, EINVAL,
		    "x_nat_t_new_mapping: satype %u is not esp", m->hdr.satype);
		return false;
	}
	return true;
}

static bool
kernel_never(const struct pfkey_msg *m, struct pfkey_err *err)
{
	pfkey_err_set(err, EOPNOTSUPP, "the kernel never sends %s", name(m));
	return false;
}

static const rule_fn user_rules[SADB_MAX + 1] = {
	[SADB_GETSPI] = user_getspi,
	[SADB_UPDATE] = user_add,
	[SADB_ADD] = user_add,
	[SADB_DELETE] = user_sa_id,
	[SADB_GET] = user_sa_id,
	[SADB_ACQUIRE] = user_acquire,
	[SADB_REGISTER] = user_register,
	[SADB_EXPIRE] = user_refused,
	[SADB_FLUSH] = satype_sa_or_any,
	[SADB_DUMP] = satype_sa_or_any,
	[SADB_X_PROMISC] = user_promisc,
	[SADB_X_PCHANGE] = user_refused,
	[SADB_X_SPDUPDATE] = user_spdadd,
	[SADB_X_SPDADD] = user_spdadd,
	[SADB_X_SPDDELETE] = user_spddelete,
	[SADB_X_SPDGET] = user_spdget,
	[SADB_X_SPDACQUIRE] = user_refused,
	[SADB_X_SPDDUMP] = no_rule,
	[SADB_X_SPDFLUSH] = no_rule,
	[SADB_X_SPDSETIDX] = user_spdadd,
	[SADB_X_SPDEXPIRE] = user_refused,
	[SADB_X_SPDDELETE2] = user_spdget,
	[SADB_X_NAT_T_NEW_MAPPING] = user_refused,
	[SADB_X_MIGRATE] = migrate,
};

static const rule_fn kernel_rules[SADB_MAX + 1] = {
	[SADB_GETSPI] = kernel_sa,
	[SADB_UPDATE] = kernel_sa,
	[SADB_ADD] = kernel_sa,
	[SADB_DELETE] = kernel_sa,
	[SADB_GET] = kernel_sa,
	[SADB_ACQUIRE] = kernel_acquire,
	[SADB_REGISTER] = user_register,
	[SADB_EXPIRE] = kernel_expire,
	[SADB_FLUSH] = satype_sa_or_any,
	[SADB_DUMP] = kernel_sa,
	[SADB_X_PROMISC] = no_rule,
	[SADB_X_PCHANGE] = kernel_never,
	[SADB_X_SPDUPDATE] = kernel_spd,
	[SADB_X_SPDADD] = kernel_spd,
	[SADB_X_SPDDELETE] = kernel_spd,
	[SADB_X_SPDGET] = kernel_spd,
	[SADB_X_SPDACQUIRE] = kernel_never,
	[SADB_X_SPDDUMP] = kernel_spd,
	[SADB_X_SPDFLUSH] = no_rule,
	[SADB_X_SPDSETIDX] = kernel_never,
	[SADB_X_SPDEXPIRE] = kernel_never,
	[SADB_X_SPDDELETE2] = kernel_spd,
	[SADB_X_NAT_T_NEW_MAPPING] = kernel_new_mapping,
	[SADB_X_MIGRATE] = migrate,
};

bool
pfkey_msg_parse(struct pfkey_msg *m, const void *buf, size_t len,
    enum pfkey_origin origin, struct pfkey_err *err)
{
	rule_fn rule;

	memset(m, 0, sizeof(*m));
	memset(err, 0, sizeof(*err));
	m->buf = buf;
	m->len = len;
	if (!parse_hdr(m, len, origin, err))
		return false;
	err->has_hdr = true;
	if (len % 8u != 0) {
		pfkey_err_set(
		    err, EINVAL, "%s: %zu trailing bytes", name(m), len % 8u);
		return false;
	}
	if (!parse_exts(m, err))
		return false;
	/* An error reply carries the request's header and nothing else. */
	if (origin == PFKEY_ORIGIN_KERNEL && m->hdr.error != 0)
		return true;
	/* parse_hdr bounded the type to 1..SADB_MAX. */
	rule = origin == PFKEY_ORIGIN_USER ? user_rules[m->hdr.type]
					   : kernel_rules[m->hdr.type];
	return rule(m, err);
}
