/*
 * Unit tests of src/ipsec/dpath.c: two hosts, each with its own SAD and
 * SPD, exchange packets through dpath_output on one and dpath_input on the
 * other: policies (none, discard, bypass, ipsec with use/require), SA
 * selection, the path MTU check and its ICMP errors, lifetimes, the
 * inbound policy check, per-SA drop counters.  With the test provider
 * (tests/provider/ipsecdtest.c) on host a: the same ciphertext as the
 * default provider's, and what a provider failure does under prefer
 * (software from then on) and require (the SA stops).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>
#include <urcu-qsbr.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/dpath.h"
#include "ipsec/flow.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "tests/unit/check_provider.h"

struct host {
	struct dpath_shared sh;
	struct dpath d;
	struct knobs knobs;
};

static struct crypto_lib *lib;
static struct host ha, hb;
static uint8_t mem[70000];
static struct pbuf pkt;
static uint8_t orig[70000];
static size_t orig_len;

static void
host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	knobs_init(&h->knobs);
	h->sh.sad = sad_new(1, 1000);
	h->sh.spd = spd_new(2, 1000);
	ck_assert_ptr_nonnull(h->sh.sad);
	ck_assert_ptr_nonnull(h->sh.spd);
	sad_wstate_setup(h->sh.sad, 2, dpath_wstate_free);
	h->sh.lib = lib;
	atomic_store(&h->sh.knobs, &h->knobs);
	ck_assert_int_eq(dpath_init(&h->d, &h->sh, 1, 8), 0);
	h->d.rnd_left = sizeof(h->d.rnd);
}

static void
host_clear(struct host *h)
{
	dpath_clear(&h->d);
	sad_free(h->sh.sad);
	spd_free(h->sh.spd);
}

static void
setup(void)
{
	urcu_qsbr_register_thread();
	lib = crypto_lib_new(NULL);
	ck_assert_ptr_nonnull(lib);
	host_init(&ha);
	host_init(&hb);
	pbuf_init(&pkt, mem, sizeof(mem), 512);
}

static void
teardown(void)
{
	host_clear(&ha);
	host_clear(&hb);
	crypto_lib_free(lib);
	urcu_qsbr_unregister_thread();
}

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert(addr_parse(&a, s));
	return a;
}

static struct prefix
P(const char *s) {
	struct prefix p;

	ck_assert(prefix_parse(&p, s));
	return p;
}

static uint32_t
rd_u16_at(const uint8_t *p)
{
	return (uint32_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd_u32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The SA 192.0.2.2 receives with spi, in h. */
static struct sad_entry *
in_sa(struct host *h, uint32_t spi)
{
	struct addr dst = A("192.0.2.2");

	return sad_lookup_spi(h->sh.sad, spi, IPPROTO_ESP, &dst);
}

/* Insert a mature ESP AES-GCM-16 SA (or AH HMAC-SHA256) into h. */
static struct sad_entry *
add_sa(struct host *h, uint8_t proto, uint32_t spi, uint8_t mode,
    const char *src, const char *dst, uint32_t reqid)
{
	struct sad_entry *e;
	struct sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.proto = proto;
	sa.mode = mode;
	sa.reqid = reqid;
	sa.src = A(src);
	sa.dst = A(dst);
	sa.replay_window = 64;
	if (proto == IPPROTO_ESP) {
		sa.key.enc = alg_get(ALG_AES_GCM_16);
		sa.key.enc_len = 20;
		memset(sa.key.enc_key, (int)spi, 20);
	} else {
		sa.key.auth = alg_get(ALG_HMAC_SHA256_128);
		sa.key.auth_len = 32;
		memset(sa.key.auth_key, (int)spi, 32);
	}
	e = sad_entry_new(&sa, replay_size(64), 100);
	ck_assert_ptr_nonnull(e);
	replay_init(e->sa.replay, 64, false);
	ck_assert(sad_state_set(e, SA_STATE_MATURE));
	ck_assert_int_eq(sad_insert(h->sh.sad, e), SAD_OK);
	return e;
}

