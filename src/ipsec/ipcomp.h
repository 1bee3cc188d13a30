#ifndef IPSECD_IPSEC_IPCOMP_H
#define IPSECD_IPSEC_IPCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/verdict.h"

struct pbuf;
struct sa;

/*
 * IP Payload Compression (RFC 3173) with DEFLATE (RFC 2394) on a whole IP
 * packet at pbuf_data(pb).  The 4-byte IPcomp header goes where ESP would
 * (ip_info.ins_off) and the payload after it is replaced by one raw
 * DEFLATE stream (RFC 1951, no zlib header: windowBits -15 as Linux's and
 * FreeBSD's deflate), compressed per packet with no history:
 *
 *   before:  [IP hdr][payload]                  (proto P at nh_off)
 *   after:   [IP hdr][P|0|CPI][deflate(payload)]  (proto 108)
 *
 * Tunnel mode is the same operation on a packet whose outer header
 * tunnel.c has already built (the bundle does that first), so P is then
 * 4 or 41.  Callers that know the offsets already use ipcomp_encap_at.
 *
 * Non-expansion (RFC 3173 section 2.2): a payload below the threshold, or
 * whose compressed form plus the header is not smaller, is sent as it is,
 * with no IPcomp header; the encap functions then return IPSEC_OK with
 * *is_compressed false and the packet unchanged.  The receiver sees a
 * plain packet (in tunnel mode: IP-in-IP), which bundle_input accepts.
 *
 * The threshold is compared with the payload length (bytes after the
 * IPcomp header position) as Linux does (xfrm's deflate threshold, 90):
 * payloads shorter than it are not compressed.  FreeBSD's deflate minimum
 * is also 90 bytes, compared with the whole packet.
 *
 * Each worker owns one ipcomp_ctx: the zlib streams and a 64 KB scratch
 * buffer are allocated once in ipcomp_ctx_new and only reset per packet,
 * so the data path never allocates.  Compression writes into the scratch
 * buffer and copies the (smaller) result back over the payload;
 * decompression inflates into the scratch buffer and copies the result
 * into the packet only once it is known to be whole and to fit, so a
 * failed decompression leaves the packet unchanged.
 */
#define IPCOMP_HDR_LEN 4
#define IPCOMP_THRESHOLD_DEFAULT 90
#define IPCOMP_CPI_MAX 0xffff

struct ipcomp_ctx;

/* NULL when zlib cannot allocate its state. */
struct ipcomp_ctx *ipcomp_ctx_new(void);
void ipcomp_ctx_free(struct ipcomp_ctx *ctx);

/*
 * Compress the packet in pb for sa (proto IPPROTO_COMP, spi the CPI, at
 * most IPCOMP_CPI_MAX) when its payload is at least threshold bytes long
 * and compression makes it smaller.  *is_compressed tells which happened.
 * Verdicts: IPSEC_OK (either way), IPSEC_DROP_HDR (not a well-formed
 * unfragmented IP packet), IPSEC_DROP_NOSA (CPI above 16 bits),
 * IPSEC_DROP_CRYPTO (zlib failed).  On anything but IPSEC_OK the packet
 * is unchanged.
 */
enum ipsec_verdict ipcomp_encap(struct ipcomp_ctx *ctx, const struct sa *sa,
    struct pbuf *pb, size_t threshold, bool *is_compressed);

/*
 * Where to compress, for a caller that has parsed the packet itself:
 * the IPcomp header goes at ins_off, the payload is everything after it
 * to the end of the packet, and the byte at nh_off holds the protocol of
 * what is at ins_off (it becomes 108).  family (AF_INET / AF_INET6) says
 * which IP header at offset 0 gets its length fixed.
 */
struct ipcomp_where {
	uint8_t family;
	uint16_t ins_off;
	uint16_t nh_off;
	size_t threshold;
};

/* ipcomp_encap without the parse; w must describe the packet in pb. */
enum ipsec_verdict ipcomp_encap_at(struct ipcomp_ctx *ctx, const struct sa *sa,
    struct pbuf *pb, const struct ipcomp_where *w, bool *is_compressed);

/*
 * Decompress the IPcomp packet in pb (found by the caller from its CPI):
 * checks the header (flags are ignored, RFC 3173 section 3.3), the CPI
 * against sa->spi, inflates, and restores the next header, which is also
 * stored in *next_hdr.  The result never exceeds 65535 bytes of IPv4
 * packet (IPv6: of payload) nor the pbuf's tailroom.
 * Verdicts: IPSEC_OK, IPSEC_DROP_HDR (not a well-formed unfragmented IP
 * packet), IPSEC_DROP_PROTO (the packet is not IPcomp), IPSEC_DROP_SHORT
 * (shorter than the header), IPSEC_DROP_NOSA (CPI is not the SA's),
 * IPSEC_DROP_NEXTHDR (next header is IPcomp again: compressing twice is
 * pointless and no sender does it), IPSEC_DROP_DECOMP (not one complete
 * DEFLATE stream, trailing bytes, or the output would be too large).  On
 * anything but IPSEC_OK the packet is unchanged.
 */
enum ipsec_verdict ipcomp_decap(struct ipcomp_ctx *ctx, const struct sa *sa,
    struct pbuf *pb, uint8_t *next_hdr);

#endif
