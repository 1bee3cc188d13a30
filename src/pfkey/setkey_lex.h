#ifndef IPSECD_PFKEY_SETKEY_LEX_H
#define IPSECD_PFKEY_SETKEY_LEX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Tokens of one setkey statement (the text before its ";"), read on
 * demand because the language has two lexical modes, as setkey's
 * token.l and libipsec's policy_token.l:
 *
 *   command mode   words [A-Za-z0-9:._%,+-]+ ("-m", "hmac-sha1",
 *                  "2001:db8::1", "8,0", "0x1234"), quoted strings, and
 *                  the single characters / [ ]
 *   policy mode    (after "-P") words [A-Za-z0-9:._%]+ ("unique:3") and
 *                  the single characters / [ ] - +
 *
 * Whitespace separates tokens; "#" outside a string starts a comment to
 * the end of the line.  Any other character is returned as a TOK_CHAR for
 * the parser to report.  Tokens point into the statement (borrowed).
 */
enum setkey_tok_kind {
	SETKEY_TOK_END,		 /* end of the statement */
	SETKEY_TOK_WORD,	 /* s/len: the word */
	SETKEY_TOK_STRING,	 /* s/len: the bytes between the quotes */
	SETKEY_TOK_CHAR,	 /* c: a punctuation or stray character */
	SETKEY_TOK_UNTERMINATED, /* a string without its closing quote */
};

struct setkey_tok {
	enum setkey_tok_kind kind;
	unsigned line; /* where the token starts */
	size_t off;    /* offset of its first byte in the statement */
	const char *s;
	size_t len;
	char c;
};

struct setkey_lex {
	const char *buf; /* the statement, borrowed */
	size_t len;
	size_t off;
	unsigned line;	    /* at off */
	unsigned last_line; /* of the last token consumed */
	bool is_policy;
	bool has_peek;
	struct setkey_tok peek;
};

/* Start reading buf (len bytes) whose first byte is on line. */
void setkey_lex_init(
    struct setkey_lex *lx, const char *buf, size_t len, unsigned line);

/* The next token without consuming it (borrowed until the next call). */
const struct setkey_tok *setkey_lex_peek(struct setkey_lex *lx);

/* Consume and return the next token. */
struct setkey_tok setkey_lex_next(struct setkey_lex *lx);

/*
 * Switch mode (policy or command).  A token already peeked is read again
 * in the new mode.
 */
void setkey_lex_set_policy(struct setkey_lex *lx, bool is_policy);

/*
 * Go back to the start of t (a token of this statement) in command mode,
 * to parse a command that follows a missing ";".
 */
void setkey_lex_rewind(struct setkey_lex *lx, const struct setkey_tok *t);

/* True when t is the word w. */
bool setkey_tok_is(const struct setkey_tok *t, const char *w);

/* True when t is the character c. */
bool setkey_tok_is_char(const struct setkey_tok *t, char c);

/*
 * Copy a word into buf as a C string; false (buf set to "") if it does not
 * fit.
 */
bool setkey_tok_copy(const struct setkey_tok *t, char *buf, size_t size);

/*
 * Describe t for an error message, quoted and shortened, with unprintable
 * bytes escaped: "\"esp\"", "\"[\"", "end of statement".  Quoted strings
 * and 0x words of more than 16 digits are described, never shown, as
 * they may be keys.
 */
char *setkey_tok_describe(const struct setkey_tok *t, char *buf, size_t size);

#endif
