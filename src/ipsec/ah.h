#ifndef IPSECD_IPSEC_AH_H
#define IPSECD_IPSEC_AH_H

#include <stddef.h>
#include <stdint.h>

#include "ipsec/job.h"
#include "ipsec/verdict.h"

struct cipher;
struct knobs;
struct pbuf;
struct sa;

/*
 * AH (RFC 4302) on a whole IP packet at pbuf_data(pb), IPv4 or IPv6.
 *
 * The AH header goes where ESP would (ip_info.ins_off: after IPv4
 * options, or after the IPv6 Hop-by-Hop, Routing and Fragment headers)
 * and only the IP header moves.  Tunnel mode is the same operation on a
 * packet whose outer header tunnel.c has already built, so AH itself is
 * mode-agnostic:
 *
 *   before:  [IP hdr][payload]                             (proto P)
 *   after:   [IP hdr][P|len|0|SPI|seq|ICV|pad][payload]    (proto 51)
 *
 * len is the AH length in 32-bit words minus 2; the ICV field is padded
 * with zeros to a multiple of 4 bytes for IPv4 and 8 for IPv6 (section
 * 3.3.3.2.1).  The ICV covers the whole packet (section 3.3.3) with the
 * fields that change in transit zeroed, and with ESN the high 32 bits of
 * the sequence number appended (section 2.5.1, 3.3.2.1):
 *   IPv4: TOS (only with knob ah_cleartos), flags and fragment offset
 *     (ANDed with knob ah_offsetmask, as FreeBSD does: 0 zeroes them),
 *     TTL, header checksum, and the options Appendix A.1 calls mutable
 *     (everything but EOL, NOP, Security, Extended Security, CIPSO,
 *     Router Alert and SDB, as Linux's ah4.c); with Loose or Strict Source
 *     Route the destination is, for the outbound ICV, the route's final
 *     address (mutable but predictable).
 *   IPv6: traffic class, flow label, hop limit; the data of options with
 *     the "may change" bit (0x20) in Hop-by-Hop and Destination Options
 *     headers before AH; a type 0 or 2 Routing header is computed as it
 *     will arrive (addresses rotated, Segments Left 0, section
 *     3.3.3.1.2.2, as Linux's ah6.c).  A Routing header of another type
 *     with Segments Left above 0 cannot be predicted: IPSEC_DROP_HDR.
 *
 * The fields are zeroed in the packet itself between begin and end (so
 * the crypto reads one contiguous span) and saved in job->scratch; end
 * puts them back.  Saved IPv6 option data is limited by the scratch
 * space (IPSEC_JOB_SCRATCH): more mutable option bytes than that is
 * IPSEC_DROP_HDR.
 *
 * Split around the crypto as ESP is (job.h).  On any verdict other than
 * IPSEC_OK from a *_begin the packet is unchanged; after *_begin returned
 * IPSEC_OK the packet must go through *_end (it holds zeroed fields until
 * then), and after a failed *_end it is garbage and must be dropped.
 */
#define AH_HDR_LEN 12 /* without the ICV */

/*
 * Begin: insert the AH header for job->sa (its spi) with sequence number
 * seq (full 64 bits, drawn by the caller, e.g. with replay_next_seq) and
 * an ICV of cipher_icv_len(c) bytes, zero the mutable fields and describe
 * the HMAC in job->op.  k gives ah_cleartos and ah_offsetmask.
 * Verdicts: IPSEC_DROP_HDR (not a well-formed unfragmented IP packet, bad
 * IPv4 option, unpredictable Routing header, too many mutable option
 * bytes), IPSEC_DROP_SEQ_ZERO, IPSEC_DROP_SEQ_EXHAUSTED (seq above 32 bits
 * without ESN), IPSEC_DROP_TOOBIG (over 65535 bytes), IPSEC_DROP_NOROOM.
 */
enum ipsec_verdict ah_output_begin(struct ipsec_job *job, struct cipher *c,
    uint64_t seq, const struct knobs *k);
/* Restore the mutable fields; IPSEC_DROP_CRYPTO if the op failed. */
enum ipsec_verdict ah_output_end(struct ipsec_job *job);

/*
 * Begin verifying job->pb, an IP packet carrying AH for job->sa (found by
 * the caller from SPI and destination): checks lengths (the AH length
 * must be the SA's ICV rounded as AH output does; for IPv4 rounding to 8
 * bytes, as Linux sends by default, is accepted too), the SPI, and the
 * sequence number against the replay window without moving it (section
 * 3.4.3); then copies the ICV to job->icv, zeroes it and the mutable
 * fields in the packet and describes the HMAC.
 * Verdicts: IPSEC_DROP_HDR (malformed IP header or option, fragment,
 * unpredictable Routing header), IPSEC_DROP_PROTO (not AH),
 * IPSEC_DROP_SHORT, IPSEC_DROP_NOSA (SPI is not the SA's, or ESN without
 * a replay window), IPSEC_DROP_SEQ_ZERO, IPSEC_DROP_REPLAY.
 */
enum ipsec_verdict ah_input_begin(
    struct ipsec_job *job, struct cipher *c, const struct knobs *k);
/*
 * Finish: IPSEC_DROP_ICV / IPSEC_DROP_CRYPTO from the op; then the replay
 * window is advanced (IPSEC_DROP_REPLAY if another copy won meanwhile),
 * the mutable fields are restored, AH is removed and the IP header's
 * protocol and length fixed.  *next_hdr is AH's next header.
 */
enum ipsec_verdict ah_input_end(struct ipsec_job *job, uint8_t *next_hdr);

/* begin + cipher_run + end. */
enum ipsec_verdict ah_output(const struct sa *sa, struct cipher *c,
    uint64_t seq, const struct knobs *k, struct pbuf *pb);
enum ipsec_verdict ah_input(struct sa *sa, struct cipher *c,
    const struct knobs *k, struct pbuf *pb, uint8_t *next_hdr);

/*
 * Bytes AH adds for an ICV of icv_len bytes in family (AF_INET or
 * AF_INET6): for MTU and buffer sizing.
 */
size_t ah_overhead(size_t icv_len, uint8_t family);

#endif
