/*
 * Unit tests of src/ipsec/frag.c: IPv4 and IPv6 source fragmentation,
 * checked by reassembling the fragments and comparing with the original;
 * DF, existing fragments, options, room and count limits, and the
 * boundary where a packet just fits.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/frag.h"
#include "ipsec/iphdr.h"

#define NF 8
static uint8_t mem[NF + 1][4096];
static struct pbuf pb, fr[NF];
static struct pbuf *frp[NF];
static uint8_t orig[4096];
static size_t orig_len;

static void
setup(void)
{
	pbuf_init(&pb, mem[0], sizeof(mem[0]), 64);
	for (int i = 0; i < NF; i++) {
		pbuf_init(&fr[i], mem[i + 1], sizeof(mem[i + 1]), 64);
		frp[i] = &fr[i];
	}
}

static uint16_t
g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4 packet: 20-byte header plus olen option bytes, n data bytes. */
static void
make4(size_t n, const uint8_t *opt, size_t olen, uint16_t frag)
{
	size_t hl = 20 + olen;
	uint8_t *p;

	pbuf_reset(&pb, 64);
	p = pbuf_put(&pb, hl + n);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | hl / 4);
	wr_u16(p + 4, 0x4242);
	wr_u16(p + 6, frag);
	p[8] = 64;
	p[9] = IPPROTO_ESP;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	if (olen > 0)
		memcpy(p + 20, opt, olen);
	for (size_t i = 0; i < n; i++)
		p[hl + i] = (uint8_t)(i * 7 + i / 256);
	ip_set_len(p, AF_INET, hl + n);
	memcpy(orig, p, hl + n);
	orig_len = hl + n;
}

static void
make6(size_t n)
{
	uint8_t *p;

	pbuf_reset(&pb, 64);
	p = pbuf_put(&pb, 40 + n);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 40);
	p[0] = 0x60;
	p[6] = IPPROTO_ESP;
	p[7] = 64;
	p[8] = 0x20;
	p[23] = 1;
	p[24] = 0x20;
	p[39] = 2;
	for (size_t i = 0; i < n; i++)
		p[40 + i] = (uint8_t)(i * 13 + i / 256);
	ip_set_len(p, AF_INET6, 40 + n);
	memcpy(orig, p, 40 + n);
	orig_len = 40 + n;
}

/* Put the data of one IPv4 fragment at its offset in out; check it. */
static size_t
place4(const struct pbuf *f, size_t mtu, uint8_t *out, bool *is_mf)
{
	const uint8_t *p = pbuf_data(f);
	struct ip_info info;
	size_t hl = (size_t)(p[0] & 0xf) * 4, off;

	ck_assert_uint_le(pbuf_len(f), mtu);
	ck_assert(ip_parse(p, pbuf_len(f), &info));
	ck_assert_uint_eq(ip_cksum(p, hl), 0);
	ck_assert_uint_eq(g16(p + 4), 0x4242);
	off = (size_t)(g16(p + 6) & 0x1fff) * 8;
	*is_mf = (g16(p + 6) & 0x2000) != 0;
	memcpy(out + off, p + hl, pbuf_len(f) - hl);
	return off + pbuf_len(f) - hl;
}

START_TEST(test_ip_fragment_v4)
{
	uint8_t data[4096];
	size_t n, end, total = 0;
	bool is_mf;

	make4(3000, NULL, 0, 0);
	ck_assert_int_eq(ip_fragment(&pb, 1280, 0, frp, NF, &n), IPSEC_OK);
	ck_assert_uint_eq(n, 2);
	end = place4(&pb, 1280, data, &is_mf);
	ck_assert(is_mf);
	ck_assert_uint_eq(end % 8, 0);
	total = end;
	for (size_t i = 0; i < n; i++) {
		end = place4(&fr[i], 1280, data, &is_mf);
		ck_assert(is_mf == (i + 1 < n));
		if (end > total)
			total = end;
	}
	ck_assert_uint_eq(total, 3000);
	ck_assert_mem_eq(data, orig + 20, 3000);
}
END_TEST

START_TEST(test_ip_fragment_v4_limits)
{
	size_t n;

	/* Fits exactly: unchanged; one byte more: fragmented. */
	make4(1260, NULL, 0, 0);
	ck_assert_int_eq(ip_fragment(&pb, 1280, 0, frp, NF, &n), IPSEC_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_mem_eq(pbuf_data(&pb), orig, orig_len);
	ck_assert_int_eq(ip_fragment(&pb, 1279, 0, frp, NF, &n), IPSEC_OK);
	ck_assert_uint_eq(n, 1);
	/* DF: refused, unchanged. */
	make4(3000, NULL, 0, 0x4000);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1280, 0, frp, NF, &n), IPSEC_DROP_TOOBIG);
	ck_assert_mem_eq(pbuf_data(&pb), orig, orig_len);
	/* Needs three fragments but only one buffer given. */
	make4(3000, NULL, 0, 0);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1280, 0, frp, 1, &n), IPSEC_DROP_TOOBIG);
	ck_assert_mem_eq(pbuf_data(&pb), orig, orig_len);
	/* Below the IPv4 minimum MTU. */
	ck_assert_int_eq(
	    ip_fragment(&pb, 67, 0, frp, NF, &n), IPSEC_DROP_TOOBIG);
	/* Malformed: total length one byte past the buffer. */
	pbuf_trim(&pb, 1);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1280, 0, frp, NF, &n), IPSEC_DROP_HDR);
}
END_TEST

