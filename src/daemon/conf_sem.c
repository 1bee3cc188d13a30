/*
 * ipsecd.conf: the checks that need the whole file, run after parsing
 * (conf_check_all).  Duplicates point at both lines: the later object
 * carries the error and names the line of the first.  Addresses, routes
 * and tunnels are found duplicated by sorting, so a file of many routes
 * costs n log n, not n squared.
 */
#include "config.h"

#include "daemon/conf_parse.h"

#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

/* 2 x (family + 16 address bytes): big enough for every key below. */
#define DUP_KEY 34

struct dup {
	uint8_t key[DUP_KEY];
	unsigned line;
	size_t iface; /* index in conf.ifaces */
	size_t item;  /* index in that interface's array */
	size_t orig;  /* index in the unsorted array */
};

enum dup_kind {
	DUP_ADDRESS, /* the host address: a/24 and a/32 are the same */
	DUP_ROUTE,   /* address and length */
	DUP_TUNNEL,  /* source and destination */
};

static int
dup_cmp(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;
	int r = memcmp(x->key, y->key, DUP_KEY);

	if (r != 0)
		return r;
	return x->orig < y->orig ? -1 : x->orig > y->orig;
}

static void
key_addr(uint8_t *key, const struct addr *a)
{
	key[0] = a->family;
	memcpy(key + 1, a->bytes, sizeof(a->bytes));
}

/* Every object of kind, in file order (interfaces, then their lines). */
static size_t
dup_collect(const struct conf *c, enum dup_kind kind, struct dup *d)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nifaces; i++) {
		const struct conf_iface *ifc = &c->ifaces[i];
		size_t count = kind == DUP_ADDRESS ? ifc->naddrs
		    : kind == DUP_ROUTE		   ? ifc->nroutes
						   : ifc->tunnel_line != 0;

		for (size_t j = 0; j < count; j++) {
			struct dup *e = &d[n];

			memset(e, 0, sizeof(*e));
			e->iface = i;
			e->item = j;
			e->orig = n++;
			switch (kind) {
			case DUP_ADDRESS:
				key_addr(e->key, &ifc->addrs[j].pfx.addr);
				e->line = ifc->addrs[j].line;
				break;
			case DUP_ROUTE:
				key_addr(e->key, &ifc->routes[j].pfx.addr);
				e->key[17] = ifc->routes[j].pfx.len;
				e->line = ifc->routes[j].line;
				break;
			case DUP_TUNNEL:
				key_addr(e->key, &ifc->tunnel_src);
				key_addr(e->key + 17, &ifc->tunnel_dst);
				e->line = ifc->tunnel_line;
				break;
			}
		}
	}
	return n;
}

static void
dup_report(struct conf_parser *p, enum dup_kind kind, const struct dup *e,
    const struct dup *first)
{
	const struct conf *c = p->c;
	const struct conf_iface *ifc = &c->ifaces[e->iface];
	const struct conf_iface *f = &c->ifaces[first->iface];
	char a[PREFIX_STRLEN], b[ADDR_STRLEN];

	switch (kind) {
	case DUP_ADDRESS:
		conf_err(p, e->line,
		    "address %s already on interface %s at line %u",
		    addr_fmt(&ifc->addrs[e->item].pfx.addr, a, sizeof(a)),
		    f->name, first->line);
		break;
	case DUP_ROUTE:
		conf_err(p, e->line,
		    "route %s already on interface %s at line %u",
		    prefix_fmt(&ifc->routes[e->item].pfx, a, sizeof(a)),
		    f->name, first->line);
		break;
	case DUP_TUNNEL:
		conf_err(p, e->line,
		    "tunnel %s %s already used by interface %s at line %u",
		    addr_fmt(&ifc->tunnel_src, a, sizeof(a)),
		    addr_fmt(&ifc->tunnel_dst, b, sizeof(b)), f->name,
		    first->line);
		break;
	}
}

static void
check_dups(struct conf_parser *p, enum dup_kind kind)
{
	const struct conf *c = p->c;
	struct dup *d, *s;
	size_t total = 0, n, *first;

	for (size_t i = 0; i < c->nifaces; i++)
		total += kind == DUP_ADDRESS ? c->ifaces[i].naddrs
		    : kind == DUP_ROUTE	     ? c->ifaces[i].nroutes
					     : 1;
	if (total < 2)
		return;
	d = calloc(total, sizeof(*d));
	s = calloc(total, sizeof(*s));
	first = calloc(total, sizeof(*first));
	if (d == NULL || s == NULL || first == NULL) {
		conf_oom(p, 0);
		goto out;
	}
	n = dup_collect(c, kind, d);
	memcpy(s, d, n * sizeof(*d));
	qsort(s, n, sizeof(*s), dup_cmp);
	for (size_t i = 0, g = 0; i < n; i++) {
		if (memcmp(s[i].key, s[g].key, DUP_KEY) != 0)
			g = i;
		first[s[i].orig] = s[g].orig;
	}
	for (size_t i = 0; i < n; i++)
		if (first[i] != i)
			dup_report(p, kind, &d[i], &d[first[i]]);
out:
	free(first);
	free(s);
	free(d);
}

