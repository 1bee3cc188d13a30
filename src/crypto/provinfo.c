/*
 * What the loaded providers say of themselves (provider.h,
 * crypto_lib_providers): their gettable parameters, asked for by the
 * types they declare, for `ipsecctl show crypto`.
 */
#include "config.h"

#include "crypto/lib_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core.h>
#include <openssl/params.h>

/* One gettable parameter, read into *out; false when it is not wanted. */
static bool
read_param(
    OSSL_PROVIDER *prov, const OSSL_PARAM *g, struct crypto_prov_param *out)
{
	OSSL_PARAM q[2];
	uint64_t u = 0;
	int64_t i = 0;
	const char *ptr = NULL;

	if (strlen(g->key) >= sizeof(out->name))
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out->name, g->key, strlen(g->key) + 1);
	switch (g->data_type) {
	case OSSL_PARAM_UNSIGNED_INTEGER:
		q[0] = OSSL_PARAM_construct_uint64(g->key, &u);
		break;
	case OSSL_PARAM_INTEGER:
		q[0] = OSSL_PARAM_construct_int64(g->key, &i);
		break;
	case OSSL_PARAM_UTF8_PTR:
		q[0] = OSSL_PARAM_construct_utf8_ptr(g->key, (char **)&ptr, 0);
		break;
	case OSSL_PARAM_UTF8_STRING:
		q[0] = OSSL_PARAM_construct_utf8_string(
		    g->key, out->text, sizeof(out->text));
		break;
	default:
		return false;
	}
	q[1] = OSSL_PARAM_construct_end();
	if (OSSL_PROVIDER_get_params(prov, q) != 1 ||
	    !OSSL_PARAM_modified(&q[0]))
		return false;
	switch (g->data_type) {
	case OSSL_PARAM_UNSIGNED_INTEGER:
		out->is_number = true;
		out->number = u > INT64_MAX ? INT64_MAX : (int64_t)u;
		break;
	case OSSL_PARAM_INTEGER:
		out->is_number = true;
		out->number = i;
		break;
	case OSSL_PARAM_UTF8_PTR:
		snprintf(
		    out->text, sizeof(out->text), "%s", ptr != NULL ? ptr : "");
		break;
	default:
		/* A string filled to the brim has no NUL of its own. */
		out->text[sizeof(out->text) - 1] = '\0';
		break;
	}
	return true;
}

size_t
crypto_lib_providers(
    const struct crypto_lib *lib, struct crypto_prov_info *out, size_t max)
{
	size_t n;

	for (n = 0; n < lib->nprovs && n < max; n++) {
		const struct crypto_prov *p = &lib->provs[n];
		struct crypto_prov_info *o = &out[n];
		const OSSL_PARAM *g = OSSL_PROVIDER_gettable_params(p->prov);

		memset(o, 0, sizeof(*o));
		o->name = p->name;
		o->hardware = p->hardware;
		o->is_async = p->is_async;
		for (; g != NULL && g->key != NULL &&
		     o->nparams < CRYPTO_PROV_PARAMS_MAX;
		     g++)
			if (read_param(p->prov, g, &o->params[o->nparams]))
				o->nparams++;
	}
	return n;
}
