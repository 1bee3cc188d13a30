/*
 * Unit tests of src/ipsec/esp.c: round trips for every algorithm, mode
 * and family, the RFC 4303 checks (padding, sequence numbers, replay
 * before and after the ICV, dummy packets), one-byte-short packets, and
 * known answers from the RFC texts (tests/unit/esp_vectors.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"

static struct crypto_lib *lib;
static uint8_t mem[70000 + 1024];
static struct pbuf pkt;

static void
setup(void)
{
	lib = crypto_lib_new(NULL);
	ck_assert_ptr_nonnull(lib);
	pbuf_init(&pkt, mem, sizeof(mem), 256);
}

static void
teardown(void)
{
	crypto_lib_free(lib);
}

/* An IPv4 UDP-like packet of payload_len bytes after a 20-byte header. */
static void
make_v4(struct pbuf *pb, size_t payload_len)
{
	uint8_t *p;

	pbuf_reset(pb, 256);
	p = pbuf_put(pb, 20 + payload_len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = 0x2e; /* DSCP 11, ECT(0) */
	wr_u16(p + 4, 0x1234);
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, "\xc0\xa8\x01\x01\xc0\xa8\x02\x02", 8);
	for (size_t i = 0; i < payload_len; i++)
		p[20 + i] = (uint8_t)(i * 7 + 3);
	ip_set_len(p, AF_INET, 20 + payload_len);
}

/*
 * An IPv6 packet with a Hop-by-Hop header and, after it, a Destination
 * Options header (for the final destination) then payload_len bytes of
 * UDP.  ESP goes between the two (RFC 4303 section 3.1.1).
 */
static void
make_v6_ext(struct pbuf *pb, size_t payload_len)
{
	uint8_t *p;

	pbuf_reset(pb, 256);
	p = pbuf_put(pb, 40 + 8 + 8 + payload_len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 56);
	p[0] = 0x60;
	p[6] = IPPROTO_HOPOPTS;
	p[7] = 64;
	p[8] = 0x20;
	p[8 + 15] = 1;
	p[24] = 0x20;
	p[24 + 15] = 2;
	p[40] = IPPROTO_DSTOPTS; /* HBH: next = dstopts, len 0, PadN */
	p[42] = 1;
	p[43] = 4;
	p[48] = IPPROTO_UDP; /* dstopts: next = UDP, len 0, PadN */
	p[50] = 1;
	p[51] = 4;
	for (size_t i = 0; i < payload_len; i++)
		p[56 + i] = (uint8_t)(i + 1);
	ip_set_len(p, AF_INET6, 56 + payload_len);
}

struct alg_case {
	enum alg_id enc;
	uint8_t enc_len;
	int auth; /* enum alg_id, or -1 */
	uint8_t auth_len;
};

