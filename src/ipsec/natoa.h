#ifndef IPSECD_IPSEC_NATOA_H
#define IPSECD_IPSEC_NATOA_H

#include <stddef.h>
#include <stdint.h>

#include "ipsec/bundle.h"

/*
 * TCP and UDP checksums of transport-mode ESP-in-UDP packets after NAT
 * (RFC 3948 section 3.1.2), with FreeBSD's natt_cksum_policy (ipsec(4),
 * knobs.h).  In transport mode the decapsulated packet keeps the outer IP
 * header, whose addresses a NAT rewrote, while the TCP or UDP checksum
 * inside was computed by the peer over the addresses it used: the
 * receiver must mend it before its own stack checks it.
 *
 * The original address (X_NAT_T_OA, sa.nat_oa) is the SA's source address
 * as the peer had it: what racoon gives Linux for an inbound SA (NAT-OAi
 * of RFC 3947 when the peer is the one behind the NAT).  It is FreeBSD's
 * OAI; there is no second (OAR) extension in <linux/pfkeyv2.h>, so a
 * change of our own address by a NAT in front of us is never mended
 * incrementally.
 *
 *   policy 0 (auto)  an original address that differs from the packet's
 *                    source: the checksum is updated for that change (RFC
 *                    1624; a zero UDP checksum stays zero).  None, or the
 *                    same: a UDP checksum over IPv4 is cleared (RFC 768:
 *                    none), as FreeBSD does; a TCP checksum, or a UDP one
 *                    over IPv6 (which must not be zero, RFC 8200 section
 *                    8.1), is recomputed.  FreeBSD trusts the TCP checksum
 *                    instead (CSUM_DATA_VALID); a TUN device cannot say
 *                    that, and ESP's ICV has already authenticated every
 *                    byte, so recomputing is the same guarantee.
 *   policy 1 (full)  recomputed over the packet's own addresses.
 *
 * Applies only when every SA the packet went through is in transport
 * mode and the outermost one is ESP-in-UDP; to a TCP or UDP header
 * right after the IP header(s) of a whole datagram (not a fragment).
 * Anything else, including a header too short for its checksum field, is
 * left as it is (the stack then drops what does not check out).  Pure.
 */

/*
 * Mend the checksum of the decapsulated packet pkt (len bytes, a whole IP
 * packet) that went through the SAs x[0..n) (outermost first), under
 * policy (knobs natt_cksum_policy).  Returns 1 when the checksum was
 * changed, 0 when nothing applied.
 */
int natoa_input(const struct bundle_xform *x, size_t n, uint8_t policy,
    uint8_t *pkt, size_t len);

#endif
