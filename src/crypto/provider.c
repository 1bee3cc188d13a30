/*
 * ipsecd's OpenSSL library context.  Every algorithm of the table is
 * fetched here once; cipher.c only borrows the fetched objects, so no
 * packet and no SA installation ever pays for a fetch (OpenSSL 3
 * "Performance" notes: implicit fetches take a lock and a lookup).
 */
#include "config.h"

#include "crypto/provider.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

struct crypto_lib {
	OSSL_LIB_CTX *ctx;
	OSSL_PROVIDER *prov;
	EVP_CIPHER *cipher[ALG_COUNT][ALG_KEYSIZES_MAX];
	EVP_MD *md[ALG_COUNT]; /* only to know the digest exists */
	EVP_MAC *hmac;
	char *props;
};

static void
fetch_alg(struct crypto_lib *lib, const struct alg *a, const char *props)
{
	switch (a->kind) {
	case ALG_AEAD:
	case ALG_ENCR:
		for (int i = 0; i < a->nkeys; i++)
			if (a->evp_name[i] != NULL)
				lib->cipher[a->id][i] = EVP_CIPHER_fetch(lib->ctx,
				    a->evp_name[i], props);
		break;
	case ALG_AUTH:
		if (a->evp_name[0] != NULL)
			lib->md[a->id] = EVP_MD_fetch(lib->ctx, a->evp_name[0],
			    props);
		break;
	}
}

struct crypto_lib *
crypto_lib_new(const char *props)
{
	struct crypto_lib *lib;

	if ((lib = calloc(1, sizeof(*lib))) == NULL)
		return NULL;
	if (props != NULL && (lib->props = strdup(props)) == NULL)
		goto fail;
	if ((lib->ctx = OSSL_LIB_CTX_new()) == NULL)
		goto fail;
	/*
	 * Load the default provider explicitly: a context with a provider
	 * loaded by hand does not autoload it, and later issues load
	 * accelerator providers beside it.
	 */
	if ((lib->prov = OSSL_PROVIDER_load(lib->ctx, "default")) == NULL)
		goto fail;
	for (int id = 0; id < ALG_COUNT; id++)
		fetch_alg(lib, alg_get((enum alg_id)id), props);
	lib->hmac = EVP_MAC_fetch(lib->ctx, "HMAC", props);
	return lib;
fail:
	crypto_lib_free(lib);
	return NULL;
}

void
crypto_lib_free(struct crypto_lib *lib)
{
	if (lib == NULL)
		return;
	for (int id = 0; id < ALG_COUNT; id++) {
		for (int i = 0; i < ALG_KEYSIZES_MAX; i++)
			EVP_CIPHER_free(lib->cipher[id][i]);
		EVP_MD_free(lib->md[id]);
	}
	EVP_MAC_free(lib->hmac);
	if (lib->prov != NULL)
		OSSL_PROVIDER_unload(lib->prov);
	OSSL_LIB_CTX_free(lib->ctx);
	free(lib->props);
	free(lib);
}

bool
crypto_lib_has(const struct crypto_lib *lib, const struct alg *a)
{
	switch (a->kind) {
	case ALG_AEAD:
	case ALG_ENCR:
		for (int i = 0; i < a->nkeys; i++)
			if (a->evp_name[i] != NULL &&
			    lib->cipher[a->id][i] == NULL)
				return false;
		return true;
	case ALG_AUTH:
		if (a->evp_name[0] == NULL)
			return true;
		return lib->md[a->id] != NULL && lib->hmac != NULL;
	}
	return false;
}

struct evp_cipher_st *
crypto_lib_cipher(const struct crypto_lib *lib, const struct alg *a, int ki)
{
	if (a->kind == ALG_AUTH || ki < 0 || ki >= a->nkeys)
		return NULL;
	return lib->cipher[a->id][ki];
}

struct evp_mac_st *
crypto_lib_hmac(const struct crypto_lib *lib)
{
	return lib->hmac;
}

const char *
crypto_lib_props(const struct crypto_lib *lib)
{
	return lib->props;
}

int
crypto_lib_rand(const struct crypto_lib *lib, void *buf, size_t len)
{
	return RAND_bytes_ex(lib->ctx, buf, len, 0) == 1 ? 0 : -1;
}
