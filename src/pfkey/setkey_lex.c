/*
 * Tokenizer for one setkey statement (see setkey_lex.h for the two modes).
 * Every read is bounded by the statement length; nothing is copied.
 */
#include "config.h"

#include "pfkey/setkey_lex.h"

#include <stdio.h>
#include <string.h>

static bool
is_word_char(char c, bool is_policy)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case ':':
	case '.':
	case '_':
	case '%':
		return true;
	case ',':
	case '-':
		return !is_policy;
	default:
		return false;
	}
}

void
setkey_lex_init(
    struct setkey_lex *lx, const char *buf, size_t len, unsigned line)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
	lx->line = line;
	lx->last_line = line;
}

/* Skip whitespace and comments, counting lines. */
static void
skip_space(struct setkey_lex *lx)
{
	while (lx->off < lx->len) {
		char c = lx->buf[lx->off];

		if (c == '\n') {
			lx->line++;
			lx->off++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			lx->off++;
		} else if (c == '#') {
			while (lx->off < lx->len && lx->buf[lx->off] != '\n')
				lx->off++;
		} else {
			break;
		}
	}
}

static struct setkey_tok
lex_string(struct setkey_lex *lx, struct setkey_tok t)
{
	size_t start = lx->off + 1, i;

	for (i = start; i < lx->len && lx->buf[i] != '"'; i++)
		;
	if (i == lx->len) {
		t.kind = SETKEY_TOK_UNTERMINATED;
		lx->off = lx->len;
		return t;
	}
	for (size_t k = start; k < i; k++)
		if (lx->buf[k] == '\n')
			lx->line++;
	t.kind = SETKEY_TOK_STRING;
	t.s = lx->buf + start;
	t.len = i - start;
	lx->off = i + 1;
	return t;
}

static struct setkey_tok
lex_read(struct setkey_lex *lx)
{
	struct setkey_tok t;
	char c;

	skip_space(lx);
	memset(&t, 0, sizeof(t));
	t.line = lx->line;
	t.off = lx->off;
	if (lx->off >= lx->len) {
		t.kind = SETKEY_TOK_END;
		return t;
	}
	c = lx->buf[lx->off];
	if (c == '"')
		return lex_string(lx, t);
	if (is_word_char(c, lx->is_policy)) {
		size_t start = lx->off;

		while (lx->off < lx->len &&
		    is_word_char(lx->buf[lx->off], lx->is_policy))
			lx->off++;
		t.kind = SETKEY_TOK_WORD;
		t.s = lx->buf + start;
		t.len = lx->off - start;
		return t;
	}
	t.kind = SETKEY_TOK_CHAR;
	t.c = c;
	lx->off++;
	return t;
}

const struct setkey_tok *
setkey_lex_peek(struct setkey_lex *lx)
{
	if (!lx->has_peek) {
		lx->peek = lex_read(lx);
		lx->has_peek = true;
	}
	return &lx->peek;
}

struct setkey_tok
setkey_lex_next(struct setkey_lex *lx)
{
	setkey_lex_peek(lx);
	lx->has_peek = false;
	lx->last_line = lx->peek.line;
	return lx->peek;
}

void
setkey_lex_set_policy(struct setkey_lex *lx, bool is_policy)
{
	if (lx->has_peek) {
		/* Read the peeked token again in the new mode. */
		lx->off = lx->peek.off;
		lx->line = lx->peek.line;
		lx->has_peek = false;
	}
	lx->is_policy = is_policy;
}

void
setkey_lex_rewind(struct setkey_lex *lx, const struct setkey_tok *t)
{
	lx->off = t->off;
	lx->line = t->line;
	lx->has_peek = false;
	lx->is_policy = false;
}

bool
setkey_tok_is(const struct setkey_tok *t, const char *w)
{
	return t->kind == SETKEY_TOK_WORD && t->len == strlen(w) &&
	    memcmp(t->s, w, t->len) == 0;
}

bool
setkey_tok_is_char(const struct setkey_tok *t, char c)
{
	return t->kind == SETKEY_TOK_CHAR && t->c == c;
}

bool
setkey_tok_copy(const struct setkey_tok *t, char *buf, size_t size)
{
	if (size == 0)
		return false;
	if (t->kind != SETKEY_TOK_WORD || t->len >= size) {
		buf[0] = '\0';
		return false;
	}
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return true;
}

/* Words longer than this are shown cut, with "...". */
#define SHOW_MAX 40

char *
setkey_tok_describe(const struct setkey_tok *t, char *buf, size_t size)
{
	size_t off = 0, n;

	switch (t->kind) {
	case SETKEY_TOK_END:
		snprintf(buf, size, "end of statement");
		return buf;
	case SETKEY_TOK_STRING:
	case SETKEY_TOK_UNTERMINATED:
		snprintf(buf, size, "a quoted string");
		return buf;
	case SETKEY_TOK_CHAR:
		if (t->c > ' ' && t->c < 0x7f)
			snprintf(buf, size, "\"%c\"", t->c);
		else
			snprintf(buf, size, "byte 0x%02x",
			    (unsigned)(unsigned char)t->c);
		return buf;
	case SETKEY_TOK_WORD:
		break;
	}
	/* More than 16 hex digits is no number but may well be a key. */
	if (t->len > 18 && t->s[0] == '0' &&
	    (t->s[1] == 'x' || t->s[1] == 'X')) {
		snprintf(buf, size, "a hex string of %zu digits", t->len - 2);
		return buf;
	}
	/* Words hold only printable ASCII (is_word_char). */
	n = t->len > SHOW_MAX ? SHOW_MAX : t->len;
	if (size < n + 6) {
		snprintf(buf, size, "a word");
		return buf;
	}
	buf[off++] = '"';
	memcpy(buf + off, t->s, n);
	off += n;
	if (n < t->len) {
		memcpy(buf + off, "...", 3);
		off += 3;
	}
	buf[off++] = '"';
	buf[off] = '\0';
	return buf;
}
