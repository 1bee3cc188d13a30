/*
 * Security Policy Database by tuple space search (see spd.h).
 *
 *   spd->dir[OUT].vec[v4] --> [ {cls 24/24, min 100}, {cls 0/0, min 500} ]
 *                                   |                      |
 *                               rculfhash               rculfhash
 *                        key: (src & /24, dst & /24)   key: (any, any)
 *
 * A class holds the policies of one direction with one (family, src
 * prefix length, dst prefix length).  The vector a reader walks lists the
 * non-empty classes of a direction and family sorted by a lower bound of
 * the priorities each holds; it is immutable and replaced as a whole
 * (rcu_assign_pointer, old one freed by call_rcu) when a class appears,
 * empties or gets a lower bound.  The bound only needs to be a lower bound
 * for the early stop to be right, so deletes do not recompute it each
 * time, only when the class has halved since it was last exact
 * (amortised O(1)).  Classes are freed only by spd_free: a reader may
 * still walk an old vector that points at an emptied class.
 *
 * A packet that matches nothing probes every class of its direction and
 * family, so each class keeps a small bit filter of its address pairs
 * (struct spd_filter): a class with nothing for the packet's addresses
 * then usually costs a bit test instead of hash-table cache misses.
 *
 * Readers do not walk the class's rculfhash (three or four cache misses a
 * probe at 100,000 policies) but the class's tagtab, a flat index of its
 * groups: the policies of one address pair, linked through dup_next in
 * lookup order (priority, then insertion), so that a probe costs one
 * cache line of index and the group's first node, and stops at the first
 * policy whose ports, protocol and interface match.  The rculfhash stays
 * the writer's index (exact-selector finds, filter rebuilds).
 *
 *   idx: [ .. | tag h(src,dst) -> node A | .. ]     A -> B -> C (dup_next)
 */
#include "config.h"

/* liburcu's inline read side (rcu_dereference without a call). */
#define _LGPL_SOURCE

#include "ipsec/spd.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>
#include <urcu/rculfhash.h>

#include "ipsec/sa.h"
#include "ipsec/table.h"
#include "ipsec/tagtab.h"

/*
 * A class's address filter: two bits per policy's address-pair hash, both
 * in one 64-bit word (a blocked Bloom filter: one memory access a test),
 * 16 bits per policy of capacity (about 2% false positives when full), so
 * a probe of a class that holds nothing for the packet's addresses usually
 * costs a bit test in cache instead of misses in the index.
 * Bits are only ever set while a filter is published; deletes leave them
 * (a false positive is only a wasted probe) and a rebuild clears them.
 */
struct spd_filter {
	struct rcu_head rcu;
	size_t cap;    /* policies it was sized for */
	uint32_t mask; /* bits - 1 */
	_Atomic uint64_t w[];
};

#define SPD_FILTER_MIN_CAP 16

struct spd_class {
	struct spd_class *next; /* all classes of a direction */
	struct cds_lfht *ht;
	struct tagtab *idx;	   /* RCU-published group index */
	struct spd_filter *filter; /* RCU-published; NULL: probe always */
	uint8_t family;
	uint8_t slen;
	uint8_t dlen;
	size_t count;
	size_t peak;	   /* largest count since min_prio was exact */
	uint32_t min_prio; /* lower bound of the priorities held */
};

struct spd_ref {
	struct spd_class *cls;
	uint32_t min_prio;
};

struct spd_vec {
	struct rcu_head rcu;
	size_t n;
	struct spd_ref ref[];
};

struct spd_node {
	struct cds_lfht_node cls_node; /* keyed by the selector's addresses */
	struct cds_lfht_node id_node;
	struct table_link link;
	struct rcu_head rcu;
	struct spd_class *cls;
	struct spd_node *_Atomic dup_next; /* next of the group, or NULL */
	uint64_t seq;			   /* insertion order: the tie-break */
	struct spd_policy p;
};

/* An index retired by a rebuild, freed after a grace period. */
struct spd_idx_old {
	struct rcu_head rcu;
	struct tagtab *t;
};

#define SPD_FAM_COUNT 2 /* index 0 IPv4, 1 IPv6 */

struct spd_dirtab {
	struct spd_vec *vec[SPD_FAM_COUNT];	 /* RCU-published */
	struct spd_class *classes;		 /* writer only */
	struct spd_class **index[SPD_FAM_COUNT]; /* by slen, dlen; lazily */
};

struct spd {
	struct spd_dirtab dir[SPD_DIR_COUNT];
	struct cds_lfht *byid;
	struct table_link all;
	uint32_t seed;
	size_t max;
	_Atomic size_t count;
	_Atomic uint64_t gen;
	uint64_t next_seq;
	uint32_t id_gen;
};

struct spd_cursor {
	struct table_link link;
};

struct spd_cache_ent {
	uint64_t gen; /* 0: empty (the SPD's generation starts at 1) */
	struct selector_key key;
	uint8_t dir;
	struct spd_policy *pol;
};

struct spd_cache {
	const struct spd *spd;
	uint32_t mask;
	uint64_t hits;
	uint64_t misses;
	struct spd_cache_ent ent[];
};

/* Masked addresses a class is probed with. */
struct spd_addr_key {
	const struct addr *src;
	const struct addr *dst;
};

static int
spd_fam_idx(int family)
{
	return family == AF_INET6;
}

