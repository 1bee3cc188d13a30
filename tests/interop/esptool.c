/*
 * esptool: ipsecd's ESP transform on the command line, for checking it
 * against independent implementations (scapy_check.py drives it).
 *
 *   esptool encap|decap ENC ENCKEY AUTH AUTHKEY SPI SEQ IV ESN PACKET
 *
 * ENC/AUTH are algorithm names of src/crypto/alg.c ("none" for no
 * integrity with an AEAD), keys/IV/PACKET are hex ("-" for empty), SPI and
 * SEQ are numbers (SEQ is the full 64-bit number; on decap the replay
 * window is first advanced to SEQ - 1 so that ESN inference has the
 * receiver in the sender's epoch), ESN is 0 or 1.  PACKET is a whole IP
 * packet.  Prints the resulting packet in hex, or the verdict name on
 * stderr with exit status 1.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbuf.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/esp.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "tests/unit/hex.h"

static uint8_t mem[70000 + 1024];

static void
usage(void)
{
	fprintf(stderr, "usage: esptool encap|decap ENC ENCKEY AUTH AUTHKEY "
			"SPI SEQ IV ESN PACKET\n");
	exit(2);
}

static size_t
hexarg(const char *s, uint8_t *out, size_t max)
{
	size_t n;

	if (strcmp(s, "-") == 0)
		return 0;
	if ((n = unhex(s, out, max)) == (size_t)-1) {
		fprintf(stderr, "esptool: bad hex \"%.20s...\"\n", s);
		exit(2);
	}
	return n;
}

static const struct alg *
algarg(const char *s)
{
	const struct alg *a;

	if (strcmp(s, "none") == 0)
		return NULL;
	if ((a = alg_by_name(s)) == NULL) {
		fprintf(stderr, "esptool: unknown algorithm \"%s\"\n", s);
		exit(2);
	}
	return a;
}

int
main(int argc, char **argv)
{
	static uint8_t packet[70000];
	struct crypto_lib *lib;
	struct cipher *c;
	struct sa sa;
	struct pbuf pb;
	uint8_t iv[ALG_IV_MAX], nh;
	uint64_t seq;
	size_t n;
	enum ipsec_verdict v;
	bool is_encap;
	const char *why;

	if (argc != 11)
		usage();
	is_encap = strcmp(argv[1], "encap") == 0;
	if (!is_encap && strcmp(argv[1], "decap") != 0)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.proto = IPPROTO_ESP;
	sa.key.enc = algarg(argv[2]);
	sa.key.enc_len = (uint8_t)hexarg(argv[3], sa.key.enc_key, ALG_KEY_MAX);
	sa.key.auth = algarg(argv[4]);
	sa.key.auth_len =
	    (uint8_t)hexarg(argv[5], sa.key.auth_key, ALG_KEY_MAX);
	sa.spi = (uint32_t)strtoul(argv[6], NULL, 0);
	seq = strtoull(argv[7], NULL, 0);
	hexarg(argv[8], iv, sizeof(iv));
	if (strcmp(argv[9], "1") == 0)
		sa.flags |= SA_F_ESN;
	n = hexarg(argv[10], packet, sizeof(packet));
	if (!cipher_key_check(&sa.key, false, &why)) {
		fprintf(stderr, "esptool: %s\n", why);
		return 2;
	}
	if ((lib = crypto_lib_new(NULL)) == NULL ||
	    (c = cipher_new(lib, &sa.key)) == NULL) {
		fprintf(stderr, "esptool: crypto setup failed\n");
		return 2;
	}
	sa.replay_window = 64;
	if ((sa.replay = malloc(replay_size(64))) == NULL)
		return 2;
	replay_init(sa.replay, 64, (sa.flags & SA_F_ESN) != 0);
	if (!is_encap && seq > 1 && replay_advance(sa.replay, seq - 1) !=
	    IPSEC_OK) {
		fprintf(stderr, "esptool: cannot preset the window\n");
		return 2;
	}
	pbuf_init(&pb, mem, sizeof(mem), 256);
	if (!pbuf_set(&pb, packet, n, 256))
		return 2;
	if (is_encap)
		v = esp_encap(&sa, c, seq, iv, &pb);
	else
		v = esp_decap(&sa, c, &pb, &nh);
	if (v != IPSEC_OK) {
		fprintf(stderr, "%s\n", ipsec_verdict_name(v));
		return 1;
	}
	for (size_t i = 0; i < pbuf_len(&pb); i++)
		printf("%02x", pbuf_data(&pb)[i]);
	printf("\n");
	cipher_free(c);
	free(sa.replay);
	crypto_lib_free(lib);
	return 0;
}
