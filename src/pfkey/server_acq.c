/*
 * Messages the kernel side starts (af_key pfkey_send_acquire,
 * key_notify_sa_expire, pfkey_send_new_mapping), the acquire states they
 * leave behind, and a key manager's ACQUIRE (pfkey_acquire).
 *
 * An acquire state is Linux's XFRM_STATE_ACQ without an SPI: "an
 * ACQUIRE for this SA went out with this seq".  It keeps further ACQUIREs
 * for the same policy, template and endpoints from going out (the rate
 * limit), a GETSPI with its seq (or for the same SA) adopts it, an ADD or
 * UPDATE of the SA ends it, a key manager's negative ACQUIRE (errno set)
 * fails it, and it times out acq_expires_sec after the ACQUIRE.  Linux
 * keeps the adopting GETSPI's SPI in the same state object; here the
 * larval SA is a SAD entry (with its own hard lifetime) and the state
 * remembers its SPI.  Differences from Linux:
 *   - A failed state deletes its larval SA at once (Linux keeps the SPI
 *     reserved until the state expires) but, as Linux, still holds back
 *     new ACQUIREs until it expires: the key manager said it failed.
 *   - A timed-out state without an SA sends no EXPIRE (Linux sends a hard
 *     EXPIRE with SPI 0 for it); larval SAs do get theirs, from the
 *     daemon's lifetime scan.
 *   - Deleting an adopted larval SA (strongSwan does before its ADD)
 *     leaves the state pending, without an SPI, so that packets meanwhile
 *     do not start a second negotiation.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/sad.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/server_int.h"

uint32_t
srv_next_seq(struct pfkey_server *s)
{
	if (++s->kseq == 0)
		s->kseq = 1;
	return s->kseq;
}

struct srv_acq *
srv_acq_by_seq(struct pfkey_server *s, uint32_t seq, const struct addr *dst)
{
	for (struct srv_acq *a = s->acqs; a != NULL; a = a->next)
		if (a->seq == seq && !a->is_failed &&
		    (dst == NULL || addr_eq(&a->dst, dst)))
			return a;
	return NULL;
}

struct srv_acq *
srv_acq_by_sa(struct pfkey_server *s, uint8_t proto, uint8_t mode,
    uint32_t reqid, const struct addr *src, const struct addr *dst)
{
	for (struct srv_acq *a = s->acqs; a != NULL; a = a->next)
		if (a->spi == 0 && !a->is_failed && a->proto == proto &&
		    a->mode == mode && a->reqid == reqid &&
		    addr_eq(&a->src, src) && addr_eq(&a->dst, dst))
			return a;
	return NULL;
}

/* Unlink and free a. */
void
srv_acq_done(struct pfkey_server *s, struct srv_acq *a)
{
	struct srv_acq **pp;

	for (pp = &s->acqs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			free(a);
			s->nacqs--;
			return;
		}
}

void
srv_acq_flush(struct pfkey_server *s, uint8_t proto)
{
	struct srv_acq **pp = &s->acqs, *a;

	while ((a = *pp) != NULL) {
		if (proto == 0 || a->proto == proto) {
			*pp = a->next;
			free(a);
			s->nacqs--;
		} else {
			pp = &a->next;
		}
	}
}

void
srv_acq_free_all(struct pfkey_server *s)
{
	srv_acq_flush(s, 0);
}

/* Delete the larval SA a adopted, if it is still larval. */
static void
drop_larval(struct pfkey_server *s, struct srv_acq *a)
{
	struct sad_entry *e;

	if (a->spi == 0)
		return;
	e = sad_lookup_spi(s->ctx.sad, a->spi, a->proto, &a->dst);
	if (e != NULL && sad_state(e) == SA_STATE_LARVAL)
		sad_delete(s->ctx.sad, e);
	a->spi = 0;
}

int
srv_user_acquire(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct srv_acq *a;

	(void)c;
	(void)err;
	/* af_key: only a negative one (errno set) for a seq does anything. */
	if (m->hdr.seq == 0 || m->hdr.error == 0)
		return 0;
	if ((a = srv_acq_by_seq(s, m->hdr.seq, NULL)) == NULL)
		return 0;
	a->is_failed = true;
	drop_larval(s, a);
	return 0;
}

void
pfkey_server_tick(struct pfkey_server *s)
{
	uint64_t now = s->ctx.now(s->ctx.arg);
	struct srv_acq **pp = &s->acqs, *a;

	while ((a = *pp) != NULL) {
		if (a->expires_sec > now) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		free(a);
		s->nacqs--;
		s->st.acq_timeouts++;
	}
	srv_plife_tick(s, now);
	srv_reap(s);
}

