/*
 * Fuzz target for natoa_input (src/ipsec/natoa.c), which reads a
 * decapsulated packet, as it came from the peer through the NAT, to mend
 * its TCP or UDP checksum.  Input: byte 0 picks the policy (bit 0), the
 * SA's mode (bit 1: tunnel) and whether it has an original address (bit
 * 2; bit 3: of the other family), bytes 1..16 that address, the rest the
 * packet.  Properties, each an abort when broken: nothing is written
 * outside the packet's checksum field (the two bytes at the L4 header's
 * checksum offset), and nothing at all when natoa_input says it did not
 * apply.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_natoa_regress, whose main() (FUZZ_REGRESS) runs every
 * truncation and single-byte change of a valid UDP and TCP packet.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/bundle.h"
#include "ipsec/iphdr.h"
#include "ipsec/natoa.h"
#include "ipsec/sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pkt[4096], before[4096];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_xform x;
	struct ip_info info;
	struct sa sa;
	size_t len, off = 0;
	int rc;

	if (size < 17 || size - 17 > sizeof(pkt))
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.proto = IPPROTO_ESP;
	sa.flags = SA_F_UDP_ENCAP;
	sa.mode = (data[0] & 2) ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT;
	if (data[0] & 4)
		addr_set(
		    &sa.nat_oa, (data[0] & 8) ? AF_INET6 : AF_INET, data + 1);
	x.sa = &sa;
	x.c = NULL;
	len = size - 17;
	memcpy(pkt, data + 17, len);
	memcpy(before, pkt, len);
	rc = natoa_input(&x, 1, data[0] & 1, pkt, len);
	if (rc == 1 && ip_parse(before, len, &info))
		off = info.ins_off + (info.proto == IPPROTO_UDP ? 6 : 16);
	for (size_t i = 0; i < len; i++)
		if (pkt[i] != before[i] &&
		    (rc == 0 || off == 0 || i < off || i > off + 1)) {
			fprintf(stderr,
			    "fuzz_natoa: byte %zu changed (rc %d)\n", i, rc);
			abort();
		}
	return 0;
}

#ifdef FUZZ_REGRESS
static uint8_t in[17 + 128];

static unsigned long
mutate(size_t len)
{
	unsigned long runs = 0;
	uint8_t save;

	for (size_t cut = 0; cut <= len; cut++, runs++)
		LLVMFuzzerTestOneInput(in, cut);
	for (size_t i = 0; i < len; i++) {
		save = in[i];
		for (unsigned v = 0; v < 256; v++, runs++) {
			in[i] = (uint8_t)v;
			LLVMFuzzerTestOneInput(in, len);
		}
		in[i] = save;
	}
	return runs;
}

/* A valid IPv4 packet with an 8-byte UDP or 20-byte TCP header. */
static size_t
seed(uint8_t proto)
{
	uint8_t *p = in + 17;
	size_t l4 = proto == IPPROTO_UDP ? 8 + 12 : 20 + 12;

	memset(in, 0, sizeof(in));
	in[0] = 4; /* policy 0, transport, an original address */
	in[1] = 10;
	in[2] = 9;
	in[3] = 1;
	in[4] = 2;
	p[0] = 0x45;
	p[8] = 64;
	p[9] = proto;
	p[12] = 10;
	p[13] = 9;
	p[14] = 2;
	p[15] = 1;
	p[16] = 10;
	p[17] = 9;
	p[18] = 2;
	p[19] = 2;
	if (!ip_set_len(p, AF_INET, 20 + l4))
		abort();
	if (proto == IPPROTO_UDP) {
		p[24] = 0;
		p[25] = (uint8_t)l4;
		p[26] = 0x12; /* a non-zero checksum */
	} else {
		p[32] = 0x50;
		p[36] = 0x34;
	}
	return 17 + 20 + l4;
}

int
main(void)
{
	unsigned long runs = 0;

	runs += mutate(seed(IPPROTO_UDP));
	runs += mutate(seed(IPPROTO_TCP));
	printf("fuzz_natoa_regress: %lu inputs, no property broken\n", runs);
	return 0;
}
#endif
