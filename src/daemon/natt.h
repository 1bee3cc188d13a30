#ifndef IPSECD_DAEMON_NATT_H
#define IPSECD_DAEMON_NATT_H

#include <stdint.h>

struct event;
struct ipsecd;
struct wevent;

/*
 * NAT traversal work of the control thread: NAT-keepalives every
 * natt-keepalive seconds for the ESP-in-UDP SAs this host sends on
 * (RFC 3948 section 2.3, one 0xFF byte from the SA's port to the peer's),
 * sent through raw sockets of its own carrying the daemon's mark, and
 * the NAT mapping changes the workers report (wevent.h).
 *
 * natt_init: the sockets (before privileges are dropped) and the timer;
 *   -1 after logging.
 * ipsecd_nat_mapping: an authenticated ESP-in-UDP packet for the inbound
 *   SA ev names came from a new address or port: that SA's peer is moved
 *   there, and so are the outbound ESP-in-UDP SAs that went to the old
 *   address and port from the inbound SA's destination; the key managers
 *   are told with SADB_X_NAT_T_NEW_MAPPING (the old address and port as
 *   SRC and SPORT, the new ones as DST and DPORT, as af_key).  Checked
 *   against the SAD first: a stale event does nothing.
 */
struct natt {
	int fd4, fd6;
	struct event *ka;
	uint64_t ka_sent;
	uint64_t ka_errors;
};

int natt_init(struct ipsecd *d);
/*
 * A reload set natt-keepalive to keepalive_sec (0: off): the timer is
 * re-armed from now.  Call before d->conf is replaced.
 */
void natt_reload(struct ipsecd *d, unsigned keepalive_sec);
void natt_free(struct natt *n);
void ipsecd_nat_mapping(struct ipsecd *d, const struct wevent *ev);

#endif
