/*
 * Fuzz target for the shim's parsers (src/shim/shim_check.c), which read
 * bytes from a key manager (a PF_KEY message it sends, a socket policy it
 * sets) and from ipsecd (the reply to a sockpolicy request).  The first
 * input byte picks the parser, the rest is its input:
 *   0  shim_msg_check, against the codec: it must refuse exactly what
 *      pfkey_msg_parse refuses before any extension (has_hdr false), with
 *      the same errno, or accept (any size limit aside)
 *   1  shim_policy_check for each family and option; an accepted policy
 *      must have a direction and type the daemon's request can carry,
 *      and that request must parse (control_req_parse) to the same values
 *   2  shim_reply_mark
 * A broken property aborts.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_shim_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic pass: every truncation and every single-byte
 * change of one valid input per parser.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

#include "daemon/control_req.h"
#include "pfkey/pfkey_msg.h"
#include "shim/shim_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
msg_property(const uint8_t *p, size_t len)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	int want = 0, got = shim_msg_check(p, len < 16 ? len : 16, len);

	if (!pfkey_msg_parse(&m, p, len, PFKEY_ORIGIN_USER, &err) &&
	    !err.has_hdr)
		want = err.code;
	if (got != want) {
		fprintf(stderr, "fuzz_shim: %zu bytes: shim %d, codec %d\n",
		    len, got, want);
		abort();
	}
}

static void
policy_property(const uint8_t *p, size_t len)
{
	static const int fams[] = { AF_INET, AF_INET6, AF_UNIX };
	static const int opts[][2] = { { IPPROTO_IP, IP_IPSEC_POLICY },
		{ IPPROTO_IPV6, IPV6_IPSEC_POLICY } };
	struct shim_policy sp;
	struct control_req req;
	char text[512], why[CONTROL_WHY_MAX];
	size_t n;

	for (size_t f = 0; f < 3; f++)
		for (size_t o = 0; o < 2; o++) {
			if (shim_policy_check(fams[f], opts[o][0], opts[o][1],
				len == 0 ? NULL : p, len, &sp) != 0)
				continue;
			if (sp.op == SHIM_POL_SET &&
			    ((sp.dir != IPSEC_DIR_INBOUND &&
				 sp.dir != IPSEC_DIR_OUTBOUND) ||
				(sp.type != IPSEC_POLICY_NONE &&
				    sp.type != IPSEC_POLICY_ENTRUST &&
				    sp.type != IPSEC_POLICY_BYPASS)))
				abort();
			n = shim_policy_request(
			    text, sizeof(text), 123, 4, fams[f], &sp);
			if (n == 0 ||
			    !control_req_parse(text, n, &req, why, sizeof(why)))
				abort();
			if (sp.op == SHIM_POL_SET &&
			    (!req.sp.is_set || req.sp.dir != sp.dir ||
				req.sp.type != sp.type))
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t mark;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		msg_property(data + 1, size - 1);
		break;
	case 1:
		policy_property(data + 1, size - 1);
		break;
	default:
		(void)shim_reply_mark((const char *)data + 1, size - 1, &mark);
		break;
	}
	return 0;
}

#ifdef FUZZ_REGRESS
static uint8_t in[256];

/* Every truncation and single-byte change of in[0..len). */
static unsigned long
mutate(size_t len)
{
	uint8_t save;
	unsigned long runs = 0;

	for (size_t cut = 0; cut <= len; cut++, runs++)
		LLVMFuzzerTestOneInput(in, cut);
	for (size_t i = 1; i < len; i++) {
		save = in[i];
		for (unsigned v = 0; v < 256; v++, runs++) {
			in[i] = (uint8_t)v;
			LLVMFuzzerTestOneInput(in, len);
		}
		in[i] = save;
	}
	return runs;
}

int
main(void)
{
	static const char reply[] = "{\"version\":1,\"type\":\"sockpolicy\","
				    "\"items\":[{\"mark\":69,\"mask\":255}],"
				    "\"end\":true}";
	struct sadb_msg h;
	struct sadb_x_policy pol;
	unsigned long runs = 0;

	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = SADB_X_SPDDUMP;
	h.sadb_msg_len = 3;
	memset(in, 0, sizeof(in));
	in[0] = 0;
	memcpy(in + 1, &h, sizeof(h));
	runs += mutate(1 + 24);

	memset(&pol, 0, sizeof(pol));
	pol.sadb_x_policy_len = 2;
	pol.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	pol.sadb_x_policy_type = IPSEC_POLICY_BYPASS;
	pol.sadb_x_policy_dir = IPSEC_DIR_OUTBOUND;
	memset(in, 0, sizeof(in));
	in[0] = 1;
	memcpy(in + 1, &pol, sizeof(pol));
	runs += mutate(1 + sizeof(pol));

	memset(in, 0, sizeof(in));
	in[0] = 2;
	memcpy(in + 1, reply, sizeof(reply) - 1);
	runs += mutate(sizeof(reply));
	printf("fuzz_shim_regress: %lu inputs, no property broken\n", runs);
	return 0;
}
#endif
