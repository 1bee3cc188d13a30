/*
 * Flow keys of plaintext packets for the SPD (flow.h).  The walk mirrors
 * Linux's decode_session4/6: IPv6 Hop-by-Hop, Routing, Destination
 * Options and Fragment headers are skipped to the upper-layer protocol;
 * an IPsec header (ESP, AH, IPcomp) ends the walk and is itself the
 * protocol, because a policy can select on it.
 */
#include "config.h"

#include "ipsec/flow.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/rd.h"

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

/*
 * Read the ports (or type/code) of upper-layer protocol proto at the
 * front of r into k; leave them 0 when the header is cut short.
 */
static void
flow_ports(struct rd *r, uint8_t proto, struct selector_key *k)
{
	uint16_t sport, dport;
	uint8_t type, code, mh[3];

	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (rd_u16(r, &sport) && rd_u16(r, &dport)) {
			k->sport = sport;
			k->dport = dport;
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* Type in sport, code in dport, as selector.h says. */
		if (rd_u8(r, &type) && rd_u8(r, &code)) {
			k->sport = type;
			k->dport = code;
		}
		break;
	case IPPROTO_MH:
		/* Payload proto, header length, MH type (RFC 6275 6.1.1). */
		if (rd_copy(r, mh, sizeof(mh)))
			k->sport = mh[2];
		break;
	default:
		break;
	}
}

static bool
flow_v4(struct rd *r, struct selector_key *k)
{
	const uint8_t *h;
	uint16_t tot, frag;
	size_t hlen;
	struct rd l4;

	if (!rd_ptr(r, 20, &h) || h[0] >> 4 != 4)
		return false;
	hlen = (size_t)(h[0] & 0x0f) * 4;
	tot = (uint16_t)(h[2] << 8 | h[3]);
	if (hlen < 20 || tot < hlen || tot > r->len)
		return false;
	frag = (uint16_t)(h[6] << 8 | h[7]);
	k->family = AF_INET;
	k->proto = h[9];
	addr_set(&k->src, AF_INET, h + 12);
	addr_set(&k->dst, AF_INET, h + 16);
	/* A non-first fragment carries no upper-layer header. */
	if ((frag & 0x1fff) != 0)
		return true;
	rd_init(&l4, h + hlen, tot - hlen);
	flow_ports(&l4, k->proto, k);
	return true;
}

static bool
flow_v6(struct rd *r, struct selector_key *k)
{
	const uint8_t *h, *ext;
	uint16_t plen, off;
	uint8_t nh;
	struct rd rest;

	if (!rd_ptr(r, 40, &h) || h[0] >> 4 != 6)
		return false;
	plen = (uint16_t)(h[4] << 8 | h[5]);
	if (plen > rd_left(r))
		return false;
	k->family = AF_INET6;
	addr_set(&k->src, AF_INET6, h + 8);
	addr_set(&k->dst, AF_INET6, h + 24);
	rd_init(&rest, rd_cur(r), plen);
	nh = h[6];
	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (rd_left(&rest) < 2)
				return false;
			ext = rd_cur(&rest);
			if (!rd_skip(&rest, ((size_t)ext[1] + 1) * 8))
				return false;
			nh = ext[0];
			continue;
		case IPPROTO_FRAGMENT:
			if (!rd_ptr(&rest, 8, &ext))
				return false;
			nh = ext[0];
			off = (uint16_t)(ext[2] << 8 | ext[3]);
			if ((off & 0xfff8) != 0) {
				k->proto = nh;
				return true;
			}
			continue;
		default:
			k->proto = nh;
			flow_ports(&rest, nh, k);
			return true;
		}
	}
}

bool
flow_key_parse(
    const uint8_t *p, size_t len, uint32_t if_id, struct selector_key *k)
{
	struct rd r;

	memset(k, 0, sizeof(*k));
	k->if_id = if_id;
	if (len < 1)
		return false;
	rd_init(&r, p, len);
	switch (p[0] >> 4) {
	case 4:
		return flow_v4(&r, k);
	case 6:
		return flow_v6(&r, k);
	default:
		return false;
	}
}
