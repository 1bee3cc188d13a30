#ifndef IPSECD_IPSEC_ECN_H
#define IPSECD_IPSEC_ECN_H

#include <stdint.h>

#include "ipsec/verdict.h"

/*
 * ECN across a tunnel (RFC 6040), as pure functions on TOS / traffic class
 * bytes (DSCP << 2 | ECN).  Only the two ECN bits are ever changed; the
 * DSCP is the caller's business (tunnel.c).
 */
#define ECN_MASK 0x03
#define ECN_NOT_ECT 0x00
#define ECN_ECT1 0x01
#define ECN_ECT0 0x02
#define ECN_CE 0x03

/* Ingress modes, the values of the ecn knob (knobs.h). */
enum ecn_mode {
	ECN_MODE_COMPAT = 0, /* outer Not-ECT */
	ECN_MODE_NORMAL = 1, /* outer ECN copied from the inner */
};

/*
 * What a decapsulation saw (RFC 6040 section 4.2): combinations that no
 * compliant tunnel ingress produces.  The caller may count them or log them
 * rate-limited; the packet's fate is the verdict alone.
 */
enum ecn_note {
	ECN_NOTE_NONE,
	ECN_NOTE_WARN,	/* "(!)": inner ECT(1), outer ECT(0) */
	ECN_NOTE_ALARM, /* "(!!!)": e.g. inner Not-ECT, outer ECT or CE */
};

/*
 * Encapsulation (RFC 6040 section 4.1): outer_tos with its ECN field
 * constructed from inner_tos for mode: a copy in normal mode, Not-ECT in
 * compatibility mode.
 */
uint8_t ecn_encap(uint8_t outer_tos, uint8_t inner_tos, enum ecn_mode mode);

/*
 * Decapsulation (RFC 6040 section 4.2, Figure 4; one behaviour whatever
 * mode the ingress used): set the ECN field of *inner_tos from the outer
 * and inner ones.  Returns IPSEC_OK, or IPSEC_DROP_HDR (verdict.h has no
 * ECN value) for an inner Not-ECT with an outer CE, which must be dropped;
 * *inner_tos is then unchanged.  *note (may be NULL) is set in every case.
 */
enum ipsec_verdict ecn_decap(
    uint8_t outer_tos, uint8_t *inner_tos, enum ecn_note *note);

#endif
