/*
 * Algorithms and keys of setkey's add and update: "-E ealgo key
 * [-A aalgo key]" for esp, "-A aalgo key" for ah, "-C calgo [-R]" for
 * ipcomp.  Names are crypto/alg.h's (which knows setkey's rijndael-cbc)
 * plus setkey's spellings it lacks (setkey_words.c); key sizes are the
 * table's (alg_key_index), and the pair is checked by cipher_key_check.
 * Keys go straight into the SA's fixed arrays; messages never show them.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "crypto/alg.h"
#include "crypto/cipher.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_parse.h"
#include "pfkey/setkey_words.h"

/* Our name of a, as setkey spells it ("null" for null authentication). */
static const char *
setkey_name(const struct alg *a)
{
	return a->id == ALG_NULL_AUTH ? "null" : a->name;
}

/* "aes-gcm-8, ..., aes-ctr or null": the algorithms -E (or -A) takes. */
static char *
supported(bool is_auth, char *buf, size_t size)
{
	size_t n = 0, total = 0, off = 0;

	for (int i = 0; i < ALG_COUNT; i++)
		if ((alg_get((enum alg_id)i)->kind == ALG_AUTH) == is_auth)
			total++;
	buf[0] = '\0';
	for (int i = 0; i < ALG_COUNT && off < size; i++) {
		const struct alg *a = alg_get((enum alg_id)i);
		int w;

		if ((a->kind == ALG_AUTH) != is_auth)
			continue;
		w = snprintf(buf + off, size - off, "%s%s",
		    n == 0		 ? ""
			: n + 1 == total ? " or "
					 : ", ",
		    setkey_name(a));
		if (w < 0)
			break;
		off += (size_t)w;
		n++;
	}
	return buf;
}

/* "16, 24 or 32 bytes", "20, 28 or 36 bytes (key and 4-byte salt)". */
static char *
key_sizes(const struct alg *a, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < a->nkeys && off < size; i++) {
		int w = snprintf(buf + off, size - off, "%s%u",
		    i == 0		    ? ""
			: i + 1 == a->nkeys ? " or "
					    : ", ",
		    (unsigned)(a->key_len[i] + a->salt_len));

		if (w < 0)
			return buf;
		off += (size_t)w;
	}
	if (off < size && a->salt_len != 0)
		snprintf(buf + off, size - off, " bytes (key and %u-byte salt)",
		    (unsigned)a->salt_len);
	else if (off < size)
		snprintf(buf + off, size - off, " bytes");
	return buf;
}

static bool
is_keyless(const struct alg *a)
{
	return a->nkeys == 1 && a->key_len[0] == 0 && a->salt_len == 0;
}

/*
 * The algorithm named by t for -E (is_auth false) or -A: NULL after
 * reporting an unknown or unimplemented name, or one of the wrong kind.
 */
static const struct alg *
alg_named(struct setkey_parser *p, const struct setkey_tok *t, bool is_auth)
{
	const struct setkey_table *tab =
	    is_auth ? &setkey_auth_names : &setkey_enc_names;
	const struct setkey_word *w = setkey_word_lookup(tab, t->s, t->len);
	const struct alg *a = NULL;
	char name[32], d[64], list[256];

	supported(is_auth, list, sizeof(list));
	if (w != NULL && w->value == SETKEY_WORD_UNSUPPORTED) {
		setkey_error(p, t->line,
		    "%s %s is not implemented; supported: %s", tab->what,
		    setkey_tok_describe(t, d, sizeof(d)), list);
		return NULL;
	}
	if (w != NULL)
		a = alg_get((enum alg_id)w->value);
	else if (setkey_tok_copy(t, name, sizeof(name)))
		a = alg_by_name(name);
	if (a == NULL) {
		setkey_error(p, t->line, "unknown %s %s; expected %s",
		    tab->what, setkey_tok_describe(t, d, sizeof(d)), list);
		return NULL;
	}
	if ((a->kind == ALG_AUTH) != is_auth) {
		setkey_error(p, t->line,
		    "%s is an %s algorithm; it goes after %s", a->name,
		    is_auth ? "encryption" : "authentication",
		    is_auth ? "-E" : "-A");
		return NULL;
	}
	return a;
}

