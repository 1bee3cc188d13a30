/* Names of the data-path verdicts, for counters and logs. */
#include "config.h"

#include "ipsec/verdict.h"

#include <stddef.h>

static const char *const verdict_names[IPSEC_VERDICT_COUNT] = {
	[IPSEC_OK] = "ok",
	[IPSEC_DUMMY] = "dummy",
	[IPSEC_DROP_SHORT] = "short",
	[IPSEC_DROP_HDR] = "bad-header",
	[IPSEC_DROP_SEQ_ZERO] = "seq-zero",
	[IPSEC_DROP_REPLAY] = "replay",
	[IPSEC_DROP_ICV] = "icv",
	[IPSEC_DROP_PAD] = "padding",
	[IPSEC_DROP_NEXTHDR] = "next-header",
	[IPSEC_DROP_SEQ_EXHAUSTED] = "seq-exhausted",
	[IPSEC_DROP_NOROOM] = "no-room",
	[IPSEC_DROP_MODE] = "mode",
	[IPSEC_DROP_CRYPTO] = "crypto-error",
	[IPSEC_DROP_DECOMP] = "decompress",
	[IPSEC_DROP_FAMILY] = "family",
	[IPSEC_DROP_PROTO] = "protocol",
	[IPSEC_DROP_NOSA] = "no-sa",
	[IPSEC_DROP_POLICY] = "policy",
	[IPSEC_DROP_TOOBIG] = "too-big",
	[IPSEC_DROP_QUEUE] = "queue-full",
	[IPSEC_DROP_LIFETIME] = "lifetime",
};

const char *
ipsec_verdict_name(enum ipsec_verdict v)
{
	if (v == IPSEC_PENDING)
		return "pending";
	if ((unsigned)v >= IPSEC_VERDICT_COUNT || verdict_names[v] == NULL)
		return "unknown";
	return verdict_names[v];
}
