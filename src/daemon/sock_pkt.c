/*
 * Headers and ancillary data around outer packets (sock_pkt.h).  The
 * control buffer comes from the kernel, but it is read like any other
 * outside bytes: through the bounded reader, never through CMSG_NXTHDR,
 * whose first message's length nothing checks.
 */
#include "config.h"

#include "daemon/sock_pkt.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"

#define IP4_HDR 20
#define IP6_HDR 40

/* Host-order cmsghdr fields read from a byte string. */
struct cm {
	size_t len;
	int level;
	int type;
	const uint8_t *data;
	size_t data_len;
};

static bool
cm_next(struct rd *r, struct cm *c)
{
	struct cmsghdr h;
	size_t start = r->off, pad;

	if (!rd_copy(r, &h, sizeof(h)))
		return false;
	if (h.cmsg_len < sizeof(h) || h.cmsg_len - sizeof(h) > rd_left(r)) {
		r->off = start;
		return false;
	}
	c->len = h.cmsg_len;
	c->level = h.cmsg_level;
	c->type = h.cmsg_type;
	c->data_len = h.cmsg_len - sizeof(h);
	rd_ptr(r, c->data_len, &c->data);
	/* The next message starts aligned; the last may lack the padding. */
	pad = CMSG_ALIGN(h.cmsg_len) - h.cmsg_len;
	if (!rd_skip(r, pad))
		r->off = r->len;
	return true;
}

/* An int- or byte-sized value (the kernel sends TOS as a byte). */
static bool
cm_small(const struct cm *c, uint8_t *v)
{
	int i;

	if (c->data_len == sizeof(int)) {
		memcpy(&i, c->data, sizeof(i));
		if (i < 0 || i > 255)
			return false;
		*v = (uint8_t)i;
		return true;
	}
	if (c->data_len == 1) {
		*v = c->data[0];
		return true;
	}
	return false;
}

static int
cm_ip4(const struct cm *c, struct sock_meta *m)
{
	struct in_pktinfo pi;

	switch (c->type) {
	case IP_PKTINFO:
		if (c->data_len != sizeof(pi))
			return -1;
		memcpy(&pi, c->data, sizeof(pi));
		addr_set(&m->dst, AF_INET, &pi.ipi_addr);
		m->ifindex = pi.ipi_ifindex;
		return SOCK_CM_DST;
	case IP_TOS:
		return cm_small(c, &m->tos) ? SOCK_CM_TOS : -1;
	case IP_TTL:
		return cm_small(c, &m->ttl) ? SOCK_CM_TTL : -1;
	}
	return 0;
}

static int
cm_ip6(const struct cm *c, struct sock_meta *m)
{
	struct in6_pktinfo pi;

	switch (c->type) {
	case IPV6_PKTINFO:
		if (c->data_len != sizeof(pi))
			return -1;
		memcpy(&pi, c->data, sizeof(pi));
		addr_set(&m->dst, AF_INET6, &pi.ipi6_addr);
		m->ifindex = (int)pi.ipi6_ifindex;
		return SOCK_CM_DST;
	case IPV6_TCLASS:
		return cm_small(c, &m->tos) ? SOCK_CM_TOS : -1;
	case IPV6_HOPLIMIT:
		return cm_small(c, &m->ttl) ? SOCK_CM_TTL : -1;
	}
	return 0;
}

int
sock_cmsg_parse(
    const void *control, size_t len, int family, struct sock_meta *m)
{
	struct rd r;
	struct cm c;
	int found = 0, bit;

	rd_init(&r, control, len);
	while (rd_left(&r) > 0) {
		if (!cm_next(&r, &c))
			return -1;
		if (family == AF_INET && c.level == IPPROTO_IP)
			bit = cm_ip4(&c, m);
		else if (family == AF_INET6 && c.level == IPPROTO_IPV6)
			bit = cm_ip6(&c, m);
		else
			bit = 0;
		if (bit == -1)
			return -1;
		found |= bit;
	}
	return found;
}

