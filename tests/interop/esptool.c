/*
 * esptool: ipsecd's ESP and AH on the command line, through the same
 * bundle code the daemon uses (bundle_output / bundle_input with one SA),
 * for checking them against independent implementations (scapy_check.py
 * drives it).
 *
 *   esptool encap|decap PROTO MODE ENC ENCKEY AUTH AUTHKEY SPI SEQ IV ESN
 *       TSRC TDST PACKET
 *
 * PROTO is esp or ah; MODE transport or tunnel (TSRC and TDST are then the
 * tunnel endpoints, else "-").  ENC/AUTH are algorithm names of
 * src/crypto/alg.c ("none" for none; AH takes ENC none), keys/IV/PACKET
 * are hex ("-" for empty), SPI and SEQ are numbers.  SEQ is the full
 * 64-bit sequence number: encap sends it (the SA's counter is set to
 * SEQ - 1); decap first advances the replay window to SEQ - 1, so that
 * ESN inference has the receiver in the sender's epoch.  ESN is 0 or 1.
 * IV is the explicit IV for AES-CBC ("-" otherwise): the counter-mode
 * ciphers use the sequence number as theirs (bundle_out_params).
 * An IPv4 tunnel header gets IP ID 1 (scapy's default); TTL, DF, DSCP and
 * ECN follow tunnel.c with the default knobs.  PACKET is a whole IP
 * packet.  Prints the resulting packet in hex, or the verdict name on
 * stderr with exit status 1; exit status 2 for bad arguments.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbuf.h"
#include "crypto/cipher.h"
#include "crypto/provider.h"
#include "ipsec/bundle.h"
#include "ipsec/knobs.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"
#include "tests/unit/hex.h"

enum {
	ARG_OP = 1,
	ARG_PROTO,
	ARG_MODE,
	ARG_ENC,
	ARG_ENCKEY,
	ARG_AUTH,
	ARG_AUTHKEY,
	ARG_SPI,
	ARG_SEQ,
	ARG_IV,
	ARG_ESN,
	ARG_TSRC,
	ARG_TDST,
	ARG_PACKET,
	ARG_COUNT
};

static uint8_t mem[70000 + 1024];
static struct bundle_xform xf;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: esptool encap|decap esp|ah transport|tunnel "
	    "ENC ENCKEY AUTH AUTHKEY SPI SEQ IV ESN TSRC TDST "
	    "PACKET\n");
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

static void
addrarg(const char *s, struct addr *a)
{
	if (strcmp(s, "-") == 0)
		return;
	if (!addr_parse(a, s)) {
		fprintf(stderr, "esptool: bad address \"%s\"\n", s);
		exit(2);
	}
}

/* The one SA, whatever the packet asks for (bundle_input checks proto). */
static const struct bundle_xform *
lookup(void *arg, uint8_t proto, uint32_t spi, const struct addr *dst)
{
	(void)arg;
	(void)dst;
	return xf.sa->proto == proto && xf.sa->spi == spi ? &xf : NULL;
}

static void
parse_sa(char **argv, struct sa *sa, uint64_t *seq)
{
	const char *why;

	memset(sa, 0, sizeof(*sa));
	if (strcmp(argv[ARG_PROTO], "esp") == 0)
		sa->proto = IPPROTO_ESP;
	else if (strcmp(argv[ARG_PROTO], "ah") == 0)
		sa->proto = IPPROTO_AH;
	else
		usage();
	if (strcmp(argv[ARG_MODE], "transport") == 0)
		sa->mode = SA_MODE_TRANSPORT;
	else if (strcmp(argv[ARG_MODE], "tunnel") == 0)
		sa->mode = SA_MODE_TUNNEL;
	else
		usage();
	sa->key.enc = algarg(argv[ARG_ENC]);
	sa->key.enc_len =
	    (uint8_t)hexarg(argv[ARG_ENCKEY], sa->key.enc_key, ALG_KEY_MAX);
	sa->key.auth = algarg(argv[ARG_AUTH]);
	sa->key.auth_len =
	    (uint8_t)hexarg(argv[ARG_AUTHKEY], sa->key.auth_key, ALG_KEY_MAX);
	sa->spi = (uint32_t)strtoul(argv[ARG_SPI], NULL, 0);
	*seq = strtoull(argv[ARG_SEQ], NULL, 0);
	if (strcmp(argv[ARG_ESN], "1") == 0)
		sa->flags |= SA_F_ESN;
	addrarg(argv[ARG_TSRC], &sa->src);
	addrarg(argv[ARG_TDST], &sa->dst);
	if (!cipher_key_check(&sa->key, sa->proto == IPPROTO_AH, &why)) {
		fprintf(stderr, "esptool: %s\n", why);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static uint8_t packet[70000];
	struct crypto_lib *lib;
	struct sa sa;
	struct pbuf pb;
	struct knobs knobs;
	struct bundle_history h;
	uint64_t seq;
	size_t n;
	enum ipsec_verdict v;
	bool is_encap;

	if (argc != ARG_COUNT)
		usage();
	is_encap = strcmp(argv[ARG_OP], "encap") == 0;
	if (!is_encap && strcmp(argv[ARG_OP], "decap") != 0)
		usage();
	parse_sa(argv, &sa, &seq);
	n = hexarg(argv[ARG_PACKET], packet, sizeof(packet));
	knobs_init(&knobs);
	if ((lib = crypto_lib_new(NULL)) == NULL ||
	    (xf.c = cipher_new(lib, &sa.key)) == NULL) {
		fprintf(stderr, "esptool: crypto setup failed\n");
		return 2;
	}
	xf.sa = &sa;
	sa.replay_window = 64;
	if ((sa.replay = malloc(replay_size(64))) == NULL)
		return 2;
	replay_init(sa.replay, 64, (sa.flags & SA_F_ESN) != 0);
	if (!is_encap && seq > 1 &&
	    replay_advance(sa.replay, seq - 1) != IPSEC_OK) {
		fprintf(stderr, "esptool: cannot preset the window\n");
		return 2;
	}
	pbuf_init(&pb, mem, sizeof(mem), 256);
	if (!pbuf_set(&pb, packet, n, 256))
		return 2;
	if (is_encap) {
		struct bundle_out_params op = { .knobs = &knobs, .ip_id = 1 };

		if (seq == 0)
			return 2;
		sa.seq_out = seq - 1;
		hexarg(argv[ARG_IV], op.iv_random[0], ALG_IV_MAX);
		v = bundle_output(&xf, 1, &op, &pb, NULL);
	} else {
		struct bundle_in_params ip = { .knobs = &knobs,
			.lookup = lookup };

		v = bundle_input(&ip, &pb, &h);
		if (v == IPSEC_OK && h.n != 1)
			v = IPSEC_DROP_PROTO; /* it was no packet for our SA */
	}
	if (v != IPSEC_OK) {
		fprintf(stderr, "%s\n", ipsec_verdict_name(v));
		return 1;
	}
	for (size_t i = 0; i < pbuf_len(&pb); i++)
		printf("%02x", pbuf_data(&pb)[i]);
	printf("\n");
	cipher_free(xf.c);
	free(sa.replay);
	crypto_lib_free(lib);
	return 0;
}
