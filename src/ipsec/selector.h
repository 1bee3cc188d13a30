#ifndef IPSECD_IPSEC_SELECTOR_H
#define IPSECD_IPSEC_SELECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"

/*
 * Traffic selectors (RFC 4301 section 4.4.1.1) as PF_KEY and Linux xfrm
 * carry them, and the flow key a packet is matched with.
 *
 * Ports are inclusive ranges; [0, 65535] matches every port (PF_KEY's
 * port 0).  For ICMP, ICMPv6 and MIPv6 the message type is carried in the
 * source port field and the code in the destination port field, as Linux
 * (xfrm_flowi_sport/dport) and af_key do: a selector for ICMP echo request
 * is sport 8..8, dport 0..255, and a flow key for an ICMP packet holds
 * type and code in sport and dport.
 *
 *   selector    src prefix   dst prefix   proto   sport   dport   if_id
 *   flow key    src addr     dst addr     proto   sport   dport   if_id
 *               (prefix)     (prefix)     (==)    (in)    (in)    (==)
 *
 * A protocol of 0 or 255 (PF_KEY's IPSEC_ULPROTO_ANY) matches every
 * protocol; an if_id of 0 matches every interface key.
 */
#define SELECTOR_PROTO_ANY 255

struct selector {
	struct prefix src; /* src.addr.family is the selector's family */
	struct prefix dst; /* same family as src */
	uint8_t proto;	   /* upper-layer protocol; 0 or 255 = any */
	uint16_t sport_lo; /* inclusive, host order; ICMP: type */
	uint16_t sport_hi;
	uint16_t dport_lo; /* ICMP: code */
	uint16_t dport_hi;
	uint32_t if_id; /* interface key (if_id or reqid); 0 = any */
};

/*
 * A packet's flow, filled by the caller from its headers: addresses in
 * network byte order (struct addr), ports in host order, ICMP type and
 * code in sport and dport, 0 for protocols without ports.  family equals
 * src.family and dst.family.
 */
struct selector_key {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;
	uint16_t sport;
	uint16_t dport;
	uint32_t if_id;
	struct addr src;
	struct addr dst;
};

/*
 * A selector that matches every packet of family (AF_INET or AF_INET6):
 * prefixes of length 0, any protocol, all ports, any interface.
 */
void selector_init_any(struct selector *s, int family);

/*
 * Whether a selector is well formed: a known family shared by src and dst,
 * prefix lengths within the family, no host bits beyond the prefix,
 * lo <= hi for both port ranges, and ports left at "any" when the protocol
 * is any.  False with *why set to a static message.
 */
bool selector_check(const struct selector *s, const char **why);

/* True when the flow key k falls inside selector s (table above). */
bool selector_match(const struct selector *s, const struct selector_key *k);

/* Field-by-field equality; proto 0 and 255 are the same "any". */
bool selector_eq(const struct selector *a, const struct selector *b);

/* Hash and equality of flow keys (for flow caches). */
uint32_t selector_key_hash(const struct selector_key *k, uint32_t seed);
bool selector_key_eq(
    const struct selector_key *a, const struct selector_key *b);

#endif