/* An ESP tunnel policy src -> dst for dir with endpoints tsrc -> tdst. */
static void
add_pol(struct host *h, enum spd_dir dir, const char *src, const char *dst,
    uint8_t action, const char *tsrc, const char *tdst, uint8_t level)
{
	struct spd_policy p;
	uint32_t id;

	memset(&p, 0, sizeof(p));
	p.dir = (uint8_t)dir;
	p.action = action;
	p.priority = 100;
	selector_init_any(&p.sel, P(src).addr.family);
	p.sel.src = P(src);
	p.sel.dst = P(dst);
	if (action == SPD_ACTION_IPSEC) {
		p.ntmpl = 1;
		p.tmpl[0].proto = IPPROTO_ESP;
		p.tmpl[0].mode = SA_MODE_TUNNEL;
		p.tmpl[0].level = level;
		p.tmpl[0].reqid = 5;
		p.tmpl[0].src = A(tsrc);
		p.tmpl[0].dst = A(tdst);
	}
	ck_assert_int_eq(spd_insert(h->sh.spd, &p, false, &id), SPD_OK);
}

/* Inner IPv4/IPv6 UDP packet src -> dst, n payload bytes, DF set. */
static void
make_pkt(const char *src, const char *dst, size_t n)
{
	struct addr s = A(src), d = A(dst);
	size_t hl = s.family == AF_INET ? 20 : 40;
	uint8_t *p;

	pbuf_reset(&pkt, 512);
	p = pbuf_put(&pkt, hl + 8 + n);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, hl + 8);
	if (s.family == AF_INET) {
		p[0] = 0x45;
		p[6] = 0x40; /* DF */
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
	wr_u16(p + hl, 4000);
	wr_u16(p + hl + 2, 5000);
	wr_u16(p + hl + 4, (uint16_t)(8 + n));
	for (size_t i = 0; i < n; i++)
		p[hl + 8 + i] = (uint8_t)(i * 13);
	ip_set_len(p, s.family, hl + 8 + n);
	memcpy(orig, p, hl + 8 + n);
	orig_len = hl + 8 + n;
}

/* A gateway pair 192.0.2.1 <-> 192.0.2.2 protecting 10.1/16 <-> 10.2/16. */
static void
tunnel_pair(void)
{
	add_sa(&ha, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&hb, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.2.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	add_pol(&hb, SPD_DIR_IN, "10.1.0.0/16", "10.2.0.0/16", SPD_ACTION_IPSEC,
	    "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
}

START_TEST(test_dpath_output_tunnel_roundtrip)
{
	struct dpath_out out;
	struct dpath_in in;
	struct ip_info info;

	tunnel_pair();
	make_pkt("10.1.0.5", "10.2.0.9", 200);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_ptr_nonnull(out.sa);
	ck_assert_int_eq(out.proto, IPPROTO_ESP);
	ck_assert(!out.is_udp);
	ck_assert(addr_eq(&out.dst, &(struct addr){ 0 }) == false);
	ck_assert_mem_eq(out.dst.bytes, "\xc0\x00\x02\x02", 4);
	ck_assert(ip_parse(pbuf_data(&pkt), pbuf_len(&pkt), &info));
	ck_assert_int_eq(info.proto, IPPROTO_ESP);
	ck_assert(addr_eq(&info.dst, &out.dst));
	ck_assert_mem_ne(pbuf_data(&pkt) + 28, orig + 28, 32);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pkt), orig_len);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
	ck_assert_uint_eq(in.if_key, 5);
	ck_assert_uint_eq(in.hist.n, 1);
	ck_assert_uint_eq(in.hist.e[0].spi, 0x1001);
	ck_assert_uint_eq(atomic_load(&in.sa->cur_packets), 1);
	/* The same packet again is a replay, counted against the SA. */
	make_pkt("10.1.0.5", "10.2.0.9", 200);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	memcpy(orig, pbuf_data(&pkt), pbuf_len(&pkt));
	orig_len = pbuf_len(&pkt);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	ck_assert(pbuf_set(&pkt, orig, orig_len, 512));
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_REPLAY);
	ck_assert_uint_eq(
	    atomic_load(&in_sa(&hb, 0x1001)->drops[IPSEC_DROP_REPLAY]), 1);
}
END_TEST