static unsigned
spd_fam_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/*
 * Hash of one address (seeded, side 0 source, 1 destination), 32-bit
 * words at a time.  A lookup hashes each distinct masked address once and
 * combines the two per class (spd_pair_hash), so this is off the per-class
 * path.
 */
static uint32_t
spd_side_hash(const struct spd *spd, const struct addr *a, int side)
{
	uint64_t h = spd->seed ^ (uint64_t)a->family << 40 ^ (uint64_t)side;
	size_t n = addr_len(a);
	uint32_t w;

	for (size_t i = 0; i < n; i += 4) {
		memcpy(&w, a->bytes + i, 4);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)h;
}

static uint32_t
spd_pair_hash(uint32_t hs, uint32_t hd)
{
	uint64_t h = ((uint64_t)hs << 32 | hd) * 0xff51afd7ed558ccdull;

	return (uint32_t)(h >> 32 ^ h);
}

static unsigned long
spd_addr_hash(
    const struct spd *spd, const struct addr *src, const struct addr *dst)
{
	return spd_pair_hash(
	    spd_side_hash(spd, src, 0), spd_side_hash(spd, dst, 1));
}

static unsigned long
spd_node_hash(const struct spd *spd, const struct spd_node *sn)
{
	return spd_addr_hash(spd, &sn->p.sel.src.addr, &sn->p.sel.dst.addr);
}

static int
spd_cls_match(struct cds_lfht_node *n, const void *key)
{
	const struct spd_node *sn =
	    caa_container_of(n, struct spd_node, cls_node);
	const struct spd_addr_key *k = key;

	return addr_eq(&sn->p.sel.src.addr, k->src) &&
	    addr_eq(&sn->p.sel.dst.addr, k->dst);
}

static int
spd_id_match(struct cds_lfht_node *n, const void *key)
{
	const struct spd_node *sn =
	    caa_container_of(n, struct spd_node, id_node);

	return sn->p.id == *(const uint32_t *)key;
}

static unsigned long
spd_id_hash(const struct spd *spd, uint32_t id)
{
	return hash_bytes(&id, sizeof(id), spd->seed);
}

struct spd *
spd_new(uint32_t seed, size_t max_policies)
{
	struct spd *spd;

	spd = calloc(1, sizeof(*spd));
	if (spd == NULL)
		return NULL;
	spd->seed = seed;
	spd->max =
	    max_policies > SPD_MAX_POLICIES ? SPD_MAX_POLICIES : max_policies;
	table_list_init(&spd->all);
	atomic_init(&spd->gen, 1);
	spd->byid = cds_lfht_new(
	    64, 64, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	if (spd->byid == NULL) {
		free(spd);
		return NULL;
	}
	return spd;
}

static void
spd_node_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct spd_node, rcu));
}

static void
spd_vec_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct spd_vec, rcu));
}

static void
spd_filter_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct spd_filter, rcu));
}

/* The word of h (mask + 1 bits: at least 64, a power of two). */
static const _Atomic uint64_t *
spd_filter_word(const struct spd_filter *f, unsigned long h)
{
	return &f->w[((uint32_t)h * 0x9e3779b1u >> 7) & (f->mask >> 6)];
}

static uint64_t
spd_filter_bits(unsigned long h)
{
	return 1ull << (h & 63) | 1ull << ((h >> 6) & 63);
}

static void
spd_filter_add(struct spd_filter *f, unsigned long h)
{
	atomic_fetch_or_explicit((_Atomic uint64_t *)spd_filter_word(f, h),
	    spd_filter_bits(h), memory_order_relaxed);
}

static bool
spd_filter_check(const struct spd_filter *f, unsigned long h)
{
	uint64_t bits = spd_filter_bits(h);

	return (atomic_load_explicit(
		    spd_filter_word(f, h), memory_order_relaxed) &
		   bits) == bits;
}

/*
 * Publish a filter for cap policies holding the class's current ones (call
 * online).  On allocation failure the old filter stays: it still has a bit
 * for every policy, only more false positives.
 */
static void
spd_filter_rebuild(const struct spd *spd, struct spd_class *c, size_t cap)
{
	struct spd_filter *nf, *old = c->filter;
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct spd_node *sn;
	size_t bits = 64;

	if (cap < SPD_FILTER_MIN_CAP)
		cap = SPD_FILTER_MIN_CAP;
	while (bits < cap * 16 && bits < ((size_t)1 << 31))
		bits *= 2;
	nf = calloc(1, sizeof(*nf) + bits / 64 * sizeof(nf->w[0]));
	if (nf == NULL)
		return;
	nf->cap = cap;
	nf->mask = (uint32_t)(bits - 1);
	for (cds_lfht_first(c->ht, &it); (n = cds_lfht_iter_get_node(&it));
	     cds_lfht_next(c->ht, &it)) {
		sn = caa_container_of(n, struct spd_node, cls_node);
		spd_filter_add(nf, spd_node_hash(spd, sn));
	}
	rcu_assign_pointer(c->filter, nf);
	if (old != NULL)
		urcu_qsbr_call_rcu(&old->rcu, spd_filter_free_rcu);
}

