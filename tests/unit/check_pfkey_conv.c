/*
 * Unit tests for src/pfkey/pfkey_conv.c: parsed PF_KEY messages (written
 * byte by byte as setkey and strongSwan write them) to struct sa, the
 * lookup keys, struct spd_policy, MIGRATE and DUMP filters.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "crypto/alg.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_msg.h"
#include "tests/unit/pfkey_testmsg.h"

static struct pfkey_msg M;
static struct pfkey_err E;
static struct sa SA;
static struct tmsg T;

/* Parse T as a user's message; the parse must succeed. */
static void
parse_at(int line)
{
	size_t n = tm_done(&T);

	ck_assert_msg(pfkey_msg_parse(&M, T.buf, n, PFKEY_ORIGIN_USER, &E),
	    "line %d: parse: %s", line, E.why);
}
#define parse() parse_at(__LINE__)

/* An SA conversion of T: ok, or refused with code and a reason. */
static void
sa_expect_at(int line, int code)
{
	bool ok;

	parse_at(line);
	ok = pfkey_conv_sa(&M, &SA, &E);
	if (code == 0) {
		ck_assert_msg(ok, "line %d: refused: %s", line, E.why);
		return;
	}
	ck_assert_msg(!ok, "line %d: accepted", line);
	ck_assert_msg(E.code == code, "line %d: errno %d (%s), expected %d",
	    line, E.code, E.why, code);
	ck_assert_msg(E.why[0] != '\0', "line %d: no reason", line);
}
#define sa_expect(code) sa_expect_at(__LINE__, code)

/*
 * An ADD laid out as setkey's pfkey_send_x1: SA, X_SA2, SRC, DST,
 * [KEY_ENCRYPT], [KEY_AUTH], LIFETIME_HARD, LIFETIME_SOFT (zero: none).
 * Key lengths in bytes; a length of (size_t)-1 leaves the key out.
 */
#define NOKEY ((size_t)-1)
static void
add_msg(
    uint8_t satype, uint8_t auth, size_t auth_len, uint8_t enc, size_t enc_len)
{
	tm_hdr(&T, SADB_ADD, satype);
	tm_sa(&T, 0x12345678, 32, auth, enc, 0);
	tm_sa2(&T, IPSEC_MODE_TUNNEL, 42);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	if (enc_len != NOKEY)
		tm_key(
		    &T, SADB_EXT_KEY_ENCRYPT, (unsigned)enc_len * 8, enc_len);
	if (auth_len != NOKEY)
		tm_key(&T, SADB_EXT_KEY_AUTH, (unsigned)auth_len * 8, auth_len);
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, 0, 0);
	tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, 0, 0, 0, 0);
}

/* The key bytes tm_key writes: 0x11, 0x12, ... */
static void
check_key(const uint8_t *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(key[i], (uint8_t)(0x11 + i));
}

static const struct alg *
alg_of(enum alg_id id)
{
	return alg_get(id);
}

/* --- struct sa --- */

/* Every algorithm of the table at every key size, ESP and AH. */
START_TEST(test_pfkey_conv_sa_every_alg)
{
	const struct alg *cbc = alg_of(ALG_AES_CBC);
	const struct alg *sha256 = alg_of(ALG_HMAC_SHA256_128);
	unsigned tested = 0;

	for (unsigned id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_of((enum alg_id)id);

		for (int k = 0; k < a->nkeys; k++) {
			size_t len = (size_t)a->key_len[k] + a->salt_len;

			switch (a->kind) {
			case ALG_AEAD:
				add_msg(
				    SADB_SATYPE_ESP, 0, NOKEY, a->sadb_id, len);
				sa_expect(0);
				ck_assert_ptr_eq(SA.key.enc, a);
				ck_assert_ptr_null(SA.key.auth);
				ck_assert_uint_eq(SA.key.enc_len, len);
				check_key(SA.key.enc_key, len);
				break;
			case ALG_ENCR:
				/* null needs integrity: use sha256 for all. */
				add_msg(SADB_SATYPE_ESP, sha256->sadb_id, 32,
				    a->sadb_id, len);
				sa_expect(0);
				ck_assert_ptr_eq(SA.key.enc, a);
				ck_assert_ptr_eq(SA.key.auth, sha256);
				ck_assert_uint_eq(SA.key.enc_len, len);
				ck_assert_uint_eq(SA.key.auth_len, 32);
				check_key(SA.key.enc_key, len);
				check_key(SA.key.auth_key, 32);
				break;
			case ALG_AUTH:
				if (a->id == ALG_NULL_AUTH)
					break; /* AH needs integrity */
				add_msg(
				    SADB_SATYPE_AH, a->sadb_id, len, 0, NOKEY);
				sa_expect(0);
				ck_assert_int_eq(SA.proto, IPPROTO_AH);
				ck_assert_ptr_null(SA.key.enc);
				ck_assert_ptr_eq(SA.key.auth, a);
				check_key(SA.key.auth_key, len);
				add_msg(SADB_SATYPE_ESP, a->sadb_id, len,
				    cbc->sadb_id, 16);
				sa_expect(0);
				ck_assert_ptr_eq(SA.key.auth, a);
				break;
			}
			tested++;
			cipher_key_clear(&SA.key);
		}
	}
	ck_assert_uint_ge(tested, ALG_COUNT);
	/* A null integrity algorithm beside an AEAD (setkey -A null). */
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_NULL, 0, SADB_X_EALG_AES_GCM_ICV16,
	    20);
	sa_expect(0);
	ck_assert_ptr_eq(SA.key.auth, alg_of(ALG_NULL_AUTH));
	/* ChaCha20-Poly1305 under our PF_KEY number. */
	add_msg(
	    SADB_SATYPE_ESP, 0, NOKEY, ALG_SADB_X_EALG_CHACHA20POLY1305, 36);
	sa_expect(0);
	ck_assert_ptr_eq(SA.key.enc, alg_of(ALG_CHACHA20_POLY1305));
}
END_TEST

