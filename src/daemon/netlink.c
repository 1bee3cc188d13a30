/*
 * rtnetlink requests and the link/address monitor (netlink.h).
 *
 * Every reply is walked message by message: messages of another sequence
 * number (a late answer to a request that timed out) are skipped, and
 * each of ours goes through mnl_cb_run with sequence checks off, so that
 * an ESRCH from the kernel (route not found) is never confused with
 * libmnl's own ESRCH for a sequence mismatch.  Attribute tables are
 * filled with mnl_attr_validate, and an attribute stream that does not end
 * exactly at the message's end is malformed.
 */
#include "config.h"

#include "daemon/netlink.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "daemon/netlink_parse.h"

#define NL_BUF_SIZE 32768 /* MNL_SOCKET_DUMP_SIZE: a dump's largest chunk */
#define NL_DUMP_TRIES 3
#define NL_MON_READS 64 /* datagrams per nl_mon_read call */

struct nl {
	struct mnl_socket *sk;
	unsigned int portid;
	uint32_t seq;
	uint8_t buf[NL_BUF_SIZE];
};

struct nl_mon {
	struct mnl_socket *sk;
	uint8_t buf[NL_BUF_SIZE];
};

static struct mnl_socket *
sk_open(unsigned int groups)
{
	struct mnl_socket *sk;
	int saved;

	sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (sk == NULL)
		return NULL;
	if (mnl_socket_bind(sk, groups, MNL_SOCKET_AUTOPID) == -1) {
		saved = errno;
		mnl_socket_close(sk);
		errno = saved;
		return NULL;
	}
	return sk;
}

struct nl *
nl_open(void)
{
	struct nl *nl;

	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return NULL;
	if ((nl->sk = sk_open(0)) == NULL) {
		free(nl);
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);
	return nl;
}

void
nl_close(struct nl *nl)
{
	if (nl == NULL)
		return;
	mnl_socket_close(nl->sk);
	free(nl);
}

/* One datagram from the kernel into buf; waits at most NL_TIMEOUT_MS. */
static ssize_t
sk_recv(struct mnl_socket *sk, void *buf, size_t size, bool is_wait)
{
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t r;

	for (;;) {
		fromlen = sizeof(from);
		r = recvfrom(mnl_socket_get_fd(sk), buf, size, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (r >= 0) {
			if ((size_t)r > size) {
				errno = ENOSPC;
				return -1;
			}
			if (fromlen != sizeof(from) || from.nl_pid != 0)
				continue; /* not the kernel's */
			return r;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || !is_wait)
			return -1;
		struct pollfd p = { mnl_socket_get_fd(sk), POLLIN, 0 };
		int n = poll(&p, 1, NL_TIMEOUT_MS);

		if (n == 0)
			errno = ETIMEDOUT;
		if (n <= 0 && errno != EINTR)
			return -1;
	}
}

/*
 * Send nlh and read the answer to it, passing each data message to cb.
 * Returns 0 (acknowledged, or the dump is complete), or -1 with errno;
 * EINTR when a dump was marked inconsistent (NLM_F_DUMP_INTR).
 */
static int
nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	bool is_intr = false;
	uint32_t seq = ++nl->seq;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) == -1)
		return -1;
	for (;;) {
		ssize_t n = sk_recv(nl->sk, nl->buf, sizeof(nl->buf), true);
		const struct nlmsghdr *h;
		size_t off = 0;

		if (n == -1)
			return -1;
		while ((h = nlp_next(nl->buf, (size_t)n, &off)) != NULL) {
			int r;

			if (h->nlmsg_seq != seq || h->nlmsg_pid != nl->portid)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				is_intr = true;
			r = mnl_cb_run(h, h->nlmsg_len, 0, 0, cb, arg);
			if (r == MNL_CB_ERROR)
				return -1;
			if (r == MNL_CB_STOP) {
				if (is_intr) {
					errno = EINTR;
					return -1;
				}
				return 0;
			}
		}
		if (off != (size_t)n) {
			errno = EBADMSG;
			return -1;
		}
	}
}

static struct nlmsghdr *
msg_new(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static int
link_index_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_event ev;

	if (nlp_link(nlh, &ev) != 1)
		return MNL_CB_ERROR;
	*(int *)arg = ev.ifindex;
	return MNL_CB_OK;
}