static const struct alg_case algs[] = {
	{ ALG_AES_GCM_8, 20, -1, 0 },
	{ ALG_AES_GCM_12, 28, -1, 0 },
	{ ALG_AES_GCM_16, 36, -1, 0 },
	{ ALG_AES_GMAC, 20, -1, 0 },
	{ ALG_CHACHA20_POLY1305, 36, -1, 0 },
	{ ALG_AES_CBC, 16, ALG_HMAC_SHA1_96, 20 },
	{ ALG_AES_CBC, 32, ALG_HMAC_SHA256_128, 32 },
	{ ALG_AES_CBC, 24, ALG_HMAC_SHA384_192, 48 },
	{ ALG_AES_CTR, 20, ALG_HMAC_SHA512_256, 64 },
	{ ALG_NULL_ENC, 0, ALG_HMAC_SHA256_128, 32 },
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* An SA with its own replay window (freed by sa_done). */
static struct cipher *
sa_make(struct sa *sa, const struct alg_case *ac, bool is_esn, unsigned window)
{
	struct cipher *c;

	memset(sa, 0, sizeof(*sa));
	sa->spi = 0x1a2b3c4d;
	sa->proto = IPPROTO_ESP;
	sa->mode = SA_MODE_TRANSPORT;
	sa->flags = is_esn ? SA_F_ESN : 0;
	sa->replay_window = (uint16_t)window;
	sa->key.enc = alg_get(ac->enc);
	sa->key.enc_len = ac->enc_len;
	for (int i = 0; i < ac->enc_len; i++)
		sa->key.enc_key[i] = (uint8_t)(0x10 + i);
	if (ac->auth >= 0) {
		sa->key.auth = alg_get((enum alg_id)ac->auth);
		sa->key.auth_len = ac->auth_len;
		for (int i = 0; i < ac->auth_len; i++)
			sa->key.auth_key[i] = (uint8_t)(0x80 + i);
	}
	sa->replay = malloc(replay_size(window));
	ck_assert_ptr_nonnull(sa->replay);
	replay_init(sa->replay, window, is_esn);
	c = cipher_new(lib, &sa->key);
	ck_assert_ptr_nonnull(c);
	return c;
}

static void
sa_done(struct sa *sa, struct cipher *c)
{
	free(sa->replay);
	cipher_free(c);
}

static const uint8_t iv16[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };

/* Encap then decap every algorithm, both families, with and without ESN. */
START_TEST(test_esp_encap_roundtrip)
{
	static const size_t sizes[] = { 0, 1, 13, 14, 15, 16, 17, 1400 };
	uint8_t orig[2000];

	for (size_t a = 0; a < NALGS; a++) {
		for (int fam = 0; fam < 2; fam++) {
			for (int esn = 0; esn < 2; esn++) {
				for (size_t s = 0; s < 8; s++) {
					struct sa sa;
					struct cipher *c =
					    sa_make(&sa, &algs[a], esn, 64);
					uint64_t seq = 7;
					uint8_t nh = 0;
					size_t olen, blk, esp_len;
					struct ip_info info;

					if (fam == 0)
						make_v4(&pkt, sizes[s]);
					else
						make_v6_ext(&pkt, sizes[s]);
					olen = pbuf_len(&pkt);
					memcpy(orig, pbuf_data(&pkt), olen);
					ck_assert_int_eq(
					    esp_encap(&sa, c, seq, iv16, &pkt),
					    IPSEC_OK);
					ck_assert_uint_eq(pbuf_len(&pkt),
					    olen +
						esp_overhead(&sa.key,
						    sizes[s] + (fam ? 8 : 0)));
					ck_assert(ip_parse(pbuf_data(&pkt),
					    pbuf_len(&pkt), &info));
					ck_assert_int_eq(
					    info.proto, IPPROTO_ESP);
					ck_assert_uint_eq(
					    info.ins_off, fam ? 48 : 20);
					ck_assert_uint_eq(
					    get_u32(
						pbuf_data(&pkt) + info.ins_off),
					    0x1a2b3c4d);
					ck_assert_uint_eq(
					    get_u32(pbuf_data(&pkt) +
						info.ins_off + 4),
					    (uint32_t)seq);
					/* ciphertext aligned to the block */
					blk = sa.key.enc->block_len;
					esp_len = pbuf_len(&pkt) -
					    info.ins_off - 8 -
					    sa.key.enc->iv_len -
					    cipher_icv_len(c);
					ck_assert_uint_eq(esp_len % blk, 0);
					ck_assert_msg(esp_decap(&sa, c, &pkt,
							  &nh) == IPSEC_OK,
					    "%s fam %d esn %d size %zu",
					    sa.key.enc->name, fam, esn,
					    sizes[s]);
					ck_assert_int_eq(nh,
					    fam ? IPPROTO_DSTOPTS
						: IPPROTO_UDP);
					ck_assert_uint_eq(pbuf_len(&pkt), olen);
					ck_assert_mem_eq(
					    pbuf_data(&pkt), orig, olen);
					ck_assert_uint_eq(
					    replay_last(sa.replay), seq);
					sa_done(&sa, c);
				}
			}
		}
	}
}
END_TEST

/* The trailer is 1, 2, 3, ..., pad length, next header (RFC 4303 2.4). */
START_TEST(test_esp_encap_padding_bytes)
{
	struct alg_case nul = { ALG_NULL_ENC, 0, ALG_HMAC_SHA1_96, 20 };
	struct sa sa;
	struct cipher *c = sa_make(&sa, &nul, false, 32);
	const uint8_t *t;

	make_v4(&pkt, 5); /* 5 + 2 -> pad 1 to 8 */
	ck_assert_int_eq(esp_encap(&sa, c, 1, NULL, &pkt), IPSEC_OK);
	t = pbuf_data(&pkt) + pbuf_len(&pkt) - 12 - 3;
	ck_assert_int_eq(t[0], 1);
	ck_assert_int_eq(t[1], 1);
	ck_assert_int_eq(t[2], IPPROTO_UDP);
	sa_done(&sa, c);
}
END_TEST

START_TEST(test_esp_encap_seq_rules)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);
	uint8_t orig[100];

	make_v4(&pkt, 30);
	memcpy(orig, pbuf_data(&pkt), pbuf_len(&pkt));
	ck_assert_int_eq(esp_encap(&sa, c, 0, iv16, &pkt), IPSEC_DROP_SEQ_ZERO);
	ck_assert_int_eq(esp_encap(&sa, c, 1ULL << 32, iv16, &pkt),
	    IPSEC_DROP_SEQ_EXHAUSTED);
	ck_assert_uint_eq(pbuf_len(&pkt), 50);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, 50);
	ck_assert_int_eq(esp_encap(&sa, c, UINT32_MAX, iv16, &pkt), IPSEC_OK);
	sa_done(&sa, c);
}
END_TEST

