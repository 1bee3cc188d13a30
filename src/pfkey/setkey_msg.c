/*
 * setkey commands to PF_KEY messages (setkey_msg.h has the layouts).
 * Pure: commands in, bytes out through the bounded writer.  Requests of
 * a policy are written here rather than with pfkey_build_policy because
 * setkey keeps the ports written on their endpoints, which struct
 * pfkey_req has no room for.
 */
#include "config.h"

#include "pfkey/setkey_msg.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "common/secret.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_ext.h"

/* ipsec_set_policy's X_POLICY: header and up to SPD_TMPL_MAX requests. */
#define REQ_MAX_LEN (sizeof(struct sadb_x_ipsecrequest) + 56)
#define POLICY_BODY_MAX (12 + SPD_TMPL_MAX * REQ_MAX_LEN)

uint8_t
setkey_msg_satype(uint8_t proto)
{
	return pfkey_proto_satype(proto);
}

uint8_t
setkey_msg_type(enum setkey_op op)
{
	switch (op) {
	case SETKEY_ADD:
		return SADB_ADD;
	case SETKEY_UPDATE:
		return SADB_UPDATE;
	case SETKEY_GETSPI:
		return SADB_GETSPI;
	case SETKEY_GET:
		return SADB_GET;
	case SETKEY_DELETE:
		return SADB_DELETE;
	case SETKEY_DELETEALL:
	case SETKEY_DUMP:
		return SADB_DUMP;
	case SETKEY_FLUSH:
		return SADB_FLUSH;
	case SETKEY_SPDADD:
		return SADB_X_SPDADD;
	case SETKEY_SPDUPDATE:
		return SADB_X_SPDUPDATE;
	case SETKEY_SPDDELETE:
		return SADB_X_SPDDELETE;
	case SETKEY_SPDFLUSH:
		return SADB_X_SPDFLUSH;
	case SETKEY_SPDDUMP:
		return SADB_X_SPDDUMP;
	}
	return SADB_RESERVED;
}

static bool
put_hdr(struct pfkey_wr *w, uint8_t type, uint8_t satype,
    const struct setkey_msg_opts *o)
{
	struct pfkey_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.satype = satype;
	h.seq = o->seq;
	h.pid = o->pid;
	return pfkey_build_hdr(w, &h);
}

/* An SA endpoint as libipsec writes it: proto any, full prefix, port 0. */
static bool
put_host(struct pfkey_wr *w, uint16_t type, const struct addr *a)
{
	struct pfkey_address pa;

	memset(&pa, 0, sizeof(pa));
	pa.addr = *a;
	pa.proto = IPSEC_ULPROTO_ANY;
	pa.prefixlen = (uint8_t)(addr_len(a) * 8u);
	return pfkey_build_address(w, type, &pa);
}

static bool
put_pair(struct pfkey_wr *w, const struct sa *sa)
{
	return put_host(w, SADB_EXT_ADDRESS_SRC, &sa->src) &&
	    put_host(w, SADB_EXT_ADDRESS_DST, &sa->dst);
}

static uint32_t
sa_flags(const struct setkey_cmd *cmd)
{
	uint32_t f = 0;

	if (cmd->ext & SETKEY_EXT_PAD_ZERO)
		f |= SETKEY_MSG_KAME_PZERO;
	if (cmd->ext & SETKEY_EXT_PAD_RANDOM)
		f |= SETKEY_MSG_KAME_PRAND;
	if (cmd->ext & SETKEY_EXT_RAWCPI)
		f |= SETKEY_MSG_KAME_RAWCPI;
	if (cmd->sa.flags & SA_F_ESN)
		f |= PFKEY_SAFLAGS_ESN;
	if (cmd->sa.flags & SA_F_NOECN)
		f |= SADB_SAFLAGS_NOECN;
	if (cmd->sa.flags & SA_F_DECAP_DSCP)
		f |= SADB_SAFLAGS_DECAP_DSCP;
	if (cmd->sa.flags & SA_F_NOPMTUDISC)
		f |= SADB_SAFLAGS_NOPMTUDISC;
	return f;
}