/*
 * The outer IPv4 ID is never 0: the kernel replaces a zero ID of a raw
 * IP_HDRINCL packet (raw_send_hdrinc), which would break an AH ICV over
 * the outer header.  A fresh worker, and the wrap of the counter.
 */
START_TEST(test_dpath_output_ip_id_nonzero)
{
	static const uint16_t start[] = { 0, 0xffff, 0xfffe };
	struct dpath_out out;

	tunnel_pair();
	for (size_t i = 0; i < sizeof(start) / sizeof(start[0]); i++) {
		ha.d.ip_id = start[i];
		for (int j = 0; j < 3; j++) {
			make_pkt("10.1.0.5", "10.2.0.9", 20);
			ck_assert_int_eq(
			    dpath_output(&ha.d, 5, false, &pkt, &out),
			    IPSEC_OK);
			ck_assert_uint_ne(rd_u16_at(pbuf_data(&pkt) + 4), 0);
		}
	}
}
END_TEST

START_TEST(test_dpath_output_v6_in_v4)
{
	struct dpath_out out;
	struct dpath_in in;

	add_sa(&ha, IPPROTO_ESP, 0x2002, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&hb, IPPROTO_ESP, 0x2002, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_pol(&ha, SPD_DIR_OUT, "fd01::/64", "fd02::/64", SPD_ACTION_IPSEC,
	    "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	make_pkt("fd01::5", "fd02::9", 100);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_int_eq(pbuf_data(&pkt)[0] >> 4, 4);
	/* No inbound policy on b: def_policy (bypass by default) accepts. */
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
	/* With def_policy discard, the same packet is refused. */
	hb.knobs.def_policy = KNOBS_POLICY_DISCARD;
	make_pkt("fd01::5", "fd02::9", 100);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_POLICY);
}
END_TEST

START_TEST(test_dpath_output_policies)
{
	struct dpath_out out;

	/* No policy at all: dropped, never sent in the clear. */
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_POLICY);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.3.0.0/16",
	    SPD_ACTION_DISCARD, "", "", 0);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.4.0.0/16", SPD_ACTION_NONE,
	    "", "", 0);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.5.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.6.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_USE);
	make_pkt("10.1.0.5", "10.3.0.9", 10);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_POLICY);
	make_pkt("10.1.0.5", "10.4.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_ptr_null(out.sa);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
	/* require without an SA: NOSA, and the policy is named (ACQUIRE). */
	make_pkt("10.1.0.5", "10.5.0.9", 10);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_NOSA);
	ck_assert_ptr_nonnull(out.pol);
	ck_assert_int_eq(out.pol->sel.dst.addr.bytes[1], 5);
	/* use without an SA: sent as it is. */
	make_pkt("10.1.0.5", "10.6.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_ptr_null(out.sa);
	/* Malformed packet. */
	make_pkt("10.1.0.5", "10.6.0.9", 10);
	ck_assert(pbuf_trim(&pkt, 1));
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_HDR);
}
END_TEST

/*
 * AH in transport mode over an ESP tunnel (setkey: esp/tunnel/A-B/require
 * ah/transport//require): the AH SA is the one between the tunnel's
 * endpoints, the header it goes behind, not between the inner hosts.
 */
START_TEST(test_dpath_output_bundle_ah_over_tunnel)
{
	struct spd_policy p;
	struct dpath_out out;
	struct dpath_in in;
	struct ip_info info;
	uint32_t id;

	add_sa(&ha, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&ha, IPPROTO_AH, 0x1101, SA_MODE_TRANSPORT, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&hb, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&hb, IPPROTO_AH, 0x1101, SA_MODE_TRANSPORT, "192.0.2.1",
	    "192.0.2.2", 5);
	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_OUT;
	p.action = SPD_ACTION_IPSEC;
	p.priority = 100;
	selector_init_any(&p.sel, AF_INET);
	p.sel.src = P("10.1.0.0/16");
	p.sel.dst = P("10.2.0.0/16");
	p.ntmpl = 2;
	p.tmpl[0].proto = IPPROTO_ESP;
	p.tmpl[0].mode = SA_MODE_TUNNEL;
	p.tmpl[0].level = KNOBS_LEVEL_REQUIRE;
	p.tmpl[0].reqid = 5;
	p.tmpl[0].src = A("192.0.2.1");
	p.tmpl[0].dst = A("192.0.2.2");
	p.tmpl[1].proto = IPPROTO_AH;
	p.tmpl[1].mode = SA_MODE_TRANSPORT;
	p.tmpl[1].level = KNOBS_LEVEL_REQUIRE;
	p.tmpl[1].reqid = 5;
	ck_assert_int_eq(spd_insert(ha.sh.spd, &p, false, &id), SPD_OK);
	make_pkt("10.1.0.5", "10.2.0.9", 200);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pkt), pbuf_len(&pkt), &info));
	ck_assert_int_eq(info.proto, IPPROTO_AH);
	ck_assert_mem_eq(out.dst.bytes, "\xc0\x00\x02\x02", 4);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
	ck_assert_uint_eq(in.hist.n, 2);
	ck_assert_uint_eq(in.hist.e[0].spi, 0x1101);
	ck_assert_uint_eq(in.hist.e[1].spi, 0x1001);
}
END_TEST

