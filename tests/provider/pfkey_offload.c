/*
 * The PF_KEY server under an offload policy, with the test provider
 * (tests/provider/ipsecdtest.c: AES-GCM only, hardware) loaded:
 *
 *   require  ADD of a ChaCha20-Poly1305 SA is refused with ENOSYS and a
 *            reason naming the algorithm, key size and hardware providers,
 *            and nothing changes; an AES-GCM SA is accepted; REGISTER
 *            lists the GCM algorithms alone, at the key sizes the provider
 *            has, and no integrity algorithm
 *   prefer   ChaCha20-Poly1305 is accepted (on software); REGISTER lists
 *            everything
 *   ACQUIRE  proposes only what REGISTER lists
 *
 * The harness (tests/pfkey/harness.h) runs the server; its library
 * context is replaced by one opened from the test provider's conf.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>

#include <urcu-qsbr.h>

#include "crypto/provider.h"
#include "harness.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "tests/unit/check_provider.h"

static struct hx H;
static struct tmsg T;
static struct hx_msg R;
static uint64_t clock_sec = 1700000000;
static uint32_t rnd_state = 0x9e3779b9;

static uint64_t
clock_fn(void *arg)
{
	(void)arg;
	return clock_sec;
}

static uint32_t
rand_fn(void *arg)
{
	(void)arg;
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state;
}

/* The harness's server again, on a library with the test provider. */
static void
setup_policy(enum crypto_policy pol)
{
	struct crypto_conf cc;
	struct pfkey_ctx ctx;

	hx_setup(&H);
	pfkey_server_free(H.srv);
	crypto_lib_free(H.lib);
	tp_conf(&cc, pol, NULL);
	H.lib = tp_open(&cc);
	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = H.sad;
	ctx.spd = H.spd;
	ctx.lib = H.lib;
	ctx.now = clock_fn;
	ctx.rand32 = rand_fn;
	ctx.arg = &H;
	ck_assert_ptr_nonnull(H.srv = pfkey_server_new(&ctx, H.base));
	ck_assert_int_eq(pfkey_server_listen(H.srv, H.path, getegid()), 0);
}

static void
setup_require(void)
{
	setup_policy(CRYPTO_POLICY_REQUIRE);
}

static void
setup_prefer(void)
{
	setup_policy(CRYPTO_POLICY_PREFER);
}

static void
teardown(void)
{
	hx_teardown(&H);
}

/* ADD of an ESP AEAD SA: ealg with a key of bits (salt included). */
static void
tm_add_aead(struct tmsg *t, uint32_t spi, uint8_t ealg, unsigned bits)
{
	tm_hdr(t, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(t, spi, 32, SADB_AALG_NONE, ealg, 0);
	tm_sa2(t, IPSEC_MODE_TUNNEL, 1);
	tm_host(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(t, SADB_EXT_KEY_ENCRYPT, bits, bits / 8);
}

struct listed {
	uint8_t id;
	uint16_t min_bits, max_bits;
};

/* The sadb_alg entries of a SUPPORTED extension of the last reply. */
static size_t
supported(unsigned type, struct listed *out, size_t max)
{
	size_t len, n = 0;
	const uint8_t *p = pfkey_msg_ext(&R.m, type, &len);

	for (size_t o = sizeof(struct sadb_supported);
	     p != NULL && o + sizeof(struct sadb_alg) <= len && n < max;
	     o += sizeof(struct sadb_alg)) {
		struct sadb_alg a;

		memcpy(&a, p + o, sizeof(a));
		out[n].id = a.sadb_alg_id;
		out[n].min_bits = a.sadb_alg_minbits;
		out[n].max_bits = a.sadb_alg_maxbits;
		n++;
	}
	return n;
}

static const struct listed *
find(const struct listed *l, size_t n, uint8_t id)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].id == id)
			return &l[i];
	return NULL;
}

static void
do_register(int fd)
{
	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, fd, &T);
	hx_expect(&H, fd, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_REGISTER);
	ck_assert_uint_eq(R.m.hdr.error, 0);
}

