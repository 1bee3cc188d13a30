/*
 * The ipsecN devices' life (iface.h): creation through TUN and netlink,
 * the published table, reload, and the default interface's routes for
 * policies bound to no interface.
 */
#include "config.h"

#include "daemon/iface.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "common/log.h"
#include "daemon/addrset.h"
#include "daemon/conf.h"
#include "daemon/daemon.h"
#include "daemon/netlink.h"
#include "daemon/worker.h"
#include "ipsec/spd.h"

/* How long the control thread waits for workers to drop a device. */
#define IFACE_SYNC_MS 2000

/* Write value into /proc/sys/net/<path>; best effort (logged). */
static void
sysctl_net(const char *path, const char *value)
{
	char file[256];
	int fd;

	snprintf(file, sizeof(file), "/proc/sys/net/%s", path);
	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) == -1) {
		log_debug("%s: %s", file, strerror(errno));
		return;
	}
	if (write(fd, value, strlen(value)) == -1)
		log_warn("%s", file);
	close(fd);
}

/*
 * Device settings no netlink attribute covers: loose reverse-path
 * filtering (decapsulated packets come in from any inner source), local
 * sources accepted (the ICMP fragmentation-needed ipsecd writes into the
 * device for this host's own packets comes from one of its addresses,
 * which IPv4 otherwise drops as a martian source, so the host never
 * learned the path MTU), and no IPv6 autoconfiguration on a tunnel.
 */
static void
iface_sysctls(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "ipv4/conf/%s/rp_filter", name);
	sysctl_net(path, "2");
	snprintf(path, sizeof(path), "ipv4/conf/%s/accept_local", name);
	sysctl_net(path, "1");
	snprintf(path, sizeof(path), "ipv6/conf/%s/accept_ra", name);
	sysctl_net(path, "0");
	snprintf(path, sizeof(path), "ipv6/conf/%s/autoconf", name);
	sysctl_net(path, "0");
}

static void
iface_free(struct iface *ifc)
{
	tun_close(ifc->q, ifc->nqueues);
	free(ifc->routes);
	free(ifc->addrs);
	free(ifc);
}

static int
route_op(
    struct ipsecd *d, struct iface *ifc, const struct prefix *p, bool is_add)
{
	struct nl_route r;

	memset(&r, 0, sizeof(r));
	r.dst = *p;
	r.ifindex = ifc->ifindex;
	r.table = d->conf->table;
	return is_add ? nl_route_add(d->nl, &r) : nl_route_del(d->nl, &r);
}

static bool
prefix_in(const struct prefix *v, size_t n, const struct prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].len == p->len && addr_eq(&v[i].addr, &p->addr))
			return true;
	return false;
}

/*
 * Bring ifc's addresses and routes from what it has to what ci asks:
 * delete what ci no longer names, add what is new.  Failures are logged
 * and counted; -1 if any.
 */
static int
iface_apply(struct ipsecd *d, struct iface *ifc, const struct conf_iface *ci)
{
	struct prefix *addrs = NULL, *routes = NULL;
	int rc = 0;

	if (ci->naddrs > 0 &&
	    (addrs = calloc(ci->naddrs, sizeof(*addrs))) == NULL)
		return -1;
	if (ci->nroutes > 0 &&
	    (routes = calloc(ci->nroutes, sizeof(*routes))) == NULL) {
		free(addrs);
		return -1;
	}
	for (size_t i = 0; i < ci->naddrs; i++)
		addrs[i] = ci->addrs[i].pfx;
	for (size_t i = 0; i < ci->nroutes; i++)
		routes[i] = ci->routes[i].pfx;
	for (size_t i = 0; i < ifc->nroutes; i++)
		if (!prefix_in(routes, ci->nroutes, &ifc->routes[i]) &&
		    route_op(d, ifc, &ifc->routes[i], false) == -1 &&
		    errno != ESRCH)
			log_warn("%s: route delete", ifc->name);
	for (size_t i = 0; i < ifc->naddrs; i++)
		if (!prefix_in(addrs, ci->naddrs, &ifc->addrs[i]) &&
		    nl_addr_del(d->nl, ifc->ifindex, &ifc->addrs[i]) == -1)
			log_warn("%s: address delete", ifc->name);
	for (size_t i = 0; i < ci->naddrs; i++) {
		char buf[PREFIX_STRLEN];

		if (prefix_in(ifc->addrs, ifc->naddrs, &addrs[i]))
			continue;
		if (nl_addr_add(d->nl, ifc->ifindex, &addrs[i]) == -1 &&
		    errno != EEXIST) {
			log_warn("%s:%u: interface %s: address %s",
			    d->conf->file, ci->addrs[i].line, ifc->name,
			    prefix_fmt(&addrs[i], buf, sizeof(buf)));
			rc = -1;
		}
	}
	if (nl_link_set_up(d->nl, ifc->ifindex, true) == -1) {
		log_warn("%s: up", ifc->name);
		rc = -1;
	}
	for (size_t i = 0; i < ci->nroutes; i++) {
		char buf[PREFIX_STRLEN];

		if (prefix_in(ifc->routes, ifc->nroutes, &routes[i]))
			continue;
		if (route_op(d, ifc, &routes[i], true) == -1 &&
		    errno != EEXIST) {
			log_warn("%s:%u: interface %s: route %s", d->conf->file,
			    ci->routes[i].line, ifc->name,
			    prefix_fmt(&routes[i], buf, sizeof(buf)));
			rc = -1;
		}
	}
	free(ifc->addrs);
	free(ifc->routes);
	ifc->addrs = addrs;
	ifc->naddrs = ci->naddrs;
	ifc->routes = routes;
	ifc->nroutes = ci->nroutes;
	memset(&ifc->local4, 0, sizeof(ifc->local4));
	memset(&ifc->local6, 0, sizeof(ifc->local6));
	for (size_t i = 0; i < ci->naddrs; i++) {
		struct addr *l = addrs[i].addr.family == AF_INET ? &ifc->local4
								 : &ifc->local6;

		if (l->family == 0)
			*l = addrs[i].addr;
	}
	return rc;
}