/* One size off for each algorithm: refused, naming it and its sizes. */
START_TEST(test_pfkey_conv_sa_key_sizes)
{
	static const struct {
		uint8_t satype, auth;
		size_t auth_len;
		uint8_t enc;
		size_t enc_len;
		const char *why;
	} rows[] = {
		{ SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 32,
		    SADB_X_EALG_AESCBC, 17,
		    "aes-cbc: key of 17 bytes; expected 16, 24 or 32" },
		{ SADB_SATYPE_ESP, 0, NOKEY, SADB_X_EALG_AES_GCM_ICV16, 16,
		    "aes-gcm-16: key of 16 bytes; expected 20, 28 or 36" },
		{ SADB_SATYPE_ESP, 0, NOKEY, ALG_SADB_X_EALG_CHACHA20POLY1305,
		    32, "chacha20-poly1305: key of 32 bytes; expected 36" },
		{ SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 20,
		    SADB_X_EALG_AESCBC, 16,
		    "hmac-sha256: key of 20 bytes; expected 32" },
		{ SADB_SATYPE_AH, SADB_AALG_SHA1HMAC, 16, 0, NOKEY,
		    "hmac-sha1: key of 16 bytes; expected 20" },
		{ SADB_SATYPE_ESP, SADB_AALG_SHA1HMAC, 20, SADB_X_EALG_AESCTR,
		    16, "aes-ctr: key of 16 bytes; expected 20, 28 or 36" },
		{ SADB_SATYPE_ESP, SADB_X_AALG_SHA2_512HMAC, 64,
		    SADB_X_EALG_AES_GCM_ICV8, 37,
		    "aes-gcm-8: key of 37 bytes; expected 20, 28 or 36" },
		{ SADB_SATYPE_ESP, SADB_X_AALG_SHA2_384HMAC, 47,
		    SADB_X_EALG_AESCBC, 16,
		    "hmac-sha384: key of 47 bytes; expected 48" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		add_msg(rows[i].satype, rows[i].auth, rows[i].auth_len,
		    rows[i].enc, rows[i].enc_len);
		sa_expect(EINVAL);
		ck_assert_str_eq(E.why, rows[i].why);
	}
}
END_TEST

START_TEST(test_pfkey_conv_sa_bad_algs)
{
	/* Algorithms Linux knows and we do not: ENOSYS, named. */
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 32,
	    SADB_EALG_3DESCBC, 24);
	sa_expect(ENOSYS);
	ck_assert_str_eq(
	    E.why, "encryption algorithm 3 (3des-cbc) is not supported");
	add_msg(SADB_SATYPE_AH, SADB_AALG_MD5HMAC, 16, 0, NOKEY);
	sa_expect(ENOSYS);
	ck_assert_str_eq(
	    E.why, "integrity algorithm 2 (hmac-md5) is not supported");
	add_msg(SADB_SATYPE_ESP, 0, NOKEY, 200, 16);
	sa_expect(ENOSYS);
	ck_assert_str_eq(
	    E.why, "encryption algorithm 200 (unknown) is not supported");
	/* A key that is not whole bytes. */
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x1000, 0, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_ENCRYPT, 129, 17);
	tm_key(&T, SADB_EXT_KEY_AUTH, 256, 32);
	sa_expect(EINVAL);
	ck_assert_str_eq(
	    E.why, "aes-cbc: key_encrypt of 129 bits is not whole bytes");
	/* A key without its algorithm. */
	add_msg(SADB_SATYPE_ESP, 0, 32, SADB_X_EALG_AES_GCM_ICV16, 20);
	sa_expect(EINVAL);
	/* Combinations cipher_key_check refuses. */
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 32,
	    SADB_X_EALG_AES_GCM_ICV16, 20);
	sa_expect(EINVAL);
	ck_assert_msg(strstr(E.why, "combined-mode") != NULL, "%s", E.why);
	ck_assert_msg(strstr(E.why, "aes-gcm-16") != NULL, "%s", E.why);
	add_msg(SADB_SATYPE_AH, SADB_X_AALG_SHA2_256HMAC, 32,
	    SADB_X_EALG_AESCBC, 16);
	sa_expect(EINVAL);
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_NULL, 0, SADB_EALG_NULL, 0);
	sa_expect(EINVAL);
	/* ESP's key_encrypt (required) for no encryption algorithm. */
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 32, 0, 16);
	sa_expect(EINVAL);
	ck_assert_str_eq(
	    E.why, "key extension without its algorithm (auth 5, encrypt 0)");
}
END_TEST