START_TEST(test_srv_add_require_refuses_chacha)
{
	int a = hx_connect(&H);
	uint64_t before = hx_digest(&H);
	struct addr dst;
	size_t len;
	const uint8_t *p;

	tm_add_aead(&T, 0x1001, ALG_SADB_X_EALG_CHACHA20POLY1305, 288);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, ENOSYS);
	/* The reply is af_key's bare error: no SA extension. */
	p = pfkey_msg_ext(&R.m, SADB_EXT_SA, &len);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(hx_digest(&H), before);
	ck_assert(addr_parse(&dst, "192.0.2.2"));
	ck_assert_ptr_null(sad_lookup_spi(H.sad, 0x1001, IPPROTO_ESP, &dst));
	/* AES-GCM-16 with a 128-bit key is on the provider: accepted. */
	tm_add_aead(&T, 0x1002, SADB_X_EALG_AES_GCM_ICV16, 160);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	ck_assert_ptr_nonnull(sad_lookup_spi(H.sad, 0x1002, IPPROTO_ESP, &dst));
	/* AES-CBC needs an HMAC, which no hardware offers. */
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x1003, 32, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC, 0);
	tm_sa2(&T, IPSEC_MODE_TUNNEL, 1);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_AUTH, 256, 32);
	tm_key(&T, SADB_EXT_KEY_ENCRYPT, 128, 16);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, ENOSYS);
	close(a);
}
END_TEST

/* The refusal's reason, as the log and inject callers get it. */
START_TEST(test_srv_add_require_reason)
{
	static const char want[] =
	    "add: sa 0x00002001: chacha20-poly1305 with a 256-bit key: "
	    "offload require, but no hardware provider offers it (hardware "
	    "providers: ipsecdtest)";

	struct pfkey_err err;

	tm_add_aead(&T, 0x2001, ALG_SADB_X_EALG_CHACHA20POLY1305, 288);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), &err), ENOSYS);
	/* The reply's reason is cut at PFKEY_WHY_MAX; the log has it all. */
	ck_assert_uint_eq(strlen(err.why), PFKEY_WHY_MAX - 1);
	ck_assert_msg(strncmp(err.why, want, PFKEY_WHY_MAX - 1) == 0,
	    "reason: %s", err.why);
}
END_TEST

START_TEST(test_srv_register_require_gcm_only)
{
	int a = hx_connect(&H);
	struct listed l[32];
	const struct listed *g;
	size_t n;

	do_register(a);
	n = supported(SADB_EXT_SUPPORTED_ENCRYPT, l, 32);
	/* NULL encryption needs no provider at all. */
	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_nonnull(find(l, n, SADB_EALG_NULL));
	ck_assert_ptr_null(find(l, n, ALG_SADB_X_EALG_CHACHA20POLY1305));
	ck_assert_ptr_null(find(l, n, SADB_X_EALG_AESCBC));
	ck_assert_ptr_null(find(l, n, SADB_X_EALG_AESCTR));
	ck_assert_ptr_nonnull(g = find(l, n, SADB_X_EALG_AES_GCM_ICV16));
	ck_assert_uint_eq(g->min_bits, 128);
	ck_assert_uint_eq(g->max_bits, 256);
	ck_assert_ptr_nonnull(find(l, n, SADB_X_EALG_AES_GCM_ICV8));
	ck_assert_ptr_nonnull(find(l, n, SADB_X_EALG_AES_GCM_ICV12));
	ck_assert_ptr_nonnull(find(l, n, SADB_X_EALG_NULL_AES_GMAC));
	/* No HMAC is hardware: only the NULL one, which needs nothing. */
	ck_assert_uint_eq(supported(SADB_EXT_SUPPORTED_AUTH, l, 32), 1);
	ck_assert_uint_eq(l[0].id, SADB_X_AALG_NULL);
	close(a);
}
END_TEST

