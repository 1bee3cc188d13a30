/* Unit tests for src/common: bounded reader, packet buffer, addresses. */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/pbuf.h"
#include "common/rd.h"
#include "common/secret.h"

START_TEST(test_rd_u32_exact_and_one_short)
{
	static const uint8_t buf[4] = { 0x1a, 0x2b, 0x3c, 0x4d };
	struct rd r;
	uint32_t v = 0;

	rd_init(&r, buf, 4);
	ck_assert(rd_u32(&r, &v));
	ck_assert_uint_eq(v, 0x1a2b3c4d);
	ck_assert_uint_eq(rd_left(&r), 0);

	rd_init(&r, buf, 3);
	ck_assert(!rd_u32(&r, &v));
	ck_assert_uint_eq(rd_left(&r), 3); /* a failed read consumes nothing */
}
END_TEST

START_TEST(test_rd_u64_u16_u8_short)
{
	static const uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rd r;
	uint64_t v64;
	uint16_t v16;
	uint8_t v8;

	rd_init(&r, buf, 7);
	ck_assert(!rd_u64(&r, &v64));
	ck_assert_uint_eq(rd_left(&r), 7);
	rd_init(&r, buf, 8);
	ck_assert(rd_u64(&r, &v64));
	ck_assert(v64 == 0x0102030405060708ull);
	rd_init(&r, buf, 1);
	ck_assert(!rd_u16(&r, &v16));
	ck_assert(rd_u8(&r, &v8));
	ck_assert(!rd_u8(&r, &v8));
}
END_TEST

START_TEST(test_rd_sub_declared_length)
{
	static const uint8_t buf[6] = { 0 };
	struct rd r, sub;

	rd_init(&r, buf, 6);
	ck_assert(!rd_sub(&r, 7, &sub)); /* declared longer than what is left */
	ck_assert(rd_sub(&r, 6, &sub));
	ck_assert_uint_eq(rd_left(&sub), 6);
	ck_assert_uint_eq(rd_left(&r), 0);
}
END_TEST

START_TEST(test_pbuf_push_pull_put_trim)
{
	uint8_t mem[64];
	struct pbuf pb;

	pbuf_init(&pb, mem, sizeof(mem), 16);
	ck_assert_ptr_nonnull(pbuf_put(&pb, 40));
	ck_assert_ptr_null(pbuf_put(&pb, 9)); /* tailroom is 8 */
	ck_assert_ptr_nonnull(pbuf_put(&pb, 8));
	ck_assert_ptr_null(pbuf_push(&pb, 17));
	ck_assert_ptr_nonnull(pbuf_push(&pb, 16));
	ck_assert_uint_eq(pbuf_len(&pb), 64);
	ck_assert_ptr_null(pbuf_pull(&pb, 65));
	ck_assert_ptr_nonnull(pbuf_pull(&pb, 64));
	ck_assert(!pbuf_trim(&pb, 1));
}
END_TEST

START_TEST(test_pbuf_insert_remove)
{
	uint8_t mem[64];
	struct pbuf pb;
	uint8_t *gap;

	pbuf_init(&pb, mem, sizeof(mem), 8);
	memcpy(pbuf_put(&pb, 6), "HHpayl", 6);
	gap = pbuf_insert(&pb, 2, 3);
	ck_assert_ptr_nonnull(gap);
	memcpy(gap, "ESP", 3);
	ck_assert_mem_eq(pbuf_data(&pb), "HHESPpayl", 9);
	ck_assert_ptr_null(pbuf_insert(&pb, 2, 6)); /* headroom 5 left */
	ck_assert(!pbuf_remove(&pb, 2, 8));
	ck_assert(pbuf_remove(&pb, 2, 3));
	ck_assert_mem_eq(pbuf_data(&pb), "HHpayl", 6);
}
END_TEST

START_TEST(test_pbuf_pool_get_put)
{
	struct pbuf_pool *pool = pbuf_pool_new(2, 256, 64);
	struct pbuf *a, *b;

	ck_assert_ptr_nonnull(pool);
	a = pbuf_pool_get(pool);
	b = pbuf_pool_get(pool);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(pbuf_pool_get(pool)); /* empty: caller drops */
	ck_assert_uint_eq(pbuf_headroom(a), 64);
	pbuf_pool_put(pool, a);
	ck_assert_uint_eq(pbuf_pool_avail(pool), 1);
	ck_assert_ptr_eq(pbuf_pool_get(pool), a);
	pbuf_pool_free(pool);
	ck_assert_ptr_null(pbuf_pool_new(1, 64, 64));
}
END_TEST

START_TEST(test_prefix_parse_match)
{
	struct prefix p;
	struct addr a;

	ck_assert(prefix_parse(&p, "10.1.0.0/16"));
	ck_assert(addr_parse(&a, "10.1.200.3"));
	ck_assert(prefix_match(&p, &a));
	ck_assert(addr_parse(&a, "10.2.0.1"));
	ck_assert(!prefix_match(&p, &a));
	ck_assert(!prefix_parse(&p, "10.1.0.1/16")); /* host bits set */
	ck_assert(!prefix_parse(&p, "10.1.0.0/33"));
	ck_assert(!prefix_parse(&p, "10.1.0.0/"));
	ck_assert(prefix_parse(&p, "2001:db8::/33"));
	ck_assert(addr_parse(&a, "2001:db8:7fff::1"));
	ck_assert(prefix_match(&p, &a));
	ck_assert(addr_parse(&a, "2001:db8:8000::1"));
	ck_assert(!prefix_match(&p, &a));
	ck_assert(prefix_parse(&p, "0.0.0.0/0"));
	ck_assert(!prefix_match(&p, &a)); /* family differs */
}
END_TEST

START_TEST(test_addr_eq_hash)
{
	struct addr a, b;
	char buf[ADDR_STRLEN];

	ck_assert(addr_parse(&a, "192.0.2.1"));
	ck_assert(addr_parse(&b, "192.0.2.1"));
	ck_assert(addr_eq(&a, &b));
	ck_assert_uint_eq(addr_hash(&a, 7), addr_hash(&b, 7));
	ck_assert_str_eq(addr_fmt(&a, buf, sizeof(buf)), "192.0.2.1");
	ck_assert(!addr_parse(&a, "192.0.2.256"));
}
END_TEST

START_TEST(test_secret_eq_wipe)
{
	uint8_t k[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t z[8] = { 0 };

	ck_assert(!secret_eq(k, z, 8));
	secret_wipe(k, sizeof(k));
	ck_assert(secret_eq(k, z, 8));
}
END_TEST

static Suite *
common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc;

	tc = tcase_create("rd");
	tcase_add_test(tc, test_rd_u32_exact_and_one_short);
	tcase_add_test(tc, test_rd_u64_u16_u8_short);
	tcase_add_test(tc, test_rd_sub_declared_length);
	suite_add_tcase(s, tc);
	tc = tcase_create("pbuf");
	tcase_add_test(tc, test_pbuf_push_pull_put_trim);
	tcase_add_test(tc, test_pbuf_insert_remove);
	tcase_add_test(tc, test_pbuf_pool_get_put);
	suite_add_tcase(s, tc);
	tc = tcase_create("addr");
	tcase_add_test(tc, test_prefix_parse_match);
	tcase_add_test(tc, test_addr_eq_hash);
	suite_add_tcase(s, tc);
	tc = tcase_create("secret");
	tcase_add_test(tc, test_secret_eq_wipe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(common_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
