/*
 * Keyword tables of the setkey(8) language, after ipsec-tools' token.l
 * and libipsec's policy_token.l (the words setkey knows), mapped to the
 * values ipsecd uses.  Sorted by strcmp (setkey_word_lookup searches
 * them); check_setkey asserts it.
 */
#include "config.h"

#include "pfkey/setkey_words.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "crypto/alg.h"
#include "ipsec/knobs.h"
#include "ipsec/sa.h"
#include "ipsec/spd.h"
#include "pfkey/setkey.h"

#define TABLE(var, what, arr)                                                  \
	const struct setkey_table var = { what, arr,                           \
		sizeof(arr) / sizeof(arr[0]) }

static const struct setkey_word commands[] = {
	{ "add", SETKEY_ADD },
	{ "delete", SETKEY_DELETE },
	{ "deleteall", SETKEY_DELETEALL },
	{ "dump", SETKEY_DUMP },
	{ "flush", SETKEY_FLUSH },
	{ "get", SETKEY_GET },
	{ "getspi", SETKEY_GETSPI },
	{ "spdadd", SETKEY_SPDADD },
	{ "spddelete", SETKEY_SPDDELETE },
	{ "spddump", SETKEY_SPDDUMP },
	{ "spdflush", SETKEY_SPDFLUSH },
	{ "spdupdate", SETKEY_SPDUPDATE },
	{ "update", SETKEY_UPDATE },
};
TABLE(setkey_commands, "command", commands);

/* esp-old and ah-old are RFC 1827/1826 transforms; tcp is TCP-MD5. */
static const struct setkey_word sa_protos[] = {
	{ "ah", IPPROTO_AH },
	{ "ah-old", SETKEY_WORD_UNSUPPORTED },
	{ "esp", IPPROTO_ESP },
	{ "esp-old", SETKEY_WORD_UNSUPPORTED },
	{ "esp-udp", SETKEY_PROTO_ESPUDP },
	{ "ipcomp", IPPROTO_COMP },
	{ "tcp", SETKEY_WORD_UNSUPPORTED },
};
TABLE(setkey_sa_protos, "protocol", sa_protos);

static const struct setkey_word options[] = {
	{ "-A", SETKEY_OPT_AUTH },
	{ "-C", SETKEY_OPT_COMP },
	{ "-E", SETKEY_OPT_ENC },
	{ "-R", SETKEY_OPT_RAWCPI },
	{ "-bh", SETKEY_OPT_BYTES_HARD },
	{ "-bs", SETKEY_OPT_BYTES_SOFT },
	{ "-ctx", SETKEY_OPT_CTX },
	{ "-f", SETKEY_OPT_EXT },
	{ "-lh", SETKEY_OPT_TIME_HARD },
	{ "-ls", SETKEY_OPT_TIME_SOFT },
	{ "-m", SETKEY_OPT_MODE },
	{ "-r", SETKEY_OPT_REPLAY },
	{ "-u", SETKEY_OPT_REQID },
};
TABLE(setkey_options, "option", options);

static const struct setkey_word modes[] = {
	{ "any", SA_MODE_ANY },
	{ "beet", SA_MODE_BEET },
	{ "transport", SA_MODE_TRANSPORT },
	{ "tunnel", SA_MODE_TUNNEL },
};
TABLE(setkey_modes, "mode", modes);

static const struct setkey_word pads[] = {
	{ "nocyclic-seq", SETKEY_EXT_NOCYCLIC_SEQ },
	{ "random-pad", SETKEY_EXT_PAD_RANDOM },
	{ "seq-pad", SETKEY_EXT_PAD_SEQ },
	{ "zero-pad", SETKEY_EXT_PAD_ZERO },
};
TABLE(setkey_pads, "-f option", pads);

/*
 * Upper-layer protocols by name: /etc/protocols' names on Debian (which
 * setkey -DP prints) and setkey's own icmp6 and ip4.  "any" is not here:
 * the grammar handles it.
 */
static const struct setkey_word uppers[] = {
	{ "ah", IPPROTO_AH },
	{ "dccp", IPPROTO_DCCP },
	{ "esp", IPPROTO_ESP },
	{ "gre", IPPROTO_GRE },
	{ "icmp", IPPROTO_ICMP },
	{ "icmp6", IPPROTO_ICMPV6 },
	{ "igmp", IPPROTO_IGMP },
	{ "ip4", IPPROTO_IPIP },
	{ "ipcomp", IPPROTO_COMP },
	{ "ipencap", IPPROTO_IPIP },
	{ "ipv6", IPPROTO_IPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "mobility-header", IPPROTO_MH },
	{ "sctp", IPPROTO_SCTP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "udplite", IPPROTO_UDPLITE },
};
TABLE(setkey_uppers, "upper-layer protocol", uppers);

static const struct setkey_word dirs[] = {
	{ "fwd", SPD_DIR_FWD },
	{ "in", SPD_DIR_IN },
	{ "out", SPD_DIR_OUT },
};
TABLE(setkey_dirs, "direction", dirs);

