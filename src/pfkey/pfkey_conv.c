/*
 * Parsed PF_KEY messages to the core's SA, SPD and lookup structs.
 *
 * Followed from Linux net/key/af_key.c (pfkey_msg2xfrm_state,
 * pfkey_getspi, pfkey_spdadd, parse_ipsecrequest, pfkey_migrate):
 * algorithm numbers looked up in the one table (unknown: ENOSYS), X_SA2
 * mode "any" taken as transport, lifetimes with 0 meaning "no limit",
 * NAT-T type and ports from X_NAT_T_TYPE/SPORT/DPORT and the original
 * address from X_NAT_T_OA (only with a NAT-T type, as af_key stores it;
 * natoa.h says what it is for), selector protocol 255 meaning any, a port
 * of 0 meaning any,
 * reqids kept only for level "unique" and only up to
 * IPSEC_MANUAL_REQID_MAX, GETSPI's default SPI range.
 *
 * Deliberately different, and why:
 *   - sadb_sa_replay is taken as packets without af_key's cap of 32 (the
 *     size of its legacy bitmap): our window has no such limit, so an IKE
 *     daemon asking for 64 gets 64.
 *   - SPI 0 is refused (EINVAL) for ADD/UPDATE: RFC 4303 section 2.1
 *     reserves it and no packet can name such an SA; af_key installs it.
 *     An IPcomp CPI must fit 16 bits.  Without SPIRANGE an IPcomp GETSPI
 *     gets 0x100..0xffff (af_key's default maximum fails its own 16-bit
 *     check, so Linux refuses every such request).
 *   - NAT-T: only UDP_ENCAP_ESPINUDP (RFC 3948), only for ESP, and both
 *     ports must be present and non-zero; Linux also takes the non-IKE
 *     draft type and port 0.  An X_NAT_T_OA of another family than the
 *     SA's addresses is EINVAL (af_key copies the bytes unchecked).
 *   - A key extension without its algorithm (sadb_sa_auth or _encrypt 0),
 *     a key that is not whole bytes, and IPcomp with an integrity
 *     algorithm are refused (EINVAL); af_key ignores the first and last.
 *   - ADDRESS_PROXY sets the BEET inner source (Linux: x->sel.saddr, which
 *     is BEET's inner source); it is ignored in other modes, where Linux
 *     keeps it as the SA's selector, which our SAs do not have.
 *   - Selector protocols of SRC and DST must agree (af_key takes DST's);
 *     selector addresses lose host bits beyond the prefix (selector_check
 *     wants them clear; matching is the same).
 */
#include "config.h"

#include "pfkey/pfkey_conv.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "common/secret.h"
#include "crypto/alg.h"
#include "crypto/cipher.h"
#include "pfkey/pfkey_ext.h"

/* Copy the fixed part (size bytes) of a present extension. */
static bool
get_fixed(const struct pfkey_msg *m, unsigned type, void *out, size_t size)
{
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, type, &len);

	return p != NULL && pfkey_ext_copy(p, len, out, size);
}

static bool
get_address(const struct pfkey_msg *m, unsigned type, struct pfkey_address *a,
    struct pfkey_err *err)
{
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, type, &len);

	if (p == NULL) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (%s)",
		    pfkey_msg_name(m->hdr.type), type, pfkey_ext_name(type));
		return false;
	}
	return pfkey_ext_address(p, len, a, err);
}

static bool
get_policy(
    const struct pfkey_msg *m, struct pfkey_policy *pol, struct pfkey_err *err)
{
	size_t len;
	const uint8_t *p = pfkey_msg_ext(m, SADB_X_EXT_POLICY, &len);

	if (p == NULL) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (x_policy)",
		    pfkey_msg_name(m->hdr.type), SADB_X_EXT_POLICY);
		return false;
	}
	return pfkey_ext_policy(p, len, pol, err);
}

static bool
get_pair(const struct pfkey_msg *m, struct addr *src, struct addr *dst,
    struct pfkey_err *err)
{
	struct pfkey_address s, d;

