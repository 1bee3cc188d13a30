/*
 * The crypto { } section as data (crypto_conf.h): ownership of its
 * strings, the policy names, and the rules for names and values that
 * must survive the trip through OpenSSL's configuration reader
 * (provload.c writes them into an openssl.cnf text).
 */
#include "config.h"

#include "crypto/crypto_conf.h"

#include <stdlib.h>
#include <string.h>

void
crypto_conf_init(struct crypto_conf *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->policy = CRYPTO_POLICY_DEFAULT;
}

static void
provider_clear(struct crypto_conf_provider *p)
{
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
	}
	free(p->params);
	free(p->name);
	free(p->module);
}

void
crypto_conf_clear(struct crypto_conf *cc)
{
	for (size_t i = 0; i < cc->nproviders; i++)
		provider_clear(&cc->providers[i]);
	free(cc->providers);
	free(cc->query);
	for (size_t i = 0; i < ALG_COUNT; i++)
		free(cc->alg[i].query);
	crypto_conf_init(cc);
}

/* Two optional strings: both absent, or both present and equal. */
static bool
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
provider_same(
    const struct crypto_conf_provider *a, const struct crypto_conf_provider *b)
{
	if (!str_same(a->name, b->name) || !str_same(a->module, b->module) ||
	    a->hardware != b->hardware || a->async != b->async ||
	    a->nparams != b->nparams)
		return false;
	for (size_t i = 0; i < a->nparams; i++)
		if (!str_same(a->params[i].name, b->params[i].name) ||
		    !str_same(a->params[i].value, b->params[i].value))
			return false;
	return true;
}

bool
crypto_conf_same(const struct crypto_conf *a, const struct crypto_conf *b)
{
	if (a->nproviders != b->nproviders || !str_same(a->query, b->query) ||
	    a->policy != b->policy)
		return false;
	for (size_t i = 0; i < a->nproviders; i++)
		if (!provider_same(&a->providers[i], &b->providers[i]))
			return false;
	for (size_t i = 0; i < ALG_COUNT; i++)
		if (!str_same(a->alg[i].query, b->alg[i].query) ||
		    a->alg[i].policy != b->alg[i].policy)
			return false;
	return true;
}

struct crypto_conf_provider *
crypto_conf_add_provider(
    struct crypto_conf *cc, const char *name, unsigned line)
{
	struct crypto_conf_provider *p;

	if (cc->nproviders == CRYPTO_CONF_PROVIDERS_MAX)
		return NULL;
	if (cc->providers == NULL &&
	    (cc->providers = calloc(
		 CRYPTO_CONF_PROVIDERS_MAX, sizeof(*cc->providers))) == NULL)
		return NULL;
	p = &cc->providers[cc->nproviders];
	memset(p, 0, sizeof(*p));
	if ((p->name = strdup(name)) == NULL)
		return NULL;
	p->line = line;
	cc->nproviders++;
	return p;
}

int
crypto_conf_add_param(struct crypto_conf_provider *p, const char *name,
    const char *value, unsigned line)
{
	struct crypto_conf_param *e;

	if (p->nparams == CRYPTO_CONF_PARAMS_MAX)
		return -1;
	if (p->params == NULL &&
	    (p->params = calloc(CRYPTO_CONF_PARAMS_MAX, sizeof(*p->params))) ==
		NULL)
		return -1;
	e = &p->params[p->nparams];
	e->name = strdup(name);
	e->value = strdup(value);
	if (e->name == NULL || e->value == NULL) {
		free(e->name);
		free(e->value);
		e->name = e->value = NULL;
		return -1;
	}
	e->line = line;
	p->nparams++;
	return 0;
}

int
crypto_conf_set_string(char **dst, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

const char *
crypto_policy_name(enum crypto_policy p)
{
	switch (p) {
	case CRYPTO_POLICY_OFF:
		return "off";
	case CRYPTO_POLICY_PREFER:
		return "prefer";
	case CRYPTO_POLICY_REQUIRE:
		return "require";
	case CRYPTO_POLICY_UNSET:
		break;
	}
	return "unset";
}

enum crypto_policy
crypto_policy_by_name(const char *s)
{
	if (strcmp(s, "off") == 0)
		return CRYPTO_POLICY_OFF;
	if (strcmp(s, "prefer") == 0)
		return CRYPTO_POLICY_PREFER;
	if (strcmp(s, "require") == 0)
		return CRYPTO_POLICY_REQUIRE;
	return CRYPTO_POLICY_UNSET;
}

static bool
is_letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * A name of letters, digits and the characters of extra, from a letter;
 * shape is the phrase saying so.
 */
static const char *
name_why(const char *name, const char *extra, const char *shape)
{
	size_t len = strlen(name);

	if (len == 0)
		return "empty name";
	if (len >= CRYPTO_CONF_NAME_MAX)
		return "name too long";
	if (!is_letter(name[0]))
		return shape;
	for (size_t i = 1; i < len; i++)
		if (!is_letter(name[i]) && !is_digit(name[i]) &&
		    strchr(extra, name[i]) == NULL)
			return shape;
	return NULL;
}

const char *
crypto_conf_provider_name_why(const char *name)
{
	return name_why(name, "_-",
	    "expected letters, digits, \"_\" and \"-\", starting with a "
	    "letter");
}

const char *
crypto_conf_param_name_why(const char *name)
{
	static const char *const reserved[] = { "module", "activate",
		"identity", "soft_load" };
	const char *why = name_why(name, "_-.",
	    "expected letters, digits, \"_\", \"-\" and \".\", starting "
	    "with a letter");

	if (why != NULL)
		return why;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(name, reserved[i]) == 0)
			return "name reserved by OpenSSL's configuration "
			       "module";
	return NULL;
}

const char *
crypto_conf_param_value_why(const char *value)
{
	size_t len = strlen(value);

	if (len >= CRYPTO_CONF_VALUE_MAX)
		return "value too long";
	for (size_t i = 0; i < len; i++)
		if (value[i] < 0x20 || value[i] > 0x7e)
			return "value has a byte that is not printable ASCII";
	if (len > 0 && value[len - 1] == ' ')
		return "value ends in a blank, which OpenSSL would drop";
	if (strcmp(value, "default") == 0)
		return "OpenSSL reads the value \"default\" as the name of its "
		       "default configuration section";
	return NULL;
}
