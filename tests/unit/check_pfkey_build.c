/*
 * Unit tests for src/pfkey/pfkey_build.c and src/pfkey/pfkey_compose.c:
 * the struct layouts we rely on, the bounded writer, two messages laid
 * out as setkey sends them (hand-checked hex), and round trips of every
 * composed message through the parser and the conversions.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "crypto/alg.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_msg.h"
#include "tests/unit/hex.h"

/* The layouts of <linux/pfkeyv2.h> (RFC 2367 section 2.3) we depend on. */
_Static_assert(sizeof(struct sadb_msg) == 16, "sadb_msg");
_Static_assert(offsetof(struct sadb_msg, sadb_msg_len) == 4, "msg_len");
_Static_assert(offsetof(struct sadb_msg, sadb_msg_seq) == 8, "msg_seq");
_Static_assert(sizeof(struct sadb_ext) == 4, "sadb_ext");
_Static_assert(sizeof(struct sadb_sa) == 16, "sadb_sa");
_Static_assert(offsetof(struct sadb_sa, sadb_sa_spi) == 4, "sa_spi");
_Static_assert(offsetof(struct sadb_sa, sadb_sa_flags) == 12, "sa_flags");
_Static_assert(sizeof(struct sadb_lifetime) == 32, "sadb_lifetime");
_Static_assert(
    offsetof(struct sadb_lifetime, sadb_lifetime_bytes) == 8, "lifetime_bytes");
_Static_assert(sizeof(struct sadb_address) == 8, "sadb_address");
_Static_assert(offsetof(struct sadb_address, sadb_address_prefixlen) == 5,
    "address_prefixlen");
_Static_assert(sizeof(struct sadb_key) == 8, "sadb_key");
_Static_assert(offsetof(struct sadb_key, sadb_key_bits) == 4, "key_bits");
_Static_assert(sizeof(struct sadb_ident) == 16, "sadb_ident");
_Static_assert(sizeof(struct sadb_sens) == 16, "sadb_sens");
_Static_assert(sizeof(struct sadb_prop) == 8, "sadb_prop");
_Static_assert(sizeof(struct sadb_comb) == 72, "sadb_comb");
_Static_assert(sizeof(struct sadb_supported) == 8, "sadb_supported");
_Static_assert(sizeof(struct sadb_alg) == 8, "sadb_alg");
_Static_assert(sizeof(struct sadb_spirange) == 16, "sadb_spirange");
_Static_assert(sizeof(struct sadb_x_kmprivate) == 8, "sadb_x_kmprivate");
_Static_assert(sizeof(struct sadb_x_sa2) == 16, "sadb_x_sa2");
_Static_assert(
    offsetof(struct sadb_x_sa2, sadb_x_sa2_reqid) == 12, "sa2_reqid");
_Static_assert(sizeof(struct sadb_x_policy) == 16, "sadb_x_policy");
_Static_assert(
    offsetof(struct sadb_x_policy, sadb_x_policy_id) == 8, "policy_id");
_Static_assert(sizeof(struct sadb_x_ipsecrequest) == 16, "sadb_x_ipsecrequest");
_Static_assert(
    offsetof(struct sadb_x_ipsecrequest, sadb_x_ipsecrequest_reqid) == 8,
    "ipsecrequest_reqid");
_Static_assert(sizeof(struct sadb_x_nat_t_type) == 8, "sadb_x_nat_t_type");
_Static_assert(sizeof(struct sadb_x_nat_t_port) == 8, "sadb_x_nat_t_port");
_Static_assert(offsetof(struct sadb_x_nat_t_port, sadb_x_nat_t_port_port) == 4,
    "nat_t_port");
_Static_assert(sizeof(struct sadb_x_sec_ctx) == 8, "sadb_x_sec_ctx");
_Static_assert(sizeof(struct sadb_x_kmaddress) == 8, "sadb_x_kmaddress");
_Static_assert(sizeof(struct sadb_x_filter) == 40, "sadb_x_filter");
_Static_assert(offsetof(struct sadb_x_filter, sadb_x_filter_family) == 36,
    "filter_family");
_Static_assert(sizeof(struct sockaddr_in) == 16, "sockaddr_in");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "sockaddr_in6");

static struct pfkey_msg M;
static struct pfkey_err E;
static uint8_t B[16384];
static struct pfkey_wr W;

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert_msg(addr_parse(&a, s), "bad address %s", s);
	return a;
}

static void
parse_kernel(const uint8_t *p, size_t n)
{
	ck_assert_msg(n > 0, "nothing composed");
	ck_assert_msg(pfkey_msg_parse(&M, p, n, PFKEY_ORIGIN_KERNEL, &E),
	    "composed message refused: %s", E.why);
}

/* The extension types of a message in order, 0-terminated. */
static void
ext_order(const uint8_t *p, size_t n, uint16_t *out, size_t max)
{
	size_t i = 0;

	for (size_t off = 16; off < n && i + 1 < max;) {
		uint16_t len, type;

		memcpy(&len, p + off, 2);
		memcpy(&type, p + off + 2, 2);
		out[i++] = type;
		off += (size_t)len * 8;
	}
	out[i] = 0;
}

static void
check_order(const uint8_t *p, size_t n, const uint16_t *want)
{
	uint16_t got[32];
	size_t i;

	ext_order(p, n, got, 32);
	for (i = 0; want[i] != 0; i++)
		ck_assert_msg(got[i] == want[i], "ext %zu is %u, expected %u",
		    i, got[i], want[i]);
	ck_assert_msg(got[i] == 0, "extra ext %u", got[i]);
}

/* --- setkey's messages, byte for byte --- */

/*
 * `add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -u 5 -r 32
 *  -E aes-cbc 0x00112233445566778899aabbccddeeff
 *  -A hmac-sha256 0x000102..1f;` as setkey (libipsec pfkey_send_x1)
 * sends it from pid 0x1234 with seq 1, on x86-64 (host order little
 * endian).  Extension order: SA, X_SA2, SRC, DST, KEY_ENCRYPT, KEY_AUTH,
 * LIFETIME_HARD, LIFETIME_SOFT (zero: no lifetime given).
 */
static const char setkey_add[] =
    /* sadb_msg: version 2, type 3 ADD, errno 0, satype 3 ESP,
     * len 28 units (224 bytes), reserved 0, seq 1, pid 0x1234 */
    "02 03 00 03 1c 00 00 00  01 00 00 00 34 12 00 00"
    /* sadb_sa: len 2, type 1; spi 0x1000 (network order); replay 32,
     * state 0 (larval, setkey's), auth 5 (sha2-256), encrypt 12
     * (aes-cbc); flags 0 */
    "02 00 01 00 00 00 10 00  20 00 05 0c 00 00 00 00"
    /* sadb_x_sa2: len 2, type 19; mode 2 (tunnel), reserved;
     * sequence 0; reqid 5 */
    "02 00 13 00 02 00 00 00  00 00 00 00 05 00 00 00"
    /* sadb_address: len 3, type 5 (src); proto 255 (any), prefixlen
     * 32, reserved; sockaddr_in: family 2 (host order), port 0,
     * 192.0.2.1, zero[8] */
    "03 00 05 00 ff 20 00 00  02 00 00 00 c0 00 02 01"
    "00 00 00 00 00 00 00 00"
    /* sadb_address: len 3, type 6 (dst), the same for 192.0.2.2 */
    "03 00 06 00 ff 20 00 00  02 00 00 00 c0 00 02 02"
    "00 00 00 00 00 00 00 00"
    /* sadb_key: len 3, type 9 (encrypt); bits 128, reserved; key */
    "03 00 09 00 80 00 00 00  00 11 22 33 44 55 66 77"
    "88 99 aa bb cc dd ee ff"
    /* sadb_key: len 5, type 8 (auth); bits 256 (0x0100), reserved; key */
    "05 00 08 00 00 01 00 00  00 01 02 03 04 05 06 07"
    "08 09 0a 0b 0c 0d 0e 0f  10 11 12 13 14 15 16 17"
    "18 19 1a 1b 1c 1d 1e 1f"
    /* sadb_lifetime: len 4, type 3 (hard); allocations, bytes,
     * addtime, usetime all 0 */
    "04 00 03 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
    /* sadb_lifetime: len 4, type 4 (soft), all 0 */
    "04 00 04 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00";