/*
 * Decode "0x..." into out (at most ALG_KEY_MAX bytes).  Reports odd digit
 * counts and non-hex characters by position, never by value.
 */
static bool
hex_key(struct setkey_parser *p, const struct setkey_tok *t, const char *alg,
    uint8_t *out, size_t *len)
{
	size_t digits = t->len - 2;

	if (digits == 0 || digits % 2 != 0) {
		setkey_error(p, t->line,
		    "bad hex key for %s: %zu hex digits; expected an even "
		    "number of them after 0x",
		    alg, digits);
		return false;
	}
	for (size_t i = 0; i < digits; i++) {
		char c = t->s[2 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			(c >= 'A' && c <= 'F'))) {
			setkey_error(p, t->line,
			    "bad hex key for %s: character %zu is not a hex "
			    "digit",
			    alg, i + 3);
			return false;
		}
	}
	*len = digits / 2;
	if (*len > ALG_KEY_MAX)
		return true; /* the caller reports the size */
	for (size_t i = 0; i < *len; i++) {
		char h = t->s[2 + 2 * i], l = t->s[3 + 2 * i];
		unsigned hv = h <= '9' ? (unsigned)(h - '0')
				       : (unsigned)((h | 0x20) - 'a' + 10);
		unsigned lv = l <= '9' ? (unsigned)(l - '0')
				       : (unsigned)((l | 0x20) - 'a' + 10);

		out[i] = (uint8_t)(hv << 4 | lv);
	}
	return true;
}

/* The key of algorithm a after option opt ("-E"), into out/out_len. */
static bool
key_of(struct setkey_parser *p, const struct alg *a, const char *opt,
    uint8_t *out, uint8_t *out_len)
{
	const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
	struct setkey_tok t;
	size_t len = 0;
	char sizes[96], what[96];
	const char *name = a != NULL ? setkey_name(a) : "the algorithm";

	bool is_key = pk->kind == SETKEY_TOK_STRING ||
	    (pk->kind == SETKEY_TOK_WORD && pk->len >= 2 && pk->s[0] == '0' &&
		(pk->s[1] == 'x' || pk->s[1] == 'X'));

	*out_len = 0;
	if (a != NULL && is_keyless(a)) {
		if (is_key) {
			setkey_error(
			    p, pk->line, "%s %s takes no key", opt, name);
			setkey_lex_next(&p->lx);
		}
		return true;
	}
	if (a == NULL && !is_key)
		return true; /* unknown algorithm (reported), no key given */
	t = setkey_lex_next(&p->lx);
	if (t.kind == SETKEY_TOK_STRING) {
		len = t.len;
		if (len <= ALG_KEY_MAX)
			memcpy(out, t.s, len);
	} else if (t.kind == SETKEY_TOK_WORD && t.len >= 2 && t.s[0] == '0' &&
	    (t.s[1] == 'x' || t.s[1] == 'X')) {
		if (!hex_key(p, &t, name, out, &len))
			return true;
	} else {
		snprintf(what, sizeof(what),
		    "a key (0x hex digits or a quoted string) after %s %s", opt,
		    name);
		setkey_expected(p, &t, what);
		return false;
	}
	if (a == NULL)
		return true; /* unknown algorithm, already reported */
	if (len > ALG_KEY_MAX || alg_key_index(a, len) < 0) {
		setkey_error(p, t.line, "%s key is %zu bytes; expected %s",
		    name, len, key_sizes(a, sizes, sizeof(sizes)));
		return true;
	}
	*out_len = (uint8_t)len;
	return true;
}

/* "-E"/"-A" already consumed: algorithm name and key. */
static bool
alg_and_key(struct setkey_parser *p, const struct setkey_tok *opt, bool is_auth)
{
	struct cipher_key *k = &p->cmd.sa.key;
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct alg *a;
	char list[256], what[300];

	if (t.kind != SETKEY_TOK_WORD) {
		snprintf(what, sizeof(what), "an algorithm after %.*s (%s)",
		    (int)opt->len, opt->s,
		    supported(is_auth, list, sizeof(list)));
		setkey_expected(p, &t, what);
		return false;
	}
	a = alg_named(p, &t, is_auth);
	if (is_auth) {
		k->auth = a;
		return key_of(p, a, "-A", k->auth_key, &k->auth_len);
	}
	k->enc = a;
	return key_of(p, a, "-E", k->enc_key, &k->enc_len);
}

