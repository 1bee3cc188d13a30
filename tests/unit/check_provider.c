/*
 * Unit tests of ipsecd's library context with the test provider
 * (tests/provider/ipsecdtest.c), src/crypto/provider.c, provload.c,
 * selftest.c and the policy side of cipher.c: loading providers from a
 * crypto section and every way that fails, the capability listing,
 * the offload policy (require refuses, prefer falls back and says so,
 * off), the usable-algorithm predicate PF_KEY REGISTER reads, the
 * self-test, failover, and ESP packets sealed by the test provider byte
 * for byte equal to the default provider's.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "common/pbuf.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "tests/unit/check_provider.h"

static struct tp_errs errs;

/* Open cc expecting failure; returns the errors. */
static const char *
open_bad(struct crypto_conf *cc)
{
	struct crypto_lib *lib;

	memset(&errs, 0, sizeof(errs));
	lib = crypto_lib_open(cc, "t.conf", tp_collect, &errs);
	ck_assert_ptr_null(lib);
	ck_assert_uint_ge(errs.n, 1);
	crypto_conf_clear(cc);
	return errs.text;
}

static struct cipher_key
key_of(enum alg_id enc, size_t enc_len, int auth, size_t auth_len)
{
	struct cipher_key k;

	memset(&k, 0, sizeof(k));
	k.enc = alg_get(enc);
	k.enc_len = (uint8_t)enc_len;
	for (size_t i = 0; i < enc_len; i++)
		k.enc_key[i] = (uint8_t)(0x30 + i);
	if (auth >= 0) {
		k.auth = alg_get((enum alg_id)auth);
		k.auth_len = (uint8_t)auth_len;
		for (size_t i = 0; i < auth_len; i++)
			k.auth_key[i] = (uint8_t)(0x90 + i);
	}
	return k;
}

static bool
is_gcm_name(const struct alg *a, int ki)
{
	const char *n = a->evp_name[ki];

	return n != NULL &&
	    (strcmp(n, "AES-128-GCM") == 0 || strcmp(n, "AES-256-GCM") == 0);
}

static double
now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* crypto_lib_open -------------------------------------------------- */

START_TEST(test_crypto_lib_open_test_provider)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "0", NULL);
	lib = tp_open(&cc);
	ck_assert_uint_eq(tp_counter(lib, "ops"), 0);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "ipsecdtest");
	ck_assert(ch.enc.is_hw);
	ck_assert(ch.enc.is_async);
	ck_assert(!ch.is_fallback);
	/* The default provider came along: everything else is there. */
	ck_assert(crypto_lib_has(lib, alg_get(ALG_CHACHA20_POLY1305)));
	ck_assert(crypto_lib_has(lib, alg_get(ALG_HMAC_SHA512_256)));
	ck_assert_int_eq(crypto_lib_provider_params(lib, "nosuch", NULL), -1);
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_lib_open_missing_provider)
{
	struct crypto_conf cc;
	char want[512];

	crypto_conf_init(&cc);
	ck_assert_ptr_nonnull(crypto_conf_add_provider(&cc, "nosuchprov", 7));
	snprintf(want, sizeof(want),
	    "t.conf:7: provider nosuchprov failed to load: cannot read module "
	    "%s/nosuchprov.so: No such file or directory\n",
	    getenv("OPENSSL_MODULES") != NULL
		? getenv("OPENSSL_MODULES")
		: OPENSSL_info(OPENSSL_INFO_MODULES_DIR));
	ck_assert_str_eq(open_bad(&cc), want);
}
END_TEST

START_TEST(test_crypto_lib_open_missing_module)
{
	struct crypto_conf cc;
	struct crypto_conf_provider *p;

	crypto_conf_init(&cc);
	ck_assert_ptr_nonnull(p = crypto_conf_add_provider(&cc, "qat", 3));
	ck_assert_int_eq(
	    crypto_conf_set_string(&p->module, "/nonexistent/x.so"), 0);
	ck_assert_str_eq(open_bad(&cc),
	    "t.conf:3: provider qat failed to load: cannot read module "
	    "/nonexistent/x.so: No such file or directory\n");
}
END_TEST