/* A failed conversion leaves no key material in the output. */
START_TEST(test_pfkey_conv_sa_wipes_on_error)
{
	static const uint8_t zero[sizeof(struct sa)];

	/* Keys are copied, then cipher_key_check refuses the pair. */
	add_msg(SADB_SATYPE_ESP, SADB_X_AALG_SHA2_256HMAC, 32,
	    SADB_X_EALG_AES_GCM_ICV16, 20);
	sa_expect(EINVAL);
	ck_assert(memcmp(&SA, zero, sizeof(SA)) == 0);
}
END_TEST

START_TEST(test_pfkey_conv_sa_fields)
{
	static const struct {
		uint32_t flags;
		uint8_t want;
	} flags[] = {
		{ 0, 0 },
		{ SADB_SAFLAGS_NOECN, SA_F_NOECN },
		{ SADB_SAFLAGS_DECAP_DSCP, SA_F_DECAP_DSCP },
		{ SADB_SAFLAGS_NOPMTUDISC, SA_F_NOPMTUDISC },
		{ PFKEY_SAFLAGS_ESN, SA_F_ESN },
		{ SADB_SAFLAGS_PFS | 0x40 | 0x200, 0 }, /* ignored, as Linux */
		{ 0xffffffffu,
		    SA_F_NOECN | SA_F_DECAP_DSCP | SA_F_NOPMTUDISC | SA_F_ESN },
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		for (uint8_t mode = 0; mode <= IPSEC_MODE_BEET; mode++) {
			tm_hdr(&T, SADB_UPDATE, SADB_SATYPE_ESP);
			tm_sa(&T, 0xc0000001, (uint8_t)(i * 40), 0,
			    SADB_X_EALG_AES_GCM_ICV16, flags[i].flags);
			tm_sa2(&T, mode, 0x3000 + mode);
			tm_host(&T, SADB_EXT_ADDRESS_SRC, "2001:db8::1");
			tm_host(&T, SADB_EXT_ADDRESS_DST, "2001:db8::2");
			tm_key(&T, SADB_EXT_KEY_ENCRYPT, 288, 36);
			tm_lifetime(
			    &T, SADB_EXT_LIFETIME_HARD, 100, 2000, 3600, 600);
			tm_lifetime(
			    &T, SADB_EXT_LIFETIME_SOFT, 90, 1800, 3000, 500);
			sa_expect(0);
			ck_assert_uint_eq(SA.spi, 0xc0000001);
			ck_assert_int_eq(SA.proto, IPPROTO_ESP);
			ck_assert_int_eq(SA.mode,
			    mode == IPSEC_MODE_ANY ? SA_MODE_TRANSPORT : mode);
			ck_assert_uint_eq(SA.reqid, 0x3000u + mode);
			ck_assert_int_eq(SA.flags, flags[i].want);
			ck_assert_uint_eq(SA.replay_window, i * 40);
			ck_assert(addr_eq(&SA.src,
			    &(struct addr){ AF_INET6,
				{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }));
			ck_assert(addr_eq(&SA.dst,
			    &(struct addr){ AF_INET6,
				{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }));
			ck_assert_uint_eq(SA.hard.packets, 100);
			ck_assert_uint_eq(SA.hard.bytes, 2000);
			ck_assert_uint_eq(SA.hard.add_sec, 3600);
			ck_assert_uint_eq(SA.hard.use_sec, 600);
			ck_assert_uint_eq(SA.soft.packets, 90);
			ck_assert_uint_eq(SA.soft.bytes, 1800);
			ck_assert_uint_eq(SA.soft.add_sec, 3000);
			ck_assert_uint_eq(SA.soft.use_sec, 500);
			ck_assert_uint_eq(SA.if_id, 0);
			ck_assert_int_eq(SA.beet_src.family, 0);
			ck_assert_uint_eq(SA.encap_sport, 0);
			ck_assert_ptr_null(SA.replay);
		}
	}
	/* No X_SA2: transport, reqid 0; no lifetimes: no limits. */
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_AH);
	tm_sa(&T, 0x101, 0, SADB_AALG_SHA1HMAC, 0, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_AUTH, 160, 20);
	sa_expect(0);
	ck_assert_int_eq(SA.mode, SA_MODE_TRANSPORT);
	ck_assert_uint_eq(SA.reqid, 0);
	ck_assert_uint_eq(
	    SA.hard.bytes + SA.hard.packets + SA.hard.add_sec + SA.hard.use_sec,
	    0);
	ck_assert(
	    addr_eq(&SA.src, &(struct addr){ AF_INET, { 192, 0, 2, 1 } }));
}
END_TEST

START_TEST(test_pfkey_conv_sa_spi)
{
	/* SPI 0 is reserved; the others are fine. */
	static const uint32_t spis[] = { 0, 1, 0xff, 0x100, 0xffffffff };

	for (size_t i = 0; i < sizeof(spis) / sizeof(spis[0]); i++) {
		add_msg(
		    SADB_SATYPE_ESP, 0, NOKEY, SADB_X_EALG_AES_GCM_ICV16, 20);
		memcpy(T.buf + 16 + 4, &(uint32_t){ htonl(spis[i]) }, 4);
		sa_expect(spis[i] == 0 ? EINVAL : 0);
		if (spis[i] == 0)
			ck_assert_str_eq(
			    E.why, "spi 0 is reserved (RFC 4303 section 2.1)");
		else
			ck_assert_uint_eq(SA.spi, spis[i]);
	}
	/* IPcomp CPIs are 16 bits. */
	tm_hdr(&T, SADB_ADD, SADB_X_SATYPE_IPCOMP);
	tm_sa(&T, 0xffff, 0, 0, SADB_X_CALG_DEFLATE, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	sa_expect(0);
	ck_assert_uint_eq(SA.spi, 0xffff);
	memcpy(T.buf + 16 + 4, &(uint32_t){ htonl(0x10000) }, 4);
	sa_expect(EINVAL);
	ck_assert_str_eq(E.why, "ipcomp cpi 0x10000 does not fit 16 bits");
}
END_TEST

START_TEST(test_pfkey_conv_sa_ipcomp)
{
	static const struct {
		uint8_t auth, calg;
		int code;
	} rows[] = {
		{ 0, SADB_X_CALG_DEFLATE, 0 },
		{ 0, SADB_X_CALG_LZS, ENOSYS },
		{ 0, SADB_X_CALG_OUI, ENOSYS },
		{ 0, SADB_X_CALG_NONE, EINVAL },
		{ SADB_AALG_SHA1HMAC, SADB_X_CALG_DEFLATE, EINVAL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tm_hdr(&T, SADB_ADD, SADB_X_SATYPE_IPCOMP);
		tm_sa(&T, 0x4000, 0, rows[i].auth, rows[i].calg,
		    PFKEY_SAFLAGS_ESN);
		tm_sa2(&T, IPSEC_MODE_TUNNEL, 9);
		tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
		tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
		sa_expect(rows[i].code);
		if (rows[i].code != 0)
			continue;
		ck_assert_int_eq(SA.proto, IPPROTO_COMP);
		ck_assert_int_eq(SA.calg, SADB_X_CALG_DEFLATE);
		ck_assert_ptr_null(SA.key.enc);
		ck_assert_ptr_null(SA.key.auth);
		ck_assert_int_eq(SA.flags, 0); /* no ESN for IPcomp */
		ck_assert_int_eq(SA.mode, SA_MODE_TUNNEL);
	}
}
END_TEST

/* ADD with ESP-in-UDP as racoon and strongSwan send it. */
static void
natt_msg(uint8_t satype, bool with_type, uint8_t type, bool sport, bool dport,
    uint16_t port)
{
	struct sadb_x_nat_t_type ty;
	struct sadb_x_nat_t_port p;

	if (satype == SADB_SATYPE_AH)
		add_msg(satype, SADB_AALG_SHA1HMAC, 20, 0, NOKEY);
	else
		add_msg(satype, 0, NOKEY, SADB_X_EALG_AES_GCM_ICV16, 20);
	memset(&ty, 0, sizeof(ty));
	ty.sadb_x_nat_t_type_type = type;
	if (with_type)
		tm_struct(&T, SADB_X_EXT_NAT_T_TYPE, &ty, sizeof(ty));
	memset(&p, 0, sizeof(p));
	p.sadb_x_nat_t_port_port = htons(port);
	if (sport)
		tm_struct(&T, SADB_X_EXT_NAT_T_SPORT, &p, sizeof(p));
	p.sadb_x_nat_t_port_port = htons(4500);
	if (dport)
		tm_struct(&T, SADB_X_EXT_NAT_T_DPORT, &p, sizeof(p));
}

START_TEST(test_pfkey_conv_sa_natt)
{
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, true, true, 1234);
	tm_host(&T, SADB_X_EXT_NAT_T_OA, "10.0.0.1");
	sa_expect(0);
	ck_assert_int_eq(SA.flags & SA_F_UDP_ENCAP, SA_F_UDP_ENCAP);
	ck_assert_uint_eq(SA.encap_sport, 1234);
	ck_assert_uint_eq(SA.encap_dport, 4500);
	ck_assert_uint_eq(SA.nat_oa.family, AF_INET);
	ck_assert_uint_eq(SA.nat_oa.bytes[0], 10);
	ck_assert_uint_eq(SA.nat_oa.bytes[3], 1);
	/* Without it, none; of the other family, refused. */
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, true, true, 1234);
	sa_expect(0);
	ck_assert_uint_eq(SA.nat_oa.family, 0);
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, true, true, 1234);
	tm_host(&T, SADB_X_EXT_NAT_T_OA, "fd00::1");
	sa_expect(EINVAL);
	/* Without a NAT-T type it is not looked at, as in af_key. */
	natt_msg(SADB_SATYPE_ESP, false, 0, true, true, 1234);
	tm_host(&T, SADB_X_EXT_NAT_T_OA, "fd00::1");
	sa_expect(0);
	ck_assert_uint_eq(SA.nat_oa.family, 0);
	/* Ports without the type: no encapsulation (Linux ignores them). */
	natt_msg(SADB_SATYPE_ESP, false, 0, true, true, 1234);
	sa_expect(0);
	ck_assert_int_eq(SA.flags & SA_F_UDP_ENCAP, 0);
	ck_assert_uint_eq(SA.encap_sport, 0);
	/* The non-IKE draft type, a missing or zero port, AH. */
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP_NON_IKE, true, true,
	    1234);
	sa_expect(EINVAL);
	ck_assert_str_eq(E.why, "nat-t type 1 is not 2 (esp-in-udp, RFC 3948)");
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, true, false, 1234);
	sa_expect(EINVAL);
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, false, true, 1234);
	sa_expect(EINVAL);
	natt_msg(SADB_SATYPE_ESP, true, UDP_ENCAP_ESPINUDP, true, true, 0);
	sa_expect(EINVAL);
	natt_msg(SADB_SATYPE_AH, true, UDP_ENCAP_ESPINUDP, true, true, 1234);
	sa_expect(EINVAL);
}
END_TEST

