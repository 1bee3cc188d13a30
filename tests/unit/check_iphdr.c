/* Unit tests for src/ipsec/iphdr.c: IPv4/IPv6 parsing and rewriting. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/rd.h"
#include "ipsec/iphdr.h"

/*
 * An IPv4 packet of tot bytes with an ihl_words header (options zero),
 * protocol 17, TOS 0xb9, TTL 33, 10.0.0.1 -> 10.0.0.2, valid checksum.
 */
static size_t
mk4(uint8_t *b, unsigned ihl_words, size_t tot, uint16_t frag)
{
	memset(b, 0, tot);
	b[0] = (uint8_t)(0x40 | ihl_words);
	b[1] = 0xb9;
	wr_u16(b + 2, (uint16_t)tot);
	wr_u16(b + 4, 0x1234);
	wr_u16(b + 6, frag);
	b[8] = 33;
	b[9] = IPPROTO_UDP;
	b[12] = 10, b[15] = 1;
	b[16] = 10, b[19] = 2;
	wr_u16(b + 10, ip_cksum(b, ihl_words * 4));
	return tot;
}

/* An IPv6 header with traffic class 0xb9, hop limit 33, 2001:db8::1 -> ::2. */
static void
mk6(uint8_t *b, size_t tot, uint8_t nh)
{
	memset(b, 0, tot);
	wr_u32(b, 6u << 28 | 0xb9u << 20 | 0x12345);
	wr_u16(b + 4, (uint16_t)(tot - 40));
	b[6] = nh;
	b[7] = 33;
	b[8] = 0x20, b[9] = 0x01, b[10] = 0x0d, b[11] = 0xb8, b[23] = 1;
	b[24] = 0x20, b[25] = 0x01, b[26] = 0x0d, b[27] = 0xb8, b[39] = 2;
}

/* An extension header at p: next header nh, total length len (8k). */
static void
mkext(uint8_t *p, uint8_t nh, size_t len)
{
	p[0] = nh;
	p[1] = (uint8_t)(len / 8 - 1);
}

static void
mkfrag(uint8_t *p, uint8_t nh, uint16_t off_units, bool is_more)
{
	p[0] = nh;
	p[1] = 0;
	wr_u16(p + 2, (uint16_t)(off_units << 3 | (is_more ? 1 : 0)));
	wr_u32(p + 4, 0xdeadbeef);
}

START_TEST(test_ip_parse_ip4_ok)
{
	uint8_t b[64];
	struct ip_info in;
	struct addr a;
	size_t n = mk4(b, 5, 28, 0x4000);

	ck_assert(ip_parse(b, n, &in));
	ck_assert_uint_eq(in.family, AF_INET);
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
	ck_assert_uint_eq(in.tos, 0xb9);
	ck_assert_uint_eq(in.ttl, 33);
	ck_assert(in.is_df);
	ck_assert(!in.is_frag);
	ck_assert_uint_eq(in.hdr_len, 20);
	ck_assert_uint_eq(in.ins_off, 20);
	ck_assert_uint_eq(in.nh_off, 9);
	ck_assert_uint_eq(in.tot_len, 28);
	ck_assert(addr_parse(&a, "10.0.0.1") && addr_eq(&a, &in.src));
	ck_assert(addr_parse(&a, "10.0.0.2") && addr_eq(&a, &in.dst));
}
END_TEST

START_TEST(test_ip_parse_ip4_options)
{
	uint8_t b[64];
	struct ip_info in;
	size_t n = mk4(b, 6, 24, 0);

	ck_assert(ip_parse(b, n, &in));
	ck_assert_uint_eq(in.hdr_len, 24);
	ck_assert_uint_eq(in.ins_off, 24);
	ck_assert(!in.is_df);
	/* A 24-byte header in 23 bytes: one short (total length says 23). */
	mk4(b, 6, 23, 0);
	ck_assert(!ip_parse(b, 23, &in));
}
END_TEST

START_TEST(test_ip_parse_ip4_short)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 5, 20, 0);
	ck_assert(ip_parse(b, 20, &in)); /* header only */
	mk4(b, 5, 19, 0);
	ck_assert(!ip_parse(b, 19, &in)); /* fixed header one short */
	ck_assert(!ip_parse(b, 0, &in));
}
END_TEST

