/*
 * Fuzz target for inbound processing: bytes from the network reach
 * ip_parse() and then esp_decap(), ah_input(), ipcomp_decap() or the whole
 * bundle_input() (all IPsec layers, tunnel headers, lookups), so all are
 * fed arbitrary packets.  The first input byte picks the path:
 *   0-4  esp_decap with one of five ESP SAs (AEAD, ENCR+HMAC, and
 *        unauthenticated ciphers so the fuzzer reaches the trailer checks
 *        past the ICV)
 *   5    ah_input (HMAC-SHA2-256, ESN)
 *   6    ipcomp_decap (DEFLATE)
 *   7    bundle_input over every SA above, ESP SA 0 and AH in tunnel mode
 * and the rest is the IP packet.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_inbound_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic mutation test of the same entry point in
 * `make check`: a valid packet of each path is accepted, each truncation
 * and (where the packet is authenticated) each bit flip after the outer
 * IP header is refused, and nothing crashes.  `--seeds DIR` writes those
 * valid packets as the seed corpus (tests/fuzz/corpus/fuzz_inbound/).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/ah.h"
#include "ipsec/bundle.h"
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/ipcomp.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NESP 5
#define SA_AH NESP
#define SA_COMP (NESP + 1)
#define NSAS (NESP + 2)
#define PATH_BUNDLE NSAS
#define NPATHS (NSAS + 1)

static struct crypto_lib *lib;
static struct ipcomp_ctx *ipc;
static struct knobs knobs;
static struct sa sas[NSAS];
static struct bundle_xform xf[NSAS];
static uint8_t mem[70000 + 1024];

static void
sa_setup(struct sa *sa, uint8_t proto, uint32_t spi, enum alg_id enc,
    size_t enc_len, int auth, size_t auth_len, bool is_esn)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = proto;
	sa->mode = SA_MODE_TRANSPORT;
	sa->flags = is_esn ? SA_F_ESN : 0;
	if ((int)enc >= 0) {
		sa->key.enc = alg_get(enc);
		sa->key.enc_len = (uint8_t)enc_len;
		memset(sa->key.enc_key, 0x11, sizeof(sa->key.enc_key));
	}
	if (auth >= 0) {
		sa->key.auth = alg_get((enum alg_id)auth);
		sa->key.auth_len = (uint8_t)auth_len;
		memset(sa->key.auth_key, 0x22, sizeof(sa->key.auth_key));
	}
	addr_parse(&sa->src, "10.0.0.1");
	addr_parse(&sa->dst, "10.0.0.2");
	sa->replay_window = 128;
	if ((sa->replay = malloc(replay_size(128))) == NULL)
		abort();
}

static void
init_once(void)
{
	if (lib != NULL)
		return;
	if ((lib = crypto_lib_new(NULL)) == NULL ||
	    (ipc = ipcomp_ctx_new()) == NULL)
		abort();
	knobs_init(&knobs);
	sa_setup(
	    &sas[0], IPPROTO_ESP, 0x1000, ALG_AES_GCM_16, 20, -1, 0, false);
	sa_setup(&sas[1], IPPROTO_ESP, 0x1001, ALG_AES_CBC, 16,
	    ALG_HMAC_SHA256_128, 32, true);
	sa_setup(&sas[2], IPPROTO_ESP, 0x1002, ALG_AES_CBC, 16, -1, 0, false);
	sa_setup(&sas[3], IPPROTO_ESP, 0x1003, ALG_AES_CTR, 20, -1, 0, true);
	sa_setup(&sas[4], IPPROTO_ESP, 0x1004, ALG_CHACHA20_POLY1305, 36, -1, 0,
	    true);
	sa_setup(&sas[SA_AH], IPPROTO_AH, 0x2000, (enum alg_id) - 1, 0,
	    ALG_HMAC_SHA256_128, 32, true);
	sa_setup(&sas[SA_COMP], IPPROTO_COMP, 0x3000, (enum alg_id) - 1, 0, -1,
	    0, false);
	sas[0].mode = SA_MODE_TUNNEL;
	sas[SA_AH].mode = SA_MODE_TUNNEL;
	for (int i = 0; i < NSAS; i++) {
		xf[i].sa = &sas[i];
		if (i != SA_COMP &&
		    (xf[i].c = cipher_new(lib, &sas[i].key)) == NULL)
			abort();
	}
}

static void
windows_reset(void)
{
	for (int i = 0; i < NSAS; i++)
		replay_init(sas[i].replay, sas[i].replay_window,
		    (sas[i].flags & SA_F_ESN) != 0);
}

static const struct bundle_xform *
lookup(void *arg, uint8_t proto, uint32_t spi, const struct addr *dst)
{
	(void)arg;
	(void)dst;
	for (int i = 0; i < NSAS; i++)
		if (sas[i].proto == proto && sas[i].spi == spi)
			return &xf[i];
	return NULL;
}

/* The path data[0] picks, on the packet data[1..size). */
static enum ipsec_verdict
run(const uint8_t *data, size_t size)
{
	struct bundle_in_params bp = {
		.knobs = &knobs, .ipcomp = ipc, .lookup = lookup
	};
	struct bundle_history h;
	struct pbuf pb;
	struct ip_info info;
	int path = data[0] % NPATHS;
	uint8_t nh;

	windows_reset();
	pbuf_init(&pb, mem, sizeof(mem), 256);
	if (!pbuf_set(&pb, data + 1, size - 1, 256))
		abort();
	(void)ip_parse(pbuf_data(&pb), pbuf_len(&pb), &info);
	if (path < NESP) {
		/* Transport as configured; SA 0 is tunnel for bundles only. */
		return esp_decap(&sas[path], xf[path].c, &pb, &nh);
	}
	switch (path) {
	case SA_AH:
		return ah_input(&sas[SA_AH], xf[SA_AH].c, &knobs, &pb, &nh);
	case SA_COMP:
		return ipcomp_decap(ipc, &sas[SA_COMP], &pb, &nh);
	default:
		return bundle_input(&bp, &pb, &h);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	if (size < 1 || size > 65535 + 40)
		return 0;
	(void)run(data, size);
	return 0;
}

#ifdef FUZZ_REGRESS
/* An IPv4 UDP packet 10.0.0.1 -> 10.0.0.2 of len bytes in pb. */
static void
make_plain(struct pbuf *pb, size_t len, uint32_t seed)
{
	uint8_t *p;

	pbuf_init(pb, mem, sizeof(mem), 256);
	p = pbuf_put(pb, len);
	memset(p, 0, len);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	/* Runs of one byte: compressible, for IPcomp. */
	for (size_t k = 20; k < len; k++)
		p[k] = (uint8_t)(k / 16 ^ seed);
	ip_set_len(p, AF_INET, len);
}

/* A valid packet of path i in buf[1..]; returns its size with buf[0]. */
static size_t
make_packet(int i, uint32_t seq, uint8_t *buf, size_t max)
{
	struct pbuf pb;
	uint8_t iv[16] = { 0 };
	enum ipsec_verdict v;
	bool is_compressed;

	make_plain(&pb, i >= SA_COMP ? 200 + seq : 20 + 17 + seq % 60, seq);
	wr_u32(iv, seq);
	if (i < NESP) {
		v = esp_encap(&sas[i], xf[i].c, seq, iv, &pb);
	} else if (i == SA_AH) {
		v = ah_output(&sas[SA_AH], xf[SA_AH].c, seq, &knobs, &pb);
	} else if (i == SA_COMP) {
		v = ipcomp_encap(ipc, &sas[SA_COMP], &pb,
		    IPCOMP_THRESHOLD_DEFAULT, &is_compressed);
		if (!is_compressed)
			abort();
	} else {
		/* IPcomp, ESP (tunnel), AH: the whole inbound chain. */
		struct bundle_xform b[3] = { xf[SA_AH], xf[SA_COMP], xf[0] };
		struct bundle_out_params op = { .knobs = &knobs,
			.ipcomp = ipc };

		sas[0].seq_out = sas[SA_AH].seq_out = seq - 1;
		if (!bundle_order(b, 3))
			abort();
		v = bundle_output(b, 3, &op, &pb, NULL);
	}
	if (v != IPSEC_OK || pbuf_len(&pb) + 1 > max)
		abort();
	buf[0] = (uint8_t)i;
	memcpy(buf + 1, pbuf_data(&pb), pbuf_len(&pb));
	return pbuf_len(&pb) + 1;
}

/* Write one valid packet per path into dir as libFuzzer seeds. */
static int
write_seeds(const char *dir)
{
	static uint8_t buf[4096];
	char path[512];

	for (int i = 0; i < NPATHS; i++) {
		size_t n = make_packet(i, 5, buf, sizeof(buf));
		FILE *f;

		snprintf(path, sizeof(path), "%s/sa%d", dir, i);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

/* Is every byte after the outer IP header covered by an ICV? */
static bool
is_authenticated(int i)
{
	return i != 2 && i != 3 && i != SA_COMP;
}

static unsigned failures;

static void
expect_refused(int i, const uint8_t *buf, size_t n, const char *what, size_t at)
{
	if (run(buf, n) == IPSEC_OK) {
		fprintf(stderr, "path %d: %s at %zu accepted\n", i, what, at);
		failures++;
	}
}

int
main(int argc, char **argv)
{
	static uint8_t buf[4096], mut[4096];
	unsigned checked = 0;

	init_once();
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	for (int i = 0; i < NPATHS; i++) {
		for (uint32_t seq = 1; seq <= 4; seq++) {
			size_t n = make_packet(i, seq, buf, sizeof(buf));

			if (run(buf, n) != IPSEC_OK) {
				fprintf(stderr,
				    "path %d seq %u: valid packet "
				    "refused\n",
				    i, seq);
				failures++;
			}
			/* Every truncation: refused, no crash. */
			for (size_t cut = 1; cut < n - 1; cut++) {
				memcpy(mut, buf, n);
				expect_refused(
				    i, mut, n - cut, "truncation", cut);
				checked++;
			}
			/* Every byte after the IP header, every bit flip. */
			for (size_t off = 1 + 20; off < n; off++) {
				for (int bit = 0; bit < 8; bit++) {
					memcpy(mut, buf, n);
					mut[off] ^= (uint8_t)(1u << bit);
					if (is_authenticated(i))
						expect_refused(
						    i, mut, n, "bit flip", off);
					else
						(void)run(mut, n);
					checked++;
				}
			}
		}
	}
	printf("fuzz_inbound_regress: %u mutated packets, %u failures\n",
	    checked, failures);
	return failures == 0 ? 0 : 1;
}
#endif
