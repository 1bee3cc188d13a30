#ifndef IPSECD_IPSEC_REPLAY_H
#define IPSECD_IPSEC_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/verdict.h"

/*
 * Inbound anti-replay window and outbound sequence numbers (RFC 4303
 * section 3.3.3, 3.4.3 and Appendix A), with 64-bit extended sequence
 * numbers (ESN).
 *
 * The window is W packets wide (1 to REPLAY_WINDOW_MAX; larger values are
 * clamped): with T the highest sequence number accepted so far, a packet
 * is new when its sequence number S is above T, and is checked against the
 * bitmap when T - W < S <= T; older packets are replays.  W is exact (it is
 * not rounded): the bitmap is a ring of 64-bit words one word larger than
 * W needs, indexed by S, so moving T clears only the words it passes over
 * and never shifts the bitmap.
 *
 *            T - W                               T
 *   replayed  |<-------------- window ---------->|  new (S > T)
 *   .........(|xxx.x..x.xxxxx..x.x.xxxxxxxxx.xxxx|).........
 *
 * W = 0 turns replay protection off (every sequence number but 0 is
 * accepted, duplicates included) but T is still tracked: ESN needs it to
 * infer the high 32 bits, which it does as if the window were 2^31 wide
 * (the high half nearest to T).
 *
 * With ESN the packet carries the low 32 bits only; replay_check infers
 * the high 32 bits (Appendix A2.1) and returns the full 64-bit number.
 * ESP and AH must put those inferred high bits into the ICV input: if the
 * guess was wrong the ICV fails and the packet is dropped.  (The optional
 * resynchronisation of Appendix A3 is not done.)
 *
 * Decap order (STYLE.md section 7): replay_check before the ICV,
 * replay_advance only after the ICV verified, so that a forged packet
 * never moves the window.  A window is not thread-safe: check and advance
 * of one SA must be serialised by the caller (DESIGN.md: one worker at a
 * time); advance re-checks because another packet may have been accepted
 * between the two calls.
 */
#define REPLAY_WINDOW_MAX 4096

struct replay;

/*
 * Bytes to allocate for a window of window packets (clamped to
 * REPLAY_WINDOW_MAX).  The memory must be aligned for uint64_t (malloc's
 * is) and is then set up with replay_init; it holds no pointers and needs
 * no cleanup beyond being freed.
 */
size_t replay_size(unsigned window);

/* Set up an empty window (no packet seen, T = 0); window as for replay_size. */
void replay_init(struct replay *r, unsigned window, bool is_esn);

/*
 * Check an inbound sequence number without changing anything.  seq_low is
 * the 32-bit field from the packet.  On IPSEC_OK, *seq_full is the full
 * sequence number (without ESN: seq_low) for the ICV and for
 * replay_advance.  Returns IPSEC_DROP_SEQ_ZERO for sequence number 0 (never
 * sent: without ESN a low half of 0, with ESN an inferred full number of
 * 0), IPSEC_DROP_REPLAY for a duplicate, for a number left of the window,
 * or when the inferred high half would be below 0 or above 2^32 - 1.
 */
enum ipsec_verdict replay_check(
    const struct replay *r, uint32_t seq_low, uint64_t *seq_full);

/*
 * Mark seq_full (from replay_check) as received, moving the window when it
 * is above T.  Call only after the ICV verified.  Returns IPSEC_OK, or
 * IPSEC_DROP_REPLAY / IPSEC_DROP_SEQ_ZERO when the number is no longer
 * acceptable (a copy was accepted since the check); the window is then
 * unchanged.
 */
enum ipsec_verdict replay_advance(struct replay *r, uint64_t seq_full);

/* Highest sequence number accepted so far (T), 0 if none. */
uint64_t replay_last(const struct replay *r);

/*
 * Next outbound sequence number: atomically increments *seq_out (the last
 * number sent, 0 when none; struct sa's seq_out) and stores the new value
 * in *seq.  Never returns 0.  Returns IPSEC_DROP_SEQ_EXHAUSTED, leaving
 * *seq_out unchanged, once the last number was used: 2^32 - 1 without
 * ESN, 2^64 - 1 with it (RFC 4303 section 3.3.3: the counter never
 * cycles; the SA must be rekeyed).  Safe to call from several threads.
 */
enum ipsec_verdict replay_next_seq(
    _Atomic uint64_t *seq_out, bool is_esn, uint64_t *seq);

#endif
