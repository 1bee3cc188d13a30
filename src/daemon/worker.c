/*
 * Worker threads (worker.h): the epoll loop, and the two batch paths
 * between device queues and sockets around dpath_output/dpath_input.
 */
#include "config.h"

#include "daemon/worker.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "common/pbuf.h"
#include "crypto/provider.h"
#include "daemon/addrset.h"
#include "daemon/iface.h"
#include "daemon/sock.h"
#include "daemon/tun.h"
#include "ipsec/frag.h"
#include "ipsec/iphdr.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

/* Packets per batch, and batches per descriptor per wake-up (fairness). */
#define WORKER_BATCH 32
#define WORKER_ROUNDS 4
/* Most rounds for one queue while a 64 KB super-packet is split. */
#define WORKER_ROUNDS_SEGS 64
/* Pool: enough for a batch in flight on every path, with slack. */
#define WORKER_POOL_BUFS 512
#define WORKER_BUF_SIZE 16384
#define WORKER_HEADROOM 256

/*
 * Packets waiting for an SA an ACQUIRE asked for: at most WORKER_HOLD per
 * worker, each at most WORKER_HOLD_SEC seconds, retried every
 * WORKER_RETRY_MS (Linux's xfrm policy queue holds 100 per policy).
 */
#define WORKER_HOLD 128
#define WORKER_HOLD_SEC 10
#define WORKER_RETRY_MS 20
/* At most one event per policy (or SA) per second per worker. */
#define WORKER_RATE_SLOTS 256

struct held {
	struct pbuf *pb;
	uint32_t if_key;
	bool is_local;
	uint64_t since;
};

struct worker_hold {
	size_t n;
	struct held h[WORKER_HOLD];
};

struct worker_rate {
	uint32_t key[WORKER_RATE_SLOTS];
	uint64_t sec[WORKER_RATE_SLOTS];
};

/* Epoll tags: kind in the top byte, index below. */
#define TAG_EVFD 0x01000000u
#define TAG_RX 0x02000000u
#define TAG_TUN 0x03000000u
#define TAG_KIND(t) ((t)&0xff000000u)
#define TAG_INDEX(t) ((t)&0x00ffffffu)

/* Outer packets waiting to be sent on one socket (send_flush). */
#define WORKER_GROUP 64

struct send_group {
	struct sock *s;
	size_t n;
	struct sock_pkt pk[WORKER_GROUP];
	struct sad_entry *sa[WORKER_GROUP];
};

static const struct {
	int family;
	uint8_t proto;
} rx_socks[] = {
	[WORKER_RAW_ESP4] = { AF_INET, IPPROTO_ESP },
	[WORKER_RAW_AH4] = { AF_INET, IPPROTO_AH },
	[WORKER_RAW_COMP4] = { AF_INET, IPPROTO_COMP },
	[WORKER_RAW_ESP6] = { AF_INET6, IPPROTO_ESP },
	[WORKER_RAW_AH6] = { AF_INET6, IPPROTO_AH },
	[WORKER_RAW_COMP6] = { AF_INET6, IPPROTO_COMP },
	[WORKER_UDP4] = { AF_INET, IPPROTO_UDP },
	[WORKER_UDP6] = { AF_INET6, IPPROTO_UDP },
};

static void
count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static bool
is_nofamily(int err)
{
	return err == EAFNOSUPPORT || err == EPROTONOSUPPORT;
}

