/* Unit tests for src/ipsec/tunnel.c: tunnel and BEET outer headers. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "ipsec/iphdr.h"
#include "ipsec/knobs.h"
#include "ipsec/sa.h"
#include "ipsec/tunnel.h"

#define HEADROOM 64
#define PAYLOAD 12

static uint8_t mem[2048];
static struct pbuf pb;
static struct sa sa;
static struct knobs kn;

/* An inner IPv4 UDP packet 192.0.2.1 -> 192.0.2.2 with TOS tos. */
static void
inner4(uint8_t tos, bool is_df)
{
	uint8_t b[20 + PAYLOAD];
	size_t i;

	memset(b, 0, sizeof(b));
	b[0] = 0x45;
	b[1] = tos;
	wr_u16(b + 2, sizeof(b));
	wr_u16(b + 4, 0x0bad);
	wr_u16(b + 6, is_df ? 0x4000 : 0);
	b[8] = 17;
	b[9] = IPPROTO_UDP;
	b[12] = 192, b[14] = 2, b[15] = 1;
	b[16] = 192, b[18] = 2, b[19] = 2;
	wr_u16(b + 10, ip_cksum(b, 20));
	for (i = 20; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	pbuf_init(&pb, mem, sizeof(mem), HEADROOM);
	ck_assert(pbuf_set(&pb, b, sizeof(b), HEADROOM));
}

/*
 * An inner IPv6 UDP packet 2001:db8:1::1 -> 2001:db8:1::2, class tc, with
 * plen payload bytes (at most 1500).
 */
static void
inner6_len(uint8_t tc, size_t plen)
{
	uint8_t b[40 + 1500];
	size_t i;

	ck_assert_uint_le(plen, 1500);
	memset(b, 0, sizeof(b));
	wr_u32(b, 6u << 28 | (uint32_t)tc << 20 | 0xabcde);
	wr_u16(b + 4, (uint16_t)plen);
	b[6] = IPPROTO_UDP;
	b[7] = 17;
	b[8] = 0x20, b[9] = 0x01, b[10] = 0x0d, b[11] = 0xb8, b[13] = 1;
	memcpy(b + 24, b + 8, 16);
	b[23] = 1, b[39] = 2;
	for (i = 40; i < 40 + plen; i++)
		b[i] = (uint8_t)i;
	pbuf_init(&pb, mem, sizeof(mem), HEADROOM);
	ck_assert(pbuf_set(&pb, b, 40 + plen, HEADROOM));
}

static void
inner6(uint8_t tc)
{
	inner6_len(tc, PAYLOAD);
}

static void
mksa(const char *src, const char *dst, uint8_t flags)
{
	memset(&sa, 0, sizeof(sa));
	ck_assert(addr_parse(&sa.src, src));
	ck_assert(addr_parse(&sa.dst, dst));
	sa.mode = SA_MODE_TUNNEL;
	sa.flags = flags;
	knobs_init(&kn);
}

/* The outer header parses, says what it wraps, and the payload stayed. */
static void
check_outer(const uint8_t *inner_at, size_t inner_len, uint8_t family,
    struct ip_info *out)
{
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), out));
	ck_assert_uint_eq(out->family, family);
	ck_assert_uint_eq(out->ttl, 64);
	ck_assert_uint_eq(out->ins_off, family == AF_INET ? 20 : 40);
	ck_assert_ptr_eq(pbuf_data(&pb) + out->ins_off, inner_at);
	ck_assert_uint_eq(pbuf_len(&pb), out->ins_off + inner_len);
	ck_assert(addr_eq(&out->src, &sa.src));
	ck_assert(addr_eq(&out->dst, &sa.dst));
	if (family == AF_INET)
		ck_assert_uint_eq(ip_cksum(pbuf_data(&pb), 20), 0);
}

START_TEST(test_tunnel_encap_4in4)
{
	struct ip_info out;
	uint8_t *inner;

	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0xb8 | ECN_ECT0, true);
	inner = pbuf_data(&pb);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0x1234, &pb), IPSEC_OK);
	check_outer(inner, 32, AF_INET, &out);
	ck_assert_uint_eq(out.proto, IPPROTO_IPIP);
	ck_assert_uint_eq(get_u16(pbuf_data(&pb) + 4), 0x1234);
	ck_assert(out.is_df); /* dfbit COPY by default */
	/* DSCP copied; ECN Not-ECT in the default compatibility mode. */
	ck_assert_uint_eq(out.tos, 0xb8);
	ck_assert_uint_eq(out.tot_len, 52);
}
END_TEST

