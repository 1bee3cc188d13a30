#ifndef IPSECD_IPSEC_VERDICT_H
#define IPSECD_IPSEC_VERDICT_H

/*
 * Outcome of every data-path step (ESP, AH, IPcomp, bundle, policy check).
 * One enum for all of them so that per-SA and per-interface drop counters
 * are an array indexed by verdict and `ipsecctl show` prints each reason
 * by name.  Only IPSEC_OK continues; IPSEC_PENDING (bundle.h's steps) is
 * not an outcome but "run this crypto op, then step again"; IPSEC_DUMMY is a
 * quiet, expected drop (RFC 4303 section 2.6 dummy packet, next header 59);
 * every other value is a counted drop.
 */
enum ipsec_verdict {
	IPSEC_OK,
	IPSEC_DUMMY,		  /* ESP next header 59: drop quietly */
	IPSEC_DROP_SHORT,	  /* a length check failed */
	IPSEC_DROP_HDR,		  /* malformed IP / extension header */
	IPSEC_DROP_SEQ_ZERO,	  /* inbound sequence number 0 (never sent) */
	IPSEC_DROP_REPLAY,	  /* seen already, or left of the window */
	IPSEC_DROP_ICV,		  /* authentication failed */
	IPSEC_DROP_PAD,		  /* ESP padding not 1, 2, 3, ... */
	IPSEC_DROP_NEXTHDR,	  /* next header not possible for the mode */
	IPSEC_DROP_SEQ_EXHAUSTED, /* outbound counter would wrap: rekey */
	IPSEC_DROP_NOROOM,	  /* no head/tail room in the buffer */
	IPSEC_DROP_MODE,     /* e.g. transport mode for a forwarded packet */
	IPSEC_DROP_CRYPTO,   /* provider error */
	IPSEC_DROP_DECOMP,   /* IPcomp inflate failed or too large */
	IPSEC_DROP_FAMILY,   /* address family does not fit the SA */
	IPSEC_DROP_PROTO,    /* protocol does not match the SA/bundle */
	IPSEC_DROP_NOSA,     /* no SA for SPI/proto/dst, or SA not mature */
	IPSEC_DROP_POLICY,   /* SPD says discard, or the check failed */
	IPSEC_DROP_TOOBIG,   /* result would exceed the MTU / 65535 */
	IPSEC_DROP_QUEUE,    /* a bounded queue was full */
	IPSEC_DROP_LIFETIME, /* hard lifetime reached */
	IPSEC_VERDICT_COUNT,
	/*
	 * Not an outcome and never counted (so beyond the counters): "run
	 * this crypto op, then step again" (bundle.h's steps).
	 */
	IPSEC_PENDING = IPSEC_VERDICT_COUNT + 1,
};

/* Short name for logs and counters ("replay", "icv"); never NULL. */
const char *ipsec_verdict_name(enum ipsec_verdict v);

#endif
