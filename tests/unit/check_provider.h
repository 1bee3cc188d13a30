#ifndef IPSECD_TESTS_UNIT_CHECK_PROVIDER_H
#define IPSECD_TESTS_UNIT_CHECK_PROVIDER_H

/*
 * Helpers shared by the tests that load the test provider
 * (tests/provider/ipsecdtest.c): check_provider.c, check_submit.c.
 * TEST_PROVIDER_PATH is the module in the build tree (the build passes
 * it).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <openssl/params.h>

#include "crypto/crypto_conf.h"
#include "crypto/provider.h"

#ifndef TEST_PROVIDER_PATH
#error "the build passes TEST_PROVIDER_PATH"
#endif

/* Every error of one crypto_lib_open, one per line. */
struct tp_errs {
	char text[8192];
	size_t len;
	unsigned n;
};

static inline void
tp_collect(void *arg, const char *msg)
{
	struct tp_errs *e = arg;
	int r =
	    snprintf(e->text + e->len, sizeof(e->text) - e->len, "%s\n", msg);

	if (r > 0 && (size_t)r < sizeof(e->text) - e->len)
		e->len += (size_t)r;
	e->n++;
}

/*
 * A crypto section loading ipsecdtest from the build tree with the
 * parameters given as NAME, VALUE pairs (NULL-terminated), and the
 * global policy pol.  Lines: the provider 2, its module 3, parameters
 * from 4.
 */
static inline void
tp_conf(struct crypto_conf *cc, enum crypto_policy pol, ...)
{
	struct crypto_conf_provider *p;
	const char *name;
	unsigned line = 4;
	va_list ap;

	crypto_conf_init(cc);
	cc->line = 1;
	cc->policy = pol;
	ck_assert_ptr_nonnull(
	    p = crypto_conf_add_provider(cc, "ipsecdtest", 2));
	ck_assert_int_eq(
	    crypto_conf_set_string(&p->module, TEST_PROVIDER_PATH), 0);
	p->module_line = 3;
	va_start(ap, pol);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		ck_assert_int_eq(
		    crypto_conf_add_param(p, name, value, line++), 0);
	}
	va_end(ap);
}

/* Open cc, which must succeed; cc is cleared. */
static inline struct crypto_lib *
tp_open(struct crypto_conf *cc)
{
	struct tp_errs errs;
	struct crypto_lib *lib;

	memset(&errs, 0, sizeof(errs));
	lib = crypto_lib_open(cc, "t.conf", tp_collect, &errs);
	ck_assert_msg(lib != NULL, "crypto_lib_open failed:\n%s", errs.text);
	ck_assert_uint_eq(errs.n, 0);
	crypto_conf_clear(cc);
	return lib;
}

/* A uint64 counter of the loaded ipsecdtest ("ops", "max-inflight"...). */
static inline uint64_t
tp_counter(const struct crypto_lib *lib, const char *key)
{
	uint64_t v = UINT64_MAX;
	OSSL_PARAM params[] = { OSSL_PARAM_uint64(key, &v), OSSL_PARAM_END };

	ck_assert_int_eq(
	    crypto_lib_provider_params(lib, "ipsecdtest", params), 0);
	ck_assert_msg(OSSL_PARAM_modified(&params[0]), "no counter %s", key);
	return v;
}

#endif