/* An ENGINE module of the same OpenSSL is a shared object, not a provider. */
START_TEST(test_crypto_lib_open_not_a_provider)
{
	struct crypto_conf cc;
	struct crypto_conf_provider *p;
	char path[1024], want[2048];

	snprintf(path, sizeof(path), "%s/afalg.so",
	    OPENSSL_info(OPENSSL_INFO_ENGINES_DIR));
	ck_assert_msg(access(path, R_OK) == 0, "no %s to test with", path);
	crypto_conf_init(&cc);
	ck_assert_ptr_nonnull(p = crypto_conf_add_provider(&cc, "afalg", 2));
	ck_assert_int_eq(crypto_conf_set_string(&p->module, path), 0);
	snprintf(want, sizeof(want),
	    "t.conf:2: provider afalg failed to load: module %s is not an "
	    "OpenSSL provider (no OSSL_provider_init)\n",
	    path);
	ck_assert_str_eq(open_bad(&cc), want);
}
END_TEST

START_TEST(test_crypto_lib_open_init_fails)
{
	struct crypto_conf cc;
	char want[1024];

	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "soon", NULL);
	snprintf(want, sizeof(want),
	    "t.conf:2: provider ipsecdtest failed to load: module %s did not "
	    "initialise (its OSSL_provider_init failed: check its "
	    "parameters)\n",
	    TEST_PROVIDER_PATH);
	ck_assert_str_eq(open_bad(&cc), want);
}
END_TEST

START_TEST(test_crypto_lib_open_bad_query)
{
	struct crypto_conf cc;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	ck_assert_int_eq(crypto_conf_set_string(&cc.query, "provider=="), 0);
	cc.query_line = 9;
	ck_assert_int_eq(
	    crypto_conf_set_string(&cc.alg[ALG_AES_CBC].query, "!x"), 0);
	cc.alg[ALG_AES_CBC].query_line = 8;
	ck_assert_str_eq(open_bad(&cc),
	    "t.conf:8: query aes-cbc: OpenSSL cannot parse property query "
	    "\"!x\"\n"
	    "t.conf:9: query: OpenSSL cannot parse property query "
	    "\"provider==\"\n");
}
END_TEST

START_TEST(test_crypto_lib_open_provider_twice)
{
	struct crypto_conf cc;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	ck_assert_ptr_nonnull(crypto_conf_add_provider(&cc, "ipsecdtest", 5));
	ck_assert_str_eq(
	    open_bad(&cc), "t.conf:5: provider ipsecdtest listed twice\n");
}
END_TEST

/* What OpenSSL's reader would take for a section, refused with its line. */
START_TEST(test_crypto_lib_open_bad_param)
{
	struct crypto_conf cc;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "default", "activate",
	    "0", "trailing", "x ", NULL);
	ck_assert_str_eq(open_bad(&cc),
	    "t.conf:4: provider ipsecdtest: parameter latency-us: OpenSSL "
	    "reads the value \"default\" as the name of its default "
	    "configuration section\n"
	    "t.conf:5: provider ipsecdtest: parameter activate: name reserved "
	    "by OpenSSL's configuration module\n"
	    "t.conf:6: provider ipsecdtest: parameter trailing: value ends in "
	    "a blank, which OpenSSL would drop\n");
}
END_TEST

/*
 * The provider sets "fips=yes" as its context's default properties while
 * it loads, which no implementation here matches; ipsecd resets them, so
 * the hardware GCM is still found and chosen, and software too.
 */
START_TEST(test_crypto_lib_open_default_props_undone)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 36, -1, 0);
	struct crypto_choice ch;
	EVP_CIPHER *evp;

	tp_conf(
	    &cc, CRYPTO_POLICY_REQUIRE, "set-default-props", "fips=yes", NULL);
	lib = tp_open(&cc);
	ck_assert(
	    crypto_lib_usable(lib, alg_get(ALG_AES_CBC), 0, CRYPTO_POLICY_OFF));
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "ipsecdtest");
	ck_assert_ptr_nonnull(
	    evp = crypto_lib_cipher(lib, alg_get(ALG_AES_GCM_16), 2));
	ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(evp)),
	    "ipsecdtest");
	crypto_lib_free(lib);
}
END_TEST

