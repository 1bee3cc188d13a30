/*
 * PF_KEY message builders over a bounded writer.
 *
 * Followed from Linux net/key/af_key.c, field by field: the extension
 * order and contents of __pfkey_xfrm_state2msg (SA, [HARD], [SOFT],
 * CURRENT, SRC, DST, [PROXY], [KEY_AUTH], [KEY_ENCRYPT], X_SA2, [NAT-T
 * type, sport, dport]; addresses with port 0, proto 0 and a full-length
 * prefix), pfkey_xfrm_policy2msg (SRC, DST with the selector's protocol,
 * 255 for any, and ports; HARD, SOFT, CURRENT; X_POLICY with direction + 1
 * and one request per template, endpoints in tunnel mode; an "allow"
 * policy without templates shown as type none), pfkey_send_acquire,
 * pfkey_send_new_mapping, compose_sadb_supported (either list left out
 * when empty), dump_ah_combs/dump_esp_combs (replay 32, their default
 * lifetimes) and pfkey_error (the request's header, errno set, nothing
 * else; errnos outside 1..255 sent as EINVAL).
 *
 * Deliberately different:
 *   - sadb_msg_reserved is 0 in policy messages (Linux writes the policy's
 *     reference count there, an implementation detail no client reads).
 *   - ADDRESS_PROXY appears only for a BEET SA with an inner source.
 *     Linux emits its SA selector's source whenever it differs from the
 *     SA's source, which for SAs added through PF_KEY is the unspecified
 *     address; our SAs have no selector.
 *   - X_NAT_T_NEW_MAPPING carries X_SA2 (see pfkey_build.h).
 *   - sadb_alg_ivlen is the algorithm's explicit IV in bytes from our
 *     table (Linux sends 8 for AES-CBC, whose IV is 16 bytes).
 *   - Counters wider than PF_KEY's fields saturate (sadb_lifetime_
 *     allocations is 32 bits, sadb_sa_replay 8) instead of wrapping.
 */
#include "config.h"

#include "pfkey/pfkey_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "pfkey/pfkey_conv.h"

#define ALIGN8(n) (((size_t)(n) + 7u) & ~(size_t)7u)
#define UNITS_MAX 0xffffu

void
pfkey_wr_init(struct pfkey_wr *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf != NULL ? cap : 0;
	w->len = 0;
	w->start = 0;
	w->has_failed = false;
}

static bool
fail(struct pfkey_wr *w)
{
	w->has_failed = true;
	return false;
}

