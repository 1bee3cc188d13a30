/*
 * Unit tests of ipsecd.conf's crypto section: the parser
 * (src/daemon/conf_crypto.c) into struct crypto_conf, the data module
 * (src/crypto/crypto_conf.c), each limit at its edge and one past, the
 * lines kept for later errors, and the whole path from a configuration
 * text to a library context with the test provider loaded
 * (crypto_lib_open).  The bad-config suite (tests/conf/) covers the
 * messages of whole files.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "crypto/crypto_conf.h"
#include "crypto/provider.h"
#include "daemon/conf.h"
#include "tests/unit/check_provider.h"

static struct tp_errs errs;

static struct conf *
parse(const char *text)
{
	memset(&errs, 0, sizeof(errs));
	return conf_parse_buffer(
	    "t.conf", text, strlen(text), tp_collect, &errs);
}

static struct conf *
parse_ok(const char *text)
{
	struct conf *c = parse(text);

	ck_assert_msg(c != NULL, "unexpected errors:\n%s", errs.text);
	ck_assert_uint_eq(errs.n, 0);
	return c;
}

static void
parse_bad(const char *text, const char *want)
{
	struct conf *c = parse(text);

	ck_assert_ptr_null(c);
	ck_assert_str_eq(errs.text, want);
}

/* A string of n copies of ch (static buffer, one at a time). */
static const char *
rep(char ch, size_t n)
{
	static char buf[CRYPTO_CONF_VALUE_MAX + 16];

	ck_assert_uint_lt(n, sizeof(buf));
	memset(buf, ch, n);
	buf[n] = '\0';
	return buf;
}

/* conf_crypto_keyword ---------------------------------------------- */

START_TEST(test_conf_crypto_keyword_sorted)
{
	for (int is_prov = 0; is_prov < 2; is_prov++) {
		size_t i;

		ck_assert_ptr_nonnull(conf_crypto_keyword(is_prov, 0));
		for (i = 1; conf_crypto_keyword(is_prov, i) != NULL; i++)
			ck_assert_msg(
			    strcmp(conf_crypto_keyword(is_prov, i - 1),
				conf_crypto_keyword(is_prov, i)) < 0,
			    "%s before %s", conf_crypto_keyword(is_prov, i - 1),
			    conf_crypto_keyword(is_prov, i));
		ck_assert_uint_eq(i, 3);
	}
}
END_TEST

/* conf_parse_buffer ------------------------------------------------ */

START_TEST(test_conf_parse_buffer_crypto_defaults)
{
	struct conf *c = parse_ok("workers 1\n");

	ck_assert_uint_eq(c->crypto.line, 0);
	ck_assert_uint_eq(c->crypto.nproviders, 0);
	ck_assert_ptr_null(c->crypto.query);
	ck_assert_int_eq(c->crypto.policy, CRYPTO_POLICY_PREFER);
	for (int i = 0; i < ALG_COUNT; i++) {
		ck_assert_int_eq(c->crypto.alg[i].policy, CRYPTO_POLICY_UNSET);
		ck_assert_ptr_null(c->crypto.alg[i].query);
	}
	conf_free(c);
}
END_TEST

