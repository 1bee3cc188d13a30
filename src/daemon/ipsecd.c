/*
 * ipsecd: main, flags, the control thread's event loop (signals, timers,
 * netlink events), start-up in the order privileges need, reload and
 * shutdown.  The one instance of struct ipsecd lives here (STYLE.md
 * section 3).
 *
 *   ipsecd [-dnv] [-f file]
 *     -f  configuration file (default /etc/ipsecd/ipsecd.conf)
 *     -n  check the configuration, print "configuration OK" or every
 *         error, exit 0 or 1
 *     -d  stay in the foreground, log to stderr (else syslog)
 *     -v  more verbose (debug lines)
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>
#include <urcu-qsbr.h>

#include "common/log.h"
#include "crypto/provider.h"
#include "daemon/addrset.h"
#include "daemon/conf.h"
#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/iface.h"
#include "daemon/incl.h"
#include "daemon/natt.h"
#include "daemon/netlink.h"
#include "daemon/privdrop.h"
#include "daemon/sockpol.h"
#include "daemon/sock.h"
#include "daemon/worker.h"
#include "ipsec/dpath.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/server.h"

#define IPSECD_CONF_DEFAULT "/etc/ipsecd/ipsecd.conf"
#define IPSECD_SAD_MAX 4000000u
#define IPSECD_SPD_MAX 1000000u
/* Seconds the start-up crypto self-test may spend timing (all of it). */
#define IPSECD_SELFTEST_SEC 0.5

static struct ipsecd ipsecd;

static struct event *ev_spd_changed;

uint64_t
ipsecd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Publish k as the knobs in force; free the old ones after a grace period. */
static void
knobs_publish(struct ipsecd *d, struct knobs *k)
{
	struct knobs *old = d->knobs;

	atomic_store_explicit(&d->wsh.dp.knobs, k, memory_order_release);
	d->knobs = k;
	if (old != NULL) {
		urcu_qsbr_synchronize_rcu();
		free(old);
	}
}

int
ipsecd_knob_set(
    struct ipsecd *d, const char *name, const char *value, const char **why)
{
	struct knobs *k;

	if ((k = malloc(sizeof(*k))) == NULL) {
		*why = "out of memory";
		return -1;
	}
	*k = *d->knobs;
	if (knobs_set(k, name, value, why) == -1) {
		free(k);
		return -1;
	}
	knobs_publish(d, k);
	log_info("knob %s set to %s", name, value);
	return 0;
}

static void
spd_changed_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	iface_policy_routes(arg);
}

void
ipsecd_spd_changed(struct ipsecd *d)
{
	/* Batched: one pass after a burst of changes (a bulk load). */
	if (ev_spd_changed != NULL)
		event_active(ev_spd_changed, 0, 0);
	else
		iface_policy_routes(d);
}

void
ipsecd_worker_totals(const struct ipsecd *d, struct worker_stats *sum)
{
	_Atomic uint64_t *dst = (_Atomic uint64_t *)sum;
	size_t n = sizeof(*sum) / sizeof(uint64_t);

	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < d->nworkers; w++) {
		const _Atomic uint64_t *src =
		    (const _Atomic uint64_t *)&d->workers[w].st;

		for (size_t i = 0; i < n; i++)
			dst[i] +=
			    atomic_load_explicit(&src[i], memory_order_relaxed);
	}
}

void
ipsecd_sa_crypto(const struct ipsecd *d, const struct sad_entry *e,
    struct dpath_sa_crypto *out)
{
	dpath_sa_crypto(e, d->nworkers, out);
}