static bool
hdr_build4(struct pbuf *pb, const struct sock_meta *m)
{
	size_t total = pbuf_len(pb) + IP4_HDR;
	uint8_t *h;
	uint32_t sum = 0;

	if (total > 65535 || pbuf_headroom(pb) < IP4_HDR)
		return false;
	h = pbuf_push(pb, IP4_HDR);
	memset(h, 0, IP4_HDR);
	h[0] = 0x45;
	h[1] = m->tos;
	wr_u16(h + 2, (uint16_t)total);
	h[8] = m->ttl;
	h[9] = m->proto;
	memcpy(h + 12, m->src.bytes, 4);
	memcpy(h + 16, m->dst.bytes, 4);
	for (int i = 0; i < IP4_HDR; i += 2)
		sum += get_u16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	wr_u16(h + 10, (uint16_t)~sum);
	return true;
}

static bool
hdr_build6(struct pbuf *pb, const struct sock_meta *m)
{
	size_t plen = pbuf_len(pb);
	uint8_t *h;

	if (plen > 65535 || pbuf_headroom(pb) < IP6_HDR)
		return false;
	h = pbuf_push(pb, IP6_HDR);
	wr_u32(h, 6u << 28 | (uint32_t)m->tos << 20);
	wr_u16(h + 4, (uint16_t)plen);
	h[6] = m->proto;
	h[7] = m->ttl;
	memcpy(h + 8, m->src.bytes, 16);
	memcpy(h + 24, m->dst.bytes, 16);
	return true;
}

bool
sock_hdr_build(struct pbuf *pb, const struct sock_meta *m)
{
	if (m->src.family != m->dst.family)
		return false;
	if (m->src.family == AF_INET)
		return hdr_build4(pb, m);
	if (m->src.family == AF_INET6)
		return hdr_build6(pb, m);
	return false;
}

size_t
sock_hdr_parse(const uint8_t *p, size_t len, struct sock_meta *m)
{
	struct rd r;
	uint8_t v, tos, ttl, proto;
	uint16_t tot;
	uint32_t w;
	const uint8_t *a;

	rd_init(&r, p, len);
	if (!rd_u8(&r, &v))
		return 0;
	if (v >> 4 == 4) {
		size_t hl = (size_t)(v & 0xf) * 4;

		if (hl < IP4_HDR || !rd_u8(&r, &tos) || !rd_u16(&r, &tot) ||
		    tot != len || hl > len || !rd_skip(&r, 4) ||
		    !rd_u8(&r, &ttl) || !rd_u8(&r, &proto) || !rd_skip(&r, 2) ||
		    !rd_ptr(&r, 4, &a))
			return 0;
		addr_set(&m->src, AF_INET, a);
		addr_set(&m->dst, AF_INET, p + 16);
		m->tos = tos;
		m->ttl = ttl;
		m->proto = proto;
		return hl;
	}
	if (v >> 4 != 6)
		return 0;
	r.off = 0;
	if (!rd_u32(&r, &w) || !rd_u16(&r, &tot) ||
	    (size_t)tot + IP6_HDR != len || !rd_u8(&r, &proto) ||
	    !rd_u8(&r, &ttl) || !rd_ptr(&r, 16, &a) || !rd_skip(&r, 16))
		return 0;
	addr_set(&m->src, AF_INET6, a);
	addr_set(&m->dst, AF_INET6, p + 24);
	m->tos = (uint8_t)(w >> 20);
	m->ttl = ttl;
	m->proto = proto;
	return IP6_HDR;
}

enum sock_kind
sock_udp_classify(const uint8_t *p, size_t len)
{
	if (len == 1 && p[0] == 0xff)
		return SOCK_KIND_KEEPALIVE;
	if (len >= 4 && get_u32(p) == 0)
		return SOCK_KIND_IKE;
	if (len < SOCK_ESP_MIN)
		return SOCK_KIND_RUNT;
	return SOCK_KIND_UDP_ESP;
}
