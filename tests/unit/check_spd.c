/* Unit tests for src/ipsec/selector.c and src/ipsec/spd.c. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>

#include "ipsec/sa.h"
#include "ipsec/spd.h"

/* Tests run as a registered, offline QSBR thread (the control thread). */
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

static struct prefix
P(const char *s) {
	struct prefix p;

	ck_assert_msg(prefix_parse(&p, s), "bad prefix %s", s);
	return p;
}

/* A selector src -> dst, any protocol and port. */
static struct selector
S(const char *src, const char *dst) {
	struct selector s;

	selector_init_any(&s, P(src).addr.family);
	s.src = P(src);
	s.dst = P(dst);
	return s;
}

static struct selector_key
K(const char *src, const char *dst, uint8_t proto, uint16_t sport,
    uint16_t dport) {
	struct selector_key k;

	memset(&k, 0, sizeof(k));
	k.src = A(src);
	k.dst = A(dst);
	k.family = k.src.family;
	k.proto = proto;
	k.sport = sport;
	k.dport = dport;
	return k;
}

/* A bypass policy (no templates needed) of dir with selector sel. */
static struct spd_policy
POL(enum spd_dir dir, struct selector sel, uint32_t prio) {
	struct spd_policy p;

	memset(&p, 0, sizeof(p));
	p.dir = (uint8_t)dir;
	p.action = SPD_ACTION_NONE;
	p.priority = prio;
	p.sel = sel;
	return p;
}

static uint32_t
ins(struct spd *spd, struct spd_policy p)
{
	uint32_t id = 0;

	ck_assert_int_eq(spd_insert(spd, &p, false, &id), SPD_OK);
	return id;
}

/* Id of the best outbound policy for k, 0 if none. */
static uint32_t
best_out(struct spd *spd, struct selector_key k)
{
	struct spd_policy *p = spd_lookup(spd, SPD_DIR_OUT, &k);

	return p == NULL ? 0 : p->id;
}

/*
 * Prefix edges, one bit at a time, IPv4 and IPv6: rows of prefix,
 * address, match.  Each row is checked as source and as destination.
 */
START_TEST(test_selector_match_prefix_edges)
{
	static const struct {
		const char *pfx, *addr;
		bool match;
	} rows[] = {
		{ "0.0.0.0/0", "255.255.255.255", true },
		{ "0.0.0.0/0", "::1", false }, /* family */
		{ "128.0.0.0/1", "128.0.0.0", true },
		{ "128.0.0.0/1", "127.255.255.255", false },
		{ "10.0.0.0/7", "11.255.255.255", true },
		{ "10.0.0.0/7", "12.0.0.0", false },
		{ "10.0.0.0/8", "10.255.255.255", true },
		{ "10.0.0.0/8", "11.0.0.0", false },
		{ "10.0.0.0/9", "10.127.255.255", true },
		{ "10.0.0.0/9", "10.128.0.0", false },
		{ "192.0.2.2/31", "192.0.2.3", true },
		{ "192.0.2.2/31", "192.0.2.1", false },
		{ "192.0.2.2/31", "192.0.2.4", false },
		{ "192.0.2.1/32", "192.0.2.1", true },
		{ "192.0.2.1/32", "192.0.2.0", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "10.0.0.1", false },
		{ "8000::/1", "7fff:ffff::", false },
		{ "8000::/1", "8000::", true },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::", false },
		{ "2001:db8::/33", "2001:db8:7fff::", true },
		{ "2001:db8::/33", "2001:db8:8000::", false },
		{ "2001:db8::/127", "2001:db8::1", true },
		{ "2001:db8::/127", "2001:db8::2", false },
		{ "2001:db8::1/128", "2001:db8::1", true },
		{ "2001:db8::1/128", "2001:db8::3", false },
	};
	struct selector s;
	struct selector_key k;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct prefix p = P(rows[i].pfx);
		struct addr a = A(rows[i].addr);

		selector_init_any(&s, p.addr.family);
		s.src = p;
		memset(&k, 0, sizeof(k));
		k.family = a.family;
		k.src = a;
		k.dst = a;
		ck_assert_msg(
		    selector_match(&s, &k) == rows[i].match, "src row %zu", i);
		selector_init_any(&s, p.addr.family);
		s.dst = p;
		ck_assert_msg(
		    selector_match(&s, &k) == rows[i].match, "dst row %zu", i);
	}
}
END_TEST

