/*
 * Delivery: af_key's pfkey_broadcast rules over per-client queues, and
 * dumps that go out message by message as the client reads.
 *
 * A message for a client is sent at once when its queue is empty and its
 * socket takes it; otherwise a copy is queued (up to
 * PFKEY_SERVER_QUEUE_MAX bytes, else dropped and counted) and EV_WRITE
 * drains the queue.  Dumps produce their next messages only while the
 * queue is under a third of its bound (af_key's pfkey_can_dump), so
 * replies and broadcasts to a dumping client still find room, and a dump
 * of any size completes however slowly the client reads.
 *
 *   pfkey_broadcast(msg, how, one):
 *     for each socket s:  s promiscuous -> copy to s
 *                         s == one      -> skip (served last)
 *                         ALL -> s;  REGISTERED -> s if registered;
 *                         ONE, PROMISC_ONLY -> nobody else
 *     one -> copy to one
 * A promiscuous socket that is also a target gets the message twice, as
 * in af_key ("you receive it twice as promiscuous socket").
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/secret.h"
#include "crypto/provider.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/server_int.h"

/*
 * What REGISTER and ACQUIRE list: an algorithm usable at some key size
 * under the offload policy in force (crypto_lib_registrable), so that a
 * key manager never proposes what ADD would refuse.
 */
bool
srv_alg_usable(const struct alg *a, void *arg)
{
	return arg != NULL && crypto_lib_registrable(a, arg);
}

/*
 * The usable range of the algorithm numbered id (kind as alg_by_sadb)
 * over *min_bits and *max_bits, kept when it has none.
 */
static void
usable_range(const struct crypto_lib *lib, enum alg_kind kind, unsigned id,
    uint16_t *min_bits, uint16_t *max_bits)
{
	const struct alg *a = id == 0 ? NULL : alg_by_sadb(kind, id);
	unsigned lo, hi;

	if (a == NULL ||
	    !crypto_lib_usable_bits(lib, a, CRYPTO_POLICY_UNSET, &lo, &hi))
		return;
	*min_bits = (uint16_t)lo;
	*max_bits = (uint16_t)hi;
}

static void
narrow_supported(
    uint8_t *p, size_t len, enum alg_kind kind, const struct crypto_lib *lib)
{
	for (size_t o = sizeof(struct sadb_supported);
	     o + sizeof(struct sadb_alg) <= len; o += sizeof(struct sadb_alg)) {
		struct sadb_alg a;
		uint16_t lo, hi;

		memcpy(&a, p + o, sizeof(a));
		lo = a.sadb_alg_minbits;
		hi = a.sadb_alg_maxbits;
		usable_range(lib, kind, a.sadb_alg_id, &lo, &hi);
		a.sadb_alg_minbits = lo;
		a.sadb_alg_maxbits = hi;
		memcpy(p + o, &a, sizeof(a));
	}
}

static void
narrow_proposal(uint8_t *p, size_t len, const struct crypto_lib *lib)
{
	for (size_t o = sizeof(struct sadb_prop);
	     o + sizeof(struct sadb_comb) <= len;
	     o += sizeof(struct sadb_comb)) {
		struct sadb_comb c;
		uint16_t alo, ahi, elo, ehi;

		memcpy(&c, p + o, sizeof(c));
		alo = c.sadb_comb_auth_minbits;
		ahi = c.sadb_comb_auth_maxbits;
		elo = c.sadb_comb_encrypt_minbits;
		ehi = c.sadb_comb_encrypt_maxbits;
		usable_range(lib, ALG_AUTH, c.sadb_comb_auth, &alo, &ahi);
		usable_range(lib, ALG_ENCR, c.sadb_comb_encrypt, &elo, &ehi);
		c.sadb_comb_auth_minbits = alo;
		c.sadb_comb_auth_maxbits = ahi;
		c.sadb_comb_encrypt_minbits = elo;
		c.sadb_comb_encrypt_maxbits = ehi;
		memcpy(p + o, &c, sizeof(c));
	}
}

void
srv_alg_narrow(uint8_t *msg, size_t len, const struct crypto_lib *lib)
{
	size_t o = sizeof(struct sadb_msg);

	if (lib == NULL)
		return;
	/* Our own message: its extension lengths are right by making. */
	while (o + sizeof(struct sadb_ext) <= len) {
		struct sadb_ext e;
		size_t elen;

		memcpy(&e, msg + o, sizeof(e));
		elen = (size_t)e.sadb_ext_len * 8;
		if (elen < sizeof(e) || elen > len - o)
			return;
		if (e.sadb_ext_type == SADB_EXT_SUPPORTED_AUTH)
			narrow_supported(msg + o, elen, ALG_AUTH, lib);
		else if (e.sadb_ext_type == SADB_EXT_SUPPORTED_ENCRYPT)
			narrow_supported(msg + o, elen, ALG_ENCR, lib);
		else if (e.sadb_ext_type == SADB_EXT_PROPOSAL)
			narrow_proposal(msg + o, elen, lib);
		o += elen;
	}
}

