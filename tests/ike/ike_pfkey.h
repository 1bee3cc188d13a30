#ifndef IPSECD_TESTS_IKE_PFKEY_H
#define IPSECD_TESTS_IKE_PFKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/*
 * The PF_KEY side of ike_peer, the test key manager: what an IKE daemon
 * sends and reads on a plain socket(PF_KEY, SOCK_RAW, PF_KEY_V2), built
 * and parsed with ipsecd's own codec (pfkey_build.h, pfkey_msg.h).  It
 * knows nothing of the shim: under LD_PRELOAD the socket is ipsecd's.
 *
 * A request is sent and its reply waited for (the message with our pid
 * and the request's seq and type); events that arrive meanwhile (ACQUIRE,
 * EXPIRE, X_NAT_T_NEW_MAPPING) are kept for ikp_event.  Messages are read
 * as racoon reads them: the header peeked first, then exactly
 * sadb_msg_len * 8 bytes.
 */
#define IKP_QUEUE 64
#define IKP_MSG_MAX 65536

struct ikp {
	int fd;
	uint32_t pid;
	uint32_t seq;
	size_t nq;
	uint8_t *q[IKP_QUEUE];
	size_t qlen[IKP_QUEUE];
	unsigned dropped; /* events that did not fit the queue */
};

/* One SA to install (ADD or UPDATE). */
struct ikp_sa {
	uint32_t spi; /* host order */
	struct addr src;
	struct addr dst;
	uint8_t mode; /* IPSEC_MODE_* */
	uint32_t reqid;
	bool is_udp; /* ESP-in-UDP with sport, dport (host order) */
	uint16_t sport;
	uint16_t dport;
	struct addr oa;	   /* X_NAT_T_OA; family 0 = none */
	uint64_t soft_sec; /* add-time lifetimes, 0 = none */
	uint64_t hard_sec;
	uint8_t key[20]; /* AES-GCM-16: 16 bytes of key, 4 of salt */
};

/* A policy to install (X_SPDADD or X_SPDUPDATE). */
struct ikp_pol {
	struct prefix src;
	struct prefix dst;
	uint8_t dir;	  /* IPSEC_DIR_INBOUND or _OUTBOUND */
	uint8_t mode;	  /* of the ESP request */
	struct addr tsrc; /* tunnel endpoints (tunnel mode) */
	struct addr tdst;
	uint32_t reqid; /* level unique with it */
};

/* What ikp_event returns. */
struct ikp_event {
	uint8_t type; /* SADB_ACQUIRE, SADB_EXPIRE, SADB_X_NAT_T_NEW_MAPPING */
	uint32_t seq;
	bool is_hard;	 /* EXPIRE: LIFETIME_HARD present */
	uint32_t spi;	 /* EXPIRE, NEW_MAPPING */
	struct addr src; /* ACQUIRE, NEW_MAPPING: ADDRESS_SRC, DST */
	struct addr dst;
	uint16_t sport;	    /* NEW_MAPPING: the old port (X_NAT_T_SPORT) */
	uint16_t dport;	    /* NEW_MAPPING: the new port (X_NAT_T_DPORT) */
	uint32_t policy_id; /* ACQUIRE */
	bool has_sa2;	    /* NEW_MAPPING carries X_SA2 */
};

/* Open the socket; -1 with errno. */
int ikp_open(struct ikp *k);
void ikp_close(struct ikp *k);

/*
 * Each returns 0, or the errno of the reply (ETIMEDOUT when none came
 * within two seconds, EPROTO when it was malformed).
 */
int ikp_register(struct ikp *k, uint8_t satype);
int ikp_getspi(
    struct ikp *k, const struct ikp_sa *sa, uint32_t seq, uint32_t *spi);
int ikp_add(struct ikp *k, uint8_t type, const struct ikp_sa *sa);
int ikp_spdadd(struct ikp *k, uint8_t type, const struct ikp_pol *p);

/*
 * Take the next event, reading what the socket has without waiting:
 * 1 with *ev, 0 when none, -1 on a socket error.
 */
int ikp_event(struct ikp *k, struct ikp_event *ev);

#endif
