/*
 * Whole PF_KEY messages from the core's structs, as Linux
 * net/key/af_key.c composes the same messages, field by field:
 * __pfkey_xfrm_state2msg (SA, [HARD], [SOFT], CURRENT, SRC, DST, [PROXY],
 * [KEY_AUTH], [KEY_ENCRYPT], X_SA2, [NAT-T type, sport, dport]; SA
 * endpoints with port 0, proto 0 and a full-length prefix),
 * pfkey_xfrm_policy2msg (SRC, DST with the selector's protocol, 255 for
 * any, and ports; HARD, SOFT, CURRENT; X_POLICY with direction + 1 and one
 * request per template, endpoints in tunnel mode; an "allow" policy
 * without templates shown as type none), pfkey_send_acquire,
 * pfkey_send_new_mapping, compose_sadb_supported (either list left out
 * when empty), key_notify_sa_expire and pfkey_error (the request's
 * header, errno set, nothing else; errnos outside 1..255 sent as EINVAL).
 *
 * Deliberately different:
 *   - sadb_msg_reserved is 0 in policy messages (Linux writes the policy's
 *     reference count there, an implementation detail no client reads).
 *   - ADDRESS_PROXY appears only for a BEET SA with an inner source.
 *     Linux emits its SA selector's source whenever it differs from the
 *     SA's source, which for SAs added through PF_KEY is the unspecified
 *     address; our SAs have no selector.
 *   - X_NAT_T_NEW_MAPPING carries X_SA2 (see pfkey_compose.h).
 *   - Counters wider than PF_KEY's fields saturate (sadb_lifetime_
 *     allocations is 32 bits, sadb_sa_replay 8) instead of wrapping.
 */
#include "config.h"

#include "pfkey/pfkey_compose.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_ext.h"

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
put_lifetime(struct pfkey_wr *w, uint16_t type, const struct sa_lifetime *l)
{
	struct sadb_lifetime h;

	memset(&h, 0, sizeof(h));
	h.sadb_lifetime_allocations = sat32(l->packets);
	h.sadb_lifetime_bytes = l->bytes;
	h.sadb_lifetime_addtime = l->add_sec;
	h.sadb_lifetime_usetime = l->use_sec;
	return pfkey_build_lifetime(w, type, &h);
}

/* LIFETIME_CURRENT: what was used so far, and since when. */
static bool
put_current(struct pfkey_wr *w, uint64_t packets, uint64_t bytes,
    uint64_t add_sec, uint64_t use_sec)
{
	struct sa_lifetime now = { .bytes = bytes,
		.packets = packets,
		.add_sec = add_sec,
		.use_sec = use_sec };

	return put_lifetime(w, SADB_EXT_LIFETIME_CURRENT, &now);
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
		!put_lifetime(w, SADB_EXT_LIFETIME_HARD, &sa->hard)) ||
	    ((what & PFKEY_SA_SOFT) &&
		!put_lifetime(w, SADB_EXT_LIFETIME_SOFT, &sa->soft)) ||
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
	/*
	 * X_NAT_T_OA when the SA has one: af_key leaves it out, but it is
	 * part of the SA (natoa.h), so GET and DUMP show it (setkey -D
	 * prints it after "esp-udp") and what we send converts back to the
	 * same SA.  Key managers skip extensions they do not read.
	 */
	return pfkey_build_nat_t_type(w, UDP_ENCAP_ESPINUDP) &&
	    pfkey_build_nat_t_port(
		w, SADB_X_EXT_NAT_T_SPORT, sa->encap_sport) &&
	    pfkey_build_nat_t_port(
		w, SADB_X_EXT_NAT_T_DPORT, sa->encap_dport) &&
	    (sa->nat_oa.family == 0 ||
		put_host(w, SADB_X_EXT_NAT_T_OA, &sa->nat_oa, 0));
}

