/*
 * Fuzz target for the rtnetlink parsers (src/daemon/netlink_parse.c): the
 * monitor socket's bytes go to nl_event_parse, and dump replies to
 * nlp_route/nlp_rule/nlp_addr/nlp_link.  The first input byte picks the
 * message type forced on every message (so the fuzzer reaches each
 * parser), the rest is a stream of netlink messages, copied to an
 * aligned buffer as the kernel's would be.
 *
 * Built two ways, like fuzz_inbound: a libFuzzer target with
 * --enable-fuzz, and tests/fuzz/fuzz_net_nl_regress in `make check`, whose
 * main() (FUZZ_REGRESS) cuts a valid stream of link, address, route and
 * rule messages at every length and flips every bit of it: nothing
 * crashes, and every cut that is not at a message boundary is refused.
 */
#include "config.h"

#include <sys/socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "daemon/netlink_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t types[] = { RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR,
	RTM_DELADDR, RTM_NEWROUTE, RTM_NEWRULE, 0 };

static union {
	struct nlmsghdr align;
	uint8_t b[65536];
} buf;

static int events;

static void
on_event(const struct nl_event *ev, void *arg)
{
	(void)arg;
	events += ev->ifindex != 0 || ev->name[0] != '\0';
}

/* Every parser over every message; 0 when nl_event_parse took it all. */
static int
parse_all(size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int r = nl_event_parse(buf.b, len, on_event, NULL);

	while ((nlh = nlp_next(buf.b, len, &off)) != NULL) {
		struct nl_event ev;
		struct nl_addr a;
		struct nl_route rt;
		struct nl_rule ru;
		uint8_t proto;

		(void)nlp_link(nlh, &ev);
		(void)nlp_addr(nlh, &a);
		(void)nlp_route(nlh, &rt, &proto);
		(void)nlp_rule(nlh, &ru, &proto);
	}
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	uint16_t type;
	size_t off = 0;

	if (size < 1 || size - 1 > sizeof(buf.b))
		return 0;
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	memcpy(buf.b, data + 1, size - 1);
	while (type != 0 && (nlh = nlp_next(buf.b, size - 1, &off)) != NULL)
		((struct nlmsghdr *)nlh)->nlmsg_type = type;
	(void)parse_all(size - 1);
	return 0;
}

#ifdef FUZZ_REGRESS
/* A valid stream: a link, an IPv6 address, a route, a rule. */
static size_t
make_stream(uint8_t *out)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	struct fib_rule_hdr *frh;
	size_t off = 0;

	nlh = mnl_nlmsg_put_header(out);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 3;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ipsec0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	off += nlh->nlmsg_len;

	nlh = mnl_nlmsg_put_header(out + off);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	ifa->ifa_index = 3;
	mnl_attr_put(nlh, IFA_ADDRESS, 16, a6);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	off += nlh->nlmsg_len;

	nlh = mnl_nlmsg_put_header(out + off);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 48;
	mnl_attr_put(nlh, RTA_DST, 16, a6);
	mnl_attr_put_u32(nlh, RTA_TABLE, 220);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	off += nlh->nlmsg_len;

	nlh = mnl_nlmsg_put_header(out + off);
	nlh->nlmsg_type = RTM_NEWRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x4d);
	mnl_attr_put_u32(nlh, FRA_TABLE, 220);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, 50);
	off += nlh->nlmsg_len;
	return off;
}

int
main(int argc, char **argv)
{
	static union {
		struct nlmsghdr align;
		uint8_t b[4096];
	} valid;
	size_t n = make_stream(valid.b), bounds[4], nb = 0;
	unsigned checked = 0, failures = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/stream", argv[2]);
		if ((f = fopen(path, "wb")) == NULL || fputc(6, f) == EOF ||
		    fwrite(valid.b, 1, n, f) != n || fclose(f) != 0) {
			perror(path);
			return 1;
		}
		return 0;
	}
	for (size_t off = 0; off < n; nb++) {
		off += ((const struct nlmsghdr *)(valid.b + off))->nlmsg_len;
		bounds[nb] = off;
	}
	memcpy(buf.b, valid.b, n);
	if (parse_all(n) != 0) {
		fprintf(stderr, "valid stream refused\n");
		failures++;
	}
	for (size_t cut = 1; cut < n; cut++) {
		bool is_bound = false;

		for (size_t i = 0; i < nb; i++)
			is_bound |= bounds[i] == cut;
		memcpy(buf.b, valid.b, cut);
		if (parse_all(cut) == 0 && !is_bound) {
			fprintf(stderr, "cut at %zu accepted\n", cut);
			failures++;
		}
		checked++;
	}
	/* Lengths of 2^31 and more (libmnl's mnl_nlmsg_ok lets them by). */
	for (int i = 0; i < 3; i++) {
		const uint32_t big[] = { 0x80000000u, 0x80000000u + (uint32_t)n,
			0xffffffffu };

		memcpy(buf.b, valid.b, n);
		((struct nlmsghdr *)buf.b)->nlmsg_len = big[i];
		if (parse_all(n) == 0) {
			fprintf(stderr, "length %#x accepted\n", big[i]);
			failures++;
		}
		checked++;
	}
	for (size_t off = 0; off < n; off++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf.b, valid.b, n);
			buf.b[off] ^= (uint8_t)(1u << bit);
			(void)parse_all(n);
			checked++;
		}
	printf("fuzz_net_nl_regress: %u mutated streams, %u failures\n",
	    checked, failures);
	return failures == 0 ? 0 : 1;
}
#endif
