/*
 * Security Association Database (see sad.h for the threading contract).
 *
 * Each SA lives in one allocation:
 *
 *   struct sad_node                                    replay window
 *   +---------+----------+------+-----+-----------+ +-------------+
 *   | in_node | grp_link | link | rcu | sad_entry | | replay_bytes|
 *   +---------+----------+------+-----+-----------+ +-------------+
 *     (spi,proto,dst)  group of        control list   sa.replay -^
 *                      (src,dst,proto,reqid)
 *
 * in_node is in the inbound table, unique per (spi, proto, dst); the
 * workers' inbound lookups go through a copy of that key in idx (spitab.c:
 * one cache line per lookup where the chained table needs three or four),
 * the control thread's through in_node.  The outbound table holds one
 * struct sad_group per (src, dst, proto, reqid) and grp_link puts the SA
 * on its group's list: the old and new SAs of a rekey, or the many SAs
 * two gateways share, which the outbound lookup walks.  Both tables are
 * rculfhash tables and the lists RCU lists; only the control thread adds
 * and removes, and frees through call_rcu.
 */
#include "config.h"

/* liburcu's inline read side (rcu_dereference without a call). */
#define _LGPL_SOURCE

#include "ipsec/sad.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>
#include <urcu/rculfhash.h>
#include <urcu/rculist.h>

#include "common/secret.h"
#include "ipsec/spitab.h"
#include "ipsec/table.h"

/*
 * The SAs sharing one (src, dst, proto, reqid): the outbound table holds
 * one group per pair, so the old and new SAs of a rekey, or thousands of
 * SAs between two gateways, cost one list append each, not a walk past
 * every duplicate in a hash chain.  Readers walk the members with RCU.
 */
struct sad_group {
	struct cds_lfht_node node;
	struct cds_list_head members; /* sad_node.grp_link, RCU list */
	struct rcu_head rcu;
	size_t n;
	struct addr src;
	struct addr dst;
	uint8_t proto;
	uint32_t reqid;
};

struct sad_node {
	struct cds_lfht_node in_node;
	struct cds_list_head grp_link; /* in grp->members */
	struct sad_group *grp;
	struct table_link link;
	struct rcu_head rcu;
	/* Per-worker state: set from the SAD when published (sad_wstate_*). */
	sad_wstate_free_fn wfree;
	unsigned nslots;
	void *_Atomic
	    *_Atomic wstate; /* nslots slots, allocated on first use */
	struct sad_entry e;
};

struct sad_cursor {
	struct table_link link;
};

struct sad {
	struct spitab *idx; /* RCU-published; replaced when rebuilt */
	struct cds_lfht *in;
	struct cds_lfht *out;
	struct table_link all; /* every node, in insertion order */
	uint32_t seed;
	size_t max;
	_Atomic size_t count;
	uint64_t next_serial;
	uint64_t next_order;
	sad_wstate_free_fn wfree;
	unsigned nslots;
};

struct sad_in_key {
	uint32_t spi;
	uint8_t proto;
	const struct addr *dst;
};

struct sad_pair_key {
	const struct addr *src;
	const struct addr *dst;
	uint8_t proto;
	uint32_t reqid;
};

/* Initial buckets; the tables grow (and shrink) with their contents. */
#define SAD_INIT_BUCKETS 1024

static struct sad_node *
sad_node_of(const struct sad_entry *e)
{
	return caa_container_of(e, struct sad_node, e);
}

static unsigned long
sad_in_hash(
    const struct sad *sad, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	return addr_hash(dst, sad->seed ^ (spi * 0x9e3779b1u) ^ proto);
}

static unsigned long
sad_pair_hash(const struct sad *sad, const struct sad_pair_key *k)
{
	return addr_hash(k->dst,
	    addr_hash(k->src, sad->seed) ^ k->proto ^ (k->reqid * 0x9e3779b1u));
}

static struct sad_pair_key
sad_pair_key_of(const struct sad_entry *e)
{
	struct sad_pair_key k = { &e->sa.src, &e->sa.dst, e->sa.proto,
		e->sa.reqid };

	return k;
}

