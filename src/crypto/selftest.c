/*
 * The start-up self-test (provider.h, crypto_lib_selftest): a
 * known-input comparison of every hardware implementation with the
 * software one of the same algorithm and key size, a seal/open round trip
 * of each, and a short speed measurement of what an SA gets.  It runs the
 * ops synchronously (cipher_run, no ASYNC job), which accelerator
 * providers serve by waiting themselves.
 */
#include "config.h"

#include "crypto/provider.h"

#include <stdio.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/lib_int.h"

#define AAD_LEN 8

struct st_buf {
	uint8_t data[CRYPTO_SELFTEST_LEN];
	uint8_t icv[ALG_ICV_MAX];
};

static void
fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* A key for a at ki, on implementation which, as a cipher. */
static struct cipher *
make(struct crypto_lib *lib, const struct alg *a, int ki, int which)
{
	const struct crypto_slot *s = &lib->slot[a->id][ki];
	struct crypto_choice ch;
	struct crypto_impl *im;
	struct cipher_key k;
	struct cipher *c;

	memset(&k, 0, sizeof(k));
	memset(&ch, 0, sizeof(ch));
	if (a->kind == ALG_AUTH) {
		k.auth = a;
		k.auth_len = a->key_len[0];
		fill(k.auth_key, k.auth_len, 0x11);
		im = &ch.auth;
	} else {
		k.enc = a;
		k.enc_len = (uint8_t)(a->key_len[ki] + a->salt_len);
		fill(k.enc_key, k.enc_len, 0x22);
		im = &ch.enc;
	}
	im->provider = s->prov[which]->name;
	im->is_hw = which == CRYPTO_HW;
	c = cipher_new_choice(lib, &k, &ch);
	cipher_key_clear(&k);
	return c;
}

static enum crypto_status
seal(struct cipher *c, const struct alg *a, struct st_buf *b, bool is_encrypt)
{
	static const uint8_t iv[ALG_IV_MAX] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16 };
	static const uint8_t aad[AAD_LEN] = { 0xa, 0xb, 0xc, 0xd };
	struct crypto_op op;

	memset(&op, 0, sizeof(op));
	op.c = c;
	op.is_encrypt = is_encrypt;
	op.iv = iv;
	op.icv = b->icv;
	if (a->kind == ALG_AUTH) {
		crypto_op_auth(&op, b->data, sizeof(b->data));
	} else {
		if (a->kind == ALG_AEAD)
			crypto_op_auth(&op, aad, sizeof(aad));
		op.data = b->data;
		op.data_len = sizeof(b->data);
	}
	return cipher_run(&op);
}

/*
 * Seal a known buffer into *out and open it again; true when both work
 * and the round trip gives the buffer back.
 */
static bool
check_impl(struct crypto_lib *lib, const struct alg *a, int ki, int which,
    struct st_buf *out)
{
	struct cipher *c = make(lib, a, ki, which);
	struct st_buf b;
	bool is_ok;

	if (c == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	fill(out->data, sizeof(out->data), 0x33);
	is_ok = seal(c, a, out, true) == CRYPTO_OK;
	b = *out;
	is_ok = is_ok && seal(c, a, &b, false) == CRYPTO_OK;
	if (a->kind != ALG_AUTH) {
		uint8_t want[CRYPTO_SELFTEST_LEN];

		fill(want, sizeof(want), 0x33);
		is_ok = is_ok && memcmp(b.data, want, sizeof(want)) == 0;
	}
	cipher_free(c);
	return is_ok;
}

/* Seals per second of the implementation an SA gets, for budget seconds. */
static double
measure(struct crypto_lib *lib, const struct alg *a, int ki, int which,
    crypto_clock_fn now, void *arg, double budget)
{
	struct cipher *c = make(lib, a, ki, which);
	struct st_buf b;
	double t0, t;
	unsigned long n = 0;

	if (c == NULL)
		return 0;
	fill(b.data, sizeof(b.data), 0x44);
	t0 = now(arg);
	do {
		if (seal(c, a, &b, true) != CRYPTO_OK)
			break;
		n++;
		t = now(arg) - t0;
	} while (t < budget);
	cipher_free(c);
	t = now(arg) - t0;
	return n > 0 && t > 0 ? (double)n / t : 0;
}

/* Compare the two implementations of one slot; false if software failed. */
static bool
check_slot(struct crypto_lib *lib, const struct alg *a, int ki, int *ndisabled)
{
	struct crypto_slot *s = &lib->slot[a->id][ki];
	struct st_buf hw, sw;
	bool is_sw_ok = true;
	size_t icv = a->icv_len;

	if (s->prov[CRYPTO_SW] != NULL &&
	    !(is_sw_ok = check_impl(lib, a, ki, CRYPTO_SW, &sw)))
		snprintf(s->note, sizeof(s->note),
		    "software %s (%u-bit key) of provider %s failed its "
		    "self-test",
		    a->name, a->key_len[ki] * 8u, s->prov[CRYPTO_SW]->name);
	if (s->prov[CRYPTO_HW] == NULL)
		return is_sw_ok;
	if (!check_impl(lib, a, ki, CRYPTO_HW, &hw))
		snprintf(s->note, sizeof(s->note),
		    "hardware %s (%u-bit key) of provider %s failed its "
		    "self-test: not used",
		    a->name, a->key_len[ki] * 8u, s->prov[CRYPTO_HW]->name);
	else if (s->prov[CRYPTO_SW] != NULL && is_sw_ok &&
	    (memcmp(hw.data, sw.data, sizeof(hw.data)) != 0 ||
		memcmp(hw.icv, sw.icv, icv) != 0))
		snprintf(s->note, sizeof(s->note),
		    "hardware %s (%u-bit key) of provider %s does not give "
		    "the result of provider %s: not used",
		    a->name, a->key_len[ki] * 8u, s->prov[CRYPTO_HW]->name,
		    s->prov[CRYPTO_SW]->name);
	else
		return is_sw_ok;
	s->is_hw_disabled = true;
	(*ndisabled)++;
	return is_sw_ok;
}

int
crypto_lib_selftest(
    struct crypto_lib *lib, crypto_clock_fn now, void *arg, double budget_sec)
{
	int ndisabled = 0, nslots = 0;
	bool is_ok = true;
	double each;

	for (int id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);

		for (int ki = 0; ki < a->nkeys; ki++) {
			if (lib->slot[id][ki].is_needless)
				continue;
			nslots++;
			if (!check_slot(lib, a, ki, &ndisabled))
				is_ok = false;
		}
	}
	each = nslots > 0 ? budget_sec / nslots : 0;
	for (int id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);

		for (int ki = 0; ki < a->nkeys; ki++) {
			struct crypto_slot *s = &lib->slot[id][ki];
			int which =
			    crypto_slot_pick(lib, a, ki, lib->policy[id]);

			if (s->is_needless || which < 0)
				continue;
			s->ops_per_sec =
			    measure(lib, a, ki, which, now, arg, each);
		}
	}
	return is_ok ? ndisabled : -1;
}
