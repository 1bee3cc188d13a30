/*
 * setkey(8) parser driver: splits the input into statements at ";"
 * (outside quoted strings and comments), parses each with the lexer of
 * setkey_lex.c and the grammars of setkey_sa.c and setkey_spd.c, reports
 * errors as "file:line: message" and hands each clean command to the
 * sink.  A statement holding a command that lacks its ";" followed by
 * another command is parsed as two commands (the first one failed), so
 * that a forgotten ";" costs one error, not the next command too.
 */
#include "config.h"

#include "pfkey/setkey.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "pfkey/setkey_parse.h"
#include "pfkey/setkey_words.h"

void
setkey_error(struct setkey_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	p->nerrors++;
	p->is_failed = true;
	if (p->sink == NULL || p->sink->on_error == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "%s:%u: ", p->name, line);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(msg)) {
		va_start(ap, fmt);
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	p->sink->on_error(p->sink->err_arg, msg);
}

void
setkey_expected(
    struct setkey_parser *p, const struct setkey_tok *t, const char *what)
{
	char d[64];

	if (t->kind == SETKEY_TOK_UNTERMINATED) {
		setkey_error(p, t->line, "unterminated quoted string");
		return;
	}
	setkey_error(p, t->line, "expected %s, got %s", what,
	    setkey_tok_describe(t, d, sizeof(d)));
}

bool
setkey_expect_char(struct setkey_parser *p, char c, const char *context)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	char what[96];

	if (setkey_tok_is_char(&t, c))
		return true;
	snprintf(what, sizeof(what), "\"%c\" %s", c, context);
	setkey_expected(p, &t, what);
	return false;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
setkey_tok_num(const struct setkey_tok *t, uint64_t max, uint64_t *v)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t n = 0;

	if (t->kind != SETKEY_TOK_WORD || t->len == 0)
		return false;
	if (t->len > 2 && t->s[0] == '0' &&
	    (t->s[1] == 'x' || t->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < t->len; i++) {
		int d = hex_digit(t->s[i]);

		if (d < 0 || (unsigned)d >= base)
			return false;
		if (n > (max - (uint64_t)d) / base)
			return false;
		n = n * base + (uint64_t)d;
	}
	*v = n;
	return true;
}

bool
setkey_num(struct setkey_parser *p, const char *what, uint64_t max, uint64_t *v)
{
	const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
	struct setkey_tok t;
	char d[64];

	*v = 0;
	/* Not even the start of a number: a missing operand. */
	if (pk->kind != SETKEY_TOK_WORD || pk->s[0] < '0' || pk->s[0] > '9') {
		char exp[96];

		snprintf(exp, sizeof(exp), "a number (%s)", what);
		setkey_expected(p, pk, exp);
		return false;
	}
	t = setkey_lex_next(&p->lx);
	if (!setkey_tok_num(&t, max, v))
		setkey_error(p, t.line,
		    "bad %s %s; expected a number from 0 to %llu", what,
		    setkey_tok_describe(&t, d, sizeof(d)),
		    (unsigned long long)max);
	return true;
}

bool
setkey_family_flags(struct setkey_parser *p, int *family)
{
	*family = 0;
	for (;;) {
		const struct setkey_tok *t = setkey_lex_peek(&p->lx);
		size_t i;

		if (t->kind != SETKEY_TOK_WORD || t->len < 2 || t->s[0] != '-')
			return true;
		for (i = 1; i < t->len; i++)
			if (t->s[i] != '4' && t->s[i] != '6' &&
			    t->s[i] != 'n') {
				char d[64];

				/* No address starts with "-". */
				setkey_error(p, t->line,
				    "unknown address option %s; expected -4, "
				    "-6 or -n",
				    setkey_tok_describe(t, d, sizeof(d)));
				return false;
			}
		/* The last of -4 and -6 wins, as in setkey's ipaddropts. */
		for (i = 1; i < t->len; i++)
			if (t->s[i] != 'n')
				*family = t->s[i] == '4' ? AF_INET : AF_INET6;
		setkey_lex_next(&p->lx);
	}
}

bool
setkey_addr(struct setkey_parser *p, const struct setkey_tok *t, int family,
    struct addr *a)
{
	char buf[ADDR_STRLEN + 1], d[64];

	memset(a, 0, sizeof(*a));
	if (!setkey_tok_copy(t, buf, sizeof(buf)) || !addr_parse(a, buf)) {
		setkey_error(p, t->line,
		    "bad address %s; expected a numeric IPv4 or IPv6 address "
		    "(names are not resolved)",
		    setkey_tok_describe(t, d, sizeof(d)));
		memset(a, 0, sizeof(*a));
		return false;
	}
	if (family != 0 && a->family != family) {
		setkey_error(p, t->line, "address %s is not %s as -%c asks",
		    buf, family == AF_INET ? "IPv4" : "IPv6",
		    family == AF_INET ? '4' : '6');
		memset(a, 0, sizeof(*a));
		return false;
	}
	return true;
}

bool
setkey_port(
    struct setkey_parser *p, bool is_any_ok, uint16_t *port, bool *has_port)
{
	struct setkey_tok t;
	uint64_t v;
	char d[64];