/*
 * `spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec
 *  esp/tunnel/192.0.2.1-192.0.2.2/require;` as setkey (pfkey_send_x4
 * with ipsec_set_policy's X_POLICY) sends it, pid 0x1234, seq 2:
 * SRC, DST, LIFETIME_HARD (zero), X_POLICY.
 */
static const char setkey_spdadd[] =
    /* sadb_msg: type 14 SPDADD, satype 0, len 20 units (160 bytes) */
    "02 0e 00 00 14 00 00 00  02 00 00 00 34 12 00 00"
    /* src: proto 255, prefixlen 16, 10.1.0.0 port 0 */
    "03 00 05 00 ff 10 00 00  02 00 00 00 0a 01 00 00"
    "00 00 00 00 00 00 00 00"
    /* dst: proto 255, prefixlen 16, 10.2.0.0 */
    "03 00 06 00 ff 10 00 00  02 00 00 00 0a 02 00 00"
    "00 00 00 00 00 00 00 00"
    /* hard lifetime: ltime 0, vtime 0 */
    "04 00 03 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
    /* sadb_x_policy: len 8 units, type 18; policy type 2 (ipsec),
     * dir 2 (out), reserved; id 0; priority 0x80000000 (setkey's
     * PRIORITY_DEFAULT) */
    "08 00 12 00 02 00 02 00  00 00 00 00 00 00 00 80"
    /* sadb_x_ipsecrequest: len 48 bytes (not units), proto 50 (esp),
     * mode 2 (tunnel), level 2 (require), reserved; reqid 0, reserved */
    "30 00 32 00 02 02 00 00  00 00 00 00 00 00 00 00"
    /* the endpoints: sockaddr_in 192.0.2.1, sockaddr_in 192.0.2.2 */
    "02 00 00 00 c0 00 02 01  00 00 00 00 00 00 00 00"
    "02 00 00 00 c0 00 02 02  00 00 00 00 00 00 00 00";

START_TEST(test_pfkey_build_setkey_add)
{
	static uint8_t want[512];
	static const uint8_t ekey[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	uint8_t akey[32];
	struct pfkey_hdr h = { 0, SADB_ADD, 0, SADB_SATYPE_ESP, 0, 0, 1,
		0x1234 };
	struct sadb_sa sa;
	struct sadb_x_sa2 sa2;
	struct sadb_lifetime none;
	struct pfkey_address src = { A("192.0.2.1"), 0, IPSEC_ULPROTO_ANY, 32 };
	struct pfkey_address dst = { A("192.0.2.2"), 0, IPSEC_ULPROTO_ANY, 32 };
	struct sa out;
	size_t wn = unhex(setkey_add, want, sizeof(want)), n;

	ck_assert_uint_eq(wn, 224);
	for (size_t i = 0; i < sizeof(akey); i++)
		akey[i] = (uint8_t)i;
	memset(&sa, 0, sizeof(sa));
	sa.sadb_sa_spi = htonl(0x1000);
	sa.sadb_sa_replay = 32;
	sa.sadb_sa_auth = SADB_X_AALG_SHA2_256HMAC;
	sa.sadb_sa_encrypt = SADB_X_EALG_AESCBC;
	memset(&sa2, 0, sizeof(sa2));
	sa2.sadb_x_sa2_mode = IPSEC_MODE_TUNNEL;
	sa2.sadb_x_sa2_reqid = 5;
	memset(&none, 0, sizeof(none));
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	ck_assert(pfkey_build_sa(&W, &sa));
	ck_assert(pfkey_build_sa2(&W, &sa2));
	ck_assert(pfkey_build_address(&W, SADB_EXT_ADDRESS_SRC, &src));
	ck_assert(pfkey_build_address(&W, SADB_EXT_ADDRESS_DST, &dst));
	ck_assert(pfkey_build_key(&W, SADB_EXT_KEY_ENCRYPT, ekey, 16));
	ck_assert(pfkey_build_key(&W, SADB_EXT_KEY_AUTH, akey, 32));
	ck_assert(pfkey_build_lifetime(&W, SADB_EXT_LIFETIME_HARD, &none));
	ck_assert(pfkey_build_lifetime(&W, SADB_EXT_LIFETIME_SOFT, &none));
	n = pfkey_build_finish(&W);
	ck_assert_uint_eq(n, wn);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(B[i] == want[i], "byte %zu: %02x, expected %02x",
		    i, B[i], want[i]);
	/* And the hand-written bytes are what a user's ADD parses to. */
	ck_assert_msg(
	    pfkey_msg_parse(&M, want, wn, PFKEY_ORIGIN_USER, &E), "%s", E.why);
	ck_assert_msg(pfkey_conv_sa(&M, &out, &E), "%s", E.why);
	ck_assert_uint_eq(out.spi, 0x1000);
	ck_assert_int_eq(out.proto, IPPROTO_ESP);
	ck_assert_int_eq(out.mode, SA_MODE_TUNNEL);
	ck_assert_uint_eq(out.reqid, 5);
	ck_assert_uint_eq(out.replay_window, 32);
	ck_assert_ptr_eq(out.key.enc, alg_get(ALG_AES_CBC));
	ck_assert_ptr_eq(out.key.auth, alg_get(ALG_HMAC_SHA256_128));
	ck_assert_mem_eq(out.key.enc_key, ekey, 16);
	ck_assert_mem_eq(out.key.auth_key, akey, 32);
	ck_assert(addr_eq(&out.dst, &dst.addr));
	cipher_key_clear(&out.key);
}
END_TEST

START_TEST(test_pfkey_build_setkey_spdadd)
{
	static uint8_t want[512];
	struct pfkey_hdr h = { 0, SADB_X_SPDADD, 0, 0, 0, 0, 2, 0x1234 };
	struct pfkey_address src = { A("10.1.0.0"), 0, IPSEC_ULPROTO_ANY, 16 };
	struct pfkey_address dst = { A("10.2.0.0"), 0, IPSEC_ULPROTO_ANY, 16 };
	struct sadb_lifetime none;
	struct pfkey_policy pol;
	struct spd_policy out;
	size_t wn = unhex(setkey_spdadd, want, sizeof(want)), n;

	ck_assert_uint_eq(wn, 160);
	memset(&none, 0, sizeof(none));
	memset(&pol, 0, sizeof(pol));
	pol.type = IPSEC_POLICY_IPSEC;
	pol.dir = IPSEC_DIR_OUTBOUND;
	pol.priority = 0x80000000u;
	pol.nreq = 1;
	pol.req[0].proto = IPPROTO_ESP;
	pol.req[0].mode = IPSEC_MODE_TUNNEL;
	pol.req[0].level = IPSEC_LEVEL_REQUIRE;
	pol.req[0].src = A("192.0.2.1");
	pol.req[0].dst = A("192.0.2.2");
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	ck_assert(pfkey_build_address(&W, SADB_EXT_ADDRESS_SRC, &src));
	ck_assert(pfkey_build_address(&W, SADB_EXT_ADDRESS_DST, &dst));
	ck_assert(pfkey_build_lifetime(&W, SADB_EXT_LIFETIME_HARD, &none));
	ck_assert(pfkey_build_policy(&W, &pol));
	n = pfkey_build_finish(&W);
	ck_assert_uint_eq(n, wn);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(B[i] == want[i], "byte %zu: %02x, expected %02x",
		    i, B[i], want[i]);
	ck_assert_msg(
	    pfkey_msg_parse(&M, want, wn, PFKEY_ORIGIN_USER, &E), "%s", E.why);
	ck_assert_msg(pfkey_conv_policy(&M, &out, &E), "%s", E.why);
	ck_assert_int_eq(out.dir, SPD_DIR_OUT);
	ck_assert_int_eq(out.action, SPD_ACTION_IPSEC);
	ck_assert_uint_eq(out.priority, 0x80000000u);
	ck_assert_uint_eq(out.ntmpl, 1);
	ck_assert_int_eq(out.tmpl[0].mode, SA_MODE_TUNNEL);
	ck_assert(addr_eq(&out.tmpl[0].src, &pol.req[0].src));
	ck_assert_int_eq(out.sel.src.len, 16);
}
END_TEST

/* --- the writer --- */

static bool
all_usable(const struct alg *a, void *arg)
{
	(void)a;
	(void)arg;
	return true;
}

static bool
none_usable(const struct alg *a, void *arg)
{
	(void)a;
	(void)arg;
	return false;
}

/* Only the algorithms whose ids are set in *arg (a bit mask). */
static bool
mask_usable(const struct alg *a, void *arg)
{
	return (*(const unsigned *)arg & (1u << a->id)) != 0;
}

static void
mk_entry(struct sad_entry *e, const struct sa *sa)
{
	memset(e, 0, sizeof(*e));
	e->sa = *sa;
	atomic_store(&e->state, SA_STATE_MATURE);
	e->add_sec = 1700000000;
	atomic_store(&e->use_sec, 1700000042);
	atomic_store(&e->cur_bytes, 123456789);
	atomic_store(&e->cur_packets, 4242);
}

static void
mk_esp(struct sa *sa, const char *src, const char *dst)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = 0xc0ffee01;
	sa->proto = IPPROTO_ESP;
	sa->mode = SA_MODE_TUNNEL;
	sa->reqid = 3;
	sa->src = A(src);
	sa->dst = A(dst);
	sa->replay_window = 64;
	sa->key.enc = alg_get(ALG_AES_CBC);
	sa->key.enc_len = 32;
	memset(sa->key.enc_key, 0x5a, 32);
	sa->key.auth = alg_get(ALG_HMAC_SHA512_256);
	sa->key.auth_len = 64;
	memset(sa->key.auth_key, 0xa5, 64);
	sa->flags = SA_F_UDP_ENCAP;
	sa->encap_sport = 4500;
	sa->encap_dport = 4501;
}

