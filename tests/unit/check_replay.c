/*
 * Unit tests for src/ipsec/replay.c: tables of (sequence number, expected
 * verdict) rows run against a window, RFC 4303 Appendix A2 ESN inference,
 * and outbound sequence exhaustion.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/replay.h"

#define P32 ((uint64_t)1 << 32)

static struct replay *
mk(unsigned window, bool is_esn, uint64_t start)
{
	struct replay *r = malloc(replay_size(window));

	ck_assert_ptr_nonnull(r);
	replay_init(r, window, is_esn);
	if (start != 0)
		ck_assert_int_eq(replay_advance(r, start), IPSEC_OK);
	return r;
}

/*
 * One received packet: check seq_low, expect v (and, when OK, the full
 * number full); then, unless the ICV is taken to fail (is_forged), advance.
 */
struct row {
	uint32_t seq_low;
	enum ipsec_verdict v;
	uint64_t full;
	bool is_forged;
};

static void
run(struct replay *r, const struct row *rows, size_t n)
{
	uint64_t full;
	size_t i;

	for (i = 0; i < n; i++) {
		full = 0;
		ck_assert_msg(
		    replay_check(r, rows[i].seq_low, &full) == rows[i].v,
		    "row %zu: seq 0x%x", i, (unsigned)rows[i].seq_low);
		if (rows[i].v != IPSEC_OK)
			continue;
		ck_assert_msg(full == rows[i].full,
		    "row %zu: full 0x%llx, want 0x%llx", i,
		    (unsigned long long)full, (unsigned long long)rows[i].full);
		if (!rows[i].is_forged)
			ck_assert_int_eq(replay_advance(r, full), IPSEC_OK);
	}
}

#define OK(s)                                                                  \
	{                                                                      \
		(uint32_t)(s), IPSEC_OK, (s), false                            \
	}
#define FORGED(s)                                                              \
	{                                                                      \
		(uint32_t)(s), IPSEC_OK, (s), true                             \
	}
#define REPLAY(s)                                                              \
	{                                                                      \
		(uint32_t)(s), IPSEC_DROP_REPLAY, 0, false                     \
	}
#define ZERO(s)                                                                \
	{                                                                      \
		(uint32_t)(s), IPSEC_DROP_SEQ_ZERO, 0, false                   \
	}

/* Without ESN, window 64, from an empty window. */
static const struct row basic64[] = {
	ZERO(0),
	OK(1),
	REPLAY(1), /* duplicate */
	OK(3),
	OK(2), /* out of order, inside the window */
	REPLAY(2),
	REPLAY(3),
	OK(64),
	REPLAY(1), /* T - 63: still inside, seen */
	OK(4),
	OK(65),
	REPLAY(1),    /* T - 64: left of the window */
	FORGED(1000), /* the ICV fails: T stays 65 */
	OK(5),
	OK(1000),
	REPLAY(5),
	OK(937),     /* T - 63: lowest in the window */
	REPLAY(936), /* T - 64 */
	REPLAY(937),
	REPLAY(1000),
	ZERO(0),
};

START_TEST(test_replay_check_basic_table)
{
	struct replay *r = mk(64, false, 0);

	run(r, basic64, sizeof(basic64) / sizeof(basic64[0]));
	ck_assert(replay_last(r) == 1000);
	free(r);
}
END_TEST

/*
 * The same edges for every window size W: rows are T0 + wm * W + add,
 * with T0 = 10 * W + 5 accepted first.
 */
struct edge_row {
	int wm;
	int64_t add;
	enum ipsec_verdict v;
	bool is_forged;
};

