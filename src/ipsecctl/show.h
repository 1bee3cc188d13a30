#ifndef IPSECD_IPSECCTL_SHOW_H
#define IPSECD_IPSECCTL_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "daemon/control_req.h"

/*
 * ipsecctl's output of the control replies: human tables (aligned
 * columns, one row per SA, policy, interface or knob, details on indented
 * lines below a row), or with -j one JSON document pretty-printed by
 * jansson.  Tables stream: rows are printed message by message, so a dump
 * of any size runs in little memory; a column grows when a later message
 * has a wider value.  JSON holds the whole reply until its end.
 *
 *   show sa           SPI PROTO MODE STATE SRC DST REQID IF_ID ALGORITHMS
 *                     PACKETS BYTES DROPS; keys (--show-keys) and, with
 *                     -v, flags, ports, sequence, times, lifetimes and
 *                     every drop counter on the lines below
 *   show sp           ID DIR ACTION PRIO SRC DST PROTO SPORT DPORT IF_ID
 *                     PACKETS BYTES TEMPLATES
 *   show interfaces   NAME KEY MTU QUEUES OUT-PKTS OUT-BYTES IN-PKTS
 *                     IN-BYTES DROPS
 *   show stats        "name: value" lines
 *   show knobs        NAME VALUE DESCRIPTION
 *   get, set          sysctl(8) style: "NAME: VALUE", "NAME: OLD -> NEW"
 *
 * Drop counters are printed by reason name ("replay 2, icv 1"), only those
 * that are not zero unless verbose.  Key strings of SA items are wiped
 * after they were printed.
 */
struct show_opts {
	bool is_json;
	bool is_verbose;
	FILE *out;
	long now_sec; /* wall clock, for ages in verbose SA lines */
};

struct show;

/* Output of the reply to req; NULL when out of memory. */
struct show *show_new(const struct control_req *req, const struct show_opts *o);

/*
 * Print one reply message (a ctlclient_msg_fn: arg is the struct show).
 * Returns 0, or 1 (CTL_EXIT_REFUSED) after printing why on stderr.
 */
int show_msg(void *arg, const json_t *msg);

/* After the last message: the footer, or the JSON document.  0 or 1. */
int show_end(struct show *s);

void show_free(struct show *s);

#endif
