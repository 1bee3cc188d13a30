#ifndef IPSECD_IPSEC_TAGTAB_H
#define IPSECD_IPSEC_TAGTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read-mostly hash index for the SPD's classes: 32-bit hash -> value,
 * in 16-byte slots of an open-addressing table (four per cache line), so
 * that a probe that finds nothing costs one cache line and one that finds
 * something one more (the value, which the caller checks against its key:
 * the hash is only a tag, two keys may share it).
 *
 *   slot: | value (8, atomic) | tag = full 32-bit hash (4) | - (4) |
 *
 * One writer, any number of RCU readers, with the rules of spitab.h: a
 * slot's tag is written once, before its first value is published
 * (release), and never changes; the value may later be replaced (same
 * key) or become a tombstone, and a new key only goes into a never-used
 * slot.  Rebuilding (to grow, or to drop tombstones) makes a new table
 * that the caller publishes, freeing the old one after a grace period.
 *
 * Values are opaque pointers, neither NULL nor 1 (the tombstone).
 */
struct tagtab;

/* A table with room for about expect values; NULL when out of memory. */
struct tagtab *tagtab_new(size_t expect);
void tagtab_free(struct tagtab *t);

/*
 * Reader: the values whose tag is h, one per call.  Start with *pos =
 * tagtab_start(t, h); each call returns the next value (NULL at the end)
 * and sets *slot to where it is, for the writer calls below.
 */
size_t tagtab_start(const struct tagtab *t, uint32_t h);
void *tagtab_next(
    const struct tagtab *t, uint32_t h, size_t *pos, size_t *slot);

/* Prefetch the first slot h probes (for lookups in batches). */
void tagtab_prefetch(const struct tagtab *t, uint32_t h);

/* Writer: true when one more tagtab_add needs a rebuild first. */
bool tagtab_needs_rebuild(const struct tagtab *t);

/*
 * Writer: a copy with the live values and room to grow (at most half
 * full), or NULL when out of memory.  Slot numbers change.
 */
struct tagtab *tagtab_rebuild(const struct tagtab *t);

/* Writer: put v under tag h in a never-used slot; false when no room. */
bool tagtab_add(struct tagtab *t, uint32_t h, void *v);

/*
 * Writer: replace the value at slot (from tagtab_next) by v, or make it
 * a tombstone when v is NULL.
 */
void tagtab_store(struct tagtab *t, size_t slot, void *v);

/* Writer: make every live value a tombstone (readers then find none). */
void tagtab_clear(struct tagtab *t);

/* Live values. */
size_t tagtab_count(const struct tagtab *t);

/* Bytes the table holds (struct and slots). */
size_t tagtab_bytes(const struct tagtab *t);

#endif
