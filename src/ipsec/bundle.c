/*
 * Bundles: the order of transforms, the outer headers of tunnel and BEET
 * mode around them, the inbound history, and the inbound policy check.
 * The transforms themselves live in esp.c, ah.c and ipcomp.c.
 */
#include "config.h"

#include "ipsec/bundle.h"

#include <netinet/in.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "ipsec/ah.h"
#include "ipsec/esp.h"
#include "ipsec/ipcomp.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "ipsec/spd.h"
#include "ipsec/tunnel.h"

/* Outbound rank: IPcomp innermost, AH outermost. */
static int
rank_of(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_COMP:
		return 0;
	case IPPROTO_ESP:
		return 1;
	case IPPROTO_AH:
		return 2;
	default:
		return -1;
	}
}

bool
bundle_order(struct bundle_xform *x, size_t n)
{
	if (n == 0 || n > BUNDLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (rank_of(x[i].sa->proto) < 0)
			return false;
	/* Insertion sort: stable, and n is at most 4. */
	for (size_t i = 1; i < n; i++) {
		struct bundle_xform t = x[i];
		size_t j = i;

		for (; j > 0 &&
		     rank_of(x[j - 1].sa->proto) > rank_of(t.sa->proto);
		     j--)
			x[j] = x[j - 1];
		x[j] = t;
	}
	return true;
}

/* The explicit IV for one ESP packet (see bundle_out_params). */
static void
esp_iv(const struct sa *sa, uint64_t seq, const uint8_t *random, uint8_t *iv)
{
	const struct alg *enc = sa->key.enc;

	if (enc == NULL || enc->iv_len == 0)
		return;
	if (enc->id == ALG_AES_CBC) {
		memcpy(iv, random, enc->iv_len);
		return;
	}
	wr_u32(iv, (uint32_t)(seq >> 32));
	wr_u32(iv + 4, (uint32_t)seq);
}

/*
 * Start x[i]'s transform: ESP and AH stop at their crypto op
 * (IPSEC_PENDING), IPcomp runs whole (IPSEC_OK).
 */
static enum ipsec_verdict
output_begin(struct bundle_run *r)
{
	const struct bundle_xform *x = &r->x[r->i];
	const struct bundle_out_params *p = r->out;
	struct sa *sa = x->sa;
	bool is_esn = (sa->flags & SA_F_ESN) != 0;
	bool is_compressed;
	uint8_t iv[ALG_IV_MAX];
	uint64_t seq;
	enum ipsec_verdict v;

	r->job.sa = sa;
	r->job.pb = r->pb;
	switch (sa->proto) {
	case IPPROTO_ESP:
		if ((v = replay_next_seq(&sa->seq_out, is_esn, &seq)) !=
		    IPSEC_OK)
			return v;
		esp_iv(sa, seq, p->iv_random[r->i], iv);
		v = esp_encap_begin(&r->job, x->c, seq, iv);
		break;
	case IPPROTO_AH:
		if ((v = replay_next_seq(&sa->seq_out, is_esn, &seq)) !=
		    IPSEC_OK)
			return v;
		v = ah_output_begin(&r->job, x->c, seq, p->knobs);
		break;
	case IPPROTO_COMP:
		if (p->ipcomp == NULL)
			return IPSEC_DROP_PROTO;
		/*
		 * Not compressing (small or incompressible) is no error: the
		 * packet goes on without the IPcomp header (RFC 3173 2.2).
		 */
		return ipcomp_encap(p->ipcomp, sa, r->pb,
		    p->ipcomp_threshold != 0 ? p->ipcomp_threshold
					     : IPCOMP_THRESHOLD_DEFAULT,
		    &is_compressed);
	default:
		return IPSEC_DROP_PROTO;
	}
	if (v != IPSEC_OK)
		return v;
	r->is_pending = true;
	return IPSEC_PENDING;
}

/* The header an SA's mode puts around the packet before its transform. */
static enum ipsec_verdict
output_mode(struct bundle_run *r)
{
	const struct sa *sa = r->x[r->i].sa;

	switch (sa->mode) {
	case SA_MODE_TUNNEL:
		r->has_own_header = true;
		return tunnel_encap(sa, r->out->knobs, r->ip_id++, r->pb);
	case SA_MODE_BEET:
		r->has_own_header = true;
		return tunnel_beet_encap(sa, r->pb);
	case SA_MODE_TRANSPORT:
	case SA_MODE_ANY:
		return r->has_own_header ? IPSEC_OK : IPSEC_DROP_MODE;
	default:
		return IPSEC_DROP_MODE;
	}
}

void
bundle_out_begin(struct bundle_run *r, const struct bundle_xform *x, size_t n,
    const struct bundle_out_params *p, struct pbuf *pb)
{
	memset(r, 0, sizeof(*r));
	r->x = x;
	r->n = n;
	r->out = p;
	r->pb = pb;
	r->has_own_header = !p->is_forwarded;
	r->ip_id = p->ip_id;
}

enum ipsec_verdict
bundle_out_step(struct bundle_run *r)
{
	enum ipsec_verdict v;

	if (r->n == 0 || r->n > BUNDLE_MAX)
		return IPSEC_DROP_POLICY;
	for (;;) {
		if (r->is_pending) {
			r->is_pending = false;
			v = r->x[r->i].sa->proto == IPPROTO_ESP
			    ? esp_encap_end(&r->job)
			    : ah_output_end(&r->job);
			if (v != IPSEC_OK)
				return v;
			r->i++;
		}
		if (r->i == r->n)
			return IPSEC_OK;
		if ((v = output_mode(r)) != IPSEC_OK ||
		    (v = output_begin(r)) != IPSEC_OK)
			return v;
		r->i++; /* IPcomp: done with no crypto op */
	}
}

enum ipsec_verdict
bundle_output(const struct bundle_xform *x, size_t n,
    const struct bundle_out_params *p, struct pbuf *pb, size_t *failed_at)
{
	struct bundle_run r;
	enum ipsec_verdict v;

	bundle_out_begin(&r, x, n, p, pb);
	while ((v = bundle_out_step(&r)) == IPSEC_PENDING)
		cipher_run(&r.job.op);
	if (v != IPSEC_OK && failed_at != NULL)
		*failed_at = r.i;
	return v;
}

/* The SPI (or CPI) of the IPsec header at p, len bytes; false if short. */
static bool
spi_of(uint8_t proto, const uint8_t *p, size_t len, uint32_t *spi)
{
	struct rd rd;
	uint16_t cpi;

	rd_init(&rd, p, len);
	switch (proto) {
	case IPPROTO_ESP:
		return rd_u32(&rd, spi);
	case IPPROTO_AH:
		return rd_skip(&rd, 4) && rd_u32(&rd, spi);
	case IPPROTO_COMP:
		if (!rd_skip(&rd, 2) || !rd_u16(&rd, &cpi))
			return false;
		*spi = cpi;
		return true;
	default:
		return false;
	}
}

static bool
is_enabled(const struct knobs *k, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return k->esp_enable;
	case IPPROTO_AH:
		return k->ah_enable;
	case IPPROTO_COMP:
		return k->ipcomp_enable;
	default:
		return false;
	}
}