START_TEST(test_selector_match_proto_ports)
{
	struct selector s = S("10.0.0.0/8", "10.0.0.0/8");
	struct selector_key k =
	    K("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 443);

	s.proto = 0; /* Linux's any */
	ck_assert(selector_match(&s, &k));
	s.proto = SELECTOR_PROTO_ANY; /* PF_KEY's any */
	ck_assert(selector_match(&s, &k));
	s.proto = IPPROTO_UDP;
	ck_assert(!selector_match(&s, &k));
	s.proto = IPPROTO_TCP;
	ck_assert(selector_match(&s, &k));
	s.dport_lo = 443;
	s.dport_hi = 443;
	ck_assert(selector_match(&s, &k));
	k.dport = 444;
	ck_assert(!selector_match(&s, &k));
	k.dport = 442;
	ck_assert(!selector_match(&s, &k));
	s.dport_lo = 442;
	ck_assert(selector_match(&s, &k));
	s.sport_lo = 1001;
	s.sport_hi = 2000;
	ck_assert(!selector_match(&s, &k));
	k.sport = 1001;
	ck_assert(selector_match(&s, &k));
	k.sport = 2000;
	ck_assert(selector_match(&s, &k));
	k.sport = 2001;
	ck_assert(!selector_match(&s, &k));
}
END_TEST

/* ICMP type in the source port field, code in the destination's. */
START_TEST(test_selector_match_icmp)
{
	struct selector s = S("0.0.0.0/0", "0.0.0.0/0");
	struct selector_key k = K("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 8, 0);

	s.proto = IPPROTO_ICMP;
	s.sport_lo = s.sport_hi = 8; /* echo request, any code */
	s.dport_lo = 0;
	s.dport_hi = 255;
	ck_assert(selector_match(&s, &k));
	k.sport = 0; /* echo reply */
	ck_assert(!selector_match(&s, &k));
	s.sport_lo = s.sport_hi = 3; /* unreachable, code 4 only */
	s.dport_lo = s.dport_hi = 4;
	k.sport = 3;
	k.dport = 4;
	ck_assert(selector_match(&s, &k));
	k.dport = 1;
	ck_assert(!selector_match(&s, &k));
	/* ICMPv6 the same way. */
	s = S("::/0", "::/0");
	s.proto = IPPROTO_ICMPV6;
	s.sport_lo = s.sport_hi = 135; /* neighbour solicitation */
	k = K("fe80::1", "ff02::1:ff00:2", IPPROTO_ICMPV6, 135, 0);
	ck_assert(selector_match(&s, &k));
	k.sport = 136;
	ck_assert(!selector_match(&s, &k));
}
END_TEST

START_TEST(test_selector_match_if_id)
{
	struct selector s = S("10.0.0.0/8", "0.0.0.0/0");
	struct selector_key k = K("10.0.0.1", "192.0.2.1", IPPROTO_UDP, 1, 2);

	k.if_id = 7;
	ck_assert(selector_match(&s, &k)); /* selector if_id 0: any */
	s.if_id = 7;
	ck_assert(selector_match(&s, &k));
	s.if_id = 8;
	ck_assert(!selector_match(&s, &k));
	k.if_id = 0;
	ck_assert(!selector_match(&s, &k));
}
END_TEST

START_TEST(test_selector_check_bad)
{
	struct selector s;
	const char *why = NULL;

	s = S("10.0.0.0/8", "::/0");
	ck_assert(!selector_check(&s, &why));
	ck_assert_ptr_nonnull(why);
	s = S("10.0.0.0/8", "10.0.0.0/8");
	ck_assert(selector_check(&s, &why));
	s.src.len = 33;
	ck_assert(!selector_check(&s, &why));
	s = S("10.0.0.0/8", "10.0.0.0/8");
	s.src.len = 6; /* 10 = 000010|10: host bits set */
	ck_assert(!selector_check(&s, &why));
	s = S("2001:db8::/128", "::/0");
	s.src.len = 129;
	ck_assert(!selector_check(&s, &why));
	s = S("10.0.0.0/8", "10.0.0.0/8");
	s.dport_lo = 10; /* ports with protocol any */
	s.dport_hi = 10;
	ck_assert(!selector_check(&s, &why));
	s.proto = IPPROTO_TCP;
	ck_assert(selector_check(&s, &why));
	s.dport_lo = 11; /* lo > hi */
	ck_assert(!selector_check(&s, &why));
	memset(&s, 0, sizeof(s)); /* no family */
	ck_assert(!selector_check(&s, &why));
}
END_TEST

START_TEST(test_selector_eq_fields)
{
	struct selector a = S("10.0.0.0/8", "10.1.0.0/16"), b = a;

	ck_assert(selector_eq(&a, &b));
	b.proto = 0; /* 0 and 255 are the same any */
	ck_assert(selector_eq(&a, &b));
	b.dst.len = 17;
	ck_assert(!selector_eq(&a, &b));
	b = a;
	b.if_id = 1;
	ck_assert(!selector_eq(&a, &b));
	b = a;
	b.proto = IPPROTO_TCP;
	ck_assert(!selector_eq(&a, &b));
	b = a;
	b.sport_hi = 80;
	ck_assert(!selector_eq(&a, &b));
}
END_TEST

START_TEST(test_spd_insert_ids)
{
	struct spd *spd = spd_new(3, 100);
	uint32_t a, b, c, d;
	int dir;

	for (dir = 0; dir < SPD_DIR_COUNT; dir++) {
		a = ins(spd, POL(dir, S("10.0.0.0/8", "0.0.0.0/0"), 1));
		b = ins(spd, POL(dir, S("10.0.0.0/9", "0.0.0.0/0"), 1));
		ck_assert_uint_eq(a % 8, (unsigned)dir);
		ck_assert_uint_eq(b % 8, (unsigned)dir);
		ck_assert_uint_ne(a, b);
		ck_assert_uint_eq(spd_lookup_id(spd, a)->sel.src.len, 8);
	}
	ck_assert_uint_eq(spd_count(spd), 6);
	/* The same selector in the same direction: SPDADD refuses. */
	{
		struct spd_policy p =
		    POL(SPD_DIR_OUT, S("10.0.0.0/8", "0.0.0.0/0"), 5);

		ck_assert_int_eq(spd_insert(spd, &p, false, &c), SPD_EXISTS);
		/* SPDUPDATE replaces it and keeps the id. */
		c = spd_lookup_sel(spd, SPD_DIR_OUT, &p.sel)->id;
		p.action = SPD_ACTION_DISCARD;
		ck_assert_int_eq(spd_insert(spd, &p, true, &d), SPD_OK);
		ck_assert_uint_eq(c, d);
		ck_assert_int_eq(
		    spd_lookup_id(spd, d)->action, SPD_ACTION_DISCARD);
		ck_assert_uint_eq(spd_lookup_id(spd, d)->priority, 5);
		ck_assert_uint_eq(spd_count(spd), 6);
	}
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_insert_invalid)
{
	struct spd *spd = spd_new(3, 2);
	struct spd_policy p = POL(SPD_DIR_OUT, S("10.0.0.0/8", "0.0.0.0/0"), 1);
	struct spd_policy q;

	q = p;
	q.dir = 3;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q = p;
	q.action = 7;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q = p;
	q.action = SPD_ACTION_IPSEC; /* no template */
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q.ntmpl = 1;
	q.tmpl[0].proto = IPPROTO_ESP;
	q.tmpl[0].mode = SA_MODE_TUNNEL;
	q.tmpl[0].level = KNOBS_LEVEL_REQUIRE;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_OK);
	q.sel.src.len = 9;
	q.tmpl[0].proto = IPPROTO_UDP;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q.tmpl[0].proto = IPPROTO_AH;
	q.tmpl[0].mode = SA_MODE_ANY;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q.tmpl[0].mode = SA_MODE_TRANSPORT;
	q.tmpl[0].level = 4;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q.tmpl[0].level = KNOBS_LEVEL_UNIQUE;
	q.ntmpl = SPD_TMPL_MAX + 1;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q = p;
	q.sel.src.len = 6; /* host bits */
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_INVALID);
	q = p;
	q.sel.src.len = 12;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_OK);
	q.sel.src.len = 16;
	ck_assert_int_eq(spd_insert(spd, &q, false, NULL), SPD_FULL);
	ck_assert_uint_eq(spd_count(spd), 2);
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_lookup_priority)
{
	struct spd *spd = spd_new(3, 100);
	uint32_t wide, narrow, port, v6;
	struct selector s;

	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), 0);
	wide = ins(spd, POL(SPD_DIR_OUT, S("0.0.0.0/0", "0.0.0.0/0"), 100));
	narrow =
	    ins(spd, POL(SPD_DIR_OUT, S("10.1.0.0/16", "10.2.0.0/16"), 200));
	s = S("10.1.1.1/32", "0.0.0.0/0");
	s.proto = IPPROTO_TCP;
	s.dport_lo = s.dport_hi = 80;
	port = ins(spd, POL(SPD_DIR_OUT, s, 50));
	v6 = ins(spd, POL(SPD_DIR_OUT, S("::/0", "::/0"), 1));
	/* Lowest priority value wins, not the longest prefix. */
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), port);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 81)), wide);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 17, 1, 80)), wide);
	ck_assert_uint_eq(best_out(spd, K("2001:db8::1", "::1", 6, 1, 80)), v6);
	/* Make the narrow one win, then lose it again. */
	ck_assert_int_eq(spd_delete_id(spd, wide), SPD_OK);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 81)), narrow);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.3.2.2", 6, 1, 81)), 0);
	/* Directions are separate tables. */
	{
		struct selector_key k = K("10.1.1.1", "10.2.2.2", 6, 1, 81);

		ck_assert_ptr_null(spd_lookup(spd, SPD_DIR_IN, &k));
		ck_assert_ptr_null(spd_lookup(spd, SPD_DIR_FWD, &k));
	}
	spd_free(spd);
}
END_TEST