static bool
untouched(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xee)
			return false;
	return true;
}

/* Every buffer too small by any amount: nothing past it is written. */
START_TEST(test_pfkey_wr_never_overflows)
{
	static uint8_t buf[2048];
	struct pfkey_hdr h = { 0, SADB_DUMP, 0, SADB_SATYPE_ESP, 0, 0, 1, 2 };
	struct sad_entry e;
	struct spd_policy p;
	struct pfkey_acquire aq = { 5, IPPROTO_ESP, A("192.0.2.1"),
		A("192.0.2.2"), 9, 100 };
	struct sa sa;
	size_t full[3];

	mk_esp(&sa, "2001:db8::1", "2001:db8::2");
	mk_entry(&e, &sa);
	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_OUT;
	p.action = SPD_ACTION_IPSEC;
	p.ntmpl = 2;
	p.tmpl[0].proto = IPPROTO_ESP;
	p.tmpl[0].mode = SA_MODE_TUNNEL;
	p.tmpl[0].src = A("2001:db8::1");
	p.tmpl[0].dst = A("2001:db8::2");
	p.tmpl[1].proto = IPPROTO_AH;
	p.tmpl[1].mode = SA_MODE_TRANSPORT;
	selector_init_any(&p.sel, AF_INET6);
	for (int kind = 0; kind < 3; kind++) {
		pfkey_wr_init(&W, buf, sizeof(buf));
		full[kind] = kind == 0
		    ? pfkey_compose_sa(&W, &h, &e, PFKEY_SA_ALL)
		    : kind == 1
		    ? pfkey_compose_policy(&W, &h, &p, NULL)
		    : pfkey_compose_acquire(&W, &aq, all_usable, NULL);
		ck_assert_uint_gt(full[kind], 16);
		for (size_t cap = 0; cap <= full[kind]; cap++) {
			size_t n;

			memset(buf, 0xee, sizeof(buf));
			pfkey_wr_init(&W, buf, cap);
			n = kind == 0
			    ? pfkey_compose_sa(&W, &h, &e, PFKEY_SA_ALL)
			    : kind == 1
			    ? pfkey_compose_policy(&W, &h, &p, NULL)
			    : pfkey_compose_acquire(&W, &aq, all_usable, NULL);
			ck_assert_uint_eq(
			    n, cap == full[kind] ? full[kind] : 0);
			ck_assert(W.has_failed == (cap != full[kind]));
			ck_assert_msg(untouched(buf + cap, sizeof(buf) - cap),
			    "kind %d cap %zu: written past the end", kind, cap);
		}
	}
	/* No buffer at all. */
	pfkey_wr_init(&W, NULL, 100);
	ck_assert(!pfkey_build_hdr(&W, &h));
	ck_assert_uint_eq(pfkey_build_finish(&W), 0);
}
END_TEST

START_TEST(test_pfkey_wr_refuses_bad_input)
{
	struct pfkey_hdr h = { 0, SADB_X_SPDDUMP, 0, 0, 0, 0, 0, 0 };
	struct pfkey_address none = { { 0 }, 0, 0, 0 };
	struct pfkey_policy pol;
	struct addr v4 = A("192.0.2.1"), v6 = A("2001:db8::1");
	uint8_t key[8192];

	/* An address of no family. */
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	ck_assert(!pfkey_build_address(&W, SADB_EXT_ADDRESS_SRC, &none));
	ck_assert(W.has_failed);
	/* Once failed, every append and the finish fail. */
	ck_assert(!pfkey_build_nat_t_type(&W, UDP_ENCAP_ESPINUDP));
	ck_assert_uint_eq(pfkey_build_finish(&W), 0);
	/* A key whose bits do not fit 16 bits. */
	memset(key, 0, sizeof(key));
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	ck_assert(pfkey_build_key(&W, SADB_EXT_KEY_AUTH, key, 8191));
	ck_assert(!pfkey_build_key(&W, SADB_EXT_KEY_AUTH, key, 8192));
	/* A request with endpoints of two families; a kmaddress likewise. */
	memset(&pol, 0, sizeof(pol));
	pol.nreq = 1;
	pol.req[0].src = v4;
	pol.req[0].dst = v6;
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(!pfkey_build_policy(&W, &pol));
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(!pfkey_build_kmaddress(&W, &v4, &v6));
	/* More requests than an X_POLICY may hold. */
	pol.nreq = PFKEY_REQ_MAX + 1;
	pol.req[0].dst = v4;
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(!pfkey_build_policy(&W, &pol));
	/* A supported list of no known type. */
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(!pfkey_build_supported(&W, SADB_EXT_SA, all_usable, NULL));
	/* An extension body that cannot be described in 16-bit units. */
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(!pfkey_build_ext(&W, SADB_X_EXT_KMPRIVATE, B, 8u * 65536));
}
END_TEST

