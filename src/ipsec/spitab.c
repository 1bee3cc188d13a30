/*
 * The SAD's inbound index (see spitab.h): linear probing over 32-byte
 * slots, two per cache line, load at most 3/4 counting tombstones and at
 * most 1/2 right after a rebuild.  Large tables are aligned to 2 MB and
 * asked for transparent huge pages, so that a random lookup among a
 * million SAs does not also pay a page walk.
 */
#include "config.h"

#include "ipsec/spitab.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SPITAB_MIN_SLOTS 1024u
#define SPITAB_HUGE (2u << 20)
#define SPITAB_TOMB ((void *)1)

struct spitab_slot {
	_Atomic(void *) v; /* NULL never used, SPITAB_TOMB deleted */
	uint32_t spi;
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];
	uint8_t dst[16];
};

struct spitab {
	struct spitab_slot *slots;
	size_t mask; /* slots - 1, slots a power of two */
	size_t used; /* never-used slots taken: live + tombstones */
	size_t live;
	size_t bytes; /* of slots */
	uint32_t seed;
};

/*
 * The address 32 bits at a time (4 or 16 bytes: IPv4 or IPv6) with the
 * SPI and protocol, then a 64-bit finaliser: a few multiplies, no loop
 * over bytes, as this runs once per inbound packet.
 */
static uint32_t
spitab_hash(
    const struct spitab *t, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	uint64_t h = (t->seed ^ (uint64_t)spi << 32 ^ (uint64_t)proto << 8 ^
			 dst->family) *
	    0x9e3779b97f4a7c15ull;
	size_t n = dst->family == AF_INET6 ? 16 : 4;
	uint32_t w;

	for (size_t i = 0; i < n; i += 4) {
		memcpy(&w, dst->bytes + i, 4);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	}
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdull;
	return (uint32_t)(h ^ h >> 29);
}

static bool
spitab_slot_match(const struct spitab_slot *s, uint32_t spi, uint8_t proto,
    const struct addr *dst)
{
	if (s->spi != spi || s->proto != proto || s->family != dst->family)
		return false;
	/* Fixed sizes, so the compiler compares words, not calls memcmp. */
	return dst->family == AF_INET6 ? memcmp(s->dst, dst->bytes, 16) == 0
				       : memcmp(s->dst, dst->bytes, 4) == 0;
}

static size_t
spitab_slots_for(size_t expect)
{
	size_t n = SPITAB_MIN_SLOTS;

	/* At most half full; stop doubling before size_t would overflow. */
	while (n / 2 < expect && n < ((size_t)1 << (sizeof(size_t) * 8 - 7)))
		n *= 2;
	return n;
}

struct spitab *
spitab_new(size_t expect, uint32_t seed)
{
	struct spitab *t;
	size_t n = spitab_slots_for(expect);

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->bytes = n * sizeof(struct spitab_slot);
	if (t->bytes >= SPITAB_HUGE) {
		t->slots = aligned_alloc(SPITAB_HUGE, t->bytes);
		/* Only advice: without huge pages it works as well. */
		if (t->slots != NULL)
			(void)madvise(t->slots, t->bytes, MADV_HUGEPAGE);
	} else {
		t->slots = aligned_alloc(64, t->bytes);
	}
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	/* All-zero is every slot empty (a NULL value). */
	memset(t->slots, 0, t->bytes);
	t->mask = n - 1;
	t->seed = seed;
	return t;
}

