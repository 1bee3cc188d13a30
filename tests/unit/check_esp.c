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
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "ipsec/tunnel.h"
#include "tests/unit/esp_vectors.h"

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

/*
 * Sequence number 0 is never sent (RFC 4303 section 3.3.3): a packet that
 * carries it is refused before the ICV is even computed, with or without
 * a replay window, and with ESN when the inferred number is 0.
 */
START_TEST(test_esp_decap_seq_zero)
{
	for (int esn = 0; esn < 2; esn++) {
		for (int has_window = 0; has_window < 2; has_window++) {
			struct sa sa;
			struct cipher *c = sa_make(&sa, &algs[2], esn, 64);
			uint8_t nh, sealed[200];
			size_t len;

			if (!has_window) {
				free(sa.replay);
				sa.replay = NULL;
				sa.replay_window = 0;
			}
			make_v4(&pkt, 30);
			ck_assert_int_eq(
			    esp_encap(&sa, c, 1, iv16, &pkt), IPSEC_OK);
			wr_u32(pbuf_data(&pkt) + 24, 0); /* seq 1 -> 0 */
			len = pbuf_len(&pkt);
			memcpy(sealed, pbuf_data(&pkt), len);
			ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh),
			    esn && !has_window ? IPSEC_DROP_NOSA
					       : IPSEC_DROP_SEQ_ZERO);
			ck_assert_mem_eq(pbuf_data(&pkt), sealed, len);
			sa_done(&sa, c);
		}
	}
}
END_TEST

/* An empty packet, and one that is only an IP header. */
START_TEST(test_esp_decap_empty)
{
	struct sa sa;
	struct cipher *c = sa_make(&sa, &algs[2], false, 64);
	uint8_t nh;

	pbuf_reset(&pkt, 256);
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_HDR);
	make_v4(&pkt, 0);
	pbuf_data(&pkt)[9] = IPPROTO_ESP;
	ip_fix_cksum(pbuf_data(&pkt));
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_DROP_SHORT);
	ck_assert_uint_eq(replay_last(sa.replay), 0);
	sa_done(&sa, c);
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

/*
 * Known answers (tests/unit/esp_vectors.h, each copied from the document
 * its name gives: draft-mcgrew-gcm-test-01 section 4, RFC 7634 Appendix A,
 * RFC 3602 section 4 cases 5-8).  For every vector our esp_encap with the
 * vector's key, SPI, sequence number (64-bit ESN where the vector says)
 * and IV must give exactly the vector's bytes, and esp_decap of the
 * vector's bytes must give back the plaintext and next header.
 *
 * How each kind of vector becomes a packet:
 * - esp_off 0 (draft-mcgrew-gcm-test-01): the draft prints no IP header
 *   and its "plaintext" ends with the ESP trailer (Padding, Pad Length,
 *   Next Header).  The payload is plaintext minus that trailer, carried
 *   in an IPv4 header of ours (documentation addresses) whose protocol is
 *   the trailer's Next Header; our padding must then equal the draft's,
 *   which the ciphertext and tag prove.  The payload is opaque bytes to
 *   ESP, so the cases the notes flag (an IPv4-looking payload whose Total
 *   Length disagrees with its size: cases 1, 6, 7 and 9) are used like
 *   the others: nothing here parses the payload as IP.
 * - mode 1 (RFC 3602 cases 5, 6): plain is the whole IPv4 packet, esp the
 *   whole packet after transport-mode ESP, header rewritten by us.
 * - mode 2 (RFC 7634, RFC 3602 cases 7, 8): plain is the inner packet;
 *   tunnel_encap builds the outer header from the vector's outer
 *   addresses and IP ID (TTL 64, DF clear, TOS 0, as printed), and the
 *   whole outer packet must match.  Decap strips it again.
 */