/* Generic extensions, identities and sec ctx, as the parser reads them. */
START_TEST(test_pfkey_build_ext_generic)
{
	struct pfkey_hdr h = { 0, SADB_X_SPDDUMP, 0, 0, 0, 0, 0, 0 };
	uint8_t ident[12 + 8] = { SADB_IDENTTYPE_FQDN };
	const char ctx[] = "system_u:object_r:ipsec_spd_t:s0";
	struct addr l = A("2001:db8::1"), r = A("2001:db8::2");
	struct sadb_spirange range = { 0, 0, 0x100, 0x1ff, 0 };
	struct sadb_x_filter f;
	size_t n, len;
	const uint8_t *p;

	memcpy(ident + 12, "a.example", 8);
	memset(&f, 0, sizeof(f));
	f.sadb_x_filter_family = AF_INET6;
	f.sadb_x_filter_splen = 64;
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	ck_assert(
	    pfkey_build_ext(&W, SADB_EXT_IDENTITY_SRC, ident, sizeof(ident)));
	ck_assert(pfkey_build_ext(&W, SADB_X_EXT_KMPRIVATE, ident, 4));
	ck_assert(pfkey_build_sec_ctx(&W, 1, 1, ctx, sizeof(ctx) - 1));
	ck_assert(pfkey_build_kmaddress(&W, &l, &r));
	ck_assert(pfkey_build_spirange(&W, &range));
	ck_assert(pfkey_build_filter(&W, &f));
	n = pfkey_build_finish(&W);
	ck_assert_msg(
	    pfkey_msg_parse(&M, B, n, PFKEY_ORIGIN_USER, &E), "%s", E.why);
	p = pfkey_msg_ext(&M, SADB_EXT_IDENTITY_SRC, &len);
	ck_assert_uint_eq(len, 24);
	ck_assert_mem_eq(p + 4, ident, sizeof(ident));
	p = pfkey_msg_ext(&M, SADB_X_EXT_SEC_CTX, &len);
	ck_assert_uint_eq(len, 8 + 32);
	ck_assert_mem_eq(p + 8, ctx, sizeof(ctx) - 1);
	ck_assert_uint_eq(M.ext[SADB_X_EXT_KMADDRESS].len, 8 + 56);
	ck_assert(pfkey_msg_has(&M, SADB_X_EXT_FILTER));
}
END_TEST

/* Two messages back to back in one writer (a dump batch). */
START_TEST(test_pfkey_wr_two_messages)
{
	struct pfkey_hdr h = { 0, SADB_X_SPDFLUSH, 0, 0, 0, 0, 5, 6 };
	struct sad_entry e;
	struct sa sa;
	size_t n1, n2;

	mk_esp(&sa, "192.0.2.1", "192.0.2.2");
	mk_entry(&e, &sa);
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert(pfkey_build_hdr(&W, &h));
	n1 = pfkey_build_finish(&W);
	ck_assert_uint_eq(n1, 16);
	h.type = SADB_DUMP;
	h.satype = SADB_SATYPE_ESP;
	n2 = pfkey_compose_sa(&W, &h, &e, PFKEY_SA_ALL);
	ck_assert_uint_gt(n2, 0);
	ck_assert_uint_eq(W.len, n1 + n2);
	parse_kernel(B, n1);
	parse_kernel(B + n1, n2);
	ck_assert_int_eq(M.hdr.type, SADB_DUMP);
}
END_TEST

/* --- SA messages --- */

static void
check_sa_eq(const struct sa *a, const struct sa *b)
{
	ck_assert_uint_eq(a->spi, b->spi);
	ck_assert_int_eq(a->proto, b->proto);
	ck_assert_int_eq(a->mode, b->mode);
	ck_assert_int_eq(a->flags, b->flags);
	ck_assert_int_eq(a->calg, b->calg);
	ck_assert_uint_eq(a->reqid, b->reqid);
	ck_assert_uint_eq(a->if_id, b->if_id);
	ck_assert(addr_eq(&a->src, &b->src));
	ck_assert(addr_eq(&a->dst, &b->dst));
	ck_assert(addr_eq(&a->beet_src, &b->beet_src));
	ck_assert(addr_eq(&a->beet_dst, &b->beet_dst));
	ck_assert_uint_eq(a->encap_sport, b->encap_sport);
	ck_assert_uint_eq(a->encap_dport, b->encap_dport);
	ck_assert_uint_eq(a->replay_window, b->replay_window);
	ck_assert_ptr_eq(a->key.enc, b->key.enc);
	ck_assert_ptr_eq(a->key.auth, b->key.auth);
	ck_assert_uint_eq(a->key.enc_len, b->key.enc_len);
	ck_assert_uint_eq(a->key.auth_len, b->key.auth_len);
	ck_assert_mem_eq(a->key.enc_key, b->key.enc_key, a->key.enc_len);
	ck_assert_mem_eq(a->key.auth_key, b->key.auth_key, a->key.auth_len);
	ck_assert_mem_eq(&a->soft, &b->soft, sizeof(a->soft));
	ck_assert_mem_eq(&a->hard, &b->hard, sizeof(a->hard));
}

/* af_key's order of an SA message's extensions for e (with keys). */
static void
sa_order(const struct sad_entry *e, uint16_t *out)
{
	const struct sa *sa = &e->sa;
	size_t n = 0;

	out[n++] = SADB_EXT_SA;
	out[n++] = SADB_EXT_LIFETIME_HARD;
	out[n++] = SADB_EXT_LIFETIME_SOFT;
	out[n++] = SADB_EXT_LIFETIME_CURRENT;
	out[n++] = SADB_EXT_ADDRESS_SRC;
	out[n++] = SADB_EXT_ADDRESS_DST;
	if (sa->mode == SA_MODE_BEET && sa->beet_src.family != 0)
		out[n++] = SADB_EXT_ADDRESS_PROXY;
	if (sa->key.auth_len > 0)
		out[n++] = SADB_EXT_KEY_AUTH;
	if (sa->key.enc_len > 0)
		out[n++] = SADB_EXT_KEY_ENCRYPT;
	out[n++] = SADB_X_EXT_SA2;
	if (sa->flags & SA_F_UDP_ENCAP) {
		out[n++] = SADB_X_EXT_NAT_T_TYPE;
		out[n++] = SADB_X_EXT_NAT_T_SPORT;
		out[n++] = SADB_X_EXT_NAT_T_DPORT;
	}
	out[n] = 0;
}

/* Compose e's SA message, parse it back, convert, compare. */
static void
sa_roundtrip(const struct sad_entry *e)
{
	struct pfkey_hdr h = { 0, SADB_GET, 0, pfkey_proto_satype(e->sa.proto),
		0, 0, 77, 4242 };
	struct sadb_lifetime cur;
	uint16_t order[16];
	struct sa out;
	size_t n;

	pfkey_wr_init(&W, B, sizeof(B));
	n = pfkey_compose_sa(&W, &h, e, PFKEY_SA_ALL);
	parse_kernel(B, n);
	sa_order(e, order);
	check_order(B, n, order);
	ck_assert_uint_eq(M.hdr.seq, 77);
	ck_assert_uint_eq(M.hdr.pid, 4242);
	ck_assert_int_eq(M.hdr.satype, h.satype);
	ck_assert_msg(pfkey_conv_sa(&M, &out, &E), "%s", E.why);
	check_sa_eq(&e->sa, &out);
	memcpy(&cur, pfkey_msg_ext(&M, SADB_EXT_LIFETIME_CURRENT, &n),
	    sizeof(cur));
	ck_assert_uint_eq(cur.sadb_lifetime_allocations, 4242);
	ck_assert_uint_eq(cur.sadb_lifetime_bytes, 123456789);
	ck_assert_uint_eq(cur.sadb_lifetime_addtime, 1700000000);
	ck_assert_uint_eq(cur.sadb_lifetime_usetime, 1700000042);
	cipher_key_clear(&out.key);
}