START_TEST(test_ip_parse_ip4_bad_ihl)
{
	uint8_t b[64];
	struct ip_info in;
	unsigned ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		mk4(b, 5, 40, 0);
		b[0] = (uint8_t)(0x40 | ihl);
		ck_assert(!ip_parse(b, 40, &in));
	}
	/* IHL 15 (60 bytes) in a 40-byte packet. */
	b[0] = 0x4f;
	ck_assert(!ip_parse(b, 40, &in));
}
END_TEST

START_TEST(test_ip_parse_ip4_total_length)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 5, 40, 0);
	ck_assert(ip_parse(b, 40, &in));
	/* Total length one more than received: one byte short. */
	ck_assert(!ip_parse(b, 39, &in));
	/* Trailing bytes after the declared total length. */
	ck_assert(!ip_parse(b, 41, &in));
	wr_u16(b + 2, 39);
	ck_assert(!ip_parse(b, 40, &in));
	/* Total length smaller than the header. */
	wr_u16(b + 2, 19);
	ck_assert(!ip_parse(b, 19, &in));
}
END_TEST

START_TEST(test_ip_parse_ip4_frag)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 5, 28, 0x2000); /* MF */
	ck_assert(ip_parse(b, 28, &in) && in.is_frag && !in.is_df);
	mk4(b, 5, 28, 0x0001); /* offset 8 */
	ck_assert(ip_parse(b, 28, &in) && in.is_frag);
	mk4(b, 5, 28, 0x4000);
	ck_assert(ip_parse(b, 28, &in) && !in.is_frag);
}
END_TEST

START_TEST(test_ip_parse_bad_version)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 5, 40, 0);
	b[0] = 0x55;
	ck_assert(!ip_parse(b, 40, &in));
	mk6(b, 40, IPPROTO_NONE);
	b[0] = 0x70;
	ck_assert(!ip_parse(b, 40, &in));
}
END_TEST

START_TEST(test_ip_parse_ip6_ok)
{
	uint8_t b[64];
	struct ip_info in;
	struct addr a;

	mk6(b, 48, IPPROTO_TCP);
	ck_assert(ip_parse(b, 48, &in));
	ck_assert_uint_eq(in.family, AF_INET6);
	ck_assert_uint_eq(in.proto, IPPROTO_TCP);
	ck_assert_uint_eq(in.tos, 0xb9);
	ck_assert_uint_eq(in.ttl, 33);
	ck_assert(in.is_df);
	ck_assert(!in.is_frag);
	ck_assert_uint_eq(in.hdr_len, 40);
	ck_assert_uint_eq(in.ins_off, 40);
	ck_assert_uint_eq(in.nh_off, 6);
	ck_assert_uint_eq(in.tot_len, 48);
	ck_assert(addr_parse(&a, "2001:db8::1") && addr_eq(&a, &in.src));
	ck_assert(addr_parse(&a, "2001:db8::2") && addr_eq(&a, &in.dst));
}
END_TEST

START_TEST(test_ip_parse_ip6_length)
{
	uint8_t b[64];
	struct ip_info in;

	mk6(b, 40, IPPROTO_NONE);
	ck_assert(ip_parse(b, 40, &in));
	ck_assert_uint_eq(in.proto, IPPROTO_NONE);
	ck_assert(!ip_parse(b, 39, &in)); /* fixed header one short */
	mk6(b, 48, IPPROTO_TCP);
	ck_assert(!ip_parse(b, 47, &in)); /* payload length one short */
	ck_assert(!ip_parse(b, 49, &in)); /* trailing byte */
}
END_TEST