/* Equal priorities: the policy inserted first wins (Linux). */
START_TEST(test_spd_lookup_ties)
{
	struct spd *spd = spd_new(3, 100);
	uint32_t a, b, c, d;
	struct selector s;
	struct spd_policy p;

	/* Different classes: /16->/0 inserted before /0->/0 and /24->/24. */
	a = ins(spd, POL(SPD_DIR_OUT, S("10.1.0.0/16", "0.0.0.0/0"), 10));
	b = ins(spd, POL(SPD_DIR_OUT, S("0.0.0.0/0", "0.0.0.0/0"), 10));
	c = ins(spd, POL(SPD_DIR_OUT, S("10.1.1.0/24", "10.2.2.0/24"), 10));
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), a);
	ck_assert_uint_eq(
	    best_out(spd, K("10.9.1.1", "10.2.2.2", 6, 1, 80)), b);
	ck_assert_int_eq(spd_delete_id(spd, a), SPD_OK);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), b);
	ck_assert_int_eq(spd_delete_id(spd, b), SPD_OK);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), c);
	/* Same class and addresses, different ports: still first wins. */
	s = S("10.1.1.0/24", "10.2.2.0/24");
	s.proto = IPPROTO_TCP;
	d = ins(spd, POL(SPD_DIR_OUT, s, 10));
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), c);
	/* An update keeps c's place: c still first among equals. */
	p = POL(SPD_DIR_OUT, S("10.1.1.0/24", "10.2.2.0/24"), 10);
	p.action = SPD_ACTION_DISCARD;
	ck_assert_int_eq(spd_insert(spd, &p, true, NULL), SPD_OK);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), c);
	ck_assert_int_eq(spd_delete_id(spd, c), SPD_OK);
	ck_assert_uint_eq(
	    best_out(spd, K("10.1.1.1", "10.2.2.2", 6, 1, 80)), d);
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_lookup_v6_classes)
{
	struct spd *spd = spd_new(3, 100);
	uint32_t a, b, c;

	a = ins(
	    spd, POL(SPD_DIR_IN, S("2001:db8::/32", "2001:db8:1::/48"), 30));
	b = ins(spd, POL(SPD_DIR_IN, S("2001:db8::1/128", "::/0"), 20));
	c = ins(spd, POL(SPD_DIR_IN, S("2001:db8::/127", "::/1"), 10));
	{
		struct selector_key k =
		    K("2001:db8::1", "2001:db8:1::5", 17, 1, 2);

		ck_assert_uint_eq(spd_lookup(spd, SPD_DIR_IN, &k)->id, c);
		k.dst = A("8001:db8:1::5");
		ck_assert_uint_eq(spd_lookup(spd, SPD_DIR_IN, &k)->id, b);
		k.src = A("2001:db8::2");
		ck_assert_ptr_null(spd_lookup(spd, SPD_DIR_IN, &k));
		k.dst = A("2001:db8:1:ffff::");
		ck_assert_uint_eq(spd_lookup(spd, SPD_DIR_IN, &k)->id, a);
		/* An IPv4 key never sees IPv6 classes. */
		k = K("32.1.13.184", "32.1.13.184", 17, 1, 2);
		ck_assert_ptr_null(spd_lookup(spd, SPD_DIR_IN, &k));
	}
	spd_free(spd);
}
END_TEST

