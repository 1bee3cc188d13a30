/*
 * ipsecd-bench: figures for the pure core on one core, never pass/fail.
 *
 *   ipsecd-bench [-m] [-q] [-o [-P provider.so]]
 *     -m  print Markdown tables (for the README)
 *     -q  quick: shorter measurements and smaller tables
 *     -o  the crypto offload figures instead (below)
 *     -P  the test provider module (default: the build tree's)
 *
 * Prints ESP encap/decap rates for 64, 512 and 1400-byte payloads beside
 * the raw OpenSSL EVP rate of the same algorithm over the same bytes and
 * the ratio ours/raw; SAD lookup time at 1,000,000 SAs (uniformly random
 * SAs, one lookup at a time and in batches of 32); SPD lookup time at
 * 10,000 and 100,000 policies (and through a per-worker flow cache);
 * resident memory per SA.  Every figure is the best of a few rounds: the
 * machines it runs on are shared, and a neighbour only ever slows a
 * round down.
 *
 * With -o: ESP encapsulation (AES-128-GCM-16, 1400-byte payloads) through
 * crypto_submit on one worker thread, with the test provider
 * (tests/provider/ipsecdtest.c) at 0, 50 and 200 us per operation beside
 * the default provider in the same run, the rate one operation at a time
 * would allow at that latency, and the provider's own count of
 * operations in flight at once; then the default provider's esp_encap
 * inline against the same through crypto_submit (the pipeline's cost to a
 * synchronous provider).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_esp.h"
#include "bench/bench_offload.h"
#include "bench/bench_tables.h"

struct esp_case {
	const char *name;
	enum alg_id enc;
	size_t enc_len;
	int auth;
	size_t auth_len;
};

static const struct esp_case cases[] = {
	{ "AES-128-GCM-16", ALG_AES_GCM_16, 20, -1, 0 },
	{ "AES-256-GCM-16", ALG_AES_GCM_16, 36, -1, 0 },
	{ "ChaCha20-Poly1305", ALG_CHACHA20_POLY1305, 36, -1, 0 },
	{ "AES-128-CBC+HMAC-SHA256", ALG_AES_CBC, 16, ALG_HMAC_SHA256_128, 32 },
};

static const size_t sizes[] = { 64, 512, 1400 };

static double
gbps(double pps, size_t len)
{
	return pps * (double)len * 8 / 1e9;
}

static void
table_row(bool is_md, const char *name, size_t size, double ns)
{
	printf(is_md ? "| %s | %zu | %.1f |\n" : "%-28s %10zu %10.1f\n", name,
	    size, ns);
}

#define OFFLOAD_PAYLOAD 1400
#define OFFLOAD_WINDOW 256

static int
offload(bool is_md, bool is_quick, const char *module)
{
	static const unsigned latencies[] = { 0, 50, 200 };
	double secs = is_quick ? 0.4 : 2.0, inl, sub;
	int rc = 0;

	printf(is_md ? "| test provider latency us | provider Mpps | provider "
		       "Gbit/s | default Mpps | one at a time pps | "
		       "provider / one at a time | max in flight |\n"
		       "|---|---|---|---|---|---|---|\n"
		     : "%10s %12s %10s %12s %12s %8s %10s\n",
	    "latency us", "provider Mpps", "Gbit/s", "default Mpps",
	    "1-at-a-time", "ratio", "in flight");
	for (size_t i = 0; i < sizeof(latencies) / sizeof(latencies[0]); i++) {
		struct bench_offload_result r;

		if (bench_offload_run(module, latencies[i], OFFLOAD_PAYLOAD,
			OFFLOAD_WINDOW, secs, &r) != 0) {
			printf("latency %u us: setup failed (provider %s)\n",
			    latencies[i], module);
			rc = 1;
			continue;
		}
		if (r.one_at_a_time_pps > 0)
			printf(is_md
				? "| %u | %.3f | %.2f | %.3f | %.0f | %.1f | "
				  "%lu |\n"
				: "%10u %12.3f %10.2f %12.3f %12.0f %8.1f "
				  "%10lu\n",
			    latencies[i], r.provider_pps / 1e6,
			    gbps(r.provider_pps, OFFLOAD_PAYLOAD),
			    r.default_pps / 1e6, r.one_at_a_time_pps,
			    r.provider_pps / r.one_at_a_time_pps,
			    r.max_inflight);
		else
			printf(is_md
				? "| %u | %.3f | %.2f | %.3f | %s | %s | %lu "
				  "|\n"
				: "%10u %12.3f %10.2f %12.3f %12s %8s %10lu\n",
			    latencies[i], r.provider_pps / 1e6,
			    gbps(r.provider_pps, OFFLOAD_PAYLOAD),
			    r.default_pps / 1e6, "-", "-", r.max_inflight);
		fflush(stdout);
	}
	if (bench_offload_sync(OFFLOAD_PAYLOAD, secs, &inl, &sub) != 0) {
		printf("default provider: setup failed\n");
		return 1;
	}
	printf(is_md ? "\n| default provider, %d-byte payloads | Mpps |\n"
		       "|---|---|\n| esp_encap inline | %.3f |\n"
		       "| through crypto_submit | %.3f |\n"
		       "| submit / inline | %.3f |\n"
		     : "\ndefault provider, %d-byte payloads: esp_encap inline "
		       "%.3f Mpps, through crypto_submit %.3f Mpps (%.3f)\n",
	    OFFLOAD_PAYLOAD, inl / 1e6, sub / 1e6, sub / inl);
	return rc;
}

int
main(int argc, char **argv)
{
	bool is_md = false, is_quick = false, is_offload = false;
	const char *module = TEST_PROVIDER_PATH;
	double secs;
	size_t sad_n, spd_small, spd_big, lookups;
	int ch;

	while ((ch = getopt(argc, argv, "moqP:")) != -1) {
		switch (ch) {
		case 'm':
			is_md = true;
			break;
		case 'o':
			is_offload = true;
			break;
		case 'q':
			is_quick = true;
			break;
		case 'P':
			module = optarg;
			break;
		default:
			fprintf(stderr,
			    "usage: ipsecd-bench [-m] [-q] "
			    "[-o [-P provider.so]]\n");
			return 2;
		}
	}
	if (is_offload)
		return offload(is_md, is_quick, module);
	secs = is_quick ? 0.2 : 1.0;
	sad_n = is_quick ? 100000 : 1000000;
	spd_small = is_quick ? 1000 : 10000;
	spd_big = is_quick ? 10000 : 100000;
	lookups = is_quick ? 200000 : 2000000;

	printf(is_md ? "| algorithm | payload | encap Mpps | encap Gbit/s | "
		       "raw EVP enc Gbit/s | encap/raw | decap Mpps | "
		       "decap Gbit/s | raw EVP dec Gbit/s | decap/raw |\n"
		       "|---|---|---|---|---|---|---|---|---|---|\n"
		     : "%-24s %7s %10s %10s %10s %6s %10s %10s %10s %6s\n",
	    "algorithm", "payload", "encap Mpps", "encap Gb/s", "raw enc",
	    "ratio", "decap Mpps", "decap Gb/s", "raw dec", "ratio");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			const struct esp_case *c = &cases[i];
			struct bench_esp_result r;
			size_t len = sizes[s];

			if (bench_esp_run(c->enc, c->enc_len, c->auth,
				c->auth_len, len, secs, &r) != 0) {
				printf("%s: setup failed\n", c->name);
				continue;
			}
			printf(is_md
				? "| %s | %zu | %.3f | %.2f | %.2f | %.2f | "
				  "%.3f | %.2f | %.2f | %.2f |\n"
				: "%-24s %7zu %10.3f %10.2f %10.2f %6.2f "
				  "%10.3f %10.2f %10.2f %6.2f\n",
			    c->name, len, r.encap_pps / 1e6,
			    gbps(r.encap_pps, len), gbps(r.raw_enc_pps, len),
			    r.encap_pps / r.raw_enc_pps, r.decap_pps / 1e6,
			    gbps(r.decap_pps, len), gbps(r.raw_dec_pps, len),
			    r.decap_pps / r.raw_dec_pps);
			fflush(stdout);
		}
	}
	printf(is_md ? "\n| table | size | lookup ns |\n|---|---|---|\n"
		     : "\n%-28s %10s %10s\n",
	    "table", "size", "lookup ns");
	table_row(is_md, "SAD (spi, proto, dst), lone", sad_n,
	    bench_sad_lookup_ns(sad_n, lookups, 1));
	table_row(is_md, "SAD, batches of 32", sad_n,
	    bench_sad_lookup_ns(sad_n, lookups, 32));
	table_row(is_md, "SPD, no flow cache", spd_small,
	    bench_spd_lookup_ns(spd_small, lookups / 4, false));
	table_row(is_md, "SPD, no flow cache", spd_big,
	    bench_spd_lookup_ns(spd_big, lookups / 4, false));
	table_row(is_md, "SPD, with flow cache", spd_big,
	    bench_spd_lookup_ns(spd_big, lookups, true));
	printf(is_md ? "\n| memory | bytes per SA |\n|---|---|\n| SAD, %zu SAs "
		       "(RSS growth) | %zu |\n"
		     : "\nmemory: %zu SAs, %zu bytes per SA (RSS growth)\n",
	    sad_n, bench_sad_bytes_per_sa(sad_n));
	return 0;
}
