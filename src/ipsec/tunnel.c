/*
 * Tunnel and BEET outer headers.  Encap pushes a fresh IPv4 or IPv6 header
 * into the headroom; decap validates both headers with ip_parse, fixes up
 * the inner TOS / traffic class (RFC 6040 ECN, optional DSCP) and pulls
 * the outer header off.  Nothing is written before every check passed, so
 * a drop leaves the packet as it was.
 */
#include "config.h"

#include "ipsec/tunnel.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/sa.h"

#define TUNNEL_TTL 64
#define IP4_HLEN 20
#define IP6_HLEN 40
#define IP4_DF 0x4000
#define DSCP_MASK 0xfc
#define TUNNEL_PROTO_BEETPH 94 /* Linux BEET pseudo-header */

static uint8_t
tunnel_proto(uint8_t family)
{
	return family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
}

/* Store tos as the IPv4 TOS or the IPv6 traffic class of the header at p. */
static void
tunnel_set_tos(uint8_t *p, uint8_t family, uint8_t tos)
{
	if (family == AF_INET) {
		p[1] = tos;
		ip_fix_cksum(p);
		return;
	}
	p[0] = (uint8_t)(0x60 | tos >> 4);
	p[1] = (uint8_t)((p[1] & 0x0f) | (tos & 0x0f) << 4);
}

bool
tunnel_outer_df(
    const struct sa *sa, const struct knobs *k, const struct ip_info *in)
{
	if (sa->flags & SA_F_NOPMTUDISC)
		return false;
	switch ((enum knobs_dfbit)k->dfbit) {
	case KNOBS_DF_CLEAR:
		return false;
	case KNOBS_DF_SET:
		return true;
	case KNOBS_DF_COPY:
		break;
	}
	/*
	 * An IPv6 packet counts as DF, except up to the IPv6 minimum MTU:
	 * such a one is fragmented in the tunnel when the path is smaller
	 * (RFC 4213 section 3.2), since its sender may never send smaller.
	 */
	if (in->family == AF_INET6)
		return in->tot_len > IP6_MTU_MIN;
	return in->is_df;
}

static void
tunnel_build4(uint8_t *h, const struct sa *sa, const struct ip_info *in,
    uint8_t tos, uint16_t ip_id, bool is_df)
{
	memset(h, 0, IP4_HLEN);
	h[0] = 0x45;
	h[1] = tos;
	wr_u16(h + 2, (uint16_t)(IP4_HLEN + in->tot_len));
	wr_u16(h + 4, ip_id);
	wr_u16(h + 6, is_df ? IP4_DF : 0);
	h[8] = TUNNEL_TTL;
	h[9] = tunnel_proto(in->family);
	memcpy(h + 12, sa->src.bytes, 4);
	memcpy(h + 16, sa->dst.bytes, 4);
	ip_fix_cksum(h);
}

static void
tunnel_build6(
    uint8_t *h, const struct sa *sa, const struct ip_info *in, uint8_t tos)
{
	memset(h, 0, IP6_HLEN);
	wr_u32(h, 6u << 28 | (uint32_t)tos << 20);
	wr_u16(h + 4, (uint16_t)in->tot_len);
	h[6] = tunnel_proto(in->family);
	h[7] = TUNNEL_TTL;
	memcpy(h + 8, sa->src.bytes, 16);
	memcpy(h + 24, sa->dst.bytes, 16);
}

enum ipsec_verdict
tunnel_encap(
    const struct sa *sa, const struct knobs *k, uint16_t ip_id, struct pbuf *pb)
{
	struct ip_info in;
	enum ecn_mode mode;
	uint8_t *h, tos;
	size_t hlen;

	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &in))
		return IPSEC_DROP_HDR;
	if (sa->src.family != sa->dst.family)
		return IPSEC_DROP_FAMILY;
	switch (sa->src.family) {
	case AF_INET:
		hlen = IP4_HLEN;
		if (in.tot_len > UINT16_MAX - IP4_HLEN)
			return IPSEC_DROP_TOOBIG;
		break;
	case AF_INET6:
		hlen = IP6_HLEN;
		if (in.tot_len > UINT16_MAX)
			return IPSEC_DROP_TOOBIG;
		break;
	default:
		return IPSEC_DROP_FAMILY;
	}
	if ((h = pbuf_push(pb, hlen)) == NULL)
		return IPSEC_DROP_NOROOM;
	mode =
	    (sa->flags & SA_F_NOECN) ? ECN_MODE_COMPAT : (enum ecn_mode)k->ecn;
	tos = ecn_encap(in.tos & DSCP_MASK, in.tos, mode);
	if (hlen == IP4_HLEN)
		tunnel_build4(
		    h, sa, &in, tos, ip_id, tunnel_outer_df(sa, k, &in));
	else
		tunnel_build6(h, sa, &in, tos);
	return IPSEC_OK;
}

