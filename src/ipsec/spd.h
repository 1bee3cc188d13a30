#ifndef IPSECD_IPSEC_SPD_H
#define IPSECD_IPSEC_SPD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/knobs.h"
#include "ipsec/selector.h"

/*
 * Security Policy Database: policies per direction, found for a packet's
 * flow key by tuple space search.  Policies are grouped in classes by
 * (family, src prefix length, dst prefix length); each class is a hash
 * table keyed by the masked (src, dst) addresses.  A lookup probes each
 * class once with the packet's addresses masked to the class's lengths and
 * filters the few candidates by the rest of the selector.  Classes are
 * visited in order of the lowest priority they hold, so the search stops
 * at the first class that cannot beat the best policy found: a hash probe
 * per class, not a scan of 100,000 policies.
 *
 * Best policy: lowest priority value; among equal priorities the one
 * inserted first (Linux xfrm).
 *
 * Threading contract: as the SAD's (sad.h).  Every thread registers with
 * urcu_qsbr_register_thread().  Workers call spd_lookup and the spd_cache
 * functions while online; a policy returned is borrowed until the worker's
 * next quiescent state, and workers write only its atomic counters.  One
 * control thread calls every other function, online or offline.  Any
 * change bumps a generation number (spd_gen) after it is visible, and old
 * policies are freed with call_rcu after a grace period.
 *
 * Each worker may keep a struct spd_cache: a small direct-mapped table of
 * recent flow keys and the policy (or none) they found, valid while the
 * SPD's generation is the one recorded (FreeBSD's SP cache).
 */
enum spd_dir { /* values of Linux XFRM_POLICY_IN/OUT/FWD */
	SPD_DIR_IN = 0,
	SPD_DIR_OUT = 1,
	SPD_DIR_FWD = 2,
};
#define SPD_DIR_COUNT 3

enum spd_action {
	SPD_ACTION_DISCARD,
	SPD_ACTION_NONE, /* bypass: no IPsec */
	SPD_ACTION_IPSEC,
};

enum spd_status {
	SPD_OK,
	SPD_EXISTS,   /* insert: a policy with this dir and selector exists */
	SPD_NOTFOUND, /* delete: no such policy */
	SPD_FULL,     /* max_policies reached */
	SPD_INVALID,  /* bad selector, direction, action or template */
	SPD_NOMEM,
};

#define SPD_TMPL_MAX 4
#define SPD_MAX_POLICIES 1000000u

/*
 * One IPsec request of a policy (PF_KEY sadb_x_ipsecrequest, Linux
 * xfrm_user_tmpl).  On output tmpl[0] is applied first (innermost).
 */
struct spd_tmpl {
	uint8_t proto;	 /* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;	 /* enum sa_mode */
	uint8_t level;	 /* enum knobs_level */
	uint32_t reqid;	 /* 0 = any SA */
	struct addr src; /* tunnel endpoints; unset (family 0) in transport */
	struct addr dst;
};

struct spd_policy {
	uint32_t id;	   /* set by spd_insert; id % 8 == dir (Linux) */
	uint8_t dir;	   /* enum spd_dir */
	uint8_t action;	   /* enum spd_action */
	uint8_t ntmpl;	   /* templates in use (action IPSEC: 1..4) */
	uint32_t priority; /* lower wins */
	struct selector sel;
	struct spd_tmpl tmpl[SPD_TMPL_MAX];
	uint64_t add_sec; /* set by the caller */
	/* runtime, written by workers */
	_Atomic uint64_t use_sec; /* last use, 0 = never */
	_Atomic uint64_t bytes;
	_Atomic uint64_t packets;
};

struct spd;
struct spd_cursor;
struct spd_cache;

/*
 * A new, empty SPD holding at most max_policies policies (clamped to
 * SPD_MAX_POLICIES); seed keys its hashes.  NULL on allocation failure.
 */
struct spd *spd_new(uint32_t seed, size_t max_policies);

/* Free the SPD and its policies once no worker can use it any more. */
void spd_free(struct spd *spd);