static void
conf_error(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/* Collect this host's addresses into a new published set. */
struct addr_acc {
	struct addr *v;
	size_t n, cap;
};

static void
addr_acc_cb(const struct nl_addr *a, void *arg)
{
	struct addr_acc *acc = arg;
	struct addr *tmp;

	if (acc->n == acc->cap) {
		acc->cap = acc->cap == 0 ? 16 : 2 * acc->cap;
		if ((tmp = realloc(acc->v, acc->cap * sizeof(*tmp))) == NULL)
			return;
		acc->v = tmp;
	}
	if (acc->n < acc->cap)
		acc->v[acc->n++] = a->pfx.addr;
}

static void
locals_refresh(struct ipsecd *d)
{
	struct addr_acc acc = { NULL, 0, 0 };
	struct addrset *s, *old = d->locals;

	if (nl_addr_list(d->nl, AF_UNSPEC, addr_acc_cb, &acc) == -1) {
		log_warn("address list");
		free(acc.v);
		return;
	}
	s = addrset_new(acc.v, acc.n);
	free(acc.v);
	if (s == NULL) {
		log_warn("address list");
		return;
	}
	atomic_store_explicit(&d->wsh.locals, s, memory_order_release);
	d->locals = s;
	urcu_qsbr_synchronize_rcu();
	free(old);
}

static bool locals_dirty;

static void
nl_event_cb_fn(const struct nl_event *ev, void *arg)
{
	struct ipsecd *d = arg;

	switch (ev->type) {
	case NL_EV_NEWADDR:
	case NL_EV_DELADDR:
		locals_dirty = true;
		break;
	case NL_EV_DELLINK:
		for (unsigned i = 0; d->ifaces != NULL && i < d->ifaces->n; i++)
			if (d->ifaces->v[i]->ifindex == ev->ifindex)
				log_info("interface %s left this namespace "
					 "(moved or deleted): its queues stay "
					 "open and keep carrying traffic",
				    d->ifaces->v[i]->name);
		break;
	case NL_EV_NEWLINK:
		break;
	}
}

static void
mon_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipsecd *d = arg;

	(void)fd;
	(void)what;
	if (nl_mon_read(d->mon, nl_event_cb_fn, d) == -1 && errno != EAGAIN) {
		if (errno != ENOBUFS)
			log_warn("netlink monitor");
		locals_dirty = true;
	}
	if (locals_dirty) {
		locals_dirty = false;
		urcu_qsbr_thread_online();
		locals_refresh(d);
		iface_policy_routes(d);
		urcu_qsbr_thread_offline();
	}
}

/* Lifetimes: once a second, soft expiry makes an SA dying, hard kills. */
static void
expire_fn(struct sad *sad, struct sad_entry *e, unsigned tripped, void *arg)
{
	struct ipsecd *d = arg;

	(void)sad;
	log_debug("sa 0x%08x: %s lifetime reached", e->sa.spi,
	    (tripped & SAD_EXP_HARD) ? "hard" : "soft");
	/* EXPIRE to the key managers; a hard one deletes the SA. */
	pfkey_server_expire(d->pfkey, e, tripped);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipsecd *d = arg;

	(void)fd;
	(void)what;
	sad_expire_scan(d->sad, ipsecd_now(), expire_fn, d);
}

/*
 * The systemd watchdog (WatchdogSec= of the unit, passed as WATCHDOG_USEC):
 * pinged from the control thread's loop at half the interval, so a loop
 * that stops turning (a wedged reload, a deadlock) gets ipsecd restarted.
 */
static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

/* A persistent watchdog timer, or NULL when systemd asked for none. */
static struct event *
watchdog_new(struct event_base *base)
{
	struct event *ev;
	struct timeval half;
	uint64_t usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return NULL;
	usec /= 2;
	half.tv_sec = (time_t)(usec / 1000000);
	half.tv_usec = (suseconds_t)(usec % 1000000);
	if ((ev = event_new(base, -1, EV_PERSIST, watchdog_cb, NULL)) == NULL) {
		log_warnx("watchdog timer");
		return NULL;
	}
	if (event_add(ev, &half) == -1) {
		log_warnx("watchdog timer");
		event_free(ev);
		return NULL;
	}
	log_debug("watchdog every %llu.%06llu s",
	    (unsigned long long)half.tv_sec, (unsigned long long)half.tv_usec);
	return ev;
}

/* RELOADING=1 with the monotonic time systemd (253 and later) wants. */
static void
notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ull +
		(unsigned long long)ts.tv_nsec / 1000u);
}

static uint64_t
ctx_now(void *arg)
{
	(void)arg;
	return ipsecd_now();
}

static uint32_t
ctx_rand32(void *arg)
{
	struct ipsecd *d = arg;
	uint32_t r = 0;

	if (crypto_lib_rand(d->lib, &r, sizeof(r)) == -1)
		r = (uint32_t)random();
	return r;
}

static void
ctx_spd_changed(void *arg)
{
	ipsecd_spd_changed(arg);
}

