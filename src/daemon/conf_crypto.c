/*
 * ipsecd.conf: the crypto { } section (ipsecd.conf(5), CRYPTO SECTION):
 * which OpenSSL providers to load and with what parameters, the property
 * queries, and the offload policy, into conf.crypto (crypto_conf.h).
 *
 *   crypto {
 *           provider NAME [{
 *                   module PATH
 *                   hardware yes | no
 *                   async yes | no
 *                   PARAMETER = VALUE
 *           }]
 *           query [ALGORITHM] "PROPERTY QUERY"
 *           offload [ALGORITHM] off | prefer | require
 *   }
 *
 * Only syntax, names and duplicates are checked here; whether a provider
 * loads and a query parses is for crypto_lib_open(), which the daemon
 * runs at start and `ipsecd -n` runs too, with the lines kept here.
 */
#include "config.h"

#include "daemon/conf_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct crypto_kw {
	const char *name;
	void (*fn)(struct conf_parser *p, const struct conf_stmt *st);
	const char *usage;
};

static void ck_offload(struct conf_parser *, const struct conf_stmt *);
static void ck_provider(struct conf_parser *, const struct conf_stmt *);
static void ck_query(struct conf_parser *, const struct conf_stmt *);

/* Sorted by strcmp: bsearch relies on it and check_crypto_conf asserts it. */
static const struct crypto_kw ckw[] = {
	{ "offload", ck_offload, "offload [ALGORITHM] off|prefer|require" },
	{ "provider", ck_provider, "provider NAME [{]" },
	{ "query", ck_query, "query [ALGORITHM] \"PROPERTY QUERY\"" },
};

#define NCKW (sizeof(ckw) / sizeof(ckw[0]))

/* The provider block's keywords (NAME = VALUE lines are parameters). */
static const char *const pkw[] = { "async", "hardware", "module" };

#define NPKW (sizeof(pkw) / sizeof(pkw[0]))

const char *
conf_crypto_keyword(bool is_provider, size_t i)
{
	if (is_provider)
		return i < NPKW ? pkw[i] : NULL;
	return i < NCKW ? ckw[i].name : NULL;
}

/* The algorithms' names, for conf_choices. */
static const char *
alg_at(size_t i)
{
	return i < ALG_COUNT ? alg_get((enum alg_id)i)->name : NULL;
}

/* The algorithm named by t (names and aliases of alg.h), or NULL. */
static const struct alg *
conf_alg(struct conf_parser *p, const struct conf_tok *t, const char *keyword)
{
	char name[64], buf[CONF_SHOW_SIZE], list[512];
	const struct alg *a = NULL;

	if (conf_tok_copy(t, name, sizeof(name)))
		a = alg_by_name(name);
	if (a == NULL)
		conf_err(p, t->line,
		    "unknown algorithm \"%s\" for %s; expected %s",
		    conf_show(t, buf), keyword,
		    conf_choices(alg_at, NULL, list, sizeof(list)));
	return a;
}

/*
 * A value copied into *dst.  is_conf_text: it goes into OpenSSL's
 * configuration text (module paths, parameters), with the rules of
 * crypto_conf_param_value_why; else (queries) printable ASCII suffices.
 */
static bool
conf_value(struct conf_parser *p, const struct conf_tok *t, const char *keyword,
    bool is_conf_text, char **dst)
{
	char buf[CONF_SHOW_SIZE], *v;
	const char *why = NULL;

	if ((v = malloc(t->len + 1)) == NULL) {
		conf_oom(p, t->line);
		return false;
	}
	memcpy(v, t->s, t->len);
	v[t->len] = '\0';
	if (is_conf_text)
		why = crypto_conf_param_value_why(v);
	else if (t->len >= CRYPTO_CONF_VALUE_MAX)
		why = "value too long";
	for (size_t i = 0; i < t->len && why == NULL; i++)
		if ((unsigned char)t->s[i] < 0x20 ||
		    (unsigned char)t->s[i] > 0x7e)
			why = "value has a byte that is not printable ASCII";
	if (why != NULL) {
		conf_err(p, t->line, "bad value \"%s\" for %s: %s",
		    conf_show(t, buf), keyword, why);
		free(v);
		return false;
	}
	free(*dst);
	*dst = v;
	return true;
}

