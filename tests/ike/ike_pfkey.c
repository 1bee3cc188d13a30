/*
 * The PF_KEY side of ike_peer (ike_pfkey.h): requests as an IKE daemon
 * sends them, replies and events read as racoon reads them.
 */
#include "config.h"

#include "ike_pfkey.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "common/secret.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_ext.h"
#include "pfkey/pfkey_msg.h"

int
ikp_open(struct ikp *k)
{
	memset(k, 0, sizeof(*k));
	k->pid = (uint32_t)getpid();
	k->fd = socket(PF_KEY, SOCK_RAW | SOCK_CLOEXEC, PF_KEY_V2);
	return k->fd == -1 ? -1 : 0;
}

void
ikp_close(struct ikp *k)
{
	for (size_t i = 0; i < k->nq; i++)
		free(k->q[i]);
	k->nq = 0;
	if (k->fd != -1)
		close(k->fd);
	k->fd = -1;
}

/*
 * Read one message into buf (IKP_MSG_MAX bytes) as racoon does: peek the
 * header, then read sadb_msg_len * 8 bytes.  Its length, 0 when nothing
 * came within ms milliseconds, -1 on error.
 */
static ssize_t
read_msg(struct ikp *k, uint8_t *buf, int ms)
{
	struct pollfd pfd = { k->fd, POLLIN, 0 };
	struct sadb_msg h;
	ssize_t n;
	size_t want;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = recv(k->fd, &h, sizeof(h), MSG_PEEK);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(h)) {
		/* Not even a header: take it off the queue. */
		(void)recv(k->fd, buf, IKP_MSG_MAX, 0);
		errno = EPROTO;
		return -1;
	}
	want = (size_t)h.sadb_msg_len * 8u;
	if (want < sizeof(h) || want > IKP_MSG_MAX)
		want = IKP_MSG_MAX;
	return recv(k->fd, buf, want, 0);
}

static bool
is_event(uint8_t type)
{
	return type == SADB_ACQUIRE || type == SADB_EXPIRE ||
	    type == SADB_X_NAT_T_NEW_MAPPING;
}