/* A conf_iface for the default interface when the file has none. */
static void
default_conf_iface(const struct conf *c, struct conf_iface *ci)
{
	memset(ci, 0, sizeof(*ci));
	snprintf(ci->name, sizeof(ci->name), "%s", c->default_ifname);
	ci->key_kind = CONF_KEY_NONE;
	ci->mtu = CONF_DEFAULT_MTU;
}

/* TUN offloads (tun.h) unless ipsecd.conf says tun-offload 0. */
static unsigned int
iface_tun_flags(const struct ipsecd *d)
{
	return d->conf->tun_offload ? TUN_F_OFFLOAD : 0;
}

static struct iface *
iface_create(struct ipsecd *d, const struct conf_iface *ci)
{
	struct iface *ifc;

	if ((ifc = calloc(1, sizeof(*ifc))) == NULL) {
		log_warn("interface %s", ci->name);
		return NULL;
	}
	for (unsigned i = 0; i < WORKERS_MAX; i++)
		ifc->q[i].fd = -1;
	ifc->key = ci->key_kind == CONF_KEY_NONE ? 0 : ci->key;
	ifc->is_ifid = ci->key_kind == CONF_KEY_IFID;
	ifc->mark = ci->mark.line != 0 ? ci->mark.value : 0;
	ifc->mtu = ci->mtu;
	ifc->line = ci->line;
	ifc->nqueues = d->nworkers;
	if (tun_open(ci->name, iface_tun_flags(d), ifc->q, d->nworkers,
		ifc->name) == -1) {
		log_warn(
		    "%s:%u: interface %s", d->conf->file, ci->line, ci->name);
		free(ifc);
		return NULL;
	}
	if ((ifc->ifindex = nl_link_index(d->nl, ifc->name)) == -1 ||
	    nl_link_set_mtu(d->nl, ifc->ifindex, ifc->mtu) == -1) {
		log_warn("%s:%u: interface %s: mtu %u", d->conf->file, ci->line,
		    ifc->name, ifc->mtu);
		iface_free(ifc);
		return NULL;
	}
	iface_sysctls(ifc->name);
	if (iface_apply(d, ifc, ci) == -1) {
		iface_free(ifc);
		return NULL;
	}
	log_info("interface %s: index %d, %s %u, mtu %u, %u queues", ifc->name,
	    ifc->ifindex, ifc->is_ifid ? "if-id" : "reqid", ifc->key, ifc->mtu,
	    ifc->nqueues);
	return ifc;
}

/* Routes go with the device; delete ours explicitly for a device kept. */
static void
iface_destroy(struct ipsecd *d, struct iface *ifc)
{
	for (size_t i = 0; i < ifc->nroutes; i++)
		route_op(d, ifc, &ifc->routes[i], false);
	log_info("interface %s: removed", ifc->name);
	iface_free(ifc);
}

/*
 * Publish table t (sorted, gen set) in place of the current one; once
 * every worker polls t and a grace period passed, destroy the interfaces
 * of the old table that t does not hold, and free the old table.
 */