static uint64_t rs = 88172645463325252ull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

/* A random address in a small pool, so that selectors overlap a lot. */
static void
rnd_addr(struct addr *a, bool is_v6)
{
	uint8_t raw[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint32_t r = rnd();

	if (is_v6) {
		raw[4] = (uint8_t)(r % 4);
		raw[15] = (uint8_t)(r >> 8);
		raw[8] = (uint8_t)((r >> 16) % 2 << 7);
		addr_set(a, AF_INET6, raw);
	} else {
		raw[0] = 10;
		raw[1] = (uint8_t)(r % 4);
		raw[2] = (uint8_t)(r >> 8) % 8;
		raw[3] = (uint8_t)(r >> 16);
		addr_set(a, AF_INET, raw);
	}
}

static uint8_t
rnd_len(bool is_v6)
{
	static const uint8_t l4[] = { 0, 1, 8, 14, 16, 21, 24, 29, 31, 32 };
	static const uint8_t l6[] = { 0, 32, 34, 64, 65, 120, 127, 128 };

	return is_v6 ? l6[rnd() % sizeof(l6)] : l4[rnd() % sizeof(l4)];
}

static void
rnd_ports(uint16_t *lo, uint16_t *hi)
{
	switch (rnd() % 3) {
	case 0:
		*lo = 0;
		*hi = 0xffff;
		break;
	case 1:
		*lo = *hi = (uint16_t)(rnd() % 8);
		break;
	default:
		*lo = (uint16_t)(rnd() % 6);
		*hi = (uint16_t)(*lo + rnd() % 4);
		break;
	}
}

static void
rnd_policy(struct spd_policy *p)
{
	static const uint8_t protos[] = { 0, 255, IPPROTO_TCP, IPPROTO_UDP,
		IPPROTO_ICMP };
	bool is_v6 = rnd() % 8 == 0;

	memset(p, 0, sizeof(*p));
	p->dir = (uint8_t)(rnd() % SPD_DIR_COUNT);
	p->action = SPD_ACTION_NONE;
	p->priority = rnd() % 2000; /* many ties */
	selector_init_any(&p->sel, is_v6 ? AF_INET6 : AF_INET);
	rnd_addr(&p->sel.src.addr, is_v6);
	rnd_addr(&p->sel.dst.addr, is_v6);
	p->sel.src.len = rnd_len(is_v6);
	p->sel.dst.len = rnd_len(is_v6);
	addr_mask(&p->sel.src.addr, p->sel.src.len);
	addr_mask(&p->sel.dst.addr, p->sel.dst.len);
	p->sel.proto = protos[rnd() % sizeof(protos)];
	if (p->sel.proto != 0 && p->sel.proto != 255) {
		rnd_ports(&p->sel.sport_lo, &p->sel.sport_hi);
		rnd_ports(&p->sel.dport_lo, &p->sel.dport_hi);
	}
	p->sel.if_id = rnd() % 4 == 0 ? rnd() % 3 + 1 : 0;
}

/* A flow: half of them inside a random policy, host bits random. */
static void
rnd_flow(
    struct selector_key *k, int *dir, const struct spd_policy *pols, size_t n)
{
	const struct spd_policy *p = &pols[rnd() % n];
	bool is_v6 = p->sel.src.addr.family == AF_INET6;
	struct addr a;
	size_t i, bits;

	memset(k, 0, sizeof(k[0]));
	rnd_addr(&k->src, is_v6);
	rnd_addr(&k->dst, is_v6);
	k->family = k->src.family;
	k->proto = (uint8_t)(rnd() % 3 == 0 ? IPPROTO_UDP : IPPROTO_TCP);
	k->sport = (uint16_t)(rnd() % 10);
	k->dport = (uint16_t)(rnd() % 10);
	k->if_id = rnd() % 4;
	*dir = (int)(rnd() % SPD_DIR_COUNT);
	if (rnd() % 2 == 0)
		return;
	*dir = p->dir;
	bits = addr_len(&k->src) * 8;
	for (i = 0; i < bits; i++) { /* prefix bits from p, the rest random */
		a = i < p->sel.src.len ? p->sel.src.addr : k->src;
		k->src.bytes[i / 8] =
		    (uint8_t)((k->src.bytes[i / 8] & ~(0x80 >> i % 8)) |
			(a.bytes[i / 8] & (0x80 >> i % 8)));
		a = i < p->sel.dst.len ? p->sel.dst.addr : k->dst;
		k->dst.bytes[i / 8] =
		    (uint8_t)((k->dst.bytes[i / 8] & ~(0x80 >> i % 8)) |
			(a.bytes[i / 8] & (0x80 >> i % 8)));
	}
	if (p->sel.proto != 0 && p->sel.proto != 255)
		k->proto = p->sel.proto;
	k->sport = p->sel.sport_lo;
	k->dport = p->sel.dport_hi;
	if (p->sel.if_id != 0)
		k->if_id = p->sel.if_id;
}

/* The reference: a linear scan in insertion order, strict improvement. */
static const struct spd_policy *
brute(const struct spd_policy *pols, const bool *live, size_t n, int dir,
    const struct selector_key *k)
{
	const struct spd_policy *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!live[i] || pols[i].dir != dir ||
		    !selector_match(&pols[i].sel, k))
			continue;
		if (best == NULL || pols[i].priority < best->priority)
			best = &pols[i];
	}
	return best;
}

