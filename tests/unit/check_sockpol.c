/* Unit tests for src/daemon/sockpol.c: key managers' socket policies. */
#include "config.h"

#include <sys/socket.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>

#include "daemon/sockpol.h"

static struct sockpol_entry
E(pid_t pid, int fd, uint8_t dir) {
	struct sockpol_entry e;

	memset(&e, 0, sizeof(e));
	e.pid = pid;
	e.fd = fd;
	e.family = AF_INET;
	e.dir = dir;
	e.type = IPSEC_POLICY_BYPASS;
	e.add_sec = 100;
	return e;
}

START_TEST(test_sockpol_set_replaces_same_direction)
{
	struct sockpol *t = sockpol_new();
	struct sockpol_entry e = E(10, 3, IPSEC_DIR_INBOUND);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(sockpol_set(t, &e), 0);
	e.type = IPSEC_POLICY_NONE;
	ck_assert_int_eq(sockpol_set(t, &e), 0);
	ck_assert_uint_eq(t->n, 1);
	ck_assert_uint_eq(t->v[0].type, IPSEC_POLICY_NONE);
	e = E(10, 3, IPSEC_DIR_OUTBOUND);
	ck_assert_int_eq(sockpol_set(t, &e), 0);
	ck_assert_uint_eq(t->n, 2);
	free(t);
}
END_TEST

START_TEST(test_sockpol_set_full_and_one_short)
{
	struct sockpol *t = sockpol_new();
	struct sockpol_entry e;

	for (int i = 0; i < SOCKPOL_MAX - 1; i++) {
		e = E(1, i, IPSEC_DIR_INBOUND);
		ck_assert_int_eq(sockpol_set(t, &e), 0);
	}
	e = E(1, SOCKPOL_MAX - 1, IPSEC_DIR_INBOUND);
	ck_assert_int_eq(sockpol_set(t, &e), 0);
	ck_assert_uint_eq(t->n, SOCKPOL_MAX);
	e = E(1, SOCKPOL_MAX, IPSEC_DIR_INBOUND);
	ck_assert_int_eq(sockpol_set(t, &e), -1);
	/* A replacement still fits. */
	e = E(1, 0, IPSEC_DIR_INBOUND);
	ck_assert_int_eq(sockpol_set(t, &e), 0);
	free(t);
}
END_TEST

START_TEST(test_sockpol_clear_one_descriptor)
{
	struct sockpol *t = sockpol_new();
	struct sockpol_entry e;

	e = E(10, 3, IPSEC_DIR_INBOUND);
	sockpol_set(t, &e);
	e = E(10, 3, IPSEC_DIR_OUTBOUND);
	sockpol_set(t, &e);
	e = E(10, 4, IPSEC_DIR_OUTBOUND);
	sockpol_set(t, &e);
	e = E(11, 3, IPSEC_DIR_OUTBOUND);
	sockpol_set(t, &e);
	sockpol_clear(t, 10, 3);
	ck_assert_uint_eq(t->n, 2);
	ck_assert_int_eq(t->v[0].fd, 4);
	ck_assert_int_eq(t->v[1].pid, 11);
	free(t);
}
END_TEST

static bool
even_alive(pid_t pid)
{
	return pid % 2 == 0;
}

START_TEST(test_sockpol_reap_dead_processes)
{
	struct sockpol *t = sockpol_new();
	struct sockpol_entry e;

	for (pid_t p = 1; p <= 6; p++) {
		e = E(p, 5, IPSEC_DIR_INBOUND);
		sockpol_set(t, &e);
	}
	sockpol_reap(t, even_alive);
	ck_assert_uint_eq(t->n, 3);
	ck_assert_int_eq(t->v[0].pid, 2);
	ck_assert_int_eq(t->v[2].pid, 6);
	free(t);
}
END_TEST

START_TEST(test_sockpol_json_item)
{
	struct sockpol_entry e = E(42, 9, IPSEC_DIR_OUTBOUND);
	json_t *it;
	char *s;

	e.family = AF_INET6;
	it = sockpol_json(&e);
	ck_assert_ptr_nonnull(it);
	s = json_dumps(it, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s,
	    "{\"action\":\"bypass\",\"add_sec\":100,\"dir\":\"out\","
	    "\"family\":\"inet6\",\"fd\":9,\"pid\":42,\"socket\":true}");
	free(s);
	json_decref(it);
}
END_TEST

static Suite *
sockpol_suite(void)
{
	Suite *s = suite_create("sockpol");
	TCase *tc;

	tc = tcase_create("sockpol_set");
	tcase_add_test(tc, test_sockpol_set_replaces_same_direction);
	tcase_add_test(tc, test_sockpol_set_full_and_one_short);
	suite_add_tcase(s, tc);
	tc = tcase_create("sockpol_clear");
	tcase_add_test(tc, test_sockpol_clear_one_descriptor);
	suite_add_tcase(s, tc);
	tc = tcase_create("sockpol_reap");
	tcase_add_test(tc, test_sockpol_reap_dead_processes);
	suite_add_tcase(s, tc);
	tc = tcase_create("sockpol_json");
	tcase_add_test(tc, test_sockpol_json_item);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sockpol_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
