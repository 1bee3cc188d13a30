#ifndef IPSECD_CRYPTO_CRYPTO_CONF_H
#define IPSECD_CRYPTO_CRYPTO_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/alg.h"

/*
 * What ipsecd.conf's crypto { } section says (ipsecd.conf(5)), as plain
 * data: the config parser (src/daemon/conf_crypto.c) fills it, checking
 * syntax and names; crypto_lib_open() (provider.h) acts on it.  Every
 * item keeps the line it came from so that errors found when the
 * providers load can point at it; line 0 means "not in the file".
 *
 * The offload policy of an algorithm:
 *   CRYPTO_POLICY_OFF      software only, even where hardware offers it
 *   CRYPTO_POLICY_PREFER   hardware where a provider offers it, else
 *                          software (said once per SA)
 *   CRYPTO_POLICY_REQUIRE  hardware or nothing: an SA whose algorithm and
 *                          key size no hardware provider serves is refused
 * CRYPTO_POLICY_UNSET is "not said here": an algorithm without its own
 * policy takes the global one, an SA without its own takes its
 * algorithms'.
 */
enum crypto_policy {
	CRYPTO_POLICY_UNSET,
	CRYPTO_POLICY_OFF,
	CRYPTO_POLICY_PREFER,
	CRYPTO_POLICY_REQUIRE,
};

/* The global policy when the file says none. */
#define CRYPTO_POLICY_DEFAULT CRYPTO_POLICY_PREFER

/* A yes/no setting that may be left to ipsecd to find out. */
enum crypto_flag {
	CRYPTO_FLAG_AUTO,
	CRYPTO_FLAG_YES,
	CRYPTO_FLAG_NO,
};

/* Limits (the parser reports one past each). */
#define CRYPTO_CONF_PROVIDERS_MAX 16
#define CRYPTO_CONF_PARAMS_MAX 32
#define CRYPTO_CONF_NAME_MAX 64	   /* provider or parameter name, NUL incl. */
#define CRYPTO_CONF_VALUE_MAX 1024 /* parameter value, query, module path */

/* A provider parameter, NAME = VALUE as in an openssl.cnf section. */
struct crypto_conf_param {
	char *name;
	char *value;
	unsigned line;
};

struct crypto_conf_provider {
	char *name;   /* OpenSSL's provider name: "default", "qatprovider" */
	char *module; /* shared object path; NULL: OpenSSL's module directory */
	unsigned module_line;
	enum crypto_flag
	    hardware; /* AUTO: the algorithms' ipsecd.hw property */
	unsigned hardware_line;
	enum crypto_flag async; /* AUTO: yes unless OpenSSL's own provider */
	unsigned async_line;
	struct crypto_conf_param *params;
	size_t nparams;
	unsigned line;
};

struct crypto_conf_alg {
	char *query; /* NULL: the global query */
	unsigned query_line;
	enum crypto_policy policy; /* UNSET: the global policy */
	unsigned policy_line;
};

struct crypto_conf {
	unsigned line; /* of "crypto {"; 0: no section */
	struct crypto_conf_provider *providers;
	size_t nproviders;
	char *query; /* NULL: none */
	unsigned query_line;
	enum crypto_policy policy; /* never UNSET after crypto_conf_init */
	unsigned policy_line;
	struct crypto_conf_alg alg[ALG_COUNT];
};

/* No providers listed, no query, CRYPTO_POLICY_DEFAULT. */
void crypto_conf_init(struct crypto_conf *cc);

/* Free what cc owns and leave it as crypto_conf_init does. */
void crypto_conf_clear(struct crypto_conf *cc);

/*
 * Append a provider named name (copied) from line; NULL when out of
 * memory or at CRYPTO_CONF_PROVIDERS_MAX.  Borrowed from cc.
 */
struct crypto_conf_provider *crypto_conf_add_provider(
    struct crypto_conf *cc, const char *name, unsigned line);

/* Append a parameter (both copied); -1 when out of memory or full. */
int crypto_conf_add_param(struct crypto_conf_provider *p, const char *name,
    const char *value, unsigned line);

/* Replace *dst with a copy of s; -1 when out of memory (*dst unchanged). */
int crypto_conf_set_string(char **dst, const char *s);

/*
 * Whether a and b say the same (providers with their modules, flags and
 * parameters in order, queries, policies), line numbers aside: a reload
 * compares the running section with the new one this way.
 */
bool crypto_conf_same(const struct crypto_conf *a, const struct crypto_conf *b);

/* "off", "prefer", "require" ("unset" for UNSET). */
const char *crypto_policy_name(enum crypto_policy p);

/* The policy named s, or CRYPTO_POLICY_UNSET when s names none. */
enum crypto_policy crypto_policy_by_name(const char *s);

/*
 * Why a parameter cannot be passed to a provider through OpenSSL's
 * configuration module (static phrase), or NULL when it can:
 *   - names: 1 to CRYPTO_CONF_NAME_MAX - 1 of letters, digits, '_', '-'
 *     and '.', starting with a letter; not module, activate, identity or
 *     soft_load, which OpenSSL takes for itself;
 *   - values: at most CRYPTO_CONF_VALUE_MAX - 1 printable ASCII bytes
 *     (blanks inside), not ending in a blank, and not the word "default",
 *     which OpenSSL would read as the name of a configuration section.
 */
const char *crypto_conf_param_name_why(const char *name);
const char *crypto_conf_param_value_why(const char *value);

/*
 * Why name cannot be a provider name, or NULL: 1 to
 * CRYPTO_CONF_NAME_MAX - 1 of letters, digits, '_' and '-', starting with
 * a letter (OpenSSL's configuration reader cuts names at a '.').
 */
const char *crypto_conf_provider_name_why(const char *name);

#endif