/* Every statement and form, with the lines kept. */
START_TEST(test_conf_parse_buffer_crypto_fields)
{
	struct conf *c = parse_ok("workers 2\n"
				  "crypto {\n"
				  "\tprovider qatprovider {\n"
				  "\t\tmodule \"/opt/qat/qatprovider.so\"\n"
				  "\t\thardware yes\n"
				  "\t\tasync no\n"
				  "\t\tENABLE_EXTERNAL_POLLING = 0\n"
				  "\t\tpath = \"/x y\"\n"
				  "\t}\n"
				  "\tprovider default\n"
				  "\tprovider fips\n"
				  "\t{\n"
				  "\t}\n"
				  "\tquery \"?provider=qatprovider\"\n"
				  "\tquery rijndael-cbc \"provider=default\"\n"
				  "\toffload require\n"
				  "\toffload chacha20-poly1305 off\n"
				  "}\n");
	const struct crypto_conf *cc = &c->crypto;
	const struct crypto_conf_provider *p = &cc->providers[0];

	ck_assert_uint_eq(cc->line, 2);
	ck_assert_uint_eq(cc->nproviders, 3);
	ck_assert_str_eq(p->name, "qatprovider");
	ck_assert_uint_eq(p->line, 3);
	ck_assert_str_eq(p->module, "/opt/qat/qatprovider.so");
	ck_assert_uint_eq(p->module_line, 4);
	ck_assert_int_eq(p->hardware, CRYPTO_FLAG_YES);
	ck_assert_uint_eq(p->hardware_line, 5);
	ck_assert_int_eq(p->async, CRYPTO_FLAG_NO);
	ck_assert_uint_eq(p->async_line, 6);
	ck_assert_uint_eq(p->nparams, 2);
	ck_assert_str_eq(p->params[0].name, "ENABLE_EXTERNAL_POLLING");
	ck_assert_str_eq(p->params[0].value, "0");
	ck_assert_uint_eq(p->params[0].line, 7);
	ck_assert_str_eq(p->params[1].value, "/x y");
	p = &cc->providers[1];
	ck_assert_str_eq(p->name, "default");
	ck_assert_ptr_null(p->module);
	ck_assert_int_eq(p->hardware, CRYPTO_FLAG_AUTO);
	ck_assert_int_eq(p->async, CRYPTO_FLAG_AUTO);
	ck_assert_uint_eq(p->nparams, 0);
	ck_assert_str_eq(cc->providers[2].name, "fips");
	ck_assert_uint_eq(cc->providers[2].line, 11);
	ck_assert_str_eq(cc->query, "?provider=qatprovider");
	ck_assert_uint_eq(cc->query_line, 14);
	/* An alias names the same algorithm. */
	ck_assert_str_eq(cc->alg[ALG_AES_CBC].query, "provider=default");
	ck_assert_uint_eq(cc->alg[ALG_AES_CBC].query_line, 15);
	ck_assert_int_eq(cc->policy, CRYPTO_POLICY_REQUIRE);
	ck_assert_uint_eq(cc->policy_line, 16);
	ck_assert_int_eq(
	    cc->alg[ALG_CHACHA20_POLY1305].policy, CRYPTO_POLICY_OFF);
	ck_assert_uint_eq(cc->alg[ALG_CHACHA20_POLY1305].policy_line, 17);
	ck_assert_uint_eq(c->workers, 2);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_parse_buffer_crypto_errors)
{
	parse_bad("crypto {\nprovider a {\nmodule /a.so\nfoo = default\n}\n"
		  "offload sometimes\n}\n",
	    "t.conf:4: bad value \"default\" for foo: OpenSSL reads the value "
	    "\"default\" as the name of its default configuration section\n"
	    "t.conf:6: bad offload policy \"sometimes\"; expected off, prefer "
	    "or require\n");
	parse_bad("crypto {\nquery\nquery a b c\noffload\n}\n",
	    "t.conf:2: missing argument; expected query [ALGORITHM] "
	    "\"PROPERTY QUERY\"\n"
	    "t.conf:3: unexpected \"c\" after query [ALGORITHM] \"PROPERTY "
	    "QUERY\"; expected the end of the line\n"
	    "t.conf:4: missing argument; expected offload [ALGORITHM] "
	    "off|prefer|require\n");
	parse_bad("crypto {\nprovider p {\nasync = yes\nhardware\nmodule "
		  "/a /b\n}\n}\n",
	    "t.conf:3: bad parameter name \"async\": a keyword here; "
	    "expected async yes|no\n"
	    "t.conf:4: missing argument; expected hardware yes|no\n"
	    "t.conf:5: unexpected \"/b\" after module PATH; expected the end "
	    "of the line\n");
	parse_bad("crypto {\nprovider p {\nx = 1 2\n= 3\n}\n}\n",
	    "t.conf:3: unexpected \"2\" after x = VALUE; expected the end of "
	    "the line\n"
	    "t.conf:4: unexpected \"=\"; expected a keyword\n");
	parse_bad("crypto {\nprovider p {\n",
	    "t.conf:3: unexpected end of file; expected \"}\" to close "
	    "provider p at line 2\n"
	    "t.conf:3: unexpected end of file; expected \"}\" to close "
	    "crypto at line 1\n");
	/* The rest of the file is still read. */
	parse_bad("crypto {\nqueryx 1\n}\nworkers x\n",
	    "t.conf:2: unknown keyword \"queryx\" in crypto; expected "
	    "offload, provider or query\n"
	    "t.conf:4: bad value \"x\" for workers; expected 0 to 1024\n");
}
END_TEST

