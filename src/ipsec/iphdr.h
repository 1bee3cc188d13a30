#ifndef IPSECD_IPSEC_IPHDR_H
#define IPSECD_IPSEC_IPHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct pbuf;

#define IP6_MTU_MIN 1280 /* RFC 8200 section 5 */

/*
 * IPv4/IPv6 header parsing and rewriting shared by the transforms.  The
 * data path always holds a whole IP packet starting at pbuf_data(); an
 * IPsec header is inserted at ip_info.ins_off and the byte at nh_off (the
 * IPv4 protocol field or the last IPv6 "next header" before ins_off) is
 * rewritten to the IPsec protocol.
 *
 * IPv6 (RFC 8200 section 4.1 order; RFC 4303 section 3.1.1): the IPsec
 * header goes after Hop-by-Hop, Routing and Fragment headers and after a
 * Destination Options header that precedes a Routing header; a
 * Destination Options header for the final destination stays after it.
 */
struct ip_info {
	uint8_t family; /* AF_INET / AF_INET6 */
	uint8_t proto;	/* protocol at ins_off (what the IPsec header wraps) */
	uint8_t tos;	/* IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN) */
	uint8_t ttl;	/* TTL / hop limit */
	bool is_df;	/* IPv4 DF (IPv6: true, it never fragments in path) */
	bool is_frag;	/* a fragment (MF or offset, or IPv6 fragment hdr) */
	uint16_t hdr_len; /* IPv4 IHL*4, IPv6 40 */
	uint16_t ins_off; /* where an IPsec header goes */
	uint16_t nh_off;  /* byte holding the protocol of what is at ins_off */
	uint32_t tot_len; /* total length from the header (== packet length) */
	struct addr src;
	struct addr dst;
};

/*
 * Parse the IP header(s) at p.  Checks version, IHL >= 5, total/payload
 * length == len exactly (trailing bytes are an error) and each extension
 * header's length against what is left.  Returns false on any violation;
 * info is then undefined.
 */
bool ip_parse(const uint8_t *p, size_t len, struct ip_info *info);

/* RFC 1071 checksum of len bytes (IPv4 header). */
uint16_t ip_cksum(const void *p, size_t len);

/*
 * The same in parts, for checksums over a pseudo-header and a message
 * (ICMPv6, UDP): ip_csum_add adds len bytes (an odd length only for the
 * last part) to the running sum, ip_csum_fold gives the checksum field.
 */
uint32_t ip_csum_add(uint32_t sum, const void *p, size_t len);
uint16_t ip_csum_fold(uint32_t sum);

/*
 * After a transform changed the packet's length or protocol: set the IPv4
 * total length and recompute its header checksum, or the IPv6 payload
 * length.  len is the whole packet length.  False if it exceeds 65535
 * (IPv4) or 65535 + 40 (IPv6).
 */
bool ip_set_len(uint8_t *pkt, uint8_t family, size_t len);

/*
 * Set the protocol byte at nh_off (for IPv4 this also needs ip_set_len or
 * ip_fix_cksum afterwards to fix the header checksum).
 */
void ip_set_proto(uint8_t *pkt, uint16_t nh_off, uint8_t proto);
void ip_fix_cksum(uint8_t *pkt);

#endif
