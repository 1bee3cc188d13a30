#ifndef IPSECD_DAEMON_WEVENT_H
#define IPSECD_DAEMON_WEVENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/selector.h"

/*
 * Events a worker hands to the control thread: a typed message with an
 * explicit owner (STYLE.md section 6), through one bounded ring per
 * worker (single producer: the worker; single consumer: the control
 * thread), with an eventfd the control thread polls.  When a ring is full
 * the event is dropped and counted: an ACQUIRE is asked again by the next
 * packet, a NAT mapping change is seen again on the next packet.
 *
 * The control thread checks every event against the state it holds (the
 * policy may be gone, the SA replaced) before acting on it.
 */
enum wevent_type {
	WEVENT_ACQUIRE,	    /* a packet needed an SA that is missing */
	WEVENT_NAT_MAPPING, /* ESP-in-UDP arrived from a new address/port */
	WEVENT_CRYPTO,	    /* an SA's provider failed: fell back or stopped */
};

struct wevent {
	uint8_t type; /* enum wevent_type */
	union {
		struct {
			uint32_t policy_id;
			struct selector_key flow;
		} acq;
		struct {
			uint32_t spi; /* the inbound SA's */
			struct addr dst;
			struct addr src; /* the new peer address */
			uint16_t sport;	 /* and port */
		} nat;
		struct {
			uint32_t spi;
			uint8_t proto;
			uint8_t state; /* enum dpath_crypto_state */
			unsigned worker;
			struct addr dst;
		} crypto;
	} u;
};

#define WEVENT_RING 256 /* a power of two */

struct wevent_ring {
	_Atomic uint32_t head; /* next to write (worker) */
	_Atomic uint32_t tail; /* next to read (control thread) */
	_Atomic uint64_t dropped;
	struct wevent ev[WEVENT_RING];
};

/*
 * Worker: queue ev; false (and counted) when the ring is full.  The
 * caller then wakes the control thread (an eventfd write).
 */
bool wevent_put(struct wevent_ring *r, const struct wevent *ev);

/* Control thread: take the oldest event; false when none. */
bool wevent_get(struct wevent_ring *r, struct wevent *ev);

#endif
