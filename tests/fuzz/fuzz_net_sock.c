/*
 * Fuzz target for the parsers of src/daemon/sock_pkt.c: the ancillary
 * data of a received message (sock_cmsg_parse), the header of a packet to
 * send (sock_hdr_parse), the UDP payload classification, and the header
 * rebuilt from what those produced (sock_hdr_build).  The first byte
 * picks the family; the rest goes to each parser, copied to an aligned
 * buffer as a control buffer would be.
 *
 * tests/fuzz/fuzz_net_sock_regress (FUZZ_REGRESS) runs in `make check`: a
 * valid IPv4 and IPv6 control buffer cut at every length and with every
 * bit flipped, and a valid packet cut likewise: no crash, every cut that
 * is not at a message boundary refused.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbuf.h"
#include "daemon/sock_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static union {
	struct cmsghdr align;
	uint8_t b[4096];
} buf;

static uint8_t mem[70000];

/* Every parser; returns sock_cmsg_parse's result. */
static int
parse_all(int family, size_t len)
{
	struct sock_meta m;
	struct pbuf pb;
	int r;

	memset(&m, 0, sizeof(m));
	r = sock_cmsg_parse(buf.b, len, family, &m);
	if (sock_hdr_parse(buf.b, len, &m) != 0 && m.src.family != 0) {
		pbuf_init(&pb, mem, sizeof(mem), 64);
		if (pbuf_set(&pb, buf.b, len, 64))
			(void)sock_hdr_build(&pb, &m);
	}
	(void)sock_udp_classify(buf.b, len);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > sizeof(buf.b))
		return 0;
	memcpy(buf.b, data + 1, size - 1);
	(void)parse_all(data[0] & 1 ? AF_INET6 : AF_INET, size - 1);
	return 0;
}

#ifdef FUZZ_REGRESS
/* One control message at at; returns its aligned size. */
static size_t
put(uint8_t *at, int level, int type, const void *d, size_t n)
{
	struct cmsghdr h;

	memset(&h, 0, sizeof(h));
	h.cmsg_len = CMSG_LEN(n);
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(at, &h, sizeof(h));
	memcpy(at + CMSG_LEN(0), d, n);
	return CMSG_SPACE(n);
}

/* Cut at every length and flip every bit; count wrong acceptances. */
static unsigned
mutate(const uint8_t *valid, size_t n, int family, unsigned *checked)
{
	unsigned failures = 0;

	/* The last message's trailing padding may be left out. */
	size_t full = n - (CMSG_SPACE(sizeof(int)) - CMSG_LEN(sizeof(int)));

	memcpy(buf.b, valid, n);
	if (parse_all(family, n) != 7) {
		fprintf(stderr, "family %d: valid control refused\n", family);
		failures++;
	}
	for (size_t cut = 1; cut < n; cut++) {
		memcpy(buf.b, valid, cut);
		/* A cut inside a message leaves it short of its length. */
		if (parse_all(family, cut) == 7 && cut < full) {
			fprintf(stderr, "cut at %zu accepted\n", cut);
			failures++;
		}
		(*checked)++;
	}
	for (size_t off = 0; off < n; off++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf.b, valid, n);
			buf.b[off] ^= (uint8_t)(1u << bit);
			(void)parse_all(family, n);
			(*checked)++;
		}
	return failures;
}

/* Seeds for sock_hdr_parse: an IPv4 and an IPv6 packet carrying ESP. */
static int
write_packets(const char *dir)
{
	static const char *const srcs[] = { "192.0.2.1", "2001:db8::1" };
	static const char *const dsts[] = { "192.0.2.2", "2001:db8::2" };

	for (int i = 0; i < 2; i++) {
		struct sock_meta m;
		struct pbuf pb;
		char path[512];
		FILE *f;

		memset(&m, 0, sizeof(m));
		if (!addr_parse(&m.src, srcs[i]) ||
		    !addr_parse(&m.dst, dsts[i]))
			return 1;
		m.proto = IPPROTO_ESP;
		m.ttl = 64;
		pbuf_init(&pb, mem, sizeof(mem), 64);
		memset(pbuf_put(&pb, 16), 0x11, 16);
		if (!sock_hdr_build(&pb, &m))
			return 1;
		snprintf(path, sizeof(path), "%s/pkt%d", dir, i ? 6 : 4);
		if ((f = fopen(path, "wb")) == NULL || fputc(i, f) == EOF ||
		    fwrite(pbuf_data(&pb), 1, pbuf_len(&pb), f) !=
			pbuf_len(&pb) ||
		    fclose(f) != 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static union {
		struct cmsghdr align;
		uint8_t b[512];
	} v4, v6;
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;
	uint8_t tos = 0x28;
	int ttl = 64;
	size_t n4 = 0, n6 = 0;
	unsigned checked = 0, failures = 0;

	memset(&pi4, 0, sizeof(pi4));
	memset(&pi6, 0, sizeof(pi6));
	pi4.ipi_ifindex = 2;
	pi6.ipi6_ifindex = 2;
	n4 += put(v4.b + n4, IPPROTO_IP, IP_PKTINFO, &pi4, sizeof(pi4));
	n4 += put(v4.b + n4, IPPROTO_IP, IP_TOS, &tos, 1);
	n4 += put(v4.b + n4, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	n6 += put(v6.b + n6, IPPROTO_IPV6, IPV6_PKTINFO, &pi6, sizeof(pi6));
	n6 += put(v6.b + n6, IPPROTO_IPV6, IPV6_TCLASS, &ttl, sizeof(ttl));
	n6 += put(v6.b + n6, IPPROTO_IPV6, IPV6_HOPLIMIT, &ttl, sizeof(ttl));
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cmsg4", argv[2]);
		if ((f = fopen(path, "wb")) == NULL || fputc(0, f) == EOF ||
		    fwrite(v4.b, 1, n4, f) != n4 || fclose(f) != 0)
			return 1;
		snprintf(path, sizeof(path), "%s/cmsg6", argv[2]);
		if ((f = fopen(path, "wb")) == NULL || fputc(1, f) == EOF ||
		    fwrite(v6.b, 1, n6, f) != n6 || fclose(f) != 0)
			return 1;
		return write_packets(argv[2]);
	}
	failures += mutate(v4.b, n4, AF_INET, &checked);
	failures += mutate(v6.b, n6, AF_INET6, &checked);
	printf("fuzz_net_sock_regress: %u mutated inputs, %u failures\n",
	    checked, failures);
	return failures == 0 ? 0 : 1;
}
#endif
