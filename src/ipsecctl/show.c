/*
 * ipsecctl's output of control replies (show.h): one row builder per item
 * type over the table engine of show_table.c, the stats and knob
 * printers, and the JSON document of -j.
 */
#include "config.h"

#include "ipsecctl/show.h"

#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "ipsecctl/ctlclient.h"
#include "ipsecctl/show_crypto.h"
#include "ipsecctl/show_table.h"

struct show {
	struct control_req req;
	struct show_opts o;
	struct show_table t;
	json_t *doc; /* -j: every item so far */
};

static const char *const sa_hdr[] = { "SPI", "PROTO", "MODE", "STATE", "SRC",
	"DST", "REQID", "IF_ID", "ALGORITHMS", "PACKETS", "BYTES", "DROPS" };
static const char *const sp_hdr[] = { "ID", "DIR", "ACTION", "PRIO", "SRC",
	"DST", "PROTO", "SPORT", "DPORT", "IF_ID", "PACKETS", "BYTES",
	"TEMPLATES" };
static const char *const if_hdr[] = { "NAME", "KEY", "MTU", "QUEUES",
	"OUT-PKTS", "OUT-BYTES", "IN-PKTS", "IN-BYTES", "DROPS" };
static const char *const knob_hdr[] = { "NAME", "VALUE", "DESCRIPTION" };

#define NCOLS(h) (sizeof(h) / sizeof(*(h)))

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static char *
fmt_int(long long v)
{
	struct show_str b = { 0 };

	show_str_printf(&b, "%lld", v);
	return show_str_take(&b);
}

static char *
dup(const char *s)
{
	return strdup(s);
}

/* "replay 2, icv 1": the reasons that are not zero (all if is_all). */
static void
drops_text(struct show_str *b, const json_t *drops, bool is_all)
{
	const char *reason;
	json_t *v;
	bool any = false;

	json_object_foreach((json_t *)drops, reason, v)
	{
		if (!is_all && json_integer_value(v) == 0)
			continue;
		show_str_printf(b, "%s%s %lld", any ? ", " : "", reason,
		    (long long)json_integer_value(v));
		any = true;
	}
	if (!any)
		show_str_printf(b, "-");
}

static char *
drops_cell(const json_t *drops)
{
	struct show_str b = { 0 };

	drops_text(&b, drops, false);
	return show_str_take(&b);
}

/* "now - t s ago", or "never" for 0. */
static void
age_text(struct show_str *b, const struct show *s, long long t)
{
	if (t == 0)
		show_str_printf(b, "never");
	else if (s->o.now_sec >= t)
		show_str_printf(b, "%lld s ago", s->o.now_sec - t);
	else
		show_str_printf(b, "at %lld", t);
}

static void
lifetime_text(struct show_str *b, const json_t *l, const char *name)
{
	static const char *const keys[] = { "bytes", "packets", "add_sec",
		"use_sec" };
	static const char *const units[] = { " bytes", " packets",
		" s after add", " s after first use" };
	bool any = false;

	show_str_printf(b, "%s", name);
	for (size_t i = 0; i < 4; i++) {
		long long v = jint(l, keys[i]);

		if (v != 0) {
			show_str_printf(
			    b, "%s %lld%s", any ? "," : "", v, units[i]);
			any = true;
		}
	}
	if (!any)
		show_str_printf(b, " none");
}

static char *
sa_algs(const json_t *sa)
{
	const json_t *enc = json_object_get(sa, "enc");
	const json_t *auth = json_object_get(sa, "auth");
	struct show_str b = { 0 };

	if (enc != NULL)
		show_str_printf(
		    &b, "%s/%lld", jstr(enc, "alg"), jint(enc, "key_bits"));
	if (auth != NULL)
		show_str_printf(&b, "%s%s/%lld", enc != NULL ? " " : "",
		    jstr(auth, "alg"), jint(auth, "key_bits"));
	if (json_object_get(sa, "calg") != NULL)
		show_str_printf(&b, "%s", jstr(sa, "calg"));
	if (b.len == 0)
		show_str_printf(&b, "-");
	return show_str_take(&b);
}

/*
 * An SA's crypto line: always when it is on software for want of
 * hardware (prefer), fell back or stopped after provider failures; with
 * -v, where each algorithm runs.
 */
