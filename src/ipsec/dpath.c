/*
 * One worker's per-packet path between the I/O layer and the core
 * (dpath.h): SPD and SAD lookups, per-worker ciphers, the path MTU check
 * before encapsulation, bundles, the inbound policy check, and ICMP
 * "too big" errors for the inner sender.
 */
#include "config.h"

#include "ipsec/dpath.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "ipsec/ah.h"
#include "ipsec/esp.h"
#include "ipsec/flow.h"
#include "ipsec/iphdr.h"
#include "ipsec/ipcomp.h"
#include "ipsec/knobs.h"
#include "ipsec/natoa.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "ipsec/tunnel.h"

void
dpath_wstate_free(void *state)
{
	struct dpath_sa_state *st = state;

	cipher_free(st->c);
	cipher_free(st->retired);
	free(st);
}

const char *
dpath_crypto_state_name(enum dpath_crypto_state st)
{
	switch (st) {
	case DPATH_CRYPTO_OK:
		return "ok";
	case DPATH_CRYPTO_FALLBACK:
		return "fallback";
	case DPATH_CRYPTO_STOPPED:
		return "stopped";
	}
	return "unknown";
}

void
dpath_sa_crypto(
    const struct sad_entry *e, unsigned nslots, struct dpath_sa_crypto *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < nslots; i++) {
		struct dpath_sa_state *st = sad_wstate_get(e, i);

		if (st == NULL)
			continue;
		out->errors += atomic_load_explicit(
		    &st->crypto_errors, memory_order_relaxed);
		switch ((enum dpath_crypto_state)atomic_load_explicit(
		    &st->crypto_state, memory_order_relaxed)) {
		case DPATH_CRYPTO_OK:
			break;
		case DPATH_CRYPTO_FALLBACK:
			out->nfallback++;
			break;
		case DPATH_CRYPTO_STOPPED:
			out->nstopped++;
			break;
		}
	}
}

int
dpath_init(struct dpath *d, const struct dpath_shared *sh, unsigned slot,
    unsigned cache_bits)
{
	memset(d, 0, sizeof(*d));
	d->sh = sh;
	d->slot = slot;
	d->cache = spd_cache_new(sh->spd, cache_bits);
	d->ipcomp = ipcomp_ctx_new();
	if (d->cache == NULL || d->ipcomp == NULL) {
		dpath_clear(d);
		return -1;
	}
	return 0;
}

void
dpath_clear(struct dpath *d)
{
	spd_cache_free(d->cache);
	ipcomp_ctx_free(d->ipcomp);
	memset(d, 0, sizeof(*d));
}

static struct sad_entry *
entry_of(struct sa *sa)
{
	return (
	    struct sad_entry *)((char *)sa - offsetof(struct sad_entry, sa));
}

/*
 * This worker's state for e, made on first use: NULL when the cipher
 * cannot be keyed (the provider lacks the algorithm) or memory ran out.
 * A stopped SA's state is returned too: the callers check usable().
 */
static struct dpath_sa_state *
sa_state(struct dpath *d, struct sad_entry *e)
{
	struct dpath_sa_state *st = sad_wstate_get(e, d->slot);

	if (st != NULL)
		return st;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if (e->sa.proto != IPPROTO_COMP &&
	    (st->c = cipher_new_policy(
		 d->sh->lib, &e->sa.key, CRYPTO_POLICY_UNSET)) == NULL) {
		free(st);
		return NULL;
	}
	if (!sad_wstate_set(e, d->slot, st)) {
		dpath_wstate_free(st);
		return NULL;
	}
	return st;
}

/* Whether packets may use st's cipher (not after a stop). */
static bool
usable(const struct dpath_sa_state *st)
{
	return atomic_load_explicit(&st->crypto_state, memory_order_relaxed) !=
	    DPATH_CRYPTO_STOPPED;
}

static void
crypto_state_set(struct dpath *d, struct sad_entry *e,
    struct dpath_sa_state *st, enum dpath_crypto_state to)
{
	atomic_store_explicit(&st->crypto_state, to, memory_order_relaxed);
	if (d->crypto_event != NULL)
		d->crypto_event(d->crypto_arg, e, to);
}

