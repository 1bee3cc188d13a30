/*
 * ipsecdtest: an OpenSSL 3 provider that looks like an accelerator, for
 * the tests and the offload benchmark (never installed).
 *
 * It offers AES-128-GCM and AES-256-GCM only, with the algorithm
 * properties "provider=ipsecdtest,hw=yes" (hw=yes is how a provider tells
 * ipsecd that an implementation is hardware: ipsecd.conf(5)).  The
 * arithmetic is done by OpenSSL's default provider in a library context
 * of the provider's own, so its ciphertexts are the default provider's.
 *
 * What makes it an accelerator is the end of each operation (the cipher's
 * final call, where GCM produces or checks the tag):
 *
 *   inside an ASYNC job    the request goes to the provider's own thread,
 *                          which after the latency marks it done and writes
 *                          to an eventfd set as the job's wait fd
 *                          (ASYNC_WAIT_CTX_set_wait_fd); the job pauses
 *                          (ASYNC_pause_job) until then
 *   outside a job          the call sleeps for the latency (a synchronous
 *                          accelerator API)
 *
 * Parameters (ipsecd.conf: NAME = VALUE in the provider's block):
 *   latency-us   microseconds per operation (default 0)
 *   reverse-batch  N (2 to 64): instead of the latency, hold operations
 *                until N wait, then finish them newest first, each after
 *                the one before has been resumed: a deterministic
 *                out-of-order accelerator, for the ordering tests
 *   fail-after   operations after the first N fail (default 0: never);
 *                a failure is raised as an OpenSSL error
 *   set-default-props  at load, set this as the default property query
 *                of the library context loading the provider: what some
 *                accelerator providers do, and ipsecd must undo
 *   corrupt-tag  1: every tag it produces has its first bit flipped (a
 *                broken accelerator, for the start-up self-test)
 *   fail-keys-after  keying a context fails after the first N (default
 *                0: never): a device that stops taking new sessions
 *
 * Gettable provider parameters (uint64), for tests: "ops" (operations
 * started), "failures", "inflight" (now), "max-inflight" (the most at
 * once since load) and "paused" (operations that paused a job).
 */
#include "config.h"

#include <sys/eventfd.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#define TP_NAME "ipsecdtest"
#define TP_PROPS "provider=ipsecdtest,ipsecd.hw=yes"
#define TP_REASON_FAIL 1 /* our only error reason */

/* One operation waiting for its latency, on the waiting job's stack. */
struct tp_req {
	struct timespec deadline; /* CLOCK_MONOTONIC */
	int fd;
	atomic_bool is_done;
	struct tp_req *next;
};

struct tp_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_FUNC_core_new_error_fn *new_error;
	OSSL_FUNC_core_set_error_debug_fn *set_error_debug;
	OSSL_FUNC_core_vset_error_fn *vset_error;
	OSSL_LIB_CTX *inner;
	OSSL_PROVIDER *inner_default;
	EVP_CIPHER *gcm128;
	EVP_CIPHER *gcm256;
	uint64_t latency_us;
	uint64_t reverse_batch;
	uint64_t fail_after;
	uint64_t corrupt_tag;
	uint64_t fail_keys_after;
	atomic_uint_fast64_t keys;
	/* The completion thread and its queue, sorted by deadline. */
	pthread_t thread;
	bool has_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool is_stopping;
	struct tp_req *queue;
	size_t nqueued;
	uint64_t nresumed; /* jobs resumed after their request was done */
	/* Counters for tests. */
	atomic_uint_fast64_t ops;
	atomic_uint_fast64_t failures;
	atomic_uint_fast64_t inflight;
	atomic_uint_fast64_t max_inflight;
	atomic_uint_fast64_t paused;
};

struct tp_cipher {
	struct tp_prov *prov;
	EVP_CIPHER *cipher; /* borrowed from prov */
	EVP_CIPHER_CTX *ctx;
	size_t keylen;
};

OSSL_provider_init_fn OSSL_provider_init;

