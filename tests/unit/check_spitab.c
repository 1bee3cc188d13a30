/*
 * Unit tests of src/ipsec/spitab.c, the SAD's inbound index: keys differ
 * by every field, tombstones keep probe chains intact, rebuilds drop them
 * and keep every live key, the room rule, batch lookups equal lone ones.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/addr.h"
#include "ipsec/spitab.h"

/* Values: distinct, 8-aligned, never dereferenced. */
static uint64_t vals[20000];

static void
addr_of(struct addr *a, size_t i, bool is_v6)
{
	uint8_t raw[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	raw[12] = (uint8_t)(i >> 24);
	raw[13] = (uint8_t)(i >> 16);
	raw[14] = (uint8_t)(i >> 8);
	raw[15] = (uint8_t)i;
	if (!is_v6) {
		memcpy(raw, raw + 12, 4);
		raw[0] = 10;
	}
	ck_assert(addr_set(a, is_v6 ? AF_INET6 : AF_INET, raw));
}

START_TEST(test_spitab_lookup_key_fields)
{
	struct spitab *t = spitab_new(0, 7);
	struct addr a4, a6, b4;

	ck_assert_ptr_nonnull(t);
	addr_of(&a4, 1, false);
	addr_of(&a6, 1, true);
	addr_of(&b4, 2, false);
	ck_assert(spitab_add(t, 0x1000, IPPROTO_ESP, &a4, &vals[0]));
	ck_assert(!spitab_add(t, 0x1000, IPPROTO_ESP, &a4, &vals[1]));
	ck_assert(spitab_add(t, 0x1000, IPPROTO_AH, &a4, &vals[1]));
	ck_assert(spitab_add(t, 0x1000, IPPROTO_ESP, &a6, &vals[2]));
	ck_assert(spitab_add(t, 0x1001, IPPROTO_ESP, &a4, &vals[3]));
	ck_assert_ptr_eq(spitab_lookup(t, 0x1000, IPPROTO_ESP, &a4), &vals[0]);
	ck_assert_ptr_eq(spitab_lookup(t, 0x1000, IPPROTO_AH, &a4), &vals[1]);
	ck_assert_ptr_eq(spitab_lookup(t, 0x1000, IPPROTO_ESP, &a6), &vals[2]);
	ck_assert_ptr_eq(spitab_lookup(t, 0x1001, IPPROTO_ESP, &a4), &vals[3]);
	ck_assert_ptr_null(spitab_lookup(t, 0x1000, IPPROTO_ESP, &b4));
	ck_assert_ptr_null(spitab_lookup(t, 0x1002, IPPROTO_ESP, &a4));
	ck_assert_ptr_null(spitab_lookup(t, 0x1000, IPPROTO_COMP, &a4));
	ck_assert_uint_eq(spitab_count(t), 4);
	/* NULL and the tombstone value are no values. */
	ck_assert(!spitab_add(t, 0x2000, IPPROTO_ESP, &a4, NULL));
	ck_assert(!spitab_add(t, 0x2000, IPPROTO_ESP, &a4, (void *)1));
	spitab_free(t);
}
END_TEST

START_TEST(test_spitab_set_replace_delete)
{
	struct spitab *t = spitab_new(0, 7);
	struct addr a;

	ck_assert_ptr_nonnull(t);
	addr_of(&a, 5, false);
	ck_assert(spitab_add(t, 9, IPPROTO_ESP, &a, &vals[0]));
	/* Replace needs the current value. */
	ck_assert(!spitab_set(t, 9, IPPROTO_ESP, &a, &vals[5], &vals[1]));
	ck_assert(spitab_set(t, 9, IPPROTO_ESP, &a, &vals[0], &vals[1]));
	ck_assert_ptr_eq(spitab_lookup(t, 9, IPPROTO_ESP, &a), &vals[1]);
	ck_assert(spitab_set(t, 9, IPPROTO_ESP, &a, &vals[1], NULL));
	ck_assert_ptr_null(spitab_lookup(t, 9, IPPROTO_ESP, &a));
	ck_assert(!spitab_set(t, 9, IPPROTO_ESP, &a, &vals[1], NULL));
	ck_assert_uint_eq(spitab_count(t), 0);
	/* The key may come back (into another, never-used slot). */
	ck_assert(spitab_add(t, 9, IPPROTO_ESP, &a, &vals[2]));
	ck_assert_ptr_eq(spitab_lookup(t, 9, IPPROTO_ESP, &a), &vals[2]);
	spitab_free(t);
}
END_TEST

/*
 * Many keys, every other one deleted: lookups of the rest still find them
 * across the tombstones; the room rule says rebuild exactly when one more
 * key would pass 3/4 of the slots; a rebuild keeps the live keys only.
 */
START_TEST(test_spitab_rebuild_tombstones)
{
	struct spitab *t = spitab_new(0, 99), *n;
	struct addr a;
	size_t added = 0, slots;

	ck_assert_ptr_nonnull(t);
	slots = spitab_bytes(t); /* 32-byte slots + the header */
	while (!spitab_needs_rebuild(t)) {
		addr_of(&a, added, added % 3 == 0);
		ck_assert(spitab_add(t, (uint32_t)added * 2654435761u,
		    IPPROTO_ESP, &a, &vals[added]));
		added++;
	}
	/* 1024 slots: 768 keys (3/4) fit, the 769th needs a rebuild. */
	ck_assert_uint_eq(added, 768);
	addr_of(&a, added, false);
	ck_assert(!spitab_add(t, 1, IPPROTO_ESP, &a, &vals[added]));
	for (size_t i = 0; i < added; i += 2) {
		addr_of(&a, i, i % 3 == 0);
		ck_assert(spitab_set(t, (uint32_t)i * 2654435761u, IPPROTO_ESP,
		    &a, &vals[i], NULL));
	}
	for (size_t i = 0; i < added; i++) {
		addr_of(&a, i, i % 3 == 0);
		ck_assert_ptr_eq(spitab_lookup(t, (uint32_t)i * 2654435761u,
				     IPPROTO_ESP, &a),
		    i % 2 == 0 ? NULL : &vals[i]);
	}
	/* Deleting frees no never-used slot: still full. */
	ck_assert(spitab_needs_rebuild(t));
	n = spitab_rebuild(t);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(spitab_count(n), added / 2);
	ck_assert(!spitab_needs_rebuild(n));
	ck_assert_uint_eq(spitab_bytes(n), slots); /* 384 live: same size */
	for (size_t i = 0; i < added; i++) {
		addr_of(&a, i, i % 3 == 0);
		ck_assert_ptr_eq(spitab_lookup(n, (uint32_t)i * 2654435761u,
				     IPPROTO_ESP, &a),
		    i % 2 == 0 ? NULL : &vals[i]);
	}
	spitab_free(t);
	spitab_free(n);
}
END_TEST

/* Growing through rebuilds to 20,000 keys; batch equals lone lookups. */
START_TEST(test_spitab_lookup_batch_equals_lone)
{
	struct spitab *t = spitab_new(0, 3), *n;
	static struct addr addrs[20000 + 100];
	static struct spitab_key keys[20000 + 100];
	static void *out[20000 + 100];
	size_t total = 20000 + 100;

	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < 20000; i++) {
		addr_of(&addrs[i], i / 4, i % 5 == 0);
		if (spitab_needs_rebuild(t)) {
			n = spitab_rebuild(t);
			ck_assert_ptr_nonnull(n);
			spitab_free(t);
			t = n;
		}
		ck_assert(spitab_add(
		    t, (uint32_t)i, IPPROTO_ESP, &addrs[i], &vals[i]));
	}
	for (size_t i = 20000; i < total; i++)
		addr_of(&addrs[i], i, false); /* absent */
	for (size_t i = 0; i < total; i++) {
		keys[i].spi = (uint32_t)i;
		keys[i].proto = IPPROTO_ESP;
		keys[i].dst = &addrs[i];
	}
	spitab_lookup_batch(t, keys, total, out);
	for (size_t i = 0; i < total; i++) {
		ck_assert_ptr_eq(out[i],
		    spitab_lookup(t, keys[i].spi, IPPROTO_ESP, keys[i].dst));
		ck_assert_ptr_eq(out[i], i < 20000 ? &vals[i] : NULL);
	}
	ck_assert_uint_eq(spitab_count(t), 20000);
	/* Never above 3/4 full; at least a quarter full after growing. */
	ck_assert_uint_ge(spitab_bytes(t) * 3, 20000 * 4 * 32);
	ck_assert_uint_le(spitab_bytes(t), 20000 * 4 * 32 + 1024);
	spitab_free(t);
}
END_TEST

static Suite *
spitab_suite(void)
{
	Suite *s = suite_create("spitab");
	TCase *tc;

	tc = tcase_create("spitab_lookup");
	tcase_add_test(tc, test_spitab_lookup_key_fields);
	tcase_add_test(tc, test_spitab_lookup_batch_equals_lone);
	suite_add_tcase(s, tc);
	tc = tcase_create("spitab_set");
	tcase_add_test(tc, test_spitab_set_replace_delete);
	suite_add_tcase(s, tc);
	tc = tcase_create("spitab_rebuild");
	tcase_add_test(tc, test_spitab_rebuild_tombstones);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spitab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
