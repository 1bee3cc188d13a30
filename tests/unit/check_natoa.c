/*
 * Unit tests for src/ipsec/natoa.c.  A packet is built as the peer sends
 * it (checksum valid over its original address), its source rewritten as
 * a NAT does, then mended; the result is judged by an independent
 * checksum verifier (RFC 1071 over pseudo-header and segment), never by
 * comparing with values the code under test produced.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "ipsec/bundle.h"
#include "ipsec/iphdr.h"
#include "ipsec/natoa.h"
#include "ipsec/sa.h"

static uint8_t pkt[2048];
static size_t pkt_len;
static struct sa sa;
static struct bundle_xform xf;

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert(addr_parse(&a, s));
	return a;
}

/* RFC 1071 sum of pseudo-header and segment, folded. */
static uint16_t
l4_sum(const uint8_t *p, size_t len)
{
	struct ip_info info;
	uint32_t sum = 0;
	size_t l4len, n;
	const uint8_t *l4;

	ck_assert(ip_parse(p, len, &info));
	l4 = p + info.ins_off;
	l4len = len - info.ins_off;
	n = info.family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i += 2) {
		sum +=
		    (uint32_t)(info.src.bytes[i] << 8 | info.src.bytes[i + 1]);
		sum +=
		    (uint32_t)(info.dst.bytes[i] << 8 | info.dst.bytes[i + 1]);
	}
	sum += info.proto + (uint32_t)l4len;
	for (size_t i = 0; i < l4len; i += 2)
		sum += (uint32_t)(l4[i] << 8 | (i + 1 < l4len ? l4[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The verifier: the sum over everything, checksum included, is ~0. */
static bool
l4_valid(const uint8_t *p, size_t len)
{
	return l4_sum(p, len) == 0xffff;
}

static uint16_t
field(size_t off)
{
	struct ip_info info;

	ck_assert(ip_parse(pkt, pkt_len, &info));
	return (uint16_t)(pkt[info.ins_off + off] << 8 |
	    pkt[info.ins_off + off + 1]);
}

/* Set the L4 checksum field to make the packet valid as it is now. */
static void
make_valid(size_t off)
{
	struct ip_info info;
	uint16_t ck;

	ck_assert(ip_parse(pkt, pkt_len, &info));
	pkt[info.ins_off + off] = pkt[info.ins_off + off + 1] = 0;
	ck = (uint16_t)~l4_sum(pkt, pkt_len);
	pkt[info.ins_off + off] = (uint8_t)(ck >> 8);
	pkt[info.ins_off + off + 1] = (uint8_t)ck;
	ck_assert(l4_valid(pkt, pkt_len));
}

/*
 * A packet src -> dst of proto with an l4len-byte segment (header and
 * payload filled from seed), its checksum valid.
 */
static void
build(const struct addr *src, const struct addr *dst, uint8_t proto,
    size_t l4len, uint32_t seed)
{
	size_t hl = src->family == AF_INET ? 20 : 40;
	uint8_t *l4 = pkt + hl;

	memset(pkt, 0, sizeof(pkt));
	pkt_len = hl + l4len;
	if (src->family == AF_INET) {
		pkt[0] = 0x45;
		pkt[8] = 64;
		pkt[9] = proto;
		memcpy(pkt + 12, src->bytes, 4);
		memcpy(pkt + 16, dst->bytes, 4);
	} else {
		pkt[0] = 0x60;
		pkt[6] = proto;
		pkt[7] = 64;
		memcpy(pkt + 8, src->bytes, 16);
		memcpy(pkt + 24, dst->bytes, 16);
	}
	ck_assert(ip_set_len(pkt, src->family, pkt_len));
	for (size_t i = 0; i < l4len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		l4[i] = (uint8_t)seed;
	}
	if (proto == IPPROTO_UDP && l4len >= 8) {
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
		make_valid(6);
	} else if (proto == IPPROTO_TCP && l4len >= 20) {
		l4[12] = 0x50;
		make_valid(16);
	}
}

/* What a NAT does: a new source address, IP header checksum mended. */
static void
nat_source(const struct addr *to)
{
	if (to->family == AF_INET) {
		memcpy(pkt + 12, to->bytes, 4);
		ip_fix_cksum(pkt);
	} else {
		memcpy(pkt + 8, to->bytes, 16);
	}
}

/* A transport-mode ESP-in-UDP SA from the NAT's address, with oa. */
static void
setup_sa(const struct addr *from, const struct addr *oa)
{
	memset(&sa, 0, sizeof(sa));
	sa.proto = IPPROTO_ESP;
	sa.mode = SA_MODE_TRANSPORT;
	sa.flags = SA_F_UDP_ENCAP;
	sa.src = *from;
	if (oa != NULL)
		sa.nat_oa = *oa;
	xf.sa = &sa;
	xf.c = NULL;
}

START_TEST(test_natoa_input_udp4_incremental)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");

	build(&orig, &dst, IPPROTO_UDP, 100, 1);
	nat_source(&nat);
	ck_assert(!l4_valid(pkt, pkt_len));
	setup_sa(&nat, &orig);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
	ck_assert_uint_ne(field(6), 0);
}
END_TEST

START_TEST(test_natoa_input_udp4_zero_stays)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");

	build(&orig, &dst, IPPROTO_UDP, 40, 2);
	pkt[20 + 6] = pkt[20 + 7] = 0; /* the sender gave none */
	nat_source(&nat);
	setup_sa(&nat, &orig);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 0);
	ck_assert_uint_eq(field(6), 0);
}
END_TEST