void
spd_free(struct spd *spd)
{
	struct spd_class *c, *cn;
	bool was_online;
	int d, f;

	if (spd == NULL)
		return;
	spd_flush(spd);
	was_online = urcu_qsbr_read_ongoing();
	if (was_online)
		urcu_qsbr_thread_offline();
	urcu_qsbr_barrier(); /* the policies and vectors flushed above */
	for (d = 0; d < SPD_DIR_COUNT; d++) {
		for (f = 0; f < SPD_FAM_COUNT; f++) {
			free(spd->dir[d].vec[f]);
			free(spd->dir[d].index[f]);
		}
		for (c = spd->dir[d].classes; c != NULL; c = cn) {
			cn = c->next;
			cds_lfht_destroy(c->ht, NULL);
			tagtab_free(c->idx);
			free(c->filter);
			free(c);
		}
	}
	cds_lfht_destroy(spd->byid, NULL);
	if (was_online)
		urcu_qsbr_thread_online();
	free(spd);
}

static int
spd_ref_cmp(const void *a, const void *b)
{
	const struct spd_ref *x = a, *y = b;

	return (x->min_prio > y->min_prio) - (x->min_prio < y->min_prio);
}

/*
 * Publish a new vector of dir's non-empty classes of family fam.  On
 * allocation failure the old vector stays: it may then miss a new class
 * or hold a stale bound, so the caller undoes its change (returns false).
 */
static bool
spd_vec_rebuild(struct spd *spd, int dir, int fam)
{
	struct spd_dirtab *dt = &spd->dir[dir];
	struct spd_vec *nv, *old;
	struct spd_class *c;
	size_t n = 0;

	for (c = dt->classes; c != NULL; c = c->next)
		if (spd_fam_idx(c->family) == fam && c->count > 0)
			n++;
	nv = malloc(sizeof(*nv) + n * sizeof(nv->ref[0]));
	if (nv == NULL)
		return false;
	nv->n = 0;
	for (c = dt->classes; c != NULL; c = c->next) {
		if (spd_fam_idx(c->family) != fam || c->count == 0)
			continue;
		nv->ref[nv->n].cls = c;
		nv->ref[nv->n].min_prio = c->min_prio;
		nv->n++;
	}
	qsort(nv->ref, nv->n, sizeof(nv->ref[0]), spd_ref_cmp);
	old = dt->vec[fam];
	rcu_assign_pointer(dt->vec[fam], nv);
	if (old != NULL)
		urcu_qsbr_call_rcu(&old->rcu, spd_vec_free_rcu);
	return true;
}

static size_t
spd_class_slot(const struct selector *sel)
{
	return sel->src.len * (spd_fam_bits(sel->src.addr.family) + 1) +
	    sel->dst.len;
}

/* The class of dir for the selector's (family, slen, dlen), or NULL. */
static struct spd_class *
spd_class_find(const struct spd *spd, int dir, const struct selector *sel)
{
	struct spd_class **index;

	index = spd->dir[dir].index[spd_fam_idx(sel->src.addr.family)];
	return index == NULL ? NULL : index[spd_class_slot(sel)];
}