static void
ck_query(struct conf_parser *p, const struct conf_stmt *st)
{
	struct crypto_conf *cc = &p->c->crypto;
	const struct alg *a = NULL;
	char **dst = &cc->query;
	unsigned *line = &cc->query_line;

	if (st->ntok >= 3) {
		if (!conf_args(p, st, 2, ckw[2].usage) ||
		    (a = conf_alg(p, &st->t[1], "query")) == NULL)
			return;
		dst = &cc->alg[a->id].query;
		line = &cc->alg[a->id].query_line;
	} else if (!conf_args(p, st, 1, ckw[2].usage)) {
		return;
	}
	if (*line != 0) {
		if (a != NULL)
			conf_err(p, st->line,
			    "query for %s already set at line %u", a->name,
			    *line);
		else
			conf_err(
			    p, st->line, "query already set at line %u", *line);
		return;
	}
	*line = st->line;
	(void)conf_value(p, &st->t[st->ntok - 1], "query", false, dst);
}

static void
ck_offload(struct conf_parser *p, const struct conf_stmt *st)
{
	struct crypto_conf *cc = &p->c->crypto;
	const struct conf_tok *t;
	const struct alg *a = NULL;
	enum crypto_policy *dst = &cc->policy, pol = CRYPTO_POLICY_UNSET;
	unsigned *line = &cc->policy_line;
	char buf[CONF_SHOW_SIZE], word[16];

	if (st->ntok >= 3) {
		if (!conf_args(p, st, 2, ckw[0].usage) ||
		    (a = conf_alg(p, &st->t[1], "offload")) == NULL)
			return;
		dst = &cc->alg[a->id].policy;
		line = &cc->alg[a->id].policy_line;
	} else if (!conf_args(p, st, 1, ckw[0].usage)) {
		return;
	}
	if (*line != 0) {
		if (a != NULL)
			conf_err(p, st->line,
			    "offload for %s already set at line %u", a->name,
			    *line);
		else
			conf_err(p, st->line, "offload already set at line %u",
			    *line);
		return;
	}
	*line = st->line;
	t = &st->t[st->ntok - 1];
	if (conf_tok_copy(t, word, sizeof(word)))
		pol = crypto_policy_by_name(word);
	if (pol == CRYPTO_POLICY_UNSET) {
		conf_err(p, st->line,
		    "bad offload policy \"%s\"; expected off, prefer or "
		    "require",
		    conf_show(t, buf));
		return;
	}
	*dst = pol;
}

/* ---- provider blocks ---- */

static bool
yes_no(struct conf_parser *p, const struct conf_stmt *st, enum crypto_flag *dst,
    unsigned *line)
{
	char buf[CONF_SHOW_SIZE], kw[16];

	conf_tok_copy(&st->t[0], kw, sizeof(kw));
	if (*line != 0) {
		conf_err(p, st->line, "%s already set at line %u", kw, *line);
		return false;
	}
	*line = st->line;
	if (conf_tok_is(&st->t[1], "yes"))
		*dst = CRYPTO_FLAG_YES;
	else if (conf_tok_is(&st->t[1], "no"))
		*dst = CRYPTO_FLAG_NO;
	else {
		conf_err(p, st->line,
		    "bad value \"%s\" for %s; expected yes or "
		    "no",
		    conf_show(&st->t[1], buf), kw);
		return false;
	}
	return true;
}