static const struct edge_row edges[] = {
	{ -1, 1, IPSEC_OK, false },	     /* lowest in the window */
	{ -1, 0, IPSEC_DROP_REPLAY, false }, /* one left of it */
	{ -1, 1, IPSEC_DROP_REPLAY, false }, /* duplicate */
	{ 0, 0, IPSEC_DROP_REPLAY, false },  /* T itself */
	{ 0, -1, IPSEC_OK, false },
	{ 0, 1, IPSEC_OK, false },	     /* T = T0 + 1 */
	{ -1, 1, IPSEC_DROP_REPLAY, false }, /* fell out of the window */
	{ -1, 2, IPSEC_OK, false },	     /* the new lowest */
	{ 5, 0, IPSEC_OK, true },	     /* forged far jump: no move */
	{ -1, 3, IPSEC_OK, false },	     /* so this is still inside */
	{ 1, 0, IPSEC_OK, false },	     /* T = T0 + W */
	{ 0, 1, IPSEC_DROP_REPLAY, false },  /* T - W + 1, seen */
	{ 0, 2, IPSEC_OK, false },
	{ 0, 0, IPSEC_DROP_REPLAY, false }, /* T - W */
	{ 3, 0, IPSEC_OK, false },	    /* far jump: T = T0 + 3W */
	{ 2, 1, IPSEC_OK, false },
	{ 2, 0, IPSEC_DROP_REPLAY, false },
	{ 1, 0, IPSEC_DROP_REPLAY, false }, /* old */
	{ 2, 2, IPSEC_OK, false },	    /* bits were cleared */
	{ 3, -1, IPSEC_OK, false },
	{ 3, -1, IPSEC_DROP_REPLAY, false },
	{ 100, 7, IPSEC_OK, false }, /* jump past the whole ring */
	{ 99, 8, IPSEC_OK, false },
	{ 99, 7, IPSEC_DROP_REPLAY, false },
};

/*
 * With ESN, a number left of the window is not a replay but is read as the
 * same low half in the next subspace (Appendix A2.1 Case A): the check
 * passes with Seqh = Th + 1, and the ICV computed over that wrong high
 * half would fail, so the row is then taken as forged.
 */
static void
run_edges(unsigned w, bool is_esn)
{
	uint64_t t = 10 * (uint64_t)w + 5, t0 = t, seq, want_full, full;
	struct replay *r = mk(w, is_esn, t0);
	enum ipsec_verdict want;
	bool is_forged;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		seq = t0 + (uint64_t)((int64_t)edges[i].wm * w + edges[i].add);
		want = edges[i].v;
		want_full = seq;
		is_forged = edges[i].is_forged;
		if (is_esn && want == IPSEC_DROP_REPLAY && t - seq >= w) {
			want = IPSEC_OK;
			want_full = seq + P32;
			is_forged = true;
		}
		ck_assert_msg(replay_check(r, (uint32_t)seq, &full) == want,
		    "window %u esn %d row %zu", w, is_esn, i);
		if (want != IPSEC_OK)
			continue;
		ck_assert(full == want_full);
		if (is_forged)
			continue;
		ck_assert_int_eq(replay_advance(r, full), IPSEC_OK);
		if (seq > t)
			t = seq;
	}
	ck_assert(replay_last(r) == t);
	free(r);
}

START_TEST(test_replay_check_edges_32)
{
	run_edges(32, false);
	run_edges(32, true);
}
END_TEST

START_TEST(test_replay_check_edges_64)
{
	run_edges(64, false);
	run_edges(64, true);
}
END_TEST

START_TEST(test_replay_check_edges_1024)
{
	run_edges(1024, false);
	run_edges(1024, true);
}
END_TEST

START_TEST(test_replay_check_edges_4096)
{
	run_edges(4096, false);
	run_edges(4096, true);
	run_edges(100, false); /* not a multiple of the word size */
}
END_TEST

/*
 * RFC 4303 Appendix A2.1 Case B: Tl < W - 1, the window spans the 2^32
 * boundary from above.  W = 64, T = 2^32 + 10: Tl - W + 1 = 0xffffffcb.
 */