	*port = 0;
	*has_port = false;
	if (!setkey_tok_is_char(setkey_lex_peek(&p->lx), '['))
		return true;
	setkey_lex_next(&p->lx);
	*has_port = true;
	t = setkey_lex_next(&p->lx);
	if (t.kind != SETKEY_TOK_WORD) {
		setkey_expected(p, &t, "a port number after \"[\"");
		return false;
	}
	if (is_any_ok && setkey_tok_is(&t, "any")) {
		/* nothing: any */
	} else if (!setkey_tok_num(&t, 65535, &v)) {
		setkey_error(p, t.line,
		    "bad port %s; expected a number from 0 to 65535%s",
		    setkey_tok_describe(&t, d, sizeof(d)),
		    is_any_ok ? " or any" : "");
	} else {
		*port = (uint16_t)v;
	}
	return setkey_expect_char(p, ']', "after the port");
}

const struct setkey_word *
setkey_tok_option(const struct setkey_tok *t)
{
	if (t->kind != SETKEY_TOK_WORD || t->len < 2 || t->s[0] != '-')
		return NULL;
	return setkey_word_lookup(&setkey_options, t->s, t->len);
}

bool
setkey_tok_is_command(const struct setkey_tok *t)
{
	return t->kind == SETKEY_TOK_WORD &&
	    setkey_word_lookup(&setkey_commands, t->s, t->len) != NULL;
}

static bool
command_body(struct setkey_parser *p)
{
	switch (p->cmd.op) {
	case SETKEY_ADD:
	case SETKEY_UPDATE:
	case SETKEY_GETSPI:
	case SETKEY_GET:
	case SETKEY_DELETE:
	case SETKEY_DELETEALL:
		return setkey_sa_command(p);
	case SETKEY_FLUSH:
	case SETKEY_DUMP:
		return setkey_satype_command(p);
	case SETKEY_SPDADD:
	case SETKEY_SPDUPDATE:
	case SETKEY_SPDDELETE:
		return setkey_spd_command(p);
	case SETKEY_SPDFLUSH:
	case SETKEY_SPDDUMP:
		return true; /* no operands */
	}
	return false;
}

/*
 * One command starting at the next token.  Returns false when the rest of
 * the statement must be skipped, true when another command follows
 * (a missing ";") or the statement is done (*is_done).
 */
static bool
one_command(
    struct setkey_parser *p, bool is_terminated, bool *stop, bool *is_done)
{
	const struct setkey_sink *s = p->sink;
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w;
	const struct setkey_tok *next;
	unsigned last_line;
	char d[64], choices[256];

	*is_done = true;
	if (t.kind != SETKEY_TOK_WORD ||
	    (w = setkey_word_lookup(&setkey_commands, t.s, t.len)) == NULL) {
		if (t.kind == SETKEY_TOK_UNTERMINATED)
			setkey_error(p, t.line, "unterminated quoted string");
		else
			setkey_error(p, t.line,
			    "unknown command %s; expected %s",
			    setkey_tok_describe(&t, d, sizeof(d)),
			    setkey_word_choices(
				&setkey_commands, choices, sizeof(choices)));
		return false;
	}
	setkey_cmd_clear(&p->cmd);
	p->cmd.op = (enum setkey_op)w->value;
	p->cmd.line = t.line;
	p->is_failed = false;
	if (!command_body(p))
		return false;
	last_line = p->lx.last_line;
	next = setkey_lex_peek(&p->lx);
	if (next->kind == SETKEY_TOK_END) {
		if (!is_terminated)
			setkey_error(p, last_line,
			    "missing \";\" at the end of the input");
	} else if (setkey_tok_is_command(next)) {
		setkey_error(p, next->line, "missing \";\" before %s",
		    setkey_tok_describe(next, d, sizeof(d)));
		setkey_lex_rewind(&p->lx, next);
		*is_done = false;
	} else {
		setkey_expected(p, next, "\";\" at the end of the command");
		return false;
	}
	if (!p->is_failed && s != NULL && s->on_cmd != NULL &&
	    s->on_cmd(s->cmd_arg, &p->cmd) != 0)
		*stop = true;
	return true;
}

/* Parse one statement (the text before a ";" or the end of the input). */
static void
statement(struct setkey_parser *p, const char *text, size_t len, unsigned line,
    bool is_terminated, bool *stop)
{
	bool is_done = false;

	setkey_lex_init(&p->lx, text, len, line);
	if (setkey_lex_peek(&p->lx)->kind == SETKEY_TOK_END)
		return; /* empty, or only comments */
	while (!is_done && !*stop)
		if (!one_command(p, is_terminated, stop, &is_done))
			break;
	setkey_cmd_clear(&p->cmd);
}

/*
 * Where a ";" ends a statement: outside quoted strings and comments.
 * Fed one byte at a time; true at a terminating ";".
 */
enum split_state { SPLIT_CODE, SPLIT_QUOTE, SPLIT_COMMENT };