static void
sa_crypto_text(struct show_str *b, const struct show *s, const json_t *c)
{
	static const char *const parts[] = { "enc", "auth" };
	const char *state = jstr(c, "state");

	if (c == NULL)
		return;
	if (strcmp(state, "ok") != 0 && strcmp(state, "refused") != 0)
		show_str_printf(b,
		    "    crypto %s after %lld provider errors (on %lld "
		    "workers)\n",
		    state, jint(c, "errors"),
		    jint(c,
			strcmp(state, "stopped") == 0 ? "workers_stopped"
						      : "workers_fallback"));
	if (json_object_get(c, "note") != NULL)
		show_str_printf(b, "    crypto: %s\n", jstr(c, "note"));
	if (!s->o.is_verbose)
		return;
	show_str_printf(b, "    crypto policy %s", jstr(c, "policy"));
	for (size_t i = 0; i < 2; i++) {
		const json_t *im = json_object_get(c, parts[i]);

		if (im == NULL)
			continue;
		show_str_printf(b, "; %s on %s%s%s", parts[i],
		    jstr(im, "provider"),
		    json_is_true(json_object_get(im, "hardware"))
			? " (hardware"
			: " (software",
		    json_is_true(json_object_get(im, "async")) ? ", async)"
							       : ")");
	}
	show_str_printf(b, "\n");
}

/* The detail lines of an SA: -v details, then keys (last: see show_str). */
static char *
sa_extra(const struct show *s, const json_t *sa)
{
	const json_t *flags = json_object_get(sa, "flags");
	const json_t *life = json_object_get(sa, "lifetime");
	struct show_str b = { 0 };
	size_t i;
	json_t *f;

	if (s->o.is_verbose) {
		show_str_printf(&b, "    flags");
		json_array_foreach((json_t *)flags, i, f)
		    show_str_printf(&b, " %s", json_string_value(f));
		if (json_array_size(flags) == 0)
			show_str_printf(&b, " none");
		if (json_object_get(sa, "encap") != NULL)
			show_str_printf(&b, "; udp encap ports %lld -> %lld",
			    jint(json_object_get(sa, "encap"), "sport"),
			    jint(json_object_get(sa, "encap"), "dport"));
		if (json_object_get(sa, "beet_src") != NULL)
			show_str_printf(&b, "; beet %s -> %s",
			    jstr(sa, "beet_src"), jstr(sa, "beet_dst"));
		show_str_printf(&b, "; replay window %lld; seq out %lld\n",
		    jint(sa, "replay_window"), jint(sa, "seq_out"));
		show_str_printf(&b, "    added ");
		age_text(&b, s, jint(sa, "add_sec"));
		show_str_printf(&b, "; first used ");
		age_text(&b, s, jint(sa, "use_sec"));
		show_str_printf(&b, "\n    lifetime");
		lifetime_text(&b, json_object_get(life, "soft"), " soft:");
		lifetime_text(&b, json_object_get(life, "hard"), "; hard:");
		show_str_printf(&b, "\n    drops: ");
		drops_text(&b, json_object_get(sa, "drops"), true);
		show_str_printf(&b, "\n");
	}
	sa_crypto_text(&b, s, json_object_get(sa, "crypto"));
	if (json_object_get(sa, "enc_key") != NULL)
		show_str_printf(&b, "    enc key 0x%s\n", jstr(sa, "enc_key"));
	if (json_object_get(sa, "auth_key") != NULL)
		show_str_printf(
		    &b, "    auth key 0x%s\n", jstr(sa, "auth_key"));
	if (b.len == 0 && !b.is_oom) {
		free(b.s);
		return NULL;
	}
	return show_str_take(&b);
}

static int
sa_row(struct show *s, const json_t *sa)
{
	struct show_str spi = { 0 };
	char *c[NCOLS(sa_hdr)];
	char *extra = sa_extra(s, sa);

	show_str_printf(&spi, "0x%08llx", jint(sa, "spi"));
	c[0] = show_str_take(&spi);
	c[1] = dup(jstr(sa, "proto"));
	c[2] = dup(jstr(sa, "mode"));
	c[3] = dup(jstr(sa, "state"));
	c[4] = dup(jstr(sa, "src"));
	c[5] = dup(jstr(sa, "dst"));
	c[6] = fmt_int(jint(sa, "reqid"));
	c[7] = fmt_int(jint(sa, "if_id"));
	c[8] = sa_algs(sa);
	c[9] = fmt_int(jint(sa, "packets"));
	c[10] = fmt_int(jint(sa, "bytes"));
	c[11] = drops_cell(json_object_get(sa, "drops"));
	return show_table_add(&s->t, c, extra);
}

