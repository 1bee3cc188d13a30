/*
 * ipsecd's OpenSSL library context (provider.h): making it, resolving
 * every algorithm and key size to a hardware and a software
 * implementation once, and answering from those tables which one an SA
 * gets under a policy.  Nothing here runs per packet; cipher.c borrows
 * the fetched objects (OpenSSL 3 "Performance" notes: implicit fetches
 * take a lock and a lookup).
 */
#include "config.h"

#include "crypto/provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "crypto/cipher.h"
#include "crypto/lib_int.h"

#define HW_PROP "ipsecd.hw=yes"

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

/* ---- resolution ---- */

static bool
is_hw(struct crypto_lib *lib, const struct crypto_prov *p, const char *name,
    bool is_digest)
{
	char q[CRYPTO_CONF_NAME_MAX + 64];
	bool has;

	switch (p->hardware) {
	case CRYPTO_FLAG_YES:
		return true;
	case CRYPTO_FLAG_NO:
		return false;
	case CRYPTO_FLAG_AUTO:
		break;
	}
	snprintf(q, sizeof(q), "provider=%s,%s", p->name, HW_PROP);
	if (is_digest) {
		EVP_MD *md = EVP_MD_fetch(lib->ctx, name, q);

		has = md != NULL;
		EVP_MD_free(md);
	} else {
		EVP_CIPHER *c = EVP_CIPHER_fetch(lib->ctx, name, q);

		has = c != NULL;
		EVP_CIPHER_free(c);
	}
	ERR_clear_error();
	return has;
}

/* A fetch of name under query q; the provider that answered in *p. */
static void *
fetch(struct crypto_lib *lib, const char *name, const char *q, bool is_digest,
    const struct crypto_prov **p)
{
	void *obj;
	const OSSL_PROVIDER *op;

	if (is_digest) {
		obj = EVP_MD_fetch(lib->ctx, name, q);
		op = obj != NULL ? EVP_MD_get0_provider(obj) : NULL;
	} else {
		obj = EVP_CIPHER_fetch(lib->ctx, name, q);
		op = obj != NULL ? EVP_CIPHER_get0_provider(obj) : NULL;
	}
	ERR_clear_error();
	*p = op != NULL ? provload_find(lib, op) : NULL;
	if (obj != NULL && *p == NULL) {
		/* Not a provider we loaded: cannot happen in our context. */
		if (is_digest)
			EVP_MD_free(obj);
		else
			EVP_CIPHER_free(obj);
		obj = NULL;
	}
	return obj;
}

static void
slot_set(struct crypto_slot *s, int which, void *obj, bool is_digest,
    const struct crypto_prov *p)
{
	if (is_digest)
		s->md[which] = obj;
	else
		s->cipher[which] = obj;
	s->prov[which] = p;
}

static void
obj_free(void *obj, bool is_digest)
{
	if (is_digest)
		EVP_MD_free(obj);
	else
		EVP_CIPHER_free(obj);
}

/*
 * The hardware and software implementations of name (provider.h,
 * "Resolution").  q is the algorithm's own query or NULL; has_query is
 * whether any query (its own or the global default) applies: then the
 * query alone chooses, and only a software fallback is looked for beside
 * a hardware choice.  Without one, providers are tried in list order.
 */
static void
resolve(struct crypto_lib *lib, struct crypto_slot *s, const char *name,
    const char *q, bool has_query, bool is_digest)
{
	const struct crypto_prov *p;
	char pq[CRYPTO_CONF_NAME_MAX + 16];
	void *obj;

	if (has_query && (obj = fetch(lib, name, q, is_digest, &p)) != NULL)
		slot_set(s,
		    is_hw(lib, p, name, is_digest) ? CRYPTO_HW : CRYPTO_SW, obj,
		    is_digest, p);
	for (size_t i = 0; i < lib->nprovs; i++) {
		int which;

		if (s->prov[CRYPTO_SW] != NULL &&
		    (has_query || s->prov[CRYPTO_HW] != NULL))
			break;
		snprintf(pq, sizeof(pq), "provider=%s", lib->provs[i].name);
		if ((obj = fetch(lib, name, pq, is_digest, &p)) == NULL)
			continue;
		which = is_hw(lib, p, name, is_digest) ? CRYPTO_HW : CRYPTO_SW;
		if (s->prov[which] == NULL &&
		    !(which == CRYPTO_HW && has_query))
			slot_set(s, which, obj, is_digest, p);
		else
			obj_free(obj, is_digest);
	}
}