/* A process-wide default query that finds nothing does not reach us. */
START_TEST(test_crypto_lib_open_process_default_unused)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	EVP_CIPHER *probe;

	ck_assert_int_eq(
	    EVP_set_default_properties(NULL, "provider=nonexistent"), 1);
	probe = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	ck_assert_ptr_null(probe);
	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert(crypto_lib_has(lib, alg_get(ALG_AES_CBC)));
	ck_assert(crypto_lib_has(lib, alg_get(ALG_AES_GCM_16)));
	crypto_lib_free(lib);
	ck_assert_int_eq(EVP_set_default_properties(NULL, ""), 1);
}
END_TEST

/* `hardware no` overrides the provider's own ipsecd.hw property. */
START_TEST(test_crypto_lib_open_hardware_no)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct crypto_cap caps[CRYPTO_CAPS_MAX];
	size_t n;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	cc.providers[0].hardware = CRYPTO_FLAG_NO;
	cc.providers[0].async = CRYPTO_FLAG_NO;
	lib = tp_open(&cc);
	n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_null(caps[i].hw_provider);
		ck_assert(!caps[i].impl.is_hw);
		ck_assert(!caps[i].impl.is_async);
		/* Without a query the list order picks: ipsecdtest first. */
		if (is_gcm_name(caps[i].alg, caps[i].ki))
			ck_assert_str_eq(caps[i].impl.provider, "ipsecdtest");
	}
	crypto_lib_free(lib);
}
END_TEST

/* A query that selects software leaves no hardware to require. */
START_TEST(test_crypto_lib_open_query_selects)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	ck_assert_int_eq(
	    crypto_conf_set_string(&cc.query, "provider=default"), 0);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), -1);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_PREFER, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "default");
	crypto_lib_free(lib);
	/* The algorithm's own query overrides the global one. */
	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	ck_assert_int_eq(
	    crypto_conf_set_string(&cc.query, "provider=default"), 0);
	ck_assert_int_eq(crypto_conf_set_string(&cc.alg[ALG_AES_GCM_16].query,
			     "provider=ipsecdtest"),
	    0);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "ipsecdtest");
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_caps ------------------------------------------------- */

/* The test provider shows for the GCM ciphers (GCM, GMAC) and no other. */
START_TEST(test_crypto_lib_caps_gcm_only)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct crypto_cap caps[CRYPTO_CAPS_MAX];
	size_t n, nhw = 0, want = 0;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX);
	for (int id = 0; id < ALG_COUNT; id++)
		want += (size_t)alg_get((enum alg_id)id)->nkeys;
	ck_assert_uint_eq(n, want);
	for (size_t i = 0; i < n; i++) {
		const struct crypto_cap *c = &caps[i];

		ck_assert(c->is_usable);
		ck_assert_int_eq(c->policy, CRYPTO_POLICY_PREFER);
		if (is_gcm_name(c->alg, c->ki)) {
			nhw++;
			ck_assert_str_eq(c->hw_provider, "ipsecdtest");
			ck_assert_str_eq(c->impl.provider, "ipsecdtest");
			ck_assert(c->impl.is_hw);
			ck_assert(!c->is_fallback);
			ck_assert_str_eq(c->sw_provider, "default");
		} else if (c->alg->evp_name[c->ki] != NULL) {
			ck_assert_ptr_null(c->hw_provider);
			ck_assert_str_eq(c->impl.provider, "default");
			ck_assert(c->is_fallback);
			ck_assert_ptr_nonnull(strstr(c->note, "ipsecdtest"));
		} else {
			ck_assert_ptr_null(c->impl.provider); /* NULL algs */
		}
	}
	/* aes-gcm-8/12/16 and aes-gmac at 128 and 256 bits. */
	ck_assert_uint_eq(nhw, 8);
	ck_assert_uint_eq(crypto_lib_caps(lib, caps, 3), 3);
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_choose ------------------------------------------------ */

