/*
 * IPcomp transform (RFC 3173) with DEFLATE (RFC 2394).  Header after the
 * IP header(s):
 *
 *   0        1        2                 4
 *   | next   | flags  | CPI (16 bits)   | raw DEFLATE stream ... |
 *
 * Each packet is compressed on its own (RFC 3173 section 2.1: no history
 * between datagrams): the streams are reset, never re-initialised, so
 * no packet allocates.  RFC 2394 leaves the window to the sender; raw
 * DEFLATE with a 32 KB window (windowBits -15) inflates whatever window a
 * peer used, and a whole packet is always decompressed in one call, so
 * back references never reach outside the output buffer.
 */
#include "config.h"

#include "ipsec/ipcomp.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"
#include "ipsec/sa.h"

#define IPCOMP_WBITS (-15)     /* raw deflate, 32 KB window */
#define IPCOMP_MEMLEVEL 8      /* zlib's default */
#define IP4_MAX 65535u	       /* whole IPv4 packet */
#define IP6_MAX (65535u + 40u) /* IPv6 payload length + fixed header */

struct ipcomp_ctx {
	z_stream def;
	z_stream inf;
	bool has_def;
	bool has_inf;
	uint8_t scratch[IP6_MAX];
};

struct ipcomp_ctx *
ipcomp_ctx_new(void)
{
	struct ipcomp_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	if (deflateInit2(&ctx->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
		IPCOMP_WBITS, IPCOMP_MEMLEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		goto fail;
	ctx->has_def = true;
	if (inflateInit2(&ctx->inf, IPCOMP_WBITS) != Z_OK)
		goto fail;
	ctx->has_inf = true;
	return ctx;
fail:
	ipcomp_ctx_free(ctx);
	return NULL;
}

void
ipcomp_ctx_free(struct ipcomp_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->has_inf)
		inflateEnd(&ctx->inf);
	if (ctx->has_def)
		deflateEnd(&ctx->def);
	free(ctx);
}

static size_t
max_packet(uint8_t family)
{
	return family == AF_INET ? IP4_MAX : IP6_MAX;
}

/*
 * Deflate in[0..in_len) into the scratch buffer, at most out_max bytes.
 * Returns the compressed length, 0 when it does not fit (not worth it),
 * or -1 when zlib fails.
 */
static long
compress_into_scratch(
    struct ipcomp_ctx *ctx, const uint8_t *in, size_t in_len, size_t out_max)
{
	z_stream *z = &ctx->def;
	int zr;

	if (deflateReset(z) != Z_OK)
		return -1;
	z->next_in = in;
	z->avail_in = (uInt)in_len;
	z->next_out = ctx->scratch;
	z->avail_out = (uInt)out_max;
	zr = deflate(z, Z_FINISH);
	switch (zr) {
	case Z_STREAM_END:
		return (long)(out_max - z->avail_out);
	case Z_OK:
	case Z_BUF_ERROR:
		return 0; /* ran out of room: no smaller than the input */
	default:
		return -1;
	}
}

enum ipsec_verdict
ipcomp_encap_at(struct ipcomp_ctx *ctx, const struct sa *sa, struct pbuf *pb,
    const struct ipcomp_where *w, bool *is_compressed)
{
	uint8_t *pkt = pbuf_data(pb), *hdr;
	size_t len = pbuf_len(pb), pay_len;
	long dlen;

	*is_compressed = false;
	if (w->family != AF_INET && w->family != AF_INET6)
		return IPSEC_DROP_HDR;
	if (w->ins_off > len || w->nh_off >= w->ins_off)
		return IPSEC_DROP_HDR;
	if (sa->spi > IPCOMP_CPI_MAX)
		return IPSEC_DROP_NOSA;
	pay_len = len - w->ins_off;
	/* Non-expansion (RFC 3173 section 2.2): too short to be worth it. */
	if (pay_len < w->threshold || pay_len <= IPCOMP_HDR_LEN + 1)
		return IPSEC_OK;
	hdr = pkt + w->ins_off;
	/* Header plus compressed data must be smaller than the payload. */
	dlen = compress_into_scratch(
	    ctx, hdr, pay_len, pay_len - IPCOMP_HDR_LEN - 1);
	if (dlen < 0)
		return IPSEC_DROP_CRYPTO;
	if (dlen == 0)
		return IPSEC_OK;

	hdr[0] = pkt[w->nh_off];
	hdr[1] = 0; /* flags: reserved, zero (section 3.3) */
	wr_u16(hdr + 2, (uint16_t)sa->spi);
	memcpy(hdr + IPCOMP_HDR_LEN, ctx->scratch, (size_t)dlen);
	pbuf_trim(pb, pay_len - IPCOMP_HDR_LEN - (size_t)dlen);
	ip_set_proto(pkt, w->nh_off, IPPROTO_COMP);
	ip_set_len(pkt, w->family, pbuf_len(pb));
	*is_compressed = true;
	return IPSEC_OK;
}

enum ipsec_verdict
ipcomp_encap(struct ipcomp_ctx *ctx, const struct sa *sa, struct pbuf *pb,
    size_t threshold, bool *is_compressed)
{
	struct ip_info info;
	struct ipcomp_where w;

	*is_compressed = false;
	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &info) || info.is_frag)
		return IPSEC_DROP_HDR;
	w.family = info.family;
	w.ins_off = info.ins_off;
	w.nh_off = info.nh_off;
	w.threshold = threshold;
	return ipcomp_encap_at(ctx, sa, pb, &w, is_compressed);
}

