/*
 * Loading providers into ipsecd's library context with their parameters.
 *
 * OpenSSL 3.0 has no call that loads a provider with parameters: only its
 * configuration module passes them (OSSL_PROVIDER_load_ex came in 3.2).
 * So each listed provider becomes the openssl.cnf text that an operator
 * would write,
 *
 *   ipsecd_conf = ipsecd.sect.init
 *   [ipsecd.sect.init]
 *   providers = ipsecd.sect.providers
 *   [ipsecd.sect.providers]
 *   NAME = ipsecd.sect.provider
 *   [ipsecd.sect.provider]
 *   module = PATH
 *   activate = 1
 *   PARAM = VALUE ...
 *
 * read by NCONF into a CONF bound to our context and run by
 * CONF_modules_load(), one provider at a time so that a failure names its
 * provider.  Values are written with every non-alphanumeric byte escaped
 * by a backslash, which the reader turns back into the byte; it cannot
 * keep a trailing blank, and a value naming a section is read as that
 * section (crypto_conf.h refuses both).
 *
 * OpenSSL treats an activation failure as non-fatal and clears its
 * errors, so success is judged by finding the provider loaded afterwards,
 * and a failure is explained by looking at the module ourselves.
 */
#include "config.h"

#include "crypto/lib_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#define SECT_INIT "ipsecd.sect.init"
#define SECT_PROVIDERS "ipsecd.sect.providers"
#define SECT_PROVIDER "ipsecd.sect.provider"
#define APPNAME "ipsecd_conf"

/* OpenSSL's own providers: synchronous, never hardware. */
static const char *const builtin[] = { "default", "fips", "base", "legacy",
	"null" };

void
provload_err(crypto_error_fn fn, void *arg, const char *file, unsigned line,
    const char *fmt, ...)
{
	char msg[1024], full[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s:%u: %s", file, line, msg);
	fn(arg, full);
}

/* snprintf that may cut: messages end with "..." rather than overflow. */
static void say(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static bool
is_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(name, builtin[i]) == 0)
			return true;
	return false;
}

static bool
esc_write(BIO *b, const char *s)
{
	for (; *s != '\0'; s++) {
		char ch = *s;
		bool is_alnum = (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');

		if ((!is_alnum && BIO_write(b, "\\", 1) != 1) ||
		    BIO_write(b, &ch, 1) != 1)
			return false;
	}
	return true;
}

static bool
is_section_name(const char *v)
{
	return strcmp(v, "default") == 0 || strcmp(v, SECT_INIT) == 0 ||
	    strcmp(v, SECT_PROVIDERS) == 0 || strcmp(v, SECT_PROVIDER) == 0;
}

/* The openssl.cnf text for one provider (header comment). */
static bool
write_text(BIO *b, const struct crypto_conf_provider *p)
{
	if (BIO_printf(b,
		"%s = %s\n[%s]\nproviders = %s\n[%s]\n%s = %s\n[%s]\n"
		"activate = 1\n",
		APPNAME, SECT_INIT, SECT_INIT, SECT_PROVIDERS, SECT_PROVIDERS,
		p->name, SECT_PROVIDER, SECT_PROVIDER) <= 0)
		return false;
	if (p->module != NULL &&
	    (BIO_printf(b, "module = ") <= 0 || !esc_write(b, p->module) ||
		BIO_printf(b, "\n") <= 0))
		return false;
	for (size_t i = 0; i < p->nparams; i++)
		if (BIO_printf(b, "%s = ", p->params[i].name) <= 0 ||
		    !esc_write(b, p->params[i].value) ||
		    BIO_printf(b, "\n") <= 0)
			return false;
	return true;
}

/* What OpenSSL's module directory is for a provider named name. */
static void
module_path(const char *name, const char *module, char *buf, size_t size)
{
	const char *dir = getenv("OPENSSL_MODULES");

	if (module != NULL) {
		snprintf(buf, size, "%s", module);
		return;
	}
	if (dir == NULL)
		dir = OPENSSL_info(OPENSSL_INFO_MODULES_DIR);
	snprintf(buf, size, "%s/%s.so", dir != NULL ? dir : ".", name);
}

/* Why p did not load: look at its module as OpenSSL would have. */
static void
diagnose(const struct crypto_conf_provider *p, char *why, size_t size)
{
	char path[CRYPTO_CONF_VALUE_MAX + CRYPTO_CONF_NAME_MAX + 512];
	void *h;

	if (p->module == NULL && is_builtin(p->name) &&
	    strcmp(p->name, "fips") != 0 && strcmp(p->name, "legacy") != 0) {
		say(why, size,
		    "OpenSSL's built-in provider refused to "
		    "start (check its parameters)");
		return;
	}
	module_path(p->name, p->module, path, sizeof(path));
	if (access(path, R_OK) != 0) {
		say(why, size, "cannot read module %s: %s", path,
		    strerror(errno));
		return;
	}
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *e = dlerror();

		say(why, size, "cannot load module %s: %s", path,
		    e != NULL ? e : "unknown error");
		return;
	}
	if (dlsym(h, "OSSL_provider_init") == NULL)
		say(why, size,
		    "module %s is not an OpenSSL provider (no "
		    "OSSL_provider_init)",
		    path);
	else
		say(why, size,
		    "module %s did not initialise (its OSSL_provider_init "
		    "failed: check its parameters)",
		    path);
	dlclose(h);
}

struct find_arg {
	const char *name;
	OSSL_PROVIDER *found;
};

static int
find_cb(OSSL_PROVIDER *prov, void *cbdata)
{
	struct find_arg *fa = cbdata;

	if (strcmp(OSSL_PROVIDER_get0_name(prov), fa->name) == 0)
		fa->found = prov;
	return 1;
}

