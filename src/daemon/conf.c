/*
 * ipsecd.conf: the global keywords, knob lines and the public API
 * (conf.h).  A small hand-written parser in the spirit of OpenBSD's
 * parse.y: one statement per line, keywords in sorted tables, every error
 * reported as "file:line: message" naming the token and the choices, and
 * parsing goes on after an error so that one run shows them all.
 *
 * The parts: conf_lex.c (tokens), conf_stmt.c (statements, errors),
 * conf_value.c (numbers, marks, names, addresses), conf_iface.c
 * (interface blocks), conf_crypto.c (the crypto section), conf_sem.c
 * (checks needing the whole file), conf_secret.c (files that hold keys).
 */
#include "config.h"

#include "daemon/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf_parse.h"

struct keyword;
typedef bool (*keyword_fn)(struct conf_parser *p, const struct conf_stmt *st,
    const struct keyword *kw);

struct keyword {
	const char *name;
	keyword_fn fn; /* NULL: interface, which opens a block */
	int setting;   /* enum conf_setting, or -1 when it may repeat */
	size_t nargs;
	const char *usage;
	uint32_t min, max; /* kw_number's range */
};

static bool kw_mark(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_include(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_name(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_number(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_socket(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_table(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);
static bool kw_default_iface(
    struct conf_parser *, const struct conf_stmt *, const struct keyword *);

/*
 * Sorted by strcmp: bsearch relies on it and check_conf asserts it.  A
 * block keyword (crypto, interface) has fn NULL and is dispatched in
 * top_stmt to its own file (conf_crypto.c, conf_iface.c).
 */
static const struct keyword top[] = {
	{ "control-socket", kw_socket, CONF_CONTROL_SOCKET, 1,
	    "control-socket PATH", 0, 0 },
	{ "crypto", NULL, -1, 0, "crypto {", 0, 0 },
	{ "default-interface", kw_default_iface, CONF_DEFAULT_INTERFACE, 1,
	    "default-interface NAME", 0, 0 },
	{ "group", kw_name, CONF_GROUP, 1, "group NAME", 0, 0 },
	{ "include", kw_include, -1, 1, "include FILE", 0, 0 },
	{ "interface", NULL, -1, 1, "interface NAME {", 0, 0 },
	{ "mark", kw_mark, CONF_MARK, 1, "mark VALUE[/MASK]", 0, 0 },
	{ "natt-keepalive", kw_number, CONF_NATT_KEEPALIVE, 1,
	    "natt-keepalive SECONDS", 0, CONF_KEEPALIVE_MAX },
	{ "natt-port", kw_number, CONF_NATT_PORT, 1, "natt-port PORT", 1,
	    65535 },
	{ "pfkey-socket", kw_socket, CONF_PFKEY_SOCKET, 1, "pfkey-socket PATH",
	    0, 0 },
	{ "replay-window", kw_number, CONF_REPLAY_WINDOW, 1,
	    "replay-window PACKETS", CONF_REPLAY_MIN, CONF_REPLAY_MAX },
	{ "rule-priority", kw_number, CONF_RULE_PRIORITY, 1, "rule-priority N",
	    1, CONF_RULE_PRIORITY_MAX },
	{ "table", kw_table, CONF_TABLE, 1, "table N", 1, UINT32_MAX },
	{ "tun-offload", kw_number, CONF_TUN_OFFLOAD, 1, "tun-offload 0|1", 0,
	    1 },
	{ "user", kw_name, CONF_USER, 1, "user NAME", 0, 0 },
	{ "workers", kw_number, CONF_WORKERS, 1, "workers N", 0,
	    CONF_WORKERS_MAX },
};

#define NTOP (sizeof(top) / sizeof(top[0]))

/* Names of the global settings for "already set" messages. */
static const char *
setting_name(int setting)
{
	for (size_t i = 0; i < NTOP; i++)
		if (top[i].setting == setting)
			return top[i].name;
	return "?";
}

const char *
conf_keyword(bool is_iface, size_t i)
{
	if (is_iface)
		return conf_iface_keyword(i);
	return i < NTOP ? top[i].name : NULL;
}

/* ---- global keywords ---- */

static bool
kw_number(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	struct conf *c = p->c;
	uint32_t v;

	if (!conf_number(p, &st->t[1], kw->name, kw->min, kw->max, &v))
		return false;
	switch ((enum conf_setting)kw->setting) {
	case CONF_NATT_KEEPALIVE:
		c->natt_keepalive_sec = v;
		break;
	case CONF_NATT_PORT:
		c->natt_port = (uint16_t)v;
		break;
	case CONF_REPLAY_WINDOW:
		c->replay_window = v;
		break;
	case CONF_RULE_PRIORITY:
		c->rule_priority = v;
		break;
	case CONF_WORKERS:
		c->workers = v;
		break;
	case CONF_TUN_OFFLOAD:
		c->tun_offload = v == 1;
		break;
	case CONF_CONTROL_SOCKET:
	case CONF_DEFAULT_INTERFACE:
	case CONF_GROUP:
	case CONF_MARK:
	case CONF_PFKEY_SOCKET:
	case CONF_TABLE:
	case CONF_USER:
	case CONF_NSETTINGS:
		return false;
	}
	return true;
}

/* 253-255 are the kernel's default, main and local tables; 0 is unspec. */
static bool
kw_table(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	char buf[CONF_SHOW_SIZE];
	uint32_t v;

	(void)kw;
	if (!conf_u32(&st->t[1], &v) || v == 0 || (v >= 253 && v <= 255)) {
		conf_err(p, st->line,
		    "bad value \"%s\" for table; expected 1 to 252 or 256 to "
		    "4294967295 (253, 254 and 255 are the default, main and "
		    "local tables)",
		    conf_show(&st->t[1], buf));
		return false;
	}
	p->c->table = v;
	return true;
}

static bool
kw_mark(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	char buf[CONF_SHOW_SIZE];
	struct conf_mark m;

	(void)kw;
	if (!conf_mark(p, &st->t[1], &m))
		return false;
	if (m.value == 0) {
		conf_err(p, st->line,
		    "bad mark \"%s\"; expected a nonzero value: the routing "
		    "rule must tell ipsecd's packets from unmarked ones",
		    conf_show(&st->t[1], buf));
		return false;
	}
	m.line = st->line;
	p->c->mark = m;
	return true;
}

/* An absolute path that fits sun_path. */
static bool
kw_socket(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	const struct conf_tok *t = &st->t[1];
	char buf[CONF_SHOW_SIZE];
	char *dst = kw->setting == CONF_PFKEY_SOCKET ? p->c->pfkey_socket
						     : p->c->control_socket;

	if (t->len == 0 || t->s[0] != '/' || t->s[t->len - 1] == '/') {
		conf_err(p, st->line,
		    "bad path \"%s\" for %s; expected an absolute path to a "
		    "socket",
		    conf_show(t, buf), kw->name);
		return false;
	}
	if (!conf_tok_copy(t, dst, CONF_SOCKPATH_MAX)) {
		conf_err(p, st->line,
		    "path \"%s\" for %s too long (have %zu bytes, max %d)",
		    conf_show(t, buf), kw->name, t->len, CONF_SOCKPATH_MAX - 1);
		return false;
	}
	return true;
}

/*
 * A user or group name as useradd(8) takes them: up to 32 of letters,
 * digits, '_', '.' and '-', not starting with '-'.  Whether it exists is
 * for the daemon to find out when it starts.
 */
static bool
kw_name(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	const struct conf_tok *t = &st->t[1];
	char buf[CONF_SHOW_SIZE];
	char *dst = kw->setting == CONF_USER ? p->c->user : p->c->group;
	bool is_ok = t->len > 0 && t->s[0] != '-';

	for (size_t i = 0; i < t->len && is_ok; i++) {
		char ch = t->s[i];

		is_ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == '-';
	}
	if (!is_ok) {
		conf_err(p, st->line,
		    "bad %s name \"%s\"; expected letters, digits, \"_\", "
		    "\".\" or \"-\", not starting with \"-\"",
		    kw->name, conf_show(t, buf));
		return false;
	}
	if (!conf_tok_copy(t, dst, CONF_NAME_MAX)) {
		conf_err(p, st->line,
		    "%s name \"%s\" too long (have %zu bytes, max %d)",
		    kw->name, conf_show(t, buf), t->len, CONF_NAME_MAX - 1);
		return false;
	}
	return true;
}

static bool
kw_default_iface(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	return conf_ifname(p, &st->t[1], kw->name, p->c->default_ifname);
}

/*
 * include FILE: relative paths are taken from the directory of the file
 * being parsed, so that a configuration can be tested where it lies.
 */
static bool
kw_include(
    struct conf_parser *p, const struct conf_stmt *st, const struct keyword *kw)
{
	const struct conf_tok *t = &st->t[1];
	struct conf *c = p->c;
	struct conf_include *inc;
	char buf[CONF_SHOW_SIZE], why[CONF_WHY_MAX], *path;
	size_t pre = t->len > 0 && t->s[0] == '/' ? 0 : p->dirlen;

	(void)kw;
	if (t->len == 0) {
		conf_err(
		    p, st->line, "empty include path; expected %s", kw->usage);
		return false;
	}
	if (pre + t->len > CONF_PATH_MAX - 1) {
		conf_err(p, st->line,
		    "include path \"%s\" too long (have %zu bytes, max %d)",
		    conf_show(t, buf), pre + t->len, CONF_PATH_MAX - 1);
		return false;
	}
	if (c->nincludes == CONF_INCLUDES_MAX) {
		conf_err(p, st->line, "too many include statements (max %d)",
		    CONF_INCLUDES_MAX);
		return false;
	}
	if ((path = malloc(pre + t->len + 1)) == NULL) {
		conf_oom(p, st->line);
		return false;
	}
	memcpy(path, p->dir, pre);
	memcpy(path + pre, t->s, t->len);
	path[pre + t->len] = '\0';
	for (size_t i = 0; i < c->nincludes; i++)
		if (strcmp(c->includes[i].path, path) == 0) {
			conf_err(p, st->line,
			    "\"%s\" already included at line %u",
			    conf_show(t, buf), c->includes[i].line);
			free(path);
			return false;
		}
	if (!conf_secret_check_path(path, why, sizeof(why))) {
		conf_err(
		    p, st->line, "include \"%s\": %s", conf_show(t, buf), why);
		free(path);
		return false;
	}
	if (c->includes == NULL &&
	    (c->includes = calloc(CONF_INCLUDES_MAX, sizeof(*inc))) == NULL) {
		conf_oom(p, st->line);
		free(path);
		return false;
	}
	inc = &c->includes[c->nincludes++];
	inc->path = path;
	inc->line = st->line;
	return true;
}

/* NAME = VALUE, NAME a knobs.h name; an alias counts as its twin. */
static void
knob_stmt(struct conf_parser *p, const struct conf_stmt *st)
{
	struct conf *c = p->c;
	char name[64], value[64], buf[CONF_SHOW_SIZE];
	const char *canon = NULL, *why;

	if (conf_tok_copy(&st->t[0], name, sizeof(name)))
		canon = knobs_lookup(name);
	if (canon == NULL) {
		(void)knobs_set(&c->knobs, "", "", &why);
		conf_err(p, st->line, "unknown knob \"%s\"; %s",
		    conf_show(&st->t[0], buf), why);
		return;
	}
	if (st->ntok < 3 || st->t[1].type != CONF_TOK_EQUALS ||
	    st->t[2].type == CONF_TOK_EQUALS) {
		conf_err(
		    p, st->line, "missing value; expected %s = VALUE", name);
		return;
	}
	if (st->ntok > 3) {
		conf_err(p, st->line,
		    "unexpected \"%s\" after %s = VALUE; expected the end of "
		    "the line",
		    conf_tok_what(&st->t[3], buf), name);
		return;
	}
	for (size_t i = 0; i < c->nknob_lines; i++) {
		if (c->knob_lines[i].name != canon)
			continue;
		if (strcmp(canon, name) == 0)
			conf_err(p, st->line, "%s already set at line %u", name,
			    c->knob_lines[i].line);
		else
			conf_err(p, st->line,
			    "%s already set at line %u (it is the same value "
			    "as %s)",
			    name, c->knob_lines[i].line, canon);
		return;
	}
	if (!conf_tok_copy(&st->t[2], value, sizeof(value)) ||
	    knobs_set(&c->knobs, name, value, &why) != 0) {
		(void)knobs_set(&c->knobs, name, "", &why);
		conf_err(p, st->line, "bad value \"%s\" for %s; %s",
		    conf_show(&st->t[2], buf), name, why);
	}
	if (c->nknob_lines < CONF_KNOBS_MAX)
		c->knob_lines[c->nknob_lines++] =
		    (struct conf_knob){ canon, st->line };
}

static int
keyword_cmp(const void *key, const void *elem)
{
	const struct conf_tok *t = key;
	const char *name = ((const struct keyword *)elem)->name;
	size_t n = strlen(name);
	int r = strncmp(t->s, name, t->len < n ? t->len : n);

	if (r != 0)
		return r;
	return t->len < n ? -1 : t->len > n;
}

const char *
conf_choices(
    const char *(*at)(size_t), const char *last, char *buf, size_t size)
{
	size_t n = 0, o = 0;

	while (at(n) != NULL)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0	 ? ""
		    : i + 1 == n && last == NULL ? " or "
						 : ", ";
		o += (size_t)snprintf(buf + o, size - o, "%s%s", sep, at(i));
		if (o >= size)
			return buf;
	}
	if (last != NULL)
		snprintf(buf + o, size - o, " or %s", last);
	return buf;
}

static const char *
top_at(size_t i)
{
	return conf_keyword(false, i);
}

static void
top_stmt(struct conf_parser *p, const struct conf_stmt *st)
{
	const struct conf_tok *t0 = &st->t[0];
	const struct keyword *kw;
	char buf[CONF_SHOW_SIZE], list[512];

	if (t0->type == CONF_TOK_RBRACE) {
		conf_err(p, st->line, "unexpected \"}\"; no block is open");
		return;
	}
	if (t0->type == CONF_TOK_LBRACE || t0->type == CONF_TOK_EQUALS) {
		conf_err(p, st->line, "unexpected \"%s\"; expected a keyword",
		    conf_tok_what(t0, buf));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	kw = bsearch(t0, top, NTOP, sizeof(top[0]), keyword_cmp);
	if (kw == NULL && !st->is_block &&
	    (memchr(t0->s, '.', t0->len) != NULL ||
		(st->n > 1 && st->t[1].type == CONF_TOK_EQUALS))) {
		knob_stmt(p, st);
		return;
	}
	if (kw == NULL) {
		conf_err(p, st->line, "unknown keyword \"%s\"; expected %s",
		    conf_show(t0, buf),
		    conf_choices(top_at,
			"a knob name (net.inet.ipsec.dfbit, ...)", list,
			sizeof(list)));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	if (kw->fn == NULL) {
		if (strcmp(kw->name, "crypto") == 0)
			conf_crypto_block(p, st);
		else
			conf_iface_block(p, st);
		return;
	}
	if (st->is_block) {
		conf_err(p, st->line,
		    "unexpected \"{\" after %s; expected %s without a block",
		    kw->name, kw->usage);
		conf_skip_block(p, st->line);
		return;
	}
	if (kw->setting >= 0 && p->c->line[kw->setting] != 0) {
		conf_err(p, st->line, "%s already set at line %u",
		    setting_name(kw->setting), p->c->line[kw->setting]);
		return;
	}
	if (!conf_args(p, st, kw->nargs, kw->usage))
		return;
	if (kw->setting >= 0)
		p->c->line[kw->setting] = st->line;
	(void)kw->fn(p, st, kw);
}

/* ---- the API ---- */

struct conf *
conf_new(const char *name)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->file = strdup(name)) == NULL) {
		free(c);
		return NULL;
	}
	knobs_init(&c->knobs);
	crypto_conf_init(&c->crypto);
	c->workers = 0;
	c->tun_offload = true;
	c->natt_port = CONF_DEFAULT_NATT_PORT;
	c->natt_keepalive_sec = CONF_DEFAULT_KEEPALIVE;
	strcpy(c->pfkey_socket, CONF_DEFAULT_PFKEY_SOCKET);
	strcpy(c->control_socket, CONF_DEFAULT_CONTROL_SOCKET);
	strcpy(c->group, CONF_DEFAULT_GROUP);
	strcpy(c->user, CONF_DEFAULT_USER);
	c->mark.value = CONF_DEFAULT_MARK;
	c->mark.mask = CONF_DEFAULT_MARK_MASK;
	c->table = CONF_DEFAULT_TABLE;
	c->rule_priority = CONF_DEFAULT_RULE_PRIORITY;
	strcpy(c->default_ifname, CONF_DEFAULT_IFNAME);
	c->replay_window = CONF_DEFAULT_REPLAY;
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nifaces; i++) {
		free(c->ifaces[i].addrs);
		free(c->ifaces[i].routes);
	}
	free(c->ifaces);
	for (size_t i = 0; i < c->nincludes; i++)
		free(c->includes[i].path);
	free(c->includes);
	crypto_conf_clear(&c->crypto);
	free(c->file);
	free(c);
}

/* An error before there is a struct conf to name the file. */
static void
early_err(const char *name, conf_error_fn fn, void *arg, const char *what)
{
	char full[CONF_PATH_MAX + 128];

	snprintf(full, sizeof(full), "%s: %s", name, what);
	fn(arg, full);
}

struct conf *
conf_parse_buffer(
    const char *name, const void *buf, size_t len, conf_error_fn fn, void *arg)
{
	struct conf_parser p;
	struct conf_stmt st;
	const char *slash = strrchr(name, '/');

	if (len > CONF_FILE_MAX) {
		char what[96];

		snprintf(what, sizeof(what), "too large (more than %d bytes)",
		    CONF_FILE_MAX);
		early_err(name, fn, arg, what);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	if ((p.c = conf_new(name)) == NULL) {
		early_err(name, fn, arg, "out of memory");
		return NULL;
	}
	p.fn = fn;
	p.arg = arg;
	p.dir = name;
	p.dirlen = slash != NULL ? (size_t)(slash - name) + 1 : 0;
	conf_lex_init(&p.lx, buf, len);
	for (;;) {
		conf_stmt_read(&p, &st);
		if (st.is_eof)
			break;
		if (st.is_bad) {
			if (st.is_block)
				conf_skip_block(&p, st.line);
			continue;
		}
		top_stmt(&p, &st);
	}
	conf_check_all(&p);
	if (p.nerrors > 0) {
		conf_free(p.c);
		return NULL;
	}
	return p.c;
}

/* Read all of fd, up to CONF_FILE_MAX + 1 bytes so that too large shows. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *nbuf;

	while (buf != NULL) {
		ssize_t r;

		if (n == cap) {
			if (cap > CONF_FILE_MAX)
				break;
			cap *= 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

struct conf *
conf_parse_file(const char *path, conf_error_fn fn, void *arg)
{
	struct conf *c;
	size_t len = 0;
	char *buf;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		early_err(path, fn, arg, strerror(errno));
		return NULL;
	}
	buf = read_all(fd, &len);
	saved = errno;
	close(fd);
	if (buf == NULL) {
		early_err(path, fn, arg, strerror(saved));
		return NULL;
	}
	c = conf_parse_buffer(path, buf, len, fn, arg);
	free(buf);
	return c;
}

static void
print_error(void *arg, const char *msg)
{
	fprintf(arg, "%s\n", msg);
}

int
conf_test(const char *path, FILE *out)
{
	struct conf *c = conf_parse_file(path, print_error, out);

	if (c == NULL)
		return 1;
	conf_free(c);
	fprintf(out, "configuration OK\n");
	return 0;
}