/* The same, created if needed; NULL on allocation failure. */
static struct spd_class *
spd_class_get(struct spd *spd, int dir, const struct selector *sel)
{
	struct spd_dirtab *dt = &spd->dir[dir];
	int family = sel->src.addr.family, fam = spd_fam_idx(family);
	size_t side = spd_fam_bits(family) + 1;
	struct spd_class *c;

	if (dt->index[fam] == NULL) {
		dt->index[fam] = calloc(side * side, sizeof(*dt->index[fam]));
		if (dt->index[fam] == NULL)
			return NULL;
	}
	c = dt->index[fam][spd_class_slot(sel)];
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->ht = cds_lfht_new(
	    16, 16, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	c->idx = tagtab_new(0);
	if (c->ht == NULL || c->idx == NULL) {
		if (c->ht != NULL)
			cds_lfht_destroy(c->ht, NULL);
		tagtab_free(c->idx);
		free(c);
		return NULL;
	}
	c->family = (uint8_t)family;
	c->slen = sel->src.len;
	c->dlen = sel->dst.len;
	c->next = dt->classes;
	dt->classes = c;
	dt->index[fam][spd_class_slot(sel)] = c;
	return c;
}

/* Find the node of (dir, sel); call online. */
static struct spd_node *
spd_find_sel(const struct spd *spd, int dir, const struct selector *sel)
{
	struct spd_addr_key k = { &sel->src.addr, &sel->dst.addr };
	struct spd_class *c;
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct spd_node *sn;

	c = spd_class_find(spd, dir, sel);
	if (c == NULL || c->count == 0)
		return NULL;
	cds_lfht_lookup(
	    c->ht, spd_addr_hash(spd, k.src, k.dst), spd_cls_match, &k, &it);
	for (; (n = cds_lfht_iter_get_node(&it)) != NULL;
	     cds_lfht_next_duplicate(c->ht, spd_cls_match, &k, &it)) {
		sn = caa_container_of(n, struct spd_node, cls_node);
		if (selector_eq(&sn->p.sel, sel))
			return sn;
	}
	return NULL;
}

static bool
spd_tmpl_valid(const struct spd_tmpl *t)
{
	if (t->proto != IPPROTO_ESP && t->proto != IPPROTO_AH &&
	    t->proto != IPPROTO_COMP)
		return false;
	if (t->mode != SA_MODE_TRANSPORT && t->mode != SA_MODE_TUNNEL &&
	    t->mode != SA_MODE_BEET)
		return false;
	return t->level <= KNOBS_LEVEL_UNIQUE;
}

static bool
spd_policy_valid(const struct spd_policy *p)
{
	const char *why;
	unsigned i;

	if (p->dir >= SPD_DIR_COUNT || p->action > SPD_ACTION_IPSEC ||
	    p->ntmpl > SPD_TMPL_MAX || !selector_check(&p->sel, &why))
		return false;
	if (p->action == SPD_ACTION_IPSEC && p->ntmpl == 0)
		return false;
	for (i = 0; i < p->ntmpl; i++)
		if (!spd_tmpl_valid(&p->tmpl[i]))
			return false;
	return true;
}

/* A fresh id with id % 8 == dir, unused (Linux xfrm_gen_index). */
static uint32_t
spd_gen_id(struct spd *spd, int dir)
{
	uint32_t id;

	for (;;) {
		id = spd->id_gen | (uint32_t)dir;
		spd->id_gen += 8;
		if (id == 0)
			id = 8;
		if (spd_lookup_id(spd, id) == NULL)
			return id;
	}
}

static void
spd_bump(struct spd *spd)
{
	atomic_fetch_add_explicit(&spd->gen, 1, memory_order_release);
}

static void
spd_idx_free_rcu(struct rcu_head *head)
{
	struct spd_idx_old *o = caa_container_of(head, struct spd_idx_old, rcu);

	tagtab_free(o->t);
	free(o);
}

/* Publish n as c's index; the old one goes after a grace period. */
static void
spd_idx_publish(struct spd_class *c, struct tagtab *n)
{
	struct tagtab *old = c->idx;
	struct spd_idx_old *o;
	bool was_online;

	rcu_assign_pointer(c->idx, n);
	if ((o = malloc(sizeof(*o))) != NULL) {
		o->t = old;
		urcu_qsbr_call_rcu(&o->rcu, spd_idx_free_rcu);
		return;
	}
	/* No memory for the deferred free: wait for the readers here. */
	was_online = urcu_qsbr_read_ongoing();
	if (was_online)
		urcu_qsbr_thread_offline();
	urcu_qsbr_synchronize_rcu();
	if (was_online)
		urcu_qsbr_thread_online();
	tagtab_free(old);
}

/* Does a come before b in a group (lookup order)? */
static bool
spd_node_before(const struct spd_node *a, const struct spd_node *b)
{
	return a->p.priority < b->p.priority ||
	    (a->p.priority == b->p.priority && a->seq < b->seq);
}

/* The head of the group of sn's addresses in c, and its slot; or NULL. */
static struct spd_node *
spd_group_find(const struct spd *spd, const struct spd_class *c,
    const struct selector *sel, size_t *slot)
{
	uint32_t h =
	    (uint32_t)spd_addr_hash(spd, &sel->src.addr, &sel->dst.addr);
	size_t pos = tagtab_start(c->idx, h);
	struct spd_node *head;

	while ((head = tagtab_next(c->idx, h, &pos, slot)) != NULL)
		if (addr_eq(&head->p.sel.src.addr, &sel->src.addr) &&
		    addr_eq(&head->p.sel.dst.addr, &sel->dst.addr))
			return head;
	return NULL;
}

/*
 * Link sn into its group in c->idx, in lookup order; a node is published
 * with its dup_next already set.  False when the index cannot grow.
 */
static bool
spd_group_add(struct spd *spd, struct spd_class *c, struct spd_node *sn)
{
	struct spd_node *head, *prev, *next;
	struct tagtab *n;
	size_t slot;

	head = spd_group_find(spd, c, &sn->p.sel, &slot);
	if (head == NULL) {
		if (tagtab_needs_rebuild(c->idx)) {
			if ((n = tagtab_rebuild(c->idx)) == NULL)
				return false;
			spd_idx_publish(c, n);
		}
		atomic_store_explicit(
		    &sn->dup_next, NULL, memory_order_relaxed);
		return tagtab_add(c->idx, (uint32_t)spd_node_hash(spd, sn), sn);
	}
	if (spd_node_before(sn, head)) {
		atomic_store_explicit(
		    &sn->dup_next, head, memory_order_relaxed);
		tagtab_store(c->idx, slot, sn);
		return true;
	}
	prev = head;
	while ((next = atomic_load_explicit(
		    &prev->dup_next, memory_order_relaxed)) != NULL &&
	    !spd_node_before(sn, next))
		prev = next;
	atomic_store_explicit(&sn->dup_next, next, memory_order_relaxed);
	atomic_store_explicit(&prev->dup_next, sn, memory_order_release);
	return true;
}

/*
 * Unlink sn from its group.  sn->dup_next stays: a reader standing on sn
 * goes on to the rest of the group (RCU list removal).
 */
static void
spd_group_del(struct spd *spd, struct spd_class *c, struct spd_node *sn)
{
	struct spd_node *head, *prev, *next;
	size_t slot;

	head = spd_group_find(spd, c, &sn->p.sel, &slot);
	next = atomic_load_explicit(&sn->dup_next, memory_order_relaxed);
	if (head == sn) {
		tagtab_store(c->idx, slot, next);
		return;
	}
	for (prev = head; prev != NULL;
	     prev =
		 atomic_load_explicit(&prev->dup_next, memory_order_relaxed)) {
		if (atomic_load_explicit(
			&prev->dup_next, memory_order_relaxed) == sn) {
			atomic_store_explicit(
			    &prev->dup_next, next, memory_order_release);
			return;
		}
	}
}

/* Add sn to its class (creating it), keeping the vector right. */
static enum spd_status
spd_class_add(struct spd *spd, struct spd_node *sn)
{
	const struct selector *sel = &sn->p.sel;
	int dir = sn->p.dir, fam = spd_fam_idx(sel->src.addr.family);
	struct spd_class *c;
	uint32_t old_min;
	size_t old_peak;

	c = spd_class_get(spd, dir, sel);
	if (c == NULL)
		return SPD_NOMEM;
	old_min = c->min_prio;
	old_peak = c->peak;
	if (c->count == 0 || sn->p.priority < c->min_prio) {
		c->min_prio = sn->p.priority;
		if (c->count == 0)
			c->peak = 0;
		/* A visible class gets its lower bound before the policy. */
		if (c->count > 0 && !spd_vec_rebuild(spd, dir, fam)) {
			c->min_prio = old_min;
			return SPD_NOMEM;
		}
	}
	sn->cls = c;
	if (c->filter == NULL || c->count + 1 > c->filter->cap)
		spd_filter_rebuild(spd, c, 2 * (c->count + 1));
	/* The bit before the node: a reader that finds it finds the bit. */
	if (c->filter != NULL)
		spd_filter_add(c->filter, spd_node_hash(spd, sn));
	if (!spd_group_add(spd, c, sn)) {
		c->min_prio = old_min; /* a lower bound still: harmless */
		return SPD_NOMEM;
	}
	cds_lfht_add(c->ht, spd_node_hash(spd, sn), &sn->cls_node);
	c->count++;
	if (c->count > c->peak)
		c->peak = c->count;
	if (c->count == 1 && !spd_vec_rebuild(spd, dir, fam)) {
		spd_group_del(spd, c, sn);
		cds_lfht_del(c->ht, &sn->cls_node);
		c->count = 0;
		c->min_prio = old_min;
		c->peak = old_peak;
		return SPD_NOMEM;
	}
	return SPD_OK;
}

/* Exact lowest priority of a non-empty class (call online). */
static uint32_t
spd_class_min(struct spd_class *c)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct spd_node *sn;
	uint32_t m = UINT32_MAX;

	for (cds_lfht_first(c->ht, &it); (n = cds_lfht_iter_get_node(&it));
	     cds_lfht_next(c->ht, &it)) {
		sn = caa_container_of(n, struct spd_node, cls_node);
		if (sn->p.priority < m)
			m = sn->p.priority;
	}
	return m;
}

