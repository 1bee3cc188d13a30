/*
 * Unit tests of src/ipsec/ipcomp.c: round trips (IPv4, IPv6 with
 * extension headers, tunnel offsets), the non-expansion policy
 * (incompressible and below-threshold payloads sent as they are),
 * interoperability with an independently produced raw DEFLATE stream, and
 * hostile input (short header, truncated, trailing, garbage, bombs, size
 * limits), each leaving the packet unchanged.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <zlib.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"
#include "ipsec/ipcomp.h"
#include "ipsec/sa.h"

#define HEADROOM 256

static struct ipcomp_ctx *ctx;
static uint8_t mem[70000 + 1024];
static struct pbuf pkt;
static struct sa sa;
static uint8_t orig[70000];
static size_t orig_len;

/*
 * Independent vector: raw DEFLATE (windowBits -15, level 6) of the 400
 * bytes "ipsecd ipcomp vector 000;" ... "ipsecd ipcomp vector 015;",
 * produced by Python's zlib (runtime zlib 1.2.13):
 *
 * /usr/bin/python3 -c 'import zlib
 * d = b"".join(b"ipsecd ipcomp vector %03d;" % i for i in range(16))
 * c = zlib.compressobj(6, zlib.DEFLATED, -15)
 * print((c.compress(d) + c.flush()).hex())'
 */
static const uint8_t vec_z[] = { 0x75, 0xcf, 0xb9, 0x0d, 0x80, 0x30, 0x10, 0x45,
	0xc1, 0x56, 0xb6, 0x04, 0x7f, 0xc0, 0x1c, 0x72, 0x39, 0x8b, 0x83, 0x0d,
	0x2c, 0x5b, 0x80, 0xa8, 0x9f, 0x06, 0x78, 0xf1, 0x44, 0x13, 0xe3, 0xae,
	0x7e, 0x5a, 0x0c, 0xef, 0x6d, 0xd8, 0x5b, 0xfd, 0xe9, 0x97, 0xa5, 0x94,
	0x4a, 0xfc, 0x83, 0x08, 0x26, 0x82, 0x99, 0x60, 0x21, 0xc8, 0x04, 0x2b,
	0xc1, 0x46, 0xb0, 0x13, 0x1c, 0x00, 0xa2, 0xb9, 0x68, 0x2e, 0x9a, 0x8b,
	0xe6, 0xa2, 0xb9, 0x72, 0xf9, 0x00 };

/*
 * A bomb: raw DEFLATE (level 9) of 100000 zero bytes, 114 bytes long:
 *
 * /usr/bin/python3 -c 'import zlib
 * c = zlib.compressobj(9, zlib.DEFLATED, -15)
 * print((c.compress(bytes(100000)) + c.flush()).hex())'
 */
static const uint8_t bomb_head[] = { 0xed, 0xc1, 0x31, 0x01, 0x00, 0x00, 0x00,
	0xc2, 0xa0, 0xf5, 0x4f, 0x6d, 0x0d, 0x0f, 0xa0 };
static const uint8_t bomb_tail[] = { 0x80, 0x57, 0x03 };
#define BOMB_LEN 114 /* bomb_head, 96 zero bytes, bomb_tail */

static void
vec_plain(uint8_t *d)
{
	for (int i = 0; i < 16; i++) {
		char s[32];

		snprintf(s, sizeof(s), "ipsecd ipcomp vector %03d;", i);
		memcpy(d + 25 * i, s, 25);
	}
}

static void
setup(void)
{
	ctx = ipcomp_ctx_new();
	ck_assert_ptr_nonnull(ctx);
	pbuf_init(&pkt, mem, sizeof(mem), HEADROOM);
	memset(&sa, 0, sizeof(sa));
	sa.spi = 0x4a21;
	sa.proto = IPPROTO_COMP;
	sa.mode = SA_MODE_TRANSPORT;
}

static void
teardown(void)
{
	ipcomp_ctx_free(ctx);
}

/* IPv4 packet: 20-byte header, proto, then payload (copied). */
static void
make_v4(uint8_t proto, const uint8_t *payload, size_t len)
{
	uint8_t *p;

	pbuf_reset(&pkt, HEADROOM);
	p = pbuf_put(&pkt, 20 + len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 20);
	p[0] = 0x45;
	wr_u16(p + 4, 0x4242);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	if (len > 0)
		memcpy(p + 20, payload, len);
	ck_assert(ip_set_len(p, AF_INET, 20 + len));
}

