/*
 * Unit tests for src/ipsec/knobs.c: the defaults, the sorted name table
 * against the ranges of FreeBSD's ipsec(4) / sys/netipsec, set and get by
 * name (numbers, named values, aliases, every bad form) and the iterator.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/knobs.h"

/*
 * What each name must accept, written from FreeBSD's sysctls (ipsec.c,
 * xform_*.c) and ipsec(4), not from knobs.c: canonical is the net.inet
 * name an alias shares its value with.
 */
static const struct {
	const char *name;
	const char *canonical;
	unsigned min, max;
} want[] = {
	{ "net.inet.ah.ah_enable", "net.inet.ah.ah_enable", 0, 1 },
	{ "net.inet.esp.esp_enable", "net.inet.esp.esp_enable", 0, 1 },
	{ "net.inet.ipcomp.ipcomp_enable", "net.inet.ipcomp.ipcomp_enable", 0,
	    1 },
	{ "net.inet.ipsec.ah_cleartos", "net.inet.ipsec.ah_cleartos", 0, 1 },
	{ "net.inet.ipsec.ah_net_deflev", "net.inet.ipsec.ah_net_deflev", 1,
	    3 },
	{ "net.inet.ipsec.ah_offsetmask", "net.inet.ipsec.ah_offsetmask", 0,
	    0xffff },
	{ "net.inet.ipsec.ah_trans_deflev", "net.inet.ipsec.ah_trans_deflev", 1,
	    3 },
	{ "net.inet.ipsec.check_policy_history",
	    "net.inet.ipsec.check_policy_history", 0, 1 },
	{ "net.inet.ipsec.def_policy", "net.inet.ipsec.def_policy", 0, 1 },
	{ "net.inet.ipsec.dfbit", "net.inet.ipsec.dfbit", 0, 2 },
	{ "net.inet.ipsec.ecn", "net.inet.ipsec.ecn", 0, 1 },
	{ "net.inet.ipsec.esp_net_deflev", "net.inet.ipsec.esp_net_deflev", 1,
	    3 },
	{ "net.inet.ipsec.esp_trans_deflev", "net.inet.ipsec.esp_trans_deflev",
	    1, 3 },
	{ "net.inet.ipsec.natt_cksum_policy",
	    "net.inet.ipsec.natt_cksum_policy", 0, 1 },
	{ "net.inet6.ipsec6.ah_net_deflev", "net.inet.ipsec.ah_net_deflev", 1,
	    3 },
	{ "net.inet6.ipsec6.ah_trans_deflev", "net.inet.ipsec.ah_trans_deflev",
	    1, 3 },
	{ "net.inet6.ipsec6.def_policy", "net.inet.ipsec.def_policy", 0, 1 },
	{ "net.inet6.ipsec6.ecn", "net.inet.ipsec.ecn", 0, 1 },
	{ "net.inet6.ipsec6.esp_net_deflev", "net.inet.ipsec.esp_net_deflev", 1,
	    3 },
	{ "net.inet6.ipsec6.esp_trans_deflev",
	    "net.inet.ipsec.esp_trans_deflev", 1, 3 },
};

#define NWANT (sizeof(want) / sizeof(want[0]))

static unsigned
get(const struct knobs *k, const char *name)
{
	char buf[KNOBS_VALUE_MAX];

	ck_assert_int_eq(knobs_get(k, name, buf, sizeof(buf)), 0);
	return (unsigned)strtoul(buf, NULL, 10);
}

static void
set_ok(struct knobs *k, const char *name, const char *value)
{
	const char *why = NULL;

	ck_assert_msg(knobs_set(k, name, value, &why) == 0, "%s=%s: %s", name,
	    value, why);
}

/* Refused, k unchanged, and the reason is the given one. */
static void
set_bad(
    struct knobs *k, const char *name, const char *value, const char *expect)
{
	struct knobs before = *k;
	const char *why = NULL;

	ck_assert_msg(knobs_set(k, name, value, &why) == -1, "%s=%s accepted",
	    name, value);
	ck_assert_ptr_nonnull(why);
	if (expect != NULL)
		ck_assert_str_eq(why, expect);
	ck_assert_mem_eq(&before, k, sizeof(before));
}

