/*
 * Replies of the control protocol (control_reply.h).  Items come from one
 * of two sources:
 *
 *   cursor      show sa, show sp: the next entry of sad_cursor/spd_cursor,
 *               built into an item only when a message needs it
 *   prebuilt    everything else: a JSON array built when the request is
 *               handled (the interface table may be replaced and freed
 *               between two messages, so its items are copied at once; at
 *               most IFACE_MAX of them)
 *
 * A message takes items until the next would pass CHUNK_MAX bytes; that
 * item is carried over to the next message.  An item is measured by
 * dumping it into the output buffer, which the whole message overwrites
 * afterwards.
 */
#include "config.h"

#include "daemon/control_reply.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/secret.h"
#include "daemon/control.h"
#include "daemon/control_json.h"
#include "daemon/conf.h"
#include "daemon/control_req.h"
#include "daemon/daemon.h"
#include "daemon/sockpol.h"
#include "daemon/iface.h"
#include "ipsec/knobs.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

/* Room left for the envelope: version, type, end, summary. */
#define CHUNK_MAX (CONTROL_MSG_MAX - 1024)

enum item_status {
	ITEM_OK,
	ITEM_END,
	ITEM_NOMEM,
};

struct control_reply {
	struct ipsecd *d;
	struct control_req req;
	const char *type; /* "sa", "sp", ...; NULL for an error reply */
	json_t *items;	  /* prebuilt source */
	size_t next;	  /* next index in items */
	struct sad_cursor *sc;
	struct spd_cursor *pc;
	json_t *carry; /* built, did not fit the last message */
	const char *err_code;
	char err[CONTROL_WHY_MAX];
	bool is_done;
	uint64_t now_sec;
};