/*
 * The provider failed an operation of SA e on cipher c.  Only the
 * first failure of the cipher in use moves the state: later ones of the
 * same cipher (operations already in flight) are only counted.
 */
static void
crypto_failed(struct dpath *d, struct sad_entry *e, struct cipher *c)
{
	struct dpath_sa_state *st = sad_wstate_get(e, d->slot);
	struct cipher *nc;

	if (st == NULL)
		return;
	atomic_fetch_add_explicit(&st->crypto_errors, 1, memory_order_relaxed);
	if (c != st->c || !usable(st))
		return;
	switch (cipher_failover(c)) {
	case CIPHER_FAILOVER_NONE:
		return;
	case CIPHER_FAILOVER_FALLBACK:
		if (st->retired == NULL &&
		    (nc = cipher_new_fallback(d->sh->lib, c)) != NULL) {
			st->retired = c;
			st->c = nc;
			crypto_state_set(d, e, st, DPATH_CRYPTO_FALLBACK);
			return;
		}
		/* No software cipher could be made: nothing else to do. */
		break;
	case CIPHER_FAILOVER_STOP:
		break;
	}
	crypto_state_set(d, e, st, DPATH_CRYPTO_STOPPED);
}

/* After an op of job completed: act on a provider failure. */
static void
op_check(struct dpath *d, const struct dpath_job *job)
{
	const struct crypto_op *op = &job->run.job.op;

	if (job->run.is_pending && op->status == CRYPTO_ERROR)
		crypto_failed(d, entry_of(job->run.job.sa), op->c);
}

void
dpath_set_pmtu(struct dpath *d, struct sad_entry *e, uint32_t pmtu)
{
	struct dpath_sa_state *st = sa_state(d, e);

	if (st != NULL) {
		st->pmtu = pmtu;
		st->pmtu_sec = d->now_sec;
	}
}

uint32_t
dpath_pmtu(struct dpath *d, struct sad_entry *e)
{
	struct dpath_sa_state *st = sad_wstate_get(e, d->slot);

	if (st == NULL)
		return 0;
	if (d->pmtu_probe != NULL &&
	    (st->pmtu == 0 || d->now_sec - st->pmtu_sec > DPATH_PMTU_TTL)) {
		st->pmtu = d->pmtu_probe(d->pmtu_arg, &e->sa.dst);
		st->pmtu_sec = d->now_sec;
	}
	return st->pmtu;
}

static const struct knobs *
knobs_of(const struct dpath *d)
{
	return atomic_load_explicit(&d->sh->knobs, memory_order_acquire);
}

/* Bytes the bundle adds to an inner packet of len bytes (upper bound). */
static size_t
bundle_added(const struct bundle_xform *x, size_t n, size_t len)
{
	size_t cur = len;

	for (size_t i = 0; i < n; i++) {
		const struct sa *sa = x[i].sa;

		if (sa->mode == SA_MODE_TUNNEL)
			cur += sa->src.family == AF_INET ? 20 : 40;
		switch (sa->proto) {
		case IPPROTO_ESP:
			cur += esp_overhead(&sa->key, cur);
			break;
		case IPPROTO_AH:
			cur +=
			    ah_overhead(cipher_icv_len(x[i].c), sa->src.family);
			break;
		default:
			/* IPcomp never grows a packet (RFC 3173 2.2). */
			break;
		}
	}
	return cur - len;
}

/* The largest inner length whose bundle output fits mtu (0: none). */
static uint32_t
bundle_max_inner(const struct bundle_xform *x, size_t n, uint32_t mtu)
{
	size_t len = mtu;

	/* Padding makes the overhead step; a few steps down always fit. */
	while (len > 0 && len + bundle_added(x, n, len) > mtu)
		len--;
	return (uint32_t)len;
}

/*
 * Whether the outer packet will carry DF (tunnel.h: dfbit knob, inner DF
 * when copying, never with SA_F_NOPMTUDISC), i.e. whether an oversized
 * packet must be refused with an ICMP error rather than fragmented.  An
 * IPv6 inner packet is never fragmented on its way (RFC 8200 section 5),
 * so it gets the ICMPv6 error.
 */
