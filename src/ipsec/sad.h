#ifndef IPSECD_IPSEC_SAD_H
#define IPSECD_IPSEC_SAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/sa.h"
#include "ipsec/spitab.h"
#include "ipsec/verdict.h"

/*
 * Security Association Database: every SA, found by (spi, proto, dst) on
 * the way in and by (src, dst, proto, reqid) on the way out.  Sized
 * for 1,000,000 SAs: two liburcu lock-free hash tables (rculfhash, resized
 * as they grow) keyed with addr_hash/hash_bytes and the seed given to
 * sad_new.
 *
 * Threading contract (liburcu, QSBR flavour, DESIGN.md "read-mostly
 * state"):
 *
 * - Every thread that calls any sad_* function registers itself first with
 *   urcu_qsbr_register_thread() (and unregisters before it exits).
 * - Readers are the workers.  sad_lookup_spi and sad_lookup_out are
 *   called while the thread is online (QSBR read side).  The entry
 *   returned is borrowed: it stays valid until that thread's next
 *   quiescent state (urcu_qsbr_quiescent_state(), or going offline),
 *   which a worker announces between batches.  A worker may write only
 *   the atomic runtime fields of an entry (through sad_account, sad_drop,
 *   replay_next_seq on sa.seq_out) and the replay window (one worker at a
 *   time per SA, DESIGN.md).
 * - The writer is one control thread; every function below not marked
 *   "reader" is for it alone and never runs concurrently with itself.
 *   It may be online or offline when it calls them (they go online for
 *   their own duration when needed); it should stay offline while it
 *   waits for events, or announce quiescent states, or old entries are
 *   never freed.  A pointer the writer gets from the SAD stays valid until
 *   the writer itself deletes, updates or flushes that entry.
 * - Entries are never changed in place except for the atomic runtime
 *   fields and state: sad_update publishes a new copy and the old one is
 *   wiped and freed with call_rcu after a grace period.
 *
 * Replay window: the SAD stays ignorant of its layout.  sad_entry_new
 * allocates replay_bytes of zeroed, uint64_t-aligned memory inside the
 * entry (replay_size() from replay.h) and points sa.replay at it, or sets
 * sa.replay to NULL when replay_bytes is 0; the caller runs replay_init on
 * it before inserting.
 */

/* Limits the SAD enforces; sad_new's max_entries is clamped to this. */
#define SAD_MAX_ENTRIES 4000000u

enum sad_status {
	SAD_OK,
	SAD_EXISTS,   /* insert: an SA with this (spi, proto, dst) exists */
	SAD_NOTFOUND, /* update/delete: no such SA (or already removed) */
	SAD_FULL,     /* max_entries reached (or no memory to grow) */
};

/*
 * Which lifetime limits an SA reached (sad_lifetime_check), as a bit set:
 * soft or hard, by bytes, packets, seconds since add, seconds since first
 * use (struct sa_lifetime).
 */
#define SAD_EXP_SOFT_BYTES 0x01u
#define SAD_EXP_SOFT_PACKETS 0x02u
#define SAD_EXP_SOFT_ADD 0x04u
#define SAD_EXP_SOFT_USE 0x08u
#define SAD_EXP_HARD_BYTES 0x10u
#define SAD_EXP_HARD_PACKETS 0x20u
#define SAD_EXP_HARD_ADD 0x40u
#define SAD_EXP_HARD_USE 0x80u
#define SAD_EXP_SOFT 0x0fu /* any soft limit */
#define SAD_EXP_HARD 0xf0u /* any hard limit */

struct sad_entry {
	/*
	 * Identity, keys and limits: fixed while published.  sa.seq_out is
	 * the atomic outbound counter; sa.replay points into this entry.
	 */
	struct sa sa;
	_Atomic uint8_t state;	    /* enum sa_state; use sad_state() */
	uint64_t add_sec;	    /* when added (sad_entry_new's now_sec) */
	_Atomic uint64_t use_sec;   /* first use, 0 = not used yet */
	_Atomic uint64_t cur_bytes; /* processed so far, for lifetimes */
	_Atomic uint64_t cur_packets;
	_Atomic uint64_t drops[IPSEC_VERDICT_COUNT]; /* per drop reason */
	/*
	 * Unique per published copy (an update gets a new one), so workers
	 * can key per-SA state such as their struct cipher by it.
	 */
	uint64_t serial;
	uint64_t order;	     /* insertion order, kept across updates */
	size_t replay_bytes; /* size of the memory sa.replay points at */
};

/*
 * Key of an outbound lookup.  mode SA_MODE_ANY matches any mode.  reqid
 * is compared exactly, as Linux's xfrm_state_find does: a template with
 * reqid 0 finds the SAs installed with reqid 0.  (A wildcard reqid would
 * need a second index whose entries for one address pair, possibly
 * thousands of child SAs between two gateways, are walked per lookup.)
 */
