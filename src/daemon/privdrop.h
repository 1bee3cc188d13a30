#ifndef IPSECD_DAEMON_PRIVDROP_H
#define IPSECD_DAEMON_PRIVDROP_H

/*
 * Dropping root (STYLE.md section 6): once ipsecd has opened what needs
 * root (TUN queues, raw sockets, the NAT-T port, netlink, its sockets), it
 * becomes user (and that user's primary group), keeping only
 * CAP_NET_ADMIN (netlink changes of routes, rules, addresses and devices
 * on reload; the per-packet SO_MARK) and CAP_NET_RAW, with an empty
 * bounding set, no supplementary groups, core dumps off and the process
 * not dumpable (it holds keys).
 *
 * privdrop_nodump: core dumps off and not dumpable; for the parent before
 * it reads any key, whatever user it ends as.
 * privdrop: -1 with errno (ENOENT: no such user); user NULL or "root"
 * keeps the uid and only limits the capabilities.
 */
void privdrop_nodump(void);
int privdrop(const char *user);

#endif
