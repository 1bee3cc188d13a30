#ifndef IPSECD_DAEMON_DAEMON_H
#define IPSECD_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/worker.h"
#include "ipsec/knobs.h"

struct conf;
struct control;
struct crypto_lib;
struct event;
struct event_base;
struct iface_table;
struct nl;
struct nl_mon;
struct incl;
struct natt;
struct pfkey_server;
struct polroute;
struct addrset;
struct sockpol;
struct sad;
struct sad_entry;
struct spd;

/*
 * The daemon's context: everything the control thread owns, handed to
 * each control-plane module (STYLE.md section 3: mutable global state
 * lives only in ipsecd.c, which holds the one instance).
 *
 * Threads: the control thread (libevent loop in ipsecd.c) runs every
 * function of the control-plane modules (pfkey server, control socket,
 * interfaces, timers); workers (worker.h) only read the shared state
 * through struct worker_shared.  The control thread is a registered QSBR
 * thread, offline while it waits in the event loop.
 */
struct ipsecd {
	const char *conf_path;
	struct conf *conf; /* the configuration in force */
	bool is_foreground;
	int verbose;

	struct crypto_lib *lib;
	struct sad *sad;
	struct spd *spd;
	struct knobs *knobs; /* in force; published in wsh.dp.knobs */
	struct worker_shared wsh;
	struct worker *workers;
	unsigned nworkers;
	struct iface_table *ifaces; /* in force; published in wsh.ifaces */

	struct event_base *base;
	struct nl *nl;
	struct nl_mon *mon;
	struct pfkey_server *pfkey;
	struct control *control;
	struct natt *natt;
	struct incl *incl; /* what the include files installed (incl.h) */
	struct sockpol *sockpols;   /* key managers' socket policies */
	struct addrset *locals;	    /* this host's addresses; in wsh.locals */
	struct polroute *polroutes; /* the default interface's, sorted */
	size_t npolroutes;
	uint64_t start_sec; /* wall clock, seconds */
	uint32_t seed;	    /* random, for hashes */
};

/* Wall-clock seconds (CLOCK_REALTIME), the SAD's and PF_KEY's clock. */
uint64_t ipsecd_now(void);

/*
 * Set knob name to value at run time (ipsecctl set): a new struct knobs is
 * published to the workers and the old one freed after a grace period.
 * 0, or -1 with *why (knobs_set's reason).
 */
int ipsecd_knob_set(
    struct ipsecd *d, const char *name, const char *value, const char **why);

/*
 * The SPD changed (policy added, updated, deleted, flushed): keep the
 * default interface's routes for outbound IPsec policies bound to no
 * interface in step (DESIGN.md, "Policies bound to no interface").
 */
void ipsecd_spd_changed(struct ipsecd *d);

/*
 * Drop counters of every worker summed (out and in direction), and the
 * totals of the other worker counters, for `ipsecctl show stats`.
 */
void ipsecd_worker_totals(const struct ipsecd *d, struct worker_stats *sum);

/*
 * What became of SA e's crypto on the workers after provider failures
 * (dpath_sa_crypto over every worker's slot), for `ipsecctl show sa`.
 * The control thread calls it online, holding e.
 */
void ipsecd_sa_crypto(const struct ipsecd *d, const struct sad_entry *e,
    struct dpath_sa_crypto *out);

#endif
