/*
 * ipsecd-bench: figures for the pure core on one core, never pass/fail.
 *
 *   ipsecd-bench [-m] [-q]
 *     -m  print Markdown tables (for the README)
 *     -q  quick: shorter measurements and smaller tables
 *
 * Prints ESP encap/decap rates for 64, 512 and 1400-byte payloads beside
 * the raw OpenSSL EVP rate of the same algorithm over the same bytes and
 * the ratio ours/raw; SAD lookup time at 1,000,000 SAs (uniformly random
 * SAs, one lookup at a time and in batches of 32); SPD lookup time at
 * 10,000 and 100,000 policies (and through a per-worker flow cache);
 * resident memory per SA.  Every figure is the best of a few rounds: the
 * machines it runs on are shared, and a neighbour only ever slows a
 * round down.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_esp.h"
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
	{ "AES-128-CBC+HMAC-SHA256", ALG_AES_CBC, 16, ALG_HMAC_SHA256_128,
	    32 },
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

int
main(int argc, char **argv)
{
	bool is_md = false, is_quick = false;
	double secs;
	size_t sad_n, spd_small, spd_big, lookups;
	int ch;

	while ((ch = getopt(argc, argv, "mq")) != -1) {
		switch (ch) {
		case 'm':
			is_md = true;
			break;
		case 'q':
			is_quick = true;
			break;
		default:
			fprintf(stderr, "usage: ipsecd-bench [-m] [-q]\n");
			return 2;
		}
	}
	secs = is_quick ? 0.2 : 1.0;
	sad_n = is_quick ? 100000 : 1000000;
	spd_small = is_quick ? 1000 : 10000;
	spd_big = is_quick ? 10000 : 100000;
	lookups = is_quick ? 200000 : 2000000;

	printf(is_md ? "| algorithm | payload | encap Mpps | encap Gbit/s | "
		       "raw EVP enc Gbit/s | encap/raw | decap Mpps | "
		       "decap Gbit/s | raw EVP dec Gbit/s | decap/raw |\n"
		       "|---|---|---|---|---|---|---|---|---|---|\n" :
		       "%-24s %7s %10s %10s %10s %6s %10s %10s %10s %6s\n",
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
			printf(is_md ? "| %s | %zu | %.3f | %.2f | %.2f | %.2f | "
				       "%.3f | %.2f | %.2f | %.2f |\n" :
				       "%-24s %7zu %10.3f %10.2f %10.2f %6.2f "
				       "%10.3f %10.2f %10.2f %6.2f\n",
			    c->name, len, r.encap_pps / 1e6,
			    gbps(r.encap_pps, len), gbps(r.raw_enc_pps, len),
			    r.encap_pps / r.raw_enc_pps, r.decap_pps / 1e6,
			    gbps(r.decap_pps, len), gbps(r.raw_dec_pps, len),
			    r.decap_pps / r.raw_dec_pps);
			fflush(stdout);
		}
	}
	printf(is_md ? "\n| table | size | lookup ns |\n|---|---|---|\n" :
		       "\n%-28s %10s %10s\n",
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
		       "(RSS growth) | %zu |\n" :
		       "\nmemory: %zu SAs, %zu bytes per SA (RSS growth)\n",
	    sad_n, bench_sad_bytes_per_sa(sad_n));
	return 0;
}
