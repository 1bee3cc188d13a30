/*
 * Transport-mode TCP/UDP checksums after NAT (natoa.h), after FreeBSD's
 * udp_ipsec_adjust_cksum (sys/netipsec/udpencap.c) and key_setnatt's
 * checksum delta, with the incremental update of RFC 1624 (equation 3:
 * HC' = ~(~HC + ~m + m')).
 */
#include "config.h"

#include "ipsec/natoa.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "common/rd.h"
#include "ipsec/iphdr.h"
#include "ipsec/sa.h"

/* One's complement sum of len bytes (RFC 1071), not yet folded. */
static uint32_t
sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)(p[i] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The address bytes of a (4 or 16). */
static size_t
alen(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/*
 * RFC 1624 equation 3 for the address old becoming new in the
 * pseudo-header: the checksum field ck (host order) updated.
 */
static uint16_t
incremental(uint16_t ck, const struct addr *old, const struct addr *new)
{
	uint32_t sum = (uint16_t)~ck;
	uint8_t inv[16];

	for (size_t i = 0; i < alen(old); i++)
		inv[i] = (uint8_t)~old->bytes[i];
	sum = sum_bytes(sum, inv, alen(old));
	sum = sum_bytes(sum, new->bytes, alen(new));
	return (uint16_t)~fold(sum);
}

/* The checksum over the pseudo-header and the segment, field zeroed. */
static uint16_t
full(const struct ip_info *info, uint8_t proto, uint8_t *l4, size_t l4len,
    size_t off)
{
	uint32_t sum = 0;

	l4[off] = 0;
	l4[off + 1] = 0;
	sum = sum_bytes(sum, info->src.bytes, alen(&info->src));
	sum = sum_bytes(sum, info->dst.bytes, alen(&info->dst));
	sum += proto;
	sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
	sum = sum_bytes(sum, l4, l4len);
	return (uint16_t)~fold(sum);
}

/* Whether the packet came through transport-mode NAT-T SAs only. */
static bool
applies(const struct bundle_xform *x, size_t n)
{
	if (n == 0 || x[0].sa->proto != IPPROTO_ESP ||
	    !(x[0].sa->flags & SA_F_UDP_ENCAP))
		return false;
	for (size_t i = 0; i < n; i++)
		if (x[i].sa->mode != SA_MODE_TRANSPORT)
			return false;
	return true;
}

int
natoa_input(const struct bundle_xform *x, size_t n, uint8_t policy,
    uint8_t *pkt, size_t len)
{
	const struct addr *oa;
	struct ip_info info;
	struct rd r;
	uint8_t *l4;
	size_t l4len, off;
	uint16_t ck, nck;

	if (!applies(x, n) || !ip_parse(pkt, len, &info) || info.is_frag)
		return 0;
	if (info.proto == IPPROTO_UDP)
		off = 6; /* RFC 768 */
	else if (info.proto == IPPROTO_TCP)
		off = 16; /* RFC 9293 section 3.1 */
	else
		return 0;
	l4 = pkt + info.ins_off;
	l4len = len - info.ins_off;
	/* The whole header must be there: UDP 8 bytes, TCP 20. */
	rd_init(&r, l4, l4len);
	if (!rd_skip(&r, info.proto == IPPROTO_UDP ? 8 : 20))
		return 0;
	ck = (uint16_t)(l4[off] << 8 | l4[off + 1]);
	oa = &x[0].sa->nat_oa;
	if (policy == 0 && oa->family == info.family &&
	    !addr_eq(oa, &info.src)) {
		/* A zero UDP checksum means none (IPv4): nothing to mend. */
		if (info.proto == IPPROTO_UDP && ck == 0)
			return 0;
		nck = incremental(ck, oa, &info.src);
		if (info.proto == IPPROTO_UDP && nck == 0)
			nck = 0xffff;
	} else if (policy == 0 && info.proto == IPPROTO_UDP &&
	    info.family == AF_INET) {
		nck = 0;
	} else {
		nck = full(&info, info.proto, l4, l4len, off);
		if (info.proto == IPPROTO_UDP && nck == 0)
			nck = 0xffff;
	}
	wr_u16(l4 + off, nck);
	return 1;
}