/*
 * IPv6 packet with Hop-by-Hop, then a Destination Options header for the
 * final destination, then UDP payload: IPcomp goes between the two.
 */
static void
make_v6(const uint8_t *payload, size_t len)
{
	uint8_t *p;

	pbuf_reset(&pkt, HEADROOM);
	p = pbuf_put(&pkt, 56 + len);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 56);
	p[0] = 0x60;
	p[6] = IPPROTO_HOPOPTS;
	p[7] = 64;
	p[8] = 0x20;
	p[23] = 1;
	p[24] = 0x20;
	p[39] = 2;
	p[40] = IPPROTO_DSTOPTS;
	p[42] = 1; /* PadN */
	p[43] = 4;
	p[48] = IPPROTO_UDP;
	p[50] = 1;
	p[51] = 4;
	memcpy(p + 56, payload, len);
	ck_assert(ip_set_len(p, AF_INET6, 56 + len));
}

static void
save(void)
{
	orig_len = pbuf_len(&pkt);
	memcpy(orig, pbuf_data(&pkt), orig_len);
}

static void
assert_unchanged(void)
{
	ck_assert_uint_eq(pbuf_len(&pkt), orig_len);
	ck_assert_mem_eq(pbuf_data(&pkt), orig, orig_len);
}

/* Inflate a raw stream with zlib directly (not through ipcomp.c). */
static size_t
raw_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_max)
{
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, -15), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)out_max;
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	ck_assert_int_eq(zr, Z_STREAM_END);
	return out_max - z.avail_out;
}

/* Raw deflate of n zero bytes into out (test-side, for size limits). */
static size_t
zeros_deflated(size_t n, uint8_t *out, size_t out_max)
{
	uint8_t *zeros = calloc(1, n + 1);
	z_stream z;

	ck_assert_ptr_nonnull(zeros);
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(
	    deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = zeros;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)out_max;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	free(zeros);
	return out_max - z.avail_out;
}

/* An IPv4 IPcomp packet carrying next header nh, CPI and body z. */
static void
make_v4_ipcomp(uint8_t nh, uint16_t cpi, const uint8_t *z, size_t z_len)
{
	uint8_t *buf = malloc(IPCOMP_HDR_LEN + z_len);

	ck_assert_ptr_nonnull(buf);
	buf[0] = nh;
	buf[1] = 0;
	wr_u16(buf + 2, cpi);
	memcpy(buf + IPCOMP_HDR_LEN, z, z_len);
	make_v4(IPPROTO_COMP, buf, IPCOMP_HDR_LEN + z_len);
	free(buf);
}

static void
fill_pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)("abcdefgh"[i % 8] + (i / 64) % 3);
}

/* Not compressible: xorshift32 output. */
static void
fill_random(uint8_t *p, size_t n)
{
	uint32_t x = 0x9e3779b9;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

START_TEST(test_ipcomp_ctx_new_free)
{
	struct ipcomp_ctx *c = ipcomp_ctx_new();

	ck_assert_ptr_nonnull(c);
	ipcomp_ctx_free(c);
	ipcomp_ctx_free(NULL);
}
END_TEST

/* Compress, check the header and the stream with zlib, decompress. */
static void
roundtrip(int fam, size_t n)
{
	uint8_t payload[1500], plain[1500], nh = 0;
	size_t ins = fam == AF_INET ? 20 : 48, got;
	struct ip_info info;
	bool is_comp = false;
	uint8_t *p;

	fill_pattern(payload, n);
	if (fam == AF_INET)
		make_v4(IPPROTO_UDP, payload, n);
	else
		make_v6(payload, n);
	save();
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_OK);
	ck_assert(is_comp);
	ck_assert_uint_lt(pbuf_len(&pkt), orig_len);
	p = pbuf_data(&pkt);
	ck_assert(ip_parse(p, pbuf_len(&pkt), &info));
	ck_assert_uint_eq(info.proto, IPPROTO_COMP);
	ck_assert_uint_eq(info.ins_off, ins);
	if (fam == AF_INET)
		ck_assert_uint_eq(ip_cksum(p, 20), 0);
	/* Addresses and the Hop-by-Hop options are untouched. */
	if (fam == AF_INET) {
		ck_assert_mem_eq(p + 12, orig + 12, 8);
	} else {
		ck_assert_mem_eq(p + 8, orig + 8, 32);
		ck_assert_uint_eq(p[40], IPPROTO_COMP);
		ck_assert_mem_eq(p + 41, orig + 41, 7);
	}
	ck_assert_uint_eq(
	    p[ins], fam == AF_INET ? IPPROTO_UDP : IPPROTO_DSTOPTS);
	ck_assert_uint_eq(p[ins + 1], 0);
	ck_assert_uint_eq(get_u16(p + ins + 2), 0x4a21);
	got = raw_inflate(
	    p + ins + 4, pbuf_len(&pkt) - ins - 4, plain, sizeof(plain));
	ck_assert_uint_eq(got, orig_len - ins);
	ck_assert_mem_eq(plain, orig + ins, got);

	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(nh, fam == AF_INET ? IPPROTO_UDP : IPPROTO_DSTOPTS);
	assert_unchanged();
}