static int
sad_in_match(struct cds_lfht_node *n, const void *key)
{
	const struct sad_node *sn =
	    caa_container_of(n, struct sad_node, in_node);
	const struct sad_in_key *k = key;

	return sn->e.sa.spi == k->spi && sn->e.sa.proto == k->proto &&
	    addr_eq(&sn->e.sa.dst, k->dst);
}

static int
sad_pair_match(struct cds_lfht_node *n, const void *key)
{
	const struct sad_group *g = caa_container_of(n, struct sad_group, node);
	const struct sad_pair_key *k = key;

	return g->proto == k->proto && g->reqid == k->reqid &&
	    addr_eq(&g->src, k->src) && addr_eq(&g->dst, k->dst);
}

static void
sad_group_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct sad_group, rcu));
}

/*
 * Put sn into the group of its pair, made when it is the first; false
 * when out of memory.  Control thread, online.
 */
static bool
sad_group_join(struct sad *sad, struct sad_node *sn)
{
	struct sad_pair_key pk = sad_pair_key_of(&sn->e);
	unsigned long h = sad_pair_hash(sad, &pk);
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct sad_group *g;

	cds_lfht_lookup(sad->out, h, sad_pair_match, &pk, &it);
	if ((n = cds_lfht_iter_get_node(&it)) != NULL)
		g = caa_container_of(n, struct sad_group, node);
	else {
		if ((g = calloc(1, sizeof(*g))) == NULL)
			return false;
		CDS_INIT_LIST_HEAD(&g->members);
		cds_lfht_node_init(&g->node);
		g->src = sn->e.sa.src;
		g->dst = sn->e.sa.dst;
		g->proto = sn->e.sa.proto;
		g->reqid = sn->e.sa.reqid;
		cds_lfht_add(sad->out, h, &g->node);
	}
	cds_list_add_tail_rcu(&sn->grp_link, &g->members);
	g->n++;
	sn->grp = g;
	return true;
}

/* Take sn out of its group; the last one out frees the group (RCU). */
static void
sad_group_leave(struct sad *sad, struct sad_node *sn)
{
	struct sad_group *g = sn->grp;

	if (g == NULL)
		return;
	cds_list_del_rcu(&sn->grp_link);
	sn->grp = NULL;
	if (--g->n == 0) {
		cds_lfht_del(sad->out, &g->node);
		urcu_qsbr_call_rcu(&g->rcu, sad_group_free_rcu);
	}
}

struct sad *
sad_new(uint32_t seed, size_t max_entries)
{
	struct sad *sad;
	int flags = CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING;

	sad = calloc(1, sizeof(*sad));
	if (sad == NULL)
		return NULL;
	sad->seed = seed;
	sad->max =
	    max_entries > SAD_MAX_ENTRIES ? SAD_MAX_ENTRIES : max_entries;
	table_list_init(&sad->all);
	sad->in =
	    cds_lfht_new(SAD_INIT_BUCKETS, SAD_INIT_BUCKETS, 0, flags, NULL);
	sad->out =
	    cds_lfht_new(SAD_INIT_BUCKETS, SAD_INIT_BUCKETS, 0, flags, NULL);
	sad->idx = spitab_new(0, seed);
	if (sad->in == NULL || sad->out == NULL || sad->idx == NULL) {
		if (sad->in != NULL)
			cds_lfht_destroy(sad->in, NULL);
		if (sad->out != NULL)
			cds_lfht_destroy(sad->out, NULL);
		spitab_free(sad->idx);
		free(sad);
		return NULL;
	}
	return sad;
}

static void
sad_node_wipe_free(struct sad_node *sn)
{
	void *_Atomic *ws = atomic_load(&sn->wstate);

	if (ws != NULL) {
		for (unsigned i = 0; i < sn->nslots; i++) {
			void *st = atomic_load(&ws[i]);

			if (st != NULL)
				sn->wfree(st);
		}
		free(ws);
	}
	secret_wipe(sn, sizeof(*sn) + sn->e.replay_bytes);
	free(sn);
}

static void
sad_node_free_rcu(struct rcu_head *head)
{
	sad_node_wipe_free(caa_container_of(head, struct sad_node, rcu));
}

