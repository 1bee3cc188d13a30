/* Unit tests for src/daemon/control_req.c: the control request parser. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/control_req.h"

static struct control_req req;
static char why[CONTROL_WHY_MAX];

static bool
parse(const char *s)
{
	memset(why, 0, sizeof(why));
	return control_req_parse(s, strlen(s), &req, why, sizeof(why));
}

/* The request must be refused with a reason containing part. */
#define ck_refused(s, part)                                                    \
	do {                                                                   \
		ck_assert_msg(!parse(s), "accepted: %s", s);                   \
		ck_assert_msg(strstr(why, part) != NULL,                       \
		    "%s: reason \"%s\" lacks \"%s\"", s, why, part);           \
	} while (0)

START_TEST(test_control_req_parse_show_each)
{
	static const struct {
		const char *what;
		enum control_what v;
	} rows[] = {
		{ "sa", CONTROL_WHAT_SA },
		{ "sp", CONTROL_WHAT_SP },
		{ "interfaces", CONTROL_WHAT_INTERFACES },
		{ "stats", CONTROL_WHAT_STATS },
		{ "knobs", CONTROL_WHAT_KNOBS },
		{ "crypto", CONTROL_WHAT_CRYPTO },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		snprintf(buf, sizeof(buf),
		    "{\"version\":1,\"cmd\":\"show\",\"what\":\"%s\"}",
		    rows[i].what);
		ck_assert_msg(parse(buf), "%s: %s", buf, why);
		ck_assert_int_eq(req.cmd, CONTROL_CMD_SHOW);
		ck_assert_int_eq(req.what, rows[i].v);
		ck_assert(!req.show_keys);
		ck_assert_str_eq(control_what_name(rows[i].v), rows[i].what);
	}
}
END_TEST

START_TEST(test_control_req_parse_keys)
{
	ck_assert(parse("{\"cmd\":\"show\",\"what\":\"sa\",\"keys\":true,"
			"\"version\":1}"));
	ck_assert(req.show_keys);
	ck_assert(parse("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
			"\"keys\":false}"));
	ck_assert(!req.show_keys);
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sp\","
		   "\"keys\":true}",
	    "\"keys\" goes only with");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
		   "\"keys\":1}",
	    "member \"keys\": expected true or false");
}
END_TEST

START_TEST(test_control_req_parse_get_set)
{
	ck_assert(parse("{\"version\":1,\"cmd\":\"get\","
			"\"name\":\"net.inet.ipsec.dfbit\"}"));
	ck_assert_int_eq(req.cmd, CONTROL_CMD_GET);
	ck_assert_str_eq(req.name, "net.inet.ipsec.dfbit");
	ck_assert(parse("{\"version\":1,\"cmd\":\"set\","
			"\"name\":\"net.inet.ipsec.dfbit\",\"value\":\"1\"}"));
	ck_assert_int_eq(req.cmd, CONTROL_CMD_SET);
	ck_assert_str_eq(req.value, "1");
	ck_refused("{\"version\":1,\"cmd\":\"set\",\"name\":\"x\"}",
	    "member \"value\" is missing");
	ck_refused(
	    "{\"version\":1,\"cmd\":\"get\"}", "member \"name\" is missing");
	ck_refused("{\"version\":1,\"cmd\":\"get\",\"name\":\"x\","
		   "\"value\":\"1\"}",
	    "member \"value\" does not go with cmd \"get\"");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
		   "\"name\":\"x\"}",
	    "member \"name\" does not go with cmd \"show\"");
}
END_TEST

START_TEST(test_control_req_parse_empty)
{
	ck_assert(!control_req_parse("", 0, &req, why, sizeof(why)));
	ck_assert_str_eq(why, "empty request");
	ck_refused(" ", "bad JSON");
}
END_TEST

START_TEST(test_control_req_parse_one_byte_short)
{
	const char *ok = "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}";
	size_t n = strlen(ok);

	ck_assert(control_req_parse(ok, n, &req, why, sizeof(why)));
	ck_assert(!control_req_parse(ok, n - 1, &req, why, sizeof(why)));
	ck_assert_msg(strstr(why, "bad JSON") != NULL, "%s", why);
}
END_TEST

/* A valid request padded with spaces to exactly len bytes. */
static char *
padded(size_t len)
{
	const char *ok = "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}";
	char *buf = malloc(len);

	ck_assert_ptr_nonnull(buf);
	memset(buf, ' ', len);
	memcpy(buf, ok, strlen(ok));
	return buf;
}