START_TEST(test_dpath_output_transport_forwarded)
{
	struct dpath_out out;
	struct spd_policy p;
	uint32_t id;

	add_sa(&ha, IPPROTO_ESP, 0x3003, SA_MODE_TRANSPORT, "10.1.0.5",
	    "10.2.0.9", 0);
	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_OUT;
	p.action = SPD_ACTION_IPSEC;
	selector_init_any(&p.sel, AF_INET);
	p.ntmpl = 1;
	p.tmpl[0].proto = IPPROTO_ESP;
	p.tmpl[0].mode = SA_MODE_TRANSPORT;
	p.tmpl[0].level = KNOBS_LEVEL_REQUIRE;
	ck_assert_int_eq(spd_insert(ha.sh.spd, &p, false, &id), SPD_OK);
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 0, false, &pkt, &out), IPSEC_DROP_MODE);
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 0, true, &pkt, &out), IPSEC_OK);
	ck_assert_int_eq(pbuf_data(&pkt)[9], IPPROTO_ESP);
}
END_TEST

START_TEST(test_dpath_output_pmtu)
{
	struct dpath_out out;
	struct dpath_in in;
	uint8_t imem[2048];
	struct pbuf icmp;
	struct ip_info info;
	uint32_t mtu;

	tunnel_pair();
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	dpath_set_pmtu(&ha.d, out.sa, 1400);
	make_pkt("10.1.0.5", "10.2.0.9", 1472);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_TOOBIG);
	mtu = out.inner_mtu;
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len); /* unchanged */
	ck_assert_uint_eq(atomic_load(&out.sa->drops[IPSEC_DROP_TOOBIG]), 1);
	/* inner_mtu fits exactly: one byte more would not. */
	make_pkt("10.1.0.5", "10.2.0.9", mtu - 28);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_uint_le(pbuf_len(&pkt), 1400);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	make_pkt("10.1.0.5", "10.2.0.9", mtu - 28 + 1);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_TOOBIG);
	/* The ICMP error for the sender. */
	pbuf_init(&icmp, imem, sizeof(imem), 64);
	ck_assert(dpath_icmp_toobig(orig, orig_len, mtu, &(struct addr){ 0 },
		      &icmp) == false);
	ck_assert(dpath_icmp_toobig(orig, orig_len, mtu,
	    &(struct addr){ .family = AF_INET, .bytes = { 10, 1, 0, 1 } },
	    &icmp));
	ck_assert(ip_parse(pbuf_data(&icmp), pbuf_len(&icmp), &info));
	ck_assert_int_eq(info.proto, IPPROTO_ICMP);
	ck_assert_uint_eq(pbuf_len(&icmp), 576);
	ck_assert_int_eq(pbuf_data(&icmp)[20], 3);
	ck_assert_int_eq(pbuf_data(&icmp)[21], 4);
	ck_assert_uint_eq(rd_u16_at(pbuf_data(&icmp) + 26), mtu);
	ck_assert_uint_eq(ip_cksum(pbuf_data(&icmp) + 20, 556), 0);
	ck_assert_mem_eq(pbuf_data(&icmp) + 28, orig, 548);
	/* With dfbit clear the outer may fragment: no error, sent. */
	ha.knobs.dfbit = KNOBS_DF_CLEAR;
	make_pkt("10.1.0.5", "10.2.0.9", 1472);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
}
END_TEST