void
sad_free(struct sad *sad)
{
	struct table_link *l, *next;
	struct sad_node *sn;
	bool was_online;

	if (sad == NULL)
		return;
	was_online = urcu_qsbr_read_ongoing();
	if (!was_online)
		urcu_qsbr_thread_online();
	for (l = sad->all.next; l != &sad->all; l = l->next) {
		if (l->is_cursor)
			continue;
		sn = caa_container_of(l, struct sad_node, link);
		cds_lfht_del(sad->in, &sn->in_node);
		sad_group_leave(sad, sn);
	}
	urcu_qsbr_thread_offline();
	urcu_qsbr_synchronize_rcu();
	urcu_qsbr_barrier();
	for (l = sad->all.next; l != &sad->all; l = next) {
		next = l->next;
		if (l->is_cursor)
			continue;
		sad_node_wipe_free(caa_container_of(l, struct sad_node, link));
	}
	cds_lfht_destroy(sad->in, NULL);
	cds_lfht_destroy(sad->out, NULL);
	spitab_free(sad->idx);
	if (was_online)
		urcu_qsbr_thread_online();
	free(sad);
}

struct sad_entry *
sad_entry_new(const struct sa *sa, size_t replay_bytes, uint64_t now_sec)
{
	struct sad_node *sn;
	uint64_t seq;

	if (replay_bytes > SIZE_MAX - sizeof(*sn))
		return NULL;
	sn = calloc(1, sizeof(*sn) + replay_bytes);
	if (sn == NULL)
		return NULL;
	/* memcpy: struct sa holds an _Atomic member. */
	memcpy(&sn->e.sa, sa, sizeof(sn->e.sa));
	seq = 0;
	atomic_init(&sn->e.sa.seq_out, seq);
	/* sizeof(*sn) is a multiple of its 8-byte alignment. */
	sn->e.sa.replay = replay_bytes == 0 ? NULL : (struct replay *)(sn + 1);
	sn->e.replay_bytes = replay_bytes;
	atomic_init(&sn->e.state, SA_STATE_LARVAL);
	sn->e.add_sec = now_sec;
	cds_lfht_node_init(&sn->in_node);
	CDS_INIT_LIST_HEAD(&sn->grp_link);
	table_list_init(&sn->link);
	return &sn->e;
}

void
sad_entry_free(struct sad_entry *e)
{
	if (e != NULL)
		sad_node_wipe_free(sad_node_of(e));
}

/*
 * rculfhash's own growth (by count, at powers of two) lets the load factor
 * reach 2, which costs a cache miss or two per lookup at 1M SAs.  Grow to
 * twice the count each time it reaches a power of two instead: load
 * between 0.5 and 1, a few resizes in all.  cds_lfht_resize waits for
 * grace periods, so the thread goes offline for it.
 */
static void
sad_grow(struct sad *sad, size_t count)
{
	bool was_online;

	if (count < SAD_INIT_BUCKETS || (count & (count - 1)) != 0)
		return;
	was_online = urcu_qsbr_read_ongoing();
	if (was_online)
		urcu_qsbr_thread_offline();
	cds_lfht_resize(sad->in, 2 * count);
	cds_lfht_resize(sad->out, 2 * count);
	if (was_online)
		urcu_qsbr_thread_online();
}

/*
 * Make room in the inbound index for one more key: rebuild it (dropping
 * tombstones, doubling when full of live keys), publish the new copy and
 * free the old one after a grace period, which the thread waits for
 * offline as sad_grow does.  False when out of memory.
 */
static bool
sad_idx_room(struct sad *sad)
{
	struct spitab *old = sad->idx, *n;
	bool was_online;

	if (!spitab_needs_rebuild(old))
		return true;
	if ((n = spitab_rebuild(old)) == NULL)
		return false;
	rcu_assign_pointer(sad->idx, n);
	was_online = urcu_qsbr_read_ongoing();
	if (was_online)
		urcu_qsbr_thread_offline();
	urcu_qsbr_synchronize_rcu();
	if (was_online)
		urcu_qsbr_thread_online();
	spitab_free(old);
	return true;
}