START_TEST(test_ip_fragment_v4_options_and_offset)
{
	/* Router alert (copied) and a 4-byte non-copied option. */
	static const uint8_t opt[8] = { 0x94, 4, 0, 0, 0x07, 4, 1, 2 };
	uint8_t data[8192];
	size_t n;
	bool is_mf;

	/* Already a fragment at offset 800 (100 units) with MF clear. */
	make4(2000, opt, sizeof(opt), 100);
	ck_assert_int_eq(ip_fragment(&pb, 1000, 0, frp, NF, &n), IPSEC_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(pbuf_data(&pb)[0] & 0xf, 7);
	ck_assert_uint_eq(g16(pbuf_data(&pb) + 6) & 0x1fff, 100);
	place4(&pb, 1000, data, &is_mf);
	ck_assert(is_mf);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = pbuf_data(&fr[i]);

		ck_assert_uint_eq(p[0] & 0xf, 6); /* only router alert */
		ck_assert_mem_eq(p + 20, "\x94\x04\x00\x00", 4);
		place4(&fr[i], 1000, data, &is_mf);
		ck_assert(is_mf == (i + 1 < n)); /* the last keeps MF clear */
	}
	ck_assert_mem_eq(data + 800, orig + 28, 2000);
	/* An option whose length runs past the header. */
	make4(2000, (const uint8_t *)"\x94\x09\x00\x00\x01\x01\x01\x01", 8, 0);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1000, 0, frp, NF, &n), IPSEC_DROP_HDR);
}
END_TEST

START_TEST(test_ip_fragment_v6)
{
	uint8_t data[4096];
	size_t n, total = 0;
	struct pbuf *all[NF + 1] = { &pb };

	make6(3000);
	ck_assert_int_eq(ip_fragment(&pb, 1280, 0xabcd, frp, NF, &n), IPSEC_OK);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		all[i + 1] = &fr[i];
	for (size_t i = 0; i <= n; i++) {
		const uint8_t *p = pbuf_data(all[i]);
		struct ip_info info;
		size_t off, len = pbuf_len(all[i]);

		ck_assert_uint_le(len, 1280);
		ck_assert(ip_parse(p, len, &info));
		ck_assert(info.is_frag);
		ck_assert_int_eq(p[6], IPPROTO_FRAGMENT);
		ck_assert_int_eq(p[40], IPPROTO_ESP);
		ck_assert_uint_eq(
		    ((uint32_t)p[44] << 24 | (uint32_t)p[45] << 16 |
			(uint32_t)p[46] << 8 | p[47]),
		    0xabcd);
		ck_assert_mem_eq(p + 8, orig + 8, 32);
		off = g16(p + 42) & 0xfff8;
		ck_assert((g16(p + 42) & 1) == (i < n));
		memcpy(data + off, p + 48, len - 48);
		total += len - 48;
	}
	ck_assert_uint_eq(total, 3000);
	ck_assert_mem_eq(data, orig + 40, 3000);
}
END_TEST

START_TEST(test_ip_fragment_v6_limits)
{
	size_t n;

	make6(3000);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1279, 1, frp, NF, &n), IPSEC_DROP_TOOBIG);
	ck_assert_mem_eq(pbuf_data(&pb), orig, orig_len);
	/* No headroom for the Fragment header. */
	pbuf_set(&pb, orig, orig_len, 4);
	ck_assert_int_eq(
	    ip_fragment(&pb, 1280, 1, frp, NF, &n), IPSEC_DROP_NOROOM);
	ck_assert_mem_eq(pbuf_data(&pb), orig, orig_len);
	/* A fragment is not fragmented again. */
	pbuf_set(&pb, orig, orig_len, 64);
	ck_assert_int_eq(ip_fragment(&pb, 1280, 1, frp, NF, &n), IPSEC_OK);
	ck_assert_int_eq(ip_fragment(&pb, 1200 + 80, 1, frp, NF, &n),
	    IPSEC_OK); /* fits now */
	memcpy(orig, pbuf_data(&pb), pbuf_len(&pb));
	ck_assert_int_eq(
	    ip_fragment(&pb, 1000, 1, frp, NF, &n), IPSEC_DROP_TOOBIG);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("ip_fragment");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_ip_fragment_v4);
	tcase_add_test(tc, test_ip_fragment_v4_limits);
	tcase_add_test(tc, test_ip_fragment_v4_options_and_offset);
	tcase_add_test(tc, test_ip_fragment_v6);
	tcase_add_test(tc, test_ip_fragment_v6_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
