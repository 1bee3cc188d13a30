/*
 * Unit tests for src/shim/shim_check.c: the base header check agrees with
 * the PF_KEY codec's (pfkey_msg_parse's has_hdr), the socket policy and
 * UDP_ENCAP checks answer as Linux does, and the control requests.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "daemon/control_req.h"
#include "pfkey/pfkey_msg.h"
#include "shim/shim_check.h"

static uint8_t buf[SHIM_MSG_MAX + 16];

/* A base header of type, len64 units, in buf. */
static void
hdr(uint8_t type, uint16_t len64)
{
	struct sadb_msg h;

	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = type;
	h.sadb_msg_satype = SADB_SATYPE_ESP;
	h.sadb_msg_len = len64;
	h.sadb_msg_seq = 7;
	h.sadb_msg_pid = 1234;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
}

/* What the codec says of len bytes of buf: 0 or its base-header errno. */
static int
codec(size_t len)
{
	struct pfkey_msg m;
	struct pfkey_err err;

	if (pfkey_msg_parse(&m, buf, len, PFKEY_ORIGIN_USER, &err))
		return 0;
	return err.has_hdr ? 0 : err.code;
}

START_TEST(test_shim_msg_check_header_exact_and_one_short)
{
	hdr(SADB_FLUSH, 2);
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), 0);
	ck_assert_int_eq(shim_msg_check(buf, 15, 15), EMSGSIZE);
	ck_assert_int_eq(shim_msg_check(buf, 0, 0), EMSGSIZE);
	ck_assert_int_eq(codec(16), 0);
	ck_assert_int_eq(codec(15), EMSGSIZE);
}
END_TEST

START_TEST(test_shim_msg_check_fields)
{
	struct sadb_msg *h = (struct sadb_msg *)buf;

	hdr(SADB_GETSPI, 2);
	h->sadb_msg_version = PF_KEY_V2 - 1;
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), EINVAL);
	hdr(SADB_GETSPI, 2);
	h->sadb_msg_reserved = 1;
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), EINVAL);
	hdr(SADB_RESERVED, 2);
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), EINVAL);
	hdr(SADB_MAX + 1, 2);
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), EINVAL);
	hdr(SADB_MAX, 2);
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), 0);
	/* sadb_msg_len must be len / 8 and at least 2. */
	hdr(SADB_GETSPI, 3);
	ck_assert_int_eq(shim_msg_check(buf, 16, 16), EMSGSIZE);
	ck_assert_int_eq(shim_msg_check(buf, 16, 24), 0);
	ck_assert_int_eq(shim_msg_check(buf, 16, 23), EMSGSIZE);
	/* Trailing bytes below a unit are the server's to refuse. */
	hdr(SADB_GETSPI, 2);
	ck_assert_int_eq(shim_msg_check(buf, 16, 17), 0);
	hdr(SADB_GETSPI, 1);
	ck_assert_int_eq(shim_msg_check(buf, 16, 8), EMSGSIZE);
}
END_TEST

START_TEST(test_shim_msg_check_size_limit)
{
	hdr(SADB_X_SPDADD, SHIM_MSG_MAX / 8);
	ck_assert_int_eq(shim_msg_check(buf, 16, SHIM_MSG_MAX), 0);
	hdr(SADB_X_SPDADD, SHIM_MSG_MAX / 8 + 1);
	ck_assert_int_eq(shim_msg_check(buf, 16, SHIM_MSG_MAX + 8), EMSGSIZE);
	ck_assert_int_eq(shim_msg_check(buf, 16, SHIM_MSG_MAX + 1), EMSGSIZE);
}
END_TEST

/*
 * For headers and lengths drawn from a fixed sequence, the shim refuses
 * exactly what the codec refuses before reading any extension, with the
 * same errno.
 */
START_TEST(test_shim_msg_check_agrees_with_codec)
{
	uint32_t x = 0x12345678;
	unsigned refused = 0, passed = 0;

	for (int i = 0; i < 20000; i++) {
		size_t len;

		for (int b = 0; b < 16; b++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[b] = (uint8_t)x;
		}
		len = x % 72;
		/* Mostly plausible headers, so both ways are exercised. */
		if (i % 4 != 0) {
			struct sadb_msg *h = (struct sadb_msg *)buf;

			h->sadb_msg_version = PF_KEY_V2;
			h->sadb_msg_reserved = 0;
			h->sadb_msg_type = (uint8_t)(1 + x % (SADB_MAX + 1));
			h->sadb_msg_len = (uint16_t)(len / 8);
		}
		memset(buf + 16, 0, 64);
		ck_assert_int_eq(shim_msg_check(buf, 16, len), codec(len));
		if (codec(len) != 0)
			refused++;
		else
			passed++;
	}
	ck_assert_uint_gt(refused, 1000);
	ck_assert_uint_gt(passed, 1000);
}
END_TEST

