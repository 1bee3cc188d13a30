/*
 * TCP super-packets from a TUN queue with offloads, split into segments,
 * and partial checksums completed (tun_gso.h).  The header is read through
 * the bounded reader; the checksum is the RFC 1071 sum over 64-bit words
 * in host order, whose folded complement stored in host order is the
 * network-order checksum (RFC 1071 section 2(B)).
 */
#include "config.h"

#include "daemon/tun_gso.h"

#include <string.h>

#include <linux/virtio_net.h>

#include "common/rd.h"

#define IP4_HDR_MIN 20
#define IP6_HDR_LEN 40
#define TCP_HDR_MIN 20
#define TCP_OFF_SEQ 4
#define TCP_OFF_FLAGS 13
#define TCP_OFF_CSUM 16
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80
#define IPPROTO_TCP_NUM 6
#define UDP_OFF_CSUM 6

/* The ones' complement sum of len bytes, added to sum (host order). */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t w;
	uint16_t h = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		sum += w;
		sum += sum < w; /* end-around carry */
	}
	for (; len >= 2; p += 2, len -= 2) {
		memcpy(&h, p, 2);
		sum += h;
		sum += sum < h;
	}
	if (len == 1) {
		/* The odd byte is the first of a zero-padded word. */
		h = 0;
		memcpy(&h, p, 1);
		sum += h;
		sum += sum < h;
	}
	return sum;
}

/* Fold to 16 bits and complement: the field, in host order. */
static uint16_t
csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t) ~(uint16_t)sum;
}

/* Complete a partial checksum: VIRTIO_NET_HDR_F_NEEDS_CSUM. */
static bool
csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	uint16_t c;

	if (start >= len || off > len - start || len - start - off < 2)
		return false;
	c = csum_fold(csum_add(0, pkt + start, len - start));
	/* UDP: a computed zero is sent as all ones (RFC 768). */
	if (c == 0 && off == UDP_OFF_CSUM)
		c = 0xffff;
	memcpy(pkt + start + off, &c, 2);
	return true;
}

/* The IP and TCP headers of a super-packet of the given version. */
static bool
parse_tcp(struct tun_gso *g, uint8_t version)
{
	struct rd r;
	uint8_t b0, proto, doff;
	uint16_t total, frag;

	rd_init(&r, g->pkt, g->len);
	if (!rd_u8(&r, &b0) || b0 >> 4 != version)
		return false;
	if (version == 4) {
		g->ip_hlen = (size_t)(b0 & 0x0f) * 4;
		if (g->ip_hlen < IP4_HDR_MIN || !rd_skip(&r, 1) ||
		    !rd_u16(&r, &total) || !rd_skip(&r, 2) ||
		    !rd_u16(&r, &frag) || !rd_skip(&r, 1) || !rd_u8(&r, &proto))
			return false;
		/* Neither MF nor an offset: a fragment is never TSO. */
		if (total != g->len || (frag & 0x3fff) != 0)
			return false;
	} else {
		if (!rd_skip(&r, 3) || !rd_u16(&r, &total) ||
		    !rd_u8(&r, &proto))
			return false;
		g->ip_hlen = IP6_HDR_LEN;
		if (g->len < IP6_HDR_LEN || total != g->len - IP6_HDR_LEN)
			return false;
	}
	if (proto != IPPROTO_TCP_NUM || g->len < g->ip_hlen ||
	    g->len - g->ip_hlen < TCP_HDR_MIN)
		return false;
	doff = g->pkt[g->ip_hlen + 12] >> 4;
	if (doff < 5 || (size_t)doff * 4 > g->len - g->ip_hlen)
		return false;
	g->hlen = g->ip_hlen + (size_t)doff * 4;
	return true;
}