/* ---- the completion thread ---- */

static void
ts_add_us(struct timespec *ts, uint64_t us)
{
	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_nsec += (long)(us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Signal, then mark done: once is_done is set the job may return and r
 * is gone, so it is the last thing touched. */
static void
req_done(struct tp_req *r)
{
	uint64_t one = 1;
	int fd = r->fd;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort();
	atomic_store(&r->is_done, true);
}

#define TP_BATCH_MAX 64

/* reverse-batch: the oldest N requests, finished newest first. */
static void
reverse_batch(struct tp_prov *p)
{
	struct tp_req *batch[TP_BATCH_MAX];
	size_t n = 0;

	while (p->queue != NULL && n < p->reverse_batch) {
		batch[n++] = p->queue;
		p->queue = p->queue->next;
	}
	p->nqueued -= n;
	while (n-- > 0) {
		uint64_t before = p->nresumed;

		pthread_mutex_unlock(&p->mu);
		req_done(batch[n]);
		pthread_mutex_lock(&p->mu);
		while (p->nresumed == before && !p->is_stopping)
			pthread_cond_wait(&p->cv, &p->mu);
	}
}

static void *
tp_thread(void *arg)
{
	struct tp_prov *p = arg;
	struct timespec now;

	pthread_mutex_lock(&p->mu);
	while (!p->is_stopping || p->queue != NULL) {
		struct tp_req *r = p->queue;

		if (p->reverse_batch > 0 && p->queue != NULL &&
		    (p->nqueued >= p->reverse_batch || p->is_stopping)) {
			reverse_batch(p);
			continue;
		}
		if (r == NULL || p->reverse_batch > 0) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_before(&now, &r->deadline)) {
			pthread_cond_timedwait(&p->cv, &p->mu, &r->deadline);
			continue;
		}
		p->queue = r->next;
		p->nqueued--;
		pthread_mutex_unlock(&p->mu);
		req_done(r);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
tp_enqueue(struct tp_prov *p, struct tp_req *r)
{
	struct tp_req **pp;

	pthread_mutex_lock(&p->mu);
	for (pp = &p->queue; *pp != NULL; pp = &(*pp)->next)
		if (ts_before(&r->deadline, &(*pp)->deadline))
			break;
	r->next = *pp;
	*pp = r;
	p->nqueued++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void
close_fd(ASYNC_WAIT_CTX *wctx, const void *key, OSSL_ASYNC_FD fd, void *custom)
{
	(void)wctx;
	(void)key;
	(void)custom;
	close(fd);
}

/* The job's eventfd, made once per wait context and kept there. */
static int
wait_fd(struct tp_prov *p, ASYNC_JOB *job)
{
	ASYNC_WAIT_CTX *wctx = ASYNC_get_wait_ctx(job);
	OSSL_ASYNC_FD fd;
	void *custom;

	if (wctx == NULL)
		return -1;
	if (ASYNC_WAIT_CTX_get_fd(wctx, p, &fd, &custom))
		return fd;
	if ((fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return -1;
	if (!ASYNC_WAIT_CTX_set_wait_fd(wctx, p, fd, NULL, close_fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The accelerator's latency: pause the job, or sleep without one. */
static bool
wait_latency(struct tp_prov *p)
{
	uint64_t us = p->latency_us, buf;
	ASYNC_JOB *job = ASYNC_get_current_job();
	struct tp_req r;

	if (job == NULL) {
		struct timespec ts = { (time_t)(us / 1000000),
			(long)(us % 1000000) * 1000 };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		return true;
	}
	memset(&r, 0, sizeof(r));
	if ((r.fd = wait_fd(p, job)) < 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &r.deadline);
	ts_add_us(&r.deadline, us);
	atomic_init(&r.is_done, false);
	tp_enqueue(p, &r);
	atomic_fetch_add(&p->paused, 1);
	do {
		/* A resume before the deadline (a poll without the fd
		 * ready) just pauses again. */
		if (!ASYNC_pause_job())
			abort(); /* r is queued: returning would lose it */
	} while (!atomic_load(&r.is_done));
	while (read(r.fd, &buf, sizeof(buf)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&p->mu);
	p->nresumed++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return true;
}

/* Raise an error the way a provider does: through the core. */
static void
raise_failure(struct tp_prov *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p->new_error(p->handle);
	p->set_error_debug(p->handle, __FILE__, __LINE__, __func__);
	p->vset_error(p->handle, TP_REASON_FAIL, fmt, ap);
	va_end(ap);
}

/* ---- the cipher ---- */

static void *
tp_newctx(void *provctx, EVP_CIPHER *cipher, size_t keylen)
{
	struct tp_cipher *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->prov = provctx;
	c->cipher = cipher;
	c->keylen = keylen;
	/*
	 * Set the cipher now: EVP asks the context for its key length
	 * before the first init passes the key.
	 */
	if ((c->ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_CipherInit_ex2(c->ctx, cipher, NULL, NULL, 1, NULL)) {
		EVP_CIPHER_CTX_free(c->ctx);
		free(c);
		return NULL;
	}
	return c;
}

static void *
tp_newctx128(void *provctx)
{
	struct tp_prov *p = provctx;

	return tp_newctx(p, p->gcm128, 16);
}

static void *
tp_newctx256(void *provctx)
{
	struct tp_prov *p = provctx;

	return tp_newctx(p, p->gcm256, 32);
}

static void
tp_freectx(void *vctx)
{
	struct tp_cipher *c = vctx;

	EVP_CIPHER_CTX_free(c->ctx);
	free(c);
}

static int
tp_init(void *vctx, const unsigned char *key, size_t keylen,
    const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[], int enc)
{
	struct tp_cipher *c = vctx;

	(void)ivlen;
	if (key != NULL && keylen != c->keylen)
		return 0;
	if (key != NULL && c->prov->fail_keys_after != 0 &&
	    atomic_fetch_add(&c->prov->keys, 1) >= c->prov->fail_keys_after) {
		raise_failure(c->prov, "keying refused after %llu",
		    (unsigned long long)c->prov->fail_keys_after);
		return 0;
	}
	return EVP_CipherInit_ex2(c->ctx, NULL, key, iv, enc, params);
}

static int
tp_einit(void *vctx, const unsigned char *key, size_t keylen,
    const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[])
{
	return tp_init(vctx, key, keylen, iv, ivlen, params, 1);
}

static int
tp_dinit(void *vctx, const unsigned char *key, size_t keylen,
    const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[])
{
	return tp_init(vctx, key, keylen, iv, ivlen, params, 0);
}

static int
tp_update(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
    const unsigned char *in, size_t inl)
{
	struct tp_cipher *c = vctx;
	int n = 0;

	if (inl > INT32_MAX || (out != NULL && outsize < inl))
		return 0;
	if (!EVP_CipherUpdate(c->ctx, out, &n, in, (int)inl))
		return 0;
	*outl = (size_t)n;
	return 1;
}

static void
max_update(atomic_uint_fast64_t *max, uint_fast64_t v)
{
	uint_fast64_t cur = atomic_load(max);

	while (v > cur && !atomic_compare_exchange_weak(max, &cur, v))
		;
}

static int
tp_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize)
{
	struct tp_cipher *c = vctx;
	struct tp_prov *p = c->prov;
	uint64_t n = atomic_fetch_add(&p->ops, 1) + 1;
	int ok, len = 0;

	(void)outsize;
	max_update(&p->max_inflight, atomic_fetch_add(&p->inflight, 1) + 1);
	ok = EVP_CipherFinal_ex(c->ctx, out, &len);
	if (!wait_latency(p))
		ok = 0;
	atomic_fetch_sub(&p->inflight, 1);
	if (p->fail_after != 0 && n > p->fail_after) {
		atomic_fetch_add(&p->failures, 1);
		raise_failure(p, "operation %llu, after %llu",
		    (unsigned long long)n, (unsigned long long)p->fail_after);
		return 0;
	}
	*outl = (size_t)len;
	return ok;
}

static const OSSL_PARAM tp_cipher_gettable[] = {
	OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
	OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_CTS, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, NULL),
	OSSL_PARAM_int(OSSL_CIPHER_PARAM_HAS_RAND_KEY, NULL),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *
tp_gettable_params(void *provctx)
{
	(void)provctx;
	return tp_cipher_gettable;
}

/* What the default provider says of GCM (cipher_generic_get_params). */
static int
tp_get_params(OSSL_PARAM params[], size_t keylen)
{
	OSSL_PARAM *q;

	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE)) != NULL &&
	    !OSSL_PARAM_set_uint(q, EVP_CIPH_GCM_MODE))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN)) != NULL &&
	    !OSSL_PARAM_set_size_t(q, keylen))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN)) != NULL &&
	    !OSSL_PARAM_set_size_t(q, 12))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE)) !=
		NULL &&
	    !OSSL_PARAM_set_size_t(q, 1))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD)) != NULL &&
	    !OSSL_PARAM_set_int(q, 1))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CUSTOM_IV)) !=
		NULL &&
	    !OSSL_PARAM_set_int(q, 1))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CTS)) != NULL &&
	    !OSSL_PARAM_set_int(q, 0))
		return 0;
	if ((q = OSSL_PARAM_locate(
		 params, OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK)) != NULL &&
	    !OSSL_PARAM_set_int(q, 0))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_HAS_RAND_KEY)) !=
		NULL &&
	    !OSSL_PARAM_set_int(q, 0))
		return 0;
	return 1;
}

