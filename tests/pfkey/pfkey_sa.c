/*
 * PF_KEY conformance: the SA messages (GETSPI, UPDATE, ADD, DELETE, GET,
 * FLUSH, REGISTER, X_PROMISC) as af_key answers them, on several sockets
 * at once: the reply (type, errno, pid, seq, extensions), who else gets
 * it (broadcast to all, to registered sockets, to promiscuous ones) and
 * who does not, and the SAD afterwards.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>

#include "crypto/alg.h"
#include "crypto/provider.h"
#include "harness.h"
#include "ipsec/sad.h"
#include "pfkey/pfkey_ext.h"

static struct hx H;
static struct tmsg T;
static struct hx_msg R, R2;

static void
setup(void)
{
	hx_setup(&H);
}

static void
teardown(void)
{
	hx_teardown(&H);
}

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert(addr_parse(&a, s));
	return a;
}

static struct sad_entry *
sa_of(uint32_t spi, uint8_t proto, const char *dst)
{
	struct addr d = A(dst);

	return sad_lookup_spi(H.sad, spi, proto, &d);
}

static struct sadb_sa
sa_ext(const struct pfkey_msg *m)
{
	struct sadb_sa s;
	const uint8_t *p;
	size_t len;

	ck_assert_ptr_nonnull(p = pfkey_msg_ext(m, SADB_EXT_SA, &len));
	ck_assert(pfkey_ext_copy(p, len, &s, sizeof(s)));
	return s;
}

static struct sadb_lifetime
lifetime_ext(const struct pfkey_msg *m, unsigned type)
{
	struct sadb_lifetime l;
	const uint8_t *p;
	size_t len;

	ck_assert_ptr_nonnull(p = pfkey_msg_ext(m, type, &len));
	ck_assert(pfkey_ext_copy(p, len, &l, sizeof(l)));
	return l;
}

/* The reply echoes the request's pid and seq (tm_hdr: 4242, 7). */
static void
assert_reply(const struct pfkey_msg *m, uint8_t type, uint8_t error)
{
	ck_assert_uint_eq(m->hdr.type, type);
	ck_assert_uint_eq(m->hdr.error, error);
	ck_assert_uint_eq(m->hdr.pid, 4242);
	ck_assert_uint_eq(m->hdr.seq, 7);
}

START_TEST(test_getspi_reply_larval)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;
	struct sadb_sa s;
	struct sad_entry *e;

	hx_tm_getspi(&T, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0, 0);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_GETSPI, 0);
	ck_assert_uint_eq(m->hdr.satype, SADB_SATYPE_ESP);
	/* SA, lifetimes, addresses and X_SA2, as af_key (no keys). */
	s = sa_ext(m);
	ck_assert_uint_ge(ntohl(s.sadb_sa_spi), 0x100);
	ck_assert_uint_le(ntohl(s.sadb_sa_spi), 0x0fffffff);
	ck_assert_uint_eq(s.sadb_sa_state, SADB_SASTATE_LARVAL);
	ck_assert_uint_eq(
	    lifetime_ext(m, SADB_EXT_LIFETIME_HARD).sadb_lifetime_addtime,
	    PFKEY_SERVER_ACQ_EXPIRES);
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_SOFT));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_CURRENT));
	ck_assert(pfkey_msg_has(m, SADB_EXT_ADDRESS_SRC));
	ck_assert(pfkey_msg_has(m, SADB_EXT_ADDRESS_DST));
	ck_assert(pfkey_msg_has(m, SADB_X_EXT_SA2));
	ck_assert(!pfkey_msg_has(m, SADB_EXT_KEY_ENCRYPT));
	/* To the requester only. */
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	e = sa_of(ntohl(s.sadb_sa_spi), IPPROTO_ESP, "192.0.2.2");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(sad_state(e), SA_STATE_LARVAL);
	ck_assert_uint_eq(e->sa.mode, SA_MODE_TUNNEL);
	ck_assert_uint_eq(e->sa.reqid, 1);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_getspi_range_one_spi)
{
	int a = hx_connect(&H);

	hx_tm_getspi(
	    &T, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0x2000, 0x2000);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(
	    ntohl(sa_ext(hx_expect(&H, a, &R)).sadb_sa_spi), 0x2000);
	/* Taken now: af_key answers ENOENT. */
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_GETSPI, ENOENT);
	ck_assert_uint_eq(sad_count(H.sad), 1);
	close(a);
}
END_TEST

