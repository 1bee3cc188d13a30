#ifndef IPSECD_IPSEC_SPITAB_H
#define IPSECD_IPSEC_SPITAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/*
 * The SAD's inbound index: (SPI, protocol, destination) -> entry, laid out
 * for the data path, where every ESP/AH packet costs one lookup.  An open
 * addressing table of 32-byte slots that hold the whole key beside the
 * value, so that a lookup reads one cache line (two when the probe crosses
 * it) and compares there, without following any pointer: at a million SAs
 * that is one memory access where a chained table needs three or four
 * (ipsecd-bench, a million uniformly random SAs: rculfhash's split-ordered
 * lists took 485 ns a lookup, this table about 70 ns alone and 30 ns in
 * batches of 32, on a machine whose dependent DRAM access takes 167 ns:
 * independent lookups overlap their misses).
 *
 *   slot: | value (8, atomic) | spi (4) | proto, family (2) | - | dst (16) |
 *
 * One writer (the SAD's control thread), any number of readers under RCU.
 * A slot's key is written once, before its value is published with a
 * release store, and never changes after: a deletion turns the value into
 * a tombstone, an update of the same key stores the new value in place,
 * and a new key only ever goes into a never-used slot.  So a reader that
 * sees a value (acquire) sees its whole key, and no reader ever sees a
 * half-written key.  Tombstones are reclaimed by rebuilding the table into
 * a new one, which the caller publishes and whose old copy it frees after
 * a grace period (spitab_needs_rebuild / spitab_rebuild).
 *
 * Values are opaque non-NULL pointers (aligned to at least 2 bytes: the
 * value 1 is the tombstone).  Nothing here allocates on the read side.
 */
struct spitab;

/* A table for about expect entries; NULL when out of memory. */
struct spitab *spitab_new(size_t expect, uint32_t seed);

/* Free t at once (no reader may still use it). */
void spitab_free(struct spitab *t);

/*
 * The value for (spi, proto, dst), or NULL.  Readers must be inside an
 * RCU read-side section of the table's publisher.
 */
void *spitab_lookup(const struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst);

/* One key of a batch lookup. */
struct spitab_key {
	uint32_t spi;
	uint8_t proto;
	const struct addr *dst;
};

/*
 * spitab_lookup for n keys: out[i] is the value for keys[i] or NULL.  The
 * slots of up to SPITAB_BATCH keys are prefetched before any is compared,
 * so their memory accesses overlap instead of following one another.
 */
#define SPITAB_BATCH 32

void spitab_lookup_batch(const struct spitab *t, const struct spitab_key *keys,
    size_t n, void **out);

/*
 * Writer only.  True when t has no room for one more key in a never-used
 * slot (live keys plus tombstones above 3/4 of the slots): the caller must
 * then spitab_rebuild before spitab_add.
 */
bool spitab_needs_rebuild(const struct spitab *t);

/*
 * Writer only.  A new table with t's live entries and room to grow (at
 * most half full), or NULL when out of memory (t is then unchanged).  The
 * caller publishes it and frees t after a grace period.
 */
struct spitab *spitab_rebuild(const struct spitab *t);

/*
 * Writer only.  Add value v for a key not in t.  False when the key is
 * there already or there is no room (spitab_needs_rebuild).
 */
bool spitab_add(struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst, void *v);

/*
 * Writer only.  Replace the value old of its key by v (same key), or
 * delete it when v is NULL.  False when old is not in t under that key.
 */
bool spitab_set(struct spitab *t, uint32_t spi, uint8_t proto,
    const struct addr *dst, const void *old, void *v);

/* Live entries. */
size_t spitab_count(const struct spitab *t);

/* Bytes the table uses (for the memory-per-SA figure). */
size_t spitab_bytes(const struct spitab *t);

#endif