static void
iface_publish(struct ipsecd *d, struct iface_table *t)
{
	struct iface_table *old = d->ifaces;

	t->gen = old == NULL ? 1 : old->gen + 1;
	atomic_store_explicit(&d->wsh.ifaces, t, memory_order_release);
	d->ifaces = t;
	if (!worker_sync(d->workers, d->nworkers, t->gen, IFACE_SYNC_MS))
		log_warnx("interfaces: a worker did not acknowledge table %llu",
		    (unsigned long long)t->gen);
	urcu_qsbr_synchronize_rcu();
	if (old == NULL)
		return;
	for (unsigned i = 0; i < old->n; i++) {
		bool is_kept = false;

		for (unsigned j = 0; j < t->n && !is_kept; j++)
			is_kept = t->v[j] == old->v[i];
		if (!is_kept)
			iface_destroy(d, old->v[i]);
	}
	free(old);
}

static int
rules(struct ipsecd *d, bool is_add)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	int rc = 0;

	for (size_t i = 0; i < sizeof(families); i++) {
		struct nl_rule r;

		memset(&r, 0, sizeof(r));
		r.family = families[i];
		r.is_not = true;
		r.priority = d->conf->rule_priority;
		r.table = d->conf->table;
		r.fwmark = d->conf->mark.value;
		r.fwmask = d->conf->mark.mask;
		if ((is_add ? nl_rule_add(d->nl, &r)
			    : nl_rule_del(d->nl, &r)) == -1 &&
		    !(is_add && errno == EEXIST)) {
			if (is_add)
				log_warn("rule not fwmark 0x%x/0x%x lookup %u",
				    r.fwmark, r.fwmask, r.table);
			rc = -1;
		}
	}
	return rc;
}

/* Build a table from the configuration's interfaces, reusing kept ones. */
static struct iface_table *
table_for(struct ipsecd *d, const struct conf *c, const struct iface_table *cur,
    bool *is_failed)
{
	struct iface_table *t;
	struct conf_iface defci;
	bool has_default = false;

	*is_failed = false;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	for (size_t i = 0; i <= c->nifaces; i++) {
		const struct conf_iface *ci;
		struct iface *ifc = NULL;

		if (i == c->nifaces) {
			if (has_default)
				break;
			default_conf_iface(c, &defci);
			ci = &defci;
		} else
			ci = &c->ifaces[i];
		if (strcmp(ci->name, c->default_ifname) == 0)
			has_default = true;
		if (t->n == IFACE_MAX) {
			log_warnx("%s:%u: more than %d interfaces", c->file,
			    ci->line, IFACE_MAX);
			*is_failed = true;
			break;
		}
		for (unsigned j = 0; cur != NULL && j < cur->n && ifc == NULL;
		     j++) {
			struct iface *o = cur->v[j];

			if (strcmp(o->name, ci->name) == 0 &&
			    o->key ==
				(ci->key_kind == CONF_KEY_NONE ? 0 : ci->key) &&
			    o->mtu == ci->mtu && o->nqueues == d->nworkers)
				ifc = o;
		}
		if (ifc != NULL) {
			if (iface_apply(d, ifc, ci) == -1)
				*is_failed = true;
		} else if ((ifc = iface_create(d, ci)) == NULL) {
			*is_failed = true;
			break;
		}
		t->v[t->n++] = ifc;
	}
	if (!*is_failed && !iface_table_sort(t)) {
		log_warnx("%s: two interfaces share a key", c->file);
		*is_failed = true;
	}
	return t;
}

int
iface_start(struct ipsecd *d)
{
	struct iface_table *t;
	bool is_failed;

	nl_cleanup(d->nl, d->conf->table);
	if (rules(d, true) == -1)
		return -1;
	t = table_for(d, d->conf, NULL, &is_failed);
	if (t == NULL || is_failed) {
		for (unsigned i = 0; t != NULL && i < t->n; i++)
			iface_destroy(d, t->v[i]);
		free(t);
		rules(d, false);
		return -1;
	}
	iface_publish(d, t);
	return 0;
}

int
iface_reload(struct ipsecd *d, const struct conf *nc)
{
	struct iface_table *t;
	bool is_failed;

	t = table_for(d, nc, d->ifaces, &is_failed);
	if (t == NULL)
		return -1;
	if (is_failed) {
		/* Undo what was new; kept interfaces stay as they are. */
		for (unsigned i = 0; i < t->n; i++) {
			bool is_old = false;

			for (unsigned j = 0; j < d->ifaces->n && !is_old; j++)
				is_old = d->ifaces->v[j] == t->v[i];
			if (!is_old)
				iface_destroy(d, t->v[i]);
		}
		free(t);
		return -1;
	}
	iface_publish(d, t);
	return 0;
}

