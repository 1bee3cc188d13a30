/*
 * The algorithm table.  PF_KEY numbers are <linux/pfkeyv2.h>'s
 * SADB_*ALG_*; IKEv2 numbers are IANA's "Transform Type 1/3" registries
 * (RFC 7296 section 3.3.2, RFC 4106, RFC 4543, RFC 7634, RFC 4868).
 * Sizes are bytes.
 */
#include "config.h"

#include "crypto/alg.h"

#include <strings.h>

static const struct alg algs[ALG_COUNT] = {
	/* RFC 4106: 16/24/32-byte key + 4-byte salt, 8-byte IV. */
	[ALG_AES_GCM_8] = { ALG_AES_GCM_8, ALG_AEAD, "aes-gcm-8", "aes-gcm8",
	    18, 18, 3, { 16, 24, 32 },
	    { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" }, 4, 8, 4, 8 },
	[ALG_AES_GCM_12] = { ALG_AES_GCM_12, ALG_AEAD, "aes-gcm-12",
	    "aes-gcm12", 19, 19, 3, { 16, 24, 32 },
	    { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" }, 4, 8, 4, 12 },
	[ALG_AES_GCM_16] = { ALG_AES_GCM_16, ALG_AEAD, "aes-gcm-16",
	    "rfc4106(gcm(aes))", 20, 20, 3, { 16, 24, 32 },
	    { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" }, 4, 8, 4, 16 },
	/* RFC 4543: GCM with everything authenticated, nothing encrypted. */
	[ALG_AES_GMAC] = { ALG_AES_GMAC, ALG_AEAD, "aes-gmac", "null-aes-gmac",
	    23, 21, 3, { 16, 24, 32 },
	    { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" }, 4, 8, 4, 16 },
	/* RFC 7634: 32-byte key + 4-byte salt, 8-byte IV, 16-byte tag. */
	[ALG_CHACHA20_POLY1305] = { ALG_CHACHA20_POLY1305, ALG_AEAD,
	    "chacha20-poly1305", "rfc7539esp(chacha20,poly1305)",
	    ALG_SADB_X_EALG_CHACHA20POLY1305, 28, 1, { 32 },
	    { "ChaCha20-Poly1305" }, 4, 8, 4, 16 },
	/* RFC 3602: 16-byte IV, payload aligned to the 16-byte block. */
	[ALG_AES_CBC] = { ALG_AES_CBC, ALG_ENCR, "aes-cbc", "rijndael-cbc", 12,
	    12, 3, { 16, 24, 32 },
	    { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" }, 0, 16, 16, 0 },
	/* RFC 3686: key + 4-byte nonce, 8-byte IV, 4-byte alignment. */
	[ALG_AES_CTR] = { ALG_AES_CTR, ALG_ENCR, "aes-ctr", "rfc3686(ctr(aes))",
	    13, 13, 3, { 16, 24, 32 },
	    { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" }, 4, 8, 4, 0 },
	/* RFC 2410. */
	[ALG_NULL_ENC] = { ALG_NULL_ENC, ALG_ENCR, "null", "ecb(cipher_null)",
	    11, 11, 1, { 0 }, { NULL }, 0, 0, 4, 0 },
	/* RFC 2404; RFC 4868 for SHA-2 (key = digest length). */
	[ALG_HMAC_SHA1_96] = { ALG_HMAC_SHA1_96, ALG_AUTH, "hmac-sha1",
	    "hmac(sha1)", 3, 2, 1, { 20 }, { "SHA1" }, 0, 0, 0, 12 },
	[ALG_HMAC_SHA256_128] = { ALG_HMAC_SHA256_128, ALG_AUTH, "hmac-sha256",
	    "hmac(sha256)", 5, 12, 1, { 32 }, { "SHA2-256" }, 0, 0, 0, 16 },
	[ALG_HMAC_SHA384_192] = { ALG_HMAC_SHA384_192, ALG_AUTH, "hmac-sha384",
	    "hmac(sha384)", 6, 13, 1, { 48 }, { "SHA2-384" }, 0, 0, 0, 24 },
	[ALG_HMAC_SHA512_256] = { ALG_HMAC_SHA512_256, ALG_AUTH, "hmac-sha512",
	    "hmac(sha512)", 7, 14, 1, { 64 }, { "SHA2-512" }, 0, 0, 0, 32 },
	/* KAME's null authentication (for ESP with an AEAD or NULL tests). */
	[ALG_NULL_AUTH] = { ALG_NULL_AUTH, ALG_AUTH, "null-auth", "digest_null",
	    251, 0, 1, { 0 }, { NULL }, 0, 0, 0, 0 },
};

const struct alg *
alg_get(enum alg_id id)
{
	return &algs[id];
}

const struct alg *
alg_by_name(const char *name)
{
	for (size_t i = 0; i < ALG_COUNT; i++) {
		if (strcasecmp(name, algs[i].name) == 0 ||
		    (algs[i].alias != NULL &&
			strcasecmp(name, algs[i].alias) == 0))
			return &algs[i];
	}
	return NULL;
}

static bool
kind_matches(enum alg_kind want, enum alg_kind have)
{
	return want == ALG_AUTH ? have == ALG_AUTH : have != ALG_AUTH;
}

const struct alg *
alg_by_sadb(enum alg_kind kind, unsigned sadb_id)
{
	for (size_t i = 0; i < ALG_COUNT; i++)
		if (kind_matches(kind, algs[i].kind) &&
		    algs[i].sadb_id == sadb_id)
			return &algs[i];
	return NULL;
}

const struct alg *
alg_by_ikev2(enum alg_kind kind, unsigned ikev2_id)
{
	for (size_t i = 0; i < ALG_COUNT; i++)
		if (kind_matches(kind, algs[i].kind) &&
		    algs[i].ikev2_id == ikev2_id)
			return &algs[i];
	return NULL;
}

int
alg_key_index(const struct alg *a, size_t total_len)
{
	for (int i = 0; i < a->nkeys; i++)
		if ((size_t)a->key_len[i] + a->salt_len == total_len)
			return i;
	return -1;
}