struct sad_out_key {
	struct addr src;
	struct addr dst;
	uint8_t proto; /* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;  /* enum sa_mode */
	uint32_t reqid;
};

/* A GETSPI request: a free SPI in [min, max] for (proto, dst). */
struct sad_spi_req {
	struct addr dst;
	uint8_t proto;
	uint32_t min;
	uint32_t max;
};

struct sad;
struct sad_cursor;

/*
 * A new, empty SAD holding at most max_entries SAs (clamped to
 * SAD_MAX_ENTRIES).  seed keys the hashes (draw it at random so peers
 * cannot aim SPIs at one bucket).  NULL on allocation failure.
 */
struct sad *sad_new(uint32_t seed, size_t max_entries);

/*
 * Free the SAD and every entry in it (keys wiped).  Only once no worker
 * can look it up any more; waits for pending call_rcu frees.
 */
void sad_free(struct sad *sad);

/*
 * A new, unpublished entry: a copy of *sa (the caller wipes its own copy),
 * state LARVAL, added at now_sec, counters zero, replay_bytes of zeroed
 * window memory at sa.replay (NULL when 0).  sa->replay and sa->seq_out
 * are ignored.  The caller sets the state and initialises the window,
 * then hands the entry to sad_insert or sad_update, which own it from
 * then on whatever they return.  NULL on allocation failure.
 */
struct sad_entry *sad_entry_new(
    const struct sa *sa, size_t replay_bytes, uint64_t now_sec);

/* Wipe and free an entry that was never handed to sad_insert/sad_update. */
void sad_entry_free(struct sad_entry *e);

/*
 * Publish e.  SAD_EXISTS when an SA with the same (spi, proto, dst) is
 * already there, SAD_FULL at max_entries or when the inbound index cannot
 * grow for lack of memory: e is then wiped and freed (do not touch it
 * again).  On SAD_OK the SAD owns e and readers can find it.  When the
 * inbound index is rebuilt (now and then, to grow or to drop deleted
 * slots) the thread waits offline for a grace period, as for the
 * rculfhash resizes.
 */
enum sad_status sad_insert(struct sad *sad, struct sad_entry *e);

/*
 * Replace the published SA with e's (spi, proto, dst) by e: new keys,
 * lifetimes, state (e.g. LARVAL to MATURE after GETSPI).  When the old
 * entry was not LARVAL its runtime state carries over into e: add time,
 * first use, byte/packet counts, drop counters, outbound sequence number
 * and, when both are the same size, the replay window (counts a worker
 * adds to the old copy during the switch may be lost).  e keeps the old
 * entry's insertion order.  SAD_NOTFOUND if there is none: e is then freed.
 * The old entry is freed after a grace period.
 */
enum sad_status sad_update(struct sad *sad, struct sad_entry *e);

/*
 * Unpublish e (an entry of this SAD) and free it after a grace period.
 * SAD_NOTFOUND if it was already removed.
 */
enum sad_status sad_delete(struct sad *sad, struct sad_entry *e);

/* Delete every SA of protocol proto (0 = all), as PF_KEY FLUSH. */
void sad_flush(struct sad *sad, uint8_t proto);

/*
 * Reader.  The SA for an inbound packet: spi (host order), proto, and the
 * packet's outer destination.  Returns entries in any state (the data path
 * checks sad_usable_check); NULL if none.
 */
struct sad_entry *sad_lookup_spi(
    const struct sad *sad, uint32_t spi, uint8_t proto, const struct addr *dst);

/*
 * Reader.  sad_lookup_spi for a batch, as a worker has one: out[i] is the
 * SA for keys[i] (spi, proto, dst) or NULL.  The memory accesses of up to
 * SPITAB_BATCH keys overlap, so a lookup costs a fraction of a lone one
 * when the SAs are not in the cache.  Pointers are borrowed as above.
 */
void sad_lookup_spi_batch(const struct sad *sad, const struct spitab_key *keys,
    size_t n, struct sad_entry **out);

/*
 * Reader.  The SA to use on the way out: among usable SAs with k's
 * addresses, proto and reqid (and mode unless "any"), a MATURE one before
 * a DYING one (as Linux's xfrm_state_find), then the most recently
 * inserted.  NULL if none.
 */
struct sad_entry *sad_lookup_out(
    const struct sad *sad, const struct sad_out_key *k);

/* Whether no SA (in any state) holds (spi, proto, dst). */
bool sad_spi_free_check(
    const struct sad *sad, uint32_t spi, uint8_t proto, const struct addr *dst);

/*
 * GETSPI: pick a free SPI in [max(min, 256), max], starting at a point
 * chosen by rnd (random bits from the caller) and probing upward (with
 * wrap) at most SAD_SPI_TRIES times.  SPIs below 256 are reserved (RFC
 * 4303 section 2.1).  False if none was found or the range is empty.  The
 * SPI stays free until the caller inserts its LARVAL entry.
 */