static struct sadb_x_policy
pol(uint16_t type, uint8_t dir)
{
	struct sadb_x_policy p;

	memset(&p, 0, sizeof(p));
	p.sadb_x_policy_len = sizeof(p) / 8;
	p.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	p.sadb_x_policy_type = type;
	p.sadb_x_policy_dir = dir;
	return p;
}

START_TEST(test_shim_policy_check_bypass_exact_and_one_short)
{
	struct sadb_x_policy p = pol(IPSEC_POLICY_BYPASS, IPSEC_DIR_OUTBOUND);
	struct shim_policy sp;

	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     &p, sizeof(p), &sp),
	    0);
	ck_assert_uint_eq(sp.op, SHIM_POL_SET);
	ck_assert_uint_eq(sp.dir, IPSEC_DIR_OUTBOUND);
	ck_assert_uint_eq(sp.type, IPSEC_POLICY_BYPASS);
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     &p, sizeof(p) - 1, &sp),
	    EINVAL);
}
END_TEST

START_TEST(test_shim_policy_check_lengths)
{
	uint8_t big[4097];
	struct sadb_x_policy p = pol(IPSEC_POLICY_BYPASS, IPSEC_DIR_INBOUND);
	struct shim_policy sp;

	memset(big, 0, sizeof(big));
	memcpy(big, &p, sizeof(p));
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     big, 4096, &sp),
	    0);
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     big, 4097, &sp),
	    EMSGSIZE);
	ck_assert_int_eq(shim_policy_check(
			     AF_INET, IPPROTO_IP, IP_IPSEC_POLICY, big, 0, &sp),
	    EMSGSIZE);
	/* sadb_x_policy_len past the value. */
	p.sadb_x_policy_len = 3;
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     &p, sizeof(p), &sp),
	    EINVAL);
	/* NULL and 0: both directions cleared. */
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IP, IP_IPSEC_POLICY,
			     NULL, 0, &sp),
	    0);
	ck_assert_uint_eq(sp.op, SHIM_POL_CLEAR);
}
END_TEST

START_TEST(test_shim_policy_check_types_and_dirs)
{
	static const struct {
		uint16_t type;
		uint8_t dir;
		int err;
	} rows[] = {
		{ IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, 0 },
		{ IPSEC_POLICY_ENTRUST, IPSEC_DIR_OUTBOUND, 0 },
		{ IPSEC_POLICY_BYPASS, IPSEC_DIR_INBOUND, 0 },
		{ IPSEC_POLICY_DISCARD, IPSEC_DIR_INBOUND, EOPNOTSUPP },
		{ IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, EOPNOTSUPP },
		{ IPSEC_POLICY_BYPASS + 1, IPSEC_DIR_OUTBOUND, EINVAL },
		{ IPSEC_POLICY_BYPASS, IPSEC_DIR_ANY, EINVAL },
		{ IPSEC_POLICY_BYPASS, IPSEC_DIR_FWD, EINVAL },
	};
	struct shim_policy sp;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sadb_x_policy p = pol(rows[i].type, rows[i].dir);

		ck_assert_int_eq(shim_policy_check(AF_INET6, IPPROTO_IPV6,
				     IPV6_IPSEC_POLICY, &p, sizeof(p), &sp),
		    rows[i].err);
	}
}
END_TEST

START_TEST(test_shim_policy_check_family)
{
	struct sadb_x_policy p = pol(IPSEC_POLICY_BYPASS, IPSEC_DIR_INBOUND);
	struct shim_policy sp;

	ck_assert_int_eq(shim_policy_check(AF_INET6, IPPROTO_IP,
			     IP_IPSEC_POLICY, &p, sizeof(p), &sp),
	    EOPNOTSUPP);
	ck_assert_int_eq(shim_policy_check(AF_INET, IPPROTO_IPV6,
			     IPV6_IPSEC_POLICY, &p, sizeof(p), &sp),
	    EOPNOTSUPP);
	ck_assert_int_eq(shim_policy_check(AF_UNIX, IPPROTO_IP, IP_IPSEC_POLICY,
			     &p, sizeof(p), &sp),
	    EINVAL);
}
END_TEST