static void __attribute__((format(printf, 3, 4)))
reply_fail(struct control_reply *r, const char *code, const char *fmt, ...)
{
	char raw[CONTROL_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	control_printable(r->err, sizeof(r->err), raw);
	r->err_code = code;
}

/* Drop an item, wiping it first if it may hold keys. */
static void
item_free(struct control_reply *r, json_t *it)
{
	if (it != NULL && r->req.show_keys)
		control_json_sa_wipe(it);
	json_decref(it);
}

static void
items_free(struct control_reply *r, json_t *items)
{
	size_t i;
	json_t *it;

	if (items != NULL && r->req.show_keys)
		json_array_foreach(items, i, it) control_json_sa_wipe(it);
	json_decref(items);
}

static int
append(json_t *items, json_t *it)
{
	return json_array_append_new(items, it);
}

struct knobs_visit {
	json_t *items;
	int rc;
};

static void
knob_visit(void *arg, const char *name, const char *value, const char *descr)
{
	struct knobs_visit *v = arg;

	if (v->rc == 0)
		v->rc = append(
		    v->items, control_json_knob(name, value, descr, NULL));
}

static int
prebuild_interfaces(struct control_reply *r)
{
	const struct iface_table *t = r->d->ifaces;

	for (unsigned i = 0; t != NULL && i < t->n && i < IFACE_MAX; i++)
		if (append(r->items,
			control_json_iface(t->v[i], r->d->nworkers)) != 0)
			return -1;
	return 0;
}

static int
prebuild_get(struct control_reply *r)
{
	const char *canonical = knobs_lookup(r->req.name);
	char value[KNOBS_VALUE_MAX];

	if (canonical == NULL ||
	    knobs_get(r->d->knobs, canonical, value, sizeof(value)) != 0) {
		reply_fail(r, "refused",
		    "unknown knob \"%s\" (ipsecctl show knobs lists them)",
		    r->req.name);
		return 0;
	}
	return append(
	    r->items, control_json_knob(r->req.name, value, NULL, NULL));
}

static int
prebuild_set(struct control_reply *r)
{
	const char *canonical = knobs_lookup(r->req.name), *why = "";
	char old[KNOBS_VALUE_MAX], value[KNOBS_VALUE_MAX];

	if (canonical == NULL ||
	    knobs_get(r->d->knobs, canonical, old, sizeof(old)) != 0) {
		reply_fail(r, "refused",
		    "unknown knob \"%s\" (ipsecctl show knobs lists them)",
		    r->req.name);
		return 0;
	}
	if (ipsecd_knob_set(r->d, r->req.name, r->req.value, &why) != 0) {
		reply_fail(r, "refused", "%s: bad value \"%s\": %s",
		    r->req.name, r->req.value, why != NULL ? why : "refused");
		return 0;
	}
	if (knobs_get(r->d->knobs, canonical, value, sizeof(value)) != 0)
		return -1;
	return append(
	    r->items, control_json_knob(r->req.name, value, NULL, old));
}

/* A process that recorded socket policies and is gone (kill(2) probe). */
static bool
is_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/*
 * show sp: the socket policies of live key managers follow the SPD's
 * policies (a snapshot: the table may change between two messages).
 */
static int
prebuild_sockpols(struct control_reply *r)
{
	struct sockpol *t = r->d->sockpols;

	if ((r->items = json_array()) == NULL)
		return -1;
	if (t == NULL)
		return 0;
	sockpol_reap(t, is_alive);
	for (size_t i = 0; i < t->n; i++)
		if (append(r->items, sockpol_json(&t->v[i])) != 0)
			return -1;
	return 0;
}

/*
 * sockpolicy: record or drop a key manager's socket policy; the reply
 * tells the shim the daemon's mark, which it puts on sockets whose
 * outbound policy is a bypass so that the policy-routing rule skips them.
 */
static int
prebuild_sockpolicy(struct control_reply *r)
{
	const struct control_sockpol *sp = &r->req.sp;
	struct sockpol_entry e;

	r->type = "sockpolicy";
	if ((r->items = json_array()) == NULL)
		return -1;
	if (r->d->sockpols == NULL) {
		reply_fail(r, "refused", "socket policies are not kept");
		return 0;
	}
	if (!sp->is_set)
		sockpol_clear(r->d->sockpols, sp->pid, sp->fd);
	else {
		memset(&e, 0, sizeof(e));
		e.pid = sp->pid;
		e.fd = sp->fd;
		e.family = sp->family;
		e.dir = sp->dir;
		e.type = sp->type;
		e.add_sec = r->now_sec;
		if (sockpol_set(r->d->sockpols, &e) != 0) {
			sockpol_reap(r->d->sockpols, is_alive);
			if (sockpol_set(r->d->sockpols, &e) != 0) {
				reply_fail(r, "refused",
				    "too many socket policies (at most %d)",
				    SOCKPOL_MAX);
				return 0;
			}
		}
	}
	return append(r->items,
	    json_pack("{s:I, s:I}", "mark", (json_int_t)r->d->conf->mark.value,
		"mask", (json_int_t)r->d->conf->mark.mask));
}

/* Set up the source of the reply to a parsed request; -1: no memory. */
static int
start(struct control_reply *r)
{
	static const char *const what_types[CONTROL_WHAT_COUNT] = {
		[CONTROL_WHAT_SA] = "sa",
		[CONTROL_WHAT_SP] = "sp",
		[CONTROL_WHAT_INTERFACES] = "interface",
		[CONTROL_WHAT_STATS] = "stats",
		[CONTROL_WHAT_KNOBS] = "knob",
		[CONTROL_WHAT_CRYPTO] = "crypto",
	};
	struct knobs_visit v;

	if (r->req.cmd == CONTROL_CMD_SOCKPOLICY)
		return prebuild_sockpolicy(r);
	if (r->req.cmd != CONTROL_CMD_SHOW) {
		r->type = "knob";
		if ((r->items = json_array()) == NULL)
			return -1;
		return r->req.cmd == CONTROL_CMD_GET ? prebuild_get(r)
						     : prebuild_set(r);
	}
	r->type = what_types[r->req.what];
	switch (r->req.what) {
	case CONTROL_WHAT_SA:
		r->sc = sad_cursor_new(r->d->sad);
		return r->sc == NULL ? -1 : 0;
	case CONTROL_WHAT_SP:
		r->pc = spd_cursor_new(r->d->spd);
		return r->pc == NULL ? -1 : prebuild_sockpols(r);
	case CONTROL_WHAT_INTERFACES:
		if ((r->items = json_array()) == NULL)
			return -1;
		return prebuild_interfaces(r);
	case CONTROL_WHAT_STATS:
		if ((r->items = json_array()) == NULL)
			return -1;
		return append(r->items, control_json_stats(r->d, r->now_sec));
	case CONTROL_WHAT_KNOBS:
		if ((r->items = json_array()) == NULL)
			return -1;
		v.items = r->items;
		v.rc = 0;
		knobs_foreach(r->d->knobs, knob_visit, &v);
		return v.rc;
	case CONTROL_WHAT_CRYPTO:
		if ((r->items = json_array()) == NULL)
			return -1;
		return append(r->items, control_json_crypto(r->d));
	}
	return -1;
}

struct control_reply *
control_reply_new(
    struct ipsecd *d, const void *buf, size_t len, uint64_t now_sec)
{
	struct control_reply *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->d = d;
	r->now_sec = now_sec;
	if (!control_req_parse(buf, len, &r->req, r->err, sizeof(r->err))) {
		r->err_code = "bad-request";
		memset(&r->req, 0, sizeof(r->req));
		return r;
	}
	if (start(r) != 0)
		reply_fail(r, "internal", "out of memory");
	return r;
}

struct control_reply *
control_reply_error(const char *code, const char *message)
{
	struct control_reply *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	reply_fail(r, code, "%s", message);
	return r;
}

bool
control_reply_has_keys(const struct control_reply *r)
{
	return r->req.show_keys;
}

static enum item_status
take_item(struct control_reply *r, json_t **it)
{
	struct spd_policy *p;

	if ((*it = r->carry) != NULL) {
		r->carry = NULL;
		return ITEM_OK;
	}
	if (r->sc != NULL) {
		struct sad_entry *e = sad_cursor_next(r->d->sad, r->sc);

		if (e == NULL)
			return ITEM_END;
		*it = control_json_sa(r->d, e, r->req.show_keys);
	} else if (r->pc != NULL &&
	    (p = spd_cursor_next(r->d->spd, r->pc)) != NULL) {
		*it = control_json_policy(p);
	} else {
		if (r->items == NULL || r->next >= json_array_size(r->items))
			return ITEM_END;
		*it = json_incref(json_array_get(r->items, r->next++));
	}
	return *it == NULL ? ITEM_NOMEM : ITEM_OK;
}

/*
 * Add the summary of a finished show of a table to msg (nothing for the
 * other replies); -1 when out of memory.
 */
static int
add_summary(const struct control_reply *r, json_t *msg)
{
	size_t n = 0;

	if (r->req.cmd != CONTROL_CMD_SHOW)
		return 0;
	switch (r->req.what) {
	case CONTROL_WHAT_SA:
		n = sad_count(r->d->sad);
		break;
	case CONTROL_WHAT_SP:
		n = spd_count(r->d->spd);
		break;
	case CONTROL_WHAT_INTERFACES:
		n = json_array_size(r->items);
		break;
	case CONTROL_WHAT_STATS:
	case CONTROL_WHAT_KNOBS:
	case CONTROL_WHAT_CRYPTO:
		return 0;
	}
	return json_object_set_new(
	    msg, "summary", json_pack("{s:o}", "count", control_json_u64(n)));
}

/*
 * The next message with items, or NULL with r's error set.  scratch
 * (CONTROL_MSG_MAX bytes) is where items are measured.
 */
static json_t *
chunk(struct control_reply *r, char *scratch)
{
	json_t *items, *msg, *it;
	size_t used = 0;

	if ((items = json_array()) == NULL)
		goto nomem;
	for (;;) {
		enum item_status st = take_item(r, &it);
		size_t n;

		if (st == ITEM_END) {
			r->is_done = true;
			break;
		}
		if (st == ITEM_NOMEM)
			goto nomem;
		n = json_dumpb(it, scratch, CONTROL_MSG_MAX, JSON_COMPACT);
		if (r->req.show_keys)
			secret_wipe(scratch, CONTROL_MSG_MAX);
		if (n == 0 || n > CHUNK_MAX) {
			item_free(r, it);
			goto nomem;
		}
		if (used + n + 1 > CHUNK_MAX) {
			r->carry = it;
			break;
		}
		if (append(items, it) != 0)
			goto nomem;
		used += n + 1;
	}
	msg = json_pack("{s:i, s:s, s:O, s:b}", "version", CONTROL_VERSION,
	    "type", r->type, "items", items, "end", r->is_done);
	if (msg != NULL && r->is_done && add_summary(r, msg) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	if (msg == NULL)
		goto nomem;
	json_decref(items);
	return msg;
nomem:
	items_free(r, items);
	reply_fail(r, "internal", "out of memory building the reply");
	return NULL;
}

static json_t *
error_msg(const struct control_reply *r)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:b}", "version",
	    CONTROL_VERSION, "type", "error", "error", r->err, "code",
	    r->err_code, "end", 1);
}

