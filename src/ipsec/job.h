#ifndef IPSECD_IPSEC_JOB_H
#define IPSECD_IPSEC_JOB_H

#include <stdint.h>

#include "crypto/cipher.h"

struct pbuf;
struct sa;

/*
 * One packet between the two halves of a transform.  ESP and AH are split
 * so the crypto in the middle can run elsewhere (DESIGN.md, "crypto is a
 * pipeline stage"):
 *
 *   xxx_begin(job, ...)   parse, replay check, build job->op   (pure)
 *   cipher_run(&job->op)  or crypto_submit() of many jobs' ops
 *   xxx_end(job, ...)     check op status, replay advance, strip (pure)
 *
 * The caller owns the job (in its batch array), sets sa and pb before
 * begin, and keeps both alive until end returns.  Nothing in a job is
 * allocated; scratch holds what the op points at that is not in the packet
 * (ESN AAD, high sequence bits, AH's copy of mutable header fields).
 * job->op.cookie is the caller's.
 */
#define IPSEC_JOB_SCRATCH 192

struct ipsec_job {
	struct crypto_op op;
	struct sa *sa;
	struct pbuf *pb;
	uint64_t seq;	 /* full (ESN-inferred) sequence number */
	uint16_t off;	 /* offset of the IPsec header in the packet */
	uint16_t aux;	 /* transform's own (e.g. saved header length) */
	uint16_t nh_off; /* byte holding the protocol of the IPsec header */
	uint8_t nh_save; /* protocol byte replaced at nh_off */
	uint8_t icv[ALG_ICV_MAX]; /* received ICV (AH verifies a copy) */
	uint8_t scratch[IPSEC_JOB_SCRATCH];
};

#endif