/* The group allowed on the sockets; 0 (root only) when it does not exist. */
static gid_t
socket_gid(const struct conf *c)
{
	struct group *gr = getgrnam(c->group);

	if (gr == NULL) {
		log_warnx("group %s does not exist: the sockets are for root "
			  "only",
		    c->group);
		return 0;
	}
	return gr->gr_gid;
}

/*
 * Events from the workers (wevent.h), checked against the state the
 * control thread holds before anything is done with them.
 */
static void
wevent_acquire(struct ipsecd *d, const struct wevent *ev)
{
	struct spd_policy *pol = spd_lookup_id(d->spd, ev->u.acq.policy_id);

	if (pol == NULL || pol->dir != SPD_DIR_OUT ||
	    pol->action != SPD_ACTION_IPSEC)
		return;
	if (pfkey_server_acquire(d->pfkey, pol, &ev->u.acq.flow) == -1)
		log_debug("acquire for policy %u not sent", pol->id);
}

/*
 * SAs whose crypto failure was logged already (by serial: an update is
 * a new SA), so that each is logged once although every worker that
 * uses it reports it.  A small ring: an SA pushed out by many others
 * since may be logged again, which is harmless.
 */
#define CRYPTO_LOGGED 64
static uint64_t crypto_logged[CRYPTO_LOGGED];
static unsigned crypto_logged_next;

static bool
crypto_logged_check(uint64_t serial)
{
	for (unsigned i = 0; i < CRYPTO_LOGGED; i++)
		if (crypto_logged[i] == serial)
			return true;
	crypto_logged[crypto_logged_next++ % CRYPTO_LOGGED] = serial;
	return false;
}

/* A worker saw SA's provider fail (dpath.h, enum dpath_crypto_state). */
static void
wevent_crypto(struct ipsecd *d, const struct wevent *ev)
{
	struct sad_entry *e = sad_lookup_spi(
	    d->sad, ev->u.crypto.spi, ev->u.crypto.proto, &ev->u.crypto.dst);
	struct crypto_choice ch;
	const char *prov = "?";

	if (e == NULL || crypto_logged_check(e->serial))
		return;
	if (crypto_lib_choose(d->lib, &e->sa.key, CRYPTO_POLICY_UNSET, &ch) ==
	    0)
		prov = ch.enc.provider != NULL ? ch.enc.provider
		    : ch.auth.provider != NULL ? ch.auth.provider
					       : "?";
	if (ev->u.crypto.state == DPATH_CRYPTO_FALLBACK)
		log_warnx("sa 0x%08x: provider %s failed (worker %u): falling "
			  "back to software (offload prefer)",
		    e->sa.spi, prov, ev->u.crypto.worker);
	else
		log_warnx("sa 0x%08x: provider %s failed (worker %u): the SA "
			  "is stopped, its packets dropped until it is "
			  "replaced (offload require)",
		    e->sa.spi, prov, ev->u.crypto.worker);
}

static void
wevents_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipsecd *d = arg;
	struct wevent ev;
	uint64_t v;

	(void)what;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return;
	urcu_qsbr_thread_online();
	for (unsigned i = 0; i < d->nworkers; i++)
		while (wevent_get(&d->workers[i].events, &ev)) {
			switch ((enum wevent_type)ev.type) {
			case WEVENT_ACQUIRE:
				wevent_acquire(d, &ev);
				break;
			case WEVENT_NAT_MAPPING:
				ipsecd_nat_mapping(d, &ev);
				break;
			case WEVENT_CRYPTO:
				wevent_crypto(d, &ev);
				break;
			}
		}
	urcu_qsbr_thread_offline();
}

/*
 * The directory of a socket path, made 0755 when missing (e.g. /run/ipsecd)
 * and then given to the user ipsecd will run as, so that it can still
 * remove its sockets when it stops.  A directory that was there already
 * is left as it is (a socket ipsecd cannot remove at stop is replaced at
 * the next start).
 */
static void
socket_dir(const char *path, const char *user)
{
	char dir[CONF_SOCKPATH_MAX];
	const struct passwd *pw;

	memcpy(dir, path, sizeof(dir));
	dir[sizeof(dir) - 1] = '\0';
	if (mkdir(dirname(dir), 0755) == -1) {
		if (errno != EEXIST)
			log_warn("%s", dir);
		return;
	}
	if ((pw = getpwnam(user)) != NULL && pw->pw_uid != 0 &&
	    chown(dir, pw->pw_uid, (gid_t)-1) == -1)
		log_warn("%s", dir);
}