#define SAD_SPI_TRIES 4096u
bool sad_spi_pick(const struct sad *sad, const struct sad_spi_req *req,
    uint32_t rnd, uint32_t *spi);

/* Reader.  Current state of an entry. */
enum sa_state sad_state(const struct sad_entry *e);

/* Reader.  MATURE or DYING: may carry traffic. */
bool sad_usable_check(const struct sad_entry *e);

/*
 * Move e to state to.  Allowed: LARVAL to MATURE, MATURE to DYING, any
 * state to DEAD, and staying in the same state; false (nothing changed)
 * otherwise.  A DEAD SA is never used again; delete it.
 */
bool sad_state_set(struct sad_entry *e, enum sa_state to);

/*
 * Reader.  Count one packet of bytes bytes against e's lifetime, noting
 * the first use at now_sec (the worker's coarse clock).  Returns
 * IPSEC_DROP_LIFETIME (and counts nothing) when e is DEAD or this packet
 * would take it past a hard byte or packet limit, IPSEC_OK otherwise.
 */
enum ipsec_verdict sad_account(
    struct sad_entry *e, size_t bytes, uint64_t now_sec);

/* Reader.  Count one drop of reason v (v != IPSEC_OK) against e. */
void sad_drop(struct sad_entry *e, enum ipsec_verdict v);

/*
 * Which lifetime limits e has reached at now_sec (SAD_EXP_* bits, 0 for
 * none).  A limit is reached when the count is at or above it; limits of 0
 * are off; the "use" limits count only once the SA was used.  Pure: the
 * time is passed in, nothing is changed.
 */
unsigned sad_lifetime_check(const struct sad_entry *e, uint64_t now_sec);

/*
 * Called by sad_expire_scan for an SA that just reached a limit: tripped
 * holds the SAD_EXP_* bits.  The SA is already DYING (soft) or DEAD (hard).
 * The callback may delete e (sad_delete), and nothing else in the SAD.
 */
typedef void (*sad_expire_fn)(
    struct sad *sad, struct sad_entry *e, unsigned tripped, void *arg);

/*
 * Check every SA's lifetimes at now_sec: a MATURE SA past a soft limit
 * becomes DYING, any SA not yet DEAD past a hard limit becomes DEAD, and
 * fn is called once for each such transition (so each SA reports its soft
 * and its hard expiry once).  Returns the number of calls made.  Visits
 * every SA: call it about once a second.
 */
size_t sad_expire_scan(
    struct sad *sad, uint64_t now_sec, sad_expire_fn fn, void *arg);

/*
 * Per-worker state hung on an entry: each worker keeps its own keyed
 * struct cipher for an SA (DESIGN.md: workers never share a crypto
 * context) in slot worker_index, found in O(1) on every packet.  The slot
 * array costs nothing until a worker first uses the SA; it is freed, and
 * fn is called for every non-NULL slot, when the entry itself is freed
 * after its grace period (so from the call_rcu thread: fn must be
 * thread-safe).  An update publishes a new entry with empty slots, since
 * its keys may have changed.
 *
 * sad_wstate_setup: before the first insert; nslots 0 or fn NULL = none.
 * sad_wstate_get (reader): the slot's state, NULL if none yet.
 * sad_wstate_set (reader; only the worker owning the slot): store state;
 *   false when slot is out of range or memory ran out (the caller then
 *   still owns state).  Entries not yet published have no slots.
 */
typedef void (*sad_wstate_free_fn)(void *state);

void sad_wstate_setup(struct sad *sad, unsigned nslots, sad_wstate_free_fn fn);
void *sad_wstate_get(const struct sad_entry *e, unsigned slot);
bool sad_wstate_set(struct sad_entry *e, unsigned slot, void *state);

/*
 * Bytes the SAD holds: every entry with its keys and replay window (the
 * allocator's real block sizes, malloc_usable_size), the inbound index
 * and the two hash tables' buckets.  Control thread.  The figure
 * `ipsecctl show stats` prints as FreeBSD's `vmstat -m` prints its
 * IPsec zones.
 */
size_t sad_mem_bytes(const struct sad *sad);

/* Number of SAs in the SAD. */
size_t sad_count(const struct sad *sad);

/*
 * Dump cursor (PF_KEY DUMP of any size, across event-loop turns).  A
 * cursor walks the SAs in insertion order and survives any change to the
 * SAD between two calls: deleted SAs are skipped, SAs inserted after the
 * cursor's position are visited.  Free every cursor before sad_free.
 * sad_cursor_new returns NULL on allocation failure; sad_cursor_next
 * returns the next SA, NULL at the end.
 */
struct sad_cursor *sad_cursor_new(struct sad *sad);
struct sad_entry *sad_cursor_next(struct sad *sad, struct sad_cursor *c);
void sad_cursor_free(struct sad *sad, struct sad_cursor *c);

#endif