START_TEST(test_ip_parse_ip6_hbh)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 16 + 4, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_UDP, 16);
	ck_assert(ip_parse(b, 60, &in));
	ck_assert_uint_eq(in.ins_off, 56);
	ck_assert_uint_eq(in.nh_off, 40);
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
	ck_assert(!in.is_frag);

	/* The 16-byte Hop-by-Hop header exactly, then one byte short. */
	mk6(b, 56, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_NONE, 16);
	ck_assert(ip_parse(b, 56, &in));
	mk6(b, 55, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_NONE, 16);
	ck_assert(!ip_parse(b, 55, &in));
	/* Shorter than the minimal 8 bytes. */
	mk6(b, 48, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_NONE, 8);
	ck_assert(ip_parse(b, 48, &in));
	mk6(b, 47, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_NONE, 8);
	ck_assert(!ip_parse(b, 47, &in));
}
END_TEST

START_TEST(test_ip_parse_ip6_hbh_not_first)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 8 + 8, IPPROTO_ROUTING);
	mkext(b + 40, IPPROTO_HOPOPTS, 8);
	mkext(b + 48, IPPROTO_NONE, 8);
	ck_assert(!ip_parse(b, 56, &in));
}
END_TEST

/* RFC 8200 section 4.1 full order: the IPsec header goes before the last. */
START_TEST(test_ip_parse_ip6_full_order)
{
	uint8_t b[128];
	struct ip_info in;
	size_t n = 40 + 8 + 16 + 24 + 8 + 8 + 4;

	mk6(b, n, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_DSTOPTS, 8);
	mkext(b + 48, IPPROTO_ROUTING, 16);
	mkext(b + 64, IPPROTO_FRAGMENT, 24);
	mkfrag(b + 88, IPPROTO_DSTOPTS, 0, true);
	mkext(b + 96, IPPROTO_TCP, 8);
	ck_assert(ip_parse(b, n, &in));
	ck_assert_uint_eq(in.ins_off, 96);
	ck_assert_uint_eq(in.nh_off, 88);
	ck_assert_uint_eq(in.proto, IPPROTO_DSTOPTS);
	ck_assert(in.is_frag);
	/* The final Destination Options header is length-checked too. */
	mk6(b, 40 + 8 + 16 + 24 + 8 + 7, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_DSTOPTS, 8);
	mkext(b + 48, IPPROTO_ROUTING, 16);
	mkext(b + 64, IPPROTO_FRAGMENT, 24);
	mkfrag(b + 88, IPPROTO_DSTOPTS, 0, true);
	mkext(b + 96, IPPROTO_TCP, 8);
	ck_assert(!ip_parse(b, 40 + 8 + 16 + 24 + 8 + 7, &in));
}
END_TEST

START_TEST(test_ip_parse_ip6_dstopts_final)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 8 + 2, IPPROTO_DSTOPTS);
	mkext(b + 40, IPPROTO_UDP, 8);
	ck_assert(ip_parse(b, 50, &in));
	ck_assert_uint_eq(in.ins_off, 40);
	ck_assert_uint_eq(in.nh_off, 6);
	ck_assert_uint_eq(in.proto, IPPROTO_DSTOPTS);

	/* Routing, then Destination Options for the final destination. */
	mk6(b, 40 + 24 + 8, IPPROTO_ROUTING);
	mkext(b + 40, IPPROTO_DSTOPTS, 24);
	mkext(b + 64, IPPROTO_UDP, 8);
	ck_assert(ip_parse(b, 72, &in));
	ck_assert_uint_eq(in.ins_off, 64);
	ck_assert_uint_eq(in.nh_off, 40);
	ck_assert_uint_eq(in.proto, IPPROTO_DSTOPTS);
}
END_TEST

START_TEST(test_ip_parse_ip6_dstopts_before_routing)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 16 + 8 + 3, IPPROTO_DSTOPTS);
	mkext(b + 40, IPPROTO_ROUTING, 16);
	mkext(b + 56, IPPROTO_ESP, 8);
	ck_assert(ip_parse(b, 67, &in));
	ck_assert_uint_eq(in.ins_off, 64);
	ck_assert_uint_eq(in.nh_off, 56);
	ck_assert_uint_eq(in.proto, IPPROTO_ESP);
	/* The Routing header one byte short. */
	mk6(b, 40 + 16 + 7, IPPROTO_DSTOPTS);
	mkext(b + 40, IPPROTO_ROUTING, 16);
	mkext(b + 56, IPPROTO_ESP, 8);
	ck_assert(!ip_parse(b, 63, &in));
	/* The Destination Options header itself one byte short. */
	mk6(b, 40 + 15, IPPROTO_DSTOPTS);
	mkext(b + 40, IPPROTO_ROUTING, 16);
	ck_assert(!ip_parse(b, 55, &in));
}
END_TEST

