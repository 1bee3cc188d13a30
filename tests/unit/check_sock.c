/*
 * Unit tests for the pure parts of the daemon's I/O layer: the steering
 * programs (run through a small classic-BPF interpreter below, which
 * follows the kernel's rule that a load past the packet ends the program
 * with 0), the ancillary-data parser, the rebuilt outer header, the UDP
 * payload classification, and the rtnetlink message parsers.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "daemon/netlink_parse.h"
#include "daemon/sock_bpf.h"
#include "daemon/sock_pkt.h"
#include "ipsec/iphdr.h"

/* Outcome of the interpreter when it meets an instruction it lacks. */
#define BAD_INSN 0xdeadbeefu

static int
ld(const uint8_t *p, size_t len, uint32_t off, int size, uint32_t *a)
{
	size_t n = size == BPF_W ? 4 : size == BPF_H ? 2 : 1;

	if (off > len || n > len - off)
		return -1;
	*a = n == 4 ? get_u32(p + off) : n == 2 ? get_u16(p + off) : p[off];
	return 0;
}

/* Classic BPF over p: the subset sock_bpf.c emits. */
static uint32_t
bpf_run(const struct sock_bpf *b, const uint8_t *p, size_t len)
{
	uint32_t a = 0, x = 0;

	for (size_t pc = 0; pc < b->len; pc++) {
		const struct sock_filter *f = &b->insn[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (ld(p, len, f->k, BPF_SIZE(f->code), &a) == -1)
				return 0;
			break;
		case BPF_LD | BPF_W | BPF_IND:
		case BPF_LD | BPF_H | BPF_IND:
		case BPF_LD | BPF_B | BPF_IND:
			if (ld(p, len, x + f->k, BPF_SIZE(f->code), &a) == -1)
				return 0;
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			a = (uint32_t)len;
			break;
		case BPF_LDX | BPF_B | BPF_MSH:
			if (f->k >= len)
				return 0;
			x = 4u * (p[f->k] & 0xf);
			break;
		case BPF_ALU | BPF_MUL | BPF_K:
			a *= f->k;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			a >>= f->k;
			break;
		case BPF_ALU | BPF_MOD | BPF_K:
			a %= f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			return BAD_INSN;
		}
	}
	return BAD_INSN; /* fell off the end: the kernel's checker refuses */
}

/* An IPv4 packet of ihl words carrying proto with spi at its offset. */
static size_t
pkt4(uint8_t *p, unsigned ihl, uint8_t proto, uint32_t spi)
{
	size_t hl = ihl * 4u;

	memset(p, 0, 128);
	p[0] = (uint8_t)(0x40 | ihl);
	p[9] = proto;
	if (proto == IPPROTO_ESP)
		wr_u32(p + hl, spi);
	else if (proto == IPPROTO_AH)
		wr_u32(p + hl + 4, spi);
	else
		wr_u16(p + hl + 2, (uint16_t)spi);
	return hl + 24;
}

/* The one worker of n whose filter keeps p; -1 none, -2 several. */
static int
keeper(int family, uint8_t proto, unsigned n, const uint8_t *p, size_t len)
{
	int which = -1;

	for (unsigned w = 0; w < n; w++) {
		struct sock_bpf b;
		uint32_t r;

		ck_assert_int_eq(sock_bpf_raw(&b, family, proto, w, n), 0);
		r = bpf_run(&b, p, len);
		ck_assert(r == 0 || r == 0xffffffffu);
		if (r != 0)
			which = which == -1 ? (int)w : -2;
	}
	return which;
}