START_TEST(test_tunnel_encap_6in6)
{
	struct ip_info out;
	uint8_t *inner;

	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	kn.ecn = ECN_MODE_NORMAL;
	inner6(0xb8 | ECN_CE);
	inner = pbuf_data(&pb);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	check_outer(inner, 52, AF_INET6, &out);
	ck_assert_uint_eq(out.proto, IPPROTO_IPV6);
	ck_assert_uint_eq(out.tos, 0xb8 | ECN_CE);
	ck_assert_uint_eq(get_u32(pbuf_data(&pb)) & 0xfffff, 0); /* flow */
}
END_TEST

START_TEST(test_tunnel_encap_4in6)
{
	struct ip_info out;
	uint8_t *inner;

	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	inner4(0x28, false);
	inner = pbuf_data(&pb);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	check_outer(inner, 32, AF_INET6, &out);
	ck_assert_uint_eq(out.proto, IPPROTO_IPIP);
	ck_assert_uint_eq(out.tos, 0x28);
}
END_TEST

START_TEST(test_tunnel_encap_6in4)
{
	struct ip_info out;
	uint8_t *inner;

	mksa("198.51.100.1", "198.51.100.2", 0);
	inner6(0x28);
	inner = pbuf_data(&pb);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 7, &pb), IPSEC_OK);
	check_outer(inner, 52, AF_INET, &out);
	ck_assert_uint_eq(out.proto, IPPROTO_IPV6);
	ck_assert_uint_eq(out.tos, 0x28);
	/* COPY: an IPv6 inner counts as DF, but not one of at most 1280
	 * bytes, which the tunnel fragments (RFC 4213 section 3.2). */
	ck_assert(!out.is_df);
}
END_TEST

/*
 * Outer DF for each dfbit and inner (IPv4 DF, IPv4 no DF, IPv6 of at most
 * 1280 bytes, larger IPv6).
 */
START_TEST(test_tunnel_encap_dfbit)
{
	static const struct {
		uint8_t dfbit, flags;
		bool want[4];
	} rows[] = {
		{ KNOBS_DF_CLEAR, 0, { false, false, false, false } },
		{ KNOBS_DF_SET, 0, { true, true, true, true } },
		{ KNOBS_DF_COPY, 0, { true, false, false, true } },
		{ KNOBS_DF_SET, SA_F_NOPMTUDISC,
		    { false, false, false, false } },
		{ KNOBS_DF_COPY, SA_F_NOPMTUDISC,
		    { false, false, false, false } },
	};
	struct ip_info out;
	size_t i, j;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (j = 0; j < 4; j++) {
			mksa("198.51.100.1", "198.51.100.2", rows[i].flags);
			kn.dfbit = rows[i].dfbit;
			if (j == 2)
				inner6_len(0, 1280 - 40);
			else if (j == 3)
				inner6_len(0, 1280 - 40 + 1);
			else
				inner4(0, j == 0);
			ck_assert_int_eq(
			    tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
			ck_assert(
			    ip_parse(pbuf_data(&pb), pbuf_len(&pb), &out));
			ck_assert_msg(out.is_df == rows[i].want[j],
			    "row %zu inner %zu", i, j);
		}
	}
}
END_TEST

/* RFC 6040 section 4.1 Figure 3 through the tunnel, and SA_F_NOECN. */
START_TEST(test_tunnel_encap_ecn)
{
	static const uint8_t in[4] = { ECN_NOT_ECT, ECN_ECT0, ECN_ECT1,
		ECN_CE };
	struct ip_info out;
	size_t i;

	for (i = 0; i < 4; i++) {
		mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
		kn.ecn = ECN_MODE_NORMAL;
		inner4(0x80 | in[i], true);
		ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
		ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &out));
		ck_assert_uint_eq(out.tos, 0x80 | in[i]);

		kn.ecn = ECN_MODE_COMPAT;
		inner4(0x80 | in[i], true);
		ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
		ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &out));
		ck_assert_uint_eq(out.tos, 0x80);

		mksa("198.51.100.1", "198.51.100.2", SA_F_NOECN);
		kn.ecn = ECN_MODE_NORMAL;
		inner6(0x80 | in[i]);
		ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
		ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &out));
		ck_assert_uint_eq(out.tos, 0x80);
	}
}
END_TEST

