/*
 * ipsecd.conf: interface blocks, and the checks that need the whole file
 * (keys, addresses, routes and tunnels unique across interfaces, MTU
 * against IPv6, marks against the global mark, the two socket paths).
 * Duplicates point at both lines: the later one carries the error and
 * names the line of the first.
 */
#include "config.h"

#include "daemon/conf_parse.h"

#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iface_kw {
	const char *name;
	bool (*fn)(struct conf_parser *p, struct conf_iface *ifc,
	    const struct conf_stmt *st);
	size_t nargs;
	const char *usage;
};

static bool ik_address(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);
static bool ik_key(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);
static bool ik_mark(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);
static bool ik_mtu(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);
static bool ik_route(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);
static bool ik_tunnel(
    struct conf_parser *, struct conf_iface *, const struct conf_stmt *);

/* Sorted by strcmp: bsearch relies on it and check_conf asserts it. */
static const struct iface_kw ikw[] = {
	{ "address", ik_address, 1, "address ADDRESS[/LEN]" },
	{ "if-id", ik_key, 1, "if-id N" },
	{ "mark", ik_mark, 1, "mark VALUE[/MASK]" },
	{ "mtu", ik_mtu, 1, "mtu BYTES" },
	{ "reqid", ik_key, 1, "reqid N" },
	{ "route", ik_route, 1, "route PREFIX" },
	{ "tunnel", ik_tunnel, 2, "tunnel SOURCE DESTINATION" },
};

#define NIKW (sizeof(ikw) / sizeof(ikw[0]))

const char *
conf_iface_keyword(size_t i)
{
	return i < NIKW ? ikw[i].name : NULL;
}

const char *
conf_key_name(enum conf_key_kind kind)
{
	switch (kind) {
	case CONF_KEY_REQID:
		return "reqid";
	case CONF_KEY_IFID:
		return "if-id";
	case CONF_KEY_NONE:
		break;
	}
	return "none";
}

/*
 * reqid N or if-id N.  The kind and line are kept even when the value is
 * bad so that the "no reqid or if-id" check does not pile on.
 */
static bool
ik_key(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	enum conf_key_kind kind =
	    conf_tok_is(&st->t[0], "reqid") ? CONF_KEY_REQID : CONF_KEY_IFID;
	uint32_t v;

	if (ifc->key_line != 0) {
		if (ifc->key_kind == kind)
			conf_err(p, st->line, "%s already set at line %u",
			    conf_key_name(kind), ifc->key_line);
		else
			conf_err(p, st->line,
			    "interface %s already has %s at line %u; expected "
			    "one of reqid or if-id",
			    ifc->name, conf_key_name(ifc->key_kind),
			    ifc->key_line);
		return false;
	}
	ifc->key_kind = kind;
	ifc->key_line = st->line;
	if (!conf_number(p, &st->t[1], conf_key_name(kind), 1, UINT32_MAX, &v))
		return false;
	ifc->key = v;
	return true;
}

static bool
ik_mtu(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	uint32_t v;

	if (ifc->mtu_line != 0) {
		conf_err(
		    p, st->line, "mtu already set at line %u", ifc->mtu_line);
		return false;
	}
	ifc->mtu_line = st->line;
	if (!conf_number(p, &st->t[1], "mtu", CONF_MTU_MIN, CONF_MTU_MAX, &v))
		return false;
	ifc->mtu = v;
	return true;
}

static bool
ik_mark(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	if (ifc->mark.line != 0) {
		conf_err(
		    p, st->line, "mark already set at line %u", ifc->mark.line);
		return false;
	}
	if (!conf_mark(p, &st->t[1], &ifc->mark)) {
		/* Set, but with no bits for check_mark to find overlapping. */
		ifc->mark = (struct conf_mark){ 0, 0, st->line };
		return false;
	}
	return true;
}

/*
 * Append to a growing array of prefixes; the caller has checked the
 * limit.  Capacity is the next power of two of the count.
 */
static bool
add_prefix(struct conf_parser *p, struct conf_prefix **arr, size_t *n,
    const struct conf_prefix *e)
{
	struct conf_prefix *narr;

	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n == 0 ? 1 : *n * 2;

		if ((narr = realloc(*arr, cap * sizeof(**arr))) == NULL) {
			conf_oom(p, e->line);
			return false;
		}
		*arr = narr;
	}
	(*arr)[(*n)++] = *e;
	return true;
}

