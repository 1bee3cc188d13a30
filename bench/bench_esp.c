/*
 * ESP encap/decap against raw EVP.  "Raw" is what a transform cannot do
 * better than: one EVP AEAD pass (nonce, 8 bytes of AAD, the payload and
 * trailer, tag) or CBC then HMAC over the same bytes, in place, from keyed
 * contexts, with no packet handling at all.  Ours includes building and
 * parsing the headers, padding, the replay check and the pbuf moves, and
 * per packet a memcpy of the packet into its buffer (encap: the plaintext;
 * decap: the sealed packet, since decap consumes it).
 */
#include "config.h"

#include "bench/bench_esp.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/sa.h"

/*
 * Each of the four rates (ours and raw EVP, both ways) is measured in
 * SLICES short slices taken in turn, and the fastest slice of each counts:
 * on a shared machine a neighbour's burst then slows all four alike or
 * is skipped, instead of skewing the ratio ours/raw.
 */
#define SLICES 12

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Calibrated loop: repeat fn for `budget` seconds; returns calls/s. */
typedef int (*bench_fn)(void *arg);

static double
rate(bench_fn fn, void *arg, double budget)
{
	double t0 = now_sec(), t;
	size_t n = 0;

	do {
		for (int i = 0; i < 256; i++)
			if (fn(arg) != 0)
				return -1;
		n += 256;
		t = now_sec() - t0;
	} while (t < budget && n < 100000000);
	return (double)n / t;
}

/* The better of *best and one slice of fn. */
static void
rate_slice(double *best, bench_fn fn, void *arg, double budget)
{
	double r = rate(fn, arg, budget);

	if (r < 0 || *best < 0)
		*best = -1;
	else if (r > *best)
		*best = r;
}

struct esp_ctx {
	struct sa sa;
	struct cipher *c;
	struct pbuf pb;
	uint8_t *mem;
	uint8_t plain[2048];
	size_t plain_len;
	uint8_t sealed[2048];
	size_t sealed_len;
	uint64_t seq;
	/* raw */
	EVP_CIPHER_CTX *ectx;
	EVP_CIPHER_CTX *dctx;
	EVP_MAC_CTX *mac;
	uint8_t buf[2048];
	size_t enc_len; /* bytes ESP encrypts: payload + pad + 2 */
	uint8_t tag[64];
	bool is_aead;
};

static int
do_encap(void *arg)
{
	struct esp_ctx *x = arg;
	uint8_t iv[16];

	pbuf_set(&x->pb, x->plain, x->plain_len, 256);
	x->seq++;
	wr_u32(iv, (uint32_t)(x->seq >> 32));
	wr_u32(iv + 4, (uint32_t)x->seq);
	memset(iv + 8, 0, 8);
	return esp_encap(&x->sa, x->c, x->seq, iv, &x->pb) == IPSEC_OK ? 0 : 1;
}

static int
do_decap(void *arg)
{
	struct esp_ctx *x = arg;
	uint8_t nh;

	pbuf_set(&x->pb, x->sealed, x->sealed_len, 256);
	return esp_decap(&x->sa, x->c, &x->pb, &nh) == IPSEC_OK ? 0 : 1;
}

/* Raw EVP over the same bytes: AEAD seal, or CBC then HMAC. */
static int
do_raw(void *arg, int is_encrypt)
{
	struct esp_ctx *x = arg;
	EVP_CIPHER_CTX *ctx = is_encrypt ? x->ectx : x->dctx;
	uint8_t nonce[16] = { 1, 2, 3, 4 }, out[64];
	int outl;
	size_t mdlen;

	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1, NULL))
		return 1;
	if (x->is_aead) {
		if (!is_encrypt &&
		    EVP_CIPHER_CTX_ctrl(
			ctx, EVP_CTRL_AEAD_SET_TAG, 16, x->tag) <= 0)
			return 1;
		if (!EVP_CipherUpdate(ctx, NULL, &outl, x->buf, 8) ||
		    !EVP_CipherUpdate(
			ctx, x->buf + 8, &outl, x->buf + 8, (int)x->enc_len))
			return 1;
		/* Decrypting in place fails the tag; only the time counts. */
		EVP_CipherFinal_ex(ctx, out, &outl);
		if (is_encrypt)
			EVP_CIPHER_CTX_ctrl(
			    ctx, EVP_CTRL_AEAD_GET_TAG, 16, x->tag);
		return 0;
	}
	if (!EVP_MAC_init(x->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(x->mac, x->buf, x->enc_len + 24) ||
	    !EVP_MAC_final(x->mac, out, &mdlen, sizeof(out)))
		return 1;
	if (!EVP_CipherUpdate(
		ctx, x->buf + 24, &outl, x->buf + 24, (int)x->enc_len))
		return 1;
	return 0;
}

