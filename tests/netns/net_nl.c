/*
 * Driver of tests/netns/net_netlink.sh: one netlink.c call per run, its
 * outcome printed as "ok" (exit 0) or "error ENAME" (exit 1), so that the
 * script checks both what the kernel did (with ip -j) and what errno came
 * back.
 *
 *   net_nl index NAME
 *   net_nl mtu NAME MTU | up NAME | down NAME | del NAME
 *   net_nl addr-add NAME PREFIX | addr-del NAME PREFIX
 *   net_nl route-add NAME PREFIX TABLE METRIC | route-del ...
 *   net_nl rule-add 4|6 [not] MARK TABLE PRIO | rule-del ...
 *   net_nl addrs 4|6|all          one "ifindex prefix" line per address
 *   net_nl cleanup TABLE
 *   net_nl monitor NAME PREFIX MTU
 *        opens the monitor, adds PREFIX to NAME and sets its MTU through
 *        netlink.c, and prints the matching events it then reads
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "daemon/netlink.h"
#include "net_util.h"

static struct nl *nl;

static int
done(int r)
{
	if (r == -1) {
		printf("error %s\n", net_errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* A device by name, or by number (a missing index tests the kernel). */
static int
index_of(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);
	int i;

	if (*name != '\0' && *end == '\0' && v > 0 && v < 1 << 30)
		return (int)v;
	i = nl_link_index(nl, name);

	if (i == -1)
		exit(done(-1));
	return i;
}

/* "addr/len", host bits allowed (an interface address). */
static struct prefix
pfx(const char *s)
{
	char buf[PREFIX_STRLEN], *slash, *end;
	struct prefix p;
	unsigned long len = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		len = strtoul(slash + 1, &end, 10);
	}
	if (slash == NULL || *end != '\0' || !addr_parse(&p.addr, buf) ||
	    len > addr_len(&p.addr) * 8) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(2);
	}
	p.len = (uint8_t)len;
	return p;
}

static void
print_addr(const struct nl_addr *a, void *arg)
{
	char buf[PREFIX_STRLEN];

	(void)arg;
	printf("%d %s\n", a->ifindex, prefix_fmt(&a->pfx, buf, sizeof(buf)));
}

static int
cmd_route(int argc, char **argv, bool is_add)
{
	struct nl_route r;

	if (argc != 6)
		return 2;
	memset(&r, 0, sizeof(r));
	r.ifindex = index_of(argv[2]);
	r.dst = pfx(argv[3]);
	r.table = (uint32_t)strtoul(argv[4], NULL, 0);
	r.metric = (uint32_t)strtoul(argv[5], NULL, 0);
	return done(is_add ? nl_route_add(nl, &r) : nl_route_del(nl, &r));
}

static int
cmd_rule(int argc, char **argv, bool is_add)
{
	struct nl_rule r;
	int i = 3;

	if (argc < 6)
		return 2;
	memset(&r, 0, sizeof(r));
	r.family = strcmp(argv[2], "6") == 0 ? AF_INET6 : AF_INET;
	if (strcmp(argv[3], "not") == 0) {
		r.is_not = true;
		i++;
	}
	if (argc != i + 3)
		return 2;
	r.fwmark = (uint32_t)strtoul(argv[i], NULL, 0);
	r.table = (uint32_t)strtoul(argv[i + 1], NULL, 0);
	r.priority = (uint32_t)strtoul(argv[i + 2], NULL, 0);
	return done(is_add ? nl_rule_add(nl, &r) : nl_rule_del(nl, &r));
}

struct mon_want {
	int ifindex;
	struct prefix pfx;
	uint32_t mtu;
	bool saw_addr, saw_mtu;
};

static void
on_event(const struct nl_event *ev, void *arg)
{
	struct mon_want *w = arg;
	char buf[PREFIX_STRLEN];

	if (ev->ifindex != w->ifindex)
		return;
	if (ev->type == NL_EV_NEWADDR && !w->saw_addr &&
	    addr_eq(&ev->addr.pfx.addr, &w->pfx.addr)) {
		w->saw_addr = true;
		printf("newaddr %s\n",
		    prefix_fmt(&ev->addr.pfx, buf, sizeof(buf)));
	}
	if (ev->type == NL_EV_NEWLINK && !w->saw_mtu && ev->mtu == w->mtu) {
		w->saw_mtu = true;
		printf("newlink %s mtu %u\n", ev->name, ev->mtu);
	}
}