START_TEST(test_ipcomp_encap_roundtrip)
{
	static const size_t sizes[] = { 90, 91, 400, 1400 };

	for (size_t i = 0; i < 4; i++) {
		roundtrip(AF_INET, sizes[i]);
		roundtrip(AF_INET6, sizes[i]);
	}
}
END_TEST

/* The same ctx serves many packets: no state leaks between them. */
START_TEST(test_ipcomp_encap_reuse)
{
	for (int i = 0; i < 50; i++)
		roundtrip(i % 2 ? AF_INET : AF_INET6, 100 + (size_t)i * 17);
}
END_TEST

START_TEST(test_ipcomp_encap_incompressible)
{
	uint8_t payload[1000];
	bool is_comp = true;

	fill_random(payload, sizeof(payload));
	make_v4(IPPROTO_UDP, payload, sizeof(payload));
	save();
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_OK);
	ck_assert(!is_comp);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_encap_threshold)
{
	uint8_t payload[200];
	bool is_comp = true;

	memset(payload, 'z', sizeof(payload));
	/* One byte below the threshold: sent as it is. */
	make_v4(IPPROTO_UDP, payload, 89);
	save();
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_OK);
	ck_assert(!is_comp);
	assert_unchanged();
	/* At the threshold: compressed. */
	make_v4(IPPROTO_UDP, payload, 90);
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_OK);
	ck_assert(is_comp);
	/* Threshold 0 still leaves tiny payloads alone. */
	make_v4(IPPROTO_UDP, payload, 5);
	save();
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 0, &is_comp), IPSEC_OK);
	ck_assert(!is_comp);
	assert_unchanged();
	make_v4(IPPROTO_UDP, payload, 0);
	save();
	ck_assert_int_eq(ipcomp_encap(ctx, &sa, &pkt, 0, &is_comp), IPSEC_OK);
	ck_assert(!is_comp);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_encap_bad)
{
	uint8_t payload[400];
	bool is_comp = true;

	memset(payload, 'q', sizeof(payload));
	/* CPI must fit 16 bits. */
	make_v4(IPPROTO_UDP, payload, sizeof(payload));
	save();
	sa.spi = 0x10000;
	ck_assert_int_eq(
	    ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_DROP_NOSA);
	ck_assert(!is_comp);
	assert_unchanged();
	sa.spi = 0x4a21;
	/* A fragment. */
	pbuf_data(&pkt)[6] = 0x20; /* MF */
	ip_fix_cksum(pbuf_data(&pkt));
	save();
	ck_assert_int_eq(
	    ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_DROP_HDR);
	assert_unchanged();
	/* Total length one byte more than the packet. */
	make_v4(IPPROTO_UDP, payload, sizeof(payload));
	pbuf_trim(&pkt, 1);
	save();
	ck_assert_int_eq(
	    ipcomp_encap(ctx, &sa, &pkt, 90, &is_comp), IPSEC_DROP_HDR);
	assert_unchanged();
}
END_TEST