static uint8_t
replay(const struct setkey_cmd *cmd, const struct setkey_msg_opts *o)
{
	unsigned r = cmd->sa.replay_window;

	if (r == 0 && cmd->sa.proto != IPPROTO_COMP)
		r = o->replay_window;
	return r > SETKEY_REPLAY_MAX ? SETKEY_REPLAY_MAX : (uint8_t)r;
}

static bool
put_lifetime(struct pfkey_wr *w, uint16_t type, const struct sa_lifetime *l)
{
	struct sadb_lifetime h;

	memset(&h, 0, sizeof(h));
	h.sadb_lifetime_allocations =
	    l->packets > UINT32_MAX ? UINT32_MAX : (uint32_t)l->packets;
	h.sadb_lifetime_bytes = l->bytes;
	h.sadb_lifetime_addtime = l->add_sec;
	h.sadb_lifetime_usetime = l->use_sec;
	return pfkey_build_lifetime(w, type, &h);
}

static bool
put_natt(struct pfkey_wr *w, const struct setkey_cmd *cmd, bool with_oa)
{
	const struct sa *sa = &cmd->sa;

	if ((sa->flags & SA_F_UDP_ENCAP) == 0)
		return true;
	if (!pfkey_build_nat_t_type(w, UDP_ENCAP_ESPINUDP) ||
	    !pfkey_build_nat_t_port(
		w, SADB_X_EXT_NAT_T_SPORT, sa->encap_sport) ||
	    !pfkey_build_nat_t_port(w, SADB_X_EXT_NAT_T_DPORT, sa->encap_dport))
		return false;
	return !with_oa || cmd->natt_oa.family == 0 ||
	    put_host(w, SADB_X_EXT_NAT_T_OA, &cmd->natt_oa);
}

/* ADD and UPDATE: pfkey_send_x1's layout. */
static bool
put_add(struct pfkey_wr *w, const struct setkey_cmd *cmd,
    const struct setkey_msg_opts *o)
{
	const struct sa *sa = &cmd->sa;
	const struct cipher_key *k = &sa->key;
	struct sadb_sa s;
	struct sadb_x_sa2 s2;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(sa->spi);
	s.sadb_sa_replay = replay(cmd, o);
	s.sadb_sa_state = SADB_SASTATE_LARVAL;
	if (sa->proto == IPPROTO_COMP) {
		s.sadb_sa_encrypt = sa->calg;
	} else {
		if (k->auth != NULL)
			s.sadb_sa_auth = k->auth->sadb_id;
		if (k->enc != NULL)
			s.sadb_sa_encrypt = k->enc->sadb_id;
	}
	s.sadb_sa_flags = sa_flags(cmd);
	memset(&s2, 0, sizeof(s2));
	s2.sadb_x_sa2_mode = sa->mode;
	s2.sadb_x_sa2_reqid = sa->reqid;
	if (!pfkey_build_sa(w, &s) || !pfkey_build_sa2(w, &s2) ||
	    !put_pair(w, sa))
		return false;
	if (sa->proto != IPPROTO_COMP && k->enc != NULL &&
	    !pfkey_build_key(w, SADB_EXT_KEY_ENCRYPT, k->enc_key, k->enc_len))
		return false;
	if (sa->proto != IPPROTO_COMP && k->auth != NULL &&
	    !pfkey_build_key(w, SADB_EXT_KEY_AUTH, k->auth_key, k->auth_len))
		return false;
	return put_lifetime(w, SADB_EXT_LIFETIME_HARD, &sa->hard) &&
	    put_lifetime(w, SADB_EXT_LIFETIME_SOFT, &sa->soft) &&
	    put_natt(w, cmd, true);
}

/* GETSPI: pfkey_send_getspi_nat's layout. */
static bool
put_getspi(struct pfkey_wr *w, const struct setkey_cmd *cmd)
{
	struct sadb_x_sa2 s2;
	struct sadb_spirange r;

	memset(&s2, 0, sizeof(s2));
	s2.sadb_x_sa2_mode = cmd->sa.mode;
	s2.sadb_x_sa2_reqid = cmd->sa.reqid;
	if (!pfkey_build_sa2(w, &s2) || !put_pair(w, &cmd->sa) ||
	    !put_natt(w, cmd, false))
		return false;
	if (cmd->sa.spi == 0)
		return true;
	memset(&r, 0, sizeof(r));
	r.sadb_spirange_min = cmd->sa.spi;
	r.sadb_spirange_max = cmd->sa.spi;
	return pfkey_build_spirange(w, &r);
}

