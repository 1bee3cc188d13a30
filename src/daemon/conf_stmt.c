/*
 * ipsecd.conf: errors, tokens in messages, and the statement reader that
 * turns the lexer's tokens into one statement per line (conf_parse.h).
 */
#include "config.h"

#include "daemon/conf_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep a copy of msg for conf_flush; false if there is no memory. */
static bool
hold(struct conf_parser *p, unsigned line, const char *msg)
{
	struct conf_deferred *d;

	if (p->ndeferred == p->capdeferred) {
		size_t cap = p->capdeferred == 0 ? 16 : p->capdeferred * 2;

		if ((d = realloc(p->deferred, cap * sizeof(*d))) == NULL)
			return false;
		p->deferred = d;
		p->capdeferred = cap;
	}
	d = &p->deferred[p->ndeferred];
	if ((d->msg = strdup(msg)) == NULL)
		return false;
	d->line = line;
	d->seq = p->ndeferred++;
	return true;
}

void
conf_err(struct conf_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[1024], full[CONF_PATH_MAX + sizeof(msg) + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s:%u: %s", p->c->file, line, msg);
	p->nerrors++;
	if (p->is_deferring && hold(p, line, full))
		return;
	p->fn(p->arg, full);
}

void
conf_defer(struct conf_parser *p)
{
	p->is_deferring = true;
}

static int
deferred_cmp(const void *a, const void *b)
{
	const struct conf_deferred *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
conf_flush(struct conf_parser *p)
{
	if (p->ndeferred > 0)
		qsort(p->deferred, p->ndeferred, sizeof(*p->deferred),
		    deferred_cmp);
	for (size_t i = 0; i < p->ndeferred; i++) {
		p->fn(p->arg, p->deferred[i].msg);
		free(p->deferred[i].msg);
	}
	free(p->deferred);
	p->deferred = NULL;
	p->ndeferred = p->capdeferred = 0;
	p->is_deferring = false;
}

void
conf_oom(struct conf_parser *p, unsigned line)
{
	conf_err(p, line, "out of memory");
}

const char *
conf_show(const struct conf_tok *t, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = t->len > CONF_SHOW_MAX ? CONF_SHOW_MAX : t->len, o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t->s[i];

		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		} else {
			buf[o++] = (char)ch;
		}
	}
	if (n < t->len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

bool
conf_tok_is(const struct conf_tok *t, const char *s)
{
	return (t->type == CONF_TOK_WORD || t->type == CONF_TOK_STRING) &&
	    t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

bool
conf_tok_copy(const struct conf_tok *t, char *buf, size_t size)
{
	if (t->len >= size)
		return false;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return true;
}

/* What a token is, for "unexpected ..." messages. */
const char *
conf_tok_what(const struct conf_tok *t, char *buf)
{
	switch (t->type) {
	case CONF_TOK_WORD:
	case CONF_TOK_STRING:
		return conf_show(t, buf);
	case CONF_TOK_LBRACE:
		return "{";
	case CONF_TOK_RBRACE:
		return "}";
	case CONF_TOK_EQUALS:
		return "=";
	case CONF_TOK_EOL:
	case CONF_TOK_EOF:
	case CONF_TOK_ERROR:
		break;
	}
	return "";
}

static void
tok_next(struct conf_parser *p, struct conf_tok *t)
{
	if (p->has_peek) {
		*t = p->peek;
		p->has_peek = false;
		return;
	}
	conf_lex_next(&p->lx, t);
}

static void
lex_error(struct conf_parser *p, const struct conf_tok *t)
{
	if (t->bad >= 0)
		conf_err(p, t->line, "%s 0x%02x", t->s, (unsigned)t->bad);
	else
		conf_err(p, t->line, "%s", t->s);
}

void
conf_stmt_push(struct conf_parser *p, const struct conf_stmt *st)
{
	p->pushed = *st;
	p->has_pushed = true;
}

void
conf_stmt_read(struct conf_parser *p, struct conf_stmt *st)
{
	struct conf_tok t;

	if (p->has_pushed) {
		*st = p->pushed;
		p->has_pushed = false;
		return;
	}
	memset(st, 0, sizeof(*st));
	for (;;) {
		tok_next(p, &t);
		if (st->ntok == 0)
			st->line = t.line;
		switch (t.type) {
		case CONF_TOK_EOL:
			if (st->ntok == 0)
				continue;
			return;
		case CONF_TOK_EOF:
			st->is_eof = st->ntok == 0;
			return;
		case CONF_TOK_ERROR:
			lex_error(p, &t);
			st->is_bad = true;
			st->ntok++;
			continue;
		case CONF_TOK_RBRACE:
			if (st->ntok > 0) {
				/* "... }": the brace is the next statement. */
				p->peek = t;
				p->has_peek = true;
				return;
			}
			st->t[st->n++] = t;
			st->ntok++;
			return;
		case CONF_TOK_LBRACE:
			st->ntok++;
			if (st->n < CONF_STMT_MAX) {
				st->t[st->n++] = t;
				st->is_block = true;
			} else {
				/* Too many words for any keyword: an error
				 * whose block is skipped here. */
				conf_skip_block(p, t.line);
			}
			return;
		case CONF_TOK_WORD:
		case CONF_TOK_STRING:
		case CONF_TOK_EQUALS:
			if (st->n < CONF_STMT_MAX)
				st->t[st->n++] = t;
			st->ntok++;
			continue;
		}
	}
}

void
conf_skip_block(struct conf_parser *p, unsigned line)
{
	struct conf_tok t;
	unsigned depth = 1;

	while (depth > 0) {
		tok_next(p, &t);
		switch (t.type) {
		case CONF_TOK_LBRACE:
			depth++;
			break;
		case CONF_TOK_RBRACE:
			depth--;
			break;
		case CONF_TOK_EOF:
			conf_err(p, t.line,
			    "unexpected end of file; expected \"}\" to close "
			    "the block at line %u",
			    line);
			return;
		case CONF_TOK_WORD:
		case CONF_TOK_STRING:
		case CONF_TOK_EQUALS:
		case CONF_TOK_EOL:
		case CONF_TOK_ERROR:
			break;
		}
	}
}

bool
conf_args(struct conf_parser *p, const struct conf_stmt *st, size_t want,
    const char *usage)
{
	char buf[CONF_SHOW_SIZE];

	/* "workers = 4": the knob syntax on a keyword. */
	for (size_t i = 1; i < st->n; i++)
		if (st->t[i].type == CONF_TOK_EQUALS) {
			conf_err(p, st->line, "unexpected \"=\"; expected %s",
			    usage);
			return false;
		}
	if (st->ntok < want + 1) {
		conf_err(p, st->line, "missing argument; expected %s", usage);
		return false;
	}
	if (st->ntok > want + 1) {
		conf_err(p, st->line,
		    "unexpected \"%s\" after %s; expected the end of the line",
		    conf_tok_what(&st->t[want + 1], buf), usage);
		return false;
	}
	return true;
}
