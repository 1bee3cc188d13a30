#ifndef IPSECD_IPSECCTL_SHOW_CRYPTO_H
#define IPSECD_IPSECCTL_SHOW_CRYPTO_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/*
 * `ipsecctl show crypto` as text (control.h, the crypto item): the
 * global query, the providers with what they report of themselves, a
 * table of every algorithm and key size
 *
 *   ALG KEY POLICY PROVIDER HW ASYNC FALLBACK OPS/S
 *
 * (PROVIDER: what an SA gets; FALLBACK: the software a hardware one
 * falls back to under prefer; OPS/S: the start-up self-test's
 * encryptions of 1024 bytes per second) with a note line below a row
 * where there is one (not usable, fell back, failed its self-test), and
 * the workers' pipeline counters.  Returns 0, or -1 when out of memory.
 */
int show_crypto_print(FILE *out, const json_t *item, bool is_verbose);

#endif
