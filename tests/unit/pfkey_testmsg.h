#ifndef IPSECD_TESTS_UNIT_PFKEY_TESTMSG_H
#define IPSECD_TESTS_UNIT_PFKEY_TESTMSG_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

/*
 * Test helper: PF_KEY messages written byte by byte with the kernel's
 * structs, independently of src/pfkey's builders, so that the parser is
 * tested against messages laid out as setkey, racoon and strongSwan lay
 * them out.  Any misuse (overflow of the buffer) aborts the test program.
 */
#define TM_MAX 8192

struct tmsg {
	uint8_t buf[TM_MAX];
	size_t len;
};

static inline void *
tm_put(struct tmsg *t, size_t n)
{
	void *p;

	if (n > TM_MAX - t->len)
		abort();
	p = t->buf + t->len;
	memset(p, 0, n);
	t->len += n;
	return p;
}

/* Start a message: version 2, seq 7, pid 4242. */
static inline void
tm_hdr(struct tmsg *t, uint8_t type, uint8_t satype)
{
	struct sadb_msg h;

	t->len = 0;
	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = type;
	h.sadb_msg_satype = satype;
	h.sadb_msg_seq = 7;
	h.sadb_msg_pid = 4242;
	memcpy(tm_put(t, sizeof(h)), &h, sizeof(h));
}

/* Set sadb_msg_len from the bytes written; returns the length. */
static inline size_t
tm_done(struct tmsg *t)
{
	uint16_t units = (uint16_t)(t->len / 8);

	memcpy(t->buf + offsetof(struct sadb_msg, sadb_msg_len), &units, 2);
	return t->len;
}

/* An extension: header for body_len bytes of body, zero-padded to 8. */
static inline void
tm_ext(struct tmsg *t, uint16_t type, const void *body, size_t body_len)
{
	size_t n = (4 + body_len + 7) & ~(size_t)7;
	uint8_t *p = tm_put(t, n);
	struct sadb_ext h = { (uint16_t)(n / 8), type };

	memcpy(p, &h, sizeof(h));
	if (body_len > 0)
		memcpy(p + 4, body, body_len);
}

/* A fixed-size struct whose first 4 bytes (sadb_ext) are set here. */
static inline void
tm_struct(struct tmsg *t, uint16_t type, const void *s, size_t size)
{
	tm_ext(t, type, (const uint8_t *)s + 4, size - 4);
}

/* A sockaddr_in or _in6 of the literal a with port (host order). */
static inline size_t
tm_sockaddr(uint8_t *p, const char *a, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, a, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(p, &sin, sizeof(sin));
		return sizeof(sin);
	}
	if (inet_pton(AF_INET6, a, &sin6.sin6_addr) != 1)
		abort();
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	memcpy(p, &sin6, sizeof(sin6));
	return sizeof(sin6);
}

static inline void
tm_addr(struct tmsg *t, uint16_t type, const char *a, uint8_t prefixlen,
    uint8_t proto, uint16_t port)
{
	uint8_t body[4 + 28];
	size_t n;

	memset(body, 0, sizeof(body));
	body[0] = proto;
	body[1] = prefixlen;
	n = tm_sockaddr(body + 4, a, port);
	tm_ext(t, type, body, 4 + n);
}

/* An SA endpoint as setkey writes it: proto any, full prefix. */
static inline void
tm_host(struct tmsg *t, uint16_t type, const char *a)
{
	tm_addr(t, type, a, strchr(a, ':') != NULL ? 128 : 32,
	    IPSEC_ULPROTO_ANY, 0);
}

static inline void
tm_sa(struct tmsg *t, uint32_t spi, uint8_t replay, uint8_t auth,
    uint8_t encrypt, uint32_t flags)
{
	struct sadb_sa s;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(spi);
	s.sadb_sa_replay = replay;
	s.sadb_sa_state = SADB_SASTATE_LARVAL; /* setkey's; ignored */
	s.sadb_sa_auth = auth;
	s.sadb_sa_encrypt = encrypt;
	s.sadb_sa_flags = flags;
	tm_struct(t, SADB_EXT_SA, &s, sizeof(s));
}

static inline void
tm_sa2(struct tmsg *t, uint8_t mode, uint32_t reqid)
{
	struct sadb_x_sa2 s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sa2_mode = mode;
	s.sadb_x_sa2_reqid = reqid;
	tm_struct(t, SADB_X_EXT_SA2, &s, sizeof(s));
}