static uint8_t saved[sizeof(mem)];
static struct pbuf saved_pb;

static void
save(void)
{
	memcpy(saved, mem, sizeof(mem));
	saved_pb = pb;
}

static void
check_unchanged(void)
{
	ck_assert(memcmp(saved, mem, sizeof(mem)) == 0);
	ck_assert_uint_eq(pb.head, saved_pb.head);
	ck_assert_uint_eq(pb.len, saved_pb.len);
}

START_TEST(test_tunnel_encap_noroom)
{
	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0, true);
	pb.head = 19;
	memmove(mem + 19, mem + HEADROOM, 32);
	save();
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_NOROOM);
	check_unchanged();
	pb.head = 20;
	memmove(mem + 20, mem + 19, 32);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	ck_assert_uint_eq(pbuf_headroom(&pb), 0);

	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	inner6(0);
	pb.head = 39;
	memmove(mem + 39, mem + HEADROOM, 52);
	save();
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_NOROOM);
	check_unchanged();
}
END_TEST

START_TEST(test_tunnel_encap_bad_inner)
{
	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0, true);
	pbuf_trim(&pb, 1); /* total length one more than present */
	save();
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_HDR);
	check_unchanged();
	inner6(0);
	pbuf_trim(&pb, 1);
	save();
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_HDR);
	check_unchanged();
}
END_TEST

START_TEST(test_tunnel_encap_family)
{
	mksa("198.51.100.1", "2001:db8:ff::2", 0);
	inner4(0, true);
	save();
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_FAMILY);
	check_unchanged();
	memset(&sa.src, 0, sizeof(sa.src));
	memset(&sa.dst, 0, sizeof(sa.dst));
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_DROP_FAMILY);
	check_unchanged();
}
END_TEST

START_TEST(test_tunnel_encap_toobig)
{
	size_t cap = 70000, n = 65535 - 20;
	uint8_t *big = calloc(1, cap);
	struct pbuf bp;

	ck_assert_ptr_nonnull(big);
	mksa("198.51.100.1", "198.51.100.2", 0);
	pbuf_init(&bp, big, cap, 64);
	ck_assert_ptr_nonnull(pbuf_put(&bp, n));
	big[64] = 0x45;
	wr_u16(big + 64 + 2, (uint16_t)n);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &bp), IPSEC_OK);
	ck_assert_uint_eq(get_u16(pbuf_data(&bp) + 2), 65535);

	pbuf_init(&bp, big, cap, 64);
	ck_assert_ptr_nonnull(pbuf_put(&bp, n + 1));
	big[64] = 0x45;
	wr_u16(big + 64 + 2, (uint16_t)(n + 1));
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &bp), IPSEC_DROP_TOOBIG);
	ck_assert_uint_eq(pbuf_headroom(&bp), 64);

	/* IPv6: a payload length of 65535 is the limit. */
	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	pbuf_init(&bp, big, cap, 64);
	ck_assert_ptr_nonnull(pbuf_put(&bp, 65535));
	big[64] = 0x45;
	wr_u16(big + 64 + 2, 65535);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &bp), IPSEC_OK);
	ck_assert_uint_eq(get_u16(pbuf_data(&bp) + 4), 65535);
	free(big);
}
END_TEST