static bool
needs_toobig(
    const struct ip_info *inner, const struct sa *outer, const struct knobs *k)
{
	/*
	 * Except up to the IPv6 minimum MTU: its sender may never send
	 * smaller, so the tunnel fragments the outer packet instead (RFC
	 * 2473 section 7.1, RFC 4213 section 3.2; tunnel.h clears DF).
	 */
	if (inner->family == AF_INET6)
		return inner->tot_len > IP6_MTU_MIN;
	return tunnel_outer_df(outer, k, inner);
}

/* Fill p->iv_random for the CBC SAs from the worker's random pool. */
static bool
draw_ivs(struct dpath *d, const struct bundle_xform *x, size_t n,
    struct bundle_out_params *p)
{
	for (size_t i = 0; i < n; i++) {
		const struct alg *enc = x[i].sa->key.enc;

		if (enc == NULL || enc->id != ALG_AES_CBC)
			continue;
		if (d->rnd_left < enc->iv_len)
			return false;
		d->rnd_left -= enc->iv_len;
		memcpy(p->iv_random[i], d->rnd + d->rnd_left, enc->iv_len);
	}
	return true;
}

/* One SA per template; *n of them.  IPSEC_DROP_NOSA if a required one lacks. */
static enum ipsec_verdict
pick_sas(struct dpath *d, const struct spd_policy *pol,
    const struct selector_key *k, const struct knobs *kn,
    struct bundle_xform *x, size_t *n)
{
	const struct addr *src = &k->src, *dst = &k->dst;

	*n = 0;
	for (size_t t = 0; t < pol->ntmpl && t < SPD_TMPL_MAX; t++) {
		const struct spd_tmpl *tm = &pol->tmpl[t];
		struct sad_out_key key;
		struct sad_entry *e;
		struct dpath_sa_state *st;

		/*
		 * A tunnel or BEET template makes the header the templates
		 * after it go behind; a transport one takes the addresses of
		 * the header it is in (Linux's xfrm_tmpl_resolve_one), so AH
		 * over an ESP tunnel is the SA between the tunnel endpoints.
		 */
		if (tm->mode == SA_MODE_TUNNEL || tm->mode == SA_MODE_BEET) {
			src = &tm->src;
			dst = &tm->dst;
		}
		memset(&key, 0, sizeof(key));
		key.src = *src;
		key.dst = *dst;
		key.proto = tm->proto;
		key.mode = tm->mode;
		key.reqid = tm->reqid;
		e = sad_lookup_out(d->sh->sad, &key);
		if (e == NULL) {
			if (spd_level(tm, kn) == KNOBS_LEVEL_USE)
				continue;
			return IPSEC_DROP_NOSA;
		}
		if ((st = sa_state(d, e)) == NULL || !usable(st)) {
			sad_drop(e, IPSEC_DROP_CRYPTO);
			return IPSEC_DROP_CRYPTO;
		}
		x[*n].sa = &e->sa;
		x[*n].c = st->c;
		(*n)++;
	}
	return IPSEC_OK;
}

static void
policy_count(struct spd_policy *pol, size_t bytes, uint64_t now)
{
	atomic_fetch_add_explicit(&pol->packets, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pol->bytes, bytes, memory_order_relaxed);
	atomic_store_explicit(&pol->use_sec, now, memory_order_relaxed);
}

enum ipsec_verdict
dpath_output_begin(struct dpath *d, uint32_t if_id, bool is_local_src,
    struct pbuf *pb, struct dpath_job *job)
{
	const struct knobs *kn = knobs_of(d);
	struct dpath_out *out = &job->out;
	struct bundle_xform *x = job->x;
	struct selector_key k;
	struct ip_info info;
	struct spd_policy *pol;
	struct sad_entry *outer;
	size_t n, len = pbuf_len(pb);
	uint32_t pmtu;
	enum ipsec_verdict v;