	if (!get_address(m, SADB_EXT_ADDRESS_SRC, &s, err) ||
	    !get_address(m, SADB_EXT_ADDRESS_DST, &d, err))
		return false;
	*src = s.addr;
	*dst = d.addr;
	return true;
}

static bool
get_proto(
    const struct pfkey_msg *m, uint8_t *proto, int code, struct pfkey_err *err)
{
	if ((*proto = pfkey_satype_proto(m->hdr.satype)) == 0) {
		pfkey_err_set(err, code,
		    "%s: satype %u is not ah, esp or ipcomp",
		    pfkey_msg_name(m->hdr.type), m->hdr.satype);
		return false;
	}
	return true;
}

static bool
check_spi(uint8_t proto, uint32_t spi, int code, struct pfkey_err *err)
{
	if (spi == 0) {
		pfkey_err_set(
		    err, code, "spi 0 is reserved (RFC 4303 section 2.1)");
		return false;
	}
	if (proto == IPPROTO_COMP && spi > PFKEY_CPI_MAX) {
		pfkey_err_set(
		    err, code, "ipcomp cpi 0x%x does not fit 16 bits", spi);
		return false;
	}
	return true;
}

/* Mode and reqid from X_SA2; transport and 0 without one. */
static void
get_sa2(const struct pfkey_msg *m, uint8_t *mode, uint32_t *reqid)
{
	struct sadb_x_sa2 sa2;

	*mode = SA_MODE_TRANSPORT;
	*reqid = 0;
	if (!get_fixed(m, SADB_X_EXT_SA2, &sa2, sizeof(sa2)))
		return;
	/* af_key's pfkey_mode_to_xfrm: "any" is transport. */
	if (sa2.sadb_x_sa2_mode != IPSEC_MODE_ANY)
		*mode = sa2.sadb_x_sa2_mode; /* 1..3, parser-checked */
	*reqid = sa2.sadb_x_sa2_reqid;
}

static void
get_lifetime(const struct pfkey_msg *m, unsigned type, struct sa_lifetime *l)
{
	struct sadb_lifetime h;

	if (!get_fixed(m, type, &h, sizeof(h)))
		return;
	l->packets = h.sadb_lifetime_allocations;
	l->bytes = h.sadb_lifetime_bytes;
	l->add_sec = h.sadb_lifetime_addtime;
	l->use_sec = h.sadb_lifetime_usetime;
}

static bool
get_natt(const struct pfkey_msg *m, struct sa *sa, struct pfkey_err *err)
{
	struct sadb_x_nat_t_type type;
	struct sadb_x_nat_t_port sport, dport;

	if (!get_fixed(m, SADB_X_EXT_NAT_T_TYPE, &type, sizeof(type)))
		return true;
	if (sa->proto != IPPROTO_ESP) {
		pfkey_err_set(err, EINVAL,
		    "udp encapsulation is for esp only, not protocol %u",
		    sa->proto);
		return false;
	}
	if (type.sadb_x_nat_t_type_type != UDP_ENCAP_ESPINUDP) {
		pfkey_err_set(err, EINVAL,
		    "nat-t type %u is not %u (esp-in-udp, RFC 3948)",
		    type.sadb_x_nat_t_type_type, UDP_ENCAP_ESPINUDP);
		return false;
	}
	if (!get_fixed(m, SADB_X_EXT_NAT_T_SPORT, &sport, sizeof(sport)) ||
	    !get_fixed(m, SADB_X_EXT_NAT_T_DPORT, &dport, sizeof(dport)) ||
	    sport.sadb_x_nat_t_port_port == 0 ||
	    dport.sadb_x_nat_t_port_port == 0) {
		pfkey_err_set(err, EINVAL,
		    "esp-in-udp needs x_nat_t_sport and x_nat_t_dport, both "
		    "non-zero");
		return false;
	}
	sa->flags |= SA_F_UDP_ENCAP;
	sa->encap_sport = ntohs(sport.sadb_x_nat_t_port_port);
	sa->encap_dport = ntohs(dport.sadb_x_nat_t_port_port);
	if (pfkey_msg_has(m, SADB_X_EXT_NAT_T_OA)) {
		struct pfkey_address oa;

		if (!get_address(m, SADB_X_EXT_NAT_T_OA, &oa, err))
			return false;
		if (oa.addr.family != sa->src.family) {
			pfkey_err_set(err, EINVAL,
			    "x_nat_t_oa: family %u, the sa's is %u",
			    oa.addr.family, sa->src.family);
			return false;
		}
		sa->nat_oa = oa.addr;
	}
	return true;
}

