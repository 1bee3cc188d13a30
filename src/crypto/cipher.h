#ifndef IPSECD_CRYPTO_CIPHER_H
#define IPSECD_CRYPTO_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"
#include "crypto/crypto_conf.h"
#include "crypto/provider.h"

/*
 * Key material of one SA, as installed (PF_KEY KEY_ENCRYPT / KEY_AUTH).
 * Lives in the SA; wiped by cipher_key_clear().  enc is NULL for AH and
 * for IPcomp; auth is NULL with an AEAD.
 *
 * For AEAD algorithms and AES-CTR, enc_key holds the key followed by the
 * salt/nonce exactly as PF_KEY delivers it; enc_len counts both.
 */
struct cipher_key {
	const struct alg *enc;
	const struct alg *auth;
	uint8_t enc_len;
	uint8_t auth_len;
	uint8_t enc_key[ALG_KEY_MAX];
	uint8_t auth_key[ALG_KEY_MAX];
};

/*
 * Check algorithm kinds and key lengths: an AEAD alone, or ENCR + AUTH, or
 * AUTH alone (AH), with sizes the table allows.  False with *why set to a
 * static message ("aes-gcm-16: key of 17 bytes; expected 20, 28 or 36").
 */
bool cipher_key_check(const struct cipher_key *k, bool is_ah, const char **why);

void cipher_key_clear(struct cipher_key *k);

/*
 * Per-SA, per-worker crypto state: EVP contexts keyed once, reused for
 * every packet (only the nonce changes).  Not shared between threads:
 * each worker makes its own from the same cipher_key (DESIGN.md).
 *
 * cipher_new_policy() makes it on the implementations crypto_lib_choose()
 * picks for k under pol (CRYPTO_POLICY_UNSET: the configured policies;
 * else the SA's own); cipher_new() is that with UNSET; cipher_new_choice()
 * follows a choice made earlier (the same SA on another worker).  NULL if
 * the key does not pass cipher_key_check, the policy refuses it, or
 * OpenSSL fails.  The choice made, fallback note included, stays readable
 * with cipher_choice().
 */
struct cipher;

struct cipher *cipher_new(
    const struct crypto_lib *lib, const struct cipher_key *k);
struct cipher *cipher_new_policy(const struct crypto_lib *lib,
    const struct cipher_key *k, enum crypto_policy pol);
struct cipher *cipher_new_choice(const struct crypto_lib *lib,
    const struct cipher_key *k, const struct crypto_choice *ch);
/*
 * Free c and everything it holds.  No operation of c may be in flight
 * (cipher_inflight() is 0).
 */
void cipher_free(struct cipher *c);
const struct cipher_key *cipher_key_of(const struct cipher *c);
const struct crypto_choice *cipher_choice(const struct cipher *c);

/* True when c's operations run inside ASYNC jobs (submit.h). */
bool cipher_is_async(const struct cipher *c);

/* Operations of c that ended with CRYPTO_ERROR (the provider failed). */
uint64_t cipher_errors(const struct cipher *c);

/* Operations of c accepted by crypto_submit() and not yet completed. */
size_t cipher_inflight(const struct cipher *c);

/*
 * What the SA of c should do when an operation ends with CRYPTO_ERROR, a
 * failure of the provider (a bad ICV is not one):
 *   CIPHER_FAILOVER_NONE      c is software: count the error, carry on
 *   CIPHER_FAILOVER_FALLBACK  c has hardware chosen under prefer: make
 *                             cipher_new_fallback() for new packets, log
 *                             once, free c when cipher_inflight(c) is 0
 *   CIPHER_FAILOVER_STOP      c has hardware chosen under require: stop
 *                             the SA (drop its packets, log once)
 */
enum cipher_failover {
	CIPHER_FAILOVER_NONE,
	CIPHER_FAILOVER_FALLBACK,
	CIPHER_FAILOVER_STOP,
};

enum cipher_failover cipher_failover(const struct cipher *c);

/* c's key on software only (policy off); NULL as cipher_new. */
struct cipher *cipher_new_fallback(
    const struct crypto_lib *lib, const struct cipher *c);

/* Bytes of ICV this cipher produces on the wire (AEAD tag or truncated HMAC).
 */
size_t cipher_icv_len(const struct cipher *c);

/*
 * One cryptographic operation on packet memory, described by the
 * transform (ESP, AH) and carried out by cipher_run() inline or by the
 * submit layer later (possibly on an accelerator).
 *
 * auth[]: up to CRYPTO_AUTH_SEGS spans authenticated in order.  For an
 *   AEAD they are the AAD; for ENCR+AUTH and AUTH-only they are the HMAC
 *   input and are read AFTER encryption (on encrypt) or BEFORE decryption
 *   (on decrypt), i.e. always over ciphertext, so they may cover data.
 * data: encrypted or decrypted in place (may be empty).
 * iv: the explicit IV as on the wire (alg iv_len bytes); the cipher forms
 *   the full nonce from the salt in the key (GCM/GMAC/ChaCha: salt || iv;
 *   CTR: nonce || iv || counter 1; CBC: iv).
 * icv: where the ICV is written (encrypt) or read and verified (decrypt,
 *   compared in constant time); icv_len bytes from cipher_icv_len().
 */
#define CRYPTO_AUTH_SEGS 4

struct crypto_seg {
	const uint8_t *p;
	size_t len;
};

enum crypto_status {
	CRYPTO_OK,
	CRYPTO_BAD_ICV, /* authentication failed; data left undefined */
	CRYPTO_ERROR,	/* the provider failed; counted, never fatal (see
			   cipher_failover) */
};

struct crypto_op {
	struct cipher *c;
	bool is_encrypt;
	uint8_t nsegs;
	struct crypto_seg auth[CRYPTO_AUTH_SEGS];
	const uint8_t *iv;
	uint8_t *data;
	size_t data_len;
	uint8_t *icv;
	enum crypto_status status;
	void *cookie; /* owner's, untouched */
};

/* Append an authenticated span; false if CRYPTO_AUTH_SEGS are used. */
bool crypto_op_auth(struct crypto_op *op, const void *p, size_t len);

/* Run op now, on this thread; sets and returns op->status. */
enum crypto_status cipher_run(struct crypto_op *op);

#endif
