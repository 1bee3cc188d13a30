/*
 * Worker threads (worker.h): the epoll loop, the two batch paths
 * between device queues and sockets around dpath's jobs, and the crypto
 * pipeline.
 *
 * Crypto pipeline (DESIGN.md, "crypto is a pipeline stage").  Every
 * packet starts as a dpath job (dpath_output_begin / dpath_input_begin).
 * While its next crypto op is on a synchronous cipher (OpenSSL's own
 * providers) the op runs inline and the job steps on at once: the same
 * work, in the same order, as dpath_output/dpath_input, on a job that is
 * reused packet after packet, so the default provider pays nothing more.
 * An op on an asynchronous cipher (cipher_is_async) is handed with its
 * job to the worker's crypto_queue, and the packet leaves the batch: the
 * job's done callback (job_done) steps it on, submits its next op if the
 * bundle has one, and finally queues it for sending or for its device;
 * flush_async() sends those after each poll of the queue.
 *
 *   tun/socket --begin--> [sync op: inline, step] --> send/write (batch)
 *                  \--> [async op] --crypto_submit--> queue ... epoll
 *                        --crypto_queue_poll--> job_done --step--> send
 *
 * Bounds.  WORKER_JOBS jobs per worker, which is also the queue's
 * in-flight bound: a packet whose op would go asynchronous when none is
 * free is dropped and counted (crypto_queue_full, IPSEC_DROP_QUEUE).
 *
 * Order.  The queue completes the ops of one cipher, which is one SA on
 * this worker, in the order they were submitted, and the sequence number
 * is taken at dpath_output_begin, just before the submit: so one SA's
 * packets leave in sequence-number order.  (A switch from hardware to
 * software after a provider failure may let the first software packets
 * overtake the last hardware ones; the receiver's replay window takes
 * that.)
 *
 * RCU.  A job borrows what its begin looked up: SA entries and their
 * ciphers, the policy, the knobs, the interface it came from.  All of it
 * is freed by the control thread only after a grace period, which needs
 * a quiescent state from this worker.  So the rule is: no quiescent
 * state, and never offline, while a job is in flight.  With jobs in
 * flight the worker waits in epoll for at most WORKER_ASYNC_POLL_MS,
 * online, and announces its quiescent state once the queue is empty.
 * Under steady load the queue may never empty by itself, which would
 * hold every grace period (an SA update, a reload) for ever: so once
 * WORKER_QS_MS have passed without one, the worker stops taking packets
 * and drains the queue (crypto_queue_drain, each completion sent as
 * usual), then announces it.  That costs at most one accelerator
 * latency every WORKER_QS_MS.  An accelerator that never completes keeps
 * the worker there: the control thread's grace periods then wait too,
 * and the watchdog (ipsecd.8) restarts the daemon.
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

#include <openssl/crypto.h>
#include <urcu-qsbr.h>

#include "common/pbuf.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "crypto/submit.h"
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
#define TAG_CRYPTO 0x04000000u
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

/* Buffers of fragments made during a batch, returned after the sends. */
#define WORKER_FRAGS 64

struct frag_bufs {
	size_t n;
	struct pbuf *pbs[WORKER_FRAGS];
};

/*
 * The crypto pipeline (top of this file): packets in flight per worker,
 * how long the worker waits in epoll while some are, and the longest it
 * goes without a quiescent state meanwhile.
 */
#define WORKER_JOBS 256
#define WORKER_ASYNC_POLL_MS 1
#define WORKER_QS_MS 5

/* A packet whose crypto is (or may go) asynchronous. */
struct wjob {
	struct dpath_job dj;
	bool is_out;
	struct iface *ifc;     /* outbound: the device it came from */
	struct sock_meta meta; /* inbound: how it arrived */
	struct wjob *next;     /* on the free list */
};

/* A decrypted packet for its device, written by flush_async. */
struct wdone_in {
	struct iface *ifc;
	struct pbuf *pb;
};