static void
pk_module(struct conf_parser *p, struct crypto_conf_provider *pr,
    const struct conf_stmt *st)
{
	const struct conf_tok *t = &st->t[1];
	char buf[CONF_SHOW_SIZE];

	if (pr->module_line != 0) {
		conf_err(p, st->line, "module already set at line %u",
		    pr->module_line);
		return;
	}
	pr->module_line = st->line;
	if (t->len == 0 || t->s[0] != '/') {
		conf_err(p, st->line,
		    "bad module path \"%s\"; expected an absolute path to the "
		    "provider's shared object",
		    conf_show(t, buf));
		return;
	}
	(void)conf_value(p, t, "module", true, &pr->module);
}

/* PARAMETER = VALUE: what an openssl.cnf provider section would say. */
static void
pk_param(struct conf_parser *p, struct crypto_conf_provider *pr,
    const struct conf_stmt *st)
{
	char name[CRYPTO_CONF_NAME_MAX], buf[CONF_SHOW_SIZE];
	char buf2[CONF_SHOW_SIZE], *value = NULL;
	const char *why = NULL;

	if (st->ntok < 3 || st->t[2].type == CONF_TOK_EQUALS) {
		conf_err(p, st->line, "missing value; expected %s = VALUE",
		    conf_show(&st->t[0], buf));
		return;
	}
	if (st->ntok > 3) {
		conf_err(p, st->line,
		    "unexpected \"%s\" after %s = VALUE; expected the end of "
		    "the line",
		    conf_tok_what(&st->t[3], buf), conf_show(&st->t[0], buf2));
		return;
	}
	if (!conf_tok_copy(&st->t[0], name, sizeof(name)))
		why = "name too long";
	else
		why = crypto_conf_param_name_why(name);
	if (why == NULL &&
	    (strcmp(name, "async") == 0 || strcmp(name, "hardware") == 0))
		why = strcmp(name, "async") == 0
		    ? "a keyword here; expected async yes|no"
		    : "a keyword here; expected hardware yes|no";
	if (why != NULL) {
		conf_err(p, st->line, "bad parameter name \"%s\": %s",
		    conf_show(&st->t[0], buf), why);
		return;
	}
	for (size_t i = 0; i < pr->nparams; i++)
		if (strcmp(pr->params[i].name, name) == 0) {
			conf_err(p, st->line,
			    "parameter %s already set at line %u", name,
			    pr->params[i].line);
			return;
		}
	if (pr->nparams == CRYPTO_CONF_PARAMS_MAX) {
		conf_err(p, st->line,
		    "too many parameters for provider %s (max %d)", pr->name,
		    CRYPTO_CONF_PARAMS_MAX);
		return;
	}
	if (!conf_value(p, &st->t[2], name, true, &value))
		return;
	if (crypto_conf_add_param(pr, name, value, st->line) != 0)
		conf_oom(p, st->line);
	free(value);
}

static void
provider_stmt(struct conf_parser *p, struct crypto_conf_provider *pr,
    const struct conf_stmt *st)
{
	char buf[CONF_SHOW_SIZE];
	const char *usage;

	if (st->t[0].type != CONF_TOK_WORD &&
	    st->t[0].type != CONF_TOK_STRING) {
		conf_err(p, st->line, "unexpected \"%s\"; expected a keyword",
		    conf_tok_what(&st->t[0], buf));
	} else if (st->n > 1 && st->t[1].type == CONF_TOK_EQUALS &&
	    !st->is_block) {
		pk_param(p, pr, st);
		return;
	} else if (conf_tok_is(&st->t[0], "module")) {
		usage = "module PATH";
		if (!st->is_block && conf_args(p, st, 1, usage))
			pk_module(p, pr, st);
		else if (st->is_block)
			conf_err(p, st->line,
			    "unexpected \"{\" after module; expected %s "
			    "without a block",
			    usage);
	} else if (conf_tok_is(&st->t[0], "hardware") ||
	    conf_tok_is(&st->t[0], "async")) {
		bool is_hw = conf_tok_is(&st->t[0], "hardware");

		usage = is_hw ? "hardware yes|no" : "async yes|no";
		if (st->is_block)
			conf_err(p, st->line,
			    "unexpected \"{\" after %s; expected %s without a "
			    "block",
			    is_hw ? "hardware" : "async", usage);
		else if (conf_args(p, st, 1, usage))
			(void)yes_no(p, st, is_hw ? &pr->hardware : &pr->async,
			    is_hw ? &pr->hardware_line : &pr->async_line);
	} else {
		conf_err(p, st->line,
		    "unknown keyword \"%s\" in provider %s; expected async, "
		    "hardware, module or PARAMETER = VALUE",
		    conf_show(&st->t[0], buf), pr->name);
	}
	if (st->is_block)
		conf_skip_block(p, st->line);
}

