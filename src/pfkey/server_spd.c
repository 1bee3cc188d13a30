/*
 * SPD messages, as af_key's pfkey_spdadd, pfkey_spddelete, pfkey_spdget,
 * pfkey_spdflush, pfkey_spddump, pfkey_migrate and key_notify_policy:
 *
 *   X_SPDADD     EEXIST when a policy of that direction and selector
 *                exists; X_SPDSETIDX is the same (and is announced as
 *                X_SPDADD, af_key's event2poltype); X_SPDUPDATE replaces
 *                or adds.  The broadcast to every socket carries the
 *                policy id (strongSwan reads it unchecked).  Lifetimes
 *                are kept beside the policy (server_plife.c).
 *   X_SPDDELETE  by direction and selector, ENOENT when absent;
 *                X_SPDDELETE2 and X_SPDGET by id.
 *   X_SPDFLUSH   a bare header to every socket.
 *   X_SPDDUMP    server_send.c.
 *   X_MIGRATE    the policy of the selector and direction (ENOENT when
 *                none) gets the new endpoints in its matching templates,
 *                and every SA of each (old endpoints, protocol, mode,
 *                reqid, any reqid when 0) moves to the new endpoints with
 *                its counters, sequence number and replay window; then
 *                every socket, the requester included, gets af_key's
 *                pfkey_send_migrate announcement (pid and seq 0, with
 *                X_KMADDRESS when the request had one), and no reply.
 *
 * Reqids: a "unique" template with reqid 0 gets one of the server's own
 * above PFKEY_SERVER_REQID_MANUAL_MAX, as af_key's gen_reqid, which
 * counts up from there and skips reqids a policy uses.  Only the server
 * hands out reqids in that range (pfkey_conv_policy drops larger ones),
 * so until the counter wraps every new one is free and the SPD is not
 * searched; after a wrap each pick is checked against every policy.
 *
 * Every change calls the context's spd_changed.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/server_int.h"

void
srv_spd_changed(struct pfkey_server *s)
{
	if (s->ctx.spd_changed != NULL)
		s->ctx.spd_changed(s->ctx.arg);
}

static int
status_errno(enum spd_status st)
{
	switch (st) {
	case SPD_OK:
		return 0;
	case SPD_EXISTS:
		return EEXIST;
	case SPD_NOTFOUND:
		return ENOENT;
	case SPD_FULL:
	case SPD_NOMEM:
		return ENOBUFS;
	case SPD_INVALID:
		break;
	}
	return EINVAL;
}

static bool
reqid_in_use(struct pfkey_server *s, uint32_t reqid)
{
	struct spd_cursor *cur = spd_cursor_new(s->ctx.spd);
	struct spd_policy *p;
	bool used = false;

	if (cur == NULL)
		return true;
	while (!used && (p = spd_cursor_next(s->ctx.spd, cur)) != NULL)
		for (unsigned i = 0; i < p->ntmpl && i < SPD_TMPL_MAX; i++)
			if (p->tmpl[i].reqid == reqid)
				used = true;
	spd_cursor_free(s->ctx.spd, cur);
	return used;
}

/* af_key gen_reqid: the next free reqid above the manual ones, or 0. */
static uint32_t
gen_reqid(struct pfkey_server *s, const struct spd_policy *pol)
{
	uint32_t start = s->reqid;

	do {
		if (++s->reqid == 0) {
			s->reqid = PFKEY_SERVER_REQID_MANUAL_MAX + 1;
			s->has_reqid_wrapped = true;
		}
		if (!s->has_reqid_wrapped)
			return s->reqid;
		/* Not one the policy being built has taken either. */
		for (unsigned i = 0; i < pol->ntmpl; i++)
			if (pol->tmpl[i].reqid == s->reqid)
				goto next;
		if (!reqid_in_use(s, s->reqid))
			return s->reqid;
	next:;
	} while (s->reqid != start);
	return 0;
}

static bool
assign_reqids(
    struct pfkey_server *s, struct spd_policy *pol, struct pfkey_err *err)
{
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		struct spd_tmpl *t = &pol->tmpl[i];

		if (t->level != KNOBS_LEVEL_UNIQUE || t->reqid != 0)
			continue;
		if ((t->reqid = gen_reqid(s, pol)) == 0) {
			pfkey_err_set(err, ENOBUFS, "%s: no free reqid",
			    pfkey_msg_name(SADB_X_SPDADD));
			return false;
		}
	}
	return true;
}

/* A policy message about p of type, as how says. */
static int
send_policy(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_hdr *req, uint8_t type, const struct spd_policy *p,
    enum srv_bcast how)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_hdr h = srv_reply_hdr(req, type, 0);
	struct pfkey_wr w;
	size_t n;

	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = pfkey_compose_policy(&w, &h, p, srv_plife_lookup(s, p))) == 0)
		return ENOBUFS;
	srv_deliver(s, buf, n, how, how == SRV_ONE ? c : NULL, 0);
	return 0;
}

