/* Tokens of ipsecd.conf; the rules are in conf_lex.h. */
#include "config.h"

#include "daemon/conf_lex.h"

#include <string.h>

void
conf_lex_init(struct conf_lex *lx, const char *buf, size_t len)
{
	lx->buf = buf;
	lx->len = len;
	lx->off = 0;
	lx->line = 1;
}

static bool
is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

static bool
is_word(unsigned char c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '{' &&
	    c != '}' && c != '=' && c != '#' && c != '"' && !is_control(c);
}

static void
set(struct conf_tok *t, enum conf_tok_type type, const char *s, size_t len,
    unsigned line)
{
	t->type = type;
	t->s = s;
	t->len = len;
	t->line = line;
	t->bad = -1;
}

/*
 * The opening quote is at lx->off.  A control character spoils the string
 * but the rest of it, up to the closing quote, is still consumed so that
 * one bad byte makes one error.
 */
static void
lex_string(struct conf_lex *lx, struct conf_tok *t)
{
	size_t start = lx->off + 1, i;
	int bad = -1;

	for (i = start; i < lx->len; i++) {
		unsigned char c = (unsigned char)lx->buf[i];

		if (c == '"') {
			set(t, CONF_TOK_STRING, lx->buf + start, i - start,
			    lx->line);
			if (bad >= 0) {
				set(t, CONF_TOK_ERROR,
				    "string holds control character", 0,
				    lx->line);
				t->bad = bad;
			}
			lx->off = i + 1;
			return;
		}
		if (c == '\n')
			break;
		if (is_control(c) && bad < 0)
			bad = c;
	}
	/* The newline, if any, stays for the next call: it ends the line. */
	set(t, CONF_TOK_ERROR,
	    "unterminated string; expected a closing '\"' before the end of "
	    "the line",
	    0, lx->line);
	lx->off = i;
}

void
conf_lex_next(struct conf_lex *lx, struct conf_tok *t)
{
	unsigned char c;
	size_t start;

	for (;;) {
		if (lx->off >= lx->len) {
			set(t, CONF_TOK_EOF, "", 0, lx->line);
			return;
		}
		c = (unsigned char)lx->buf[lx->off];
		if (c == ' ' || c == '\t' || c == '\r') {
			lx->off++;
		} else if (c == '#') {
			while (lx->off < lx->len && lx->buf[lx->off] != '\n')
				lx->off++;
		} else {
			break;
		}
	}
	start = lx->off;
	switch (c) {
	case '\n':
		set(t, CONF_TOK_EOL, lx->buf + start, 1, lx->line);
		lx->off++;
		lx->line++;
		return;
	case '{':
		set(t, CONF_TOK_LBRACE, lx->buf + start, 1, lx->line);
		lx->off++;
		return;
	case '}':
		set(t, CONF_TOK_RBRACE, lx->buf + start, 1, lx->line);
		lx->off++;
		return;
	case '=':
		set(t, CONF_TOK_EQUALS, lx->buf + start, 1, lx->line);
		lx->off++;
		return;
	case '"':
		lex_string(lx, t);
		return;
	default:
		break;
	}
	if (is_control(c)) {
		set(t, CONF_TOK_ERROR, "unexpected control character", 0,
		    lx->line);
		t->bad = c;
		lx->off++;
		return;
	}
	while (lx->off < lx->len && is_word((unsigned char)lx->buf[lx->off]))
		lx->off++;
	set(t, CONF_TOK_WORD, lx->buf + start, lx->off - start, lx->line);
}
