/*
 * Unit tests of src/ipsec/bundle.c: order, tunnel/BEET/transport rules
 * around the transforms, inbound unwrapping with history, and the
 * inbound policy check with and without check_policy_history.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/bundle.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "ipsec/spd.h"

static struct crypto_lib *lib;
static uint8_t mem[8192];
static struct pbuf pkt;
static struct knobs knobs;

#define NSA 4
static struct sa sas[NSA];
static struct bundle_xform xf[NSA];

static void
setup(void)
{
	lib = crypto_lib_new(NULL);
	ck_assert_ptr_nonnull(lib);
	pbuf_init(&pkt, mem, sizeof(mem), 512);
	knobs_init(&knobs);
	memset(sas, 0, sizeof(sas));
	memset(xf, 0, sizeof(xf));
}

static void
teardown(void)
{
	for (int i = 0; i < NSA; i++) {
		cipher_free(xf[i].c);
		free(sas[i].replay);
	}
	crypto_lib_free(lib);
}

static void
addr4(struct addr *a, const char *s)
{
	ck_assert(addr_parse(a, s));
}

/* SA i: ESP AES-GCM-16, mode, endpoints src -> dst. */
static struct bundle_xform *
esp_sa(int i, uint8_t mode, const char *src, const char *dst)
{
	struct sa *sa = &sas[i];

	sa->spi = 0x100 + (uint32_t)i;
	sa->proto = IPPROTO_ESP;
	sa->mode = mode;
	sa->reqid = 7;
	addr4(&sa->src, src);
	addr4(&sa->dst, dst);
	sa->key.enc = alg_get(ALG_AES_GCM_16);
	sa->key.enc_len = 20;
	memset(sa->key.enc_key, 0x30 + i, 20);
	sa->replay_window = 64;
	sa->replay = malloc(replay_size(64));
	replay_init(sa->replay, 64, false);
	xf[i].sa = sa;
	xf[i].c = cipher_new(lib, &sa->key);
	ck_assert_ptr_nonnull(xf[i].c);
	return &xf[i];
}

static const struct bundle_xform *
lookup(void *arg, uint8_t proto, uint32_t spi, const struct addr *dst)
{
	(void)arg;
	for (int i = 0; i < NSA; i++)
		if (xf[i].sa != NULL && xf[i].sa->proto == proto &&
		    xf[i].sa->spi == spi && addr_eq(&xf[i].sa->dst, dst))
			return &xf[i];
	return NULL;
}

/* An IPv4 (or IPv6) UDP packet from src to dst with n payload bytes. */
static void
make_pkt(const char *src, const char *dst, size_t n)
{
	struct addr s, d;
	uint8_t *p;
	size_t hl;

	addr4(&s, src);
	addr4(&d, dst);
	hl = s.family == AF_INET ? 20 : 40;
	pbuf_reset(&pkt, 512);
	p = pbuf_put(&pkt, hl + n);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, hl);
	if (s.family == AF_INET) {
		p[0] = 0x45;
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		memcpy(p + 12, s.bytes, 4);
		memcpy(p + 16, d.bytes, 4);
	} else {
		p[0] = 0x60;
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		memcpy(p + 8, s.bytes, 16);
		memcpy(p + 24, d.bytes, 16);
	}
	for (size_t i = 0; i < n; i++)
		p[hl + i] = (uint8_t)i;
	ip_set_len(p, s.family, hl + n);
}

START_TEST(test_bundle_order_ipcomp_esp_ah)
{
	struct sa a = { .proto = IPPROTO_AH }, e = { .proto = IPPROTO_ESP },
		  c = { .proto = IPPROTO_COMP }, u = { .proto = IPPROTO_UDP };
	struct bundle_xform x[5] = { { &a, NULL }, { &e, NULL }, { &c, NULL } };

	ck_assert(bundle_order(x, 3));
	ck_assert_ptr_eq(x[0].sa, &c);
	ck_assert_ptr_eq(x[1].sa, &e);
	ck_assert_ptr_eq(x[2].sa, &a);
	x[3].sa = &u;
	ck_assert(!bundle_order(x, 4));
	ck_assert(!bundle_order(x, 0));
	x[3].sa = &e;
	x[4].sa = &e;
	ck_assert(!bundle_order(x, 5));
}
END_TEST

