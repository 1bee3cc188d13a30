#ifndef IPSECD_CRYPTO_CIPHER_INT_H
#define IPSECD_CRYPTO_CIPHER_INT_H

#include <stddef.h>

#include "crypto/cipher.h"

/*
 * What the submit layer (submit.c) needs of a cipher beyond cipher.h.
 * Not for other modules.
 *
 * An asynchronous operation keeps its EVP contexts busy while its job is
 * paused, so each operation in flight gets contexts of its own: keyed
 * sets taken from the cipher's pool, or made (and keyed) when the pool is
 * empty, and given back when the operation ends.  The pool only grows, to
 * the most operations of this cipher ever in flight at once.
 */
struct cipher_ctx;
struct crypto_qslot;

/* A keyed context set for one operation; NULL when OpenSSL fails. */
struct cipher_ctx *cipher_ctx_get(struct cipher *c);
void cipher_ctx_put(struct cipher *c, struct cipher_ctx *x);

/*
 * Count a CRYPTO_ERROR the submit layer gave an op of c without running
 * it (no contexts, no job), as cipher_run() counts its own.
 */
void cipher_count_error(struct cipher *c);

/* cipher_run() on the contexts x instead of the cipher's own. */
enum crypto_status cipher_run_on(struct crypto_op *op, struct cipher_ctx *x);

/*
 * The submit layer's per-cipher bookkeeping for delivering completions in
 * submission order: the last of its operations still pending, and how
 * many are (cipher_inflight()).  Owned by the queue the ops went to.
 */
struct crypto_qslot **cipher_q_tail(struct cipher *c);
size_t *cipher_q_count(struct cipher *c);

#endif
