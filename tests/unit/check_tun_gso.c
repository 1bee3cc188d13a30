/*
 * Unit tests for tun_gso.c: TCP super-packets split into segments,
 * partial checksums completed, and segments coalesced back into
 * super-packets (tun_gro), checked against the independent byte-wise
 * checksum of src/ipsec/iphdr.c (a packet whose checksums are right sums
 * to zero there), and every length check one byte short.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "common/rd.h"
#include "daemon/tun_gso.h"
#include "ipsec/iphdr.h"

#define BUF 70000

static uint8_t pkt[BUF];
static uint8_t seg[BUF];

static void
vhdr(uint8_t *vh, uint8_t flags, uint8_t type, uint16_t gso_size,
    uint16_t start, uint16_t off)
{
	struct virtio_net_hdr h;

	memset(&h, 0, sizeof(h));
	h.flags = flags;
	h.gso_type = type;
	h.gso_size = gso_size;
	h.csum_start = start;
	h.csum_offset = off;
	memcpy(vh, &h, sizeof(h));
}

/* Payload byte k of every test packet. */
static uint8_t
pay(size_t k)
{
	return (uint8_t)(k * 7 + 3);
}

/*
 * An IPv4 (20) or IPv6 (40) + TCP (20 + optlen) packet with plen payload
 * bytes, flags tcpf, seq 0xfffff000 (so that segments wrap); the TCP
 * checksum holds the pseudo-header sum as the kernel leaves it for
 * offload.  Returns its length.
 */
static size_t
mk_tcp(int version, size_t optlen, size_t plen, uint8_t tcpf)
{
	size_t ihl = version == 4 ? 20 : 40, thl = 20 + optlen;
	size_t n = ihl + thl + plen;
	uint8_t *t = pkt + ihl, ph[40];
	uint32_t sum;

	memset(pkt, 0, ihl + thl);
	if (version == 4) {
		pkt[0] = 0x45;
		wr_u16(pkt + 2, (uint16_t)n);
		wr_u16(pkt + 4, 0xfffe);
		pkt[6] = 0x40; /* DF */
		pkt[8] = 64;
		pkt[9] = 6;
		memcpy(pkt + 12, "\x0a\x09\x00\x01\x0a\x09\x00\x02", 8);
		wr_u16(pkt + 10, ip_cksum(pkt, 20));
	} else {
		pkt[0] = 0x60;
		wr_u16(pkt + 4, (uint16_t)(n - 40));
		pkt[6] = 6;
		pkt[7] = 64;
		pkt[8] = 0xfd;
		pkt[23] = 1;
		pkt[24] = 0xfd;
		pkt[39] = 2;
	}
	wr_u16(t, 40000);
	wr_u16(t + 2, 5201);
	wr_u32(t + 4, 0xfffff000u);
	wr_u32(t + 8, 0x12345678u);
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = tcpf;
	wr_u16(t + 14, 65535);
	for (size_t k = 0; k < optlen; k++)
		t[20 + k] = 1; /* NOP */
	for (size_t k = 0; k < plen; k++)
		t[thl + k] = pay(k);
	memset(ph, 0, sizeof(ph));
	if (version == 4) {
		memcpy(ph, pkt + 12, 8);
		ph[9] = 6;
		wr_u16(ph + 10, (uint16_t)(thl + plen));
		sum = ip_csum_add(0, ph, 12);
	} else {
		memcpy(ph, pkt + 8, 32);
		wr_u16(ph + 34, (uint16_t)(thl + plen));
		ph[39] = 6;
		sum = ip_csum_add(0, ph, 40);
	}
	/* The folded sum, not complemented (CHECKSUM_PARTIAL). */
	wr_u16(t + 16, (uint16_t)~ip_csum_fold(sum));
	return n;
}