/* Linux's names of PF_KEY algorithm numbers we do not implement. */
static const char *
unsupported_name(bool is_auth, unsigned id)
{
	static const struct {
		bool is_auth;
		uint8_t id;
		const char *name;
	} names[] = {
		{ true, SADB_AALG_MD5HMAC, "hmac-md5" },
		{ true, SADB_X_AALG_RIPEMD160HMAC, "hmac-ripemd160" },
		{ true, SADB_X_AALG_AES_XCBC_MAC, "aes-xcbc-mac" },
		{ true, SADB_X_AALG_SM3_256HMAC, "hmac-sm3" },
		{ false, SADB_EALG_DESCBC, "des-cbc" },
		{ false, SADB_EALG_3DESCBC, "3des-cbc" },
		{ false, SADB_X_EALG_CASTCBC, "cast128-cbc" },
		{ false, SADB_X_EALG_BLOWFISHCBC, "blowfish-cbc" },
		{ false, SADB_X_EALG_AES_CCM_ICV8, "aes-ccm-8" },
		{ false, SADB_X_EALG_AES_CCM_ICV12, "aes-ccm-12" },
		{ false, SADB_X_EALG_AES_CCM_ICV16, "aes-ccm-16" },
		{ false, SADB_X_EALG_CAMELLIACBC, "camellia-cbc" },
		{ false, SADB_X_EALG_SM4CBC, "sm4-cbc" },
		{ false, SADB_X_EALG_SERPENTCBC, "serpent-cbc" },
		{ false, SADB_X_EALG_TWOFISHCBC, "twofish-cbc" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].is_auth == is_auth && names[i].id == id)
			return names[i].name;
	return "unknown";
}

