/*
 * The SPD classes' hash index (see tagtab.h): linear probing over 16-byte
 * slots, at most 3/4 of them used counting tombstones, at most 1/2 right
 * after a rebuild.
 */
#include "config.h"

#include "ipsec/tagtab.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TAGTAB_MIN_SLOTS 16u
#define TAGTAB_TOMB ((void *)1)

struct tagtab_slot {
	_Atomic(void *) v; /* NULL never used, TAGTAB_TOMB deleted */
	uint32_t tag;
	uint32_t pad;
};

struct tagtab {
	struct tagtab_slot *slots;
	size_t mask; /* slots - 1, a power of two */
	size_t used; /* never-used slots taken: live + tombstones */
	size_t live;
};

struct tagtab *
tagtab_new(size_t expect)
{
	struct tagtab *t;
	size_t n = TAGTAB_MIN_SLOTS;

	while (n / 2 < expect && n < ((size_t)1 << (sizeof(size_t) * 8 - 6)))
		n *= 2;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->slots = aligned_alloc(64, n * sizeof(struct tagtab_slot));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	memset(t->slots, 0, n * sizeof(struct tagtab_slot));
	t->mask = n - 1;
	return t;
}

void
tagtab_free(struct tagtab *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

size_t
tagtab_start(const struct tagtab *t, uint32_t h)
{
	return h & t->mask;
}

void *
tagtab_next(const struct tagtab *t, uint32_t h, size_t *pos, size_t *slot)
{
	/* Ends: the table always keeps never-used (NULL) slots. */
	for (size_t i = *pos;; i = (i + 1) & t->mask) {
		struct tagtab_slot *s = &t->slots[i];
		void *v = atomic_load_explicit(&s->v, memory_order_acquire);

		if (v == NULL) {
			*pos = i;
			return NULL;
		}
		if (v != TAGTAB_TOMB && s->tag == h) {
			*pos = (i + 1) & t->mask;
			*slot = i;
			return v;
		}
	}
}

void
tagtab_prefetch(const struct tagtab *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask]);
}

bool
tagtab_needs_rebuild(const struct tagtab *t)
{
	return (t->used + 1) * 4 > (t->mask + 1) * 3;
}

static void
tagtab_put(struct tagtab *t, uint32_t h, void *v)
{
	size_t i = h & t->mask;

	while (
	    atomic_load_explicit(&t->slots[i].v, memory_order_relaxed) != NULL)
		i = (i + 1) & t->mask;
	t->slots[i].tag = h;
	/* The tag first, then the value: readers see both or neither. */
	atomic_store_explicit(&t->slots[i].v, v, memory_order_release);
	t->used++;
	t->live++;
}

struct tagtab *
tagtab_rebuild(const struct tagtab *t)
{
	struct tagtab *n = tagtab_new(t->live + 1);

	if (n == NULL)
		return NULL;
	for (size_t i = 0; i <= t->mask; i++) {
		void *v =
		    atomic_load_explicit(&t->slots[i].v, memory_order_relaxed);

		if (v != NULL && v != TAGTAB_TOMB)
			tagtab_put(n, t->slots[i].tag, v);
	}
	return n;
}

bool
tagtab_add(struct tagtab *t, uint32_t h, void *v)
{
	if (v == NULL || v == TAGTAB_TOMB || tagtab_needs_rebuild(t))
		return false;
	tagtab_put(t, h, v);
	return true;
}

void
tagtab_store(struct tagtab *t, size_t slot, void *v)
{
	struct tagtab_slot *s = &t->slots[slot & t->mask];

	if (v == NULL) {
		atomic_store_explicit(&s->v, TAGTAB_TOMB, memory_order_release);
		t->live--;
		return;
	}
	atomic_store_explicit(&s->v, v, memory_order_release);
}

void
tagtab_clear(struct tagtab *t)
{
	for (size_t i = 0; i <= t->mask; i++)
		if (atomic_load_explicit(
			&t->slots[i].v, memory_order_relaxed) != NULL)
			atomic_store_explicit(
			    &t->slots[i].v, TAGTAB_TOMB, memory_order_release);
	t->live = 0;
}

size_t
tagtab_count(const struct tagtab *t)
{
	return t->live;
}

size_t
tagtab_bytes(const struct tagtab *t)
{
	return sizeof(*t) + (t->mask + 1) * sizeof(struct tagtab_slot);
}
