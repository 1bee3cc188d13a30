/*
 * Raw and UDP sockets for outer packets (sock.h).  Each struct sock holds
 * the mmsghdr, iovec, address and control arrays of one batch, allocated
 * with the socket, so a batch costs no allocation: the buffers are the
 * caller's pbufs and the per-message state is reused on every call.
 */
#include "config.h"

#include "daemon/sock.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pbuf.h"
#include "daemon/sock_bpf.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36 /* <linux/in6.h>, Linux 4.5 */
#endif

/* Room for the ancillary data of one message, either way. */
#define SOCK_CTL_SIZE 128

enum sock_type {
	SOCK_T_RAW_RX,
	SOCK_T_RAW_TX,
	SOCK_T_UDP,
};

union sock_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

union sock_ctl {
	struct cmsghdr align;
	uint8_t buf[SOCK_CTL_SIZE];
};

struct sock {
	int fd;
	int family;
	enum sock_type type;
	uint8_t proto; /* raw receive: the protocol */
	uint16_t port; /* UDP: the bound port, host order */
	struct sock_stats stats;
	struct mmsghdr msgs[SOCK_BATCH_MAX];
	struct iovec iov[SOCK_BATCH_MAX];
	union sock_addr names[SOCK_BATCH_MAX];
	union sock_ctl ctl[SOCK_BATCH_MAX];
	struct pbuf *pbs[SOCK_BATCH_MAX];
};

/* Socket buffer size asked for every outer socket, bytes. */
#define SOCK_BUF_BYTES (4 * 1024 * 1024)

static int
setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

static struct sock *
sock_alloc(int family, enum sock_type type, int proto)
{
	struct sock *s;
	int stype = type == SOCK_T_UDP ? SOCK_DGRAM : SOCK_RAW;

	if (family != AF_INET && family != AF_INET6) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->family = family;
	s->type = type;
	s->fd = socket(family, stype | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s->fd == -1) {
		free(s);
		return NULL;
	}
	/*
	 * Room for bursts: a worker busy with a batch must not lose what
	 * arrives meanwhile (the default 208 KB holds ~150 full packets).
	 * The FORCE variants pass net.core.rmem_max as root; without
	 * CAP_NET_ADMIN the plain ones give what the limit allows.
	 */
	if (setopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCK_BUF_BYTES) == -1)
		setopt(s->fd, SOL_SOCKET, SO_RCVBUF, SOCK_BUF_BYTES);
	if (setopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCK_BUF_BYTES) == -1)
		setopt(s->fd, SOL_SOCKET, SO_SNDBUF, SOCK_BUF_BYTES);
	return s;
}

/*
 * Whether received packets come with their IP header (raw IPv4): then the
 * header gives every field and no ancillary data is asked for, which
 * saves the kernel three control messages per packet.
 */
static bool
rx_has_header(const struct sock *s)
{
	return s->type == SOCK_T_RAW_RX && s->family == AF_INET;
}

/* The receive options that give a rebuilt header its fields. */
static int
set_recv_opts(const struct sock *s)
{
	static const int v4[] = { IP_PKTINFO, IP_RECVTOS, IP_RECVTTL };
	static const int v6[] = { IPV6_RECVPKTINFO, IPV6_RECVTCLASS,
		IPV6_RECVHOPLIMIT };
	const int *opts = s->family == AF_INET ? v4 : v6;
	int level = s->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;

	for (size_t i = 0; i < 3; i++)
		if (setopt(s->fd, level, opts[i], 1) == -1)
			return -1;
	return 0;
}