/* Encap then decap gives the inner packet back, for every combination. */
START_TEST(test_tunnel_decap_roundtrip)
{
	static const char *const outer[2][2] = {
		{ "198.51.100.1", "198.51.100.2" },
		{ "2001:db8:ff::1", "2001:db8:ff::2" },
	};
	uint8_t orig[64];
	size_t o, i, len;

	for (o = 0; o < 2; o++) {
		for (i = 0; i < 2; i++) {
			mksa(outer[o][0], outer[o][1], 0);
			kn.ecn = ECN_MODE_NORMAL;
			if (i == 0)
				inner4(0xb8 | ECN_ECT1, true);
			else
				inner6(0xb8 | ECN_ECT0);
			len = pbuf_len(&pb);
			memcpy(orig, pbuf_data(&pb), len);
			ck_assert_int_eq(
			    tunnel_encap(&sa, &kn, 9, &pb), IPSEC_OK);
			ck_assert_int_eq(
			    tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
			ck_assert_uint_eq(pbuf_len(&pb), len);
			ck_assert_uint_eq(pbuf_headroom(&pb), HEADROOM);
			ck_assert(memcmp(orig, pbuf_data(&pb), len) == 0);
		}
	}
}
END_TEST

/* Encapsulate, then give the outer header the TOS / traffic class tos. */
static void
encap_with_outer_tos(uint8_t tos)
{
	uint8_t *p;

	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	p = pbuf_data(&pb);
	if (sa.src.family == AF_INET) {
		p[1] = tos;
		ip_fix_cksum(p);
	} else {
		p[0] = (uint8_t)(0x60 | tos >> 4);
		p[1] = (uint8_t)((p[1] & 0x0f) | (tos & 0x0f) << 4);
	}
}

/* RFC 6040 section 4.2 Figure 4, through the tunnel (see check_ecn.c). */
START_TEST(test_tunnel_decap_ecn)
{
	static const struct {
		uint8_t inner, outer, want;
		enum ecn_note note;
	} rows[] = {
		{ ECN_NOT_ECT, ECN_ECT0, ECN_NOT_ECT, ECN_NOTE_ALARM },
		{ ECN_ECT0, ECN_ECT1, ECN_ECT1, ECN_NOTE_NONE },
		{ ECN_ECT0, ECN_CE, ECN_CE, ECN_NOTE_NONE },
		{ ECN_ECT1, ECN_ECT0, ECN_ECT1, ECN_NOTE_WARN },
		{ ECN_CE, ECN_ECT1, ECN_CE, ECN_NOTE_ALARM },
	};
	struct ip_info in;
	enum ecn_note note;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mksa("198.51.100.1", "198.51.100.2", 0);
		inner4(0x40 | rows[i].inner, true);
		encap_with_outer_tos(0x20 | rows[i].outer);
		ck_assert_int_eq(tunnel_decap(&sa, &pb, &note), IPSEC_OK);
		ck_assert_int_eq(note, rows[i].note);
		ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
		ck_assert_uint_eq(in.tos, 0x40 | rows[i].want);
		ck_assert_uint_eq(ip_cksum(pbuf_data(&pb), 20), 0);

		mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
		inner6(0x40 | rows[i].inner);
		encap_with_outer_tos(0x20 | rows[i].outer);
		ck_assert_int_eq(tunnel_decap(&sa, &pb, &note), IPSEC_OK);
		ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
		ck_assert_uint_eq(in.tos, 0x40 | rows[i].want);
		/* The flow label is untouched. */
		ck_assert_uint_eq(get_u32(pbuf_data(&pb)) & 0xfffff, 0xabcde);
	}
}
END_TEST

/* Inner Not-ECT with outer CE: dropped (RFC 6040 section 4.2). */
START_TEST(test_tunnel_decap_ecn_drop)
{
	enum ecn_note note;

	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0x40 | ECN_NOT_ECT, true);
	encap_with_outer_tos(ECN_CE);
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, &note), IPSEC_DROP_HDR);
	ck_assert_int_eq(note, ECN_NOTE_ALARM);
	check_unchanged();
	/* SA_F_NOECN: no ECN propagation on decap, so no drop either. */
	sa.flags = SA_F_NOECN;
	ck_assert_int_eq(tunnel_decap(&sa, &pb, &note), IPSEC_OK);
	ck_assert_uint_eq(pbuf_data(&pb)[1], 0x40 | ECN_NOT_ECT);

	mksa("198.51.100.1", "198.51.100.2", SA_F_NOECN);
	inner6(ECN_ECT0);
	encap_with_outer_tos(ECN_CE);
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
	ck_assert_uint_eq(pbuf_data(&pb)[1] >> 4, ECN_ECT0);
}
END_TEST

START_TEST(test_tunnel_decap_dscp)
{
	struct ip_info in;

	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0x28 | ECN_ECT0, true);
	encap_with_outer_tos(0xb8 | ECN_ECT0);
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
	ck_assert_uint_eq(in.tos, 0x28 | ECN_ECT0);

	mksa("198.51.100.1", "198.51.100.2", SA_F_DECAP_DSCP);
	inner4(0x28 | ECN_ECT0, true);
	encap_with_outer_tos(0xb8 | ECN_CE);
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
	ck_assert_uint_eq(in.tos, 0xb8 | ECN_CE);
	ck_assert_uint_eq(ip_cksum(pbuf_data(&pb), 20), 0);

	mksa("2001:db8:ff::1", "2001:db8:ff::2", SA_F_DECAP_DSCP);
	inner6(0x28);
	encap_with_outer_tos(0xb8);
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
	ck_assert_uint_eq(in.tos, 0xb8);
}
END_TEST

