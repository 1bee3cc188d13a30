#ifndef IPSECD_IPSEC_TUNNEL_H
#define IPSECD_IPSEC_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ipsec/ecn.h"
#include "ipsec/verdict.h"

struct knobs;
struct pbuf;
struct sa;

/*
 * Tunnel-mode and BEET-mode outer headers (RFC 4301 section 5.1.2; BEET as
 * Linux xfrm does it, draft-nikander-esp-beet-mode).  The packet is the
 * whole IP packet at pbuf_data(); headers are pushed into the headroom and
 * pulled off the front, the payload is never copied.  Every function
 * leaves the packet unchanged when it returns a drop verdict.
 *
 * Tunnel encap builds the outer header from the SA and the inner header:
 *
 *   before:               |inner IP|payload|
 *   after:   |outer IP|inner IP|payload|      outer protocol = 4 or 41
 *
 * The outer protocol field names the inner header (IPPROTO_IPIP for IPv4,
 * IPPROTO_IPV6 for IPv6); the ESP or AH transform then inserts its header
 * after the outer one and rewrites that field.  Decap runs after ESP/AH
 * removed their header and restored the protocol field to 4 or 41.
 */

/*
 * Prepend the outer header for sa (family of sa->src, addresses sa->src
 * -> sa->dst) to the inner packet: 4in4, 6in6, 4in6 and 6in4.
 *   IPv4 outer: ID ip_id (the caller's counter), TTL 64, DF from
 *	k->dfbit (clear, set, or copied from the inner; an IPv6 inner counts
 *	as DF unless it is at most 1280 bytes, which the tunnel must then
 *	fragment: RFC 4213 section 3.2), never DF with SA_F_NOPMTUDISC.
 *   IPv6 outer: hop limit 64, flow label 0.
 *   Both: DSCP copied from the inner; ECN from the inner per RFC 6040 with
 *	mode k->ecn (ecn_encap), Not-ECT with SA_F_NOECN (as Linux does,
 *	so that a CE mark is never lost on a tunnel that does not
 *	propagate it on decap).
 * The TTL is a fixed 64 because the outer packet starts a new IP hop; the
 * inner TTL was already decremented by the kernel that routed it to us.
 * Returns IPSEC_OK; IPSEC_DROP_HDR when the inner is not a valid IP packet
 * (ip_parse); IPSEC_DROP_FAMILY when sa->src and sa->dst are not both IPv4
 * or both IPv6; IPSEC_DROP_TOOBIG when the result exceeds 65535 bytes
 * (IPv4) or a payload length of 65535 (IPv6); IPSEC_DROP_NOROOM when the
 * headroom is smaller than the outer header.
 */
enum ipsec_verdict tunnel_encap(const struct sa *sa, const struct knobs *k,
    uint16_t ip_id, struct pbuf *pb);

/*
 * Whether the outer IPv4 header for inner packet in (ip_parse'd) carries
 * DF: per k->dfbit (clear, set, copy; an IPv6 inner counts as DF), never
 * with SA_F_NOPMTUDISC.  tunnel_encap uses it; so does the path MTU check,
 * which must refuse what may not be fragmented.
 */
struct ip_info;
bool tunnel_outer_df(
    const struct sa *sa, const struct knobs *k, const struct ip_info *in);

/*
 * Remove the outer header (with any IPv6 extension headers before the
 * inner packet) and leave the inner packet.  Checks that the outer header
 * is valid and says protocol 4 or 41, that the rest is one valid IP packet
 * (ip_parse: lengths exact) of the family that protocol names.  Then,
 * unless sa has SA_F_NOECN, sets the inner ECN field per RFC 6040 section
 * 4.2 (ecn_decap; *note, which may be NULL, tells about odd combinations),
 * and with SA_F_DECAP_DSCP copies the outer DSCP into the inner; an IPv4
 * inner header checksum is updated.
 * Returns IPSEC_OK; IPSEC_DROP_HDR for a bad outer or inner header, or an
 * inner Not-ECT packet whose outer says CE (RFC 6040 requires the drop);
 * IPSEC_DROP_NEXTHDR when the outer protocol is not 4 or 41;
 * IPSEC_DROP_FAMILY when the inner is not of the family the protocol says.
 */
enum ipsec_verdict tunnel_decap(
    const struct sa *sa, struct pbuf *pb, enum ecn_note *note);

/*
 * BEET encap: the packet's own header becomes the outer one, its
 * addresses replaced by sa->src and sa->dst (ESP then goes in as in
 * transport mode).  The packet must come from sa->beet_src to
 * sa->beet_dst, of the same family as sa->src and sa->dst.  IPv4 options
 * would need Linux's BEET pseudo-header (protocol 94); they are refused.
 * Returns IPSEC_OK; IPSEC_DROP_HDR for an invalid packet or one with IPv4
 * options; IPSEC_DROP_FAMILY when the families differ (inter-family BEET
 * is not done); IPSEC_DROP_POLICY when the addresses are not the SA's
 * inner ones.
 */
enum ipsec_verdict tunnel_beet_encap(const struct sa *sa, struct pbuf *pb);

/*
 * BEET decap, after ESP removed its header: put sa->beet_src and
 * sa->beet_dst back as the packet's addresses (transport checksums were
 * computed over those, so they hold again).  Returns IPSEC_OK;
 * IPSEC_DROP_HDR for an invalid packet or IPv4 options;
 * IPSEC_DROP_NEXTHDR for Linux's BEET pseudo-header (protocol 94, which
 * carries IPv4 options; not supported); IPSEC_DROP_FAMILY when the packet or
 * the SA's inner addresses are of another family than the SA's.
 */
enum ipsec_verdict tunnel_beet_decap(const struct sa *sa, struct pbuf *pb);

#endif