/* 4in6 and 6in4 tunnels through bundle_output and bundle_input. */
START_TEST(test_bundle_output_tunnel_families)
{
	static const char *const cases[][4] = {
		{ "10.0.0.1", "10.0.1.1", "2001:db8::1", "2001:db8::2" },
		{ "2001:db8:1::1", "2001:db8:2::1", "192.0.2.1", "192.0.2.2" },
		{ "10.0.0.1", "10.0.1.1", "192.0.2.1", "192.0.2.2" },
		{ "2001:db8:1::1", "2001:db8:2::1", "2001:db8::1",
		    "2001:db8::2" },
	};

	for (size_t c = 0; c < 4; c++) {
		struct bundle_out_params op = {
			.knobs = &knobs, .is_forwarded = true, .ip_id = 1
		};
		struct bundle_in_params ip = { .knobs = &knobs,
			.lookup = lookup };
		struct bundle_history h;
		struct ip_info info;
		uint8_t orig[200];
		size_t len;

		teardown();
		setup();
		esp_sa(0, SA_MODE_TUNNEL, cases[c][2], cases[c][3]);
		make_pkt(cases[c][0], cases[c][1], 100);
		len = pbuf_len(&pkt);
		memcpy(orig, pbuf_data(&pkt), len);
		ck_assert_int_eq(
		    bundle_output(xf, 1, &op, &pkt, NULL), IPSEC_OK);
		ck_assert(ip_parse(pbuf_data(&pkt), pbuf_len(&pkt), &info));
		ck_assert_int_eq(info.proto, IPPROTO_ESP);
		ck_assert(addr_eq(&info.dst, &sas[0].dst));
		ck_assert_uint_eq(sas[0].seq_out, 1);
		ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_OK);
		ck_assert_uint_eq(pbuf_len(&pkt), len);
		ck_assert_mem_eq(pbuf_data(&pkt), orig, len);
		ck_assert_uint_eq(h.n, 1);
		ck_assert_int_eq(h.e[0].proto, IPPROTO_ESP);
		ck_assert_int_eq(h.e[0].mode, SA_MODE_TUNNEL);
		ck_assert_uint_eq(h.e[0].spi, 0x100);
	}
}
END_TEST

/* FreeBSD: transport mode only for this host's own packets. */
START_TEST(test_bundle_output_transport_forwarded)
{
	struct bundle_out_params op = { .knobs = &knobs, .is_forwarded = true };
	size_t at = 99;

	esp_sa(0, SA_MODE_TRANSPORT, "10.0.0.1", "10.0.1.1");
	make_pkt("10.0.0.1", "10.0.1.1", 10);
	ck_assert_int_eq(bundle_output(xf, 1, &op, &pkt, &at), IPSEC_DROP_MODE);
	ck_assert_uint_eq(at, 0);
	ck_assert_uint_eq(sas[0].seq_out, 0);
	op.is_forwarded = false;
	ck_assert_int_eq(bundle_output(xf, 1, &op, &pkt, &at), IPSEC_OK);
}
END_TEST

/*
 * Nested: an inner transport SA behind an outer tunnel is fine for a
 * forwarded packet when the tunnel comes first (its header is ours).
 */
START_TEST(test_bundle_output_nested_tunnels)
{
	struct bundle_out_params op = { .knobs = &knobs, .is_forwarded = true };
	struct bundle_in_params ip = { .knobs = &knobs, .lookup = lookup };
	struct bundle_history h;
	uint8_t orig[100];

	esp_sa(0, SA_MODE_TUNNEL, "192.0.2.1", "192.0.2.2");
	esp_sa(1, SA_MODE_TUNNEL, "198.51.100.1", "198.51.100.2");
	make_pkt("10.0.0.1", "10.0.1.1", 30);
	memcpy(orig, pbuf_data(&pkt), 50);
	ck_assert_int_eq(bundle_output(xf, 2, &op, &pkt, NULL), IPSEC_OK);
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_OK);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_uint_eq(h.e[0].spi, 0x101); /* outermost first */
	ck_assert_uint_eq(h.e[1].spi, 0x100);
	ck_assert_uint_eq(pbuf_len(&pkt), 50);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, 50);
}
END_TEST