/* n zeroed bytes at the end of the message; NULL (and failed) if no room. */
static uint8_t *
put(struct pfkey_wr *w, size_t n)
{
	uint8_t *p;

	if (w->has_failed || n > w->cap - w->len) {
		fail(w);
		return NULL;
	}
	p = w->buf + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

/* Set the sadb_ext header at p: len bytes (a multiple of 8) of type. */
static void
put_ext_hdr(uint8_t *p, size_t len, uint16_t type)
{
	struct sadb_ext h;

	h.sadb_ext_len = (uint16_t)(len / 8u);
	h.sadb_ext_type = type;
	memcpy(p, &h, sizeof(h));
}

/* A fixed-size struct s of size bytes, its sadb_ext header set here. */
static bool
put_fixed(struct pfkey_wr *w, uint16_t type, const void *s, size_t size)
{
	uint8_t *p;

	if ((p = put(w, size)) == NULL)
		return false;
	memcpy(p, s, size);
	put_ext_hdr(p, size, type);
	return true;
}

static void
put_sockaddr(uint8_t *p, const struct addr *a, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (a->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(&sin.sin_addr, a->bytes, sizeof(sin.sin_addr));
		memcpy(p, &sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		memcpy(&sin6.sin6_addr, a->bytes, sizeof(sin6.sin6_addr));
		memcpy(p, &sin6, sizeof(sin6));
	}
}

bool
pfkey_build_hdr(struct pfkey_wr *w, const struct pfkey_hdr *h)
{
	struct sadb_msg m;
	uint8_t *p;

	if ((p = put(w, sizeof(m))) == NULL)
		return false;
	memset(&m, 0, sizeof(m));
	m.sadb_msg_version = PF_KEY_V2;
	m.sadb_msg_type = h->type;
	m.sadb_msg_errno = h->error;
	m.sadb_msg_satype = h->satype;
	m.sadb_msg_seq = h->seq;
	m.sadb_msg_pid = h->pid;
	memcpy(p, &m, sizeof(m));
	w->start = w->len - sizeof(m);
	return true;
}

size_t
pfkey_build_finish(struct pfkey_wr *w)
{
	size_t n = w->len - w->start;
	uint16_t units;

	if (w->has_failed || n < sizeof(struct sadb_msg) || n % 8u != 0 ||
	    n / 8u > UNITS_MAX)
		return 0;
	units = (uint16_t)(n / 8u);
	memcpy(w->buf + w->start + offsetof(struct sadb_msg, sadb_msg_len),
	    &units, sizeof(units));
	return n;
}

bool
pfkey_build_ext(
    struct pfkey_wr *w, uint16_t type, const void *body, size_t body_len)
{
	size_t n;
	uint8_t *p;

	if (body_len > 8u * UNITS_MAX)
		return fail(w);
	n = ALIGN8(sizeof(struct sadb_ext) + body_len);
	if ((p = put(w, n)) == NULL)
		return false;
	put_ext_hdr(p, n, type);
	if (body_len > 0)
		memcpy(p + sizeof(struct sadb_ext), body, body_len);
	return true;
}

bool
pfkey_build_sa(struct pfkey_wr *w, const struct sadb_sa *sa)
{
	return put_fixed(w, SADB_EXT_SA, sa, sizeof(*sa));
}

bool
pfkey_build_lifetime(
    struct pfkey_wr *w, uint16_t type, const struct sadb_lifetime *l)
{
	return put_fixed(w, type, l, sizeof(*l));
}

bool
pfkey_build_sa2(struct pfkey_wr *w, const struct sadb_x_sa2 *sa2)
{
	return put_fixed(w, SADB_X_EXT_SA2, sa2, sizeof(*sa2));
}

bool
pfkey_build_spirange(struct pfkey_wr *w, const struct sadb_spirange *range)
{
	return put_fixed(w, SADB_EXT_SPIRANGE, range, sizeof(*range));
}

bool
pfkey_build_filter(struct pfkey_wr *w, const struct sadb_x_filter *f)
{
	return put_fixed(w, SADB_X_EXT_FILTER, f, sizeof(*f));
}

bool
pfkey_build_address(
    struct pfkey_wr *w, uint16_t type, const struct pfkey_address *a)
{
	struct sadb_address h;
	size_t salen = pfkey_sockaddr_len(a->addr.family), n;
	uint8_t *p;

	if (salen == 0)
		return fail(w);
	n = ALIGN8(sizeof(h) + salen);
	if ((p = put(w, n)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.sadb_address_proto = a->proto;
	h.sadb_address_prefixlen = a->prefixlen;
	memcpy(p, &h, sizeof(h));
	put_ext_hdr(p, n, type);
	put_sockaddr(p + sizeof(h), &a->addr, a->port);
	return true;
}

bool
pfkey_build_key(
    struct pfkey_wr *w, uint16_t type, const uint8_t *key, size_t len)
{
	struct sadb_key h;
	size_t n;
	uint8_t *p;

	if (len > UINT16_MAX / 8u)
		return fail(w);
	n = ALIGN8(sizeof(h) + len);
	if ((p = put(w, n)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.sadb_key_bits = (uint16_t)(len * 8u);
	memcpy(p, &h, sizeof(h));
	put_ext_hdr(p, n, type);
	if (len > 0)
		memcpy(p + sizeof(h), key, len);
	return true;
}

bool
pfkey_build_nat_t_type(struct pfkey_wr *w, uint8_t type)
{
	struct sadb_x_nat_t_type t;

	memset(&t, 0, sizeof(t));
	t.sadb_x_nat_t_type_type = type;
	return put_fixed(w, SADB_X_EXT_NAT_T_TYPE, &t, sizeof(t));
}

bool
pfkey_build_nat_t_port(struct pfkey_wr *w, uint16_t type, uint16_t port)
{
	struct sadb_x_nat_t_port t;

	memset(&t, 0, sizeof(t));
	t.sadb_x_nat_t_port_port = htons(port);
	return put_fixed(w, type, &t, sizeof(t));
}

/* Bytes of a request: 16, plus its endpoint pair; 0 if not encodable. */
static size_t
req_len(const struct pfkey_req *rq)
{
	if (rq->src.family == 0 && rq->dst.family == 0)
		return sizeof(struct sadb_x_ipsecrequest);
	if (rq->src.family != rq->dst.family ||
	    pfkey_sockaddr_len(rq->src.family) == 0)
		return 0;
	return sizeof(struct sadb_x_ipsecrequest) +
	    pfkey_sockaddr_pair_len(rq->src.family);
}

bool
pfkey_build_policy(struct pfkey_wr *w, const struct pfkey_policy *p)
{
	struct sadb_x_policy h;
	size_t n = sizeof(h), off;
	uint8_t *out;

	if (p->nreq > PFKEY_REQ_MAX)
		return fail(w);
	for (unsigned i = 0; i < p->nreq; i++) {
		if (req_len(&p->req[i]) == 0)
			return fail(w);
		n += req_len(&p->req[i]);
	}
	if ((out = put(w, n)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.sadb_x_policy_type = p->type;
	h.sadb_x_policy_dir = p->dir;
	h.sadb_x_policy_id = p->id;
	h.sadb_x_policy_priority = p->priority;
	memcpy(out, &h, sizeof(h));
	put_ext_hdr(out, n, SADB_X_EXT_POLICY);
	off = sizeof(h);
	for (unsigned i = 0; i < p->nreq; i++) {
		const struct pfkey_req *rq = &p->req[i];
		struct sadb_x_ipsecrequest q;
		size_t qlen = req_len(rq);

		memset(&q, 0, sizeof(q));
		q.sadb_x_ipsecrequest_len = (uint16_t)qlen;
		q.sadb_x_ipsecrequest_proto = rq->proto;
		q.sadb_x_ipsecrequest_mode = rq->mode;
		q.sadb_x_ipsecrequest_level = rq->level;
		q.sadb_x_ipsecrequest_reqid = rq->reqid;
		memcpy(out + off, &q, sizeof(q));
		if (qlen > sizeof(q)) {
			put_sockaddr(out + off + sizeof(q), &rq->src, 0);
			put_sockaddr(out + off + sizeof(q) +
				pfkey_sockaddr_len(rq->src.family),
			    &rq->dst, 0);
		}
		off += qlen;
	}
	return true;
}

bool
pfkey_build_kmaddress(
    struct pfkey_wr *w, const struct addr *local, const struct addr *remote)
{
	size_t salen = pfkey_sockaddr_len(local->family), n;
	uint8_t *p;

	if (salen == 0 || local->family != remote->family)
		return fail(w);
	n = sizeof(struct sadb_x_kmaddress) +
	    pfkey_sockaddr_pair_len(local->family);
	if ((p = put(w, n)) == NULL)
		return false;
	put_ext_hdr(p, n, SADB_X_EXT_KMADDRESS);
	put_sockaddr(p + sizeof(struct sadb_x_kmaddress), local, 0);
	put_sockaddr(p + sizeof(struct sadb_x_kmaddress) + salen, remote, 0);
	return true;
}

bool
pfkey_build_sec_ctx(struct pfkey_wr *w, uint8_t alg, uint8_t doi,
    const void *ctx, uint16_t ctx_len)
{
	struct sadb_x_sec_ctx h;
	size_t n = ALIGN8(sizeof(h) + ctx_len);
	uint8_t *p;

	if ((p = put(w, n)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.sadb_x_ctx_alg = alg;
	h.sadb_x_ctx_doi = doi;
	h.sadb_x_ctx_len = ctx_len;
	memcpy(p, &h, sizeof(h));
	put_ext_hdr(p, n, SADB_X_EXT_SEC_CTX);
	if (ctx_len > 0)
		memcpy(p + sizeof(h), ctx, ctx_len);
	return true;
}

/* Key bits without salt: the smallest (is_max false) or largest size. */
static uint16_t
key_bits(const struct alg *a, bool is_max)
{
	unsigned v = a->key_len[0];

	for (int i = 1; i < a->nkeys; i++)
		if (is_max ? a->key_len[i] > v : a->key_len[i] < v)
			v = a->key_len[i];
	return (uint16_t)(v * 8u);
}

static bool
is_listed(const struct alg *a, bool is_auth, pfkey_alg_fn usable, void *arg)
{
	return (a->kind == ALG_AUTH) == is_auth && usable(a, arg);
}

/* Write (p != NULL) or count the sadb_alg entries of one list. */
static size_t
put_algs(uint8_t *p, bool is_auth, pfkey_alg_fn usable, void *arg)
{
	size_t n = 0;

	for (unsigned id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);
		struct sadb_alg s;

		if (!is_listed(a, is_auth, usable, arg))
			continue;
		if (p != NULL) {
			memset(&s, 0, sizeof(s));
			s.sadb_alg_id = a->sadb_id;
			s.sadb_alg_ivlen = a->iv_len;
			s.sadb_alg_minbits = key_bits(a, false);
			s.sadb_alg_maxbits = key_bits(a, true);
			memcpy(p + n * sizeof(s), &s, sizeof(s));
		}
		n++;
	}
	return n;
}

bool
pfkey_build_supported(
    struct pfkey_wr *w, uint16_t type, pfkey_alg_fn usable, void *arg)
{
	bool is_auth = type == SADB_EXT_SUPPORTED_AUTH;
	size_t count, n;
	uint8_t *p;

	if (type != SADB_EXT_SUPPORTED_AUTH &&
	    type != SADB_EXT_SUPPORTED_ENCRYPT)
		return fail(w);
	count = put_algs(NULL, is_auth, usable, arg);
	n = sizeof(struct sadb_supported) + count * sizeof(struct sadb_alg);
	if ((p = put(w, n)) == NULL)
		return false;
	put_ext_hdr(p, n, type);
	put_algs(p + sizeof(struct sadb_supported), is_auth, usable, arg);
	return true;
}

static void
put_comb(uint8_t *p, const struct alg *enc, const struct alg *auth)
{
	struct sadb_comb c;

	memset(&c, 0, sizeof(c));
	if (auth != NULL) {
		c.sadb_comb_auth = auth->sadb_id;
		c.sadb_comb_auth_minbits = key_bits(auth, false);
		c.sadb_comb_auth_maxbits = key_bits(auth, true);
	}
	if (enc != NULL) {
		c.sadb_comb_encrypt = enc->sadb_id;
		c.sadb_comb_encrypt_minbits = key_bits(enc, false);
		c.sadb_comb_encrypt_maxbits = key_bits(enc, true);
	}
	/* af_key's defaults (dump_ah_combs, dump_esp_combs). */
	c.sadb_comb_hard_addtime = 24 * 60 * 60;
	c.sadb_comb_soft_addtime = 20 * 60 * 60;
	c.sadb_comb_hard_usetime = 8 * 60 * 60;
	c.sadb_comb_soft_usetime = 7 * 60 * 60;
	memcpy(p, &c, sizeof(c));
}

/* One combination; written when p is set.  Returns the count so far. */
static size_t
comb(uint8_t *p, size_t n, const struct alg *enc, const struct alg *auth)
{
	if (p != NULL)
		put_comb(p + n * sizeof(struct sadb_comb), enc, auth);
	return n + 1;
}

/* Write (p != NULL) or count the combinations for proto. */
static size_t
put_combs(uint8_t *p, uint8_t proto, pfkey_alg_fn usable, void *arg)
{
	size_t n = 0;

	for (unsigned i = 0; i < ALG_COUNT; i++) {
		const struct alg *a = alg_get((enum alg_id)i);

		if (!usable(a, arg))
			continue;
		if (proto == IPPROTO_AH && a->kind == ALG_AUTH &&
		    a->id != ALG_NULL_AUTH)
			n = comb(p, n, NULL, a);
		if (proto == IPPROTO_ESP && a->kind == ALG_AEAD)
			n = comb(p, n, a, NULL);
		if (proto != IPPROTO_ESP || a->kind != ALG_ENCR)
			continue;
		for (unsigned k = 0; k < ALG_COUNT; k++) {
			const struct alg *auth = alg_get((enum alg_id)k);

			if (auth->kind == ALG_AUTH &&
			    auth->id != ALG_NULL_AUTH && usable(auth, arg))
				n = comb(p, n, a, auth);
		}
	}
	return n;
}

bool
pfkey_build_proposal(
    struct pfkey_wr *w, uint8_t proto, pfkey_alg_fn usable, void *arg)
{
	struct sadb_prop h;
	size_t n;
	uint8_t *p;

	n = sizeof(h) +
	    put_combs(NULL, proto, usable, arg) * sizeof(struct sadb_comb);
	if (n / 8u > UNITS_MAX)
		return fail(w);
	if ((p = put(w, n)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.sadb_prop_replay = 32;
	memcpy(p, &h, sizeof(h));
	put_ext_hdr(p, n, SADB_EXT_PROPOSAL);
	put_combs(p + sizeof(h), proto, usable, arg);
	return true;
}

/* --- whole messages --- */

static uint8_t
sadb_state(const struct sad_entry *e)
{
	switch (sad_state(e)) {
	case SA_STATE_LARVAL:
		return SADB_SASTATE_LARVAL;
	case SA_STATE_MATURE:
		return SADB_SASTATE_MATURE;
	case SA_STATE_DYING:
		return SADB_SASTATE_DYING;
	case SA_STATE_DEAD:
		break;
	}
	return SADB_SASTATE_DEAD;
}

static uint32_t
sadb_flags(const struct sa *sa)
{
	uint32_t f = 0;

	if (sa->flags & SA_F_NOECN)
		f |= SADB_SAFLAGS_NOECN;
	if (sa->flags & SA_F_DECAP_DSCP)
		f |= SADB_SAFLAGS_DECAP_DSCP;
	if (sa->flags & SA_F_NOPMTUDISC)
		f |= SADB_SAFLAGS_NOPMTUDISC;
	if (sa->flags & SA_F_ESN)
		f |= PFKEY_SAFLAGS_ESN;
	return f;
}

static uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool
put_limit(struct pfkey_wr *w, uint16_t type, const struct sa_lifetime *l)
{
	struct sadb_lifetime h;

	memset(&h, 0, sizeof(h));
	h.sadb_lifetime_allocations = sat32(l->packets);
	h.sadb_lifetime_bytes = l->bytes;
	h.sadb_lifetime_addtime = l->add_sec;
	h.sadb_lifetime_usetime = l->use_sec;
	return pfkey_build_lifetime(w, type, &h);
}

static bool
put_current(struct pfkey_wr *w, uint64_t packets, uint64_t bytes,
    uint64_t add_sec, uint64_t use_sec)
{
	struct sadb_lifetime h;

	memset(&h, 0, sizeof(h));
	h.sadb_lifetime_allocations = sat32(packets);
	h.sadb_lifetime_bytes = bytes;
	h.sadb_lifetime_addtime = add_sec;
	h.sadb_lifetime_usetime = use_sec;
	return pfkey_build_lifetime(w, SADB_EXT_LIFETIME_CURRENT, &h);
}

/* An SA endpoint as af_key writes it: port 0, proto 0, full prefix. */
static bool
put_host(struct pfkey_wr *w, uint16_t type, const struct addr *a, uint8_t proto)
{
	struct pfkey_address pa;

	memset(&pa, 0, sizeof(pa));
	pa.addr = *a;
	pa.proto = proto;
	pa.prefixlen = (uint8_t)(addr_len(a) * 8u);
	return pfkey_build_address(w, type, &pa);
}

static bool
put_sa_ext(struct pfkey_wr *w, const struct sad_entry *e)
{
	const struct sa *sa = &e->sa;
	struct sadb_sa s;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(sa->spi);
	s.sadb_sa_replay = sa->replay_window > UINT8_MAX
	    ? UINT8_MAX
	    : (uint8_t)sa->replay_window;
	s.sadb_sa_state = sadb_state(e);
	if (sa->key.auth != NULL)
		s.sadb_sa_auth = sa->key.auth->sadb_id;
	if (sa->key.enc != NULL)
		s.sadb_sa_encrypt = sa->key.enc->sadb_id;
	/* KAME: IPcomp's compression algorithm goes in sadb_sa_encrypt. */
	if (sa->proto == IPPROTO_COMP)
		s.sadb_sa_encrypt = sa->calg;
	s.sadb_sa_flags = sadb_flags(sa);
	return pfkey_build_sa(w, &s);
}

static bool
put_sa2(struct pfkey_wr *w, const struct sa *sa)
{
	struct sadb_x_sa2 s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sa2_mode = sa->mode;
	s.sadb_x_sa2_reqid = sa->reqid;
	return pfkey_build_sa2(w, &s);
}

static bool
put_keys(struct pfkey_wr *w, const struct cipher_key *k)
{
	return (k->auth_len == 0 ||
		   pfkey_build_key(
		       w, SADB_EXT_KEY_AUTH, k->auth_key, k->auth_len)) &&
	    (k->enc_len == 0 ||
		pfkey_build_key(
		    w, SADB_EXT_KEY_ENCRYPT, k->enc_key, k->enc_len));
}

/* Everything of an SA message after the header. */
static bool
put_sa_body(struct pfkey_wr *w, const struct sad_entry *e, unsigned what)
{
	const struct sa *sa = &e->sa;

	if (!put_sa_ext(w, e) ||
	    ((what & PFKEY_SA_HARD) &&
		!put_limit(w, SADB_EXT_LIFETIME_HARD, &sa->hard)) ||
	    ((what & PFKEY_SA_SOFT) &&
		!put_limit(w, SADB_EXT_LIFETIME_SOFT, &sa->soft)) ||
	    !put_current(w, atomic_load(&e->cur_packets),
		atomic_load(&e->cur_bytes), e->add_sec,
		atomic_load(&e->use_sec)) ||
	    !put_host(w, SADB_EXT_ADDRESS_SRC, &sa->src, 0) ||
	    !put_host(w, SADB_EXT_ADDRESS_DST, &sa->dst, 0))
		return false;
	if (sa->mode == SA_MODE_BEET && sa->beet_src.family != 0 &&
	    !put_host(
		w, SADB_EXT_ADDRESS_PROXY, &sa->beet_src, IPSEC_ULPROTO_ANY))
		return false;
	if ((what & PFKEY_SA_KEYS) && !put_keys(w, &sa->key))
		return false;
	if (!put_sa2(w, sa))
		return false;
	if ((sa->flags & SA_F_UDP_ENCAP) == 0)
		return true;
	return pfkey_build_nat_t_type(w, UDP_ENCAP_ESPINUDP) &&
	    pfkey_build_nat_t_port(
		w, SADB_X_EXT_NAT_T_SPORT, sa->encap_sport) &&
	    pfkey_build_nat_t_port(w, SADB_X_EXT_NAT_T_DPORT, sa->encap_dport);
}

size_t
pfkey_build_sa_msg(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct sad_entry *e, unsigned what)
{
	if (!pfkey_build_hdr(w, h) || !put_sa_body(w, e, what))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_build_expire(struct pfkey_wr *w, const struct sad_entry *e, bool is_hard)
{
	struct pfkey_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = SADB_EXPIRE;
	h.satype = pfkey_proto_satype(e->sa.proto);
	return pfkey_build_sa_msg(
	    w, &h, e, is_hard ? PFKEY_SA_HARD : PFKEY_SA_SOFT);
}

/* The one port PF_KEY can show for a range: that port, or 0 for any. */
static uint16_t
one_port(uint16_t lo, uint16_t hi)
{
	return lo == hi ? lo : 0;
}

static bool
put_selector(struct pfkey_wr *w, const struct selector *sel)
{
	struct pfkey_address a;
	uint8_t proto = sel->proto == 0 ? IPSEC_ULPROTO_ANY : sel->proto;

	memset(&a, 0, sizeof(a));
	a.addr = sel->src.addr;
	a.prefixlen = sel->src.len;
	a.proto = proto;
	a.port = one_port(sel->sport_lo, sel->sport_hi);
	if (!pfkey_build_address(w, SADB_EXT_ADDRESS_SRC, &a))
		return false;
	a.addr = sel->dst.addr;
	a.prefixlen = sel->dst.len;
	a.port = one_port(sel->dport_lo, sel->dport_hi);
	return pfkey_build_address(w, SADB_EXT_ADDRESS_DST, &a);
}

static bool
put_policy(struct pfkey_wr *w, const struct spd_policy *p)
{
	struct pfkey_policy x;
	unsigned n = p->ntmpl <= SPD_TMPL_MAX ? p->ntmpl : SPD_TMPL_MAX;

	memset(&x, 0, sizeof(x));
	x.dir = (uint8_t)(p->dir + 1u);
	x.id = p->id;
	x.priority = p->priority;
	switch ((enum spd_action)p->action) {
	case SPD_ACTION_DISCARD:
		x.type = IPSEC_POLICY_DISCARD;
		break;
	case SPD_ACTION_NONE:
		x.type = IPSEC_POLICY_NONE;
		break;
	case SPD_ACTION_IPSEC:
		x.type = n > 0 ? IPSEC_POLICY_IPSEC : IPSEC_POLICY_NONE;
		x.nreq = (uint8_t)n;
		break;
	}
	for (unsigned i = 0; i < x.nreq; i++) {
		const struct spd_tmpl *t = &p->tmpl[i];
		struct pfkey_req *rq = &x.req[i];

		rq->proto = t->proto;
		rq->mode = t->mode;
		rq->level = t->level;
		rq->reqid = t->reqid;
		if (t->mode == SA_MODE_TUNNEL) {
			rq->src = t->src;
			rq->dst = t->dst;
		}
	}
	return pfkey_build_policy(w, &x);
}

size_t
pfkey_build_policy_msg(
    struct pfkey_wr *w, const struct pfkey_hdr *h, const struct spd_policy *p)
{
	struct sa_lifetime none;

	memset(&none, 0, sizeof(none));
	if (!pfkey_build_hdr(w, h) || !put_selector(w, &p->sel) ||
	    !put_limit(w, SADB_EXT_LIFETIME_HARD, &none) ||
	    !put_limit(w, SADB_EXT_LIFETIME_SOFT, &none) ||
	    !put_current(w, atomic_load(&p->packets), atomic_load(&p->bytes),
		p->add_sec, atomic_load(&p->use_sec)) ||
	    !put_policy(w, p))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_build_register(struct pfkey_wr *w, const struct pfkey_hdr *h,
    pfkey_alg_fn usable, void *arg)
{
	if (!pfkey_build_hdr(w, h))
		return 0;
	if (put_algs(NULL, true, usable, arg) > 0 &&
	    !pfkey_build_supported(w, SADB_EXT_SUPPORTED_AUTH, usable, arg))
		return 0;
	if (put_algs(NULL, false, usable, arg) > 0 &&
	    !pfkey_build_supported(w, SADB_EXT_SUPPORTED_ENCRYPT, usable, arg))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_build_acquire(struct pfkey_wr *w, const struct pfkey_acquire *a,
    pfkey_alg_fn usable, void *arg)
{
	struct pfkey_hdr h;
	struct pfkey_policy x;

	memset(&h, 0, sizeof(h));
	h.type = SADB_ACQUIRE;
	h.satype = pfkey_proto_satype(a->proto);
	h.seq = a->seq;
	memset(&x, 0, sizeof(x));
	x.type = IPSEC_POLICY_IPSEC;
	x.dir = IPSEC_DIR_OUTBOUND;
	x.id = a->policy_id;
	x.priority = a->priority;
	if (!pfkey_build_hdr(w, &h) ||
	    !put_host(w, SADB_EXT_ADDRESS_SRC, &a->src, 0) ||
	    !put_host(w, SADB_EXT_ADDRESS_DST, &a->dst, 0) ||
	    !pfkey_build_policy(w, &x))
		return 0;
	if ((a->proto == IPPROTO_ESP || a->proto == IPPROTO_AH) &&
	    !pfkey_build_proposal(w, a->proto, usable, arg))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_build_new_mapping(struct pfkey_wr *w, const struct pfkey_new_mapping *nm)
{
	const struct sa *sa = &nm->e->sa;
	struct pfkey_hdr h;
	struct sadb_sa s;

	/* af_key: only for ESP SAs with encapsulation (else -EINVAL). */
	if (sa->proto != IPPROTO_ESP || (sa->flags & SA_F_UDP_ENCAP) == 0 ||
	    nm->addr.family != sa->src.family) {
		fail(w);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.type = SADB_X_NAT_T_NEW_MAPPING;
	h.satype = SADB_SATYPE_ESP;
	h.seq = nm->seq;
	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(sa->spi);
	if (!pfkey_build_hdr(w, &h) || !pfkey_build_sa(w, &s) ||
	    !put_host(w, SADB_EXT_ADDRESS_SRC, &sa->src, 0) ||
	    !pfkey_build_nat_t_port(
		w, SADB_X_EXT_NAT_T_SPORT, sa->encap_sport) ||
	    !put_host(w, SADB_EXT_ADDRESS_DST, &nm->addr, 0) ||
	    !pfkey_build_nat_t_port(w, SADB_X_EXT_NAT_T_DPORT, nm->port) ||
	    !put_sa2(w, sa))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_build_error(struct pfkey_wr *w, const struct pfkey_hdr *orig, int code)
{
	struct pfkey_hdr h = *orig;

	h.error = (uint8_t)(code > 0 && code < 256 ? code : EINVAL);
	if (!pfkey_build_hdr(w, &h))
		return 0;
	return pfkey_build_finish(w);
}