static bool
split_step(enum split_state *st, char c)
{
	switch (*st) {
	case SPLIT_CODE:
		if (c == '"')
			*st = SPLIT_QUOTE;
		else if (c == '#')
			*st = SPLIT_COMMENT;
		else if (c == ';')
			return true;
		break;
	case SPLIT_QUOTE:
		if (c == '"')
			*st = SPLIT_CODE;
		break;
	case SPLIT_COMMENT:
		if (c == '\n')
			*st = SPLIT_CODE;
		break;
	}
	return false;
}

static void
parser_init(
    struct setkey_parser *p, const char *name, const struct setkey_sink *sink)
{
	memset(p, 0, sizeof(*p));
	p->name = name != NULL ? name : "<input>";
	p->sink = sink;
}

int
setkey_parse_buf(const char *name, const char *buf, size_t len,
    const struct setkey_sink *sink, unsigned *nerrors)
{
	struct setkey_parser p;
	size_t i = 0;
	unsigned line = 1;
	bool stop = false;

	parser_init(&p, name, sink);
	while (i < len && !stop) {
		enum split_state st = SPLIT_CODE;
		size_t start = i;
		unsigned start_line = line;
		bool is_terminated = false;

		for (; i < len; i++) {
			if (buf[i] == '\n')
				line++;
			if (split_step(&st, buf[i])) {
				is_terminated = true;
				break;
			}
		}
		statement(&p, buf + start, i - start, start_line, is_terminated,
		    &stop);
		if (is_terminated)
			i++;
	}
	secret_wipe(&p.cmd, sizeof(p.cmd));
	if (nerrors != NULL)
		*nerrors = p.nerrors;
	return p.nerrors == 0 && !stop ? 0 : -1;
}

/*
 * Read the next statement of fp into buf (at most SETKEY_STMT_MAX bytes).
 * *len is its length, *line advanced past its newlines; *is_long when it
 * did not fit (the rest up to its ";" is skipped).  False at the end.
 */
static bool
read_statement(FILE *fp, char *buf, size_t *len, unsigned *line,
    bool *is_terminated, bool *is_long)
{
	enum split_state st = SPLIT_CODE;
	int c;

	*len = 0;
	*is_terminated = false;
	*is_long = false;
	while ((c = getc(fp)) != EOF) {
		if (c == '\n')
			(*line)++;
		if (split_step(&st, (char)c)) {
			*is_terminated = true;
			return true;
		}
		if (*len < SETKEY_STMT_MAX)
			buf[(*len)++] = (char)c;
		else
			*is_long = true;
	}
	return *len > 0 || *is_long;
}

int
setkey_parse_file(const char *name, FILE *fp, const struct setkey_sink *sink,
    unsigned *nerrors)
{
	struct setkey_parser p;
	char *buf;
	size_t len;
	unsigned line = 1, start_line = 1;
	bool stop = false, is_terminated, is_long;
	int saved = 0;

	parser_init(&p, name, sink);
	if ((buf = malloc(SETKEY_STMT_MAX)) == NULL) {
		saved = ENOMEM;
		setkey_error(&p, 1, "out of memory");
		goto done;
	}
	while (!stop &&
	    read_statement(fp, buf, &len, &line, &is_terminated, &is_long)) {
		if (is_long)
			setkey_error(&p, start_line,
			    "statement longer than %d bytes", SETKEY_STMT_MAX);
		else
			statement(
			    &p, buf, len, start_line, is_terminated, &stop);
		secret_wipe(buf, len);
		start_line = line;
	}
	if (ferror(fp)) {
		saved = errno != 0 ? errno : EIO;
		setkey_error(&p, line, "read error: %s", strerror(saved));
	}
	free(buf);
done:
	secret_wipe(&p.cmd, sizeof(p.cmd));
	if (nerrors != NULL)
		*nerrors = p.nerrors;
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return p.nerrors == 0 && !stop ? 0 : -1;
}

void
setkey_cmd_clear(struct setkey_cmd *cmd)
{
	secret_wipe(cmd, sizeof(*cmd));
	memset(cmd, 0, sizeof(*cmd));
}

int
setkey_list_push(void *list, const struct setkey_cmd *cmd)
{
	struct setkey_list *l = list;

	if (l->ncmds == l->cap) {
		size_t cap = l->cap == 0 ? 16 : l->cap * 2;
		struct setkey_cmd *n;

		if (cap > SIZE_MAX / sizeof(*n) ||
		    (n = calloc(cap, sizeof(*n))) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		/* Not realloc: it would leave keys behind in freed memory. */
		if (l->ncmds > 0) {
			memcpy(n, l->cmds, l->ncmds * sizeof(*n));
			secret_wipe(l->cmds, l->ncmds * sizeof(*n));
		}
		free(l->cmds);
		l->cmds = n;
		l->cap = cap;
	}
	memcpy(&l->cmds[l->ncmds++], cmd, sizeof(*cmd));
	return 0;
}

void
setkey_list_free(struct setkey_list *l)
{
	if (l->cmds != NULL)
		secret_wipe(l->cmds, l->cap * sizeof(*l->cmds));
	free(l->cmds);
	memset(l, 0, sizeof(*l));
}

void
setkey_print_error(void *fp, const char *msg)
{
	fprintf(fp, "%s\n", msg);
}