static const char *
ul_proto_name(long long p)
{
	switch (p) {
	case 0:
	case 255:
		return "any";
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmp6";
	case 132:
		return "sctp";
	}
	return NULL;
}

static char *
port_cell(const json_t *range)
{
	long long lo = (long long)json_integer_value(json_array_get(range, 0));
	long long hi = (long long)json_integer_value(json_array_get(range, 1));
	struct show_str b = { 0 };

	if (lo == 0 && hi == 65535)
		show_str_printf(&b, "any");
	else if (lo == hi)
		show_str_printf(&b, "%lld", lo);
	else
		show_str_printf(&b, "%lld-%lld", lo, hi);
	return show_str_take(&b);
}

/* "esp/tunnel/192.0.2.1-192.0.2.2/require reqid 1, ..." (setkey order). */
static char *
templates_cell(const json_t *tmpls)
{
	struct show_str b = { 0 };
	size_t i;
	json_t *t;

	json_array_foreach((json_t *)tmpls, i, t)
	{
		show_str_printf(&b, "%s%s/%s/", i > 0 ? ", " : "",
		    jstr(t, "proto"), jstr(t, "mode"));
		if (*jstr(t, "src") != '\0')
			show_str_printf(
			    &b, "%s-%s", jstr(t, "src"), jstr(t, "dst"));
		show_str_printf(&b, "/%s", jstr(t, "level"));
		if (jint(t, "reqid") != 0)
			show_str_printf(&b, " reqid %lld", jint(t, "reqid"));
	}
	if (b.len == 0)
		show_str_printf(&b, "-");
	return show_str_take(&b);
}

/*
 * A key manager's socket policy (daemon/sockpol.h): no selector, no
 * counters; SRC says "socket", DST which one.
 */
static int
sockpol_row(struct show *s, const json_t *p)
{
	char *c[NCOLS(sp_hdr)];
	struct show_str b = { 0 };

	show_str_printf(&b, "pid %lld fd %lld (%s)", jint(p, "pid"),
	    jint(p, "fd"), jstr(p, "family"));
	c[0] = dup("-");
	c[1] = dup(jstr(p, "dir"));
	c[2] = dup(jstr(p, "action"));
	c[3] = dup("-");
	c[4] = dup("socket");
	c[5] = show_str_take(&b);
	for (size_t i = 6; i < NCOLS(sp_hdr); i++)
		c[i] = dup("-");
	return show_table_add(&s->t, c, NULL);
}

static int
sp_row(struct show *s, const json_t *p)
{
	const char *proto = ul_proto_name(jint(p, "ul_proto"));
	char *c[NCOLS(sp_hdr)], *extra = NULL;

	if (json_is_true(json_object_get(p, "socket")))
		return sockpol_row(s, p);

	c[0] = fmt_int(jint(p, "id"));
	c[1] = dup(jstr(p, "dir"));
	c[2] = dup(jstr(p, "action"));
	c[3] = fmt_int(jint(p, "priority"));
	c[4] = dup(jstr(p, "src"));
	c[5] = dup(jstr(p, "dst"));
	c[6] = proto != NULL ? dup(proto) : fmt_int(jint(p, "ul_proto"));
	c[7] = port_cell(json_object_get(p, "sport"));
	c[8] = port_cell(json_object_get(p, "dport"));
	c[9] = fmt_int(jint(p, "if_id"));
	c[10] = fmt_int(jint(p, "packets"));
	c[11] = fmt_int(jint(p, "bytes"));
	c[12] = templates_cell(json_object_get(p, "templates"));
	if (s->o.is_verbose) {
		struct show_str b = { 0 };

		show_str_printf(&b, "    added ");
		age_text(&b, s, jint(p, "add_sec"));
		show_str_printf(&b, "; last used ");
		age_text(&b, s, jint(p, "use_sec"));
		show_str_printf(&b, "\n");
		extra = show_str_take(&b);
	}
	return show_table_add(&s->t, c, extra);
}

static char *
iface_drops_cell(const json_t *ifc)
{
	const json_t *od =
	    json_object_get(json_object_get(ifc, "out"), "drops");
	const json_t *id = json_object_get(json_object_get(ifc, "in"), "drops");
	struct show_str o = { 0 }, i = { 0 }, b = { 0 };

	drops_text(&o, od, false);
	drops_text(&i, id, false);
	if (o.is_oom || i.is_oom)
		b.is_oom = true;
	else if (strcmp(o.s, "-") == 0 && strcmp(i.s, "-") == 0)
		show_str_printf(&b, "-");
	else
		show_str_printf(&b, "out: %s; in: %s", o.s, i.s);
	free(o.s);
	free(i.s);
	return show_str_take(&b);
}

