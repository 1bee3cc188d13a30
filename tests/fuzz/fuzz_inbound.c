/*
 * Fuzz target for inbound processing: bytes from the network reach
 * ip_parse() and esp_decap() first, so both are fed arbitrary packets.
 * The first input byte picks one of the SAs below (AEAD, ENCR+HMAC, and
 * unauthenticated ciphers so the fuzzer can reach the trailer checks
 * past the ICV); the rest is the IP packet.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_inbound_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic mutation test of the same entry point in
 * `make check`: each single-byte change or truncation of a valid ESP
 * packet is dropped, never accepted, and never crashes.
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
#include "ipsec/esp.h"
#include "ipsec/iphdr.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSAS 5

static struct crypto_lib *lib;
static struct sa sas[NSAS];
static struct cipher *ciphers[NSAS];
static uint8_t mem[70000 + 1024];

static void
sa_setup(struct sa *sa, enum alg_id enc, size_t enc_len, int auth,
    size_t auth_len, bool is_esn)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = 0x1000;
	sa->proto = IPPROTO_ESP;
	sa->flags = is_esn ? SA_F_ESN : 0;
	sa->key.enc = alg_get(enc);
	sa->key.enc_len = (uint8_t)enc_len;
	memset(sa->key.enc_key, 0x11, sizeof(sa->key.enc_key));
	if (auth >= 0) {
		sa->key.auth = alg_get((enum alg_id)auth);
		sa->key.auth_len = (uint8_t)auth_len;
		memset(sa->key.auth_key, 0x22, sizeof(sa->key.auth_key));
	}
	sa->replay_window = 128;
	if ((sa->replay = malloc(replay_size(128))) == NULL)
		abort();
}

static void
init_once(void)
{
	if (lib != NULL)
		return;
	if ((lib = crypto_lib_new(NULL)) == NULL)
		abort();
	sa_setup(&sas[0], ALG_AES_GCM_16, 20, -1, 0, false);
	sa_setup(&sas[1], ALG_AES_CBC, 16, ALG_HMAC_SHA256_128, 32, true);
	sa_setup(&sas[2], ALG_AES_CBC, 16, -1, 0, false);
	sa_setup(&sas[3], ALG_AES_CTR, 20, -1, 0, true);
	sa_setup(&sas[4], ALG_CHACHA20_POLY1305, 36, -1, 0, true);
	for (int i = 0; i < NSAS; i++)
		if ((ciphers[i] = cipher_new(lib, &sas[i].key)) == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pbuf pb;
	struct ip_info info;
	struct sa *sa;
	uint8_t nh;

	init_once();
	if (size < 1 || size > 65535 + 40)
		return 0;
	sa = &sas[data[0] % NSAS];
	replay_init(sa->replay, sa->replay_window,
	    (sa->flags & SA_F_ESN) != 0);
	pbuf_init(&pb, mem, sizeof(mem), 256);
	if (!pbuf_set(&pb, data + 1, size - 1, 256))
		return 0;
	(void)ip_parse(pbuf_data(&pb), pbuf_len(&pb), &info);
	(void)esp_decap(sa, ciphers[data[0] % NSAS], &pb, &nh);
	return 0;
}

#ifdef FUZZ_REGRESS
/* A valid ESP packet for SA i in buf[1..]; returns its size with buf[0]. */
static size_t
make_packet(int i, uint32_t seq, uint8_t *buf, size_t max)
{
	struct pbuf pb;
	uint8_t *p, iv[16] = { 0 };
	size_t len = 20 + 17 + seq % 60;

	pbuf_init(&pb, mem, sizeof(mem), 256);
	p = pbuf_put(&pb, len);
	memset(p, 0, len);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	for (size_t k = 20; k < len; k++)
		p[k] = (uint8_t)(k ^ seq);
	ip_set_len(p, AF_INET, len);
	wr_u32(iv, seq);
	if (esp_encap(&sas[i], ciphers[i], seq, iv, &pb) != IPSEC_OK ||
	    pbuf_len(&pb) + 1 > max)
		abort();
	buf[0] = (uint8_t)i;
	memcpy(buf + 1, pbuf_data(&pb), pbuf_len(&pb));
	return pbuf_len(&pb) + 1;
}

/* esp_decap of buf as the target would see it. */
static enum ipsec_verdict
decap(const uint8_t *buf, size_t size)
{
	struct pbuf pb;
	struct sa *sa = &sas[buf[0]];
	uint8_t nh;

	replay_init(sa->replay, sa->replay_window,
	    (sa->flags & SA_F_ESN) != 0);
	pbuf_init(&pb, mem, sizeof(mem), 256);
	if (!pbuf_set(&pb, buf + 1, size - 1, 256))
		abort();
	return esp_decap(sa, ciphers[buf[0]], &pb, &nh);
}

/* Write one valid packet per SA into dir as libFuzzer seeds. */
static int
write_seeds(const char *dir)
{
	static uint8_t buf[4096];
	char path[512];

	for (int i = 0; i < NSAS; i++) {
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

int
main(int argc, char **argv)
{
	static uint8_t buf[4096], mut[4096];
	unsigned checked = 0, failures = 0;

	init_once();
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	for (int i = 0; i < NSAS; i++) {
		bool is_authenticated = i != 2 && i != 3;

		for (uint32_t seq = 1; seq <= 8; seq++) {
			size_t n = make_packet(i, seq, buf, sizeof(buf));

			if (decap(buf, n) != IPSEC_OK) {
				fprintf(stderr, "sa %d seq %u: valid packet "
				    "refused\n", i, seq);
				failures++;
			}
			/* Every truncation: refused, no crash. */
			for (size_t cut = 1; cut < n - 1; cut++) {
				memcpy(mut, buf, n);
				if (decap(mut, n - cut) == IPSEC_OK) {
					fprintf(stderr, "sa %d: truncated by "
					    "%zu accepted\n", i, cut);
					failures++;
				}
				checked++;
			}
			/* Every byte after the IP header, every bit flip. */
			for (size_t off = 1 + 20; off < n; off++) {
				for (int bit = 0; bit < 8; bit++) {
					enum ipsec_verdict v;

					memcpy(mut, buf, n);
					mut[off] ^= (uint8_t)(1u << bit);
					v = decap(mut, n);
					if (is_authenticated && v == IPSEC_OK) {
						fprintf(stderr, "sa %d: flip at "
						    "%zu accepted\n", i, off);
						failures++;
					}
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