#define NPOL 100000
#define NFLOW 1000

/* The most policies any lookup of compare_flows compared. */
static size_t max_compared;

static size_t
compare_flows(struct spd *spd, const struct spd_policy *pols, const bool *live,
    size_t n, size_t nflows)
{
	struct selector_key k;
	struct spd_policy *got;
	const struct spd_policy *want;
	size_t i, matched = 0;
	int dir;

	urcu_qsbr_thread_online();
	for (i = 0; i < nflows; i++) {
		struct spd_lookup_work w = { 0, 0, 0 };

		rnd_flow(&k, &dir, pols, n);
		got = spd_lookup_counted(spd, dir, &k, &w);
		ck_assert_ptr_eq(got, spd_lookup(spd, dir, &k));
		ck_assert_uint_le(w.passed, w.classes);
		if (w.policies > max_compared)
			max_compared = w.policies;
		want = brute(pols, live, n, dir, &k);
		ck_assert_msg((got == NULL) == (want == NULL), "flow %zu", i);
		if (want == NULL)
			continue;
		ck_assert_msg(got->id == want->id, "flow %zu: id %u, want %u",
		    i, got->id, want->id);
		matched++;
		urcu_qsbr_quiescent_state();
	}
	urcu_qsbr_thread_offline();
	return matched;
}