/* The statements of a provider block, up to its "}". */
static void
provider_block(
    struct conf_parser *p, struct crypto_conf_provider *pr, unsigned line)
{
	struct conf_stmt st;

	for (;;) {
		conf_stmt_read(p, &st);
		if (st.is_eof) {
			conf_err(p, st.line,
			    "unexpected end of file; expected \"}\" to close "
			    "provider %s at line %u",
			    pr->name, line);
			return;
		}
		if (st.is_bad) {
			if (st.is_block)
				conf_skip_block(p, st.line);
			continue;
		}
		if (st.t[0].type == CONF_TOK_RBRACE)
			return;
		provider_stmt(p, pr, &st);
	}
}

/* Is the next statement a lone "{"?  If not, it is left to be read. */
static bool
brace_next(struct conf_parser *p)
{
	struct conf_stmt next;

	conf_stmt_read(p, &next);
	if (!next.is_eof && !next.is_bad && next.n == 1 &&
	    next.t[0].type == CONF_TOK_LBRACE)
		return true;
	if (!next.is_eof)
		conf_stmt_push(p, &next);
	return false;
}

/*
 * provider NAME, or provider NAME { ... } (the brace may be alone on the
 * next line).  A provider that cannot be
 * listed (bad name, a duplicate, one too many) still has its block
 * parsed for errors, into a scratch entry.
 */