/* Whether the TCP checksum of the packet p (n bytes) verifies. */
static bool
tcp_ok(const uint8_t *p, size_t n)
{
	size_t ihl = (p[0] >> 4) == 4 ? (size_t)(p[0] & 0xf) * 4 : 40;
	uint8_t ph[40];
	uint32_t sum;

	memset(ph, 0, sizeof(ph));
	if ((p[0] >> 4) == 4) {
		memcpy(ph, p + 12, 8);
		ph[9] = 6;
		wr_u16(ph + 10, (uint16_t)(n - ihl));
		sum = ip_csum_add(0, ph, 12);
	} else {
		memcpy(ph, p + 8, 32);
		wr_u16(ph + 34, (uint16_t)(n - ihl));
		ph[39] = 6;
		sum = ip_csum_add(0, ph, 40);
	}
	return ip_csum_fold(ip_csum_add(sum, p + ihl, n - ihl)) == 0;
}

START_TEST(test_tun_gso_prepare_plain)
{
	uint8_t vh[TUN_VNET_HDR_LEN], copy[200];
	struct tun_gso g;
	size_t n = mk_tcp(4, 0, 100, 0x10);

	memcpy(copy, pkt, n);
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_PLAIN);
	ck_assert_mem_eq(pkt, copy, n);
	ck_assert_uint_eq(g.nseg, 1);
}
END_TEST

START_TEST(test_tun_gso_prepare_csum_tcp)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gso g;
	size_t n;

	/* Odd payload lengths exercise the last, padded byte. */
	for (int v = 4; v <= 6; v += 2)
		for (size_t plen = 0; plen < 40; plen++) {
			size_t ihl = v == 4 ? 20 : 40;

			n = mk_tcp(v, 0, plen, 0x18);
			vhdr(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM,
			    VIRTIO_NET_HDR_GSO_NONE, 0, (uint16_t)ihl, 16);
			ck_assert_int_eq(
			    tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_PLAIN);
			ck_assert(tcp_ok(pkt, n));
		}
}
END_TEST

START_TEST(test_tun_gso_prepare_csum_short)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gso g;
	size_t n = mk_tcp(4, 0, 0, 0x10); /* 40 bytes: field at 36..37 */

	/* The checksum field ends exactly at the end: accepted. */
	vhdr(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 20,
	    (uint16_t)(n - 20 - 2));
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_PLAIN);
	/* One byte short of the field. */
	vhdr(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 20,
	    (uint16_t)(n - 20 - 1));
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	/* A start at the end. */
	vhdr(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0,
	    (uint16_t)n, 0);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
}
END_TEST

/* Split a super-packet and check every segment against the original. */
static void
check_split(int version, size_t optlen, size_t plen, size_t mss)
{
	uint8_t vh[TUN_VNET_HDR_LEN], orig[4096];
	size_t ihl = version == 4 ? 20 : 40, hlen = ihl + 20 + optlen;
	size_t n = mk_tcp(version, optlen, plen, 0x80 | 0x18 | 0x01), off = 0;
	struct tun_gso g;

	ck_assert_uint_le(n, sizeof(orig));
	memcpy(orig, pkt, n);
	vhdr(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
	    (uint16_t)mss, (uint16_t)ihl, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	ck_assert_uint_eq(g.hlen, hlen);
	ck_assert_uint_eq(g.nseg, plen == 0 ? 1 : (plen + mss - 1) / mss);
	for (size_t i = 0; i < g.nseg; i++) {
		size_t chunk = plen - off < mss ? plen - off : mss;
		size_t len = tun_gso_segment(&g, i, seg, sizeof(seg));
		uint8_t *t = seg + ihl, f = t[13];

		ck_assert_uint_eq(len, hlen + chunk);
		if (version == 4) {
			ck_assert_uint_eq(get_u16(seg + 2), len);
			ck_assert_uint_eq(
			    get_u16(seg + 4), (uint16_t)(0xfffe + i));
			ck_assert_uint_eq(ip_cksum(seg, 20), 0);
		} else
			ck_assert_uint_eq(get_u16(seg + 4), len - 40);
		ck_assert_uint_eq(
		    get_u32(t + 4), (uint32_t)(0xfffff000u + off));
		ck_assert_uint_eq(get_u32(t + 8), 0x12345678u);
		ck_assert_uint_eq(!!(f & 0x80), i == 0);
		ck_assert_uint_eq(!!(f & 0x01), i + 1 == g.nseg);
		ck_assert_uint_eq(!!(f & 0x08), i + 1 == g.nseg);
		ck_assert(f & 0x10);
		ck_assert_mem_eq(t + 20, orig + ihl + 20, optlen);
		for (size_t k = 0; k < chunk; k++)
			ck_assert_uint_eq(seg[hlen + k], pay(off + k));
		ck_assert(tcp_ok(seg, len));
		off += chunk;
	}
	ck_assert_uint_eq(off, plen);
	ck_assert_uint_eq(tun_gso_segment(&g, g.nseg, seg, sizeof(seg)), 0);
}

START_TEST(test_tun_gso_segment_tcp4)
{
	check_split(4, 0, 3000, 1000);
	check_split(4, 12, 3001, 1000);
	check_split(4, 0, 999, 1000);
	check_split(4, 0, 0, 1000);
	check_split(4, 40, 4000, 1);
}
END_TEST

START_TEST(test_tun_gso_segment_tcp6)
{
	check_split(6, 0, 2800, 1388);
	check_split(6, 12, 2777, 1376);
	check_split(6, 0, 1, 1388);
}
END_TEST

START_TEST(test_tun_gso_segment_room)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gso g;
	size_t n = mk_tcp(4, 0, 2500, 0x10);

	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 20, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	/* The last segment, 40 + 500 bytes: exactly, and one byte short. */
	ck_assert_uint_eq(tun_gso_segment(&g, 2, seg, 540), 540);
	ck_assert_uint_eq(tun_gso_segment(&g, 2, seg, 539), 0);
	ck_assert_uint_eq(tun_gso_segment(&g, 0, seg, 1039), 0);
}
END_TEST

