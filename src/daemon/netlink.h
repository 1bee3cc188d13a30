#ifndef IPSECD_DAEMON_NETLINK_H
#define IPSECD_DAEMON_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "common/addr.h"

/*
 * rtnetlink for the control thread (libmnl): links, addresses, routes and
 * policy rules of the ipsecN devices, and a monitor of link and address
 * events.
 *
 * Requests are synchronous: each sends one message with NLM_F_ACK and
 * waits (poll, at most NL_TIMEOUT_MS) for the kernel's answer on a
 * non-blocking, close-on-exec socket; the kernel's error comes back as -1
 * with errno (EEXIST for a duplicate route or address, ENODEV for a
 * missing device, ESRCH/ENOENT when deleting what is not there, EPERM
 * without CAP_NET_ADMIN).  Replies are parsed with libmnl's bounds and
 * mnl_attr_validate: a malformed or truncated message is an error
 * (EBADMSG), never a crash.  Nothing here logs.
 *
 * What is ours: routes carry rtm_protocol NL_RTPROT_IPSECD and rules
 * FRA_PROTOCOL NL_RTPROT_IPSECD (ip route/rule show proto 50), so that
 * nl_cleanup can find and delete them at exit, and an administrator can
 * tell them apart.
 */

/* Our routing protocol value: 50, as ESP's protocol number (not one of
 * the values reserved in iproute2's rt_protos). */
#define NL_RTPROT_IPSECD 50

#define NL_TIMEOUT_MS 5000

struct nl;

/* Open a NETLINK_ROUTE request socket.  NULL with errno. */
struct nl *nl_open(void);
void nl_close(struct nl *nl);

/* Interface index of name (> 0), or -1 with errno (ENODEV when none). */
int nl_link_index(struct nl *nl, const char *name);
int nl_link_set_mtu(struct nl *nl, int ifindex, uint32_t mtu);
int nl_link_set_up(struct nl *nl, int ifindex, bool is_up);
int nl_link_del(struct nl *nl, int ifindex);

/*
 * Add or delete address p->addr with prefix length p->len on ifindex.
 * IPv6 addresses get IFA_F_NODAD so they are usable at once (no tentative
 * state), which suits a point-to-point tunnel device.
 */
int nl_addr_add(struct nl *nl, int ifindex, const struct prefix *p);
int nl_addr_del(struct nl *nl, int ifindex, const struct prefix *p);

/* A route to dst through the device ifindex (scope link, no gateway). */
struct nl_route {
	struct prefix dst;
	int ifindex;
	uint32_t table;	 /* 0 means main (254) */
	uint32_t metric; /* RTA_PRIORITY, 0 = none */
	struct addr prefsrc; /* RTA_PREFSRC when of dst's family, else none */
};

/* Add (EEXIST if the same route exists) or delete; ours by protocol. */
int nl_route_add(struct nl *nl, const struct nl_route *r);
int nl_route_del(struct nl *nl, const struct nl_route *r);

/*
 * A policy-routing rule "[not] fwmark mark/mask lookup table" at priority
 * (wg-quick: "ip rule add not fwmark M table T"), or, when mark and mask
 * are 0, a rule for every packet.
 */
struct nl_rule {
	uint8_t family;	   /* AF_INET or AF_INET6 */
	bool is_not;	   /* FIB_RULE_INVERT: packets NOT matching */
	uint32_t priority; /* FRA_PRIORITY */
	uint32_t table;
	uint32_t fwmark;
	uint32_t fwmask; /* 0 with fwmark != 0 means 0xffffffff */
};

int nl_rule_add(struct nl *nl, const struct nl_rule *r);
int nl_rule_del(struct nl *nl, const struct nl_rule *r);

/* A local address (dump or event). */
struct nl_addr {
	int ifindex;
	struct prefix pfx;
	uint8_t scope;	/* RT_SCOPE_* */
	uint32_t flags; /* IFA_F_* */
};

typedef void (*nl_addr_cb)(const struct nl_addr *a, void *arg);

/*
 * Call cb for every address of family (AF_INET, AF_INET6 or AF_UNSPEC for
 * both).  0, or -1 with errno (EBADMSG for a malformed reply, EINTR when
 * the dump was interrupted by a change three times in a row).
 */
int nl_addr_list(struct nl *nl, int family, nl_addr_cb cb, void *arg);

/*
 * Delete every route of protocol NL_RTPROT_IPSECD in table (both
 * families) and every rule of protocol NL_RTPROT_IPSECD.  0, or -1 with
 * errno of the first failure (it goes on with the others).
 */
int nl_cleanup(struct nl *nl, uint32_t table);

/* Monitor events. */
enum nl_event_type {
	NL_EV_NEWLINK,
	NL_EV_DELLINK,
	NL_EV_NEWADDR,
	NL_EV_DELADDR,
};

struct nl_event {
	enum nl_event_type type;
	int ifindex;
	/* links */
	char name[IFNAMSIZ]; /* "" when absent */
	unsigned int flags;  /* IFF_* */
	uint32_t mtu;	     /* 0 when absent */
	/* addresses */
	struct nl_addr addr;
};

typedef void (*nl_event_cb)(const struct nl_event *ev, void *arg);

struct nl_mon;

/*
 * A non-blocking socket subscribed to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR
 * and RTNLGRP_IPV6_IFADDR, for the control thread's event loop.  NULL with
 * errno.
 */
struct nl_mon *nl_mon_open(void);
int nl_mon_fd(const struct nl_mon *m);

/*
 * Read what is waiting (call when the fd is readable) and pass each event
 * to cb.  At most 64 datagrams per call, so that a storm of events cannot
 * hold the control thread: the fd then stays readable and the event loop
 * calls again.  0 when done, or -1 with errno: ENOBUFS
 * when the kernel dropped events (the socket buffer overflowed: dump
 * links and addresses again to resynchronise), EBADMSG for a malformed
 * message, or the kernel's error.
 */
int nl_mon_read(struct nl_mon *m, nl_event_cb cb, void *arg);
void nl_mon_close(struct nl_mon *m);

#endif