static OSSL_PROVIDER *
find_loaded(OSSL_LIB_CTX *ctx, const char *name)
{
	struct find_arg fa = { name, NULL };

	OSSL_PROVIDER_do_all(ctx, find_cb, &fa);
	return fa.found;
}

/* Run the configuration text for p; false on any OpenSSL failure. */
static bool
run_conf(OSSL_LIB_CTX *ctx, const struct crypto_conf_provider *p)
{
	CONF *conf = NCONF_new_ex(ctx, NULL);
	BIO *b = BIO_new(BIO_s_mem());
	long eline = 0;
	bool is_ok = false;

	if (conf != NULL && b != NULL && write_text(b, p) &&
	    NCONF_load_bio(conf, b, &eline) > 0 &&
	    CONF_modules_load(conf, APPNAME, 0) > 0)
		is_ok = true;
	ERR_clear_error();
	NCONF_free(conf);
	BIO_free(b);
	return is_ok;
}

/* The checks provload relies on, in case a caller skipped the parser. */
static bool
check_provider(const struct crypto_conf_provider *p, const char *file,
    crypto_error_fn fn, void *arg)
{
	const char *why;
	bool is_ok = true;

	if ((why = crypto_conf_provider_name_why(p->name)) != NULL) {
		provload_err(fn, arg, file, p->line, "provider \"%s\": %s",
		    p->name, why);
		return false;
	}
	if (p->module != NULL &&
	    ((why = crypto_conf_param_value_why(p->module)) != NULL ||
		is_section_name(p->module))) {
		provload_err(fn, arg, file, p->module_line,
		    "provider %s: module \"%s\": %s", p->name, p->module,
		    why != NULL ? why : "the name of a configuration section");
		is_ok = false;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const struct crypto_conf_param *pa = &p->params[i];

		if ((why = crypto_conf_param_name_why(pa->name)) == NULL &&
		    (why = crypto_conf_param_value_why(pa->value)) == NULL &&
		    is_section_name(pa->value))
			why = "the value is the name of a configuration "
			      "section";
		if (why != NULL) {
			provload_err(fn, arg, file, pa->line,
			    "provider %s: parameter %s: %s", p->name, pa->name,
			    why);
			is_ok = false;
		}
	}
	return is_ok;
}

static bool
load_one(struct crypto_lib *lib, const struct crypto_conf_provider *p,
    const char *file, crypto_error_fn fn, void *arg)
{
	struct crypto_prov *cp = &lib->provs[lib->nprovs];
	char why[1024];

	for (size_t i = 0; i < lib->nprovs; i++)
		if (strcmp(lib->provs[i].name, p->name) == 0) {
			provload_err(fn, arg, file, p->line,
			    "provider %s listed twice", p->name);
			return false;
		}
	if (!check_provider(p, file, fn, arg))
		return false;
	if (!run_conf(lib->ctx, p) ||
	    (cp->prov = find_loaded(lib->ctx, p->name)) == NULL) {
		diagnose(p, why, sizeof(why));
		provload_err(fn, arg, file, p->line,
		    "provider %s failed to load: %s", p->name, why);
		return false;
	}
	if ((cp->name = strdup(p->name)) == NULL) {
		provload_err(fn, arg, file, p->line, "out of memory");
		return false;
	}
	cp->hardware = p->hardware;
	cp->is_async = p->async == CRYPTO_FLAG_AUTO
	    ? !is_builtin(p->name)
	    : p->async == CRYPTO_FLAG_YES;
	lib->nprovs++;
	return true;
}

/* The software everything falls back to, unless one is listed. */
static bool
load_default(
    struct crypto_lib *lib, const char *file, crypto_error_fn fn, void *arg)
{
	struct crypto_prov *cp = &lib->provs[lib->nprovs];

	for (size_t i = 0; i < lib->nprovs; i++)
		if (strcmp(lib->provs[i].name, "default") == 0 ||
		    strcmp(lib->provs[i].name, "fips") == 0)
			return true;
	if ((cp->prov = OSSL_PROVIDER_load(lib->ctx, "default")) == NULL ||
	    (cp->name = strdup("default")) == NULL) {
		if (cp->prov != NULL)
			OSSL_PROVIDER_unload(cp->prov);
		cp->prov = NULL;
		ERR_clear_error();
		provload_err(fn, arg, file, 0,
		    "OpenSSL's default provider failed to load");
		return false;
	}
	cp->hardware = CRYPTO_FLAG_NO;
	cp->is_async = false;
	cp->is_ours = true;
	lib->nprovs++;
	return true;
}

int
provload_all(struct crypto_lib *lib, const struct crypto_conf *cc,
    const char *file, crypto_error_fn fn, void *arg)
{
	bool is_ok = true;

	if (cc->nproviders > CRYPTO_CONF_PROVIDERS_MAX) {
		provload_err(fn, arg, file, cc->line,
		    "too many providers (max %d)", CRYPTO_CONF_PROVIDERS_MAX);
		return -1;
	}
	for (size_t i = 0; i < cc->nproviders; i++)
		if (!load_one(lib, &cc->providers[i], file, fn, arg))
			is_ok = false;
	if (is_ok && !load_default(lib, file, fn, arg))
		is_ok = false;
	return is_ok ? 0 : -1;
}

const struct crypto_prov *
provload_find(const struct crypto_lib *lib, const OSSL_PROVIDER *p)
{
	for (size_t i = 0; i < lib->nprovs; i++)
		if (lib->provs[i].prov == p)
			return &lib->provs[i];
	return NULL;
}