/* "20, 28 or 36": the key sizes (salt included) a has, into buf. */
static const char *
key_sizes(const struct alg *a, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < a->nkeys && off < size; i++) {
		const char *sep = i == 0 ? ""
		    : i + 1 == a->nkeys	 ? " or "
					 : ", ";
		int n = snprintf(buf + off, size - off, "%s%u", sep,
		    (unsigned)a->key_len[i] + a->salt_len);

		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

/* The key of extension type for algorithm a, into out[ALG_KEY_MAX]. */
static bool
get_key(const struct pfkey_msg *m, unsigned type, const struct alg *a,
    uint8_t *out, uint8_t *out_len, struct pfkey_err *err)
{
	const uint8_t *key = NULL;
	unsigned bits = 0;
	char sizes[32];
	size_t len, n;
	const uint8_t *p = pfkey_msg_ext(m, type, &len);

	if (p != NULL && !pfkey_ext_key(p, len, &key, &bits, err))
		return false;
	if (bits % 8u != 0) {
		pfkey_err_set(err, EINVAL,
		    "%s: %s of %u bits is not whole bytes", a->name,
		    pfkey_ext_name(type), bits);
		return false;
	}
	n = bits / 8u;
	/* Also bounds n to ALG_KEY_MAX: no table size is larger. */
	if (alg_key_index(a, n) < 0) {
		pfkey_err_set(err, EINVAL, "%s: key of %zu bytes; expected %s",
		    a->name, n, key_sizes(a, sizes, sizeof(sizes)));
		return false;
	}
	if (n > 0)
		memcpy(out, key, n);
	*out_len = (uint8_t)n;
	return true;
}

static bool
get_alg(bool is_auth, unsigned id, const struct alg **a, struct pfkey_err *err)
{
	if ((*a = alg_by_sadb(is_auth ? ALG_AUTH : ALG_ENCR, id)) == NULL) {
		pfkey_err_set(err, ENOSYS,
		    "%s algorithm %u (%s) is not supported",
		    is_auth ? "integrity" : "encryption", id,
		    unsupported_name(is_auth, id));
		return false;
	}
	return true;
}

static bool
get_ipcomp(const struct pfkey_msg *m, const struct sadb_sa *h, struct sa *sa,
    struct pfkey_err *err)
{
	(void)m;
	if (h->sadb_sa_auth != SADB_AALG_NONE) {
		pfkey_err_set(err, EINVAL,
		    "ipcomp takes no integrity algorithm (got %u)",
		    h->sadb_sa_auth);
		return false;
	}
	if (h->sadb_sa_encrypt == SADB_X_CALG_NONE) {
		pfkey_err_set(
		    err, EINVAL, "ipcomp needs a compression algorithm");
		return false;
	}
	if (h->sadb_sa_encrypt != SADB_X_CALG_DEFLATE) {
		pfkey_err_set(err, ENOSYS,
		    "compression algorithm %u is not supported; only %u "
		    "(deflate)",
		    h->sadb_sa_encrypt, SADB_X_CALG_DEFLATE);
		return false;
	}
	sa->calg = SADB_X_CALG_DEFLATE;
	return true;
}

static bool
get_keys(const struct pfkey_msg *m, const struct sadb_sa *h, struct sa *sa,
    struct pfkey_err *err)
{
	struct cipher_key *k = &sa->key;
	const char *why;

	if (sa->proto == IPPROTO_COMP)
		return get_ipcomp(m, h, sa, err);
	if ((h->sadb_sa_encrypt == SADB_EALG_NONE &&
		pfkey_msg_has(m, SADB_EXT_KEY_ENCRYPT)) ||
	    (h->sadb_sa_auth == SADB_AALG_NONE &&
		pfkey_msg_has(m, SADB_EXT_KEY_AUTH))) {
		pfkey_err_set(err, EINVAL,
		    "key extension without its algorithm (auth %u, encrypt %u)",
		    h->sadb_sa_auth, h->sadb_sa_encrypt);
		return false;
	}
	if (h->sadb_sa_encrypt != SADB_EALG_NONE &&
	    (!get_alg(false, h->sadb_sa_encrypt, &k->enc, err) ||
		!get_key(m, SADB_EXT_KEY_ENCRYPT, k->enc, k->enc_key,
		    &k->enc_len, err)))
		return false;
	if (h->sadb_sa_auth != SADB_AALG_NONE &&
	    (!get_alg(true, h->sadb_sa_auth, &k->auth, err) ||
		!get_key(m, SADB_EXT_KEY_AUTH, k->auth, k->auth_key,
		    &k->auth_len, err)))
		return false;
	if (!cipher_key_check(k, sa->proto == IPPROTO_AH, &why)) {
		pfkey_err_set(err, EINVAL, "%s (encryption %s, integrity %s)",
		    why, k->enc != NULL ? k->enc->name : "none",
		    k->auth != NULL ? k->auth->name : "none");
		return false;
	}
	return true;
}

static void
get_flags(const struct sadb_sa *h, struct sa *sa)
{
	if (h->sadb_sa_flags & SADB_SAFLAGS_NOECN)
		sa->flags |= SA_F_NOECN;
	if (h->sadb_sa_flags & SADB_SAFLAGS_DECAP_DSCP)
		sa->flags |= SA_F_DECAP_DSCP;
	if (h->sadb_sa_flags & SADB_SAFLAGS_NOPMTUDISC)
		sa->flags |= SA_F_NOPMTUDISC;
	if ((h->sadb_sa_flags & PFKEY_SAFLAGS_ESN) && sa->proto != IPPROTO_COMP)
		sa->flags |= SA_F_ESN;
}

static bool
conv_sa(const struct pfkey_msg *m, struct sa *sa, struct pfkey_err *err)
{
	struct sadb_sa h;
	struct pfkey_address proxy;

	if (!get_fixed(m, SADB_EXT_SA, &h, sizeof(h))) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (sa)",
		    pfkey_msg_name(m->hdr.type), SADB_EXT_SA);
		return false;
	}
	if (!get_proto(m, &sa->proto, EINVAL, err))
		return false;
	sa->spi = ntohl(h.sadb_sa_spi);
	if (!check_spi(sa->proto, sa->spi, EINVAL, err) ||
	    !get_pair(m, &sa->src, &sa->dst, err))
		return false;
	get_sa2(m, &sa->mode, &sa->reqid);
	get_flags(&h, sa);
	sa->replay_window = h.sadb_sa_replay;
	get_lifetime(m, SADB_EXT_LIFETIME_HARD, &sa->hard);
	get_lifetime(m, SADB_EXT_LIFETIME_SOFT, &sa->soft);
	if (!get_natt(m, sa, err))
		return false;
	if (sa->mode == SA_MODE_BEET &&
	    pfkey_msg_has(m, SADB_EXT_ADDRESS_PROXY)) {
		if (!get_address(m, SADB_EXT_ADDRESS_PROXY, &proxy, err))
			return false;
		sa->beet_src = proxy.addr;
	}
	return get_keys(m, &h, sa, err);
}