	memset(out, 0, sizeof(*out));
	job->pb = pb;
	job->len = len;
	job->n = 0;
	if (!ip_parse(pbuf_data(pb), len, &info) ||
	    !flow_key_parse(pbuf_data(pb), len, if_id, &k))
		return IPSEC_DROP_HDR;
	/*
	 * No policy: a packet routed into an ipsecN device asks for
	 * protection, so def_policy (which is about the host's own
	 * unprotected traffic) does not make it bypass: it is dropped,
	 * as FreeBSD's if_ipsec drops what no SA covers.
	 */
	if ((pol = spd_cache_lookup(d->cache, SPD_DIR_OUT, &k)) == NULL)
		return IPSEC_DROP_POLICY;
	out->pol = pol;
	switch ((enum spd_action)pol->action) {
	case SPD_ACTION_DISCARD:
		return IPSEC_DROP_POLICY;
	case SPD_ACTION_NONE:
		policy_count(pol, len, d->now_sec);
		return IPSEC_OK; /* out->sa NULL: send as it is */
	case SPD_ACTION_IPSEC:
		break;
	}
	if ((v = pick_sas(d, pol, &k, kn, x, &n)) != IPSEC_OK) {
		if (v == IPSEC_DROP_NOSA)
			out->flow = k;
		return v;
	}
	if (n == 0) {
		/* Every template is "use" and none has an SA: plaintext. */
		policy_count(pol, len, d->now_sec);
		return IPSEC_OK;
	}
	if (!bundle_order(x, n))
		return IPSEC_DROP_POLICY;
	outer = entry_of(x[n - 1].sa);
	pmtu = dpath_pmtu(d, outer);
	if (pmtu != 0 && needs_toobig(&info, &outer->sa, kn) &&
	    len + bundle_added(x, n, len) > pmtu) {
		out->inner_mtu = bundle_max_inner(x, n, pmtu);
		/* Smaller IPv6 packets are fragmented: see needs_toobig. */
		if (info.family == AF_INET6 && out->inner_mtu < IP6_MTU_MIN)
			out->inner_mtu = IP6_MTU_MIN;
		out->sa = outer;
		sad_drop(outer, IPSEC_DROP_TOOBIG);
		return IPSEC_DROP_TOOBIG;
	}
	for (size_t i = 0; i < n; i++)
		if ((v = sad_account(entry_of(x[i].sa), len, d->now_sec)) !=
		    IPSEC_OK) {
			sad_drop(entry_of(x[i].sa), v);
			return v;
		}
	memset(&job->p, 0, sizeof(job->p));
	job->p.knobs = kn;
	job->p.ipcomp = d->ipcomp;
	job->p.is_forwarded = !is_local_src;
	/*
	 * Never ID 0 in an outer header (the bundle takes n IDs from
	 * ip_id): the kernel replaces a zero ID of a raw IP_HDRINCL packet
	 * (raw_send_hdrinc), which would break an AH ICV over that header.
	 */
	if (d->ip_id == 0 || (uint32_t)d->ip_id + n - 1 > UINT16_MAX)
		d->ip_id = 1;
	job->p.ip_id = d->ip_id;
	if (!draw_ivs(d, x, n, &job->p)) {
		sad_drop(outer, IPSEC_DROP_CRYPTO);
		return IPSEC_DROP_CRYPTO;
	}
	d->ip_id = (uint16_t)(d->ip_id + n);
	job->n = n;
	bundle_out_begin(&job->run, x, n, &job->p, pb);
	return dpath_output_step(d, job);
}

enum ipsec_verdict
dpath_output_step(struct dpath *d, struct dpath_job *job)
{
	struct dpath_out *out = &job->out;
	struct sad_entry *outer;
	enum ipsec_verdict v;
	size_t n = job->n;

	op_check(d, job);
	if ((v = bundle_out_step(&job->run)) == IPSEC_PENDING)
		return v;
	if (v != IPSEC_OK) {
		sad_drop(
		    entry_of(job->x[job->run.i < n ? job->run.i : n - 1].sa),
		    v);
		return v;
	}
	policy_count(out->pol, job->len, d->now_sec);
	outer = entry_of(job->x[n - 1].sa);
	out->sa = outer;
	out->src = outer->sa.src;
	out->dst = outer->sa.dst;
	out->proto = outer->sa.proto;
	if (outer->sa.proto == IPPROTO_ESP &&
	    (outer->sa.flags & SA_F_UDP_ENCAP)) {
		out->is_udp = true;
		out->sport = outer->sa.encap_sport;
		out->dport = outer->sa.encap_dport;
	}
	return IPSEC_OK;
}