static uint32_t
probe_pmtu(void *arg, const struct addr *dst)
{
	struct worker *w = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, mtu = 0;
	socklen_t ml = sizeof(mtu);

	memset(&ss, 0, sizeof(ss));
	if (dst->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		fd = w->probe4;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		memcpy(&sin->sin_addr, dst->bytes, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		fd = w->probe6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		memcpy(&sin6->sin6_addr, dst->bytes, 16);
		sl = sizeof(*sin6);
	}
	if (fd == -1 || connect(fd, (struct sockaddr *)&ss, sl) == -1)
		return 0;
	if (getsockopt(fd, dst->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		dst->family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &ml) == -1)
		return 0;
	return mtu > 0 ? (uint32_t)mtu : 0;
}

/* A UDP socket, never sent on, whose connect asks the kernel for a PMTU. */
static int
probe_open(int family, uint32_t mark)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd != -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
worker_init(struct worker *w, struct worker_shared *sh, unsigned index,
    uint16_t natt_port)
{
	struct epoll_event ev;
	int saved;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->sh = sh;
	w->epfd = -1;
	w->evfd = -1;
	w->probe4 = w->probe6 = -1;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = TAG_EVFD;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) == -1)
		goto fail;
	for (unsigned i = 0; i < WORKER_NRX; i++) {
		if (rx_socks[i].proto == IPPROTO_UDP)
			w->rx[i] = natt_port == 0
			    ? NULL
			    : sock_udp_new(rx_socks[i].family, NULL, natt_port,
				  sh->mark);
		else
			w->rx[i] = sock_raw_rx_new(rx_socks[i].family,
			    rx_socks[i].proto, sh->mark, index, sh->nworkers);
		if (w->rx[i] == NULL) {
			if (natt_port == 0 && rx_socks[i].proto == IPPROTO_UDP)
				continue;
			if (rx_socks[i].family == AF_INET6 &&
			    is_nofamily(errno))
				continue;
			goto fail;
		}
		ev.data.u32 = TAG_RX | i;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, sock_fd(w->rx[i]), &ev) ==
		    -1)
			goto fail;
	}
	if ((w->tx4 = sock_raw_tx_new(AF_INET, sh->mark)) == NULL)
		goto fail;
	if ((w->tx6 = sock_raw_tx_new(AF_INET6, sh->mark)) == NULL &&
	    !is_nofamily(errno))
		goto fail;
	w->pool =
	    pbuf_pool_new(WORKER_POOL_BUFS, WORKER_BUF_SIZE, WORKER_HEADROOM);
	w->g = calloc(4, sizeof(*w->g));
	w->hold = calloc(1, sizeof(*w->hold));
	w->rate = calloc(1, sizeof(*w->rate));
	if (w->pool == NULL || w->g == NULL || w->hold == NULL ||
	    w->rate == NULL)
		goto fail;
	if (dpath_init(&w->dp, &sh->dp, index, 10) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	w->probe4 = probe_open(AF_INET, sh->mark);
	w->probe6 = probe_open(AF_INET6, sh->mark);
	w->dp.pmtu_probe = probe_pmtu;
	w->dp.pmtu_arg = w;
	return 0;
fail:
	saved = errno;
	worker_clear(w);
	errno = saved;
	return -1;
}

void
worker_clear(struct worker *w)
{
	for (unsigned i = 0; i < WORKER_NRX; i++)
		sock_free(w->rx[i]);
	sock_free(w->tx4);
	sock_free(w->tx6);
	if (w->dp.sh != NULL)
		dpath_clear(&w->dp);
	for (size_t i = 0; w->hold != NULL && i < w->hold->n; i++)
		pbuf_pool_put(w->pool, w->hold->h[i].pb);
	pbuf_pool_free(w->pool);
	free(w->g);
	free(w->hold);
	free(w->rate);
	w->g = NULL;
	w->hold = NULL;
	w->rate = NULL;
	if (w->evfd != -1)
		close(w->evfd);
	if (w->probe4 != -1)
		close(w->probe4);
	if (w->probe6 != -1)
		close(w->probe6);
	w->probe4 = w->probe6 = -1;
	if (w->epfd != -1)
		close(w->epfd);
	memset(w->rx, 0, sizeof(w->rx));
	w->tx4 = w->tx6 = NULL;
	w->pool = NULL;
	w->evfd = w->epfd = -1;
}

static const struct iface_table *
ifaces_of(const struct worker *w)
{
	return atomic_load_explicit(&w->sh->ifaces, memory_order_acquire);
}

/*
 * Register this worker's queue of every device in the current table and
 * forget the ones no longer there.  Tags carry the table slot; a queue fd
 * that left the table is removed from the epoll set here, before the
 * control thread's grace period ends and it closes the fd.
 */
static void
sync_ifaces(
    struct worker *w, const struct iface_table *t, int *polled, size_t npolled)
{
	struct epoll_event ev;