/* The pending state for (policy, template, endpoints), if any. */
static struct srv_acq *
acq_pending(struct pfkey_server *s, uint32_t policy_id, unsigned tmpl,
    const struct addr *src, const struct addr *dst)
{
	uint64_t now = s->ctx.now(s->ctx.arg);

	for (struct srv_acq *a = s->acqs; a != NULL; a = a->next)
		if (a->policy_id == policy_id && a->tmpl == tmpl &&
		    a->expires_sec > now && addr_eq(&a->src, src) &&
		    addr_eq(&a->dst, dst))
			return a;
	return NULL;
}

static int
send_acquire(struct pfkey_server *s, const struct spd_policy *pol, unsigned i,
    const struct sad_out_key *key)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_acquire q;
	struct pfkey_wr w;
	struct srv_acq *a;
	size_t n;

	if (acq_pending(s, pol->id, i, &key->src, &key->dst) != NULL) {
		s->st.acq_limited++;
		return 0;
	}
	if (s->nacqs >= PFKEY_SERVER_ACQ_MAX ||
	    (a = calloc(1, sizeof(*a))) == NULL) {
		s->st.acq_dropped++;
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.seq = srv_next_seq(s);
	q.proto = key->proto;
	q.src = key->src;
	q.dst = key->dst;
	q.policy_id = pol->id;
	q.priority = pol->priority;
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = pfkey_compose_acquire(&w, &q, srv_alg_usable, (void *)s->ctx.lib);
	if (n == 0) {
		free(a);
		s->st.acq_dropped++;
		return -1;
	}
	srv_alg_narrow(buf, n, s->ctx.lib);
	a->seq = q.seq;
	a->policy_id = pol->id;
	a->tmpl = (uint8_t)i;
	a->proto = key->proto;
	a->mode = key->mode;
	a->reqid = key->reqid;
	a->src = key->src;
	a->dst = key->dst;
	a->expires_sec = s->ctx.now(s->ctx.arg) + s->ctx.acq_expires_sec;
	a->next = s->acqs;
	s->acqs = a;
	s->nacqs++;
	s->st.acquires++;
	srv_deliver(
	    s, buf, n, SRV_REGISTERED, NULL, pfkey_proto_satype(key->proto));
	srv_reap(s);
	return 1;
}

int
pfkey_server_acquire(struct pfkey_server *s, const struct spd_policy *pol,
    const struct selector_key *k)
{
	if (pol->action != SPD_ACTION_IPSEC)
		return 0;
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		const struct spd_tmpl *t = &pol->tmpl[i];
		struct sad_out_key key;

		memset(&key, 0, sizeof(key));
		if ((t->mode == SA_MODE_TUNNEL || t->mode == SA_MODE_BEET) &&
		    t->src.family != 0) {
			key.src = t->src;
			key.dst = t->dst;
		} else {
			key.src = k->src;
			key.dst = k->dst;
		}
		key.proto = t->proto;
		key.mode = t->mode;
		key.reqid = t->reqid;
		if (sad_lookup_out(s->ctx.sad, &key) == NULL)
			return send_acquire(s, pol, i, &key);
	}
	return 0;
}

void
pfkey_server_expire(
    struct pfkey_server *s, struct sad_entry *e, unsigned tripped)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	bool is_hard = (tripped & SAD_EXP_HARD) != 0;
	struct pfkey_wr w;
	size_t n;

	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = pfkey_compose_expire(&w, e, is_hard)) != 0) {
		s->st.expires++;
		srv_deliver(s, buf, n, SRV_REGISTERED, NULL,
		    pfkey_proto_satype(e->sa.proto));
		srv_reap(s);
	}
	if (!is_hard)
		return;
	for (struct srv_acq *a = s->acqs; a != NULL; a = a->next)
		if (a->spi == e->sa.spi && a->proto == e->sa.proto &&
		    addr_eq(&a->dst, &e->sa.dst))
			a->spi = 0;
	sad_delete(s->ctx.sad, e);
}

int
pfkey_server_new_mapping(struct pfkey_server *s, const struct sad_entry *e,
    const struct addr *addr, uint16_t port)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_new_mapping nm;
	struct pfkey_wr w;
	size_t n;

	memset(&nm, 0, sizeof(nm));
	nm.seq = srv_next_seq(s);
	nm.e = e;
	nm.addr = *addr;
	nm.port = port;
	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = pfkey_compose_new_mapping(&w, &nm)) == 0)
		return -1;
	srv_deliver(s, buf, n, SRV_REGISTERED, NULL, SADB_SATYPE_ESP);
	srv_reap(s);
	return 0;
}
