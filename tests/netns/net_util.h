#ifndef IPSECD_TESTS_NETNS_NET_UTIL_H
#define IPSECD_TESTS_NETNS_NET_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct pbuf;

/*
 * Helpers shared by the netns test drivers (net_nl, net_tun, net_sock).
 * They exit with a message on a setup failure: a driver that cannot set up
 * its test has nothing to report.
 */

/* Parse an address or die. */
struct addr net_addr(const char *s);

/*
 * Switch this (single-threaded) process to the named network namespace
 * (/run/netns/NAME); NULL returns to the one it started in.  Sockets keep
 * the namespace they were created in.
 */
void net_enter(const char *netns);

/* The errno's name ("EEXIST"), for output that tests compare. */
const char *net_errname(int err);

/*
 * Fill pb with a UDP datagram src:sport -> dst:dport carrying len bytes of
 * pattern (byte k = seed + k) inside a whole IPv4/IPv6 packet with valid
 * checksums.
 */
void net_udp_build(struct pbuf *pb, const struct addr *src,
    const struct addr *dst, uint16_t port, uint8_t seed);

/*
 * If p (len bytes) is a whole IP packet carrying UDP to port, return its
 * payload's first byte (the seed) in *seed and 1; 0 otherwise.
 */
int net_udp_match(const uint8_t *p, size_t len, uint16_t port, uint8_t *seed);

/* Wait at most ms for one of n fds to be readable; index or -1. */
int net_wait(const int *fds, size_t n, int ms);

#endif
