/*
 * Driver of tests/netns/net_sock.sh: outer packets from one namespace to
 * another through sock.c, checked packet by packet.  The process creates
 * each socket in its namespace (setns), so one run needs no
 * synchronisation with anything else.
 *
 *   net_sock raw TXNS RXNS PROTO NWORKERS SRC DST MARK
 *       NWORKERS steered raw receive sockets for PROTO (esp, ah, comp) in
 *       RXNS, a hdrincl send socket with SO_MARK MARK in TXNS; sends 32
 *       SPIs x 4 packets SRC -> DST in batches.  Prints
 *       "sent S received R misrouted M duplicates D malformed B workers W"
 *       or "sent S error ENAME" when the kernel refused to send.
 *   net_sock udp TXNS RXNS NWORKERS SRC SRC2 DST MARK
 *       NWORKERS ESP-in-UDP sockets on port 4500 in RXNS with the
 *       steering program; ESP sent from SRC2 (a second local address,
 *       chosen with IP_PKTINFO), keepalives and IKE packets from SRC.  Then
 *       an "IKE daemon" socket joins the group late and IKE is sent again.
 *       Prints one line per phase (see the script).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "daemon/sock.h"
#include "daemon/sock_bpf.h"
#include "ipsec/iphdr.h"
#include "net_util.h"

#define NSPI 32
#define NREP 4
#define NPKT (NSPI * NREP)
#define MAX_W 16
#define WAIT_MS 3000
#define TOS 0x28
#define TTL 47
#define NIKE 8
#define NKA 4

static struct pbuf_pool *pool;

static uint32_t
spi_of(int i)
{
	return 0x1000u + (uint32_t)i * 0x9e37u;
}

/* The IPsec header and a payload whose bytes name packet k. */
static void
put_ipsec(struct pbuf *pb, uint8_t proto, uint32_t spi, int k)
{
	size_t body = proto == IPPROTO_ESP ? 8 : proto == IPPROTO_AH ? 24 : 4;
	uint8_t *p = pbuf_put(pb, body + 24);

	if (p == NULL) {
		fprintf(stderr, "no room for a test packet\n");
		exit(2);
	}
	memset(p, 0, body);
	memset(p + body, k, 24);
	switch (proto) {
	case IPPROTO_ESP:
		wr_u32(p, spi);
		wr_u32(p + 4, (uint32_t)k + 1);
		break;
	case IPPROTO_AH:
		p[0] = IPPROTO_NONE;
		p[1] = 4; /* AH length in 32-bit words minus 2: 24 bytes */
		wr_u32(p + 4, spi);
		wr_u32(p + 8, (uint32_t)k + 1);
		break;
	default:
		p[0] = IPPROTO_NONE;
		wr_u16(p + 2, (uint16_t)spi);
		break;
	}
}

/* Packet k: the whole IP packet src -> dst carrying proto. */
static struct pbuf *
make_packet(const struct addr *src, const struct addr *dst, uint8_t proto,
    uint32_t spi, int k)
{
	struct pbuf *pb = pbuf_pool_get(pool);
	struct sock_meta m;

	memset(&m, 0, sizeof(m));
	m.src = *src;
	m.dst = *dst;
	m.proto = proto;
	m.tos = TOS;
	m.ttl = TTL;
	put_ipsec(pb, proto, spi, k);
	if (!sock_hdr_build(pb, &m)) {
		fprintf(stderr, "cannot build packet\n");
		exit(2);
	}
	return pb;
}

static uint8_t
proto_of(const char *s)
{
	if (strcmp(s, "esp") == 0)
		return IPPROTO_ESP;
	if (strcmp(s, "ah") == 0)
		return IPPROTO_AH;
	if (strcmp(s, "comp") == 0)
		return IPPROTO_COMP;
	fprintf(stderr, "unknown protocol %s\n", s);
	exit(2);
}

/* What a received packet names: its SPI (or CPI) and its number. */
struct hit {
	uint32_t spi;
	uint8_t k;
};