static int
pfkey_start(struct ipsecd *d)
{
	struct pfkey_ctx ctx;
	gid_t gid = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = d->sad;
	ctx.spd = d->spd;
	ctx.lib = d->lib;
	ctx.now = ctx_now;
	ctx.rand32 = ctx_rand32;
	ctx.spd_changed = ctx_spd_changed;
	ctx.arg = d;
	if ((d->pfkey = pfkey_server_new(&ctx, d->base)) == NULL) {
		log_warn("pfkey server");
		return -1;
	}
	gid = socket_gid(d->conf);
	socket_dir(d->conf->pfkey_socket, d->conf->user);
	socket_dir(d->conf->control_socket, d->conf->user);
	if (pfkey_server_listen(d->pfkey, d->conf->pfkey_socket, gid) == -1) {
		log_warn("pfkey socket %s", d->conf->pfkey_socket);
		return -1;
	}
	if ((d->control = control_new(d, d->conf->control_socket, gid)) ==
	    NULL) {
		log_warn("control socket %s", d->conf->control_socket);
		return -1;
	}
	if (incl_start(d, d->conf) == -1) {
		log_warnx(
		    "%s: include files have errors: not started", d->conf_path);
		return -1;
	}
	return 0;
}

static int
apply_conf_knobs(struct ipsecd *d, const struct conf *c)
{
	struct knobs *k;

	if ((k = malloc(sizeof(*k))) == NULL)
		return -1;
	*k = c->knobs;
	knobs_publish(d, k);
	return 0;
}

/* SIGHUP: a clean new configuration replaces the running one. */
static void
reload(struct ipsecd *d)
{
	struct conf *nc;

	log_info("reloading %s", d->conf_path);
	notify_reloading();
	if ((nc = conf_parse_file(d->conf_path, conf_error, NULL)) == NULL) {
		log_warnx("%s: errors: the running configuration is kept",
		    d->conf_path);
		sd_notify(0,
		    "READY=1\nSTATUS=reload refused: errors in "
		    "the configuration");
		return;
	}
	if (nc->workers != d->conf->workers ||
	    nc->tun_offload != d->conf->tun_offload ||
	    nc->natt_port != d->conf->natt_port ||
	    strcmp(nc->pfkey_socket, d->conf->pfkey_socket) != 0 ||
	    strcmp(nc->control_socket, d->conf->control_socket) != 0 ||
	    nc->mark.value != d->conf->mark.value ||
	    nc->mark.mask != d->conf->mark.mask ||
	    nc->table != d->conf->table ||
	    nc->rule_priority != d->conf->rule_priority)
		log_warnx("%s: workers, tun-offload, natt-port, sockets, "
			  "mark, table and rule-priority change only with a "
			  "restart",
		    d->conf_path);
	/*
	 * The library context is shared read-only by every worker and
	 * every SA's ciphers point into it: a new one would mean rekeying
	 * every SA on every worker.  So the running crypto section stays,
	 * as the sockets do, until a restart.
	 */
	if (!crypto_conf_same(&nc->crypto, &d->conf->crypto))
		log_warnx("%s: the crypto section changes only with a "
			  "restart: the running providers, queries and "
			  "offload policies are kept",
		    d->conf_path);
	if (incl_check(nc) == -1) {
		log_warnx("%s: include files have errors: the running "
			  "configuration is kept",
		    d->conf_path);
		conf_free(nc);
		sd_notify(0,
		    "READY=1\nSTATUS=reload refused: errors in "
		    "include files");
		return;
	}
	urcu_qsbr_thread_online();
	if (iface_reload(d, nc) == -1) {
		urcu_qsbr_thread_offline();
		log_warnx("%s: interfaces could not be applied: the running "
			  "configuration is kept",
		    d->conf_path);
		conf_free(nc);
		sd_notify(0, "READY=1\nSTATUS=reload failed");
		return;
	}
	if (incl_reload(d, nc) == -1) {
		/* Interfaces already moved on; SAs and policies did not. */
		log_warnx("%s: include files have errors: SAs and policies "
			  "are kept as they were",
		    d->conf_path);
	}
	apply_conf_knobs(d, nc);
	natt_reload(d, nc->natt_keepalive_sec);
	/* Settings that need a restart keep their running values. */
	nc->workers = d->conf->workers;
	nc->tun_offload = d->conf->tun_offload;
	nc->natt_port = d->conf->natt_port;
	memcpy(
	    nc->pfkey_socket, d->conf->pfkey_socket, sizeof(nc->pfkey_socket));
	memcpy(nc->control_socket, d->conf->control_socket,
	    sizeof(nc->control_socket));
	nc->mark = d->conf->mark;
	nc->table = d->conf->table;
	nc->rule_priority = d->conf->rule_priority;
	crypto_conf_clear(&nc->crypto);
	nc->crypto = d->conf->crypto;
	crypto_conf_init(&d->conf->crypto);
	conf_free(d->conf);
	d->conf = nc;
	iface_policy_routes(d);
	urcu_qsbr_thread_offline();
	log_info("reloaded %s", d->conf_path);
	sd_notifyf(0, "READY=1\nSTATUS=running: %u workers, %u interfaces",
	    d->nworkers, d->ifaces->n);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ipsecd *d = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		reload(d);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: exiting", (int)sig);
		event_base_loopbreak(d->base);
		break;
	default:
		break;
	}
}