/* The high ESN bits are in the ICV: a wrong inference fails the ICV. */
START_TEST(test_esp_decap_esn_high_bits_in_icv)
{
	struct sa tx, rx;
	struct cipher *ct = sa_make(&tx, &algs[6], true, 64);
	struct cipher *cr = sa_make(&rx, &algs[6], true, 64);
	uint8_t nh;

	/* Sent in epoch 1; the receiver is in epoch 0 and infers hi 0. */
	make_v4(&pkt, 40);
	ck_assert_int_eq(
	    esp_encap(&tx, ct, (1ULL << 32) | 5, iv16, &pkt), IPSEC_OK);
	ck_assert_int_eq(esp_decap(&rx, cr, &pkt, &nh), IPSEC_DROP_ICV);
	ck_assert_uint_eq(replay_last(rx.replay), 0);
	sa_done(&tx, ct);
	sa_done(&rx, cr);
}
END_TEST

/* Crossing 2^32 with ESN: the receiver infers the new epoch (App. A2). */
START_TEST(test_esp_decap_esn_epoch_crossing)
{
	static const uint64_t seqs[] = { 0x80000000ULL, 0xfffffffeULL,
		0x100000002ULL, 0xffffffffULL, 0x100000001ULL };
	struct sa tx, rx;
	struct cipher *ct = sa_make(&tx, &algs[4], true, 64);
	struct cipher *cr = sa_make(&rx, &algs[4], true, 64);
	uint8_t nh;

	for (size_t i = 0; i < 5; i++) {
		make_v4(&pkt, 40);
		ck_assert_int_eq(
		    esp_encap(&tx, ct, seqs[i], iv16, &pkt), IPSEC_OK);
		ck_assert_int_eq(esp_decap(&rx, cr, &pkt, &nh), IPSEC_OK);
	}
	ck_assert_uint_eq(replay_last(rx.replay), 0x100000002ULL);
	sa_done(&tx, ct);
	sa_done(&rx, cr);
}
END_TEST

/* A forged packet never moves the window; a replayed one is refused. */
START_TEST(test_esp_decap_replay_after_icv)
{
	for (size_t a = 0; a < NALGS; a++) {
		struct sa sa;
		struct cipher *c = sa_make(&sa, &algs[a], false, 64);
		uint8_t sealed[200], nh;
		size_t len;

		make_v4(&pkt, 60);
		ck_assert_int_eq(esp_encap(&sa, c, 100, iv16, &pkt), IPSEC_OK);
		len = pbuf_len(&pkt);
		memcpy(sealed, pbuf_data(&pkt), len);
		pbuf_data(&pkt)[len - 1] ^= 0x40; /* in the ICV */
		ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_ICV);
		ck_assert_uint_eq(replay_last(sa.replay), 0);
		pbuf_set(&pkt, sealed, len, 256);
		pbuf_data(&pkt)[40] ^= 1; /* in the payload */
		ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_ICV);
		pbuf_set(&pkt, sealed, len, 256);
		ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_OK);
		ck_assert_uint_eq(replay_last(sa.replay), 100);
		pbuf_set(&pkt, sealed, len, 256);
		ck_assert_int_eq(
		    esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_REPLAY);
		/* The replay check comes first: bytes stay untouched. */
		ck_assert_mem_eq(pbuf_data(&pkt), sealed, len);
		sa_done(&sa, c);
	}
}
END_TEST