static const struct row esn_case_b[] = {
	OK(0xfffffff0ull), /* Seql >= Tl - W + 1: Seqh = Th - 1 */
	REPLAY(0xfffffff0ull),
	OK(0xffffffcbull), /* lowest in the window, previous subspace */
	/* Seql < Tl - W + 1: Seqh = Th, far ahead; its ICV would fail. */
	FORGED(P32 + 0xffffffcaull),
	OK(P32 + 0), /* low half 0 is valid with ESN */
	REPLAY(P32 + 10),
	OK(P32 + 5),
	OK(P32 + 11),
	REPLAY(0xfffffff0ull),
};

/*
 * Case A: Tl >= W - 1, the window within one subspace, and T crossing the
 * boundary into Case B.  W = 64, T = 0xfffffff0: Tl - W + 1 = 0xffffffb1.
 */
static const struct row esn_case_a[] = {
	OK(0xffffffb1ull),	     /* lowest in the window: Seqh = Th */
	FORGED(P32 + 0xffffffb0ull), /* Seql < Tl - W + 1: Seqh = Th + 1 */
	OK(0xffffffffull),
	OK(P32 + 0), /* T = 2^32: now Case B */
	OK(P32 + 1),
	REPLAY(0xffffffffull), /* Seqh = Th - 1: a duplicate */
	OK(0xfffffff8ull),
	OK(0xffffffc2ull),	     /* T - 63 */
	FORGED(P32 + 0xffffffc1ull), /* T - 64 in Case B reads as ahead */
	/*
	 * An old number left of the window (seen, 0x50 below T) reads as
	 * ahead: Seqh = Th.  The ICV over the wrong high half then fails.
	 */
	FORGED(P32 + 0xffffffb1ull),
};

START_TEST(test_replay_check_esn_case_b)
{
	struct replay *r = mk(64, true, P32 + 10);

	run(r, esn_case_b, sizeof(esn_case_b) / sizeof(esn_case_b[0]));
	ck_assert(replay_last(r) == P32 + 11);
	free(r);
}
END_TEST

START_TEST(test_replay_check_esn_case_a)
{
	struct replay *r = mk(64, true, 0xfffffff0ull);

	run(r, esn_case_a, sizeof(esn_case_a) / sizeof(esn_case_a[0]));
	ck_assert(replay_last(r) == P32 + 1);
	free(r);
}
END_TEST

/* ESN at the start of the SA and at the end of the 64-bit space. */
static const struct row esn_start[] = {
	ZERO(0),	       /* full number 0 */
	REPLAY(0xffffffffull), /* Case B with Th = 0: before the first */
	OK(1),
	OK(2),
	REPLAY(1),
};

START_TEST(test_replay_check_esn_limits)
{
	struct replay *r = mk(64, true, 0);
	uint64_t full;

	run(r, esn_start, sizeof(esn_start) / sizeof(esn_start[0]));
	free(r);
	/* Seqh = Th + 1 past 2^32 - 1: beyond the last number. */
	r = mk(64, true, UINT64_MAX - 15);
	ck_assert_int_eq(replay_check(r, 5, &full), IPSEC_DROP_REPLAY);
	ck_assert_int_eq(replay_check(r, 0xffffffff, &full), IPSEC_OK);
	ck_assert(full == UINT64_MAX);
	ck_assert_int_eq(replay_advance(r, full), IPSEC_OK);
	free(r);
}
END_TEST

/* Without ESN there is no wrap: small numbers after 2^32 - 16 are old. */
START_TEST(test_replay_check_noesn_no_wrap)
{
	static const struct row rows[] = {
		REPLAY(5), OK(0xffffffffull), REPLAY(0xffffffffull), ZERO(0),
		OK(0xffffffc0ull),     /* T - 63 */
		REPLAY(0xffffffbfull), /* T - 64 */
	};
	struct replay *r = mk(64, false, 0xfffffff0ull);

	run(r, rows, sizeof(rows) / sizeof(rows[0]));
	free(r);
}
END_TEST

