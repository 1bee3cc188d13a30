/*
 * IPv4/IPv6 header parsing and rewriting.  Every byte read here may come
 * from a peer, so all reads go through the bounded reader and every
 * declared length is checked against what is actually there; a packet
 * whose header claims a length other than the one received is refused
 * (trailing bytes are an error, not padding to ignore).
 *
 * The IPv4 header checksum is not verified: the kernel checked the outer
 * header on receive, and an inner header was covered by the ICV.  The
 * transforms recompute it whenever they change the header.
 */
#include "config.h"

#include "ipsec/iphdr.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "common/rd.h"

#define IP4_HDR_MIN 20
#define IP6_HDR_LEN 40
#define IP4_OFF_LEN 2
#define IP4_OFF_PROTO 9
#define IP4_OFF_CKSUM 10
#define IP6_OFF_PLEN 4
#define IP6_OFF_NXT 6
#define IP4_F_DF 0x4000
#define IP4_F_MF 0x2000
#define IP4_FRAG_MASK 0x1fff
#define IP6_FRAG_LEN 8
#define IP6_FRAG_OFF_MASK 0xfff8 /* offset in 8-byte units, high 13 bits */

static bool
ip4_parse(const uint8_t *p, size_t len, struct ip_info *info)
{
	struct rd rd;
	uint8_t vihl, tos, ttl, proto;
	uint16_t tot_len, frag;
	size_t ihl;

	rd_init(&rd, p, len);
	if (!rd_u8(&rd, &vihl) || !rd_u8(&rd, &tos) || !rd_u16(&rd, &tot_len) ||
	    !rd_skip(&rd, 2) || !rd_u16(&rd, &frag) || !rd_u8(&rd, &ttl) ||
	    !rd_u8(&rd, &proto) || !rd_skip(&rd, 2))
		return false;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < IP4_HDR_MIN || ihl > len)
		return false;
	if (tot_len != len || tot_len < ihl)
		return false;
	info->family = AF_INET;
	info->proto = proto;
	info->tos = tos;
	info->ttl = ttl;
	info->is_df = (frag & IP4_F_DF) != 0;
	info->is_frag = (frag & (IP4_F_MF | IP4_FRAG_MASK)) != 0;
	info->hdr_len = (uint16_t)ihl;
	info->ins_off = (uint16_t)ihl;
	info->nh_off = IP4_OFF_PROTO;
	info->tot_len = tot_len;
	addr_set(&info->src, AF_INET, p + 12);
	addr_set(&info->dst, AF_INET, p + 16);
	return true;
}

/*
 * Walk the IPv6 extension headers that go before an IPsec header (RFC 8200
 * section 4.1 order; RFC 4303 section 3.1.1): Hop-by-Hop (only first),
 * Routing, Fragment, and a Destination Options header when a Routing
 * header follows it.  Stops at anything else, at a Destination Options
 * header for the final destination (which the IPsec header then wraps),
 * and after the Fragment header of a non-first fragment (what follows is
 * fragment data, not a header).  rd is positioned after the fixed header.
 */
static bool
ip6_walk(struct rd *rd, struct ip_info *info, uint8_t nh)
{
	const uint8_t *h;
	size_t hlen;
	bool is_last;

	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			/* RFC 8200 section 4.3: only right after the header. */
			if (rd->off != IP6_HDR_LEN)
				return false;
			break;
		case IPPROTO_ROUTING:
		case IPPROTO_FRAGMENT:
		case IPPROTO_DSTOPTS:
			break;
		default:
			goto done;
		}
		/* Every extension header is at least 8 bytes. */
		if (rd_left(rd) < 8)
			return false;
		h = rd_cur(rd);
		if (nh == IPPROTO_FRAGMENT) {
			hlen = IP6_FRAG_LEN;
			info->is_frag = true;
			is_last = (get_u16(h + 2) & IP6_FRAG_OFF_MASK) != 0;
		} else {
			hlen = ((size_t)h[1] + 1) * 8;
			is_last = false;
		}
		if (rd_left(rd) < hlen)
			return false;
		if (nh == IPPROTO_DSTOPTS && h[0] != IPPROTO_ROUTING)
			goto done; /* for the final destination: wrapped */
		info->nh_off = (uint16_t)rd->off;
		nh = h[0];
		rd_skip(rd, hlen);
		if (is_last)
			goto done;
	}
done:
	info->proto = nh;
	info->ins_off = (uint16_t)rd->off;
	return true;
}

static bool
ip6_parse(const uint8_t *p, size_t len, struct ip_info *info)
{
	struct rd rd;
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hlim;

	rd_init(&rd, p, len);
	if (!rd_u32(&rd, &vtcfl) || !rd_u16(&rd, &plen) || !rd_u8(&rd, &nh) ||
	    !rd_u8(&rd, &hlim) || !rd_skip(&rd, 32))
		return false;
	/* Jumbograms (payload length 0, RFC 2675) are refused here too. */
	if ((size_t)plen + IP6_HDR_LEN != len)
		return false;
	info->family = AF_INET6;
	info->tos = (uint8_t)(vtcfl >> 20);
	info->ttl = hlim;
	info->is_df = true;
	info->is_frag = false;
	info->hdr_len = IP6_HDR_LEN;
	info->nh_off = IP6_OFF_NXT;
	info->tot_len = (uint32_t)len;
	addr_set(&info->src, AF_INET6, p + 8);
	addr_set(&info->dst, AF_INET6, p + 24);
	return ip6_walk(&rd, info, nh);
}

bool
ip_parse(const uint8_t *p, size_t len, struct ip_info *info)
{
	if (len < 1)
		return false;
	switch (p[0] >> 4) {
	case 4:
		return ip4_parse(p, len, info);
	case 6:
		return ip6_parse(p, len, info);
	}
	return false;
}

/*
 * RFC 1071: one's complement of the one's complement sum of big-endian
 * 16-bit words, an odd last byte padded with zero.  The result is in host
 * order (store it with wr_u16); over a header whose checksum field is
 * right it is 0.
 */
uint16_t
ip_cksum(const void *p, size_t len)
{
	return ip_csum_fold(ip_csum_add(0, p, len));
}

uint32_t
ip_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	/* Fold as we go: a 64 KB packet's words would overflow 32 bits. */
	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)b[i] << 8 | b[i + 1];
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

uint16_t
ip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
ip_fix_cksum(uint8_t *pkt)
{
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

	wr_u16(pkt + IP4_OFF_CKSUM, 0);
	wr_u16(pkt + IP4_OFF_CKSUM, ip_cksum(pkt, ihl));
}

bool
ip_set_len(uint8_t *pkt, uint8_t family, size_t len)
{
	switch (family) {
	case AF_INET:
		if (len < IP4_HDR_MIN || len > UINT16_MAX)
			return false;
		wr_u16(pkt + IP4_OFF_LEN, (uint16_t)len);
		ip_fix_cksum(pkt);
		return true;
	case AF_INET6:
		if (len < IP6_HDR_LEN || len - IP6_HDR_LEN > UINT16_MAX)
			return false;
		wr_u16(pkt + IP6_OFF_PLEN, (uint16_t)(len - IP6_HDR_LEN));
		return true;
	}
	return false;
}

void
ip_set_proto(uint8_t *pkt, uint16_t nh_off, uint8_t proto)
{
	pkt[nh_off] = proto;
}
