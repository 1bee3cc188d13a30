#ifndef IPSECD_DAEMON_SOCK_H
#define IPSECD_DAEMON_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/addr.h"
#include "daemon/sock_pkt.h"

struct pbuf;
struct pbuf_pool;

/*
 * Outer-packet sockets of one worker: raw receive sockets for ESP, AH and
 * IPcomp (one per protocol and family, each with the worker's SPI filter,
 * sock_bpf.h), hdrincl raw send sockets (one per family), and ESP-in-UDP
 * sockets on the NAT-T port (one per family, all workers' sockets in one
 * SO_REUSEPORT group with the SPI/IKE steering program).
 *
 * Every socket is non-blocking, close-on-exec, and carries SO_MARK = mark
 * (the daemon's firewall mark), so that the policy-routing rule "not
 * fwmark M" skips ipsecd's own outer packets and no outer packet re-enters
 * an ipsecN device (DESIGN.md, "No routing loops").  Opening needs
 * CAP_NET_RAW and CAP_NET_ADMIN (SO_MARK): it happens before privileges
 * are dropped; the sockets are then used without them.
 *
 * A socket belongs to one thread (the worker); its counters are read by
 * that thread only.  Nothing here logs: errors come back as -1 / errno or
 * as counters.
 *
 * Port 4500 shared with an IKE daemon: the kernel puts two UDP sockets in
 * one reuseport group only if both set SO_REUSEPORT, have the same family,
 * the same IPV6_V6ONLY setting (ipsecd's IPv6 sockets are v6-only), the
 * same bound address (ipsecd binds the wildcard unless told otherwise) and
 * device, and were created by the same user (ipsecd creates them as root
 * before dropping privileges; charon runs as root).  Indices are join
 * order, so ipsecd's workers must bind before the IKE daemon starts; its
 * socket then gets index nworkers, the one the program reserves for IKE.
 * Until the daemon joins, IKE packets fall back to the kernel's hash and
 * reach some worker as SOCK_KIND_IKE.
 */

/* Most messages one recvmmsg/sendmmsg call moves. */
#define SOCK_BATCH_MAX 64

/* The default NAT-T port (RFC 3948). */
#define SOCK_NATT_PORT 4500

struct sock;

/* Per-socket drop counters (packets read from the kernel, then dropped). */
struct sock_stats {
	uint64_t truncated; /* larger than the buffer (MSG_TRUNC) */
	uint64_t malformed; /* ancillary data missing or bad, bad header */
};

/* One packet of a batch, received or to send. */
struct sock_pkt {
	struct pbuf *pb;
	struct sock_meta meta;
};

/*
 * Raw receive socket for proto (IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP) and
 * family, keeping only the packets whose SPI/CPI hashes to worker of
 * nworkers.  Packets queued before the filter was attached are drained,
 * so the socket never holds another worker's packet.  NULL with errno
 * (EINVAL for bad arguments, the kernel's error otherwise).
 */
struct sock *sock_raw_rx_new(int family, uint8_t proto, uint32_t mark,
    unsigned int worker, unsigned int nworkers);

/*
 * Raw send socket with a hdrincl header: IPv4 IPPROTO_RAW (implies
 * IP_HDRINCL), IPv6 IPPROTO_RAW with IPV6_HDRINCL; the core's outer header
 * goes out as built (IPv4: the kernel fills in the checksum, and the ID
 * when it is 0).  NULL with errno.
 */
struct sock *sock_raw_tx_new(int family, uint32_t mark);

/*
 * ESP-in-UDP socket of family bound to local (NULL: the wildcard) and
 * port (0: one the kernel picks), joined to that address's SO_REUSEPORT
 * group.  It both receives
 * and sends.  NULL with errno (EADDRINUSE when a socket outside any
 * compatible group holds the port).
 */
struct sock *sock_udp_new(
    int family, const struct addr *local, uint16_t port, uint32_t mark);

/*
 * Attach the steering program for nworkers worker sockets and the IKE
 * index ike_index (normally nworkers) to the group of s; call it once,
 * after every worker's socket joined (index = join order).  Before it,
 * the kernel spreads packets by its hash.  0, or -1 with errno.
 */
int sock_udp_steer(
    struct sock *s, unsigned int nworkers, unsigned int ike_index);

/* The descriptor, for the worker's poll set. */
int sock_fd(const struct sock *s);

const struct sock_stats *sock_stats(const struct sock *s);

void sock_free(struct sock *s);

/*
 * Receive up to n (at most SOCK_BATCH_MAX per call) packets with one
 * recvmmsg, each into a buffer from pool reset to headroom, into
 * pkts[0..ret-1]:
 *   - raw sockets: kind SOCK_KIND_IP, a whole IP packet at pbuf_data()
 *     (IPv4 as received; IPv6 with its header rebuilt, sock_pkt.h);
 *   - UDP sockets: kind SOCK_KIND_UDP_ESP, a whole IP packet carrying ESP
 *     (header rebuilt, ports in meta), or KEEPALIVE / IKE / RUNT with the
 *     bare UDP payload.
 * Payloads are read at headroom plus the header to rebuild (20 or 40
 * bytes), so every whole IP packet starts exactly at headroom (bare UDP
 * payloads start past it); buffers must hold headroom + 40 + the largest
 * packet.  Packets dropped on the way (too big,
 * missing ancillary data) are put back into the pool and counted in
 * sock_stats.  Returns the number delivered, which may be 0 when every
 * packet read was dropped (call again); -1 when nothing was read: errno
 * EAGAIN (nothing waiting), ENOBUFS (pool empty), EINVAL (headroom leaves
 * no room), or the kernel's error.  The caller owns the buffers returned.
 */
ssize_t sock_recv(struct sock *s, struct pbuf_pool *pool, size_t headroom,
    struct sock_pkt *pkts, size_t n);

/*
 * Send pkts[0..n-1] with sendmmsg, resuming after partial sends:
 *   - raw send sockets: pb holds a whole IP packet of the socket's family,
 *     sent as it is to the destination in its header; meta is unused;
 *   - UDP sockets, meta.kind SOCK_KIND_UDP_ESP: pb holds a whole IP packet
 *     carrying ESP (proto 50, no IPv6 extension headers), as the core
 *     built it; its header is stripped and gives the source (sent with
 *     IP_PKTINFO / IPV6_PKTINFO, so it must be one of ours), the
 *     destination, TOS/traffic class and TTL/hop limit; meta.dport is the
 *     peer's port (the source port is the socket's);
 *   - UDP sockets, any other kind (a NAT-keepalive): pb is the bare
 *     payload, sent from meta.src to meta.dst port meta.dport.
 * The buffers stay the caller's.  Returns how many packets from the front
 * were sent, 0..n.  When fewer than n, errno says why pkts[ret] was not:
 * EAGAIN or ENOBUFS (the socket is full: keep the rest for later), EINVAL
 * (the packet is malformed or of the wrong family), or the kernel's
 * verdict on that packet (EMSGSIZE, EHOSTUNREACH, ...: drop it and send
 * the rest).
 */
size_t sock_send(struct sock *s, const struct sock_pkt *pkts, size_t n);

#endif