START_TEST(test_natoa_input_udp4_no_oa_cleared)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");

	build(&orig, &dst, IPPROTO_UDP, 40, 3);
	nat_source(&nat);
	setup_sa(&nat, NULL);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert_uint_eq(field(6), 0);
	/* An original address equal to the source is as good as none. */
	build(&orig, &dst, IPPROTO_UDP, 40, 3);
	nat_source(&nat);
	setup_sa(&nat, &nat);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert_uint_eq(field(6), 0);
}
END_TEST

START_TEST(test_natoa_input_tcp4_no_oa_recomputed)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");

	build(&orig, &dst, IPPROTO_TCP, 60, 4);
	nat_source(&nat);
	setup_sa(&nat, NULL);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
}
END_TEST

START_TEST(test_natoa_input_full_policy)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2"), wrong = A("192.0.2.99");
	uint8_t protos[2] = { IPPROTO_UDP, IPPROTO_TCP };

	for (int i = 0; i < 2; i++) {
		build(&orig, &dst, protos[i], 77, 5 + (uint32_t)i);
		nat_source(&nat);
		/* Full recomputation does not need the original address. */
		setup_sa(&nat, &wrong);
		ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len), 1);
		ck_assert(l4_valid(pkt, pkt_len));
	}
}
END_TEST

START_TEST(test_natoa_input_ipv6)
{
	struct addr orig = A("fd00:1::2"), nat = A("fd00:2::1"),
		    dst = A("fd00:2::2");

	/* UDP without an original address: recomputed, never zero. */
	build(&orig, &dst, IPPROTO_UDP, 50, 6);
	nat_source(&nat);
	setup_sa(&nat, NULL);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
	ck_assert_uint_ne(field(6), 0);
	/* TCP with one: incremental. */
	build(&orig, &dst, IPPROTO_TCP, 64, 7);
	nat_source(&nat);
	setup_sa(&nat, &orig);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
}
END_TEST

START_TEST(test_natoa_input_not_applicable)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");
	uint8_t before[2048];

	build(&orig, &dst, IPPROTO_UDP, 40, 8);
	nat_source(&nat);
	memcpy(before, pkt, pkt_len);
	setup_sa(&nat, &orig);
	sa.mode = SA_MODE_TUNNEL;
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 0);
	setup_sa(&nat, &orig);
	sa.flags = 0;
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 0);
	setup_sa(&nat, &orig);
	ck_assert_int_eq(natoa_input(&xf, 0, 0, pkt, pkt_len), 0);
	ck_assert_mem_eq(pkt, before, pkt_len);
	/* A fragment: its checksum covers bytes not here. */
	pkt[6] = 0x20; /* MF */
	ip_fix_cksum(pkt);
	memcpy(before, pkt, pkt_len);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 0);
	ck_assert_mem_eq(pkt, before, pkt_len);
	/* ICMP: no pseudo-header. */
	build(&orig, &dst, IPPROTO_ICMP, 40, 9);
	nat_source(&nat);
	ck_assert_int_eq(natoa_input(&xf, 1, 0, pkt, pkt_len), 0);
}
END_TEST