START_TEST(test_crypto_lib_choose_require_refuses_chacha)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_CHACHA20_POLY1305, 36, -1, 0);
	struct cipher_key g = key_of(ALG_AES_GCM_16, 28, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), -1);
	ck_assert_str_eq(ch.note,
	    "chacha20-poly1305 with a 256-bit key: offload require, but no "
	    "hardware provider offers it (hardware providers: ipsecdtest)");
	ck_assert_ptr_null(cipher_new(lib, &k));
	/* AES-192-GCM: the algorithm is there, that key size is not. */
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &g, CRYPTO_POLICY_UNSET, &ch), -1);
	ck_assert_str_eq(ch.note,
	    "aes-gcm-16 with a 192-bit key: offload require, but no hardware "
	    "provider offers it (hardware providers: ipsecdtest)");
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_lib_choose_prefer_falls_back)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_CHACHA20_POLY1305, 36, -1, 0);
	struct cipher_key cbc =
	    key_of(ALG_AES_CBC, 16, ALG_HMAC_SHA256_128, 32);
	struct crypto_choice ch;
	struct cipher *c;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert(ch.is_fallback);
	ck_assert_str_eq(ch.enc.provider, "default");
	ck_assert(!ch.enc.is_hw);
	ck_assert(!ch.enc.is_async);
	ck_assert_str_eq(ch.note,
	    "chacha20-poly1305 with a 256-bit key: no hardware offers it "
	    "(hardware providers: ipsecdtest); on software, provider default");
	ck_assert_ptr_nonnull(c = cipher_new(lib, &k));
	ck_assert(cipher_choice(c)->is_fallback);
	ck_assert(!cipher_is_async(c));
	cipher_free(c);
	/* Both algorithms fall back: both are said. */
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &cbc, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_ptr_nonnull(strstr(ch.note, "aes-cbc with a 128-bit key"));
	ck_assert_ptr_nonnull(strstr(ch.note, "; hmac-sha256 with a 256-bit"));
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_lib_choose_off_software)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_OFF, NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "default");
	ck_assert(!ch.enc.is_hw);
	ck_assert(!ch.is_fallback); /* off asked for software */
	ck_assert_str_eq(ch.note, "");
	crypto_lib_free(lib);
}
END_TEST

/* The SA's own policy overrides the configured ones. */
START_TEST(test_crypto_lib_choose_sa_policy)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_CHACHA20_POLY1305, 36, -1, 0);
	struct cipher_key g = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_PREFER, &ch), 0);
	ck_assert_int_eq(ch.enc_policy, CRYPTO_POLICY_PREFER);
	ck_assert_int_eq(crypto_lib_choose(lib, &g, CRYPTO_POLICY_OFF, &ch), 0);
	ck_assert_str_eq(ch.enc.provider, "default");
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_lib_choose_per_alg_policy)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_CHACHA20_POLY1305, 36, -1, 0);
	struct cipher_key g = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	cc.alg[ALG_CHACHA20_POLY1305].policy = CRYPTO_POLICY_OFF;
	lib = tp_open(&cc);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_int_eq(ch.enc_policy, CRYPTO_POLICY_OFF);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &g, CRYPTO_POLICY_UNSET, &ch), 0);
	ck_assert_int_eq(ch.enc_policy, CRYPTO_POLICY_REQUIRE);
	ck_assert(ch.enc.is_hw);
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_crypto_lib_choose_bad_key)
{
	struct crypto_lib *lib = crypto_lib_new(NULL);
	struct cipher_key k = key_of(ALG_AES_GCM_16, 19, -1, 0);
	struct crypto_choice ch;

	ck_assert_ptr_nonnull(lib);
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_UNSET, &ch), -1);
	ck_assert_str_eq(
	    ch.note, "encryption key length does not fit the algorithm");
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_usable ----------------------------------------------- */