static int
tp_get_params128(OSSL_PARAM params[])
{
	return tp_get_params(params, 16);
}

static int
tp_get_params256(OSSL_PARAM params[])
{
	return tp_get_params(params, 32);
}

static int
tp_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct tp_cipher *c = vctx;
	OSSL_PARAM *q;

	if (!EVP_CIPHER_CTX_get_params(c->ctx, params))
		return 0;
	if (c->prov->corrupt_tag != 0 &&
	    (q = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAG)) !=
		NULL &&
	    q->data != NULL && q->data_size > 0)
		((unsigned char *)q->data)[0] ^= 0x80;
	return 1;
}

static int
tp_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct tp_cipher *c = vctx;

	return EVP_CIPHER_CTX_set_params(c->ctx, params);
}

/* EVP asks these with no cipher context: answer from the inner cipher. */
static const OSSL_PARAM *
tp_gettable_ctx_params(void *cctx, void *provctx)
{
	struct tp_prov *p = provctx;

	(void)cctx;
	return EVP_CIPHER_gettable_ctx_params(p->gcm128);
}

static const OSSL_PARAM *
tp_settable_ctx_params(void *cctx, void *provctx)
{
	struct tp_prov *p = provctx;

	(void)cctx;
	return EVP_CIPHER_settable_ctx_params(p->gcm128);
}