/* entrust and bypass are KAME socket-policy actions Linux refuses. */
static const struct setkey_word actions[] = {
	{ "bypass", SETKEY_WORD_UNSUPPORTED },
	{ "discard", SPD_ACTION_DISCARD },
	{ "entrust", SETKEY_WORD_UNSUPPORTED },
	{ "ipsec", SPD_ACTION_IPSEC },
	{ "none", SPD_ACTION_NONE },
};
TABLE(setkey_actions, "policy", actions);

static const struct setkey_word levels[] = {
	{ "default", KNOBS_LEVEL_DEFAULT },
	{ "require", KNOBS_LEVEL_REQUIRE },
	{ "unique", KNOBS_LEVEL_UNIQUE },
	{ "use", KNOBS_LEVEL_USE },
};
TABLE(setkey_levels, "level", levels);

static const struct setkey_word prio_bases[] = {
	{ "def", (int)SETKEY_PRIO_DEFAULT },
	{ "default", (int)SETKEY_PRIO_DEFAULT },
	{ "high", (int)SETKEY_PRIO_HIGH },
	{ "low", (int)SETKEY_PRIO_LOW },
};
TABLE(setkey_prio_bases, "priority base", prio_bases);

static const struct setkey_word req_protos[] = {
	{ "ah", IPPROTO_AH },
	{ "esp", IPPROTO_ESP },
	{ "ipcomp", IPPROTO_COMP },
};
TABLE(setkey_req_protos, "request protocol", req_protos);

/* SADB_X_CALG_*: ipsecd's IPcomp is DEFLATE only (ipsec/ipcomp.h). */
static const struct setkey_word comps[] = {
	{ "deflate", 2 },
	{ "lzs", SETKEY_WORD_UNSUPPORTED },
	{ "oui", SETKEY_WORD_UNSUPPORTED },
};
TABLE(setkey_comps, "compression algorithm", comps);

static const struct setkey_word enc_names[] = {
	{ "3des-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "3des-deriv", SETKEY_WORD_UNSUPPORTED },
	{ "blowfish-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "camellia-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "cast128-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "des-32iv", SETKEY_WORD_UNSUPPORTED },
	{ "des-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "des-deriv", SETKEY_WORD_UNSUPPORTED },
	{ "rc5-cbc", SETKEY_WORD_UNSUPPORTED },
	{ "simple", SETKEY_WORD_UNSUPPORTED },
	{ "twofish-cbc", SETKEY_WORD_UNSUPPORTED },
};
TABLE(setkey_enc_names, "encryption algorithm", enc_names);

/* "null" after -A is KAME's null authentication, not NULL encryption. */
static const struct setkey_word auth_names[] = {
	{ "aes-xcbc-mac", SETKEY_WORD_UNSUPPORTED },
	{ "hmac-md5", SETKEY_WORD_UNSUPPORTED },
	{ "hmac-ripemd160", SETKEY_WORD_UNSUPPORTED },
	{ "hmac-sha2-256", ALG_HMAC_SHA256_128 },
	{ "hmac-sha2-384", ALG_HMAC_SHA384_192 },
	{ "hmac-sha2-512", ALG_HMAC_SHA512_256 },
	{ "keyed-md5", SETKEY_WORD_UNSUPPORTED },
	{ "keyed-sha1", SETKEY_WORD_UNSUPPORTED },
	{ "null", ALG_NULL_AUTH },
	{ "tcp-md5", SETKEY_WORD_UNSUPPORTED },
};
TABLE(setkey_auth_names, "authentication algorithm", auth_names);

const struct setkey_table *const setkey_tables[] = {
	&setkey_commands,
	&setkey_sa_protos,
	&setkey_options,
	&setkey_modes,
	&setkey_pads,
	&setkey_uppers,
	&setkey_dirs,
	&setkey_actions,
	&setkey_levels,
	&setkey_prio_bases,
	&setkey_req_protos,
	&setkey_comps,
	&setkey_enc_names,
	&setkey_auth_names,
	NULL,
};

/* strcmp of a length-delimited name against a NUL-terminated one. */
static int
name_cmp(const char *name, size_t len, const char *word)
{
	size_t wlen = strlen(word);
	int c = memcmp(name, word, len < wlen ? len : wlen);

	if (c != 0)
		return c;
	return len < wlen ? -1 : len > wlen ? 1 : 0;
}

const struct setkey_word *
setkey_word_lookup(const struct setkey_table *t, const char *name, size_t len)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, len, t->words[mid].name);

		if (c == 0)
			return &t->words[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
setkey_word_name(const struct setkey_table *t, int value)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->words[i].value == value)
			return t->words[i].name;
	return NULL;
}

char *
setkey_word_choices(const struct setkey_table *t, char *buf, size_t size)
{
	size_t n = 0, total = 0, off = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->words[i].value != SETKEY_WORD_UNSUPPORTED)
			total++;
	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < t->n && off < size; i++) {
		const char *sep;
		int w;

		if (t->words[i].value == SETKEY_WORD_UNSUPPORTED)
			continue;
		sep = n == 0 ? "" : n + 1 == total ? " or " : ", ";
		w = snprintf(
		    buf + off, size - off, "%s%s", sep, t->words[i].name);
		if (w < 0)
			break;
		off += (size_t)w;
		n++;
	}
	return buf;
}
