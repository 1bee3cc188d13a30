#ifndef IPSECD_PFKEY_SERVER_INT_H
#define IPSECD_PFKEY_SERVER_INT_H

/*
 * Private to src/pfkey/server*.c: the server's state and the functions
 * its files share.  Not an API (server.h is).
 *
 *   server.c       sockets: listen, accept and peer checks, receive,
 *                  dispatch, inject, free
 *   server_send.c  delivery: af_key's broadcast rules, per-client queues,
 *                  flow control, dumps across event-loop turns
 *   server_sa.c    SA messages: GETSPI UPDATE ADD DELETE GET FLUSH DUMP
 *                  REGISTER X_PROMISC
 *   server_spd.c   SPD messages: X_SPDADD/UPDATE/SETIDX, X_SPDDELETE(2),
 *                  X_SPDGET, X_SPDFLUSH, X_SPDDUMP, X_MIGRATE; reqids
 *   server_acq.c   kernel-originated messages and acquire states:
 *                  ACQUIRE both ways, EXPIRE, NEW_MAPPING, the tick
 *   server_plife.c policy lifetimes, kept beside the SPD by policy id
 *   server_load.c  setkey files through inject
 */
#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_msg.h"
#include "pfkey/server.h"

struct event;
struct sad_cursor;
struct spd_cursor;

/* Largest message the server composes (an SA with keys is under 512). */
#define SRV_COMPOSE_MAX 8192u
/* Messages taken from one client per readable event (fairness). */
#define SRV_READ_BATCH 64
/* Dump messages produced per writable event before yielding. */
#define SRV_DUMP_BATCH 256
/* Hash buckets of the policy lifetimes (server_plife.c). */
#define SRV_PLIFE_BUCKETS 1024

/* af_key's pfkey_broadcast targets. */
enum srv_bcast {
	SRV_ONE,	  /* the requester only */
	SRV_ALL,	  /* every socket */
	SRV_REGISTERED,	  /* sockets registered for the satype, + one */
	SRV_PROMISC_ONLY, /* promiscuous sockets only */
	SRV_ONLY,	  /* the requester, no promiscuous copies */
};

/* One queued message (wiped when freed: it may hold keys). */
struct srv_msg {
	struct srv_msg *next;
	size_t len;
	uint8_t data[];
};

/*
 * A dump in progress.  The message composed last is held back (pending)
 * until the next one exists, so the last one can be sent with seq 0, as
 * af_key's pfkey_do_dump does; no SAD or SPD pointer is kept across
 * event-loop turns, only the cursor.
 */
struct srv_dump {
	bool is_spd;
	uint8_t proto; /* SA dump: IPPROTO_*, 0 = all */
	struct pfkey_filter filter;
	struct pfkey_hdr req; /* the request (version, pid, type) */
	struct sad_cursor *sc;
	struct spd_cursor *pc;
	uint32_t left;	    /* seq for the message after pending */
	size_t count;	    /* messages produced */
	size_t pending_len; /* 0 = none */
	uint8_t *pending;   /* SRV_COMPOSE_MAX bytes */
};

struct srv_client {
	struct pfkey_server *srv;
	struct srv_client *next;
	int fd; /* -1 for the internal client */
	struct event *ev_read;
	struct event *ev_write;
	uid_t uid;
	pid_t pid;
	uint32_t registered; /* bit (1 << satype) per REGISTER */
	bool is_promisc;
	bool is_dead;	 /* to be closed when the event ends */
	bool is_writing; /* ev_write is pending */
	struct srv_msg *head;
	struct srv_msg *tail;
	size_t queued; /* bytes in the queue */
	uint64_t drops;
	struct srv_dump *dump;
};

/*
 * An acquire state (Linux: an xfrm_state in XFRM_STATE_ACQ): an ACQUIRE
 * was sent for (policy, template, endpoints); a GETSPI may adopt it (spi
 * is then that larval SA's), a negative ACQUIRE fails it.
 */
struct srv_acq {
	struct srv_acq *next;
	uint32_t seq;
	uint32_t policy_id;
	uint8_t tmpl;
	uint8_t proto;
	uint8_t mode;
	bool is_failed;
	uint32_t reqid;
	uint32_t spi; /* adopting GETSPI's larval SA, 0 = none yet */
	struct addr src;
	struct addr dst;
	uint64_t expires_sec;
};