/* -v: every drop counter of both directions. */
static char *
iface_extra(const json_t *ifc)
{
	struct show_str b = { 0 };

	show_str_printf(&b, "    ifindex %lld; mark 0x%llx\n    out drops: ",
	    jint(ifc, "ifindex"), jint(ifc, "mark"));
	drops_text(
	    &b, json_object_get(json_object_get(ifc, "out"), "drops"), true);
	show_str_printf(&b, "\n    in drops: ");
	drops_text(
	    &b, json_object_get(json_object_get(ifc, "in"), "drops"), true);
	show_str_printf(&b, "\n");
	return show_str_take(&b);
}

static int
iface_row(struct show *s, const json_t *ifc)
{
	const json_t *out = json_object_get(ifc, "out");
	const json_t *in = json_object_get(ifc, "in");
	struct show_str key = { 0 };
	char *c[NCOLS(if_hdr)], *extra = NULL;

	if (strcmp(jstr(ifc, "key_kind"), "none") == 0)
		show_str_printf(&key, "default");
	else
		show_str_printf(
		    &key, "%s %lld", jstr(ifc, "key_kind"), jint(ifc, "key"));
	c[0] = dup(jstr(ifc, "name"));
	c[1] = show_str_take(&key);
	c[2] = fmt_int(jint(ifc, "mtu"));
	c[3] = fmt_int(jint(ifc, "queues"));
	c[4] = fmt_int(jint(out, "packets"));
	c[5] = fmt_int(jint(out, "bytes"));
	c[6] = fmt_int(jint(in, "packets"));
	c[7] = fmt_int(jint(in, "bytes"));
	c[8] = iface_drops_cell(ifc);
	if (s->o.is_verbose)
		extra = iface_extra(ifc);
	return show_table_add(&s->t, c, extra);
}

static int
knob_row(struct show *s, const json_t *k)
{
	char *c[NCOLS(knob_hdr)];

	c[0] = dup(jstr(k, "name"));
	c[1] = dup(jstr(k, "value"));
	c[2] = dup(jstr(k, "descr"));
	return show_table_add(&s->t, c, NULL);
}

/* "  name  value" lines of an object of counters, aligned. */
static void
print_counters(FILE *out, const char *title, const json_t *o, bool is_all)
{
	size_t w = 0;
	const char *k;
	json_t *v;
	bool any = false;

	json_object_foreach((json_t *)o, k, v) if (strlen(k) > w) w = strlen(k);
	fprintf(out, "%s:", title);
	json_object_foreach((json_t *)o, k, v)
	{
		if (!is_all && json_integer_value(v) == 0)
			continue;
		fprintf(out, "\n    %-*s  %lld", (int)w, k,
		    (long long)json_integer_value(v));
		any = true;
	}
	fprintf(out, "%s\n", any ? "" : " none");
}

static void
print_stats(const struct show *s, const json_t *st)
{
	FILE *out = s->o.out;

	fprintf(out, "uptime: %lld s\n", jint(st, "uptime_sec"));
	fprintf(out, "workers: %lld\n", jint(st, "workers"));
	fprintf(out, "sad: %lld SAs, %lld bytes\n",
	    jint(json_object_get(st, "sad"), "count"),
	    jint(json_object_get(st, "sad"), "mem_bytes"));
	fprintf(out, "spd: %lld policies, %lld bytes\n",
	    jint(json_object_get(st, "spd"), "count"),
	    jint(json_object_get(st, "spd"), "mem_bytes"));
	fprintf(out, "interfaces: %lld\n", jint(st, "interfaces"));
	print_counters(out, "packets", json_object_get(st, "packets"), true);
	print_counters(out, "out drops", json_object_get(st, "out_drops"),
	    s->o.is_verbose);
	print_counters(
	    out, "in drops", json_object_get(st, "in_drops"), s->o.is_verbose);
}

static void
print_knob(const struct show *s, const json_t *k)
{
	if (s->req.cmd == CONTROL_CMD_SET)
		fprintf(s->o.out, "%s: %s -> %s\n", jstr(k, "name"),
		    jstr(k, "old"), jstr(k, "value"));
	else
		fprintf(
		    s->o.out, "%s: %s\n", jstr(k, "name"), jstr(k, "value"));
}