START_TEST(test_pfkey_compose_sa_roundtrip)
{
	static const char *const fam[2][2] = { { "192.0.2.1", "192.0.2.2" },
		{ "2001:db8::1", "2001:db8::2" } };
	static const uint8_t modes[] = { SA_MODE_TRANSPORT, SA_MODE_TUNNEL,
		SA_MODE_BEET };
	unsigned count = 0;

	for (unsigned id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);

		for (int k = 0; k < a->nkeys; k++) {
			for (int f = 0; f < 2; f++) {
				for (size_t m = 0; m < sizeof(modes); m++) {
					struct sa sa;
					struct sad_entry e;
					size_t len =
					    (size_t)a->key_len[k] + a->salt_len;

					mk_esp(&sa, fam[f][0], fam[f][1]);
					sa.mode = modes[m];
					sa.flags =
					    (uint8_t)((count % 2
							      ? SA_F_UDP_ENCAP
							      : 0) |
						(count % 3 ? SA_F_ESN : 0) |
						(count % 5 ? SA_F_NOECN : 0) |
						(count % 7 ? SA_F_DECAP_DSCP
							   : 0) |
						(count % 11 ? SA_F_NOPMTUDISC
							    : 0));
					if (modes[m] == SA_MODE_BEET)
						sa.beet_src = A(fam[1 - f][0]);
					if (count % 4 == 0) {
						sa.hard =
						    (struct sa_lifetime){ 1000,
							    2000, 3600, 600 };
						sa.soft =
						    (struct sa_lifetime){ 900,
							    1800, 3000, 500 };
					}
					if (a->kind == ALG_AUTH) {
						if (a->id == ALG_NULL_AUTH)
							continue;
						/* AH: no encryption, no NAT-T.
						 */
						sa.proto = IPPROTO_AH;
						sa.flags &=
						    (uint8_t)~SA_F_UDP_ENCAP;
						sa.encap_sport =
						    sa.encap_dport = 0;
						sa.key.enc = NULL;
						sa.key.enc_len = 0;
						sa.key.auth = a;
						sa.key.auth_len = (uint8_t)len;
					} else {
						sa.key.enc = a;
						sa.key.enc_len = (uint8_t)len;
						if (a->kind == ALG_AEAD) {
							sa.key.auth = NULL;
							sa.key.auth_len = 0;
						}
					}
					if ((sa.flags & SA_F_UDP_ENCAP) == 0)
						sa.encap_sport =
						    sa.encap_dport = 0;
					mk_entry(&e, &sa);
					sa_roundtrip(&e);
					count++;
				}
			}
		}
	}
	ck_assert_uint_ge(count, 100);
}
END_TEST

START_TEST(test_pfkey_compose_sa_ipcomp)
{
	struct sa sa;
	struct sad_entry e;

	memset(&sa, 0, sizeof(sa));
	sa.spi = 0x4321;
	sa.proto = IPPROTO_COMP;
	sa.mode = SA_MODE_TUNNEL;
	sa.calg = SADB_X_CALG_DEFLATE;
	sa.src = A("192.0.2.1");
	sa.dst = A("192.0.2.2");
	mk_entry(&e, &sa);
	sa_roundtrip(&e);
	/* KAME: the compression algorithm rides in sadb_sa_encrypt. */
	ck_assert_int_eq(B[16 + 11], SADB_X_CALG_DEFLATE);
}
END_TEST

START_TEST(test_pfkey_compose_sa_fields)
{
	static const uint8_t states[][2] = {
		{ SA_STATE_LARVAL, SADB_SASTATE_LARVAL },
		{ SA_STATE_MATURE, SADB_SASTATE_MATURE },
		{ SA_STATE_DYING, SADB_SASTATE_DYING },
		{ SA_STATE_DEAD, SADB_SASTATE_DEAD },
	};
	struct pfkey_hdr h = { 0, SADB_DUMP, 0, SADB_SATYPE_ESP, 0, 0, 1, 2 };
	struct sad_entry e;
	struct sadb_sa s;
	struct sadb_address ad;
	struct sa sa;
	size_t n;

	mk_esp(&sa, "192.0.2.1", "192.0.2.2");
	sa.replay_window = 4096; /* more than sadb_sa_replay holds */
	mk_entry(&e, &sa);
	atomic_store(&e.cur_packets, (uint64_t)1 << 40);
	for (size_t i = 0; i < 4; i++) {
		atomic_store(&e.state, states[i][0]);
		pfkey_wr_init(&W, B, sizeof(B));
		n = pfkey_compose_sa(&W, &h, &e, PFKEY_SA_ALL);
		parse_kernel(B, n);
		memcpy(&s, pfkey_msg_ext(&M, SADB_EXT_SA, &n), sizeof(s));
		ck_assert_int_eq(s.sadb_sa_state, states[i][1]);
		ck_assert_uint_eq(s.sadb_sa_spi, htonl(0xc0ffee01));
		ck_assert_int_eq(s.sadb_sa_replay, 255);
		ck_assert_int_eq(s.sadb_sa_auth, SADB_X_AALG_SHA2_512HMAC);
		ck_assert_int_eq(s.sadb_sa_encrypt, SADB_X_EALG_AESCBC);
	}
	/* Saturated, not wrapped. */
	{
		struct sadb_lifetime cur;

		memcpy(&cur, pfkey_msg_ext(&M, SADB_EXT_LIFETIME_CURRENT, &n),
		    sizeof(cur));
		ck_assert_uint_eq(cur.sadb_lifetime_allocations, UINT32_MAX);
	}
	/* SA endpoints as af_key writes them: proto 0, full prefix, port 0. */
	memcpy(&ad, pfkey_msg_ext(&M, SADB_EXT_ADDRESS_DST, &n), sizeof(ad));
	ck_assert_int_eq(ad.sadb_address_proto, 0);
	ck_assert_int_eq(ad.sadb_address_prefixlen, 32);
	/* Without PFKEY_SA_KEYS: no key extension; without limits. */
	pfkey_wr_init(&W, B, sizeof(B));
	n = pfkey_compose_sa(&W, &h, &e, 0);
	parse_kernel(B, n);
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_KEY_AUTH));
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_KEY_ENCRYPT));
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_LIFETIME_HARD));
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_LIFETIME_SOFT));
	ck_assert(pfkey_msg_has(&M, SADB_EXT_LIFETIME_CURRENT));
	ck_assert(pfkey_msg_has(&M, SADB_X_EXT_SA2));
	/* Keys of 0 bytes (null encryption) are left out, as af_key does. */
	e.sa.key.enc = alg_get(ALG_NULL_ENC);
	e.sa.key.enc_len = 0;
	pfkey_wr_init(&W, B, sizeof(B));
	n = pfkey_compose_sa(&W, &h, &e, PFKEY_SA_ALL);
	parse_kernel(B, n);
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_KEY_ENCRYPT));
	ck_assert(pfkey_msg_has(&M, SADB_EXT_KEY_AUTH));
	cipher_key_clear(&e.sa.key);
}
END_TEST

