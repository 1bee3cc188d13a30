/*
 * Per-SA, per-worker crypto state over OpenSSL 3 EVP.  Contexts are keyed
 * once in cipher_new(); a packet only sets its nonce (AEAD, CTR) or IV
 * (CBC) and re-initialises the HMAC from its cached key state, so the key
 * schedule is never recomputed per packet.  The implementations (which
 * provider, hardware or not) are the ones crypto_lib_choose() picked.
 * Operations in flight at once on an asynchronous provider each need
 * contexts of their own: those come from a pool, keyed once each
 * (cipher_int.h).
 *
 * Nonces:
 *   AES-GCM, AES-GMAC   salt(4) || IV(8)                 RFC 4106 sec. 4
 *   ChaCha20-Poly1305   salt(4) || IV(8)                 RFC 7634 sec. 2
 *   AES-CTR             nonce(4) || IV(8) || 0x00000001  RFC 3686 sec. 4
 *   AES-CBC             IV(16)                           RFC 3602 sec. 3
 */
#include "config.h"

#include "crypto/cipher.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "common/secret.h"
#include "crypto/cipher_int.h"
#include "crypto/provider.h"

enum cipher_mode {
	CIPHER_NONE, /* no encryption: AH, or ESP with NULL */
	CIPHER_AEAD, /* GCM, ChaCha20-Poly1305 */
	CIPHER_GMAC, /* AEAD that authenticates the data too */
	CIPHER_CBC,
	CIPHER_CTR,
};

/* One keyed set of contexts: the cipher's own, or a pooled one. */
struct cipher_ctx {
	EVP_CIPHER_CTX *ectx;	 /* keyed for encryption */
	EVP_CIPHER_CTX *dctx;	 /* keyed for decryption */
	EVP_MAC_CTX *mac;	 /* HMAC with the key set; NULL without auth */
	struct cipher_ctx *next; /* in the pool */
};

struct cipher {
	/*
	 * What every packet reads comes first, with the algorithm pointers
	 * at the start of key: two cache lines.
	 */
	enum cipher_mode mode;
	uint8_t salt_len;
	uint8_t salt[ALG_SALT_MAX];
	/*
	 * Not OpenSSL's own provider: a failed decryption is told apart
	 * from a bad ICV by the error queue (run_aead).
	 */
	bool is_foreign;
	bool is_async;
	size_t icv_len;
	size_t mac_len;	       /* full HMAC output, truncated to icv_len */
	struct cipher_ctx own; /* cipher_run's */
	struct cipher_key key;
	/* Keying more contexts, the choice made, the submit layer's. */
	const EVP_CIPHER *evp; /* NULL: no cipher */
	EVP_MAC *hmac;
	char mac_props[CRYPTO_CONF_NAME_MAX + 16]; /* "provider=NAME" */
	struct crypto_choice choice;
	uint64_t errors;
	struct cipher_ctx *pool;
	struct crypto_qslot *q_tail;
	size_t q_count;
};

static bool
check_enc(const struct cipher_key *k, const char **why)
{
	if (k->enc == NULL) {
		*why = "esp needs an encryption algorithm (null for none)";
		return false;
	}
	if (k->enc->kind == ALG_AUTH) {
		*why = "an integrity algorithm given as the cipher";
		return false;
	}
	if (alg_key_index(k->enc, k->enc_len) < 0) {
		*why = "encryption key length does not fit the algorithm";
		return false;
	}
	if (k->enc->kind == ALG_AEAD && k->auth != NULL &&
	    k->auth->id != ALG_NULL_AUTH) {
		*why = "a combined-mode cipher takes no integrity algorithm";
		return false;
	}
	if (k->enc->id == ALG_NULL_ENC &&
	    (k->auth == NULL || k->auth->id == ALG_NULL_AUTH)) {
		/* RFC 4303 section 3.2: never both NULL. */
		*why = "null encryption needs an integrity algorithm";
		return false;
	}
	return true;
}

