/*
 * NAT traversal on the control thread (natt.h): NAT-keepalives (RFC 3948
 * section 2.3) for ESP-in-UDP SAs, and NAT mapping changes that workers
 * saw (RFC 3948 section 5.2; Linux's xfrm reports them with
 * SADB_X_NAT_T_NEW_MAPPING and moves its SAs when the key manager says
 * so; ipsecd moves them itself, as issue 4 asks, and then reports).
 */
#include "config.h"

#include "daemon/natt.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu-qsbr.h>

#include "common/log.h"
#include "common/rd.h"
#include "daemon/addrset.h"
#include "daemon/conf.h"
#include "daemon/daemon.h"
#include "ipsec/iphdr.h"
#include "ipsec/sad.h"
#include "pfkey/server.h"

/* One keepalive's endpoints, for de-duplication. */
struct ka {
	struct addr src;
	struct addr dst;
	uint16_t sport;
	uint16_t dport;
};

static int
ka_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct ka));
}

static int
raw_open(int family, uint32_t mark)
{
	int fd = socket(
		family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW),
	    one = 1;

	if (fd == -1)
		return -1;
	if ((family == AF_INET6 &&
		setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one)) ==
		    -1) ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Build the keepalive (UDP from sport to dport carrying the one byte 0xFF)
 * in p, returns its length.  IPv4 with a UDP checksum too (optional there,
 * but nothing is lost by giving it); IPv6 requires it.
 */
static size_t
ka_build(const struct ka *k, uint8_t *p)
{
	size_t hl = k->src.family == AF_INET ? 20 : 40, tot = hl + 9;
	uint8_t *u = p + hl;
	uint32_t sum;

	memset(p, 0, tot);
	if (k->src.family == AF_INET) {
		p[0] = 0x45;
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		memcpy(p + 12, k->src.bytes, 4);
		memcpy(p + 16, k->dst.bytes, 4);
		ip_set_len(p, AF_INET, tot);
		sum = ip_csum_add(0, p + 12, 8);
	} else {
		p[0] = 0x60;
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		memcpy(p + 8, k->src.bytes, 16);
		memcpy(p + 24, k->dst.bytes, 16);
		ip_set_len(p, AF_INET6, tot);
		sum = ip_csum_add(0, p + 8, 32);
	}
	wr_u16(u, k->sport);
	wr_u16(u + 2, k->dport);
	wr_u16(u + 4, 9);
	u[8] = 0xff;
	sum += IPPROTO_UDP + 9;
	sum = ip_csum_fold(ip_csum_add(sum, u, 9));
	wr_u16(u + 6, sum == 0 ? 0xffff : (uint16_t)sum);
	return tot;
}

static void
ka_send(struct natt *n, const struct ka *k)
{
	struct sockaddr_storage ss;
	uint8_t pkt[64];
	size_t len = ka_build(k, pkt);
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (k->dst.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, k->dst.bytes, 4);
		sl = sizeof(*sin);
		fd = n->fd4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, k->dst.bytes, 16);
		sl = sizeof(*sin6);
		fd = n->fd6;
	}
	if (fd == -1 ||
	    sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len)
		n->ka_errors++;
	else
		n->ka_sent++;
}

/*
 * Every ESP-in-UDP SA whose source is one of our addresses sends toward a
 * peer that may sit behind a NAT (or we do): one keepalive per distinct
 * (source, port, destination, port) keeps the NAT's mapping open.
 */
