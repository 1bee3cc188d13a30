#ifndef IPSECD_CRYPTO_LIB_INT_H
#define IPSECD_CRYPTO_LIB_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "crypto/alg.h"
#include "crypto/crypto_conf.h"
#include "crypto/provider.h"

/*
 * Internals of the library context shared by provider.c (resolution and
 * the public API), provload.c (loading providers) and selftest.c.  Not
 * for other modules: provider.h is the API.
 */

/* A loaded provider: listed in ipsecd.conf, or the implicit default. */
struct crypto_prov {
	OSSL_PROVIDER *prov; /* is_ours: our reference; else borrowed */
	char *name;
	enum crypto_flag hardware; /* from ipsecd.conf; AUTO: property */
	bool is_async;
	bool is_ours; /* loaded by OSSL_PROVIDER_load: unload it */
};

/* Index of a slot's two implementations. */
enum { CRYPTO_SW = 0, CRYPTO_HW = 1 };

/* One algorithm at one key size (ki 0 for ALG_AUTH). */
struct crypto_slot {
	EVP_CIPHER *cipher[2]; /* [CRYPTO_SW], [CRYPTO_HW]; NULL: none */
	EVP_MD *md[2];
	const struct crypto_prov *prov[2];
	bool is_needless;    /* NULL algorithm: nothing to fetch */
	bool is_hw_disabled; /* the hardware one failed the self-test */
	double ops_per_sec;
	char note[CRYPTO_NOTE_MAX]; /* self-test findings */
};

struct crypto_lib {
	OSSL_LIB_CTX *ctx;
	struct crypto_prov provs[CRYPTO_CONF_PROVIDERS_MAX + 1];
	size_t nprovs;
	struct crypto_slot slot[ALG_COUNT][ALG_KEYSIZES_MAX];
	enum crypto_policy policy[ALG_COUNT]; /* never UNSET */
	EVP_MAC *hmac;
	char *props;
	/* For messages: the hardware providers, "a, b" or "none". */
	char hw_names[256];
};

/*
 * Load cc's providers into lib->ctx (and the default provider unless
 * "default" or "fips" is listed), filling lib->provs.  Every failure is
 * reported through fn as "file:line: message"; -1 if there was one.
 */
int provload_all(struct crypto_lib *lib, const struct crypto_conf *cc,
    const char *file, crypto_error_fn fn, void *arg);

/* The loaded provider behind p, or NULL. */
const struct crypto_prov *provload_find(
    const struct crypto_lib *lib, const OSSL_PROVIDER *p);

/*
 * Which implementation of a at ki an SA gets under pol (never UNSET here:
 * resolved already; UNSET counts as prefer): CRYPTO_HW, CRYPTO_SW, or -1
 * for none.  The rule of provider.h, "Resolution".
 */
int crypto_slot_pick(const struct crypto_lib *lib, const struct alg *a, int ki,
    enum crypto_policy pol);

/* Report "file:line: message" through fn. */
void provload_err(crypto_error_fn fn, void *arg, const char *file,
    unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