static void
resolve_all(struct crypto_lib *lib, const struct crypto_conf *cc)
{
	for (int id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);
		const char *q = cc->alg[id].query;
		bool has_query = q != NULL || cc->query != NULL;
		bool is_digest = a->kind == ALG_AUTH;
		int nk = is_digest ? 1 : a->nkeys;

		lib->policy[id] = cc->alg[id].policy != CRYPTO_POLICY_UNSET
		    ? cc->alg[id].policy
		    : cc->policy;
		for (int ki = 0; ki < nk; ki++) {
			struct crypto_slot *s = &lib->slot[id][ki];

			if (a->evp_name[ki] == NULL) {
				s->is_needless = true;
				continue;
			}
			resolve(
			    lib, s, a->evp_name[ki], q, has_query, is_digest);
		}
	}
}

/* "a, b" of the providers that are hardware for anything, or "none". */
static void
hw_names(struct crypto_lib *lib)
{
	size_t o = 0;

	lib->hw_names[0] = '\0';
	for (size_t i = 0; i < lib->nprovs; i++) {
		const struct crypto_prov *p = &lib->provs[i];
		bool has = p->hardware == CRYPTO_FLAG_YES;

		for (int id = 0; id < ALG_COUNT && !has; id++)
			for (int ki = 0; ki < ALG_KEYSIZES_MAX; ki++)
				if (lib->slot[id][ki].prov[CRYPTO_HW] == p)
					has = true;
		if (!has)
			continue;
		o += (size_t)snprintf(lib->hw_names + o,
		    o < sizeof(lib->hw_names) ? sizeof(lib->hw_names) - o : 0,
		    "%s%s", o == 0 ? "" : ", ", p->name);
	}
	if (lib->hw_names[0] == '\0')
		snprintf(lib->hw_names, sizeof(lib->hw_names), "none loaded");
}

/* ---- making and freeing ---- */

/* Every query must parse: try each as the default, then set the global. */
static bool
check_queries(struct crypto_lib *lib, const struct crypto_conf *cc,
    const char *file, crypto_error_fn fn, void *arg)
{
	bool is_ok = true;

	for (int id = 0; id < ALG_COUNT; id++) {
		const char *q = cc->alg[id].query;

		if (q != NULL && !EVP_set_default_properties(lib->ctx, q)) {
			provload_err(fn, arg, file, cc->alg[id].query_line,
			    "query %s: OpenSSL cannot parse property query "
			    "\"%s\"",
			    alg_get((enum alg_id)id)->name, q);
			is_ok = false;
		}
	}
	/*
	 * The context's defaults become the global query alone, undoing
	 * whatever a provider set while it loaded (provider.h).
	 */
	if (!EVP_set_default_properties(
		lib->ctx, cc->query != NULL ? cc->query : "")) {
		provload_err(fn, arg, file, cc->query_line,
		    "query: OpenSSL cannot parse property query \"%s\"",
		    cc->query);
		is_ok = false;
	}
	ERR_clear_error();
	return is_ok;
}