bool
cipher_key_check(const struct cipher_key *k, bool is_ah, const char **why)
{
	if (is_ah) {
		if (k->enc != NULL) {
			*why = "ah takes no encryption algorithm";
			return false;
		}
		if (k->auth == NULL || k->auth->id == ALG_NULL_AUTH) {
			*why = "ah needs an integrity algorithm";
			return false;
		}
	} else if (!check_enc(k, why))
		return false;
	if (k->auth != NULL) {
		if (k->auth->kind != ALG_AUTH) {
			*why = "a cipher given as the integrity algorithm";
			return false;
		}
		if (k->auth_len != k->auth->key_len[0]) {
			/* RFC 2404 / RFC 4868: the key is the digest size. */
			*why =
			    "integrity key length does not fit the algorithm";
			return false;
		}
	}
	return true;
}

void
cipher_key_clear(struct cipher_key *k)
{
	secret_wipe(k, sizeof(*k));
}

static enum cipher_mode
mode_of(const struct alg *enc)
{
	if (enc == NULL)
		return CIPHER_NONE;
	switch (enc->id) {
	case ALG_AES_GCM_8:
	case ALG_AES_GCM_12:
	case ALG_AES_GCM_16:
	case ALG_CHACHA20_POLY1305:
		return CIPHER_AEAD;
	case ALG_AES_GMAC:
		return CIPHER_GMAC;
	case ALG_AES_CBC:
		return CIPHER_CBC;
	case ALG_AES_CTR:
		return CIPHER_CTR;
	case ALG_NULL_ENC:
	case ALG_HMAC_SHA1_96:
	case ALG_HMAC_SHA256_128:
	case ALG_HMAC_SHA384_192:
	case ALG_HMAC_SHA512_256:
	case ALG_NULL_AUTH:
	case ALG_COUNT:
		break;
	}
	return CIPHER_NONE;
}

static EVP_CIPHER_CTX *
new_ctx(const EVP_CIPHER *evp, const uint8_t *key, int is_encrypt,
    enum cipher_mode mode)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, evp, key, NULL, is_encrypt, NULL))
		goto fail;
	/* ESP pads itself (RFC 4303 section 2.4); EVP must not. */
	if (mode == CIPHER_CBC && !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto fail;
	return ctx;
fail:
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

static bool
init_enc(struct cipher *c, const struct crypto_lib *lib)
{
	const struct alg *a = c->key.enc;
	int ki;

	if (c->mode == CIPHER_NONE)
		return true;
	ki = alg_key_index(a, c->key.enc_len);
	if ((c->evp = crypto_lib_cipher_on(lib, a, ki, c->choice.enc.is_hw)) ==
	    NULL)
		return false;
	c->salt_len = a->salt_len;
	memcpy(c->salt, c->key.enc_key + a->key_len[ki], a->salt_len);
	return true;
}

static bool
init_auth(struct cipher *c, const struct crypto_lib *lib)
{
	const struct alg *a = c->key.auth;
	const EVP_MD *md;

	if (a == NULL || a->id == ALG_NULL_AUTH)
		return true;
	if ((c->hmac = crypto_lib_hmac(lib)) == NULL ||
	    (md = crypto_lib_md_on(lib, a, c->choice.auth.is_hw)) == NULL)
		return false;
	/* The digest, and so the provider, HMAC uses inside. */
	snprintf(c->mac_props, sizeof(c->mac_props), "provider=%s",
	    OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(md)));
	return true;
}

