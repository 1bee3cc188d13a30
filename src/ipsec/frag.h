#ifndef IPSECD_IPSEC_FRAG_H
#define IPSECD_IPSEC_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "ipsec/verdict.h"

struct pbuf;

/*
 * Source fragmentation of an outer packet that is larger than the path
 * MTU and may be fragmented: IPv4 without DF (RFC 791), or IPv6 from this
 * host as its source (RFC 8200 section 4.5).  ipsecd sends its outer
 * packets through raw sockets with their headers as built, which the
 * kernel never fragments, so it fragments them itself, as Linux's xfrm
 * leaves an oversized tunnel packet to ip_fragment.
 *
 * The packet at pbuf_data(pb) becomes the first fragment (for IPv6 the
 * Fragment header is inserted into it, which needs 8 bytes of headroom);
 * the others are written into frags[0..], empty buffers the caller
 * provides (their contents are replaced, starting at their current
 * headroom).  Every fragment is at most mtu bytes; data is split on
 * 8-byte boundaries.
 *
 * IPv4: the header's ID is kept (the outer header already has a fresh
 * one); a packet that is itself a fragment is fragmented further, its
 * offset and MF kept; non-first fragments carry only the options whose
 * "copied" flag is set (RFC 791 section 3.1).
 * IPv6: the Fragment header goes after the unfragmentable part
 * (Hop-by-Hop, Routing and the Destination Options before Routing), with
 * identification id; a packet that already has a Fragment header is not
 * fragmented again (IPSEC_DROP_TOOBIG).
 *
 * Returns IPSEC_OK with *nout fragments written to frags (0 when the
 * packet fits and is left unchanged); IPSEC_DROP_TOOBIG when it may not be
 * fragmented (DF, IPv6 fragment, mtu below 68 / 1280) or needs more than
 * nfrags + 1 fragments; IPSEC_DROP_HDR for a malformed packet;
 * IPSEC_DROP_NOROOM when a buffer lacks room.  On any drop pb is unchanged.
 */
enum ipsec_verdict ip_fragment(struct pbuf *pb, size_t mtu, uint32_t id,
    struct pbuf *const *frags, size_t nfrags, size_t *nout);

#endif