int
srv_spdadd(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	bool is_update = m->hdr.type == SADB_X_SPDUPDATE;
	struct pfkey_policy_life life;
	struct spd_policy pol;
	struct spd_policy *p;
	enum spd_status st;
	uint32_t id;

	if (!pfkey_conv_policy(m, &pol, err))
		return err->code;
	pfkey_conv_policy_life(m, &life);
	if (!assign_reqids(s, &pol, err))
		return err->code;
	pol.add_sec = s->ctx.now(s->ctx.arg);
	if ((st = spd_insert(s->ctx.spd, &pol, is_update, &id)) != SPD_OK) {
		pfkey_err_set(err, status_errno(st), "%s: %s",
		    pfkey_msg_name(m->hdr.type),
		    st == SPD_EXISTS ? "a policy with this selector exists"
				     : "refused by the spd");
		return status_errno(st);
	}
	if ((p = spd_lookup_id(s->ctx.spd, id)) == NULL) {
		srv_spd_changed(s);
		return 0;
	}
	if (srv_plife_set(s, p, &life) == -1) {
		/* Not without the lifetimes it asked for. */
		spd_delete_id(s->ctx.spd, id);
		srv_spd_changed(s);
		pfkey_err_set(err, ENOBUFS, "%s: out of memory",
		    pfkey_msg_name(m->hdr.type));
		return ENOBUFS;
	}
	srv_spd_changed(s);
	return send_policy(s, c, &m->hdr,
	    is_update ? SADB_X_SPDUPDATE : SADB_X_SPDADD, p, SRV_ALL);
}

/* Announce p as deleted by a message of type, then delete it. */
static int
delete_policy(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, uint8_t type, struct spd_policy *p)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_hdr h = srv_reply_hdr(&m->hdr, type, 0);
	struct pfkey_wr w;
	size_t n;

	(void)c;
	pfkey_wr_init(&w, buf, sizeof(buf));
	n = pfkey_compose_policy(&w, &h, p, srv_plife_lookup(s, p));
	srv_plife_forget(s, p->id);
	spd_delete_id(s->ctx.spd, p->id);
	srv_spd_changed(s);
	if (n != 0)
		srv_deliver(s, buf, n, SRV_ALL, NULL, 0);
	return 0;
}

int
srv_spddelete(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct spd_policy pol, *p;

	if (!pfkey_conv_policy(m, &pol, err))
		return err->code;
	p = spd_lookup_sel(s->ctx.spd, pol.dir, &pol.sel);
	if (p == NULL) {
		pfkey_err_set(err, ENOENT, "x_spddelete: no such policy");
		return ENOENT;
	}
	return delete_policy(s, c, m, SADB_X_SPDDELETE, p);
}

int
srv_spdget(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct spd_policy *p;
	enum spd_dir dir;
	uint32_t id;

	if (!pfkey_conv_policy_id(m, &id, &dir, err))
		return err->code;
	p = spd_lookup_id(s->ctx.spd, id);
	if (p == NULL || p->dir != dir) {
		pfkey_err_set(err, ENOENT, "%s: no policy %u",
		    pfkey_msg_name(m->hdr.type), id);
		return ENOENT;
	}
	if (m->hdr.type == SADB_X_SPDDELETE2)
		return delete_policy(s, c, m, SADB_X_SPDDELETE2, p);
	return send_policy(s, c, &m->hdr, SADB_X_SPDGET, p, SRV_ONE);
}

int
srv_spdflush(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t buf[PFKEY_HDR_LEN];
	struct pfkey_hdr h = srv_reply_hdr(&m->hdr, SADB_X_SPDFLUSH, 0);
	struct pfkey_wr w;
	size_t n;

	(void)c;
	(void)err;
	spd_flush(s->ctx.spd);
	srv_plife_free_all(s);
	srv_spd_changed(s);
	pfkey_wr_init(&w, buf, sizeof(buf));
	if (pfkey_build_hdr(&w, &h) && (n = pfkey_build_finish(&w)) != 0)
		srv_deliver(s, buf, n, SRV_ALL, NULL, 0);
	return 0;
}

int
srv_spddump(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	struct srv_dump *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		pfkey_err_set(err, ENOBUFS, "x_spddump: out of memory");
		return ENOBUFS;
	}
	d->is_spd = true;
	d->req = m->hdr;
	return srv_dump_start(s, c, d, err);
}

