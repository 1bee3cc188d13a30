#ifndef IPSECD_DAEMON_CONTROL_JSON_H
#define IPSECD_DAEMON_CONTROL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ipsec/knobs.h"
#include "ipsec/verdict.h"

struct iface;
struct ipsecd;
struct sad_entry;
struct spd_policy;

/*
 * The JSON items of the control protocol's replies (their fields are
 * listed in control.h), one builder per table.  Each returns a new object
 * the caller owns, or NULL when out of memory.  Counters written by
 * workers are read with relaxed atomic loads: a snapshot, not a
 * consistent cut across counters.
 */

/*
 * An SA; with show_keys its key material as hex strings, which the caller
 * wipes with control_json_sa_wipe before dropping the object.  With d's
 * crypto library (d->lib not NULL), its "crypto" member: what the offload
 * policy gave it and what provider failures did since.
 */
json_t *control_json_sa(
    const struct ipsecd *d, const struct sad_entry *e, bool show_keys);

/* The one item of show crypto. */
json_t *control_json_crypto(const struct ipsecd *d);

/* Overwrite the key strings of an SA item in place (no-op without keys). */
void control_json_sa_wipe(json_t *item);

json_t *control_json_policy(const struct spd_policy *p);

/* An interface with its per-worker counters summed over nworkers. */
json_t *control_json_iface(const struct iface *ifc, unsigned nworkers);

/* The one item of show stats, at now_sec (wall clock). */
json_t *control_json_stats(const struct ipsecd *d, uint64_t now_sec);

/*
 * A knob item: name, value and canonical name; descr when not NULL; old
 * when not NULL (set replies).
 */
json_t *control_json_knob(
    const char *name, const char *value, const char *descr, const char *old);

/*
 * Counters by drop reason: an object with every verdict but IPSEC_OK, by
 * ipsec_verdict_name, in enum order.
 */
json_t *control_json_drops(const uint64_t drops[IPSEC_VERDICT_COUNT]);

/* A counter as a JSON integer, clamped to 2^63 - 1. */
json_t *control_json_u64(uint64_t v);

#endif