static unsigned
worker_count(const struct conf *c)
{
	long n =
	    c->workers != 0 ? (long)c->workers : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;
	return (unsigned)n;
}

/* Open the workers' sockets; -1 after logging. */
static int
workers_init(struct ipsecd *d)
{
	struct worker *w;

	d->wsh.mark = d->conf->mark.value;
	if ((d->wsh.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("eventfd");
		return -1;
	}
	d->wsh.nworkers = d->nworkers;
	if ((d->workers = calloc(d->nworkers, sizeof(*d->workers))) == NULL) {
		log_warn("workers");
		return -1;
	}
	for (unsigned i = 0; i < d->nworkers; i++)
		if (worker_init(
			&d->workers[i], &d->wsh, i, d->conf->natt_port) == -1) {
			log_warn("worker %u: sockets", i);
			return -1;
		}
	/* Every worker's UDP socket has joined: attach the steering. */
	w = &d->workers[0];
	if (w->rx[WORKER_UDP4] != NULL &&
	    sock_udp_steer(w->rx[WORKER_UDP4], d->nworkers, d->nworkers) == -1)
		log_warn("udp steering (IPv4)");
	if (w->rx[WORKER_UDP6] != NULL &&
	    sock_udp_steer(w->rx[WORKER_UDP6], d->nworkers, d->nworkers) == -1)
		log_warn("udp steering (IPv6)");
	return 0;
}

static void
workers_stop(struct ipsecd *d)
{
	for (unsigned i = 0; d->workers != NULL && i < d->nworkers; i++)
		worker_stop(&d->workers[i]);
}

static void
workers_free(struct ipsecd *d)
{
	for (unsigned i = 0; d->workers != NULL && i < d->nworkers; i++)
		worker_clear(&d->workers[i]);
	free(d->workers);
	d->workers = NULL;
	if (d->wsh.evfd > 0)
		close(d->wsh.evfd);
	d->wsh.evfd = -1;
}

static void
check_error(void *arg, const char *msg)
{
	fprintf(arg, "%s\n", msg);
}

/*
 * -n: the configuration, then its include files (incl_check, whose
 * errors are logged to stderr), as a start would read them: a setkey
 * error in an include file stops ipsecd at start, so it fails the check.
 * Then the crypto section's providers are loaded and its queries parsed
 * into a library context that is thrown away (crypto_lib_open), since a
 * provider that cannot load stops ipsecd at start too.
 */
static int
check_only(const char *path)
{
	struct conf *c;
	struct crypto_lib *lib;
	int rc = 0;

	if ((c = conf_parse_file(path, check_error, stdout)) == NULL)
		return 1;
	if (incl_check(c) == -1)
		rc = 1;
	/* The providers load and the queries parse as at start. */
	lib = crypto_lib_open(&c->crypto, c->file, check_error, stdout);
	if (lib == NULL)
		rc = 1;
	crypto_lib_free(lib);
	conf_free(c);
	if (rc == 0)
		printf("configuration OK\n");
	return rc;
}

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: ipsecd [-dnv] [-f file]\n");
	exit(2);
}

