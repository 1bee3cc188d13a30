#ifndef IPSECD_PFKEY_SETKEY_WORDS_H
#define IPSECD_PFKEY_SETKEY_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The keyword tables of the setkey(8) language (setkey.h).  Each table is
 * sorted by strcmp order of name so that lookups are binary searches; a
 * unit test asserts the order.  Values are the table's own (an enum or a
 * protocol number); SETKEY_WORD_UNSUPPORTED marks words setkey knows and
 * ipsecd refuses, so that the message can say "not supported" rather than
 * "unknown".
 */
#define SETKEY_WORD_UNSUPPORTED (-1)

struct setkey_word {
	const char *name;
	int value;
};

struct setkey_table {
	const char *what; /* for messages: "command", "protocol", ... */
	const struct setkey_word *words;
	size_t n;
};

/* Value kinds of setkey_options. */
enum setkey_opt {
	SETKEY_OPT_AUTH,       /* -A */
	SETKEY_OPT_COMP,       /* -C */
	SETKEY_OPT_ENC,	       /* -E */
	SETKEY_OPT_RAWCPI,     /* -R */
	SETKEY_OPT_BYTES_HARD, /* -bh */
	SETKEY_OPT_BYTES_SOFT, /* -bs */
	SETKEY_OPT_CTX,	       /* -ctx (refused) */
	SETKEY_OPT_EXT,	       /* -f */
	SETKEY_OPT_TIME_HARD,  /* -lh */
	SETKEY_OPT_TIME_SOFT,  /* -ls */
	SETKEY_OPT_MODE,       /* -m */
	SETKEY_OPT_REPLAY,     /* -r */
	SETKEY_OPT_REQID,      /* -u */
};

/* Values of setkey_sa_protos (beyond IPPROTO_ESP, _AH, _COMP). */
#define SETKEY_PROTO_ESPUDP 256

/* Values of setkey_prio_bases are the priorities themselves. */

extern const struct setkey_table setkey_commands;  /* enum setkey_op */
extern const struct setkey_table setkey_sa_protos; /* IPPROTO_* */
extern const struct setkey_table setkey_options;   /* enum setkey_opt */
extern const struct setkey_table setkey_modes;	   /* enum sa_mode */
extern const struct setkey_table setkey_pads;	   /* SETKEY_EXT_* */
extern const struct setkey_table setkey_uppers;	   /* IPPROTO_* */
extern const struct setkey_table setkey_dirs;	   /* enum spd_dir */
extern const struct setkey_table setkey_actions;   /* enum spd_action */
extern const struct setkey_table setkey_levels;	   /* enum knobs_level */
extern const struct setkey_table setkey_prio_bases;
extern const struct setkey_table setkey_req_protos; /* IPPROTO_* */
extern const struct setkey_table setkey_comps;	    /* SADB_X_CALG_* */
/*
 * setkey(8)'s -E and -A names that crypto/alg.h does not know: aliases of
 * ours (value: enum alg_id) and algorithms ipsecd does not implement
 * (SETKEY_WORD_UNSUPPORTED).
 */
extern const struct setkey_table setkey_enc_names;
extern const struct setkey_table setkey_auth_names;

/* Every table above, for the order test; NULL-terminated. */
extern const struct setkey_table *const setkey_tables[];

/*
 * The entry for name (len bytes, not NUL-terminated) in t, or NULL.
 */
const struct setkey_word *setkey_word_lookup(
    const struct setkey_table *t, const char *name, size_t len);

/*
 * The name of the first entry of t with this value (for printing), or
 * NULL if none.
 */
const char *setkey_word_name(const struct setkey_table *t, int value);

/*
 * Write "a, b or c" (the supported words of t) into buf; returns buf.
 * Truncated (never overflowing) when buf is small.
 */
char *setkey_word_choices(const struct setkey_table *t, char *buf, size_t size);

#endif
