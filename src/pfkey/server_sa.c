/*
 * SA messages: GETSPI, UPDATE, ADD, DELETE, GET, FLUSH, DUMP, REGISTER
 * and X_PROMISC, with af_key's replies (pfkey_getspi, pfkey_add,
 * pfkey_delete, pfkey_get, pfkey_flush, pfkey_dump, pfkey_register,
 * pfkey_promisc) and key_notify_sa's broadcasts.
 *
 *   GETSPI    a LARVAL SA with a free SPI (random start in the range, or
 *             the one SPI asked for), adopting the acquire state named by
 *             seq (or the one for the same SA); reply to the requester
 *             with SA (always: strongSwan reads it), lifetimes, addresses,
 *             X_SA2.  A second GETSPI with an adopted acquire's seq gets
 *             the same SPI (af_key: xfrm_alloc_spi keeps an SPI).
 *   UPDATE    a LARVAL SA becomes the SA of the message (keys and all); a
 *             MATURE or DYING one takes only the new lifetimes and NAT-T
 *             ports and is MATURE again (af_key: xfrm_state_update keeps
 *             the keys); ESRCH when there is no such SA.
 *   ADD       a MATURE SA; EEXIST when the SPI is taken, a LARVAL SA
 *             included (strongSwan deletes its GETSPI SA first).  Ends
 *             the acquire state it answers, deleting that state's larval
 *             SA when it holds another SPI (af_key: xfrm_state_add).
 *   DELETE    ESRCH when absent; broadcast without keys.
 *   GET       the SA with keys and LIFETIME_CURRENT (strongSwan reads it
 *             unchecked) to the requester, type GET.
 *   FLUSH     every SA of the type (UNSPEC: all) and their acquire
 *             states; a bare header to every socket.
 *   DUMP      server_send.c; satype and X_FILTER select SAs.
 *   REGISTER  marks the socket for the type (EEXIST when it was), answers
 *             the algorithms usable under the offload policy, with the
 *             range of key sizes usable (crypto_lib_usable_bits), to the
 *             requester and to the sockets registered for the type.
 * ADD and UPDATE check the SA's algorithms and key sizes against the
 * offload policy (crypto_lib_choose) before anything changes.  One that
 * the policy leaves nothing for (require, and no hardware offers it) is
 * refused with ENOSYS, af_key's answer for an algorithm it cannot use
 * (pfkey_msg2xfrm_state with no pfkey_supported algorithm), so that a
 * key manager takes it for "algorithm not available here" rather than
 * for a malformed message (EINVAL); the log line names the algorithm,
 * key size and hardware providers.  An SA that prefer puts on software
 * while some hardware is loaded is logged once, when it is installed.
 *   X_PROMISC a bare header switches promiscuous mode (satype 1 on, 0
 *             off); every X_PROMISC is then echoed to all sockets.
 * Broadcasts of changes carry the requester's seq and pid, and no keys.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/secret.h"
#include "crypto/provider.h"
#include "ipsec/replay.h"
#include "ipsec/sad.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/server_int.h"

static uint64_t
now(const struct pfkey_server *s)
{
	return s->ctx.now(s->ctx.arg);
}

/*
 * A new unpublished entry for sa in state st: ESP and AH get a replay
 * window (W may be 0: ESN still tracks T), IPcomp none.
 */
static struct sad_entry *
entry_new(struct pfkey_server *s, const struct sa *sa, enum sa_state st)
{
	size_t bytes =
	    sa->proto == IPPROTO_COMP ? 0 : replay_size(sa->replay_window);
	struct sad_entry *e = sad_entry_new(sa, bytes, now(s));

	if (e == NULL)
		return NULL;
	if (bytes != 0)
		replay_init(e->sa.replay, sa->replay_window,
		    (sa->flags & SA_F_ESN) != 0);
	sad_state_set(e, st);
	return e;
}

/* Compose an SA message about e and send it as how says. */
static int
send_sa(struct pfkey_server *s, struct srv_client *c, const struct pfkey_hdr *h,
    const struct sad_entry *e, unsigned what, enum srv_bcast how)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_wr w;
	size_t n;

	pfkey_wr_init(&w, buf, sizeof(buf));
	n = pfkey_compose_sa(&w, h, e, what);
	if (n != 0)
		srv_deliver(s, buf, n, how, how == SRV_ONE ? c : NULL, 0);
	secret_wipe(buf, sizeof(buf));
	return n != 0 ? 0 : ENOBUFS;
}

static int
status_errno(enum sad_status st)
{
	switch (st) {
	case SAD_OK:
		return 0;
	case SAD_EXISTS:
		return EEXIST;
	case SAD_NOTFOUND:
		return ESRCH;
	case SAD_FULL:
		return ENOBUFS;
	}
	return EINVAL;
}