START_TEST(test_getspi_ipcomp_cpi)
{
	int a = hx_connect(&H);
	uint32_t cpi;

	for (int i = 0; i < 32; i++) {
		hx_tm_getspi(
		    &T, SADB_X_SATYPE_IPCOMP, "192.0.2.1", "192.0.2.2", 0, 0);
		hx_send_tm(&H, a, &T);
		cpi = ntohl(sa_ext(hx_expect(&H, a, &R)).sadb_sa_spi);
		ck_assert_uint_ge(cpi, PFKEY_SERVER_CPI_MIN);
		ck_assert_uint_le(cpi, PFKEY_SERVER_CPI_MAX);
	}
	ck_assert_uint_eq(sad_count(H.sad), 32);
	close(a);
}
END_TEST

START_TEST(test_update_larval_to_mature)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;
	struct sad_entry *e;
	uint32_t spi;

	hx_tm_getspi(&T, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0, 0);
	hx_send_tm(&H, a, &T);
	spi = ntohl(sa_ext(hx_expect(&H, a, &R)).sadb_sa_spi);
	hx_tm_add(&T, SADB_UPDATE, spi, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	/* Announced to every socket with the requester's pid and seq. */
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_UPDATE, 0);
	ck_assert_uint_eq(sa_ext(m).sadb_sa_state, SADB_SASTATE_MATURE);
	ck_assert(!pfkey_msg_has(m, SADB_EXT_KEY_ENCRYPT));
	assert_reply(hx_expect(&H, b, &R2), SADB_UPDATE, 0);
	e = sa_of(spi, IPPROTO_ESP, "192.0.2.2");
	ck_assert_int_eq(sad_state(e), SA_STATE_MATURE);
	ck_assert_ptr_eq(e->sa.key.enc, alg_get(ALG_AES_GCM_16));
	ck_assert_uint_eq(e->sa.key.enc_len, 20);
	ck_assert_ptr_nonnull(e->sa.replay);
	close(a);
	close(b);
}
END_TEST

/* A mature SA keeps its keys; lifetimes change (xfrm_state_update). */
START_TEST(test_update_mature_lifetimes)
{
	int a = hx_connect(&H);
	struct sad_entry *e;
	uint8_t key[20];

	hx_add_sa(&H, a, 0x3000, "192.0.2.1", "192.0.2.2");
	memcpy(
	    key, sa_of(0x3000, IPPROTO_ESP, "192.0.2.2")->sa.key.enc_key, 20);
	tm_hdr(&T, SADB_UPDATE, SADB_SATYPE_ESP);
	tm_sa(&T, 0x3000, 32, 0, SADB_X_EALG_AES_GCM_ICV16, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_ext(&T, SADB_EXT_KEY_ENCRYPT,
	    "\xa0\x00\x00\x00"
	    "abcdefghijklmnopqrst",
	    24);
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, 600, 0);
	tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, 0, 0, 500, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_UPDATE, 0);
	e = sa_of(0x3000, IPPROTO_ESP, "192.0.2.2");
	ck_assert_uint_eq(e->sa.hard.add_sec, 600);
	ck_assert_uint_eq(e->sa.soft.add_sec, 500);
	ck_assert_mem_eq(e->sa.key.enc_key, key, 20);
	close(a);
}
END_TEST

START_TEST(test_update_missing_esrch)
{
	int a = hx_connect(&H);
	uint64_t d = hx_digest(&H);

	hx_tm_add(&T, SADB_UPDATE, 0x3001, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_UPDATE, ESRCH);
	ck_assert_uint_eq(hx_digest(&H), d);
	close(a);
}
END_TEST