START_TEST(test_sock_bpf_raw_ipv4_one_worker_per_spi)
{
	static const uint8_t protos[] = { IPPROTO_ESP, IPPROTO_AH,
		IPPROTO_COMP };
	static const unsigned counts[] = { 1, 2, 3, 4, 7, 16 };
	uint8_t p[128];

	for (size_t i = 0; i < 3; i++)
		for (size_t c = 0; c < 6; c++)
			for (uint32_t k = 0; k < 200; k++) {
				uint32_t spi = 0x100 + k * 7919;
				unsigned ihl = 5 + k % 3;
				size_t len = pkt4(p, ihl, protos[i], spi);

				if (protos[i] == IPPROTO_COMP)
					spi &= 0xffff;
				ck_assert_int_eq(keeper(AF_INET, protos[i],
						     counts[c], p, len),
				    (int)sock_steer_worker(spi, counts[c]));
			}
}
END_TEST

START_TEST(test_sock_bpf_raw_ipv6_offset_zero)
{
	uint8_t p[16] = { 0 };

	wr_u32(p, 0xc0ffee01);
	ck_assert_int_eq(keeper(AF_INET6, IPPROTO_ESP, 4, p, 8),
	    (int)sock_steer_worker(0xc0ffee01, 4));
	wr_u32(p + 4, 0x0badcafe);
	ck_assert_int_eq(keeper(AF_INET6, IPPROTO_AH, 5, p, 8),
	    (int)sock_steer_worker(0x0badcafe, 5));
	wr_u16(p + 2, 0x4321);
	ck_assert_int_eq(keeper(AF_INET6, IPPROTO_COMP, 3, p, 4),
	    (int)sock_steer_worker(0x4321, 3));
}
END_TEST

/* A packet one byte short of its SPI is kept by no worker. */
START_TEST(test_sock_bpf_raw_one_byte_short)
{
	uint8_t p[128];

	pkt4(p, 6, IPPROTO_ESP, 0x1234);
	ck_assert_int_ge(keeper(AF_INET, IPPROTO_ESP, 3, p, 24 + 4), 0);
	ck_assert_int_eq(keeper(AF_INET, IPPROTO_ESP, 3, p, 24 + 3), -1);
	pkt4(p, 5, IPPROTO_AH, 0x1234);
	ck_assert_int_ge(keeper(AF_INET, IPPROTO_AH, 3, p, 20 + 8), 0);
	ck_assert_int_eq(keeper(AF_INET, IPPROTO_AH, 3, p, 20 + 7), -1);
	pkt4(p, 5, IPPROTO_COMP, 0x1234);
	ck_assert_int_ge(keeper(AF_INET, IPPROTO_COMP, 3, p, 20 + 4), 0);
	ck_assert_int_eq(keeper(AF_INET, IPPROTO_COMP, 3, p, 20 + 3), -1);
	ck_assert_int_ge(keeper(AF_INET6, IPPROTO_ESP, 3, p, 4), 0);
	ck_assert_int_eq(keeper(AF_INET6, IPPROTO_ESP, 3, p, 3), -1);
	ck_assert_int_eq(keeper(AF_INET, IPPROTO_ESP, 3, p, 0), -1);
}
END_TEST