/*
 * 100,000 random, heavily overlapping policies (IPv4 and IPv6, odd prefix
 * lengths, ports, protocols, interface keys, tied priorities) against a
 * linear scan, before and after deleting a third of them, then most.
 */
START_TEST(test_spd_lookup_vs_linear)
{
	struct spd *spd = spd_new(0x5eed, NPOL);
	struct spd_policy *pols = calloc(NPOL, sizeof(*pols));
	bool *live = calloc(NPOL, sizeof(*live));
	size_t n = 0, tries, i;

	ck_assert_ptr_nonnull(pols);
	for (tries = 0; n < NPOL && tries < 2 * NPOL; tries++) {
		rnd_policy(&pols[n]);
		if (spd_insert(spd, &pols[n], false, &pols[n].id) == SPD_OK)
			live[n++] = true;
	}
	ck_assert_uint_gt(n, NPOL / 2);
	ck_assert_uint_eq(spd_count(spd), n);
	max_compared = 0;
	ck_assert_uint_gt(compare_flows(spd, pols, live, n, NFLOW), NFLOW / 4);
	/*
	 * Not a linear scan: no lookup compared even 1% of the policies (a
	 * scan compares all of them).  The most are in the few big groups
	 * of one address pair (e.g. 0/0 -> 0/0) that differ by port.
	 */
	ck_assert_uint_lt(max_compared, n / 100);
	for (i = 0; i < n; i++) {
		if (rnd() % 3 != 0)
			continue;
		ck_assert_int_eq(spd_delete_id(spd, pols[i].id), SPD_OK);
		live[i] = false;
	}
	compare_flows(spd, pols, live, n, NFLOW);
	/* Down to a tenth: class filters shrink, bounds are recomputed. */
	for (i = 0; i < n; i++) {
		if (!live[i] || rnd() % 7 == 0)
			continue;
		ck_assert_int_eq(spd_delete_id(spd, pols[i].id), SPD_OK);
		live[i] = false;
	}
	compare_flows(spd, pols, live, n, NFLOW);
	spd_free(spd);
	free(pols);
	free(live);
}
END_TEST

/*
 * Policies that share one address pair form one group, kept in lookup
 * order (priority, then insertion): heads, middles and tails inserted,
 * deleted and updated, each time against the linear scan.
 */