START_TEST(test_knobs_init_defaults)
{
	struct knobs k;

	memset(&k, 0xa5, sizeof(k));
	knobs_init(&k);
	ck_assert_uint_eq(k.def_policy, KNOBS_POLICY_NONE);
	ck_assert_uint_eq(k.dfbit, KNOBS_DF_COPY);
	ck_assert_uint_eq(k.ecn, 0);
	ck_assert(!k.check_policy_history);
	ck_assert_uint_eq(k.natt_cksum_policy, 0);
	ck_assert(k.ah_cleartos);
	ck_assert_uint_eq(k.ah_offsetmask, 0);
	ck_assert_uint_eq(k.esp_trans_deflev, KNOBS_LEVEL_USE);
	ck_assert_uint_eq(k.esp_net_deflev, KNOBS_LEVEL_USE);
	ck_assert_uint_eq(k.ah_trans_deflev, KNOBS_LEVEL_USE);
	ck_assert_uint_eq(k.ah_net_deflev, KNOBS_LEVEL_USE);
	ck_assert(k.esp_enable);
	ck_assert(k.ah_enable);
	ck_assert(k.ipcomp_enable);
	/* The same through the names. */
	ck_assert_uint_eq(get(&k, "net.inet.ipsec.def_policy"), 1);
	ck_assert_uint_eq(get(&k, "net.inet.ipsec.dfbit"), 2);
	ck_assert_uint_eq(get(&k, "net.inet.ipsec.ah_cleartos"), 1);
	ck_assert_uint_eq(get(&k, "net.inet6.ipsec6.esp_net_deflev"), 1);
}
END_TEST

START_TEST(test_knobs_name_sorted)
{
	ck_assert_uint_eq(knobs_count(), NWANT);
	for (size_t i = 1; i < knobs_count(); i++)
		ck_assert_msg(strcmp(knobs_name(i - 1), knobs_name(i)) < 0,
		    "%s before %s", knobs_name(i - 1), knobs_name(i));
	ck_assert_ptr_null(knobs_name(knobs_count()));
	ck_assert_ptr_null(knobs_descr(knobs_count()));
}
END_TEST

START_TEST(test_knobs_name_matches_freebsd)
{
	for (size_t i = 0; i < NWANT; i++) {
		ck_assert_str_eq(knobs_name(i), want[i].name);
		ck_assert_ptr_nonnull(knobs_descr(i));
		ck_assert_uint_gt(strlen(knobs_descr(i)), 10);
	}
}
END_TEST

START_TEST(test_knobs_lookup_each_name)
{
	const char *c4 = knobs_lookup("net.inet.ipsec.ecn");

	for (size_t i = 0; i < knobs_count(); i++) {
		const char *c = knobs_lookup(knobs_name(i));

		ck_assert_ptr_nonnull(c);
		ck_assert_str_eq(c, want[i].canonical);
		/* The canonical name is itself a name and its own canonical. */
		ck_assert_ptr_eq(knobs_lookup(c), c);
	}
	/* An alias and its twin share one pointer. */
	ck_assert_ptr_eq(knobs_lookup("net.inet6.ipsec6.ecn"), c4);
}
END_TEST

START_TEST(test_knobs_lookup_unknown)
{
	ck_assert_ptr_null(knobs_lookup(""));
	ck_assert_ptr_null(knobs_lookup("net.inet.ipsec.dfbi"));
	ck_assert_ptr_null(knobs_lookup("net.inet.ipsec.dfbitx"));
	ck_assert_ptr_null(knobs_lookup("net.inet.ipsec.DFBIT"));
	ck_assert_ptr_null(knobs_lookup("net.inet6.ipsec6.dfbit"));
	ck_assert_ptr_null(knobs_lookup("net.inet.ipsec.debug"));
	ck_assert_ptr_null(knobs_lookup("dfbit"));
}
END_TEST

