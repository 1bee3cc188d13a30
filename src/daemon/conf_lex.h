#ifndef IPSECD_DAEMON_CONF_LEX_H
#define IPSECD_DAEMON_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Tokens of ipsecd.conf (internal to conf.c).  A word is a run of bytes
 * other than blanks, newlines, '{', '}', '=', '#' and '"'; a string is
 * anything but a newline between double quotes (no escapes).  '#' starts
 * a comment to the end of the line.  Newlines are tokens because a
 * statement ends at the end of its line.  Control characters other than
 * tab, CR and LF are errors, NUL included.
 *
 * Tokens borrow the buffer: s points into it and is not NUL-terminated.
 */
enum conf_tok_type {
	CONF_TOK_WORD,
	CONF_TOK_STRING, /* s/len: the contents, without the quotes */
	CONF_TOK_LBRACE,
	CONF_TOK_RBRACE,
	CONF_TOK_EQUALS,
	CONF_TOK_EOL,
	CONF_TOK_EOF,
	CONF_TOK_ERROR, /* s: a static message (see bad); lexing goes on */
};

struct conf_tok {
	enum conf_tok_type type;
	const char *s;
	size_t len;
	unsigned line;
	int bad; /* ERROR: the byte to show after s as 0xNN, or -1 */
};

struct conf_lex {
	const char *buf;
	size_t len;
	size_t off;
	unsigned line;
};

/* Start at the first byte of buf (line 1); buf must outlive the lexer. */
void conf_lex_init(struct conf_lex *lx, const char *buf, size_t len);

/*
 * The next token.  After CONF_TOK_EOF every call returns EOF again.  An
 * error token never stops the lexer: an unterminated string is consumed
 * up to its end of line, a bad character alone.
 */
void conf_lex_next(struct conf_lex *lx, struct conf_tok *t);

#endif