/*
 * The lifetimes of policy id, added at add_sec (an entry whose add_sec is
 * not the policy's is stale: the policy was replaced).
 */
struct srv_plife {
	struct srv_plife *next;
	uint32_t id;
	uint64_t add_sec;
	struct pfkey_policy_life life;
};

struct pfkey_server {
	struct pfkey_ctx ctx;
	struct event_base *base;
	struct event *ev_tick;
	int lfd;
	struct event *ev_listen;
	char path[108];
	gid_t gid;
	struct srv_client *clients;
	struct srv_client internal; /* inject's sender */
	uint8_t *rbuf;		    /* PFKEY_SERVER_MSG_MAX + 1 bytes */
	struct srv_acq *acqs;
	size_t nacqs;
	struct srv_plife *plife[SRV_PLIFE_BUCKETS];
	size_t nplife;
	uint32_t kseq;		/* seq of kernel-originated messages */
	uint32_t reqid;		/* last reqid picked (af_key gen_reqid) */
	bool has_reqid_wrapped; /* picks must now check the SPD */
	bool in_dispatch;	/* dead clients are reaped when it ends */
	struct pfkey_server_stats st;
};

/* A handler: 0, or the errno of the error reply with err->why set. */
typedef int (*srv_handler)(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_msg *m, struct pfkey_err *err);

/* server_sa.c */
int srv_getspi(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_add(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_delete(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_get(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_flush(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_dump(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_register(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_promisc(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);

/* server_spd.c */
int srv_spdadd(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_spddelete(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_spdget(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_spdflush(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_spddump(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
int srv_migrate(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
void srv_spd_changed(struct pfkey_server *s);

/* server_acq.c */
int srv_user_acquire(struct pfkey_server *, struct srv_client *,
    const struct pfkey_msg *, struct pfkey_err *);
struct srv_acq *srv_acq_by_seq(
    struct pfkey_server *s, uint32_t seq, const struct addr *dst);
struct srv_acq *srv_acq_by_sa(struct pfkey_server *s, uint8_t proto,
    uint8_t mode, uint32_t reqid, const struct addr *src,
    const struct addr *dst);
void srv_acq_done(struct pfkey_server *s, struct srv_acq *a);
void srv_acq_flush(struct pfkey_server *s, uint8_t proto);
void srv_acq_free_all(struct pfkey_server *s);
uint32_t srv_next_seq(struct pfkey_server *s);

/* server_plife.c */
const struct pfkey_policy_life *srv_plife_lookup(
    struct pfkey_server *s, const struct spd_policy *p);
int srv_plife_set(struct pfkey_server *s, const struct spd_policy *p,
    const struct pfkey_policy_life *life);
void srv_plife_forget(struct pfkey_server *s, uint32_t id);
void srv_plife_free_all(struct pfkey_server *s);
size_t srv_plife_tick(struct pfkey_server *s, uint64_t now);

/* server_send.c */
void srv_deliver(struct pfkey_server *s, const uint8_t *msg, size_t len,
    enum srv_bcast how, struct srv_client *one, uint8_t satype);
void srv_error(struct pfkey_server *s, struct srv_client *c,
    const struct pfkey_hdr *h, int code, enum srv_bcast how);
void srv_client_flush(struct srv_client *c);
void srv_client_clear(struct srv_client *c);
int srv_dump_start(struct pfkey_server *s, struct srv_client *c,
    struct srv_dump *d, struct pfkey_err *err);
void srv_dump_step(struct srv_client *c);
void srv_dump_free(struct pfkey_server *s, struct srv_dump *d);
bool srv_alg_usable(const struct alg *a, void *arg);
/*
 * In a REGISTER or ACQUIRE message of len bytes composed by us, narrow
 * every algorithm's key range (sadb_alg, sadb_comb) to the sizes usable
 * under the offload policy (crypto_lib_usable_bits); the builder wrote
 * the table's whole range.  Nothing changes without a library.
 */
void srv_alg_narrow(uint8_t *msg, size_t len, const struct crypto_lib *lib);

/* server.c */
void srv_client_kill(struct srv_client *c);
void srv_reap(struct pfkey_server *s);

/* The header of a reply to the request h: same version, pid, seq. */
struct pfkey_hdr srv_reply_hdr(
    const struct pfkey_hdr *h, uint8_t type, uint8_t satype);

#endif