/* What a REGISTER reply lists follows the policy. */
START_TEST(test_crypto_lib_usable_policy)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	const struct alg *gcm = alg_get(ALG_AES_GCM_16);
	const struct alg *chacha = alg_get(ALG_CHACHA20_POLY1305);
	const struct alg *sha = alg_get(ALG_HMAC_SHA256_128);
	const struct alg *null = alg_get(ALG_NULL_ENC);

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	lib = tp_open(&cc);
	ck_assert(crypto_lib_usable(lib, gcm, 0, CRYPTO_POLICY_UNSET));
	ck_assert(!crypto_lib_usable(lib, gcm, 1, CRYPTO_POLICY_UNSET));
	ck_assert(crypto_lib_usable(lib, gcm, 2, CRYPTO_POLICY_UNSET));
	ck_assert(!crypto_lib_usable(lib, chacha, 0, CRYPTO_POLICY_UNSET));
	ck_assert(!crypto_lib_usable(lib, sha, 0, CRYPTO_POLICY_UNSET));
	ck_assert(crypto_lib_usable(lib, null, 0, CRYPTO_POLICY_UNSET));
	ck_assert(!crypto_lib_has(lib, gcm));
	/* Under another policy asked for explicitly. */
	ck_assert(crypto_lib_usable(lib, gcm, 1, CRYPTO_POLICY_PREFER));
	ck_assert(crypto_lib_usable(lib, chacha, 0, CRYPTO_POLICY_OFF));
	/* Out of range key index. */
	ck_assert(!crypto_lib_usable(lib, gcm, 3, CRYPTO_POLICY_PREFER));
	ck_assert(!crypto_lib_usable(lib, gcm, -1, CRYPTO_POLICY_PREFER));
	ck_assert(!crypto_lib_usable(lib, sha, 1, CRYPTO_POLICY_PREFER));
	crypto_lib_free(lib);

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	for (int id = 0; id < ALG_COUNT; id++)
		ck_assert(crypto_lib_has(lib, alg_get((enum alg_id)id)));
	crypto_lib_free(lib);
}
END_TEST

/* The key-size range REGISTER can say, and its pfkey_alg_fn adapter. */
START_TEST(test_crypto_lib_usable_bits_range)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	const struct alg *gcm = alg_get(ALG_AES_GCM_16);
	const struct alg *chacha = alg_get(ALG_CHACHA20_POLY1305);
	unsigned lo = 0, hi = 0;

	tp_conf(&cc, CRYPTO_POLICY_REQUIRE, NULL);
	lib = tp_open(&cc);
	ck_assert(
	    crypto_lib_usable_bits(lib, gcm, CRYPTO_POLICY_UNSET, &lo, &hi));
	ck_assert_uint_eq(lo, 128);
	ck_assert_uint_eq(hi, 256);
	ck_assert(!crypto_lib_usable_bits(
	    lib, chacha, CRYPTO_POLICY_UNSET, &lo, &hi));
	ck_assert(crypto_lib_registrable(gcm, lib));
	ck_assert(!crypto_lib_registrable(chacha, lib));
	ck_assert(!crypto_lib_registrable(alg_get(ALG_HMAC_SHA1_96), lib));
	ck_assert(crypto_lib_registrable(alg_get(ALG_NULL_ENC), lib));
	ck_assert(
	    crypto_lib_usable_bits(lib, chacha, CRYPTO_POLICY_OFF, &lo, &hi));
	ck_assert_uint_eq(lo, 256);
	ck_assert_uint_eq(hi, 256);
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_selftest --------------------------------------------- */

START_TEST(test_crypto_lib_selftest_measures)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct crypto_cap caps[CRYPTO_CAPS_MAX];
	size_t n;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, "latency-us", "20", NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(crypto_lib_selftest(lib, now, NULL, 0.1), 0);
	n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		ck_assert(caps[i].is_selftest_ok);
		if (caps[i].impl.provider != NULL)
			ck_assert_msg(caps[i].ops_per_sec > 0, "%s %u",
			    caps[i].alg->name, caps[i].key_bits);
		else
			ck_assert(caps[i].ops_per_sec == 0);
	}
	/* The hardware ran (synchronously: no job paused). */
	ck_assert_uint_gt(tp_counter(lib, "ops"), 0);
	ck_assert_uint_eq(tp_counter(lib, "paused"), 0);
	crypto_lib_free(lib);
}
END_TEST

