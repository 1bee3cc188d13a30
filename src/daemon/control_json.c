/*
 * JSON items of the control replies (control_json.h): SAs, policies,
 * interfaces, the stats item and knobs.  Built with jansson's json_pack;
 * an "o" argument that is NULL (a failed inner allocation) makes the
 * whole pack fail, which jansson reports as NULL after freeing every
 * argument it was handed, so out-of-memory needs no checks in between.
 */
#include "config.h"

#include "daemon/control_json.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pfkeyv2.h>

#include "common/addr.h"
#include "common/secret.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "daemon/daemon.h"
#include "daemon/iface.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

static uint64_t
load(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

json_t *
control_json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Add a snapshot of the atomic counters in to sum. */
static void
add_drops(uint64_t sum[IPSEC_VERDICT_COUNT],
    const _Atomic uint64_t in[IPSEC_VERDICT_COUNT])
{
	for (int v = 0; v < IPSEC_VERDICT_COUNT; v++)
		sum[v] += load(&in[v]);
}

json_t *
control_json_drops(const uint64_t drops[IPSEC_VERDICT_COUNT])
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (int v = IPSEC_OK + 1; v < IPSEC_VERDICT_COUNT; v++)
		if (json_object_set_new(o,
			ipsec_verdict_name((enum ipsec_verdict)v),
			control_json_u64(drops[v])) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* control_json_drops of a snapshot of atomic counters. */
static json_t *
drops_json(const _Atomic uint64_t drops[IPSEC_VERDICT_COUNT])
{
	uint64_t v[IPSEC_VERDICT_COUNT] = { 0 };

	add_drops(v, drops);
	return control_json_drops(v);
}

static json_t *
addr_json(const struct addr *a)
{
	char buf[ADDR_STRLEN];

	if (a->family == 0)
		return json_string("");
	return json_string(addr_fmt(a, buf, sizeof(buf)));
}

static json_t *
prefix_json(const struct prefix *p)
{
	char buf[PREFIX_STRLEN];

	return json_string(prefix_fmt(p, buf, sizeof(buf)));
}

static const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "ipcomp";
	}
	return "unknown";
}

static const char *
mode_name(uint8_t mode)
{
	static const char *const names[] = { "any", "transport", "tunnel",
		"beet" };

	return mode < sizeof(names) / sizeof(*names) ? names[mode] : "unknown";
}

static const char *
state_name(enum sa_state s)
{
	switch (s) {
	case SA_STATE_LARVAL:
		return "larval";
	case SA_STATE_MATURE:
		return "mature";
	case SA_STATE_DYING:
		return "dying";
	case SA_STATE_DEAD:
		return "dead";
	}
	return "unknown";
}

static const char *
calg_name(uint8_t calg)
{
	switch (calg) {
	case SADB_X_CALG_OUI:
		return "oui";
	case SADB_X_CALG_DEFLATE:
		return "deflate";
	case SADB_X_CALG_LZS:
		return "lzs";
	case SADB_X_CALG_LZJH:
		return "lzjh";
	}
	return "none";
}

static json_t *
flags_json(uint8_t flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ SA_F_ESN, "esn" },
		{ SA_F_NOECN, "noecn" },
		{ SA_F_DECAP_DSCP, "decap-dscp" },
		{ SA_F_NOPMTUDISC, "nopmtudisc" },
		{ SA_F_UDP_ENCAP, "udp-encap" },
	};
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sizeof(names) / sizeof(*names); i++)
		if ((flags & names[i].bit) != 0 &&
		    json_array_append_new(a, json_string(names[i].name)) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static json_t *
lifetime_json(const struct sa_lifetime *l)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "bytes",
	    control_json_u64(l->bytes), "packets", control_json_u64(l->packets),
	    "add_sec", control_json_u64(l->add_sec), "use_sec",
	    control_json_u64(l->use_sec));
}

static json_t *
alg_json(const struct alg *a, uint8_t key_len)
{
	return json_pack(
	    "{s:s, s:i}", "alg", a->name, "key_bits", (int)key_len * 8);
}