START_TEST(test_esp_decap_wrong_spi)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);
	uint8_t nh;

	make_v4(&pkt, 20);
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pkt), IPSEC_OK);
	sa.spi++;
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_NOSA);
	sa_done(&sa, c);
}
END_TEST

/*
 * Re-seal an ESP packet sealed with NULL encryption + HMAC-SHA1-96 after
 * the test edited its trailer, so the ICV is valid again.
 */
static void
reseal_null(struct cipher *c, struct pbuf *pb)
{
	struct crypto_op op;
	uint8_t *esp = pbuf_data(pb) + 20;
	size_t len = pbuf_len(pb) - 20 - 12;

	memset(&op, 0, sizeof(op));
	op.c = c;
	op.is_encrypt = true;
	op.icv = esp + len;
	crypto_op_auth(&op, esp, len);
	ck_assert_int_eq(cipher_run(&op), CRYPTO_OK);
}

START_TEST(test_esp_decap_bad_padding)
{
	struct alg_case nul = { ALG_NULL_ENC, 0, ALG_HMAC_SHA1_96, 20 };
	struct sa sa;
	struct cipher *c = sa_make(&sa, &nul, false, 64);
	uint8_t nh, *t;

	/* 9 bytes + 2 -> 1 pad byte: trailer 01 01 11 */
	make_v4(&pkt, 9);
	ck_assert_int_eq(esp_encap(&sa, c, 1, NULL, &pkt), IPSEC_OK);
	t = pbuf_data(&pkt) + pbuf_len(&pkt) - 12 - 3;
	t[0] = 0x07; /* pad byte must be 1 */
	reseal_null(c, &pkt);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_PAD);

	/* Pad length beyond the payload. */
	make_v4(&pkt, 9);
	ck_assert_int_eq(esp_encap(&sa, c, 2, NULL, &pkt), IPSEC_OK);
	t = pbuf_data(&pkt) + pbuf_len(&pkt) - 12 - 3;
	t[1] = 200;
	reseal_null(c, &pkt);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_PAD);

	/* Dummy packet: next header 59, dropped quietly but counted. */
	make_v4(&pkt, 9);
	ck_assert_int_eq(esp_encap(&sa, c, 3, NULL, &pkt), IPSEC_OK);
	t = pbuf_data(&pkt) + pbuf_len(&pkt) - 12 - 3;
	t[2] = 59;
	reseal_null(c, &pkt);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DUMMY);
	ck_assert_uint_eq(replay_last(sa.replay), 3);
	sa_done(&sa, c);
}
END_TEST

/*
 * Every length check, exactly one byte short: an ESP packet (IPv4, 20-byte
 * header) of esp_len bytes must be refused with IPSEC_DROP_SHORT, and one
 * byte more must get past the length checks (to the ICV).
 */
START_TEST(test_esp_decap_one_byte_short)
{
	for (size_t a = 0; a < NALGS; a++) {
		struct sa sa;
		struct cipher *c = sa_make(&sa, &algs[a], false, 64);
		size_t iv = sa.key.enc->iv_len, icv = cipher_icv_len(c);
		size_t mins[] = { 4, 8, 8 + iv, 8 + iv + icv + 2 };
		uint8_t nh;

		for (size_t m = 0; m < 4; m++) {
			size_t need = mins[m];
			uint8_t *p;

			make_v4(&pkt, need - 1);
			p = pbuf_data(&pkt);
			p[9] = IPPROTO_ESP;
			wr_u32(p + 20, 0x1a2b3c4d);
			if (need - 1 >= 8)
				wr_u32(p + 24, 1);
			ip_fix_cksum(p);
			ck_assert_int_eq(
			    esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_SHORT);
		}
		{
			size_t need = mins[3];
			enum ipsec_verdict v;
			uint8_t *p;

			/* Ciphertext comes in whole blocks; round up. */
			need = 8 + iv +
			    (sa.key.enc->id == ALG_AES_CBC ? 16 : 4) + icv;
			make_v4(&pkt, need);
			p = pbuf_data(&pkt);
			p[9] = IPPROTO_ESP;
			wr_u32(p + 20, 0x1a2b3c4d);
			wr_u32(p + 24, 1);
			ip_fix_cksum(p);
			v = esp_decap(&sa, c, &pkt, &nh);
			ck_assert_msg(v == IPSEC_DROP_ICV, "%s: %s",
			    sa.key.enc->name, ipsec_verdict_name(v));
		}
		sa_done(&sa, c);
	}
}
END_TEST

