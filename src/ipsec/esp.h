#ifndef IPSECD_IPSEC_ESP_H
#define IPSECD_IPSEC_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "ipsec/job.h"
#include "ipsec/verdict.h"

struct cipher;
struct cipher_key;
struct pbuf;
struct sa;

/*
 * ESP (RFC 4303) on a whole IP packet at pbuf_data(pb).
 *
 * Encapsulation inserts the ESP header and IV after the IP header(s) the
 * packet already has (ip_info.ins_off: after IPv4 options, or after the
 * IPv6 Hop-by-Hop, Routing and Fragment headers) and appends the trailer
 * and ICV in the tailroom; only the IP header moves, never the payload.
 * Tunnel and BEET mode are the same operation on a packet whose outer
 * header tunnel.c has already built, so ESP itself is mode-agnostic:
 *
 *   before:  [IP hdr][payload]                      (proto P at nh_off)
 *   after:   [IP hdr][SPI|seq|IV][payload|pad|pl|P][ICV]  (proto 50)
 *
 * Decapsulation reverses it and reports the next header P (4 or 41 for a
 * tunnel-mode inner packet, which tunnel.c then strips).
 *
 * Both are split around the crypto (job.h): *_begin does all parsing and
 * builds job->op without touching any secret; the caller runs the op with
 * cipher_run() or crypto_submit(); *_end finishes.  The one-call wrappers
 * esp_encap()/esp_decap() do all three inline.  On any verdict other than
 * IPSEC_OK from a *_begin the packet is unchanged; after a failed *_end
 * it is garbage and must be dropped.
 */

/*
 * Begin encapsulating job->pb for job->sa with cipher c, sequence number
 * seq (full 64 bits; the caller draws it, e.g. with replay_next_seq) and
 * the explicit IV iv (the alg's iv_len bytes, drawn by the caller; for
 * the counter-mode AEADs it must never repeat under one key, so callers
 * typically use the sequence number).
 * Verdicts: IPSEC_DROP_HDR (not a well-formed unfragmented IP packet),
 * IPSEC_DROP_SEQ_ZERO (seq 0 is never sent), IPSEC_DROP_SEQ_EXHAUSTED (seq
 * does not fit the SA's counter: rekey), IPSEC_DROP_TOOBIG (the result would
 * exceed 65535 bytes), IPSEC_DROP_NOROOM (head/tail room short).
 */
enum ipsec_verdict esp_encap_begin(struct ipsec_job *job, struct cipher *c,
    uint64_t seq, const uint8_t *iv);
/* IPSEC_DROP_CRYPTO if the op failed; the packet is then garbage. */
enum ipsec_verdict esp_encap_end(struct ipsec_job *job);

/*
 * Begin decapsulating job->pb, an IP packet carrying ESP for job->sa
 * (found by the caller from SPI and destination).  Checks lengths, the
 * SPI and the sequence number against the replay window (RFC 4303
 * section 3.4.3: before the ICV, without moving the window).
 * Verdicts: IPSEC_DROP_HDR, IPSEC_DROP_SHORT (a length check failed),
 * IPSEC_DROP_NOSA (SPI is not the SA's), IPSEC_DROP_SEQ_ZERO,
 * IPSEC_DROP_REPLAY.
 */
enum ipsec_verdict esp_decap_begin(struct ipsec_job *job, struct cipher *c);
/*
 * Finish: IPSEC_DROP_ICV / IPSEC_DROP_CRYPTO from the op, then the replay
 * window is advanced (IPSEC_DROP_REPLAY if another copy won meanwhile),
 * then padding (IPSEC_DROP_PAD unless 1, 2, 3, ...) and trailer are
 * checked and ESP removed; *next_hdr is the payload's protocol.
 * IPSEC_DUMMY for a dummy packet (next header 59, RFC 4303 section 2.6):
 * valid, counted by the window, dropped quietly.
 */
enum ipsec_verdict esp_decap_end(struct ipsec_job *job, uint8_t *next_hdr);

/* begin + cipher_run + end. */
enum ipsec_verdict esp_encap(const struct sa *sa, struct cipher *c,
    uint64_t seq, const uint8_t *iv, struct pbuf *pb);
enum ipsec_verdict esp_decap(struct sa *sa, struct cipher *c,
    struct pbuf *pb, uint8_t *next_hdr);

/*
 * Bytes ESP adds to a payload of payload_len bytes with key k (header, IV,
 * padding, pad length, next header, ICV): for MTU and buffer sizing.
 */
size_t esp_overhead(const struct cipher_key *k, size_t payload_len);

#endif
