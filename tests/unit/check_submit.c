/*
 * Unit tests of the submit/complete stage (src/crypto/submit.c) with the
 * test provider (tests/provider/ipsecdtest.c) as an asynchronous
 * accelerator: many operations in flight at once, completions in
 * submission order per SA even when the accelerator finishes them out of
 * order, the in-flight bound, provider failures completing as
 * CRYPTO_ERROR, results equal to the default provider's, and ESP through
 * the pipeline as a worker runs it.
 *
 * Loops wait on the queue's descriptor with poll(2) and a bounded number
 * of rounds; no test measures time.
 */
#include "config.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/pbuf.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "crypto/submit.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/sa.h"
#include "tests/unit/check_provider.h"

#define NSA 4
#define DATA_LEN 256
#define ROUNDS 5000 /* poll rounds of up to 100 ms before giving up */

struct rec {
	struct crypto_op op;
	int sa;
	unsigned seq; /* per SA, from 0 in submission order */
	uint8_t iv[8];
	uint8_t data[DATA_LEN];
	uint8_t icv[16];
};

struct sink {
	unsigned next[NSA]; /* the seq each SA must deliver next */
	unsigned ndone;
	unsigned nok;
	unsigned nerror;
	unsigned nbad_icv;
	bool is_out_of_order;
	/* Reentrancy: resubmit this op from done() once. */
	struct crypto_queue *q;
	struct crypto_op *again;
};

static const uint8_t aad[8] = { 0, 0, 0x10, 0, 0, 0, 0, 1 };

static void
on_done(struct crypto_op *op, void *arg)
{
	struct sink *k = arg;
	struct rec *r = op->cookie;

	if (r != NULL) {
		if (r->seq != k->next[r->sa])
			k->is_out_of_order = true;
		k->next[r->sa] = r->seq + 1;
	}
	k->ndone++;
	switch (op->status) {
	case CRYPTO_OK:
		k->nok++;
		break;
	case CRYPTO_BAD_ICV:
		k->nbad_icv++;
		break;
	case CRYPTO_ERROR:
		k->nerror++;
		break;
	}
	if (k->again != NULL && op != k->again) {
		struct crypto_op *again = k->again;

		k->again = NULL;
		ck_assert_uint_eq(crypto_submit(k->q, &again, 1), 1);
	}
}

static struct cipher_key
gcm_key(int sa, size_t len)
{
	struct cipher_key k;

	memset(&k, 0, sizeof(k));
	k.enc = alg_get(ALG_AES_GCM_16);
	k.enc_len = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		k.enc_key[i] = (uint8_t)(sa * 16 + i);
	return k;
}

static void
rec_init(struct rec *r, struct cipher *c, int sa, unsigned seq)
{
	memset(r, 0, sizeof(*r));
	r->op.c = c;
	r->op.is_encrypt = true;
	r->op.cookie = r;
	r->sa = sa;
	r->seq = seq;
	ck_assert(crypto_op_auth(&r->op, aad, sizeof(aad)));
	for (int i = 0; i < 8; i++)
		r->iv[i] = (uint8_t)(seq >> (i % 4 * 8)) ^ (uint8_t)sa;
	for (size_t i = 0; i < DATA_LEN; i++)
		r->data[i] = (uint8_t)(i + seq);
	r->op.iv = r->iv;
	r->op.data = r->data;
	r->op.data_len = DATA_LEN;
	r->op.icv = r->icv;
}

/* Wait on the queue's fd and poll, until nothing is in flight. */
static void
run_until_done(struct crypto_queue *q)
{
	for (unsigned i = 0; i < ROUNDS && crypto_queue_inflight(q) > 0; i++) {
		struct pollfd p = { crypto_queue_fd(q), POLLIN, 0 };

		(void)poll(&p, 1, 100);
		crypto_queue_poll(q);
	}
	ck_assert_uint_eq(crypto_queue_inflight(q), 0);
}

/* r's result again, on a software cipher of the same key, inline. */
static void
check_same_as_default(const struct crypto_lib *lib, const struct rec *r)
{
	struct cipher *sw =
	    cipher_new_policy(lib, cipher_key_of(r->op.c), CRYPTO_POLICY_OFF);
	struct rec want;

	ck_assert_ptr_nonnull(sw);
	ck_assert(!cipher_choice(sw)->enc.is_hw);
	rec_init(&want, sw, r->sa, r->seq);
	ck_assert_int_eq(cipher_run(&want.op), CRYPTO_OK);
	ck_assert_mem_eq(r->data, want.data, DATA_LEN);
	ck_assert_mem_eq(r->icv, want.icv, sizeof(want.icv));
	cipher_free(sw);
}