#define TP_CIPHER_FUNCS(bits)                                                  \
	static const OSSL_DISPATCH tp_gcm##bits[] = {                          \
		{ OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))tp_newctx##bits },  \
		{ OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))tp_freectx },      \
		{ OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))tp_einit },   \
		{ OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))tp_dinit },   \
		{ OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))tp_update },        \
		{ OSSL_FUNC_CIPHER_FINAL, (void (*)(void))tp_final },          \
		{ OSSL_FUNC_CIPHER_GET_PARAMS,                                 \
		    (void (*)(void))tp_get_params##bits },                     \
		{ OSSL_FUNC_CIPHER_GETTABLE_PARAMS,                            \
		    (void (*)(void))tp_gettable_params },                      \
		{ OSSL_FUNC_CIPHER_GET_CTX_PARAMS,                             \
		    (void (*)(void))tp_get_ctx_params },                       \
		{ OSSL_FUNC_CIPHER_SET_CTX_PARAMS,                             \
		    (void (*)(void))tp_set_ctx_params },                       \
		{ OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS,                        \
		    (void (*)(void))tp_gettable_ctx_params },                  \
		{ OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS,                        \
		    (void (*)(void))tp_settable_ctx_params },                  \
		{ 0, NULL },                                                   \
	}

TP_CIPHER_FUNCS(128);
TP_CIPHER_FUNCS(256);

