/*
 * Submit/complete over cipher_run() (submit.h).  Synchronous ciphers run
 * inline; asynchronous ones run one OpenSSL ASYNC job per op in a slot of
 * a fixed array (the in-flight bound), and complete in order per cipher:
 *
 *   cipher c:  q_tail ------------------------------.
 *                                                    v
 *   slots:     [A1 head, done] -> [A2 paused] -> [A3 done]
 *              (next_sa links the pending ops of one cipher)
 *
 * A finished op is delivered (done() called) only when it is the head of
 * its cipher's chain; delivering a head makes the next op the head and
 * delivers it too if it has finished.  So A1 goes now, A3 waits for A2.
 *
 * Each slot keeps its ASYNC_WAIT_CTX across ops, so a provider that keeps
 * its wait fd in the wait context (as accelerator providers do) makes it
 * once per slot, and the fd enters the queue's epoll set once.
 */
#include "config.h"

#include "crypto/submit.h"

#include <sys/epoll.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/err.h>

#include "crypto/cipher.h"
#include "crypto/cipher_int.h"

/* Wait fds one slot may register; more and it is polled instead. */
#define SLOT_FDS_MAX 8
#define POLL_EVENTS 64

enum qslot_state {
	QSLOT_FREE,
	QSLOT_PAUSED,
	QSLOT_DONE, /* finished, held behind an earlier op of its cipher */
};

struct crypto_qslot {
	struct crypto_op *op;
	struct cipher *c;
	struct cipher_ctx *x;
	ASYNC_JOB *job;
	ASYNC_WAIT_CTX *wctx; /* kept across ops */
	enum qslot_state state;
	bool is_head;	/* no earlier op of c is pending */
	bool is_nofd;	/* paused with no fd of its own: resume on poll */
	bool is_shared; /* a wait fd already in the set for another slot */
	size_t nfds;	/* fds registered in the epoll set */
	struct crypto_qslot *next_sa;
	struct crypto_qslot *next_free;
};

struct crypto_queue {
	size_t max_inflight;
	size_t inflight;
	crypto_done_fn done;
	void *arg;
	struct crypto_qslot *slots; /* max_inflight of them */
	struct crypto_qslot *free;
	size_t nnofd; /* paused slots with is_nofd */
	int epfd;
	struct crypto_queue_stats st;
};