/* Read the SPI and the packet number of proto after the IP header(s). */
static bool
spi_at(const uint8_t *p, size_t len, uint8_t proto, size_t off, struct hit *h)
{
	size_t at = off + (proto == IPPROTO_AH ? 4 : 0);
	size_t body = off +
	    (proto == IPPROTO_ESP	  ? 8
		    : proto == IPPROTO_AH ? 24
					  : 4);

	if (len <= body)
		return false;
	h->spi = proto == IPPROTO_COMP ? get_u16(p + off + 2) : get_u32(p + at);
	h->k = p[body];
	return true;
}

struct tally {
	int received, misrouted, duplicates, malformed;
	bool seen[NPKT];
	int per_worker[MAX_W];
};

/* One run: the sockets, what was sent, what came back. */
struct ctx {
	unsigned nworkers;
	struct addr src, src2, dst; /* src2: the ESP-in-UDP source */
	uint8_t proto;
	struct sock *rx[MAX_W];
	struct tally t;
	int keepalives, ike;
};

typedef void (*check_fn)(struct ctx *, const struct sock_pkt *, unsigned);

/*
 * Check one received packet of worker w: a whole IP packet with the
 * addresses, protocol, TOS and TTL as sent, on the SPI's worker.
 */
static void
check_one(struct ctx *c, const struct sock_pkt *pkt, unsigned w,
    const struct addr *src)
{
	const uint8_t *p = pbuf_data(pkt->pb);
	size_t len = pbuf_len(pkt->pb);
	const struct addr *dst = &c->dst;
	struct tally *t = &c->t;
	struct ip_info info;
	struct hit h;

	if (!ip_parse(p, len, &info) || info.proto != c->proto ||
	    !addr_eq(&info.src, src) || !addr_eq(&info.dst, dst) ||
	    !addr_eq(&pkt->meta.src, src) || !addr_eq(&pkt->meta.dst, dst) ||
	    info.tos != TOS || info.ttl != TTL ||
	    !spi_at(p, len, c->proto, info.ins_off, &h) || h.k >= NPKT ||
	    h.spi !=
		(c->proto == IPPROTO_COMP ? spi_of(h.k / NREP) & 0xffff
					  : spi_of(h.k / NREP))) {
		t->malformed++;
		return;
	}
	if (t->seen[h.k]) {
		t->duplicates++;
		return;
	}
	t->seen[h.k] = true;
	t->received++;
	t->per_worker[w]++;
	if (sock_steer_worker(h.spi, c->nworkers) != w)
		t->misrouted++;
}

/* Receive until every packet came, then WAIT_MS of quiet at most. */
static void
collect(struct ctx *c, check_fn check)
{
	int fds[MAX_W];

	for (unsigned i = 0; i < c->nworkers; i++)
		fds[i] = sock_fd(c->rx[i]);
	for (;;) {
		struct sock_pkt pkts[SOCK_BATCH_MAX];
		int i;
		ssize_t got;

		/* After the last one, only a duplicate could still come. */
		i = net_wait(
		    fds, c->nworkers, c->t.received >= NPKT ? 200 : WAIT_MS);
		if (i < 0)
			return;
		got = sock_recv(c->rx[i], pool, 64, pkts, SOCK_BATCH_MAX);
		for (ssize_t j = 0; j < got; j++) {
			check(c, &pkts[j], (unsigned)i);
			pbuf_pool_put(pool, pkts[j].pb);
		}
	}
}

static void
raw_check(struct ctx *c, const struct sock_pkt *pkt, unsigned w)
{
	if (pkt->meta.kind != SOCK_KIND_IP || pkt->meta.proto != c->proto) {
		c->t.malformed++;
		return;
	}
	check_one(c, pkt, w, &c->src);
}

