#ifndef IPSECD_TESTS_UNIT_CHECK_SETKEY_H
#define IPSECD_TESTS_UNIT_CHECK_SETKEY_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/selector.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_fmt.h"

/*
 * Helpers shared by the setkey tests: parse text into a list while
 * collecting the error lines, and compare two commands field by field
 * (everything but the line number).
 */
struct run {
	struct setkey_list l;
	char err[16384]; /* the error lines, each ending in "\n" */
	size_t elen;
	unsigned nerr;
	int rc;
};

static inline void
run_collect(void *arg, const char *msg)
{
	struct run *r = arg;
	int n =
	    snprintf(r->err + r->elen, sizeof(r->err) - r->elen, "%s\n", msg);

	if (n > 0 && r->elen + (size_t)n < sizeof(r->err))
		r->elen += (size_t)n;
}

/* Parse len bytes of text as "t.conf" into r (r->l must be freed). */
static inline void
run_len(struct run *r, const char *text, size_t len)
{
	struct setkey_sink s = { setkey_list_push, &r->l, run_collect, r };

	memset(r, 0, sizeof(*r));
	r->rc = setkey_parse_buf("t.conf", text, len, &s, &r->nerr);
}

static inline void
run_text(struct run *r, const char *text)
{
	run_len(r, text, strlen(text));
}

static inline void
run_free(struct run *r)
{
	setkey_list_free(&r->l);
}

static inline bool
key_eq(const struct cipher_key *a, const struct cipher_key *b)
{
	return a->enc == b->enc && a->auth == b->auth &&
	    a->enc_len == b->enc_len && a->auth_len == b->auth_len &&
	    memcmp(a->enc_key, b->enc_key, a->enc_len) == 0 &&
	    memcmp(a->auth_key, b->auth_key, a->auth_len) == 0;
}

static inline bool
lifetime_eq(const struct sa_lifetime *a, const struct sa_lifetime *b)
{
	return a->bytes == b->bytes && a->packets == b->packets &&
	    a->add_sec == b->add_sec && a->use_sec == b->use_sec;
}

static inline bool
sa_eq(const struct sa *a, const struct sa *b, const char **why)
{
	if (a->spi != b->spi || a->proto != b->proto || a->mode != b->mode ||
	    a->flags != b->flags || a->calg != b->calg ||
	    a->reqid != b->reqid || a->if_id != b->if_id) {
		*why = "sa identity, mode, flags or reqid";
		return false;
	}
	if (!addr_eq(&a->src, &b->src) || !addr_eq(&a->dst, &b->dst) ||
	    !addr_eq(&a->beet_src, &b->beet_src) ||
	    !addr_eq(&a->beet_dst, &b->beet_dst) ||
	    a->encap_sport != b->encap_sport ||
	    a->encap_dport != b->encap_dport) {
		*why = "sa addresses or ports";
		return false;
	}
	if (a->replay_window != b->replay_window || !key_eq(&a->key, &b->key) ||
	    !lifetime_eq(&a->soft, &b->soft) ||
	    !lifetime_eq(&a->hard, &b->hard)) {
		*why = "sa replay window, keys or lifetimes";
		return false;
	}
	return true;
}

static inline bool
tmpl_eq(const struct spd_tmpl *a, const struct spd_tmpl *b)
{
	return a->proto == b->proto && a->mode == b->mode &&
	    a->level == b->level && a->reqid == b->reqid &&
	    addr_eq(&a->src, &b->src) && addr_eq(&a->dst, &b->dst);
}

static inline bool
pol_eq(const struct spd_policy *a, const struct spd_policy *b, const char **why)
{
	if (a->dir != b->dir || a->action != b->action ||
	    a->ntmpl != b->ntmpl || a->priority != b->priority ||
	    a->id != b->id) {
		*why = "policy dir, action, priority or request count";
		return false;
	}
	if (!selector_eq(&a->sel, &b->sel) || a->sel.proto != b->sel.proto) {
		*why = "policy selector";
		return false;
	}
	for (unsigned i = 0; i < a->ntmpl && i < SPD_TMPL_MAX; i++)
		if (!tmpl_eq(&a->tmpl[i], &b->tmpl[i])) {
			*why = "policy request";
			return false;
		}
	return true;
}

/* Equal commands but for the line; *why names the first difference. */
static inline bool
cmd_eq(const struct setkey_cmd *a, const struct setkey_cmd *b, const char **why)
{
	*why = "";
	if (a->op != b->op || a->satype != b->satype || a->ext != b->ext) {
		*why = "op, satype or ext";
		return false;
	}
	if (!addr_eq(&a->natt_oa, &b->natt_oa)) {
		*why = "nat-oa";
		return false;
	}
	for (unsigned i = 0; i < SPD_TMPL_MAX; i++)
		if (a->tmpl_sport[i] != b->tmpl_sport[i] ||
		    a->tmpl_dport[i] != b->tmpl_dport[i]) {
			*why = "request ports";
			return false;
		}
	return sa_eq(&a->sa, &b->sa, why) && pol_eq(&a->pol, &b->pol, why);
}

/*
 * Print cmd in the input language (keys shown), parse it back, and tell
 * whether the result is the same command.  *why says what differed.
 */
static inline bool
cmd_round_trip(const struct setkey_cmd *cmd, const char **why)
{
	char text[2048];
	struct setkey_out o;
	struct run *r = calloc(1, sizeof(*r));
	bool is_same;

	if (r == NULL) {
		*why = "out of memory";
		return false;
	}
	setkey_out_buf(&o, text, sizeof(text));
	setkey_fmt_cmd(&o, cmd, SETKEY_FMT_KEYS);
	if (o.len >= sizeof(text)) {
		*why = "printed command too long";
		free(r);
		return false;
	}
	run_text(r, text);
	if (r->nerr != 0 || r->l.ncmds != 1) {
		*why = "printed command does not parse back";
		is_same = false;
	} else {
		is_same = cmd_eq(cmd, &r->l.cmds[0], why);
	}
	run_free(r);
	free(r);
	return is_same;
}

#endif