/*
 * IPv6 inside a tunnel whose path leaves less than the IPv6 minimum MTU:
 * a packet of at most 1280 bytes is encapsulated and the outer packet
 * fragmented, with DF clear on an IPv4 outer header (RFC 4213 section
 * 3.2, RFC 2473 section 7.1), since its sender may never send smaller; a
 * larger one gets packet-too-big with 1280, the smallest MTU an ICMPv6
 * error may carry, and the sender then sends what fits the rule above.
 */
START_TEST(test_dpath_output_pmtu_v6_min)
{
	struct dpath_out out;

	add_sa(&ha, IPPROTO_ESP, 0x2002, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_pol(&ha, SPD_DIR_OUT, "fd01::/64", "fd02::/64", SPD_ACTION_IPSEC,
	    "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	make_pkt("fd01::5", "fd02::9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	dpath_set_pmtu(&ha.d, out.sa, 1200);
	make_pkt("fd01::5", "fd02::9", 1280 - 48);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_uint_gt(pbuf_len(&pkt), 1200);
	ck_assert_int_eq(pbuf_data(&pkt)[6] & 0x40, 0); /* no DF */
	make_pkt("fd01::5", "fd02::9", 1280 - 48 + 1);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_TOOBIG);
	ck_assert_uint_eq(out.inner_mtu, 1280);
}
END_TEST

START_TEST(test_dpath_icmp_toobig_v6)
{
	uint8_t imem[2048];
	struct pbuf icmp;
	struct addr from = A("fd01::1");
	uint8_t *p;
	uint32_t sum = 0;
	size_t len;

	make_pkt("fd01::5", "fd02::9", 1400);
	pbuf_init(&icmp, imem, sizeof(imem), 64);
	ck_assert(!dpath_icmp_toobig(orig, orig_len, 1279, &from, &icmp));
	ck_assert(dpath_icmp_toobig(orig, orig_len, 1300, &from, &icmp));
	p = pbuf_data(&icmp);
	len = pbuf_len(&icmp);
	ck_assert_uint_eq(len, 1280);
	ck_assert_int_eq(p[6], IPPROTO_ICMPV6);
	ck_assert_int_eq(p[40], 2);
	ck_assert_uint_eq(rd_u32_at(p + 44), 1300);
	ck_assert_mem_eq(p + 24, orig + 8, 16); /* to the sender */
	/* Checksum over pseudo-header and message folds to zero. */
	for (size_t i = 8; i < 40; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	sum += (uint32_t)(len - 40) + IPPROTO_ICMPV6;
	for (size_t i = 40; i < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff);
	/* Never an error about an error; never for a malformed packet. */
	orig[6] = IPPROTO_ICMPV6;
	orig[40] = 1; /* destination unreachable */
	ck_assert(!dpath_icmp_toobig(orig, orig_len, 1300, &from, &icmp));
	ck_assert(!dpath_icmp_toobig(orig, orig_len - 1, 1300, &from, &icmp));
}
END_TEST

START_TEST(test_dpath_output_lifetime)
{
	struct dpath_out out;
	struct sad_entry *e;
	struct sa sa;

	tunnel_pair();
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	/* Replace the SA by one with a hard limit of 2 packets. */
	memcpy(&sa, &out.sa->sa, sizeof(sa));
	sa.hard.packets = 2;
	e = sad_entry_new(&sa, replay_size(64), 100);
	replay_init(e->sa.replay, 64, false);
	ck_assert(sad_state_set(e, SA_STATE_MATURE));
	ck_assert_int_eq(sad_update(ha.sh.sad, e), SAD_OK);
	urcu_qsbr_quiescent_state();
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(
	    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_DROP_LIFETIME);
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_LIFETIME]), 1);
}
END_TEST

/*
 * Two packets through the steps with their ops held and run afterwards,
 * the second's first: each is protected with its own sequence number and
 * decapsulates on the other side, as through the one-call functions.
 */