START_TEST(test_bundle_output_beet)
{
	struct bundle_out_params op = { .knobs = &knobs, .is_forwarded = true };
	struct bundle_in_params ip = { .knobs = &knobs, .lookup = lookup };
	struct bundle_history h;
	struct ip_info info;
	uint8_t orig[100];

	esp_sa(0, SA_MODE_BEET, "192.0.2.1", "192.0.2.2");
	addr4(&sas[0].beet_src, "10.0.0.1");
	addr4(&sas[0].beet_dst, "10.0.1.1");
	make_pkt("10.0.0.1", "10.0.1.1", 30);
	memcpy(orig, pbuf_data(&pkt), 50);
	ck_assert_int_eq(bundle_output(xf, 1, &op, &pkt, NULL), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pkt), pbuf_len(&pkt), &info));
	ck_assert(addr_eq(&info.src, &sas[0].src));
	ck_assert_uint_eq(info.ins_off, 20); /* no second IP header */
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pkt), 50);
	ck_assert(ip_parse(pbuf_data(&pkt), pbuf_len(&pkt), &info));
	ck_assert(addr_eq(&info.src, &sas[0].beet_src));
	ck_assert(addr_eq(&info.dst, &sas[0].beet_dst));
	ck_assert_mem_eq(pbuf_data(&pkt) + 20, orig + 20, 30);
}
END_TEST

START_TEST(test_bundle_input_refusals)
{
	struct bundle_out_params op = { .knobs = &knobs };
	struct bundle_in_params ip = { .knobs = &knobs, .lookup = lookup };
	struct bundle_history h;
	uint8_t sealed[200];
	size_t len;

	esp_sa(0, SA_MODE_TRANSPORT, "10.0.0.1", "10.0.1.1");
	make_pkt("10.0.0.1", "10.0.1.1", 30);
	ck_assert_int_eq(bundle_output(xf, 1, &op, &pkt, NULL), IPSEC_OK);
	len = pbuf_len(&pkt);
	memcpy(sealed, pbuf_data(&pkt), len);

	knobs.esp_enable = false;
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_DROP_PROTO);
	knobs.esp_enable = true;
	sas[0].spi = 0x999; /* no SA for the packet's SPI */
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_DROP_NOSA);
	sas[0].spi = 0x100;
	pbuf_set(&pkt, sealed, 20 + 3, 512); /* SPI one byte short */
	ip_set_len(pbuf_data(&pkt), AF_INET, 23);
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_DROP_SHORT);
	pbuf_set(&pkt, sealed, len, 512);
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_OK);
	ck_assert_uint_eq(h.n, 1);
	/* Plain packet: no history, nothing to do. */
	make_pkt("10.0.0.1", "10.0.1.1", 30);
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_OK);
	ck_assert_uint_eq(h.n, 0);
	/* Tunnel-mode SA carrying no IP packet. */
	sas[0].mode = SA_MODE_TUNNEL;
	pbuf_set(&pkt, sealed, len, 512);
	replay_init(sas[0].replay, 64, false);
	ck_assert_int_eq(bundle_input(&ip, &pkt, &h), IPSEC_DROP_NEXTHDR);
}
END_TEST

/* Policies for the check: in, ipsec, with templates. */
static struct spd_policy
pol_with(size_t n, const struct spd_tmpl *t)
{
	struct spd_policy p;

	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_IN;
	p.action = SPD_ACTION_IPSEC;
	p.ntmpl = (uint8_t)n;
	memcpy(p.tmpl, t, n * sizeof(*t));
	return p;
}

static struct bundle_hist
hist(uint8_t proto, uint8_t mode, const char *src, const char *dst,
    uint32_t reqid)
{
	struct bundle_hist e;

	memset(&e, 0, sizeof(e));
	e.proto = proto;
	e.mode = mode;
	e.reqid = reqid;
	if (src != NULL) {
		addr4(&e.src, src);
		addr4(&e.dst, dst);
	}
	return e;
}

/*
 * ipsec(4)'s case for check_policy_history: a policy asking for
 * esp/tunnel/A-B/require and ah/transport//require.  By default only
 * "was the packet decrypted and authenticated" is checked; with the knob
 * the SAs applied must be exactly those.
 */
