#ifndef IPSECD_COMMON_PBUF_H
#define IPSECD_COMMON_PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Packet buffer: one contiguous area with room before and after the
 * packet, so that encapsulation prepends headers and appends trailers in
 * place and never copies the payload.
 *
 *   base          base+head        base+head+len        base+cap
 *   |-- headroom --|===== packet =====|----- tailroom -----|
 *
 * The grow/shrink operations return NULL (or false) when there is no room
 * and then change nothing.  A pbuf either comes from a pool (pbuf_pool_get,
 * returned with pbuf_pool_put) or wraps caller memory (pbuf_init).
 */
struct pbuf {
	uint8_t *base;
	uint32_t cap;
	uint32_t head;
	uint32_t len;
	struct pbuf *next; /* free list link / batch chaining */
};

#define PBUF_HEADROOM_DEFAULT 512
#define PBUF_TAILROOM_DEFAULT 512

/* Wrap cap bytes of caller memory; the packet starts empty at headroom. */
void pbuf_init(struct pbuf *pb, void *mem, size_t cap, size_t headroom);

/* Reset to an empty packet at headroom. */
void pbuf_reset(struct pbuf *pb, size_t headroom);

static inline uint8_t *
pbuf_data(const struct pbuf *pb)
{
	return pb->base + pb->head;
}

static inline size_t
pbuf_len(const struct pbuf *pb)
{
	return pb->len;
}

static inline size_t
pbuf_headroom(const struct pbuf *pb)
{
	return pb->head;
}

static inline size_t
pbuf_tailroom(const struct pbuf *pb)
{
	return pb->cap - pb->head - pb->len;
}

/* Grow at the front by n bytes; returns the new start, NULL if no room. */
static inline uint8_t *
pbuf_push(struct pbuf *pb, size_t n)
{
	if (n > pb->head)
		return NULL;
	pb->head -= (uint32_t)n;
	pb->len += (uint32_t)n;
	return pb->base + pb->head;
}

/* Drop n bytes from the front; returns the new start, NULL if too short. */
static inline uint8_t *
pbuf_pull(struct pbuf *pb, size_t n)
{
	if (n > pb->len)
		return NULL;
	pb->head += (uint32_t)n;
	pb->len -= (uint32_t)n;
	return pb->base + pb->head;
}

/* Grow at the end by n bytes; returns where they start, NULL if no room. */
static inline uint8_t *
pbuf_put(struct pbuf *pb, size_t n)
{
	uint8_t *p;

	if (n > pbuf_tailroom(pb))
		return NULL;
	p = pb->base + pb->head + pb->len;
	pb->len += (uint32_t)n;
	return p;
}

/* Drop n bytes from the end; false if the packet is shorter. */
static inline bool
pbuf_trim(struct pbuf *pb, size_t n)
{
	if (n > pb->len)
		return false;
	pb->len -= (uint32_t)n;
	return true;
}

/*
 * Open a gap of n bytes at offset off from the packet start by moving the
 * first off bytes (an IP header, typically) n bytes to the front.  Returns
 * a pointer to the gap, NULL if off > len or headroom < n.  Costs a memmove
 * of off bytes, never of the payload.
 */
uint8_t *pbuf_insert(struct pbuf *pb, size_t off, size_t n);

/*
 * Close n bytes at offset off by moving the first off bytes n bytes to the
 * back.  False if off + n > len.
 */
bool pbuf_remove(struct pbuf *pb, size_t off, size_t n);

/* Replace the contents with len bytes of data at headroom; false if no room. */
bool pbuf_set(struct pbuf *pb, const void *data, size_t len, size_t headroom);

/*
 * A fixed pool of equal buffers, allocated once.  Get and put never call
 * malloc; get returns NULL when the pool is empty (the caller drops and
 * counts).  A pool belongs to one thread.
 */
struct pbuf_pool;

struct pbuf_pool *pbuf_pool_new(size_t count, size_t buf_size,
    size_t headroom);
void pbuf_pool_free(struct pbuf_pool *pool);
struct pbuf *pbuf_pool_get(struct pbuf_pool *pool);
void pbuf_pool_put(struct pbuf_pool *pool, struct pbuf *pb);
size_t pbuf_pool_avail(const struct pbuf_pool *pool);

#endif
