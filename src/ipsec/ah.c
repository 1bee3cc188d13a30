/*
 * AH transform (RFC 4302).  Header after the IP header(s):
 *
 *   0      1      2      4      8      12              12+icv     len
 *   | next | len  | 0    | SPI  | seq  | ICV            | pad (0) |
 *
 * len = total/4 - 2 (section 2.2); the total is 12 + ICV rounded up to 4
 * bytes (IPv4) or 8 (IPv6).
 *
 * The ICV is one HMAC over the whole packet, taken in place: the mutable
 * header fields are saved to job->scratch and zeroed before the op and
 * put back after it, so the op has one span (plus the ESN high bits).
 * Every change to the packet is first tried as a dry run that only
 * validates and counts the bytes to save, so a begin that fails has not
 * touched the packet.
 *
 * job->scratch layout:
 *   [0..4)   ESN high 32 bits (section 3.3.2.1), appended to the ICV input
 *   [4..)    saved fields: records of off (u16), len (u16), bytes
 */
#include "config.h"

#include "ipsec/ah.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"

#define SAVE_START 4
#define REC_HDR 4

#define IP4_HDR_MIN 20
#define IP6_HDR_LEN 40
#define IP6_OFF_DST 24
#define IP6_ADDR_LEN 16

/* IPv4 options (RFC 791 and the IANA registry), full type byte. */
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_SEC 130  /* Security (RFC 1108) */
#define IPOPT_LSRR 131 /* Loose Source Route */
#define IPOPT_ESEC 133 /* Extended Security */
#define IPOPT_CIPSO 134
#define IPOPT_SSRR 137 /* Strict Source Route */
#define IPOPT_RA 148   /* Router Alert (RFC 2113) */
#define IPOPT_SDB 149  /* Selective Directed Broadcast (RFC 1770) */

#define IP6OPT_PAD1 0
#define IP6OPT_MUTABLE 0x20 /* RFC 8200 section 4.2: may change en route */

/*
 * The mutable-field pass.  With is_dry set it only validates and counts
 * what would be saved; otherwise it saves into buf and zeroes/rewrites.
 */
struct mut {
	uint8_t *pkt;
	uint8_t *buf;
	size_t used;
	size_t cap;
	bool is_dry;
	bool is_out;
};

static bool
mut_save(struct mut *m, size_t off, size_t len)
{
	if (len > m->cap - m->used || m->cap - m->used - len < REC_HDR)
		return false;
	if (!m->is_dry) {
		wr_u16(m->buf + m->used, (uint16_t)off);
		wr_u16(m->buf + m->used + 2, (uint16_t)len);
		memcpy(m->buf + m->used + REC_HDR, m->pkt + off, len);
	}
	m->used += REC_HDR + len;
	return true;
}

static bool
mut_zero(struct mut *m, size_t off, size_t len)
{
	if (!mut_save(m, off, len))
		return false;
	if (!m->is_dry)
		memset(m->pkt + off, 0, len);
	return true;
}

static void
mut_restore(uint8_t *pkt, const uint8_t *buf, size_t used)
{
	size_t i = 0;

	while (i + REC_HDR <= used) {
		size_t off = get_u16(buf + i), len = get_u16(buf + i + 2);

		memcpy(pkt + off, buf + i + REC_HDR, len);
		i += REC_HDR + len;
	}
}

/*
 * IPv4 options (section 3.3.3.1.1.2 and Appendix A.1): an option is
 * included whole or zeroed whole.  The immutable set is Linux's (ah4.c);
 * with source routing the outbound ICV uses the final destination.  The
 * header was saved whole by the caller.
 */
static bool
ip4_options(struct mut *m, size_t ihl)
{
	uint8_t *pkt = m->pkt;
	size_t i = IP4_HDR_MIN, olen;

	while (i < ihl) {
		switch (pkt[i]) {
		case IPOPT_EOL:
			return true; /* the rest is padding, included */
		case IPOPT_NOP:
			i++;
			continue;
		}
		if (ihl - i < 2 || (olen = pkt[i + 1]) < 2 || olen > ihl - i)
			return false;
		switch (pkt[i]) {
		case IPOPT_SEC:
		case IPOPT_ESEC:
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case IPOPT_SDB:
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			/* type, length, pointer, at least one address */
			if (olen < 7)
				return false;
			if (m->is_out && !m->is_dry)
				memcpy(pkt + 16, pkt + i + olen - 4, 4);
			if (!m->is_dry)
				memset(pkt + i, 0, olen);
			break;
		default:
			if (!m->is_dry)
				memset(pkt + i, 0, olen);
			break;
		}
		i += olen;
	}
	return true;
}

