/*
 * Unit tests of the SAD's per-worker state slots (sad_wstate_*, sad.h):
 * slots are empty until set, belong to one published copy (an update
 * starts empty), and every state is freed exactly once with its entry,
 * after the grace period.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <urcu-qsbr.h>

#include "ipsec/sad.h"

static int freed;

static void
count_free(void *state)
{
	freed++;
	free(state);
}

static struct sad_entry *
entry(uint32_t spi)
{
	struct sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.proto = IPPROTO_ESP;
	ck_assert(addr_parse(&sa.src, "192.0.2.1"));
	ck_assert(addr_parse(&sa.dst, "192.0.2.2"));
	return sad_entry_new(&sa, 0, 1);
}

START_TEST(test_sad_wstate_set_get_free)
{
	struct sad *sad;
	struct sad_entry *e, *e2;

	urcu_qsbr_register_thread();
	freed = 0;
	sad = sad_new(1, 10);
	sad_wstate_setup(sad, 3, count_free);
	e = entry(0x100);
	/* Not published yet: no slots. */
	ck_assert(!sad_wstate_set(e, 0, NULL));
	ck_assert_int_eq(sad_insert(sad, e), SAD_OK);
	ck_assert_ptr_null(sad_wstate_get(e, 0));
	ck_assert(sad_wstate_set(e, 0, malloc(8)));
	ck_assert(sad_wstate_set(e, 2, malloc(8)));
	ck_assert(!sad_wstate_set(e, 3, NULL)); /* out of range */
	ck_assert_ptr_nonnull(sad_wstate_get(e, 0));
	ck_assert_ptr_null(sad_wstate_get(e, 1));
	ck_assert_ptr_null(sad_wstate_get(e, 3));
	/* An update publishes a copy with empty slots; the old ones go. */
	e2 = entry(0x100);
	ck_assert_int_eq(sad_update(sad, e2), SAD_OK);
	ck_assert_ptr_null(sad_wstate_get(e2, 0));
	ck_assert(sad_wstate_set(e2, 1, malloc(8)));
	urcu_qsbr_thread_offline();
	urcu_qsbr_barrier();
	urcu_qsbr_thread_online();
	ck_assert_int_eq(freed, 2);
	ck_assert_int_eq(sad_delete(sad, e2), SAD_OK);
	urcu_qsbr_thread_offline();
	urcu_qsbr_barrier();
	urcu_qsbr_thread_online();
	ck_assert_int_eq(freed, 3);
	sad_free(sad);
	urcu_qsbr_unregister_thread();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sad_wstate");
	TCase *tc = tcase_create("sad_wstate");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sad_wstate_set_get_free);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