void
iface_stop(struct ipsecd *d)
{
	struct iface_table *t = d->ifaces;

	/* The workers are stopped: nothing polls the queues any more. */
	atomic_store(&d->wsh.ifaces, NULL);
	d->ifaces = NULL;
	for (unsigned i = 0; t != NULL && i < t->n; i++)
		iface_destroy(d, t->v[i]);
	free(t);
	rules(d, false);
	nl_cleanup(d->nl, d->conf->table);
}

/* A route the default interface carries for the policies. */
struct polroute {
	struct prefix dst;
	struct addr prefsrc;
};

static int
polroute_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct polroute));
}

/*
 * Is pol bound to an interface?  By its selector's interface key, or by a
 * template whose reqid is the key of a reqid-keyed interface.
 */
static bool
is_bound(const struct iface_table *t, const struct spd_policy *pol)
{
	if (pol->sel.if_id != 0)
		return true;
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		const struct iface *ifc;

		if (pol->tmpl[i].reqid == 0)
			continue;
		ifc = iface_table_lookup(t, pol->tmpl[i].reqid);
		if (ifc != NULL && !ifc->is_ifid)
			return true;
	}
	return false;
}

/*
 * The preferred source for traffic into the policy: one of our addresses
 * inside its source selector, so the kernel picks an address the policy
 * covers (the default interface has none of its own).
 */
static struct addr
prefsrc_for(const struct addrset *locals, const struct prefix *src)
{
	struct addr none;

	memset(&none, 0, sizeof(none));
	if (locals == NULL)
		return none;
	for (size_t i = 0; i < locals->n; i++)
		if (locals->a[i].family == src->addr.family &&
		    prefix_match(src, &locals->a[i]))
			return locals->a[i];
	return none;
}

void
iface_policy_routes(struct ipsecd *d)
{
	struct iface *def;
	struct spd_cursor *c;
	struct spd_policy *pol;
	struct polroute *want = NULL, *tmp;
	size_t nwant = 0, cap = 0, i, j;
	const struct addrset *locals = d->locals;

	if (d->ifaces == NULL ||
	    (def = iface_table_lookup(d->ifaces, 0)) == NULL)
		return;
	if ((c = spd_cursor_new(d->spd)) == NULL) {
		log_warn("policy routes");
		return;
	}
	while ((pol = spd_cursor_next(d->spd, c)) != NULL) {
		if (pol->dir != SPD_DIR_OUT ||
		    pol->action != SPD_ACTION_IPSEC || is_bound(d->ifaces, pol))
			continue;
		if (nwant == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			if ((tmp = realloc(want, cap * sizeof(*want))) ==
			    NULL) {
				log_warn("policy routes");
				goto out;
			}
			want = tmp;
		}
		memset(&want[nwant], 0, sizeof(want[nwant]));
		want[nwant].dst = pol->sel.dst;
		want[nwant].prefsrc = prefsrc_for(locals, &pol->sel.src);
		nwant++;
	}
	if (nwant > 0)
		qsort(want, nwant, sizeof(*want), polroute_cmp);
	for (i = j = 0; i < nwant; i++)
		if (j == 0 || polroute_cmp(&want[j - 1], &want[i]) != 0)
			want[j++] = want[i];
	nwant = j;
	/* Both sorted: one merge pass deletes and adds. */
	i = j = 0;
	while (i < d->npolroutes || j < nwant) {
		int cmp = i == d->npolroutes ? 1
		    : j == nwant	     ? -1
				 : polroute_cmp(&d->polroutes[i], &want[j]);
		struct nl_route r;
		char buf[PREFIX_STRLEN];

		memset(&r, 0, sizeof(r));
		r.ifindex = def->ifindex;
		r.table = d->conf->table;
		if (cmp < 0) {
			r.dst = d->polroutes[i].dst;
			r.prefsrc = d->polroutes[i].prefsrc;
			if (nl_route_del(d->nl, &r) == -1 && errno != ESRCH)
				log_warn("policy route %s: delete",
				    prefix_fmt(&r.dst, buf, sizeof(buf)));
			i++;
		} else if (cmp > 0) {
			r.dst = want[j].dst;
			r.prefsrc = want[j].prefsrc;
			if (nl_route_add(d->nl, &r) == -1 && errno != EEXIST)
				log_warn("policy route %s via %s",
				    prefix_fmt(&r.dst, buf, sizeof(buf)),
				    def->name);
			j++;
		} else {
			i++;
			j++;
		}
	}
	free(d->polroutes);
	d->polroutes = want;
	d->npolroutes = nwant;
	want = NULL;
out:
	free(want);
	spd_cursor_free(d->spd, c);
}