/* Throw away what arrived before the filter was in place. */
static void
drain(int fd)
{
	uint8_t b;

	while (recv(fd, &b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

struct sock *
sock_raw_rx_new(int family, uint8_t proto, uint32_t mark, unsigned int worker,
    unsigned int nworkers)
{
	struct sock_bpf b;
	struct sock_fprog prog;
	struct sock *s;

	if (sock_bpf_raw(&b, family, proto, worker, nworkers) == -1)
		return NULL;
	if ((s = sock_alloc(family, SOCK_T_RAW_RX, proto)) == NULL)
		return NULL;
	s->proto = proto;
	prog.len = b.len;
	prog.filter = b.insn;
	/* Locked: after the privilege drop nothing may detach it. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		sizeof(prog)) == -1 ||
	    setopt(s->fd, SOL_SOCKET, SO_LOCK_FILTER, 1) == -1 ||
	    setopt(s->fd, SOL_SOCKET, SO_MARK, (int)mark) == -1 ||
	    (!rx_has_header(s) && set_recv_opts(s) == -1))
		goto fail;
	drain(s->fd);
	return s;
fail:
	sock_free(s);
	return NULL;
}

struct sock *
sock_raw_tx_new(int family, uint32_t mark)
{
	struct sock *s;

	if ((s = sock_alloc(family, SOCK_T_RAW_TX, IPPROTO_RAW)) == NULL)
		return NULL;
	if ((family == AF_INET6 &&
		setopt(s->fd, IPPROTO_IPV6, IPV6_HDRINCL, 1) == -1) ||
	    setopt(s->fd, SOL_SOCKET, SO_MARK, (int)mark) == -1) {
		sock_free(s);
		return NULL;
	}
	return s;
}

struct sock *
sock_udp_new(int family, const struct addr *local, uint16_t port, uint32_t mark)
{
	union sock_addr sa;
	socklen_t salen;
	struct sock *s;

	if (local != NULL && local->family != family) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = sock_alloc(family, SOCK_T_UDP, IPPROTO_UDP)) == NULL)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	if (family == AF_INET) {
		sa.sin.sin_family = AF_INET;
		sa.sin.sin_port = htons(port);
		if (local != NULL)
			memcpy(&sa.sin.sin_addr, local->bytes, 4);
		salen = sizeof(sa.sin);
	} else {
		sa.sin6.sin6_family = AF_INET6;
		sa.sin6.sin6_port = htons(port);
		if (local != NULL)
			memcpy(&sa.sin6.sin6_addr, local->bytes, 16);
		salen = sizeof(sa.sin6);
	}
	if (setopt(s->fd, SOL_SOCKET, SO_REUSEPORT, 1) == -1 ||
	    setopt(s->fd, SOL_SOCKET, SO_MARK, (int)mark) == -1 ||
	    (family == AF_INET6 &&
		setopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) == -1) ||
	    set_recv_opts(s) == -1 || bind(s->fd, &sa.sa, salen) == -1 ||
	    getsockname(s->fd, &sa.sa, &salen) == -1) {
		sock_free(s);
		return NULL;
	}
	/* The same field in both: the bound port, for sock_meta.dport. */
	s->port = ntohs(sa.sin.sin_port);
	return s;
}

int
sock_udp_steer(struct sock *s, unsigned int nworkers, unsigned int ike_index)
{
	struct sock_bpf b;
	struct sock_fprog prog;

	if (s->type != SOCK_T_UDP) {
		errno = EINVAL;
		return -1;
	}
	if (sock_bpf_udp(&b, nworkers, ike_index) == -1)
		return -1;
	prog.len = b.len;
	prog.filter = b.insn;
	return setsockopt(
	    s->fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

int
sock_fd(const struct sock *s)
{
	return s->fd;
}

const struct sock_stats *
sock_stats(const struct sock *s)
{
	return &s->stats;
}

void
sock_free(struct sock *s)
{
	int saved = errno;

	if (s == NULL)
		return;
	close(s->fd);
	free(s);
	errno = saved;
}

/* Bytes a rebuilt header needs in front of what the socket delivers. */
static size_t
rx_reserve(const struct sock *s)
{
	if (rx_has_header(s))
		return 0;
	return s->family == AF_INET ? 20 : 40;
}

/* The peer's address and port from msg_name; false if it is not one. */
static bool
rx_source(const struct sock *s, const struct msghdr *mh, struct sock_meta *m)
{
	const union sock_addr *sa = mh->msg_name;

	if (s->family == AF_INET) {
		if (mh->msg_namelen < sizeof(sa->sin) ||
		    sa->sin.sin_family != AF_INET)
			return false;
		addr_set(&m->src, AF_INET, &sa->sin.sin_addr);
		m->sport = s->type == SOCK_T_UDP ? ntohs(sa->sin.sin_port) : 0;
		return true;
	}
	if (mh->msg_namelen < sizeof(sa->sin6) ||
	    sa->sin6.sin6_family != AF_INET6)
		return false;
	addr_set(&m->src, AF_INET6, &sa->sin6.sin6_addr);
	m->sport = s->type == SOCK_T_UDP ? ntohs(sa->sin6.sin6_port) : 0;
	return true;
}

/* Turn message j into a delivered packet; false when it is dropped. */
static bool
rx_finish(struct sock *s, size_t j, struct sock_pkt *out)
{
	const struct mmsghdr *mm = &s->msgs[j];
	const struct msghdr *mh = &mm->msg_hdr;
	struct pbuf *pb = s->pbs[j];
	struct sock_meta *m = &out->meta;
	int found, all = SOCK_CM_DST | SOCK_CM_TOS | SOCK_CM_TTL;

	memset(m, 0, sizeof(*m));
	if (mh->msg_flags & MSG_TRUNC) {
		s->stats.truncated++;
		return false;
	}
	pbuf_put(pb, mm->msg_len);
	if (rx_has_header(s)) {
		/* The kernel hands over the header as received. */
		if (sock_hdr_parse(pbuf_data(pb), pbuf_len(pb), m) == 0)
			goto bad;
		m->kind = SOCK_KIND_IP;
		out->pb = pb;
		return true;
	}
	found =
	    sock_cmsg_parse(mh->msg_control, mh->msg_controllen, s->family, m);
	if (found == -1 || (mh->msg_flags & MSG_CTRUNC) ||
	    (found & all) != all || !rx_source(s, mh, m))
		goto bad;
	if (s->type == SOCK_T_RAW_RX) {
		m->proto = s->proto;
		m->kind = SOCK_KIND_IP;
	} else {
		m->dport = s->port;
		m->kind = sock_udp_classify(pbuf_data(pb), pbuf_len(pb));
		m->proto =
		    m->kind == SOCK_KIND_UDP_ESP ? IPPROTO_ESP : IPPROTO_UDP;
	}
	if ((m->kind == SOCK_KIND_IP || m->kind == SOCK_KIND_UDP_ESP) &&
	    !sock_hdr_build(pb, m))
		goto bad;
	out->pb = pb;
	return true;
bad:
	s->stats.malformed++;
	return false;
}

static void
rx_setup(struct sock *s, size_t j, struct pbuf *pb)
{
	struct msghdr *mh = &s->msgs[j].msg_hdr;

	s->pbs[j] = pb;
	s->iov[j].iov_base = pbuf_data(pb);
	s->iov[j].iov_len = pbuf_tailroom(pb);
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &s->names[j];
	mh->msg_namelen = sizeof(s->names[j]);
	mh->msg_iov = &s->iov[j];
	mh->msg_iovlen = 1;
	if (!rx_has_header(s)) {
		mh->msg_control = s->ctl[j].buf;
		mh->msg_controllen = sizeof(s->ctl[j].buf);
	}
}

ssize_t
sock_recv(struct sock *s, struct pbuf_pool *pool, size_t headroom,
    struct sock_pkt *pkts, size_t n)
{
	size_t k = 0, out = 0, want = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	size_t start = headroom + rx_reserve(s);
	int r, err = ENOBUFS;

	if (s->type == SOCK_T_RAW_TX) {
		errno = EOPNOTSUPP;
		return -1;
	}
	for (; k < want; k++) {
		struct pbuf *pb = pbuf_pool_get(pool);

		if (pb == NULL)
			break;
		if (start >= pb->cap) {
			pbuf_pool_put(pool, pb);
			err = EINVAL;
			break;
		}
		pbuf_reset(pb, start);
		rx_setup(s, k, pb);
	}
	if (k == 0) {
		errno = want == 0 ? EINVAL : err;
		return -1;
	}
	do
		r = recvmmsg(
		    s->fd, s->msgs, (unsigned int)k, MSG_DONTWAIT, NULL);
	while (r == -1 && errno == EINTR);
	err = errno;
	for (size_t j = 0; j < k; j++) {
		if ((int)j < r && rx_finish(s, j, &pkts[out]))
			out++;
		else
			pbuf_pool_put(pool, s->pbs[j]);
	}
	if (r == -1) {
		errno = err;
		return -1;
	}
	return (ssize_t)out;
}

/* Socket address for a, port in host order. */
static socklen_t
sa_set(union sock_addr *sa, const struct addr *a, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == AF_INET) {
		sa->sin.sin_family = AF_INET;
		sa->sin.sin_port = htons(port);
		memcpy(&sa->sin.sin_addr, a->bytes, 4);
		return sizeof(sa->sin);
	}
	sa->sin6.sin6_family = AF_INET6;
	sa->sin6.sin6_port = htons(port);
	memcpy(&sa->sin6.sin6_addr, a->bytes, 16);
	return sizeof(sa->sin6);
}

static void
cm_add(struct msghdr *mh, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *c =
	    (struct cmsghdr *)((uint8_t *)mh->msg_control + mh->msg_controllen);

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	mh->msg_controllen += CMSG_SPACE(len);
}

/* Source address, and for ESP the header's TOS and TTL, as cmsgs. */
static void
tx_cmsgs(struct msghdr *mh, const struct sock_meta *m, bool with_tos_ttl)
{
	int tos = m->tos, ttl = m->ttl;

	if (m->src.family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, m->src.bytes, 4);
		cm_add(mh, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
		if (with_tos_ttl) {
			cm_add(mh, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
			if (ttl != 0)
				cm_add(
				    mh, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		}
	} else if (m->src.family == AF_INET6) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, m->src.bytes, 16);
		cm_add(mh, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
		if (with_tos_ttl) {
			cm_add(
			    mh, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
			if (ttl != 0)
				cm_add(mh, IPPROTO_IPV6, IPV6_HOPLIMIT, &ttl,
				    sizeof(ttl));
		}
	}
}

/* Message j for pkt; false (EINVAL) when the packet cannot go out. */
static bool
tx_prepare(struct sock *s, size_t j, const struct sock_pkt *pkt)
{
	struct msghdr *mh = &s->msgs[j].msg_hdr;
	const uint8_t *p = pbuf_data(pkt->pb);
	size_t len = pbuf_len(pkt->pb), hl = 0;
	struct sock_meta m;

	memset(mh, 0, sizeof(*mh));
	memset(&m, 0, sizeof(m));
	if (s->type == SOCK_T_RAW_TX || pkt->meta.kind == SOCK_KIND_UDP_ESP) {
		if ((hl = sock_hdr_parse(p, len, &m)) == 0 ||
		    m.src.family != s->family)
			return false;
		if (s->type == SOCK_T_UDP && m.proto != IPPROTO_ESP)
			return false;
	} else {
		m = pkt->meta;
		if (m.dst.family != s->family ||
		    (m.src.family != 0 && m.src.family != s->family))
			return false;
	}
	mh->msg_name = &s->names[j];
	if (s->type == SOCK_T_RAW_TX) {
		mh->msg_namelen = sa_set(&s->names[j], &m.dst, 0);
	} else {
		mh->msg_namelen = sa_set(&s->names[j], &m.dst, pkt->meta.dport);
		mh->msg_control = s->ctl[j].buf;
		tx_cmsgs(mh, &m, hl != 0);
		if (mh->msg_controllen == 0)
			mh->msg_control = NULL;
		p += hl;
		len -= hl;
	}
	s->iov[j].iov_base = (void *)p;
	s->iov[j].iov_len = len;
	mh->msg_iov = &s->iov[j];
	mh->msg_iovlen = 1;
	return true;
}

size_t
sock_send(struct sock *s, const struct sock_pkt *pkts, size_t n)
{
	size_t done = 0;

	if (s->type == SOCK_T_RAW_RX) {
		errno = EOPNOTSUPP;
		return 0;
	}
	while (done < n) {
		size_t k = 0;
		int r;

		while (k < SOCK_BATCH_MAX && done + k < n &&
		    tx_prepare(s, k, &pkts[done + k]))
			k++;
		if (k == 0) {
			errno = EINVAL;
			return done;
		}
		r = sendmmsg(s->fd, s->msgs, (unsigned int)k, MSG_DONTWAIT);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return done;
		}
		/* A short count: the next call reports pkts[done]'s error. */
		done += (size_t)r;
	}
	return done;
}