	for (size_t i = 0; i < npolled; i++)
		if (polled[i] != -1) {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, polled[i], NULL);
			polled[i] = -1;
		}
	if (t == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	for (unsigned i = 0; i < t->n && i < npolled; i++) {
		const struct tun_queue *q = &t->v[i]->q[w->index];

		if (w->index >= t->v[i]->nqueues || q->fd == -1)
			continue;
		ev.data.u32 = TAG_TUN | i;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, q->fd, &ev) == 0)
			polled[i] = q->fd;
	}
}

static uint64_t
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

static void
refill_random(struct worker *w)
{
	struct dpath *d = &w->dp;

	if (d->rnd_left >= sizeof(d->rnd) / 2)
		return;
	if (crypto_lib_rand(w->sh->dp.lib, d->rnd, sizeof(d->rnd)) == 0)
		d->rnd_left = sizeof(d->rnd);
}

/* Put a batch's buffers back. */
static void
put_all(struct worker *w, struct pbuf **pbs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pbs[i] != NULL)
			pbuf_pool_put(w->pool, pbs[i]);
}

/*
 * Outer packets waiting to be sent on one socket.  A packet the kernel
 * refuses with EMSGSIZE makes the worker probe its SA's path MTU again
 * (dpath_set_pmtu to 0) so the next ones are fragmented or answered with
 * ICMP before they are encrypted.
 */

static void
send_flush(struct worker *w, struct send_group *g)
{
	size_t done = 0, sent;

	if (g->s == NULL) {
		count(&w->st.send_err, g->n);
		g->n = 0;
		return;
	}
	while (done < g->n) {
		sent = sock_send(g->s, g->pk + done, g->n - done);
		count(&w->st.sock_tx, sent);
		done += sent;
		if (done == g->n)
			break;
		if (errno == EAGAIN || errno == ENOBUFS) {
			count(&w->st.out_drops[IPSEC_DROP_QUEUE], g->n - done);
			break;
		}
		if (errno == EMSGSIZE && g->sa[done] != NULL)
			dpath_set_pmtu(&w->dp, g->sa[done], 0);
		count(&w->st.send_err, 1);
		done++;
	}
	g->n = 0;
}

static void
send_add(struct worker *w, struct send_group *g, struct pbuf *pb,
    const struct dpath_out *out)
{
	struct sock_pkt *pk;

	if (g->n == WORKER_GROUP)
		send_flush(w, g);
	pk = &g->pk[g->n];
	memset(pk, 0, sizeof(*pk));
	pk->pb = pb;
	pk->meta.kind = out->is_udp ? SOCK_KIND_UDP_ESP : SOCK_KIND_IP;
	pk->meta.sport = out->sport;
	pk->meta.dport = out->dport;
	g->sa[g->n++] = out->sa;
}

/* Buffers of fragments made during a batch, returned after the sends. */
#define WORKER_FRAGS 64

struct frag_bufs {
	size_t n;
	struct pbuf *pbs[WORKER_FRAGS];
};

/*
 * Queue an outer packet for sending, fragmented first when it exceeds the
 * path MTU of its SA (frag.h): the kernel never fragments what a raw
 * hdrincl socket sends.
 */
static void
send_outer(struct worker *w, struct send_group *g, struct frag_bufs *fb,
    struct pbuf *pb, const struct dpath_out *out)
{
	struct pbuf *frags[32];
	size_t nfr = 0, nout;
	uint32_t pmtu = out->sa == NULL ? 0 : dpath_pmtu(&w->dp, out->sa);
	enum ipsec_verdict v;

