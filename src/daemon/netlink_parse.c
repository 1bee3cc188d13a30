/*
 * rtnetlink message parsers (netlink_parse.h).  An attribute table is
 * filled by one walker that checks every attribute against the message's
 * end (mnl_attr_ok), validates the ones listed in the caller's rules
 * (mnl_attr_validate / mnl_attr_validate2) and refuses duplicates of them;
 * unlisted attributes are skipped.
 */
#include "config.h"

#include "daemon/netlink_parse.h"

#include <sys/socket.h>
#include <errno.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

/* Highest attribute type any table below uses, plus one. */
#define NLP_TB 32

struct attr_rule {
	uint16_t type;
	enum mnl_attr_data_type dt;
};

static int
bad(void)
{
	errno = EBADMSG;
	return -1;
}

/*
 * Fill tb[0..NLP_TB-1] from the attributes after a fixed header of hdrlen
 * bytes.  -1 (EBADMSG) for a short header or a malformed attribute.
 */
static int
attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen,
    const struct attr_rule *rules, size_t nrules, const struct nlattr **tb)
{
	const uint8_t *base = (const uint8_t *)nlh;
	size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);

	memset(tb, 0, NLP_TB * sizeof(*tb));
	if (nlh->nlmsg_len < off)
		return bad();
	while (off < nlh->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)(base + off);
		uint16_t type;

		if (!mnl_attr_ok(a, (int)(nlh->nlmsg_len - off)))
			return bad();
		type = mnl_attr_get_type(a);
		for (size_t i = 0; i < nrules; i++) {
			if (rules[i].type != type)
				continue;
			if (tb[type] != NULL ||
			    mnl_attr_validate(a, rules[i].dt) == -1)
				return bad();
			tb[type] = a;
		}
		off += MNL_ALIGN(a->nla_len);
	}
	return 0;
}

/* An address attribute of family's exact length into out. */
static int
attr_addr(const struct nlattr *a, int family, struct addr *out)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (mnl_attr_get_payload_len(a) != len)
		return bad();
	addr_set(out, family, mnl_attr_get_payload(a));
	return 0;
}

static uint8_t
max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

int
nlp_link(const struct nlmsghdr *nlh, struct nl_event *ev)
{
	static const struct attr_rule rules[] = {
		{ IFLA_IFNAME, MNL_TYPE_NUL_STRING },
		{ IFLA_MTU, MNL_TYPE_U32 },
	};
	const struct nlattr *tb[NLP_TB];
	struct ifinfomsg ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	if (attrs_parse(nlh, sizeof(ifi), rules, 2, tb) == -1)
		return -1;
	memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
	memset(ev, 0, sizeof(*ev));
	ev->type =
	    nlh->nlmsg_type == RTM_NEWLINK ? NL_EV_NEWLINK : NL_EV_DELLINK;
	ev->ifindex = ifi.ifi_index;
	ev->flags = ifi.ifi_flags;
	if (tb[IFLA_IFNAME] != NULL) {
		const char *name = mnl_attr_get_str(tb[IFLA_IFNAME]);
		size_t len = strlen(name); /* NUL-terminated: validated */

		if (len >= sizeof(ev->name))
			return bad();
		memcpy(ev->name, name, len + 1);
	}
	if (tb[IFLA_MTU] != NULL)
		ev->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	return 1;
}

int
nlp_addr(const struct nlmsghdr *nlh, struct nl_addr *a)
{
	static const struct attr_rule rules[] = {
		{ IFA_ADDRESS, MNL_TYPE_BINARY },
		{ IFA_LOCAL, MNL_TYPE_BINARY },
		{ IFA_FLAGS, MNL_TYPE_U32 },
	};
	const struct nlattr *tb[NLP_TB], *addr;
	struct ifaddrmsg ifa;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return 0;
	if (attrs_parse(nlh, sizeof(ifa), rules, 3, tb) == -1)
		return -1;
	memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof(ifa));
	if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
		return 0;
	memset(a, 0, sizeof(*a));
	/* IFA_LOCAL is ours on a point-to-point link; IFA_ADDRESS the peer. */
	addr = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (addr == NULL || ifa.ifa_prefixlen > max_len(ifa.ifa_family) ||
	    attr_addr(addr, ifa.ifa_family, &a->pfx.addr) == -1)
		return bad();
	a->pfx.len = ifa.ifa_prefixlen;
	a->ifindex = (int)ifa.ifa_index;
	a->scope = ifa.ifa_scope;
	a->flags = tb[IFA_FLAGS] != NULL ? mnl_attr_get_u32(tb[IFA_FLAGS])
					 : ifa.ifa_flags;
	return 1;
}

