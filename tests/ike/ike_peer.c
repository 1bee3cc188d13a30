/*
 * ike_peer: a small key manager for the end-to-end tests, written as any
 * PF_KEY program is (socket(PF_KEY), REGISTER, ACQUIRE, GETSPI, UPDATE,
 * ADD, X_SPDADD, EXPIRE, X_NAT_T_NEW_MAPPING) and run under LD_PRELOAD of
 * libipsecd-pfkey.so, so ipsecd is its kernel.  Two of them, one per
 * side, agree on SAs over UDP on the NAT-T port in IKE's framing (a zero
 * non-ESP marker, RFC 3948 section 2.2), sharing that port with ipsecd
 * as an IKE daemon does.  Keys are derived from the SPI (SHA-256 of a
 * label and the SPI): this is a test of the plumbing, not of a key
 * exchange.
 *
 *   ike_peer -r initiator|responder -l LOCAL -p PEER -L LOCALNET
 *            -R REMOTENET [-t transport] [-u] [-o] [-s SOFT] [-h HARD]
 *            [-d SECONDS] [-i REQID] [-P PORT] [-q]
 *
 *   -u  ESP-in-UDP SAs (NAT traversal)    -o  with X_NAT_T_OA
 *   -t  transport mode (LOCALNET and REMOTENET are then ignored)
 *   -q  no PING every second (a quiet NAT mapping); SIGUSR1 still sends
 *       a burst of 5
 *
 * Exchange (initiator I, responder R; generation g counts CHILD SAs):
 *
 *   I: ACQUIRE (first) or soft EXPIRE (rekey) -> GETSPI spi_i
 *   I -> R  CREATE g spi_i oa        R: GETSPI spi_r, UPDATE spi_r (in)
 *   R -> I  CREATED g spi_r          I: UPDATE spi_i (in), ADD spi_r (out)
 *   I -> R  INSTALLED g              R: ADD spi_i (out)
 *   R -> I  DONE g
 *
 * Each side makes its inbound SA usable before the other side's outbound
 * SA to it exists, so nothing is lost across a rekey: the old SAs stay
 * until ipsecd's hard EXPIRE deletes them.  PING/PONG every second keep
 * IKE-like traffic on the shared port while ESP flows.  Lost messages are
 * sent again every 500 ms.  At the end (after -d seconds, or SIGTERM) it
 * prints its counters, one "name value" per line.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

#include <openssl/evp.h>

#include "ike_pfkey.h"

#define RETRY_MS 500
#define TRIES 20

enum st { ST_IDLE, ST_WAIT_CREATED, ST_WAIT_DONE, ST_UP };

struct child {
	uint32_t gen;
	enum st st;
	uint32_t spi_in;
	uint32_t spi_out;
	bool is_rekeyed; /* a successor was started */
	char last[128];	 /* the message to send again */
	uint64_t sent_ms;
	int tries;
};

struct peer {
	bool is_init;
	bool is_udp;
	bool has_oa;
	uint8_t mode;
	struct addr local;
	struct addr remote; /* the peer as we see it (R: learned) */
	uint16_t rport;	    /* its port as we see it */
	uint16_t port;	    /* the NAT-T port */
	struct prefix lnet, rnet;
	uint32_t reqid;
	uint64_t soft, hard;
	struct ikp k;
	int u; /* the UDP socket */
	bool has_policies;
	bool is_quiet;
	struct child cur;
	uint32_t ping_n;
	uint64_t ping_ms;
	/* counters */
	unsigned acquires, getspis, updates, adds, spdadds, spdupdates;
	unsigned soft_exp, hard_exp, hard_cur, children, pings, pongs;
	unsigned new_mappings, mapping_sa2, errors;
	char last_mapping[160];
};

static volatile sig_atomic_t stop;
static volatile sig_atomic_t burst;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	burst = 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
derive(uint32_t spi, uint8_t key[20])
{
	uint8_t in[16] = "ike_peer key";
	uint8_t md[32];
	unsigned mdlen = 0;

	in[12] = (uint8_t)(spi >> 24);
	in[13] = (uint8_t)(spi >> 16);
	in[14] = (uint8_t)(spi >> 8);
	in[15] = (uint8_t)spi;
	EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha256(), NULL);
	memcpy(key, md, 20);
}

static void
err_count(struct peer *p, const char *what, int rc)
{
	p->errors++;
	fprintf(stderr, "ike_peer: %s: %s\n", what, strerror(rc));
}