START_TEST(test_tunnel_decap_bad)
{
	uint8_t *p;

	/* Outer protocol neither 4 nor 41. */
	mksa("198.51.100.1", "198.51.100.2", 0);
	inner4(0, true);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	p = pbuf_data(&pb);
	p[9] = IPPROTO_UDP;
	ip_fix_cksum(p);
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_NEXTHDR);
	check_unchanged();
	/* Protocol 41 over an IPv4 inner. */
	p[9] = IPPROTO_IPV6;
	ip_fix_cksum(p);
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_FAMILY);
	check_unchanged();
	/* Inner one byte short: outer length fine, inner says one more. */
	p[9] = IPPROTO_IPIP;
	ip_fix_cksum(p);
	wr_u16(p + 20 + 2, 33);
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_HDR);
	check_unchanged();
	/* Inner shorter than an IPv4 header. */
	ck_assert(pbuf_trim(&pb, 32 - 19));
	ck_assert(ip_set_len(p, AF_INET, 20 + 19));
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_HDR);
	check_unchanged();
	/* Bad outer: total length one more than present. */
	ck_assert(ip_set_len(p, AF_INET, 20 + 20));
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_HDR);
	check_unchanged();

	/* IPv6 outer, IPv6 inner one byte short. */
	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	inner6(0);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	ck_assert(pbuf_trim(&pb, 1));
	ck_assert(ip_set_len(pbuf_data(&pb), AF_INET6, pbuf_len(&pb)));
	save();
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_DROP_HDR);
	check_unchanged();
}
END_TEST

/* An outer IPv6 Hop-by-Hop header goes with the outer header. */
START_TEST(test_tunnel_decap_ext_header)
{
	uint8_t *p;

	mksa("2001:db8:ff::1", "2001:db8:ff::2", 0);
	inner4(0, true);
	ck_assert_int_eq(tunnel_encap(&sa, &kn, 0, &pb), IPSEC_OK);
	ck_assert_ptr_nonnull(pbuf_insert(&pb, 40, 8));
	p = pbuf_data(&pb);
	memset(p + 40, 0, 8);
	p[40] = IPPROTO_IPIP; /* HBH: next header, length 0 (8 bytes) */
	p[6] = IPPROTO_HOPOPTS;
	ck_assert(ip_set_len(p, AF_INET6, pbuf_len(&pb)));
	ck_assert_int_eq(tunnel_decap(&sa, &pb, NULL), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pb), 32);
	ck_assert_uint_eq(pbuf_data(&pb)[0], 0x45);
}
END_TEST

static void
mkbeet(const char *src, const char *dst, const char *isrc, const char *idst)
{
	mksa(src, dst, 0);
	sa.mode = SA_MODE_BEET;
	ck_assert(addr_parse(&sa.beet_src, isrc));
	ck_assert(addr_parse(&sa.beet_dst, idst));
}

START_TEST(test_tunnel_beet_encap_decap_ip4)
{
	uint8_t orig[64];
	struct ip_info in;

	mkbeet("198.51.100.1", "198.51.100.2", "192.0.2.1", "192.0.2.2");
	inner4(0x28, true);
	memcpy(orig, pbuf_data(&pb), 32);
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_OK);
	ck_assert_uint_eq(pbuf_len(&pb), 32);
	ck_assert_uint_eq(pbuf_headroom(&pb), HEADROOM);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
	ck_assert(addr_eq(&in.src, &sa.src) && addr_eq(&in.dst, &sa.dst));
	ck_assert_uint_eq(in.proto, IPPROTO_UDP);
	ck_assert_uint_eq(ip_cksum(pbuf_data(&pb), 20), 0);
	ck_assert(memcmp(orig + 20, pbuf_data(&pb) + 20, 12) == 0);
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_OK);
	ck_assert(memcmp(orig, pbuf_data(&pb), 32) == 0);
}
END_TEST