START_TEST(test_dpath_output_step_deferred)
{
	static uint8_t m2[4096];
	struct dpath_job j1, j2, ji;
	struct pbuf p2;
	uint8_t o1[512], o2[512];
	size_t l1, l2;
	enum ipsec_verdict v1, v2, vi;

	tunnel_pair();
	make_pkt("10.1.0.5", "10.2.0.9", 100);
	memcpy(o1, orig, orig_len);
	l1 = orig_len;
	pbuf_init(&p2, m2, sizeof(m2), 256);
	make_pkt("10.1.0.6", "10.2.0.9", 120);
	memcpy(o2, orig, orig_len);
	l2 = orig_len;
	ck_assert(pbuf_set(&p2, o2, l2, 256));
	ck_assert(pbuf_set(&pkt, o1, l1, 512));
	v1 = dpath_output_begin(&ha.d, 5, false, &pkt, &j1);
	v2 = dpath_output_begin(&ha.d, 5, false, &p2, &j2);
	ck_assert_int_eq(v1, IPSEC_PENDING);
	ck_assert_int_eq(v2, IPSEC_PENDING);
	cipher_run(&j2.run.job.op);
	cipher_run(&j1.run.job.op);
	ck_assert_int_eq(dpath_output_step(&ha.d, &j2), IPSEC_OK);
	ck_assert_int_eq(dpath_output_step(&ha.d, &j1), IPSEC_OK);
	ck_assert_ptr_eq(j1.out.sa, j2.out.sa);
	/* Sequence numbers in the order the packets began: 1, then 2. */
	ck_assert_uint_eq(rd_u32_at(pbuf_data(&pkt) + 24), 1);
	ck_assert_uint_eq(rd_u32_at(pbuf_data(&p2) + 24), 2);
	/* Inbound through the steps too, second packet first. */
	vi = dpath_input_begin(&hb.d, &p2, &ji);
	ck_assert_int_eq(vi, IPSEC_PENDING);
	cipher_run(&ji.run.job.op);
	ck_assert_int_eq(dpath_input_step(&hb.d, &ji), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&p2), o2, l2);
	ck_assert_uint_eq(ji.in.if_key, 5);
	vi = dpath_input_begin(&hb.d, &pkt, &ji);
	cipher_run(&ji.run.job.op);
	ck_assert_int_eq(dpath_input_step(&hb.d, &ji), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&pkt), o1, l1);
}
END_TEST

START_TEST(test_dpath_input_policy_mismatch)
{
	struct dpath_out out;
	struct dpath_in in;

	tunnel_pair();
	/* b's inbound policy for 10.1/16 -> 10.7/16 wants other endpoints. */
	add_pol(&hb, SPD_DIR_IN, "10.1.0.0/16", "10.7.0.0/16", SPD_ACTION_IPSEC,
	    "192.0.2.1", "192.0.2.99", KNOBS_LEVEL_REQUIRE);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.7.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	hb.knobs.check_policy_history = true;
	make_pkt("10.1.0.5", "10.7.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_POLICY);
	ck_assert_uint_eq(
	    atomic_load(&in_sa(&hb, 0x1001)->drops[IPSEC_DROP_POLICY]), 1);
	/* Unknown SPI: NOSA. */
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	pbuf_data(&pkt)[20] ^= 0x80;
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_NOSA);
	/* A plain packet on the IPsec socket: not ours. */
	make_pkt("10.1.0.5", "10.2.0.9", 10);
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_PROTO);
}
END_TEST

START_TEST(test_dpath_input_icv)
{
	struct dpath_out out;
	struct dpath_in in;
	struct sad_entry *e;

	tunnel_pair();
	make_pkt("10.1.0.5", "10.2.0.9", 64);
	ck_assert_int_eq(dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
	pbuf_data(&pkt)[pbuf_len(&pkt) - 1] ^= 1;
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_DROP_ICV);
	e = in_sa(&hb, 0x1001);
	ck_assert_uint_eq(atomic_load(&e->drops[IPSEC_DROP_ICV]), 1);
	ck_assert_uint_eq(atomic_load(&e->cur_packets), 0);
}
END_TEST

/* dpath with the test provider ------------------------------------- */

static struct crypto_lib *tplib;
static unsigned nevents;
static enum dpath_crypto_state last_event;