/*
 * NSA SAs' ops in interleaved batches at 200 us per op: the provider sees
 * many at once, every result is the default provider's, and each SA's
 * ops complete in order.
 */
START_TEST(test_crypto_submit_async_overlap)
{
	enum { PER_SA = 64, BATCH = 32 };
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c[NSA];
	struct rec *recs = calloc(NSA * PER_SA, sizeof(*recs));
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;
	unsigned n = 0;

	ck_assert_ptr_nonnull(recs);
	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "latency-us", "200", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(q = crypto_queue_new(256, on_done, &k));
	for (int s = 0; s < NSA; s++) {
		struct cipher_key key = gcm_key(s, s % 2 == 0 ? 20 : 36);

		ck_assert_ptr_nonnull(c[s] = cipher_new(lib, &key));
		ck_assert(cipher_is_async(c[s]));
	}
	for (unsigned seq = 0; seq < PER_SA; seq++)
		for (int s = 0; s < NSA; s++)
			rec_init(&recs[n++], c[s], s, seq);
	for (unsigned i = 0; i < n; i += BATCH) {
		struct crypto_op *ops[BATCH];

		for (unsigned j = 0; j < BATCH; j++)
			ops[j] = &recs[i + j].op;
		ck_assert_uint_eq(crypto_submit(q, ops, BATCH), BATCH);
		crypto_queue_poll(q);
	}
	run_until_done(q);
	ck_assert_uint_eq(k.ndone, n);
	ck_assert_uint_eq(k.nok, n);
	ck_assert(!k.is_out_of_order);
	for (int s = 0; s < NSA; s++) {
		ck_assert_uint_eq(k.next[s], PER_SA);
		ck_assert_uint_eq(cipher_inflight(c[s]), 0);
	}
	for (unsigned i = 0; i < n; i++)
		check_same_as_default(lib, &recs[i]);
	ck_assert_uint_ge(tp_counter(lib, "max-inflight"), 16);
	ck_assert_uint_eq(tp_counter(lib, "inflight"), 0);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(st.submitted, n);
	ck_assert_uint_eq(st.completed, n);
	ck_assert_uint_eq(st.async, n);
	ck_assert_uint_gt(st.paused, 0);
	ck_assert_uint_ge(st.max_inflight, 16);
	ck_assert_uint_eq(st.errors, 0);
	crypto_queue_free(q);
	for (int s = 0; s < NSA; s++)
		cipher_free(c[s]);
	crypto_lib_free(lib);
	free(recs);
}
END_TEST

/*
 * The accelerator finishes each batch of 8 ops newest first: all but
 * the oldest of each batch are held, and each SA still completes in
 * order.
 */
START_TEST(test_crypto_submit_async_order_held)
{
	enum { PER_SA = 48 };
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c[2];
	struct rec *recs = calloc(2 * PER_SA, sizeof(*recs));
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;
	unsigned n = 0;

	ck_assert_ptr_nonnull(recs);
	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "reverse-batch", "8", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(q = crypto_queue_new(2 * PER_SA, on_done, &k));
	for (int s = 0; s < 2; s++) {
		struct cipher_key key = gcm_key(s, 20);

		ck_assert_ptr_nonnull(c[s] = cipher_new(lib, &key));
	}
	for (unsigned seq = 0; seq < PER_SA; seq++)
		for (int s = 0; s < 2; s++) {
			struct crypto_op *op = &recs[n].op;

			rec_init(&recs[n++], c[s], s, seq);
			ck_assert_uint_eq(crypto_submit(q, &op, 1), 1);
		}
	run_until_done(q);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(k.nok, n);
	ck_assert(!k.is_out_of_order);
	/*
	 * A batch holds 4 ops of each SA; the 3 newest of each finish
	 * before the oldest and are held.
	 */
	ck_assert_uint_eq(st.held, n / 8 * 6);
	for (unsigned i = 0; i < n; i++)
		check_same_as_default(lib, &recs[i]);
	crypto_queue_free(q);
	for (int s = 0; s < 2; s++)
		cipher_free(c[s]);
	crypto_lib_free(lib);
	free(recs);
}
END_TEST