/* Tunnel mode: the bundle built the outer header; it passes the offsets. */
START_TEST(test_ipcomp_encap_at_tunnel)
{
	uint8_t inner[600], nh = 0;
	struct ipcomp_where w = { AF_INET, 20, 9, 90 };
	bool is_comp = false;

	memset(inner, 0, 20);
	inner[0] = 0x45;
	inner[9] = IPPROTO_TCP;
	wr_u16(inner + 2, sizeof(inner));
	fill_pattern(inner + 20, sizeof(inner) - 20);
	make_v4(IPPROTO_IPIP, inner, sizeof(inner));
	save();
	ck_assert_int_eq(
	    ipcomp_encap_at(ctx, &sa, &pkt, &w, &is_comp), IPSEC_OK);
	ck_assert(is_comp);
	ck_assert_uint_eq(pbuf_data(&pkt)[9], IPPROTO_COMP);
	ck_assert_uint_eq(pbuf_data(&pkt)[20], IPPROTO_IPIP);
	ck_assert_uint_eq(ip_cksum(pbuf_data(&pkt), 20), 0);
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(nh, IPPROTO_IPIP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_encap_at_bad)
{
	uint8_t payload[300];
	struct ipcomp_where w = { AF_INET, 20, 9, 90 };
	bool is_comp = true;

	memset(payload, 'a', sizeof(payload));
	make_v4(IPPROTO_UDP, payload, sizeof(payload));
	save();
	w.ins_off = (uint16_t)(pbuf_len(&pkt) + 1);
	ck_assert_int_eq(
	    ipcomp_encap_at(ctx, &sa, &pkt, &w, &is_comp), IPSEC_DROP_HDR);
	w.ins_off = 20;
	w.nh_off = 20;
	ck_assert_int_eq(
	    ipcomp_encap_at(ctx, &sa, &pkt, &w, &is_comp), IPSEC_DROP_HDR);
	w.nh_off = 9;
	w.family = AF_UNIX;
	ck_assert_int_eq(
	    ipcomp_encap_at(ctx, &sa, &pkt, &w, &is_comp), IPSEC_DROP_HDR);
	ck_assert(!is_comp);
	assert_unchanged();
	/* ins_off == len: nothing to compress. */
	w.family = AF_INET;
	w.ins_off = (uint16_t)pbuf_len(&pkt);
	w.threshold = 0;
	ck_assert_int_eq(
	    ipcomp_encap_at(ctx, &sa, &pkt, &w, &is_comp), IPSEC_OK);
	ck_assert(!is_comp);
	assert_unchanged();
}
END_TEST

/* Decompress the stream Python's zlib produced. */
START_TEST(test_ipcomp_decap_vector)
{
	uint8_t plain[400], nh = 0;

	vec_plain(plain);
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, vec_z, sizeof(vec_z));
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(nh, IPPROTO_UDP);
	ck_assert_uint_eq(pbuf_len(&pkt), 20 + sizeof(plain));
	ck_assert_uint_eq(get_u16(pbuf_data(&pkt) + 2), 20 + sizeof(plain));
	ck_assert_uint_eq(pbuf_data(&pkt)[9], IPPROTO_UDP);
	ck_assert_uint_eq(ip_cksum(pbuf_data(&pkt), 20), 0);
	ck_assert_mem_eq(pbuf_data(&pkt) + 20, plain, sizeof(plain));
	/* Flags are ignored on receipt. */
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, vec_z, sizeof(vec_z));
	pbuf_data(&pkt)[21] = 0xff;
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_mem_eq(pbuf_data(&pkt) + 20, plain, sizeof(plain));
}
END_TEST