int
nlp_route(const struct nlmsghdr *nlh, struct nl_route *r, uint8_t *proto)
{
	static const struct attr_rule rules[] = {
		{ RTA_DST, MNL_TYPE_BINARY },
		{ RTA_OIF, MNL_TYPE_U32 },
		{ RTA_PRIORITY, MNL_TYPE_U32 },
		{ RTA_TABLE, MNL_TYPE_U32 },
	};
	const struct nlattr *tb[NLP_TB];
	struct rtmsg rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (attrs_parse(nlh, sizeof(rtm), rules, 4, tb) == -1)
		return -1;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
		return 0;
	memset(r, 0, sizeof(*r));
	if (rtm.rtm_dst_len > max_len(rtm.rtm_family))
		return bad();
	r->dst.len = rtm.rtm_dst_len;
	if (tb[RTA_DST] != NULL) {
		if (attr_addr(tb[RTA_DST], rtm.rtm_family, &r->dst.addr) == -1)
			return -1;
	} else if (rtm.rtm_dst_len == 0)
		r->dst.addr.family = rtm.rtm_family;
	else
		return bad();
	if (tb[RTA_OIF] != NULL)
		r->ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] != NULL)
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	r->table = tb[RTA_TABLE] != NULL ? mnl_attr_get_u32(tb[RTA_TABLE])
					 : rtm.rtm_table;
	*proto = rtm.rtm_protocol;
	return 1;
}

int
nlp_rule(const struct nlmsghdr *nlh, struct nl_rule *r, uint8_t *proto)
{
	static const struct attr_rule rules[] = {
		{ FRA_PRIORITY, MNL_TYPE_U32 },
		{ FRA_TABLE, MNL_TYPE_U32 },
		{ FRA_FWMARK, MNL_TYPE_U32 },
		{ FRA_FWMASK, MNL_TYPE_U32 },
		{ FRA_PROTOCOL, MNL_TYPE_U8 },
	};
	const struct nlattr *tb[NLP_TB];
	struct fib_rule_hdr frh;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	if (attrs_parse(nlh, sizeof(frh), rules, 5, tb) == -1)
		return -1;
	memcpy(&frh, mnl_nlmsg_get_payload(nlh), sizeof(frh));
	if (frh.family != AF_INET && frh.family != AF_INET6)
		return 0;
	memset(r, 0, sizeof(*r));
	r->family = frh.family;
	r->is_not = (frh.flags & FIB_RULE_INVERT) != 0;
	r->table =
	    tb[FRA_TABLE] != NULL ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh.table;
	if (tb[FRA_PRIORITY] != NULL)
		r->priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_FWMARK] != NULL)
		r->fwmark = mnl_attr_get_u32(tb[FRA_FWMARK]);
	if (tb[FRA_FWMASK] != NULL)
		r->fwmask = mnl_attr_get_u32(tb[FRA_FWMASK]);
	*proto =
	    tb[FRA_PROTOCOL] != NULL ? mnl_attr_get_u8(tb[FRA_PROTOCOL]) : 0;
	return 1;
}

const struct nlmsghdr *
nlp_next(const void *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *nlh;
	size_t left = len - *off, step;

	if (*off > len || left < sizeof(*nlh))
		return NULL;
	nlh = (const struct nlmsghdr *)((const uint8_t *)buf + *off);
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
		return NULL;
	step = ((size_t)nlh->nlmsg_len + MNL_ALIGNTO - 1) &
	    ~(size_t)(MNL_ALIGNTO - 1);
	*off += step < left ? step : left;
	return nlh;
}

int
nl_event_parse(const void *buf, size_t len, nl_event_cb cb, void *arg)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;

	while ((nlh = nlp_next(buf, len, &off)) != NULL) {
		struct nl_event ev;
		int r;

		switch (nlh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			r = nlp_link(nlh, &ev);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			memset(&ev, 0, sizeof(ev));
			ev.type = nlh->nlmsg_type == RTM_NEWADDR
			    ? NL_EV_NEWADDR
			    : NL_EV_DELADDR;
			r = nlp_addr(nlh, &ev.addr);
			ev.ifindex = ev.addr.ifindex;
			break;
		default:
			r = 0;
		}
		if (r == -1)
			return -1;
		if (r == 1)
			cb(&ev, arg);
	}
	return off == len ? 0 : bad();
}