/* At the bound, one more is refused and counted; then all complete. */
START_TEST(test_crypto_submit_async_bounded)
{
	enum { MAX = 8 };
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c;
	struct cipher_key key = gcm_key(0, 20);
	struct rec recs[MAX + 2];
	struct crypto_op *ops[MAX + 2];
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "latency-us", "20000", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert_ptr_nonnull(q = crypto_queue_new(MAX, on_done, &k));
	for (unsigned i = 0; i < MAX + 2; i++) {
		rec_init(&recs[i], c, 0, i);
		ops[i] = &recs[i].op;
	}
	ck_assert_uint_eq(crypto_submit(q, ops, MAX + 1), MAX);
	ck_assert_uint_eq(crypto_queue_inflight(q), MAX);
	ck_assert_uint_eq(cipher_inflight(c), MAX);
	ck_assert_uint_eq(crypto_submit(q, &ops[MAX], 1), 0);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.submitted, MAX);
	ck_assert_uint_eq(k.ndone, 0);
	ck_assert_int_eq(crypto_queue_drain(q, 10000), 0);
	ck_assert_uint_eq(k.nok, MAX);
	ck_assert(!k.is_out_of_order);
	/* Room again. */
	ck_assert_uint_eq(crypto_submit(q, &ops[MAX], 2), 2);
	ck_assert_int_eq(crypto_queue_drain(q, 10000), 0);
	ck_assert_uint_eq(k.nok, MAX + 2);
	crypto_queue_free(q);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/*
 * The provider fails every op after its tenth: those complete with
 * CRYPTO_ERROR, counted by the queue and the ciphers; the SA falls back
 * to software and carries on.
 */
START_TEST(test_crypto_submit_async_fail_after)
{
	enum { PER_SA = 15 };
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c[2], *fb;
	struct rec recs[2 * PER_SA + 1];
	struct crypto_op *ops[2 * PER_SA];
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;
	unsigned n = 0;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "100", "fail-after",
	    "10", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(q = crypto_queue_new(64, on_done, &k));
	for (int s = 0; s < 2; s++) {
		struct cipher_key key = gcm_key(s, 36);

		ck_assert_ptr_nonnull(c[s] = cipher_new(lib, &key));
	}
	for (unsigned seq = 0; seq < PER_SA; seq++)
		for (int s = 0; s < 2; s++) {
			rec_init(&recs[n], c[s], s, seq);
			ops[n] = &recs[n].op;
			n++;
		}
	ck_assert_uint_eq(crypto_submit(q, ops, n), n);
	run_until_done(q);
	ck_assert_uint_eq(k.ndone, n);
	ck_assert_uint_eq(k.nok, 10);
	ck_assert_uint_eq(k.nerror, n - 10);
	ck_assert_uint_eq(k.nbad_icv, 0);
	ck_assert(!k.is_out_of_order);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(st.errors, n - 10);
	ck_assert_uint_eq(cipher_errors(c[0]) + cipher_errors(c[1]), n - 10);
	ck_assert_uint_eq(tp_counter(lib, "failures"), n - 10);
	ck_assert_int_eq(cipher_failover(c[0]), CIPHER_FAILOVER_FALLBACK);
	/* The fallback of SA 0 runs inline on software. */
	ck_assert_ptr_nonnull(fb = cipher_new_fallback(lib, c[0]));
	rec_init(&recs[n], fb, 0, PER_SA);
	ops[0] = &recs[n].op;
	ck_assert_uint_eq(crypto_submit(q, ops, 1), 1);
	ck_assert_uint_eq(k.nok, 11);
	ck_assert_uint_eq(crypto_queue_inflight(q), 0);
	check_same_as_default(lib, &recs[n]);
	crypto_queue_free(q);
	cipher_free(fb);
	for (int s = 0; s < 2; s++)
		cipher_free(c[s]);
	crypto_lib_free(lib);
}
END_TEST

/*
 * The provider keys the SA's own contexts, then refuses more: the ops,
 * which need contexts of their own, complete with CRYPTO_ERROR, counted.
 */
START_TEST(test_crypto_submit_async_no_contexts)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c;
	struct cipher_key key = gcm_key(2, 36);
	struct rec r[3];
	struct crypto_op *ops[3];
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "fail-keys-after", "2", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert_ptr_nonnull(q = crypto_queue_new(4, on_done, &k));
	for (unsigned i = 0; i < 3; i++) {
		rec_init(&r[i], c, 0, i);
		ops[i] = &r[i].op;
	}
	ck_assert_uint_eq(crypto_submit(q, ops, 3), 3);
	ck_assert_uint_eq(k.nerror, 3);
	ck_assert(!k.is_out_of_order);
	ck_assert_uint_eq(cipher_errors(c), 3);
	ck_assert_uint_eq(crypto_queue_inflight(q), 0);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(st.errors, 3);
	ck_assert_uint_eq(tp_counter(lib, "ops"), 0);
	crypto_queue_free(q);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/* A forged tag is a bad ICV, not a provider failure, on hardware too. */