/* Remove sn from its class; keep the vector right. */
static void
spd_class_del(struct spd *spd, struct spd_node *sn)
{
	struct spd_class *c = sn->cls;
	int fam = spd_fam_idx(c->family);
	uint32_t m;

	spd_group_del(spd, c, sn);
	cds_lfht_del(c->ht, &sn->cls_node);
	c->count--;
	/* Shrink, and drop the bits of the deleted, at a quarter full. */
	if (c->filter != NULL && c->filter->cap > SPD_FILTER_MIN_CAP &&
	    c->count * 4 < c->filter->cap)
		spd_filter_rebuild(spd, c, 2 * c->count);
	if (c->count == 0) {
		/* On failure the empty class stays listed: harmless. */
		spd_vec_rebuild(spd, sn->p.dir, fam);
		return;
	}
	if (c->count * 2 >= c->peak)
		return;
	m = spd_class_min(c);
	c->peak = c->count;
	if (m != c->min_prio) {
		/* Raising the bound needs the new vector out first. */
		uint32_t old = c->min_prio;

		c->min_prio = m;
		if (!spd_vec_rebuild(spd, sn->p.dir, fam))
			c->min_prio = old;
	}
}

static struct spd_node *
spd_node_new(const struct spd_policy *pol)
{
	struct spd_node *sn;

	sn = calloc(1, sizeof(*sn));
	if (sn == NULL)
		return NULL;
	/* memcpy: the policy holds _Atomic counters. */
	memcpy(&sn->p, pol, sizeof(sn->p));
	atomic_init(&sn->p.use_sec, 0);
	atomic_init(&sn->p.bytes, 0);
	atomic_init(&sn->p.packets, 0);
	cds_lfht_node_init(&sn->cls_node);
	cds_lfht_node_init(&sn->id_node);
	table_list_init(&sn->link);
	return sn;
}

/* Replace old by sn (SPDUPDATE): same id and tie-break place. */
static enum spd_status
spd_replace(struct spd *spd, struct spd_node *old, struct spd_node *sn)
{
	enum spd_status st;

	sn->p.id = old->p.id;
	sn->seq = old->seq;
	st = spd_class_add(spd, sn);
	if (st != SPD_OK)
		return st;
	cds_lfht_add(spd->byid, spd_id_hash(spd, sn->p.id), &sn->id_node);
	cds_lfht_del(spd->byid, &old->id_node);
	spd_class_del(spd, old);
	table_link_replace(&old->link, &sn->link);
	spd_bump(spd);
	urcu_qsbr_call_rcu(&old->rcu, spd_node_free_rcu);
	return SPD_OK;
}

enum spd_status
spd_insert(
    struct spd *spd, const struct spd_policy *pol, bool is_update, uint32_t *id)
{
	struct spd_node *sn, *old;
	enum spd_status st;
	bool was_offline;