int
nl_link_index(struct nl *nl, const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int index = 0;

	if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	nlh = msg_new(nl, RTM_GETLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nl_talk(nl, nlh, link_index_cb, &index) == -1)
		return -1;
	if (index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return index;
}

static struct nlmsghdr *
link_msg(struct nl *nl, uint16_t type, int ifindex)
{
	struct nlmsghdr *nlh = msg_new(nl, type, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int
nl_link_set_mtu(struct nl *nl, int ifindex, uint32_t mtu)
{
	struct nlmsghdr *nlh = link_msg(nl, RTM_NEWLINK, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_link_set_up(struct nl *nl, int ifindex, bool is_up)
{
	struct nlmsghdr *nlh = link_msg(nl, RTM_NEWLINK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = is_up ? IFF_UP : 0;
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_link_del(struct nl *nl, int ifindex)
{
	return nl_talk(nl, link_msg(nl, RTM_DELLINK, ifindex), NULL, NULL);
}

static bool
prefix_ok(const struct prefix *p)
{
	return (p->addr.family == AF_INET && p->len <= 32) ||
	    (p->addr.family == AF_INET6 && p->len <= 128);
}

static int
addr_msg(struct nl *nl, uint16_t type, int ifindex, const struct prefix *p)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t alen = addr_len(&p->addr);

	if (!prefix_ok(p)) {
		errno = EINVAL;
		return -1;
	}
	nlh = msg_new(nl, type,
	    NLM_F_ACK | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0));
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = p->addr.family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (p->addr.family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, alen, p->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, p->addr.bytes);
	if (p->addr.family == AF_INET6 && type == RTM_NEWADDR) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_addr_add(struct nl *nl, int ifindex, const struct prefix *p)
{
	return addr_msg(nl, RTM_NEWADDR, ifindex, p);
}

int
nl_addr_del(struct nl *nl, int ifindex, const struct prefix *p)
{
	return addr_msg(nl, RTM_DELADDR, ifindex, p);
}

static int
route_msg(struct nl *nl, uint16_t type, const struct nl_route *r)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t table = r->table != 0 ? r->table : RT_TABLE_MAIN;

	if (!prefix_ok(&r->dst)) {
		errno = EINVAL;
		return -1;
	}
	nlh = msg_new(nl, type,
	    NLM_F_ACK | (type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0));
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->dst.addr.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = NL_RTPROT_IPSECD;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_scope = RT_SCOPE_LINK;
		rtm->rtm_type = RTN_UNICAST;
	} else
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* any, as ip route del */
	if (r->dst.len > 0)
		mnl_attr_put(
		    nlh, RTA_DST, addr_len(&r->dst.addr), r->dst.addr.bytes);
	if (r->ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (r->prefsrc.family == r->dst.addr.family)
		mnl_attr_put(nlh, RTA_PREFSRC, addr_len(&r->prefsrc),
		    r->prefsrc.bytes);
	if (r->metric != 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_route_add(struct nl *nl, const struct nl_route *r)
{
	return route_msg(nl, RTM_NEWROUTE, r);
}

int
nl_route_del(struct nl *nl, const struct nl_route *r)
{
	return route_msg(nl, RTM_DELROUTE, r);
}

static int
rule_msg(struct nl *nl, uint16_t type, const struct nl_rule *r)
{
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;
	uint32_t table = r->table != 0 ? r->table : RT_TABLE_MAIN;

	if (r->family != AF_INET && r->family != AF_INET6) {
		errno = EINVAL;
		return -1;
	}
	nlh = msg_new(nl, type,
	    NLM_F_ACK | (type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0));
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = r->family;
	frh->table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	frh->action = FR_ACT_TO_TBL;
	frh->flags = r->is_not ? FIB_RULE_INVERT : 0;
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (r->priority != 0)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	if (r->fwmark != 0 || r->fwmask != 0) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
		mnl_attr_put_u32(
		    nlh, FRA_FWMASK, r->fwmask != 0 ? r->fwmask : 0xffffffffu);
	}
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, NL_RTPROT_IPSECD);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_rule_add(struct nl *nl, const struct nl_rule *r)
{
	return rule_msg(nl, RTM_NEWRULE, r);
}

int
nl_rule_del(struct nl *nl, const struct nl_rule *r)
{
	return rule_msg(nl, RTM_DELRULE, r);
}

/*
 * Dump type for family.  The request's header is the type's own (ifaddrmsg,
 * or rtmsg, which is as long as fib_rule_hdr); its first byte is the
 * family in all of them.
 */
static int
dump(struct nl *nl, uint16_t type, int family, mnl_cb_t cb, void *arg)
{
	for (int i = 0; i < NL_DUMP_TRIES; i++) {
		struct nlmsghdr *nlh = msg_new(nl, type, NLM_F_DUMP);
		uint8_t *fam = mnl_nlmsg_put_extra_header(nlh,
		    type == RTM_GETADDR ? sizeof(struct ifaddrmsg)
					: sizeof(struct rtmsg));

		*fam = (uint8_t)family;
		if (nl_talk(nl, nlh, cb, arg) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
	return -1;
}

struct addr_walk {
	nl_addr_cb cb;
	void *arg;
};

static int
addr_walk_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct addr_walk *w = arg;
	struct nl_addr a;
	int r = nlp_addr(nlh, &a);

	if (r == -1)
		return MNL_CB_ERROR;
	if (r == 1)
		w->cb(&a, w->arg);
	return MNL_CB_OK;
}

int
nl_addr_list(struct nl *nl, int family, nl_addr_cb cb, void *arg)
{
	struct addr_walk w = { cb, arg };

	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
		errno = EINVAL;
		return -1;
	}
	return dump(nl, RTM_GETADDR, family, addr_walk_cb, &w);
}

/* What a dump of routes or rules collected for deletion. */
struct ours {
	uint32_t table;
	struct nl_route *routes;
	struct nl_rule *rules;
	size_t n, cap;
	bool is_nomem;
};

static void *
ours_slot(struct ours *o, size_t size, void **arr)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		void *p = reallocarray(*arr, cap, size);

		if (p == NULL) {
			o->is_nomem = true;
			return NULL;
		}
		*arr = p;
		o->cap = cap;
	}
	return (uint8_t *)*arr + size * o->n++;
}

static int
route_collect_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ours *o = arg;
	struct nl_route r, *slot;
	uint8_t proto;
	int res = nlp_route(nlh, &r, &proto);

	if (res == -1)
		return MNL_CB_ERROR;
	if (res == 0 || proto != NL_RTPROT_IPSECD || r.table != o->table)
		return MNL_CB_OK;
	if ((slot = ours_slot(o, sizeof(r), (void **)&o->routes)) != NULL)
		*slot = r;
	return MNL_CB_OK;
}

static int
rule_collect_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ours *o = arg;
	struct nl_rule r, *slot;
	uint8_t proto;
	int res = nlp_rule(nlh, &r, &proto);

	if (res == -1)
		return MNL_CB_ERROR;
	if (res == 0 || proto != NL_RTPROT_IPSECD)
		return MNL_CB_OK;
	if ((slot = ours_slot(o, sizeof(r), (void **)&o->rules)) != NULL)
		*slot = r;
	return MNL_CB_OK;
}

/* Remember the first error; return the new running status. */
static int
first_err(int status, int *err, int r)
{
	if (r == -1 && status == 0) {
		*err = errno;
		return -1;
	}
	return status;
}

int
nl_cleanup(struct nl *nl, uint32_t table)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	int status = 0, err = 0;

	if (table == 0)
		table = RT_TABLE_MAIN;
	for (size_t f = 0; f < 2; f++) {
		struct ours o = { .table = table };

		status = first_err(status, &err,
		    dump(nl, RTM_GETROUTE, fams[f], route_collect_cb, &o));
		for (size_t i = 0; i < o.n; i++)
			status = first_err(
			    status, &err, nl_route_del(nl, &o.routes[i]));
		if (o.is_nomem)
			status = first_err(status, &err, (errno = ENOMEM, -1));
		free(o.routes);

		memset(&o, 0, sizeof(o));
		status = first_err(status, &err,
		    dump(nl, RTM_GETRULE, fams[f], rule_collect_cb, &o));
		for (size_t i = 0; i < o.n; i++)
			status = first_err(
			    status, &err, nl_rule_del(nl, &o.rules[i]));
		if (o.is_nomem)
			status = first_err(status, &err, (errno = ENOMEM, -1));
		free(o.rules);
	}
	if (status == -1)
		errno = err;
	return status;
}

struct nl_mon *
nl_mon_open(void)
{
	static const int groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
		RTNLGRP_IPV6_IFADDR };
	struct nl_mon *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->sk = sk_open(0);
	if (m->sk == NULL) {
		free(m);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int g = groups[i];

		if (mnl_socket_setsockopt(
			m->sk, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) == -1) {
			nl_mon_close(m);
			return NULL;
		}
	}
	return m;
}

int
nl_mon_fd(const struct nl_mon *m)
{
	return mnl_socket_get_fd(m->sk);
}

int
nl_mon_read(struct nl_mon *m, nl_event_cb cb, void *arg)
{
	for (int i = 0; i < NL_MON_READS; i++) {
		ssize_t n = sk_recv(m->sk, m->buf, sizeof(m->buf), false);

		if (n == -1)
			return errno == EAGAIN ? 0 : -1;
		if (nl_event_parse(m->buf, (size_t)n, cb, arg) == -1)
			return -1;
	}
	return 0;
}

void
nl_mon_close(struct nl_mon *m)
{
	int saved = errno;

	if (m == NULL)
		return;
	mnl_socket_close(m->sk);
	free(m);
	errno = saved;
}