static void
keep_event(struct ikp *k, const uint8_t *buf, size_t len)
{
	uint8_t *c;

	if (k->nq == IKP_QUEUE || (c = malloc(len)) == NULL) {
		k->dropped++;
		return;
	}
	memcpy(c, buf, len);
	k->q[k->nq] = c;
	k->qlen[k->nq++] = len;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Send the message in w and wait for its reply; reply (IKP_MSG_MAX
 * bytes), if not NULL, gets it.  0 or the reply's errno.
 */
static int
request(struct ikp *k, struct pfkey_wr *w, uint8_t type, uint8_t *reply,
    size_t *reply_len)
{
	uint8_t *buf = malloc(IKP_MSG_MAX);
	uint64_t until = now_ms() + 2000;
	size_t len = pfkey_build_finish(w);
	int rc = ETIMEDOUT;

	if (buf == NULL)
		return ENOMEM;
	if (len == 0 || send(k->fd, w->buf, len, 0) != (ssize_t)len) {
		rc = len == 0 ? EMSGSIZE : errno;
		goto out;
	}
	while (now_ms() < until) {
		struct pfkey_msg m;
		struct pfkey_err err;
		ssize_t n = read_msg(k, buf, (int)(until - now_ms()));

		if (n < 0) {
			rc = errno;
			break;
		}
		if (n == 0)
			continue;
		if (!pfkey_msg_parse(
			&m, buf, (size_t)n, PFKEY_ORIGIN_KERNEL, &err)) {
			rc = EPROTO;
			break;
		}
		if (m.hdr.pid == k->pid && m.hdr.seq == k->seq &&
		    m.hdr.type == type) {
			rc = m.hdr.error;
			if (rc == 0 && reply != NULL) {
				memcpy(reply, buf, (size_t)n);
				*reply_len = (size_t)n;
			}
			break;
		}
		if (is_event(m.hdr.type) && m.hdr.error == 0)
			keep_event(k, buf, (size_t)n);
	}
out:
	secret_wipe(buf, IKP_MSG_MAX);
	free(buf);
	return rc;
}

static void
begin(struct ikp *k, struct pfkey_wr *w, uint8_t *buf, uint8_t type,
    uint8_t satype, uint32_t seq)
{
	struct pfkey_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.satype = satype;
	k->seq = seq != 0 ? seq : k->seq + 1;
	h.seq = k->seq;
	h.pid = k->pid;
	pfkey_wr_init(w, buf, 4096);
	pfkey_build_hdr(w, &h);
}

int
ikp_register(struct ikp *k, uint8_t satype)
{
	uint8_t buf[4096];
	struct pfkey_wr w;

	begin(k, &w, buf, SADB_REGISTER, satype, 0);
	return request(k, &w, SADB_REGISTER, NULL, NULL);
}

static void
address(struct pfkey_wr *w, uint16_t type, const struct addr *a,
    unsigned prefixlen, uint8_t proto)
{
	struct pfkey_address pa;

	memset(&pa, 0, sizeof(pa));
	pa.addr = *a;
	pa.prefixlen = (uint8_t)prefixlen;
	pa.proto = proto;
	pfkey_build_address(w, type, &pa);
}

static unsigned
full(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

static void
sa2(struct pfkey_wr *w, const struct ikp_sa *sa)
{
	struct sadb_x_sa2 s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sa2_mode = sa->mode;
	s.sadb_x_sa2_reqid = sa->reqid;
	pfkey_build_sa2(w, &s);
}

int
ikp_getspi(struct ikp *k, const struct ikp_sa *sa, uint32_t seq, uint32_t *spi)
{
	uint8_t buf[4096], *reply = malloc(IKP_MSG_MAX);
	struct sadb_spirange r;
	struct sadb_sa s;
	struct pfkey_wr w;
	struct pfkey_msg m;
	struct pfkey_err err;
	size_t len = 0;
	const uint8_t *p;
	int rc;

	if (reply == NULL)
		return ENOMEM;
	begin(k, &w, buf, SADB_GETSPI, SADB_SATYPE_ESP, seq);
	sa2(&w, sa);
	address(&w, SADB_EXT_ADDRESS_SRC, &sa->src, full(&sa->src), 0);
	address(&w, SADB_EXT_ADDRESS_DST, &sa->dst, full(&sa->dst), 0);
	memset(&r, 0, sizeof(r));
	r.sadb_spirange_min = 0x100;
	r.sadb_spirange_max = 0x0fffffff;
	pfkey_build_spirange(&w, &r);
	rc = request(k, &w, SADB_GETSPI, reply, &len);
	if (rc == 0) {
		if (!pfkey_msg_parse(
			&m, reply, len, PFKEY_ORIGIN_KERNEL, &err) ||
		    (p = pfkey_msg_ext(&m, SADB_EXT_SA, &len)) == NULL ||
		    !pfkey_ext_copy(p, len, &s, sizeof(s)))
			rc = EPROTO;
		else
			*spi = ntohl(s.sadb_sa_spi);
	}
	free(reply);
	return rc;
}

int
ikp_add(struct ikp *k, uint8_t type, const struct ikp_sa *sa)
{
	uint8_t buf[4096];
	struct sadb_sa s;
	struct sadb_lifetime l;
	struct pfkey_wr w;
	int rc;

	begin(k, &w, buf, type, SADB_SATYPE_ESP, 0);
	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(sa->spi);
	s.sadb_sa_replay = 32;
	s.sadb_sa_state = SADB_SASTATE_MATURE;
	s.sadb_sa_encrypt = SADB_X_EALG_AES_GCM_ICV16;
	pfkey_build_sa(&w, &s);
	memset(&l, 0, sizeof(l));
	l.sadb_lifetime_addtime = sa->hard_sec;
	pfkey_build_lifetime(&w, SADB_EXT_LIFETIME_HARD, &l);
	l.sadb_lifetime_addtime = sa->soft_sec;
	pfkey_build_lifetime(&w, SADB_EXT_LIFETIME_SOFT, &l);
	address(&w, SADB_EXT_ADDRESS_SRC, &sa->src, full(&sa->src), 0);
	address(&w, SADB_EXT_ADDRESS_DST, &sa->dst, full(&sa->dst), 0);
	pfkey_build_key(&w, SADB_EXT_KEY_ENCRYPT, sa->key, sizeof(sa->key));
	sa2(&w, sa);
	if (sa->is_udp) {
		pfkey_build_nat_t_type(&w, UDP_ENCAP_ESPINUDP);
		pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_SPORT, sa->sport);
		pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_DPORT, sa->dport);
		if (sa->oa.family != 0)
			address(
			    &w, SADB_X_EXT_NAT_T_OA, &sa->oa, full(&sa->oa), 0);
	}
	rc = request(k, &w, type, NULL, NULL);
	secret_wipe(buf, sizeof(buf));
	return rc;
}

