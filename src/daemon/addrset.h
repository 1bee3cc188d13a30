#ifndef IPSECD_DAEMON_ADDRSET_H
#define IPSECD_DAEMON_ADDRSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

/*
 * An immutable set of addresses (this host's own, for the workers'
 * "is the source local?" test that decides whether transport mode may
 * apply).  The control thread builds a new set when addresses change and
 * publishes it with RCU; lookups are a binary search.
 */
struct addrset {
	size_t n;
	struct addr a[]; /* sorted by family, then bytes; no duplicates */
};

/* A set of the n addresses at v (any order, duplicates allowed); NULL on
 * allocation failure.  Free with free(). */
struct addrset *addrset_new(const struct addr *v, size_t n);

/* Whether a is in s (s may be NULL: empty). */
bool addrset_has(const struct addrset *s, const struct addr *a);

#endif