static void
msg_free(struct srv_msg *m)
{
	secret_wipe(m->data, m->len);
	free(m);
}

static void
want_write(struct srv_client *c)
{
	if (c->is_writing || c->is_dead || c->ev_write == NULL)
		return;
	if (event_add(c->ev_write, NULL) == 0)
		c->is_writing = true;
}

static void
stop_write(struct srv_client *c)
{
	if (!c->is_writing)
		return;
	event_del(c->ev_write);
	c->is_writing = false;
}

/* Send one message now: 1 sent, 0 would block, -1 the client is gone. */
static int
send_now(struct srv_client *c, const uint8_t *msg, size_t len)
{
	ssize_t n;

	do
		n = send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)len)
		return 1;
	if (n == -1 && (errno == EAGAIN || errno == ENOBUFS))
		return 0;
	return -1;
}

/* Queue (or send) one message for c; false when it was dropped. */
static bool
enqueue(struct srv_client *c, const uint8_t *msg, size_t len)
{
	struct pfkey_server *s = c->srv;
	struct srv_msg *m;
	int rc;

	if (c->fd < 0 || c->is_dead)
		return true;
	if (c->head == NULL) {
		rc = send_now(c, msg, len);
		if (rc == 1) {
			s->st.sent++;
			return true;
		}
		if (rc == -1) {
			srv_client_kill(c);
			return true;
		}
	}
	if (len > PFKEY_SERVER_QUEUE_MAX - c->queued ||
	    (m = malloc(sizeof(*m) + len)) == NULL) {
		c->drops++;
		s->st.dropped++;
		return false;
	}
	m->next = NULL;
	m->len = len;
	memcpy(m->data, msg, len);
	if (c->tail != NULL)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	c->queued += len;
	s->st.sent++;
	want_write(c);
	return true;
}

void
srv_client_flush(struct srv_client *c)
{
	struct srv_msg *m;
	int rc;

	while ((m = c->head) != NULL && !c->is_dead) {
		rc = send_now(c, m->data, m->len);
		if (rc == 0)
			return;
		if (rc == -1) {
			srv_client_kill(c);
			return;
		}
		c->head = m->next;
		if (c->head == NULL)
			c->tail = NULL;
		c->queued -= m->len;
		msg_free(m);
	}
	if (c->head == NULL && c->dump == NULL)
		stop_write(c);
}

void
srv_deliver(struct pfkey_server *s, const uint8_t *msg, size_t len,
    enum srv_bcast how, struct srv_client *one, uint8_t satype)
{
	struct srv_client *c;

	if (how == SRV_ONLY) {
		if (one != NULL)
			enqueue(one, msg, len);
		return;
	}
	for (c = s->clients; c != NULL; c = c->next) {
		if (c->is_promisc)
			enqueue(c, msg, len);
		if (c == one)
			continue;
		switch (how) {
		case SRV_ALL:
			break;
		case SRV_REGISTERED:
			if (satype < 32 && (c->registered & (1u << satype)))
				break;
			continue;
		case SRV_ONE:
		case SRV_PROMISC_ONLY:
		case SRV_ONLY:
			continue;
		}
		enqueue(c, msg, len);
	}
	if (one != NULL)
		enqueue(one, msg, len);
}

void
srv_error(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_hdr *h, int code, enum srv_bcast how)
{
	uint8_t buf[PFKEY_HDR_LEN];
	struct pfkey_wr w;
	size_t n;

	s->st.refused++;
	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = pfkey_compose_error(&w, h, code)) != 0)
		srv_deliver(s, buf, n, how, c, 0);
}

void
srv_dump_free(struct pfkey_server *s, struct srv_dump *d)
{
	if (d == NULL)
		return;
	if (d->sc != NULL)
		sad_cursor_free(s->ctx.sad, d->sc);
	if (d->pc != NULL)
		spd_cursor_free(s->ctx.spd, d->pc);
	if (d->pending != NULL) {
		secret_wipe(d->pending, SRV_COMPOSE_MAX);
		free(d->pending);
	}
	free(d);
}