bool
pfkey_conv_sa(const struct pfkey_msg *m, struct sa *sa, struct pfkey_err *err)
{
	memset(sa, 0, sizeof(*sa));
	if (conv_sa(m, sa, err))
		return true;
	secret_wipe(sa, sizeof(*sa));
	return false;
}

bool
pfkey_conv_sa_id(
    const struct pfkey_msg *m, struct pfkey_sa_id *id, struct pfkey_err *err)
{
	struct sadb_sa h;

	memset(id, 0, sizeof(*id));
	if (!get_fixed(m, SADB_EXT_SA, &h, sizeof(h))) {
		pfkey_err_set(err, EINVAL, "%s: missing ext %u (sa)",
		    pfkey_msg_name(m->hdr.type), SADB_EXT_SA);
		return false;
	}
	id->spi = ntohl(h.sadb_sa_spi);
	return get_proto(m, &id->proto, ESRCH, err) &&
	    check_spi(id->proto, id->spi, ESRCH, err) &&
	    get_pair(m, &id->src, &id->dst, err);
}

bool
pfkey_conv_getspi(
    const struct pfkey_msg *m, struct pfkey_getspi *g, struct pfkey_err *err)
{
	struct sadb_spirange range;

	memset(g, 0, sizeof(*g));
	if (!get_proto(m, &g->req.proto, EINVAL, err) ||
	    !get_pair(m, &g->src, &g->req.dst, err))
		return false;
	get_sa2(m, &g->mode, &g->reqid);
	g->req.min = PFKEY_SPI_MIN;
	g->req.max =
	    g->req.proto == IPPROTO_COMP ? PFKEY_CPI_MAX : PFKEY_SPI_MAX;
	if (get_fixed(m, SADB_EXT_SPIRANGE, &range, sizeof(range))) {
		/* Host order, unlike sadb_sa_spi; min <= max parser-checked. */
		g->req.min = range.sadb_spirange_min;
		g->req.max = range.sadb_spirange_max;
	}
	if (g->req.proto == IPPROTO_COMP && g->req.max > PFKEY_CPI_MAX) {
		pfkey_err_set(err, EINVAL,
		    "getspi: ipcomp cpi range up to 0x%x passes 16 bits",
		    g->req.max);
		return false;
	}
	return true;
}

/* PF_KEY's two spellings of "any upper-layer protocol" become one. */
static uint8_t
ulproto(uint8_t proto)
{
	return proto == 0 ? SELECTOR_PROTO_ANY : proto;
}

static void
set_prefix(struct prefix *p, const struct pfkey_address *a)
{
	p->addr = a->addr;
	p->len = a->prefixlen;
	addr_mask(&p->addr, a->prefixlen);
}

static void
set_ports(uint16_t port, uint16_t *lo, uint16_t *hi)
{
	*lo = port;
	*hi = port == 0 ? UINT16_MAX : port;
}