int
ikp_spdadd(struct ikp *k, uint8_t type, const struct ikp_pol *p)
{
	uint8_t buf[4096];
	struct pfkey_policy pol;
	struct pfkey_wr w;

	begin(k, &w, buf, type, SADB_SATYPE_UNSPEC, 0);
	address(&w, SADB_EXT_ADDRESS_SRC, &p->src.addr, p->src.len,
	    IPSEC_ULPROTO_ANY);
	address(&w, SADB_EXT_ADDRESS_DST, &p->dst.addr, p->dst.len,
	    IPSEC_ULPROTO_ANY);
	memset(&pol, 0, sizeof(pol));
	pol.type = IPSEC_POLICY_IPSEC;
	pol.dir = p->dir;
	pol.nreq = 1;
	pol.req[0].proto = IPPROTO_ESP;
	pol.req[0].mode = p->mode;
	pol.req[0].level = IPSEC_LEVEL_UNIQUE;
	pol.req[0].reqid = p->reqid;
	if (p->mode == IPSEC_MODE_TUNNEL) {
		pol.req[0].src = p->tsrc;
		pol.req[0].dst = p->tdst;
	}
	pfkey_build_policy(&w, &pol);
	return request(k, &w, type, NULL, NULL);
}

/* Decode a kept or fresh event message. */
static bool
decode(const uint8_t *buf, size_t len, struct ikp_event *ev)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	struct pfkey_address a;
	struct pfkey_policy pol;
	struct sadb_sa s;
	struct sadb_x_nat_t_port port;
	const uint8_t *p;
	size_t l;

	memset(ev, 0, sizeof(*ev));
	if (!pfkey_msg_parse(&m, buf, len, PFKEY_ORIGIN_KERNEL, &err) ||
	    m.hdr.error != 0 || !is_event(m.hdr.type))
		return false;
	ev->type = m.hdr.type;
	ev->seq = m.hdr.seq;
	ev->is_hard = pfkey_msg_has(&m, SADB_EXT_LIFETIME_HARD);
	ev->has_sa2 = pfkey_msg_has(&m, SADB_X_EXT_SA2);
	if ((p = pfkey_msg_ext(&m, SADB_EXT_SA, &l)) != NULL &&
	    pfkey_ext_copy(p, l, &s, sizeof(s)))
		ev->spi = ntohl(s.sadb_sa_spi);
	if ((p = pfkey_msg_ext(&m, SADB_EXT_ADDRESS_SRC, &l)) != NULL &&
	    pfkey_ext_address(p, l, &a, &err))
		ev->src = a.addr;
	if ((p = pfkey_msg_ext(&m, SADB_EXT_ADDRESS_DST, &l)) != NULL &&
	    pfkey_ext_address(p, l, &a, &err))
		ev->dst = a.addr;
	if ((p = pfkey_msg_ext(&m, SADB_X_EXT_NAT_T_SPORT, &l)) != NULL &&
	    pfkey_ext_copy(p, l, &port, sizeof(port)))
		ev->sport = ntohs(port.sadb_x_nat_t_port_port);
	if ((p = pfkey_msg_ext(&m, SADB_X_EXT_NAT_T_DPORT, &l)) != NULL &&
	    pfkey_ext_copy(p, l, &port, sizeof(port)))
		ev->dport = ntohs(port.sadb_x_nat_t_port_port);
	if ((p = pfkey_msg_ext(&m, SADB_X_EXT_POLICY, &l)) != NULL &&
	    pfkey_ext_policy(p, l, &pol, &err))
		ev->policy_id = pol.id;
	return true;
}

int
ikp_event(struct ikp *k, struct ikp_event *ev)
{
	uint8_t *buf;
	ssize_t n;

	while (k->nq > 0) {
		bool ok = decode(k->q[0], k->qlen[0], ev);

		free(k->q[0]);
		memmove(k->q, k->q + 1, (k->nq - 1) * sizeof(k->q[0]));
		memmove(k->qlen, k->qlen + 1, (k->nq - 1) * sizeof(k->qlen[0]));
		k->nq--;
		if (ok)
			return 1;
	}
	if ((buf = malloc(IKP_MSG_MAX)) == NULL)
		return -1;
	for (;;) {
		n = read_msg(k, buf, 0);
		if (n <= 0)
			break;
		if (decode(buf, (size_t)n, ev)) {
			free(buf);
			return 1;
		}
	}
	free(buf);
	return n < 0 ? -1 : 0;
}