START_TEST(test_spd_lookup_group_order)
{
	struct spd *spd = spd_new(9, 100);
	struct spd_policy pols[12];
	bool live[12];
	struct selector_key k;
	struct spd_policy *got;
	const struct spd_policy *want;
	/* Ports 1..4 exact or any; priorities with ties. */
	static const uint32_t prio[12] = { 50, 10, 50, 90, 10, 70, 30, 50, 5,
		90, 30, 60 };

	for (int i = 0; i < 12; i++) {
		pols[i] =
		    POL(SPD_DIR_OUT, S("10.1.0.0/16", "10.2.0.0/16"), prio[i]);
		pols[i].sel.proto = IPPROTO_TCP;
		if (i % 3 != 0)
			pols[i].sel.dport_lo = pols[i].sel.dport_hi =
			    (uint16_t)(1 + i % 4);
		pols[i].sel.sport_lo = (uint16_t)i; /* distinct selectors */
		pols[i].id = ins(spd, pols[i]);
		live[i] = true;
	}
	for (int round = 0; round < 4; round++) {
		for (uint16_t port = 0; port < 6; port++) {
			k = K("10.1.2.3", "10.2.3.4", IPPROTO_TCP, 0, port);
			for (uint16_t sp = 0; sp < 12; sp++) {
				k.sport = sp;
				urcu_qsbr_thread_online();
				got = spd_lookup(spd, SPD_DIR_OUT, &k);
				urcu_qsbr_thread_offline();
				want = brute(pols, live, 12, SPD_DIR_OUT, &k);
				ck_assert_msg((got == NULL) == (want == NULL),
				    "round %d port %u sport %u", round, port,
				    sp);
				if (want != NULL)
					ck_assert_uint_eq(got->id, want->id);
			}
		}
		switch (round) {
		case 0: /* the head (priority 5) and a middle one */
			ck_assert_int_eq(
			    spd_delete_id(spd, pols[8].id), SPD_OK);
			ck_assert_int_eq(
			    spd_delete_id(spd, pols[2].id), SPD_OK);
			live[8] = live[2] = false;
			break;
		case 1: /* the tail, then an update to the front */
			ck_assert_int_eq(
			    spd_delete_id(spd, pols[9].id), SPD_OK);
			live[9] = false;
			pols[3].priority = 1;
			ck_assert_int_eq(
			    spd_insert(spd, &pols[3], true, NULL), SPD_OK);
			break;
		case 2: /* and one back to the end */
			pols[3].priority = 99;
			ck_assert_int_eq(
			    spd_insert(spd, &pols[3], true, NULL), SPD_OK);
			break;
		default:
			break;
		}
	}
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_delete_sel_and_flush)
{
	struct spd *spd = spd_new(3, 100);
	struct selector s = S("10.0.0.0/8", "10.0.0.0/8");
	uint32_t a;

	a = ins(spd, POL(SPD_DIR_OUT, s, 1));
	ins(spd, POL(SPD_DIR_IN, s, 1));
	ck_assert_int_eq(spd_delete_sel(spd, SPD_DIR_FWD, &s), SPD_NOTFOUND);
	ck_assert_int_eq(spd_delete_sel(spd, SPD_DIR_OUT, &s), SPD_OK);
	ck_assert_int_eq(spd_delete_sel(spd, SPD_DIR_OUT, &s), SPD_NOTFOUND);
	ck_assert_int_eq(spd_delete_id(spd, a), SPD_NOTFOUND);
	ck_assert_ptr_null(spd_lookup_id(spd, a));
	ck_assert_ptr_nonnull(spd_lookup_sel(spd, SPD_DIR_IN, &s));
	ck_assert_uint_eq(spd_count(spd), 1);
	/* Same selector can come back. */
	ins(spd, POL(SPD_DIR_OUT, s, 1));
	ins(spd, POL(SPD_DIR_OUT, S("::/0", "::/0"), 1));
	spd_flush(spd);
	ck_assert_uint_eq(spd_count(spd), 0);
	ck_assert_uint_eq(best_out(spd, K("10.0.0.1", "10.0.0.2", 6, 1, 1)), 0);
	ck_assert_uint_eq(best_out(spd, K("::1", "::2", 6, 1, 1)), 0);
	/* And the SPD works after a flush. */
	a = ins(spd, POL(SPD_DIR_OUT, s, 1));
	ck_assert_uint_eq(best_out(spd, K("10.0.0.1", "10.0.0.2", 6, 1, 1)), a);
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_cache_lookup_invalidation)
{
	struct spd *spd = spd_new(3, 100);
	struct spd_cache *c = spd_cache_new(spd, 4);
	struct selector_key k = K("10.1.1.1", "10.2.2.2", 6, 1000, 80);
	struct selector_key k2 = K("10.1.1.2", "10.2.2.2", 6, 1000, 80);
	uint64_t hits, misses, gen;
	uint32_t wide, narrow;

	ck_assert_ptr_nonnull(c);
	urcu_qsbr_thread_online();
	/* Negative answers are cached too. */
	ck_assert_ptr_null(spd_cache_lookup(c, SPD_DIR_OUT, &k));
	ck_assert_ptr_null(spd_cache_lookup(c, SPD_DIR_OUT, &k));
	spd_cache_stats(c, &hits, &misses);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(misses, 1);

	gen = spd_gen(spd);
	wide = ins(spd, POL(SPD_DIR_OUT, S("0.0.0.0/0", "0.0.0.0/0"), 100));
	ck_assert_uint_gt(spd_gen(spd), gen);
	ck_assert_uint_eq(spd_cache_lookup(c, SPD_DIR_OUT, &k)->id, wide);
	ck_assert_uint_eq(spd_cache_lookup(c, SPD_DIR_OUT, &k)->id, wide);
	/* Same key, other direction: its own entry. */
	ck_assert_ptr_null(spd_cache_lookup(c, SPD_DIR_IN, &k));
	/* A better policy appears: the cached answer is dropped. */
	narrow = ins(spd, POL(SPD_DIR_OUT, S("10.1.1.1/32", "10.2.2.2/32"), 1));
	ck_assert_uint_eq(spd_cache_lookup(c, SPD_DIR_OUT, &k)->id, narrow);
	ck_assert_uint_eq(spd_cache_lookup(c, SPD_DIR_OUT, &k2)->id, wide);
	/* Deleted: never handed out again. */
	ck_assert_int_eq(spd_delete_id(spd, narrow), SPD_OK);
	ck_assert_uint_eq(spd_cache_lookup(c, SPD_DIR_OUT, &k)->id, wide);
	spd_flush(spd);
	ck_assert_ptr_null(spd_cache_lookup(c, SPD_DIR_OUT, &k));
	ck_assert_ptr_null(spd_cache_lookup(c, SPD_DIR_OUT, &k2));
	spd_cache_stats(c, &hits, &misses);
	ck_assert_uint_eq(hits, 2);
	ck_assert_uint_eq(misses, 8);
	urcu_qsbr_thread_offline();
	spd_cache_free(c);
	spd_free(spd);
}
END_TEST