static bool
key_mac(struct cipher *c, struct cipher_ctx *x)
{
	const struct alg *a = c->key.auth;
	OSSL_PARAM params[3];

	if (c->hmac == NULL)
		return true;
	if ((x->mac = EVP_MAC_CTX_new(c->hmac)) == NULL)
		return false;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)a->evp_name[0], 0);
	params[1] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_PROPERTIES, c->mac_props, 0);
	params[2] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(x->mac, c->key.auth_key, c->key.auth_len, params))
		return false;
	c->mac_len = EVP_MAC_CTX_get_mac_size(x->mac);
	return c->mac_len >= a->icv_len && c->mac_len <= EVP_MAX_MD_SIZE;
}

static void
ctx_clear(struct cipher_ctx *x)
{
	/* The free functions cleanse the key schedules they hold. */
	EVP_CIPHER_CTX_free(x->ectx);
	EVP_CIPHER_CTX_free(x->dctx);
	EVP_MAC_CTX_free(x->mac);
	memset(x, 0, sizeof(*x));
}

/* Key a context set from c's key; false (x cleared) on failure. */
static bool
ctx_key(struct cipher *c, struct cipher_ctx *x)
{
	memset(x, 0, sizeof(*x));
	if (c->evp != NULL &&
	    ((x->ectx = new_ctx(c->evp, c->key.enc_key, 1, c->mode)) == NULL ||
		(x->dctx = new_ctx(c->evp, c->key.enc_key, 0, c->mode)) ==
		    NULL))
		goto fail;
	if (!key_mac(c, x))
		goto fail;
	return true;
fail:
	ctx_clear(x);
	ERR_clear_error();
	return false;
}

struct cipher *
cipher_new_choice(const struct crypto_lib *lib, const struct cipher_key *k,
    const struct crypto_choice *ch)
{
	struct cipher *c;
	const char *why;

	if (!cipher_key_check(k, k->enc == NULL, &why))
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->key = *k;
	c->choice = *ch;
	c->mode = mode_of(k->enc);
	c->icv_len = (k->enc != NULL && k->enc->kind == ALG_AEAD)
	    ? k->enc->icv_len
	    : (k->auth != NULL ? k->auth->icv_len : 0);
	c->is_async = ch->enc.is_async || ch->auth.is_async;
	c->is_foreign = c->is_async || ch->enc.is_hw || ch->auth.is_hw;
	if (!init_enc(c, lib) || !init_auth(c, lib) || !ctx_key(c, &c->own)) {
		cipher_free(c);
		return NULL;
	}
	return c;
}

struct cipher *
cipher_new_policy(const struct crypto_lib *lib, const struct cipher_key *k,
    enum crypto_policy pol)
{
	struct crypto_choice ch;

	if (crypto_lib_choose(lib, k, pol, &ch) != 0)
		return NULL;
	return cipher_new_choice(lib, k, &ch);
}

struct cipher *
cipher_new(const struct crypto_lib *lib, const struct cipher_key *k)
{
	return cipher_new_policy(lib, k, CRYPTO_POLICY_UNSET);
}

struct cipher *
cipher_new_fallback(const struct crypto_lib *lib, const struct cipher *c)
{
	return cipher_new_policy(lib, &c->key, CRYPTO_POLICY_OFF);
}

void
cipher_free(struct cipher *c)
{
	struct cipher_ctx *x;

	if (c == NULL)
		return;
	ctx_clear(&c->own);
	while ((x = c->pool) != NULL) {
		c->pool = x->next;
		ctx_clear(x);
		free(x);
	}
	secret_wipe(c, sizeof(*c));
	free(c);
}

struct cipher_ctx *
cipher_ctx_get(struct cipher *c)
{
	struct cipher_ctx *x = c->pool;

	if (x != NULL) {
		c->pool = x->next;
		return x;
	}
	if ((x = malloc(sizeof(*x))) == NULL)
		return NULL;
	if (!ctx_key(c, x)) {
		free(x);
		return NULL;
	}
	return x;
}

void
cipher_ctx_put(struct cipher *c, struct cipher_ctx *x)
{
	x->next = c->pool;
	c->pool = x;
}

struct crypto_qslot **
cipher_q_tail(struct cipher *c)
{
	return &c->q_tail;
}