/* After one SA's transform: take off its outer header, if it has one. */
static enum ipsec_verdict
input_mode(const struct sa *sa, uint8_t nh, struct pbuf *pb)
{
	bool is_ip = nh == IPPROTO_IPIP || nh == IPPROTO_IPV6;

	switch (sa->mode) {
	case SA_MODE_TUNNEL:
		return is_ip ? tunnel_decap(sa, pb, NULL) : IPSEC_DROP_NEXTHDR;
	case SA_MODE_BEET:
		return tunnel_beet_decap(sa, pb);
	default:
		/*
		 * IP-in-IP behind a transport SA: an IPcomp tunnel whose
		 * compression was skipped for a small packet (RFC 3173
		 * section 2.2).  The policy check sees the SA's real mode.
		 */
		return is_ip ? tunnel_decap(sa, pb, NULL) : IPSEC_OK;
	}
}

static void
history_add(struct bundle_history *h, const struct sa *sa)
{
	struct bundle_hist *e = &h->e[h->n++];

	e->proto = sa->proto;
	e->mode = sa->mode;
	e->spi = sa->spi;
	e->reqid = sa->reqid;
	e->src = sa->src;
	e->dst = sa->dst;
}

/*
 * The next header's SA, and its transform started (as output_begin):
 * IPSEC_PENDING at a crypto op; IPSEC_OK with *is_end when no IPsec header
 * is left, or with IPcomp removed whole and nh set; or a drop.
 */
static enum ipsec_verdict
input_begin(struct bundle_run *r, uint8_t *nh, bool *is_end)
{
	const struct bundle_in_params *p = r->in;
	struct ip_info info;
	uint32_t spi;
	enum ipsec_verdict v;

	*is_end = false;
	if (!ip_parse(pbuf_data(r->pb), pbuf_len(r->pb), &info))
		return IPSEC_DROP_HDR;
	if (rank_of(info.proto) < 0) {
		*is_end = true;
		return IPSEC_OK;
	}
	if (r->h->n == BUNDLE_MAX)
		return IPSEC_DROP_POLICY;
	if (!is_enabled(p->knobs, info.proto))
		return IPSEC_DROP_PROTO;
	if (!spi_of(info.proto, pbuf_data(r->pb) + info.ins_off,
		pbuf_len(r->pb) - info.ins_off, &spi))
		return IPSEC_DROP_SHORT;
	if ((r->cur = p->lookup(p->arg, info.proto, spi, &info.dst)) == NULL ||
	    r->cur->sa->proto != info.proto)
		return IPSEC_DROP_NOSA;
	r->job.sa = r->cur->sa;
	r->job.pb = r->pb;
	switch (info.proto) {
	case IPPROTO_ESP:
		v = esp_decap_begin(&r->job, r->cur->c);
		break;
	case IPPROTO_AH:
		v = ah_input_begin(&r->job, r->cur->c, p->knobs);
		break;
	default: /* IPcomp */
		if (p->ipcomp == NULL)
			return IPSEC_DROP_PROTO;
		return ipcomp_decap(p->ipcomp, r->cur->sa, r->pb, nh);
	}
	if (v != IPSEC_OK)
		return v;
	r->is_pending = true;
	return IPSEC_PENDING;
}