static void
null_err(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

struct crypto_lib *
crypto_lib_open(const struct crypto_conf *cc, const char *file,
    crypto_error_fn fn, void *arg)
{
	struct crypto_lib *lib;

	if (fn == NULL)
		fn = null_err;
	if ((lib = calloc(1, sizeof(*lib))) == NULL) {
		provload_err(fn, arg, file, cc->line, "out of memory");
		return NULL;
	}
	if ((cc->query != NULL && (lib->props = strdup(cc->query)) == NULL) ||
	    (lib->ctx = OSSL_LIB_CTX_new()) == NULL) {
		provload_err(fn, arg, file, cc->line,
		    "cannot make an OpenSSL library context");
		goto fail;
	}
	if (provload_all(lib, cc, file, fn, arg) != 0 ||
	    !check_queries(lib, cc, file, fn, arg))
		goto fail;
	resolve_all(lib, cc);
	lib->hmac = EVP_MAC_fetch(lib->ctx, "HMAC", NULL);
	ERR_clear_error();
	hw_names(lib);
	return lib;
fail:
	crypto_lib_free(lib);
	return NULL;
}

struct crypto_lib *
crypto_lib_new(const char *props)
{
	struct crypto_conf cc;
	struct crypto_lib *lib;

	crypto_conf_init(&cc);
	cc.query = (char *)props; /* read only; not cleared below */
	lib = crypto_lib_open(&cc, "crypto", NULL, NULL);
	return lib;
}

void
crypto_lib_free(struct crypto_lib *lib)
{
	if (lib == NULL)
		return;
	for (int id = 0; id < ALG_COUNT; id++)
		for (int ki = 0; ki < ALG_KEYSIZES_MAX; ki++)
			for (int w = 0; w < 2; w++) {
				EVP_CIPHER_free(lib->slot[id][ki].cipher[w]);
				EVP_MD_free(lib->slot[id][ki].md[w]);
			}
	EVP_MAC_free(lib->hmac);
	for (size_t i = 0; i < lib->nprovs; i++) {
		if (lib->provs[i].is_ours)
			OSSL_PROVIDER_unload(lib->provs[i].prov);
		free(lib->provs[i].name);
	}
	/* Frees the providers the configuration module activated, too. */
	OSSL_LIB_CTX_free(lib->ctx);
	free(lib->props);
	free(lib);
}

/* ---- choosing ---- */

static unsigned
key_bits(const struct alg *a, int ki)
{
	return (unsigned)a->key_len[ki] * 8;
}

static void
impl_of(struct crypto_impl *im, const struct crypto_slot *s, int which)
{
	im->provider = s->prov[which]->name;
	im->is_hw = which == CRYPTO_HW;
	im->is_async = s->prov[which]->is_async;
}

int
crypto_slot_pick(const struct crypto_lib *lib, const struct alg *a, int ki,
    enum crypto_policy pol)
{
	const struct crypto_slot *s = &lib->slot[a->id][ki];
	bool has_hw = s->prov[CRYPTO_HW] != NULL && !s->is_hw_disabled;
	bool has_sw = s->prov[CRYPTO_SW] != NULL;

	switch (pol) {
	case CRYPTO_POLICY_OFF:
		return has_sw ? CRYPTO_SW : -1;
	case CRYPTO_POLICY_UNSET:
	case CRYPTO_POLICY_PREFER:
		return has_hw ? CRYPTO_HW : has_sw ? CRYPTO_SW : -1;
	case CRYPTO_POLICY_REQUIRE:
		return has_hw ? CRYPTO_HW : -1;
	}
	return -1;
}

/*
 * Pick for a at ki under pol.  true with *im set (and *is_fallback when
 * prefer took software, note saying so); false with note the refusal.
 */
static bool
pick(const struct crypto_lib *lib, const struct alg *a, int ki,
    enum crypto_policy pol, struct crypto_impl *im, bool *is_fallback,
    char *note, size_t size)
{
	const struct crypto_slot *s = &lib->slot[a->id][ki];
	int which;

	memset(im, 0, sizeof(*im));
	if (s->is_needless)
		return true;
	if (a->kind == ALG_AUTH && lib->hmac == NULL) {
		say(note, size, "%s: no provider offers HMAC", a->name);
		return false;
	}
	if ((which = crypto_slot_pick(lib, a, ki, pol)) >= 0) {
		impl_of(im, s, which);
		if (which == CRYPTO_SW && pol != CRYPTO_POLICY_OFF) {
			*is_fallback = true;
			say(note, size,
			    "%s with a %u-bit key: no hardware offers it "
			    "(hardware providers: %s); on software, provider "
			    "%s",
			    a->name, key_bits(a, ki), lib->hw_names,
			    im->provider);
		}
		return true;
	}
	if (pol == CRYPTO_POLICY_OFF)
		say(note, size,
		    "%s with a %u-bit key: offload off, but no software "
		    "provider offers it",
		    a->name, key_bits(a, ki));
	else if (pol != CRYPTO_POLICY_REQUIRE)
		say(note, size, "%s with a %u-bit key: no provider offers it",
		    a->name, key_bits(a, ki));
	else if (s->prov[CRYPTO_HW] != NULL)
		say(note, size,
		    "%s with a %u-bit key: offload require, but provider %s "
		    "failed its self-test",
		    a->name, key_bits(a, ki), s->prov[CRYPTO_HW]->name);
	else
		say(note, size,
		    "%s with a %u-bit key: offload require, but no hardware "
		    "provider offers it (hardware providers: %s)",
		    a->name, key_bits(a, ki), lib->hw_names);
	return false;
}

static enum crypto_policy
policy_for(
    const struct crypto_lib *lib, const struct alg *a, enum crypto_policy pol)
{
	return pol != CRYPTO_POLICY_UNSET ? pol : lib->policy[a->id];
}

int
crypto_lib_choose(const struct crypto_lib *lib, const struct cipher_key *k,
    enum crypto_policy pol, struct crypto_choice *ch)
{
	const char *why;
	char note[CRYPTO_NOTE_MAX] = "";

	memset(ch, 0, sizeof(*ch));
	if (!cipher_key_check(k, k->enc == NULL, &why)) {
		say(ch->note, sizeof(ch->note), "%s", why);
		return -1;
	}
	if (k->enc != NULL) {
		ch->enc_policy = policy_for(lib, k->enc, pol);
		if (!pick(lib, k->enc, alg_key_index(k->enc, k->enc_len),
			ch->enc_policy, &ch->enc, &ch->is_fallback, ch->note,
			sizeof(ch->note)))
			return -1;
	}
	if (k->auth != NULL) {
		bool was = ch->is_fallback;

		ch->auth_policy = policy_for(lib, k->auth, pol);
		if (!pick(lib, k->auth, 0, ch->auth_policy, &ch->auth,
			&ch->is_fallback, note, sizeof(note))) {
			say(ch->note, sizeof(ch->note), "%s", note);
			return -1;
		}
		/* Two fallbacks: say both. */
		if (ch->is_fallback && !was)
			say(ch->note, sizeof(ch->note), "%s", note);
		else if (ch->is_fallback && note[0] != '\0') {
			size_t o = strlen(ch->note);

			say(ch->note + o, sizeof(ch->note) - o, "; %s", note);
		}
	}
	return 0;
}

bool
crypto_lib_usable(const struct crypto_lib *lib, const struct alg *a, int ki,
    enum crypto_policy pol)
{
	struct crypto_impl im;
	bool is_fallback = false;
	char note[CRYPTO_NOTE_MAX];

	if (ki < 0 || ki >= a->nkeys || (a->kind == ALG_AUTH && ki != 0))
		return false;
	return pick(lib, a, ki, policy_for(lib, a, pol), &im, &is_fallback,
	    note, sizeof(note));
}

bool
crypto_lib_has(const struct crypto_lib *lib, const struct alg *a)
{
	for (int ki = 0; ki < a->nkeys; ki++)
		if (!crypto_lib_usable(lib, a, ki, CRYPTO_POLICY_UNSET))
			return false;
	return true;
}

bool
crypto_lib_usable_bits(const struct crypto_lib *lib, const struct alg *a,
    enum crypto_policy pol, unsigned *min_bits, unsigned *max_bits)
{
	bool has = false;

	for (int ki = 0; ki < a->nkeys; ki++) {
		unsigned bits = key_bits(a, ki);

		if (!crypto_lib_usable(lib, a, ki, pol))
			continue;
		if (!has || bits < *min_bits)
			*min_bits = bits;
		if (!has || bits > *max_bits)
			*max_bits = bits;
		has = true;
	}
	return has;
}

bool
crypto_lib_has_hardware(const struct crypto_lib *lib)
{
	for (int id = 0; id < ALG_COUNT; id++)
		for (int ki = 0; ki < ALG_KEYSIZES_MAX; ki++) {
			const struct crypto_slot *s = &lib->slot[id][ki];

			if (s->prov[CRYPTO_HW] != NULL && !s->is_hw_disabled)
				return true;
		}
	return false;
}

bool
crypto_lib_registrable(const struct alg *a, void *lib)
{
	unsigned lo, hi;

	return crypto_lib_usable_bits(lib, a, CRYPTO_POLICY_UNSET, &lo, &hi);
}

size_t
crypto_lib_caps(
    const struct crypto_lib *lib, struct crypto_cap *caps, size_t max)
{
	size_t n = 0;

	for (int id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);

		for (int ki = 0; ki < a->nkeys && n < max; ki++) {
			const struct crypto_slot *s = &lib->slot[id][ki];
			struct crypto_cap *c = &caps[n++];

			memset(c, 0, sizeof(*c));
			c->alg = a;
			c->ki = ki;
			c->key_bits = key_bits(a, ki);
			c->policy = lib->policy[id];
			c->is_usable = pick(lib, a, ki, c->policy, &c->impl,
			    &c->is_fallback, c->note, sizeof(c->note));
			if (s->prov[CRYPTO_HW] != NULL)
				c->hw_provider = s->prov[CRYPTO_HW]->name;
			if (s->prov[CRYPTO_SW] != NULL)
				c->sw_provider = s->prov[CRYPTO_SW]->name;
			c->ops_per_sec = s->ops_per_sec;
			c->is_selftest_ok = !s->is_hw_disabled;
			if (s->note[0] != '\0')
				say(c->note, sizeof(c->note), "%s", s->note);
		}
	}
	return n;
}