struct worker_jobs {
	struct wjob *free;
	struct wjob *cur; /* the job the next packet begins on */
	/* Completions since the last flush_async. */
	struct frag_bufs fb;
	size_t nput;
	struct pbuf *put[WORKER_JOBS]; /* sent: buffers to give back */
	size_t nin;
	struct wdone_in in[WORKER_JOBS];
	struct wjob jobs[WORKER_JOBS];
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

static void event_put(struct worker *w, const struct wevent *ev);

/*
 * An SA's crypto fell back to software or stopped on this worker
 * (dpath.h): counted here, logged once by the control thread.
 */
static void
crypto_event(void *arg, const struct sad_entry *e, enum dpath_crypto_state st)
{
	struct worker *w = arg;
	struct wevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = WEVENT_CRYPTO;
	ev.u.crypto.spi = e->sa.spi;
	ev.u.crypto.proto = e->sa.proto;
	ev.u.crypto.dst = e->sa.dst;
	ev.u.crypto.state = (uint8_t)st;
	ev.u.crypto.worker = w->index;
	event_put(w, &ev);
	count(&w->st.crypto_failovers, 1);
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
	w->dp.crypto_event = crypto_event;
	w->dp.crypto_arg = w;
	if ((w->jobs = calloc(1, sizeof(*w->jobs))) == NULL)
		goto fail;
	for (size_t i = 0; i < WORKER_JOBS; i++) {
		w->jobs->jobs[i].next = w->jobs->free;
		w->jobs->free = &w->jobs->jobs[i];
	}
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
	free(w->jobs);
	w->jobs = NULL;
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

static struct wjob *jobs_cur(struct worker *w);
static enum ipsec_verdict run_inline(
    struct dpath *d, struct dpath_job *dj, bool is_out, enum ipsec_verdict v);
static bool submit_job(struct worker *w, struct dpath_job *dj);
static void flush_async(struct worker *w);

/*
 * Outbound: a batch from ifc's queue through dpath's jobs to sockets;
 * packets whose crypto goes asynchronous leave the batch (top of file).
 */
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
	struct dpath_job sj;
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
		struct wjob *wj = jobs_cur(w);
		struct dpath_job *dj = wj != NULL ? &wj->dj : &sj;
		const struct dpath_out *out = &dj->out;
		struct ip_info info;
		enum ipsec_verdict v;
		size_t len = pbuf_len(pb);
		bool is_local, is_v4;

		is_local = ip_parse(pbuf_data(pb), len, &info) &&
		    addrset_has(locals, &info.src);
		v = dpath_output_begin(&w->dp, ifc->key, is_local, pb, dj);
		v = run_inline(&w->dp, dj, true, v);
		if (v == IPSEC_PENDING) {
			if (wj != NULL) {
				wj->is_out = true;
				wj->ifc = ifc;
			}
			if (submit_job(w, dj)) {
				pbs[i] = NULL; /* the job owns it */
				continue;
			}
			count(&w->st.crypto_queue_full, 1);
			v = IPSEC_DROP_QUEUE;
		}
		if (v == IPSEC_DROP_TOOBIG)
			send_toobig(w, ifc, q, pb, out);
		if (v == IPSEC_DROP_NOSA) {
			ask_acquire(w, out);
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
		if (out->sa == NULL) {
			/* Bypass: the packet goes out as it is. */
			count(&w->st.bypass_tx, 1);
			send_add(w, is_v4 ? g4 : g6, pb, out);
		} else if (out->is_udp)
			send_outer(w, is_v4 ? u4 : u6, &fb, pb, out);
		else
			send_outer(w, is_v4 ? g4 : g6, &fb, pb, out);
	}
	for (int i = 0; i < 4; i++)
		send_flush(w, &w->g[i]);
	put_all(w, pbs, (size_t)n);
	put_all(w, fb.pbs, fb.n);
	/* Jobs whose async ops finished inline, within crypto_submit. */
	if (w->jobs->nput > 0 || w->jobs->nin > 0)
		flush_async(w);
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

/* ---- the crypto pipeline (top of this file) ---- */

/* The job the next packet begins on, or NULL when all are in flight. */
static struct wjob *
jobs_cur(struct worker *w)
{
	struct worker_jobs *js = w->jobs;

	if (js->cur == NULL && js->free != NULL) {
		js->cur = js->free;
		js->free = js->cur->next;
	}
	return js->cur;
}

static void
job_put(struct worker *w, struct wjob *wj)
{
	wj->next = w->jobs->free;
	w->jobs->free = wj;
}

/* Run the job's ops inline while they are on synchronous ciphers. */
static enum ipsec_verdict
run_inline(
    struct dpath *d, struct dpath_job *dj, bool is_out, enum ipsec_verdict v)
{
	while (v == IPSEC_PENDING && !cipher_is_async(dj->run.job.op.c)) {
		cipher_run(&dj->run.job.op);
		v = is_out ? dpath_output_step(d, dj) : dpath_input_step(d, dj);
	}
	return v;
}

/* Hand the pending op of wj to the queue; false when it has no room. */
static bool
submit_op(struct worker *w, struct wjob *wj)
{
	struct crypto_op *op = &wj->dj.run.job.op;
	uint64_t n;

	op->cookie = wj;
	if (crypto_submit(w->cq, &op, 1) != 1)
		return false;
	count(&w->st.crypto_async, 1);
	n = crypto_queue_inflight(w->cq);
	if (n > atomic_load_explicit(
		    &w->st.crypto_inflight_max, memory_order_relaxed))
		atomic_store_explicit(
		    &w->st.crypto_inflight_max, n, memory_order_relaxed);
	return true;
}

/*
 * A packet begun on dj (w's current job, or a stack job when none is
 * free) whose op is asynchronous: submit it, the job leaving the batch.
 * False when it cannot (no free job, queue full): the caller drops it.
 */
static bool
submit_job(struct worker *w, struct dpath_job *dj)
{
	struct wjob *wj = w->jobs->cur;

	if (wj == NULL || dj != &wj->dj || w->cq == NULL)
		return false;
	w->jobs->cur = NULL;
	if (submit_op(w, wj))
		return true;
	w->jobs->cur = wj;
	return false;
}

static void flush_async(struct worker *w);

/* Keep pb until flush_async has sent what points at it. */
static void
put_later(struct worker *w, struct pbuf *pb)
{
	struct worker_jobs *js = w->jobs;

	if (js->nput == WORKER_JOBS)
		flush_async(w);
	js->put[js->nput++] = pb;
}

/* An outbound job's end: count it, queue it for sending. */
static void
finish_out(struct worker *w, struct wjob *wj, enum ipsec_verdict v)
{
	struct iface_wstats *ist = &wj->ifc->st[w->index];
	const struct dpath_out *out = &wj->dj.out;
	struct pbuf *pb = wj->dj.pb;
	bool is_v4;

	if (v != IPSEC_OK) {
		count(&ist->out_drops[v], 1);
		count(&w->st.out_drops[v], 1);
		pbuf_pool_put(w->pool, pb);
		return;
	}
	count(&ist->out_packets, 1);
	count(&ist->out_bytes, wj->dj.len);
	/* Room for a fragmented packet's pieces (send_outer). */
	if (w->jobs->fb.n + 32 > WORKER_FRAGS)
		flush_async(w);
	is_v4 = pbuf_data(pb)[0] >> 4 == 4;
	send_outer(w, &w->g[out->is_udp ? (is_v4 ? 2 : 3) : (is_v4 ? 0 : 1)],
	    &w->jobs->fb, pb, out);
	put_later(w, pb);
}

/* The device a decapsulated packet goes to, or NULL (counted). */
static struct iface *
in_iface(struct worker *w, const struct dpath_in *in)
{
	const struct iface_table *t = ifaces_of(w);
	struct iface *ifc;

	ifc = t == NULL ? NULL : iface_table_lookup(t, in->if_key);
	if (ifc == NULL && t != NULL)
		ifc = iface_table_lookup(t, 0);
	if (ifc == NULL || w->index >= ifc->nqueues) {
		count(&w->st.no_iface, 1);
		return NULL;
	}
	return ifc;
}

/* An inbound job's end: check the NAT mapping, queue it for its device. */
static void
finish_in(struct worker *w, struct wjob *wj, enum ipsec_verdict v)
{
	struct worker_jobs *js = w->jobs;
	struct pbuf *pb = wj->dj.pb;
	struct iface *ifc;

	if (v != IPSEC_OK) {
		count(&w->st.in_drops[v], 1);
		pbuf_pool_put(w->pool, pb);
		return;
	}
	if (wj->meta.kind == SOCK_KIND_UDP_ESP)
		check_mapping(w, wj->dj.in.sa, &wj->meta);
	if ((ifc = in_iface(w, &wj->dj.in)) == NULL) {
		pbuf_pool_put(w->pool, pb);
		return;
	}
	if (js->nin == WORKER_JOBS)
		flush_async(w);
	js->in[js->nin].ifc = ifc;
	js->in[js->nin].pb = pb;
	js->nin++;
}

/*
 * The queue's completion (crypto_done_fn): step the job on, inline while
 * its ops are synchronous; submit its next asynchronous op, or finish it.
 */
static void
job_done(struct crypto_op *op, void *arg)
{
	struct worker *w = arg;
	struct wjob *wj = op->cookie;
	struct dpath_job *dj = &wj->dj;
	enum ipsec_verdict v;

	count(&w->st.crypto_done, 1);
	if (op->status == CRYPTO_ERROR)
		count(&w->st.crypto_errors, 1);
	v = wj->is_out ? dpath_output_step(&w->dp, dj)
		       : dpath_input_step(&w->dp, dj);
	v = run_inline(&w->dp, dj, wj->is_out, v);
	if (v == IPSEC_PENDING) {
		if (submit_op(w, wj))
			return;
		count(&w->st.crypto_queue_full, 1);
		v = IPSEC_DROP_QUEUE;
	}
	if (wj->is_out)
		finish_out(w, wj, v);
	else
		finish_in(w, wj, v);
	job_put(w, wj);
}

/* Write the decapsulated completions, grouped by device in order. */
static void
write_async(struct worker *w)
{
	struct worker_jobs *js = w->jobs;
	struct tun_group g;

	g.n = 0;
	g.ifc = NULL;
	for (size_t i = 0; i < js->nin; i++) {
		if (g.n > 0 &&
		    (g.ifc != js->in[i].ifc || g.n == WORKER_BATCH)) {
			write_group(w, &g);
			g.n = 0;
		}
		g.ifc = js->in[i].ifc;
		g.pbs[g.n++] = js->in[i].pb;
	}
	if (g.n > 0)
		write_group(w, &g);
	for (size_t i = 0; i < js->nin; i++)
		pbuf_pool_put(w->pool, js->in[i].pb);
	js->nin = 0;
}

/* Send and write what completed since the last call; give buffers back. */
static void
flush_async(struct worker *w)
{
	struct worker_jobs *js = w->jobs;

	for (int i = 0; i < 4; i++)
		send_flush(w, &w->g[i]);
	put_all(w, js->put, js->nput);
	put_all(w, js->fb.pbs, js->fb.n);
	js->nput = 0;
	js->fb.n = 0;
	write_async(w);
}

/* Resume what the accelerator finished, then send it. */
static void
poll_crypto(struct worker *w)
{
	w->dp.now_sec = now_sec();
	crypto_queue_poll(w->cq);
	flush_async(w);
}

/*
 * Inbound: a batch from socket i through dpath's jobs to devices; packets
 * whose crypto goes asynchronous leave the batch (top of file).
 */
static bool
do_rx(struct worker *w, unsigned i)
{
	const struct iface_table *t = ifaces_of(w);
	struct sock_pkt pk[WORKER_BATCH];
	struct pbuf *pbs[WORKER_BATCH];
	struct tun_group groups[4];
	struct dpath_job sj;
	size_t ngroups = 0;
	ssize_t n;

	n = sock_recv(w->rx[i], w->pool, WORKER_HEADROOM, pk, WORKER_BATCH);
	if (n < 0)
		return false;
	w->dp.now_sec = now_sec();
	for (ssize_t k = 0; k < n; k++) {
		struct pbuf *pb = pk[k].pb;
		struct wjob *wj;
		struct dpath_job *dj;
		const struct dpath_in *in;
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
		wj = jobs_cur(w);
		dj = wj != NULL ? &wj->dj : &sj;
		in = &dj->in;
		v = dpath_input_begin(&w->dp, pb, dj);
		v = run_inline(&w->dp, dj, false, v);
		if (v == IPSEC_PENDING) {
			if (wj != NULL) {
				wj->is_out = false;
				wj->meta = pk[k].meta;
			}
			if (submit_job(w, dj)) {
				pbs[k] = NULL; /* the job owns it */
				continue;
			}
			count(&w->st.crypto_queue_full, 1);
			v = IPSEC_DROP_QUEUE;
		}
		if (v != IPSEC_OK) {
			count(&w->st.in_drops[v], 1);
			continue;
		}
		if (pk[k].meta.kind == SOCK_KIND_UDP_ESP)
			check_mapping(w, in->sa, &pk[k].meta);
		ifc = t == NULL ? NULL : iface_table_lookup(t, in->if_key);
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
	if (w->jobs->nput > 0 || w->jobs->nin > 0)
		flush_async(w);
	return n == WORKER_BATCH;
}

static void
drain_evfd(struct worker *w)
{
	uint64_t v;

	while (read(w->evfd, &v, sizeof(v)) == sizeof(v))
		;
}

/* Milliseconds on a monotonic clock (the quiescent-state deadline). */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * The crypto queue, made on this thread (its ASYNC jobs are this
 * thread's), its descriptor in the epoll set.  Without one (out of
 * memory or descriptors) asynchronous ops are refused and their packets
 * dropped and counted; synchronous ciphers work as ever.
 */
static void
crypto_start(struct worker *w)
{
	struct epoll_event ev;

	w->cq = crypto_queue_new(WORKER_JOBS, job_done, w);
	if (w->cq == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = TAG_CRYPTO;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, crypto_queue_fd(w->cq), &ev) ==
	    -1) {
		crypto_queue_free(w->cq);
		w->cq = NULL;
	}
}

/* At the end: the jobs in flight finish (or are abandoned), sent first. */
static void
crypto_stop(struct worker *w)
{
	if (w->cq == NULL)
		return;
	(void)crypto_queue_drain(w->cq, CRYPTO_DRAIN_MS);
	flush_async(w);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, crypto_queue_fd(w->cq), NULL);
	crypto_queue_free(w->cq);
	w->cq = NULL;
}

/*
 * After a round of events: the quiescent state, when no job is in
 * flight; else, once WORKER_QS_MS passed without one, drain the queue
 * first (top of file, "RCU").  *last_qs: when the last one was.
 */
static void
quiesce(struct worker *w, uint64_t *last_qs)
{
	uint64_t now;

	if (w->cq == NULL || crypto_queue_inflight(w->cq) == 0) {
		urcu_qsbr_quiescent_state();
		if (w->cq != NULL)
			*last_qs = mono_ms();
		return;
	}
	now = mono_ms();
	if (now - *last_qs < WORKER_QS_MS)
		return;
	w->dp.now_sec = now_sec();
	if (crypto_queue_drain(w->cq, CRYPTO_DRAIN_MS) == -1) {
		/* A wedged accelerator: its jobs still borrow SAs. */
		flush_async(w);
		return;
	}
	flush_async(w);
	urcu_qsbr_quiescent_state();
	*last_qs = mono_ms();
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[64];
	int polled[IFACE_MAX];
	const struct iface_table *t;
	uint64_t last_qs = mono_ms();

	for (size_t i = 0; i < IFACE_MAX; i++)
		polled[i] = -1;
	urcu_qsbr_register_thread();
	w->g[0].s = w->tx4;
	w->g[1].s = w->tx6;
	w->g[2].s = w->rx[WORKER_UDP4];
	w->g[3].s = w->rx[WORKER_UDP6];
	crypto_start(w);
	while (!atomic_load(&w->stop)) {
		bool is_busy =
		    w->cq != NULL && crypto_queue_inflight(w->cq) > 0;
		int n;

		t = ifaces_of(w);
		if (t != NULL && t->gen != w->synced_gen) {
			sync_ifaces(w, t, polled, IFACE_MAX);
			w->synced_gen = t->gen;
			atomic_store(&w->acked_gen, t->gen);
		}
		if (is_busy) {
			/* Online: the jobs in flight borrow SAs (top of file).
			 */
			n = epoll_wait(w->epfd, evs, 64, WORKER_ASYNC_POLL_MS);
		} else {
			urcu_qsbr_thread_offline();
			n = epoll_wait(w->epfd, evs, 64,
			    w->hold->n > 0 ? WORKER_RETRY_MS : 1000);
			urcu_qsbr_thread_online();
		}
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
			case TAG_CRYPTO:
				/* Polled below, after every round. */
				break;
			default:
				break;
			}
		}
		/* Also jobs that expose no wait fd (submit.h). */
		if (w->cq != NULL && crypto_queue_inflight(w->cq) > 0)
			poll_crypto(w);
		quiesce(w, &last_qs);
	}
	crypto_stop(w);
	sync_ifaces(w, NULL, polled, IFACE_MAX);
	urcu_qsbr_unregister_thread();
	/* The thread's OpenSSL state, its pool of ASYNC jobs included. */
	OPENSSL_thread_stop();
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