START_TEST(test_tunnel_beet_encap_decap_ip6)
{
	uint8_t orig[64];
	struct ip_info in;

	mkbeet("2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:1::1",
	    "2001:db8:1::2");
	inner6(0x28);
	memcpy(orig, pbuf_data(&pb), 52);
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_OK);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &in));
	ck_assert(addr_eq(&in.src, &sa.src) && addr_eq(&in.dst, &sa.dst));
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_OK);
	ck_assert(memcmp(orig, pbuf_data(&pb), 52) == 0);
}
END_TEST

START_TEST(test_tunnel_beet_encap_refused)
{
	uint8_t *p;

	/* Not the SA's inner addresses. */
	mkbeet("198.51.100.1", "198.51.100.2", "192.0.2.1", "192.0.2.3");
	inner4(0, true);
	save();
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_DROP_POLICY);
	check_unchanged();
	/* Inter-family BEET. */
	mkbeet("2001:db8:ff::1", "2001:db8:ff::2", "192.0.2.1", "192.0.2.2");
	inner4(0, true);
	save();
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_DROP_FAMILY);
	check_unchanged();
	/* IPv4 options. */
	mkbeet("198.51.100.1", "198.51.100.2", "192.0.2.1", "192.0.2.2");
	inner4(0, true);
	p = pbuf_insert(&pb, 20, 4);
	ck_assert_ptr_nonnull(p);
	memset(p, 1, 4); /* four NOPs */
	p = pbuf_data(&pb);
	p[0] = 0x46;
	ck_assert(ip_set_len(p, AF_INET, pbuf_len(&pb)));
	save();
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_DROP_HDR);
	check_unchanged();
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_DROP_HDR);
	check_unchanged();
	/* One byte short. */
	inner4(0, true);
	pbuf_trim(&pb, 1);
	save();
	ck_assert_int_eq(tunnel_beet_encap(&sa, &pb), IPSEC_DROP_HDR);
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_DROP_HDR);
	check_unchanged();
}
END_TEST

START_TEST(test_tunnel_beet_decap_pseudo_header)
{
	uint8_t *p;

	mkbeet("198.51.100.1", "198.51.100.2", "192.0.2.1", "192.0.2.2");
	inner4(0, true);
	p = pbuf_data(&pb);
	p[9] = 94;
	ip_fix_cksum(p);
	save();
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_DROP_NEXTHDR);
	check_unchanged();
	/* Inner addresses of another family than the packet. */
	mkbeet(
	    "198.51.100.1", "198.51.100.2", "2001:db8:1::1", "2001:db8:1::2");
	inner4(0, true);
	save();
	ck_assert_int_eq(tunnel_beet_decap(&sa, &pb), IPSEC_DROP_FAMILY);
	check_unchanged();
}
END_TEST

static Suite *
tunnel_suite(void)
{
	Suite *s = suite_create("tunnel");
	TCase *tc;

	tc = tcase_create("tunnel_encap");
	tcase_add_test(tc, test_tunnel_encap_4in4);
	tcase_add_test(tc, test_tunnel_encap_6in6);
	tcase_add_test(tc, test_tunnel_encap_4in6);
	tcase_add_test(tc, test_tunnel_encap_6in4);
	tcase_add_test(tc, test_tunnel_encap_dfbit);
	tcase_add_test(tc, test_tunnel_encap_ecn);
	tcase_add_test(tc, test_tunnel_encap_noroom);
	tcase_add_test(tc, test_tunnel_encap_bad_inner);
	tcase_add_test(tc, test_tunnel_encap_family);
	tcase_add_test(tc, test_tunnel_encap_toobig);
	suite_add_tcase(s, tc);

	tc = tcase_create("tunnel_decap");
	tcase_add_test(tc, test_tunnel_decap_roundtrip);
	tcase_add_test(tc, test_tunnel_decap_ecn);
	tcase_add_test(tc, test_tunnel_decap_ecn_drop);
	tcase_add_test(tc, test_tunnel_decap_dscp);
	tcase_add_test(tc, test_tunnel_decap_bad);
	tcase_add_test(tc, test_tunnel_decap_ext_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("tunnel_beet_encap");
	tcase_add_test(tc, test_tunnel_beet_encap_decap_ip4);
	tcase_add_test(tc, test_tunnel_beet_encap_decap_ip6);
	tcase_add_test(tc, test_tunnel_beet_encap_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("tunnel_beet_decap");
	tcase_add_test(tc, test_tunnel_beet_decap_pseudo_header);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tunnel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