/* Each limit at its edge and one past. */
START_TEST(test_conf_parse_buffer_crypto_limits)
{
	char *text = malloc(64 * 1024);
	size_t o;
	struct conf *c;

	ck_assert_ptr_nonnull(text);
	/* Providers. */
	o = (size_t)sprintf(text, "crypto {\n");
	for (int i = 0; i < CRYPTO_CONF_PROVIDERS_MAX; i++)
		o += (size_t)sprintf(text + o, "provider p%d\n", i);
	sprintf(text + o, "}\n");
	c = parse_ok(text);
	ck_assert_uint_eq(c->crypto.nproviders, CRYPTO_CONF_PROVIDERS_MAX);
	conf_free(c);
	sprintf(text + o, "provider one-more\n}\n");
	parse_bad(text, "t.conf:18: too many providers (max 16)\n");
	/* Parameters. */
	o = (size_t)sprintf(text, "crypto {\nprovider p {\n");
	for (int i = 0; i < CRYPTO_CONF_PARAMS_MAX; i++)
		o += (size_t)sprintf(text + o, "k%d = %d\n", i, i);
	sprintf(text + o, "}\n}\n");
	c = parse_ok(text);
	ck_assert_uint_eq(
	    c->crypto.providers[0].nparams, CRYPTO_CONF_PARAMS_MAX);
	conf_free(c);
	sprintf(text + o, "k = 1\n}\n}\n");
	parse_bad(
	    text, "t.conf:35: too many parameters for provider p (max 32)\n");
	/* Names: 63 bytes, then 64. */
	sprintf(text, "crypto {\nprovider a%s {\nb%s = 1\n}\n}\n",
	    rep('x', CRYPTO_CONF_NAME_MAX - 2),
	    rep('y', CRYPTO_CONF_NAME_MAX - 2));
	c = parse_ok(text);
	ck_assert_uint_eq(
	    strlen(c->crypto.providers[0].name), CRYPTO_CONF_NAME_MAX - 1);
	conf_free(c);
	sprintf(text, "crypto {\nprovider a%s\n}\n",
	    rep('x', CRYPTO_CONF_NAME_MAX - 1));
	c = parse(text);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(errs.text, "name too long"));
	sprintf(text, "crypto {\nprovider a {\nb%s = 1\n}\n}\n",
	    rep('y', CRYPTO_CONF_NAME_MAX - 1));
	c = parse(text);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(errs.text, "name too long"));
	/* Values and queries: 1023 bytes, then 1024. */
	sprintf(text, "crypto {\nquery \"%s\"\n}\n",
	    rep('q', CRYPTO_CONF_VALUE_MAX - 1));
	c = parse_ok(text);
	ck_assert_uint_eq(strlen(c->crypto.query), CRYPTO_CONF_VALUE_MAX - 1);
	conf_free(c);
	sprintf(text, "crypto {\nquery \"%s\"\n}\n",
	    rep('q', CRYPTO_CONF_VALUE_MAX));
	c = parse(text);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(errs.text, "value too long"));
	sprintf(text, "crypto {\nprovider p {\nv = \"%s\"\n}\n}\n",
	    rep('v', CRYPTO_CONF_VALUE_MAX - 1));
	c = parse_ok(text);
	conf_free(c);
	sprintf(text, "crypto {\nprovider p {\nv = \"%s\"\n}\n}\n",
	    rep('v', CRYPTO_CONF_VALUE_MAX));
	c = parse(text);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(errs.text, "value too long"));
	free(text);
}
END_TEST

/* crypto_lib_open from a configuration text ------------------------- */

/*
 * The test provider loaded from ipsecd.conf: it serves the GCM algorithms
 * as hardware, require refuses ChaCha20-Poly1305, and that algorithm's
 * own prefer lets it through on software.
 */
START_TEST(test_crypto_lib_open_from_conf)
{
	char text[2048];
	struct conf *c;
	struct crypto_lib *lib;
	struct crypto_cap caps[CRYPTO_CAPS_MAX];
	size_t n, nhw = 0;

	snprintf(text, sizeof(text),
	    "crypto {\n"
	    "\tprovider ipsecdtest {\n"
	    "\t\tmodule \"%s\"\n"
	    "\t\tlatency-us = 0\n"
	    "\t}\n"
	    "\toffload require\n"
	    "\toffload chacha20-poly1305 prefer\n"
	    "}\n",
	    TEST_PROVIDER_PATH);
	c = parse_ok(text);
	memset(&errs, 0, sizeof(errs));
	lib = crypto_lib_open(&c->crypto, c->file, tp_collect, &errs);
	ck_assert_msg(lib != NULL, "%s", errs.text);
	conf_free(c);
	n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (caps[i].hw_provider == NULL)
			continue;
		nhw++;
		ck_assert_str_eq(caps[i].hw_provider, "ipsecdtest");
		ck_assert(caps[i].is_usable);
	}
	ck_assert_uint_eq(nhw, 8);
	ck_assert(crypto_lib_usable(
	    lib, alg_get(ALG_CHACHA20_POLY1305), 0, CRYPTO_POLICY_UNSET));
	ck_assert(!crypto_lib_usable(
	    lib, alg_get(ALG_AES_CBC), 0, CRYPTO_POLICY_UNSET));
	ck_assert_uint_eq(tp_counter(lib, "ops"), 0);
	crypto_lib_free(lib);
}
END_TEST