/* Lowercase hex of len key bytes; the stack copy is wiped. */
static int
set_key(json_t *o, const char *name, const uint8_t *key, size_t len)
{
	char hex[2 * ALG_KEY_MAX + 1];
	int rc;

	for (size_t i = 0; i < len && i < ALG_KEY_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[2 * (len < ALG_KEY_MAX ? len : ALG_KEY_MAX)] = '\0';
	rc = json_object_set_new(o, name, json_string(hex));
	secret_wipe(hex, sizeof(hex));
	return rc;
}

/* The optional members of an SA item; 0 or -1. */
static int
sa_extras(json_t *o, const struct sa *sa, bool show_keys)
{
	int rc = 0;

	if (sa->flags & SA_F_UDP_ENCAP)
		rc |= json_object_set_new(o, "encap",
		    json_pack("{s:i, s:i}", "sport", sa->encap_sport, "dport",
			sa->encap_dport));
	if (sa->mode == SA_MODE_BEET) {
		rc |= json_object_set_new(
		    o, "beet_src", addr_json(&sa->beet_src));
		rc |= json_object_set_new(
		    o, "beet_dst", addr_json(&sa->beet_dst));
	}
	if (sa->key.enc != NULL)
		rc |= json_object_set_new(
		    o, "enc", alg_json(sa->key.enc, sa->key.enc_len));
	if (sa->key.auth != NULL)
		rc |= json_object_set_new(
		    o, "auth", alg_json(sa->key.auth, sa->key.auth_len));
	if (sa->proto == IPPROTO_COMP)
		rc |= json_object_set_new(
		    o, "calg", json_string(calg_name(sa->calg)));
	if (show_keys && sa->key.enc != NULL)
		rc |= set_key(o, "enc_key", sa->key.enc_key, sa->key.enc_len);
	if (show_keys && sa->key.auth != NULL)
		rc |=
		    set_key(o, "auth_key", sa->key.auth_key, sa->key.auth_len);
	return rc == 0 ? 0 : -1;
}

static json_t *
impl_json(const struct crypto_impl *im)
{
	return json_pack("{s:s?, s:b, s:b}", "provider", im->provider,
	    "hardware", im->is_hw, "async", im->is_async);
}

/*
 * An SA's "crypto": the choice of the offload policy (the library never
 * changes while the daemon runs, so this is the choice the PF_KEY server
 * checked and every worker made), then the failures since.
 */
static json_t *
sa_crypto_json(const struct ipsecd *d, const struct sad_entry *e)
{
	const struct cipher_key *k = &e->sa.key;
	struct crypto_choice ch;
	struct dpath_sa_crypto sc;
	const char *state = "ok";
	bool is_fallback;
	json_t *o;
	int rc = 0;

	if (crypto_lib_choose(d->lib, k, CRYPTO_POLICY_UNSET, &ch) == -1)
		return json_pack(
		    "{s:s, s:s}", "state", "refused", "note", ch.note);
	/*
	 * Without any hardware loaded, software is no fallback but the
	 * only choice: as in the log (server_sa.c), nothing to say.
	 */
	is_fallback = ch.is_fallback && crypto_lib_has_hardware(d->lib);
	if (ch.is_fallback && !is_fallback)
		ch.note[0] = '\0';
	ipsecd_sa_crypto(d, e, &sc);
	if (sc.nstopped > 0)
		state = "stopped";
	else if (sc.nfallback > 0)
		state = "fallback";
	o = json_pack("{s:s, s:b, s:s, s:o, s:i, s:i}", "policy",
	    crypto_policy_name(k->enc != NULL ? ch.enc_policy : ch.auth_policy),
	    "fallback", is_fallback, "state", state, "errors",
	    control_json_u64(sc.errors), "workers_fallback", (int)sc.nfallback,
	    "workers_stopped", (int)sc.nstopped);
	if (o == NULL)
		return NULL;
	if (k->enc != NULL)
		rc |= json_object_set_new(o, "enc", impl_json(&ch.enc));
	if (k->auth != NULL)
		rc |= json_object_set_new(o, "auth", impl_json(&ch.auth));
	if (ch.note[0] != '\0')
		rc |= json_object_set_new(o, "note", json_string(ch.note));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
control_json_sa(
    const struct ipsecd *d, const struct sad_entry *e, bool show_keys)
{
	const struct sa *sa = &e->sa;
	json_t *o;

	o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:i, "
		      "s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o, s:o}",
	    "spi", (json_int_t)sa->spi, "proto", proto_name(sa->proto), "mode",
	    mode_name(sa->mode), "state", state_name(sad_state(e)), "src",
	    addr_json(&sa->src), "dst", addr_json(&sa->dst), "reqid",
	    (json_int_t)sa->reqid, "if_id", (json_int_t)sa->if_id, "flags",
	    flags_json(sa->flags), "replay_window", (int)sa->replay_window,
	    "seq_out", control_json_u64(load(&sa->seq_out)), "lifetime", "soft",
	    lifetime_json(&sa->soft), "hard", lifetime_json(&sa->hard),
	    "add_sec", control_json_u64(e->add_sec), "use_sec",
	    control_json_u64(load(&e->use_sec)), "bytes",
	    control_json_u64(load(&e->cur_bytes)), "packets",
	    control_json_u64(load(&e->cur_packets)), "drops",
	    drops_json(e->drops));
	if (o == NULL)
		return NULL;
	if (sa_extras(o, sa, show_keys) != 0 ||
	    (d->lib != NULL && sa->proto != IPPROTO_COMP &&
		json_object_set_new(o, "crypto", sa_crypto_json(d, e)) != 0)) {
		control_json_sa_wipe(o);
		json_decref(o);
		return NULL;
	}
	return o;
}

void
control_json_sa_wipe(json_t *item)
{
	static const char *const keys[] = { "enc_key", "auth_key" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		json_t *v = json_object_get(item, keys[i]);

		/*
		 * jansson keeps its own copy of every string and frees it
		 * without wiping: overwrite that copy where it lies.
		 */
		if (json_is_string(v))
			secret_wipe((char *)json_string_value(v),
			    json_string_length(v));
	}
}

static const char *
dir_name(uint8_t dir)
{
	static const char *const names[SPD_DIR_COUNT] = { "in", "out", "fwd" };

	return dir < SPD_DIR_COUNT ? names[dir] : "unknown";
}

static const char *
action_name(uint8_t action)
{
	switch (action) {
	case SPD_ACTION_DISCARD:
		return "discard";
	case SPD_ACTION_NONE:
		return "none";
	case SPD_ACTION_IPSEC:
		return "ipsec";
	}
	return "unknown";
}

static const char *
level_name(uint8_t level)
{
	static const char *const names[] = { "default", "use", "require",
		"unique" };

	return level < sizeof(names) / sizeof(*names) ? names[level]
						      : "unknown";
}

static json_t *
templates_json(const struct spd_policy *p)
{
	json_t *a = json_array();

	for (unsigned i = 0; a != NULL && i < p->ntmpl && i < SPD_TMPL_MAX;
	     i++) {
		const struct spd_tmpl *t = &p->tmpl[i];

		if (json_array_append_new(a,
			json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "proto",
			    proto_name(t->proto), "mode", mode_name(t->mode),
			    "level", level_name(t->level), "reqid",
			    (json_int_t)t->reqid, "src", addr_json(&t->src),
			    "dst", addr_json(&t->dst))) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *
control_json_policy(const struct spd_policy *p)
{
	const struct selector *s = &p->sel;

	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:i, s:[i, i], "
			 "s:[i, i], s:I, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)p->id, "dir", dir_name(p->dir), "action",
	    action_name(p->action), "priority", (json_int_t)p->priority, "src",
	    prefix_json(&s->src), "dst", prefix_json(&s->dst), "ul_proto",
	    s->proto == 0 ? SELECTOR_PROTO_ANY : (int)s->proto, "sport",
	    (int)s->sport_lo, (int)s->sport_hi, "dport", (int)s->dport_lo,
	    (int)s->dport_hi, "if_id", (json_int_t)s->if_id, "templates",
	    templates_json(p), "add_sec", control_json_u64(p->add_sec),
	    "use_sec", control_json_u64(load(&p->use_sec)), "bytes",
	    control_json_u64(load(&p->bytes)), "packets",
	    control_json_u64(load(&p->packets)));
}

/* Sum of one direction's counters over the workers. */
static json_t *
iface_dir_json(const struct iface *ifc, unsigned nworkers, bool is_out)
{
	uint64_t drops[IPSEC_VERDICT_COUNT] = { 0 };
	uint64_t packets = 0, bytes = 0;

	for (unsigned w = 0; w < nworkers && w < WORKERS_MAX; w++) {
		const struct iface_wstats *st = &ifc->st[w];

		packets += load(is_out ? &st->out_packets : &st->in_packets);
		bytes += load(is_out ? &st->out_bytes : &st->in_bytes);
		add_drops(drops, is_out ? st->out_drops : st->in_drops);
	}
	return json_pack("{s:o, s:o, s:o}", "packets",
	    control_json_u64(packets), "bytes", control_json_u64(bytes),
	    "drops", control_json_drops(drops));
}

json_t *
control_json_iface(const struct iface *ifc, unsigned nworkers)
{
	const char *kind = ifc->key == 0 ? "none"
	    : ifc->is_ifid		 ? "if_id"
					 : "reqid";

	return json_pack("{s:s%, s:i, s:I, s:s, s:I, s:i, s:i, s:o, s:o}",
	    "name", ifc->name, strnlen(ifc->name, sizeof(ifc->name)), "ifindex",
	    ifc->ifindex, "key", (json_int_t)ifc->key, "key_kind", kind, "mark",
	    (json_int_t)ifc->mark, "mtu", (int)ifc->mtu, "queues",
	    (int)ifc->nqueues, "out", iface_dir_json(ifc, nworkers, true), "in",
	    iface_dir_json(ifc, nworkers, false));
}

/* The worker counters other than drops, by name. */
static json_t *
packets_json(const struct worker_stats *st)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
#define F(m) { #m, offsetof(struct worker_stats, m) }
		F(tun_rx),
		F(tun_tx),
		F(sock_rx),
		F(sock_tx),
		F(bypass_tx),
		F(icmp_tx),
		F(keepalive),
		F(ike),
		F(runt),
		F(send_err),
		F(no_iface),
		F(held),
		F(held_sent),
		F(held_dropped),
		F(acquires),
		F(nat_changes),
		F(crypto_async),
		F(crypto_done),
		F(crypto_queue_full),
		F(crypto_errors),
		F(crypto_failovers),
		F(crypto_inflight_max),
#undef F
	};
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < sizeof(f) / sizeof(f[0]); i++) {
		const _Atomic uint64_t *c =
		    (const _Atomic uint64_t *)((const char *)st + f[i].off);

		if (json_object_set_new(
			o, f[i].name, control_json_u64(load(c))) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *
control_json_stats(const struct ipsecd *d, uint64_t now_sec)
{
	struct worker_stats sum;

	memset(&sum, 0, sizeof(sum));
	ipsecd_worker_totals(d, &sum);
	return json_pack(
	    "{s:o, s:i, s:{s:o, s:o}, s:{s:o, s:o}, s:i, s:o, s:o, s:o}",
	    "uptime_sec",
	    control_json_u64(
		now_sec > d->start_sec ? now_sec - d->start_sec : 0),
	    "workers", (int)d->nworkers, "sad", "count",
	    control_json_u64(sad_count(d->sad)), "mem_bytes",
	    control_json_u64(sad_mem_bytes(d->sad)), "spd", "count",
	    control_json_u64(spd_count(d->spd)), "mem_bytes",
	    control_json_u64(spd_mem_bytes(d->spd)), "interfaces",
	    d->ifaces != NULL ? (int)d->ifaces->n : 0, "packets",
	    packets_json(&sum), "out_drops", drops_json(sum.out_drops),
	    "in_drops", drops_json(sum.in_drops));
}

json_t *
control_json_knob(
    const char *name, const char *value, const char *descr, const char *old)
{
	const char *canonical = knobs_lookup(name);
	json_t *o;

	o = json_pack("{s:s, s:s, s:s}", "name", name, "value", value,
	    "canonical", canonical != NULL ? canonical : name);
	if (o == NULL)
		return NULL;
	if ((descr != NULL &&
		json_object_set_new(o, "descr", json_string(descr)) != 0) ||
	    (old != NULL &&
		json_object_set_new(o, "old", json_string(old)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
prov_json(const struct crypto_prov_info *p)
{
	static const char *const hw[] = { [CRYPTO_FLAG_AUTO] = "auto",
		[CRYPTO_FLAG_YES] = "yes",
		[CRYPTO_FLAG_NO] = "no" };
	json_t *params = json_object(), *o;

	for (size_t i = 0; params != NULL && i < p->nparams; i++) {
		const struct crypto_prov_param *q = &p->params[i];

		if (json_object_set_new(params, q->name,
			q->is_number ? json_integer(q->number)
				     : json_string(q->text)) != 0) {
			json_decref(params);
			params = NULL;
		}
	}
	o = json_pack("{s:s, s:s, s:b, s:o}", "name", p->name, "hardware",
	    hw[p->hardware], "async", p->is_async, "params", params);
	return o;
}

static json_t *
cap_json(const struct crypto_cap *c)
{
	json_t *o = json_pack(
	    "{s:s, s:i, s:s, s:b, s:s?, s:b, s:b, s:b, s:s?, s:s?, s:i, s:b}",
	    "alg", c->alg->name, "key_bits", (int)c->key_bits, "policy",
	    crypto_policy_name(c->policy), "usable", c->is_usable, "provider",
	    c->impl.provider, "hardware", c->impl.is_hw, "async",
	    c->impl.is_async, "fallback", c->is_fallback, "hw_provider",
	    c->hw_provider, "sw_provider", c->sw_provider, "ops_per_sec",
	    (int)(c->ops_per_sec + 0.5), "selftest_ok", c->is_selftest_ok);

	if (o != NULL && c->note[0] != '\0' &&
	    json_object_set_new(o, "note", json_string(c->note)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The workers' pipeline counters (worker.h). */
static json_t *
pipeline_json(const struct ipsecd *d)
{
	struct worker_stats sum;

	ipsecd_worker_totals(d, &sum);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "async",
	    control_json_u64(load(&sum.crypto_async)), "done",
	    control_json_u64(load(&sum.crypto_done)), "queue_full",
	    control_json_u64(load(&sum.crypto_queue_full)), "errors",
	    control_json_u64(load(&sum.crypto_errors)), "failovers",
	    control_json_u64(load(&sum.crypto_failovers)), "inflight_max",
	    control_json_u64(load(&sum.crypto_inflight_max)));
}

json_t *
control_json_crypto(const struct ipsecd *d)
{
	const size_t maxp = CRYPTO_CONF_PROVIDERS_MAX + 1;
	struct crypto_prov_info *provs = calloc(maxp, sizeof(*provs));
	struct crypto_cap *caps = calloc(CRYPTO_CAPS_MAX, sizeof(*caps));
	json_t *pa = json_array(), *ca = json_array(), *o = NULL;
	size_t np = 0, nc = 0;
	int rc = 0;

	if (provs == NULL || caps == NULL || pa == NULL || ca == NULL)
		goto out;
	if (d->lib != NULL) {
		np = crypto_lib_providers(d->lib, provs, maxp);
		nc = crypto_lib_caps(d->lib, caps, CRYPTO_CAPS_MAX);
	}
	for (size_t i = 0; i < np; i++)
		rc |= json_array_append_new(pa, prov_json(&provs[i]));
	for (size_t i = 0; i < nc; i++)
		rc |= json_array_append_new(ca, cap_json(&caps[i]));
	if (rc != 0)
		goto out;
	o = json_pack("{s:s?, s:b, s:O, s:O, s:o}", "query",
	    d->lib != NULL ? crypto_lib_props(d->lib) : NULL, "hardware",
	    d->lib != NULL && crypto_lib_has_hardware(d->lib), "providers", pa,
	    "algorithms", ca, "pipeline", pipeline_json(d));
out:
	json_decref(pa);
	json_decref(ca);
	free(provs);
	free(caps);
	return o;
}