static const OSSL_ALGORITHM tp_ciphers[] = {
	{ "AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", TP_PROPS,
	    tp_gcm128, "AES-128-GCM through ipsecdtest" },
	{ "AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", TP_PROPS,
	    tp_gcm256, "AES-256-GCM through ipsecdtest" },
	{ NULL, NULL, NULL, NULL },
};

/* ---- the provider ---- */

static const OSSL_ALGORITHM *
tp_query(void *provctx, int operation_id, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	return operation_id == OSSL_OP_CIPHER ? tp_ciphers : NULL;
}

static const OSSL_PARAM tp_gettable[] = {
	OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
	OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, NULL, 0),
	OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, NULL),
	OSSL_PARAM_uint64("ops", NULL),
	OSSL_PARAM_uint64("failures", NULL),
	OSSL_PARAM_uint64("inflight", NULL),
	OSSL_PARAM_uint64("max-inflight", NULL),
	OSSL_PARAM_uint64("paused", NULL),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *
tp_gettable_prov_params(void *provctx)
{
	(void)provctx;
	return tp_gettable;
}

static int
set_u64(OSSL_PARAM params[], const char *key, atomic_uint_fast64_t *v)
{
	OSSL_PARAM *q = OSSL_PARAM_locate(params, key);

	return q == NULL || OSSL_PARAM_set_uint64(q, atomic_load(v));
}

static int
tp_get_prov_params(void *provctx, OSSL_PARAM params[])
{
	struct tp_prov *p = provctx;
	OSSL_PARAM *q;

	if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != NULL &&
	    !OSSL_PARAM_set_utf8_ptr(q, TP_NAME))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != NULL &&
	    !OSSL_PARAM_set_utf8_ptr(q, "1"))
		return 0;
	if ((q = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != NULL &&
	    !OSSL_PARAM_set_int(q, 1))
		return 0;
	return set_u64(params, "ops", &p->ops) &&
	    set_u64(params, "failures", &p->failures) &&
	    set_u64(params, "inflight", &p->inflight) &&
	    set_u64(params, "max-inflight", &p->max_inflight) &&
	    set_u64(params, "paused", &p->paused);
}

static const OSSL_ITEM tp_reasons[] = {
	{ TP_REASON_FAIL, "ipsecdtest: operation failed (fail-after)" },
	{ 0, NULL },
};

static const OSSL_ITEM *
tp_get_reason_strings(void *provctx)
{
	(void)provctx;
	return tp_reasons;
}

static void
tp_teardown(void *provctx)
{
	struct tp_prov *p = provctx;

	if (p->has_thread) {
		pthread_mutex_lock(&p->mu);
		p->is_stopping = true;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	EVP_CIPHER_free(p->gcm128);
	EVP_CIPHER_free(p->gcm256);
	if (p->inner_default != NULL)
		OSSL_PROVIDER_unload(p->inner_default);
	OSSL_LIB_CTX_free(p->inner);
	free(p);
}

static const OSSL_DISPATCH tp_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tp_teardown },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))tp_query },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS,
	    (void (*)(void))tp_gettable_prov_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))tp_get_prov_params },
	{ OSSL_FUNC_PROVIDER_GET_REASON_STRINGS,
	    (void (*)(void))tp_get_reason_strings },
	{ 0, NULL },
};

