#ifndef IPSECD_DAEMON_TUN_H
#define IPSECD_DAEMON_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/tun_gso.h"

struct pbuf;
struct pbuf_pool;

/*
 * The ipsecN devices: multi-queue TUN devices (IFF_TUN | IFF_NO_PI |
 * IFF_MULTI_QUEUE) carrying IPv4 and IPv6, one queue per worker.  Each
 * queue is its own file descriptor (non-blocking, close-on-exec); a worker
 * reads the plaintext packets the kernel routed into the device from its
 * queue and writes decapsulated packets back into it, which the kernel
 * then receives as if they had arrived on the device.
 *
 * The descriptors stay bound to the device when it is moved to another
 * network namespace (ip link set ipsec0 netns X): a TUN file points at the
 * device, not at a namespace, so packets keep flowing through the same
 * fds.  The device lives as long as one queue is open (it is not made
 * persistent): closing every queue removes it, which is ipsecd's clean-up.
 *
 * Nothing here logs: errors come back as -1 and errno.
 */

/* The kernel's limit on queues per TUN device (MAX_TAP_QUEUES). */
#define TUN_MAX_QUEUES 256

/*
 * Prefix every packet with a struct virtio_net_hdr (TUNSETVNETHDRSZ,
 * 10 bytes) and set the offloads to none (TUNSETOFFLOAD 0), so the kernel
 * still hands over plain packets with complete checksums.  Off by default;
 * it is the switch for GSO/GRO work later.  tun_read strips the header,
 * tun_write prepends a zero one (no GSO, no checksum offload).
 */
#define TUN_F_VNET_HDR 0x1
/*
 * The virtio header with offloads on (TUNSETOFFLOAD TUN_F_CSUM |
 * TUN_F_TSO4 | TUN_F_TSO6): the kernel hands over TCP super-packets of up
 * to 64 KB (its TCP stack went through once for all their segments) and
 * packets with partial checksums; tun_read splits the former into
 * segments and completes the latter (tun_gso.h), so its callers see
 * plain packets either way.  Each queue gets a TUN_BIG_BUF-byte read
 * buffer.
 */
#define TUN_F_OFFLOAD 0x2

/* A read buffer for the largest super-packet (64 KB IP packet). */
#define TUN_BIG_BUF 65536

/* One queue; it belongs to one worker, which alone reads its counters. */
struct tun_queue {
	int fd;
	uint8_t vnet_hdr_len; /* 0, or the virtio header size when enabled */
	uint64_t truncated;   /* packets dropped for not fitting a buffer */
	uint64_t malformed;   /* offload metadata or headers inconsistent */
	uint64_t super;	      /* TCP super-packets split (TUN_F_OFFLOAD) */
	uint8_t *big;	      /* TUN_F_OFFLOAD: the read buffer */
	struct tun_gso gso;   /* the super-packet in big, when gso_next < */
	size_t gso_next;      /* gso.nseg: its next segment to hand out */
};

/*
 * Create the TUN device name (or attach to an existing multi-queue one of
 * that name) and open nqueues queues on it, 1..TUN_MAX_QUEUES, filling
 * q[0..nqueues-1].  name may contain one "%d" for the kernel to number
 * (e.g. "ipsec%d"); the actual name is stored in ifname (IFNAMSIZ bytes)
 * when ifname is not NULL.  flags is 0, TUN_F_VNET_HDR or TUN_F_OFFLOAD
 * (which implies the header).  Returns 0, or
 * -1 with errno (EINVAL for a bad name, count or flag; the kernel's error,
 * e.g. EBUSY when the device exists with other flags, EPERM without
 * CAP_NET_ADMIN); on failure no queue is left open.
 */
int tun_open(const char *name, unsigned int flags, struct tun_queue *q,
    size_t nqueues, char *ifname);

/*
 * Close nqueues queues (fd < 0 entries are skipped), free their buffers,
 * and mark them closed.
 */
void tun_close(struct tun_queue *q, size_t nqueues);

/*
 * Read up to n packets from queue q, each into a buffer taken from pool
 * and reset to the given headroom (so that encapsulation can prepend in
 * place), stored in pbs[0..ret-1] as whole IP packets starting at
 * pbuf_data().  A packet larger than the buffer's room is dropped (the
 * kernel truncates it) and counted in q->truncated.  With TUN_F_OFFLOAD a
 * super-packet becomes its segments, one buffer each; those that do not
 * fit in this call's n are handed out by the next call, before anything
 * new is read.  Returns the number of
 * packets read (> 0), or -1 when none was: errno EAGAIN (the queue is empty),
 * ENOBUFS (the pool is empty), EINVAL (headroom beyond the buffers), or the
 * kernel's error.  The caller owns the returned buffers and puts them back into
 * the pool.
 */
ssize_t tun_read(struct tun_queue *q, struct pbuf_pool *pool, size_t headroom,
    struct pbuf **pbs, size_t n);

/*
 * Whether q holds segments of a super-packet that tun_read has not handed
 * out yet: the descriptor may not be readable, but the worker must call
 * tun_read again.
 */
static inline bool
tun_pending(const struct tun_queue *q)
{
	return q->big != NULL && q->gso_next < q->gso.nseg;
}

/*
 * Write pbs[0..n-1] (whole IPv4 or IPv6 packets; the kernel tells them
 * apart by the version nibble) into queue q.  The buffers stay the
 * caller's.  With TUN_F_OFFLOAD, runs of TCP segments of one flow are
 * written as one super-packet (tun_gro in tun_gso.h), whose first
 * packet's headers are rewritten in place.  Returns how many packets from
 * the front were written, 0..n.  When fewer than n, errno says why
 * pbs[ret] was not: EAGAIN (the queue is full: keep the rest for later),
 * or the kernel's verdict on that packet, or on the run it heads (EINVAL
 * malformed, EIO device down, ...: drop it and write the rest, which
 * starts unchanged).
 */
size_t tun_write(const struct tun_queue *q, struct pbuf *const *pbs, size_t n);

#endif