/* A provider with wrong results is found out and not used. */
START_TEST(test_crypto_lib_selftest_disables_corrupt)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct crypto_cap caps[CRYPTO_CAPS_MAX];
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct crypto_choice ch;
	size_t n;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, "corrupt-tag", "1", NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(crypto_lib_selftest(lib, now, NULL, 0.05), 8);
	n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (!is_gcm_name(caps[i].alg, caps[i].ki)) {
			ck_assert(caps[i].is_selftest_ok);
			continue;
		}
		ck_assert(!caps[i].is_selftest_ok);
		ck_assert_str_eq(caps[i].impl.provider, "default");
		ck_assert_ptr_nonnull(
		    strstr(caps[i].note, "failed its self-test"));
	}
	ck_assert_int_eq(
	    crypto_lib_choose(lib, &k, CRYPTO_POLICY_REQUIRE, &ch), -1);
	ck_assert_str_eq(ch.note,
	    "aes-gcm-16 with a 128-bit key: offload require, but provider "
	    "ipsecdtest failed its self-test");
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_providers --------------------------------------------- */

static const struct crypto_prov_param *
param_of(const struct crypto_prov_info *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, name) == 0)
			return &p->params[i];
	return NULL;
}

/* The test provider, then the default one, with what they report. */
START_TEST(test_crypto_lib_providers_params)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct crypto_prov_info info[4];
	const struct crypto_prov_param *q;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert_uint_eq(crypto_lib_providers(lib, info, 4), 2);
	ck_assert_str_eq(info[0].name, "ipsecdtest");
	ck_assert(info[0].is_async);
	ck_assert_int_eq(info[0].hardware, CRYPTO_FLAG_AUTO);
	ck_assert_ptr_nonnull(q = param_of(&info[0], "max-inflight"));
	ck_assert(q->is_number);
	ck_assert_int_eq(q->number, 0);
	ck_assert_ptr_nonnull(q = param_of(&info[0], "ops"));
	ck_assert(q->is_number);
	ck_assert_str_eq(info[1].name, "default");
	ck_assert(!info[1].is_async);
	ck_assert_int_eq(info[1].hardware, CRYPTO_FLAG_NO);
	ck_assert_ptr_nonnull(q = param_of(&info[1], "name"));
	ck_assert(!q->is_number);
	ck_assert_ptr_nonnull(strstr(q->text, "OpenSSL"));
	ck_assert_ptr_nonnull(q = param_of(&info[1], "status"));
	ck_assert(q->is_number);
	ck_assert_int_eq(q->number, 1);
	/* max bounds the rows. */
	ck_assert_uint_eq(crypto_lib_providers(lib, info, 1), 1);
	ck_assert_int_eq(
	    crypto_lib_policy(lib, alg_get(ALG_AES_CBC)), CRYPTO_POLICY_PREFER);
	crypto_lib_free(lib);
}
END_TEST

/* crypto_lib_has_hardware ------------------------------------------ */

/* The default provider alone, the test provider, and one that failed. */
START_TEST(test_crypto_lib_has_hardware_cases)
{
	struct crypto_conf cc;
	struct crypto_lib *lib = crypto_lib_new(NULL);

	ck_assert_ptr_nonnull(lib);
	ck_assert(!crypto_lib_has_hardware(lib));
	crypto_lib_free(lib);
	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert(crypto_lib_has_hardware(lib));
	crypto_lib_free(lib);
	tp_conf(&cc, CRYPTO_POLICY_PREFER, "corrupt-tag", "1", NULL);
	lib = tp_open(&cc);
	ck_assert_int_eq(crypto_lib_selftest(lib, now, NULL, 0.01), 8);
	ck_assert(!crypto_lib_has_hardware(lib));
	crypto_lib_free(lib);
}
END_TEST