static void
ck_provider(struct conf_parser *p, const struct conf_stmt *st)
{
	struct crypto_conf *cc = &p->c->crypto;
	struct crypto_conf_provider scratch, *pr = NULL;
	char name[CRYPTO_CONF_NAME_MAX], buf[CONF_SHOW_SIZE];
	const char *why = NULL;
	size_t words = st->ntok - (st->is_block ? 1 : 0);

	if (words != 2 || st->t[1].type == CONF_TOK_EQUALS) {
		if (words < 2 || st->t[1].type == CONF_TOK_EQUALS)
			conf_err(p, st->line,
			    "missing argument; expected provider NAME [{]");
		else
			conf_err(p, st->line,
			    "unexpected \"%s\" after provider NAME; expected "
			    "\"{\" or the end of the line",
			    conf_tok_what(&st->t[2], buf));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	if (!conf_tok_copy(&st->t[1], name, sizeof(name)))
		why = "name too long";
	else
		why = crypto_conf_provider_name_why(name);
	if (why != NULL) {
		conf_err(p, st->line, "bad provider name \"%s\": %s",
		    conf_show(&st->t[1], buf), why);
		snprintf(name, sizeof(name), "?");
	} else {
		for (size_t i = 0; i < cc->nproviders && why == NULL; i++)
			if (strcmp(cc->providers[i].name, name) == 0) {
				conf_err(p, st->line,
				    "provider %s already listed at line %u",
				    name, cc->providers[i].line);
				why = "duplicate";
			}
		if (why == NULL &&
		    cc->nproviders == CRYPTO_CONF_PROVIDERS_MAX) {
			conf_err(p, st->line, "too many providers (max %d)",
			    CRYPTO_CONF_PROVIDERS_MAX);
			why = "full";
		}
		if (why == NULL &&
		    (pr = crypto_conf_add_provider(cc, name, st->line)) ==
			NULL) {
			conf_oom(p, st->line);
			why = "oom";
		}
	}
	if (!st->is_block && !brace_next(p))
		return;
	if (pr == NULL) {
		memset(&scratch, 0, sizeof(scratch));
		scratch.name = name;
		provider_block(p, &scratch, st->line);
		for (size_t i = 0; i < scratch.nparams; i++) {
			free(scratch.params[i].name);
			free(scratch.params[i].value);
		}
		free(scratch.params);
		free(scratch.module);
		return;
	}
	provider_block(p, pr, st->line);
}

/* ---- the section ---- */

static int
ckw_cmp(const void *key, const void *elem)
{
	const struct conf_tok *t = key;
	const char *name = ((const struct crypto_kw *)elem)->name;
	size_t n = strlen(name);
	int r = strncmp(t->s, name, t->len < n ? t->len : n);

	if (r != 0)
		return r;
	return t->len < n ? -1 : t->len > n;
}

static void
crypto_stmt(struct conf_parser *p, const struct conf_stmt *st)
{
	const struct crypto_kw *kw;
	char buf[CONF_SHOW_SIZE];

	if (st->t[0].type == CONF_TOK_LBRACE ||
	    st->t[0].type == CONF_TOK_EQUALS) {
		conf_err(p, st->line, "unexpected \"%s\"; expected a keyword",
		    conf_tok_what(&st->t[0], buf));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	kw = bsearch(&st->t[0], ckw, NCKW, sizeof(ckw[0]), ckw_cmp);
	if (kw == NULL && conf_tok_is(&st->t[0], "engine")) {
		conf_err(p, st->line,
		    "legacy ENGINEs are not supported: they work only through "
		    "OpenSSL's process-wide context, which ipsecd does not "
		    "use; load a provider instead");
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	if (kw == NULL) {
		conf_err(p, st->line,
		    "unknown keyword \"%s\" in crypto; expected offload, "
		    "provider or query",
		    conf_show(&st->t[0], buf));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	if (st->is_block && kw->fn != ck_provider) {
		conf_err(p, st->line,
		    "unexpected \"{\" after %s; expected %s without a block",
		    kw->name, kw->usage);
		conf_skip_block(p, st->line);
		return;
	}
	kw->fn(p, st);
}

/* "crypto {", or "crypto" with the brace alone on the next line. */
static bool
crypto_head(struct conf_parser *p, const struct conf_stmt *head)
{
	char buf[CONF_SHOW_SIZE];
	size_t words = head->ntok - (head->is_block ? 1 : 0);

	if (words > 1) {
		conf_err(p, head->line,
		    "unexpected \"%s\" after crypto; expected \"{\"",
		    conf_tok_what(&head->t[1], buf));
		if (head->is_block)
			conf_skip_block(p, head->line);
		return false;
	}
	if (head->is_block || brace_next(p))
		return true;
	conf_err(p, head->line, "expected \"{\" after crypto");
	return false;
}

void
conf_crypto_block(struct conf_parser *p, const struct conf_stmt *head)
{
	struct crypto_conf *cc = &p->c->crypto;
	struct conf_stmt st;

	if (!crypto_head(p, head))
		return;
	if (cc->line != 0) {
		conf_err(p, head->line, "crypto already defined at line %u",
		    cc->line);
		conf_skip_block(p, head->line);
		return;
	}
	cc->line = head->line;
	for (;;) {
		conf_stmt_read(p, &st);
		if (st.is_eof) {
			conf_err(p, st.line,
			    "unexpected end of file; expected \"}\" to close "
			    "crypto at line %u",
			    head->line);
			return;
		}
		if (st.is_bad) {
			if (st.is_block)
				conf_skip_block(p, st.line);
			continue;
		}
		if (st.t[0].type == CONF_TOK_RBRACE)
			return;
		crypto_stmt(p, &st);
	}
}