void
srv_client_clear(struct srv_client *c)
{
	struct srv_msg *m, *next;

	for (m = c->head; m != NULL; m = next) {
		next = m->next;
		msg_free(m);
	}
	c->head = c->tail = NULL;
	c->queued = 0;
	srv_dump_free(c->srv, c->dump);
	c->dump = NULL;
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	c->ev_read = c->ev_write = NULL;
	c->is_writing = false;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Whether an SA belongs in dump d (satype and X_FILTER). */
static bool
dump_match(const struct srv_dump *d, const struct sad_entry *e)
{
	if (d->proto != 0 && e->sa.proto != d->proto)
		return false;
	if (!d->filter.is_set)
		return true;
	return prefix_match(&d->filter.src, &e->sa.src) &&
	    prefix_match(&d->filter.dst, &e->sa.dst);
}

/* The next message of d into buf; its length, 0 at the end. */
static size_t
dump_next(struct pfkey_server *s, struct srv_dump *d, uint8_t *buf)
{
	struct pfkey_wr w;
	struct pfkey_hdr h;
	size_t n;

	for (;;) {
		pfkey_wr_init(&w, buf, SRV_COMPOSE_MAX);
		if (d->is_spd) {
			struct spd_policy *p =
			    spd_cursor_next(s->ctx.spd, d->pc);

			if (p == NULL)
				return 0;
			h = srv_reply_hdr(&d->req, SADB_X_SPDDUMP, 0);
			n = pfkey_compose_policy(
			    &w, &h, p, srv_plife_lookup(s, p));
		} else {
			struct sad_entry *e =
			    sad_cursor_next(s->ctx.sad, d->sc);

			if (e == NULL)
				return 0;
			if (!dump_match(d, e))
				continue;
			h = srv_reply_hdr(&d->req, SADB_DUMP,
			    pfkey_proto_satype(e->sa.proto));
			n = pfkey_compose_sa(&w, &h, e, PFKEY_SA_ALL);
		}
		/* A message that cannot be composed is left out. */
		if (n != 0)
			return n;
	}
}

/* The held-back message goes out with sequence number seq. */
static void
dump_send_pending(struct srv_client *c, uint32_t seq)
{
	struct srv_dump *d = c->dump;

	memcpy(d->pending + offsetof(struct sadb_msg, sadb_msg_seq), &seq,
	    sizeof(seq));
	srv_deliver(c->srv, d->pending, d->pending_len, SRV_ONE, c, 0);
	secret_wipe(d->pending, d->pending_len);
	d->pending_len = 0;
}

void
srv_dump_step(struct srv_client *c)
{
	struct pfkey_server *s = c->srv;
	struct srv_dump *d = c->dump;
	uint8_t *next;
	size_t n;

	if (d == NULL)
		return;
	if ((next = malloc(SRV_COMPOSE_MAX)) == NULL)
		return;
	for (int i = 0; i < SRV_DUMP_BATCH; i++) {
		if (c->is_dead || c->queued >= PFKEY_SERVER_QUEUE_MAX / 3)
			break;
		n = dump_next(s, d, next);
		if (n == 0) {
			/* af_key pfkey_do_dump: the last one has seq 0. */
			if (d->pending_len != 0)
				dump_send_pending(c, 0);
			srv_dump_free(s, d);
			c->dump = NULL;
			break;
		}
		d->count++;
		if (d->pending_len != 0) {
			dump_send_pending(c, d->left > 1 ? d->left - 1 : 1);
			if (d->left > 1)
				d->left--;
		}
		memcpy(d->pending, next, n);
		d->pending_len = n;
		secret_wipe(next, n);
	}
	free(next);
	/* Go on when the socket drains (or next turn if it already has). */
	if (c->dump != NULL || c->head != NULL)
		want_write(c);
	else
		stop_write(c);
}

/* How many messages dump d will send, as it starts. */
static uint32_t
dump_total(struct pfkey_server *s, struct srv_dump *d)
{
	struct sad_cursor *cur;
	struct sad_entry *e;
	size_t n = 0;

	if (d->is_spd)
		n = spd_count(s->ctx.spd);
	else if (d->proto == 0 && !d->filter.is_set)
		n = sad_count(s->ctx.sad);
	else if ((cur = sad_cursor_new(s->ctx.sad)) != NULL) {
		while ((e = sad_cursor_next(s->ctx.sad, cur)) != NULL)
			if (dump_match(d, e))
				n++;
		sad_cursor_free(s->ctx.sad, cur);
	}
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int
srv_dump_start(struct pfkey_server *s, struct srv_client *c, struct srv_dump *d,
    struct pfkey_err *err)
{
	d->left = dump_total(s, d);
	if (d->left == 0) {
		pfkey_err_set(err, ENOENT, "%s: nothing to dump",
		    pfkey_msg_name(d->req.type));
		srv_dump_free(s, d);
		return ENOENT;
	}
	if (c->fd < 0) {
		/* inject: every message would be a reply to nobody. */
		srv_dump_free(s, d);
		return 0;
	}
	if (c->dump != NULL) {
		pfkey_err_set(err, EBUSY, "%s: a dump is already running",
		    pfkey_msg_name(d->req.type));
		srv_dump_free(s, d);
		return EBUSY;
	}
	d->pending = malloc(SRV_COMPOSE_MAX);
	if (d->is_spd)
		d->pc = spd_cursor_new(s->ctx.spd);
	else
		d->sc = sad_cursor_new(s->ctx.sad);
	if (d->pending == NULL || (d->is_spd ? d->pc == NULL : d->sc == NULL)) {
		pfkey_err_set(err, ENOBUFS, "%s: out of memory",
		    pfkey_msg_name(d->req.type));
		srv_dump_free(s, d);
		return ENOBUFS;
	}
	c->dump = d;
	srv_dump_step(c);
	return 0;
}