START_TEST(test_sock_bpf_raw_bad_args)
{
	struct sock_bpf b;

	errno = 0;
	ck_assert_int_eq(sock_bpf_raw(&b, AF_INET, IPPROTO_UDP, 0, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sock_bpf_raw(&b, AF_UNIX, IPPROTO_ESP, 0, 1), -1);
	ck_assert_int_eq(sock_bpf_raw(&b, AF_INET, IPPROTO_ESP, 2, 2), -1);
	ck_assert_int_eq(sock_bpf_raw(&b, AF_INET, IPPROTO_ESP, 0, 0), -1);
	ck_assert_int_eq(sock_bpf_raw(&b, AF_INET, IPPROTO_ESP, 1, 2), 0);
	ck_assert_uint_le(b.len, SOCK_BPF_MAX);
}
END_TEST

START_TEST(test_sock_bpf_udp_steering)
{
	struct sock_bpf b;
	uint8_t p[16] = { 0 };

	ck_assert_int_eq(sock_bpf_udp(&b, 4, 4), 0);
	/* Keepalive (RFC 3948 2.3), empty and 3-byte runts: worker 0. */
	p[0] = 0xff;
	ck_assert_uint_eq(bpf_run(&b, p, 1), 0);
	ck_assert_uint_eq(bpf_run(&b, p, 0), 0);
	p[1] = p[2] = 0x77;
	ck_assert_uint_eq(bpf_run(&b, p, 3), 0);
	/* Non-ESP marker: the IKE daemon's index. */
	memset(p, 0, sizeof(p));
	ck_assert_uint_eq(bpf_run(&b, p, 4), 4);
	ck_assert_uint_eq(bpf_run(&b, p, 16), 4);
	/* ESP: the SPI's worker, as the raw filters choose. */
	for (uint32_t spi = 1; spi < 5000; spi += 37) {
		wr_u32(p, spi);
		ck_assert_uint_eq(
		    bpf_run(&b, p, 16), sock_steer_worker(spi, 4));
		ck_assert_uint_eq(bpf_run(&b, p, 4), sock_steer_worker(spi, 4));
	}
	ck_assert_int_eq(sock_bpf_udp(&b, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_sock_steer_worker_spreads)
{
	unsigned hits[4] = { 0 };

	for (uint32_t spi = 0xc0000000u; spi < 0xc0000000u + 400; spi++)
		hits[sock_steer_worker(spi, 4)]++;
	for (int i = 0; i < 4; i++)
		ck_assert_uint_gt(hits[i], 50);
	ck_assert_uint_eq(sock_steer_worker(0xdeadbeef, 1), 0);
}
END_TEST

static void
meta_set(struct sock_meta *m, const char *src, const char *dst)
{
	memset(m, 0, sizeof(*m));
	ck_assert(addr_parse(&m->src, src));
	ck_assert(addr_parse(&m->dst, dst));
	m->proto = IPPROTO_ESP;
	m->tos = 0xb9;
	m->ttl = 61;
}

START_TEST(test_sock_hdr_build_ipv4)
{
	uint8_t mem[256];
	struct pbuf pb;
	struct sock_meta m;
	struct ip_info info;

	meta_set(&m, "192.0.2.1", "198.51.100.7");
	pbuf_init(&pb, mem, sizeof(mem), 19);
	memset(pbuf_put(&pb, 12), 0xab, 12);
	ck_assert(!sock_hdr_build(&pb, &m)); /* one byte short of headroom */
	ck_assert_uint_eq(pbuf_len(&pb), 12);
	pbuf_init(&pb, mem, sizeof(mem), 20);
	memset(pbuf_put(&pb, 12), 0xab, 12);
	ck_assert(sock_hdr_build(&pb, &m));
	ck_assert_uint_eq(pbuf_headroom(&pb), 0);
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &info));
	ck_assert_uint_eq(ip_cksum(pbuf_data(&pb), 20), 0);
	ck_assert_uint_eq(info.proto, IPPROTO_ESP);
	ck_assert_uint_eq(info.tos, 0xb9);
	ck_assert_uint_eq(info.ttl, 61);
	ck_assert(addr_eq(&info.src, &m.src));
	ck_assert(addr_eq(&info.dst, &m.dst));
}
END_TEST

START_TEST(test_sock_hdr_build_ipv6)
{
	uint8_t mem[256];
	struct pbuf pb;
	struct sock_meta m, back;
	struct ip_info info;

	meta_set(&m, "2001:db8::1", "2001:db8:1::2");
	pbuf_init(&pb, mem, sizeof(mem), 39);
	memset(pbuf_put(&pb, 16), 0xcd, 16);
	ck_assert(!sock_hdr_build(&pb, &m));
	pbuf_init(&pb, mem, sizeof(mem), 40);
	memset(pbuf_put(&pb, 16), 0xcd, 16);
	ck_assert(sock_hdr_build(&pb, &m));
	ck_assert(ip_parse(pbuf_data(&pb), pbuf_len(&pb), &info));
	ck_assert_uint_eq(info.family, AF_INET6);
	ck_assert_uint_eq(info.proto, IPPROTO_ESP);
	ck_assert_uint_eq(info.tos, 0xb9);
	ck_assert_uint_eq(info.ttl, 61);
	ck_assert(addr_eq(&info.dst, &m.dst));
	memset(&back, 0, sizeof(back));
	ck_assert_uint_eq(
	    sock_hdr_parse(pbuf_data(&pb), pbuf_len(&pb), &back), 40);
	ck_assert(addr_eq(&back.src, &m.src));
	ck_assert_uint_eq(back.tos, 0xb9);
	/* Mixed or unset families. */
	ck_assert(addr_parse(&m.dst, "192.0.2.9"));
	ck_assert(!sock_hdr_build(&pb, &m));
	memset(&m, 0, sizeof(m));
	ck_assert(!sock_hdr_build(&pb, &m));
}
END_TEST

START_TEST(test_sock_hdr_build_max_length)
{
	static uint8_t mem[66000];
	struct pbuf pb;
	struct sock_meta m;

	meta_set(&m, "192.0.2.1", "192.0.2.2");
	pbuf_init(&pb, mem, sizeof(mem), 40);
	pbuf_put(&pb, 65535 - 20 + 1);
	ck_assert(!sock_hdr_build(&pb, &m));
	pbuf_trim(&pb, 1);
	ck_assert(sock_hdr_build(&pb, &m));
	ck_assert_uint_eq(pbuf_len(&pb), 65535);

	meta_set(&m, "2001:db8::1", "2001:db8::2");
	pbuf_init(&pb, mem, sizeof(mem), 40);
	pbuf_put(&pb, 65536);
	ck_assert(!sock_hdr_build(&pb, &m));
	pbuf_trim(&pb, 1);
	ck_assert(sock_hdr_build(&pb, &m));
}
END_TEST

START_TEST(test_sock_hdr_parse_short_and_bad)
{
	uint8_t mem[256], p[64];
	struct pbuf pb;
	struct sock_meta m;
	size_t len;

	meta_set(&m, "192.0.2.1", "192.0.2.2");
	pbuf_init(&pb, mem, sizeof(mem), 64);
	memset(pbuf_put(&pb, 8), 1, 8);
	ck_assert(sock_hdr_build(&pb, &m));
	len = pbuf_len(&pb);
	memcpy(p, pbuf_data(&pb), len);
	ck_assert_uint_eq(sock_hdr_parse(p, len, &m), 20);
	/* Total length says 28: one byte short, or one more, is refused. */
	ck_assert_uint_eq(sock_hdr_parse(p, len - 1, &m), 0);
	ck_assert_uint_eq(sock_hdr_parse(p, len + 1, &m), 0);
	p[0] = 0x44; /* IHL 4 */
	ck_assert_uint_eq(sock_hdr_parse(p, len, &m), 0);
	p[0] = 0x55; /* version 5 */
	ck_assert_uint_eq(sock_hdr_parse(p, len, &m), 0);
	ck_assert_uint_eq(sock_hdr_parse(p, 0, &m), 0);

	meta_set(&m, "2001:db8::1", "2001:db8::2");
	pbuf_init(&pb, mem, sizeof(mem), 64);
	pbuf_put(&pb, 0);
	ck_assert(sock_hdr_build(&pb, &m)); /* a bare 40-byte header */
	memcpy(p, pbuf_data(&pb), 40);
	ck_assert_uint_eq(sock_hdr_parse(p, 40, &m), 40);
	ck_assert_uint_eq(sock_hdr_parse(p, 39, &m), 0);
}
END_TEST

/* Write one control message at at; returns its aligned size. */
static size_t
cm_put(uint8_t *at, int level, int type, const void *data, size_t len)
{
	struct cmsghdr h;

	memset(&h, 0, sizeof(h));
	h.cmsg_len = CMSG_LEN(len);
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(at, &h, sizeof(h));
	memcpy(at + CMSG_LEN(0), data, len);
	return CMSG_SPACE(len);
}

START_TEST(test_sock_cmsg_parse_ipv4)
{
	union {
		struct cmsghdr align;
		uint8_t b[256];
	} u;
	struct in_pktinfo pi;
	struct sock_meta m;
	size_t off = 0, last;
	uint8_t tos = 0x2a;
	int ttl = 17, junk = 5;
	char s[ADDR_STRLEN];

	memset(&u, 0, sizeof(u));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_ifindex = 7;
	pi.ipi_addr.s_addr = htonl(0xc0000205);
	off += cm_put(u.b + off, SOL_SOCKET, 99, &junk, sizeof(junk));
	off += cm_put(u.b + off, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	off += cm_put(u.b + off, IPPROTO_IP, IP_TOS, &tos, 1);
	last = off;
	off += cm_put(u.b + off, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET, &m),
	    SOCK_CM_DST | SOCK_CM_TOS | SOCK_CM_TTL);
	ck_assert_str_eq(addr_fmt(&m.dst, s, sizeof(s)), "192.0.2.5");
	ck_assert_int_eq(m.ifindex, 7);
	ck_assert_uint_eq(m.tos, 0x2a);
	ck_assert_uint_eq(m.ttl, 17);
	/* The last message is CMSG_LEN(4) long: one byte short is bad. */
	ck_assert_int_eq(sock_cmsg_parse(u.b, last + CMSG_LEN(4), AF_INET, &m),
	    SOCK_CM_DST | SOCK_CM_TOS | SOCK_CM_TTL);
	ck_assert_int_eq(
	    sock_cmsg_parse(u.b, last + CMSG_LEN(4) - 1, AF_INET, &m), -1);
	/* A header cut short. */
	ck_assert_int_eq(sock_cmsg_parse(u.b, last + 3, AF_INET, &m), -1);
	ck_assert_int_eq(sock_cmsg_parse(u.b, 0, AF_INET, &m), 0);
	/* The same messages mean nothing to an IPv6 socket. */
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET6, &m), 0);
}
END_TEST

