/*
 * Packet buffers and their pool.  The pool is one allocation for the
 * descriptors and one for the data so that a worker's buffers are
 * contiguous; the free list is a singly linked stack (LIFO keeps recently
 * used, cache-warm buffers in play).
 */
#include "config.h"

#include "pbuf.h"

#include <stdlib.h>
#include <string.h>

struct pbuf_pool {
	struct pbuf *descs;
	uint8_t *mem;
	struct pbuf *free;
	size_t count;
	size_t avail;
	size_t buf_size;
	size_t headroom;
};

void
pbuf_init(struct pbuf *pb, void *mem, size_t cap, size_t headroom)
{
	pb->base = mem;
	pb->cap = (uint32_t)cap;
	pb->next = NULL;
	pbuf_reset(pb, headroom);
}

void
pbuf_reset(struct pbuf *pb, size_t headroom)
{
	pb->head = (uint32_t)(headroom < pb->cap ? headroom : pb->cap);
	pb->len = 0;
}

uint8_t *
pbuf_insert(struct pbuf *pb, size_t off, size_t n)
{
	uint8_t *old;

	if (off > pb->len || n > pb->head)
		return NULL;
	old = pbuf_data(pb);
	pbuf_push(pb, n);
	memmove(pbuf_data(pb), old, off);
	return pbuf_data(pb) + off;
}

bool
pbuf_remove(struct pbuf *pb, size_t off, size_t n)
{
	uint8_t *old;

	if (off > pb->len || n > pb->len - off)
		return false;
	old = pbuf_data(pb);
	memmove(old + n, old, off);
	pbuf_pull(pb, n);
	return true;
}

bool
pbuf_set(struct pbuf *pb, const void *data, size_t len, size_t headroom)
{
	if (headroom > pb->cap || len > pb->cap - headroom)
		return false;
	pb->head = (uint32_t)headroom;
	pb->len = (uint32_t)len;
	memcpy(pb->base + headroom, data, len);
	return true;
}

struct pbuf_pool *
pbuf_pool_new(size_t count, size_t buf_size, size_t headroom)
{
	struct pbuf_pool *pool;
	size_t i;

	if (count == 0 || buf_size == 0 || headroom >= buf_size ||
	    buf_size > UINT32_MAX || count > SIZE_MAX / buf_size)
		return NULL;
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return NULL;
	pool->descs = calloc(count, sizeof(*pool->descs));
	pool->mem = aligned_alloc(64, (count * buf_size + 63) & ~(size_t)63);
	if (pool->descs == NULL || pool->mem == NULL) {
		pbuf_pool_free(pool);
		return NULL;
	}
	pool->count = count;
	pool->buf_size = buf_size;
	pool->headroom = headroom;
	for (i = count; i-- > 0;) {
		pbuf_init(&pool->descs[i], pool->mem + i * buf_size, buf_size,
		    headroom);
		pool->descs[i].next = pool->free;
		pool->free = &pool->descs[i];
	}
	pool->avail = count;
	return pool;
}

void
pbuf_pool_free(struct pbuf_pool *pool)
{
	if (pool == NULL)
		return;
	free(pool->mem);
	free(pool->descs);
	free(pool);
}

struct pbuf *
pbuf_pool_get(struct pbuf_pool *pool)
{
	struct pbuf *pb = pool->free;

	if (pb == NULL)
		return NULL;
	pool->free = pb->next;
	pool->avail--;
	pb->next = NULL;
	pbuf_reset(pb, pool->headroom);
	return pb;
}

void
pbuf_pool_put(struct pbuf_pool *pool, struct pbuf *pb)
{
	pb->next = pool->free;
	pool->free = pb;
	pool->avail++;
}

size_t
pbuf_pool_avail(const struct pbuf_pool *pool)
{
	return pool->avail;
}