/*
 * Add a copy of *pol (its id and counters are ignored).  When a policy
 * with the same direction and selector exists: SPD_EXISTS, unless
 * is_update, in which case the new policy replaces it and keeps its id
 * and its place among equal priorities (PF_KEY SPDADD vs SPDUPDATE).
 * SPD_INVALID for a bad selector (selector_check), direction, action,
 * template count, template protocol, mode or level.  On SPD_OK *id (if not
 * NULL) is the policy's id.
 */
enum spd_status spd_insert(struct spd *spd, const struct spd_policy *pol,
    bool is_update, uint32_t *id);

/* Delete the policy with this id, or with this direction and selector. */
enum spd_status spd_delete_id(struct spd *spd, uint32_t id);
enum spd_status spd_delete_sel(
    struct spd *spd, enum spd_dir dir, const struct selector *sel);

/* Delete every policy. */
void spd_flush(struct spd *spd);

/* Control thread: the policy with this id / dir and selector, or NULL. */
struct spd_policy *spd_lookup_id(const struct spd *spd, uint32_t id);
struct spd_policy *spd_lookup_sel(
    const struct spd *spd, enum spd_dir dir, const struct selector *sel);

/*
 * Reader.  The best policy of direction dir that matches flow key k, or
 * NULL when none does (then spd_default_action applies).
 */
struct spd_policy *spd_lookup(
    const struct spd *spd, enum spd_dir dir, const struct selector_key *k);

/*
 * What one lookup examined: classes probed (one per (family, source
 * length, destination length) of the direction, until the priority bound
 * stops the walk), classes whose filter let the probe reach the index,
 * and policies compared.  A linear scan compares every policy; this one
 * only the groups of the packet's masked address pairs.  For tests and
 * diagnostics.
 */
struct spd_lookup_work {
	size_t classes;
	size_t passed;
	size_t policies;
};

/* Reader.  spd_lookup that also adds what it examined to *w. */
struct spd_policy *spd_lookup_counted(const struct spd *spd, enum spd_dir dir,
    const struct selector_key *k, struct spd_lookup_work *w);

/*
 * Bytes the SPD holds: policies, classes with their group indexes and
 * filters, and the hash tables' buckets (as sad_mem_bytes).  Control
 * thread.
 */
size_t spd_mem_bytes(const struct spd *spd);

/* Number of policies; generation number, bumped by every change. */
size_t spd_count(const struct spd *spd);
uint64_t spd_gen(const struct spd *spd);

/*
 * A worker's flow cache of 2^bits entries (1 to 16 bits) for spd: NULL on
 * allocation failure.  Owned and used by one worker only.
 */
struct spd_cache *spd_cache_new(const struct spd *spd, unsigned bits);
void spd_cache_free(struct spd_cache *c);

/*
 * Reader.  spd_lookup through the cache: a hit when the same dir and flow
 * key were looked up since the SPD last changed.  Same result as
 * spd_lookup.
 */
struct spd_policy *spd_cache_lookup(
    struct spd_cache *c, enum spd_dir dir, const struct selector_key *k);

/* Hits and misses of a cache so far. */
void spd_cache_stats(
    const struct spd_cache *c, uint64_t *hits, uint64_t *misses);

/*
 * The level a template asks for: its own, or for KNOBS_LEVEL_DEFAULT the
 * ipsec(4) knob for its protocol and mode (esp_trans_deflev,
 * esp_net_deflev, ah_trans_deflev, ah_net_deflev; tunnel is "net",
 * transport and BEET are "trans").  IPcomp's DEFAULT is USE (FreeBSD:
 * small packets are sent uncompressed anyway).  A knob that is not USE,
 * REQUIRE or UNIQUE counts as REQUIRE, as FreeBSD's ipsec_get_reqlevel.
 */
enum knobs_level spd_level(const struct spd_tmpl *t, const struct knobs *k);

/* What to do with a packet that no policy matches (knob def_policy). */
enum spd_action spd_default_action(const struct knobs *k);

/*
 * Dump cursor over every policy in insertion order; survives changes
 * between calls (deleted policies are skipped).  As sad_cursor_*.
 */
struct spd_cursor *spd_cursor_new(struct spd *spd);
struct spd_policy *spd_cursor_next(struct spd *spd, struct spd_cursor *c);
void spd_cursor_free(struct spd *spd, struct spd_cursor *c);

#endif