/*
 * Inflate in[0..in_len) into the scratch buffer, producing at most
 * out_max bytes.  Returns the length, or -1 unless the input is exactly
 * one complete DEFLATE stream whose output fits.
 */
static long
inflate_into_scratch(
    struct ipcomp_ctx *ctx, const uint8_t *in, size_t in_len, size_t out_max)
{
	z_stream *z = &ctx->inf;

	if (inflateReset(z) != Z_OK)
		return -1;
	z->next_in = in;
	z->avail_in = (uInt)in_len;
	z->next_out = ctx->scratch;
	z->avail_out = (uInt)out_max;
	/*
	 * Z_FINISH: all input and all output room are given at once, so a
	 * stream that would inflate beyond out_max stops there with
	 * Z_BUF_ERROR after producing at most out_max bytes (no bomb).
	 */
	if (inflate(z, Z_FINISH) != Z_STREAM_END || z->avail_in != 0)
		return -1;
	return (long)(out_max - z->avail_out);
}

enum ipsec_verdict
ipcomp_decap(struct ipcomp_ctx *ctx, const struct sa *sa, struct pbuf *pb,
    uint8_t *next_hdr)
{
	uint8_t *pkt = pbuf_data(pb);
	struct ip_info info;
	struct rd rd;
	uint8_t nh, flags;
	uint16_t cpi;
	size_t pay_len, out_max, room;
	long out_len;

	if (!ip_parse(pkt, pbuf_len(pb), &info) || info.is_frag)
		return IPSEC_DROP_HDR;
	if (info.proto != IPPROTO_COMP)
		return IPSEC_DROP_PROTO;
	pay_len = pbuf_len(pb) - info.ins_off;
	rd_init(&rd, pkt + info.ins_off, pay_len);
	if (!rd_u8(&rd, &nh) || !rd_u8(&rd, &flags) || !rd_u16(&rd, &cpi))
		return IPSEC_DROP_SHORT;
	(void)flags; /* "MUST be ignored by the receiving node" */
	if (cpi != sa->spi)
		return IPSEC_DROP_NOSA;
	if (nh == IPPROTO_COMP)
		return IPSEC_DROP_NEXTHDR;

	/* Bound the output by the largest IP packet and by the buffer. */
	out_max = max_packet(info.family) - info.ins_off;
	room = pay_len + pbuf_tailroom(pb);
	if (out_max > room)
		out_max = room;
	if ((out_len = inflate_into_scratch(
		 ctx, rd_cur(&rd), rd_left(&rd), out_max)) < 0)
		return IPSEC_DROP_DECOMP;

	/* Only now is the packet touched. */
	if ((size_t)out_len > pay_len)
		pbuf_put(pb, (size_t)out_len - pay_len);
	else
		pbuf_trim(pb, pay_len - (size_t)out_len);
	memcpy(pkt + info.ins_off, ctx->scratch, (size_t)out_len);
	ip_set_proto(pkt, info.nh_off, nh);
	ip_set_len(pkt, info.family, pbuf_len(pb));
	*next_hdr = nh;
	return IPSEC_OK;
}