START_TEST(test_pfkey_conv_sa_beet_proxy)
{
	for (uint8_t mode = IPSEC_MODE_TRANSPORT; mode <= IPSEC_MODE_BEET;
	     mode++) {
		tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
		tm_sa(&T, 0x1000, 0, 0, SADB_X_EALG_AES_GCM_ICV16, 0);
		tm_sa2(&T, mode, 1);
		tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
		tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
		tm_host(&T, SADB_EXT_ADDRESS_PROXY, "2001:db8::7");
		tm_key(&T, SADB_EXT_KEY_ENCRYPT, 160, 20);
		sa_expect(0);
		if (mode == IPSEC_MODE_BEET)
			ck_assert(addr_eq(&SA.beet_src,
			    &(struct addr){ AF_INET6,
				{ 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } }));
		else
			ck_assert_int_eq(SA.beet_src.family, 0);
		ck_assert_int_eq(SA.beet_dst.family, 0);
	}
}
END_TEST

/* --- lookup keys --- */

START_TEST(test_pfkey_conv_sa_id)
{
	struct pfkey_sa_id id;

	tm_hdr(&T, SADB_DELETE, SADB_SATYPE_AH);
	tm_sa(&T, 0xdeadbeef, 0, 0, 0, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "2001:db8::1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "2001:db8::2");
	parse();
	ck_assert(pfkey_conv_sa_id(&M, &id, &E));
	ck_assert_uint_eq(id.spi, 0xdeadbeef);
	ck_assert_int_eq(id.proto, IPPROTO_AH);
	ck_assert(addr_eq(&id.src,
	    &(struct addr){ AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }));
	ck_assert(addr_eq(&id.dst,
	    &(struct addr){ AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } }));
	/* No SA can have SPI 0 or a CPI past 16 bits: ESRCH. */
	memset(T.buf + 16 + 4, 0, 4);
	parse();
	ck_assert(!pfkey_conv_sa_id(&M, &id, &E));
	ck_assert_int_eq(E.code, ESRCH);
	T.buf[1] = SADB_GET;
	T.buf[3] = SADB_X_SATYPE_IPCOMP;
	memcpy(T.buf + 16 + 4, &(uint32_t){ htonl(0x12345) }, 4);
	parse();
	ck_assert(!pfkey_conv_sa_id(&M, &id, &E));
	ck_assert_int_eq(E.code, ESRCH);
}
END_TEST

