/*
 * Unit tests of src/ipsec/flow.c: flow keys of IPv4 and IPv6 packets
 * (ports, ICMP type and code, extension headers, fragments) and every
 * length check one byte short.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "common/rd.h"
#include "ipsec/flow.h"
#include "ipsec/iphdr.h"

static uint8_t pkt[256];

/* IPv4 header (20 bytes) with proto and l4 bytes after it. */
static size_t
v4(uint8_t proto, const uint8_t *l4, size_t l4len)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, "\x0a\x01\x00\x01\x0a\x02\x00\x02", 8);
	memcpy(pkt + 20, l4, l4len);
	ip_set_len(pkt, AF_INET, 20 + l4len);
	return 20 + l4len;
}

/* IPv6 header, then ext (already chained by the caller), then l4. */
static size_t
v6(uint8_t first, const uint8_t *rest, size_t rlen)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[6] = first;
	pkt[7] = 64;
	pkt[8] = 0xfd;
	pkt[23] = 1;
	pkt[24] = 0xfd;
	pkt[39] = 2;
	memcpy(pkt + 40, rest, rlen);
	ip_set_len(pkt, AF_INET6, 40 + rlen);
	return 40 + rlen;
}

START_TEST(test_flow_key_parse_v4_udp)
{
	struct selector_key k;
	size_t len =
	    v4(IPPROTO_UDP, (const uint8_t *)"\x13\x88\x00\x35xxxx", 8);

	ck_assert(flow_key_parse(pkt, len, 7, &k));
	ck_assert_int_eq(k.family, AF_INET);
	ck_assert_int_eq(k.proto, IPPROTO_UDP);
	ck_assert_int_eq(k.sport, 5000);
	ck_assert_int_eq(k.dport, 53);
	ck_assert_int_eq(k.if_id, 7);
	ck_assert_mem_eq(k.src.bytes, "\x0a\x01\x00\x01", 4);
	ck_assert_mem_eq(k.dst.bytes, "\x0a\x02\x00\x02", 4);
}
END_TEST

START_TEST(test_flow_key_parse_v4_icmp)
{
	struct selector_key k;
	size_t len = v4(IPPROTO_ICMP, (const uint8_t *)"\x08\x00\x00\x00", 4);

	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_ICMP);
	ck_assert_int_eq(k.sport, 8); /* type */
	ck_assert_int_eq(k.dport, 0); /* code */
}
END_TEST

START_TEST(test_flow_key_parse_v4_fragment)
{
	struct selector_key k;
	size_t len = v4(IPPROTO_TCP, (const uint8_t *)"\x00\x50\x01\xbb", 4);

	/* Offset 8 bytes: a non-first fragment has no ports. */
	pkt[7] = 1;
	ip_fix_cksum(pkt);
	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_TCP);
	ck_assert_int_eq(k.sport, 0);
	ck_assert_int_eq(k.dport, 0);
}
END_TEST

START_TEST(test_flow_key_parse_v4_short)
{
	struct selector_key k;
	size_t len = v4(IPPROTO_TCP, (const uint8_t *)"\x00\x50\x01\xbb", 4);

	/* Ports cut one byte short: key without ports, not an error. */
	ip_set_len(pkt, AF_INET, 23);
	ck_assert(flow_key_parse(pkt, 23, 0, &k));
	ck_assert_int_eq(k.sport, 0);
	ck_assert_int_eq(k.dport, 0);
	/* Total length one byte longer than the buffer. */
	ip_set_len(pkt, AF_INET, len);
	ck_assert(!flow_key_parse(pkt, len - 1, 0, &k));
	/* Header one byte short of 20. */
	ck_assert(!flow_key_parse(pkt, 19, 0, &k));
	/* IHL below 5, and IHL beyond the total length. */
	pkt[0] = 0x44;
	ck_assert(!flow_key_parse(pkt, len, 0, &k));
	pkt[0] = 0x4f;
	ck_assert(!flow_key_parse(pkt, len, 0, &k));
	ck_assert(!flow_key_parse(pkt, 0, 0, &k));
	pkt[0] = 0x55;
	ck_assert(!flow_key_parse(pkt, len, 0, &k));
}
END_TEST

