/* Unit tests for src/ipsec/sad.c (and a smoke run of bench/bench_tables.c). */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>

#include "bench/bench_tables.h"
#include "ipsec/sad.h"

/*
 * Each test runs as a registered QSBR thread that is offline (as the
 * control thread between events); tests that act as a worker go online.
 */
static void
setup(void)
{
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
}

static void
teardown(void)
{
	if (urcu_qsbr_read_ongoing())
		urcu_qsbr_thread_offline();
	urcu_qsbr_unregister_thread();
}

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert_msg(addr_parse(&a, s), "bad address %s", s);
	return a;
}

static void
mk_sa(struct sa *sa, uint32_t spi, uint8_t proto, const char *src,
    const char *dst)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = proto;
	sa->mode = SA_MODE_TUNNEL;
	sa->src = A(src);
	sa->dst = A(dst);
	sa->key.enc_len = 20;
	memset(sa->key.enc_key, 0xaa, 20);
}

/* Insert a MATURE SA; returns it (NULL if refused). */
static struct sad_entry *
add(struct sad *sad, uint32_t spi, uint8_t proto, const char *src,
    const char *dst)
{
	struct sad_entry *e;
	struct sa sa;

	mk_sa(&sa, spi, proto, src, dst);
	e = sad_entry_new(&sa, 0, 100);
	ck_assert_ptr_nonnull(e);
	ck_assert(sad_state_set(e, SA_STATE_MATURE));
	return sad_insert(sad, e) == SAD_OK ? e : NULL;
}