/* An SA between from and to of our CHILD. */
static struct ikp_sa
sa_of(const struct peer *p, uint32_t spi, bool is_inbound)
{
	struct ikp_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.src = is_inbound ? p->remote : p->local;
	sa.dst = is_inbound ? p->local : p->remote;
	sa.mode = p->mode;
	sa.reqid = p->reqid;
	sa.soft_sec = p->soft;
	sa.hard_sec = p->hard;
	if (p->is_udp) {
		sa.is_udp = true;
		sa.sport = is_inbound ? p->rport : p->port;
		sa.dport = is_inbound ? p->port : p->rport;
	}
	derive(spi, sa.key);
	return sa;
}

static void
send_udp(struct peer *p, const char *text)
{
	uint8_t buf[256];
	size_t n = strlen(text);
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(buf, 0, 4); /* the non-ESP marker */
	memcpy(buf + 4, text, n);
	memset(&ss, 0, sizeof(ss));
	if (p->remote.family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(p->rport);
		memcpy(&s->sin_addr, p->remote.bytes, 4);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(p->rport);
		memcpy(&s->sin6_addr, p->remote.bytes, 16);
		sl = sizeof(*s);
	}
	if (sendto(p->u, buf, n + 4, 0, (struct sockaddr *)&ss, sl) < 0)
		fprintf(stderr, "ike_peer: sendto: %s\n", strerror(errno));
}

/* Send text now and again until the answer comes. */
static void
send_reliable(struct peer *p, const char *text)
{
	snprintf(p->cur.last, sizeof(p->cur.last), "%s", text);
	p->cur.sent_ms = now_ms();
	p->cur.tries = 0;
	send_udp(p, text);
}

static void
policy(struct peer *p, uint8_t type, uint8_t dir)
{
	struct ikp_pol pol;
	bool is_out = dir == IPSEC_DIR_OUTBOUND;
	int rc;

	memset(&pol, 0, sizeof(pol));
	if (p->mode == IPSEC_MODE_TUNNEL) {
		pol.src = is_out ? p->lnet : p->rnet;
		pol.dst = is_out ? p->rnet : p->lnet;
	} else {
		pol.src.addr = is_out ? p->local : p->remote;
		pol.dst.addr = is_out ? p->remote : p->local;
		pol.src.len = pol.dst.len =
		    p->local.family == AF_INET ? 32 : 128;
	}
	pol.dir = dir;
	pol.mode = p->mode;
	pol.tsrc = is_out ? p->local : p->remote;
	pol.tdst = is_out ? p->remote : p->local;
	pol.reqid = p->reqid;
	rc = ikp_spdadd(&p->k, type, &pol);
	if (rc == EEXIST && type == SADB_X_SPDADD)
		rc = ikp_spdadd(&p->k, SADB_X_SPDUPDATE, &pol);
	if (rc != 0) {
		err_count(p, "spdadd", rc);
		return;
	}
	if (type == SADB_X_SPDADD)
		p->spdadds++;
	else
		p->spdupdates++;
}

static void
policies(struct peer *p)
{
	if (p->has_policies)
		return;
	policy(p, SADB_X_SPDADD, IPSEC_DIR_OUTBOUND);
	policy(p, SADB_X_SPDADD, IPSEC_DIR_INBOUND);
	p->has_policies = true;
}

/* Initiator: a new CHILD (seq: the ACQUIRE's, 0 for a rekey). */
static void
start_child(struct peer *p, uint32_t seq)
{
	struct ikp_sa in = sa_of(p, 0, true);
	char msg[128], oa[ADDR_STRLEN];
	uint32_t spi;
	int rc;

	if ((rc = ikp_getspi(&p->k, &in, seq, &spi)) != 0) {
		err_count(p, "getspi", rc);
		return;
	}
	p->getspis++;
	p->cur.gen++;
	p->cur.st = ST_WAIT_CREATED;
	p->cur.spi_in = spi;
	p->cur.spi_out = 0;
	p->cur.is_rekeyed = false;
	snprintf(msg, sizeof(msg), "CREATE %u %08x %s", p->cur.gen, spi,
	    addr_fmt(&p->local, oa, sizeof(oa)));
	send_reliable(p, msg);
}