	if (!spd_policy_valid(pol))
		return SPD_INVALID;
	sn = spd_node_new(pol);
	if (sn == NULL)
		return SPD_NOMEM;
	was_offline = table_rcu_enter();
	old = spd_find_sel(spd, pol->dir, &pol->sel);
	if (old != NULL) {
		st = is_update ? spd_replace(spd, old, sn) : SPD_EXISTS;
	} else if (atomic_load(&spd->count) >= spd->max) {
		st = SPD_FULL;
	} else {
		sn->p.id = spd_gen_id(spd, pol->dir);
		sn->seq = ++spd->next_seq;
		st = spd_class_add(spd, sn);
		if (st == SPD_OK) {
			cds_lfht_add(spd->byid, spd_id_hash(spd, sn->p.id),
			    &sn->id_node);
			table_link_insert_before(&spd->all, &sn->link);
			atomic_fetch_add(&spd->count, 1);
			spd_bump(spd);
		}
	}
	table_rcu_leave(was_offline);
	if (st != SPD_OK) {
		free(sn);
		return st;
	}
	if (id != NULL)
		*id = sn->p.id;
	return SPD_OK;
}

/* Unpublish sn and free it after a grace period; call online. */
static void
spd_remove(struct spd *spd, struct spd_node *sn)
{
	cds_lfht_del(spd->byid, &sn->id_node);
	spd_class_del(spd, sn);
	table_link_del(&sn->link);
	atomic_fetch_sub(&spd->count, 1);
	/* Caches drop their pointers to sn before it can be freed. */
	spd_bump(spd);
	urcu_qsbr_call_rcu(&sn->rcu, spd_node_free_rcu);
}

enum spd_status
spd_delete_id(struct spd *spd, uint32_t id)
{
	struct spd_policy *p;
	bool was_offline;

	was_offline = table_rcu_enter();
	p = spd_lookup_id(spd, id);
	if (p != NULL)
		spd_remove(spd, caa_container_of(p, struct spd_node, p));
	table_rcu_leave(was_offline);
	return p != NULL ? SPD_OK : SPD_NOTFOUND;
}

enum spd_status
spd_delete_sel(struct spd *spd, enum spd_dir dir, const struct selector *sel)
{
	struct spd_node *sn = NULL;
	bool was_offline;

	if ((unsigned)dir >= SPD_DIR_COUNT)
		return SPD_NOTFOUND;
	was_offline = table_rcu_enter();
	sn = spd_find_sel(spd, dir, sel);
	if (sn != NULL)
		spd_remove(spd, sn);
	table_rcu_leave(was_offline);
	return sn != NULL ? SPD_OK : SPD_NOTFOUND;
}

void
spd_flush(struct spd *spd)
{
	struct table_link *l, *next;
	struct spd_node *sn;
	struct spd_class *c;
	bool was_offline;
	int d, f;

	was_offline = table_rcu_enter();
	/* Readers first lose the classes, then the policies go. */
	for (d = 0; d < SPD_DIR_COUNT; d++) {
		for (c = spd->dir[d].classes; c != NULL; c = c->next)
			c->count = 0;
		for (f = 0; f < SPD_FAM_COUNT; f++)
			if (spd->dir[d].vec[f] != NULL &&
			    spd->dir[d].vec[f]->n > 0)
				spd_vec_rebuild(spd, d, f);
	}
	for (l = spd->all.next; l != &spd->all; l = next) {
		next = l->next;
		if (l->is_cursor)
			continue;
		sn = caa_container_of(l, struct spd_node, link);
		cds_lfht_del(sn->cls->ht, &sn->cls_node);
		cds_lfht_del(spd->byid, &sn->id_node);
		table_link_del(&sn->link);
		urcu_qsbr_call_rcu(&sn->rcu, spd_node_free_rcu);
	}
	for (d = 0; d < SPD_DIR_COUNT; d++) {
		for (c = spd->dir[d].classes; c != NULL; c = c->next) {
			tagtab_clear(c->idx);
			if (c->filter != NULL)
				spd_filter_rebuild(spd, c, 0);
		}
	}
	atomic_store(&spd->count, 0);
	spd_bump(spd);
	table_rcu_leave(was_offline);
}

struct spd_policy *
spd_lookup_id(const struct spd *spd, uint32_t id)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	bool was_offline;

	was_offline = table_rcu_enter();
	cds_lfht_lookup(
	    spd->byid, spd_id_hash(spd, id), spd_id_match, &id, &it);
	n = cds_lfht_iter_get_node(&it);
	table_rcu_leave(was_offline);
	return n == NULL ? NULL
			 : &caa_container_of(n, struct spd_node, id_node)->p;
}

struct spd_policy *
spd_lookup_sel(
    const struct spd *spd, enum spd_dir dir, const struct selector *sel)
{
	struct spd_node *sn;
	bool was_offline;

	if ((unsigned)dir >= SPD_DIR_COUNT)
		return NULL;
	was_offline = table_rcu_enter();
	sn = spd_find_sel(spd, dir, sel);
	table_rcu_leave(was_offline);
	return sn == NULL ? NULL : &sn->p;
}

