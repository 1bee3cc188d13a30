#ifndef IPSECD_IPSEC_BUNDLE_H
#define IPSECD_IPSEC_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "crypto/alg.h"
#include "ipsec/job.h"
#include "ipsec/verdict.h"

struct cipher;
struct ipcomp_ctx;
struct knobs;
struct pbuf;
struct sa;
struct spd_policy;

/*
 * SA bundles: up to four SAs applied to one packet.  Outbound they are
 * applied IPcomp, then ESP, then AH (compression must precede encryption,
 * and AH authenticates what ESP produced: RFC 4301 section 4.5, Linux's
 * and KAME's order); inbound the headers are removed as they come,
 * outermost first, and each SA used is recorded in a history that the
 * inbound policy check reads (knob check_policy_history).
 *
 * A tunnel-mode SA adds (outbound) or removes (inbound) an outer header
 * around its own transform, a BEET SA rewrites the addresses, a transport
 * SA does neither and is refused for a forwarded packet unless an earlier
 * SA of the bundle built the header it goes behind (FreeBSD does the
 * same: transport mode protects only this host's own packets).
 */
#define BUNDLE_MAX 4

/* One SA and this worker's crypto state for it (NULL for IPcomp). */
struct bundle_xform {
	struct sa *sa;
	struct cipher *c;
};

/*
 * Sort x[0..n) into the outbound order IPcomp, ESP, AH (stable among
 * equals).  False if n is 0 or above BUNDLE_MAX, or an SA is of another
 * protocol.
 */
bool bundle_order(struct bundle_xform *x, size_t n);

struct bundle_out_params {
	const struct knobs *knobs;
	struct ipcomp_ctx *ipcomp; /* this worker's; NULL: refuse IPcomp */
	size_t ipcomp_threshold;   /* payload bytes; 0: the default (90) */
	bool is_forwarded;	   /* not originated by this host */
	uint16_t ip_id;		   /* IPv4 ID for the first outer header */
	/*
	 * Unpredictable IVs drawn by the caller, one per SA position: used
	 * by CBC (RFC 3602 section 3 needs an unpredictable IV).  The
	 * counter-mode ciphers use the 64-bit sequence number as their IV,
	 * unique per key as RFC 4106 section 3.1 / RFC 7634 section 2 ask.
	 */
	uint8_t iv_random[BUNDLE_MAX][ALG_IV_MAX];
};

/*
 * Apply x[0..n), already in bundle_order(), to the IP packet in pb.
 * Each ESP/AH SA takes its next outbound sequence number here.  Returns
 * IPSEC_OK, or the first failing step's verdict with *failed_at (may be
 * NULL) set to its index; the packet is then garbage.  IPSEC_DROP_MODE for
 * a transport SA on a forwarded packet; IPSEC_DROP_PROTO for an IPcomp SA
 * without p->ipcomp.  An IPcomp SA whose payload is below the threshold
 * or does not shrink adds no header (RFC 3173 section 2.2) and is no
 * error; in tunnel mode its outer header stays, so the peer gets IP-in-IP
 * (behind the next SA's header, or bare when IPcomp is alone).
 */
enum ipsec_verdict bundle_output(const struct bundle_xform *x, size_t n,
    const struct bundle_out_params *p, struct pbuf *pb, size_t *failed_at);

/* One SA an inbound packet went through, outermost first. */
struct bundle_hist {
	uint8_t proto;
	uint8_t mode;
	uint32_t spi;
	uint32_t reqid;
	struct addr src; /* the SA's addresses (tunnel endpoints) */
	struct addr dst;
};

struct bundle_history {
	uint8_t n;
	struct bundle_hist e[BUNDLE_MAX];
};

/*
 * Find the inbound SA for (proto, spi, dst) with this worker's cipher;
 * NULL when there is none or it is not usable (larval, dead).  For
 * IPcomp spi is the 16-bit CPI.
 */