START_TEST(test_ip_parse_ip6_routing)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 24 + 1, IPPROTO_ROUTING);
	mkext(b + 40, IPPROTO_ICMPV6, 24);
	ck_assert(ip_parse(b, 65, &in));
	ck_assert_uint_eq(in.ins_off, 64);
	ck_assert_uint_eq(in.nh_off, 40);
	ck_assert_uint_eq(in.proto, IPPROTO_ICMPV6);
	mk6(b, 40 + 23, IPPROTO_ROUTING);
	mkext(b + 40, IPPROTO_ICMPV6, 24);
	ck_assert(!ip_parse(b, 63, &in));
}
END_TEST

START_TEST(test_ip_parse_ip6_fragment)
{
	uint8_t b[128];
	struct ip_info in;

	/* First fragment: the walk goes on past it. */
	mk6(b, 40 + 8 + 8 + 8, IPPROTO_FRAGMENT);
	mkfrag(b + 40, IPPROTO_ROUTING, 0, true);
	mkext(b + 48, IPPROTO_TCP, 8);
	ck_assert(ip_parse(b, 64, &in));
	ck_assert(in.is_frag);
	ck_assert_uint_eq(in.ins_off, 56);
	ck_assert_uint_eq(in.nh_off, 48);
	ck_assert_uint_eq(in.proto, IPPROTO_TCP);

	/* Later fragment: what follows is data, not a header. */
	mk6(b, 40 + 8 + 3, IPPROTO_FRAGMENT);
	mkfrag(b + 40, IPPROTO_ROUTING, 100, false);
	b[48] = IPPROTO_NONE, b[49] = 200; /* would be a bogus length */
	ck_assert(ip_parse(b, 51, &in));
	ck_assert(in.is_frag);
	ck_assert_uint_eq(in.ins_off, 48);
	ck_assert_uint_eq(in.nh_off, 40);
	ck_assert_uint_eq(in.proto, IPPROTO_ROUTING);

	/* Fragment header one byte short. */
	mk6(b, 40 + 7, IPPROTO_FRAGMENT);
	ck_assert(!ip_parse(b, 47, &in));
}
END_TEST

/* Fragment, then Routing, then Hop-by-Hop: HBH out of place. */
START_TEST(test_ip_parse_ip6_other_orders)
{
	uint8_t b[128];
	struct ip_info in;

	mk6(b, 40 + 8 + 8, IPPROTO_FRAGMENT);
	mkfrag(b + 40, IPPROTO_HOPOPTS, 0, true);
	mkext(b + 48, IPPROTO_NONE, 8);
	ck_assert(!ip_parse(b, 56, &in));

	/* Routing before Hop-by-Hop-less Fragment: both before IPsec. */
	mk6(b, 40 + 8 + 8, IPPROTO_ROUTING);
	mkext(b + 40, IPPROTO_FRAGMENT, 8);
	mkfrag(b + 48, IPPROTO_AH, 0, false);
	ck_assert(ip_parse(b, 56, &in));
	ck_assert_uint_eq(in.ins_off, 56);
	ck_assert_uint_eq(in.nh_off, 48);
	ck_assert_uint_eq(in.proto, IPPROTO_AH);
}
END_TEST

/* RFC 1071 section 3, "Numerical Examples": sum ddf2, checksum ~ = 220d. */
START_TEST(test_ip_cksum_rfc1071)
{
	static const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6,
		0xf7 };
	uint8_t b[10];

	ck_assert_uint_eq(ip_cksum(v, sizeof(v)), 0x220d);
	memcpy(b, v, 8);
	wr_u16(b + 8, 0x220d);
	ck_assert_uint_eq(ip_cksum(b, 10), 0);
	/* Odd length: the last byte is the high half of a zero-padded word. */
	ck_assert_uint_eq(ip_cksum(v, 7), (uint16_t) ~(0xddf2 - 0xf7));
}
END_TEST