struct show *
show_new(const struct control_req *req, const struct show_opts *o)
{
	struct show *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->req = *req;
	s->o = *o;
	if (o->is_json && (s->doc = json_array()) == NULL) {
		free(s);
		return NULL;
	}
	if (req->cmd != CONTROL_CMD_SHOW)
		return s;
	switch (req->what) {
	case CONTROL_WHAT_SA:
		show_table_init(&s->t, sa_hdr, NCOLS(sa_hdr));
		break;
	case CONTROL_WHAT_SP:
		show_table_init(&s->t, sp_hdr, NCOLS(sp_hdr));
		break;
	case CONTROL_WHAT_INTERFACES:
		show_table_init(&s->t, if_hdr, NCOLS(if_hdr));
		break;
	case CONTROL_WHAT_KNOBS:
		show_table_init(&s->t, knob_hdr, NCOLS(knob_hdr));
		break;
	case CONTROL_WHAT_STATS:
	case CONTROL_WHAT_CRYPTO:
		break;
	}
	return s;
}

/* One item as a human row or lines; -1 when out of memory. */
static int
show_item(struct show *s, const json_t *it)
{
	if (s->req.cmd != CONTROL_CMD_SHOW) {
		print_knob(s, it);
		return 0;
	}
	switch (s->req.what) {
	case CONTROL_WHAT_SA:
		return sa_row(s, it);
	case CONTROL_WHAT_SP:
		return sp_row(s, it);
	case CONTROL_WHAT_INTERFACES:
		return iface_row(s, it);
	case CONTROL_WHAT_KNOBS:
		return knob_row(s, it);
	case CONTROL_WHAT_STATS:
		print_stats(s, it);
		return 0;
	case CONTROL_WHAT_CRYPTO:
		return show_crypto_print(s->o.out, it, s->o.is_verbose);
	}
	return 0;
}

/* Overwrite the key strings of the SA items in items. */
static void
wipe_keys(const json_t *items)
{
	static const char *const keys[] = { "enc_key", "auth_key" };
	size_t i;
	json_t *it;

	json_array_foreach((json_t *)items, i, it) for (size_t k = 0; k < 2;
							k++)
	{
		json_t *v = json_object_get(it, keys[k]);

		if (json_is_string(v))
			secret_wipe((char *)json_string_value(v),
			    json_string_length(v));
	}
}

int
show_msg(void *arg, const json_t *msg)
{
	struct show *s = arg;
	const json_t *items = json_object_get(msg, "items");
	size_t i;
	json_t *it;
	int rc = 0;

	if (s->o.is_json) {
		if (json_array_extend(s->doc, (json_t *)items) != 0)
			rc = -1;
	} else {
		json_array_foreach((json_t *)items, i, it) if (rc == 0) rc =
		    show_item(s, it);
		show_table_flush(&s->t, s->o.out);
		wipe_keys(items);
	}
	if (rc != 0) {
		fprintf(stderr, "ipsecctl: out of memory\n");
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

int
show_end(struct show *s)
{
	static const char *const none[CONTROL_WHAT_COUNT] = {
		[CONTROL_WHAT_SA] = "no SAs",
		[CONTROL_WHAT_SP] = "no policies",
		[CONTROL_WHAT_INTERFACES] = "no interfaces",
		[CONTROL_WHAT_STATS] = "no stats",
		[CONTROL_WHAT_KNOBS] = "no knobs",
		[CONTROL_WHAT_CRYPTO] = "no crypto",
	};
	const json_t *doc = s->doc;
	bool is_one = s->req.cmd != CONTROL_CMD_SHOW ||
	    s->req.what == CONTROL_WHAT_STATS ||
	    s->req.what == CONTROL_WHAT_CRYPTO;

	if (!s->o.is_json) {
		if (s->req.cmd == CONTROL_CMD_SHOW && !is_one &&
		    s->t.nrows == 0)
			fprintf(s->o.out, "%s\n", none[s->req.what]);
		return fflush(s->o.out) == 0 ? CTL_EXIT_OK : CTL_EXIT_REFUSED;
	}
	if (is_one)
		doc = json_array_get(s->doc, 0);
	if (doc == NULL || json_dumpf(doc, s->o.out, JSON_INDENT(2)) != 0 ||
	    fputc('\n', s->o.out) == EOF || fflush(s->o.out) != 0) {
		fprintf(stderr, "ipsecctl: cannot write the output\n");
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

void
show_free(struct show *s)
{
	if (s == NULL)
		return;
	if (s->doc != NULL) {
		wipe_keys(s->doc);
		json_decref(s->doc);
	}
	show_table_clear(&s->t);
	free(s);
}
