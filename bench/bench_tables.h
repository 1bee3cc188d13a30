#ifndef IPSECD_BENCH_BENCH_TABLES_H
#define IPSECD_BENCH_BENCH_TABLES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * SAD and SPD lookup benchmarks.  They build their own tables from random
 * but realistic data (varied prefixes, ports, protocols, priorities the
 * way IKE daemons derive them), time the lookups with CLOCK_MONOTONIC,
 * print nothing and return figures.  The calling thread must not be
 * registered with liburcu: each function registers and unregisters it.
 * A negative or zero figure means the table could not be built.
 */

/*
 * ns per inbound SA lookup (the mean of the fastest of 5 rounds that
 * share n_lookups lookups between them) of existing SPIs of
 * uniformly random SAs (the worst case: no two packets in a row for the
 * same SA): one sad_lookup_spi call each when batch is 0 or 1, else
 * sad_lookup_spi_batch over batch keys at a time, as a worker with a
 * batch of received packets does.
 */
double bench_sad_lookup_ns(size_t n_sas, size_t n_lookups, size_t batch);

/*
 * ns per SPD lookup (the mean of the fastest of 5 rounds that share
 * n_lookups lookups) of random flows (about half of them
 * matching some policy) against n_policies outbound policies, through a
 * per-worker spd_cache when use_cache (the flows then repeat from a pool
 * of 1,024, as a few active connections do).
 */
double bench_spd_lookup_ns(size_t n_policies, size_t n_lookups, bool use_cache);

/*
 * Memory per SA: growth of the process's resident set (/proc/self/statm,
 * pages times the page size) while n SAs (AES-GCM keys, 64-packet replay
 * window) are inserted, divided by n.  Includes the entries, the hash
 * tables' buckets and malloc overhead.  0 if statm cannot be read.
 */
size_t bench_sad_bytes_per_sa(size_t n);

#endif
