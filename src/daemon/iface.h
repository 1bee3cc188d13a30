#ifndef IPSECD_DAEMON_IFACE_H
#define IPSECD_DAEMON_IFACE_H

#include <net/if.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "daemon/tun.h"
#include "ipsec/verdict.h"

/*
 * The ipsecN devices as the workers see them: a table published by the
 * control thread with RCU (a new table per change; workers read the
 * current one while online) and looked up by interface key on the way in.
 *
 * An interface is bound to policies and SAs by its key (DESIGN.md): the
 * reqid or if_id it was configured with; the default interface has key 0
 * and serves policies bound to no interface.  Outbound packets read from
 * an interface carry its key in their flow key (selector if_id); inbound
 * packets go to the interface whose key is the SA's if_id, else its reqid,
 * else to the default interface.
 *
 * Interface objects are immutable once published except for their
 * counters; removing one publishes a table without it, waits for every
 * worker to stop using it (worker.h), and closes its queues after a grace
 * period.
 */
#define IFACE_MAX 256
#define WORKERS_MAX 64

/* One worker's counters for one interface (that worker writes them). */
struct iface_wstats {
	_Atomic uint64_t out_packets; /* plaintext read, protected, sent */
	_Atomic uint64_t out_bytes;
	_Atomic uint64_t in_packets; /* decapsulated, written to the device */
	_Atomic uint64_t in_bytes;
	_Atomic uint64_t out_drops[IPSEC_VERDICT_COUNT];
	_Atomic uint64_t in_drops[IPSEC_VERDICT_COUNT];
};

struct iface {
	char name[IFNAMSIZ];
	int ifindex;   /* in ipsecd's namespace when created */
	uint32_t key;  /* interface key; 0 for the default interface */
	bool is_ifid;  /* key is an if_id (else a reqid) */
	uint32_t mark; /* output mark ORed into the outer packets' mark */
	unsigned mtu;
	unsigned line;	       /* config line, for messages */
	struct prefix *routes; /* installed in the daemon's table */
	size_t nroutes;
	struct prefix *addrs; /* configured on the device */
	size_t naddrs;
	/* An address of each family on it, for ICMP errors it sends. */
	struct addr local4;
	struct addr local6;
	unsigned nqueues;
	struct tun_queue q[WORKERS_MAX]; /* q[i] belongs to worker i */
	struct iface_wstats st[WORKERS_MAX];
};

struct iface_table {
	uint64_t gen; /* bumped by every published change */
	unsigned n;
	struct iface *v[IFACE_MAX]; /* sorted by key; v[0] key 0 if present */
};

struct conf;
struct conf_iface;
struct ipsecd;

/*
 * Control thread: the life of the devices.
 *
 * iface_start: the policy-routing rules ("not fwmark M/mask lookup T" for
 *   IPv4 and IPv6, DESIGN.md "No routing loops"), then every interface of
 *   d->conf plus the default interface (conf default_ifname) unless the
 *   configuration declares it, each configured entirely through netlink
 *   (MTU, addresses, up, routes in table T), and the first table
 *   published.  -1 after logging what failed (what was made is undone).
 * iface_reload: apply a new configuration: interfaces whose name, key and
 *   MTU are unchanged stay up with their queues (addresses and routes are
 *   brought in line), others are created or removed.  -1 after logging:
 *   the interfaces in force are then unchanged.
 * iface_stop: remove every interface, route and rule of ours.
 * iface_policy_routes: bring the default interface's routes (one per
 *   destination selector of an outbound IPsec policy bound to no
 *   interface) in line with the SPD; called after SPD changes, batched.
 */
int iface_start(struct ipsecd *d);
int iface_reload(struct ipsecd *d, const struct conf *nc);
void iface_stop(struct ipsecd *d);
void iface_policy_routes(struct ipsecd *d);

/*
 * The interface for key (0 = the default interface), NULL if none.  A
 * binary search of the table, which is sorted by key.
 */
struct iface *iface_table_lookup(const struct iface_table *t, uint32_t key);

/* Sort t->v by key; false if two share a key. */
bool iface_table_sort(struct iface_table *t);

#endif