void
bundle_in_begin(struct bundle_run *r, const struct bundle_in_params *p,
    struct pbuf *pb, struct bundle_history *h)
{
	memset(r, 0, sizeof(*r));
	r->in = p;
	r->pb = pb;
	r->h = h;
	h->n = 0;
}

enum ipsec_verdict
bundle_in_step(struct bundle_run *r)
{
	enum ipsec_verdict v;
	bool is_end;
	uint8_t nh;

	for (;;) {
		if (r->is_pending) {
			r->is_pending = false;
			v = r->cur->sa->proto == IPPROTO_ESP
			    ? esp_decap_end(&r->job, &nh)
			    : ah_input_end(&r->job, &nh);
			if (v != IPSEC_OK)
				return v;
		} else if ((v = input_begin(r, &nh, &is_end)) != IPSEC_OK ||
		    is_end)
			return v;
		/* The transform of r->cur is done; next header in nh. */
		if ((v = input_mode(r->cur->sa, nh, r->pb)) != IPSEC_OK)
			return v;
		history_add(r->h, r->cur->sa);
		r->i = r->h->n;
	}
}

enum ipsec_verdict
bundle_input(
    const struct bundle_in_params *p, struct pbuf *pb, struct bundle_history *h)
{
	struct bundle_run r;
	enum ipsec_verdict v;

	bundle_in_begin(&r, p, pb, h);
	while ((v = bundle_in_step(&r)) == IPSEC_PENDING)
		cipher_run(&r.job.op);
	return v;
}

/* Does history entry e meet template t? */
static bool
tmpl_met(const struct spd_tmpl *t, const struct bundle_hist *e,
    const struct knobs *k, enum knobs_level level)
{
	if (e->proto != t->proto)
		return false;
	if (!k->check_policy_history)
		return true;
	if (t->mode != SA_MODE_ANY && e->mode != t->mode)
		return false;
	if (t->mode == SA_MODE_TUNNEL &&
	    ((t->src.family != 0 && !addr_eq(&t->src, &e->src)) ||
		(t->dst.family != 0 && !addr_eq(&t->dst, &e->dst))))
		return false;
	if ((level == KNOBS_LEVEL_UNIQUE || t->reqid != 0) &&
	    t->reqid != e->reqid)
		return false;
	return true;
}

static bool
is_required(enum knobs_level level)
{
	switch (level) {
	case KNOBS_LEVEL_REQUIRE:
	case KNOBS_LEVEL_UNIQUE:
		return true;
	case KNOBS_LEVEL_DEFAULT:
	case KNOBS_LEVEL_USE:
		break;
	}
	return false;
}

static enum ipsec_verdict
check_ipsec(const struct spd_policy *pol, const struct bundle_history *h,
    const struct knobs *k)
{
	bool used[BUNDLE_MAX] = { false };

	for (size_t t = 0; t < pol->ntmpl && t < SPD_TMPL_MAX; t++) {
		enum knobs_level level = spd_level(&pol->tmpl[t], k);
		bool met = false;

		for (size_t i = 0; i < h->n && !met; i++) {
			if (!used[i] &&
			    tmpl_met(&pol->tmpl[t], &h->e[i], k, level)) {
				used[i] = true;
				met = true;
			}
		}
		if (!met && is_required(level))
			return IPSEC_DROP_POLICY;
	}
	/* Strict: no SA the policy does not name (e.g. an extra tunnel). */
	if (k->check_policy_history)
		for (size_t i = 0; i < h->n; i++)
			if (!used[i])
				return IPSEC_DROP_POLICY;
	return IPSEC_OK;
}

enum ipsec_verdict
bundle_check_policy(const struct spd_policy *pol,
    const struct bundle_history *h, const struct knobs *k)
{
	if (pol == NULL)
		return spd_default_action(k) == SPD_ACTION_DISCARD
		    ? IPSEC_DROP_POLICY
		    : IPSEC_OK;
	switch ((enum spd_action)pol->action) {
	case SPD_ACTION_DISCARD:
		return IPSEC_DROP_POLICY;
	case SPD_ACTION_NONE:
		return IPSEC_OK;
	case SPD_ACTION_IPSEC:
		return check_ipsec(pol, h, k);
	}
	return IPSEC_DROP_POLICY;
}
