#ifndef IPSECD_CRYPTO_PROVIDER_H
#define IPSECD_CRYPTO_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"
#include "crypto/crypto_conf.h"

/*
 * ipsecd's own OpenSSL library context: the providers of ipsecd.conf's
 * crypto { } section loaded into it, and for every algorithm of alg.h and
 * key size the implementations an SA may use, fetched once, at creation,
 * never per packet or per SA.
 *
 * The process-wide default context is never used, so neither openssl.cnf
 * nor a provider that changes default properties when it loads can steer
 * ipsecd: after loading, the context's default properties are set to the
 * configured global query and nothing else.
 *
 * Providers.  Those listed load in order (by name from OpenSSL's module
 * directory, or from a module path), each with its parameters, through
 * OpenSSL's configuration module as an openssl.cnf [provider] section
 * would.  Unless "default" or "fips" is among them, OpenSSL's default
 * provider is loaded too: it is the software everything falls back to.
 *
 * Hardware.  OpenSSL has no standard flag, so ipsecd defines one: an
 * implementation is hardware when its provider is marked `hardware yes`
 * in ipsecd.conf, or (`hardware` unset) when the provider declares the
 * algorithm with the property ipsecd.hw=yes, e.g. "provider=qat,ipsecd.hw=yes"
 * (OpenSSL 3 requires a dotted name for a property of one's own).
 * `hardware no` overrides the property.
 *
 * Resolution, per algorithm and key size (the fetch query is the
 * algorithm's query, else the global query, merged by OpenSSL with the
 * context's defaults):
 *   hw  the implementation the query selects, when it is hardware; with
 *       no query at all, the first listed hardware provider offering it
 *   sw  the implementation the query selects, when it is software; else
 *       the first software provider offering it (listed order, then
 *       default)
 * and the policy picks: off -> sw; prefer -> hw, else sw (a fallback);
 * require -> hw, else refused.  A hardware implementation that fails the
 * start-up self-test (crypto_lib_selftest) is treated as absent.
 *
 * Asynchronous.  An implementation is asynchronous (its operations run
 * inside OpenSSL ASYNC jobs, submit.h) when its provider is marked
 * `async yes`, or when `async` is unset and the provider is not one of
 * OpenSSL's own (default, fips, base, legacy, null).
 *
 * One crypto_lib is shared read-only by every thread once made; it is
 * not changed after crypto_lib_selftest().
 */
struct crypto_lib;
struct cipher_key;
struct evp_cipher_st;
struct evp_mac_st;
struct evp_md_st;
struct ossl_param_st;

/* Called once per error with "file:line: message" (no newline). */
typedef void (*crypto_error_fn)(void *arg, const char *msg);

/*
 * Make the context that cc describes: load its providers, check its
 * property queries, fetch every algorithm.  file names the configuration
 * in messages.  Every problem goes to fn (a provider that is missing or
 * fails to initialise, a module that cannot be opened, a query OpenSSL
 * cannot parse, a provider named twice, ...) and the result is then NULL;
 * so this is the start-up check and `ipsecd -n` runs it too.  cc is not
 * kept.
 */
struct crypto_lib *crypto_lib_open(const struct crypto_conf *cc,
    const char *file, crypto_error_fn fn, void *arg);

/*
 * The context with OpenSSL's default provider alone, props as the global
 * query (or NULL), policy prefer: what tests and tools use.  NULL on
 * failure.
 */
struct crypto_lib *crypto_lib_new(const char *props);

void crypto_lib_free(struct crypto_lib *lib);

/*
 * What an SA gets for one of its algorithms: the provider (its name,
 * borrowed from lib) and what it is.  provider is NULL when nothing is
 * needed (the NULL algorithms) or nothing is usable.
 */
struct crypto_impl {
	const char *provider;
	bool is_hw;
	bool is_async;
};

#define CRYPTO_NOTE_MAX 256

/*
 * The answer to "is this SA usable under the policy, and on what".
 * policy is the one applied to each algorithm (the SA's own, else the
 * algorithm's, else the global one).  is_fallback: prefer found no
 * hardware for an algorithm and took software; note then says which and
 * why, once, for the log and `ipsecctl show sa`.  When the SA is refused,
 * note is the error, naming the algorithm, key size and provider.
 */
