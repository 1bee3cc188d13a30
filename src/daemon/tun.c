/*
 * TUN queues of the ipsecN devices.  One open(/dev/net/tun) plus TUNSETIFF
 * per queue: the first creates the device, the others attach to it
 * (IFF_MULTI_QUEUE).  A TUN file carries one packet per read or write, so
 * a batch is a loop that stops at EAGAIN; there is no readv/recvmmsg
 * equivalent for character devices.
 */
#include "config.h"

#include "daemon/tun.h"

#include <sys/ioctl.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "common/pbuf.h"

#define TUN_DEV "/dev/net/tun"

static int
tun_open_queue(char *name, unsigned int flags, struct tun_queue *q)
{
	struct ifreq ifr;
	int fd, saved, hdr_len = sizeof(struct virtio_net_hdr);

	unsigned long offloads = 0;

	if (flags & TUN_F_OFFLOAD) {
		flags |= TUN_F_VNET_HDR;
		offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	}
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	if ((fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
	if (flags & TUN_F_VNET_HDR)
		ifr.ifr_flags |= IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		goto fail;
	if (flags & TUN_F_VNET_HDR) {
		/*
		 * Without TUN_F_OFFLOAD none: the kernel completes checksums
		 * and segments.  With it, tun_read does (tun_gso.h).
		 */
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) == -1 ||
		    ioctl(fd, TUNSETOFFLOAD, offloads) == -1)
			goto fail;
		q->vnet_hdr_len = (uint8_t)hdr_len;
	}
	if ((flags & TUN_F_OFFLOAD) && (q->big = malloc(TUN_BIG_BUF)) == NULL)
		goto fail;
	/* The kernel filled in the number of a "%d" name. */
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	q->fd = fd;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(q->big);
	q->big = NULL;
	errno = saved;
	return -1;
}

int
tun_open(const char *name, unsigned int flags, struct tun_queue *q,
    size_t nqueues, char *ifname)
{
	char cur[IFNAMSIZ];
	size_t i, len = strnlen(name, IFNAMSIZ);

	if (len == 0 || len >= IFNAMSIZ || nqueues == 0 ||
	    nqueues > TUN_MAX_QUEUES ||
	    (flags & ~(TUN_F_VNET_HDR | TUN_F_OFFLOAD)) != 0) {
		errno = EINVAL;
		return -1;
	}
	memcpy(cur, name, len + 1);
	for (i = 0; i < nqueues; i++) {
		q[i].fd = -1;
		q[i].big = NULL;
	}
	for (i = 0; i < nqueues; i++) {
		if (tun_open_queue(cur, flags, &q[i]) == -1) {
			int saved = errno;

			tun_close(q, i);
			errno = saved;
			return -1;
		}
	}
	if (ifname != NULL)
		memcpy(ifname, cur, IFNAMSIZ);
	return 0;
}

void
tun_close(struct tun_queue *q, size_t nqueues)
{
	for (size_t i = 0; i < nqueues; i++) {
		if (q[i].fd >= 0)
			close(q[i].fd);
		q[i].fd = -1;
		free(q[i].big);
		q[i].big = NULL;
		q[i].gso_next = q[i].gso.nseg = 0;
	}
}

/*
 * One packet into pb.  Returns 1 read, 0 read and dropped, -1 error.  With
 * the virtio header, only a plain packet (no GSO) is accepted: offloads
 * are off, so anything else is a kernel we do not understand.
 */
static int
tun_read_one(struct tun_queue *q, struct pbuf *pb)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	size_t room = pbuf_tailroom(pb);
	ssize_t r;
	int nv = 0;

	if (q->vnet_hdr_len != 0) {
		iov[nv].iov_base = &vh;
		iov[nv++].iov_len = sizeof(vh);
	}
	iov[nv].iov_base = pbuf_data(pb);
	iov[nv++].iov_len = room;
	if ((r = readv(q->fd, iov, nv)) == -1)
		return -1;
	if ((size_t)r < q->vnet_hdr_len) {
		q->truncated++;
		return 0;
	}
	r -= q->vnet_hdr_len;
	if ((size_t)r > room ||
	    (q->vnet_hdr_len != 0 && vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)) {
		q->truncated++;
		return 0;
	}
	pbuf_put(pb, (size_t)r);
	return 1;
}

/*
 * The next segment of the super-packet in q->big into pb: 1, or 0 when it
 * does not fit (dropped, counted).
 */