/* Whether template t is the one item moves (xfrm migrate_tmpl_match). */
static bool
tmpl_match(const struct spd_tmpl *t, const struct pfkey_migrate_item *it)
{
	if (t->proto != it->proto || t->mode != it->mode ||
	    (it->reqid != 0 && t->reqid != it->reqid))
		return false;
	if (t->mode != SA_MODE_TUNNEL && t->mode != SA_MODE_BEET)
		return true;
	return addr_eq(&t->src, &it->old_src) && addr_eq(&t->dst, &it->old_dst);
}

static bool
sa_match(const struct sad_entry *e, const struct pfkey_migrate_item *it)
{
	return e->sa.proto == it->proto && e->sa.mode == it->mode &&
	    (it->reqid == 0 || e->sa.reqid == it->reqid) &&
	    addr_eq(&e->sa.src, &it->old_src) &&
	    addr_eq(&e->sa.dst, &it->old_dst) && sad_state(e) != SA_STATE_DEAD;
}

/* A copy of e at the new endpoints with e's runtime state. */
static struct sad_entry *
migrated(const struct sad_entry *e, const struct pfkey_migrate_item *it)
{
	struct sad_entry *n;
	struct sa sa;

	memcpy(&sa, &e->sa, sizeof(sa));
	sa.src = it->new_src;
	sa.dst = it->new_dst;
	n = sad_entry_new(&sa, e->replay_bytes, e->add_sec);
	secret_wipe(&sa, sizeof(sa));
	if (n == NULL)
		return NULL;
	if (e->replay_bytes != 0)
		memcpy(n->sa.replay, e->sa.replay, e->replay_bytes);
	atomic_store(&n->sa.seq_out, atomic_load(&e->sa.seq_out));
	atomic_store(&n->use_sec, atomic_load(&e->use_sec));
	atomic_store(&n->cur_bytes, atomic_load(&e->cur_bytes));
	atomic_store(&n->cur_packets, atomic_load(&e->cur_packets));
	/* sad_entry_new made it LARVAL; MATURE and DYING follow e. */
	if (sad_state(e) != SA_STATE_LARVAL)
		sad_state_set(n, SA_STATE_MATURE);
	if (sad_state(e) == SA_STATE_DYING)
		sad_state_set(n, SA_STATE_DYING);
	return n;
}

/* Move the SAs of one item; the count moved. */
static size_t
migrate_sas(struct pfkey_server *s, const struct pfkey_migrate_item *it)
{
	struct sad_cursor *cur = sad_cursor_new(s->ctx.sad);
	struct sad_entry *e, *n;
	size_t moved = 0;

	if (cur == NULL)
		return 0;
	while ((e = sad_cursor_next(s->ctx.sad, cur)) != NULL) {
		if (!sa_match(e, it) || (n = migrated(e, it)) == NULL)
			continue;
		/* Insert first: if the new place is taken, e stays. */
		if (sad_insert(s->ctx.sad, n) != SAD_OK)
			continue;
		sad_delete(s->ctx.sad, e);
		moved++;
	}
	sad_cursor_free(s->ctx.sad, cur);
	return moved;
}

int
srv_migrate(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err)
{
	uint8_t buf[SRV_COMPOSE_MAX];
	struct pfkey_migrate mg;
	struct spd_policy *p, np;
	struct pfkey_wr w;
	size_t n;

	(void)c;
	if (!pfkey_conv_migrate(m, &mg, err))
		return err->code;
	p = spd_lookup_sel(s->ctx.spd, mg.dir, &mg.sel);
	if (p == NULL) {
		pfkey_err_set(err, ENOENT, "x_migrate: no such policy");
		return ENOENT;
	}
	memcpy(&np, p, sizeof(np));
	for (unsigned i = 0; i < mg.n; i++)
		for (unsigned j = 0; j < np.ntmpl && j < SPD_TMPL_MAX; j++)
			if (tmpl_match(&np.tmpl[j], &mg.item[i]) &&
			    (np.tmpl[j].mode == SA_MODE_TUNNEL ||
				np.tmpl[j].mode == SA_MODE_BEET)) {
				np.tmpl[j].src = mg.item[i].new_src;
				np.tmpl[j].dst = mg.item[i].new_dst;
			}
	if (spd_insert(s->ctx.spd, &np, true, NULL) != SPD_OK) {
		pfkey_err_set(err, ENOBUFS, "x_migrate: policy not updated");
		return ENOBUFS;
	}
	srv_spd_changed(s);
	for (unsigned i = 0; i < mg.n; i++)
		migrate_sas(s, &mg.item[i]);
	pfkey_wr_init(&w, buf, sizeof(buf));
	if ((n = pfkey_compose_migrate(&w, &mg)) != 0)
		srv_deliver(s, buf, n, SRV_ALL, NULL, 0);
	return 0;
}