/* Window 0: no replay check, but T tracked and ESN inferred. */
START_TEST(test_replay_check_window_zero)
{
	static const struct row plain[] = {
		ZERO(0),
		OK(5),
		OK(5),
		OK(3),
		OK(0xffffffffull),
		OK(1),
	};
	static const struct row esn[] = {
		OK(0xfffffff0ull),	 /* nearest to T: previous subspace */
		OK(0x90000000ull),	 /* T - 2^31 + ... still previous */
		OK(P32 + 0x07000000ull), /* ahead */
		OK(P32 + 0x07000000ull), /* duplicates are not checked */
		ZERO(0),
	};
	struct replay *r = mk(0, false, 0);

	run(r, plain, sizeof(plain) / sizeof(plain[0]));
	ck_assert(replay_last(r) == 0xffffffffull);
	free(r);
	r = mk(0, true, P32 + 10);
	ck_assert(replay_last(r) == P32 + 10);
	run(r, esn, 4);
	ck_assert(replay_last(r) == P32 + 0x07000000ull);
	free(r);
	/* From an empty window a low half of 0 is the number 0. */
	r = mk(0, true, 0);
	run(r, esn + 4, 1);
	free(r);
}
END_TEST

/*
 * A reference model (T and a flag per number) against the window for a
 * long pseudo-random stream of in-window, old, duplicate and jumping
 * numbers, some of them forged.
 */
static void
model_run(unsigned w)
{
	enum { N = 1 << 20 };
	static bool seen[N];
	struct replay *r = mk(w, false, 0);
	uint64_t t = 0, full, seq;
	uint32_t x = 12345;
	enum ipsec_verdict want, got;
	int i, d;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 40000 && t < N - 4 * (uint64_t)w - 200; i++) {
		x = x * 1103515245u + 12345u;
		d = (int)((x >> 8) % (w + 128)) - (int)w - 8;
		if ((x >> 4) % 97 == 0)
			d = (int)(3 * w); /* an occasional far jump */
		seq = (int64_t)t + d < 0 ? 0 : (uint64_t)((int64_t)t + d);
		if (seq == 0)
			want = IPSEC_DROP_SEQ_ZERO;
		else if (seq > t || (t - seq < w && !seen[seq]))
			want = IPSEC_OK;
		else
			want = IPSEC_DROP_REPLAY;
		got = replay_check(r, (uint32_t)seq, &full);
		ck_assert_msg(got == want, "w %u step %d seq %llu T %llu", w, i,
		    (unsigned long long)seq, (unsigned long long)t);
		if (got != IPSEC_OK || (x >> 12) % 7 == 0)
			continue; /* dropped, or the ICV failed */
		ck_assert_int_eq(replay_advance(r, full), IPSEC_OK);
		seen[seq] = true;
		if (seq > t)
			t = seq;
	}
	ck_assert(replay_last(r) == t);
	free(r);
}

START_TEST(test_replay_check_model)
{
	model_run(32);
	model_run(64);
	model_run(100);
	model_run(1024);
	model_run(4096);
}
END_TEST

/* Two packets with the same number pass the check before either verifies. */
START_TEST(test_replay_advance_recheck)
{
	struct replay *r = mk(64, false, 100);
	uint64_t a, b;

	ck_assert_int_eq(replay_check(r, 90, &a), IPSEC_OK);
	ck_assert_int_eq(replay_check(r, 90, &b), IPSEC_OK);
	ck_assert_int_eq(replay_advance(r, a), IPSEC_OK);
	ck_assert_int_eq(replay_advance(r, b), IPSEC_DROP_REPLAY);
	/* Moved out of the window between check and advance. */
	ck_assert_int_eq(replay_check(r, 40, &a), IPSEC_OK);
	ck_assert_int_eq(replay_advance(r, 200), IPSEC_OK);
	ck_assert_int_eq(replay_advance(r, a), IPSEC_DROP_REPLAY);
	ck_assert(replay_last(r) == 200);
	ck_assert_int_eq(replay_advance(r, 0), IPSEC_DROP_SEQ_ZERO);
	ck_assert(replay_last(r) == 200);
	free(r);
}
END_TEST