void
spitab_free(struct spitab *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

/* Probe from slot i on. */
static void *
spitab_probe(const struct spitab *t, size_t i, uint32_t spi, uint8_t proto,
    const struct addr *dst)
{
	/* Ends: the table always keeps never-used (NULL) slots. */
	for (;; i = (i + 1) & t->mask) {
		struct spitab_slot *s = &t->slots[i];
		void *v = atomic_load_explicit(&s->v, memory_order_acquire);

		if (v == NULL)
			return NULL;
		if (v != SPITAB_TOMB && spitab_slot_match(s, spi, proto, dst))
			return v;
	}
}

void *
spitab_lookup(
    const struct spitab *t, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	return spitab_probe(
	    t, spitab_hash(t, spi, proto, dst) & t->mask, spi, proto, dst);
}

void
spitab_lookup_batch(
    const struct spitab *t, const struct spitab_key *keys, size_t n, void **out)
{
	size_t at[SPITAB_BATCH];

	for (size_t off = 0; off < n; off += SPITAB_BATCH) {
		size_t m = n - off < SPITAB_BATCH ? n - off : SPITAB_BATCH;
		const struct spitab_key *k = keys + off;

		for (size_t i = 0; i < m; i++) {
			at[i] = spitab_hash(t, k[i].spi, k[i].proto, k[i].dst) &
			    t->mask;
			__builtin_prefetch(&t->slots[at[i]]);
		}
		for (size_t i = 0; i < m; i++)
			out[off + i] = spitab_probe(
			    t, at[i], k[i].spi, k[i].proto, k[i].dst);
	}
}

bool
spitab_needs_rebuild(const struct spitab *t)
{
	return (t->used + 1) * 4 > (t->mask + 1) * 3;
}

/* Put a key known to be absent into the first never-used slot. */
static void
spitab_put(struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst, void *v)
{
	size_t i = spitab_hash(t, spi, proto, dst) & t->mask;
	struct spitab_slot *s;

	while (
	    atomic_load_explicit(&t->slots[i].v, memory_order_relaxed) != NULL)
		i = (i + 1) & t->mask;
	s = &t->slots[i];
	s->spi = spi;
	s->proto = proto;
	s->family = dst->family;
	memcpy(s->dst, dst->bytes, addr_len(dst));
	/* The key first, then the value: readers see both or neither. */
	atomic_store_explicit(&s->v, v, memory_order_release);
	t->used++;
	t->live++;
}

struct spitab *
spitab_rebuild(const struct spitab *t)
{
	struct spitab *n = spitab_new(t->live + 1, t->seed);
	struct addr a;

	if (n == NULL)
		return NULL;
	for (size_t i = 0; i <= t->mask; i++) {
		const struct spitab_slot *s = &t->slots[i];
		void *v = atomic_load_explicit(&s->v, memory_order_relaxed);

		if (v == NULL || v == SPITAB_TOMB)
			continue;
		addr_set(&a, s->family, s->dst);
		spitab_put(n, s->spi, s->proto, &a, v);
	}
	return n;
}

/* The slot holding a live key, or NULL. */
static struct spitab_slot *
spitab_find(
    const struct spitab *t, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	size_t i = spitab_hash(t, spi, proto, dst) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct spitab_slot *s = &t->slots[i];
		void *v = atomic_load_explicit(&s->v, memory_order_relaxed);

		if (v == NULL)
			return NULL;
		if (v != SPITAB_TOMB && spitab_slot_match(s, spi, proto, dst))
			return s;
	}
}

bool
spitab_add(struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst, void *v)
{
	if (v == NULL || v == SPITAB_TOMB || spitab_needs_rebuild(t) ||
	    spitab_find(t, spi, proto, dst) != NULL)
		return false;
	spitab_put(t, spi, proto, dst, v);
	return true;
}

bool
spitab_set(struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst, const void *old, void *v)
{
	struct spitab_slot *s = spitab_find(t, spi, proto, dst);

	if (s == NULL || v == SPITAB_TOMB ||
	    atomic_load_explicit(&s->v, memory_order_relaxed) != old)
		return false;
	if (v == NULL) {
		atomic_store_explicit(&s->v, SPITAB_TOMB, memory_order_release);
		t->live--;
	} else {
		atomic_store_explicit(&s->v, v, memory_order_release);
	}
	return true;
}

size_t
spitab_count(const struct spitab *t)
{
	return t->live;
}

size_t
spitab_bytes(const struct spitab *t)
{
	return sizeof(*t) + t->bytes;
}
