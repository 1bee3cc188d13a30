/* Key hygiene: wiping and constant-time comparison, both from libcrypto. */
#include "config.h"

#include "secret.h"

#include <openssl/crypto.h>

void
secret_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

bool
secret_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