/* Everything but the prefixes, which the class probe already matched. */
static bool
spd_match_rest(const struct selector *s, const struct selector_key *k)
{
	if (s->proto != 0 && s->proto != SELECTOR_PROTO_ANY &&
	    s->proto != k->proto)
		return false;
	if (k->sport < s->sport_lo || k->sport > s->sport_hi ||
	    k->dport < s->dport_lo || k->dport > s->dport_hi)
		return false;
	return s->if_id == 0 || s->if_id == k->if_id;
}

/* Clear the host bits past len of a masked copy (both families). */
static void
spd_mask(struct addr *a, unsigned len)
{
	size_t n = a->family == AF_INET6 ? 16 : 4, full = len / 8;

	if (full >= n)
		return;
	a->bytes[full] &= (uint8_t)(0xff00u >> (len % 8));
	memset(a->bytes + full + 1, 0, n - full - 1);
}

/*
 * The packet's addresses masked to each prefix length a lookup meets, and
 * their hashes, computed once per length (a direction may have dozens of
 * classes but few distinct lengths on each side).
 */
struct spd_masks {
	uint64_t done[2][3]; /* bit len of side: computed (0..128) */
	uint32_t h[2][129];
	struct addr a[2][129];
};

static const struct addr *
spd_masked(const struct spd *spd, struct spd_masks *m,
    const struct selector_key *k, int side, unsigned len, uint32_t *h)
{
	uint64_t bit = 1ull << (len % 64);

	if ((m->done[side][len / 64] & bit) == 0) {
		m->a[side][len] = side == 0 ? k->src : k->dst;
		spd_mask(&m->a[side][len], len);
		m->h[side][len] = spd_side_hash(spd, &m->a[side][len], side);
		m->done[side][len / 64] |= bit;
	}
	*h = m->h[side][len];
	return &m->a[side][len];
}

/* A class probe prepared ahead: masked addresses, hash, filter. */
struct spd_probe_key {
	const struct spd_class *c;
	const struct spd_filter *f;
	uint32_t h;
	const struct addr *src;
	const struct addr *dst;
};

#define SPD_PROBE_AHEAD 8

static void
spd_probe_prepare(const struct spd *spd, const struct spd_class *c,
    const struct selector_key *k, struct spd_masks *m, struct spd_probe_key *pk)
{
	uint32_t hs, hd;

	pk->c = c;
	pk->src = spd_masked(spd, m, k, 0, c->slen, &hs);
	pk->dst = spd_masked(spd, m, k, 1, c->dlen, &hd);
	pk->h = spd_pair_hash(hs, hd);
	pk->f = rcu_dereference(c->filter);
	/*
	 * The index slot too: when the filter passes, its miss then overlaps
	 * the others instead of following the filter's.
	 */
	if (pk->f != NULL)
		__builtin_prefetch(spd_filter_word(pk->f, pk->h));
	tagtab_prefetch(rcu_dereference(c->idx), pk->h);
}

/*
 * Probe one class; improve *best.  The group of the packet's masked
 * addresses is in lookup order, so its first node that matches the rest
 * of the selector is its best, and once a node cannot beat *best none
 * after it can.
 */
static void
spd_probe(const struct spd_probe_key *pk, const struct selector_key *k,
    struct spd_node **best, struct spd_lookup_work *w)
{
	struct spd_node *sn, *b = *best;
	const struct tagtab *idx;
	size_t pos, slot;

	if (w != NULL)
		w->classes++;
	if (pk->f != NULL && !spd_filter_check(pk->f, pk->h))
		return;
	if (w != NULL)
		w->passed++;
	idx = rcu_dereference(pk->c->idx);
	pos = tagtab_start(idx, pk->h);
	while ((sn = tagtab_next(idx, pk->h, &pos, &slot)) != NULL) {
		if (!addr_eq(&sn->p.sel.src.addr, pk->src) ||
		    !addr_eq(&sn->p.sel.dst.addr, pk->dst))
			continue; /* another pair with the same hash */
		for (; sn != NULL; sn = atomic_load_explicit(
				       &sn->dup_next, memory_order_acquire)) {
			if (b != NULL && !spd_node_before(sn, b))
				break;
			if (w != NULL)
				w->policies++;
			if (spd_match_rest(&sn->p.sel, k)) {
				b = sn;
				break;
			}
		}
		break; /* one group per address pair */
	}
	*best = b;
}

/*
 * Classes in order of their priority bound, SPD_PROBE_AHEAD at a time:
 * first each one's hash is computed and its filter word prefetched, then
 * they are probed, so the filters' cache misses overlap.
 */
struct spd_policy *
spd_lookup_counted(const struct spd *spd, enum spd_dir dir,
    const struct selector_key *k, struct spd_lookup_work *w)
{
	struct spd_probe_key pk[SPD_PROBE_AHEAD];
	struct spd_masks m;
	const struct spd_vec *v;
	struct spd_node *best = NULL;
	bool was_offline;
	size_t i, j, n;

	if ((unsigned)dir >= SPD_DIR_COUNT ||
	    (k->family != AF_INET && k->family != AF_INET6))
		return NULL;
	memset(m.done, 0, sizeof(m.done));
	was_offline = table_rcu_enter();
	v = rcu_dereference(spd->dir[dir].vec[spd_fam_idx(k->family)]);
	for (i = 0; v != NULL && i < v->n; i += n) {
		n = v->n - i < SPD_PROBE_AHEAD ? v->n - i : SPD_PROBE_AHEAD;
		/* Sorted by bound: nothing further can win. */
		if (best != NULL && v->ref[i].min_prio > best->p.priority)
			break;
		for (j = 0; j < n; j++)
			spd_probe_prepare(
			    spd, v->ref[i + j].cls, k, &m, &pk[j]);
		for (j = 0; j < n; j++) {
			if (best != NULL &&
			    v->ref[i + j].min_prio > best->p.priority)
				goto done;
			spd_probe(&pk[j], k, &best, w);
		}
	}
done:
	table_rcu_leave(was_offline);
	return best == NULL ? NULL : &best->p;
}