/*
 * One info line per hardware implementation in use, one per hardware
 * implementation that failed its self-test, and one line listing what
 * the offload policy leaves unusable (ipsecctl show crypto says why).
 */
static void
crypto_log_caps(const struct crypto_lib *lib)
{
	static struct crypto_cap caps[CRYPTO_CAPS_MAX];
	size_t n = crypto_lib_caps(lib, caps, CRYPTO_CAPS_MAX), o = 0;
	char unusable[512] = "";

	for (size_t i = 0; i < n; i++) {
		const struct crypto_cap *c = &caps[i];

		if (c->impl.is_hw)
			log_info("crypto: %s %u-bit on %s (hardware%s), "
				 "%.0f ops/s",
			    c->alg->name, c->key_bits, c->impl.provider,
			    c->impl.is_async ? ", async" : "", c->ops_per_sec);
		else if (!c->is_selftest_ok)
			log_warnx("crypto: %s", c->note);
		if (!c->is_usable && o < sizeof(unusable))
			o += (size_t)snprintf(unusable + o,
			    sizeof(unusable) - o, "%s%s/%u", o == 0 ? "" : " ",
			    c->alg->name, c->key_bits);
	}
	if (o > 0)
		log_info("crypto: not usable under the offload policy: %s",
		    unusable);
}