START_TEST(test_flow_key_parse_v6_ext)
{
	struct selector_key k;
	/* HBH (8) -> Routing (16) -> DstOpts (8) -> TCP ports. */
	uint8_t rest[8 + 16 + 8 + 4] = { 0 };
	size_t len;

	rest[0] = IPPROTO_ROUTING;
	rest[8] = IPPROTO_DSTOPTS;
	rest[9] = 1;
	rest[24] = IPPROTO_TCP;
	memcpy(rest + 32, "\x01\xbb\xc0\x00", 4);
	len = v6(IPPROTO_HOPOPTS, rest, sizeof(rest));
	ck_assert(flow_key_parse(pkt, len, 3, &k));
	ck_assert_int_eq(k.family, AF_INET6);
	ck_assert_int_eq(k.proto, IPPROTO_TCP);
	ck_assert_int_eq(k.sport, 443);
	ck_assert_int_eq(k.dport, 0xc000);
	ck_assert_int_eq(k.src.bytes[0], 0xfd);
	ck_assert_int_eq(k.dst.bytes[15], 2);
	/* The routing header's length reaching one byte past the packet. */
	ip_set_len(pkt, AF_INET6, 40 + 8 + 15);
	ck_assert(!flow_key_parse(pkt, 40 + 8 + 15, 3, &k));
	/* Payload length one byte more than the buffer holds. */
	ip_set_len(pkt, AF_INET6, len);
	ck_assert(!flow_key_parse(pkt, len - 1, 3, &k));
	ck_assert(!flow_key_parse(pkt, 39, 3, &k));
}
END_TEST

START_TEST(test_flow_key_parse_v6_fragment)
{
	struct selector_key k;
	uint8_t rest[8 + 4] = { IPPROTO_UDP, 0, 0, 0, 0, 0, 0, 1 };
	size_t len;

	memcpy(rest + 8, "\x00\x35\x00\x35", 4);
	len = v6(IPPROTO_FRAGMENT, rest, sizeof(rest));
	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_UDP);
	ck_assert_int_eq(k.sport, 53);
	/* Non-first fragment (offset 1 unit): no ports. */
	pkt[43] = 0x08;
	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_UDP);
	ck_assert_int_eq(k.sport, 0);
	/* Fragment header one byte short. */
	ip_set_len(pkt, AF_INET6, 40 + 7);
	ck_assert(!flow_key_parse(pkt, 40 + 7, 0, &k));
}
END_TEST

START_TEST(test_flow_key_parse_v6_icmp_esp)
{
	struct selector_key k;
	size_t len = v6(IPPROTO_ICMPV6, (const uint8_t *)"\x80\x00\x00\x00", 4);

	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_ICMPV6);
	ck_assert_int_eq(k.sport, 128);
	/* ESP ends the walk: protocol 50, no ports. */
	len = v6(IPPROTO_ESP, (const uint8_t *)"\x00\x00\x10\x00", 4);
	ck_assert(flow_key_parse(pkt, len, 0, &k));
	ck_assert_int_eq(k.proto, IPPROTO_ESP);
	ck_assert_int_eq(k.sport, 0);
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("flow_key_parse");

	tcase_add_test(tc, test_flow_key_parse_v4_udp);
	tcase_add_test(tc, test_flow_key_parse_v4_icmp);
	tcase_add_test(tc, test_flow_key_parse_v4_fragment);
	tcase_add_test(tc, test_flow_key_parse_v4_short);
	tcase_add_test(tc, test_flow_key_parse_v6_ext);
	tcase_add_test(tc, test_flow_key_parse_v6_fragment);
	tcase_add_test(tc, test_flow_key_parse_v6_icmp_esp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
