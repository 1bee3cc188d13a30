#ifndef IPSECD_TESTS_CTL_CTL_STATE_H
#define IPSECD_TESTS_CTL_CTL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/daemon.h"
#include "daemon/iface.h"
#include "ipsec/knobs.h"

/*
 * A daemon state made by the tests of the control socket (unit tests,
 * the tests/ctl harness, the fuzz target): a real SAD, SPD, knob set,
 * interface table and worker counters with known values, and the
 * definitions of the daemon functions control.c calls (ipsecd_now,
 * ipsecd_knob_set, ipsecd_worker_totals), which ipsecd.c has in the
 * daemon itself.
 *
 * The SAs (all with keys whose bytes count up from CTL_KEY_BYTE0):
 *   0x00001000 esp tunnel    192.0.2.1 -> 192.0.2.2   aes-gcm-16 128 bit,
 *              reqid 1, mature, 10 packets, 1500 bytes, seq_out 10,
 *              drops: replay 2, icv 1
 *   0x00002000 esp transport 2001:db8::1 -> 2001:db8::2  aes-cbc 128 +
 *              hmac-sha256, esn, udp-encap 4500 -> 4501, dying, if_id 7
 *   0x00003000 ah  tunnel    192.0.2.2 -> 192.0.2.1   hmac-sha1, larval
 *   0x00004000 ipcomp tunnel 192.0.2.1 -> 192.0.2.2   deflate
 *   then nbulk ESP SAs with SPIs from CTL_BULK_SPI0, in order.
 * The policies: out 10.1.0.0/16 -> 10.2.0.0/16 ipsec esp tunnel reqid 1
 *   (5 packets, 500 bytes), in 10.2.0.0/16 -> 10.1.0.0/16 ipsec, and fwd
 *   discard for tcp port 22 over ::/0.
 * Interfaces: ipsec0 (default, key 0) and ipsec1 (reqid 1), two workers:
 *   ipsec1 out 3 + 4 packets, 300 + 400 bytes, in policy drops 1 + 1.
 * Workers: tun_rx 7 + 8, in_drops no-sa 5 + 6.
 */
#define CTL_NOW 1700000000u
#define CTL_START 1699999000u
#define CTL_KEY_BYTE0 0xa0
#define CTL_BULK_SPI0 0x10000u
#define CTL_NWORKERS 2
/* SAs ctl_state_add_bulk may add beyond nbulk. */
#define CTL_SAD_ROOM 100000

struct event_base;

struct ctl_state {
	struct ipsecd d;
	struct knobs knobs;
	struct iface_table table;
};

/*
 * Build the state; the calling thread must be registered with liburcu
 * QSBR.  base may be NULL (no socket server).  NULL on failure.
 */
struct ctl_state *ctl_state_new(struct event_base *base, size_t nbulk);
void ctl_state_free(struct ctl_state *s);

/* Insert the bulk SA i (SPI CTL_BULK_SPI0 + i); false if refused. */
bool ctl_state_add_bulk(struct ctl_state *s, size_t i);

#endif
