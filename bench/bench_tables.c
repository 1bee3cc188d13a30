/*
 * SAD and SPD lookup benchmarks (see bench_tables.h).  Data come from a
 * fixed-seed xorshift generator, so runs are comparable.  Tables are built
 * with the thread offline (as the control thread would be between events,
 * which lets rculfhash resize), lookups run online with a quiescent state
 * every 256 lookups (as a worker between batches).
 */
#include "config.h"

#include "bench_tables.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "ipsec/sad.h"
#include "ipsec/spd.h"

#define BENCH_QS_EVERY 256
#define BENCH_REPLAY_BYTES 40 /* replay_size(64): header + 2 words */
#define BENCH_SAD_KEYS (1u << 20)
/*
 * Lookups are timed in rounds and the fastest round counts: the machines
 * this runs on are shared, and a neighbour's burst only ever slows a
 * round down (the usual best-of-N of micro-benchmarks).
 */
#define BENCH_ROUNDS 5

static uint64_t
bench_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static double
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Peer gateway i of a pool: 90% IPv4 in 198.18.0.0/15, 10% IPv6. */
static void
bench_gw(struct addr *a, uint32_t i)
{
	uint8_t raw[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	if (i % 10 == 9) {
		raw[12] = (uint8_t)(i >> 24);
		raw[13] = (uint8_t)(i >> 16);
		raw[14] = (uint8_t)(i >> 8);
		raw[15] = (uint8_t)i;
		addr_set(a, AF_INET6, raw);
		return;
	}
	raw[0] = 198;
	raw[1] = (uint8_t)(18 + ((i >> 16) & 1));
	raw[2] = (uint8_t)(i >> 8);
	raw[3] = (uint8_t)i;
	addr_set(a, AF_INET, raw);
}

/* An ESP SA with AES-GCM-sized random keys to peer gw, SPI spi. */
static void
bench_sa(struct sa *sa, uint32_t spi, uint32_t gw, uint64_t *rs)
{
	size_t i;

	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = IPPROTO_ESP;
	sa->mode = SA_MODE_TUNNEL;
	sa->reqid = gw + 1;
	bench_gw(&sa->dst, gw);
	bench_gw(&sa->src, gw % 10 == 9 ? 9 : 0); /* our own address */
	sa->replay_window = 64;
	sa->key.enc_len = 20;
	for (i = 0; i < sa->key.enc_len; i++)
		sa->key.enc_key[i] = (uint8_t)bench_rand(rs);
	sa->soft.add_sec = 3000;
	sa->hard.add_sec = 3600;
}

/*
 * Fill sad with n SAs to 1 + n / 4 gateways; spis[i] and gws[i] (if not
 * NULL) record what was inserted.  False if an insert failed.
 */
static bool
bench_sad_fill(struct sad *sad, size_t n, uint32_t *spis, uint32_t *gws)
{
	uint64_t rs = 0x9e3779b97f4a7c15ull;
	uint32_t ngw = (uint32_t)(n / 4 + 1), spi, gw;
	struct sad_entry *e;
	struct sa sa;
	size_t i;

	for (i = 0; i < n; i++) {
		gw = (uint32_t)(bench_rand(&rs) % ngw);
		/* Distinct SPIs (odd multiplier), scattered as GETSPI's. */
		spi = (uint32_t)i * 2654435761u;
		if (spi < 256)
			spi |= 0x80000000u;
		bench_sa(&sa, spi, gw, &rs);
		e = sad_entry_new(&sa, BENCH_REPLAY_BYTES, 1);
		if (e == NULL)
			return false;
		sad_state_set(e, SA_STATE_MATURE);
		if (sad_insert(sad, e) != SAD_OK)
			continue; /* SPI collision on one gateway: skip */
		if (spis != NULL) {
			spis[i] = spi;
			gws[i] = gw;
		}
	}
	return true;
}

/* One inbound lookup to time: the key an ESP packet brings. */
struct bench_sad_key {
	uint32_t spi;
	struct addr dst;
};

/* Look keys[0..n) up; returns how many were found. */
static size_t
bench_sad_run(const struct sad *sad, const struct bench_sad_key *keys, size_t n,
    size_t batch)
{
	struct spitab_key bk[SPITAB_BATCH];
	struct sad_entry *out[SPITAB_BATCH];
	size_t found = 0;

	if (batch <= 1) {
		for (size_t i = 0; i < n; i++)
			if (sad_lookup_spi(sad, keys[i].spi, IPPROTO_ESP,
				&keys[i].dst) != NULL)
				found++;
		return found;
	}
	for (size_t off = 0; off < n; off += batch) {
		size_t m = n - off < batch ? n - off : batch;

		for (size_t i = 0; i < m; i++) {
			bk[i].spi = keys[off + i].spi;
			bk[i].proto = IPPROTO_ESP;
			bk[i].dst = &keys[off + i].dst;
		}
		sad_lookup_spi_batch(sad, bk, m, out);
		for (size_t i = 0; i < m; i++)
			found += out[i] != NULL;
	}
	return found;
}

double
bench_sad_lookup_ns(size_t n_sas, size_t n_lookups, size_t batch)
{
	uint64_t rs = 12345;
	uint32_t *spis, *gws;
	struct bench_sad_key *keys = NULL;
	struct sad *sad;
	double t0, best = -1;
	size_t i, j, nkeys, found = 0, per_round;

	if (n_sas == 0 || n_lookups == 0)
		return -1;
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	sad = sad_new(0x1234567, n_sas);
	spis = calloc(n_sas, sizeof(*spis));
	gws = calloc(n_sas, sizeof(*gws));
	nkeys = n_lookups < BENCH_SAD_KEYS ? n_lookups : BENCH_SAD_KEYS;
	keys = calloc(nkeys, sizeof(*keys));
	if (sad == NULL || spis == NULL || gws == NULL || keys == NULL ||
	    !bench_sad_fill(sad, n_sas, spis, gws))
		goto out;
	/*
	 * The keys of uniformly random SAs, drawn before the clock starts
	 * and read in order, so that what is timed is the table's own
	 * memory traffic, not the benchmark's: the worst case, every packet
	 * for another SA of the million.
	 */
	for (i = 0; i < nkeys; i++) {
		j = (size_t)(bench_rand(&rs) % n_sas);
		keys[i].spi = spis[j];
		bench_gw(&keys[i].dst, gws[j]);
	}
	if (batch > SPITAB_BATCH)
		batch = SPITAB_BATCH;
	per_round = (n_lookups + BENCH_ROUNDS - 1) / BENCH_ROUNDS;
	urcu_qsbr_thread_online();
	for (i = 0; i < n_lookups;) {
		size_t end =
		    n_lookups - i < per_round ? n_lookups : i + per_round;
		size_t done = end - i, m;
		double ns;

		t0 = bench_now_ns();
		for (; i < end; i += m) {
			j = i % nkeys;
			m = end - i < BENCH_QS_EVERY ? end - i : BENCH_QS_EVERY;
			if (m > nkeys - j)
				m = nkeys - j;
			found += bench_sad_run(sad, &keys[j], m, batch);
			urcu_qsbr_quiescent_state();
		}
		ns = (bench_now_ns() - t0) / (double)done;
		if (best < 0 || ns < best)
			best = ns;
	}
	urcu_qsbr_thread_offline();
	if (found == 0)
		best = -1;
out:
	sad_free(sad);
	free(spis);
	free(gws);
	free(keys);
	urcu_qsbr_unregister_thread();
	return best;
}

/* A random IPv4 address in 10.0.0.0/8. */
static void
bench_addr4(struct addr *a, uint64_t *rs)
{
	uint8_t raw[4];
	uint64_t r = bench_rand(rs);

	raw[0] = 10;
	raw[1] = (uint8_t)(r >> 24);
	raw[2] = (uint8_t)(r >> 8);
	raw[3] = (uint8_t)(r >> 16);
	addr_set(a, AF_INET, raw);
}

/*
 * Prefix lengths of site-to-site and road-warrior policies: mostly /24 and
 * /32, some /16 and /28, and one in 64 a catch-all /0 or /8.
 */
static uint8_t
bench_plen(uint64_t *rs)
{
	static const uint8_t lens[] = { 16, 24, 24, 24, 28, 32, 32, 32 };
	uint64_t r = bench_rand(rs);

	if (r % 64 == 0)
		return (r >> 8) % 2 == 0 ? 0 : 8;
	return lens[(r >> 8) % sizeof(lens)];
}

/*
 * A policy as an IKE daemon installs it: subnets of varied length, some
 * with a protocol and port, priority lower for more specific selectors
 * (strongSwan's scheme) plus a little noise.
 */
static void
bench_policy(struct spd_policy *p, uint64_t *rs)
{
	static const uint16_t ports[] = { 22, 53, 80, 443, 500, 1194, 3389,
		5060 };
	uint64_t r;

	memset(p, 0, sizeof(*p));
	p->dir = SPD_DIR_OUT;
	selector_init_any(&p->sel, AF_INET);
	bench_addr4(&p->sel.src.addr, rs);
	bench_addr4(&p->sel.dst.addr, rs);
	p->sel.src.len = bench_plen(rs);
	p->sel.dst.len = bench_plen(rs);
	addr_mask(&p->sel.src.addr, p->sel.src.len);
	addr_mask(&p->sel.dst.addr, p->sel.dst.len);
	r = bench_rand(rs);
	if (r % 10 < 4) {
		p->sel.proto = r % 10 < 3 ? IPPROTO_TCP : IPPROTO_UDP;
		if ((r >> 8) % 2 == 0) {
			p->sel.dport_lo = ports[(r >> 16) % 8];
			p->sel.dport_hi = p->sel.dport_lo;
		}
	}
	p->priority = 100000 - 256u * (p->sel.src.len + p->sel.dst.len) -
	    (p->sel.proto != SELECTOR_PROTO_ANY ? 64 : 0) -
	    (p->sel.dport_hi != 0xffff ? 32 : 0) + (uint32_t)((r >> 24) % 16);
	r = bench_rand(rs);
	p->action = r % 8 == 0 ? SPD_ACTION_NONE : SPD_ACTION_IPSEC;
	if (p->action == SPD_ACTION_IPSEC) {
		p->ntmpl = 1;
		p->tmpl[0].proto = IPPROTO_ESP;
		p->tmpl[0].mode = SA_MODE_TUNNEL;
		p->tmpl[0].level = KNOBS_LEVEL_REQUIRE;
		p->tmpl[0].reqid = (uint32_t)(r >> 8) % 1000 + 1;
	}
}

/* A flow: inside a random policy's selector, or anywhere in 10/8. */
static void
bench_flow(struct selector_key *k, const struct spd_policy *pols, size_t n,
    uint64_t *rs)
{
	const struct spd_policy *p = &pols[bench_rand(rs) % n];
	uint64_t r = bench_rand(rs);
	size_t i;

	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	bench_addr4(&k->src, rs);
	bench_addr4(&k->dst, rs);
	k->proto = r % 3 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	k->sport = (uint16_t)(1024 + (r >> 8) % 60000);
	k->dport = (uint16_t)(r >> 32);
	if (r % 2 == 0)
		return;
	for (i = 0; i < 4; i++) {
		if (i < p->sel.src.len / 8)
			k->src.bytes[i] = p->sel.src.addr.bytes[i];
		if (i < p->sel.dst.len / 8)
			k->dst.bytes[i] = p->sel.dst.addr.bytes[i];
	}
	if (p->sel.proto != SELECTOR_PROTO_ANY)
		k->proto = p->sel.proto;
	k->dport = p->sel.dport_lo;
}

#define BENCH_FLOWS 65536
#define BENCH_HOT_FLOWS 1024

double
bench_spd_lookup_ns(size_t n_policies, size_t n_lookups, bool use_cache)
{
	uint64_t rs = 0xfeedface;
	struct spd_policy *pols = NULL;
	struct selector_key *flows = NULL;
	struct spd_cache *cache = NULL;
	struct spd *spd;
	size_t i, n = 0, tries, nflows, hits = 0, per_round;
	double best = -1;

	if (n_policies == 0 || n_lookups == 0)
		return -1;
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	spd = spd_new(0xabcdef, n_policies);
	pols = calloc(n_policies, sizeof(*pols));
	flows = calloc(BENCH_FLOWS, sizeof(*flows));
	if (spd == NULL || pols == NULL || flows == NULL)
		goto out;
	for (tries = 0; n < n_policies && tries < 4 * n_policies; tries++) {
		bench_policy(&pols[n], &rs);
		if (spd_insert(spd, &pols[n], false, NULL) == SPD_OK)
			n++;
	}
	if (n == 0)
		goto out;
	nflows = use_cache ? BENCH_HOT_FLOWS : BENCH_FLOWS;
	for (i = 0; i < nflows; i++)
		bench_flow(&flows[i], pols, n, &rs);
	if (use_cache && (cache = spd_cache_new(spd, 12)) == NULL)
		goto out;
	/*
	 * The flows are random already; read them in order so that what is
	 * timed is the SPD's memory traffic, not the benchmark's (a random
	 * index into 2.9 MB of keys cost a cache miss per lookup).  With the
	 * cache the 1,024 hot flows repeat in that order, each found again.
	 */
	per_round = (n_lookups + BENCH_ROUNDS - 1) / BENCH_ROUNDS;
	urcu_qsbr_thread_online();
	for (i = 0; i < n_lookups;) {
		size_t end =
		    n_lookups - i < per_round ? n_lookups : i + per_round;
		size_t done = end - i;
		double t0 = bench_now_ns(), ns;

		for (; i < end; i++) {
			const struct selector_key *k = &flows[i % nflows];

			if ((use_cache
				    ? spd_cache_lookup(cache, SPD_DIR_OUT, k)
				    : spd_lookup(spd, SPD_DIR_OUT, k)) != NULL)
				hits++;
			if (i % BENCH_QS_EVERY == 0)
				urcu_qsbr_quiescent_state();
		}
		ns = (bench_now_ns() - t0) / (double)done;
		if (best < 0 || ns < best)
			best = ns;
	}
	urcu_qsbr_thread_offline();
	if (hits == 0)
		best = -1;
out:
	spd_cache_free(cache);
	spd_free(spd);
	free(pols);
	free(flows);
	urcu_qsbr_unregister_thread();
	return best;
}

static long
bench_rss_pages(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, rss;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss;
}

size_t
bench_sad_bytes_per_sa(size_t n)
{
	struct sad *sad;
	long before, after;
	size_t per = 0;

	if (n == 0)
		return 0;
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	malloc_trim(0); /* so that freed memory is not reused unseen */
	before = bench_rss_pages();
	sad = sad_new(0x7777, n);
	if (sad != NULL && bench_sad_fill(sad, n, NULL, NULL)) {
		after = bench_rss_pages();
		if (before >= 0 && after > before)
			per = (size_t)(after - before) *
			    (size_t)sysconf(_SC_PAGESIZE) / n;
	}
	sad_free(sad);
	urcu_qsbr_unregister_thread();
	return per;
}
