/*
 * Anti-replay window (RFC 4303 section 3.4.3, Appendix A) as a ring of
 * 64-bit words.  Sequence number S owns bit S % 64 of word (S / 64) %
 * nwords.  With nwords = ceil(W / 64) + 1 the W numbers T - W + 1 .. T
 * always fall in distinct positions, so moving T forward only clears the
 * words between the old and the new T's word (at most nwords of them) and
 * the bitmap is never shifted.  The same scheme as WireGuard's counter.c
 * and Linux's xfrm_replay_advance_esn.
 */
#include "config.h"

#include "ipsec/replay.h"

#include <string.h>

struct replay {
	uint64_t top;	 /* T: highest sequence number accepted, 0 = none */
	uint32_t window; /* W in packets; 0 = no replay check */
	uint32_t nwords; /* bitmap ring size in 64-bit words */
	bool is_esn;
	uint64_t bitmap[];
};

/* Inference window when W = 0: the high half nearest to T (see header). */
#define REPLAY_INFER_NOWINDOW 0x80000000u

static unsigned
replay_clamp(unsigned window)
{
	return window > REPLAY_WINDOW_MAX ? REPLAY_WINDOW_MAX : window;
}

static uint32_t
replay_nwords(unsigned window)
{
	if (window == 0)
		return 0;
	return (uint32_t)((window + 63) / 64 + 1);
}

size_t
replay_size(unsigned window)
{
	return sizeof(struct replay) +
	    replay_nwords(replay_clamp(window)) * sizeof(uint64_t);
}

void
replay_init(struct replay *r, unsigned window, bool is_esn)
{
	window = replay_clamp(window);
	r->top = 0;
	r->window = window;
	r->nwords = replay_nwords(window);
	r->is_esn = is_esn;
	memset(r->bitmap, 0, r->nwords * sizeof(uint64_t));
}

/*
 * RFC 4303 Appendix A2.1: infer the high 32 bits of an ESN from the low
 * 32 bits received, T = Th:Tl and the window W (1 <= W <= 2^31).
 *   Case A, Tl >= W - 1, the window is within one subspace:
 *	Seql >= Tl - W + 1 ? Seqh = Th : Seqh = Th + 1
 *   Case B, Tl < W - 1, the window spans two subspaces:
 *	Seql >= Tl - W + 1 (mod 2^32) ? Seqh = Th - 1 : Seqh = Th
 * False when Seqh would leave 0 .. 2^32 - 1 (a number before the first
 * one or beyond the last one ever sent).
 */
static bool
replay_infer(uint64_t top, uint32_t w, uint32_t seql, uint64_t *full)
{
	uint32_t th = (uint32_t)(top >> 32), tl = (uint32_t)top;
	uint32_t bottom = tl - w + 1; /* mod 2^32 */
	uint32_t seqh;

	if (tl >= w - 1) {
		if (seql >= bottom)
			seqh = th;
		else if (th == UINT32_MAX)
			return false;
		else
			seqh = th + 1;
	} else {
		if (seql < bottom)
			seqh = th;
		else if (th == 0)
			return false;
		else
			seqh = th - 1;
	}
	*full = (uint64_t)seqh << 32 | seql;
	return true;
}

static size_t
replay_idx(const struct replay *r, uint64_t seq)
{
	return (size_t)((seq / 64) % r->nwords);
}

/* RFC 4303 Appendix A2.2 on the full number: new, in window, or replayed. */
static enum ipsec_verdict
replay_window_check(const struct replay *r, uint64_t seq)
{
	if (seq == 0)
		return IPSEC_DROP_SEQ_ZERO;
	if (r->window == 0 || seq > r->top)
		return IPSEC_OK;
	if (r->top - seq >= r->window)
		return IPSEC_DROP_REPLAY;
	if (r->bitmap[replay_idx(r, seq)] & (uint64_t)1 << (seq % 64))
		return IPSEC_DROP_REPLAY;
	return IPSEC_OK;
}

enum ipsec_verdict
replay_check(const struct replay *r, uint32_t seq_low, uint64_t *seq_full)
{
	uint64_t seq = seq_low;
	uint32_t w;

	if (r->is_esn) {
		w = r->window != 0 ? r->window : REPLAY_INFER_NOWINDOW;
		if (!replay_infer(r->top, w, seq_low, &seq))
			return IPSEC_DROP_REPLAY;
	}
	*seq_full = seq;
	return replay_window_check(r, seq);
}

enum ipsec_verdict
replay_advance(struct replay *r, uint64_t seq_full)
{
	enum ipsec_verdict v;
	uint64_t w, from, to;

	if ((v = replay_window_check(r, seq_full)) != IPSEC_OK)
		return v;
	if (r->window == 0) {
		if (seq_full > r->top)
			r->top = seq_full;
		return IPSEC_OK;
	}
	if (seq_full > r->top) {
		/* Clear the words T moves into; they hold numbers < T - W. */
		from = r->top / 64;
		to = seq_full / 64;
		if (to - from >= r->nwords)
			memset(r->bitmap, 0, r->nwords * sizeof(uint64_t));
		else
			for (w = from + 1; w <= to; w++)
				r->bitmap[w % r->nwords] = 0;
		r->top = seq_full;
	}
	r->bitmap[replay_idx(r, seq_full)] |= (uint64_t)1 << (seq_full % 64);
	return IPSEC_OK;
}

uint64_t
replay_last(const struct replay *r)
{
	return r->top;
}

enum ipsec_verdict
replay_next_seq(_Atomic uint64_t *seq_out, bool is_esn, uint64_t *seq)
{
	uint64_t last = is_esn ? UINT64_MAX : UINT32_MAX;
	uint64_t cur = atomic_load_explicit(seq_out, memory_order_relaxed);

	do {
		if (cur >= last)
			return IPSEC_DROP_SEQ_EXHAUSTED;
	} while (!atomic_compare_exchange_weak_explicit(seq_out, &cur, cur + 1,
	    memory_order_relaxed, memory_order_relaxed));
	*seq = cur + 1;
	return IPSEC_OK;
}