struct crypto_choice {
	enum crypto_policy enc_policy;
	enum crypto_policy auth_policy;
	struct crypto_impl enc;
	struct crypto_impl auth;
	bool is_fallback;
	char note[CRYPTO_NOTE_MAX];
};

/*
 * Choose for the algorithms and key sizes of k under policy pol
 * (CRYPTO_POLICY_UNSET: the configured per-algorithm or global policy;
 * anything else: the SA's own, overriding those).  Key bytes are not
 * read.  0 when usable (*ch filled), -1 when refused (ch->note says why:
 *   "aes-gcm-16 with a 192-bit key: offload require, but no hardware
 *    provider offers it (hardware providers: ipsecdtest)"
 * ) or when the key does not pass cipher_key_check (note: its reason).
 * This is what PF_KEY ADD/UPDATE calls before installing an SA.
 */
int crypto_lib_choose(const struct crypto_lib *lib, const struct cipher_key *k,
    enum crypto_policy pol, struct crypto_choice *ch);

/*
 * Is algorithm a usable with the key size at index ki (alg.h key_len[])
 * under policy pol (UNSET: the configured one)?  What PF_KEY REGISTER
 * lists: an algorithm with its minimum and maximum usable key bits.
 */
bool crypto_lib_usable(const struct crypto_lib *lib, const struct alg *a,
    int ki, enum crypto_policy pol);

/* True if a is usable at every key size under the configured policy. */
bool crypto_lib_has(const struct crypto_lib *lib, const struct alg *a);

/*
 * The smallest and largest key sizes, in bits without the salt, at which
 * a is usable under pol (UNSET: the configured one); false when it is
 * usable at none.  A PF_KEY sadb_alg can say no more than such a range,
 * so a size inside it that is not usable (AES-192-GCM under require with
 * an accelerator that has only 128 and 256) is listed by REGISTER and
 * refused at ADD by crypto_lib_choose.
 */
bool crypto_lib_usable_bits(const struct crypto_lib *lib, const struct alg *a,
    enum crypto_policy pol, unsigned *min_bits, unsigned *max_bits);

/*
 * True when some loaded provider offers hardware for some algorithm (and
 * it passed the self-test): without one, every SA under prefer is on
 * software by design, which is not worth a log line per SA.
 */
bool crypto_lib_has_hardware(const struct crypto_lib *lib);

/*
 * Shaped as pfkey_build.h's pfkey_alg_fn, with the library context as
 * arg: true if a is usable at some key size under the configured policy.
 * What REGISTER replies and ACQUIRE proposals list.
 */
bool crypto_lib_registrable(const struct alg *a, void *lib);

/*
 * The capability listing (`ipsecctl show crypto`): one row per algorithm
 * of alg.h and key size, in table order.
 */
struct crypto_cap {
	const struct alg *alg;
	int ki;
	unsigned key_bits;	   /* without the salt */
	enum crypto_policy policy; /* the configured one for this alg */
	bool is_usable;		   /* under policy */
	struct crypto_impl impl;   /* what an SA gets under policy */
	bool is_fallback;	   /* prefer, and no hardware: software */
	const char *hw_provider;   /* the hardware offering it, or NULL */
	const char *sw_provider;   /* the software offering it, or NULL */
	/*
	 * Start-up self-test of impl (crypto_lib_selftest): encryptions
	 * per second of CRYPTO_SELFTEST_LEN bytes; 0 when not measured.
	 * is_selftest_ok is false when the hardware implementation gave
	 * wrong results or errors (it is then not used; note says so).
	 */
	double ops_per_sec;
	bool is_selftest_ok;
	char note[CRYPTO_NOTE_MAX];
};

#define CRYPTO_CAPS_MAX (ALG_COUNT * ALG_KEYSIZES_MAX)

/* Fill up to max rows; returns the number of rows (at most CRYPTO_CAPS_MAX). */
size_t crypto_lib_caps(
    const struct crypto_lib *lib, struct crypto_cap *caps, size_t max);