enum tun_gso_kind
tun_gso_prepare(const uint8_t *vh, uint8_t *pkt, size_t len, struct tun_gso *g)
{
	struct virtio_net_hdr h;
	uint8_t type, version;
	size_t payload;

	memcpy(&h, vh, sizeof(h));
	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	g->nseg = 1;
	type = h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    !csum_complete(pkt, len, h.csum_start, h.csum_offset))
			return TUN_GSO_BAD;
		return TUN_GSO_PLAIN;
	}
	if (type == VIRTIO_NET_HDR_GSO_TCPV4)
		version = 4;
	else if (type == VIRTIO_NET_HDR_GSO_TCPV6)
		version = 6;
	else
		return TUN_GSO_BAD;
	if (h.gso_size == 0 || !parse_tcp(g, version))
		return TUN_GSO_BAD;
	g->version = version;
	g->mss = h.gso_size;
	payload = len - g->hlen;
	g->nseg = payload == 0 ? 1 : (payload + g->mss - 1) / g->mss;
	return TUN_GSO_TCP;
}

size_t
tun_gso_segment(const struct tun_gso *g, size_t i, uint8_t *out, size_t room)
{
	size_t payload = g->len - g->hlen, off = i * g->mss, chunk, n;
	uint8_t *tcp = out + g->ip_hlen, flags, ph[40];
	uint32_t seq;
	uint64_t sum;
	uint16_t c;
	size_t phl;

	if (i >= g->nseg)
		return 0;
	chunk = payload - off < g->mss ? payload - off : g->mss;
	n = g->hlen + chunk;
	if (n > room)
		return 0;
	memcpy(out, g->pkt, g->hlen);
	memcpy(out + g->hlen, g->pkt + g->hlen + off, chunk);
	if (g->version == 4) {
		wr_u16(out + 2, (uint16_t)n);
		wr_u16(out + 4, (uint16_t)(get_u16(g->pkt + 4) + i));
		wr_u16(out + 10, 0);
		c = csum_fold(csum_add(0, out, g->ip_hlen));
		memcpy(out + 10, &c, 2);
	} else
		wr_u16(out + 4, (uint16_t)(n - IP6_HDR_LEN));
	seq = get_u32(tcp + TCP_OFF_SEQ) + (uint32_t)off;
	wr_u32(tcp + TCP_OFF_SEQ, seq);
	flags = tcp[TCP_OFF_FLAGS];
	if (i + 1 != g->nseg)
		flags &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (i != 0)
		flags &= (uint8_t)~TCP_CWR;
	tcp[TCP_OFF_FLAGS] = flags;
	/* Pseudo-header: addresses, zero, protocol, TCP length (RFC 9293
	 * section 3.1, RFC 8200 section 8.1). */
	memset(ph, 0, sizeof(ph));
	if (g->version == 4) {
		memcpy(ph, out + 12, 8);
		ph[9] = IPPROTO_TCP_NUM;
		wr_u16(ph + 10, (uint16_t)(n - g->ip_hlen));
		phl = 12;
	} else {
		memcpy(ph, out + 8, 32);
		wr_u16(ph + 34, (uint16_t)(n - g->ip_hlen));
		ph[39] = IPPROTO_TCP_NUM;
		phl = 40;
	}
	wr_u16(tcp + TCP_OFF_CSUM, 0);
	sum = csum_add(0, ph, phl);
	sum = csum_add(sum, tcp, n - g->ip_hlen);
	c = csum_fold(sum);
	memcpy(tcp + TCP_OFF_CSUM, &c, 2);
	return n;
}

/* TCP flags a run may carry: ACK, and PSH on its last packet. */
#define TCP_ACK 0x10

bool
tun_gro_start(struct tun_gro *s, uint8_t *p, size_t len)
{
	struct tun_gso g;
	uint8_t version, flags;

	if (len < 1)
		return false;
	version = p[0] >> 4;
	if (version != 4 && version != 6)
		return false;
	memset(&g, 0, sizeof(g));
	g.pkt = p;
	g.len = len;
	if (!parse_tcp(&g, version) || (version == 4 && g.ip_hlen != 20))
		return false;
	flags = p[g.ip_hlen + TCP_OFF_FLAGS];
	if ((flags & (uint8_t) ~(TCP_ACK | TCP_PSH)) != 0 ||
	    !(flags & TCP_ACK) || len == g.hlen)
		return false;
	memset(s, 0, sizeof(*s));
	s->head = p;
	s->ip_hlen = g.ip_hlen;
	s->hlen = g.hlen;
	s->mss = len - g.hlen;
	s->total = len;
	s->npkts = 1;
	s->version = version;
	s->next_seq = get_u32(p + g.ip_hlen + TCP_OFF_SEQ) + (uint32_t)s->mss;
	s->is_psh = (flags & TCP_PSH) != 0;
	s->is_closed = s->is_psh;
	return true;
}

