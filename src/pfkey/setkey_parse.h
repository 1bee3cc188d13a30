#ifndef IPSECD_PFKEY_SETKEY_PARSE_H
#define IPSECD_PFKEY_SETKEY_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_lex.h"
#include "pfkey/setkey_words.h"

/*
 * State shared by the parts of the setkey parser: the driver (setkey.c:
 * statements, dispatch, errors), SA commands (setkey_sa.c), algorithms
 * and keys (setkey_alg.c) and SPD commands (setkey_spd.c).  Not for use
 * outside src/pfkey/setkey*.c.
 *
 * Convention of the parse functions: false means a syntax error was
 * reported and the statement is abandoned; an error in a value (a bad
 * address, a key of the wrong size) is reported, marks the command failed
 * (is_failed) and parsing goes on with true, so that one statement can
 * report several errors.
 */
struct setkey_parser {
	const char *name;
	const struct setkey_sink *sink;
	unsigned nerrors;
	bool is_failed; /* the command being parsed had an error */
	struct setkey_lex lx;
	struct setkey_cmd cmd; /* being built; wiped after each command */
};

/* Report "name:line: message"; counts it and fails the command. */
void setkey_error(struct setkey_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report "expected <what>, got <token>" at t's line. */
void setkey_expected(
    struct setkey_parser *p, const struct setkey_tok *t, const char *what);

/*
 * Consume the next token when it is the character c; otherwise report
 * "expected "c" <context>" and return false.
 */
bool setkey_expect_char(struct setkey_parser *p, char c, const char *context);

/*
 * A word as an unsigned number: decimal, or hex after "0x"; false when it
 * is not one or is above max.
 */
bool setkey_tok_num(const struct setkey_tok *t, uint64_t max, uint64_t *v);

/*
 * The next token as a number at most max, reporting "bad <what> X;
 * expected a number from 0 to max" (a value error) when it is a word that
 * starts with a digit but is not such a number.  False (a syntax error,
 * nothing consumed) when the next token does not start with a digit.
 */
bool setkey_num(
    struct setkey_parser *p, const char *what, uint64_t max, uint64_t *v);

/*
 * Options -4, -6, -n (in any combination, setkey's F_AIFLAGS) before the
 * addresses of a command: *family becomes AF_INET, AF_INET6 or 0.  Any
 * other word starting with "-" there is an error (false).
 */
bool setkey_family_flags(struct setkey_parser *p, int *family);

/*
 * The word t as a numeric address of family (0 = either): reports a value
 * error and returns false (*a zeroed) if it is not one.
 */
bool setkey_addr(struct setkey_parser *p, const struct setkey_tok *t,
    int family, struct addr *a);

/*
 * An optional "[port]" (or "[any]" when is_any_ok; port 0 is "any" as in
 * PF_KEY): *port is 0 when absent or any; *has_port tells whether
 * brackets were there.
 */
bool setkey_port(
    struct setkey_parser *p, bool is_any_ok, uint16_t *port, bool *has_port);

/* The entry of setkey_options for t ("-m", "-E", ...), or NULL. */
const struct setkey_word *setkey_tok_option(const struct setkey_tok *t);

/* True when t is a word naming a command (add, spdadd, ...). */
bool setkey_tok_is_command(const struct setkey_tok *t);

/* The SA commands: everything after the command word. */
bool setkey_sa_command(struct setkey_parser *p);
/* flush and dump: an optional protocol. */
bool setkey_satype_command(struct setkey_parser *p);
/* The SPD commands: everything after the command word. */
bool setkey_spd_command(struct setkey_parser *p);

/*
 * Algorithms and keys (setkey_alg.c): "-E ealgo key [-A aalgo key]",
 * "-A aalgo key" or "-C calgo [-R]" for the SA in p->cmd, whose protocol
 * is already set.
 */
bool setkey_alg_spec(struct setkey_parser *p);

#endif