static bool
ik_address(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	struct conf_prefix e = { .line = st->line };

	if (ifc->naddrs == CONF_ADDRS_MAX) {
		conf_err(p, st->line,
		    "too many addresses on interface %s (max %d)", ifc->name,
		    CONF_ADDRS_MAX);
		return false;
	}
	if (!conf_prefix(p, &st->t[1], "address", false, &e.pfx))
		return false;
	return add_prefix(p, &ifc->addrs, &ifc->naddrs, &e);
}

static bool
ik_route(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	struct conf_prefix e = { .line = st->line };

	if (ifc->nroutes == CONF_ROUTES_MAX) {
		conf_err(p, st->line,
		    "too many routes on interface %s (max %d)", ifc->name,
		    CONF_ROUTES_MAX);
		return false;
	}
	if (!conf_prefix(p, &st->t[1], "route", true, &e.pfx))
		return false;
	return add_prefix(p, &ifc->routes, &ifc->nroutes, &e);
}

static bool
ik_tunnel(
    struct conf_parser *p, struct conf_iface *ifc, const struct conf_stmt *st)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (ifc->tunnel_line != 0) {
		conf_err(p, st->line, "tunnel already set at line %u",
		    ifc->tunnel_line);
		return false;
	}
	ifc->tunnel_line = st->line;
	if (!conf_addr(p, &st->t[1], "tunnel source", &ifc->tunnel_src) ||
	    !conf_addr(p, &st->t[2], "tunnel destination", &ifc->tunnel_dst))
		goto bad;
	addr_fmt(&ifc->tunnel_src, a, sizeof(a));
	addr_fmt(&ifc->tunnel_dst, b, sizeof(b));
	if (ifc->tunnel_src.family != ifc->tunnel_dst.family) {
		conf_err(p, st->line,
		    "tunnel endpoints %s and %s are of different families", a,
		    b);
		goto bad;
	}
	if (addr_eq(&ifc->tunnel_src, &ifc->tunnel_dst)) {
		conf_err(p, st->line,
		    "tunnel source and destination are both %s", a);
		goto bad;
	}
	return true;
bad:
	/* Family 0: no tunnel for the duplicate check to compare. */
	memset(&ifc->tunnel_src, 0, sizeof(ifc->tunnel_src));
	memset(&ifc->tunnel_dst, 0, sizeof(ifc->tunnel_dst));
	return false;
}

static int
ikw_cmp(const void *key, const void *elem)
{
	const struct conf_tok *t = key;
	const char *name = ((const struct iface_kw *)elem)->name;
	size_t n = strlen(name);
	int r = strncmp(t->s, name, t->len < n ? t->len : n);

	if (r != 0)
		return r;
	return t->len < n ? -1 : t->len > n;
}