	if (pmtu == 0 || pbuf_len(pb) <= pmtu || out->is_udp) {
		/* UDP: the kernel's own UDP path fragments as needed. */
		send_add(w, g, pb, out);
		return;
	}
	while (nfr < sizeof(frags) / sizeof(frags[0]) &&
	    fb->n + nfr < WORKER_FRAGS &&
	    (frags[nfr] = pbuf_pool_get(w->pool)) != NULL) {
		pbuf_reset(frags[nfr], WORKER_HEADROOM);
		nfr++;
	}
	v = ip_fragment(pb, pmtu, w->frag_id++, frags, nfr, &nout);
	for (size_t i = nout; i < nfr; i++)
		pbuf_pool_put(w->pool, frags[i]);
	if (v != IPSEC_OK) {
		for (size_t i = 0; i < nout; i++)
			pbuf_pool_put(w->pool, frags[i]);
		count(&w->st.out_drops[v], 1);
		return;
	}
	send_add(w, g, pb, out);
	for (size_t i = 0; i < nout; i++) {
		fb->pbs[fb->n++] = frags[i];
		send_add(w, g, frags[i], out);
	}
}

/* Answer an oversized DF packet with ICMP too-big into its device. */
static void
send_toobig(struct worker *w, const struct iface *ifc,
    const struct tun_queue *q, const struct pbuf *inner,
    const struct dpath_out *out)
{
	const struct addr *from;
	struct pbuf *pb;
	uint8_t family = pbuf_data(inner)[0] >> 4 == 4 ? AF_INET : AF_INET6;

	from = family == AF_INET ? &ifc->local4 : &ifc->local6;
	if (from->family == 0 && out->sa != NULL &&
	    out->sa->sa.src.family == family)
		from = &out->sa->sa.src;
	if (from->family != family || (pb = pbuf_pool_get(w->pool)) == NULL)
		return;
	pbuf_reset(pb, WORKER_HEADROOM);
	if (dpath_icmp_toobig(
		pbuf_data(inner), pbuf_len(inner), out->inner_mtu, from, pb) &&
	    tun_write(q, &pb, 1) == 1)
		count(&w->st.icmp_tx, 1);
	pbuf_pool_put(w->pool, pb);
}

/* Whether an event for key may go now (one per key per second). */
static bool
rate_ok(struct worker *w, uint32_t key, uint64_t now)
{
	size_t i = (key * 0x9e3779b1u) % WORKER_RATE_SLOTS;
	struct worker_rate *r = w->rate;

	if (r->key[i] == key && r->sec[i] == now)
		return false;
	r->key[i] = key;
	r->sec[i] = now;
	return true;
}

static void
event_put(struct worker *w, const struct wevent *ev)
{
	uint64_t one = 1;

	if (wevent_put(&w->events, ev) && w->sh->evfd != -1 &&
	    write(w->sh->evfd, &one, sizeof(one)) != sizeof(one))
		return; /* the counter is high: the control thread will look */
}

/* Ask the control thread for an ACQUIRE (rate-limited per policy). */
static void
ask_acquire(struct worker *w, const struct dpath_out *out)
{
	struct wevent ev;

	if (out->pol == NULL || !rate_ok(w, out->pol->id, w->dp.now_sec))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = WEVENT_ACQUIRE;
	ev.u.acq.policy_id = out->pol->id;
	ev.u.acq.flow = out->flow;
	event_put(w, &ev);
	count(&w->st.acquires, 1);
}

/* Keep pb until its SA comes; false when the queue is full. */
static bool
hold_put(struct worker *w, struct pbuf *pb, uint32_t if_key, bool is_local)
{
	struct held *h;

	if (w->hold->n == WORKER_HOLD)
		return false;
	h = &w->hold->h[w->hold->n++];
	h->pb = pb;
	h->if_key = if_key;
	h->is_local = is_local;
	h->since = w->dp.now_sec;
	count(&w->st.held, 1);
	return true;
}

/*
 * Try the held packets again: those whose SA arrived are sent, those
 * past WORKER_HOLD_SEC (or refused for another reason) dropped.
 */