START_TEST(test_sock_cmsg_parse_ipv6_and_bad_sizes)
{
	union {
		struct cmsghdr align;
		uint8_t b[256];
	} u;
	struct in6_pktinfo pi;
	struct sock_meta m;
	size_t off = 0;
	int tclass = 0xb8, hops = 64, bad = 300;

	memset(&u, 0, sizeof(u));
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_ifindex = 3;
	pi.ipi6_addr.s6_addr[0] = 0x20;
	pi.ipi6_addr.s6_addr[15] = 1;
	off += cm_put(u.b + off, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	off +=
	    cm_put(u.b + off, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof(int));
	off +=
	    cm_put(u.b + off, IPPROTO_IPV6, IPV6_HOPLIMIT, &hops, sizeof(int));
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET6, &m),
	    SOCK_CM_DST | SOCK_CM_TOS | SOCK_CM_TTL);
	ck_assert_uint_eq(m.dst.family, AF_INET6);
	ck_assert_uint_eq(m.dst.bytes[15], 1);
	ck_assert_uint_eq(m.tos, 0xb8);
	ck_assert_uint_eq(m.ttl, 64);
	ck_assert_int_eq(m.ifindex, 3);

	/* pktinfo one byte short of its size; a value out of a byte. */
	off = 0;
	off +=
	    cm_put(u.b + off, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi) - 1);
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET6, &m), -1);
	off = 0;
	off +=
	    cm_put(u.b + off, IPPROTO_IPV6, IPV6_HOPLIMIT, &bad, sizeof(int));
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET6, &m), -1);
	/* cmsg_len below the header's own size. */
	off = 0;
	off +=
	    cm_put(u.b + off, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof(int));
	((struct cmsghdr *)u.b)->cmsg_len = sizeof(struct cmsghdr) - 1;
	ck_assert_int_eq(sock_cmsg_parse(u.b, off, AF_INET6, &m), -1);
}
END_TEST