START_TEST(test_sad_insert_and_lookup)
{
	struct sad *sad = sad_new(1, 100);
	struct sad_entry *e, *e6;
	struct addr d = A("192.0.2.2"), d6 = A("2001:db8::2");

	e = add(sad, 0x1000, IPPROTO_ESP, "192.0.2.1", "192.0.2.2");
	e6 = add(sad, 0x1000, IPPROTO_ESP, "2001:db8::1", "2001:db8::2");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(e6);
	ck_assert_uint_eq(sad_count(sad), 2);
	ck_assert_ptr_eq(sad_lookup_spi(sad, 0x1000, IPPROTO_ESP, &d), e);
	ck_assert_ptr_eq(sad_lookup_spi(sad, 0x1000, IPPROTO_ESP, &d6), e6);
	ck_assert_ptr_null(sad_lookup_spi(sad, 0x1001, IPPROTO_ESP, &d));
	ck_assert_ptr_null(sad_lookup_spi(sad, 0x1000, IPPROTO_AH, &d));
	ck_assert_uint_eq(e->sa.key.enc_key[19], 0xaa);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_insert_duplicate)
{
	struct sad *sad = sad_new(1, 100);

	ck_assert_ptr_nonnull(
	    add(sad, 7777, IPPROTO_ESP, "10.0.0.1", "10.0.0.2"));
	/* Same (spi, proto, dst) from another source: refused. */
	ck_assert_ptr_null(add(sad, 7777, IPPROTO_ESP, "10.9.9.9", "10.0.0.2"));
	/* Other proto, other dst: distinct SAs. */
	ck_assert_ptr_nonnull(
	    add(sad, 7777, IPPROTO_AH, "10.0.0.1", "10.0.0.2"));
	ck_assert_ptr_nonnull(
	    add(sad, 7777, IPPROTO_ESP, "10.0.0.1", "10.0.0.3"));
	ck_assert_uint_eq(sad_count(sad), 3);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_insert_status)
{
	struct sad *sad = sad_new(1, 2);
	struct sad_entry *e;
	struct sa sa;

	mk_sa(&sa, 300, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	ck_assert_int_eq(sad_insert(sad, sad_entry_new(&sa, 0, 1)), SAD_OK);
	ck_assert_int_eq(sad_insert(sad, sad_entry_new(&sa, 0, 1)), SAD_EXISTS);
	sa.spi = 301;
	ck_assert_int_eq(sad_insert(sad, sad_entry_new(&sa, 0, 1)), SAD_OK);
	sa.spi = 302;
	ck_assert_int_eq(sad_insert(sad, sad_entry_new(&sa, 0, 1)), SAD_FULL);
	ck_assert_uint_eq(sad_count(sad), 2);
	/* Replay memory: zeroed, 8-aligned, inside the entry. */
	sa.spi = 303;
	e = sad_entry_new(&sa, 48, 1);
	ck_assert_ptr_nonnull(e->sa.replay);
	ck_assert_uint_eq((uintptr_t)e->sa.replay % 8, 0);
	ck_assert_uint_eq(e->replay_bytes, 48);
	ck_assert_int_eq(sad_insert(sad, e), SAD_FULL);
	sad_free(sad);
}
END_TEST

#define MILLION 1000000u

/*
 * 1,000,000 SAs to 1,000 peers (1,000 child SAs each): all there, found,
 * misses missed, and the outbound index finds them too.
 */
/*
 * The batch lookup answers as the lone one does, through inserts that
 * grow the inbound index, deletes that leave tombstones and updates that
 * replace entries in place.
 */
START_TEST(test_sad_lookup_spi_batch)
{
	enum { N = 5000 };
	struct sad *sad = sad_new(77, N);
	static struct addr dst[N];
	static struct spitab_key keys[N];
	static struct sad_entry *out[N];
	struct sad_entry *e;
	struct sa sa;
	uint8_t raw[4] = { 10, 1, 0, 0 };

	ck_assert_ptr_nonnull(sad);
	for (uint32_t i = 0; i < N; i++) {
		raw[2] = (uint8_t)(i >> 8);
		raw[3] = (uint8_t)i;
		addr_set(&dst[i], AF_INET, raw);
		mk_sa(&sa, 0x1000 + i, IPPROTO_ESP, "10.255.0.1", "10.0.0.1");
		sa.dst = dst[i];
		e = sad_entry_new(&sa, 0, 1);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(sad_insert(sad, e), SAD_OK);
		keys[i].spi = 0x1000 + i;
		keys[i].proto = IPPROTO_ESP;
		keys[i].dst = &dst[i];
	}
	for (uint32_t i = 0; i < N; i += 3) {
		urcu_qsbr_thread_online();
		e = sad_lookup_spi(sad, 0x1000 + i, IPPROTO_ESP, &dst[i]);
		urcu_qsbr_thread_offline();
		ck_assert_int_eq(sad_delete(sad, e), SAD_OK);
	}
	for (uint32_t i = 1; i < N; i += 3) {
		mk_sa(&sa, 0x1000 + i, IPPROTO_ESP, "10.255.0.1", "10.0.0.1");
		sa.dst = dst[i];
		sa.reqid = 42; /* marks the replacement */
		e = sad_entry_new(&sa, 0, 1);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(sad_update(sad, e), SAD_OK);
	}
	urcu_qsbr_thread_online();
	sad_lookup_spi_batch(sad, keys, N, out);
	for (uint32_t i = 0; i < N; i++) {
		e = sad_lookup_spi(sad, keys[i].spi, IPPROTO_ESP, keys[i].dst);
		ck_assert_ptr_eq(out[i], e);
		if (i % 3 == 0) {
			ck_assert_ptr_null(e);
		} else {
			ck_assert_ptr_nonnull(e);
			ck_assert_uint_eq(e->sa.spi, keys[i].spi);
			ck_assert_uint_eq(e->sa.reqid, i % 3 == 1 ? 42 : 0);
		}
	}
	urcu_qsbr_thread_offline();
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_insert_million)
{
	struct sad *sad = sad_new(0xdeadbeef, MILLION);
	struct sad_out_key ok;
	struct sad_entry *e;
	struct addr dst;
	struct sa sa;
	uint8_t raw[4] = { 10, 0, 0, 0 };
	uint32_t i, spi;

	ck_assert_ptr_nonnull(sad);
	mk_sa(&sa, 0, IPPROTO_ESP, "10.255.0.1", "10.0.0.1");
	for (i = 0; i < MILLION; i++) {
		raw[2] = (uint8_t)(i % 1000 / 256);
		raw[3] = (uint8_t)(i % 1000);
		addr_set(&sa.dst, AF_INET, raw);
		sa.spi = 256 + i;
		sa.reqid = 1 + i / 1000; /* a child SA per reqid and peer */
		e = sad_entry_new(&sa, 16, 1);
		ck_assert_ptr_nonnull(e);
		sad_state_set(e, SA_STATE_MATURE);
		ck_assert_int_eq(sad_insert(sad, e), SAD_OK);
	}
	ck_assert_uint_eq(sad_count(sad), MILLION);
	memset(&ok, 0, sizeof(ok));
	ok.src = sa.src;
	ok.proto = IPPROTO_ESP;
	urcu_qsbr_thread_online();
	for (i = 0; i < MILLION; i += 97) {
		spi = 256 + i;
		raw[2] = (uint8_t)(i % 1000 / 256);
		raw[3] = (uint8_t)(i % 1000);
		addr_set(&dst, AF_INET, raw);
		e = sad_lookup_spi(sad, spi, IPPROTO_ESP, &dst);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->sa.spi, spi);
		/* Same SPI, another peer: no SA. */
		raw[3] ^= 1;
		addr_set(&dst, AF_INET, raw);
		ck_assert_ptr_null(sad_lookup_spi(sad, spi, IPPROTO_ESP, &dst));
		raw[3] ^= 1;
		addr_set(&ok.dst, AF_INET, raw);
		ok.reqid = 1 + i / 1000;
		e = sad_lookup_out(sad, &ok);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->sa.spi, spi);
		urcu_qsbr_quiescent_state();
	}
	urcu_qsbr_thread_offline();
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_update_larval_to_mature)
{
	struct sad *sad = sad_new(1, 100);
	struct addr d = A("10.0.0.2");
	struct sad_entry *larval, *e;
	struct sa sa;

	mk_sa(&sa, 0x4242, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	larval = sad_entry_new(&sa, 0, 10);
	ck_assert_int_eq(sad_insert(sad, larval), SAD_OK);
	ck_assert_int_eq(sad_state(larval), SA_STATE_LARVAL);
	sa.key.enc_key[0] = 0x55;
	sa.hard.add_sec = 60;
	e = sad_entry_new(&sa, 0, 20);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_update(sad, e), SAD_OK);
	ck_assert_ptr_eq(sad_lookup_spi(sad, 0x4242, IPPROTO_ESP, &d), e);
	ck_assert_int_eq(sad_state(e), SA_STATE_MATURE);
	ck_assert_uint_eq(e->sa.key.enc_key[0], 0x55);
	ck_assert_uint_eq(e->sa.hard.add_sec, 60);
	ck_assert_uint_eq(e->add_sec, 20); /* larval: nothing carried */
	ck_assert_uint_eq(sad_count(sad), 1);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_update_carries_runtime)
{
	struct sad *sad = sad_new(1, 100);
	struct sad_entry *old, *e;
	struct sad_out_key ok;
	uint64_t old_serial;
	struct sa sa;

	mk_sa(&sa, 0x5000, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	old = sad_entry_new(&sa, 24, 10);
	sad_state_set(old, SA_STATE_MATURE);
	ck_assert_int_eq(sad_insert(sad, old), SAD_OK);
	urcu_qsbr_thread_online(); /* keeps old from being freed */
	ck_assert_int_eq(sad_account(old, 1000, 11), IPSEC_OK);
	sad_drop(old, IPSEC_DROP_ICV);
	atomic_store(&old->sa.seq_out, 77);
	memset(old->sa.replay, 0x3c, 24);
	old_serial = old->serial;

	e = sad_entry_new(&sa, 24, 50);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_update(sad, e), SAD_OK);
	ck_assert_uint_eq(e->add_sec, 10);
	ck_assert_uint_eq(atomic_load(&e->use_sec), 11);
	ck_assert_uint_eq(atomic_load(&e->cur_bytes), 1000);
	ck_assert_uint_eq(atomic_load(&e->cur_packets), 1);
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_ICV]), 1);
	ck_assert_uint_eq(atomic_load(&e->sa.seq_out), 77);
	ck_assert_uint_eq(((uint8_t *)e->sa.replay)[23], 0x3c);
	ck_assert_uint_ne(e->serial, old_serial);
	ck_assert_uint_eq(e->order, old->order);
	/* The outbound table holds the new copy only. */
	memset(&ok, 0, sizeof(ok));
	ok.src = sa.src;
	ok.dst = sa.dst;
	ok.proto = IPPROTO_ESP;
	ck_assert_ptr_eq(sad_lookup_out(sad, &ok), e);
	urcu_qsbr_thread_offline();
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_update_notfound)
{
	struct sad *sad = sad_new(1, 100);
	struct sa sa;

	mk_sa(&sa, 0x5000, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	ck_assert_int_eq(
	    sad_update(sad, sad_entry_new(&sa, 0, 1)), SAD_NOTFOUND);
	ck_assert_uint_eq(sad_count(sad), 0);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_delete_basic)
{
	struct sad *sad = sad_new(1, 100);
	struct addr d = A("10.0.0.2");
	struct sad_entry *e;
	struct sad_out_key ok;

	e = add(sad, 0x600, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	urcu_qsbr_thread_online(); /* e stays readable until offline */
	ck_assert_int_eq(sad_delete(sad, e), SAD_OK);
	ck_assert_int_eq(sad_delete(sad, e), SAD_NOTFOUND);
	ck_assert_ptr_null(sad_lookup_spi(sad, 0x600, IPPROTO_ESP, &d));
	memset(&ok, 0, sizeof(ok));
	ok.src = A("10.0.0.1");
	ok.dst = d;
	ok.proto = IPPROTO_ESP;
	ck_assert_ptr_null(sad_lookup_out(sad, &ok));
	ck_assert_uint_eq(sad_count(sad), 0);
	urcu_qsbr_thread_offline();
	/* The SPI is free again. */
	ck_assert_ptr_nonnull(
	    add(sad, 0x600, IPPROTO_ESP, "10.0.0.1", "10.0.0.2"));
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_flush_proto)
{
	struct sad *sad = sad_new(1, 100);
	struct addr d = A("10.0.0.2");

	add(sad, 0x600, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	add(sad, 0x601, IPPROTO_AH, "10.0.0.1", "10.0.0.2");
	add(sad, 0x602, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	sad_flush(sad, IPPROTO_ESP);
	ck_assert_uint_eq(sad_count(sad), 1);
	ck_assert_ptr_nonnull(sad_lookup_spi(sad, 0x601, IPPROTO_AH, &d));
	sad_flush(sad, 0);
	ck_assert_uint_eq(sad_count(sad), 0);
	sad_free(sad);
}
END_TEST

/*
 * Many SAs sharing one (src, dst, proto, reqid): the outbound table keeps
 * them in one group; the newest mature one is found, and deleting from the
 * front, the middle and the back keeps the group right until it is empty.
 */
START_TEST(test_sad_lookup_out_group)
{
	struct sad *sad = sad_new(1, 30000);
	static struct sad_entry *v[20000];
	struct sad_out_key k;
	unsigned bad = 0;

	memset(&k, 0, sizeof(k));
	k.src = A("10.9.0.1");
	k.dst = A("10.9.0.2");
	k.proto = IPPROTO_ESP;
	struct sa sa;

	mk_sa(&sa, 0x10000, IPPROTO_ESP, "10.9.0.1", "10.9.0.2");
	for (uint32_t i = 0; i < 20000; i++) {
		sa.spi = 0x10000 + i;
		if ((v[i] = sad_entry_new(&sa, 0, 1)) == NULL ||
		    !sad_state_set(v[i], SA_STATE_MATURE) ||
		    sad_insert(sad, v[i]) != SAD_OK)
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), v[19999]);
	ck_assert_int_eq(sad_delete(sad, v[19999]), SAD_OK);
	ck_assert_int_eq(sad_delete(sad, v[0]), SAD_OK);
	ck_assert_int_eq(sad_delete(sad, v[10000]), SAD_OK);
	urcu_qsbr_quiescent_state();
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), v[19998]);
	sad_state_set(v[19998], SA_STATE_DYING);
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), v[19997]);
	/* One assertion for the loop: check records each one it runs. */
	for (uint32_t i = 1; i < 19999; i++)
		if (i != 10000 && sad_delete(sad, v[i]) != SAD_OK)
			bad++;
	ck_assert_uint_eq(bad, 0);
	urcu_qsbr_quiescent_state();
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	ck_assert_uint_eq(sad_count(sad), 0);
	/* The group comes back with the next SA of the pair. */
	v[0] = add(sad, 0x100, IPPROTO_ESP, "10.9.0.1", "10.9.0.2");
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), v[0]);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_lookup_out_choice)
{
	struct sad *sad = sad_new(1, 100);
	struct sad_entry *a, *b, *c, *l;
	struct sad_out_key k;
	struct sa sa;

	memset(&k, 0, sizeof(k));
	k.src = A("10.0.0.1");
	k.dst = A("10.0.0.2");
	k.proto = IPPROTO_ESP;
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	a = add(sad, 0x700, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	b = add(sad, 0x701, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	/* A LARVAL one, newest of all: never chosen. */
	mk_sa(&sa, 0x702, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	l = sad_entry_new(&sa, 0, 1);
	ck_assert_int_eq(sad_insert(sad, l), SAD_OK);
	/* Newest MATURE wins. */
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), b);
	/* MATURE before DYING, even when older. */
	sad_state_set(b, SA_STATE_DYING);
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), a);
	sad_state_set(a, SA_STATE_DYING);
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), b);
	sad_state_set(b, SA_STATE_DEAD);
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), a);
	/* reqid and mode filters. */
	mk_sa(&sa, 0x703, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	sa.reqid = 5;
	sa.mode = SA_MODE_TRANSPORT;
	c = sad_entry_new(&sa, 0, 1);
	sad_state_set(c, SA_STATE_MATURE);
	ck_assert_int_eq(sad_insert(sad, c), SAD_OK);
	k.reqid = 5;
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), c);
	k.mode = SA_MODE_TUNNEL;
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	/* reqid is exact (Linux): 0 finds the reqid-0 SAs only. */
	k.reqid = 0;
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), a);
	k.mode = SA_MODE_ANY;
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), a);
	k.reqid = 5;
	ck_assert_ptr_eq(sad_lookup_out(sad, &k), c);
	k.reqid = 6;
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	k.reqid = 0;
	/* Other proto or addresses: none. */
	k.proto = IPPROTO_AH;
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	k.proto = IPPROTO_ESP;
	k.src = A("10.0.0.9");
	ck_assert_ptr_null(sad_lookup_out(sad, &k));
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_spi_pick_range)
{
	struct sad *sad = sad_new(1, 100);
	struct sad_spi_req r;
	uint32_t spi = 0;

	memset(&r, 0, sizeof(r));
	r.dst = A("10.0.0.2");
	r.proto = IPPROTO_ESP;
	r.min = 1000;
	r.max = 1002;
	ck_assert(sad_spi_pick(sad, &r, 1, &spi));
	ck_assert_uint_eq(spi, 1001);
	add(sad, 1000, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	add(sad, 1001, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	ck_assert(!sad_spi_free_check(sad, 1000, IPPROTO_ESP, &r.dst));
	ck_assert(sad_spi_free_check(sad, 1002, IPPROTO_ESP, &r.dst));
	/* Probing wraps to the one free SPI whatever rnd says. */
	ck_assert(sad_spi_pick(sad, &r, 0, &spi));
	ck_assert_uint_eq(spi, 1002);
	ck_assert(sad_spi_pick(sad, &r, 0xffffffffu, &spi));
	ck_assert_uint_eq(spi, 1002);
	add(sad, 1002, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	ck_assert(!sad_spi_pick(sad, &r, 7, &spi));
	/* Another protocol has its own SPI space. */
	r.proto = IPPROTO_AH;
	ck_assert(sad_spi_pick(sad, &r, 7, &spi));
	/* Reserved SPIs 0..255 are never handed out; empty ranges fail. */
	r.min = 0;
	r.max = 256;
	ck_assert(sad_spi_pick(sad, &r, 3, &spi));
	ck_assert_uint_eq(spi, 256);
	r.max = 255;
	ck_assert(!sad_spi_pick(sad, &r, 3, &spi));
	r.min = 5000;
	r.max = 4000;
	ck_assert(!sad_spi_pick(sad, &r, 3, &spi));
	/* Full 32-bit range: no overflow. */
	r.min = 256;
	r.max = 0xffffffffu;
	ck_assert(sad_spi_pick(sad, &r, 0xfffffffeu, &spi));
	ck_assert_uint_ge(spi, 256);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_state_set_transitions)
{
	static const struct {
		enum sa_state from, to;
		bool ok;
	} rows[] = {
		{ SA_STATE_LARVAL, SA_STATE_MATURE, true },
		{ SA_STATE_LARVAL, SA_STATE_DYING, false },
		{ SA_STATE_LARVAL, SA_STATE_DEAD, true },
		{ SA_STATE_MATURE, SA_STATE_LARVAL, false },
		{ SA_STATE_MATURE, SA_STATE_DYING, true },
		{ SA_STATE_MATURE, SA_STATE_DEAD, true },
		{ SA_STATE_DYING, SA_STATE_MATURE, false },
		{ SA_STATE_DYING, SA_STATE_DEAD, true },
		{ SA_STATE_DEAD, SA_STATE_MATURE, false },
		{ SA_STATE_DEAD, SA_STATE_DYING, false },
		{ SA_STATE_DEAD, SA_STATE_DEAD, true },
	};
	struct sad_entry *e;
	struct sa sa;
	size_t i;

	mk_sa(&sa, 300, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		e = sad_entry_new(&sa, 0, 1);
		atomic_store(&e->state, (uint8_t)rows[i].from);
		ck_assert_msg(
		    sad_state_set(e, rows[i].to) == rows[i].ok, "row %zu", i);
		ck_assert_int_eq(
		    sad_state(e), rows[i].ok ? rows[i].to : rows[i].from);
		ck_assert(sad_usable_check(e) ==
		    (sad_state(e) == SA_STATE_MATURE ||
			sad_state(e) == SA_STATE_DYING));
		sad_entry_free(e);
	}
}
END_TEST

START_TEST(test_sad_account_limits)
{
	struct sad_entry *e;
	struct sa sa;

	mk_sa(&sa, 300, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	sa.hard.bytes = 2500;
	sa.hard.packets = 10;
	e = sad_entry_new(&sa, 0, 1);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_account(e, 1000, 42), IPSEC_OK);
	ck_assert_uint_eq(atomic_load(&e->use_sec), 42);
	ck_assert_int_eq(sad_account(e, 1000, 43), IPSEC_OK);
	ck_assert_uint_eq(atomic_load(&e->use_sec), 42); /* first use only */
	/* 2000 < 2500: this one passes and takes it to 3000. */
	ck_assert_int_eq(sad_account(e, 1000, 44), IPSEC_OK);
	ck_assert_int_eq(sad_account(e, 1, 45), IPSEC_DROP_LIFETIME);
	ck_assert_uint_eq(atomic_load(&e->cur_bytes), 3000);
	ck_assert_uint_eq(atomic_load(&e->cur_packets), 3);
	sad_entry_free(e);

	sa.hard.bytes = 0;
	sa.hard.packets = 2;
	e = sad_entry_new(&sa, 0, 1);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_account(e, 1, 1), IPSEC_OK);
	ck_assert_int_eq(sad_account(e, 1, 1), IPSEC_OK);
	ck_assert_int_eq(sad_account(e, 1, 1), IPSEC_DROP_LIFETIME);
	sad_entry_free(e);

	sa.hard.packets = 0;
	e = sad_entry_new(&sa, 0, 1);
	sad_state_set(e, SA_STATE_DEAD);
	ck_assert_int_eq(sad_account(e, 1, 1), IPSEC_DROP_LIFETIME);
	ck_assert_uint_eq(atomic_load(&e->cur_packets), 0);
	sad_entry_free(e);
}
END_TEST

START_TEST(test_sad_drop_counts)
{
	struct sad_entry *e;
	struct sa sa;

	mk_sa(&sa, 300, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	e = sad_entry_new(&sa, 0, 1);
	sad_drop(e, IPSEC_DROP_REPLAY);
	sad_drop(e, IPSEC_DROP_REPLAY);
	sad_drop(e, IPSEC_DROP_LIFETIME);
	sad_drop(e, IPSEC_VERDICT_COUNT); /* out of range: ignored */
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_REPLAY]), 2);
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_LIFETIME]), 1);
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_ICV]), 0);
	sad_entry_free(e);
}
END_TEST