/* cipher_new_policy / cipher_failover ------------------------------ */

START_TEST(test_cipher_new_policy_follows_choice)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct cipher *c;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(
	    c = cipher_new_policy(lib, &k, CRYPTO_POLICY_OFF));
	ck_assert_str_eq(cipher_choice(c)->enc.provider, "default");
	ck_assert(!cipher_is_async(c));
	cipher_free(c);
	ck_assert_ptr_nonnull(
	    c = cipher_new_policy(lib, &k, CRYPTO_POLICY_REQUIRE));
	ck_assert_str_eq(cipher_choice(c)->enc.provider, "ipsecdtest");
	ck_assert(cipher_is_async(c));
	ck_assert_uint_eq(cipher_inflight(c), 0);
	ck_assert_uint_eq(cipher_errors(c), 0);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

START_TEST(test_cipher_failover_cases)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;
	struct cipher_key k = key_of(ALG_AES_GCM_16, 20, -1, 0);
	struct cipher_key sw = key_of(ALG_AES_CBC, 16, ALG_HMAC_SHA1_96, 20);
	struct cipher *c, *fb;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &k));
	ck_assert_int_eq(cipher_failover(c), CIPHER_FAILOVER_FALLBACK);
	ck_assert_ptr_nonnull(fb = cipher_new_fallback(lib, c));
	ck_assert_str_eq(cipher_choice(fb)->enc.provider, "default");
	ck_assert_int_eq(cipher_failover(fb), CIPHER_FAILOVER_NONE);
	ck_assert_mem_eq(
	    cipher_key_of(fb), cipher_key_of(c), sizeof(struct cipher_key));
	cipher_free(fb);
	cipher_free(c);
	ck_assert_ptr_nonnull(
	    c = cipher_new_policy(lib, &k, CRYPTO_POLICY_REQUIRE));
	ck_assert_int_eq(cipher_failover(c), CIPHER_FAILOVER_STOP);
	cipher_free(c);
	ck_assert_ptr_nonnull(c = cipher_new(lib, &sw));
	ck_assert_int_eq(cipher_failover(c), CIPHER_FAILOVER_NONE);
	cipher_free(c);
	crypto_lib_free(lib);
}
END_TEST

/* esp_encap -------------------------------------------------------- */

/*
 * The same ESP packet from the test provider and from the default
 * provider, byte for byte, for every algorithm the test provider serves;
 * and each side opens the other's.
 */
