#ifndef IPSECD_CRYPTO_SUBMIT_H
#define IPSECD_CRYPTO_SUBMIT_H

#include <stddef.h>
#include <stdint.h>

struct crypto_op;

/*
 * The crypto pipeline stage of one worker (DESIGN.md, "crypto is a
 * pipeline stage").  A worker hands a batch of operations to
 * crypto_submit() and learns of each one's end through done(op, arg),
 * called exactly once per accepted op with op->status set.
 *
 * Synchronous ciphers (OpenSSL's own providers; cipher_is_async() false)
 * complete inline, inside crypto_submit(), exactly as cipher_run() would:
 * no job, no copy, nothing extra.
 *
 * Asynchronous ciphers run each op inside an OpenSSL ASYNC job
 * (ASYNC_start_job) on contexts of its own.  A provider that must wait
 * pauses the job (ASYNC_pause_job) after setting a wait fd in the job's
 * ASYNC_WAIT_CTX; the queue adds that fd to an epoll set of its own,
 * whose descriptor (crypto_queue_fd) the worker puts in its event loop.
 * When it is readable the worker calls crypto_queue_poll(), which resumes
 * the jobs that are ready and completes those that finish.  A paused job
 * that exposes no fd is resumed on every crypto_queue_poll(): a worker
 * with crypto_queue_inflight() > 0 polls at least once per loop.
 *
 * Order.  The ops of one cipher (one SA on one worker) complete in the
 * order they were submitted: an op that finishes early is held until
 * every earlier op of its cipher has completed.  Ops of different
 * ciphers are independent, so a slow SA never holds up another.  A
 * worker that sends from done() therefore sends each SA's packets in
 * sequence-number order.
 *
 * Bound.  At most max_inflight ops are pending at once (synchronous ones
 * only for the length of their call); crypto_submit() accepts what fits,
 * a prefix of the batch, and returns how many: the caller drops and
 * counts the rest (IPSEC_DROP_QUEUE).
 *
 * Failures.  An op on which the provider fails, or whose job cannot be
 * started, completes with CRYPTO_ERROR, counted here and in its cipher;
 * cipher_failover() says whether the SA falls back or stops.
 *
 * Threads.  One queue belongs to one thread: made, used and freed there
 * (ASYNC jobs belong to the thread that starts them).  done() may call
 * crypto_submit() but not crypto_queue_poll() or crypto_queue_free().
 * A cipher's ops go to one queue, and the cipher outlives them.  The
 * worker thread calls OPENSSL_thread_stop() when it ends, which frees its
 * pool of ASYNC jobs.
 */
typedef void (*crypto_done_fn)(struct crypto_op *op, void *arg);

struct crypto_queue;

/* NULL if max_inflight is 0, done is NULL, or out of memory or fds. */
struct crypto_queue *crypto_queue_new(
    size_t max_inflight, crypto_done_fn done, void *arg);

/*
 * Free q.  Ops still in flight are waited for first (crypto_queue_drain
 * with CRYPTO_DRAIN_MS); any left after that are abandoned: their done
 * never runs and the memory their jobs may still touch is not freed.
 */
void crypto_queue_free(struct crypto_queue *q);

#define CRYPTO_DRAIN_MS 2000

/*
 * Submit n ops (pointers); returns how many were accepted (a prefix).
 * Each accepted op must stay alive, with the memory it points at, until
 * its done has run.
 */
size_t crypto_submit(
    struct crypto_queue *q, struct crypto_op *const *ops, size_t n);

/* Resume what is ready, complete what has finished; returns completions. */
size_t crypto_queue_poll(struct crypto_queue *q);

/*
 * Block until nothing is in flight, for at most about timeout_ms
 * (shutdown, tests).  0 when drained, -1 otherwise.
 */
int crypto_queue_drain(struct crypto_queue *q, unsigned timeout_ms);

/*
 * The queue's epoll descriptor: readable when crypto_queue_poll() has
 * work.  Valid for the queue's life; the worker must not read or close it.
 */
int crypto_queue_fd(const struct crypto_queue *q);

/* Ops accepted whose done has not run yet. */
size_t crypto_queue_inflight(const struct crypto_queue *q);

/* Counters since crypto_queue_new. */
struct crypto_queue_stats {
	uint64_t submitted;  /* accepted */
	uint64_t refused;    /* past the bound */
	uint64_t completed;  /* done called */
	uint64_t errors;     /* of those, CRYPTO_ERROR */
	uint64_t async;	     /* ran in a job */
	uint64_t paused;     /* of those, paused at least once */
	uint64_t held;	     /* finished before an earlier op of their SA */
	size_t max_inflight; /* the most pending at once */
};

void crypto_queue_stats(
    const struct crypto_queue *q, struct crypto_queue_stats *st);

#endif