enum sad_status
sad_insert(struct sad *sad, struct sad_entry *e)
{
	struct sad_node *sn = sad_node_of(e);
	struct sad_in_key ik = { e->sa.spi, e->sa.proto, &e->sa.dst };
	struct cds_lfht_node *got;
	bool was_offline;

	if (atomic_load(&sad->count) >= sad->max || !sad_idx_room(sad)) {
		sad_node_wipe_free(sn);
		return SAD_FULL;
	}
	e->serial = ++sad->next_serial;
	sad_node_of(e)->wfree = sad->wfree;
	sad_node_of(e)->nslots = sad->nslots;
	e->order = ++sad->next_order;
	was_offline = table_rcu_enter();
	got = cds_lfht_add_unique(sad->in,
	    sad_in_hash(sad, e->sa.spi, e->sa.proto, &e->sa.dst), sad_in_match,
	    &ik, &sn->in_node);
	if (got != &sn->in_node) {
		table_rcu_leave(was_offline);
		sad_node_wipe_free(sn);
		return SAD_EXISTS;
	}
	if (!sad_group_join(sad, sn)) {
		cds_lfht_del(sad->in, &sn->in_node);
		table_rcu_leave(was_offline);
		urcu_qsbr_call_rcu(&sn->rcu, sad_node_free_rcu);
		return SAD_FULL;
	}
	/* Cannot fail: there is room, and in_node says the key is new. */
	spitab_add(sad->idx, e->sa.spi, e->sa.proto, &e->sa.dst, e);
	table_rcu_leave(was_offline);
	table_link_insert_before(&sad->all, &sn->link);
	sad_grow(sad, atomic_fetch_add(&sad->count, 1) + 1);
	return SAD_OK;
}

/* Runtime state of a live SA moves into its replacement. */
static void
sad_carry_over(struct sad_entry *to, struct sad_entry *from)
{
	size_t i;

	to->add_sec = from->add_sec;
	atomic_store(&to->use_sec, atomic_load(&from->use_sec));
	atomic_store(&to->cur_bytes, atomic_load(&from->cur_bytes));
	atomic_store(&to->cur_packets, atomic_load(&from->cur_packets));
	for (i = 0; i < IPSEC_VERDICT_COUNT; i++)
		atomic_store(&to->drops[i], atomic_load(&from->drops[i]));
	atomic_store(&to->sa.seq_out, atomic_load(&from->sa.seq_out));
	if (to->replay_bytes == from->replay_bytes && to->replay_bytes > 0)
		memcpy(to->sa.replay, from->sa.replay, to->replay_bytes);
}

enum sad_status
sad_update(struct sad *sad, struct sad_entry *e)
{
	struct sad_node *sn = sad_node_of(e), *old;
	struct sad_in_key ik = { e->sa.spi, e->sa.proto, &e->sa.dst };
	unsigned long h = sad_in_hash(sad, e->sa.spi, e->sa.proto, &e->sa.dst);
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	bool was_offline;

	was_offline = table_rcu_enter();
	cds_lfht_lookup(sad->in, h, sad_in_match, &ik, &it);
	n = cds_lfht_iter_get_node(&it);
	if (n == NULL) {
		table_rcu_leave(was_offline);
		sad_node_wipe_free(sn);
		return SAD_NOTFOUND;
	}
	old = caa_container_of(n, struct sad_node, in_node);
	if (!sad_group_join(sad, sn)) {
		table_rcu_leave(was_offline);
		sad_node_wipe_free(sn);
		return SAD_FULL;
	}
	if (sad_state(&old->e) != SA_STATE_LARVAL)
		sad_carry_over(e, &old->e);
	e->serial = ++sad->next_serial;
	sad_node_of(e)->wfree = sad->wfree;
	sad_node_of(e)->nslots = sad->nslots;
	e->order = old->e.order;
	/* Same key, same hash: replace never fails here. */
	cds_lfht_replace(sad->in, &it, h, sad_in_match, &ik, &sn->in_node);
	spitab_set(sad->idx, e->sa.spi, e->sa.proto, &e->sa.dst, &old->e, e);
	sad_group_leave(sad, old);
	table_rcu_leave(was_offline);
	table_link_replace(&old->link, &sn->link);
	urcu_qsbr_call_rcu(&old->rcu, sad_node_free_rcu);
	return SAD_OK;
}

