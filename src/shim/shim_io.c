/*
 * libipsecd-pfkey.so (shim.h): PF_KEY messages on an emulated socket.
 *
 * Sending: af_key's pfkey_sendmsg fails the call when the base header is
 * bad (shim_msg_check) and otherwise takes the message whole, answering
 * faults in it with an error reply; the emulation socket is a
 * SOCK_SEQPACKET socket, which also moves a message whole, so a message
 * that passes the check is sent as it is, and the server answers.
 *
 * Receiving: SOCK_SEQPACKET's recvmsg already has af_key's datagram
 * semantics (MSG_PEEK leaves the message queued; a short buffer gets the
 * head of the message, MSG_TRUNC in msg_flags, and the rest is dropped;
 * the MSG_TRUNC flag makes the call return the real length).  What
 * differs is corrected here: af_key refuses flags other than MSG_PEEK,
 * MSG_DONTWAIT and MSG_TRUNC with EINVAL and gives no source address;
 * and a PF_KEY socket has no end of file, so ipsecd closing the
 * connection reads as ECONNRESET rather than as an empty message.
 *
 * Every other descriptor goes straight to the C library.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim/shim_check.h"
#include "shim/shim_int.h"

typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendto_fn)(
    int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*recvfrom_fn)(
    int, void *, size_t, int, struct sockaddr *, socklen_t *);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*readv_fn)(int, const struct iovec *, int);
typedef ssize_t (*recv_chk_fn)(int, void *, size_t, size_t, int);
typedef ssize_t (*recvfrom_chk_fn)(
    int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
typedef ssize_t (*read_chk_fn)(int, void *, size_t, size_t);

SHIM_REAL_SLOT(send);
SHIM_REAL_SLOT(sendto);
SHIM_REAL_SLOT(sendmsg);
SHIM_REAL_SLOT(write);
SHIM_REAL_SLOT(writev);
SHIM_REAL_SLOT(recv);
SHIM_REAL_SLOT(recvfrom);
SHIM_REAL_SLOT(recvmsg);
SHIM_REAL_SLOT(read);
SHIM_REAL_SLOT(readv);
SHIM_REAL_SLOT(__recv_chk);
SHIM_REAL_SLOT(__recvfrom_chk);
SHIM_REAL_SLOT(__read_chk);

void
shim_io_resolve(void)
{
	(void)shim_real("send", &shim_real_send);
	(void)shim_real("sendto", &shim_real_sendto);
	(void)shim_real("sendmsg", &shim_real_sendmsg);
	(void)shim_real("write", &shim_real_write);
	(void)shim_real("writev", &shim_real_writev);
	(void)shim_real("recv", &shim_real_recv);
	(void)shim_real("recvfrom", &shim_real_recvfrom);
	(void)shim_real("recvmsg", &shim_real_recvmsg);
	(void)shim_real("read", &shim_real_read);
	(void)shim_real("readv", &shim_real_readv);
	(void)shim_real("__recv_chk", &shim_real___recv_chk);
	(void)shim_real("__recvfrom_chk", &shim_real___recvfrom_chk);
	(void)shim_real("__read_chk", &shim_real___read_chk);
}

static bool
is_pfkey(int fd)
{
	return (shim_fd_kind(fd) & SHIM_FD_PFKEY) != 0;
}

/*
 * Send the message in iov[0..n-1] on PF_KEY socket fd, or fail as
 * af_key's pfkey_sendmsg would without sending anything.
 */
static ssize_t
pfkey_send(int fd, const struct iovec *iov, size_t n, int flags)
{
	uint8_t head[SHIM_HDR_LEN];
	size_t have = 0, len = 0;
	struct msghdr m;
	int err;

	if (flags & MSG_OOB) {
		errno = EOPNOTSUPP;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t take = iov[i].iov_len;

		if (iov[i].iov_base == NULL && iov[i].iov_len > 0) {
			errno = EFAULT;
			return -1;
		}
		/* Past SHIM_MSG_MAX the count stops: it fails anyway. */
		if (take > SHIM_MSG_MAX + 1 - len)
			take = SHIM_MSG_MAX + 1 - len;
		if (have < sizeof(head)) {
			size_t c = sizeof(head) - have < take
			    ? sizeof(head) - have
			    : take;

			memcpy(head + have, iov[i].iov_base, c);
			have += c;
		}
		len += take;
	}
	if ((err = shim_msg_check(head, have, len)) != 0) {
		errno = err;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.msg_iov = (struct iovec *)iov;
	m.msg_iovlen = n;
	/* A PF_KEY socket never raises SIGPIPE. */
	return SHIM_REAL(sendmsg, sendmsg_fn)(fd, &m, flags | MSG_NOSIGNAL);
}

/* Receive one message from PF_KEY socket fd into m. */
static ssize_t
pfkey_recv(int fd, struct msghdr *m, int flags)
{
	struct msghdr c = *m;
	size_t want = 0;
	ssize_t n;

	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC)) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < m->msg_iovlen; i++)
		want += m->msg_iov[i].iov_len;
	/* No source address: the caller's name buffer is left alone. */
	c.msg_name = NULL;
	c.msg_namelen = 0;
	n = SHIM_REAL(recvmsg, recvmsg_fn)(fd, &c, flags);
	m->msg_namelen = 0;
	m->msg_controllen = c.msg_controllen;
	m->msg_flags = c.msg_flags;
	if (n == 0 && (want > 0 || (flags & MSG_TRUNC))) {
		/* The server sends no empty message: ipsecd went away. */
		errno = ECONNRESET;
		return -1;
	}
	return n;
}