/*
 * Each limit kind, soft and hard, one at a time: below, exactly at, and
 * past the limit, with the time passed in.
 */
START_TEST(test_sad_lifetime_check_kinds)
{
	struct sad_entry *e;
	struct sa sa;
	int hard;

	mk_sa(&sa, 300, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	for (hard = 0; hard < 2; hard++) {
		struct sa_lifetime *lim = hard ? &sa.hard : &sa.soft;
		unsigned sh = hard ? 4 : 0;

		memset(&sa.soft, 0, sizeof(sa.soft));
		memset(&sa.hard, 0, sizeof(sa.hard));
		lim->bytes = 100;
		e = sad_entry_new(&sa, 0, 1000);
		atomic_store(&e->cur_bytes, 99);
		ck_assert_uint_eq(sad_lifetime_check(e, 5000), 0);
		atomic_store(&e->cur_bytes, 100);
		ck_assert_uint_eq(
		    sad_lifetime_check(e, 5000), SAD_EXP_SOFT_BYTES << sh);
		sad_entry_free(e);

		memset(lim, 0, sizeof(*lim));
		lim->packets = 3;
		e = sad_entry_new(&sa, 0, 1000);
		atomic_store(&e->cur_packets, 2);
		ck_assert_uint_eq(sad_lifetime_check(e, 5000), 0);
		atomic_store(&e->cur_packets, 4);
		ck_assert_uint_eq(
		    sad_lifetime_check(e, 5000), SAD_EXP_SOFT_PACKETS << sh);
		sad_entry_free(e);

		memset(lim, 0, sizeof(*lim));
		lim->add_sec = 60;
		e = sad_entry_new(&sa, 0, 1000);
		ck_assert_uint_eq(sad_lifetime_check(e, 1059), 0);
		ck_assert_uint_eq(
		    sad_lifetime_check(e, 1060), SAD_EXP_SOFT_ADD << sh);
		/* A clock before the add time trips nothing. */
		ck_assert_uint_eq(sad_lifetime_check(e, 10), 0);
		sad_entry_free(e);

		memset(lim, 0, sizeof(*lim));
		lim->use_sec = 30;
		e = sad_entry_new(&sa, 0, 1000);
		/* Never used: the use limit does not run. */
		ck_assert_uint_eq(sad_lifetime_check(e, 99999), 0);
		ck_assert_int_eq(sad_account(e, 10, 2000), IPSEC_OK);
		ck_assert_uint_eq(sad_lifetime_check(e, 2029), 0);
		ck_assert_uint_eq(
		    sad_lifetime_check(e, 2030), SAD_EXP_SOFT_USE << sh);
		sad_entry_free(e);
	}
}
END_TEST

struct expire_log {
	size_t n;
	unsigned bits[8];
	uint32_t spi[8];
	bool do_delete;
};

static void
on_expire(struct sad *sad, struct sad_entry *e, unsigned tripped, void *arg)
{
	struct expire_log *log = arg;

	if (log->n < 8) {
		log->bits[log->n] = tripped;
		log->spi[log->n] = e->sa.spi;
	}
	log->n++;
	if (log->do_delete && (tripped & SAD_EXP_HARD) != 0)
		ck_assert_int_eq(sad_delete(sad, e), SAD_OK);
}

START_TEST(test_sad_expire_scan_soft_then_hard)
{
	struct sad *sad = sad_new(1, 100);
	struct expire_log log;
	struct sad_entry *e, *other, *larval;
	struct sa sa;

	memset(&log, 0, sizeof(log));
	mk_sa(&sa, 0x900, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	sa.soft.add_sec = 100;
	sa.hard.add_sec = 200;
	e = sad_entry_new(&sa, 0, 1000);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_insert(sad, e), SAD_OK);
	sa.spi = 0x901;
	sa.soft.add_sec = 0;
	sa.hard.add_sec = 0;
	other = add(sad, 0x901, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	/* A LARVAL SA times out by its hard add limit (acquire timeout). */
	sa.spi = 0x902;
	sa.soft.add_sec = 10;
	sa.hard.add_sec = 30;
	larval = sad_entry_new(&sa, 0, 1000);
	ck_assert_int_eq(sad_insert(sad, larval), SAD_OK);

	ck_assert_uint_eq(sad_expire_scan(sad, 1020, on_expire, &log), 0);
	ck_assert_int_eq(sad_state(larval), SA_STATE_LARVAL); /* soft: no */
	ck_assert_uint_eq(sad_expire_scan(sad, 1030, on_expire, &log), 1);
	ck_assert_uint_eq(log.spi[0], 0x902);
	ck_assert_uint_eq(log.bits[0] & SAD_EXP_HARD, SAD_EXP_HARD_ADD);
	ck_assert_int_eq(sad_state(larval), SA_STATE_DEAD);

	ck_assert_uint_eq(sad_expire_scan(sad, 1100, on_expire, &log), 1);
	ck_assert_uint_eq(log.spi[1], 0x900);
	ck_assert_uint_eq(log.bits[1], SAD_EXP_SOFT_ADD);
	ck_assert_int_eq(sad_state(e), SA_STATE_DYING);
	/* Reported once. */
	ck_assert_uint_eq(sad_expire_scan(sad, 1150, on_expire, &log), 0);
	log.do_delete = true;
	ck_assert_uint_eq(sad_expire_scan(sad, 1200, on_expire, &log), 1);
	ck_assert_uint_eq(log.bits[2], SAD_EXP_SOFT_ADD | SAD_EXP_HARD_ADD);
	ck_assert_uint_eq(sad_count(sad), 2);
	ck_assert_int_eq(sad_state(other), SA_STATE_MATURE);
	ck_assert_uint_eq(sad_expire_scan(sad, 99999, on_expire, &log), 0);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_expire_scan_bytes)
{
	struct sad *sad = sad_new(1, 100);
	struct expire_log log;
	struct sad_entry *e;
	struct sa sa;

	memset(&log, 0, sizeof(log));
	mk_sa(&sa, 0x900, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	sa.soft.packets = 2;
	sa.hard.bytes = 3000;
	e = sad_entry_new(&sa, 0, 1000);
	sad_state_set(e, SA_STATE_MATURE);
	ck_assert_int_eq(sad_insert(sad, e), SAD_OK);
	sad_account(e, 1500, 1001);
	ck_assert_uint_eq(sad_expire_scan(sad, 1001, on_expire, &log), 0);
	sad_account(e, 1500, 1001);
	ck_assert_uint_eq(sad_expire_scan(sad, 1001, on_expire, &log), 1);
	ck_assert_uint_eq(
	    log.bits[0], SAD_EXP_SOFT_PACKETS | SAD_EXP_HARD_BYTES);
	ck_assert_int_eq(sad_state(e), SA_STATE_DEAD);
	sad_free(sad);
}
END_TEST

START_TEST(test_sad_cursor_resume)
{
	struct sad *sad = sad_new(1, 100);
	struct sad_entry *e[10], *got;
	struct sad_cursor *c, *c2;
	uint32_t seen[16];
	size_t n = 0, i;

	for (i = 0; i < 10; i++)
		e[i] = add(sad, 0x1000 + (uint32_t)i, IPPROTO_ESP, "10.0.0.1",
		    "10.0.0.2");
	c = sad_cursor_new(sad);
	c2 = sad_cursor_new(sad);
	for (i = 0; i < 3; i++)
		seen[n++] = sad_cursor_next(sad, c)->sa.spi;
	/* Between two turns: the last returned and a later one go, one is
	 * updated in place, one is added. */
	ck_assert_int_eq(sad_delete(sad, e[2]), SAD_OK);
	ck_assert_int_eq(sad_delete(sad, e[5]), SAD_OK);
	{
		struct sa sa;
		struct sad_entry *u;

		mk_sa(&sa, 0x1006, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
		u = sad_entry_new(&sa, 0, 1);
		sad_state_set(u, SA_STATE_MATURE);
		ck_assert_int_eq(sad_update(sad, u), SAD_OK);
	}
	add(sad, 0x2000, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	while ((got = sad_cursor_next(sad, c)) != NULL && n < 16)
		seen[n++] = got->sa.spi;
	ck_assert_uint_eq(n, 3 + 6 + 1);
	ck_assert_uint_eq(seen[2], 0x1002);
	ck_assert_uint_eq(seen[3], 0x1003);
	ck_assert_uint_eq(seen[4], 0x1004);
	ck_assert_uint_eq(seen[5], 0x1006);
	ck_assert_uint_eq(seen[8], 0x1009);
	ck_assert_uint_eq(seen[9], 0x2000);
	ck_assert_ptr_null(sad_cursor_next(sad, c));
	/* The other cursor, untouched so far, sees every live SA. */
	for (n = 0; sad_cursor_next(sad, c2) != NULL; n++)
		;
	ck_assert_uint_eq(n, sad_count(sad));
	sad_cursor_free(sad, c);
	sad_cursor_free(sad, c2);
	/* A cursor on an empty SAD. */
	sad_flush(sad, 0);
	c = sad_cursor_new(sad);
	ck_assert_ptr_null(sad_cursor_next(sad, c));
	sad_cursor_free(sad, c);
	sad_free(sad);
}
END_TEST

/* The benchmark functions build and run (figures are not checked). */
START_TEST(test_bench_tables_smoke)
{
	teardown(); /* they register the thread themselves */
	ck_assert(bench_sad_lookup_ns(1000, 1000, 1) > 0);
	ck_assert(bench_sad_lookup_ns(1000, 1000, 32) > 0);
	ck_assert(bench_spd_lookup_ns(1000, 1000, false) > 0);
	ck_assert(bench_spd_lookup_ns(1000, 1000, true) > 0);
	(void)bench_sad_bytes_per_sa(1000);
	setup();
}
END_TEST

static Suite *
sad_suite(void)
{
	Suite *s = suite_create("sad");
	TCase *tc;

	tc = tcase_create("sad_insert");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sad_insert_and_lookup);
	tcase_add_test(tc, test_sad_insert_duplicate);
	tcase_add_test(tc, test_sad_insert_status);
	tcase_add_test(tc, test_sad_insert_million);
	tcase_add_test(tc, test_sad_lookup_spi_batch);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_update");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_update_larval_to_mature);
	tcase_add_test(tc, test_sad_update_carries_runtime);
	tcase_add_test(tc, test_sad_update_notfound);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_delete");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_delete_basic);
	tcase_add_test(tc, test_sad_flush_proto);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_lookup_out");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_lookup_out_choice);
	tcase_add_test(tc, test_sad_lookup_out_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_spi_pick");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_spi_pick_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_state_set");
	tcase_add_test(tc, test_sad_state_set_transitions);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_account");
	tcase_add_test(tc, test_sad_account_limits);
	tcase_add_test(tc, test_sad_drop_counts);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_lifetime_check");
	tcase_add_test(tc, test_sad_lifetime_check_kinds);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_expire_scan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_expire_scan_soft_then_hard);
	tcase_add_test(tc, test_sad_expire_scan_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("sad_cursor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sad_cursor_resume);
	suite_add_tcase(s, tc);

	tc = tcase_create("bench_tables");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bench_tables_smoke);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sad_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