START_TEST(test_crypto_submit_async_bad_icv)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c;
	struct cipher_key key = gcm_key(1, 20);
	struct rec r;
	struct crypto_op *op = &r.op;
	struct sink k;
	struct crypto_queue *q;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "latency-us", "50", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert_ptr_nonnull(q = crypto_queue_new(4, on_done, &k));
	rec_init(&r, c, 0, 0);
	ck_assert_uint_eq(crypto_submit(q, &op, 1), 1);
	run_until_done(q);
	ck_assert_uint_eq(k.nok, 1);
	r.op.is_encrypt = false;
	r.icv[3] ^= 1;
	k.next[0] = 0;
	ck_assert_uint_eq(crypto_submit(q, &op, 1), 1);
	run_until_done(q);
	ck_assert_uint_eq(k.nbad_icv, 1);
	ck_assert_uint_eq(k.nerror, 0);
	ck_assert_uint_eq(cipher_errors(c), 0);
	crypto_queue_free(q);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/* The default provider completes inside crypto_submit, with no job. */
START_TEST(test_crypto_submit_sync_inline)
{
	struct crypto_lib *lib = crypto_lib_new(NULL);
	struct cipher_key key = gcm_key(2, 20);
	struct cipher *c;
	struct rec r[3];
	struct crypto_op *ops[3];
	struct sink k;
	struct crypto_queue *q;
	struct crypto_queue_stats st;
	struct pollfd p;

	memset(&k, 0, sizeof(k));
	ck_assert_ptr_nonnull(lib);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert(!cipher_is_async(c));
	ck_assert_ptr_nonnull(q = crypto_queue_new(3, on_done, &k));
	for (unsigned i = 0; i < 3; i++) {
		rec_init(&r[i], c, 0, i);
		ops[i] = &r[i].op;
	}
	ck_assert_uint_eq(crypto_submit(q, ops, 3), 3);
	ck_assert_uint_eq(k.nok, 3);
	ck_assert_uint_eq(crypto_queue_inflight(q), 0);
	crypto_queue_stats(q, &st);
	ck_assert_uint_eq(st.async, 0);
	ck_assert_uint_eq(st.completed, 3);
	p = (struct pollfd){ crypto_queue_fd(q), POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	ck_assert_uint_eq(crypto_queue_poll(q), 0);
	ck_assert_int_eq(crypto_queue_drain(q, 0), 0);
	crypto_queue_free(q);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/* done() may submit again, for an SA with ops pending. */
START_TEST(test_crypto_submit_from_done)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c;
	struct cipher_key key = gcm_key(3, 20);
	struct rec r[5];
	struct crypto_op *ops[4];
	struct sink k;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "latency-us", "100", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert_ptr_nonnull(k.q = crypto_queue_new(8, on_done, &k));
	for (unsigned i = 0; i < 5; i++)
		rec_init(&r[i], c, 0, i);
	for (unsigned i = 0; i < 4; i++)
		ops[i] = &r[i].op;
	k.again = &r[4].op;
	ck_assert_uint_eq(crypto_submit(k.q, ops, 4), 4);
	run_until_done(k.q);
	ck_assert_uint_eq(k.nok, 5);
	ck_assert(!k.is_out_of_order);
	ck_assert_uint_eq(k.next[0], 5);
	crypto_queue_free(k.q);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/* Freeing a queue with ops in flight waits for them first. */
START_TEST(test_crypto_queue_free_drains)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *c;
	struct cipher_key key = gcm_key(0, 36);
	struct rec r[5];
	struct crypto_op *ops[5];
	struct sink k;
	struct crypto_queue *q;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, "latency-us", "1000", NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &key));
	ck_assert_ptr_nonnull(q = crypto_queue_new(5, on_done, &k));
	for (unsigned i = 0; i < 5; i++) {
		rec_init(&r[i], c, 0, i);
		ops[i] = &r[i].op;
	}
	ck_assert_uint_eq(crypto_submit(q, ops, 5), 5);
	crypto_queue_free(q);
	ck_assert_uint_eq(k.nok, 5);
	ck_assert(!k.is_out_of_order);
	ck_assert_uint_eq(cipher_inflight(c), 0);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_queue_new_bad)
{
	struct sink k;

	ck_assert_ptr_null(crypto_queue_new(0, on_done, &k));
	ck_assert_ptr_null(crypto_queue_new(4, NULL, &k));
	crypto_queue_free(NULL);
}
END_TEST