START_TEST(test_shim_encap_check_values)
{
	int v, err;

	v = UDP_ENCAP_ESPINUDP;
	ck_assert(shim_encap_check(&v, sizeof(v), &err));
	ck_assert_int_eq(err, 0);
	v = UDP_ENCAP_ESPINUDP_NON_IKE;
	ck_assert(shim_encap_check(&v, sizeof(v), &err));
	ck_assert_int_eq(err, 0);
	/* One byte short: Linux's EINVAL, from the shim. */
	ck_assert(shim_encap_check(&v, sizeof(v) - 1, &err));
	ck_assert_int_eq(err, EINVAL);
	v = 0;
	ck_assert(!shim_encap_check(&v, sizeof(v), &err));
	v = UDP_ENCAP_L2TPINUDP;
	ck_assert(!shim_encap_check(&v, sizeof(v), &err));
}
END_TEST

START_TEST(test_shim_port_parse_values)
{
	ck_assert_uint_eq(shim_port_parse("4500", 1), 4500);
	ck_assert_uint_eq(shim_port_parse("65535", 1), 65535);
	ck_assert_uint_eq(shim_port_parse("1", 9), 1);
	ck_assert_uint_eq(shim_port_parse("0", 9), 9);
	ck_assert_uint_eq(shim_port_parse("65536", 9), 9);
	ck_assert_uint_eq(shim_port_parse("123456", 9), 9);
	ck_assert_uint_eq(shim_port_parse("45a", 9), 9);
	ck_assert_uint_eq(shim_port_parse("-1", 9), 9);
	ck_assert_uint_eq(shim_port_parse("", 9), 9);
	ck_assert_uint_eq(shim_port_parse(NULL, 9), 9);
}
END_TEST

START_TEST(test_shim_policy_request_text)
{
	struct shim_policy p = { SHIM_POL_SET, IPSEC_DIR_OUTBOUND,
		IPSEC_POLICY_BYPASS };
	char req[256];
	size_t n;

	n = shim_policy_request(req, sizeof(req), 321, 9, AF_INET6, &p);
	ck_assert_str_eq(req,
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\",\"pid\":321,"
	    "\"fd\":9,\"family\":\"inet6\",\"dir\":\"out\",\"policy\":"
	    "\"bypass\"}");
	ck_assert_uint_eq(n, strlen(req));
	/* A buffer one byte short of the text and its NUL: nothing. */
	ck_assert_uint_eq(shim_policy_request(req, n, 321, 9, AF_INET6, &p), 0);
	ck_assert_uint_gt(
	    shim_policy_request(req, n + 1, 321, 9, AF_INET6, &p), 0);
	p.op = SHIM_POL_CLEAR;
	n = shim_policy_request(req, sizeof(req), 321, 9, AF_INET6, &p);
	ck_assert_str_eq(req,
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\",\"pid\":"
	    "321,"
	    "\"fd\":9}");
	ck_assert_uint_eq(shim_policy_close_request(req, n, 321, 9), 0);
}
END_TEST

/* What the shim sends is what the daemon's parser takes. */
START_TEST(test_shim_policy_request_parses)
{
	struct shim_policy p = { SHIM_POL_SET, IPSEC_DIR_INBOUND,
		IPSEC_POLICY_NONE };
	struct control_req req;
	char text[256], why[CONTROL_WHY_MAX];
	size_t n;

	n = shim_policy_request(text, sizeof(text), 4321, 17, AF_INET, &p);
	ck_assert_msg(
	    control_req_parse(text, n, &req, why, sizeof(why)), "%s", why);
	ck_assert_int_eq(req.cmd, CONTROL_CMD_SOCKPOLICY);
	ck_assert(req.sp.is_set);
	ck_assert_int_eq(req.sp.pid, 4321);
	ck_assert_int_eq(req.sp.fd, 17);
	ck_assert_uint_eq(req.sp.family, AF_INET);
	ck_assert_uint_eq(req.sp.dir, IPSEC_DIR_INBOUND);
	ck_assert_uint_eq(req.sp.type, IPSEC_POLICY_NONE);
	n = shim_policy_close_request(text, sizeof(text), 4321, 17);
	ck_assert_msg(
	    control_req_parse(text, n, &req, why, sizeof(why)), "%s", why);
	ck_assert(!req.sp.is_set);
	ck_assert_int_eq(req.sp.fd, 17);
}
END_TEST