START_TEST(test_pfkey_conv_getspi)
{
	struct pfkey_getspi g;

	/* strongSwan's: X_SA2, SRC, DST, SPIRANGE 0xc0000000.. */
	tm_hdr(&T, SADB_GETSPI, SADB_SATYPE_ESP);
	tm_sa2(&T, IPSEC_MODE_ANY, 17);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_spirange(&T, 0xc0000000, 0xcfffffff);
	parse();
	ck_assert(pfkey_conv_getspi(&M, &g, &E));
	ck_assert_int_eq(g.req.proto, IPPROTO_ESP);
	ck_assert_uint_eq(g.req.min, 0xc0000000);
	ck_assert_uint_eq(g.req.max, 0xcfffffff);
	ck_assert_uint_eq(g.reqid, 17);
	ck_assert_int_eq(g.mode, SA_MODE_TRANSPORT);
	ck_assert(
	    addr_eq(&g.req.dst, &(struct addr){ AF_INET, { 192, 0, 2, 2 } }));
	ck_assert(addr_eq(&g.src, &(struct addr){ AF_INET, { 192, 0, 2, 1 } }));
	/* racoon's without a range: af_key's default. */
	tm_hdr(&T, SADB_GETSPI, SADB_SATYPE_AH);
	tm_sa2(&T, IPSEC_MODE_TUNNEL, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	parse();
	ck_assert(pfkey_conv_getspi(&M, &g, &E));
	ck_assert_uint_eq(g.req.min, PFKEY_SPI_MIN);
	ck_assert_uint_eq(g.req.max, PFKEY_SPI_MAX);
	ck_assert_int_eq(g.mode, SA_MODE_TUNNEL);
	/* IPcomp: 16-bit CPIs. */
	T.buf[3] = SADB_X_SATYPE_IPCOMP;
	parse();
	ck_assert(pfkey_conv_getspi(&M, &g, &E));
	ck_assert_uint_eq(g.req.max, PFKEY_CPI_MAX);
	tm_spirange(&T, 0x100, 0x10000);
	parse();
	ck_assert(!pfkey_conv_getspi(&M, &g, &E));
	ck_assert_int_eq(E.code, EINVAL);
}
END_TEST

/* --- policies --- */

static void
spd_msg(uint8_t type, const char *src, uint8_t splen, const char *dst,
    uint8_t dplen, uint8_t proto, uint16_t sport, uint16_t dport)
{
	tm_hdr(&T, type, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, src, splen, proto, sport);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, dst, dplen, proto, dport);
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, 0, 0);
}

static bool
policy_conv(struct spd_policy *p)
{
	parse();
	return pfkey_conv_policy(&M, p, &E);
}