/* Exactly one key unless it is the default interface; keys unique. */
static void
check_key(struct conf_parser *p, size_t i)
{
	const struct conf *c = p->c;
	const struct conf_iface *ifc = &c->ifaces[i];

	if (ifc->key_line == 0) {
		if (strcmp(ifc->name, c->default_ifname) != 0)
			conf_err(p, ifc->line,
			    "interface %s has no reqid or if-id; expected "
			    "one of them (only the default interface, %s, may "
			    "have neither)",
			    ifc->name, c->default_ifname);
		return;
	}
	if (ifc->key == 0)
		return; /* its bad value was reported */
	for (size_t j = 0; j < i; j++) {
		const struct conf_iface *o = &c->ifaces[j];

		if (o->key_kind == ifc->key_kind && o->key == ifc->key) {
			conf_err(p, ifc->key_line,
			    "%s %u already used by interface %s at line %u",
			    conf_key_name(ifc->key_kind), ifc->key, o->name,
			    o->key_line);
			return;
		}
	}
}

/* IPv6 needs links of 1280 bytes or more (RFC 8200 section 5). */
static void
check_mtu(struct conf_parser *p, const struct conf_iface *ifc)
{
	char a[PREFIX_STRLEN];

	if (ifc->mtu_line == 0 || ifc->mtu >= CONF_MTU_IPV6_MIN)
		return;
	for (size_t j = 0; j < ifc->naddrs; j++)
		if (ifc->addrs[j].pfx.addr.family == AF_INET6) {
			conf_err(p, ifc->mtu_line,
			    "mtu %u of interface %s is below %d, the IPv6 "
			    "minimum, and it has IPv6 address %s at line %u",
			    ifc->mtu, ifc->name, CONF_MTU_IPV6_MIN,
			    addr_fmt(&ifc->addrs[j].pfx.addr, a, sizeof(a)),
			    ifc->addrs[j].line);
			return;
		}
	for (size_t j = 0; j < ifc->nroutes; j++)
		if (ifc->routes[j].pfx.addr.family == AF_INET6) {
			conf_err(p, ifc->mtu_line,
			    "mtu %u of interface %s is below %d, the IPv6 "
			    "minimum, and it has IPv6 route %s at line %u",
			    ifc->mtu, ifc->name, CONF_MTU_IPV6_MIN,
			    prefix_fmt(&ifc->routes[j].pfx, a, sizeof(a)),
			    ifc->routes[j].line);
			return;
		}
}

/*
 * An interface's output mark must leave the global mark's bits alone:
 * they are what the routing rule skips, and an outer packet without them
 * could be routed back into an ipsec interface.
 */
static void
check_mark(struct conf_parser *p, const struct conf_iface *ifc)
{
	const struct conf_mark *g = &p->c->mark;
	char where[32] = "the default";

	if (ifc->mark.line == 0 || (ifc->mark.mask & g->mask) == 0)
		return;
	if (p->c->line[CONF_MARK] != g->line)
		return; /* the global mark was bad: no telling what was meant */
	if (g->line != 0)
		snprintf(where, sizeof(where), "line %u", g->line);
	conf_err(p, ifc->mark.line,
	    "mark 0x%x/0x%x of interface %s overlaps the global mark "
	    "0x%x/0x%x (%s); expected a mask sharing no bit with 0x%x",
	    ifc->mark.value, ifc->mark.mask, ifc->name, g->value, g->mask,
	    where, g->mask);
}

static void
check_sockets(struct conf_parser *p)
{
	const struct conf *c = p->c;
	unsigned lp = c->line[CONF_PFKEY_SOCKET];
	unsigned lc = c->line[CONF_CONTROL_SOCKET];
	char where[32] = "the default";

	if (strcmp(c->pfkey_socket, c->control_socket) != 0)
		return;
	if ((lp > lc ? lc : lp) != 0)
		snprintf(where, sizeof(where), "line %u", lp > lc ? lc : lp);
	if (lp > lc)
		conf_err(p, lp,
		    "pfkey-socket \"%s\" is also the control-socket (%s)",
		    c->pfkey_socket, where);
	else
		conf_err(p, lc,
		    "control-socket \"%s\" is also the pfkey-socket (%s)",
		    c->control_socket, where);
}

void
conf_check_all(struct conf_parser *p)
{
	const struct conf *c = p->c;

	conf_defer(p);
	for (size_t i = 0; i < c->nifaces; i++) {
		check_key(p, i);
		check_mtu(p, &c->ifaces[i]);
		check_mark(p, &c->ifaces[i]);
	}
	check_dups(p, DUP_ADDRESS);
	check_dups(p, DUP_ROUTE);
	check_dups(p, DUP_TUNNEL);
	check_sockets(p);
	conf_flush(p);
}