static int
do_raw_enc(void *arg)
{
	return do_raw(arg, 1);
}

static int
do_raw_dec(void *arg)
{
	return do_raw(arg, 0);
}

static bool
raw_setup(struct esp_ctx *x, const struct crypto_lib *lib)
{
	const struct cipher_key *k = &x->sa.key;
	int ki = alg_key_index(k->enc, k->enc_len);
	OSSL_PARAM params[2];

	x->is_aead = k->enc->kind == ALG_AEAD;
	if ((x->ectx = EVP_CIPHER_CTX_new()) == NULL ||
	    (x->dctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_CipherInit_ex2(x->ectx, crypto_lib_cipher(lib, k->enc, ki),
		k->enc_key, NULL, 1, NULL) ||
	    !EVP_CipherInit_ex2(x->dctx, crypto_lib_cipher(lib, k->enc, ki),
		k->enc_key, NULL, 0, NULL))
		return false;
	EVP_CIPHER_CTX_set_padding(x->ectx, 0);
	EVP_CIPHER_CTX_set_padding(x->dctx, 0);
	if (x->is_aead)
		return true;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)k->auth->evp_name[0], 0);
	params[1] = OSSL_PARAM_construct_end();
	return (x->mac = EVP_MAC_CTX_new(crypto_lib_hmac(lib))) != NULL &&
	    EVP_MAC_init(x->mac, k->auth_key, k->auth_len, params);
}

int
bench_esp_run(enum alg_id enc, size_t enc_len, int auth, size_t auth_len,
    size_t payload_len, double seconds, struct bench_esp_result *out)
{
	struct crypto_lib *lib = crypto_lib_new(NULL);
	struct esp_ctx *x = calloc(1, sizeof(*x));
	size_t cap = 4096;
	int rc = -1;

	if (lib == NULL || x == NULL || (x->mem = malloc(cap)) == NULL)
		goto out;
	x->sa.spi = 0x100;
	x->sa.proto = IPPROTO_ESP;
	x->sa.key.enc = alg_get(enc);
	x->sa.key.enc_len = (uint8_t)enc_len;
	memset(x->sa.key.enc_key, 0x5a, enc_len);
	if (auth >= 0) {
		x->sa.key.auth = alg_get((enum alg_id)auth);
		x->sa.key.auth_len = (uint8_t)auth_len;
		memset(x->sa.key.auth_key, 0xa5, auth_len);
	}
	if ((x->c = cipher_new(lib, &x->sa.key)) == NULL || !raw_setup(x, lib))
		goto out;
	pbuf_init(&x->pb, x->mem, cap, 256);

	/* An IPv4/UDP packet with payload_len bytes after the IP header. */
	x->plain_len = 20 + payload_len;
	memset(x->plain, 0x42, x->plain_len);
	memset(x->plain, 0, 20);
	x->plain[0] = 0x45;
	x->plain[8] = 64;
	x->plain[9] = IPPROTO_UDP;
	ip_set_len(x->plain, AF_INET, x->plain_len);
	x->enc_len = esp_overhead(&x->sa.key, payload_len) + payload_len - 8 -
	    x->sa.key.enc->iv_len - cipher_icv_len(x->c);

	/* One sealed packet, decapsulated again and again (no replay state). */
	x->seq = 0;
	if (do_encap(x) != 0)
		goto out;
	x->sealed_len = pbuf_len(&x->pb);
	memcpy(x->sealed, pbuf_data(&x->pb), x->sealed_len);
	memset(out, 0, sizeof(*out));
	for (int s = 0; s < SLICES; s++) {
		double budget = seconds / 4 / SLICES;

		rate_slice(&out->encap_pps, do_encap, x, budget);
		rate_slice(&out->decap_pps, do_decap, x, budget);
		rate_slice(&out->raw_enc_pps, do_raw_enc, x, budget);
		rate_slice(&out->raw_dec_pps, do_raw_dec, x, budget);
	}
	rc = out->encap_pps > 0 && out->decap_pps > 0 && out->raw_enc_pps > 0 &&
		out->raw_dec_pps > 0
	    ? 0
	    : -1;
out:
	if (x != NULL) {
		cipher_free(x->c);
		EVP_CIPHER_CTX_free(x->ectx);
		EVP_CIPHER_CTX_free(x->dctx);
		EVP_MAC_CTX_free(x->mac);
		free(x->mem);
		free(x);
	}
	crypto_lib_free(lib);
	return rc;
}
