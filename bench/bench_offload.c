/*
 * ESP encapsulation through crypto_submit (bench_offload.h).  A ring of
 * packets, each with its ipsec_job: a free packet is filled with the
 * plaintext, esp_encap_begin builds its op, a batch goes to
 * crypto_submit, and the completion runs esp_encap_end and frees the
 * packet.  The loop keeps the window full and waits on the queue's
 * descriptor, as a worker's event loop would.
 */
#include "config.h"

#include "bench/bench_offload.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/params.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/crypto_conf.h"
#include "crypto/provider.h"
#include "crypto/submit.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/sa.h"

#define BATCH 32
#define SLICES 4
#define PKT_MEM 2048

struct pkt {
	struct ipsec_job job;
	struct pbuf pb;
	struct pkt *next;
	uint8_t mem[PKT_MEM];
};

struct run {
	struct sa sa;
	struct cipher *c;
	struct crypto_queue *q;
	struct pkt *pkts;
	struct pkt *free;
	uint8_t plain[PKT_MEM];
	size_t plain_len;
	uint64_t seq;
	unsigned long ndone;
	unsigned long nbad;
};

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
on_done(struct crypto_op *op, void *arg)
{
	struct run *r = arg;
	struct pkt *p = op->cookie;

	if (esp_encap_end(&p->job) != IPSEC_OK)
		r->nbad++;
	r->ndone++;
	p->next = r->free;
	r->free = p;
}

/* Begin and submit up to BATCH free packets; -1 if a begin fails. */
static int
fill(struct run *r)
{
	struct crypto_op *ops[BATCH] = { NULL };
	size_t n = 0, took;

	while (r->free != NULL && n < BATCH) {
		struct pkt *p = r->free;
		uint8_t iv[8];

		r->free = p->next;
		pbuf_set(&p->pb, r->plain, r->plain_len, 256);
		r->seq++;
		wr_u32(iv, (uint32_t)(r->seq >> 32));
		wr_u32(iv + 4, (uint32_t)r->seq);
		memset(&p->job, 0, sizeof(p->job));
		p->job.sa = &r->sa;
		p->job.pb = &p->pb;
		if (esp_encap_begin(&p->job, r->c, r->seq, iv) != IPSEC_OK)
			return -1;
		p->job.op.cookie = p;
		ops[n++] = &p->job.op;
	}
	took = crypto_submit(r->q, ops, n);
	/* Refused (a full queue): back to the free list, counted nowhere. */
	for (size_t i = took; i < n; i++) {
		struct pkt *p = ops[i]->cookie;

		p->next = r->free;
		r->free = p;
	}
	return 0;
}

/* Packets per second for about budget seconds, the window kept full. */
static double
measure(struct run *r, double budget)
{
	double t0 = now_sec(), t;
	unsigned long done0 = r->ndone;

	do {
		if (fill(r) != 0)
			return -1;
		if (crypto_queue_inflight(r->q) > 0) {
			struct pollfd pf = { crypto_queue_fd(r->q), POLLIN, 0 };

			(void)poll(&pf, 1, 10);
			crypto_queue_poll(r->q);
		}
		t = now_sec() - t0;
	} while (t < budget);
	if (crypto_queue_drain(r->q, 10000) != 0 || r->nbad != 0)
		return -1;
	t = now_sec() - t0;
	return (double)(r->ndone - done0) / t;
}

static void
run_free(struct run *r)
{
	crypto_queue_free(r->q);
	cipher_free(r->c);
	free(r->pkts);
	memset(r, 0, sizeof(*r));
}

/* An IPv4/UDP packet, AES-128-GCM-16 SA, window packets, queue of window. */
static int
run_init(struct run *r, const struct crypto_lib *lib, enum crypto_policy pol,
    size_t payload_len, size_t window)
{
	memset(r, 0, sizeof(*r));
	if (payload_len + 20 > PKT_MEM - 512)
		return -1;
	r->sa.spi = 0x200;
	r->sa.proto = IPPROTO_ESP;
	r->sa.mode = SA_MODE_TRANSPORT;
	r->sa.key.enc = alg_get(ALG_AES_GCM_16);
	r->sa.key.enc_len = 20;
	memset(r->sa.key.enc_key, 0x5a, 20);
	r->plain_len = 20 + payload_len;
	memset(r->plain, 0x42, r->plain_len);
	memset(r->plain, 0, 20);
	r->plain[0] = 0x45;
	r->plain[8] = 64;
	r->plain[9] = IPPROTO_UDP;
	ip_set_len(r->plain, AF_INET, r->plain_len);
	if ((r->c = cipher_new_policy(lib, &r->sa.key, pol)) == NULL ||
	    (r->q = crypto_queue_new(window, on_done, r)) == NULL ||
	    (r->pkts = calloc(window, sizeof(*r->pkts))) == NULL) {
		run_free(r);
		return -1;
	}
	for (size_t i = 0; i < window; i++) {
		pbuf_init(&r->pkts[i].pb, r->pkts[i].mem, PKT_MEM, 256);
		r->pkts[i].next = r->free;
		r->free = &r->pkts[i];
	}
	return 0;
}

