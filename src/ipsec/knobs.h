#ifndef IPSECD_IPSEC_KNOBS_H
#define IPSECD_IPSEC_KNOBS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Global behaviour switches with FreeBSD ipsec(4)'s names and meanings
 * (net.inet.ipsec.* / net.inet6.ipsec6.*).  The daemon owns one and passes
 * it (const) to the data path.
 */
enum knobs_dfbit {
	KNOBS_DF_CLEAR = 0, /* outer DF always clear */
	KNOBS_DF_SET = 1,   /* outer DF always set */
	KNOBS_DF_COPY = 2,  /* copy the inner DF (IPv6 inner: DF set) */
};

/* def_policy: what to do with a packet no policy matches. */
enum knobs_policy {
	KNOBS_POLICY_DISCARD = 0,
	KNOBS_POLICY_NONE = 1, /* bypass (FreeBSD's IPSEC_POLICY_NONE) */
};

/* Levels of ipsec(4) and <linux/ipsec.h> IPSEC_LEVEL_*. */
enum knobs_level {
	KNOBS_LEVEL_DEFAULT = 0,
	KNOBS_LEVEL_USE = 1,
	KNOBS_LEVEL_REQUIRE = 2,
	KNOBS_LEVEL_UNIQUE = 3,
};

struct knobs {
	uint8_t def_policy;	 /* enum knobs_policy; default NONE */
	uint8_t dfbit;		 /* enum knobs_dfbit; default COPY */
	/*
	 * ecn: 0 = RFC 6040 compatibility mode (outer ECN not-ECT, inner
	 * untouched on decap), 1 = RFC 6040 normal mode.  Default 0, as
	 * FreeBSD.
	 */
	uint8_t ecn;
	bool check_policy_history; /* inbound check sees every SA applied */
	uint8_t natt_cksum_policy; /* 0 fix with NAT-OA, 1 clear (ipsec(4)) */
	bool ah_cleartos;	   /* zero TOS/traffic class for the AH ICV */
	uint16_t ah_offsetmask;	   /* mask on frag offset in the AH ICV */
	uint8_t esp_trans_deflev;  /* enum knobs_level, for level DEFAULT */
	uint8_t esp_net_deflev;
	uint8_t ah_trans_deflev;
	uint8_t ah_net_deflev;
	bool esp_enable; /* accept inbound ESP at all */
	bool ah_enable;
	bool ipcomp_enable;
};

/* FreeBSD's defaults: def_policy 1 (none), dfbit 0... see knobs.c. */
void knobs_init(struct knobs *k);

#endif