size_t
control_reply_next(
    struct control_reply *r, uint8_t *buf, size_t size, bool *is_last)
{
	json_t *msg = NULL;
	size_t n;

	*is_last = false;
	if (r->is_done || size < CONTROL_MSG_MAX)
		return 0;
	if (r->err_code == NULL)
		msg = chunk(r, (char *)buf);
	if (msg == NULL) {
		r->is_done = true;
		if ((msg = error_msg(r)) == NULL)
			return 0;
	}
	n = json_dumpb(msg, (char *)buf, size, JSON_COMPACT);
	if (r->req.show_keys)
		items_free(r, json_incref(json_object_get(msg, "items")));
	json_decref(msg);
	if (n == 0 || n > CONTROL_MSG_MAX) {
		/* chunk() keeps every message below CONTROL_MSG_MAX. */
		secret_wipe(buf, size);
		return 0;
	}
	*is_last = r->is_done;
	return n;
}

void
control_reply_free(struct control_reply *r)
{
	if (r == NULL)
		return;
	item_free(r, r->carry);
	items_free(r, r->items);
	if (r->sc != NULL)
		sad_cursor_free(r->d->sad, r->sc);
	if (r->pc != NULL)
		spd_cursor_free(r->d->spd, r->pc);
	free(r);
}