static int
cmd_raw(char **argv)
{
	static struct ctx c;
	struct sock *tx;
	struct sock_pkt pkts[NPKT];
	uint32_t mark = (uint32_t)strtoul(argv[8], NULL, 0);
	size_t sent;
	int workers = 0;

	c.proto = proto_of(argv[4]);
	c.nworkers = (unsigned)atoi(argv[5]);
	c.src = net_addr(argv[6]);
	c.dst = net_addr(argv[7]);
	if (c.nworkers == 0 || c.nworkers > MAX_W)
		return 2;
	net_enter(argv[3]);
	for (unsigned w = 0; w < c.nworkers; w++)
		if ((c.rx[w] = sock_raw_rx_new(
			 c.dst.family, c.proto, mark, w, c.nworkers)) == NULL) {
			perror("sock_raw_rx_new");
			return 2;
		}
	net_enter(argv[2]);
	if ((tx = sock_raw_tx_new(c.src.family, mark)) == NULL) {
		perror("sock_raw_tx_new");
		return 2;
	}
	net_enter(NULL);
	for (int k = 0; k < NPKT; k++) {
		memset(&pkts[k].meta, 0, sizeof(pkts[k].meta));
		pkts[k].pb =
		    make_packet(&c.src, &c.dst, c.proto, spi_of(k / NREP), k);
	}
	sent = sock_send(tx, pkts, NPKT);
	if (sent < NPKT) {
		printf("sent %zu error %s\n", sent, net_errname(errno));
		return 1;
	}
	collect(&c, raw_check);
	for (unsigned w = 0; w < c.nworkers; w++) {
		workers += c.t.per_worker[w] > 0;
		sock_free(c.rx[w]);
	}
	sock_free(tx);
	for (int k = 0; k < NPKT; k++)
		pbuf_pool_put(pool, pkts[k].pb);
	printf("sent %zu received %d misrouted %d duplicates %d malformed %d "
	       "workers %d\n",
	    sent, c.t.received, c.t.misrouted, c.t.duplicates, c.t.malformed,
	    workers);
	return 0;
}

static void
udp_check(struct ctx *c, const struct sock_pkt *pkt, unsigned w)
{
	const struct sock_meta *m = &pkt->meta;
	struct tally *t = &c->t;

	if (m->sport != SOCK_NATT_PORT || m->dport != SOCK_NATT_PORT) {
		t->malformed++;
		return;
	}
	switch (m->kind) {
	case SOCK_KIND_UDP_ESP:
		check_one(c, pkt, w, &c->src2);
		return;
	case SOCK_KIND_KEEPALIVE:
		if (w == 0 && addr_eq(&m->src, &c->src) &&
		    pbuf_len(pkt->pb) == 1)
			c->keepalives++;
		else
			t->malformed++;
		return;
	case SOCK_KIND_IKE:
		if (addr_eq(&m->src, &c->src) && pbuf_len(pkt->pb) == 12)
			c->ike++;
		else
			t->malformed++;
		return;
	case SOCK_KIND_IP:
	case SOCK_KIND_RUNT:
		t->malformed++;
		return;
	}
}

/* A bare UDP payload for meta-addressed sending. */
static struct sock_pkt
bare(const struct addr *src, const struct addr *dst, const void *data,
    size_t len, enum sock_kind kind)
{
	struct sock_pkt p;

	memset(&p, 0, sizeof(p));
	p.pb = pbuf_pool_get(pool);
	memcpy(pbuf_put(p.pb, len), data, len);
	p.meta.src = *src;
	p.meta.dst = *dst;
	p.meta.dport = SOCK_NATT_PORT;
	p.meta.kind = (uint8_t)kind;
	return p;
}

static int
send_all(struct sock *tx, struct sock_pkt *pkts, size_t n)
{
	size_t sent = sock_send(tx, pkts, n);

	for (size_t i = 0; i < n; i++)
		pbuf_pool_put(pool, pkts[i].pb);
	if (sent < n) {
		printf("sent %zu error %s\n", sent, net_errname(errno));
		return -1;
	}
	return 0;
}

/* ESP (NPKT), keepalives (nka) and IKE packets (nike) from tx. */
static int
udp_send(struct sock *tx, const struct ctx *c, int nka, int nike)
{
	static const uint8_t ike[12] = { 0, 0, 0, 0, 'i', 'k', 'e' };
	static const uint8_t ka = 0xff;
	struct sock_pkt pkts[NPKT + NKA + NIKE];
	size_t n = 0;

	for (int k = 0; k < NPKT; k++, n++) {
		memset(&pkts[n].meta, 0, sizeof(pkts[n].meta));
		pkts[n].pb = make_packet(
		    &c->src2, &c->dst, IPPROTO_ESP, spi_of(k / NREP), k);
		pkts[n].meta.kind = SOCK_KIND_UDP_ESP;
		pkts[n].meta.dport = SOCK_NATT_PORT;
	}
	for (int k = 0; k < nka; k++)
		pkts[n++] = bare(&c->src, &c->dst, &ka, 1, SOCK_KIND_KEEPALIVE);
	for (int k = 0; k < nike; k++)
		pkts[n++] =
		    bare(&c->src, &c->dst, ike, sizeof(ike), SOCK_KIND_IKE);
	return send_all(tx, pkts, n);
}