START_TEST(test_sock_udp_classify_kinds)
{
	static const struct {
		uint8_t bytes[8];
		size_t len;
		enum sock_kind kind;
	} rows[] = {
		{ { 0xff }, 1, SOCK_KIND_KEEPALIVE },
		{ { 0xfe }, 1, SOCK_KIND_RUNT },
		{ { 0 }, 0, SOCK_KIND_RUNT },
		{ { 0, 0, 0 }, 3, SOCK_KIND_RUNT },
		{ { 0, 0, 0, 0 }, 4, SOCK_KIND_IKE },
		{ { 0, 0, 0, 0, 1, 2, 3, 4 }, 8, SOCK_KIND_IKE },
		{ { 0, 0, 1, 0, 0, 0, 0 }, 7, SOCK_KIND_RUNT },
		{ { 0, 0, 1, 0, 0, 0, 0, 1 }, 8, SOCK_KIND_UDP_ESP },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ck_assert_int_eq(sock_udp_classify(rows[i].bytes, rows[i].len),
		    rows[i].kind);
}
END_TEST

/* Netlink messages built with libmnl in an aligned buffer. */
static union {
	struct nlmsghdr align;
	uint8_t b[1024];
} nb;

static struct nlmsghdr *
nl_addr_msg(uint16_t type, int family, const void *a, size_t alen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	memset(&nb, 0, sizeof(nb));
	nlh = mnl_nlmsg_put_header(nb.b);
	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = family == AF_INET ? 24 : 64;
	ifa->ifa_index = 9;
	mnl_attr_put(nlh, IFA_ADDRESS, alen, a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nlh;
}

START_TEST(test_nlp_addr_parse_and_short)
{
	static const uint8_t v4[4] = { 10, 1, 2, 3 };
	struct nlmsghdr *nlh;
	struct nl_addr a;
	char s[PREFIX_STRLEN];

	nlh = nl_addr_msg(RTM_NEWADDR, AF_INET, v4, 4);
	ck_assert_int_eq(nlp_addr(nlh, &a), 1);
	ck_assert_str_eq(prefix_fmt(&a.pfx, s, sizeof(s)), "10.1.2.3/24");
	ck_assert_int_eq(a.ifindex, 9);
	ck_assert_uint_eq(a.flags, IFA_F_NODAD);
	/* One byte short: the last attribute runs past the message. */
	nlh->nlmsg_len--;
	errno = 0;
	ck_assert_int_eq(nlp_addr(nlh, &a), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* An IPv4 address of 3 bytes. */
	nlh = nl_addr_msg(RTM_NEWADDR, AF_INET, v4, 3);
	ck_assert_int_eq(nlp_addr(nlh, &a), -1);
	/* The fixed header one byte short. */
	nlh = nl_addr_msg(RTM_NEWADDR, AF_INET, v4, 4);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(struct ifaddrmsg) - 1;
	ck_assert_int_eq(nlp_addr(nlh, &a), -1);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(struct ifaddrmsg);
	ck_assert_int_eq(nlp_addr(nlh, &a), -1); /* no address at all */
	/* A duplicate address attribute. */
	nlh = nl_addr_msg(RTM_NEWADDR, AF_INET, v4, 4);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, v4);
	ck_assert_int_eq(nlp_addr(nlh, &a), -1);
	/* Another family or type is skipped. */
	nlh = nl_addr_msg(RTM_NEWADDR, AF_PACKET, v4, 4);
	ck_assert_int_eq(nlp_addr(nlh, &a), 0);
	nlh = nl_addr_msg(RTM_NEWLINK, AF_INET, v4, 4);
	ck_assert_int_eq(nlp_addr(nlh, &a), 0);
}
END_TEST

START_TEST(test_nlp_link_name_mtu)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nl_event ev;
	struct nlattr *name;

	memset(&nb, 0, sizeof(nb));
	nlh = mnl_nlmsg_put_header(nb.b);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	ifi->ifi_flags = 1;
	name = (struct nlattr *)((uint8_t *)nlh + nlh->nlmsg_len);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ipsec0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	ck_assert_int_eq(nlp_link(nlh, &ev), 1);
	ck_assert_str_eq(ev.name, "ipsec0");
	ck_assert_uint_eq(ev.mtu, 1400);
	ck_assert_int_eq(ev.ifindex, 4);
	ck_assert_int_eq(ev.type, NL_EV_NEWLINK);
	/* The MTU one byte short. */
	nlh->nlmsg_len -= 1;
	ck_assert_int_eq(nlp_link(nlh, &ev), -1);
	nlh->nlmsg_len += 1;
	/* A name without its NUL. */
	((uint8_t *)mnl_attr_get_payload(name))[6] = 'x';
	ck_assert_int_eq(nlp_link(nlh, &ev), -1);
}
END_TEST

START_TEST(test_nlp_route_rule)
{
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct fib_rule_hdr *frh;
	struct nl_route r;
	struct nl_rule ru;
	uint8_t proto;

	memset(&nb, 0, sizeof(nb));
	nlh = mnl_nlmsg_put_header(nb.b);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 32;
	rtm->rtm_protocol = NL_RTPROT_IPSECD;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put_u32(nlh, RTA_OIF, 5);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 77);
	ck_assert_int_eq(nlp_route(nlh, &r, &proto), 1);
	ck_assert_uint_eq(proto, NL_RTPROT_IPSECD);
	ck_assert_uint_eq(r.table, 1000);
	ck_assert_int_eq(r.ifindex, 5);
	ck_assert_uint_eq(r.metric, 77);
	ck_assert_uint_eq(r.dst.len, 32);
	rtm->rtm_dst_len = 129;
	ck_assert_int_eq(nlp_route(nlh, &r, &proto), -1);

	memset(&nb, 0, sizeof(nb));
	nlh = mnl_nlmsg_put_header(nb.b);
	nlh->nlmsg_type = RTM_NEWRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->flags = FIB_RULE_INVERT;
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x4d);
	mnl_attr_put_u32(nlh, FRA_TABLE, 220);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, NL_RTPROT_IPSECD);
	ck_assert_int_eq(nlp_rule(nlh, &ru, &proto), 1);
	ck_assert(ru.is_not);
	ck_assert_uint_eq(ru.fwmark, 0x4d);
	ck_assert_uint_eq(ru.table, 220);
	ck_assert_uint_eq(proto, NL_RTPROT_IPSECD);
	/* FRA_PROTOCOL is a u8 attribute of 5 bytes: one short is bad. */
	nlh->nlmsg_len -= 4; /* drop the padding and the value byte */
	ck_assert_int_eq(nlp_rule(nlh, &ru, &proto), -1);
}
END_TEST