/* Section 3.3.3.1.1.1: TOS, flags/offset, TTL, checksum; then options. */
static bool
ip4_mutable(struct mut *m, size_t ihl, const struct knobs *k)
{
	uint8_t *pkt = m->pkt;

	if (!mut_save(m, 0, ihl))
		return false;
	if (!m->is_dry) {
		if (k->ah_cleartos)
			pkt[1] = 0;
		/* ipsec(4) ah_offsetmask: ANDed with ip_off (flags too). */
		wr_u16(
		    pkt + 6, (uint16_t)(get_u16(pkt + 6) & k->ah_offsetmask));
		pkt[8] = 0;
		wr_u16(pkt + 10, 0);
	}
	return ip4_options(m, ihl);
}

/* Hop-by-Hop / Destination Options: zero the data of "may change" ones. */
static bool
ip6_options(struct mut *m, size_t off, size_t hlen)
{
	size_t i = 2, olen;

	while (i < hlen) {
		const uint8_t *o = m->pkt + off + i;

		if (o[0] == IP6OPT_PAD1) {
			i++;
			continue;
		}
		if (hlen - i < 2 || (olen = o[1]) > hlen - i - 2)
			return false;
		if ((o[0] & IP6OPT_MUTABLE) != 0 && olen > 0 &&
		    !mut_zero(m, off + i + 2, olen))
			return false;
		i += 2 + olen;
	}
	return true;
}

/*
 * Routing header (section 3.3.3.1.2.2): mutable but predictable.  For
 * types 0 and 2 (a list of addresses after 8 bytes) the ICV is taken over
 * the header as the destination will see it, as Linux's ah6.c does: the
 * final address becomes the destination, the current destination takes
 * the first unvisited slot, Segments Left becomes 0.  Any other type with
 * segments left cannot be predicted here.
 */
static bool
ip6_routing(struct mut *m, size_t off)
{
	uint8_t *h = m->pkt + off, *addrs = h + 8;
	size_t n = h[1] / 2, left = h[3];
	uint8_t final[IP6_ADDR_LEN];

	if (left == 0)
		return true;
	if ((h[2] != 0 && h[2] != 2) || (h[1] & 1) != 0 || left > n)
		return false;
	if (!mut_save(m, IP6_OFF_DST, IP6_ADDR_LEN) ||
	    !mut_save(m, off + 3, 1) ||
	    !mut_save(
		m, off + 8 + (n - left) * IP6_ADDR_LEN, left * IP6_ADDR_LEN))
		return false;
	if (m->is_dry)
		return true;
	memcpy(final, addrs + (n - 1) * IP6_ADDR_LEN, IP6_ADDR_LEN);
	addrs += (n - left) * IP6_ADDR_LEN;
	memmove(addrs + IP6_ADDR_LEN, addrs, (left - 1) * IP6_ADDR_LEN);
	memcpy(addrs, m->pkt + IP6_OFF_DST, IP6_ADDR_LEN);
	memcpy(m->pkt + IP6_OFF_DST, final, IP6_ADDR_LEN);
	h[3] = 0;
	return true;
}

/*
 * Section 3.3.3.1.2: traffic class, flow label, hop limit; then the
 * extension headers before AH (ip_parse already checked their lengths).
 */
static bool
ip6_mutable(struct mut *m, size_t ins_off)
{
	uint8_t *pkt = m->pkt;
	uint8_t nh = pkt[6];
	size_t off = IP6_HDR_LEN, hlen;

	if (!mut_save(m, 0, 8))
		return false;
	if (!m->is_dry) {
		pkt[0] &= 0xf0;
		pkt[1] = pkt[2] = pkt[3] = 0;
		pkt[7] = 0;
	}
	while (off < ins_off) {
		hlen = ((size_t)pkt[off + 1] + 1) * 8;
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			if (!ip6_options(m, off, hlen))
				return false;
			break;
		case IPPROTO_ROUTING:
			if (!ip6_routing(m, off))
				return false;
			break;
		default:
			return false; /* a fragment header: refused earlier */
		}
		nh = pkt[off];
		off += hlen;
	}
	return true;
}

/*
 * One pass over the mutable fields of the packet in job->pb: a dry run
 * (validate, count) or the real one (save into scratch, zero, rewrite).
 */
