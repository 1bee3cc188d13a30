/*
 * Source fragmentation of outer packets (frag.h): IPv4 (RFC 791 section
 * 3.2, RFC 815's fields) and IPv6 (RFC 8200 section 4.5).
 */
#include "config.h"

#include "ipsec/frag.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"

#define IP4_F_DF 0x4000
#define IP4_F_MF 0x2000
#define IP4_OFF_MASK 0x1fff
#define IP4_MTU_MIN 68
#define IP6_FRAG_LEN 8

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The options of an IPv4 header (opt, olen bytes) that non-first
 * fragments carry: those with the copied flag, padded with End of Option
 * List to a multiple of 4.  Returns their length, written to out (at most
 * 40 bytes); -1 for malformed options.
 */
static int
copied_options(const uint8_t *opt, size_t olen, uint8_t *out)
{
	size_t i = 0, n = 0;

	while (i < olen) {
		uint8_t type = opt[i];
		size_t len;

		if (type == 0) /* end of option list */
			break;
		if (type == 1) { /* no operation */
			i++;
			continue;
		}
		if (i + 1 >= olen || (len = opt[i + 1]) < 2 || i + len > olen)
			return -1;
		if (type & 0x80) {
			memcpy(out + n, opt + i, len);
			n += len;
		}
		i += len;
	}
	while (n % 4 != 0)
		out[n++] = 0;
	return (int)n;
}

static enum ipsec_verdict
frag4(struct pbuf *pb, const struct ip_info *info, size_t mtu,
    struct pbuf *const *frags, size_t nfrags, size_t *nout)
{
	uint8_t *p = pbuf_data(pb), opts[40];
	size_t hl = info->hdr_len, len = pbuf_len(pb), data = len - hl;
	uint16_t fo = get16(p + 6), base = fo & IP4_OFF_MASK;
	bool is_mf = (fo & IP4_F_MF) != 0;
	size_t first, rest, k, off;
	int olen;

	if (fo & IP4_F_DF)
		return IPSEC_DROP_TOOBIG;
	if ((olen = copied_options(p + 20, hl - 20, opts)) < 0)
		return IPSEC_DROP_HDR;
	if (mtu < IP4_MTU_MIN || mtu < hl + 8 || mtu < 20 + (size_t)olen + 8)
		return IPSEC_DROP_TOOBIG;
	first = (mtu - hl) & ~(size_t)7;
	rest = (mtu - 20 - (size_t)olen) & ~(size_t)7;
	k = (data - first + rest - 1) / rest; /* fragments after the first */
	if (k > nfrags)
		return IPSEC_DROP_TOOBIG;
	for (size_t i = 0; i < k; i++)
		if (pbuf_headroom(frags[i]) + 20 + (size_t)olen + rest >
		    frags[i]->cap)
			return IPSEC_DROP_NOROOM;
	off = first;
	for (size_t i = 0; i < k; i++) {
		size_t chunk = data - off < rest ? data - off : rest;
		size_t fhl = 20 + (size_t)olen;
		bool is_last = i + 1 == k;
		uint8_t *f;

		pbuf_reset(frags[i], pbuf_headroom(frags[i]));
		f = pbuf_put(frags[i], fhl + chunk);
		memcpy(f, p, 20);
		memcpy(f + 20, opts, (size_t)olen);
		memcpy(f + fhl, p + hl + off, chunk);
		f[0] = (uint8_t)(0x40 | fhl / 4);
		wr_u16(f + 6,
		    (uint16_t)((base + off / 8) |
			(is_last && !is_mf ? 0 : IP4_F_MF)));
		ip_set_len(f, AF_INET, fhl + chunk);
		off += chunk;
	}
	pbuf_trim(pb, data - first);
	wr_u16(p + 6, (uint16_t)(base | IP4_F_MF));
	ip_set_len(p, AF_INET, hl + first);
	*nout = k;
	return IPSEC_OK;
}

static enum ipsec_verdict
frag6(struct pbuf *pb, const struct ip_info *info, size_t mtu, uint32_t id,
    struct pbuf *const *frags, size_t nfrags, size_t *nout)
{
	uint8_t *p = pbuf_data(pb), *fh;
	size_t ul = info->ins_off, len = pbuf_len(pb), data = len - ul;
	size_t chunk_max, first, k, off;
	uint8_t nh = p[info->nh_off];

	if (info->is_frag)
		return IPSEC_DROP_TOOBIG;
	if (mtu < IP6_MTU_MIN || mtu < ul + IP6_FRAG_LEN + 8)
		return IPSEC_DROP_TOOBIG;
	chunk_max = (mtu - ul - IP6_FRAG_LEN) & ~(size_t)7;
	first = chunk_max;
	k = (data - first + chunk_max - 1) / chunk_max;
	if (k > nfrags)
		return IPSEC_DROP_TOOBIG;
	if (pbuf_headroom(pb) < IP6_FRAG_LEN)
		return IPSEC_DROP_NOROOM;
	for (size_t i = 0; i < k; i++)
		if (pbuf_headroom(frags[i]) + ul + IP6_FRAG_LEN + chunk_max >
		    frags[i]->cap)
			return IPSEC_DROP_NOROOM;
	off = first;
	for (size_t i = 0; i < k; i++) {
		size_t chunk = data - off < chunk_max ? data - off : chunk_max;
		bool is_last = i + 1 == k;
		uint8_t *f;

		pbuf_reset(frags[i], pbuf_headroom(frags[i]));
		f = pbuf_put(frags[i], ul + IP6_FRAG_LEN + chunk);
		memcpy(f, p, ul);
		fh = f + ul;
		fh[0] = nh;
		fh[1] = 0;
		wr_u16(fh + 2, (uint16_t)(off | (is_last ? 0 : 1)));
		wr_u32(fh + 4, id);
		memcpy(f + ul + IP6_FRAG_LEN, p + ul + off, chunk);
		f[info->nh_off] = IPPROTO_FRAGMENT;
		ip_set_len(f, AF_INET6, ul + IP6_FRAG_LEN + chunk);
		off += chunk;
	}
	pbuf_trim(pb, data - first);
	p = pbuf_insert(pb, ul, IP6_FRAG_LEN);
	fh = p;
	p = pbuf_data(pb);
	fh[0] = nh;
	fh[1] = 0;
	wr_u16(fh + 2, 1); /* offset 0, M */
	wr_u32(fh + 4, id);
	p[info->nh_off] = IPPROTO_FRAGMENT;
	ip_set_len(p, AF_INET6, ul + IP6_FRAG_LEN + first);
	*nout = k;
	return IPSEC_OK;
}

enum ipsec_verdict
ip_fragment(struct pbuf *pb, size_t mtu, uint32_t id, struct pbuf *const *frags,
    size_t nfrags, size_t *nout)
{
	struct ip_info info;

	*nout = 0;
	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &info))
		return IPSEC_DROP_HDR;
	if (pbuf_len(pb) <= mtu)
		return IPSEC_OK;
	return info.family == AF_INET
	    ? frag4(pb, &info, mtu, frags, nfrags, nout)
	    : frag6(pb, &info, mtu, id, frags, nfrags, nout);
}