static double
mono_sec(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The crypto section: its providers loaded into ipsecd's own library
 * context (errors as "file:line: message"), then the start-up self-test,
 * which disables a hardware implementation that computes wrong results.
 */
static int
crypto_init(struct ipsecd *d)
{
	int ndisabled;

	d->lib =
	    crypto_lib_open(&d->conf->crypto, d->conf->file, conf_error, NULL);
	if (d->lib == NULL) {
		log_warnx("%s: crypto providers: not started", d->conf_path);
		return -1;
	}
	ndisabled =
	    crypto_lib_selftest(d->lib, mono_sec, NULL, IPSECD_SELFTEST_SEC);
	if (ndisabled == -1) {
		log_warnx("crypto: the software self-test failed: OpenSSL "
			  "is broken, not started");
		return -1;
	}
	if (ndisabled > 0)
		log_warnx("crypto: %d hardware implementations failed the "
			  "self-test and are not used (ipsecctl show crypto "
			  "says which)",
		    ndisabled);
	crypto_log_caps(d->lib);
	return 0;
}

/* State that exists before the workers: tables, crypto, netlink. */
static int
core_init(struct ipsecd *d)
{
	if (crypto_init(d) == -1)
		return -1;
	if (crypto_lib_rand(d->lib, &d->seed, sizeof(d->seed)) == -1) {
		log_warnx("crypto: no random numbers");
		return -1;
	}
	d->sad = sad_new(d->seed, IPSECD_SAD_MAX);
	d->spd = spd_new(d->seed ^ 0x5bd1e995u, IPSECD_SPD_MAX);
	if (d->sad == NULL || d->spd == NULL) {
		log_warnx("out of memory for the SAD and SPD");
		return -1;
	}
	if ((d->sockpols = sockpol_new()) == NULL) {
		log_warnx("out of memory for socket policies");
		return -1;
	}
	d->nworkers = worker_count(d->conf);
	sad_wstate_setup(d->sad, d->nworkers, dpath_wstate_free);
	d->wsh.dp.sad = d->sad;
	d->wsh.dp.spd = d->spd;
	d->wsh.dp.lib = d->lib;
	if (apply_conf_knobs(d, d->conf) == -1)
		return -1;
	if ((d->nl = nl_open()) == NULL || (d->mon = nl_mon_open()) == NULL) {
		log_warn("netlink");
		return -1;
	}
	locals_refresh(d);
	return 0;
}

static void
core_free(struct ipsecd *d)
{
	sad_free(d->sad);
	spd_free(d->spd);
	crypto_lib_free(d->lib);
	if (d->mon != NULL)
		nl_mon_close(d->mon);
	if (d->nl != NULL)
		nl_close(d->nl);
	free(d->knobs);
	free(d->sockpols);
	free(d->locals);
	free(d->polroutes);
}

static int
run(struct ipsecd *d)
{
	struct event *sigs[4], *tick, *mon, *wev, *wdog;
	static const int signums[] = { SIGHUP, SIGTERM, SIGINT, SIGPIPE };
	struct timeval one = { 1, 0 };
	int rc = 1;

	if ((d->base = event_base_new()) == NULL) {
		log_warnx("event base");
		return 1;
	}
	for (size_t i = 0; i < 4; i++) {
		sigs[i] = evsignal_new(d->base, signums[i], signal_cb, d);
		event_add(sigs[i], NULL);
	}
	tick = event_new(d->base, -1, EV_PERSIST, tick_cb, d);
	event_add(tick, &one);
	mon = event_new(
	    d->base, nl_mon_fd(d->mon), EV_READ | EV_PERSIST, mon_cb, d);
	event_add(mon, NULL);
	ev_spd_changed = event_new(d->base, -1, 0, spd_changed_cb, d);
	wev = event_new(
	    d->base, d->wsh.evfd, EV_READ | EV_PERSIST, wevents_cb, d);
	event_add(wev, NULL);
	wdog = watchdog_new(d->base);

	sd_notify(0, "STATUS=starting: interfaces");
	if (iface_start(d) == -1 || natt_init(d) == -1)
		goto out;
	urcu_qsbr_thread_offline();
	sd_notify(0, "STATUS=starting: sockets and include files");
	if (pfkey_start(d) == -1) {
		urcu_qsbr_thread_online();
		goto stop_ifaces;
	}
	urcu_qsbr_thread_online();
	if (privdrop(d->conf->user) == -1) {
		if (errno == ENOENT &&
		    strcmp(d->conf->user, CONF_DEFAULT_USER) == 0)
			log_warnx("user %s does not exist: staying root with "
				  "only CAP_NET_ADMIN, CAP_NET_RAW and "
				  "CAP_DAC_READ_SEARCH",
			    d->conf->user);
		else {
			log_warn("privilege drop to %s", d->conf->user);
			goto stop_ifaces;
		}
		if (privdrop(NULL) == -1) {
			log_warn("capabilities");
			goto stop_ifaces;
		}
	}
	for (unsigned i = 0; i < d->nworkers; i++)
		if (worker_start(&d->workers[i]) == -1) {
			log_warn("worker %u", i);
			goto stop_workers;
		}
	urcu_qsbr_thread_offline();
	log_info(
	    "started: %u workers, %u interfaces", d->nworkers, d->ifaces->n);
	sd_notifyf(0, "READY=1\nSTATUS=running: %u workers, %u interfaces",
	    d->nworkers, d->ifaces->n);
	event_base_dispatch(d->base);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: removing interfaces");
	urcu_qsbr_thread_online();
	rc = 0;
stop_workers:
	workers_stop(d);
stop_ifaces:
	incl_free(d);
	control_free(d->control);
	d->control = NULL;
	natt_free(d->natt);
	d->natt = NULL;
	pfkey_server_free(d->pfkey);
	d->pfkey = NULL;
	iface_stop(d);
out:
	if (rc != 0)
		sd_notify(0, "STATUS=failed to start: see the log");
	for (size_t i = 0; i < 4; i++)
		event_free(sigs[i]);
	event_free(tick);
	event_free(mon);
	event_free(wev);
	if (wdog != NULL)
		event_free(wdog);
	event_free(ev_spd_changed);
	ev_spd_changed = NULL;
	event_base_free(d->base);
	d->base = NULL;
	return rc;
}

int
main(int argc, char **argv)
{
	struct ipsecd *d = &ipsecd;
	bool is_check = false;
	int ch, rc;

	d->conf_path = IPSECD_CONF_DEFAULT;
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			d->is_foreground = true;
			break;
		case 'f':
			d->conf_path = optarg;
			break;
		case 'n':
			is_check = true;
			break;
		case 'v':
			d->verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (is_check)
		return check_only(d->conf_path);
	log_init("ipsecd", d->is_foreground, d->verbose);
	privdrop_nodump();
	if ((d->conf = conf_parse_file(d->conf_path, conf_error, NULL)) ==
	    NULL) {
		log_warnx("%s: not started", d->conf_path);
		return 1;
	}
	d->start_sec = ipsecd_now();
	urcu_qsbr_register_thread();
	rc = 1;
	if (core_init(d) == 0 && workers_init(d) == 0)
		rc = run(d);
	workers_free(d);
	core_free(d);
	urcu_qsbr_unregister_thread();
	conf_free(d->conf);
	log_info("stopped");
	return rc;
}