START_TEST(test_replay_size_clamp)
{
	struct replay *r;
	uint64_t full;

	ck_assert_uint_lt(replay_size(0), replay_size(32));
	ck_assert_uint_le(replay_size(32), replay_size(64));
	ck_assert_uint_lt(replay_size(64), replay_size(1024));
	ck_assert_uint_eq(replay_size(5000), replay_size(REPLAY_WINDOW_MAX));
	/* A window asked above the maximum acts as REPLAY_WINDOW_MAX. */
	r = mk(5000, false, 10000);
	ck_assert_int_eq(replay_check(r, 10000 - 4095, &full), IPSEC_OK);
	ck_assert_int_eq(
	    replay_check(r, 10000 - 4096, &full), IPSEC_DROP_REPLAY);
	free(r);
}
END_TEST

START_TEST(test_replay_next_seq_basic)
{
	_Atomic uint64_t out = 0;
	uint64_t seq = 0;

	ck_assert_int_eq(replay_next_seq(&out, false, &seq), IPSEC_OK);
	ck_assert(seq == 1);
	ck_assert_int_eq(replay_next_seq(&out, true, &seq), IPSEC_OK);
	ck_assert(seq == 2);
	ck_assert(atomic_load(&out) == 2);
}
END_TEST

START_TEST(test_replay_next_seq_exhausted)
{
	_Atomic uint64_t out = UINT32_MAX - 1;
	uint64_t seq = 0;

	ck_assert_int_eq(replay_next_seq(&out, false, &seq), IPSEC_OK);
	ck_assert(seq == UINT32_MAX);
	seq = 7;
	ck_assert_int_eq(
	    replay_next_seq(&out, false, &seq), IPSEC_DROP_SEQ_EXHAUSTED);
	ck_assert(seq == 7);
	ck_assert(atomic_load(&out) == UINT32_MAX);
	/* With ESN the same counter goes on past 2^32 - 1 ... */
	ck_assert_int_eq(replay_next_seq(&out, true, &seq), IPSEC_OK);
	ck_assert(seq == P32);
	/* ... up to 2^64 - 1. */
	atomic_store(&out, UINT64_MAX - 1);
	ck_assert_int_eq(replay_next_seq(&out, true, &seq), IPSEC_OK);
	ck_assert(seq == UINT64_MAX);
	ck_assert_int_eq(
	    replay_next_seq(&out, true, &seq), IPSEC_DROP_SEQ_EXHAUSTED);
	ck_assert(atomic_load(&out) == UINT64_MAX);
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc;

	tc = tcase_create("replay_check");
	tcase_add_test(tc, test_replay_check_basic_table);
	tcase_add_test(tc, test_replay_check_edges_32);
	tcase_add_test(tc, test_replay_check_edges_64);
	tcase_add_test(tc, test_replay_check_edges_1024);
	tcase_add_test(tc, test_replay_check_edges_4096);
	tcase_add_test(tc, test_replay_check_esn_case_b);
	tcase_add_test(tc, test_replay_check_esn_case_a);
	tcase_add_test(tc, test_replay_check_esn_limits);
	tcase_add_test(tc, test_replay_check_noesn_no_wrap);
	tcase_add_test(tc, test_replay_check_window_zero);
	tcase_add_test(tc, test_replay_check_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay_advance");
	tcase_add_test(tc, test_replay_advance_recheck);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay_size");
	tcase_add_test(tc, test_replay_size_clamp);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay_next_seq");
	tcase_add_test(tc, test_replay_next_seq_basic);
	tcase_add_test(tc, test_replay_next_seq_exhausted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(replay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