typedef const struct bundle_xform *(*bundle_lookup_fn)(
    void *arg, uint8_t proto, uint32_t spi, const struct addr *dst);

struct bundle_in_params {
	const struct knobs *knobs;
	struct ipcomp_ctx *ipcomp;
	bundle_lookup_fn lookup;
	void *arg;
};

/*
 * Remove every IPsec layer of the packet in pb (at most BUNDLE_MAX),
 * looking each SA up as its header comes; fill *h.  Returns IPSEC_OK with
 * the plaintext packet in pb; IPSEC_DROP_NOSA when a lookup fails,
 * IPSEC_DROP_PROTO when the protocol is disabled by a knob
 * (esp_enable, ah_enable, ipcomp_enable) or is IPcomp without p->ipcomp,
 * IPSEC_DROP_NEXTHDR when a
 * tunnel-mode SA did not carry an IP packet, IPSEC_DROP_POLICY for more
 * than BUNDLE_MAX layers, or the transform's verdict.  IPSEC_DUMMY for an
 * ESP dummy packet.  A packet without IPsec returns IPSEC_OK with an
 * empty history.
 */
enum ipsec_verdict bundle_input(const struct bundle_in_params *p,
    struct pbuf *pb, struct bundle_history *h);

/*
 * The inbound policy check (RFC 4301 section 5.2, step 4; ipsec(4)): did
 * the packet get the protection the matching inbound policy pol (NULL:
 * none matched, then def_policy decides) asks for?
 *   discard: never; none (bypass): always.
 *   ipsec: every template whose level (spd_level) is require or unique
 *     must be met by an SA of the history with the template's protocol;
 *     with check_policy_history also its mode, tunnel endpoints, and
 *     reqid (unique, or any non-zero reqid), and then every SA applied
 *     must belong to some template of the policy.
 * IPSEC_OK or IPSEC_DROP_POLICY.
 */
enum ipsec_verdict bundle_check_policy(const struct spd_policy *pol,
    const struct bundle_history *h, const struct knobs *k);

/*
 * A bundle in progress on one packet, for a crypto stage that completes
 * later (DESIGN.md, "crypto is a pipeline stage").  *_begin sets it up;
 * each *_step runs every step that needs no crypto (headers, IPcomp,
 * lookups, the transforms' begin and end halves) and stops:
 *   IPSEC_PENDING  at a crypto operation: run or submit run->job.op, and
 *                  once it has completed (op.status set) call *_step
 *                  again, which finishes that transform and goes on;
 *   IPSEC_OK       at the end (outbound: the packet is protected;
 *                  inbound: no IPsec header is left, history filled);
 *   anything else  a drop, with run->i the index of the failing SA
 *                  (outbound) or the number of SAs already removed
 *                  (inbound).
 * bundle_output and bundle_input are these steps with the op run inline.
 * The run borrows everything it was given (SAs, ciphers, params, pb,
 * history) until the last step returns; the caller owns the run (in a
 * batch array: nothing is allocated) and must not move it while an op is
 * pending, since the op points into run->job.
 */
struct bundle_run {
	const struct bundle_xform *x; /* outbound SAs, in bundle_order */
	size_t n;
	const struct bundle_out_params *out;
	const struct bundle_in_params *in;
	struct bundle_history *h;
	const struct bundle_xform *cur; /* inbound SA being applied */
	struct pbuf *pb;
	size_t i;
	uint16_t ip_id;
	bool has_own_header;
	bool is_pending; /* job.op handed out, its transform not finished */
	struct ipsec_job job;
};

void bundle_out_begin(struct bundle_run *r, const struct bundle_xform *x,
    size_t n, const struct bundle_out_params *p, struct pbuf *pb);
enum ipsec_verdict bundle_out_step(struct bundle_run *r);

void bundle_in_begin(struct bundle_run *r, const struct bundle_in_params *p,
    struct pbuf *pb, struct bundle_history *h);
enum ipsec_verdict bundle_in_step(struct bundle_run *r);

#endif