enum sad_status
sad_delete(struct sad *sad, struct sad_entry *e)
{
	struct sad_node *sn = sad_node_of(e);
	bool was_offline;
	int rc;

	was_offline = table_rcu_enter();
	rc = cds_lfht_del(sad->in, &sn->in_node);
	if (rc == 0) {
		spitab_set(
		    sad->idx, e->sa.spi, e->sa.proto, &e->sa.dst, e, NULL);
		sad_group_leave(sad, sn);
	}
	table_rcu_leave(was_offline);
	if (rc != 0)
		return SAD_NOTFOUND;
	table_link_del(&sn->link);
	atomic_fetch_sub(&sad->count, 1);
	urcu_qsbr_call_rcu(&sn->rcu, sad_node_free_rcu);
	return SAD_OK;
}

void
sad_flush(struct sad *sad, uint8_t proto)
{
	struct table_link *l, *next;
	struct sad_node *sn;

	for (l = sad->all.next; l != &sad->all; l = next) {
		next = l->next;
		if (l->is_cursor)
			continue;
		sn = caa_container_of(l, struct sad_node, link);
		if (proto == 0 || sn->e.sa.proto == proto)
			sad_delete(sad, &sn->e);
	}
}

struct sad_entry *
sad_lookup_spi(
    const struct sad *sad, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	struct sad_entry *e;
	bool was_offline;

	was_offline = table_rcu_enter();
	e = spitab_lookup(rcu_dereference(sad->idx), spi, proto, dst);
	table_rcu_leave(was_offline);
	return e;
}

void
sad_lookup_spi_batch(const struct sad *sad, const struct spitab_key *keys,
    size_t n, struct sad_entry **out)
{
	const struct spitab *idx;
	void *v[SPITAB_BATCH];
	bool was_offline;

	was_offline = table_rcu_enter();
	idx = rcu_dereference(sad->idx);
	for (size_t off = 0; off < n; off += SPITAB_BATCH) {
		size_t m = n - off < SPITAB_BATCH ? n - off : SPITAB_BATCH;

		spitab_lookup_batch(idx, keys + off, m, v);
		for (size_t i = 0; i < m; i++)
			out[off + i] = v[i];
	}
	table_rcu_leave(was_offline);
}

/* Whether a beats b for output: MATURE before DYING, then newer. */
static bool
sad_out_better(const struct sad_entry *a, const struct sad_entry *b)
{
	enum sa_state sa_ = sad_state(a), sb = sad_state(b);

	if (sa_ != sb)
		return sa_ == SA_STATE_MATURE;
	return a->order > b->order;
}

struct sad_entry *
sad_lookup_out(const struct sad *sad, const struct sad_out_key *k)
{
	struct sad_pair_key pk = { &k->src, &k->dst, k->proto, k->reqid };
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct sad_group *g;
	struct sad_node *sn;
	struct sad_entry *e, *best = NULL;
	bool was_offline;

	was_offline = table_rcu_enter();
	cds_lfht_lookup(
	    sad->out, sad_pair_hash(sad, &pk), sad_pair_match, &pk, &it);
	if ((n = cds_lfht_iter_get_node(&it)) == NULL) {
		table_rcu_leave(was_offline);
		return NULL;
	}
	g = caa_container_of(n, struct sad_group, node);
	cds_list_for_each_entry_rcu(sn, &g->members, grp_link)
	{
		e = &sn->e;
		if (!sad_usable_check(e))
			continue;
		if (k->mode != SA_MODE_ANY && e->sa.mode != k->mode)
			continue;
		if (best == NULL || sad_out_better(e, best))
			best = e;
	}
	table_rcu_leave(was_offline);
	return best;
}

bool
sad_spi_free_check(
    const struct sad *sad, uint32_t spi, uint8_t proto, const struct addr *dst)
{
	return sad_lookup_spi(sad, spi, proto, dst) == NULL;
}