/* Seconds on a monotonic clock, from the caller (src/crypto reads none). */
typedef double (*crypto_clock_fn)(void *arg);

#define CRYPTO_SELFTEST_LEN 1024

/*
 * The start-up self-test, run once after crypto_lib_open and before any
 * SA: every implementation an SA could get (hardware and software) seals
 * and opens a CRYPTO_SELFTEST_LEN-byte buffer; a hardware result must
 * match the software one byte for byte.  A hardware implementation that
 * fails is marked unusable (prefer then falls back; require refuses).
 * The speed of each is measured for at most budget_sec seconds in all
 * (clock from now(arg)), shared evenly.  Returns the number of hardware
 * implementations disabled, or -1 when even software failed (OpenSSL is
 * broken: do not start).
 */
int crypto_lib_selftest(
    struct crypto_lib *lib, crypto_clock_fn now, void *arg, double budget_sec);

/*
 * len unpredictable bytes from the library context's DRBG (CBC IVs, SPI
 * and seed choices).  0, or -1 when the DRBG fails.
 */
int crypto_lib_rand(const struct crypto_lib *lib, void *buf, size_t len);

/*
 * The loaded provider called name: its gettable parameters into params
 * (OSSL_PROVIDER_get_params).  0, or -1 when no such provider is loaded
 * or it refuses.  For `ipsecctl show crypto` (version, status) and tests.
 */
int crypto_lib_provider_params(const struct crypto_lib *lib, const char *name,
    struct ossl_param_st *params);

/*
 * The loaded providers, in load order, for `ipsecctl show crypto`: the
 * name (borrowed from lib), the ipsecd.conf hardware flag, whether its
 * operations run in ASYNC jobs, and its gettable parameters
 * (OSSL_PROVIDER_gettable_params) of integer or UTF-8 type, read now:
 * OpenSSL's "name", "version", "buildinfo", "status", and whatever a
 * provider reports of its own, such as an accelerator's counters (the
 * test provider's "max-inflight").  Up to CRYPTO_PROV_PARAMS_MAX
 * parameters; longer strings are cut.  Returns the number of providers
 * filled (at most max).
 */
#define CRYPTO_PROV_PARAMS_MAX 16
#define CRYPTO_PROV_VALUE_MAX 128

struct crypto_prov_param {
	char name[CRYPTO_CONF_NAME_MAX];
	bool is_number;
	int64_t number;			  /* is_number */
	char text[CRYPTO_PROV_VALUE_MAX]; /* !is_number */
};

struct crypto_prov_info {
	const char *name;
	enum crypto_flag hardware;
	bool is_async;
	size_t nparams;
	struct crypto_prov_param params[CRYPTO_PROV_PARAMS_MAX];
};

size_t crypto_lib_providers(
    const struct crypto_lib *lib, struct crypto_prov_info *out, size_t max);

/* The global property query, or NULL; borrowed. */
const char *crypto_lib_props(const struct crypto_lib *lib);

/* The configured policy of algorithm a (never UNSET). */
enum crypto_policy crypto_lib_policy(
    const struct crypto_lib *lib, const struct alg *a);

/*
 * The fetched objects, borrowed, for cipher.c and the benchmark.
 * crypto_lib_cipher: the cipher (ALG_AEAD / ALG_ENCR) for key size index
 * ki that the configured policy gives an SA, or NULL (also for the NULL
 * cipher, which needs none).  crypto_lib_cipher_on / crypto_lib_md_on:
 * the hardware (is_hw) or software implementation, or NULL when there is
 * none.  crypto_lib_hmac: HMAC, shared by every ALG_AUTH (the digest,
 * and so the provider, is chosen per context with the MAC's properties).
 */
struct evp_cipher_st *crypto_lib_cipher(
    const struct crypto_lib *lib, const struct alg *a, int ki);
struct evp_cipher_st *crypto_lib_cipher_on(
    const struct crypto_lib *lib, const struct alg *a, int ki, bool is_hw);
struct evp_md_st *crypto_lib_md_on(
    const struct crypto_lib *lib, const struct alg *a, bool is_hw);
struct evp_mac_st *crypto_lib_hmac(const struct crypto_lib *lib);

#endif