static int
tun_next_segment(struct tun_queue *q, struct pbuf *pb)
{
	size_t len = tun_gso_segment(
	    &q->gso, q->gso_next++, pbuf_data(pb), pbuf_tailroom(pb));

	if (len == 0) {
		q->truncated++;
		return 0;
	}
	pbuf_put(pb, len);
	return 1;
}

/*
 * One read into q->big (TUN_F_OFFLOAD): a plain packet is copied into pb
 * (1); a super-packet is kept in q->big and its first segment goes into pb
 * (1); 0 when it was dropped, -1 on a read error.
 */
static int
tun_read_big(struct tun_queue *q, struct pbuf *pb)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct iovec iov[2];
	ssize_t r;
	size_t len;

	iov[0].iov_base = vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = q->big;
	iov[1].iov_len = TUN_BIG_BUF;
	if ((r = readv(q->fd, iov, 2)) == -1)
		return -1;
	if ((size_t)r < sizeof(vh) || (size_t)r - sizeof(vh) > TUN_BIG_BUF) {
		q->truncated++;
		return 0;
	}
	len = (size_t)r - sizeof(vh);
	switch (tun_gso_prepare(vh, q->big, len, &q->gso)) {
	case TUN_GSO_PLAIN:
		q->gso.nseg = 0;
		if (len > pbuf_tailroom(pb)) {
			q->truncated++;
			return 0;
		}
		memcpy(pbuf_put(pb, len), q->big, len);
		return 1;
	case TUN_GSO_TCP:
		q->super++;
		q->gso_next = 0;
		return tun_next_segment(q, pb);
	case TUN_GSO_BAD:
		break;
	}
	q->gso.nseg = 0;
	q->malformed++;
	return 0;
}

ssize_t
tun_read(struct tun_queue *q, struct pbuf_pool *pool, size_t headroom,
    struct pbuf **pbs, size_t n)
{
	size_t got = 0;
	int err = EAGAIN;

	while (got < n) {
		struct pbuf *pb = pbuf_pool_get(pool);
		int r;

		if (pb == NULL) {
			err = ENOBUFS;
			break;
		}
		if (headroom >= pb->cap) {
			pbuf_pool_put(pool, pb);
			err = EINVAL;
			break;
		}
		pbuf_reset(pb, headroom);
		if (tun_pending(q))
			r = tun_next_segment(q, pb);
		else if (q->big != NULL)
			r = tun_read_big(q, pb);
		else
			r = tun_read_one(q, pb);
		if (r == 1) {
			pbs[got++] = pb;
			continue;
		}
		if (r == -1)
			err = errno;
		pbuf_pool_put(pool, pb);
		if (r == -1 && err != EINTR)
			break;
	}
	if (got == 0) {
		errno = err;
		return -1;
	}
	return (ssize_t)got;
}

/* Most packets in one super-packet written (tun_gro). */
#define TUN_GRO_MAX 64

/*
 * With offloads, a run of TCP segments of one flow from pbs[0] goes as one
 * super-packet (tun_gso.h); *k is how many packets the write covers.  The
 * iovecs point into the packets: nothing is copied.
 */
static int
tun_write_run(
    const struct tun_queue *q, struct pbuf *const *pbs, size_t n, size_t *k)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct iovec iov[TUN_GRO_MAX + 1];
	struct tun_gro run;
	size_t m = 1;
	int nv = 0;

	memset(vh, 0, sizeof(vh));
	if (q->vnet_hdr_len != 0) {
		iov[nv].iov_base = vh;
		iov[nv++].iov_len = q->vnet_hdr_len;
	}
	iov[nv].iov_base = pbuf_data(pbs[0]);
	iov[nv++].iov_len = pbuf_len(pbs[0]);
	if (q->big != NULL &&
	    tun_gro_start(&run, pbuf_data(pbs[0]), pbuf_len(pbs[0]))) {
		for (; m < n && m < TUN_GRO_MAX; m++) {
			if (!tun_gro_add(
				&run, pbuf_data(pbs[m]), pbuf_len(pbs[m])))
				break;
			iov[nv].iov_base = pbuf_data(pbs[m]) + run.hlen;
			iov[nv++].iov_len = pbuf_len(pbs[m]) - run.hlen;
		}
		tun_gro_finish(&run, vh);
	}
	*k = m;
	for (;;) {
		if (writev(q->fd, iov, nv) != -1)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

size_t
tun_write(const struct tun_queue *q, struct pbuf *const *pbs, size_t n)
{
	size_t done = 0, k;

	while (done < n) {
		if (tun_write_run(q, pbs + done, n - done, &k) == -1)
			break;
		done += k;
	}
	return done;
}