bool
sad_spi_pick(const struct sad *sad, const struct sad_spi_req *req, uint32_t rnd,
    uint32_t *spi)
{
	uint64_t lo = req->min < 256 ? 256 : req->min, hi = req->max;
	uint64_t span, off, i, tries;
	uint32_t cand;

	if (lo > hi)
		return false;
	span = hi - lo + 1;
	off = rnd % span;
	tries = span < SAD_SPI_TRIES ? span : SAD_SPI_TRIES;
	for (i = 0; i < tries; i++) {
		cand = (uint32_t)(lo + (off + i) % span);
		if (sad_spi_free_check(sad, cand, req->proto, &req->dst)) {
			*spi = cand;
			return true;
		}
	}
	return false;
}

enum sa_state
sad_state(const struct sad_entry *e)
{
	return (enum sa_state)atomic_load_explicit(
	    &e->state, memory_order_acquire);
}

bool
sad_usable_check(const struct sad_entry *e)
{
	enum sa_state s = sad_state(e);

	return s == SA_STATE_MATURE || s == SA_STATE_DYING;
}

bool
sad_state_set(struct sad_entry *e, enum sa_state to)
{
	enum sa_state from = sad_state(e);
	bool ok = false;

	switch (to) {
	case SA_STATE_LARVAL:
		ok = from == SA_STATE_LARVAL;
		break;
	case SA_STATE_MATURE:
		ok = from == SA_STATE_LARVAL || from == SA_STATE_MATURE;
		break;
	case SA_STATE_DYING:
		ok = from == SA_STATE_MATURE || from == SA_STATE_DYING;
		break;
	case SA_STATE_DEAD:
		ok = true;
		break;
	}
	if (ok)
		atomic_store_explicit(
		    &e->state, (uint8_t)to, memory_order_release);
	return ok;
}

enum ipsec_verdict
sad_account(struct sad_entry *e, size_t bytes, uint64_t now_sec)
{
	const struct sa_lifetime *h = &e->sa.hard;
	uint64_t zero = 0;

	if (sad_state(e) == SA_STATE_DEAD)
		return IPSEC_DROP_LIFETIME;
	/* Reached already (Linux xfrm_state_check_expire): this one is out. */
	if ((h->bytes != 0 &&
		atomic_load_explicit(&e->cur_bytes, memory_order_relaxed) >=
		    h->bytes) ||
	    (h->packets != 0 &&
		atomic_load_explicit(&e->cur_packets, memory_order_relaxed) >=
		    h->packets))
		return IPSEC_DROP_LIFETIME;
	atomic_fetch_add_explicit(&e->cur_bytes, bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->cur_packets, 1, memory_order_relaxed);
	if (atomic_load_explicit(&e->use_sec, memory_order_relaxed) == 0)
		atomic_compare_exchange_strong(&e->use_sec, &zero, now_sec);
	return IPSEC_OK;
}

void
sad_drop(struct sad_entry *e, enum ipsec_verdict v)
{
	if ((unsigned)v < IPSEC_VERDICT_COUNT)
		atomic_fetch_add_explicit(
		    &e->drops[v], 1, memory_order_relaxed);
}

/* Bits of one sa_lifetime (soft or hard, shifted by the caller). */
static unsigned
sad_limits(
    const struct sa_lifetime *lim, const struct sad_entry *e, uint64_t now_sec)
{
	uint64_t use = atomic_load_explicit(&e->use_sec, memory_order_relaxed);
	unsigned bits = 0;

	if (lim->bytes != 0 &&
	    atomic_load_explicit(&e->cur_bytes, memory_order_relaxed) >=
		lim->bytes)
		bits |= SAD_EXP_SOFT_BYTES;
	if (lim->packets != 0 &&
	    atomic_load_explicit(&e->cur_packets, memory_order_relaxed) >=
		lim->packets)
		bits |= SAD_EXP_SOFT_PACKETS;
	if (lim->add_sec != 0 && now_sec >= e->add_sec &&
	    now_sec - e->add_sec >= lim->add_sec)
		bits |= SAD_EXP_SOFT_ADD;
	if (lim->use_sec != 0 && use != 0 && now_sec >= use &&
	    now_sec - use >= lim->use_sec)
		bits |= SAD_EXP_SOFT_USE;
	return bits;
}

unsigned
sad_lifetime_check(const struct sad_entry *e, uint64_t now_sec)
{
	return sad_limits(&e->sa.soft, e, now_sec) |
	    sad_limits(&e->sa.hard, e, now_sec) << 4;
}