/* Equal bytes [from, to) of the two packets. */
static bool
same(const uint8_t *a, const uint8_t *b, size_t from, size_t to)
{
	return memcmp(a + from, b + from, to - from) == 0;
}

bool
tun_gro_add(struct tun_gro *s, const uint8_t *p, size_t len)
{
	const uint8_t *h = s->head, *t, *ht = s->head + s->ip_hlen;
	size_t plen;
	uint8_t flags;

	if (s->is_closed || len <= s->hlen || len - s->hlen > s->mss ||
	    s->total + (len - s->hlen) > 65535 || p[0] != h[0])
		return false;
	plen = len - s->hlen;
	/*
	 * IPv4: TOS, flags and offset, TTL, protocol, addresses (the
	 * length, ID and checksum may differ).  IPv6: traffic class, flow
	 * label, next header, hop limit, addresses (the length may).
	 */
	if (s->version == 4) {
		if (!same(p, h, 1, 2) || !same(p, h, 6, 10) ||
		    !same(p, h, 12, 20) || get_u16(p + 2) != len)
			return false;
	} else if (!same(p, h, 1, 4) || !same(p, h, 6, 40) ||
	    get_u16(p + 4) != len - 40)
		return false;
	t = p + s->ip_hlen;
	/*
	 * TCP: ports, ack, data offset, window, urgent pointer, options;
	 * flags equal but for PSH; the sequence number next.
	 */
	flags = t[TCP_OFF_FLAGS];
	if (!same(t, ht, 0, 4) || !same(t, ht, 8, 13) || !same(t, ht, 14, 16) ||
	    !same(t, ht, 18, s->hlen - s->ip_hlen) ||
	    (flags & (uint8_t)~TCP_PSH) !=
		(ht[TCP_OFF_FLAGS] & (uint8_t)~TCP_PSH) ||
	    get_u32(t + TCP_OFF_SEQ) != s->next_seq)
		return false;
	s->total += plen;
	s->npkts++;
	s->next_seq += (uint32_t)plen;
	s->is_psh = (flags & TCP_PSH) != 0;
	s->is_closed = s->is_psh || plen < s->mss;
	return true;
}

void
tun_gro_finish(struct tun_gro *s, uint8_t *vh)
{
	struct virtio_net_hdr h;
	uint8_t *p = s->head, *t = s->head + s->ip_hlen, ph[40];
	uint16_t c;
	size_t phl;

	memset(&h, 0, sizeof(h));
	if (s->npkts > 1) {
		if (s->version == 4) {
			wr_u16(p + 2, (uint16_t)s->total);
			wr_u16(p + 10, 0);
			c = csum_fold(csum_add(0, p, s->ip_hlen));
			memcpy(p + 10, &c, 2);
		} else
			wr_u16(p + 4, (uint16_t)(s->total - IP6_HDR_LEN));
		if (s->is_psh)
			t[TCP_OFF_FLAGS] |= TCP_PSH;
		/* The pseudo-header sum, folded, not complemented. */
		memset(ph, 0, sizeof(ph));
		if (s->version == 4) {
			memcpy(ph, p + 12, 8);
			ph[9] = IPPROTO_TCP_NUM;
			wr_u16(ph + 10, (uint16_t)(s->total - s->ip_hlen));
			phl = 12;
		} else {
			memcpy(ph, p + 8, 32);
			wr_u16(ph + 34, (uint16_t)(s->total - s->ip_hlen));
			ph[39] = IPPROTO_TCP_NUM;
			phl = 40;
		}
		c = (uint16_t)~csum_fold(csum_add(0, ph, phl));
		memcpy(t + TCP_OFF_CSUM, &c, 2);
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.gso_type = s->version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
					     : VIRTIO_NET_HDR_GSO_TCPV6;
		h.hdr_len = (uint16_t)s->hlen;
		h.gso_size = (uint16_t)s->mss;
		h.csum_start = (uint16_t)s->ip_hlen;
		h.csum_offset = TCP_OFF_CSUM;
	} else
		h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	memcpy(vh, &h, sizeof(h));
}