/* A provider that does not load is an error at its line. */
START_TEST(test_crypto_lib_open_from_conf_missing)
{
	struct conf *c = parse_ok("\n\ncrypto {\n\tprovider gone {\n"
				  "\t\tmodule /nonexistent/gone.so\n\t}\n}\n");
	struct crypto_lib *lib;

	memset(&errs, 0, sizeof(errs));
	lib = crypto_lib_open(&c->crypto, c->file, tp_collect, &errs);
	ck_assert_ptr_null(lib);
	ck_assert_str_eq(errs.text,
	    "t.conf:4: provider gone failed to load: cannot read module "
	    "/nonexistent/gone.so: No such file or directory\n");
	conf_free(c);
}
END_TEST

/* crypto_conf ------------------------------------------------------ */

START_TEST(test_crypto_conf_add_limits)
{
	struct crypto_conf cc;
	struct crypto_conf_provider *p = NULL;
	char name[16];

	crypto_conf_init(&cc);
	for (int i = 0; i < CRYPTO_CONF_PROVIDERS_MAX; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ck_assert_ptr_nonnull(
		    p = crypto_conf_add_provider(&cc, name, (unsigned)i));
	}
	ck_assert_ptr_null(crypto_conf_add_provider(&cc, "more", 1));
	for (int i = 0; i < CRYPTO_CONF_PARAMS_MAX; i++)
		ck_assert_int_eq(crypto_conf_add_param(p, "k", "v", 1), 0);
	ck_assert_int_eq(crypto_conf_add_param(p, "k", "v", 1), -1);
	ck_assert_int_eq(crypto_conf_set_string(&cc.query, "a"), 0);
	ck_assert_int_eq(crypto_conf_set_string(&cc.query, "b"), 0);
	ck_assert_str_eq(cc.query, "b");
	crypto_conf_clear(&cc);
	ck_assert_uint_eq(cc.nproviders, 0);
	ck_assert_ptr_null(cc.query);
	ck_assert_int_eq(cc.policy, CRYPTO_POLICY_DEFAULT);
}
END_TEST

START_TEST(test_crypto_policy_names)
{
	static const enum crypto_policy all[] = { CRYPTO_POLICY_OFF,
		CRYPTO_POLICY_PREFER, CRYPTO_POLICY_REQUIRE };

	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(
		    crypto_policy_by_name(crypto_policy_name(all[i])), all[i]);
	ck_assert_str_eq(crypto_policy_name(CRYPTO_POLICY_UNSET), "unset");
	ck_assert_int_eq(crypto_policy_by_name("unset"), CRYPTO_POLICY_UNSET);
	ck_assert_int_eq(crypto_policy_by_name("Prefer"), CRYPTO_POLICY_UNSET);
}
END_TEST

START_TEST(test_crypto_conf_param_value_why_cases)
{
	ck_assert_ptr_null(crypto_conf_param_value_why(""));
	ck_assert_ptr_null(crypto_conf_param_value_why(" lead and mid"));
	ck_assert_ptr_null(crypto_conf_param_value_why("defaults"));
	ck_assert_ptr_null(crypto_conf_param_value_why("$x#y\\z\""));
	ck_assert_ptr_nonnull(crypto_conf_param_value_why("default"));
	ck_assert_ptr_nonnull(crypto_conf_param_value_why("end "));
	ck_assert_ptr_nonnull(crypto_conf_param_value_why("tab\there"));
	ck_assert_ptr_nonnull(crypto_conf_param_value_why("\x7f"));
	ck_assert_ptr_null(
	    crypto_conf_param_value_why(rep('v', CRYPTO_CONF_VALUE_MAX - 1)));
	ck_assert_ptr_nonnull(
	    crypto_conf_param_value_why(rep('v', CRYPTO_CONF_VALUE_MAX)));
	ck_assert_ptr_null(crypto_conf_param_name_why("a.b-c_d9"));
	ck_assert_ptr_nonnull(crypto_conf_param_name_why("soft_load"));
	ck_assert_ptr_nonnull(crypto_conf_param_name_why("identity"));
	ck_assert_ptr_nonnull(crypto_conf_param_name_why("module"));
	ck_assert_ptr_nonnull(crypto_conf_param_name_why(""));
	ck_assert_ptr_nonnull(crypto_conf_param_name_why("_a"));
	ck_assert_ptr_null(crypto_conf_provider_name_why("qat-2_b"));
	ck_assert_ptr_nonnull(crypto_conf_provider_name_why("qat.b"));
	ck_assert_ptr_nonnull(crypto_conf_provider_name_why("a b"));
}
END_TEST