START_TEST(test_control_req_parse_oversize)
{
	char *at = padded(CONTROL_REQ_MAX), *over = padded(CONTROL_REQ_MAX + 1);

	ck_assert_msg(
	    control_req_parse(at, CONTROL_REQ_MAX, &req, why, sizeof(why)),
	    "%s", why);
	ck_assert(!control_req_parse(
	    over, CONTROL_REQ_MAX + 1, &req, why, sizeof(why)));
	ck_assert_str_eq(why, "request of 65537 bytes; at most 65536");
	free(at);
	free(over);
}
END_TEST

START_TEST(test_control_req_parse_bad_json)
{
	ck_refused("{\"version\":1,", "bad JSON at byte");
	ck_refused("{version:1}", "bad JSON");
	ck_refused(
	    "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\",}", "bad JSON");
	ck_refused("\"show\"", "bad JSON");
	ck_refused("[1,2]", "expected a JSON object");
	ck_refused("{\"a\":\"\xff\xfe\"}", "bad JSON");
}
END_TEST

START_TEST(test_control_req_parse_trailing_garbage)
{
	ck_assert(parse("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"} \n"));
	ck_refused(
	    "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}x", "bad JSON");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}"
		   "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}",
	    "bad JSON");
}
END_TEST

START_TEST(test_control_req_parse_duplicate)
{
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
		   "\"what\":\"sp\"}",
	    "duplicate");
}
END_TEST

START_TEST(test_control_req_parse_wrong_types)
{
	ck_refused("{\"version\":\"1\",\"cmd\":\"show\",\"what\":\"sa\"}",
	    "member \"version\": expected an integer");
	ck_refused("{\"version\":1.0,\"cmd\":\"show\",\"what\":\"sa\"}",
	    "member \"version\": expected an integer");
	ck_refused("{\"version\":1,\"cmd\":5,\"what\":\"sa\"}",
	    "member \"cmd\": expected a string");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":true}",
	    "member \"what\": expected a string");
	ck_refused("{\"version\":1,\"cmd\":\"get\",\"name\":1}",
	    "member \"name\": expected a string");
	ck_refused("{\"version\":1,\"cmd\":\"set\",\"name\":\"a\",\"value\":2}",
	    "member \"value\": expected a string");
	ck_refused("{\"version\":1,\"cmd\":\"get\",\"name\":null}",
	    "member \"name\": expected a string");
}
END_TEST

START_TEST(test_control_req_parse_unknown)
{
	ck_refused("{\"version\":1,\"cmd\":\"flush\"}",
	    "member \"cmd\": expected one of show, get, set");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sad\"}",
	    "member \"what\": expected one of sa, sp, interfaces, stats, "
	    "knobs, crypto");
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
		   "\"verbose\":true}",
	    "unknown member \"verbose\"");
	ck_refused(
	    "{\"version\":1,\"what\":\"sa\"}", "member \"cmd\" is missing");
	ck_refused(
	    "{\"version\":1,\"cmd\":\"show\"}", "member \"what\" is missing");
}
END_TEST

START_TEST(test_control_req_parse_version)
{
	ck_refused("{\"cmd\":\"show\",\"what\":\"sa\"}",
	    "member \"version\" is missing");
	ck_refused("{\"version\":0,\"cmd\":\"show\",\"what\":\"sa\"}",
	    "protocol version 0 not supported; this ipsecd speaks version 1");
	ck_refused("{\"version\":2,\"cmd\":\"show\",\"what\":\"sa\"}",
	    "protocol version 2 not supported");
	ck_refused("{\"version\":-1,\"cmd\":\"show\",\"what\":\"sa\"}",
	    "protocol version -1 not supported");
	ck_refused("{\"version\":99999999999999999999999,\"cmd\":\"show\"}",
	    "bad JSON");
}
END_TEST

/* A get of a name of n bytes (n < 512). */
static bool
get_of_len(size_t n)
{
	char buf[600], name[512];

	memset(name, 'a', n);
	name[n] = '\0';
	snprintf(buf, sizeof(buf),
	    "{\"version\":1,\"cmd\":\"get\",\"name\":\"%s\"}", name);
	return parse(buf);
}

/* A set of a value of n bytes (n < 512). */
static bool
set_of_len(size_t n)
{
	char buf[600], value[512];

	memset(value, '1', n);
	value[n] = '\0';
	snprintf(buf, sizeof(buf),
	    "{\"version\":1,\"cmd\":\"set\",\"name\":\"a\",\"value\":\"%s\"}",
	    value);
	return parse(buf);
}