static void
ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipsecd *d = arg;
	struct natt *n = d->natt;
	struct sad_cursor *c;
	struct sad_entry *e;
	struct ka *v = NULL, *tmp;
	size_t nv = 0, cap = 0;

	(void)fd;
	(void)what;
	urcu_qsbr_thread_online();
	if ((c = sad_cursor_new(d->sad)) == NULL)
		goto out;
	while ((e = sad_cursor_next(d->sad, c)) != NULL) {
		if (!(e->sa.flags & SA_F_UDP_ENCAP) || !sad_usable_check(e) ||
		    !addrset_has(d->locals, &e->sa.src))
			continue;
		if (nv == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((tmp = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = tmp;
		}
		memset(&v[nv], 0, sizeof(v[nv]));
		v[nv].src = e->sa.src;
		v[nv].dst = e->sa.dst;
		v[nv].sport = e->sa.encap_sport;
		v[nv].dport = e->sa.encap_dport;
		nv++;
	}
	sad_cursor_free(d->sad, c);
	if (nv > 0)
		qsort(v, nv, sizeof(*v), ka_cmp);
	for (size_t i = 0; i < nv; i++)
		if (i == 0 || ka_cmp(&v[i - 1], &v[i]) != 0)
			ka_send(n, &v[i]);
out:
	free(v);
	urcu_qsbr_thread_offline();
}

/* Arm (or with 0 seconds, stop) the keepalive timer. */
static int
ka_arm(struct ipsecd *d, unsigned sec)
{
	struct natt *n = d->natt;
	struct timeval tv;

	if (n->ka != NULL)
		event_del(n->ka);
	if (d->conf->natt_port == 0 || sec == 0)
		return 0;
	if (n->ka == NULL &&
	    (n->ka = event_new(d->base, -1, EV_PERSIST, ka_cb, d)) == NULL)
		return -1;
	tv.tv_sec = (time_t)sec;
	tv.tv_usec = 0;
	return event_add(n->ka, &tv);
}

int
natt_init(struct ipsecd *d)
{
	struct natt *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	n->fd4 = raw_open(AF_INET, d->conf->mark.value);
	n->fd6 = raw_open(AF_INET6, d->conf->mark.value);
	if (n->fd4 == -1 && n->fd6 == -1) {
		log_warn("nat-t keepalive sockets");
		natt_free(n);
		return -1;
	}
	d->natt = n;
	if (ka_arm(d, d->conf->natt_keepalive_sec) == -1) {
		log_warnx("nat-t keepalive timer");
		return -1;
	}
	return 0;
}

void
natt_reload(struct ipsecd *d, unsigned keepalive_sec)
{
	if (d->natt == NULL)
		return;
	if (ka_arm(d, keepalive_sec) == -1)
		log_warnx("nat-t keepalive timer: keepalives stopped");
	else if (keepalive_sec != d->conf->natt_keepalive_sec &&
	    keepalive_sec == 0)
		log_info("nat-t keepalives off");
	else if (keepalive_sec != d->conf->natt_keepalive_sec)
		log_info("nat-t keepalives every %u s", keepalive_sec);
}

void
natt_free(struct natt *n)
{
	if (n == NULL)
		return;
	if (n->ka != NULL)
		event_free(n->ka);
	if (n->fd4 != -1)
		close(n->fd4);
	if (n->fd6 != -1)
		close(n->fd6);
	free(n);
}

/*
 * A copy of e for publishing in its place: same identity, keys, limits,
 * state and lifetime counts.  sad_update carries the window, counters and
 * sequence number over itself; a copy that goes in with sad_insert (its
 * key changed) gets them here.
 */
static struct sad_entry *
clone_entry(const struct sad_entry *e)
{
	struct sad_entry *ne;

	if ((ne = sad_entry_new(&e->sa, e->replay_bytes, e->add_sec)) == NULL)
		return NULL;
	if (e->replay_bytes > 0)
		memcpy(ne->sa.replay, e->sa.replay, e->replay_bytes);
	atomic_store(&ne->sa.seq_out, atomic_load(&e->sa.seq_out));
	atomic_store(&ne->use_sec, atomic_load(&e->use_sec));
	atomic_store(&ne->cur_bytes, atomic_load(&e->cur_bytes));
	atomic_store(&ne->cur_packets, atomic_load(&e->cur_packets));
	sad_state_set(ne, SA_STATE_MATURE);
	if (sad_state(e) != SA_STATE_MATURE)
		sad_state_set(ne, sad_state(e));
	return ne;
}

/* Move the SAs toward the old peer address and port to the new ones. */
static void
move_outbound(struct ipsecd *d, const struct sad_entry *in,
    const struct addr *old, uint16_t old_port, const struct addr *new,
    uint16_t new_port)
{
	struct sad_cursor *c;
	struct sad_entry *e, *ne, *todo[64];
	size_t n = 0;

	if ((c = sad_cursor_new(d->sad)) == NULL)
		return;
	while ((e = sad_cursor_next(d->sad, c)) != NULL && n < 64)
		if ((e->sa.flags & SA_F_UDP_ENCAP) &&
		    e->sa.proto == IPPROTO_ESP && addr_eq(&e->sa.dst, old) &&
		    e->sa.encap_dport == old_port &&
		    addr_eq(&e->sa.src, &in->sa.dst))
			todo[n++] = e;
	sad_cursor_free(d->sad, c);
	for (size_t i = 0; i < n; i++) {
		if ((ne = clone_entry(todo[i])) == NULL) {
			log_warn("sa 0x%08x: nat mapping", todo[i]->sa.spi);
			continue;
		}
		ne->sa.dst = *new;
		ne->sa.encap_dport = new_port;
		/* Its key (spi, proto, dst) changes: out with the old. */
		sad_delete(d->sad, todo[i]);
		if (sad_insert(d->sad, ne) != SAD_OK)
			log_warnx("sa 0x%08x: nat mapping: cannot re-insert",
			    ne->sa.spi);
	}
}

void
ipsecd_nat_mapping(struct ipsecd *d, const struct wevent *ev)
{
	struct sad_entry *e, *ne;
	struct addr old;
	uint16_t old_port;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	e = sad_lookup_spi(d->sad, ev->u.nat.spi, IPPROTO_ESP, &ev->u.nat.dst);
	if (e == NULL || !(e->sa.flags & SA_F_UDP_ENCAP) ||
	    !sad_usable_check(e) ||
	    (addr_eq(&e->sa.src, &ev->u.nat.src) &&
		e->sa.encap_sport == ev->u.nat.sport))
		return;
	old = e->sa.src;
	old_port = e->sa.encap_sport;
	if ((ne = clone_entry(e)) == NULL) {
		log_warn("sa 0x%08x: nat mapping", e->sa.spi);
		return;
	}
	ne->sa.src = ev->u.nat.src;
	ne->sa.encap_sport = ev->u.nat.sport;
	if (sad_update(d->sad, ne) != SAD_OK)
		return;
	log_info("sa 0x%08x: nat mapping changed: %s[%u] -> %s[%u]", ne->sa.spi,
	    addr_fmt(&old, a, sizeof(a)), old_port,
	    addr_fmt(&ev->u.nat.src, b, sizeof(b)), ev->u.nat.sport);
	move_outbound(d, ne, &old, old_port, &ev->u.nat.src, ev->u.nat.sport);
	/*
	 * Reported from the SA as it was: af_key's NEW_MAPPING carries the
	 * old address and port in ADDRESS_SRC and X_NAT_T_SPORT, the new
	 * ones in ADDRESS_DST and X_NAT_T_DPORT.  The replaced entry e is
	 * freed only after a grace period, which cannot end while this
	 * thread is online.
	 */
	pfkey_server_new_mapping(d->pfkey, e, &ev->u.nat.src, ev->u.nat.sport);
}