/* The acquire state a GETSPI answers: by seq (same dst), else by SA. */
static struct srv_acq *
getspi_acq(struct pfkey_server *s, const struct pfkey_msg *m,
    const struct pfkey_getspi *g)
{
	struct srv_acq *a = NULL;

	if (m->hdr.seq != 0)
		a = srv_acq_by_seq(s, m->hdr.seq, &g->req.dst);
	if (a == NULL)
		a = srv_acq_by_sa(
		    s, g->req.proto, g->mode, g->reqid, &g->src, &g->req.dst);
	return a;
}

int
srv_getspi(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_getspi g;
	struct pfkey_hdr h;
	struct srv_acq *a;
	struct sad_entry *e = NULL;
	struct sa sa;
	uint32_t spi;
	enum sad_status st;

	if (!pfkey_conv_getspi(m, &g, err))
		return err->code;
	if (g.req.proto == IPPROTO_COMP &&
	    !pfkey_msg_has(m, SADB_EXT_SPIRANGE)) {
		g.req.min = PFKEY_SERVER_CPI_MIN;
		g.req.max = PFKEY_SERVER_CPI_MAX;
	}
	h = srv_reply_hdr(&m->hdr, SADB_GETSPI, m->hdr.satype);
	a = getspi_acq(s, m, &g);
	if (a != NULL && a->spi != 0 &&
	    (e = sad_lookup_spi(s->ctx.sad, a->spi, a->proto, &a->dst)) !=
		NULL &&
	    sad_state(e) == SA_STATE_LARVAL)
		return send_sa(
		    s, c, &h, e, PFKEY_SA_HARD | PFKEY_SA_SOFT, SRV_ONE);
	if (!sad_spi_pick(
		s->ctx.sad, &g.req, s->ctx.rand32(s->ctx.arg), &spi)) {
		pfkey_err_set(err, ENOENT, "getspi: no free spi in 0x%x-0x%x",
		    g.req.min, g.req.max);
		return ENOENT;
	}
	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.proto = g.req.proto;
	sa.mode = g.mode;
	sa.reqid = g.reqid;
	sa.src = g.src;
	sa.dst = g.req.dst;
	/* Linux: a larval state expires XFRM_ACQ_EXPIRES after its birth. */
	sa.hard.add_sec = s->ctx.acq_expires_sec;
	if ((e = entry_new(s, &sa, SA_STATE_LARVAL)) == NULL) {
		pfkey_err_set(err, ENOBUFS, "getspi: out of memory");
		return ENOBUFS;
	}
	if ((st = sad_insert(s->ctx.sad, e)) != SAD_OK) {
		pfkey_err_set(err, status_errno(st), "getspi: sad is full");
		return status_errno(st);
	}
	if (a != NULL)
		a->spi = spi;
	e = sad_lookup_spi(s->ctx.sad, spi, sa.proto, &sa.dst);
	return send_sa(s, c, &h, e, PFKEY_SA_HARD | PFKEY_SA_SOFT, SRV_ONE);
}

/*
 * The acquire state an ADD or UPDATE of sa answers (af_key: by the
 * request's seq, else the state for the same SA), or the one whose larval
 * SA this is.
 */
static struct srv_acq *
added_acq(
    struct pfkey_server *s, const struct pfkey_msg *m, const struct sa *sa)
{
	struct srv_acq *a = NULL;

	if (m->hdr.seq != 0)
		a = srv_acq_by_seq(s, m->hdr.seq, &sa->dst);
	if (a != NULL && a->proto != sa->proto)
		a = NULL;
	if (a == NULL)
		for (a = s->acqs; a != NULL; a = a->next)
			if (a->spi == sa->spi && a->proto == sa->proto &&
			    addr_eq(&a->dst, &sa->dst))
				break;
	if (a == NULL)
		a = srv_acq_by_sa(
		    s, sa->proto, sa->mode, sa->reqid, &sa->src, &sa->dst);
	return a;
}

/*
 * UPDATE of a MATURE or DYING SA: the old keys and identity with the
 * message's lifetimes and NAT-T ports (xfrm_state_update).
 */
static int
update_live(struct pfkey_server *s, const struct sad_entry *old,
    const struct sa *sa, struct sad_entry **out, struct pfkey_err *err)
{
	struct sa merged;

	if ((old->sa.flags ^ sa->flags) & SA_F_UDP_ENCAP) {
		pfkey_err_set(err, EINVAL,
		    "update: sa 0x%08x cannot gain or lose udp encapsulation",
		    sa->spi);
		return EINVAL;
	}
	memcpy(&merged, &old->sa, sizeof(merged));
	merged.replay = NULL;
	merged.soft = sa->soft;
	merged.hard = sa->hard;
	merged.encap_sport = sa->encap_sport;
	merged.encap_dport = sa->encap_dport;
	*out = entry_new(s, &merged, SA_STATE_MATURE);
	secret_wipe(&merged, sizeof(merged));
	return 0;
}

