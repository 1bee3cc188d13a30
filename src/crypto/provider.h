#ifndef IPSECD_CRYPTO_PROVIDER_H
#define IPSECD_CRYPTO_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/alg.h"

/*
 * ipsecd's own OpenSSL library context with the algorithms of alg.h
 * fetched once, at creation, never per packet or per SA.  Providers are
 * loaded into this context only, so a provider that changes default
 * properties cannot leak into the process-wide default context.
 *
 * props is a property query applied to every fetch ("provider=default",
 * "?provider=qatprovider"), or NULL for none.  An algorithm none of the
 * loaded providers implements is left unfetched: crypto_lib_has() is false
 * for it and SAs using it are refused.
 */
struct crypto_lib;
struct evp_cipher_st;
struct evp_mac_st;

struct crypto_lib *crypto_lib_new(const char *props);
void crypto_lib_free(struct crypto_lib *lib);

/* True if algorithm a is usable at every key size of the table. */
bool crypto_lib_has(const struct crypto_lib *lib, const struct alg *a);

/*
 * The fetched cipher (ALG_AEAD / ALG_ENCR) for key size index ki, or NULL
 * (NULL also for the NULL cipher, which needs none).  Borrowed.
 */
struct evp_cipher_st *crypto_lib_cipher(const struct crypto_lib *lib,
    const struct alg *a, int ki);

/*
 * len unpredictable bytes from the library context's DRBG (CBC IVs, SPI
 * and seed choices).  0, or -1 when the DRBG fails.
 */
int crypto_lib_rand(const struct crypto_lib *lib, void *buf, size_t len);

/* The property query given to crypto_lib_new, or NULL; borrowed. */
const char *crypto_lib_props(const struct crypto_lib *lib);

/* The fetched HMAC (shared by every ALG_AUTH); borrowed. */
struct evp_mac_st *crypto_lib_hmac(const struct crypto_lib *lib);

#endif