START_TEST(test_control_req_parse_lengths)
{
	ck_assert(get_of_len(CONTROL_NAME_MAX - 1));
	ck_assert_uint_eq(strlen(req.name), CONTROL_NAME_MAX - 1);
	ck_assert(!get_of_len(CONTROL_NAME_MAX));
	ck_assert_str_eq(why, "member \"name\": 128 bytes; expected 1 to 127");
	ck_assert(!get_of_len(0));
	ck_assert(set_of_len(CONTROL_VALUE_MAX - 1));
	ck_assert(!set_of_len(CONTROL_VALUE_MAX));
	ck_assert_str_eq(why, "member \"value\": 32 bytes; expected 1 to 31");
	ck_assert(!set_of_len(0));
}
END_TEST

START_TEST(test_control_req_parse_nul)
{
	static const char raw[] =
	    "{\"version\":1,\"cmd\":\"get\",\"name\":\"a\0b\"}";

	ck_refused("{\"version\":1,\"cmd\":\"get\",\"name\":\"a\\u0000b\"}",
	    "bad JSON");
	ck_assert(
	    !control_req_parse(raw, sizeof(raw) - 1, &req, why, sizeof(why)));
}
END_TEST

START_TEST(test_control_req_parse_why_printable)
{
	ck_refused("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\","
		   "\"\\u001b[31m\\u00e9\":1}",
	    "unknown member \"?[31m??\"");
	for (const char *p = why; *p != '\0'; p++)
		ck_assert(*p >= 0x20 && *p < 0x7f);
}
END_TEST

START_TEST(test_control_req_build_roundtrip)
{
	struct control_req in[4];
	char *text;
	json_t *o;

	memset(in, 0, sizeof(in));
	in[0].cmd = CONTROL_CMD_SHOW;
	in[0].what = CONTROL_WHAT_SA;
	in[0].show_keys = true;
	in[1].cmd = CONTROL_CMD_SHOW;
	in[1].what = CONTROL_WHAT_INTERFACES;
	in[2].cmd = CONTROL_CMD_GET;
	strcpy(in[2].name, "net.inet.ipsec.ecn");
	in[3].cmd = CONTROL_CMD_SET;
	strcpy(in[3].name, "net.inet.ipsec.ecn");
	strcpy(in[3].value, "1");
	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(o = control_req_build(&in[i]));
		ck_assert_ptr_nonnull(text = json_dumps(o, JSON_COMPACT));
		ck_assert_msg(parse(text), "%s: %s", text, why);
		ck_assert_mem_eq(&req, &in[i], sizeof(req));
		free(text);
		json_decref(o);
	}
}
END_TEST

START_TEST(test_control_printable_cut)
{
	char out[4];

	control_printable(out, sizeof(out), "a\tbcdef");
	ck_assert_str_eq(out, "a?b");
	control_printable(out, 1, "abc");
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_control_what_lookup_names)
{
	enum control_what w;

	ck_assert(control_what_lookup("stats", &w));
	ck_assert_int_eq(w, CONTROL_WHAT_STATS);
	ck_assert(!control_what_lookup("stat", &w));
	ck_assert_str_eq(control_cmd_name(CONTROL_CMD_SET), "set");
	ck_assert_str_eq(control_what_name((enum control_what)99), "unknown");
}
END_TEST

static Suite *
control_req_suite(void)
{
	Suite *s = suite_create("control_req");
	TCase *tc = tcase_create("control_req_parse");

	tcase_add_test(tc, test_control_req_parse_show_each);
	tcase_add_test(tc, test_control_req_parse_keys);
	tcase_add_test(tc, test_control_req_parse_get_set);
	tcase_add_test(tc, test_control_req_parse_empty);
	tcase_add_test(tc, test_control_req_parse_one_byte_short);
	tcase_add_test(tc, test_control_req_parse_oversize);
	tcase_add_test(tc, test_control_req_parse_bad_json);
	tcase_add_test(tc, test_control_req_parse_trailing_garbage);
	tcase_add_test(tc, test_control_req_parse_duplicate);
	tcase_add_test(tc, test_control_req_parse_wrong_types);
	tcase_add_test(tc, test_control_req_parse_unknown);
	tcase_add_test(tc, test_control_req_parse_version);
	tcase_add_test(tc, test_control_req_parse_lengths);
	tcase_add_test(tc, test_control_req_parse_nul);
	tcase_add_test(tc, test_control_req_parse_why_printable);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_req_build");
	tcase_add_test(tc, test_control_req_build_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_printable");
	tcase_add_test(tc, test_control_printable_cut);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_what_lookup");
	tcase_add_test(tc, test_control_what_lookup_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_req_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