/* What a reload compares: every field but the lines. */
START_TEST(test_crypto_conf_same_cases)
{
	static const char base[] = "crypto {\n"
				   "\tprovider a {\n\t\thardware yes\n"
				   "\t\tk = v\n\t}\n"
				   "\tquery \"provider=a\"\n"
				   "\toffload aes-gcm-16 require\n"
				   "}\n";
	static const char *const differ[] = {
		"crypto {\n\tprovider a {\n\t\thardware no\n"
		"\t\tk = v\n\t}\n\tquery \"provider=a\"\n"
		"\toffload aes-gcm-16 require\n}\n",
		"crypto {\n\tprovider a {\n\t\thardware yes\n"
		"\t\tk = w\n\t}\n\tquery \"provider=a\"\n"
		"\toffload aes-gcm-16 require\n}\n",
		"crypto {\n\tprovider a {\n\t\thardware yes\n"
		"\t\tk = v\n\t}\n\tquery \"provider=b\"\n"
		"\toffload aes-gcm-16 require\n}\n",
		"crypto {\n\tprovider a {\n\t\thardware yes\n"
		"\t\tk = v\n\t}\n\tquery \"provider=a\"\n"
		"\toffload aes-gcm-16 prefer\n}\n",
		"crypto {\n\tprovider a {\n\t\thardware yes\n"
		"\t\tk = v\n\t}\n\tprovider b\n"
		"\tquery \"provider=a\"\n"
		"\toffload aes-gcm-16 require\n}\n",
		"crypto {\n\tprovider a {\n\t\thardware yes\n"
		"\t\tk = v\n\t}\n\tquery \"provider=a\"\n"
		"\tquery aes-cbc \"provider=a\"\n"
		"\toffload aes-gcm-16 require\n}\n",
	};
	struct conf *a = parse_ok(base);
	/* The same statements further down the file: the same section. */
	struct conf *b = parse_ok("workers 1\n\n"
				  "crypto {\n"
				  "\tprovider a {\n\t\thardware yes\n"
				  "\t\tk = v\n\t}\n"
				  "\tquery \"provider=a\"\n"
				  "\toffload aes-gcm-16 require\n"
				  "}\n");
	struct conf *none = parse_ok("workers 1\n");

	ck_assert(crypto_conf_same(&a->crypto, &b->crypto));
	ck_assert(crypto_conf_same(&none->crypto, &none->crypto));
	ck_assert(!crypto_conf_same(&a->crypto, &none->crypto));
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		struct conf *c = parse_ok(differ[i]);

		ck_assert_msg(!crypto_conf_same(&a->crypto, &c->crypto),
		    "case %zu compares equal", i);
		ck_assert(!crypto_conf_same(&c->crypto, &a->crypto));
		conf_free(c);
	}
	conf_free(a);
	conf_free(b);
	conf_free(none);
}
END_TEST

static Suite *
crypto_conf_suite(void)
{
	Suite *s = suite_create("crypto_conf");
	TCase *tc;

	tc = tcase_create("conf_crypto_keyword");
	tcase_add_test(tc, test_conf_crypto_keyword_sorted);
	suite_add_tcase(s, tc);

	tc = tcase_create("conf_parse_buffer");
	tcase_add_test(tc, test_conf_parse_buffer_crypto_defaults);
	tcase_add_test(tc, test_conf_parse_buffer_crypto_fields);
	tcase_add_test(tc, test_conf_parse_buffer_crypto_errors);
	tcase_add_test(tc, test_conf_parse_buffer_crypto_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_open");
	tcase_add_test(tc, test_crypto_lib_open_from_conf);
	tcase_add_test(tc, test_crypto_lib_open_from_conf_missing);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_conf");
	tcase_add_test(tc, test_crypto_conf_add_limits);
	tcase_add_test(tc, test_crypto_policy_names);
	tcase_add_test(tc, test_crypto_conf_param_value_why_cases);
	tcase_add_test(tc, test_crypto_conf_same_cases);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(crypto_conf_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