START_TEST(test_ip_set_len_ip4)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 5, 40, 0);
	ck_assert(ip_set_len(b, AF_INET, 48));
	ck_assert(ip_parse(b, 48, &in));
	ck_assert_uint_eq(ip_cksum(b, 20), 0);
	ck_assert(ip_set_len(b, AF_INET, 65535));
	ck_assert_uint_eq(get_u16(b + 2), 65535);
	ck_assert(!ip_set_len(b, AF_INET, 65536));
	ck_assert_uint_eq(get_u16(b + 2), 65535); /* unchanged */
	ck_assert(!ip_set_len(b, AF_INET6 + 1, 48));
}
END_TEST

START_TEST(test_ip_set_len_ip6)
{
	uint8_t b[64];
	struct ip_info in;

	mk6(b, 48, IPPROTO_TCP);
	ck_assert(ip_set_len(b, AF_INET6, 56));
	ck_assert(ip_parse(b, 56, &in));
	ck_assert(ip_set_len(b, AF_INET6, 65535 + 40));
	ck_assert_uint_eq(get_u16(b + 4), 65535);
	ck_assert(!ip_set_len(b, AF_INET6, 65536 + 40));
	ck_assert(!ip_set_len(b, AF_INET6, 39));
}
END_TEST

START_TEST(test_ip_set_proto_and_fix_cksum)
{
	uint8_t b[64];
	struct ip_info in;

	mk4(b, 6, 40, 0);
	ip_set_proto(b, 9, IPPROTO_ESP);
	ck_assert_uint_ne(ip_cksum(b, 24), 0);
	ip_fix_cksum(b);
	ck_assert_uint_eq(ip_cksum(b, 24), 0);
	ck_assert(ip_parse(b, 40, &in));
	ck_assert_uint_eq(in.proto, IPPROTO_ESP);

	mk6(b, 48, IPPROTO_HOPOPTS);
	mkext(b + 40, IPPROTO_TCP, 8);
	ck_assert(ip_parse(b, 48, &in));
	ip_set_proto(b, in.nh_off, IPPROTO_ESP);
	ck_assert(ip_parse(b, 48, &in));
	ck_assert_uint_eq(in.proto, IPPROTO_ESP);
}
END_TEST

static Suite *
iphdr_suite(void)
{
	Suite *s = suite_create("iphdr");
	TCase *tc;

	tc = tcase_create("ip_parse");
	tcase_add_test(tc, test_ip_parse_ip4_ok);
	tcase_add_test(tc, test_ip_parse_ip4_options);
	tcase_add_test(tc, test_ip_parse_ip4_short);
	tcase_add_test(tc, test_ip_parse_ip4_bad_ihl);
	tcase_add_test(tc, test_ip_parse_ip4_total_length);
	tcase_add_test(tc, test_ip_parse_ip4_frag);
	tcase_add_test(tc, test_ip_parse_bad_version);
	tcase_add_test(tc, test_ip_parse_ip6_ok);
	tcase_add_test(tc, test_ip_parse_ip6_length);
	tcase_add_test(tc, test_ip_parse_ip6_hbh);
	tcase_add_test(tc, test_ip_parse_ip6_hbh_not_first);
	tcase_add_test(tc, test_ip_parse_ip6_full_order);
	tcase_add_test(tc, test_ip_parse_ip6_dstopts_final);
	tcase_add_test(tc, test_ip_parse_ip6_dstopts_before_routing);
	tcase_add_test(tc, test_ip_parse_ip6_routing);
	tcase_add_test(tc, test_ip_parse_ip6_fragment);
	tcase_add_test(tc, test_ip_parse_ip6_other_orders);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip_cksum");
	tcase_add_test(tc, test_ip_cksum_rfc1071);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip_set_len");
	tcase_add_test(tc, test_ip_set_len_ip4);
	tcase_add_test(tc, test_ip_set_len_ip6);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip_set_proto");
	tcase_add_test(tc, test_ip_set_proto_and_fix_cksum);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(iphdr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