/* Header lengths: UDP 8 bytes, TCP 20, each exact and one short. */
START_TEST(test_natoa_input_short_headers)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");

	setup_sa(&nat, NULL);
	build(&orig, &dst, IPPROTO_UDP, 8, 10);
	nat_source(&nat);
	ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
	build(&orig, &dst, IPPROTO_UDP, 7, 10);
	ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len), 0);
	build(&orig, &dst, IPPROTO_TCP, 20, 11);
	nat_source(&nat);
	ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len), 1);
	ck_assert(l4_valid(pkt, pkt_len));
	build(&orig, &dst, IPPROTO_TCP, 19, 11);
	ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len), 0);
	/* A malformed IP header: nothing. */
	build(&orig, &dst, IPPROTO_UDP, 40, 12);
	ck_assert_int_eq(natoa_input(&xf, 1, 1, pkt, pkt_len - 1), 0);
}
END_TEST

/*
 * A UDP checksum the update turns into 0 is sent as 0xffff (RFC 768: 0
 * means none).  The payload word is searched so that the mended sum is
 * exactly zero.
 */
START_TEST(test_natoa_input_udp_zero_result)
{
	struct addr orig = A("10.9.1.2"), nat = A("10.9.2.1"),
		    dst = A("10.9.2.2");
	bool found = false;

	for (uint32_t w = 0; w <= 0xffff && !found; w++) {
		build(&orig, &dst, IPPROTO_UDP, 10, 13);
		pkt[28] = (uint8_t)(w >> 8);
		pkt[29] = (uint8_t)w;
		make_valid(6);
		nat_source(&nat);
		setup_sa(&nat, &orig);
		natoa_input(&xf, 1, 0, pkt, pkt_len);
		ck_assert(l4_valid(pkt, pkt_len));
		found = field(6) == 0xffff;
	}
	ck_assert(found);
}
END_TEST

/* Random packets, addresses and lengths: always valid afterwards. */
START_TEST(test_natoa_input_random_valid)
{
	uint32_t x = 0xdeadbeef;

	for (int i = 0; i < 300; i++) {
		struct addr o, n, d;
		int fam = i % 2 ? AF_INET : AF_INET6;
		uint8_t raw[16];
		uint8_t proto = i % 3 ? IPPROTO_UDP : IPPROTO_TCP;
		size_t l4len = 20 + (size_t)(x % 200);

		for (int k = 0; k < 16; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			raw[k] = (uint8_t)x;
		}
		addr_set(&o, fam, raw);
		raw[0] ^= 0x55;
		addr_set(&n, fam, raw);
		raw[1] ^= 0x33;
		addr_set(&d, fam, raw);
		build(&o, &d, proto, l4len, x);
		nat_source(&n);
		setup_sa(&n, i % 5 ? &o : NULL);
		ck_assert_int_eq(
		    natoa_input(&xf, 1, (uint8_t)(i % 7 == 0), pkt, pkt_len),
		    1);
		if (proto == IPPROTO_TCP || fam == AF_INET6 || i % 5 ||
		    i % 7 == 0)
			ck_assert(l4_valid(pkt, pkt_len));
		else
			ck_assert_uint_eq(field(6), 0);
	}
}
END_TEST

static Suite *
natoa_suite(void)
{
	Suite *s = suite_create("natoa");
	TCase *tc = tcase_create("natoa_input");

	tcase_add_test(tc, test_natoa_input_udp4_incremental);
	tcase_add_test(tc, test_natoa_input_udp4_zero_stays);
	tcase_add_test(tc, test_natoa_input_udp4_no_oa_cleared);
	tcase_add_test(tc, test_natoa_input_tcp4_no_oa_recomputed);
	tcase_add_test(tc, test_natoa_input_full_policy);
	tcase_add_test(tc, test_natoa_input_ipv6);
	tcase_add_test(tc, test_natoa_input_not_applicable);
	tcase_add_test(tc, test_natoa_input_short_headers);
	tcase_add_test(tc, test_natoa_input_udp_zero_result);
	tcase_add_test(tc, test_natoa_input_random_valid);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(natoa_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