static void
hold_retry(struct worker *w)
{
	struct worker_hold *hq = w->hold;
	struct send_group *g4 = &w->g[0], *g6 = &w->g[1], *u4 = &w->g[2],
			  *u6 = &w->g[3];
	struct frag_bufs fb;
	struct pbuf *done[WORKER_HOLD];
	size_t keep = 0, ndone = 0;

	g4->s = w->tx4;
	g6->s = w->tx6;
	u4->s = w->rx[WORKER_UDP4];
	u6->s = w->rx[WORKER_UDP6];
	fb.n = 0;
	refill_random(w);
	w->dp.now_sec = now_sec();
	for (size_t i = 0; i < hq->n; i++) {
		struct held *h = &hq->h[i];
		struct dpath_out out;
		struct pbuf *pb = h->pb;
		bool is_v4 = pbuf_data(pb)[0] >> 4 == 4;
		enum ipsec_verdict v;

		v = dpath_output(&w->dp, h->if_key, h->is_local, pb, &out);
		if (v == IPSEC_DROP_NOSA &&
		    w->dp.now_sec - h->since < WORKER_HOLD_SEC) {
			hq->h[keep++] = *h;
			continue;
		}
		done[ndone++] = pb;
		if (v != IPSEC_OK) {
			count(&w->st.held_dropped, 1);
			count(&w->st.out_drops[v], 1);
			continue;
		}
		count(&w->st.held_sent, 1);
		if (out.sa == NULL)
			send_add(w, is_v4 ? g4 : g6, pb, &out);
		else if (out.is_udp)
			send_outer(w, out.dst.family == AF_INET ? u4 : u6, &fb,
			    pb, &out);
		else
			send_outer(w, out.dst.family == AF_INET ? g4 : g6, &fb,
			    pb, &out);
	}
	hq->n = keep;
	for (int i = 0; i < 4; i++)
		send_flush(w, &w->g[i]);
	put_all(w, done, ndone);
	put_all(w, fb.pbs, fb.n);
}

/* Outbound: a batch from ifc's queue through dpath_output to sockets. */
static bool
do_tun(struct worker *w, struct iface *ifc)
{
	struct tun_queue *q = &ifc->q[w->index];
	struct iface_wstats *ist = &ifc->st[w->index];
	const struct addrset *locals =
	    atomic_load_explicit(&w->sh->locals, memory_order_acquire);
	struct pbuf *pbs[WORKER_BATCH];
	struct send_group *g4 = &w->g[0], *g6 = &w->g[1], *u4 = &w->g[2],
			  *u6 = &w->g[3];
	struct frag_bufs fb;
	ssize_t n;

	n = tun_read(q, w->pool, WORKER_HEADROOM, pbs, WORKER_BATCH);
	if (n <= 0)
		return false;
	g4->s = w->tx4;
	g6->s = w->tx6;
	u4->s = w->rx[WORKER_UDP4];
	u6->s = w->rx[WORKER_UDP6];
	fb.n = 0;
	count(&w->st.tun_rx, (uint64_t)n);
	refill_random(w);
	w->dp.now_sec = now_sec();
	for (ssize_t i = 0; i < n; i++) {
		struct pbuf *pb = pbs[i];
		struct dpath_out out;
		struct ip_info info;
		enum ipsec_verdict v;
		size_t len = pbuf_len(pb);
		bool is_local, is_v4;

		is_local = ip_parse(pbuf_data(pb), len, &info) &&
		    addrset_has(locals, &info.src);
		v = dpath_output(&w->dp, ifc->key, is_local, pb, &out);
		if (v == IPSEC_DROP_TOOBIG)
			send_toobig(w, ifc, q, pb, &out);
		if (v == IPSEC_DROP_NOSA) {
			ask_acquire(w, &out);
			if (hold_put(w, pb, ifc->key, is_local)) {
				pbs[i] = NULL; /* the hold queue owns it */
				continue;
			}
			count(&w->st.held_dropped, 1);
		}
		if (v != IPSEC_OK) {
			count(&ist->out_drops[v], 1);
			count(&w->st.out_drops[v], 1);
			continue;
		}
		count(&ist->out_packets, 1);
		count(&ist->out_bytes, len);
		is_v4 = pbuf_data(pb)[0] >> 4 == 4;
		if (out.sa == NULL) {
			/* Bypass: the packet goes out as it is. */
			count(&w->st.bypass_tx, 1);
			send_add(w, is_v4 ? g4 : g6, pb, &out);
		} else if (out.is_udp)
			send_outer(w, is_v4 ? u4 : u6, &fb, pb, &out);
		else
			send_outer(w, is_v4 ? g4 : g6, &fb, pb, &out);
	}
	for (int i = 0; i < 4; i++)
		send_flush(w, &w->g[i]);
	put_all(w, pbs, (size_t)n);
	put_all(w, fb.pbs, fb.n);
	return n == WORKER_BATCH || tun_pending(q);
}