START_TEST(test_ipcomp_decap_short)
{
	uint8_t hdr[4] = { IPPROTO_UDP, 0, 0x4a, 0x21 }, nh = 0;

	/* Header one byte short. */
	make_v4(IPPROTO_COMP, hdr, 3);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_SHORT);
	assert_unchanged();
	make_v4(IPPROTO_COMP, hdr, 0);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_SHORT);
	assert_unchanged();
	/* Whole header, no stream at all. */
	make_v4(IPPROTO_COMP, hdr, 4);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_decap_truncated)
{
	uint8_t nh = 0;

	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, vec_z, sizeof(vec_z) - 1);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_decap_trailing)
{
	uint8_t z[sizeof(vec_z) + 1], nh = 0;

	memcpy(z, vec_z, sizeof(vec_z));
	z[sizeof(vec_z)] = 0;
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, sizeof(z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_decap_garbage)
{
	uint8_t z[300], nh = 0;

	memset(z, 0xff, sizeof(z)); /* BTYPE 11: reserved, an error */
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, sizeof(z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
	fill_random(z, sizeof(z));
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, sizeof(z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_decap_bomb)
{
	uint8_t z[BOMB_LEN], *big, nh = 0;
	size_t n;

	/* 114 bytes that inflate to 100000. */
	memset(z, 0, sizeof(z));
	memcpy(z, bomb_head, sizeof(bomb_head));
	memcpy(z + BOMB_LEN - sizeof(bomb_tail), bomb_tail, sizeof(bomb_tail));
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, sizeof(z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
	/* About 1 KB that inflates to 1 MB. */
	big = malloc(4096);
	ck_assert_ptr_nonnull(big);
	n = zeros_deflated(1000000, big, 4096);
	ck_assert_uint_gt(n, 900);
	ck_assert_uint_lt(n, 1100);
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, big, n);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
	free(big);
}
END_TEST

/* Exactly the largest IPv4 packet inflates; one byte more does not. */
START_TEST(test_ipcomp_decap_limit)
{
	uint8_t z[1024], nh = 0;
	size_t n;

	n = zeros_deflated(65535 - 20, z, sizeof(z));
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, n);
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pkt), 65535);
	ck_assert_uint_eq(get_u16(pbuf_data(&pkt) + 2), 65535);

	n = zeros_deflated(65535 - 20 + 1, z, sizeof(z));
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, n);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

/* The output must also fit the buffer's tailroom. */
START_TEST(test_ipcomp_decap_tailroom)
{
	static uint8_t small[HEADROOM + 20 + 2000];
	uint8_t z[256], nh = 0;
	size_t n, cap_room;

	n = zeros_deflated(1000, z, sizeof(z));
	/* Room for exactly 1000 bytes of payload after the header. */
	cap_room = HEADROOM + 20 + 1000;
	pbuf_init(&pkt, small, cap_room, HEADROOM);
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, n);
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pkt), 1020);

	pbuf_init(&pkt, small, cap_room - 1, HEADROOM);
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, z, n);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_DECOMP);
	assert_unchanged();
}
END_TEST

START_TEST(test_ipcomp_decap_bad)
{
	uint8_t payload[100], nh = 0;

	/* Another CPI. */
	make_v4_ipcomp(IPPROTO_UDP, 0x4a22, vec_z, sizeof(vec_z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_NOSA);
	assert_unchanged();
	/* Nested IPcomp. */
	make_v4_ipcomp(IPPROTO_COMP, 0x4a21, vec_z, sizeof(vec_z));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_NEXTHDR);
	assert_unchanged();
	/* Not IPcomp. */
	memset(payload, 1, sizeof(payload));
	make_v4(IPPROTO_UDP, payload, sizeof(payload));
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_PROTO);
	assert_unchanged();
	/* IP header one byte short. */
	make_v4_ipcomp(IPPROTO_UDP, 0x4a21, vec_z, sizeof(vec_z));
	pbuf_trim(&pkt, pbuf_len(&pkt) - 19);
	save();
	ck_assert_int_eq(ipcomp_decap(ctx, &sa, &pkt, &nh), IPSEC_DROP_HDR);
	assert_unchanged();
}
END_TEST

static Suite *
ipcomp_suite(void)
{
	Suite *s = suite_create("ipcomp");
	TCase *tc;

	tc = tcase_create("ipcomp_ctx_new");
	tcase_add_test(tc, test_ipcomp_ctx_new_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipcomp_encap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ipcomp_encap_roundtrip);
	tcase_add_test(tc, test_ipcomp_encap_reuse);
	tcase_add_test(tc, test_ipcomp_encap_incompressible);
	tcase_add_test(tc, test_ipcomp_encap_threshold);
	tcase_add_test(tc, test_ipcomp_encap_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipcomp_encap_at");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ipcomp_encap_at_tunnel);
	tcase_add_test(tc, test_ipcomp_encap_at_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipcomp_decap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ipcomp_decap_vector);
	tcase_add_test(tc, test_ipcomp_decap_short);
	tcase_add_test(tc, test_ipcomp_decap_truncated);
	tcase_add_test(tc, test_ipcomp_decap_trailing);
	tcase_add_test(tc, test_ipcomp_decap_garbage);
	tcase_add_test(tc, test_ipcomp_decap_bomb);
	tcase_add_test(tc, test_ipcomp_decap_limit);
	tcase_add_test(tc, test_ipcomp_decap_tailroom);
	tcase_add_test(tc, test_ipcomp_decap_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ipcomp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
