#ifndef IPSECD_CRYPTO_SUBMIT_H
#define IPSECD_CRYPTO_SUBMIT_H

#include <stddef.h>

struct crypto_op;

/*
 * The crypto pipeline stage of one worker (DESIGN.md, "crypto is a
 * pipeline stage").  A worker hands a batch of operations to
 * crypto_submit() and learns of each one's end through done(op, arg),
 * called exactly once per accepted op with op->status set.
 *
 * The default provider completes every op inline, inside crypto_submit(),
 * in submission order.  An asynchronous provider (issue 5) completes them
 * later from crypto_queue_poll(); callers must already treat completion as
 * possibly deferred and keep each op's packet alive until done runs.
 *
 * At most max_inflight ops are pending at once; crypto_submit() accepts
 * what fits and returns how many (the caller drops and counts the rest as
 * IPSEC_DROP_QUEUE).  One queue belongs to one thread.
 */
typedef void (*crypto_done_fn)(struct crypto_op *op, void *arg);

struct crypto_queue;

struct crypto_queue *crypto_queue_new(size_t max_inflight,
    crypto_done_fn done, void *arg);
void crypto_queue_free(struct crypto_queue *q);

/* Submit n ops (pointers); returns how many were accepted (a prefix). */
size_t crypto_submit(struct crypto_queue *q, struct crypto_op *const *ops,
    size_t n);

/* Complete what has finished; returns the number completed. */
size_t crypto_queue_poll(struct crypto_queue *q);

/* Ops accepted whose done has not run yet. */
size_t crypto_queue_inflight(const struct crypto_queue *q);

#endif