START_TEST(test_add_broadcast_without_keys)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_tm_add(&T, SADB_ADD, 0x4000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_ADD, 0);
	ck_assert_uint_eq(ntohl(sa_ext(m).sadb_sa_spi), 0x4000);
	ck_assert_uint_eq(sa_ext(m).sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV16);
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_CURRENT));
	ck_assert(!pfkey_msg_has(m, SADB_EXT_KEY_ENCRYPT));
	ck_assert(!pfkey_msg_has(m, SADB_EXT_KEY_AUTH));
	m = hx_expect(&H, b, &R2);
	assert_reply(m, SADB_ADD, 0);
	ck_assert_uint_eq(R.len, R2.len);
	ck_assert_mem_eq(R.buf, R2.buf, R.len);
	ck_assert_uint_eq(hx_drain(&H, a) + hx_drain(&H, b), 0);
	ck_assert_int_eq(sad_state(sa_of(0x4000, IPPROTO_ESP, "192.0.2.2")),
	    SA_STATE_MATURE);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_add_exists_eexist)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint64_t d;

	hx_add_sa(&H, a, 0x4001, "192.0.2.1", "192.0.2.2");
	hx_drain(&H, b);
	d = hx_digest(&H);
	hx_tm_add(&T, SADB_ADD, 0x4001, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_ADD, EEXIST);
	/* An error goes to the requester only. */
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	ck_assert_uint_eq(hx_digest(&H), d);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_delete_broadcast)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_add_sa(&H, a, 0x5000, "192.0.2.1", "192.0.2.2");
	hx_drain(&H, b);
	hx_tm_sa_id(
	    &T, SADB_DELETE, SADB_SATYPE_ESP, 0x5000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_DELETE, 0);
	ck_assert_uint_eq(ntohl(sa_ext(m).sadb_sa_spi), 0x5000);
	assert_reply(hx_expect(&H, b, &R2), SADB_DELETE, 0);
	ck_assert_ptr_null(sa_of(0x5000, IPPROTO_ESP, "192.0.2.2"));
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_DELETE, ESRCH);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_get_reply_keys_current)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_add_sa(&H, a, 0x6000, "2001:db8::1", "2001:db8::2");
	hx_drain(&H, b);
	hx_tm_sa_id(&T, SADB_GET, SADB_SATYPE_ESP, 0x6000, "2001:db8::1",
	    "2001:db8::2");
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_GET, 0);
	ck_assert(pfkey_msg_has(m, SADB_EXT_KEY_ENCRYPT));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_CURRENT));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_HARD));
	ck_assert_uint_eq(
	    lifetime_ext(m, SADB_EXT_LIFETIME_CURRENT).sadb_lifetime_addtime,
	    H.now);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	hx_tm_sa_id(&T, SADB_GET, SADB_SATYPE_ESP, 0x6001, "2001:db8::1",
	    "2001:db8::2");
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_GET, ESRCH);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_flush_by_satype)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_add_sa(&H, a, 0x7000, "192.0.2.1", "192.0.2.2");
	hx_add_sa(&H, a, 0x7001, "192.0.2.1", "192.0.2.2");
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_AH);
	tm_sa(&T, 0x7002, 32, SADB_X_AALG_SHA2_256HMAC, 0, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_AUTH, 256, 32);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	hx_drain(&H, b);
	hx_tm_bare(&T, SADB_FLUSH, SADB_SATYPE_AH);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_FLUSH, 0);
	ck_assert_uint_eq(m->hdr.satype, SADB_SATYPE_AH);
	ck_assert_uint_eq(R.len, PFKEY_HDR_LEN);
	assert_reply(hx_expect(&H, b, &R2), SADB_FLUSH, 0);
	ck_assert_uint_eq(sad_count(H.sad), 2);
	hx_tm_bare(&T, SADB_FLUSH, SADB_SATYPE_UNSPEC);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_FLUSH, 0);
	ck_assert_uint_eq(sad_count(H.sad), 0);
	close(a);
	close(b);
}
END_TEST

/* The ids of one SUPPORTED_* extension, as a bit set. */
static uint64_t
supported(const struct pfkey_msg *m, unsigned type)
{
	struct sadb_alg alg;
	uint64_t set = 0;
	const uint8_t *p;
	size_t len;

	if ((p = pfkey_msg_ext(m, type, &len)) == NULL)
		return 0;
	for (size_t off = sizeof(struct sadb_supported); off < len;
	     off += sizeof(alg)) {
		memcpy(&alg, p + off, sizeof(alg));
		set |= 1ull << (alg.sadb_alg_id & 63);
	}
	return set;
}

/* What crypto_lib_has lets through, by PF_KEY id. */
static uint64_t
usable(const struct crypto_lib *lib, bool is_auth)
{
	uint64_t set = 0;

	for (int i = 0; i < ALG_COUNT; i++) {
		const struct alg *a = alg_get((enum alg_id)i);

		if ((a->kind == ALG_AUTH) == is_auth && lib != NULL &&
		    crypto_lib_has(lib, a))
			set |= 1ull << (a->sadb_id & 63);
	}
	return set;
}

START_TEST(test_register_reply_usable)
{
	int a = hx_connect(&H), b = hx_connect(&H), c = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_tm_register(&T, SADB_SATYPE_AH);
	hx_send_tm(&H, b, &T);
	hx_drain(&H, b);
	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, c, &T);
	hx_drain(&H, c);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_REGISTER, 0);
	ck_assert_uint_eq(m->hdr.satype, SADB_SATYPE_ESP);
	ck_assert_uint_eq(
	    supported(m, SADB_EXT_SUPPORTED_AUTH), usable(H.lib, true));
	ck_assert_uint_eq(
	    supported(m, SADB_EXT_SUPPORTED_ENCRYPT), usable(H.lib, false));
	ck_assert_uint_ne(supported(m, SADB_EXT_SUPPORTED_ENCRYPT), 0);
	/* The other ESP socket gets it too; the AH one does not. */
	assert_reply(hx_expect(&H, c, &R2), SADB_REGISTER, 0);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	/* Twice for one type: EEXIST, to the requester only. */
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_REGISTER, EEXIST);
	ck_assert_uint_eq(hx_drain(&H, c), 0);
	close(a);
	close(b);
	close(c);
}
END_TEST