/* Selector from ADDRESS_SRC/DST. */
static bool
get_selector(
    const struct pfkey_msg *m, struct selector *sel, struct pfkey_err *err)
{
	struct pfkey_address src, dst;
	const char *why;

	if (!get_address(m, SADB_EXT_ADDRESS_SRC, &src, err) ||
	    !get_address(m, SADB_EXT_ADDRESS_DST, &dst, err))
		return false;
	if (ulproto(src.proto) != ulproto(dst.proto)) {
		pfkey_err_set(err, EINVAL,
		    "%s: upper-layer protocol %u in address_src, %u in "
		    "address_dst",
		    pfkey_msg_name(m->hdr.type), src.proto, dst.proto);
		return false;
	}
	memset(sel, 0, sizeof(*sel));
	set_prefix(&sel->src, &src);
	set_prefix(&sel->dst, &dst);
	sel->proto = ulproto(dst.proto);
	set_ports(src.port, &sel->sport_lo, &sel->sport_hi);
	set_ports(dst.port, &sel->dport_lo, &sel->dport_hi);
	if (!selector_check(sel, &why)) {
		pfkey_err_set(err, EINVAL, "%s: selector: %s",
		    pfkey_msg_name(m->hdr.type), why);
		return false;
	}
	return true;
}

static bool
get_dir(const struct pfkey_msg *m, const struct pfkey_policy *p, uint8_t *dir,
    struct pfkey_err *err)
{
	if (p->dir < IPSEC_DIR_INBOUND || p->dir > IPSEC_DIR_FWD) {
		pfkey_err_set(err, EINVAL,
		    "%s: policy direction %u is not 1 to 3",
		    pfkey_msg_name(m->hdr.type), p->dir);
		return false;
	}
	*dir = (uint8_t)(p->dir - 1u); /* SPD_DIR_IN, _OUT, _FWD */
	return true;
}

static void
get_template(const struct pfkey_req *rq, struct spd_tmpl *t)
{
	memset(t, 0, sizeof(*t));
	t->proto = rq->proto;
	t->mode = rq->mode;
	t->level = rq->level;
	if (rq->level == IPSEC_LEVEL_UNIQUE &&
	    rq->reqid <= IPSEC_MANUAL_REQID_MAX)
		t->reqid = rq->reqid;
	if (rq->mode == IPSEC_MODE_TUNNEL) {
		t->src = rq->src;
		t->dst = rq->dst;
	}
}

static bool
get_action(const struct pfkey_msg *m, const struct pfkey_policy *p,
    struct spd_policy *pol, struct pfkey_err *err)
{
	switch (p->type) {
	case IPSEC_POLICY_DISCARD:
		pol->action = SPD_ACTION_DISCARD;
		return true;
	case IPSEC_POLICY_NONE:
		pol->action = SPD_ACTION_NONE;
		return true;
	case IPSEC_POLICY_IPSEC:
		break;
	default:
		pfkey_err_set(err, EINVAL,
		    "%s: policy type %u is not discard, none or ipsec",
		    pfkey_msg_name(m->hdr.type), p->type);
		return false;
	}
	if (p->nreq > SPD_TMPL_MAX) {
		pfkey_err_set(err, ELOOP, "%s: %u requests, at most %u",
		    pfkey_msg_name(m->hdr.type), p->nreq, SPD_TMPL_MAX);
		return false;
	}
	/* Linux installs an ipsec policy without requests as "allow". */
	pol->action = p->nreq == 0 ? SPD_ACTION_NONE : SPD_ACTION_IPSEC;
	pol->ntmpl = p->nreq;
	for (unsigned i = 0; i < p->nreq; i++)
		get_template(&p->req[i], &pol->tmpl[i]);
	return true;
}

bool
pfkey_conv_policy(
    const struct pfkey_msg *m, struct spd_policy *pol, struct pfkey_err *err)
{
	struct pfkey_policy p;

	memset(pol, 0, sizeof(*pol));
	if (!get_policy(m, &p, err) || !get_dir(m, &p, &pol->dir, err) ||
	    !get_selector(m, &pol->sel, err))
		return false;
	pol->id = p.id;
	pol->priority = p.priority;
	/* A delete names a policy by direction and selector only. */
	if (m->hdr.type == SADB_X_SPDDELETE)
		return true;
	return get_action(m, &p, pol, err);
}