static bool
mut_pass(struct ipsec_job *job, const struct ip_info *info,
    const struct knobs *k, bool is_out, bool is_dry)
{
	struct mut m;
	bool ok;

	m.pkt = pbuf_data(job->pb);
	m.buf = job->scratch + SAVE_START;
	m.used = 0;
	m.cap = sizeof(job->scratch) - SAVE_START;
	m.is_dry = is_dry;
	m.is_out = is_out;
	if (info->family == AF_INET)
		ok = ip4_mutable(&m, info->hdr_len, k);
	else
		ok = ip6_mutable(&m, info->ins_off);
	if (!is_dry)
		job->aux = (uint16_t)m.used;
	return ok;
}

static size_t
ah_len(size_t icv_len, uint8_t family)
{
	size_t align = family == AF_INET ? 4 : 8;

	return (AH_HDR_LEN + icv_len + align - 1) / align * align;
}

size_t
ah_overhead(size_t icv_len, uint8_t family)
{
	return ah_len(icv_len, family);
}

/* One HMAC over the packet, then the ESN high bits (section 3.3.2.1). */
static void
build_op(struct ipsec_job *job, struct cipher *c, uint8_t *icv, bool is_encrypt)
{
	struct crypto_op *op = &job->op;

	memset(op, 0, sizeof(*op));
	op->c = c;
	op->is_encrypt = is_encrypt;
	op->icv = icv;
	crypto_op_auth(op, pbuf_data(job->pb), pbuf_len(job->pb));
	if ((job->sa->flags & SA_F_ESN) != 0) {
		wr_u32(job->scratch, (uint32_t)(job->seq >> 32));
		crypto_op_auth(op, job->scratch, 4);
	}
}

enum ipsec_verdict
ah_output_begin(struct ipsec_job *job, struct cipher *c, uint64_t seq,
    const struct knobs *k)
{
	struct pbuf *pb = job->pb;
	size_t icv_len = cipher_icv_len(c), hlen, limit;
	struct ip_info info;
	uint8_t *ah;

	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &info) || info.is_frag)
		return IPSEC_DROP_HDR;
	if (seq == 0)
		return IPSEC_DROP_SEQ_ZERO;
	if ((job->sa->flags & SA_F_ESN) == 0 && seq > UINT32_MAX)
		return IPSEC_DROP_SEQ_EXHAUSTED;
	hlen = ah_len(icv_len, info.family);
	limit = info.family == AF_INET ? 65535 : 65535 + IP6_HDR_LEN;
	if (pbuf_len(pb) + hlen > limit)
		return IPSEC_DROP_TOOBIG;
	if (pbuf_headroom(pb) < hlen)
		return IPSEC_DROP_NOROOM;
	/*
	 * Validate the fields before ins_off on the packet as it is: they
	 * keep their offsets when AH is inserted behind them.
	 */
	if (!mut_pass(job, &info, k, true, true))
		return IPSEC_DROP_HDR;

	ah = pbuf_insert(pb, info.ins_off, hlen);
	ah[0] = info.proto;
	ah[1] = (uint8_t)(hlen / 4 - 2);
	wr_u16(ah + 2, 0);
	wr_u32(ah + 4, job->sa->spi);
	wr_u32(ah + 8, (uint32_t)seq);
	memset(ah + AH_HDR_LEN, 0, hlen - AH_HDR_LEN);
	ip_set_proto(pbuf_data(pb), info.nh_off, IPPROTO_AH);
	ip_set_len(pbuf_data(pb), info.family, pbuf_len(pb));

	job->seq = seq;
	job->off = info.ins_off;
	job->nh_off = info.nh_off;
	mut_pass(job, &info, k, true, false); /* cannot fail: dry run passed */
	build_op(job, c, ah + AH_HDR_LEN, true);
	return IPSEC_OK;
}

enum ipsec_verdict
ah_output_end(struct ipsec_job *job)
{
	mut_restore(pbuf_data(job->pb), job->scratch + SAVE_START, job->aux);
	switch (job->op.status) {
	case CRYPTO_OK:
		return IPSEC_OK;
	case CRYPTO_BAD_ICV:
	case CRYPTO_ERROR:
		break;
	}
	return IPSEC_DROP_CRYPTO;
}