/* The SA a vector describes; with no_auth_ptr, "null-auth" becomes NULL. */
static struct cipher *
vec_sa(struct sa *sa, const struct esp_vector *v, bool no_auth_ptr)
{
	struct cipher *c;
	const char *why;

	memset(sa, 0, sizeof(*sa));
	sa->spi = v->spi;
	sa->proto = IPPROTO_ESP;
	sa->mode = v->mode == 2 ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT;
	sa->flags = v->esn ? SA_F_ESN : 0;
	sa->key.enc = alg_by_name(v->enc_alg);
	ck_assert_ptr_nonnull(sa->key.enc);
	ck_assert_uint_eq(sa->key.enc->iv_len, v->iv_len);
	sa->key.enc_len = v->enc_key_len;
	memcpy(sa->key.enc_key, v->enc_key, v->enc_key_len);
	if (v->auth_alg != NULL && !no_auth_ptr) {
		sa->key.auth = alg_by_name(v->auth_alg);
		ck_assert_ptr_nonnull(sa->key.auth);
		sa->key.auth_len = v->auth_key_len;
		memcpy(sa->key.auth_key, v->auth_key, v->auth_key_len);
	}
	ck_assert_msg(
	    cipher_key_check(&sa->key, false, &why), "%s: %s", v->name, why);
	sa->replay_window = 64;
	sa->replay = malloc(replay_size(64));
	ck_assert_ptr_nonnull(sa->replay);
	replay_init(sa->replay, 64, v->esn);
	/* The receiver has seen seq - 1: ESN inference lands in its epoch. */
	if (v->seq > 1)
		ck_assert_int_eq(
		    replay_advance(sa->replay, v->seq - 1), IPSEC_OK);
	if (v->mode == 2) {
		ck_assert_uint_eq(v->esp[0], 0x45);
		sa->src.family = sa->dst.family = AF_INET;
		memcpy(sa->src.bytes, v->esp + 12, 4);
		memcpy(sa->dst.bytes, v->esp + 16, 4);
	}
	c = cipher_new(lib, &sa->key);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Our IPv4 header (192.0.2.1 -> 192.0.2.2) in front of len bytes. */
static void
wrap_v4(struct pbuf *pb, uint8_t proto, const uint8_t *data, size_t len)
{
	uint8_t *p;

	pbuf_reset(pb, 256);
	p = pbuf_put(pb, 20 + len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 20);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	if (len > 0)
		memcpy(p + 20, data, len);
	ck_assert(ip_set_len(p, AF_INET, 20 + len));
}

/* The inner packet (or payload) and next header a vector encapsulates. */
static void
vec_inner(const struct esp_vector *v, struct pbuf *pb, uint8_t *nh)
{
	if (v->esp_off == 0) {
		uint8_t pad = v->plain[v->plain_len - 2];

		ck_assert_uint_ge(v->plain_len, (size_t)pad + 2);
		*nh = v->plain[v->plain_len - 1];
		wrap_v4(pb, *nh, v->plain, v->plain_len - pad - 2);
	} else {
		ck_assert(pbuf_set(pb, v->plain, v->plain_len, 256));
		*nh = v->mode == 2 ? IPPROTO_IPIP : v->plain[9];
	}
}

static void
check_vector_encap(const struct esp_vector *v, bool no_auth_ptr)
{
	struct knobs k;
	struct sa sa;
	struct cipher *c = vec_sa(&sa, v, no_auth_ptr);
	uint8_t nh;
	size_t off;

	knobs_init(&k);
	vec_inner(v, &pkt, &nh);
	if (v->mode == 2)
		ck_assert_int_eq(
		    tunnel_encap(&sa, &k, get_u16(v->esp + 4), &pkt), IPSEC_OK);
	ck_assert_msg(
	    esp_encap(&sa, c, v->seq, v->iv, &pkt) == IPSEC_OK, "%s", v->name);
	off = v->esp_off == 0 ? 20 : 0;
	ck_assert_msg(pbuf_len(&pkt) == off + v->esp_len, "%s: %zu bytes",
	    v->name, pbuf_len(&pkt));
	ck_assert_msg(memcmp(pbuf_data(&pkt) + off, v->esp, v->esp_len) == 0,
	    "%s: bytes differ", v->name);
	sa_done(&sa, c);
}

static void
check_vector_decap(const struct esp_vector *v, bool no_auth_ptr)
{
	struct sa sa;
	struct cipher *c = vec_sa(&sa, v, no_auth_ptr);
	uint8_t nh = 0, want_nh;
	struct pbuf inner;
	static uint8_t imem[2048];
	enum ipsec_verdict r;

	pbuf_init(&inner, imem, sizeof(imem), 256);
	vec_inner(v, &inner, &want_nh);
	if (v->esp_off == 0)
		wrap_v4(&pkt, IPPROTO_ESP, v->esp, v->esp_len);
	else
		ck_assert(pbuf_set(&pkt, v->esp, v->esp_len, 256));
	r = esp_decap(&sa, c, &pkt, &nh);
	ck_assert_msg(r == IPSEC_OK, "%s: %s", v->name, ipsec_verdict_name(r));
	ck_assert_uint_eq(nh, want_nh);
	ck_assert_uint_eq(replay_last(sa.replay), v->seq);
	if (v->mode == 2)
		ck_assert_int_eq(tunnel_decap(&sa, &pkt, NULL), IPSEC_OK);
	if (v->esp_off == 0)
		/* Our header's protocol is now the trailer's Next Header. */
		ck_assert_uint_eq(pbuf_data(&pkt)[9], want_nh);
	ck_assert_uint_eq(pbuf_len(&pkt), pbuf_len(&inner));
	ck_assert_msg(
	    memcmp(pbuf_data(&pkt), pbuf_data(&inner), pbuf_len(&inner)) == 0,
	    "%s: plaintext differs", v->name);
	sa_done(&sa, c);
}

START_TEST(test_esp_encap_vectors)
{
	for (size_t i = 0; i < ESP_VECTORS_COUNT; i++)
		check_vector_encap(&esp_vectors[i], false);
}
END_TEST

START_TEST(test_esp_decap_vectors)
{
	for (size_t i = 0; i < ESP_VECTORS_COUNT; i++)
		check_vector_decap(&esp_vectors[i], false);
}
END_TEST

/*
 * RFC 3602 cases 5-8 are encryption-only ESP: no integrity algorithm, no
 * ICV on the wire.  Our table says so either with KAME's "null-auth"
 * (SADB_X_AALG_NULL, ICV 0) or with no integrity algorithm at all
 * (SADB_AALG_NONE); both must frame the packet the same way.  The RFC
 * allows it (RFC 4303 section 3.2: confidentiality-only "MAY"), but
 * never NULL encryption without integrity (cipher_key_check refuses it).
 */
START_TEST(test_esp_encap_vectors_no_integrity)
{
	size_t n = 0;

	for (size_t i = 0; i < ESP_VECTORS_COUNT; i++) {
		const struct esp_vector *v = &esp_vectors[i];

		if (v->auth_alg == NULL ||
		    strcmp(v->auth_alg, "null-auth") != 0)
			continue;
		check_vector_encap(v, true);
		check_vector_decap(v, true);
		n++;
	}
	ck_assert_uint_eq(n, 4);
}
END_TEST

/*
 * Without integrity nothing detects a changed ciphertext: what ESP still
 * checks is the framing.  Flipping a bit in the last ciphertext block
 * scrambles the decrypted trailer (CBC: the whole block), which the
 * padding check then refuses; flipping one in an earlier block changes
 * only the payload and is accepted, as the RFC says it must be (no ICV).
 */
START_TEST(test_esp_decap_no_integrity_framing)
{
	const struct esp_vector *v = NULL;
	struct sa sa;
	struct cipher *c;
	uint8_t nh;
	enum ipsec_verdict r;

	for (size_t i = 0; i < ESP_VECTORS_COUNT; i++)
		if (strcmp(esp_vectors[i].name, "RFC 3602 section 4 case 5") ==
		    0)
			v = &esp_vectors[i];
	ck_assert_ptr_nonnull(v);
	/* Case 5's trailer: 14 pad bytes 01..0e, pad length 14, nh 1. */
	c = vec_sa(&sa, v, false);
	ck_assert(pbuf_set(&pkt, v->esp, v->esp_len, 256));
	pbuf_data(&pkt)[v->esp_len - 5] ^= 0x01; /* last block */
	r = esp_decap(&sa, c, &pkt, &nh);
	ck_assert_msg(r == IPSEC_DROP_PAD, "%s", ipsec_verdict_name(r));
	sa_done(&sa, c);

	c = vec_sa(&sa, v, false);
	ck_assert(pbuf_set(&pkt, v->esp, v->esp_len, 256));
	pbuf_data(&pkt)[20 + 8 + 16 + 3] ^= 0x01; /* first block */
	ck_assert_int_eq(esp_decap(&sa, c, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(nh, IPPROTO_ICMP);
	ck_assert_uint_eq(pbuf_len(&pkt), v->plain_len);
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
	tcase_add_test(tc, test_esp_encap_vectors);
	tcase_add_test(tc, test_esp_encap_vectors_no_integrity);
	suite_add_tcase(s, tc);

	tc = tcase_create("esp_decap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_esp_decap_esn_high_bits_in_icv);
	tcase_add_test(tc, test_esp_decap_esn_epoch_crossing);
	tcase_add_test(tc, test_esp_decap_replay_after_icv);
	tcase_add_test(tc, test_esp_decap_wrong_spi);
	tcase_add_test(tc, test_esp_decap_seq_zero);
	tcase_add_test(tc, test_esp_decap_empty);
	tcase_add_test(tc, test_esp_decap_bad_padding);
	tcase_add_test(tc, test_esp_decap_one_byte_short);
	tcase_add_test(tc, test_esp_decap_cbc_partial_block);
	tcase_add_test(tc, test_esp_decap_not_esp);
	tcase_add_test(tc, test_esp_decap_vectors);
	tcase_add_test(tc, test_esp_decap_no_integrity_framing);
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