enum ipsec_verdict
dpath_output(struct dpath *d, uint32_t if_id, bool is_local_src,
    struct pbuf *pb, struct dpath_out *out)
{
	struct dpath_job job;
	enum ipsec_verdict v;

	v = dpath_output_begin(d, if_id, is_local_src, pb, &job);
	while (v == IPSEC_PENDING) {
		cipher_run(&job.run.job.op);
		v = dpath_output_step(d, &job);
	}
	*out = job.out;
	return v;
}

static const struct bundle_xform *
in_lookup(void *arg, uint8_t proto, uint32_t spi, const struct addr *dst)
{
	struct dpath_job *job = arg;
	struct dpath *d = job->d;
	struct sad_entry *e;
	struct dpath_sa_state *st;

	if (job->nxin == BUNDLE_MAX)
		return NULL;
	e = sad_lookup_spi(d->sh->sad, spi, proto, dst);
	if (e == NULL || !sad_usable_check(e))
		return NULL;
	if ((st = sa_state(d, e)) == NULL || !usable(st)) {
		sad_drop(e, IPSEC_DROP_CRYPTO);
		return NULL;
	}
	job->xin[job->nxin].sa = &e->sa;
	job->xin[job->nxin].c = st->c;
	job->ein[job->nxin] = e;
	return &job->xin[job->nxin++];
}

enum ipsec_verdict
dpath_input_begin(struct dpath *d, struct pbuf *pb, struct dpath_job *job)
{
	memset(&job->in, 0, sizeof(job->in));
	memset(&job->ip, 0, sizeof(job->ip));
	job->d = d;
	job->pb = pb;
	job->len = pbuf_len(pb);
	job->ip.knobs = knobs_of(d);
	job->ip.ipcomp = d->ipcomp;
	job->ip.lookup = in_lookup;
	job->ip.arg = job;
	job->nxin = 0;
	bundle_in_begin(&job->run, &job->ip, pb, &job->in.hist);
	return dpath_input_step(d, job);
}

enum ipsec_verdict
dpath_input_step(struct dpath *d, struct dpath_job *job)
{
	struct dpath_in *in = &job->in;
	struct pbuf *pb = job->pb;
	struct selector_key k;
	struct spd_policy *pol;
	struct sad_entry *inner;
	enum ipsec_verdict v;

	op_check(d, job);
	if ((v = bundle_in_step(&job->run)) == IPSEC_PENDING)
		return v;
	if (v != IPSEC_OK) {
		/*
		 * Count against the SA whose transform failed: the last one
		 * looked up (none for a missing SA).
		 */
		if (job->nxin > 0 && v != IPSEC_DUMMY)
			sad_drop(job->ein[job->nxin - 1], v);
		return v;
	}
	if (in->hist.n == 0 || job->nxin == 0)
		return IPSEC_DROP_PROTO;
	in->sa = job->ein[0];
	inner = job->ein[job->nxin - 1];
	for (unsigned i = 0; i < job->nxin; i++)
		if ((v = sad_account(job->ein[i], job->len, d->now_sec)) !=
		    IPSEC_OK) {
			sad_drop(job->ein[i], v);
			return v;
		}
	/* Transport-mode NAT-T: TCP/UDP checksums after NAT (natoa.h). */
	natoa_input(job->xin, job->nxin, job->ip.knobs->natt_cksum_policy,
	    pbuf_data(pb), pbuf_len(pb));
	in->if_key = inner->sa.if_id != 0 ? inner->sa.if_id : inner->sa.reqid;
	if (!flow_key_parse(pbuf_data(pb), pbuf_len(pb), in->if_key, &k)) {
		sad_drop(inner, IPSEC_DROP_HDR);
		return IPSEC_DROP_HDR;
	}
	pol = spd_cache_lookup(d->cache, SPD_DIR_IN, &k);
	if ((v = bundle_check_policy(pol, &in->hist, job->ip.knobs)) !=
	    IPSEC_OK) {
		sad_drop(inner, v);
		return v;
	}
	if (pol != NULL)
		policy_count(pol, pbuf_len(pb), d->now_sec);
	return IPSEC_OK;
}