size_t
pfkey_compose_sa(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct sad_entry *e, unsigned what)
{
	if (!pfkey_build_hdr(w, h) || !put_sa_body(w, e, what))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_compose_expire(
    struct pfkey_wr *w, const struct sad_entry *e, bool is_hard)
{
	struct pfkey_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = SADB_EXPIRE;
	h.satype = pfkey_proto_satype(e->sa.proto);
	return pfkey_compose_sa(
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
pfkey_compose_policy(struct pfkey_wr *w, const struct pfkey_hdr *h,
    const struct spd_policy *p, const struct pfkey_policy_life *life)
{
	struct pfkey_policy_life none;

	if (life == NULL) {
		memset(&none, 0, sizeof(none));
		life = &none;
	}
	if (!pfkey_build_hdr(w, h) || !put_selector(w, &p->sel) ||
	    !put_lifetime(w, SADB_EXT_LIFETIME_HARD, &life->hard) ||
	    !put_lifetime(w, SADB_EXT_LIFETIME_SOFT, &life->soft) ||
	    !put_current(w, atomic_load(&p->packets), atomic_load(&p->bytes),
		p->add_sec, atomic_load(&p->use_sec)) ||
	    !put_policy(w, p))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_compose_register(struct pfkey_wr *w, const struct pfkey_hdr *h,
    pfkey_alg_fn usable, void *arg)
{
	if (!pfkey_build_hdr(w, h))
		return 0;
	if (pfkey_build_supported_count(SADB_EXT_SUPPORTED_AUTH, usable, arg) >
		0 &&
	    !pfkey_build_supported(w, SADB_EXT_SUPPORTED_AUTH, usable, arg))
		return 0;
	if (pfkey_build_supported_count(
		SADB_EXT_SUPPORTED_ENCRYPT, usable, arg) > 0 &&
	    !pfkey_build_supported(w, SADB_EXT_SUPPORTED_ENCRYPT, usable, arg))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_compose_acquire(struct pfkey_wr *w, const struct pfkey_acquire *a,
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
pfkey_compose_new_mapping(
    struct pfkey_wr *w, const struct pfkey_new_mapping *nm)
{
	const struct sa *sa = &nm->e->sa;
	struct pfkey_hdr h;
	struct sadb_sa s;

	/* af_key: only for ESP SAs with encapsulation (else -EINVAL). */
	if (sa->proto != IPPROTO_ESP || (sa->flags & SA_F_UDP_ENCAP) == 0 ||
	    nm->addr.family != sa->src.family) {
		w->has_failed = true;
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
pfkey_compose_migrate(struct pfkey_wr *w, const struct pfkey_migrate *mg)
{
	struct pfkey_hdr h;
	struct pfkey_policy x;

	memset(&h, 0, sizeof(h));
	h.type = SADB_X_MIGRATE;
	h.satype = mg->n > 0 ? pfkey_proto_satype(mg->item[0].proto) : 0;
	memset(&x, 0, sizeof(x));
	x.type = IPSEC_POLICY_IPSEC;
	x.dir = (uint8_t)(mg->dir + 1u);
	for (unsigned i = 0; i < mg->n && i < SPD_TMPL_MAX; i++) {
		const struct pfkey_migrate_item *it = &mg->item[i];
		struct pfkey_req *o = &x.req[x.nreq++], *n = &x.req[x.nreq++];

		o->proto = n->proto = it->proto;
		o->mode = n->mode = it->mode;
		o->reqid = n->reqid = it->reqid;
		o->level = n->level =
		    it->reqid != 0 ? IPSEC_LEVEL_UNIQUE : IPSEC_LEVEL_REQUIRE;
		o->src = it->old_src;
		o->dst = it->old_dst;
		n->src = it->new_src;
		n->dst = it->new_dst;
	}
	if (!pfkey_build_hdr(w, &h) ||
	    (mg->has_km &&
		!pfkey_build_kmaddress(w, &mg->km_local, &mg->km_remote)) ||
	    !put_selector(w, &mg->sel) || !pfkey_build_policy(w, &x))
		return 0;
	return pfkey_build_finish(w);
}

size_t
pfkey_compose_error(struct pfkey_wr *w, const struct pfkey_hdr *orig, int code)
{
	struct pfkey_hdr h = *orig;

	h.error = (uint8_t)(code > 0 && code < 256 ? code : EINVAL);
	if (!pfkey_build_hdr(w, &h))
		return 0;
	return pfkey_build_finish(w);
}