START_TEST(test_pfkey_compose_expire)
{
	static const uint16_t order[] = { SADB_EXT_SA, SADB_EXT_LIFETIME_HARD,
		SADB_EXT_LIFETIME_CURRENT, SADB_EXT_ADDRESS_SRC,
		SADB_EXT_ADDRESS_DST, SADB_X_EXT_SA2, SADB_X_EXT_NAT_T_TYPE,
		SADB_X_EXT_NAT_T_SPORT, SADB_X_EXT_NAT_T_DPORT, 0 };
	struct sad_entry e;
	struct sa sa;
	size_t n;

	mk_esp(&sa, "192.0.2.1", "192.0.2.2");
	sa.hard.add_sec = 3600;
	mk_entry(&e, &sa);
	for (int hard = 0; hard < 2; hard++) {
		pfkey_wr_init(&W, B, sizeof(B));
		n = pfkey_compose_expire(&W, &e, hard);
		parse_kernel(B, n);
		ck_assert_int_eq(M.hdr.type, SADB_EXPIRE);
		ck_assert_int_eq(M.hdr.satype, SADB_SATYPE_ESP);
		ck_assert_uint_eq(M.hdr.seq, 0);
		ck_assert_uint_eq(M.hdr.pid, 0);
		ck_assert(pfkey_msg_has(&M, SADB_EXT_LIFETIME_HARD) == hard);
		ck_assert(pfkey_msg_has(&M, SADB_EXT_LIFETIME_SOFT) == !hard);
		ck_assert(!pfkey_msg_has(&M, SADB_EXT_KEY_AUTH));
		ck_assert(!pfkey_msg_has(&M, SADB_EXT_KEY_ENCRYPT));
		if (hard)
			check_order(B, n, order);
	}
}
END_TEST

START_TEST(test_pfkey_compose_new_mapping)
{
	static const uint16_t order[] = { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC,
		SADB_X_EXT_NAT_T_SPORT, SADB_EXT_ADDRESS_DST,
		SADB_X_EXT_NAT_T_DPORT, SADB_X_EXT_SA2, 0 };
	struct sad_entry e;
	struct sa sa;
	struct pfkey_new_mapping nm = { 99, &e, A("198.51.100.7"), 62000 };
	struct sadb_x_nat_t_port port;
	struct sadb_x_sa2 sa2;
	struct sadb_sa s;
	size_t n;

	mk_esp(&sa, "192.0.2.1", "192.0.2.2");
	mk_entry(&e, &sa);
	pfkey_wr_init(&W, B, sizeof(B));
	n = pfkey_compose_new_mapping(&W, &nm);
	parse_kernel(B, n);
	check_order(B, n, order);
	ck_assert_int_eq(M.hdr.type, SADB_X_NAT_T_NEW_MAPPING);
	ck_assert_uint_eq(M.hdr.seq, 99);
	memcpy(&s, pfkey_msg_ext(&M, SADB_EXT_SA, &n), sizeof(s));
	ck_assert_uint_eq(ntohl(s.sadb_sa_spi), 0xc0ffee01);
	ck_assert_int_eq(s.sadb_sa_encrypt, 0);
	memcpy(
	    &port, pfkey_msg_ext(&M, SADB_X_EXT_NAT_T_SPORT, &n), sizeof(port));
	ck_assert_uint_eq(ntohs(port.sadb_x_nat_t_port_port), 4500);
	memcpy(
	    &port, pfkey_msg_ext(&M, SADB_X_EXT_NAT_T_DPORT, &n), sizeof(port));
	ck_assert_uint_eq(ntohs(port.sadb_x_nat_t_port_port), 62000);
	memcpy(&sa2, pfkey_msg_ext(&M, SADB_X_EXT_SA2, &n), sizeof(sa2));
	ck_assert_uint_eq(sa2.sadb_x_sa2_reqid, 3);
	ck_assert_int_eq(sa2.sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
	{
		struct pfkey_address a;
		const uint8_t *p = pfkey_msg_ext(&M, SADB_EXT_ADDRESS_DST, &n);

		ck_assert(pfkey_ext_address(p, n, &a, &E));
		ck_assert(addr_eq(&a.addr, &nm.addr));
	}
	/* Only for ESP-in-UDP SAs, and a new address of the SA's family. */
	nm.addr = A("2001:db8::7");
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert_uint_eq(pfkey_compose_new_mapping(&W, &nm), 0);
	ck_assert(W.has_failed);
	nm.addr = A("198.51.100.7");
	e.sa.flags = 0;
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert_uint_eq(pfkey_compose_new_mapping(&W, &nm), 0);
}
END_TEST

/* --- policies --- */

static void
check_policy_eq(const struct spd_policy *a, const struct spd_policy *b)
{
	ck_assert_uint_eq(a->id, b->id);
	ck_assert_int_eq(a->dir, b->dir);
	ck_assert_int_eq(a->action, b->action);
	ck_assert_int_eq(a->ntmpl, b->ntmpl);
	ck_assert_uint_eq(a->priority, b->priority);
	ck_assert(selector_eq(&a->sel, &b->sel));
	for (unsigned i = 0; i < a->ntmpl; i++) {
		ck_assert_int_eq(a->tmpl[i].proto, b->tmpl[i].proto);
		ck_assert_int_eq(a->tmpl[i].mode, b->tmpl[i].mode);
		ck_assert_int_eq(a->tmpl[i].level, b->tmpl[i].level);
		ck_assert_uint_eq(a->tmpl[i].reqid, b->tmpl[i].reqid);
		ck_assert(addr_eq(&a->tmpl[i].src, &b->tmpl[i].src));
		ck_assert(addr_eq(&a->tmpl[i].dst, &b->tmpl[i].dst));
	}
}

START_TEST(test_pfkey_compose_policy_roundtrip)
{
	static const uint16_t order[] = { SADB_EXT_ADDRESS_SRC,
		SADB_EXT_ADDRESS_DST, SADB_EXT_LIFETIME_HARD,
		SADB_EXT_LIFETIME_SOFT, SADB_EXT_LIFETIME_CURRENT,
		SADB_X_EXT_POLICY, 0 };
	static const struct spd_tmpl tmpls[4] = {
		{ IPPROTO_COMP, SA_MODE_TRANSPORT, KNOBS_LEVEL_USE, 0, { 0 },
		    { 0 } },
		{ IPPROTO_ESP, SA_MODE_TUNNEL, KNOBS_LEVEL_UNIQUE, 17, { 0 },
		    { 0 } },
		{ IPPROTO_AH, SA_MODE_TUNNEL, KNOBS_LEVEL_REQUIRE, 0, { 0 },
		    { 0 } },
		{ IPPROTO_ESP, SA_MODE_BEET, KNOBS_LEVEL_DEFAULT, 0, { 0 },
		    { 0 } },
	};
	static const char *const nets[2][2] = { { "10.1.0.0/16",
						    "10.2.3.0/24" },
		{ "2001:db8:1::/48", "2001:db8:2::/64" } };
	unsigned count = 0;

	for (int f = 0; f < 2; f++) {
		for (uint8_t dir = 0; dir < SPD_DIR_COUNT; dir++) {
			for (unsigned n = 0; n <= SPD_TMPL_MAX; n++) {
				struct spd_policy p, out;
				struct pfkey_hdr h = { 0, SADB_X_SPDGET, 0, 0,
					0, 0, n, 1 };
				struct sadb_lifetime cur;
				size_t len;

				memset(&p, 0, sizeof(p));
				p.id = 8u * (n + 1) + dir;
				p.dir = dir;
				p.priority = 1000 + n;
				p.action = n == 0
				    ? (dir == 0 ? SPD_ACTION_DISCARD
						: SPD_ACTION_NONE)
				    : SPD_ACTION_IPSEC;
				p.ntmpl = (uint8_t)n;
				ck_assert(prefix_parse(&p.sel.src, nets[f][0]));
				ck_assert(prefix_parse(&p.sel.dst, nets[f][1]));
				if (n % 2) {
					p.sel.proto = IPPROTO_TCP;
					p.sel.sport_lo = p.sel.sport_hi = 0;
					p.sel.sport_hi = 65535;
					p.sel.dport_lo = p.sel.dport_hi = 443;
				} else {
					p.sel.proto = SELECTOR_PROTO_ANY;
					p.sel.sport_hi = p.sel.dport_hi = 65535;
				}
				for (unsigned i = 0; i < n; i++) {
					p.tmpl[i] = tmpls[i];
					if (p.tmpl[i].mode == SA_MODE_TUNNEL) {
						/* endpoints of either family */
						int g =
						    (int)(i + (unsigned)f) % 2;

						p.tmpl[i].src =
						    A(g ? "2001:db8::a"
							: "192.0.2.10");
						p.tmpl[i].dst =
						    A(g ? "2001:db8::b"
							: "192.0.2.11");
					}
				}
				atomic_store(&p.bytes, 777);
				atomic_store(&p.packets, 7);
				p.add_sec = 1700000000;
				atomic_store(&p.use_sec, 1700000100);
				pfkey_wr_init(&W, B, sizeof(B));
				len = pfkey_compose_policy(&W, &h, &p, NULL);
				parse_kernel(B, len);
				check_order(B, len, order);
				ck_assert_int_eq(M.hdr.satype, 0);
				ck_assert_int_eq(M.hdr.reserved, 0);
				ck_assert_msg(pfkey_conv_policy(&M, &out, &E),
				    "%s", E.why);
				check_policy_eq(&p, &out);
				memcpy(&cur,
				    pfkey_msg_ext(
					&M, SADB_EXT_LIFETIME_CURRENT, &len),
				    sizeof(cur));
				ck_assert_uint_eq(cur.sadb_lifetime_bytes, 777);
				ck_assert_uint_eq(
				    cur.sadb_lifetime_allocations, 7);
				ck_assert_uint_eq(
				    cur.sadb_lifetime_usetime, 1700000100);
				count++;
			}
		}
	}
	ck_assert_uint_eq(count, 2 * SPD_DIR_COUNT * (SPD_TMPL_MAX + 1));
}
END_TEST

/* LIFETIME_HARD and _SOFT show the policy's limits (af_key: xp->lft). */
START_TEST(test_pfkey_compose_policy_lifetimes)
{
	struct pfkey_hdr h = { 0, SADB_X_SPDGET, 0, 0, 0, 0, 1, 0 };
	struct pfkey_policy_life life, back;
	struct spd_policy p;

	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_OUT;
	p.action = SPD_ACTION_NONE;
	selector_init_any(&p.sel, AF_INET);
	memset(&life, 0, sizeof(life));
	life.hard.add_sec = 3600;
	life.hard.use_sec = 600;
	life.hard.bytes = 1u << 20;
	life.soft.add_sec = 3000;
	life.soft.packets = 9;
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_policy(&W, &h, &p, &life));
	pfkey_conv_policy_life(&M, &back);
	ck_assert_mem_eq(&back, &life, sizeof(life));
	/* Without: both present, all zero. */
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_policy(&W, &h, &p, NULL));
	ck_assert(pfkey_msg_has(&M, SADB_EXT_LIFETIME_HARD));
	ck_assert(pfkey_msg_has(&M, SADB_EXT_LIFETIME_SOFT));
	pfkey_conv_policy_life(&M, &back);
	ck_assert(!pfkey_policy_life_is_set(&back));
}
END_TEST