START_TEST(test_bundle_check_policy_history)
{
	struct spd_tmpl t[2];
	struct spd_policy p;
	struct bundle_history h;

	memset(t, 0, sizeof(t));
	t[0].proto = IPPROTO_ESP;
	t[0].mode = SA_MODE_TUNNEL;
	t[0].level = KNOBS_LEVEL_REQUIRE;
	addr4(&t[0].src, "192.0.2.1");
	addr4(&t[0].dst, "192.0.2.2");
	t[1].proto = IPPROTO_AH;
	t[1].mode = SA_MODE_TRANSPORT;
	t[1].level = KNOBS_LEVEL_REQUIRE;
	p = pol_with(2, t);

	/* Nothing applied: refused either way. */
	h.n = 0;
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	/* ESP only: the AH requirement is not met. */
	h.n = 1;
	h.e[0] = hist(IPPROTO_ESP, SA_MODE_TUNNEL, "192.0.2.1", "192.0.2.2", 0);
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	/* AH + ESP through another tunnel: fine by protocol only... */
	h.n = 2;
	h.e[0] = hist(IPPROTO_AH, SA_MODE_TRANSPORT, NULL, NULL, 0);
	h.e[1] =
	    hist(IPPROTO_ESP, SA_MODE_TUNNEL, "203.0.113.9", "192.0.2.2", 0);
	knobs.check_policy_history = false;
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
	/* ...but not with the history checked: wrong tunnel endpoints. */
	knobs.check_policy_history = true;
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	h.e[1] = hist(IPPROTO_ESP, SA_MODE_TUNNEL, "192.0.2.1", "192.0.2.2", 0);
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
	/* AH in tunnel mode where transport is asked for. */
	h.e[0].mode = SA_MODE_TUNNEL;
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	h.e[0].mode = SA_MODE_TRANSPORT;
	/* An extra SA the policy does not name. */
	h.n = 3;
	h.e[2] = hist(IPPROTO_ESP, SA_MODE_TRANSPORT, NULL, NULL, 0);
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	knobs.check_policy_history = false;
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
}
END_TEST

START_TEST(test_bundle_check_policy_levels)
{
	struct spd_tmpl t;
	struct spd_policy p;
	struct bundle_history h = { .n = 0 };

	memset(&t, 0, sizeof(t));
	t.proto = IPPROTO_ESP;
	t.mode = SA_MODE_TRANSPORT;
	t.level = KNOBS_LEVEL_USE;
	p = pol_with(1, &t);
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
	/* default: the esp_trans_deflev knob decides */
	p.tmpl[0].level = KNOBS_LEVEL_DEFAULT;
	knobs.esp_trans_deflev = KNOBS_LEVEL_REQUIRE;
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	knobs.esp_trans_deflev = KNOBS_LEVEL_USE;
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
	/* unique: the reqid must be the template's */
	p.tmpl[0].level = KNOBS_LEVEL_UNIQUE;
	p.tmpl[0].reqid = 5;
	knobs.check_policy_history = true;
	h.n = 1;
	h.e[0] = hist(IPPROTO_ESP, SA_MODE_TRANSPORT, NULL, NULL, 6);
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	h.e[0].reqid = 5;
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
}
END_TEST

START_TEST(test_bundle_check_policy_actions)
{
	struct spd_policy p;
	struct bundle_history h = { .n = 0 };

	memset(&p, 0, sizeof(p));
	p.action = SPD_ACTION_DISCARD;
	ck_assert_int_eq(
	    bundle_check_policy(&p, &h, &knobs), IPSEC_DROP_POLICY);
	p.action = SPD_ACTION_NONE;
	ck_assert_int_eq(bundle_check_policy(&p, &h, &knobs), IPSEC_OK);
	knobs.def_policy = KNOBS_POLICY_DISCARD;
	ck_assert_int_eq(
	    bundle_check_policy(NULL, &h, &knobs), IPSEC_DROP_POLICY);
	knobs.def_policy = KNOBS_POLICY_NONE;
	ck_assert_int_eq(bundle_check_policy(NULL, &h, &knobs), IPSEC_OK);
}
END_TEST

static Suite *
bundle_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc;

	tc = tcase_create("bundle_order");
	tcase_add_test(tc, test_bundle_order_ipcomp_esp_ah);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundle_output");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bundle_output_tunnel_families);
	tcase_add_test(tc, test_bundle_output_transport_forwarded);
	tcase_add_test(tc, test_bundle_output_nested_tunnels);
	tcase_add_test(tc, test_bundle_output_beet);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundle_input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bundle_input_refusals);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundle_check_policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bundle_check_policy_history);
	tcase_add_test(tc, test_bundle_check_policy_levels);
	tcase_add_test(tc, test_bundle_check_policy_actions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bundle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