/* ESP as a worker runs it ------------------------------------------ */

struct esp_sink {
	unsigned ndone;
	enum ipsec_verdict v[16];
};

static void
esp_done(struct crypto_op *op, void *arg)
{
	struct esp_sink *k = arg;
	struct ipsec_job *job = op->cookie;

	k->v[k->ndone++] = esp_encap_end(job);
}

/*
 * esp_encap_begin, crypto_submit on the test provider, esp_encap_end:
 * the packets are byte for byte those of esp_encap on the default
 * provider.
 */
START_TEST(test_crypto_submit_esp_same_bytes)
{
	enum { N = 16 };
	static uint8_t mem[2][N][1024];
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher *hw, *sw;
	struct sa sa;
	struct ipsec_job jobs[N];
	struct crypto_op *ops[N];
	struct pbuf pb[2][N];
	uint8_t plain[300];
	struct esp_sink k;
	struct crypto_queue *q;

	memset(&k, 0, sizeof(k));
	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "200", NULL);
	lib = tp_open(&cc);
	memset(&sa, 0, sizeof(sa));
	sa.spi = 0xabcd;
	sa.proto = IPPROTO_ESP;
	sa.mode = SA_MODE_TRANSPORT;
	sa.key = gcm_key(1, 36);
	ck_assert_ptr_nonnull(hw = cipher_new(lib, &sa.key));
	ck_assert_ptr_nonnull(
	    sw = cipher_new_policy(lib, &sa.key, CRYPTO_POLICY_OFF));
	ck_assert(cipher_is_async(hw));
	ck_assert_ptr_nonnull(q = crypto_queue_new(N, esp_done, &k));
	memset(plain, 0, 20);
	plain[0] = 0x45;
	plain[8] = 64;
	plain[9] = IPPROTO_UDP;
	for (unsigned i = 0; i < N; i++) {
		uint64_t seq = i + 1;
		uint8_t iv[8];

		for (int j = 0; j < 8; j++)
			iv[j] = (uint8_t)(seq >> (56 - 8 * j));
		for (size_t j = 20; j < sizeof(plain); j++)
			plain[j] = (uint8_t)(i * 3 + j);
		ip_set_len(plain, AF_INET, sizeof(plain) - i);
		for (int s = 0; s < 2; s++) {
			pbuf_init(&pb[s][i], mem[s][i], sizeof(mem[s][i]), 128);
			ck_assert(
			    pbuf_set(&pb[s][i], plain, sizeof(plain) - i, 128));
		}
		ck_assert_int_eq(
		    esp_encap(&sa, sw, seq, iv, &pb[1][i]), IPSEC_OK);
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].sa = &sa;
		jobs[i].pb = &pb[0][i];
		ck_assert_int_eq(
		    esp_encap_begin(&jobs[i], hw, seq, iv), IPSEC_OK);
		jobs[i].op.cookie = &jobs[i];
		ops[i] = &jobs[i].op;
	}
	ck_assert_uint_eq(crypto_submit(q, ops, N), N);
	run_until_done(q);
	ck_assert_uint_eq(k.ndone, N);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_int_eq(k.v[i], IPSEC_OK);
		ck_assert_uint_eq(pbuf_len(&pb[0][i]), pbuf_len(&pb[1][i]));
		ck_assert_mem_eq(pbuf_data(&pb[0][i]), pbuf_data(&pb[1][i]),
		    pbuf_len(&pb[0][i]));
	}
	crypto_queue_free(q);
	cipher_free(hw);
	cipher_free(sw);
	crypto_lib_free(lib);
}
END_TEST

static Suite *
submit_suite(void)
{
	Suite *s = suite_create("submit");
	TCase *tc;

	tc = tcase_create("crypto_submit");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_crypto_submit_async_overlap);
	tcase_add_test(tc, test_crypto_submit_async_order_held);
	tcase_add_test(tc, test_crypto_submit_async_bounded);
	tcase_add_test(tc, test_crypto_submit_async_fail_after);
	tcase_add_test(tc, test_crypto_submit_async_no_contexts);
	tcase_add_test(tc, test_crypto_submit_async_bad_icv);
	tcase_add_test(tc, test_crypto_submit_sync_inline);
	tcase_add_test(tc, test_crypto_submit_from_done);
	tcase_add_test(tc, test_crypto_submit_esp_same_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_queue");
	tcase_add_test(tc, test_crypto_queue_free_drains);
	tcase_add_test(tc, test_crypto_queue_new_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(submit_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