void
pfkey_conv_policy_life(
    const struct pfkey_msg *m, struct pfkey_policy_life *life)
{
	memset(life, 0, sizeof(*life));
	get_lifetime(m, SADB_EXT_LIFETIME_HARD, &life->hard);
	get_lifetime(m, SADB_EXT_LIFETIME_SOFT, &life->soft);
}

static bool
life_is_set(const struct sa_lifetime *l)
{
	return l->bytes != 0 || l->packets != 0 || l->add_sec != 0 ||
	    l->use_sec != 0;
}

bool
pfkey_policy_life_is_set(const struct pfkey_policy_life *life)
{
	return life_is_set(&life->hard) || life_is_set(&life->soft);
}

bool
pfkey_conv_policy_id(const struct pfkey_msg *m, uint32_t *id, enum spd_dir *dir,
    struct pfkey_err *err)
{
	struct pfkey_policy p;

	if (!get_policy(m, &p, err))
		return false;
	if ((p.id & 7u) > SPD_DIR_FWD) {
		pfkey_err_set(err, EINVAL,
		    "%s: policy id %u encodes direction %u, not 0 to 2",
		    pfkey_msg_name(m->hdr.type), p.id, p.id & 7u);
		return false;
	}
	*id = p.id;
	*dir = (enum spd_dir)(p.id & 7u);
	return true;
}

bool
pfkey_conv_migrate(
    const struct pfkey_msg *m, struct pfkey_migrate *mg, struct pfkey_err *err)
{
	struct pfkey_policy p;
	size_t len;
	const uint8_t *km;

	memset(mg, 0, sizeof(*mg));
	if (!get_policy(m, &p, err) || !get_dir(m, &p, &mg->dir, err) ||
	    !get_selector(m, &mg->sel, err))
		return false;
	if (p.nreq == 0 || p.nreq % 2u != 0 || p.nreq > 2u * SPD_TMPL_MAX) {
		pfkey_err_set(err, EINVAL,
		    "x_migrate: %u requests, expected 1 to %u pairs", p.nreq,
		    SPD_TMPL_MAX);
		return false;
	}
	for (unsigned i = 0; i < p.nreq; i += 2) {
		const struct pfkey_req *o = &p.req[i], *n = &p.req[i + 1];
		struct pfkey_migrate_item *it = &mg->item[mg->n++];

		if (o->src.family == 0 || n->src.family == 0 ||
		    o->proto != n->proto || o->mode != n->mode ||
		    o->reqid != n->reqid) {
			pfkey_err_set(err, EINVAL,
			    "x_migrate: request pair %u is not two requests "
			    "with endpoints agreeing in protocol, mode, reqid",
			    i / 2u + 1u);
			return false;
		}
		it->proto = o->proto;
		it->mode = o->mode;
		it->reqid = o->reqid;
		it->old_src = o->src;
		it->old_dst = o->dst;
		it->new_src = n->src;
		it->new_dst = n->dst;
	}
	if ((km = pfkey_msg_ext(m, SADB_X_EXT_KMADDRESS, &len)) != NULL) {
		if (!pfkey_ext_kmaddress(
			km, len, &mg->km_local, &mg->km_remote, err))
			return false;
		mg->has_km = true;
	}
	return true;
}

bool
pfkey_conv_filter(
    const struct pfkey_msg *m, struct pfkey_filter *f, struct pfkey_err *err)
{
	struct sadb_x_filter h;

	memset(f, 0, sizeof(*f));
	if (!get_fixed(m, SADB_X_EXT_FILTER, &h, sizeof(h)))
		return true;
	if (!addr_set(
		&f->src.addr, h.sadb_x_filter_family, h.sadb_x_filter_saddr) ||
	    !addr_set(
		&f->dst.addr, h.sadb_x_filter_family, h.sadb_x_filter_daddr)) {
		pfkey_err_set(err, EINVAL, "dump: filter family %u",
		    h.sadb_x_filter_family);
		return false;
	}
	f->src.len = h.sadb_x_filter_splen;
	f->dst.len = h.sadb_x_filter_dplen;
	addr_mask(&f->src.addr, f->src.len);
	addr_mask(&f->dst.addr, f->dst.len);
	f->is_set = true;
	return true;
}
