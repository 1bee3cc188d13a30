/* Unit tests for src/ipsec/ecn.c: the RFC 6040 tables, row by row. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ipsec/ecn.h"

/*
 * RFC 6040 section 4.1, Figure 3 ("IP in IP Encapsulation: Recommended
 * Behaviour"):
 *
 *   +-----------------+-------------------------------+
 *   | Incoming Header |    Departing Outer Header     |
 *   | (also equal to  +---------------+---------------+
 *   | departing Inner | Compatibility |    Normal     |
 *   |     Header)     |     Mode      |     Mode      |
 *   +-----------------+---------------+---------------+
 *   |    Not-ECT      |   Not-ECT     |   Not-ECT     |
 *   |     ECT(0)      |   Not-ECT     |    ECT(0)     |
 *   |     ECT(1)      |   Not-ECT     |    ECT(1)     |
 *   |       CE        |   Not-ECT     |      CE       |
 *   +-----------------+---------------+---------------+
 */
static const struct {
	uint8_t in, compat, normal;
} fig3[] = {
	{ ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT },
	{ ECN_ECT0, ECN_NOT_ECT, ECN_ECT0 },
	{ ECN_ECT1, ECN_NOT_ECT, ECN_ECT1 },
	{ ECN_CE, ECN_NOT_ECT, ECN_CE },
};

START_TEST(test_ecn_encap_rfc6040_fig3)
{
	size_t i;
	uint8_t dscp = 0x2e << 2; /* EF: must pass through untouched */

	for (i = 0; i < sizeof(fig3) / sizeof(fig3[0]); i++) {
		ck_assert_uint_eq(
		    ecn_encap(dscp | 3, 0xa0 | fig3[i].in, ECN_MODE_COMPAT),
		    dscp | fig3[i].compat);
		ck_assert_uint_eq(
		    ecn_encap(dscp, 0xa0 | fig3[i].in, ECN_MODE_NORMAL),
		    dscp | fig3[i].normal);
	}
}
END_TEST

/*
 * RFC 6040 section 4.2, Figure 4 ("New IP in IP Decapsulation
 * Behaviour"):
 *
 *   +---------+------------------------------------------------+
 *   |Arriving |            Arriving Outer Header               |
 *   |   Inner +---------+------------+------------+------------+
 *   |  Header | Not-ECT | ECT(0)     | ECT(1)     |     CE     |
 *   +---------+---------+------------+------------+------------+
 *   | Not-ECT | Not-ECT |Not-ECT(!!!)|Not-ECT(!!!)| <drop>(!!!)|
 *   |  ECT(0) |  ECT(0) | ECT(0)     | ECT(1)     |     CE     |
 *   |  ECT(1) |  ECT(1) | ECT(1) (!) | ECT(1)     |     CE     |
 *   |    CE   |      CE |     CE     |     CE(!!!)|     CE     |
 *   +---------+---------+------------+------------+------------+
 */
#define N ECN_NOTE_NONE
#define W ECN_NOTE_WARN
#define A ECN_NOTE_ALARM
static const struct {
	uint8_t inner, outer, out;
	bool is_drop;
	enum ecn_note note;
} fig4[] = {
	{ ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT, false, N },
	{ ECN_NOT_ECT, ECN_ECT0, ECN_NOT_ECT, false, A },
	{ ECN_NOT_ECT, ECN_ECT1, ECN_NOT_ECT, false, A },
	{ ECN_NOT_ECT, ECN_CE, 0, true, A },
	{ ECN_ECT0, ECN_NOT_ECT, ECN_ECT0, false, N },
	{ ECN_ECT0, ECN_ECT0, ECN_ECT0, false, N },
	{ ECN_ECT0, ECN_ECT1, ECN_ECT1, false, N },
	{ ECN_ECT0, ECN_CE, ECN_CE, false, N },
	{ ECN_ECT1, ECN_NOT_ECT, ECN_ECT1, false, N },
	{ ECN_ECT1, ECN_ECT0, ECN_ECT1, false, W },
	{ ECN_ECT1, ECN_ECT1, ECN_ECT1, false, N },
	{ ECN_ECT1, ECN_CE, ECN_CE, false, N },
	{ ECN_CE, ECN_NOT_ECT, ECN_CE, false, N },
	{ ECN_CE, ECN_ECT0, ECN_CE, false, N },
	{ ECN_CE, ECN_ECT1, ECN_CE, false, A },
	{ ECN_CE, ECN_CE, ECN_CE, false, N },
};

START_TEST(test_ecn_decap_rfc6040_fig4)
{
	enum ecn_note note;
	uint8_t tos, dscp = 0x0a << 2, odscp = 0x2e << 2;
	size_t i;

	ck_assert_uint_eq(sizeof(fig4) / sizeof(fig4[0]), 16);
	for (i = 0; i < 16; i++) {
		tos = dscp | fig4[i].inner;
		note = (enum ecn_note)99;
		if (fig4[i].is_drop) {
			ck_assert_int_eq(
			    ecn_decap(odscp | fig4[i].outer, &tos, &note),
			    IPSEC_DROP_HDR);
			ck_assert_uint_eq(tos, dscp | fig4[i].inner);
		} else {
			ck_assert_int_eq(
			    ecn_decap(odscp | fig4[i].outer, &tos, &note),
			    IPSEC_OK);
			/* The inner DSCP is never changed here. */
			ck_assert_uint_eq(tos, dscp | fig4[i].out);
		}
		ck_assert_int_eq(note, fig4[i].note);
	}
	/* note may be NULL. */
	tos = ECN_ECT0;
	ck_assert_int_eq(ecn_decap(ECN_CE, &tos, NULL), IPSEC_OK);
	ck_assert_uint_eq(tos, ECN_CE);
}
END_TEST

static Suite *
ecn_suite(void)
{
	Suite *s = suite_create("ecn");
	TCase *tc;

	tc = tcase_create("ecn_encap");
	tcase_add_test(tc, test_ecn_encap_rfc6040_fig3);
	suite_add_tcase(s, tc);
	tc = tcase_create("ecn_decap");
	tcase_add_test(tc, test_ecn_decap_rfc6040_fig4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ecn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