static void
install(struct peer *p, uint32_t spi, bool is_inbound, const struct addr *oa)
{
	struct ikp_sa sa = sa_of(p, spi, is_inbound);
	int rc;

	if (p->has_oa && oa != NULL)
		sa.oa = *oa;
	rc = ikp_add(&p->k, is_inbound ? SADB_UPDATE : SADB_ADD, &sa);
	memset(sa.key, 0, sizeof(sa.key));
	if (rc != 0) {
		err_count(p, is_inbound ? "update" : "add", rc);
		return;
	}
	if (is_inbound)
		p->updates++;
	else
		p->adds++;
}

/* Initiator: CREATED g spi_r. */
static void
on_created(struct peer *p, uint32_t gen, uint32_t spi_r)
{
	char msg[64];

	if (gen != p->cur.gen || p->cur.st != ST_WAIT_CREATED)
		return;
	p->cur.spi_out = spi_r;
	/* The peer's original address: its own, unchanged by any NAT. */
	install(p, p->cur.spi_in, true, &p->remote);
	install(p, spi_r, false, NULL);
	if (gen == 1)
		policy(p, SADB_X_SPDUPDATE, IPSEC_DIR_OUTBOUND);
	p->cur.st = ST_WAIT_DONE;
	snprintf(msg, sizeof(msg), "INSTALLED %u", gen);
	send_reliable(p, msg);
}

/* Responder: CREATE g spi_i oa. */
static void
on_create(struct peer *p, uint32_t gen, uint32_t spi_i, const struct addr *oa)
{
	struct ikp_sa in;
	char msg[64];
	uint32_t spi;
	int rc;

	if (gen == p->cur.gen && p->cur.st != ST_IDLE) {
		snprintf(
		    msg, sizeof(msg), "CREATED %u %08x", gen, p->cur.spi_in);
		send_udp(p, msg); /* our answer was lost */
		return;
	}
	if (gen <= p->cur.gen)
		return;
	policies(p);
	in = sa_of(p, 0, true);
	if ((rc = ikp_getspi(&p->k, &in, 0, &spi)) != 0) {
		err_count(p, "getspi", rc);
		return;
	}
	p->getspis++;
	install(p, spi, true, oa);
	p->cur.gen = gen;
	p->cur.st = ST_WAIT_CREATED;
	p->cur.spi_in = spi;
	p->cur.spi_out = spi_i;
	snprintf(msg, sizeof(msg), "CREATED %u %08x", gen, spi);
	send_udp(p, msg);
}

/* Responder: INSTALLED g. */
static void
on_installed(struct peer *p, uint32_t gen)
{
	char msg[32];

	if (gen != p->cur.gen)
		return;
	if (p->cur.st == ST_WAIT_CREATED) {
		install(p, p->cur.spi_out, false, NULL);
		p->cur.st = ST_UP;
		p->children++;
	}
	snprintf(msg, sizeof(msg), "DONE %u", gen);
	send_udp(p, msg);
}