START_TEST(test_pfkey_conv_policy_selector)
{
	static const struct tm_req esp = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	struct spd_policy p;
	struct prefix want;

	/* Host bits beyond the prefix are cleared; ports exact. */
	spd_msg(SADB_X_SPDADD, "10.1.2.3", 16, "10.9.8.7", 24, IPPROTO_TCP,
	    1024, 80);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 100, &esp, 1);
	ck_assert_msg(policy_conv(&p), "%s", E.why);
	ck_assert(prefix_parse(&want, "10.1.0.0/16"));
	ck_assert(addr_eq(&p.sel.src.addr, &want.addr));
	ck_assert_int_eq(p.sel.src.len, 16);
	ck_assert(prefix_parse(&want, "10.9.8.0/24"));
	ck_assert(addr_eq(&p.sel.dst.addr, &want.addr));
	ck_assert_int_eq(p.sel.proto, IPPROTO_TCP);
	ck_assert_int_eq(p.sel.sport_lo, 1024);
	ck_assert_int_eq(p.sel.sport_hi, 1024);
	ck_assert_int_eq(p.sel.dport_lo, 80);
	ck_assert_int_eq(p.sel.dport_hi, 80);
	ck_assert_uint_eq(p.sel.if_id, 0);
	ck_assert_uint_eq(p.priority, 100);
	/* Port 0 is any; protocol 0 and 255 are any. */
	for (int proto = 0; proto < 2; proto++) {
		spd_msg(SADB_X_SPDADD, "2001:db8:1::", 48, "2001:db8:2::", 48,
		    proto == 0 ? 0 : IPSEC_ULPROTO_ANY, 0, 0);
		tm_policy(
		    &T, IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, 0, 0, NULL, 0);
		ck_assert_msg(policy_conv(&p), "%s", E.why);
		ck_assert_int_eq(p.sel.proto, SELECTOR_PROTO_ANY);
		ck_assert_int_eq(p.sel.sport_lo, 0);
		ck_assert_int_eq(p.sel.sport_hi, 65535);
		ck_assert_int_eq(p.sel.dport_hi, 65535);
		ck_assert_int_eq(p.sel.src.addr.family, AF_INET6);
	}
	/* Ports with protocol "any": refused by selector_check. */
	spd_msg(SADB_X_SPDADD, "10.0.0.0", 8, "10.0.0.0", 8, IPSEC_ULPROTO_ANY,
	    53, 0);
	tm_policy(&T, IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, 0, 0, NULL, 0);
	ck_assert(!policy_conv(&p));
	ck_assert_int_eq(E.code, EINVAL);
	ck_assert_msg(strstr(E.why, "selector") != NULL, "%s", E.why);
	/* Source and destination naming different protocols. */
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.0.0.1", 32, IPPROTO_TCP, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.0.0.2", 32, IPPROTO_UDP, 0);
	tm_policy(&T, IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, 0, 0, NULL, 0);
	ck_assert(!policy_conv(&p));
	ck_assert_int_eq(E.code, EINVAL);
}
END_TEST

START_TEST(test_pfkey_conv_policy_templates)
{
	static const struct tm_req rq[4] = {
		{ IPPROTO_COMP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_USE, 0,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 5,
		    "2001:db8::1", "2001:db8::2" },
		{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 5,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_ESP, IPSEC_MODE_BEET, IPSEC_LEVEL_DEFAULT, 0, NULL,
		    NULL },
	};
	struct spd_policy p;

	for (size_t n = 0; n <= 4; n++) {
		spd_msg(SADB_X_SPDUPDATE, "10.1.0.0", 16, "10.2.0.0", 16,
		    IPSEC_ULPROTO_ANY, 0, 0);
		tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_FWD, 0, 7, rq, n);
		ck_assert_msg(policy_conv(&p), "%s", E.why);
		ck_assert_int_eq(p.dir, SPD_DIR_FWD);
		/* Linux installs ipsec without requests as "allow". */
		ck_assert_int_eq(
		    p.action, n == 0 ? SPD_ACTION_NONE : SPD_ACTION_IPSEC);
		ck_assert_uint_eq(p.ntmpl, n);
	}
	ck_assert_int_eq(p.tmpl[0].proto, IPPROTO_COMP);
	ck_assert_int_eq(p.tmpl[0].mode, SA_MODE_TUNNEL);
	ck_assert_int_eq(p.tmpl[0].level, KNOBS_LEVEL_USE);
	ck_assert(addr_eq(
	    &p.tmpl[0].dst, &(struct addr){ AF_INET, { 192, 0, 2, 2 } }));
	ck_assert_int_eq(p.tmpl[1].level, KNOBS_LEVEL_UNIQUE);
	ck_assert_uint_eq(p.tmpl[1].reqid, 5);
	ck_assert_int_eq(p.tmpl[1].src.family, AF_INET6);
	/* reqid only with "unique"; transport endpoints dropped. */
	ck_assert_uint_eq(p.tmpl[2].reqid, 0);
	ck_assert_int_eq(p.tmpl[2].src.family, 0);
	ck_assert_int_eq(p.tmpl[3].mode, SA_MODE_BEET);
	ck_assert_int_eq(p.tmpl[3].level, KNOBS_LEVEL_DEFAULT);
	/* reqids up to IPSEC_MANUAL_REQID_MAX, else 0 (server picks). */
	static const uint32_t reqids[][2] = { { 1, 1 }, { 0x3fff, 0x3fff },
		{ 0x4000, 0 }, { 0xffffffff, 0 } };
	for (size_t i = 0; i < 4; i++) {
		struct tm_req r = rq[1];

		r.reqid = reqids[i][0];
		spd_msg(SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
		    IPSEC_ULPROTO_ANY, 0, 0);
		tm_policy(
		    &T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &r, 1);
		ck_assert_msg(policy_conv(&p), "%s", E.why);
		ck_assert_uint_eq(p.tmpl[0].reqid, reqids[i][1]);
	}
}
END_TEST