START_TEST(test_srv_add_prefer_accepts_chacha)
{
	int a = hx_connect(&H);
	struct addr dst;

	tm_add_aead(&T, 0x3001, ALG_SADB_X_EALG_CHACHA20POLY1305, 288);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	ck_assert(addr_parse(&dst, "192.0.2.2"));
	ck_assert_ptr_nonnull(sad_lookup_spi(H.sad, 0x3001, IPPROTO_ESP, &dst));
	close(a);
}
END_TEST

START_TEST(test_srv_register_prefer_everything)
{
	int a = hx_connect(&H);
	struct listed l[32];
	const struct listed *g;
	size_t n;

	do_register(a);
	n = supported(SADB_EXT_SUPPORTED_ENCRYPT, l, 32);
	ck_assert_ptr_nonnull(find(l, n, ALG_SADB_X_EALG_CHACHA20POLY1305));
	ck_assert_ptr_nonnull(g = find(l, n, SADB_X_EALG_AESCBC));
	ck_assert_uint_eq(g->min_bits, 128);
	ck_assert_uint_eq(g->max_bits, 256);
	ck_assert_ptr_nonnull(find(l, n, SADB_X_EALG_AES_GCM_ICV16));
	ck_assert_ptr_nonnull(find(l, supported(SADB_EXT_SUPPORTED_AUTH, l, 32),
	    SADB_X_AALG_SHA2_256HMAC));
	close(a);
}
END_TEST

/* The ACQUIRE for a policy proposes the same: GCM only under require. */
START_TEST(test_srv_acquire_require_proposes_gcm)
{
	int a = hx_connect(&H);
	struct spd_policy *pol;
	struct spd_cursor *c;
	struct selector_key k;
	size_t len, ncomb = 0;
	const uint8_t *p;

	do_register(a);
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	urcu_qsbr_thread_online();
	c = spd_cursor_new(H.spd);
	ck_assert_ptr_nonnull(pol = spd_cursor_next(H.spd, c));
	spd_cursor_free(H.spd, c);
	memset(&k, 0, sizeof(k));
	ck_assert(addr_parse(&k.src, "10.1.0.1"));
	ck_assert(addr_parse(&k.dst, "10.2.0.1"));
	k.proto = IPPROTO_UDP;
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	urcu_qsbr_thread_offline();
	hx_pump(&H);
	hx_expect(&H, a, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_ACQUIRE);
	p = pfkey_msg_ext(&R.m, SADB_EXT_PROPOSAL, &len);
	ck_assert_ptr_nonnull(p);
	for (size_t o = sizeof(struct sadb_prop);
	     o + sizeof(struct sadb_comb) <= len;
	     o += sizeof(struct sadb_comb)) {
		struct sadb_comb cb;

		memcpy(&cb, p + o, sizeof(cb));
		ck_assert_uint_ne(
		    cb.sadb_comb_encrypt, ALG_SADB_X_EALG_CHACHA20POLY1305);
		ck_assert_uint_ne(cb.sadb_comb_encrypt, SADB_X_EALG_AESCBC);
		ck_assert_uint_eq(cb.sadb_comb_auth, SADB_AALG_NONE);
		ck_assert_uint_eq(cb.sadb_comb_encrypt_minbits, 128);
		ck_assert_uint_eq(cb.sadb_comb_encrypt_maxbits, 256);
		ncomb++;
	}
	ck_assert_uint_gt(ncomb, 0);
	close(a);
}
END_TEST

static Suite *
pfkey_offload_suite(void)
{
	Suite *s = suite_create("pfkey_offload");
	TCase *tc;

	tc = tcase_create("require");
	tcase_add_checked_fixture(tc, setup_require, teardown);
	tcase_add_test(tc, test_srv_add_require_refuses_chacha);
	tcase_add_test(tc, test_srv_add_require_reason);
	tcase_add_test(tc, test_srv_register_require_gcm_only);
	tcase_add_test(tc, test_srv_acquire_require_proposes_gcm);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefer");
	tcase_add_checked_fixture(tc, setup_prefer, teardown);
	tcase_add_test(tc, test_srv_add_prefer_accepts_chacha);
	tcase_add_test(tc, test_srv_register_prefer_everything);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pfkey_offload_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