/* A plain SO_REUSEPORT socket on the NAT-T port, as charon opens one. */
static int
ike_daemon_socket(int family)
{
	struct sockaddr_storage ss;
	int fd, one = 1;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1 ||
	    (family == AF_INET6 &&
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ==
		    -1)) {
		perror("ike socket");
		exit(2);
	}
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(SOCK_NATT_PORT);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(SOCK_NATT_PORT);
		len = sizeof(struct sockaddr_in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		perror("ike bind");
		exit(2);
	}
	return fd;
}

static int
count_ike(int fd)
{
	uint8_t buf[64];
	int n = 0;

	while (net_wait(&fd, 1, n < NIKE ? WAIT_MS : 200) == 0)
		if (recv(fd, buf, sizeof(buf), 0) == 12 && buf[4] == 'i')
			n++;
	return n;
}

static void
udp_report(const char *phase, const struct ctx *c)
{
	const struct tally *t = &c->t;

	printf("%s esp %d misrouted %d duplicates %d malformed %d "
	       "keepalives %d ike-at-workers %d\n",
	    phase, t->received, t->misrouted, t->duplicates, t->malformed,
	    c->keepalives, c->ike);
}

static int
cmd_udp(char **argv)
{
	static struct ctx c;
	struct sock *tx;
	uint32_t mark = (uint32_t)strtoul(argv[8], NULL, 0);
	int ikefd;

	c.proto = IPPROTO_ESP;
	c.nworkers = (unsigned)atoi(argv[4]);
	c.src = net_addr(argv[5]);
	c.src2 = net_addr(argv[6]);
	c.dst = net_addr(argv[7]);
	if (c.nworkers == 0 || c.nworkers > MAX_W)
		return 2;
	net_enter(argv[3]);
	for (unsigned w = 0; w < c.nworkers; w++)
		if ((c.rx[w] = sock_udp_new(
			 c.dst.family, NULL, SOCK_NATT_PORT, mark)) == NULL) {
			perror("sock_udp_new");
			return 2;
		}
	if (sock_udp_steer(c.rx[0], c.nworkers, c.nworkers) == -1) {
		perror("sock_udp_steer");
		return 2;
	}
	net_enter(argv[2]);
	if ((tx = sock_udp_new(c.src.family, NULL, SOCK_NATT_PORT, mark)) ==
	    NULL) {
		perror("sock_udp_new tx");
		return 2;
	}
	net_enter(NULL);

	/* Phase 1: no IKE daemon; IKE falls back to the kernel's hash. */
	if (udp_send(tx, &c, NKA, NIKE) == -1)
		return 1;
	collect(&c, udp_check);
	udp_report("alone", &c);

	/* Phase 2: the IKE daemon joins at index nworkers. */
	net_enter(argv[3]);
	ikefd = ike_daemon_socket(c.dst.family);
	net_enter(NULL);
	memset(&c.t, 0, sizeof(c.t));
	c.keepalives = c.ike = 0;
	if (udp_send(tx, &c, 0, NIKE) == -1)
		return 1;
	collect(&c, udp_check);
	udp_report("joined", &c);
	printf("ike-at-daemon %d\n", count_ike(ikefd));
	close(ikefd);
	for (unsigned w = 0; w < c.nworkers; w++)
		sock_free(c.rx[w]);
	sock_free(tx);
	return 0;
}

int
main(int argc, char **argv)
{
	int r = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((pool = pbuf_pool_new(4 * NPKT + 64, 2048, 128)) == NULL)
		return 2;
	if (argc == 9 && strcmp(argv[1], "raw") == 0)
		r = cmd_raw(argv);
	else if (argc == 9 && strcmp(argv[1], "udp") == 0)
		r = cmd_udp(argv);
	else
		fprintf(stderr, "usage: see the comment in net_sock.c\n");
	pbuf_pool_free(pool);
	return r;
}