enum ipsec_verdict
dpath_input(struct dpath *d, struct pbuf *pb, struct dpath_in *in)
{
	struct dpath_job job;
	enum ipsec_verdict v;

	v = dpath_input_begin(d, pb, &job);
	while (v == IPSEC_PENDING) {
		cipher_run(&job.run.job.op);
		v = dpath_input_step(d, &job);
	}
	*in = job.in;
	return v;
}

/* Is the inner packet an ICMP error, or not the first fragment? */
static bool
is_unanswerable(const uint8_t *inner, size_t len, const struct ip_info *info)
{
	struct selector_key k;

	if (!flow_key_parse(inner, len, 0, &k))
		return true;
	if (info->family == AF_INET) {
		if ((inner[6] & 0x1f) != 0 || inner[7] != 0)
			return true; /* offset != 0 */
		if (k.proto == IPPROTO_ICMP)
			switch (k.sport) {
			case 3:	 /* unreachable */
			case 4:	 /* source quench */
			case 5:	 /* redirect */
			case 11: /* time exceeded */
			case 12: /* parameter problem */
				return true;
			default:
				return false;
			}
		return false;
	}
	/* ICMPv6 error messages are types 0-127 (RFC 4443 2.1). */
	return k.proto == IPPROTO_ICMPV6 && k.sport < 128;
}

bool
dpath_icmp_toobig(const uint8_t *inner, size_t len, uint32_t mtu,
    const struct addr *from, struct pbuf *out)
{
	struct ip_info info;
	size_t hl, quote, tot;
	uint8_t *h, *icmp;
	uint32_t sum;

	if (!ip_parse(inner, len, &info) || from->family != info.family ||
	    is_unanswerable(inner, len, &info))
		return false;
	hl = info.family == AF_INET ? 20 : 40;
	/* RFC 1812 4.3.2.3: the error fits in 576 bytes; IPv6: 1280. */
	quote = (info.family == AF_INET ? 576 : 1280) - hl - 8;
	if (quote > len)
		quote = len;
	tot = hl + 8 + quote;
	if (info.family == AF_INET6 && mtu < 1280)
		return false;
	pbuf_reset(out, pbuf_headroom(out));
	if ((h = pbuf_put(out, tot)) == NULL)
		return false;
	memset(h, 0, hl + 8);
	icmp = h + hl;
	memcpy(icmp + 8, inner, quote);
	if (info.family == AF_INET) {
		h[0] = 0x45;
		h[1] = 0xc0; /* internetwork control, as Linux's icmp_send */
		h[8] = 64;
		h[9] = IPPROTO_ICMP;
		memcpy(h + 12, from->bytes, 4);
		memcpy(h + 16, info.src.bytes, 4);
		ip_set_len(h, AF_INET, tot);
		icmp[0] = 3; /* destination unreachable */
		icmp[1] = 4; /* fragmentation needed and DF set */
		wr_u16(icmp + 6, (uint16_t)(mtu > 0xffff ? 0xffff : mtu));
		wr_u16(icmp + 2, ip_csum_fold(ip_csum_add(0, icmp, 8 + quote)));
		return true;
	}
	h[0] = 0x60;
	h[6] = IPPROTO_ICMPV6;
	h[7] = 64;
	memcpy(h + 8, from->bytes, 16);
	memcpy(h + 24, info.src.bytes, 16);
	ip_set_len(h, AF_INET6, tot);
	icmp[0] = 2; /* packet too big */
	wr_u32(icmp + 4, mtu);
	/* Pseudo-header (RFC 8200 section 8.1): addresses, length, 58. */
	sum = ip_csum_add(0, h + 8, 32);
	sum += (uint32_t)(8 + quote);
	sum += IPPROTO_ICMPV6;
	wr_u16(icmp + 2, ip_csum_fold(ip_csum_add(sum, icmp, 8 + quote)));
	return true;
}
