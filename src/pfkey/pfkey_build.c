/*
 * The bounded PF_KEY writer and one builder per extension, each laying its
 * extension out as Linux net/key/af_key.c does (sadb_ext header, struct,
 * sockaddrs with zero padding; X_POLICY requests of 16 bytes plus the
 * endpoint pair in tunnel mode; SUPPORTED lists as in
 * compose_sadb_supported; PROPOSAL as dump_ah_combs/dump_esp_combs, with
 * replay 32 and their default lifetimes).
 *
 * Deliberately different: sadb_alg_ivlen is the algorithm's explicit IV
 * in bytes from our table (Linux sends 8 for AES-CBC, whose IV is 16
 * bytes); ESP proposals list each AEAD once without an integrity
 * algorithm (Linux pairs AEADs with every integrity algorithm too).
 * Whole messages are in pfkey_compose.c.
 */
#include "config.h"

#include "pfkey/pfkey_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/ipsec.h>

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

size_t
pfkey_build_supported_count(uint16_t type, pfkey_alg_fn usable, void *arg)
{
	if (type != SADB_EXT_SUPPORTED_AUTH &&
	    type != SADB_EXT_SUPPORTED_ENCRYPT)
		return 0;
	return put_algs(NULL, type == SADB_EXT_SUPPORTED_AUTH, usable, arg);
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