/* Every value of every name from min - 1 to max + 1 (capped for the mask). */
START_TEST(test_knobs_set_every_value)
{
	struct knobs k;
	char v[16];

	for (size_t i = 0; i < NWANT; i++) {
		unsigned hi = want[i].max > 300 ? 300 : want[i].max;

		knobs_init(&k);
		for (unsigned x = want[i].min; x <= hi; x++) {
			snprintf(v, sizeof(v), "%u", x);
			set_ok(&k, want[i].name, v);
			ck_assert_uint_eq(get(&k, want[i].name), x);
			ck_assert_uint_eq(get(&k, want[i].canonical), x);
		}
		if (want[i].min > 0) {
			snprintf(v, sizeof(v), "%u", want[i].min - 1);
			set_bad(&k, want[i].name, v, NULL);
		}
		snprintf(v, sizeof(v), "%u", want[i].max);
		set_ok(&k, want[i].name, v);
		snprintf(v, sizeof(v), "%u", want[i].max + 1);
		set_bad(&k, want[i].name, v, NULL);
	}
}
END_TEST

START_TEST(test_knobs_set_named_values)
{
	struct knobs k;

	knobs_init(&k);
	set_ok(&k, "net.inet.ipsec.def_policy", "discard");
	ck_assert_uint_eq(k.def_policy, KNOBS_POLICY_DISCARD);
	set_ok(&k, "net.inet6.ipsec6.def_policy", "none");
	ck_assert_uint_eq(k.def_policy, KNOBS_POLICY_NONE);
	set_ok(&k, "net.inet.ipsec.dfbit", "clear");
	ck_assert_uint_eq(k.dfbit, KNOBS_DF_CLEAR);
	set_ok(&k, "net.inet.ipsec.dfbit", "set");
	ck_assert_uint_eq(k.dfbit, KNOBS_DF_SET);
	set_ok(&k, "net.inet.ipsec.dfbit", "copy");
	ck_assert_uint_eq(k.dfbit, KNOBS_DF_COPY);
	set_ok(&k, "net.inet.ipsec.ecn", "allowed");
	ck_assert_uint_eq(k.ecn, 1);
	set_ok(&k, "net.inet6.ipsec6.ecn", "forbidden");
	ck_assert_uint_eq(k.ecn, 0);
	set_ok(&k, "net.inet.ipsec.esp_trans_deflev", "require");
	ck_assert_uint_eq(k.esp_trans_deflev, KNOBS_LEVEL_REQUIRE);
	set_ok(&k, "net.inet6.ipsec6.esp_net_deflev", "unique");
	ck_assert_uint_eq(k.esp_net_deflev, KNOBS_LEVEL_UNIQUE);
	set_ok(&k, "net.inet.ipsec.ah_trans_deflev", "use");
	ck_assert_uint_eq(k.ah_trans_deflev, KNOBS_LEVEL_USE);
	set_ok(&k, "net.inet.ipsec.natt_cksum_policy", "full");
	ck_assert_uint_eq(k.natt_cksum_policy, 1);
	/* Names are exact: no case folding, no prefixes, no bool words. */
	set_bad(&k, "net.inet.ipsec.dfbit", "Copy",
	    "expected 0 (clear), 1 (set) or 2 (copy)");
	set_bad(&k, "net.inet.ipsec.dfbit", "cop",
	    "expected 0 (clear), 1 (set) or 2 (copy)");
	set_bad(&k, "net.inet.ipsec.ah_net_deflev", "default",
	    "expected 1 (use), 2 (require) or 3 (unique)");
	set_bad(&k, "net.inet.esp.esp_enable", "yes", "expected 0 or 1");
}
END_TEST

START_TEST(test_knobs_set_numbers)
{
	struct knobs k;
	const char *mask = "expected 0 to 65535 (0xffff)";

	knobs_init(&k);
	set_ok(&k, "net.inet.ipsec.ah_offsetmask", "0xffff");
	ck_assert_uint_eq(k.ah_offsetmask, 0xffff);
	set_ok(&k, "net.inet.ipsec.ah_offsetmask", "0X1fFf");
	ck_assert_uint_eq(k.ah_offsetmask, 0x1fff);
	set_ok(&k, "net.inet.ipsec.ah_offsetmask", "65535");
	ck_assert_uint_eq(k.ah_offsetmask, 65535);
	set_ok(&k, "net.inet.ipsec.ah_offsetmask", "007");
	ck_assert_uint_eq(k.ah_offsetmask, 7);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "0x10000", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "65536", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "4294967296", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "99999999999999999999999",
	    mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "0x", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "-1", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "+1", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", " 1", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "1 ", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "0xg", mask);
	set_bad(&k, "net.inet.ipsec.ah_offsetmask", "12a", mask);
	/* A digit above a bool's max must not wrap round the bound. */
	set_bad(&k, "net.inet.ah.ah_enable", "9", "expected 0 or 1");
	set_bad(&k, "net.inet.ah.ah_enable", "0x9", "expected 0 or 1");
	set_bad(&k, "net.inet.ipsec.dfbit", "3",
	    "expected 0 (clear), 1 (set) or 2 (copy)");
	set_bad(&k, "net.inet.ipsec.ecn", "-1",
	    "expected 0 (forbidden) or 1 (allowed)");
}
END_TEST