START_TEST(test_esp_decap_cbc_partial_block)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[5], false, 64);
	uint8_t nh, *p;

	make_v4(&pkt, 8 + 16 + 17 + 12);
	p = pbuf_data(&pkt);
	p[9] = IPPROTO_ESP;
	wr_u32(p + 20, 0x1a2b3c4d);
	wr_u32(p + 24, 1);
	ip_fix_cksum(p);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_HDR);
	sa_done(&sa, c);
}
END_TEST

START_TEST(test_esp_decap_not_esp)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);
	uint8_t nh;

	make_v4(&pkt, 100);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_PROTO);
	make_v4(&pkt, 100);
	pbuf_trim(&pkt, 1); /* IP total length now disagrees */
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_HDR);
	sa_done(&sa, c);
}
END_TEST

START_TEST(test_esp_encap_noroom_unchanged)
{
	static uint8_t small[128];
	struct pbuf pb;
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);
	uint8_t orig[64];

	/* No headroom. */
	pbuf_init(&pb, small, sizeof(small), 0);
	make_v4(&pkt, 20);
	pbuf_set(&pb, pbuf_data(&pkt), 40, 0);
	memcpy(orig, pbuf_data(&pb), 40);
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pb), IPSEC_DROP_NOROOM);
	ck_assert_uint_eq(pbuf_len(&pb), 40);
	ck_assert_mem_eq(pbuf_data(&pb), orig, 40);
	/* Headroom but a tailroom one byte short of pad + 2 + ICV. */
	pbuf_set(&pb, orig, 40, 16);
	pb.cap = (uint32_t)(16 + 40 + 2 + 2 + 16 - 1);
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pb), IPSEC_DROP_NOROOM);
	pb.cap++;
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pb), IPSEC_OK);
	sa_done(&sa, c);
}
END_TEST

START_TEST(test_esp_encap_toobig)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);

	/* 20 + 8 + 8 + 16 = 52 leaves 65483: 65478 + 2 fills it (4-aligned) */
	make_v4(&pkt, 65479);
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pkt), IPSEC_DROP_TOOBIG);
	make_v4(&pkt, 65478);
	ck_assert_int_eq(esp_encap(&sa, c, 1, iv16, &pkt), IPSEC_OK);
	sa_done(&sa, c);
}
END_TEST

static Suite *
esp_suite(void)
{
	Suite *s = suite_create("esp");
	TCase *tc;

	tc = tcase_create("esp_encap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_esp_encap_roundtrip);
	tcase_add_test(tc, test_esp_encap_padding_bytes);
	tcase_add_test(tc, test_esp_encap_seq_rules);
	tcase_add_test(tc, test_esp_encap_noroom_unchanged);
	tcase_add_test(tc, test_esp_encap_toobig);
	suite_add_tcase(s, tc);

	tc = tcase_create("esp_decap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_esp_decap_esn_high_bits_in_icv);
	tcase_add_test(tc, test_esp_decap_esn_epoch_crossing);
	tcase_add_test(tc, test_esp_decap_replay_after_icv);
	tcase_add_test(tc, test_esp_decap_wrong_spi);
	tcase_add_test(tc, test_esp_decap_bad_padding);
	tcase_add_test(tc, test_esp_decap_one_byte_short);
	tcase_add_test(tc, test_esp_decap_cbc_partial_block);
	tcase_add_test(tc, test_esp_decap_not_esp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(esp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