size_t *
cipher_q_count(struct cipher *c)
{
	return &c->q_count;
}

const struct crypto_choice *
cipher_choice(const struct cipher *c)
{
	return &c->choice;
}

bool
cipher_is_async(const struct cipher *c)
{
	return c->is_async;
}

void
cipher_count_error(struct cipher *c)
{
	c->errors++;
}

uint64_t
cipher_errors(const struct cipher *c)
{
	return c->errors;
}

size_t
cipher_inflight(const struct cipher *c)
{
	return c->q_count;
}

enum cipher_failover
cipher_failover(const struct cipher *c)
{
	const struct crypto_choice *ch = &c->choice;

	if ((ch->enc.is_hw && ch->enc_policy == CRYPTO_POLICY_REQUIRE) ||
	    (ch->auth.is_hw && ch->auth_policy == CRYPTO_POLICY_REQUIRE))
		return CIPHER_FAILOVER_STOP;
	if (ch->enc.is_hw || ch->auth.is_hw)
		return CIPHER_FAILOVER_FALLBACK;
	return CIPHER_FAILOVER_NONE;
}

/*
 * The packet path from here on.  "hot" puts it in .text.hot, together and
 * away from the set-up code above: measured, the grown file otherwise
 * cost the 64-byte GCM encapsulation a few percent in instruction-cache
 * misses.
 */
__attribute__((hot)) const struct cipher_key *
cipher_key_of(const struct cipher *c)
{
	return &c->key;
}

__attribute__((hot)) size_t
cipher_icv_len(const struct cipher *c)
{
	return c->icv_len;
}

__attribute__((hot)) bool
crypto_op_auth(struct crypto_op *op, const void *p, size_t len)
{
	if (op->nsegs >= CRYPTO_AUTH_SEGS)
		return false;
	op->auth[op->nsegs].p = p;
	op->auth[op->nsegs].len = len;
	op->nsegs++;
	return true;
}

/* AEAD (and GMAC): one pass over AAD and data; the tag is the ICV. */
__attribute__((hot)) static enum crypto_status
run_aead(struct crypto_op *op, struct cipher_ctx *x)
{
	struct cipher *c = op->c;
	EVP_CIPHER_CTX *ctx = op->is_encrypt ? x->ectx : x->dctx;
	uint8_t nonce[ALG_SALT_MAX + ALG_IV_MAX];
	uint8_t tail[16];
	int outl;

	memcpy(nonce, c->salt, c->salt_len);
	memcpy(nonce + c->salt_len, op->iv, c->key.enc->iv_len);
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1, NULL))
		return CRYPTO_ERROR;
	if (!op->is_encrypt &&
	    EVP_CIPHER_CTX_ctrl(
		ctx, EVP_CTRL_AEAD_SET_TAG, (int)c->icv_len, op->icv) <= 0)
		return CRYPTO_ERROR;
	for (unsigned i = 0; i < op->nsegs; i++)
		if (!EVP_CipherUpdate(
			ctx, NULL, &outl, op->auth[i].p, (int)op->auth[i].len))
			return CRYPTO_ERROR;
	if (op->data_len > 0) {
		/* GMAC (RFC 4543 section 3.3): the data is AAD too. */
		uint8_t *out = c->mode == CIPHER_GMAC ? NULL : op->data;

		if (!EVP_CipherUpdate(
			ctx, out, &outl, op->data, (int)op->data_len))
			return CRYPTO_ERROR;
	}
	if (c->is_foreign)
		ERR_clear_error();
	if (!EVP_CipherFinal_ex(ctx, tail, &outl)) {
		/*
		 * OpenSSL's providers raise no error for a tag that does not
		 * verify; another provider's failure shows in the queue.
		 */
		if (op->is_encrypt || (c->is_foreign && ERR_peek_error() != 0))
			return CRYPTO_ERROR;
		return CRYPTO_BAD_ICV;
	}
	if (op->is_encrypt &&
	    EVP_CIPHER_CTX_ctrl(
		ctx, EVP_CTRL_AEAD_GET_TAG, (int)c->icv_len, op->icv) <= 0)
		return CRYPTO_ERROR;
	return CRYPTO_OK;
}