static int events_seen;

static void
count_event(const struct nl_event *ev, void *arg)
{
	(void)arg;
	ck_assert_int_eq(ev->ifindex, 9);
	events_seen++;
}

START_TEST(test_nl_event_parse_stream)
{
	static const uint8_t v6[16] = { 0xfe, 0x80 };
	static union {
		struct nlmsghdr align;
		uint8_t b[2048];
	} two;
	struct nlmsghdr *nlh;
	size_t len;

	nlh = nl_addr_msg(RTM_DELADDR, AF_INET6, v6, 16);
	len = nlh->nlmsg_len;
	memcpy(two.b, nb.b, len);
	memcpy(two.b + len, nb.b, len);
	events_seen = 0;
	ck_assert_int_eq(nl_event_parse(two.b, 2 * len, count_event, NULL), 0);
	ck_assert_int_eq(events_seen, 2);
	/* The second message one byte short: the first still counts. */
	events_seen = 0;
	ck_assert_int_eq(
	    nl_event_parse(two.b, 2 * len - 1, count_event, NULL), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(events_seen, 1);
	/* Lengths of 2^31 and more: refused, neither looping nor jumping. */
	((struct nlmsghdr *)two.b)->nlmsg_len = 0xffffffffu;
	ck_assert_int_eq(nl_event_parse(two.b, 2 * len, count_event, NULL), -1);
	((struct nlmsghdr *)two.b)->nlmsg_len = 0x80000000u + (uint32_t)len;
	ck_assert_int_eq(nl_event_parse(two.b, 2 * len, count_event, NULL), -1);
	((struct nlmsghdr *)two.b)->nlmsg_len = (uint32_t)len;
	/* Trailing bytes shorter than a header. */
	ck_assert_int_eq(nl_event_parse(two.b, len + 3, count_event, NULL), -1);
	ck_assert_int_eq(nl_event_parse(two.b, 0, count_event, NULL), 0);
}
END_TEST

START_TEST(test_nlp_next_walk)
{
	static union {
		struct nlmsghdr align;
		uint8_t b[64];
	} u;
	struct nlmsghdr *h = (struct nlmsghdr *)u.b;
	size_t off = 0;

	memset(&u, 0, sizeof(u));
	h->nlmsg_len = 17; /* unaligned: padded to 20 */
	((struct nlmsghdr *)(u.b + 20))->nlmsg_len = 16;
	ck_assert_ptr_eq(nlp_next(u.b, 36, &off), u.b);
	ck_assert_uint_eq(off, 20);
	ck_assert_ptr_eq(nlp_next(u.b, 36, &off), u.b + 20);
	ck_assert_uint_eq(off, 36);
	ck_assert_ptr_null(nlp_next(u.b, 36, &off));
	/* One byte short of the second message. */
	off = 0;
	ck_assert_ptr_nonnull(nlp_next(u.b, 35, &off));
	ck_assert_ptr_null(nlp_next(u.b, 35, &off));
	ck_assert_uint_eq(off, 20);
	/* A length below a header's own. */
	h->nlmsg_len = 15;
	off = 0;
	ck_assert_ptr_null(nlp_next(u.b, 36, &off));
	ck_assert_uint_eq(off, 0);
	/* The last message may lack its padding. */
	h->nlmsg_len = 17;
	off = 0;
	ck_assert_ptr_nonnull(nlp_next(u.b, 17, &off));
	ck_assert_uint_eq(off, 17);
}
END_TEST

static Suite *
sock_suite(void)
{
	Suite *s = suite_create("sock");
	TCase *tc;

	tc = tcase_create("sock_bpf_raw");
	tcase_add_test(tc, test_sock_bpf_raw_ipv4_one_worker_per_spi);
	tcase_add_test(tc, test_sock_bpf_raw_ipv6_offset_zero);
	tcase_add_test(tc, test_sock_bpf_raw_one_byte_short);
	tcase_add_test(tc, test_sock_bpf_raw_bad_args);
	suite_add_tcase(s, tc);
	tc = tcase_create("sock_bpf_udp");
	tcase_add_test(tc, test_sock_bpf_udp_steering);
	tcase_add_test(tc, test_sock_steer_worker_spreads);
	suite_add_tcase(s, tc);
	tc = tcase_create("sock_hdr");
	tcase_add_test(tc, test_sock_hdr_build_ipv4);
	tcase_add_test(tc, test_sock_hdr_build_ipv6);
	tcase_add_test(tc, test_sock_hdr_build_max_length);
	tcase_add_test(tc, test_sock_hdr_parse_short_and_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("sock_cmsg_parse");
	tcase_add_test(tc, test_sock_cmsg_parse_ipv4);
	tcase_add_test(tc, test_sock_cmsg_parse_ipv6_and_bad_sizes);
	suite_add_tcase(s, tc);
	tc = tcase_create("sock_udp_classify");
	tcase_add_test(tc, test_sock_udp_classify_kinds);
	suite_add_tcase(s, tc);
	tc = tcase_create("netlink_parse");
	tcase_add_test(tc, test_nlp_addr_parse_and_short);
	tcase_add_test(tc, test_nlp_link_name_mtu);
	tcase_add_test(tc, test_nlp_route_rule);
	tcase_add_test(tc, test_nl_event_parse_stream);
	tcase_add_test(tc, test_nlp_next_walk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