static int
do_update(struct pfkey_server *s, const struct sa *sa, struct pfkey_err *err)
{
	struct sad_entry *old, *e = NULL;
	int rc;

	old = sad_lookup_spi(s->ctx.sad, sa->spi, sa->proto, &sa->dst);
	if (old == NULL || sad_state(old) == SA_STATE_DEAD) {
		pfkey_err_set(err, ESRCH, "update: no sa 0x%08x", sa->spi);
		return ESRCH;
	}
	if (sad_state(old) == SA_STATE_LARVAL)
		e = entry_new(s, sa, SA_STATE_MATURE);
	else if ((rc = update_live(s, old, sa, &e, err)) != 0)
		return rc;
	if (e == NULL) {
		pfkey_err_set(err, ENOBUFS, "update: out of memory");
		return ENOBUFS;
	}
	return status_errno(sad_update(s->ctx.sad, e));
}

static int
do_add(struct pfkey_server *s, const struct sa *sa, struct pfkey_err *err)
{
	struct sad_entry *e = entry_new(s, sa, SA_STATE_MATURE);
	enum sad_status st;

	if (e == NULL) {
		pfkey_err_set(err, ENOBUFS, "add: out of memory");
		return ENOBUFS;
	}
	if ((st = sad_insert(s->ctx.sad, e)) != SAD_OK) {
		pfkey_err_set(err, status_errno(st), "add: sa 0x%08x %s",
		    sa->spi, st == SAD_EXISTS ? "exists" : "does not fit");
		return status_errno(st);
	}
	return 0;
}

/* The offload policy's verdict on sa (see the top of this file). */
static int
offload_check(struct pfkey_server *s, uint16_t type, const struct sa *sa,
    struct crypto_choice *ch, struct pfkey_err *err)
{
	memset(ch, 0, sizeof(*ch));
	if (s->ctx.lib == NULL || sa->proto == IPPROTO_COMP)
		return 0;
	if (crypto_lib_choose(s->ctx.lib, &sa->key, CRYPTO_POLICY_UNSET, ch) ==
	    0)
		return 0;
	log_warnx("pfkey: %s of sa 0x%08x refused: %s", pfkey_msg_name(type),
	    sa->spi, ch->note);
	pfkey_err_set(err, ENOSYS, "%s: sa 0x%08x: %s", pfkey_msg_name(type),
	    sa->spi, ch->note);
	return ENOSYS;
}

int
srv_add(struct pfkey_server *s, struct srv_client *c, const struct pfkey_msg *m,
    struct pfkey_err *err)
{
	struct crypto_choice ch;
	bool is_add = m->hdr.type == SADB_ADD;
	struct pfkey_hdr h;
	struct srv_acq *a;
	struct sad_entry *e;
	struct sa sa;
	int rc;

	(void)c;
	if (!pfkey_conv_sa(m, &sa, err))
		return err->code;
	if ((rc = offload_check(s, m->hdr.type, &sa, &ch, err)) != 0) {
		cipher_key_clear(&sa.key);
		secret_wipe(&sa, sizeof(sa));
		return rc;
	}
	a = added_acq(s, m, &sa);
	rc = is_add ? do_add(s, &sa, err) : do_update(s, &sa, err);
	if (rc == 0 && ch.is_fallback && crypto_lib_has_hardware(s->ctx.lib))
		log_info("sa 0x%08x: %s", sa.spi, ch.note);
	if (rc == 0 && a != NULL) {
		if (is_add && a->spi != 0 && a->spi != sa.spi &&
		    (e = sad_lookup_spi(
			 s->ctx.sad, a->spi, a->proto, &a->dst)) != NULL &&
		    sad_state(e) == SA_STATE_LARVAL)
			sad_delete(s->ctx.sad, e);
		srv_acq_done(s, a);
	}
	if (rc == 0) {
		e = sad_lookup_spi(s->ctx.sad, sa.spi, sa.proto, &sa.dst);
		h = srv_reply_hdr(&m->hdr, m->hdr.type, m->hdr.satype);
		rc = send_sa(
		    s, c, &h, e, PFKEY_SA_HARD | PFKEY_SA_SOFT, SRV_ALL);
	}
	cipher_key_clear(&sa.key);
	secret_wipe(&sa, sizeof(sa));
	return rc;
}

