#ifndef IPSECD_DAEMON_WORKER_H
#define IPSECD_DAEMON_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec/dpath.h"
#include "daemon/wevent.h"
#include "ipsec/verdict.h"

struct addrset;
struct crypto_queue;
struct iface_table;
struct worker_jobs;
struct pbuf_pool;
struct send_group;
struct worker_hold;
struct worker_rate;
struct sock;

/*
 * Workers: one thread per core (DESIGN.md), each with its own queue of
 * every ipsecN device, its own raw and UDP sockets (the kernel steers each
 * SA's packets to one worker, sock.h), its own packet pool and its own
 * per-SA ciphers (dpath.h).  A worker blocks in epoll_wait on its
 * descriptors, then moves batches:
 *
 *   device queue --tun_read--> dpath_output --sock_send--> raw / UDP
 *   raw / UDP --sock_recv--> dpath_input --tun_write--> device queue
 *
 * It reads the shared state (SAD, SPD, knobs, the interface table, the
 * local addresses) as a QSBR reader: offline while it waits, online while
 * it works, announcing a quiescent state after each round of events, so
 * nothing it borrowed outlives the round.  Epoll events carry tags, never
 * pointers: after a wake-up the worker finds the descriptor again in the
 * interface table it reads then, so a device removed meanwhile is never
 * touched.
 *
 * Crypto (worker.c, "crypto pipeline"): a packet whose cipher is
 * synchronous is encrypted or decrypted inline, as before; one whose
 * cipher is asynchronous (an accelerator's provider) becomes a job in
 * the worker's crypto queue, and the worker goes on with other packets
 * until the queue's descriptor says the job can go on.  While jobs are
 * in flight the worker stays online (they borrow SAs) and polls with a
 * short timeout; it drains them at least every WORKER_QS_MS to announce
 * a quiescent state.
 *
 * The control thread never blocks a worker.  It publishes a new interface
 * table, then calls worker_sync to wake every worker and wait until each
 * has re-registered its descriptors against that table (so a removed
 * device's queues are no longer polled), then waits for a grace period
 * before closing them.
 */

/* Sockets of one worker, opened before privileges are dropped. */
enum {
	WORKER_RAW_ESP4,
	WORKER_RAW_AH4,
	WORKER_RAW_COMP4,
	WORKER_RAW_ESP6,
	WORKER_RAW_AH6,
	WORKER_RAW_COMP6,
	WORKER_UDP4,
	WORKER_UDP6,
	WORKER_NRX
};

/* Counters one worker writes and the control thread reads. */
struct worker_stats {
	_Atomic uint64_t tun_rx;    /* plaintext packets read */
	_Atomic uint64_t tun_tx;    /* plaintext packets written */
	_Atomic uint64_t sock_rx;   /* IPsec packets received */
	_Atomic uint64_t sock_tx;   /* IPsec packets sent */
	_Atomic uint64_t bypass_tx; /* sent in the clear (bypass, use) */
	_Atomic uint64_t icmp_tx;   /* ICMP too-big errors to senders */
	_Atomic uint64_t keepalive; /* NAT-keepalives received */
	_Atomic uint64_t ike;	    /* IKE packets no IKE daemon took */
	_Atomic uint64_t runt;	    /* UDP on the NAT-T port, not ESP/IKE */
	_Atomic uint64_t send_err;  /* the kernel refused a send */
	_Atomic uint64_t no_iface;  /* decapsulated, no interface for it */
	_Atomic uint64_t held;	     /* waited for an SA (ACQUIRE) */
	_Atomic uint64_t held_sent;  /* ... and were sent once it came */
	_Atomic uint64_t held_dropped; /* ... timed out or queue full */
	_Atomic uint64_t acquires;   /* ACQUIRE requests to the control */
	_Atomic uint64_t nat_changes; /* NAT mapping changes seen */
	/* The crypto pipeline (worker.c): asynchronous ciphers only. */
	_Atomic uint64_t crypto_async;	    /* ops handed to the queue */
	_Atomic uint64_t crypto_done;	    /* ... and completed */
	_Atomic uint64_t crypto_queue_full; /* packets dropped: no room */
	_Atomic uint64_t crypto_errors;	    /* ops the provider failed */
	_Atomic uint64_t crypto_failovers;  /* SAs that fell back or stopped */
	/* The most ops in flight at once on this worker (a high-water mark). */
	_Atomic uint64_t crypto_inflight_max;
	_Atomic uint64_t out_drops[IPSEC_VERDICT_COUNT];
	_Atomic uint64_t in_drops[IPSEC_VERDICT_COUNT];
};

/* What every worker reads; owned by the daemon. */
struct worker_shared {
	struct dpath_shared dp;
	struct iface_table *_Atomic ifaces;
	struct addrset *_Atomic locals;
	uint32_t mark; /* the daemon's outer-packet mark */
	unsigned nworkers;
	int evfd; /* the control thread's: workers write after wevent_put */
};

struct worker {
	unsigned index;
	struct worker_shared *sh;
	pthread_t thread;
	bool is_running;
	int epfd;
	int evfd;		     /* wake-up from the control thread */
	struct sock *rx[WORKER_NRX]; /* NULL where a family is unavailable */
	struct sock *tx4, *tx6;	     /* raw hdrincl send sockets */
	struct pbuf_pool *pool;
	struct dpath dp;
	int probe4, probe6;	      /* path MTU probes (worker.c) */
	uint32_t frag_id;	      /* IPv6 fragment identification */
	struct send_group *g;	      /* 4 send groups (worker.c) */
	uint64_t synced_gen;	    /* interface table this worker polls */
	_Atomic uint64_t acked_gen; /* published after each sync */
	_Atomic bool stop;
	struct worker_stats st;
	struct wevent_ring events;    /* to the control thread */
	struct worker_hold *hold;     /* packets waiting for an SA */
	struct worker_rate *rate;     /* event rate limits (worker.c) */
	/*
	 * The crypto stage: made and freed by the worker's thread (ASYNC
	 * jobs belong to it), NULL outside it; and the packets whose crypto
	 * is in flight there (worker.c, "crypto pipeline").
	 */
	struct crypto_queue *cq;
	struct worker_jobs *jobs;
};

/*
 * Open worker index's sockets (needs CAP_NET_RAW / CAP_NET_ADMIN: before
 * privileges are dropped) and its pool.  natt_port 0 = no ESP-in-UDP.
 * -1 with errno when a socket cannot be opened; the family of a missing
 * IPv6 stack is skipped (its sockets stay NULL) rather than failing.
 */
int worker_init(struct worker *w, struct worker_shared *sh, unsigned index,
    uint16_t natt_port);

/* Start the thread; -1 with errno. */
int worker_start(struct worker *w);

/*
 * Wake every worker and wait until each has registered the descriptors
 * of the interface table with generation gen (or stopped).  Waits at
 * most timeout_ms; false on time-out.
 */
bool worker_sync(
    struct worker *ws, unsigned n, uint64_t gen, unsigned timeout_ms);

/* Ask the thread to stop, join it, close everything. */
void worker_stop(struct worker *w);
void worker_clear(struct worker *w);

#endif