START_TEST(test_pfkey_conv_policy_types)
{
	static const struct {
		uint16_t type;
		uint8_t msg;
		uint8_t action;
		int code;
	} rows[] = {
		{ IPSEC_POLICY_DISCARD, SADB_X_SPDADD, SPD_ACTION_DISCARD, 0 },
		{ IPSEC_POLICY_NONE, SADB_X_SPDADD, SPD_ACTION_NONE, 0 },
		{ IPSEC_POLICY_IPSEC, SADB_X_SPDADD, SPD_ACTION_NONE, 0 },
		/* A delete names a policy by direction and selector only. */
		{ IPSEC_POLICY_BYPASS, SADB_X_SPDDELETE, 0, 0 },
	};
	static const uint8_t dirs[][2] = { { IPSEC_DIR_INBOUND, SPD_DIR_IN },
		{ IPSEC_DIR_OUTBOUND, SPD_DIR_OUT },
		{ IPSEC_DIR_FWD, SPD_DIR_FWD } };
	struct spd_policy p;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (size_t d = 0; d < 3; d++) {
			spd_msg(rows[i].msg, "10.0.0.0", 8, "0.0.0.0", 0,
			    IPSEC_ULPROTO_ANY, 0, 0);
			tm_policy(&T, rows[i].type, dirs[d][0], 0, 5, NULL, 0);
			ck_assert_msg(policy_conv(&p), "%s", E.why);
			ck_assert_int_eq(p.action, rows[i].action);
			ck_assert_int_eq(p.dir, dirs[d][1]);
			ck_assert_uint_eq(p.priority, 5);
		}
	}
}
END_TEST

/* An X_SPDADD with the lifetimes given (NULL: that one left out). */
static void
life_msg(const uint64_t *hard, const uint64_t *soft)
{
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.0.0.0", 8, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "0.0.0.0", 0, IPSEC_ULPROTO_ANY, 0);
	if (hard != NULL)
		tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, (uint32_t)hard[0],
		    hard[1], hard[2], hard[3]);
	if (soft != NULL)
		tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, (uint32_t)soft[0],
		    soft[1], soft[2], soft[3]);
	tm_policy(&T, IPSEC_POLICY_NONE, IPSEC_DIR_OUTBOUND, 0, 0, NULL, 0);
}

/* Lifetimes are read beside the policy (racoon's generate_policy). */
START_TEST(test_pfkey_conv_policy_life)
{
	static const uint64_t hard[4] = { 5, 6, 3600, 0 },
			      soft[4] = { 0, 0, 0, 30 }, zero[4] = { 0 };
	struct pfkey_policy_life life;
	struct spd_policy p;

	life_msg(hard, soft);
	ck_assert_msg(policy_conv(&p), "%s", E.why);
	pfkey_conv_policy_life(&M, &life);
	ck_assert(pfkey_policy_life_is_set(&life));
	ck_assert_uint_eq(life.hard.packets, 5);
	ck_assert_uint_eq(life.hard.bytes, 6);
	ck_assert_uint_eq(life.hard.add_sec, 3600);
	ck_assert_uint_eq(life.hard.use_sec, 0);
	ck_assert_uint_eq(life.soft.use_sec, 30);
	/* All zero (what libipsec sends without one), or none: no limit. */
	life_msg(zero, NULL);
	ck_assert_msg(policy_conv(&p), "%s", E.why);
	pfkey_conv_policy_life(&M, &life);
	ck_assert(!pfkey_policy_life_is_set(&life));
	life_msg(NULL, NULL);
	ck_assert_msg(policy_conv(&p), "%s", E.why);
	pfkey_conv_policy_life(&M, &life);
	ck_assert(!pfkey_policy_life_is_set(&life));
	/* Each field alone counts. */
	for (int i = 0; i < 4; i++) {
		uint64_t one[4] = { 0 };

		one[i] = 1;
		life_msg(NULL, one);
		ck_assert_msg(policy_conv(&p), "%s", E.why);
		pfkey_conv_policy_life(&M, &life);
		ck_assert(pfkey_policy_life_is_set(&life));
	}
}
END_TEST

START_TEST(test_pfkey_conv_policy_id)
{
	uint32_t id;
	enum spd_dir dir;

	for (uint32_t want = 8; want < 11; want++) {
		tm_hdr(&T, SADB_X_SPDDELETE2, 0);
		tm_policy(&T, 0, 0, want, 0, NULL, 0);
		parse();
		ck_assert(pfkey_conv_policy_id(&M, &id, &dir, &E));
		ck_assert_uint_eq(id, want);
		ck_assert_int_eq(dir, (enum spd_dir)(want & 7));
	}
	/* The kernel side's reading: a direction of 3 is refused too. */
	tm_hdr(&T, SADB_X_SPDDUMP, 0);
	tm_policy(&T, 0, 0, 11, 0, NULL, 0);
	parse();
	ck_assert(!pfkey_conv_policy_id(&M, &id, &dir, &E));
	ck_assert_int_eq(E.code, EINVAL);
}
END_TEST