/* ---- borrowed objects and the rest ---- */

struct evp_cipher_st *
crypto_lib_cipher_on(
    const struct crypto_lib *lib, const struct alg *a, int ki, bool is_hw)
{
	if (a->kind == ALG_AUTH || ki < 0 || ki >= a->nkeys)
		return NULL;
	return lib->slot[a->id][ki].cipher[is_hw ? CRYPTO_HW : CRYPTO_SW];
}

struct evp_cipher_st *
crypto_lib_cipher(const struct crypto_lib *lib, const struct alg *a, int ki)
{
	struct crypto_impl im;
	bool is_fallback = false;
	char note[CRYPTO_NOTE_MAX];

	if (a->kind == ALG_AUTH || ki < 0 || ki >= a->nkeys ||
	    !pick(lib, a, ki, lib->policy[a->id], &im, &is_fallback, note,
		sizeof(note)) ||
	    im.provider == NULL)
		return NULL;
	return crypto_lib_cipher_on(lib, a, ki, im.is_hw);
}

struct evp_md_st *
crypto_lib_md_on(const struct crypto_lib *lib, const struct alg *a, bool is_hw)
{
	if (a->kind != ALG_AUTH)
		return NULL;
	return lib->slot[a->id][0].md[is_hw ? CRYPTO_HW : CRYPTO_SW];
}

struct evp_mac_st *
crypto_lib_hmac(const struct crypto_lib *lib)
{
	return lib->hmac;
}

const char *
crypto_lib_props(const struct crypto_lib *lib)
{
	return lib->props;
}

enum crypto_policy
crypto_lib_policy(const struct crypto_lib *lib, const struct alg *a)
{
	return lib->policy[a->id];
}

int
crypto_lib_rand(const struct crypto_lib *lib, void *buf, size_t len)
{
	return RAND_bytes_ex(lib->ctx, buf, len, 0) == 1 ? 0 : -1;
}

int
crypto_lib_provider_params(const struct crypto_lib *lib, const char *name,
    struct ossl_param_st *params)
{
	for (size_t i = 0; i < lib->nprovs; i++)
		if (strcmp(lib->provs[i].name, name) == 0)
			return OSSL_PROVIDER_get_params(
				   lib->provs[i].prov, params) == 1
			    ? 0
			    : -1;
	return -1;
}