/* The group of decapsulated packets for one interface in a batch. */
struct tun_group {
	struct iface *ifc;
	size_t n;
	struct pbuf *pbs[WORKER_BATCH];
};

static void
write_group(struct worker *w, struct tun_group *g)
{
	const struct tun_queue *q = &g->ifc->q[w->index];
	struct iface_wstats *ist = &g->ifc->st[w->index];
	size_t done = 0, wrote;

	while (done < g->n) {
		wrote = tun_write(q, g->pbs + done, g->n - done);
		for (size_t i = done; i < done + wrote; i++)
			count(&ist->in_bytes, pbuf_len(g->pbs[i]));
		count(&ist->in_packets, wrote);
		count(&w->st.tun_tx, wrote);
		done += wrote;
		if (done < g->n) {
			if (errno == EAGAIN) {
				count(&ist->in_drops[IPSEC_DROP_QUEUE],
				    g->n - done);
				return;
			}
			count(&w->st.send_err, 1);
			done++;
		}
	}
}

/*
 * An authenticated ESP-in-UDP packet from another address or port than
 * its SA's peer: the NAT in front of the peer changed its mapping (RFC
 * 3948 section 5.2 leaves it to the implementation; Linux's xfrm reports
 * it with NEW_MAPPING).  The control thread updates the SAs and tells the
 * key managers.
 */
static void
check_mapping(
    struct worker *w, const struct sad_entry *e, const struct sock_meta *m)
{
	struct wevent ev;

	if (e == NULL || !(e->sa.flags & SA_F_UDP_ENCAP) ||
	    (addr_eq(&m->src, &e->sa.src) && m->sport == e->sa.encap_sport))
		return;
	if (!rate_ok(w, e->sa.spi, w->dp.now_sec))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = WEVENT_NAT_MAPPING;
	ev.u.nat.spi = e->sa.spi;
	ev.u.nat.dst = e->sa.dst;
	ev.u.nat.src = m->src;
	ev.u.nat.sport = m->sport;
	event_put(w, &ev);
	count(&w->st.nat_changes, 1);
}

/* Inbound: a batch from socket i through dpath_input to devices. */
static bool
do_rx(struct worker *w, unsigned i)
{
	const struct iface_table *t = ifaces_of(w);
	struct sock_pkt pk[WORKER_BATCH];
	struct pbuf *pbs[WORKER_BATCH];
	struct tun_group groups[4];
	size_t ngroups = 0;
	ssize_t n;

	n = sock_recv(w->rx[i], w->pool, WORKER_HEADROOM, pk, WORKER_BATCH);
	if (n < 0)
		return false;
	w->dp.now_sec = now_sec();
	for (ssize_t k = 0; k < n; k++) {
		struct pbuf *pb = pk[k].pb;
		struct dpath_in in;
		struct iface *ifc;
		struct tun_group *g = NULL;
		enum ipsec_verdict v;

		pbs[k] = pb;
		switch ((enum sock_kind)pk[k].meta.kind) {
		case SOCK_KIND_IP:
		case SOCK_KIND_UDP_ESP:
			break;
		case SOCK_KIND_KEEPALIVE:
			count(&w->st.keepalive, 1);
			continue;
		case SOCK_KIND_IKE:
			count(&w->st.ike, 1);
			continue;
		case SOCK_KIND_RUNT:
			count(&w->st.runt, 1);
			continue;
		}
		count(&w->st.sock_rx, 1);
		v = dpath_input(&w->dp, pb, &in);
		if (v != IPSEC_OK) {
			count(&w->st.in_drops[v], 1);
			continue;
		}
		if (pk[k].meta.kind == SOCK_KIND_UDP_ESP)
			check_mapping(w, in.sa, &pk[k].meta);
		ifc = t == NULL ? NULL : iface_table_lookup(t, in.if_key);
		if (ifc == NULL && t != NULL)
			ifc = iface_table_lookup(t, 0);
		if (ifc == NULL || w->index >= ifc->nqueues) {
			count(&w->st.no_iface, 1);
			continue;
		}
		for (size_t j = 0; j < ngroups; j++)
			if (groups[j].ifc == ifc)
				g = &groups[j];
		if (g == NULL) {
			if (ngroups == sizeof(groups) / sizeof(groups[0])) {
				write_group(w, &groups[--ngroups]);
			}
			g = &groups[ngroups++];
			g->ifc = ifc;
			g->n = 0;
		}
		g->pbs[g->n++] = pb;
	}
	for (size_t j = 0; j < ngroups; j++)
		write_group(w, &groups[j]);
	put_all(w, pbs, (size_t)n);
	return n == WORKER_BATCH;
}