START_TEST(test_esp_encap_same_bytes)
{
	static const struct {
		enum alg_id id;
		size_t len;
	} cases[] = {
		{ ALG_AES_GCM_8, 20 },
		{ ALG_AES_GCM_12, 36 },
		{ ALG_AES_GCM_16, 20 },
		{ ALG_AES_GCM_16, 36 },
		{ ALG_AES_GMAC, 20 },
		{ ALG_AES_GMAC, 36 },
	};
	static const uint8_t iv[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct crypto_conf cc;
	struct crypto_lib *lib;

	tp_conf(&cc, CRYPTO_POLICY_PREFER, NULL);
	lib = tp_open(&cc);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sa sa;
		struct cipher *hw, *sw;
		uint8_t mem[2][2048], plain[200];
		struct pbuf pb[2];
		uint8_t nh;

		memset(&sa, 0, sizeof(sa));
		sa.spi = 0x1000 + (uint32_t)i;
		sa.proto = IPPROTO_ESP;
		sa.mode = SA_MODE_TRANSPORT;
		sa.key = key_of(cases[i].id, cases[i].len, -1, 0);
		ck_assert_ptr_nonnull(hw = cipher_new_policy(
					  lib, &sa.key, CRYPTO_POLICY_REQUIRE));
		ck_assert_ptr_nonnull(
		    sw = cipher_new_policy(lib, &sa.key, CRYPTO_POLICY_OFF));
		ck_assert(cipher_choice(hw)->enc.is_hw);
		ck_assert(!cipher_choice(sw)->enc.is_hw);
		memset(plain, 0x5a, sizeof(plain));
		memset(plain, 0, 20);
		plain[0] = 0x45;
		plain[8] = 64;
		plain[9] = IPPROTO_UDP;
		ip_set_len(plain, AF_INET, sizeof(plain));
		for (int s = 0; s < 2; s++) {
			pbuf_init(&pb[s], mem[s], sizeof(mem[s]), 128);
			ck_assert(pbuf_set(&pb[s], plain, sizeof(plain), 128));
			ck_assert_int_eq(
			    esp_encap(&sa, s == 0 ? hw : sw, 9, iv, &pb[s]),
			    IPSEC_OK);
		}
		ck_assert_uint_eq(pbuf_len(&pb[0]), pbuf_len(&pb[1]));
		ck_assert_mem_eq(
		    pbuf_data(&pb[0]), pbuf_data(&pb[1]), pbuf_len(&pb[0]));
		/* Each opens the other's (no replay window: none needed). */
		ck_assert_int_eq(esp_decap(&sa, sw, &pb[0], &nh), IPSEC_OK);
		ck_assert_int_eq(esp_decap(&sa, hw, &pb[1], &nh), IPSEC_OK);
		ck_assert_uint_eq(nh, IPPROTO_UDP);
		ck_assert_mem_eq(
		    pbuf_data(&pb[0]), pbuf_data(&pb[1]), pbuf_len(&pb[0]));
		cipher_free(hw);
		cipher_free(sw);
	}
	crypto_lib_free(lib);
}
END_TEST

static Suite *
provider_suite(void)
{
	Suite *s = suite_create("provider");
	TCase *tc;

	tc = tcase_create("crypto_lib_open");
	tcase_add_test(tc, test_crypto_lib_open_test_provider);
	tcase_add_test(tc, test_crypto_lib_open_missing_provider);
	tcase_add_test(tc, test_crypto_lib_open_missing_module);
	tcase_add_test(tc, test_crypto_lib_open_not_a_provider);
	tcase_add_test(tc, test_crypto_lib_open_init_fails);
	tcase_add_test(tc, test_crypto_lib_open_bad_query);
	tcase_add_test(tc, test_crypto_lib_open_provider_twice);
	tcase_add_test(tc, test_crypto_lib_open_bad_param);
	tcase_add_test(tc, test_crypto_lib_open_default_props_undone);
	tcase_add_test(tc, test_crypto_lib_open_process_default_unused);
	tcase_add_test(tc, test_crypto_lib_open_hardware_no);
	tcase_add_test(tc, test_crypto_lib_open_query_selects);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_caps");
	tcase_add_test(tc, test_crypto_lib_caps_gcm_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_choose");
	tcase_add_test(tc, test_crypto_lib_choose_require_refuses_chacha);
	tcase_add_test(tc, test_crypto_lib_choose_prefer_falls_back);
	tcase_add_test(tc, test_crypto_lib_choose_off_software);
	tcase_add_test(tc, test_crypto_lib_choose_sa_policy);
	tcase_add_test(tc, test_crypto_lib_choose_per_alg_policy);
	tcase_add_test(tc, test_crypto_lib_choose_bad_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_usable");
	tcase_add_test(tc, test_crypto_lib_usable_policy);
	tcase_add_test(tc, test_crypto_lib_usable_bits_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_providers");
	tcase_add_test(tc, test_crypto_lib_providers_params);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_has_hardware");
	tcase_add_test(tc, test_crypto_lib_has_hardware_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("crypto_lib_selftest");
	tcase_add_test(tc, test_crypto_lib_selftest_measures);
	tcase_add_test(tc, test_crypto_lib_selftest_disables_corrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("cipher_new_policy");
	tcase_add_test(tc, test_cipher_new_policy_follows_choice);
	tcase_add_test(tc, test_cipher_failover_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("esp_encap");
	tcase_add_test(tc, test_esp_encap_same_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(provider_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