static ssize_t
pfkey_recv_buf(int fd, void *buf, size_t len, int flags)
{
	struct iovec iov = { buf, len };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	return pfkey_recv(fd, &m, flags);
}

SHIM_EXPORT ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	struct iovec iov = { (void *)buf, len };

	if (is_pfkey(fd))
		return pfkey_send(fd, &iov, 1, flags);
	return SHIM_REAL(send, send_fn)(fd, buf, len, flags);
}

SHIM_EXPORT ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { (void *)buf, len };

	/* af_key ignores a destination: there is only the kernel. */
	if (is_pfkey(fd))
		return pfkey_send(fd, &iov, 1, flags);
	return SHIM_REAL(sendto, sendto_fn)(fd, buf, len, flags, to, tolen);
}

SHIM_EXPORT ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	if (is_pfkey(fd)) {
		if (m == NULL) {
			errno = EFAULT;
			return -1;
		}
		return pfkey_send(fd, m->msg_iov, m->msg_iovlen, flags);
	}
	return SHIM_REAL(sendmsg, sendmsg_fn)(fd, m, flags);
}

SHIM_EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	if (is_pfkey(fd))
		return pfkey_send(fd, &iov, 1, 0);
	return SHIM_REAL(write, write_fn)(fd, buf, len);
}

SHIM_EXPORT ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (is_pfkey(fd)) {
		if (n < 0 || n > IOV_MAX) {
			errno = EINVAL;
			return -1;
		}
		return pfkey_send(fd, iov, (size_t)n, 0);
	}
	return SHIM_REAL(writev, writev_fn)(fd, iov, n);
}

SHIM_EXPORT ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	if (is_pfkey(fd))
		return pfkey_recv_buf(fd, buf, len, flags);
	return SHIM_REAL(recv, recv_fn)(fd, buf, len, flags);
}

SHIM_EXPORT ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	ssize_t n;

	if (!is_pfkey(fd))
		return SHIM_REAL(recvfrom, recvfrom_fn)(
		    fd, buf, len, flags, from, fromlen);
	n = pfkey_recv_buf(fd, buf, len, flags);
	if (n >= 0 && fromlen != NULL)
		*fromlen = 0;
	return n;
}

SHIM_EXPORT ssize_t
recvmsg(int fd, struct msghdr *m, int flags)
{
	if (!is_pfkey(fd))
		return SHIM_REAL(recvmsg, recvmsg_fn)(fd, m, flags);
	if (m == NULL) {
		errno = EFAULT;
		return -1;
	}
	return pfkey_recv(fd, m, flags);
}

SHIM_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	if (is_pfkey(fd))
		return pfkey_recv_buf(fd, buf, len, 0);
	return SHIM_REAL(read, read_fn)(fd, buf, len);
}

SHIM_EXPORT ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	struct msghdr m;

	if (!is_pfkey(fd))
		return SHIM_REAL(readv, readv_fn)(fd, iov, n);
	if (n < 0 || n > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.msg_iov = (struct iovec *)iov;
	m.msg_iovlen = (size_t)n;
	return pfkey_recv(fd, &m, 0);
}

/*
 * The _FORTIFY_SOURCE forms the host program may call instead (strongSwan
 * is built with it): a length past the buffer is the C library's
 * "buffer overflow detected" abort.  The C library's headers declare them
 * only under _FORTIFY_SOURCE, which this library may be built without.
 */
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *from, socklen_t *fromlen);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);

SHIM_EXPORT ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (!is_pfkey(fd))
		return SHIM_REAL(__recv_chk, recv_chk_fn)(
		    fd, buf, len, buflen, flags);
	if (len > buflen)
		abort();
	return pfkey_recv_buf(fd, buf, len, flags);
}

SHIM_EXPORT ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *from, socklen_t *fromlen)
{
	if (!is_pfkey(fd))
		return SHIM_REAL(__recvfrom_chk, recvfrom_chk_fn)(
		    fd, buf, len, buflen, flags, from, fromlen);
	if (len > buflen)
		abort();
	return recvfrom(fd, buf, len, flags, from, fromlen);
}

SHIM_EXPORT ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (!is_pfkey(fd))
		return SHIM_REAL(__read_chk, read_chk_fn)(fd, buf, len, buflen);
	if (len > buflen)
		abort();
	return pfkey_recv_buf(fd, buf, len, 0);
}