enum ipsec_verdict
ah_input_begin(struct ipsec_job *job, struct cipher *c, const struct knobs *k)
{
	struct sa *sa = job->sa;
	size_t icv_len = cipher_icv_len(c), hlen;
	struct ip_info info;
	struct rd rd;
	uint8_t nh, plen, *icv;
	uint16_t reserved;
	uint32_t spi, seq_lo;
	enum ipsec_verdict v;

	if (!ip_parse(pbuf_data(job->pb), pbuf_len(job->pb), &info) ||
	    info.is_frag)
		return IPSEC_DROP_HDR;
	if (info.proto != IPPROTO_AH)
		return IPSEC_DROP_PROTO;
	rd_init(&rd, pbuf_data(job->pb) + info.ins_off,
	    pbuf_len(job->pb) - info.ins_off);
	if (!rd_u8(&rd, &nh) || !rd_u8(&rd, &plen) || !rd_u16(&rd, &reserved) ||
	    !rd_u32(&rd, &spi) || !rd_u32(&rd, &seq_lo))
		return IPSEC_DROP_SHORT;
	/*
	 * The length must be what this SA's ICV and the family make.  IPv4
	 * also takes the 64-bit rounding that Linux sends by default (its
	 * XFRM_STATE_ALIGN4 flag asks for the RFC's 32 bits); the padding
	 * is authenticated as received.
	 */
	hlen = ((size_t)plen + 2) * 4;
	if (hlen != ah_len(icv_len, info.family) &&
	    (info.family != AF_INET || hlen != ah_len(icv_len, AF_INET6)))
		return IPSEC_DROP_HDR;
	if (!rd_skip(&rd, hlen - AH_HDR_LEN))
		return IPSEC_DROP_SHORT;
	if (spi != sa->spi)
		return IPSEC_DROP_NOSA;
	if (sa->replay != NULL) {
		if ((v = replay_check(sa->replay, seq_lo, &job->seq)) !=
		    IPSEC_OK)
			return v;
	} else if ((sa->flags & SA_F_ESN) != 0) {
		return IPSEC_DROP_NOSA; /* ESN cannot be inferred without */
	} else {
		if (seq_lo == 0)
			return IPSEC_DROP_SEQ_ZERO;
		job->seq = seq_lo;
	}
	job->off = info.ins_off;
	job->nh_off = info.nh_off;
	if (!mut_pass(job, &info, k, false, true))
		return IPSEC_DROP_HDR;
	/* The ICV as received; zero in the packet for the computation. */
	icv = pbuf_data(job->pb) + info.ins_off + AH_HDR_LEN;
	memcpy(job->icv, icv, icv_len);
	memset(icv, 0, icv_len);
	mut_pass(job, &info, k, false, false);
	build_op(job, c, job->icv, false);
	return IPSEC_OK;
}

enum ipsec_verdict
ah_input_end(struct ipsec_job *job, uint8_t *next_hdr)
{
	struct pbuf *pb = job->pb;
	uint8_t *pkt = pbuf_data(pb), nh;
	size_t hlen;
	enum ipsec_verdict v;

	mut_restore(pkt, job->scratch + SAVE_START, job->aux);
	switch (job->op.status) {
	case CRYPTO_OK:
		break;
	case CRYPTO_BAD_ICV:
		return IPSEC_DROP_ICV;
	case CRYPTO_ERROR:
		return IPSEC_DROP_CRYPTO;
	}
	/* Only now: a forged packet must not move the window (3.4.3). */
	if (job->sa->replay != NULL &&
	    (v = replay_advance(job->sa->replay, job->seq)) != IPSEC_OK)
		return v;
	nh = pkt[job->off];
	hlen = ((size_t)pkt[job->off + 1] + 2) * 4;
	pbuf_remove(pb, job->off, hlen);
	pkt = pbuf_data(pb);
	ip_set_proto(pkt, job->nh_off, nh);
	ip_set_len(pkt, (uint8_t)(pkt[0] >> 4 == 4 ? AF_INET : AF_INET6),
	    pbuf_len(pb));
	*next_hdr = nh;
	return IPSEC_OK;
}

enum ipsec_verdict
ah_output(const struct sa *sa, struct cipher *c, uint64_t seq,
    const struct knobs *k, struct pbuf *pb)
{
	struct ipsec_job job;
	enum ipsec_verdict v;

	job.sa = (struct sa *)sa; /* output never writes through it */
	job.pb = pb;
	if ((v = ah_output_begin(&job, c, seq, k)) != IPSEC_OK)
		return v;
	cipher_run(&job.op);
	return ah_output_end(&job);
}

enum ipsec_verdict
ah_input(struct sa *sa, struct cipher *c, const struct knobs *k,
    struct pbuf *pb, uint8_t *next_hdr)
{
	struct ipsec_job job;
	enum ipsec_verdict v;

	job.sa = sa;
	job.pb = pb;
	if ((v = ah_input_begin(&job, c, k)) != IPSEC_OK)
		return v;
	cipher_run(&job.op);
	return ah_input_end(&job, next_hdr);
}