START_TEST(test_tun_gso_prepare_bad)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gso g;
	size_t n;

	/* Version and type disagree, both ways. */
	n = mk_tcp(6, 0, 100, 0x10);
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV4, 50, 40, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	n = mk_tcp(4, 0, 100, 0x10);
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV6, 50, 20, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	/* No MSS; UDP fragmentation offload, never enabled. */
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 20, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_UDP, 50, 20, 6);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	/* ECN is a modifier of TCP: accepted. */
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 50, 20,
	    16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	/* Total length one byte more than what was read. */
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV4, 50, 20, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n - 1, &g), TUN_GSO_BAD);
	/* A fragment. */
	pkt[6] = 0x20;
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	pkt[6] = 0x40;
	/* Not TCP. */
	pkt[9] = 17;
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	pkt[9] = 6;
	/* Data offset below 5, and past the end. */
	pkt[32] = 0x40;
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	n = mk_tcp(4, 0, 0, 0x10);
	pkt[32] = 0x60; /* 24 bytes of TCP header in 20 */
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	pkt[32] = 0x50;
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	/* A TCP header one byte short (the lengths made to agree). */
	wr_u16(pkt + 2, (uint16_t)(n - 1));
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n - 1, &g), TUN_GSO_BAD);
	/* IHL below 5, and an IPv6 payload length one short. */
	n = mk_tcp(4, 0, 10, 0x10);
	pkt[0] = 0x44;
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	n = mk_tcp(6, 0, 10, 0x10);
	vhdr(vh, 0, VIRTIO_NET_HDR_GSO_TCPV6, 50, 40, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	wr_u16(pkt + 4, (uint16_t)(n - 41));
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_BAD);
	/* Shorter than any header. */
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, 0, &g), TUN_GSO_BAD);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, 39, &g), TUN_GSO_BAD);
}
END_TEST

/*
 * Segments of one super-packet (check_split's) coalesced again: the
 * result must be the original, byte for byte, with the checksum field
 * holding the pseudo-header sum and the header saying TCP GSO.
 */
