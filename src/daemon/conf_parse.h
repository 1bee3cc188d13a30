#ifndef IPSECD_DAEMON_CONF_PARSE_H
#define IPSECD_DAEMON_CONF_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/conf_lex.h"

/*
 * Internals shared by the files of the ipsecd.conf parser (conf.c: the
 * statement reader and the global keywords; conf_iface.c: interface
 * blocks and the checks made after parsing).  Not for other modules.
 */

/* Words kept per statement; the longest statement has 4 ("K N = V"). */
#define CONF_STMT_MAX 8
/* Bytes of a token quoted in a message before it is cut with "...". */
#define CONF_SHOW_MAX 48
/* Size of a buffer for conf_show: every byte as \xNN, "...", NUL. */
#define CONF_SHOW_SIZE (CONF_SHOW_MAX * 4 + 4)

/*
 * One statement: the tokens of one line (WORD, STRING, EQUALS), ending
 * with LBRACE when it opens a block, or a lone RBRACE.  Tokens past
 * CONF_STMT_MAX are counted in ntok but not kept.
 */
struct conf_stmt {
	struct conf_tok t[CONF_STMT_MAX];
	size_t n;
	size_t ntok;
	unsigned line;
	bool is_block; /* the last kept token is LBRACE */
	bool is_bad;   /* a lexer error was reported on this line */
	bool is_eof;   /* no statement: the end of the file */
};

/* An error held back by conf_defer. */
struct conf_deferred {
	unsigned line;
	size_t seq;
	char *msg;
};

struct conf_parser {
	struct conf *c;
	struct conf_lex lx;
	conf_error_fn fn;
	void *arg;
	unsigned nerrors;
	const char *dir; /* of the file, with its '/'; "" for none */
	size_t dirlen;
	struct conf_tok peek;
	bool has_peek;
	struct conf_stmt pushed;
	bool has_pushed;
	bool is_deferring;
	struct conf_deferred *deferred;
	size_t ndeferred;
	size_t capdeferred;
};

/* Report "file:line: message" through the sink and count it. */
void conf_err(struct conf_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * From now on hold errors back, and let conf_flush pass them to the sink
 * sorted by line (ties in the order reported): the checks after parsing
 * go object kind by object kind, but read best in file order.  An error
 * that cannot be held goes out at once.
 */
void conf_defer(struct conf_parser *p);
void conf_flush(struct conf_parser *p);

/* Report running out of memory (once per parse is enough to fail it). */
void conf_oom(struct conf_parser *p, unsigned line);

/*
 * t's text for a message, to be printed inside double quotes: bytes
 * outside printable ASCII, '"' and '\' as \xNN; more than CONF_SHOW_MAX
 * bytes cut with "...".  buf has CONF_SHOW_SIZE bytes; returns buf.
 */
const char *conf_show(const struct conf_tok *t, char *buf);

/* What t is, for "unexpected ..." messages: its text or the sign. */
const char *conf_tok_what(const struct conf_tok *t, char *buf);

/* True when t is a WORD or STRING equal to s. */
bool conf_tok_is(const struct conf_tok *t, const char *s);

/* Copy t into buf (size bytes with the NUL); false when it does not fit. */
bool conf_tok_copy(const struct conf_tok *t, char *buf, size_t size);

/* Read the next statement, skipping blank lines, reporting lexer errors. */
void conf_stmt_read(struct conf_parser *p, struct conf_stmt *st);

/* Make st the next statement conf_stmt_read returns. */
void conf_stmt_push(struct conf_parser *p, const struct conf_stmt *st);

/* Skip to the '}' closing a block opened on line (nested blocks too). */
void conf_skip_block(struct conf_parser *p, unsigned line);

/*
 * Report the words after the first `want` arguments of st (keyword not
 * counted) as unexpected, or a missing argument with usage; false if so.
 */
bool conf_args(struct conf_parser *p, const struct conf_stmt *st, size_t want,
    const char *usage);

/* A decimal or 0x-hexadecimal number of at most 32 bits, the whole token. */
bool conf_u32(const struct conf_tok *t, uint32_t *v);

/*
 * A number in [min, max] for keyword; reports `bad value "x" for keyword;
 * expected min to max` and returns false otherwise.
 */
bool conf_number(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, uint32_t min, uint32_t max, uint32_t *v);

/* VALUE[/MASK] (mask default 0xffffffff), value within the mask. */
bool conf_mark(
    struct conf_parser *p, const struct conf_tok *t, struct conf_mark *m);

/*
 * Why name cannot be a Linux interface name (static phrase), or NULL:
 * 1 to IFNAMSIZ - 1 bytes of letters, digits, '_', '-' and '.', not "." or
 * "..", not "all" or "default" (the kernel refuses both for TUN).
 */
const char *conf_ifname_why(const char *name);

/* An interface name from t into buf (CONF_IFNAME_MAX); reports errors. */
bool conf_ifname(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, char *buf);

/* A literal address, unicast (not unspecified or multicast). */
bool conf_addr(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, struct addr *a);

/*
 * ADDR[/LEN]: with is_route, host bits past LEN are an error (a route);
 * without, they are the interface's own address.  LEN defaults to the
 * full length.
 */
bool conf_prefix(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, bool is_route, struct prefix *pfx);

/* An interface block whose "interface NAME {" statement is head. */
void conf_iface_block(struct conf_parser *p, const struct conf_stmt *head);

/* The crypto section whose "crypto {" statement is head (conf_crypto.c). */
void conf_crypto_block(struct conf_parser *p, const struct conf_stmt *head);

/* "reqid" or "if-id". */
const char *conf_key_name(enum conf_key_kind kind);

/* The checks that need the whole file (conf_sem.c). */
void conf_check_all(struct conf_parser *p);

/* Interface keywords, in table order; NULL past the end. */
const char *conf_iface_keyword(size_t i);

/*
 * "a, b, ... or z" into buf (size bytes, cut short when it does not fit)
 * of at(0), at(1), ... up to the first NULL, with an optional last choice.
 */
const char *conf_choices(
    const char *(*at)(size_t), const char *last, char *buf, size_t size);

#endif