size_t
sad_expire_scan(struct sad *sad, uint64_t now_sec, sad_expire_fn fn, void *arg)
{
	struct table_link *l, *next;
	struct sad_entry *e;
	enum sa_state st;
	unsigned bits;
	size_t calls = 0;

	for (l = sad->all.next; l != &sad->all; l = next) {
		/* fn may delete e (and only e): step first. */
		next = l->next;
		if (l->is_cursor)
			continue;
		e = &caa_container_of(l, struct sad_node, link)->e;
		st = sad_state(e);
		if (st == SA_STATE_DEAD)
			continue;
		bits = sad_lifetime_check(e, now_sec);
		if ((bits & SAD_EXP_HARD) != 0) {
			sad_state_set(e, SA_STATE_DEAD);
		} else if ((bits & SAD_EXP_SOFT) != 0 &&
		    st == SA_STATE_MATURE) {
			sad_state_set(e, SA_STATE_DYING);
		} else {
			continue;
		}
		calls++;
		fn(sad, e, bits, arg);
	}
	return calls;
}

size_t
sad_count(const struct sad *sad)
{
	return atomic_load(&sad->count);
}

struct sad_cursor *
sad_cursor_new(struct sad *sad)
{
	struct sad_cursor *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->link.is_cursor = true;
	/* Starts before the first entry. */
	c->link.prev = &sad->all;
	c->link.next = sad->all.next;
	sad->all.next->prev = &c->link;
	sad->all.next = &c->link;
	return c;
}

struct sad_entry *
sad_cursor_next(struct sad *sad, struct sad_cursor *c)
{
	struct table_link *l = table_cursor_step(&sad->all, &c->link);

	if (l == NULL)
		return NULL;
	return &caa_container_of(l, struct sad_node, link)->e;
}

void
sad_cursor_free(struct sad *sad, struct sad_cursor *c)
{
	(void)sad;
	if (c == NULL)
		return;
	table_link_del(&c->link);
	free(c);
}

void
sad_wstate_setup(struct sad *sad, unsigned nslots, sad_wstate_free_fn fn)
{
	sad->nslots = fn == NULL ? 0 : nslots;
	sad->wfree = fn;
}

void *
sad_wstate_get(const struct sad_entry *e, unsigned slot)
{
	const struct sad_node *sn = sad_node_of(e);
	void *_Atomic *ws = atomic_load_explicit(
	    &((struct sad_node *)sn)->wstate, memory_order_acquire);

	if (ws == NULL || slot >= sn->nslots)
		return NULL;
	return atomic_load_explicit(&ws[slot], memory_order_relaxed);
}

bool
sad_wstate_set(struct sad_entry *e, unsigned slot, void *state)
{
	struct sad_node *sn = sad_node_of(e);
	void *_Atomic *ws, *_Atomic *fresh, *_Atomic *expect = NULL;

	if (slot >= sn->nslots)
		return false;
	ws = atomic_load_explicit(&sn->wstate, memory_order_acquire);
	if (ws == NULL) {
		/* Workers race to hang the array; the loser frees its own. */
		fresh = calloc(sn->nslots, sizeof(*fresh));
		if (fresh == NULL)
			return false;
		if (atomic_compare_exchange_strong_explicit(&sn->wstate,
			&expect, fresh, memory_order_acq_rel,
			memory_order_acquire))
			ws = fresh;
		else {
			free(fresh);
			ws = expect;
		}
	}
	atomic_store_explicit(&ws[slot], state, memory_order_relaxed);
	return true;
}

/*
 * rculfhash keeps about one bucket pointer per node at the load it
 * resizes to (sad_grow: load 0.5 to 1); count two per table.
 */
#define SAD_BUCKET_BYTES (2 * sizeof(void *))

size_t
sad_mem_bytes(const struct sad *sad)
{
	const struct table_link *l;
	size_t bytes = sizeof(*sad) + spitab_bytes(sad->idx);

	for (l = sad->all.next; l != &sad->all; l = l->next)
		if (!l->is_cursor)
			bytes += malloc_usable_size(
			    (void *)caa_container_of(l, struct sad_node, link));
	return bytes + 2 * atomic_load(&sad->count) * SAD_BUCKET_BYTES;
}