/* A decimal parameter; absent is def, malformed is false. */
static bool
num_param(const char *s, uint64_t def, uint64_t *v)
{
	char *end;

	if (s == NULL) {
		*v = def;
		return true;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

static bool
read_params(struct tp_prov *p, const OSSL_DISPATCH *in, const char **props)
{
	OSSL_FUNC_core_get_params_fn *get_params = NULL;
	const char *lat = NULL, *rev = NULL, *fail = NULL, *corrupt = NULL;
	const char *fkeys = NULL;
	OSSL_PARAM q[] = {
		OSSL_PARAM_utf8_ptr("latency-us", (char **)&lat, 0),
		OSSL_PARAM_utf8_ptr("reverse-batch", (char **)&rev, 0),
		OSSL_PARAM_utf8_ptr("fail-after", (char **)&fail, 0),
		OSSL_PARAM_utf8_ptr("corrupt-tag", (char **)&corrupt, 0),
		OSSL_PARAM_utf8_ptr("fail-keys-after", (char **)&fkeys, 0),
		OSSL_PARAM_utf8_ptr("set-default-props", (char **)props, 0),
		OSSL_PARAM_END,
	};

	for (; in->function_id != 0; in++) {
		switch (in->function_id) {
		case OSSL_FUNC_CORE_GET_PARAMS:
			get_params = OSSL_FUNC_core_get_params(in);
			break;
		case OSSL_FUNC_CORE_NEW_ERROR:
			p->new_error = OSSL_FUNC_core_new_error(in);
			break;
		case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
			p->set_error_debug = OSSL_FUNC_core_set_error_debug(in);
			break;
		case OSSL_FUNC_CORE_VSET_ERROR:
			p->vset_error = OSSL_FUNC_core_vset_error(in);
			break;
		default:
			break;
		}
	}
	if (get_params == NULL || p->new_error == NULL ||
	    p->set_error_debug == NULL || p->vset_error == NULL)
		return false;
	if (!get_params(p->handle, q))
		return false;
	/* An unknown value is refused: the load fails, as it should. */
	return num_param(lat, 0, &p->latency_us) &&
	    num_param(rev, 0, &p->reverse_batch) &&
	    num_param(fail, 0, &p->fail_after) &&
	    num_param(corrupt, 0, &p->corrupt_tag) &&
	    num_param(fkeys, 0, &p->fail_keys_after) &&
	    p->latency_us <= 1000000 && p->reverse_batch != 1 &&
	    p->reverse_batch <= TP_BATCH_MAX;
}

/*
 * Misbehave like a provider that changes default properties at load:
 * the core's library context handle is the OSSL_LIB_CTX in OpenSSL 3.
 */
static void
set_default_props(
    const OSSL_DISPATCH *in, const OSSL_CORE_HANDLE *handle, const char *props)
{
	for (; in->function_id != 0; in++)
		if (in->function_id == OSSL_FUNC_CORE_GET_LIBCTX) {
			OSSL_FUNC_core_get_libctx_fn *get =
			    OSSL_FUNC_core_get_libctx(in);

			EVP_set_default_properties(
			    (OSSL_LIB_CTX *)get(handle), props);
		}
}

int
OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
    const OSSL_DISPATCH **out, void **provctx)
{
	struct tp_prov *p = calloc(1, sizeof(*p));
	const char *props = NULL;

	if (p == NULL)
		return 0;
	p->handle = handle;
	pthread_mutex_init(&p->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&p->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (!read_params(p, in, &props) ||
	    (p->inner = OSSL_LIB_CTX_new()) == NULL ||
	    (p->inner_default = OSSL_PROVIDER_load(p->inner, "default")) ==
		NULL ||
	    (p->gcm128 = EVP_CIPHER_fetch(p->inner, "AES-128-GCM", NULL)) ==
		NULL ||
	    (p->gcm256 = EVP_CIPHER_fetch(p->inner, "AES-256-GCM", NULL)) ==
		NULL ||
	    pthread_create(&p->thread, NULL, tp_thread, p) != 0) {
		tp_teardown(p);
		return 0;
	}
	p->has_thread = true;
	if (props != NULL)
		set_default_props(in, handle, props);
	*out = tp_dispatch;
	*provctx = p;
	return 1;
}