static void
check_merge(int version, size_t optlen, size_t plen, size_t mss)
{
	static uint8_t segs[8][2048], orig[8192];
	uint8_t vh[TUN_VNET_HDR_LEN], cat[8192];
	size_t ihl = version == 4 ? 20 : 40, hlen = ihl + 20 + optlen;
	size_t n = mk_tcp(version, optlen, plen, 0x18), lens[8], at;
	struct virtio_net_hdr h;
	struct tun_gso g;
	struct tun_gro run;

	memcpy(orig, pkt, n);
	vhdr(vh, 0,
	    version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
	    (uint16_t)mss, (uint16_t)ihl, 16);
	ck_assert_int_eq(tun_gso_prepare(vh, pkt, n, &g), TUN_GSO_TCP);
	ck_assert_uint_le(g.nseg, 8);
	for (size_t i = 0; i < g.nseg; i++) {
		lens[i] = tun_gso_segment(&g, i, segs[i], sizeof(segs[i]));
		ck_assert_uint_gt(lens[i], 0);
	}
	ck_assert(tun_gro_start(&run, segs[0], lens[0]));
	for (size_t i = 1; i < g.nseg; i++)
		ck_assert(tun_gro_add(&run, segs[i], lens[i]));
	ck_assert_uint_eq(run.npkts, g.nseg);
	ck_assert_uint_eq(run.total, n);
	ck_assert(run.is_closed);
	tun_gro_finish(&run, vh);
	memcpy(&h, vh, sizeof(h));
	ck_assert_uint_eq(h.gso_type,
	    version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6);
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(h.gso_size, mss);
	ck_assert_uint_eq(h.hdr_len, hlen);
	ck_assert_uint_eq(h.csum_start, ihl);
	ck_assert_uint_eq(h.csum_offset, 16);
	/* What writev would put together. */
	memcpy(cat, segs[0], lens[0]);
	at = lens[0];
	for (size_t i = 1; i < g.nseg; i++) {
		memcpy(cat + at, segs[i] + hlen, lens[i] - hlen);
		at += lens[i] - hlen;
	}
	ck_assert_uint_eq(at, n);
	if (version == 4) {
		/* The ID is the first segment's, as the original's. */
		ck_assert_uint_eq(ip_cksum(cat, 20), 0);
	}
	ck_assert_mem_eq(cat, orig, n);
}

START_TEST(test_tun_gro_add_merge)
{
	check_merge(4, 0, 3000, 1000);
	check_merge(4, 12, 2999, 1000);
	check_merge(6, 0, 4000, 1388);
	check_merge(6, 12, 2000, 1000);
}
END_TEST

/* Two segments a (seq 1000) and b (seq 1000 + plen) of 100 bytes. */
static size_t
mk_pair(int version, uint8_t *a, uint8_t *b)
{
	size_t n = mk_tcp(version, 12, 100, 0x10);
	size_t ihl = version == 4 ? 20 : 40;

	memcpy(a, pkt, n);
	memcpy(b, pkt, n);
	wr_u32(b + ihl + 4, get_u32(a + ihl + 4) + 100);
	return n;
}

START_TEST(test_tun_gro_add_refused)
{
	static const struct {
		int version;
		size_t off; /* byte of b changed */
		uint8_t val;
	} rows[] = {
		{ 4, 1, 0x02 },	      /* TOS (ECN) */
		{ 4, 6, 0x00 },	      /* DF */
		{ 4, 8, 63 },	      /* TTL */
		{ 4, 15, 9 },	      /* source */
		{ 4, 19, 9 },	      /* destination */
		{ 4, 20, 0x99 },      /* source port */
		{ 4, 23, 0x99 },      /* destination port */
		{ 4, 20 + 7, 0x99 },  /* sequence: a gap */
		{ 4, 20 + 11, 0x99 }, /* ack */
		{ 4, 20 + 13, 0x11 }, /* FIN */
		{ 4, 20 + 15, 0x99 }, /* window */
		{ 4, 20 + 31, 0x08 }, /* options */
		{ 6, 1, 0x01 },	      /* flow label */
		{ 6, 7, 63 },	      /* hop limit */
		{ 6, 39, 9 },	      /* destination */
		{ 6, 40 + 13, 0x12 }, /* SYN */
	};
	static uint8_t a[2048], b[2048];
	struct tun_gro run;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = mk_pair(rows[i].version, a, b);

		ck_assert(tun_gro_start(&run, a, n));
		ck_assert(tun_gro_add(&run, b, n));
		mk_pair(rows[i].version, a, b);
		ck_assert(tun_gro_start(&run, a, n));
		b[rows[i].off] = rows[i].val;
		ck_assert_msg(!tun_gro_add(&run, b, n), "row %zu", i);
		ck_assert_uint_eq(run.npkts, 1);
	}
}
END_TEST