__attribute__((hot)) static enum crypto_status
run_hmac(struct crypto_op *op, struct cipher_ctx *x)
{
	struct cipher *c = op->c;
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen;
	enum crypto_status st = CRYPTO_OK;

	if (x->mac == NULL)
		return CRYPTO_OK;
	/* A NULL key re-uses the key state of EVP_MAC_init in ctx_key. */
	if (!EVP_MAC_init(x->mac, NULL, 0, NULL))
		return CRYPTO_ERROR;
	for (unsigned i = 0; i < op->nsegs; i++)
		if (!EVP_MAC_update(x->mac, op->auth[i].p, op->auth[i].len))
			return CRYPTO_ERROR;
	if (!EVP_MAC_final(x->mac, md, &mdlen, sizeof(md)) ||
	    mdlen != c->mac_len)
		st = CRYPTO_ERROR;
	else if (op->is_encrypt)
		memcpy(op->icv, md, c->icv_len);
	else if (CRYPTO_memcmp(md, op->icv, c->icv_len) != 0)
		st = CRYPTO_BAD_ICV;
	secret_wipe(md, sizeof(md));
	return st;
}

/* CBC / CTR in place; the HMAC is done around it by the caller. */
__attribute__((hot)) static enum crypto_status
run_encr(struct crypto_op *op, struct cipher_ctx *x)
{
	struct cipher *c = op->c;
	EVP_CIPHER_CTX *ctx = op->is_encrypt ? x->ectx : x->dctx;
	uint8_t iv[ALG_IV_MAX];
	int outl;

	if (c->mode == CIPHER_NONE || op->data_len == 0)
		return CRYPTO_OK;
	if (c->mode == CIPHER_CTR) {
		memcpy(iv, c->salt, 4);
		memcpy(iv + 4, op->iv, 8);
		memcpy(iv + 12, "\0\0\0\1", 4);
	} else {
		if (op->data_len % 16 != 0)
			return CRYPTO_ERROR;
		memcpy(iv, op->iv, 16);
	}
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL) ||
	    !EVP_CipherUpdate(
		ctx, op->data, &outl, op->data, (int)op->data_len) ||
	    (size_t)outl != op->data_len)
		return CRYPTO_ERROR;
	return CRYPTO_OK;
}

__attribute__((hot)) enum crypto_status
cipher_run_on(struct crypto_op *op, struct cipher_ctx *x)
{
	enum crypto_status st = CRYPTO_ERROR;

	if (op->data_len > INT_MAX) {
		op->status = CRYPTO_ERROR;
		return op->status;
	}
	switch (op->c->mode) {
	case CIPHER_AEAD:
	case CIPHER_GMAC:
		st = run_aead(op, x);
		break;
	case CIPHER_NONE:
	case CIPHER_CBC:
	case CIPHER_CTR:
		/* Encrypt-then-MAC; verify first (RFC 4303 3.4.4). */
		if (op->is_encrypt) {
			st = run_encr(op, x);
			if (st == CRYPTO_OK)
				st = run_hmac(op, x);
		} else {
			st = run_hmac(op, x);
			if (st == CRYPTO_OK)
				st = run_encr(op, x);
		}
		break;
	}
	if (st == CRYPTO_ERROR) {
		/* Counted, and the thread's error queue left clean. */
		op->c->errors++;
		ERR_clear_error();
	}
	op->status = st;
	return st;
}

__attribute__((hot)) enum crypto_status
cipher_run(struct crypto_op *op)
{
	return cipher_run_on(op, &op->c->own);
}