static struct crypto_lib *
open_test_provider(const char *module_path, unsigned latency_us)
{
	struct crypto_conf cc;
	struct crypto_conf_provider *p;
	struct crypto_lib *lib = NULL;
	char lat[16];

	crypto_conf_init(&cc);
	snprintf(lat, sizeof(lat), "%u", latency_us);
	if ((p = crypto_conf_add_provider(&cc, "ipsecdtest", 0)) != NULL &&
	    crypto_conf_set_string(&p->module, module_path) == 0 &&
	    crypto_conf_add_param(p, "latency-us", lat, 0) == 0)
		lib = crypto_lib_open(&cc, "bench", NULL, NULL);
	crypto_conf_clear(&cc);
	return lib;
}

static unsigned long
max_inflight(const struct crypto_lib *lib)
{
	uint64_t v = 0;
	OSSL_PARAM params[] = { OSSL_PARAM_uint64("max-inflight", &v),
		OSSL_PARAM_END };

	if (crypto_lib_provider_params(lib, "ipsecdtest", params) != 0)
		return 0;
	return (unsigned long)v;
}

static void
best(double *b, double v)
{
	if (v < 0 || *b < 0)
		*b = -1;
	else if (v > *b)
		*b = v;
}

int
bench_offload_run(const char *module_path, unsigned latency_us,
    size_t payload_len, size_t window, double seconds,
    struct bench_offload_result *out)
{
	struct crypto_lib *lib = open_test_provider(module_path, latency_us);
	struct run hw, sw;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (lib == NULL)
		return -1;
	if (run_init(&hw, lib, CRYPTO_POLICY_REQUIRE, payload_len, window) !=
	    0) {
		crypto_lib_free(lib);
		return -1;
	}
	if (run_init(&sw, lib, CRYPTO_POLICY_OFF, payload_len, window) != 0)
		goto out;
	for (int s = 0; s < SLICES; s++) {
		best(&out->provider_pps, measure(&hw, seconds / 2 / SLICES));
		best(&out->default_pps, measure(&sw, seconds / 2 / SLICES));
	}
	out->one_at_a_time_pps = latency_us > 0 ? 1e6 / latency_us : 0;
	out->max_inflight = max_inflight(lib);
	rc = out->provider_pps > 0 && out->default_pps > 0 ? 0 : -1;
	run_free(&sw);
out:
	run_free(&hw);
	crypto_lib_free(lib);
	return rc;
}

/* esp_encap inline, for budget seconds; packets per second. */
static double
measure_inline(struct run *r, double budget)
{
	struct pkt *p = &r->pkts[0];
	double t0 = now_sec(), t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 256; i++) {
			uint8_t iv[8];

			pbuf_set(&p->pb, r->plain, r->plain_len, 256);
			r->seq++;
			wr_u32(iv, (uint32_t)(r->seq >> 32));
			wr_u32(iv + 4, (uint32_t)r->seq);
			if (esp_encap(&r->sa, r->c, r->seq, iv, &p->pb) !=
			    IPSEC_OK)
				return -1;
		}
		n += 256;
		t = now_sec() - t0;
	} while (t < budget);
	return (double)n / t;
}

int
bench_offload_sync(
    size_t payload_len, double seconds, double *inline_pps, double *submit_pps)
{
	struct crypto_lib *lib = crypto_lib_new(NULL);
	struct run r;
	int slices = 3 * SLICES;

	*inline_pps = *submit_pps = 0;
	if (lib == NULL)
		return -1;
	if (run_init(&r, lib, CRYPTO_POLICY_UNSET, payload_len, BATCH) != 0) {
		crypto_lib_free(lib);
		return -1;
	}
	for (int s = 0; s < slices; s++) {
		best(inline_pps, measure_inline(&r, seconds / 2 / slices));
		best(submit_pps, measure(&r, seconds / 2 / slices));
	}
	run_free(&r);
	crypto_lib_free(lib);
	return *inline_pps > 0 && *submit_pps > 0 ? 0 : -1;
}
