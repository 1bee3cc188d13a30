#ifndef IPSECD_BENCH_BENCH_OFFLOAD_H
#define IPSECD_BENCH_BENCH_OFFLOAD_H

#include <stddef.h>

/*
 * ESP encapsulation through the crypto pipeline (crypto_submit) on one
 * worker thread: esp_encap_begin, submit, and esp_encap_end in the
 * completion, with up to `window` packets in flight, as a worker runs it.
 * Rates are packets per second of payload_len-byte payloads, best of a
 * few bounded rounds (at most `seconds` of work for each figure).
 */
struct bench_offload_result {
	double provider_pps;	  /* the test provider, asynchronous */
	double default_pps;	  /* the default provider, same lib, same run */
	double one_at_a_time_pps; /* 1 / latency: what blocking calls allow */
	unsigned long max_inflight; /* the provider's own count */
};

/*
 * One latency (microseconds) of the test provider at module_path.
 * -1 if it cannot be set up (provider missing).
 */
int bench_offload_run(const char *module_path, unsigned latency_us,
    size_t payload_len, size_t window, double seconds,
    struct bench_offload_result *out);

/*
 * The default provider alone: esp_encap inline against the same
 * encapsulation through crypto_submit (synchronous completion), in
 * interleaved slices; what the pipeline costs a synchronous provider.
 */
int bench_offload_sync(
    size_t payload_len, double seconds, double *inline_pps, double *submit_pps);

#endif
