/*
 * Policy lifetimes (af_key pfkey_spdadd's xp->lft, Linux
 * xfrm_policy_timer).  racoon installs the policies it generates as a
 * responder (generate_policy) with LIFETIME_HARD addtime set to the phase
 * 2 lifetime, so that they go away with the negotiation that made them.
 *
 * Our SPD has no lifetimes, so the server keeps them beside it, by policy
 * id, for the policies that have any; each entry also remembers the
 * policy's add time, so a policy that replaced it under the same id (an
 * X_SPDUPDATE sets its own entry; ids are not reused before 2^29 more
 * policies) is never judged by an old entry.  Once a second the tick
 * deletes every policy past a hard time limit, as xfrm_policy_timer does:
 *   hard add time   seconds since the policy was added;
 *   hard use time   seconds since its last use (since it was added, when
 *                   never used).
 * Like Linux, nothing is sent when a policy expires: af_key's
 * key_notify_policy_expire sends nothing (there is no SADB_X_SPDEXPIRE
 * from Linux), and xfrm's delete of an expired policy notifies nobody.
 * Soft limits and byte and packet limits are kept and shown in every
 * policy message (pfkey_xfrm_policy2msg shows xp->lft), and do nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ipsec/spd.h"
#include "pfkey/server_int.h"

static size_t
bucket(uint32_t id)
{
	/* Ids step by 8 (the low 3 bits are the direction). */
	return (id >> 3) % SRV_PLIFE_BUCKETS;
}

static struct srv_plife **
find(struct pfkey_server *s, uint32_t id)
{
	struct srv_plife **pp = &s->plife[bucket(id)];

	while (*pp != NULL && (*pp)->id != id)
		pp = &(*pp)->next;
	return pp;
}

const struct pfkey_policy_life *
srv_plife_lookup(struct pfkey_server *s, const struct spd_policy *p)
{
	struct srv_plife *l = *find(s, p->id);

	return l != NULL && l->add_sec == p->add_sec ? &l->life : NULL;
}

void
srv_plife_forget(struct pfkey_server *s, uint32_t id)
{
	struct srv_plife **pp = find(s, id), *l = *pp;

	if (l == NULL)
		return;
	*pp = l->next;
	free(l);
	s->nplife--;
}

int
srv_plife_set(struct pfkey_server *s, const struct spd_policy *p,
    const struct pfkey_policy_life *life)
{
	struct srv_plife **pp, *l;

	if (!pfkey_policy_life_is_set(life)) {
		srv_plife_forget(s, p->id);
		return 0;
	}
	pp = find(s, p->id);
	if ((l = *pp) == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			return -1;
		l->id = p->id;
		*pp = l;
		s->nplife++;
	}
	l->add_sec = p->add_sec;
	l->life = *life;
	return 0;
}

void
srv_plife_free_all(struct pfkey_server *s)
{
	for (size_t i = 0; i < SRV_PLIFE_BUCKETS; i++) {
		struct srv_plife *l, *next;

		for (l = s->plife[i]; l != NULL; l = next) {
			next = l->next;
			free(l);
		}
		s->plife[i] = NULL;
	}
	s->nplife = 0;
}

/* Whether p is past a hard time limit of life at now. */
static bool
is_expired(
    const struct spd_policy *p, const struct sa_lifetime *hard, uint64_t now)
{
	uint64_t used = atomic_load(&p->use_sec);
	uint64_t since = used != 0 ? used : p->add_sec;

	if (hard->add_sec != 0 && now >= p->add_sec &&
	    now - p->add_sec >= hard->add_sec)
		return true;
	return hard->use_sec != 0 && now >= since &&
	    now - since >= hard->use_sec;
}

size_t
srv_plife_tick(struct pfkey_server *s, uint64_t now)
{
	size_t deleted = 0;

	for (size_t i = 0; i < SRV_PLIFE_BUCKETS; i++) {
		struct srv_plife **pp = &s->plife[i], *l;

		while ((l = *pp) != NULL) {
			struct spd_policy *p = spd_lookup_id(s->ctx.spd, l->id);
			bool is_stale = p == NULL || p->add_sec != l->add_sec;

			if (!is_stale && !is_expired(p, &l->life.hard, now)) {
				pp = &l->next;
				continue;
			}
			if (!is_stale &&
			    spd_delete_id(s->ctx.spd, l->id) == SPD_OK)
				deleted++;
			*pp = l->next;
			free(l);
			s->nplife--;
		}
	}
	if (deleted != 0) {
		s->st.policy_expires += deleted;
		srv_spd_changed(s);
	}
	return deleted;
}