/* One statement inside the block of ifc. */
static void
iface_stmt(struct conf_parser *p, struct conf_iface *ifc,
    const struct conf_stmt *st, const char *shown)
{
	const struct iface_kw *kw;
	char buf[CONF_SHOW_SIZE], list[160];

	if (st->t[0].type == CONF_TOK_LBRACE ||
	    st->t[0].type == CONF_TOK_EQUALS) {
		conf_err(p, st->line, "unexpected \"%s\"; expected a keyword",
		    conf_tok_what(&st->t[0], buf));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	kw = bsearch(&st->t[0], ikw, NIKW, sizeof(ikw[0]), ikw_cmp);
	if (kw == NULL) {
		conf_err(p, st->line,
		    "unknown keyword \"%s\" in interface %s; expected %s",
		    conf_show(&st->t[0], buf), shown,
		    conf_choices(conf_iface_keyword, NULL, list, sizeof(list)));
		if (st->is_block)
			conf_skip_block(p, st->line);
		return;
	}
	if (st->is_block) {
		conf_err(p, st->line,
		    "unexpected \"{\" after %s; expected %s without a block",
		    kw->name, kw->usage);
		conf_skip_block(p, st->line);
	} else if (conf_args(p, st, kw->nargs, kw->usage)) {
		(void)kw->fn(p, ifc, st);
		return;
	}
	/* A key that was there but malformed is not a missing key. */
	if (kw->fn == ik_key && ifc->key_line == 0)
		ifc->key_line = st->line;
}

/*
 * The head is "interface NAME {", or "interface NAME" with the brace
 * alone on the next line.  False (after reporting) when there is no block
 * to parse; a head with a block but a bad shape skips that block.
 */
static bool
iface_head(struct conf_parser *p, const struct conf_stmt *head)
{
	struct conf_stmt next;
	char buf[CONF_SHOW_SIZE];
	const char *usage = "interface NAME {";
	size_t words = head->ntok - (head->is_block ? 1 : 0);

	if (words < 2 || head->t[1].type == CONF_TOK_EQUALS) {
		conf_err(p, head->line, "missing argument; expected %s", usage);
	} else if (words > 2) {
		conf_err(p, head->line,
		    "unexpected \"%s\" after interface NAME; expected \"{\"",
		    conf_tok_what(&head->t[2], buf));
	} else if (head->is_block) {
		return true;
	} else {
		conf_stmt_read(p, &next);
		if (!next.is_eof && !next.is_bad && next.n == 1 &&
		    next.t[0].type == CONF_TOK_LBRACE)
			return true;
		conf_err(p, head->line, "expected \"{\" after interface %s",
		    conf_show(&head->t[1], buf));
		if (!next.is_eof)
			conf_stmt_push(p, &next);
		return false;
	}
	if (head->is_block)
		conf_skip_block(p, head->line);
	return false;
}

static void
iface_clear(struct conf_iface *ifc)
{
	free(ifc->addrs);
	free(ifc->routes);
}

/* Can ifc, named on line, join the list?  Reports why not. */
static bool
iface_admit(struct conf_parser *p, const struct conf_iface *ifc)
{
	struct conf *c = p->c;

	for (size_t i = 0; i < c->nifaces; i++)
		if (strcmp(c->ifaces[i].name, ifc->name) == 0) {
			conf_err(p, ifc->line,
			    "interface %s already defined at line %u",
			    ifc->name, c->ifaces[i].line);
			return false;
		}
	if (c->nifaces == CONF_IFACES_MAX) {
		conf_err(p, ifc->line, "too many interfaces (max %d)",
		    CONF_IFACES_MAX);
		return false;
	}
	return true;
}

void
conf_iface_block(struct conf_parser *p, const struct conf_stmt *head)
{
	struct conf *c = p->c;
	struct conf_iface ifc, *arr;
	struct conf_stmt st;
	char shown[CONF_SHOW_SIZE];
	bool is_kept;

	if (!iface_head(p, head))
		return;
	memset(&ifc, 0, sizeof(ifc));
	ifc.line = head->line;
	ifc.mtu = CONF_DEFAULT_MTU;
	conf_show(&head->t[1], shown);
	if (conf_ifname(p, &head->t[1], "interface", ifc.name)) {
		is_kept = iface_admit(p, &ifc);
	} else {
		/* Parsed for its errors only; the name is for messages. */
		size_t n = strnlen(shown, sizeof(ifc.name) - 1);

		memcpy(ifc.name, shown, n);
		ifc.name[n] = '\0';
		is_kept = false;
	}
	for (;;) {
		conf_stmt_read(p, &st);
		if (st.is_eof) {
			conf_err(p, st.line,
			    "unexpected end of file; expected \"}\" to close "
			    "interface %s at line %u",
			    shown, head->line);
			break;
		}
		if (st.is_bad) {
			if (st.is_block)
				conf_skip_block(p, st.line);
			continue;
		}
		if (st.t[0].type == CONF_TOK_RBRACE)
			break;
		iface_stmt(p, &ifc, &st, shown);
	}
	/* Grown one at a time: interface blocks are few. */
	if (is_kept &&
	    (arr = realloc(c->ifaces, (c->nifaces + 1) * sizeof(*arr))) ==
		NULL) {
		conf_oom(p, head->line);
		is_kept = false;
	}
	if (!is_kept) {
		iface_clear(&ifc);
		return;
	}
	c->ifaces = arr;
	c->ifaces[c->nifaces++] = ifc;
}