/* "-C" already consumed: deflate [-R]. */
static bool
comp(struct setkey_parser *p)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w = NULL;
	char d[64], list[64];
	const struct setkey_word *r;

	setkey_word_choices(&setkey_comps, list, sizeof(list));
	if (t.kind != SETKEY_TOK_WORD) {
		char what[96];

		snprintf(
		    what, sizeof(what), "a compression algorithm (%s)", list);
		setkey_expected(p, &t, what);
		return false;
	}
	w = setkey_word_lookup(&setkey_comps, t.s, t.len);
	if (w == NULL)
		setkey_error(p, t.line,
		    "unknown compression algorithm %s; expected %s",
		    setkey_tok_describe(&t, d, sizeof(d)), list);
	else if (w->value == SETKEY_WORD_UNSUPPORTED)
		setkey_error(p, t.line,
		    "compression algorithm %s is not implemented; supported: "
		    "%s",
		    setkey_tok_describe(&t, d, sizeof(d)), list);
	else
		p->cmd.sa.calg = (uint8_t)w->value;
	r = setkey_tok_option(setkey_lex_peek(&p->lx));
	if (r != NULL && r->value == SETKEY_OPT_RAWCPI) {
		setkey_lex_next(&p->lx);
		p->cmd.ext |= SETKEY_EXT_RAWCPI;
	}
	return true;
}

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_ESP ? "esp"
	    : proto == IPPROTO_AH   ? "ah"
				    : "ipcomp";
}

/* Whether option w may start the algorithms of proto; reports if not. */
static bool
alg_fits_proto(struct setkey_parser *p, const struct setkey_tok *t,
    const struct setkey_word *w, uint8_t proto)
{
	const char *want = proto == IPPROTO_ESP ? "-E ealgo key [-A aalgo key]"
	    : proto == IPPROTO_AH		? "-A aalgo key"
						: "-C deflate";
	bool is_ok;

	switch (w->value) {
	case SETKEY_OPT_ENC:
		is_ok = proto == IPPROTO_ESP;
		break;
	case SETKEY_OPT_AUTH:
		is_ok = proto == IPPROTO_AH;
		break;
	case SETKEY_OPT_COMP:
		is_ok = proto == IPPROTO_COMP;
		break;
	default:
		is_ok = false;
		break;
	}
	if (!is_ok)
		setkey_error(p, t->line, "%s takes %s, not %s%s",
		    proto_name(proto), want, w->name,
		    proto == IPPROTO_ESP && w->value == SETKEY_OPT_AUTH
			? " first (-E null -A ... authenticates only)"
			: "");
	return is_ok;
}

bool
setkey_alg_spec(struct setkey_parser *p)
{
	struct sa *sa = &p->cmd.sa;
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w = setkey_tok_option(&t);
	unsigned errors = p->nerrors;
	const char *why;

	if (w == NULL ||
	    (w->value != SETKEY_OPT_ENC && w->value != SETKEY_OPT_AUTH &&
		w->value != SETKEY_OPT_COMP)) {
		setkey_expected(p, &t, "an algorithm option -E, -A or -C");
		return false;
	}
	if (!alg_fits_proto(p, &t, w, sa->proto))
		return false;
	if (w->value == SETKEY_OPT_COMP)
		return comp(p);
	if (!alg_and_key(p, &t, w->value == SETKEY_OPT_AUTH))
		return false;
	if (w->value == SETKEY_OPT_ENC) {
		const struct setkey_word *a =
		    setkey_tok_option(setkey_lex_peek(&p->lx));

		if (a != NULL && a->value == SETKEY_OPT_AUTH) {
			struct setkey_tok at = setkey_lex_next(&p->lx);

			if (!alg_and_key(p, &at, true))
				return false;
		}
	}
	if (p->nerrors == errors &&
	    !cipher_key_check(&sa->key, sa->proto == IPPROTO_AH, &why))
		setkey_error(p, t.line, "%s: %s", proto_name(sa->proto), why);
	return true;
}
