#ifndef IPSECD_CRYPTO_ALG_H
#define IPSECD_CRYPTO_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one table of IPsec algorithms: names, numbers in PF_KEY
 * (<linux/pfkeyv2.h>) and IKEv2 (IANA "Transform Type" registry) terms,
 * and sizes.  Everything else (PF_KEY REGISTER replies, setkey names,
 * the crypto provider fetches, ESP/AH framing) reads it from here.
 *
 * Kinds:
 *   ALG_AEAD   combined mode, ESP only; its key in PF_KEY includes the salt
 *              (AES-GCM RFC 4106, AES-GMAC RFC 4543, ChaCha20-Poly1305
 *              RFC 7634)
 *   ALG_ENCR   confidentiality only, needs an ALG_AUTH beside it in ESP
 *              (AES-CBC RFC 3602, AES-CTR RFC 3686 (key includes the 4-byte
 *              nonce), NULL RFC 2410)
 *   ALG_AUTH   integrity (HMAC-SHA1-96 RFC 2404, HMAC-SHA2 RFC 4868)
 */
enum alg_kind {
	ALG_AEAD,
	ALG_ENCR,
	ALG_AUTH,
};

enum alg_id {
	ALG_AES_GCM_8,
	ALG_AES_GCM_12,
	ALG_AES_GCM_16,
	ALG_AES_GMAC,
	ALG_CHACHA20_POLY1305,
	ALG_AES_CBC,
	ALG_AES_CTR,
	ALG_NULL_ENC,
	ALG_HMAC_SHA1_96,
	ALG_HMAC_SHA256_128,
	ALG_HMAC_SHA384_192,
	ALG_HMAC_SHA512_256,
	ALG_NULL_AUTH,
	ALG_COUNT
};

/*
 * Linux's <linux/pfkeyv2.h> has no ChaCha20-Poly1305 number, and FreeBSD's
 * (15) is Linux's AES-CCM-12.  Ours is its IKEv2 transform ID, 28, which is
 * free in Linux's table.  ipsecctl and the PF_KEY server accept it.
 */
#define ALG_SADB_X_EALG_CHACHA20POLY1305 28

#define ALG_KEY_MAX 64 /* bytes: HMAC-SHA-512 key; AES-256 + salt is 36 */
#define ALG_SALT_MAX 4
#define ALG_IV_MAX 16
#define ALG_ICV_MAX 32
#define ALG_KEYSIZES_MAX 3

struct alg {
	enum alg_id id;
	enum alg_kind kind;
	const char *name;  /* ours and setkey's: "aes-gcm-16", "hmac-sha256" */
	const char *alias; /* another accepted name (setkey's), or NULL */
	uint8_t sadb_id;   /* SADB_*ALG_* */
	uint16_t ikev2_id; /* ENCR_* or AUTH_* transform ID */
	/*
	 * Key sizes in bytes excluding salt; nkeys of them.  For HMAC the
	 * RFC 4868 size (the digest length); any other size is refused.
	 */
	uint8_t nkeys;
	uint8_t key_len[ALG_KEYSIZES_MAX];
	/* OpenSSL algorithm name per key size (cipher or digest). */
	const char *evp_name[ALG_KEYSIZES_MAX];
	uint8_t salt_len;  /* implicit nonce part at the end of the key */
	uint8_t iv_len;	   /* explicit IV on the wire */
	uint8_t block_len; /* ESP payload alignment (at least 4) */
	uint8_t icv_len;   /* integrity check value on the wire */
};

/* The entry for id (always valid for id < ALG_COUNT). */
const struct alg *alg_get(enum alg_id id);

/* Look up by name or alias, case-insensitive; NULL if unknown. */
const struct alg *alg_by_name(const char *name);

/*
 * Look up by PF_KEY number: kind ALG_AUTH searches SADB_*AALG_*, any other
 * kind searches SADB_*EALG_* (AEAD and ENCR).  NULL if unknown.
 */
const struct alg *alg_by_sadb(enum alg_kind kind, unsigned sadb_id);

/* Look up by IKEv2 transform ID (same kind rule).  NULL if unknown. */
const struct alg *alg_by_ikev2(enum alg_kind kind, unsigned ikev2_id);

/*
 * Index into key_len[]/evp_name[] for a key of total_len bytes INCLUDING the
 * salt, as PF_KEY carries it; -1 when no size of this algorithm matches.
 */
int alg_key_index(const struct alg *a, size_t total_len);

#endif