START_TEST(test_spd_level_default)
{
	struct knobs k;
	struct spd_tmpl t;

	knobs_init(&k);
	memset(&t, 0, sizeof(t));
	k.esp_trans_deflev = KNOBS_LEVEL_USE;
	k.esp_net_deflev = KNOBS_LEVEL_REQUIRE;
	k.ah_trans_deflev = KNOBS_LEVEL_UNIQUE;
	k.ah_net_deflev = KNOBS_LEVEL_DEFAULT; /* not a level: REQUIRE */
	t.level = KNOBS_LEVEL_DEFAULT;
	t.proto = IPPROTO_ESP;
	t.mode = SA_MODE_TRANSPORT;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_USE);
	t.mode = SA_MODE_BEET;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_USE);
	t.mode = SA_MODE_TUNNEL;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_REQUIRE);
	t.proto = IPPROTO_AH;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_REQUIRE);
	t.mode = SA_MODE_TRANSPORT;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_UNIQUE);
	t.proto = IPPROTO_COMP;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_USE);
	/* An explicit level is kept. */
	t.proto = IPPROTO_ESP;
	t.level = KNOBS_LEVEL_UNIQUE;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_UNIQUE);
	t.level = KNOBS_LEVEL_USE;
	ck_assert_int_eq(spd_level(&t, &k), KNOBS_LEVEL_USE);
}
END_TEST

START_TEST(test_spd_default_action_knob)
{
	struct knobs k;

	knobs_init(&k);
	ck_assert_int_eq(spd_default_action(&k), SPD_ACTION_NONE);
	k.def_policy = KNOBS_POLICY_DISCARD;
	ck_assert_int_eq(spd_default_action(&k), SPD_ACTION_DISCARD);
}
END_TEST

START_TEST(test_spd_cursor_resume)
{
	struct spd *spd = spd_new(3, 100);
	struct spd_cursor *c;
	struct spd_policy *p;
	uint32_t id[6], seen[8];
	size_t i, n = 0;
	char buf[16];

	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "10.0.%zu.0/24", i);
		id[i] = ins(spd, POL(SPD_DIR_OUT, S(buf, "0.0.0.0/0"), 1));
	}
	c = spd_cursor_new(spd);
	seen[n++] = spd_cursor_next(spd, c)->id;
	seen[n++] = spd_cursor_next(spd, c)->id;
	ck_assert_int_eq(spd_delete_id(spd, id[1]), SPD_OK); /* last seen */
	ck_assert_int_eq(spd_delete_id(spd, id[3]), SPD_OK);
	ins(spd, POL(SPD_DIR_IN, S("::/0", "::/0"), 1));
	while ((p = spd_cursor_next(spd, c)) != NULL && n < 8)
		seen[n++] = p->id;
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(seen[0], id[0]);
	ck_assert_uint_eq(seen[1], id[1]);
	ck_assert_uint_eq(seen[2], id[2]);
	ck_assert_uint_eq(seen[3], id[4]);
	ck_assert_uint_eq(seen[4], id[5]);
	ck_assert_uint_eq(seen[5] % 8, SPD_DIR_IN);
	spd_cursor_free(spd, c);
	spd_free(spd);
}
END_TEST

static Suite *
spd_suite(void)
{
	Suite *s = suite_create("spd");
	TCase *tc;

	tc = tcase_create("selector_match");
	tcase_add_test(tc, test_selector_match_prefix_edges);
	tcase_add_test(tc, test_selector_match_proto_ports);
	tcase_add_test(tc, test_selector_match_icmp);
	tcase_add_test(tc, test_selector_match_if_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("selector_check");
	tcase_add_test(tc, test_selector_check_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("selector_eq");
	tcase_add_test(tc, test_selector_eq_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_insert");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spd_insert_ids);
	tcase_add_test(tc, test_spd_insert_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_spd_lookup_priority);
	tcase_add_test(tc, test_spd_lookup_ties);
	tcase_add_test(tc, test_spd_lookup_v6_classes);
	tcase_add_test(tc, test_spd_lookup_vs_linear);
	tcase_add_test(tc, test_spd_lookup_group_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_delete");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spd_delete_sel_and_flush);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_cache_lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spd_cache_lookup_invalidation);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_level");
	tcase_add_test(tc, test_spd_level_default);
	tcase_add_test(tc, test_spd_default_action_knob);
	suite_add_tcase(s, tc);

	tc = tcase_create("spd_cursor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spd_cursor_resume);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
