#ifndef IPSECD_DAEMON_NETLINK_PARSE_H
#define IPSECD_DAEMON_NETLINK_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/netlink.h"

struct nlmsghdr;

/*
 * Parsers of the rtnetlink messages netlink.c receives: pure functions
 * over bytes, so that the unit tests and the fuzz target reach them
 * without a socket.  Each takes one message whose nlmsg_len the caller
 * has checked against what it holds (nlp_next), and returns 1 when it
 * filled its output, 0 when the message is not one it describes (another
 * type or family: skip it), or -1 with errno EBADMSG when it is malformed:
 * the fixed header is short, an attribute is truncated or of the wrong
 * size (mnl_attr_validate), one we use appears twice, or the attributes
 * do not end where the message does.
 */

/*
 * Walk len bytes of netlink messages: returns the message at *off (whose
 * nlmsg_len is at least a header and at most what is left) and moves *off
 * past it and its alignment padding, or NULL at the end or at a malformed
 * header: the walk ended cleanly when *off == len.  (libmnl's
 * mnl_nlmsg_ok casts nlmsg_len to int, so a length of 2^31 or more passes
 * it and mnl_nlmsg_next then loops or jumps out of the buffer.)
 */
const struct nlmsghdr *nlp_next(const void *buf, size_t len, size_t *off);

/* RTM_NEWLINK / RTM_DELLINK into ev (type, ifindex, name, flags, mtu). */
int nlp_link(const struct nlmsghdr *nlh, struct nl_event *ev);

/* RTM_NEWADDR / RTM_DELADDR of AF_INET or AF_INET6 into a. */
int nlp_addr(const struct nlmsghdr *nlh, struct nl_addr *a);

/* RTM_NEWROUTE of AF_INET or AF_INET6 into r, its rtm_protocol in proto. */
int nlp_route(const struct nlmsghdr *nlh, struct nl_route *r, uint8_t *proto);

/* RTM_NEWRULE of AF_INET or AF_INET6 into r, FRA_PROTOCOL in proto. */
int nlp_rule(const struct nlmsghdr *nlh, struct nl_rule *r, uint8_t *proto);

/*
 * Parse len bytes of netlink messages (what one read of the monitor
 * socket returned) and call cb for each link or address event; other
 * message types are skipped.  0, or -1 with errno EBADMSG at the first
 * malformed message or trailing bytes (the events before it were
 * delivered).
 */
int nl_event_parse(const void *buf, size_t len, nl_event_cb cb, void *arg);

#endif
