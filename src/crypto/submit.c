/*
 * Submit/complete over cipher_run().  With the default provider every op
 * finishes inside crypto_submit(); the in-flight count and the bound are
 * kept anyway so that a deferred completion path slots in without
 * changing any caller.
 */
#include "config.h"

#include "crypto/submit.h"

#include <stdlib.h>

#include "crypto/cipher.h"

struct crypto_queue {
	size_t max_inflight;
	size_t inflight;
	crypto_done_fn done;
	void *arg;
};

struct crypto_queue *
crypto_queue_new(size_t max_inflight, crypto_done_fn done, void *arg)
{
	struct crypto_queue *q;

	if (max_inflight == 0 || done == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->max_inflight = max_inflight;
	q->done = done;
	q->arg = arg;
	return q;
}

void
crypto_queue_free(struct crypto_queue *q)
{
	free(q);
}

size_t
crypto_submit(struct crypto_queue *q, struct crypto_op *const *ops, size_t n)
{
	size_t room = q->max_inflight - q->inflight;
	size_t take = n < room ? n : room;

	for (size_t i = 0; i < take; i++) {
		q->inflight++;
		cipher_run(ops[i]);
		q->inflight--;
		q->done(ops[i], q->arg);
	}
	return take;
}

size_t
crypto_queue_poll(struct crypto_queue *q)
{
	(void)q;
	return 0; /* inline completion leaves nothing pending */
}

size_t
crypto_queue_inflight(const struct crypto_queue *q)
{
	return q->inflight;
}