static void
event_fn(void *arg, const struct sad_entry *e, enum dpath_crypto_state st)
{
	(void)arg;
	ck_assert_uint_eq(e->sa.spi, 0x1001);
	nevents++;
	last_event = st;
}

/* Host a on the test provider, failing after fail_after operations. */
static void
setup_tp(enum crypto_policy pol, const char *fail_after)
{
	struct crypto_conf cc;

	setup();
	tp_conf(&cc, pol, "fail-after", fail_after, NULL);
	tplib = tp_open(&cc);
	ha.sh.lib = tplib;
	ha.d.crypto_event = event_fn;
	nevents = 0;
	last_event = DPATH_CRYPTO_OK;
}

static void
setup_tp_sound(void)
{
	setup_tp(CRYPTO_POLICY_PREFER, "0");
}

static void
setup_tp_prefer(void)
{
	setup_tp(CRYPTO_POLICY_PREFER, "2");
}

static void
setup_tp_require(void)
{
	setup_tp(CRYPTO_POLICY_REQUIRE, "2");
}

static void
teardown_tp(void)
{
	teardown();
	crypto_lib_free(tplib);
}

/* One packet a -> b; returns a's verdict (b must accept an OK one). */
static enum ipsec_verdict
a_to_b(size_t n)
{
	struct dpath_out out;
	struct dpath_in in;
	enum ipsec_verdict v;

	make_pkt("10.1.0.5", "10.2.0.9", n);
	if ((v = dpath_output(&ha.d, 5, false, &pkt, &out)) != IPSEC_OK)
		return v;
	ck_assert_int_eq(dpath_input(&hb.d, &pkt, &in), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
	return v;
}

/*
 * The daemon's ESP path on the test provider (hardware, as prefer
 * chose) gives the default provider's bytes: host b, on the default
 * provider, has the same SA; both encapsulate the same packets.
 */
START_TEST(test_dpath_output_offload_same_bytes)
{
	static uint8_t m2[4096];
	struct dpath_out out;
	struct dpath_sa_state *st;
	struct pbuf p2;

	add_sa(&ha, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_sa(&hb, IPPROTO_ESP, 0x1001, SA_MODE_TUNNEL, "192.0.2.1",
	    "192.0.2.2", 5);
	add_pol(&ha, SPD_DIR_OUT, "10.1.0.0/16", "10.2.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	add_pol(&hb, SPD_DIR_OUT, "10.1.0.0/16", "10.2.0.0/16",
	    SPD_ACTION_IPSEC, "192.0.2.1", "192.0.2.2", KNOBS_LEVEL_REQUIRE);
	pbuf_init(&p2, m2, sizeof(m2), 256);
	for (size_t n = 0; n < 300; n += 37) {
		make_pkt("10.1.0.5", "10.2.0.9", n);
		ck_assert(pbuf_set(&p2, orig, orig_len, 256));
		ck_assert_int_eq(
		    dpath_output(&ha.d, 5, false, &pkt, &out), IPSEC_OK);
		ck_assert_int_eq(
		    dpath_output(&hb.d, 5, false, &p2, &out), IPSEC_OK);
		ck_assert_uint_eq(pbuf_len(&pkt), pbuf_len(&p2));
		ck_assert_mem_eq(
		    pbuf_data(&pkt), pbuf_data(&p2), pbuf_len(&p2));
	}
	st = sad_wstate_get(in_sa(&ha, 0x1001), ha.d.slot);
	ck_assert_ptr_nonnull(st);
	ck_assert(cipher_choice(st->c)->enc.is_hw);
	ck_assert_str_eq(cipher_choice(st->c)->enc.provider, "ipsecdtest");
	ck_assert_uint_ge(tp_counter(tplib, "ops"), 9);
}
END_TEST

/* prefer: the failed operation's packet is lost, the next ones go. */
START_TEST(test_dpath_failover_prefer_falls_back)
{
	struct dpath_sa_crypto sc;
	struct dpath_sa_state *st;

	tunnel_pair();
	ck_assert_int_eq(a_to_b(100), IPSEC_OK);
	ck_assert_int_eq(a_to_b(100), IPSEC_OK);
	ck_assert_uint_eq(nevents, 0);
	ck_assert_int_eq(a_to_b(100), IPSEC_DROP_CRYPTO);
	ck_assert_uint_eq(nevents, 1);
	ck_assert_int_eq(last_event, DPATH_CRYPTO_FALLBACK);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(a_to_b(100 + (size_t)i), IPSEC_OK);
	ck_assert_uint_eq(nevents, 1);
	st = sad_wstate_get(in_sa(&ha, 0x1001), ha.d.slot);
	ck_assert(!cipher_choice(st->c)->enc.is_hw);
	dpath_sa_crypto(in_sa(&ha, 0x1001), 2, &sc);
	ck_assert_uint_eq(sc.errors, 1);
	ck_assert_uint_eq(sc.nfallback, 1);
	ck_assert_uint_eq(sc.nstopped, 0);
	ck_assert_uint_eq(
	    atomic_load(&in_sa(&ha, 0x1001)->drops[IPSEC_DROP_CRYPTO]), 1);
	ck_assert_uint_eq(tp_counter(tplib, "failures"), 1);
}
END_TEST

/* require: the SA stops on this worker; its packets are dropped. */
START_TEST(test_dpath_failover_require_stops)
{
	struct dpath_sa_crypto sc;

	tunnel_pair();
	ck_assert_int_eq(a_to_b(100), IPSEC_OK);
	ck_assert_int_eq(a_to_b(100), IPSEC_OK);
	ck_assert_int_eq(a_to_b(100), IPSEC_DROP_CRYPTO);
	ck_assert_uint_eq(nevents, 1);
	ck_assert_int_eq(last_event, DPATH_CRYPTO_STOPPED);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(a_to_b(100), IPSEC_DROP_CRYPTO);
	ck_assert_uint_eq(nevents, 1);
	dpath_sa_crypto(in_sa(&ha, 0x1001), 2, &sc);
	ck_assert_uint_eq(sc.errors, 1);
	ck_assert_uint_eq(sc.nfallback, 0);
	ck_assert_uint_eq(sc.nstopped, 1);
	ck_assert_uint_eq(
	    atomic_load(&in_sa(&ha, 0x1001)->drops[IPSEC_DROP_CRYPTO]), 4);
	/* Only the one operation reached the provider after the stop. */
	ck_assert_uint_eq(tp_counter(tplib, "failures"), 1);
	ck_assert_str_eq(
	    dpath_crypto_state_name(DPATH_CRYPTO_STOPPED), "stopped");
}
END_TEST

static Suite *
dpath_suite(void)
{
	Suite *s = suite_create("dpath");
	TCase *tc = tcase_create("dpath_output");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dpath_output_tunnel_roundtrip);
	tcase_add_test(tc, test_dpath_output_v6_in_v4);
	tcase_add_test(tc, test_dpath_output_ip_id_nonzero);
	tcase_add_test(tc, test_dpath_output_policies);
	tcase_add_test(tc, test_dpath_output_transport_forwarded);
	tcase_add_test(tc, test_dpath_output_bundle_ah_over_tunnel);
	tcase_add_test(tc, test_dpath_output_pmtu);
	tcase_add_test(tc, test_dpath_output_pmtu_v6_min);
	tcase_add_test(tc, test_dpath_output_lifetime);
	tcase_add_test(tc, test_dpath_output_step_deferred);
	suite_add_tcase(s, tc);
	tc = tcase_create("dpath_input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dpath_input_policy_mismatch);
	tcase_add_test(tc, test_dpath_input_icv);
	suite_add_tcase(s, tc);
	tc = tcase_create("dpath_icmp_toobig");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dpath_icmp_toobig_v6);
	suite_add_tcase(s, tc);
	tc = tcase_create("dpath_offload");
	tcase_add_checked_fixture(tc, setup_tp_sound, teardown_tp);
	tcase_add_test(tc, test_dpath_output_offload_same_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("dpath_offload_prefer");
	tcase_add_checked_fixture(tc, setup_tp_prefer, teardown_tp);
	tcase_add_test(tc, test_dpath_failover_prefer_falls_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("dpath_offload_require");
	tcase_add_checked_fixture(tc, setup_tp_require, teardown_tp);
	tcase_add_test(tc, test_dpath_failover_require_stops);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dpath_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