/* GET and DELETE: pfkey_send_x2's layout. */
static bool
put_sa_id(struct pfkey_wr *w, const struct setkey_cmd *cmd, uint32_t spi)
{
	struct sadb_sa s;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(spi);
	return pfkey_build_sa(w, &s) && put_pair(w, &cmd->sa);
}

/* A sockaddr of a with port (host order) into p; its length. */
static size_t
put_sockaddr(uint8_t *p, const struct addr *a, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (a->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(&sin.sin_addr, a->bytes, 4);
		memcpy(p, &sin, sizeof(sin));
		return sizeof(sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	memcpy(&sin6.sin6_addr, a->bytes, 16);
	memcpy(p, &sin6, sizeof(sin6));
	return sizeof(sin6);
}

/* One ipsec_set_policy request at p; its length, 0 if not encodable. */
static size_t
put_request(uint8_t *p, const struct setkey_cmd *cmd, unsigned i)
{
	const struct spd_tmpl *t = &cmd->pol.tmpl[i];
	struct sadb_x_ipsecrequest q;
	size_t n = sizeof(q);

	if (t->src.family != 0 || t->dst.family != 0) {
		if (t->src.family != t->dst.family ||
		    pfkey_sockaddr_len(t->src.family) == 0)
			return 0;
		n += put_sockaddr(p + n, &t->src, cmd->tmpl_sport[i]);
		n += put_sockaddr(p + n, &t->dst, cmd->tmpl_dport[i]);
		n = (n + 7u) & ~(size_t)7u;
	}
	memset(&q, 0, sizeof(q));
	q.sadb_x_ipsecrequest_len = (uint16_t)n;
	q.sadb_x_ipsecrequest_proto = t->proto;
	q.sadb_x_ipsecrequest_mode = t->mode;
	q.sadb_x_ipsecrequest_level = t->level;
	q.sadb_x_ipsecrequest_reqid = t->reqid;
	memcpy(p, &q, sizeof(q));
	return n;
}

static bool
put_policy(struct pfkey_wr *w, const struct setkey_cmd *cmd)
{
	const struct spd_policy *pol = &cmd->pol;
	uint8_t body[POLICY_BODY_MAX];
	struct sadb_x_policy h;
	size_t n = sizeof(h) - 4, len;

	memset(body, 0, sizeof(body));
	memset(&h, 0, sizeof(h));
	switch ((enum spd_action)pol->action) {
	case SPD_ACTION_DISCARD:
		h.sadb_x_policy_type = IPSEC_POLICY_DISCARD;
		break;
	case SPD_ACTION_NONE:
		h.sadb_x_policy_type = IPSEC_POLICY_NONE;
		break;
	case SPD_ACTION_IPSEC:
		h.sadb_x_policy_type = IPSEC_POLICY_IPSEC;
		break;
	}
	h.sadb_x_policy_dir = (uint8_t)(pol->dir + 1u);
	h.sadb_x_policy_priority = pol->priority;
	memcpy(body, (const uint8_t *)&h + 4, sizeof(h) - 4);
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		if ((len = put_request(body + n, cmd, i)) == 0) {
			w->has_failed = true;
			return false;
		}
		n += len;
	}
	return pfkey_build_ext(w, SADB_X_EXT_POLICY, body, n);
}

/* One end of a selector: prefix, protocol, the one port or 0. */
static bool
put_range(struct pfkey_wr *w, uint16_t type, const struct prefix *pfx,
    uint8_t proto, uint16_t lo, uint16_t hi)
{
	struct pfkey_address a;

	memset(&a, 0, sizeof(a));
	a.addr = pfx->addr;
	a.prefixlen = pfx->len;
	a.proto = proto == 0 ? IPSEC_ULPROTO_ANY : proto;
	a.port = lo == hi ? lo : 0;
	return pfkey_build_address(w, type, &a);
}

/* SPDADD, SPDUPDATE, SPDDELETE: pfkey_send_x4's layout. */
static bool
put_spd(struct pfkey_wr *w, const struct setkey_cmd *cmd)
{
	const struct selector *sel = &cmd->pol.sel;
	struct sadb_lifetime none;

	memset(&none, 0, sizeof(none));
	return put_range(w, SADB_EXT_ADDRESS_SRC, &sel->src, sel->proto,
		   sel->sport_lo, sel->sport_hi) &&
	    put_range(w, SADB_EXT_ADDRESS_DST, &sel->dst, sel->proto,
		sel->dport_lo, sel->dport_hi) &&
	    pfkey_build_lifetime(w, SADB_EXT_LIFETIME_HARD, &none) &&
	    put_policy(w, cmd);
}

size_t
setkey_msg_build(struct pfkey_wr *w, const struct setkey_cmd *cmd,
    const struct setkey_msg_opts *o)
{
	uint8_t type = setkey_msg_type(cmd->op);
	uint8_t satype = setkey_msg_satype(cmd->sa.proto);
	bool ok = false;

	switch (cmd->op) {
	case SETKEY_ADD:
	case SETKEY_UPDATE:
		ok = put_hdr(w, type, satype, o) && put_add(w, cmd, o);
		break;
	case SETKEY_GETSPI:
		ok = put_hdr(w, type, satype, o) && put_getspi(w, cmd);
		break;
	case SETKEY_GET:
	case SETKEY_DELETE:
		ok = put_hdr(w, type, satype, o) &&
		    put_sa_id(w, cmd, cmd->sa.spi);
		break;
	case SETKEY_DELETEALL:
		ok = put_hdr(w, type, satype, o);
		break;
	case SETKEY_FLUSH:
	case SETKEY_DUMP:
		ok = put_hdr(w, type, setkey_msg_satype(cmd->satype), o);
		break;
	case SETKEY_SPDADD:
	case SETKEY_SPDUPDATE:
	case SETKEY_SPDDELETE:
		ok = put_hdr(w, type, SADB_SATYPE_UNSPEC, o) && put_spd(w, cmd);
		break;
	case SETKEY_SPDFLUSH:
	case SETKEY_SPDDUMP:
		ok = put_hdr(w, type, SADB_SATYPE_UNSPEC, o);
		break;
	}
	if (!ok) {
		w->has_failed = true;
		return 0;
	}
	return pfkey_build_finish(w);
}

bool
setkey_msg_deleteall_match(
    const struct setkey_cmd *cmd, const struct pfkey_msg *m, uint32_t *spi)
{
	struct pfkey_address src, dst;
	struct pfkey_err err;
	struct sadb_sa sa;
	const uint8_t *p;
	size_t len;

	if (m->hdr.type != SADB_DUMP || m->hdr.error != 0 ||
	    pfkey_satype_proto(m->hdr.satype) != cmd->sa.proto)
		return false;
	if ((p = pfkey_msg_ext(m, SADB_EXT_SA, &len)) == NULL ||
	    !pfkey_ext_copy(p, len, &sa, sizeof(sa)))
		return false;
	if ((p = pfkey_msg_ext(m, SADB_EXT_ADDRESS_SRC, &len)) == NULL ||
	    !pfkey_ext_address(p, len, &src, &err) ||
	    (p = pfkey_msg_ext(m, SADB_EXT_ADDRESS_DST, &len)) == NULL ||
	    !pfkey_ext_address(p, len, &dst, &err))
		return false;
	if (!addr_eq(&src.addr, &cmd->sa.src) ||
	    !addr_eq(&dst.addr, &cmd->sa.dst))
		return false;
	if ((cmd->sa.flags & SA_F_UDP_ENCAP) &&
	    !pfkey_msg_has(m, SADB_X_EXT_NAT_T_TYPE))
		return false;
	*spi = ntohl(sa.sadb_sa_spi);
	return true;
}

size_t
setkey_msg_delete_spi(struct pfkey_wr *w, const struct setkey_cmd *cmd,
    uint32_t spi, const struct setkey_msg_opts *o)
{
	if (!put_hdr(w, SADB_DELETE, setkey_msg_satype(cmd->sa.proto), o) ||
	    !put_sa_id(w, cmd, spi)) {
		w->has_failed = true;
		return 0;
	}
	return pfkey_build_finish(w);
}