struct spd_policy *
spd_lookup(
    const struct spd *spd, enum spd_dir dir, const struct selector_key *k)
{
	return spd_lookup_counted(spd, dir, k, NULL);
}

size_t
spd_count(const struct spd *spd)
{
	return atomic_load(&spd->count);
}

uint64_t
spd_gen(const struct spd *spd)
{
	return atomic_load_explicit(&spd->gen, memory_order_acquire);
}

struct spd_cache *
spd_cache_new(const struct spd *spd, unsigned bits)
{
	struct spd_cache *c;
	size_t n;

	if (bits < 1)
		bits = 1;
	if (bits > 16)
		bits = 16;
	n = (size_t)1 << bits;
	c = calloc(1, sizeof(*c) + n * sizeof(c->ent[0]));
	if (c == NULL)
		return NULL;
	c->spd = spd;
	c->mask = (uint32_t)(n - 1);
	return c;
}

void
spd_cache_free(struct spd_cache *c)
{
	free(c);
}

struct spd_policy *
spd_cache_lookup(
    struct spd_cache *c, enum spd_dir dir, const struct selector_key *k)
{
	uint64_t gen = spd_gen(c->spd);
	struct spd_cache_ent *e;

	e = &c->ent[selector_key_hash(k, c->spd->seed ^ (uint32_t)dir) &
	    c->mask];
	/*
	 * Generation read before the lookup: a change racing with it leaves
	 * the slot tagged with the old generation, hence stale.
	 */
	if (e->gen == gen && e->dir == dir && selector_key_eq(&e->key, k)) {
		c->hits++;
		return e->pol;
	}
	c->misses++;
	e->pol = spd_lookup(c->spd, dir, k);
	e->key = *k;
	e->dir = (uint8_t)dir;
	e->gen = gen;
	return e->pol;
}

void
spd_cache_stats(const struct spd_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}

/* FreeBSD's IPSEC_CHECK_DEFAULT: anything but a real level is REQUIRE. */
static enum knobs_level
spd_deflev(uint8_t knob)
{
	if (knob == KNOBS_LEVEL_USE || knob == KNOBS_LEVEL_REQUIRE ||
	    knob == KNOBS_LEVEL_UNIQUE)
		return (enum knobs_level)knob;
	return KNOBS_LEVEL_REQUIRE;
}

enum knobs_level
spd_level(const struct spd_tmpl *t, const struct knobs *k)
{
	bool is_net = t->mode == SA_MODE_TUNNEL;

	if (t->level != KNOBS_LEVEL_DEFAULT)
		return spd_deflev(t->level);
	switch (t->proto) {
	case IPPROTO_ESP:
		return spd_deflev(
		    is_net ? k->esp_net_deflev : k->esp_trans_deflev);
	case IPPROTO_AH:
		return spd_deflev(
		    is_net ? k->ah_net_deflev : k->ah_trans_deflev);
	case IPPROTO_COMP:
		return KNOBS_LEVEL_USE;
	default:
		return KNOBS_LEVEL_REQUIRE;
	}
}

enum spd_action
spd_default_action(const struct knobs *k)
{
	return k->def_policy == KNOBS_POLICY_DISCARD ? SPD_ACTION_DISCARD
						     : SPD_ACTION_NONE;
}

struct spd_cursor *
spd_cursor_new(struct spd *spd)
{
	struct spd_cursor *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->link.is_cursor = true;
	c->link.prev = &spd->all;
	c->link.next = spd->all.next;
	spd->all.next->prev = &c->link;
	spd->all.next = &c->link;
	return c;
}

struct spd_policy *
spd_cursor_next(struct spd *spd, struct spd_cursor *c)
{
	struct table_link *l = table_cursor_step(&spd->all, &c->link);

	if (l == NULL)
		return NULL;
	return &caa_container_of(l, struct spd_node, link)->p;
}

void
spd_cursor_free(struct spd *spd, struct spd_cursor *c)
{
	(void)spd;
	if (c == NULL)
		return;
	table_link_del(&c->link);
	free(c);
}

size_t
spd_mem_bytes(const struct spd *spd)
{
	size_t n = atomic_load(&spd->count);
	/* Policies, each with about two buckets in each of its tables. */
	size_t bytes =
	    sizeof(*spd) + n * (sizeof(struct spd_node) + 4 * sizeof(void *));
	for (size_t d = 0; d < SPD_DIR_COUNT; d++)
		for (const struct spd_class *c = spd->dir[d].classes; c != NULL;
		     c = c->next) {
			bytes += sizeof(*c);
			if (c->idx != NULL)
				bytes += tagtab_bytes(c->idx);
			if (c->filter != NULL)
				bytes += sizeof(*c->filter) +
				    (size_t)(c->filter->mask + 1) / 64 *
					sizeof(uint64_t);
		}
	return bytes;
}