/* The daemon's checks of a sockpolicy request. */
START_TEST(test_shim_policy_request_refused)
{
	static const char *const bad[] = {
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\","
		"\"pid\":0,\"fd\":1}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\","
		"\"pid\":1,\"fd\":-1}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\","
		"\"pid\":2147483648,\"fd\":1}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\","
		"\"pid\":1,\"fd\":1,\"dir\":\"in\"}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"drop\","
		"\"pid\":1,\"fd\":1}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\","
		"\"pid\":1,\"fd\":1,\"family\":\"inet\",\"dir\":\"fwd\","
		"\"policy\":\"bypass\"}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\","
		"\"pid\":1,\"fd\":1,\"family\":\"inet\",\"dir\":\"in\","
		"\"policy\":\"discard\"}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\","
		"\"pid\":1,\"fd\":1,\"family\":\"unix\",\"dir\":\"in\","
		"\"policy\":\"bypass\"}",
		"{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\","
		"\"pid\":1,\"fd\":1,\"family\":\"inet\",\"dir\":\"in\"}",
	};
	struct control_req req;
	char why[CONTROL_WHY_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!control_req_parse(bad[i], strlen(bad[i]), &req,
				  why, sizeof(why)),
		    "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_shim_reply_mark_values)
{
	static const char ok[] = "{\"version\":1,\"type\":\"sockpolicy\","
				 "\"items\":[{\"mark\":69,\"mask\":255}],"
				 "\"end\":true}";
	static const char max[] = "{\"type\":\"sockpolicy\",\"mark\":"
				  "4294967295}";
	static const char over[] = "{\"type\":\"sockpolicy\",\"mark\":"
				   "4294967296}";
	static const char err[] = "{\"version\":1,\"type\":\"error\","
				  "\"error\":\"x\",\"mark\":1}";
	uint32_t m = 0;

	ck_assert(shim_reply_mark(ok, strlen(ok), &m));
	ck_assert_uint_eq(m, 69);
	ck_assert(shim_reply_mark(max, strlen(max), &m));
	ck_assert_uint_eq(m, 4294967295u);
	ck_assert(!shim_reply_mark(over, strlen(over), &m));
	ck_assert(!shim_reply_mark(err, strlen(err), &m));
	/* Cut inside the number, or before it: a shorter or no mark. */
	ck_assert(shim_reply_mark(ok, strstr(ok, "69") - ok + 1, &m));
	ck_assert_uint_eq(m, 6);
	ck_assert(!shim_reply_mark(ok, strstr(ok, "69") - ok, &m));
	ck_assert(!shim_reply_mark(ok, 0, &m));
}
END_TEST

static Suite *
shim_suite(void)
{
	Suite *s = suite_create("shim");
	TCase *tc;

	tc = tcase_create("shim_msg_check");
	tcase_add_test(tc, test_shim_msg_check_header_exact_and_one_short);
	tcase_add_test(tc, test_shim_msg_check_fields);
	tcase_add_test(tc, test_shim_msg_check_size_limit);
	tcase_add_test(tc, test_shim_msg_check_agrees_with_codec);
	suite_add_tcase(s, tc);
	tc = tcase_create("shim_policy_check");
	tcase_add_test(tc, test_shim_policy_check_bypass_exact_and_one_short);
	tcase_add_test(tc, test_shim_policy_check_lengths);
	tcase_add_test(tc, test_shim_policy_check_types_and_dirs);
	tcase_add_test(tc, test_shim_policy_check_family);
	suite_add_tcase(s, tc);
	tc = tcase_create("shim_encap_check");
	tcase_add_test(tc, test_shim_encap_check_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("shim_port_parse");
	tcase_add_test(tc, test_shim_port_parse_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("shim_policy_request");
	tcase_add_test(tc, test_shim_policy_request_text);
	tcase_add_test(tc, test_shim_policy_request_parses);
	tcase_add_test(tc, test_shim_policy_request_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("shim_reply_mark");
	tcase_add_test(tc, test_shim_reply_mark_values);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
