#ifndef IPSECD_BENCH_BENCH_ESP_H
#define IPSECD_BENCH_BENCH_ESP_H

#include <stddef.h>

#include "crypto/alg.h"

/*
 * ESP throughput on one core, beside the raw OpenSSL EVP speed of the
 * same algorithm over the same bytes in the same run.  Rates are packets
 * per second of payload_len-byte payloads; each figure is the best of a
 * few bounded runs (at most `seconds` of work in all).
 */
struct bench_esp_result {
	double encap_pps;
	double decap_pps;
	double raw_enc_pps; /* EVP encrypt (+ HMAC) of the same bytes */
	double raw_dec_pps;
};

/* -1 if the algorithm cannot be set up. */
int bench_esp_run(enum alg_id enc, size_t enc_len, int auth, size_t auth_len,
    size_t payload_len, double seconds, struct bench_esp_result *out);

#endif
