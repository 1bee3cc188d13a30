#ifndef IPSECD_IPSEC_SA_H
#define IPSECD_IPSEC_SA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "crypto/cipher.h"

/*
 * A Security Association as the transforms and the SAD see it.  PF_KEY SAs
 * have no direction of their own (the daemon treats an SA whose dst is a
 * local address as inbound), so one struct serves both: the outbound
 * sequence counter and the inbound replay window live side by side and
 * each direction uses its own.
 *
 * Everything above "runtime" is set when the SA is installed and never
 * changed while workers can see it (an UPDATE publishes a new copy).
 */
enum sa_mode { /* values of <linux/ipsec.h> IPSEC_MODE_* */
	SA_MODE_ANY = 0,
	SA_MODE_TRANSPORT = 1,
	SA_MODE_TUNNEL = 2,
	SA_MODE_BEET = 3,
};

enum sa_state {
	SA_STATE_LARVAL, /* GETSPI reserved the SPI; no keys yet */
	SA_STATE_MATURE,
	SA_STATE_DYING, /* soft lifetime reached: still usable, rekey due */
	SA_STATE_DEAD,	/* hard lifetime reached or deleted: unusable */
};

/* Flags (sa.flags). */
#define SA_F_ESN 0x01	      /* 64-bit extended sequence numbers */
#define SA_F_NOECN 0x02	      /* XFRM_STATE_NOECN: no ECN on decap */
#define SA_F_DECAP_DSCP 0x04  /* copy outer DSCP to inner on decap */
#define SA_F_NOPMTUDISC 0x08  /* never set outer DF */
#define SA_F_UDP_ENCAP 0x10   /* ESP-in-UDP (RFC 3948) */

/*
 * Lifetime limits (0 = none): bytes and packets processed, seconds since
 * the SA was added, seconds since its first use.
 */
struct sa_lifetime {
	uint64_t bytes;
	uint64_t packets;
	uint64_t add_sec;
	uint64_t use_sec;
};

struct replay;

struct sa {
	/* identity */
	uint32_t spi;	/* host order; IPcomp: the CPI */
	uint8_t proto;	/* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;	/* enum sa_mode */
	uint8_t flags;	/* SA_F_* */
	uint8_t calg;	/* IPcomp: SADB_X_CALG_* */
	uint32_t reqid; /* interface key (FreeBSD if_ipsec style) */
	uint32_t if_id; /* explicit interface key, 0 = none */
	struct addr src; /* SA source = outer source in tunnel mode */
	struct addr dst;
	/* BEET: inner addresses restored on decap, checked on encap. */
	struct addr beet_src;
	struct addr beet_dst;
	uint16_t encap_sport; /* ESP-in-UDP ports, host order */
	uint16_t encap_dport;
	/*
	 * ESP-in-UDP: the source address as the peer had it before a NAT
	 * (X_NAT_T_OA), for transport-mode checksums (natoa.h); family 0
	 * when the key manager gave none.
	 */
	struct addr nat_oa;
	uint16_t replay_window; /* packets; 0 = no anti-replay */
	struct cipher_key key;
	struct sa_lifetime soft;
	struct sa_lifetime hard;

	/* runtime */
	_Atomic uint64_t seq_out; /* last sequence number sent (0 = none yet) */
	struct replay *replay;	  /* inbound window, owned by the SAD entry */
};

#endif
