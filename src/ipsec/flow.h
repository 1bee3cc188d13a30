#ifndef IPSECD_IPSEC_FLOW_H
#define IPSECD_IPSEC_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/selector.h"

/*
 * The flow key of a plaintext packet, for SPD lookups (selector.h): the
 * addresses, the upper-layer protocol found after any IPv6 extension
 * headers, and its ports (TCP, UDP, UDP-Lite, SCTP, DCCP), ICMP or ICMPv6
 * type and code, or MIPv6 message type, as Linux's xfrm_decode_session
 * fills a flowi.
 *
 * Ports are 0 when the packet does not carry them: a non-first fragment
 * (RFC 4301 section 7 calls them OPAQUE; a 0 matches only selectors with
 * "any" ports, which is what Linux does too) or an upper-layer header cut
 * short.  The caller has already validated the IP header with ip_parse,
 * but this walk does not rely on it: every length is checked again.
 */

/*
 * Fill k from the IP packet at p (len bytes) arriving on the interface
 * with key if_id.  False when the IP header or an extension header is
 * malformed (the caller drops the packet as IPSEC_DROP_HDR).
 */
bool flow_key_parse(
    const uint8_t *p, size_t len, uint32_t if_id, struct selector_key *k);

#endif