START_TEST(test_tun_gro_add_sizes)
{
	static uint8_t a[2048], b[2048];
	struct tun_gro run;
	size_t n = mk_pair(4, a, b);

	/* A longer payload than the first: refused. */
	ck_assert(!tun_gro_start(&run, a, n - 1));
	wr_u16(a + 2, (uint16_t)(n - 1));
	ck_assert(tun_gro_start(&run, a, n - 1));
	wr_u32(b + 24, get_u32(a + 24) + 99);
	ck_assert(!tun_gro_add(&run, b, n));
	/* A shorter one closes the run. */
	n = mk_pair(4, a, b);
	ck_assert(tun_gro_start(&run, a, n));
	wr_u16(b + 2, (uint16_t)(n - 1));
	ck_assert(tun_gro_add(&run, b, n - 1));
	ck_assert(run.is_closed);
	ck_assert(!tun_gro_add(&run, b, n - 1));
	/* A length field one byte off what was read. */
	n = mk_pair(4, a, b);
	ck_assert(tun_gro_start(&run, a, n));
	ck_assert(!tun_gro_add(&run, b, n - 1));
	/* Headers only: neither starts nor joins a run. */
	n = mk_tcp(4, 0, 0, 0x10);
	ck_assert(!tun_gro_start(&run, pkt, n));
	/* PSH ends a run; the head's PSH is set when the last had it. */
	n = mk_pair(6, a, b);
	b[40 + 13] = 0x18;
	ck_assert(tun_gro_start(&run, a, n));
	ck_assert(tun_gro_add(&run, b, n));
	ck_assert(run.is_closed && run.is_psh);
	{
		uint8_t vh[TUN_VNET_HDR_LEN];

		tun_gro_finish(&run, vh);
		ck_assert_uint_eq(a[40 + 13], 0x18);
		ck_assert_uint_eq(get_u16(a + 4), n - 40 + 100);
	}
}
END_TEST

START_TEST(test_tun_gro_start_refused)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gro run;
	struct virtio_net_hdr h;
	size_t n = mk_tcp(4, 0, 100, 0x10);

	ck_assert(tun_gro_start(&run, pkt, n));
	/* One packet: left as it is, a plain header. */
	tun_gro_finish(&run, vh);
	memcpy(&h, vh, sizeof(h));
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_uint_eq(h.flags, 0);
	ck_assert_uint_eq(get_u16(pkt + 2), n);
	/* No ACK; SYN; URG; IPv4 options; not TCP; empty; version 5. */
	pkt[33] = 0x00;
	ck_assert(!tun_gro_start(&run, pkt, n));
	pkt[33] = 0x12;
	ck_assert(!tun_gro_start(&run, pkt, n));
	pkt[33] = 0x30;
	ck_assert(!tun_gro_start(&run, pkt, n));
	pkt[33] = 0x10;
	pkt[0] = 0x46;
	ck_assert(!tun_gro_start(&run, pkt, n));
	pkt[0] = 0x45;
	pkt[9] = 17;
	ck_assert(!tun_gro_start(&run, pkt, n));
	pkt[9] = 6;
	ck_assert(!tun_gro_start(&run, pkt, 0));
	pkt[0] = 0x55;
	ck_assert(!tun_gro_start(&run, pkt, n));
}
END_TEST

static Suite *
tun_gso_suite(void)
{
	Suite *s = suite_create("tun_gso");
	TCase *tc;

	tc = tcase_create("tun_gso_prepare");
	tcase_add_test(tc, test_tun_gso_prepare_plain);
	tcase_add_test(tc, test_tun_gso_prepare_csum_tcp);
	tcase_add_test(tc, test_tun_gso_prepare_csum_short);
	tcase_add_test(tc, test_tun_gso_prepare_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("tun_gso_segment");
	tcase_add_test(tc, test_tun_gso_segment_tcp4);
	tcase_add_test(tc, test_tun_gso_segment_tcp6);
	tcase_add_test(tc, test_tun_gso_segment_room);
	suite_add_tcase(s, tc);
	tc = tcase_create("tun_gro");
	tcase_add_test(tc, test_tun_gro_start_refused);
	tcase_add_test(tc, test_tun_gro_add_merge);
	tcase_add_test(tc, test_tun_gro_add_refused);
	tcase_add_test(tc, test_tun_gro_add_sizes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tun_gso_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