/* The reason for an unknown name lists every name in table order. */
START_TEST(test_knobs_set_unknown_name)
{
	struct knobs k;
	const char *why = NULL;
	char want_why[2048] = "expected ";

	for (size_t i = 0; i < knobs_count(); i++) {
		if (i > 0)
			strcat(
			    want_why, i + 1 == knobs_count() ? " or " : ", ");
		strcat(want_why, knobs_name(i));
	}
	knobs_init(&k);
	set_bad(&k, "net.inet.ipsec.dfbitx", "1", want_why);
	set_bad(&k, "", "1", want_why);
	ck_assert_int_eq(knobs_set(&k, "net.inet.ipsec.debug", "1", &why), -1);
	ck_assert_str_eq(why, want_why);
}
END_TEST

START_TEST(test_knobs_get_buffer_size)
{
	struct knobs k;
	char buf[KNOBS_VALUE_MAX];

	knobs_init(&k);
	k.ah_offsetmask = 0xffff;
	ck_assert_int_eq(
	    knobs_get(&k, "net.inet.ipsec.ah_offsetmask", buf, KNOBS_VALUE_MAX),
	    0);
	ck_assert_str_eq(buf, "65535");
	/* One byte short. */
	ck_assert_int_eq(knobs_get(&k, "net.inet.ipsec.ah_offsetmask", buf,
			     KNOBS_VALUE_MAX - 1),
	    -1);
	ck_assert_int_eq(
	    knobs_get(&k, "net.inet.ipsec.nope", buf, sizeof(buf)), -1);
}
END_TEST

struct visit {
	const struct knobs *k;
	size_t n;
};

static void
visit(void *arg, const char *name, const char *value, const char *descr)
{
	struct visit *v = arg;
	char buf[KNOBS_VALUE_MAX];

	ck_assert_uint_lt(v->n, knobs_count());
	ck_assert_str_eq(name, knobs_name(v->n));
	ck_assert_str_eq(descr, knobs_descr(v->n));
	ck_assert_int_eq(knobs_get(v->k, name, buf, sizeof(buf)), 0);
	ck_assert_str_eq(value, buf);
	v->n++;
}

START_TEST(test_knobs_foreach_all)
{
	struct knobs k;
	struct visit v = { &k, 0 };

	knobs_init(&k);
	set_ok(&k, "net.inet.ipsec.dfbit", "1");
	set_ok(&k, "net.inet.ipsec.ah_offsetmask", "0x1fff");
	knobs_foreach(&k, visit, &v);
	ck_assert_uint_eq(v.n, knobs_count());
}
END_TEST

static Suite *
knobs_suite(void)
{
	Suite *s = suite_create("knobs");
	TCase *tc;

	tc = tcase_create("knobs_init");
	tcase_add_test(tc, test_knobs_init_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("knobs_name");
	tcase_add_test(tc, test_knobs_name_sorted);
	tcase_add_test(tc, test_knobs_name_matches_freebsd);
	suite_add_tcase(s, tc);
	tc = tcase_create("knobs_lookup");
	tcase_add_test(tc, test_knobs_lookup_each_name);
	tcase_add_test(tc, test_knobs_lookup_unknown);
	suite_add_tcase(s, tc);
	tc = tcase_create("knobs_set");
	tcase_add_test(tc, test_knobs_set_every_value);
	tcase_add_test(tc, test_knobs_set_named_values);
	tcase_add_test(tc, test_knobs_set_numbers);
	tcase_add_test(tc, test_knobs_set_unknown_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("knobs_get");
	tcase_add_test(tc, test_knobs_get_buffer_size);
	suite_add_tcase(s, tc);
	tc = tcase_create("knobs_foreach");
	tcase_add_test(tc, test_knobs_foreach_all);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(knobs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