struct crypto_queue *
crypto_queue_new(size_t max_inflight, crypto_done_fn done, void *arg)
{
	struct crypto_queue *q;

	if (max_inflight == 0 || done == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->epfd = -1;
	if ((q->slots = calloc(max_inflight, sizeof(*q->slots))) == NULL ||
	    (q->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		free(q->slots);
		free(q);
		return NULL;
	}
	for (size_t i = max_inflight; i > 0; i--) {
		q->slots[i - 1].next_free = q->free;
		q->free = &q->slots[i - 1];
	}
	q->max_inflight = max_inflight;
	q->done = done;
	q->arg = arg;
	return q;
}

static void
account_done(struct crypto_queue *q, const struct crypto_op *op)
{
	q->inflight--;
	q->st.completed++;
	if (op->status == CRYPTO_ERROR)
		q->st.errors++;
}

/* Deliver s and the finished ops behind it (header comment). */
static void
deliver(struct crypto_queue *q, struct crypto_qslot *s)
{
	while (s != NULL && s->state == QSLOT_DONE && s->is_head) {
		struct crypto_qslot *next = s->next_sa;
		struct crypto_op *op = s->op;
		struct cipher *c = s->c;

		if (next != NULL)
			next->is_head = true;
		else
			*cipher_q_tail(c) = NULL;
		(*cipher_q_count(c))--;
		if (s->x != NULL)
			cipher_ctx_put(c, s->x);
		s->x = NULL;
		s->op = NULL;
		s->c = NULL;
		s->next_sa = NULL;
		s->state = QSLOT_FREE;
		s->next_free = q->free;
		q->free = s;
		account_done(q, op);
		q->done(op, q->arg);
		s = next;
	}
}

static void
finish(struct crypto_queue *q, struct crypto_qslot *s)
{
	s->state = QSLOT_DONE;
	if (!s->is_head) {
		q->st.held++;
		return;
	}
	deliver(q, s);
}

/* Follow the wait fds the provider added or removed while pausing s. */
static void
watch_fds(struct crypto_queue *q, struct crypto_qslot *s)
{
	OSSL_ASYNC_FD add[SLOT_FDS_MAX], del[SLOT_FDS_MAX];
	size_t na = 0, nd = 0;

	if (!ASYNC_WAIT_CTX_get_changed_fds(s->wctx, NULL, &na, NULL, &nd) ||
	    na > SLOT_FDS_MAX || nd > SLOT_FDS_MAX ||
	    !ASYNC_WAIT_CTX_get_changed_fds(s->wctx, add, &na, del, &nd)) {
		s->is_shared = true;
		na = nd = 0;
	}
	for (size_t i = 0; i < nd; i++)
		if (epoll_ctl(q->epfd, EPOLL_CTL_DEL, del[i], NULL) == 0 &&
		    s->nfds > 0)
			s->nfds--;
	for (size_t i = 0; i < na; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };

		if (epoll_ctl(q->epfd, EPOLL_CTL_ADD, add[i], &ev) == 0)
			s->nfds++;
		else
			s->is_shared = true; /* EEXIST: another slot's fd */
	}
	s->is_nofd = s->nfds == 0 || s->is_shared;
	if (s->is_nofd)
		q->nnofd++;
}

static int
job_fn(void *arg)
{
	struct crypto_qslot *s = *(struct crypto_qslot **)arg;

	cipher_run_on(s->op, s->x);
	return 1;
}

/* Start or resume s's job, and act on how it stopped. */
static void
run(struct crypto_queue *q, struct crypto_qslot *s)
{
	int ret = 0;

	if (s->state == QSLOT_PAUSED && s->is_nofd)
		q->nnofd--;
	switch (
	    ASYNC_start_job(&s->job, s->wctx, &ret, job_fn, &s, sizeof(s))) {
	case ASYNC_PAUSE:
		if (s->state != QSLOT_PAUSED)
			q->st.paused++;
		s->state = QSLOT_PAUSED;
		watch_fds(q, s);
		return;
	case ASYNC_FINISH:
		break;
	case ASYNC_ERR:
	case ASYNC_NO_JOBS:
	default:
		/* No job, or it broke: a provider failure for this op. */
		s->job = NULL;
		s->op->status = CRYPTO_ERROR;
		cipher_count_error(s->c);
		ERR_clear_error();
		break;
	}
	finish(q, s);
}

static void
submit_async(struct crypto_queue *q, struct crypto_op *op)
{
	struct crypto_qslot *s = q->free;
	struct crypto_qslot **tail = cipher_q_tail(op->c);

	q->free = s->next_free;
	s->op = op;
	s->c = op->c;
	s->next_sa = NULL;
	s->state = QSLOT_DONE; /* until run() says otherwise */
	s->is_head = *tail == NULL;
	if (*tail != NULL)
		(*tail)->next_sa = s;
	*tail = s;
	(*cipher_q_count(op->c))++;
	q->inflight++;
	q->st.async++;
	if (q->inflight > q->st.max_inflight)
		q->st.max_inflight = q->inflight;
	if ((s->wctx == NULL && (s->wctx = ASYNC_WAIT_CTX_new()) == NULL) ||
	    (s->x = cipher_ctx_get(op->c)) == NULL) {
		op->status = CRYPTO_ERROR;
		cipher_count_error(op->c);
		finish(q, s);
		return;
	}
	run(q, s);
}

size_t
crypto_submit(struct crypto_queue *q, struct crypto_op *const *ops, size_t n)
{
	size_t room = q->max_inflight - q->inflight, total = n, i;

	/*
	 * The batch counts as in flight together, even the ops that
	 * complete inline; and checked per op, since a done() may have
	 * submitted meanwhile.
	 */
	if (n > room)
		n = room;
	for (i = 0; i < n; i++) {
		struct crypto_op *op = ops[i];

		if (q->inflight >= q->max_inflight)
			break;
		q->st.submitted++;
		if (cipher_is_async(op->c)) {
			submit_async(q, op);
			continue;
		}
		q->inflight++;
		cipher_run(op);
		account_done(q, op);
		q->done(op, q->arg);
	}
	q->st.refused += total - i;
	return i;
}

size_t
crypto_queue_poll(struct crypto_queue *q)
{
	struct epoll_event ev[POLL_EVENTS];
	uint64_t before = q->st.completed;
	int n = epoll_wait(q->epfd, ev, POLL_EVENTS, 0);

	for (int i = 0; i < n; i++) {
		struct crypto_qslot *s = ev[i].data.ptr;

		/* A slot not paused has nothing to resume. */
		if (s->state == QSLOT_PAUSED)
			run(q, s);
	}
	for (size_t i = 0; q->nnofd > 0 && i < q->max_inflight; i++) {
		struct crypto_qslot *s = &q->slots[i];

		if (s->state == QSLOT_PAUSED && s->is_nofd)
			run(q, s);
	}
	return (size_t)(q->st.completed - before);
}

/* CLOCK_MONOTONIC in milliseconds. */
static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
crypto_queue_drain(struct crypto_queue *q, unsigned timeout_ms)
{
	/*
	 * A deadline on the clock, not a count of rounds: a wait fd that
	 * stays readable makes a round return at once.
	 */
	uint64_t deadline = now_ms() + timeout_ms;

	while (q->inflight > 0) {
		struct epoll_event ev;

		if (now_ms() >= deadline)
			return -1;
		/* At most 1 ms each: fd-less jobs are only polled. */
		if (epoll_wait(q->epfd, &ev, 1, 1) < 0 && errno != EINTR)
			return -1;
		crypto_queue_poll(q);
	}
	return 0;
}

void
crypto_queue_free(struct crypto_queue *q)
{
	if (q == NULL)
		return;
	if (q->inflight > 0)
		(void)crypto_queue_drain(q, CRYPTO_DRAIN_MS);
	for (size_t i = 0; i < q->max_inflight; i++) {
		struct crypto_qslot *s = &q->slots[i];

		/*
		 * An abandoned job is never resumed, but its provider may
		 * still signal the fd in its wait context: leave that open.
		 * Otherwise this runs the providers' cleanups, which close
		 * their fds.
		 */
		if (s->state == QSLOT_FREE)
			ASYNC_WAIT_CTX_free(s->wctx);
	}
	close(q->epfd);
	free(q->slots);
	free(q);
}

int
crypto_queue_fd(const struct crypto_queue *q)
{
	return q->epfd;
}

size_t
crypto_queue_inflight(const struct crypto_queue *q)
{
	return q->inflight;
}

void
crypto_queue_stats(const struct crypto_queue *q, struct crypto_queue_stats *st)
{
	*st = q->st;
}
