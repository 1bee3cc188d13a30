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
		/* No offloads: the kernel completes checksums and segments. */
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) == -1 ||
		    ioctl(fd, TUNSETOFFLOAD, 0UL) == -1)
			goto fail;
		q->vnet_hdr_len = (uint8_t)hdr_len;
	} else
		q->vnet_hdr_len = 0;
	/* The kernel filled in the number of a "%d" name. */
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	q->fd = fd;
	q->truncated = 0;
	return 0;
fail:
	saved = errno;
	close(fd);
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
	    nqueues > TUN_MAX_QUEUES || (flags & ~TUN_F_VNET_HDR) != 0) {
		errno = EINVAL;
		return -1;
	}
	memcpy(cur, name, len + 1);
	for (i = 0; i < nqueues; i++)
		q[i].fd = -1;
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
		if ((r = tun_read_one(q, pb)) == 1) {
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

size_t
tun_write(const struct tun_queue *q, struct pbuf *const *pbs, size_t n)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	size_t done = 0;

	memset(&vh, 0, sizeof(vh));
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	while (done < n) {
		int nv = 0;

		if (q->vnet_hdr_len != 0) {
			iov[nv].iov_base = &vh;
			iov[nv++].iov_len = q->vnet_hdr_len;
		}
		iov[nv].iov_base = pbuf_data(pbs[done]);
		iov[nv++].iov_len = pbuf_len(pbs[done]);
		if (writev(q->fd, iov, nv) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		done++;
	}
	return done;
}
