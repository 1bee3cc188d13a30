/*
 * Unit tests of src/ipsec/tagtab.c, the SPD classes' index: values under
 * equal tags all come back, tombstones keep probe chains, the room rule,
 * rebuilds keep the live values, clear leaves none.
 */
#include "config.h"

#include <stdlib.h>

#include <check.h>

#include "ipsec/tagtab.h"

static uint64_t vals[4096];

/* How many values under tag h, and whether v is among them. */
static size_t
count_tag(const struct tagtab *t, uint32_t h, const void *v, bool *has)
{
	size_t pos = tagtab_start(t, h), slot, n = 0;
	void *got;

	*has = false;
	while ((got = tagtab_next(t, h, &pos, &slot)) != NULL) {
		n++;
		if (got == v)
			*has = true;
	}
	return n;
}

START_TEST(test_tagtab_next_same_tag)
{
	struct tagtab *t = tagtab_new(0);
	bool has;

	ck_assert_ptr_nonnull(t);
	ck_assert(tagtab_add(t, 7, &vals[0]));
	ck_assert(tagtab_add(t, 7, &vals[1]));
	ck_assert(tagtab_add(t, 7 + 16, &vals[2])); /* same first slot */
	ck_assert(tagtab_add(t, 8, &vals[3]));
	ck_assert_uint_eq(count_tag(t, 7, &vals[1], &has), 2);
	ck_assert(has);
	ck_assert_uint_eq(count_tag(t, 7 + 16, &vals[2], &has), 1);
	ck_assert(has);
	ck_assert_uint_eq(count_tag(t, 9, NULL, &has), 0);
	ck_assert(!tagtab_add(t, 1, NULL));
	ck_assert(!tagtab_add(t, 1, (void *)1));
	ck_assert_uint_eq(tagtab_count(t), 4);
	tagtab_free(t);
}
END_TEST

START_TEST(test_tagtab_store_tombstone)
{
	struct tagtab *t = tagtab_new(0);
	size_t pos, slot;
	bool has;

	ck_assert_ptr_nonnull(t);
	ck_assert(tagtab_add(t, 3, &vals[0]));
	ck_assert(tagtab_add(t, 3, &vals[1]));
	pos = tagtab_start(t, 3);
	ck_assert_ptr_eq(tagtab_next(t, 3, &pos, &slot), &vals[0]);
	tagtab_store(t, slot, &vals[2]); /* replace in place */
	ck_assert_uint_eq(count_tag(t, 3, &vals[2], &has), 2);
	ck_assert(has);
	tagtab_store(t, slot, NULL); /* tombstone: vals[1] still found */
	ck_assert_uint_eq(count_tag(t, 3, &vals[1], &has), 1);
	ck_assert(has);
	ck_assert_uint_eq(tagtab_count(t), 1);
	tagtab_free(t);
}
END_TEST

START_TEST(test_tagtab_rebuild_room)
{
	struct tagtab *t = tagtab_new(0), *n;
	size_t added = 0;
	bool has;

	ck_assert_ptr_nonnull(t);
	while (!tagtab_needs_rebuild(t)) {
		ck_assert(
		    tagtab_add(t, (uint32_t)added * 2654435761u, &vals[added]));
		added++;
	}
	/* 16 slots: 12 values (3/4) fit, the 13th needs a rebuild. */
	ck_assert_uint_eq(added, 12);
	ck_assert(!tagtab_add(t, 99, &vals[99]));
	n = tagtab_rebuild(t);
	ck_assert_ptr_nonnull(n);
	ck_assert(!tagtab_needs_rebuild(n));
	for (size_t i = 0; i < added; i++) {
		ck_assert_uint_eq(
		    count_tag(n, (uint32_t)i * 2654435761u, &vals[i], &has), 1);
		ck_assert(has);
	}
	tagtab_clear(n);
	ck_assert_uint_eq(tagtab_count(n), 0);
	for (size_t i = 0; i < added; i++)
		ck_assert_uint_eq(
		    count_tag(n, (uint32_t)i * 2654435761u, NULL, &has), 0);
	tagtab_free(t);
	tagtab_free(n);
}
END_TEST

/* Grown through rebuilds to 4,000 values, every one found. */
START_TEST(test_tagtab_rebuild_grow)
{
	struct tagtab *t = tagtab_new(0), *n;
	bool has;

	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < 4000; i++) {
		if (tagtab_needs_rebuild(t)) {
			n = tagtab_rebuild(t);
			ck_assert_ptr_nonnull(n);
			tagtab_free(t);
			t = n;
		}
		ck_assert(tagtab_add(t, (uint32_t)(i % 1000), &vals[i]));
	}
	for (size_t i = 0; i < 4000; i++) {
		ck_assert_uint_eq(
		    count_tag(t, (uint32_t)(i % 1000), &vals[i], &has), 4);
		ck_assert(has);
	}
	ck_assert_uint_eq(tagtab_count(t), 4000);
	tagtab_free(t);
}
END_TEST

static Suite *
tagtab_suite(void)
{
	Suite *s = suite_create("tagtab");
	TCase *tc;

	tc = tcase_create("tagtab_next");
	tcase_add_test(tc, test_tagtab_next_same_tag);
	suite_add_tcase(s, tc);
	tc = tcase_create("tagtab_store");
	tcase_add_test(tc, test_tagtab_store_tombstone);
	suite_add_tcase(s, tc);
	tc = tcase_create("tagtab_rebuild");
	tcase_add_test(tc, test_tagtab_rebuild_room);
	tcase_add_test(tc, test_tagtab_rebuild_grow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tagtab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
