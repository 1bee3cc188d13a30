#ifndef IPSECD_COMMON_RD_H
#define IPSECD_COMMON_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Bounded reader over untrusted bytes (STYLE.md section 8).  Every read
 * checks what is left first and returns false, consuming nothing, when the
 * buffer is too short; a reader never reads past buf + len.  Multi-byte
 * integers are read in network byte order and returned in host order.
 * The reader borrows buf; it must outlive the reader.
 *
 *   buf                     buf+off                 buf+len
 *   |------ consumed ------|------- left ----------|
 */
struct rd {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

static inline void
rd_init(struct rd *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->off = 0;
}

/* Bytes not yet consumed. */
static inline size_t
rd_left(const struct rd *r)
{
	return r->len - r->off;
}

/* Pointer to the next unread byte (valid for rd_left() bytes). */
static inline const uint8_t *
rd_cur(const struct rd *r)
{
	return r->buf + r->off;
}

static inline bool
rd_skip(struct rd *r, size_t n)
{
	if (rd_left(r) < n)
		return false;
	r->off += n;
	return true;
}

/* Borrow n bytes: *p points into the buffer, which is advanced past them. */
static inline bool
rd_ptr(struct rd *r, size_t n, const uint8_t **p)
{
	if (rd_left(r) < n)
		return false;
	*p = r->buf + r->off;
	r->off += n;
	return true;
}

/* Copy n bytes out. */
static inline bool
rd_copy(struct rd *r, void *dst, size_t n)
{
	if (rd_left(r) < n)
		return false;
	memcpy(dst, r->buf + r->off, n);
	r->off += n;
	return true;
}

static inline bool
rd_u8(struct rd *r, uint8_t *v)
{
	if (rd_left(r) < 1)
		return false;
	*v = r->buf[r->off++];
	return true;
}

static inline bool
rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *p;

	if (!rd_ptr(r, 2, &p))
		return false;
	*v = (uint16_t)((uint16_t)p[0] << 8 | p[1]);
	return true;
}

static inline bool
rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;

	if (!rd_ptr(r, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return true;
}

static inline bool
rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (rd_left(r) < 8)
		return false;
	rd_u32(r, &hi);
	rd_u32(r, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/*
 * A sub-reader over the next n bytes (a declared length): fails when n is
 * more than is left.  The parent is advanced past them.
 */
static inline bool
rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	const uint8_t *p;

	if (!rd_ptr(r, n, &p))
		return false;
	rd_init(sub, p, n);
	return true;
}

/* Writers for the other direction: store host-order values big-endian. */
static inline void
wr_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

#endif