enum ipsec_verdict
tunnel_decap(const struct sa *sa, struct pbuf *pb, enum ecn_note *note)
{
	struct ip_info out, in;
	enum ipsec_verdict v;
	uint8_t *p = pbuf_data(pb), tos;

	if (note != NULL)
		*note = ECN_NOTE_NONE;
	if (!ip_parse(p, pbuf_len(pb), &out))
		return IPSEC_DROP_HDR;
	if (out.proto != IPPROTO_IPIP && out.proto != IPPROTO_IPV6)
		return IPSEC_DROP_NEXTHDR;
	if (!ip_parse(p + out.ins_off, pbuf_len(pb) - out.ins_off, &in))
		return IPSEC_DROP_HDR;
	if (out.proto != tunnel_proto(in.family))
		return IPSEC_DROP_FAMILY;
	tos = in.tos;
	if (!(sa->flags & SA_F_NOECN) &&
	    (v = ecn_decap(out.tos, &tos, note)) != IPSEC_OK)
		return v;
	if (sa->flags & SA_F_DECAP_DSCP)
		tos = (uint8_t)((out.tos & DSCP_MASK) | (tos & ~DSCP_MASK));
	if (tos != in.tos)
		tunnel_set_tos(p + out.ins_off, in.family, tos);
	pbuf_pull(pb, out.ins_off);
	return IPSEC_OK;
}

/* Overwrite the addresses of the IP header at p (of family fam). */
static void
tunnel_set_addrs(
    uint8_t *p, uint8_t family, const struct addr *src, const struct addr *dst)
{
	if (family == AF_INET) {
		memcpy(p + 12, src->bytes, 4);
		memcpy(p + 16, dst->bytes, 4);
		ip_fix_cksum(p);
		return;
	}
	memcpy(p + 8, src->bytes, 16);
	memcpy(p + 24, dst->bytes, 16);
}

enum ipsec_verdict
tunnel_beet_encap(const struct sa *sa, struct pbuf *pb)
{
	struct ip_info in;

	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &in))
		return IPSEC_DROP_HDR;
	if (in.family == AF_INET && in.hdr_len != IP4_HLEN)
		return IPSEC_DROP_HDR; /* options: no BEET pseudo-header */
	if (sa->src.family != in.family || sa->dst.family != in.family)
		return IPSEC_DROP_FAMILY;
	if (!addr_eq(&in.src, &sa->beet_src) ||
	    !addr_eq(&in.dst, &sa->beet_dst))
		return IPSEC_DROP_POLICY;
	tunnel_set_addrs(pbuf_data(pb), in.family, &sa->src, &sa->dst);
	return IPSEC_OK;
}

enum ipsec_verdict
tunnel_beet_decap(const struct sa *sa, struct pbuf *pb)
{
	struct ip_info in;

	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &in))
		return IPSEC_DROP_HDR;
	if (in.family == AF_INET && in.hdr_len != IP4_HLEN)
		return IPSEC_DROP_HDR;
	if (in.proto == TUNNEL_PROTO_BEETPH)
		return IPSEC_DROP_NEXTHDR;
	if (sa->beet_src.family != in.family ||
	    sa->beet_dst.family != in.family)
		return IPSEC_DROP_FAMILY;
	tunnel_set_addrs(
	    pbuf_data(pb), in.family, &sa->beet_src, &sa->beet_dst);
	return IPSEC_OK;
}