/* The SA a DELETE or GET names, or NULL with ESRCH in err. */
static struct sad_entry *
named_sa(
    struct pfkey_server *s, const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct pfkey_sa_id id;
	struct sad_entry *e;

	if (!pfkey_conv_sa_id(m, &id, err))
		return NULL;
	e = sad_lookup_spi(s->ctx.sad, id.spi, id.proto, &id.dst);
	if (e == NULL)
		pfkey_err_set(err, ESRCH, "%s: no sa 0x%08x",
		    pfkey_msg_name(m->hdr.type), id.spi);
	return e;
}

int
srv_delete(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_hdr h;
	struct pfkey_wr w;
	struct sad_entry *e;
	struct srv_acq *a;
	size_t n;

	(void)c;
	if ((e = named_sa(s, m, err)) == NULL)
		return err->code;
	/* Composed first: e is freed after the delete. */
	h = srv_reply_hdr(&m->hdr, SADB_DELETE, m->hdr.satype);
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = pfkey_compose_sa(&w, &h, e, PFKEY_SA_HARD | PFKEY_SA_SOFT);
	/* An acquire whose larval SA goes stays pending without it. */
	for (a = s->acqs; a != NULL; a = a->next)
		if (a->spi == e->sa.spi && a->proto == e->sa.proto &&
		    addr_eq(&a->dst, &e->sa.dst))
			a->spi = 0;
	sad_delete(s->ctx.sad, e);
	if (n != 0)
		srv_deliver(s, buf, n, SRV_ALL, NULL, 0);
	return 0;
}

int
srv_get(struct pfkey_server *s, struct srv_client *c, const struct pfkey_msg *m,
    struct pfkey_err *err)
{
	struct pfkey_hdr h;
	struct sad_entry *e;

	if ((e = named_sa(s, m, err)) == NULL)
		return err->code;
	h = srv_reply_hdr(&m->hdr, SADB_GET, m->hdr.satype);
	return send_sa(s, c, &h, e, PFKEY_SA_ALL, SRV_ONE);
}

/* A bare header (FLUSH, X_SPDFLUSH) to every socket. */
static void
send_bare(struct pfkey_server *s, const struct pfkey_hdr *h)
{
	uint8_t buf[PFKEY_HDR_LEN];
	struct pfkey_wr w;
	size_t n;

	pfkey_wr_init(&w, buf, sizeof(buf));
	if (pfkey_build_hdr(&w, h) && (n = pfkey_build_finish(&w)) != 0)
		srv_deliver(s, buf, n, SRV_ALL, NULL, 0);
}

int
srv_flush(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t proto = pfkey_satype_proto(m->hdr.satype);
	struct pfkey_hdr h;

	(void)c;
	(void)err;
	sad_flush(s->ctx.sad, proto);
	srv_acq_flush(s, proto);
	h = srv_reply_hdr(&m->hdr, SADB_FLUSH, m->hdr.satype);
	send_bare(s, &h);
	return 0;
}

int
srv_dump(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct srv_dump *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		pfkey_err_set(err, ENOBUFS, "dump: out of memory");
		return ENOBUFS;
	}
	d->proto = pfkey_satype_proto(m->hdr.satype);
	d->req = m->hdr;
	if (!pfkey_conv_filter(m, &d->filter, err)) {
		srv_dump_free(s, d);
		return err->code;
	}
	return srv_dump_start(s, c, d, err);
}

int
srv_register(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	uint8_t satype = m->hdr.satype;
	uint32_t bit = satype != 0 ? 1u << satype : 0;
	struct pfkey_hdr h;
	struct pfkey_wr w;
	size_t n;

	if (c->registered & bit) {
		pfkey_err_set(
		    err, EEXIST, "register: satype %u already", satype);
		return EEXIST;
	}
	h = srv_reply_hdr(&m->hdr, SADB_REGISTER, satype);
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = pfkey_compose_register(&w, &h, srv_alg_usable, (void *)s->ctx.lib);
	if (n == 0) {
		pfkey_err_set(err, ENOBUFS, "register: reply does not fit");
		return ENOBUFS;
	}
	srv_alg_narrow(buf, n, s->ctx.lib);
	c->registered |= bit;
	srv_deliver(s, buf, n, SRV_REGISTERED, c, satype);
	return 0;
}

int
srv_promisc(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t *copy;

	if (m->len == PFKEY_HDR_LEN && c->fd >= 0)
		c->is_promisc = m->hdr.satype == 1;
	if ((copy = malloc(m->len)) == NULL) {
		pfkey_err_set(err, ENOBUFS, "x_promisc: out of memory");
		return ENOBUFS;
	}
	memcpy(copy, m->buf, m->len);
	/* af_key clears the errno of the header it echoes. */
	if (m->len == PFKEY_HDR_LEN)
		copy[offsetof(struct sadb_msg, sadb_msg_errno)] = 0;
	srv_deliver(s, copy, m->len, SRV_ALL, NULL, 0);
	secret_wipe(copy, m->len);
	free(copy);
	return 0;
}
