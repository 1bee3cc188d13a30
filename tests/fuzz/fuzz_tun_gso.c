/*
 * Fuzz target for src/daemon/tun_gso.c: the first TUN_VNET_HDR_LEN bytes
 * are the virtio header, the rest the packet a TUN queue with offloads
 * handed over.  tun_gso_prepare reads it (and may complete a checksum in
 * place, so it gets a copy); every segment of a super-packet is then
 * built, each no longer than the room given and than its headers plus
 * one MSS, the last one refused.  The same bytes also go to tun_gro as
 * two packets (run_gro).
 *
 * tests/fuzz/fuzz_tun_gso_regress (FUZZ_REGRESS) runs in `make check`: a
 * valid IPv4 and IPv6 super-packet cut at every length and with every
 * bit of its header and the virtio header flipped, no crash and no
 * segment out of bounds; with --seeds DIR it writes them as seeds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "daemon/tun_gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pkt[65536];
static uint8_t seg[65536];

static uint8_t gro_a[65536], gro_b[65536];

/*
 * The same bytes as two packets for tun_gro: the first byte says where
 * the first ends; a run is started with it and the second added.
 */
static unsigned
run_gro(const uint8_t *data, size_t size)
{
	uint8_t vh[TUN_VNET_HDR_LEN];
	struct tun_gro r;
	size_t la;

	if (size < 1)
		return 0;
	la = (size_t)data[0] * 8 < size - 1 ? (size_t)data[0] * 8 : size - 1;
	memcpy(gro_a, data + 1, la);
	memcpy(gro_b, data + 1 + la, size - 1 - la);
	if (!tun_gro_start(&r, gro_a, la))
		return 0;
	if (tun_gro_add(&r, gro_b, size - 1 - la) &&
	    (r.npkts != 2 || r.total != la + (size - 1 - la - r.hlen)))
		return 1;
	tun_gro_finish(&r, vh);
	return 0;
}

/* Returns the number of violations (0 expected). */
static unsigned
run(const uint8_t *data, size_t size)
{
	struct tun_gso g;
	unsigned bad = run_gro(data, size);

	if (size < TUN_VNET_HDR_LEN || size - TUN_VNET_HDR_LEN > sizeof(pkt))
		return 0;
	memcpy(pkt, data + TUN_VNET_HDR_LEN, size - TUN_VNET_HDR_LEN);
	if (tun_gso_prepare(data, pkt, size - TUN_VNET_HDR_LEN, &g) !=
	    TUN_GSO_TCP)
		return 0;
	for (size_t i = 0; i < g.nseg; i++) {
		size_t n = tun_gso_segment(&g, i, seg, sizeof(seg));

		if (n == 0 || n > g.hlen + g.mss || n > sizeof(seg))
			bad++;
	}
	if (tun_gso_segment(&g, g.nseg, seg, sizeof(seg)) != 0)
		bad++;
	return bad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (run(data, size) != 0)
		abort();
	return 0;
}

#ifdef FUZZ_REGRESS
/* A super-packet of version v after its virtio header; its length. */
static size_t
make(uint8_t *b, int v)
{
	struct virtio_net_hdr h;
	size_t ihl = v == 4 ? 20 : 40, n = ihl + 32 + 1000;
	uint8_t *p = b + TUN_VNET_HDR_LEN, *t = p + ihl;

	memset(b, 0, TUN_VNET_HDR_LEN + n);
	memset(&h, 0, sizeof(h));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type =
	    v == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h.gso_size = 400;
	h.csum_start = (uint16_t)ihl;
	h.csum_offset = 16;
	memcpy(b, &h, sizeof(h));
	if (v == 4) {
		p[0] = 0x45;
		p[2] = (uint8_t)(n >> 8);
		p[3] = (uint8_t)n;
		p[9] = 6;
	} else {
		p[0] = 0x60;
		p[4] = (uint8_t)((n - 40) >> 8);
		p[5] = (uint8_t)(n - 40);
		p[6] = 6;
	}
	t[12] = 0x80; /* 32-byte TCP header */
	t[13] = 0x18;
	return TUN_VNET_HDR_LEN + n;
}

/* Cut at every length, flip every bit of the headers. */
static unsigned
mutate(uint8_t *b, size_t n, unsigned *checked)
{
	unsigned bad = 0;

	for (size_t len = 0; len <= n; len++, (*checked)++)
		bad += run(b, len);
	for (size_t k = 0; k < TUN_VNET_HDR_LEN + 72 && k < n; k++)
		for (int bit = 0; bit < 8; bit++, (*checked)++) {
			b[k] ^= (uint8_t)(1u << bit);
			bad += run(b, n);
			b[k] ^= (uint8_t)(1u << bit);
		}
	return bad;
}

int
main(int argc, char **argv)
{
	static uint8_t b4[4096], b6[4096];
	size_t n4 = make(b4, 4), n6 = make(b6, 6);
	unsigned checked = 0, bad = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/tso4", argv[2]);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(b4, 1, n4, f) != n4 || fclose(f) != 0)
			return 1;
		snprintf(path, sizeof(path), "%s/tso6", argv[2]);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(b6, 1, n6, f) != n6 || fclose(f) != 0)
			return 1;
		return 0;
	}
	bad += mutate(b4, n4, &checked);
	bad += mutate(b6, n6, &checked);
	printf(
	    "fuzz_tun_gso_regress: %u inputs, %u violations\n", checked, bad);
	return bad == 0 && checked > 0 ? 0 : 1;
}
#endif