/* Port ranges PF_KEY cannot express are shown as "any port". */
START_TEST(test_pfkey_compose_policy_ports)
{
	struct pfkey_hdr h = { 0, SADB_X_SPDDUMP, 0, 0, 0, 0, 1, 0 };
	struct spd_policy p;
	struct pfkey_address a;
	const uint8_t *ext;
	size_t len;

	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_IN;
	p.action = SPD_ACTION_NONE;
	selector_init_any(&p.sel, AF_INET);
	p.sel.proto = IPPROTO_UDP;
	p.sel.sport_lo = 1000;
	p.sel.sport_hi = 2000;
	p.sel.dport_lo = p.sel.dport_hi = 53;
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_policy(&W, &h, &p, NULL));
	ext = pfkey_msg_ext(&M, SADB_EXT_ADDRESS_SRC, &len);
	ck_assert(pfkey_ext_address(ext, len, &a, &E));
	ck_assert_int_eq(a.port, 0);
	ck_assert_int_eq(a.proto, IPPROTO_UDP);
	ext = pfkey_msg_ext(&M, SADB_EXT_ADDRESS_DST, &len);
	ck_assert(pfkey_ext_address(ext, len, &a, &E));
	ck_assert_int_eq(a.port, 53);
}
END_TEST

/* --- REGISTER, ACQUIRE, errors --- */

/* The sadb_algs of one SUPPORTED list, into out; returns the count. */
static size_t
supported(unsigned type, struct sadb_alg *out, size_t max)
{
	size_t len, n;
	const uint8_t *p = pfkey_msg_ext(&M, type, &len);

	if (p == NULL)
		return 0;
	n = (len - 8) / 8;
	ck_assert_uint_le(n, max);
	memcpy(out, p + 8, n * 8);
	return n;
}

START_TEST(test_pfkey_compose_register)
{
	struct pfkey_hdr h = { 0, SADB_REGISTER, 0, SADB_SATYPE_ESP, 0, 0, 3,
		555 };
	struct sadb_alg algs[ALG_COUNT];
	unsigned mask = 1u << ALG_AES_GCM_16 | 1u << ALG_HMAC_SHA256_128 |
	    1u << ALG_CHACHA20_POLY1305;
	size_t n;

	/* Everything usable: each list in table order. */
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_register(&W, &h, all_usable, NULL));
	ck_assert_uint_eq(M.hdr.pid, 555);
	n = supported(SADB_EXT_SUPPORTED_AUTH, algs, ALG_COUNT);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(algs[0].sadb_alg_id, SADB_AALG_SHA1HMAC);
	ck_assert_int_eq(algs[0].sadb_alg_minbits, 160);
	ck_assert_int_eq(algs[0].sadb_alg_maxbits, 160);
	ck_assert_int_eq(algs[4].sadb_alg_id, SADB_X_AALG_NULL);
	n = supported(SADB_EXT_SUPPORTED_ENCRYPT, algs, ALG_COUNT);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(algs[0].sadb_alg_id, SADB_X_EALG_AES_GCM_ICV8);
	ck_assert_int_eq(algs[0].sadb_alg_ivlen, 8);
	/* Key bits without salt, as Linux lists them. */
	ck_assert_int_eq(algs[0].sadb_alg_minbits, 128);
	ck_assert_int_eq(algs[0].sadb_alg_maxbits, 256);
	ck_assert_int_eq(algs[5].sadb_alg_id, SADB_X_EALG_AESCBC);
	ck_assert_int_eq(algs[5].sadb_alg_ivlen, 16);
	/* Filtered by the predicate. */
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_register(&W, &h, mask_usable, &mask));
	n = supported(SADB_EXT_SUPPORTED_AUTH, algs, ALG_COUNT);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(algs[0].sadb_alg_id, SADB_X_AALG_SHA2_256HMAC);
	n = supported(SADB_EXT_SUPPORTED_ENCRYPT, algs, ALG_COUNT);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(algs[0].sadb_alg_id, SADB_X_EALG_AES_GCM_ICV16);
	ck_assert_int_eq(algs[1].sadb_alg_id, ALG_SADB_X_EALG_CHACHA20POLY1305);
	/* An empty list is left out; nothing usable: a bare header. */
	mask = 1u << ALG_AES_GCM_16;
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_register(&W, &h, mask_usable, &mask));
	ck_assert(!pfkey_msg_has(&M, SADB_EXT_SUPPORTED_AUTH));
	ck_assert(pfkey_msg_has(&M, SADB_EXT_SUPPORTED_ENCRYPT));
	pfkey_wr_init(&W, B, sizeof(B));
	ck_assert_uint_eq(
	    pfkey_compose_register(&W, &h, none_usable, NULL), 16);
}
END_TEST