/* A key of nbytes bytes 0x11, 0x12, ... with sadb_key_bits = bits. */
static inline void
tm_key(struct tmsg *t, uint16_t type, unsigned bits, size_t nbytes)
{
	uint8_t body[4 + 128];

	if (nbytes > 128)
		abort();
	memset(body, 0, sizeof(body));
	memcpy(body, &(uint16_t){ (uint16_t)bits }, 2);
	for (size_t i = 0; i < nbytes; i++)
		body[4 + i] = (uint8_t)(0x11 + i);
	tm_ext(t, type, body, 4 + nbytes);
}

static inline void
tm_lifetime(struct tmsg *t, uint16_t type, uint32_t packets, uint64_t bytes,
    uint64_t add, uint64_t use)
{
	struct sadb_lifetime l;

	memset(&l, 0, sizeof(l));
	l.sadb_lifetime_allocations = packets;
	l.sadb_lifetime_bytes = bytes;
	l.sadb_lifetime_addtime = add;
	l.sadb_lifetime_usetime = use;
	tm_struct(t, type, &l, sizeof(l));
}

static inline void
tm_spirange(struct tmsg *t, uint32_t min, uint32_t max)
{
	struct sadb_spirange r;

	memset(&r, 0, sizeof(r));
	r.sadb_spirange_min = min;
	r.sadb_spirange_max = max;
	tm_struct(t, SADB_EXT_SPIRANGE, &r, sizeof(r));
}

static inline void
tm_natt(struct tmsg *t, uint8_t type, uint16_t sport, uint16_t dport)
{
	struct sadb_x_nat_t_type ty;
	struct sadb_x_nat_t_port p;

	memset(&ty, 0, sizeof(ty));
	ty.sadb_x_nat_t_type_type = type;
	tm_struct(t, SADB_X_EXT_NAT_T_TYPE, &ty, sizeof(ty));
	memset(&p, 0, sizeof(p));
	p.sadb_x_nat_t_port_port = htons(sport);
	tm_struct(t, SADB_X_EXT_NAT_T_SPORT, &p, sizeof(p));
	p.sadb_x_nat_t_port_port = htons(dport);
	tm_struct(t, SADB_X_EXT_NAT_T_DPORT, &p, sizeof(p));
}

/* One request as setkey's ipsec_set_policy writes it (src NULL: none). */
struct tm_req {
	uint8_t proto, mode, level;
	uint32_t reqid;
	const char *src, *dst;
};

static inline size_t
tm_req_bytes(uint8_t *p, const struct tm_req *r)
{
	struct sadb_x_ipsecrequest q;
	size_t n = sizeof(q);

	memset(&q, 0, sizeof(q));
	q.sadb_x_ipsecrequest_proto = r->proto;
	q.sadb_x_ipsecrequest_mode = r->mode;
	q.sadb_x_ipsecrequest_level = r->level;
	q.sadb_x_ipsecrequest_reqid = r->reqid;
	if (r->src != NULL) {
		n += tm_sockaddr(p + n, r->src, 0);
		n += tm_sockaddr(p + n, r->dst, 0);
	}
	q.sadb_x_ipsecrequest_len = (uint16_t)n;
	memcpy(p, &q, sizeof(q));
	return n;
}

static inline void
tm_policy(struct tmsg *t, uint16_t type, uint8_t dir, uint32_t id,
    uint32_t prio, const struct tm_req *rq, size_t n)
{
	uint8_t body[12 + 12 * 72];
	struct sadb_x_policy h;
	size_t len = sizeof(h) - 4;

	if (n > 12)
		abort();
	memset(body, 0, sizeof(body));
	memset(&h, 0, sizeof(h));
	h.sadb_x_policy_type = type;
	h.sadb_x_policy_dir = dir;
	h.sadb_x_policy_id = id;
	h.sadb_x_policy_priority = prio;
	memcpy(body, (uint8_t *)&h + 4, sizeof(h) - 4);
	for (size_t i = 0; i < n; i++)
		len += tm_req_bytes(body + len, &rq[i]);
	tm_ext(t, SADB_X_EXT_POLICY, body, len);
}

#endif