static void
on_udp(struct peer *p)
{
	uint8_t buf[512];
	char text[512], a[ADDR_STRLEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addr from, oa;
	unsigned g, n;
	ssize_t len;

	len = recvfrom(p->u, buf, sizeof(buf) - 1, MSG_DONTWAIT,
	    (struct sockaddr *)&ss, &sl);
	if (len < 4 || memcmp(buf, "\0\0\0\0", 4) != 0)
		return; /* only IKE-framed messages reach an IKE socket */
	memcpy(text, buf + 4, (size_t)len - 4);
	text[len - 4] = '\0';
	memset(&from, 0, sizeof(from));
	if (ss.ss_family == AF_INET) {
		addr_set(
		    &from, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr);
		n = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		addr_set(
		    &from, AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr);
		n = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (!p->is_init) {
		/* Where the initiator is now, behind whatever NAT. */
		p->remote = from;
		p->rport = (uint16_t)n;
	}
	if (strncmp(text, "CREATE ", 7) == 0 && !p->is_init) {
		uint32_t spi;

		if (sscanf(text + 7, "%u %x %45s", &g, &spi, a) != 3 ||
		    !addr_parse(&oa, a))
			return;
		on_create(p, g, spi, &oa);
	} else if (strncmp(text, "CREATED ", 8) == 0 && p->is_init) {
		uint32_t spi;

		if (sscanf(text + 8, "%u %x", &g, &spi) == 2)
			on_created(p, g, spi);
	} else if (strncmp(text, "INSTALLED ", 10) == 0 && !p->is_init) {
		if (sscanf(text + 10, "%u", &g) == 1)
			on_installed(p, g);
	} else if (strncmp(text, "DONE ", 5) == 0 && p->is_init) {
		if (sscanf(text + 5, "%u", &g) == 1 && g == p->cur.gen &&
		    p->cur.st == ST_WAIT_DONE) {
			p->cur.st = ST_UP;
			p->children++;
		}
	} else if (strncmp(text, "PING ", 5) == 0 && !p->is_init) {
		char msg[32];

		p->pings++;
		if (sscanf(text + 5, "%u", &g) == 1) {
			snprintf(msg, sizeof(msg), "PONG %u", g);
			send_udp(p, msg);
		}
	} else if (strncmp(text, "PONG ", 5) == 0 && p->is_init) {
		p->pongs++;
	}
}

static bool
is_ours(const struct child *c, uint32_t spi)
{
	return spi != 0 && (spi == c->spi_in || spi == c->spi_out);
}

static void
on_event(struct peer *p, const struct ikp_event *ev)
{
	char a[ADDR_STRLEN];

	switch (ev->type) {
	case SADB_ACQUIRE:
		p->acquires++;
		if (p->is_init && p->cur.gen == 0)
			start_child(p, ev->seq);
		break;
	case SADB_EXPIRE:
		if (!ev->is_hard) {
			p->soft_exp++;
			if (p->is_init && p->cur.st == ST_UP &&
			    !p->cur.is_rekeyed && is_ours(&p->cur, ev->spi)) {
				p->cur.is_rekeyed = true;
				start_child(p, 0);
			}
		} else {
			p->hard_exp++;
			/* A hard expire of the SAs in use is a failed rekey. */
			if (p->cur.st == ST_UP && is_ours(&p->cur, ev->spi))
				p->hard_cur++;
		}
		break;
	case SADB_X_NAT_T_NEW_MAPPING:
		p->new_mappings++;
		if (ev->has_sa2)
			p->mapping_sa2++;
		snprintf(p->last_mapping, sizeof(p->last_mapping),
		    "%08x %s %u ", ev->spi, addr_fmt(&ev->src, a, sizeof(a)),
		    ev->sport);
		addr_fmt(&ev->dst, a, sizeof(a));
		snprintf(p->last_mapping + strlen(p->last_mapping),
		    sizeof(p->last_mapping) - strlen(p->last_mapping), "%s %u",
		    a, ev->dport);
		break;
	default:
		break;
	}
}

static void
timers(struct peer *p)
{
	uint64_t now = now_ms();
	char msg[32];

	if ((p->cur.st == ST_WAIT_CREATED || p->cur.st == ST_WAIT_DONE) &&
	    p->is_init && now - p->cur.sent_ms >= RETRY_MS &&
	    p->cur.tries < TRIES) {
		p->cur.tries++;
		p->cur.sent_ms = now;
		send_udp(p, p->cur.last);
	}
	if (p->is_init && burst) {
		burst = 0;
		for (int i = 0; i < 5; i++) {
			snprintf(msg, sizeof(msg), "PING %u", ++p->ping_n);
			send_udp(p, msg);
			p->pings++;
		}
	}
	if (p->is_init && !p->is_quiet && now - p->ping_ms >= 1000) {
		p->ping_ms = now;
		snprintf(msg, sizeof(msg), "PING %u", ++p->ping_n);
		send_udp(p, msg);
		p->pings++;
	}
}

static int
open_udp(struct peer *p)
{
	struct sockaddr_storage ss;
	struct sadb_x_policy bypass;
	socklen_t sl;
	int family = p->local.family, lvl, opt;

	if ((p->u = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(p->port);
		sl = sizeof(*s);
		lvl = IPPROTO_IP;
		opt = IP_IPSEC_POLICY;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		int one = 1;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(p->port);
		sl = sizeof(*s);
		lvl = IPPROTO_IPV6;
		opt = IPV6_IPSEC_POLICY;
		setsockopt(p->u, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	/* The wildcard, as ipsecd's sockets: the shim joins their group. */
	if (bind(p->u, (struct sockaddr *)&ss, sl) == -1)
		return -1;
	/* What an IKE daemon does to its own socket. */
	memset(&bypass, 0, sizeof(bypass));
	bypass.sadb_x_policy_len = sizeof(bypass) / 8;
	bypass.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	bypass.sadb_x_policy_type = IPSEC_POLICY_BYPASS;
	for (uint8_t dir = IPSEC_DIR_INBOUND; dir <= IPSEC_DIR_OUTBOUND;
	     dir++) {
		bypass.sadb_x_policy_dir = dir;
		if (setsockopt(p->u, lvl, opt, &bypass, sizeof(bypass)) == -1)
			return -1;
	}
	return 0;
}

static void
report(const struct peer *p)
{
	printf("role %s\n", p->is_init ? "initiator" : "responder");
	printf("acquires %u\ngetspi %u\nupdates %u\nadds %u\n", p->acquires,
	    p->getspis, p->updates, p->adds);
	printf("spdadds %u\nspdupdates %u\n", p->spdadds, p->spdupdates);
	printf("soft_expires %u\nhard_expires %u\nhard_current %u\n",
	    p->soft_exp, p->hard_exp, p->hard_cur);
	printf("children %u\npings %u\npongs %u\n", p->children, p->pings,
	    p->pongs);
	printf("new_mappings %u\nnew_mappings_sa2 %u\n", p->new_mappings,
	    p->mapping_sa2);
	if (p->new_mappings > 0)
		printf("last_mapping %s\n", p->last_mapping);
	printf("events_dropped %u\nerrors %u\n", p->k.dropped, p->errors);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ike_peer -r initiator|responder -l LOCAL -p PEER "
	    "[-L NET -R NET] [-t] [-u] [-o] [-s SOFT] [-h HARD] [-d SEC] "
	    "[-i REQID] [-P PORT] [-q]\n");
	exit(2);
}

static void
parse_args(struct peer *p, int argc, char **argv, unsigned *secs)
{
	int ch;

	memset(p, 0, sizeof(*p));
	p->mode = IPSEC_MODE_TUNNEL;
	p->reqid = 7;
	p->port = 4500;
	p->soft = 5;
	p->hard = 8;
	*secs = 20;
	while ((ch = getopt(argc, argv, "r:l:p:L:R:tuoqs:h:d:i:P:")) != -1) {
		switch (ch) {
		case 'r':
			p->is_init = strcmp(optarg, "initiator") == 0;
			break;
		case 'l':
			if (!addr_parse(&p->local, optarg))
				usage();
			break;
		case 'p':
			if (!addr_parse(&p->remote, optarg))
				usage();
			break;
		case 'L':
			if (!prefix_parse(&p->lnet, optarg))
				usage();
			break;
		case 'R':
			if (!prefix_parse(&p->rnet, optarg))
				usage();
			break;
		case 't':
			p->mode = IPSEC_MODE_TRANSPORT;
			break;
		case 'u':
			p->is_udp = true;
			break;
		case 'o':
			p->has_oa = true;
			break;
		case 'q':
			p->is_quiet = true;
			break;
		case 's':
			p->soft = strtoull(optarg, NULL, 10);
			break;
		case 'h':
			p->hard = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			*secs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			p->reqid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'P':
			p->port = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (p->local.family == 0 || p->remote.family == 0 ||
	    (p->mode == IPSEC_MODE_TUNNEL &&
		(p->lnet.addr.family == 0 || p->rnet.addr.family == 0)))
		usage();
	p->rport = p->port;
}

int
main(int argc, char **argv)
{
	struct peer p;
	struct ikp_event ev;
	unsigned secs;
	uint64_t end;
	int rc;

	parse_args(&p, argc, argv, &secs);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGUSR1, on_usr1);
	if (ikp_open(&p.k) == -1) {
		fprintf(
		    stderr, "ike_peer: socket(PF_KEY): %s\n", strerror(errno));
		return 1;
	}
	if ((rc = ikp_register(&p.k, SADB_SATYPE_ESP)) != 0) {
		fprintf(stderr, "ike_peer: register: %s\n", strerror(rc));
		return 1;
	}
	if (open_udp(&p) == -1) {
		fprintf(stderr, "ike_peer: udp port %u: %s\n", p.port,
		    strerror(errno));
		return 1;
	}
	if (p.is_init)
		policies(&p);
	/* Ready: the test script waits for this line. */
	printf("ready\n");
	fflush(stdout);
	end = now_ms() + (uint64_t)secs * 1000u;
	while (!stop && now_ms() < end) {
		struct pollfd pfd[2] = { { p.k.fd, POLLIN, 0 },
			{ p.u, POLLIN, 0 } };

		while ((rc = ikp_event(&p.k, &ev)) == 1)
			on_event(&p, &ev);
		if (rc == -1) {
			err_count(&p, "pf_key", errno);
			break;
		}
		if (poll(pfd, 2, 100) > 0 && (pfd[1].revents & POLLIN))
			on_udp(&p);
		timers(&p);
	}
	report(&p);
	ikp_close(&p.k);
	close(p.u);
	return 0;
}