START_TEST(test_pfkey_compose_acquire)
{
	static const uint16_t order[] = { SADB_EXT_ADDRESS_SRC,
		SADB_EXT_ADDRESS_DST, SADB_X_EXT_POLICY, SADB_EXT_PROPOSAL, 0 };
	static const struct {
		uint8_t proto;
		size_t combs; /* with every algorithm usable */
	} rows[] = {
		{ IPPROTO_ESP, 5 + 3 * 4 }, /* 5 AEADs, 3 ciphers x 4 HMACs */
		{ IPPROTO_AH, 4 },
		{ IPPROTO_COMP, 0 },
	};
	struct pfkey_acquire aq = { 31, 0, A("2001:db8::1"), A("2001:db8::2"),
		0x39, 2000 };
	struct pfkey_policy pol;
	struct sadb_prop prop;
	struct sadb_comb c;
	const uint8_t *p;
	size_t len;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		aq.proto = rows[i].proto;
		pfkey_wr_init(&W, B, sizeof(B));
		len = pfkey_compose_acquire(&W, &aq, all_usable, NULL);
		parse_kernel(B, len);
		ck_assert_int_eq(M.hdr.type, SADB_ACQUIRE);
		ck_assert_int_eq(M.hdr.satype, pfkey_proto_satype(aq.proto));
		ck_assert_uint_eq(M.hdr.seq, 31);
		ck_assert_uint_eq(M.hdr.pid, 0);
		p = pfkey_msg_ext(&M, SADB_X_EXT_POLICY, &len);
		ck_assert(pfkey_ext_policy(p, len, &pol, &E));
		ck_assert_int_eq(pol.type, IPSEC_POLICY_IPSEC);
		ck_assert_int_eq(pol.dir, IPSEC_DIR_OUTBOUND);
		ck_assert_uint_eq(pol.id, 0x39);
		ck_assert_uint_eq(pol.priority, 2000);
		ck_assert_uint_eq(pol.nreq, 0);
		if (rows[i].proto == IPPROTO_COMP) {
			ck_assert(!pfkey_msg_has(&M, SADB_EXT_PROPOSAL));
			continue;
		}
		check_order(B, W.len, order);
		p = pfkey_msg_ext(&M, SADB_EXT_PROPOSAL, &len);
		ck_assert_uint_eq(len, 8 + 72 * rows[i].combs);
		memcpy(&prop, p, sizeof(prop));
		ck_assert_int_eq(prop.sadb_prop_replay, 32);
		memcpy(&c, p + 8, sizeof(c));
		ck_assert_uint_eq(c.sadb_comb_hard_addtime, 24 * 60 * 60);
		ck_assert_uint_eq(c.sadb_comb_soft_usetime, 7 * 60 * 60);
		if (rows[i].proto == IPPROTO_AH) {
			ck_assert_int_eq(c.sadb_comb_auth, SADB_AALG_SHA1HMAC);
			ck_assert_int_eq(c.sadb_comb_encrypt, 0);
		} else {
			ck_assert_int_eq(
			    c.sadb_comb_encrypt, SADB_X_EALG_AES_GCM_ICV8);
			ck_assert_int_eq(c.sadb_comb_auth, 0);
			ck_assert_int_eq(c.sadb_comb_encrypt_maxbits, 256);
		}
	}
	/* Nothing usable: a proposal without combinations. */
	aq.proto = IPPROTO_ESP;
	pfkey_wr_init(&W, B, sizeof(B));
	parse_kernel(B, pfkey_compose_acquire(&W, &aq, none_usable, NULL));
	pfkey_msg_ext(&M, SADB_EXT_PROPOSAL, &len);
	ck_assert_uint_eq(len, 8);
}
END_TEST

START_TEST(test_pfkey_compose_error)
{
	static const struct {
		int code;
		uint8_t want;
	} rows[] = { { ENOENT, ENOENT }, { EEXIST, EEXIST }, { 255, 255 },
		{ 256, EINVAL }, { 600, EINVAL }, { 0, EINVAL },
		{ -5, EINVAL } };
	uint8_t req[24 + 16];
	struct pfkey_msg orig;
	size_t n;

	/* A DELETE whose SA does not exist... */
	memset(req, 0, sizeof(req));
	memcpy(req,
	    "\x02\x04\x00\x03\x05\x00\x00\x00\x2a\x00\x00\x00"
	    "\x01\x02\x00\x00",
	    16);
	memcpy(req + 16, "\x02\x00\x01\x00\x00\x00\x10\x00", 8);
	memcpy(req + 32, "\x03\x00\x05\x00", 4); /* 24 bytes, 8 left */
	ck_assert(!pfkey_msg_parse(&orig, req, 40, PFKEY_ORIGIN_USER, &E));
	ck_assert(E.has_hdr);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pfkey_wr_init(&W, B, sizeof(B));
		n = pfkey_compose_error(&W, &orig.hdr, rows[i].code);
		ck_assert_uint_eq(n, 16);
		parse_kernel(B, n);
		ck_assert_int_eq(M.hdr.error, rows[i].want);
		ck_assert_int_eq(M.hdr.type, SADB_DELETE);
		ck_assert_int_eq(M.hdr.satype, SADB_SATYPE_ESP);
		ck_assert_uint_eq(M.hdr.seq, 42);
		ck_assert_uint_eq(M.hdr.pid, 0x201);
		ck_assert_int_eq(M.hdr.len64, 2);
	}
}
END_TEST

static Suite *
pfkey_build_suite(void)
{
	Suite *s = suite_create("pfkey_build");
	TCase *tc;

	tc = tcase_create("pfkey_build");
	tcase_add_test(tc, test_pfkey_build_setkey_add);
	tcase_add_test(tc, test_pfkey_build_setkey_spdadd);
	tcase_add_test(tc, test_pfkey_build_ext_generic);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_wr");
	tcase_add_test(tc, test_pfkey_wr_never_overflows);
	tcase_add_test(tc, test_pfkey_wr_refuses_bad_input);
	tcase_add_test(tc, test_pfkey_wr_two_messages);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_compose_sa");
	tcase_add_test(tc, test_pfkey_compose_sa_roundtrip);
	tcase_add_test(tc, test_pfkey_compose_sa_ipcomp);
	tcase_add_test(tc, test_pfkey_compose_sa_fields);
	tcase_add_test(tc, test_pfkey_compose_expire);
	tcase_add_test(tc, test_pfkey_compose_new_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_compose_policy");
	tcase_add_test(tc, test_pfkey_compose_policy_roundtrip);
	tcase_add_test(tc, test_pfkey_compose_policy_ports);
	tcase_add_test(tc, test_pfkey_compose_policy_lifetimes);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_compose_register");
	tcase_add_test(tc, test_pfkey_compose_register);
	tcase_add_test(tc, test_pfkey_compose_acquire);
	tcase_add_test(tc, test_pfkey_compose_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pfkey_build_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