static uint64_t
fixed_clock(void *arg)
{
	(void)arg;
	return 1700000000;
}

/* Without a crypto library nothing is usable: nothing is listed. */
START_TEST(test_register_lists_nothing_unusable)
{
	struct pfkey_server *srv = H.srv;
	struct pfkey_ctx ctx;
	char path[140];
	int a;

	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = H.sad;
	ctx.spd = H.spd;
	ctx.lib = NULL;
	ctx.now = fixed_clock;
	H.srv = pfkey_server_new(&ctx, H.base);
	ck_assert_ptr_nonnull(H.srv);
	snprintf(path, sizeof(path), "%s/nolib.sock", H.dir);
	memcpy(H.path, path, sizeof(H.path));
	ck_assert_int_eq(pfkey_server_listen(H.srv, path, getegid()), 0);
	a = hx_connect(&H);
	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_REGISTER, 0);
	ck_assert_uint_eq(R.len, PFKEY_HDR_LEN);
	close(a);
	pfkey_server_free(H.srv);
	H.srv = srv;
}
END_TEST

START_TEST(test_promisc_sees_everything)
{
	int a = hx_connect(&H), b = hx_connect(&H), p = hx_connect(&H);
	const struct pfkey_msg *m;

	hx_tm_bare(&T, SADB_X_PROMISC, 1);
	hx_send_tm(&H, p, &T);
	/* The X_PROMISC goes to every socket (and twice to p, which is now
	 * promiscuous and a target, as in af_key). */
	assert_reply(hx_expect(&H, a, &R), SADB_X_PROMISC, 0);
	assert_reply(hx_expect(&H, b, &R), SADB_X_PROMISC, 0);
	ck_assert_uint_eq(hx_drain(&H, p), 2);
	/* A's refused GET: p sees the request and the error reply. */
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x8000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_GET, ESRCH);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	ck_assert_uint_eq(hx_drain(&H, p), 2);
	/* A's ADD: p gets the request, and the broadcast twice. */
	hx_tm_add(&T, SADB_ADD, 0x8001, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	hx_drain(&H, a);
	hx_drain(&H, b);
	ck_assert_uint_eq(hx_drain(&H, p), 3);
	/* Off again: only what a plain socket gets. */
	hx_tm_bare(&T, SADB_X_PROMISC, 0);
	hx_send_tm(&H, p, &T);
	hx_drain(&H, a);
	hx_drain(&H, b);
	hx_drain(&H, p);
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x8000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_GET, ESRCH);
	ck_assert_uint_eq(hx_drain(&H, p), 0);
	close(a);
	close(b);
	close(p);
}
END_TEST

/* X_PROMISC with a message inside is echoed to all, mode unchanged. */
START_TEST(test_promisc_echo_payload)
{
	int a = hx_connect(&H), b = hx_connect(&H);

	hx_tm_bare(&T, SADB_X_PROMISC, 1);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_PROMISC, 0);
	assert_reply(hx_expect(&H, b, &R2), SADB_X_PROMISC, 0);
	ck_assert(pfkey_msg_has(&R2.m, SADB_EXT_ADDRESS_SRC));
	/* a did not become promiscuous. */
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 1000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, b, &T);
	hx_drain(&H, b);
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	close(a);
	close(b);
}
END_TEST

static Suite *
sa_suite(void)
{
	Suite *s = suite_create("pfkey_sa");
	TCase *tc;

	tc = tcase_create("getspi");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_getspi_reply_larval);
	tcase_add_test(tc, test_getspi_range_one_spi);
	tcase_add_test(tc, test_getspi_ipcomp_cpi);
	suite_add_tcase(s, tc);

	tc = tcase_create("update");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_update_larval_to_mature);
	tcase_add_test(tc, test_update_mature_lifetimes);
	tcase_add_test(tc, test_update_missing_esrch);
	suite_add_tcase(s, tc);

	tc = tcase_create("add");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_broadcast_without_keys);
	tcase_add_test(tc, test_add_exists_eexist);
	suite_add_tcase(s, tc);

	tc = tcase_create("delete_get_flush");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_delete_broadcast);
	tcase_add_test(tc, test_get_reply_keys_current);
	tcase_add_test(tc, test_flush_by_satype);
	suite_add_tcase(s, tc);

	tc = tcase_create("register");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_reply_usable);
	tcase_add_test(tc, test_register_lists_nothing_unusable);
	suite_add_tcase(s, tc);

	tc = tcase_create("promisc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_promisc_sees_everything);
	tcase_add_test(tc, test_promisc_echo_payload);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sa_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