START_TEST(test_pfkey_conv_migrate)
{
	static const struct tm_req rq[4] = {
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 3,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 3,
		    "198.51.100.1", "192.0.2.2" },
		{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
		    "2001:db8::1", "2001:db8::2" },
		{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
		    "2001:db8::3", "2001:db8::2" },
	};
	struct pfkey_migrate mg;
	uint8_t km[4 + 56];
	size_t n = 4;

	memset(km, 0, sizeof(km));
	n += tm_sockaddr(km + n, "198.51.100.1", 0);
	n += tm_sockaddr(km + n, "192.0.2.2", 0);
	tm_hdr(&T, SADB_X_MIGRATE, 0);
	tm_ext(&T, SADB_X_EXT_KMADDRESS, km, n);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND, 0, 0, rq, 4);
	parse();
	ck_assert_msg(pfkey_conv_migrate(&M, &mg, &E), "%s", E.why);
	ck_assert_int_eq(mg.dir, SPD_DIR_IN);
	ck_assert_uint_eq(mg.n, 2);
	ck_assert_int_eq(mg.item[0].proto, IPPROTO_ESP);
	ck_assert_int_eq(mg.item[0].mode, SA_MODE_TUNNEL);
	ck_assert_uint_eq(mg.item[0].reqid, 3);
	ck_assert(addr_eq(
	    &mg.item[0].old_src, &(struct addr){ AF_INET, { 192, 0, 2, 1 } }));
	ck_assert(addr_eq(&mg.item[0].new_src,
	    &(struct addr){ AF_INET, { 198, 51, 100, 1 } }));
	ck_assert_int_eq(mg.item[1].new_src.family, AF_INET6);
	ck_assert(mg.has_km);
	ck_assert(addr_eq(
	    &mg.km_local, &(struct addr){ AF_INET, { 198, 51, 100, 1 } }));
	ck_assert_int_eq(mg.sel.src.len, 16);
}
END_TEST

START_TEST(test_pfkey_conv_filter)
{
	struct pfkey_filter f;
	struct sadb_x_filter x;
	struct prefix want;

	tm_hdr(&T, SADB_DUMP, SADB_SATYPE_ESP);
	parse();
	ck_assert(pfkey_conv_filter(&M, &f, &E));
	ck_assert(!f.is_set);
	memset(&x, 0, sizeof(x));
	x.sadb_x_filter_family = AF_INET;
	memcpy(
	    (uint8_t *)&x + offsetof(struct sadb_x_filter, sadb_x_filter_saddr),
	    (uint8_t[]){ 10, 1, 2, 3 }, 4);
	memcpy(
	    (uint8_t *)&x + offsetof(struct sadb_x_filter, sadb_x_filter_daddr),
	    (uint8_t[]){ 10, 9, 9, 9 }, 4);
	x.sadb_x_filter_splen = 16;
	x.sadb_x_filter_dplen = 32;
	tm_struct(&T, SADB_X_EXT_FILTER, &x, sizeof(x));
	parse();
	ck_assert(pfkey_conv_filter(&M, &f, &E));
	ck_assert(f.is_set);
	ck_assert(prefix_parse(&want, "10.1.0.0/16"));
	ck_assert(addr_eq(&f.src.addr, &want.addr));
	ck_assert_int_eq(f.src.len, 16);
	ck_assert(prefix_parse(&want, "10.9.9.9/32"));
	ck_assert(addr_eq(&f.dst.addr, &want.addr));
}
END_TEST

static Suite *
pfkey_conv_suite(void)
{
	Suite *s = suite_create("pfkey_conv");
	TCase *tc;

	tc = tcase_create("pfkey_conv_sa");
	tcase_add_test(tc, test_pfkey_conv_sa_every_alg);
	tcase_add_test(tc, test_pfkey_conv_sa_key_sizes);
	tcase_add_test(tc, test_pfkey_conv_sa_bad_algs);
	tcase_add_test(tc, test_pfkey_conv_sa_wipes_on_error);
	tcase_add_test(tc, test_pfkey_conv_sa_fields);
	tcase_add_test(tc, test_pfkey_conv_sa_spi);
	tcase_add_test(tc, test_pfkey_conv_sa_ipcomp);
	tcase_add_test(tc, test_pfkey_conv_sa_natt);
	tcase_add_test(tc, test_pfkey_conv_sa_beet_proxy);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_sa_id");
	tcase_add_test(tc, test_pfkey_conv_sa_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_getspi");
	tcase_add_test(tc, test_pfkey_conv_getspi);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_policy");
	tcase_add_test(tc, test_pfkey_conv_policy_selector);
	tcase_add_test(tc, test_pfkey_conv_policy_templates);
	tcase_add_test(tc, test_pfkey_conv_policy_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_policy_life");
	tcase_add_test(tc, test_pfkey_conv_policy_life);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_policy_id");
	tcase_add_test(tc, test_pfkey_conv_policy_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_migrate");
	tcase_add_test(tc, test_pfkey_conv_migrate);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_conv_filter");
	tcase_add_test(tc, test_pfkey_conv_filter);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pfkey_conv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
