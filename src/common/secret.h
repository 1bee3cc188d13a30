#ifndef IPSECD_COMMON_SECRET_H
#define IPSECD_COMMON_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite len bytes at p so the compiler cannot elide it (OPENSSL_cleanse). */
void secret_wipe(void *p, size_t len);

/*
 * Compare two len-byte MACs in time that depends only on len (CRYPTO_memcmp).
 * True when equal.
 */
bool secret_eq(const void *a, const void *b, size_t len);

#endif