static int
cmd_monitor(int argc, char **argv)
{
	struct nl_mon *m;
	struct mon_want w;
	int fd;

	if (argc != 5)
		return 2;
	memset(&w, 0, sizeof(w));
	if ((m = nl_mon_open()) == NULL)
		return done(-1);
	w.ifindex = index_of(argv[2]);
	w.pfx = pfx(argv[3]);
	w.mtu = (uint32_t)strtoul(argv[4], NULL, 0);
	if (nl_addr_add(nl, w.ifindex, &w.pfx) == -1 ||
	    nl_link_set_mtu(nl, w.ifindex, w.mtu) == -1)
		return done(-1);
	fd = nl_mon_fd(m);
	/* The kernel queued the events before the acks came back. */
	while (!(w.saw_addr && w.saw_mtu) && net_wait(&fd, 1, 5000) == 0)
		if (nl_mon_read(m, on_event, &w) == -1)
			return done(-1);
	nl_mon_close(m);
	return w.saw_addr && w.saw_mtu ? done(0) : (printf("missed\n"), 1);
}

static int
run(int argc, char **argv)
{
	const char *cmd = argv[1];
	struct prefix p;

	if (strcmp(cmd, "index") == 0 && argc == 3) {
		int i = nl_link_index(nl, argv[2]);

		if (i == -1)
			return done(-1);
		printf("%d\n", i);
		return 0;
	}
	if (strcmp(cmd, "mtu") == 0 && argc == 4)
		return done(nl_link_set_mtu(nl, index_of(argv[2]),
		    (uint32_t)strtoul(argv[3], NULL, 0)));
	if ((strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) && argc == 3)
		return done(nl_link_set_up(
		    nl, index_of(argv[2]), strcmp(cmd, "up") == 0));
	if (strcmp(cmd, "del") == 0 && argc == 3)
		return done(nl_link_del(nl, index_of(argv[2])));
	if (strcmp(cmd, "addr-add") == 0 && argc == 4) {
		p = pfx(argv[3]);
		return done(nl_addr_add(nl, index_of(argv[2]), &p));
	}
	if (strcmp(cmd, "addr-del") == 0 && argc == 4) {
		p = pfx(argv[3]);
		return done(nl_addr_del(nl, index_of(argv[2]), &p));
	}
	if (strcmp(cmd, "route-add") == 0 || strcmp(cmd, "route-del") == 0)
		return cmd_route(argc, argv, strcmp(cmd, "route-add") == 0);
	if (strcmp(cmd, "rule-add") == 0 || strcmp(cmd, "rule-del") == 0)
		return cmd_rule(argc, argv, strcmp(cmd, "rule-add") == 0);
	if (strcmp(cmd, "addrs") == 0 && argc == 3) {
		int fam = strcmp(argv[2], "4") == 0 ? AF_INET
		    : strcmp(argv[2], "6") == 0	    ? AF_INET6
						    : AF_UNSPEC;

		return nl_addr_list(nl, fam, print_addr, NULL) == -1 ? done(-1)
								     : 0;
	}
	if (strcmp(cmd, "cleanup") == 0 && argc == 3)
		return done(
		    nl_cleanup(nl, (uint32_t)strtoul(argv[2], NULL, 0)));
	if (strcmp(cmd, "monitor") == 0)
		return cmd_monitor(argc, argv);
	return 2;
}

int
main(int argc, char **argv)
{
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: net_nl COMMAND ARGS...\n");
		return 2;
	}
	if ((nl = nl_open()) == NULL) {
		perror("nl_open");
		return 2;
	}
	r = run(argc, argv);
	if (r == 2)
		fprintf(stderr, "net_nl: bad command line\n");
	nl_close(nl);
	return r;
}