static void
drain_evfd(struct worker *w)
{
	uint64_t v;

	while (read(w->evfd, &v, sizeof(v)) == sizeof(v))
		;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[64];
	int polled[IFACE_MAX];
	const struct iface_table *t;

	for (size_t i = 0; i < IFACE_MAX; i++)
		polled[i] = -1;
	urcu_qsbr_register_thread();
	while (!atomic_load(&w->stop)) {
		int n;

		t = ifaces_of(w);
		if (t != NULL && t->gen != w->synced_gen) {
			sync_ifaces(w, t, polled, IFACE_MAX);
			w->synced_gen = t->gen;
			atomic_store(&w->acked_gen, t->gen);
		}
		urcu_qsbr_thread_offline();
		n = epoll_wait(
		    w->epfd, evs, 64, w->hold->n > 0 ? WORKER_RETRY_MS : 1000);
		urcu_qsbr_thread_online();
		if (w->hold->n > 0)
			hold_retry(w);
		t = ifaces_of(w);
		for (int i = 0; i < n; i++) {
			uint32_t tag = evs[i].data.u32;
			unsigned idx = TAG_INDEX(tag);

			switch (TAG_KIND(tag)) {
			case TAG_EVFD:
				drain_evfd(w);
				break;
			case TAG_RX:
				for (int r = 0; r < WORKER_ROUNDS; r++)
					if (!do_rx(w, idx))
						break;
				break;
			case TAG_TUN:
				/* A slot of another table: resync first. */
				if (t == NULL || t->gen != w->synced_gen ||
				    idx >= t->n)
					break;
				/*
				 * Past the rounds only while a super-packet's
				 * segments wait (tun.h): its fd may not be
				 * readable again.
				 */
				for (int r = 0; r < WORKER_ROUNDS ||
				     (r < WORKER_ROUNDS_SEGS &&
					 tun_pending(&t->v[idx]->q[w->index]));
				     r++)
					if (!do_tun(w, t->v[idx]))
						break;
				break;
			default:
				break;
			}
		}
		urcu_qsbr_quiescent_state();
	}
	sync_ifaces(w, NULL, polled, IFACE_MAX);
	urcu_qsbr_unregister_thread();
	return NULL;
}

int
worker_start(struct worker *w)
{
	int err;

	atomic_store(&w->stop, false);
	if ((err = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
		errno = err;
		return -1;
	}
	w->is_running = true;
	return 0;
}

static void
wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->evfd, &one, sizeof(one)) != sizeof(one))
		return; /* the counter is already high: it is awake */
}

bool
worker_sync(struct worker *ws, unsigned n, uint64_t gen, unsigned timeout_ms)
{
	struct timespec pause = { 0, 200000 };

	for (unsigned i = 0; i < n; i++)
		if (ws[i].is_running)
			wake(&ws[i]);
	for (unsigned waited = 0; waited <= timeout_ms * 5; waited++) {
		bool is_done = true;

		for (unsigned i = 0; i < n; i++)
			if (ws[i].is_running &&
			    atomic_load(&ws[i].acked_gen) < gen)
				is_done = false;
		if (is_done)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

void
worker_stop(struct worker *w)
{
	if (!w->is_running)
		return;
	atomic_store(&w->stop, true);
	wake(w);
	pthread_join(w->thread, NULL);
	w->is_running = false;
}
