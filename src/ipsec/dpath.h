#ifndef IPSECD_IPSEC_DPATH_H
#define IPSECD_IPSEC_DPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/bundle.h"
#include "ipsec/selector.h"
#include "ipsec/verdict.h"

struct crypto_lib;
struct ipcomp_ctx;
struct knobs;
struct pbuf;
struct sad;
struct sad_entry;
struct spd;
struct spd_cache;
struct spd_policy;

/*
 * The per-packet data path of one worker, between the I/O and the core:
 *
 *   outbound  plaintext from an ipsecN queue (interface key if_id)
 *             -> flow key -> SPD (out) -> one SA per template (SAD)
 *             -> bundle_output -> where to send it (struct dpath_out)
 *   inbound   a whole IP packet carrying ESP/AH/IPcomp
 *             -> bundle_input (SAD by SPI) -> flow key of the plaintext
 *             -> SPD (in) -> bundle_check_policy -> which interface
 *
 * Pure like the rest of src/ipsec: no I/O, no clock (the worker sets
 * now_sec), no logging: it returns a verdict, and counts drops against
 * the SA concerned (sad_drop) when there is one.  Each worker owns one
 * struct dpath; the SAD, SPD and knobs are shared read-mostly state
 * (sad.h, spd.h threading contracts: the worker is a registered QSBR
 * reader and online while it calls these).
 *
 * Crypto state: each worker keys its own struct cipher per SA on first use
 * and hangs it on the SA in its sad_wstate slot (slot = worker index), so
 * the SAD must have been set up with sad_wstate_setup(sad, nworkers,
 * dpath_wstate_free).  The cipher is made under the configured offload
 * policy (cipher_new_policy): the library context never changes once the
 * daemon runs, so every worker lands on the choice the PF_KEY server
 * checked when the SA was added (an SA the policy refuses never gets
 * in).  An operation the provider fails (CRYPTO_ERROR) is counted against
 * the SA and moves its state on this worker as cipher_failover says:
 * software from then on (prefer), or stopped (require).
 */

/* Seconds a learned path MTU is trusted before it is probed again. */
#define DPATH_PMTU_TTL 600

/* Shared by all workers; set up by the daemon before they start. */
struct dpath_shared {
	struct sad *sad;
	struct spd *spd;
	const struct crypto_lib *lib;
	/*
	 * The knobs in force (RCU-published by the control thread: read it
	 * once per packet with rcu_dereference semantics).
	 */
	const struct knobs *_Atomic knobs;
};

/*
 * What became of an SA's crypto on one worker after its provider failed
 * (an operation ended with CRYPTO_ERROR; cipher_failover says which):
 *   OK        as chosen at ADD (crypto_lib_choose, the configured policy)
 *   FALLBACK  hardware under prefer failed: software from then on
 *   STOPPED   hardware under require failed: the SA's packets are dropped
 *             (IPSEC_DROP_CRYPTO) until the key manager replaces it
 */
enum dpath_crypto_state {
	DPATH_CRYPTO_OK,
	DPATH_CRYPTO_FALLBACK,
	DPATH_CRYPTO_STOPPED,
};

/*
 * Per-worker crypto state of one SA (in its sad_wstate slot).  The
 * atomics are written by the worker and read by the control thread
 * (dpath_sa_crypto).
 */
struct dpath_sa_state {
	struct cipher *c;
	/*
	 * The cipher replaced after a failure: operations may still be in
	 * flight on it, so it lives as long as the state does.
	 */
	struct cipher *retired;
	_Atomic uint8_t crypto_state;	/* enum dpath_crypto_state */
	_Atomic uint64_t crypto_errors; /* operations the provider failed */
	uint32_t pmtu;	   /* path MTU toward sa.dst, 0 = unknown */
	uint64_t pmtu_sec; /* when pmtu was learned (now_sec) */
};

/* The sad_wstate free function for struct dpath_sa_state. */
void dpath_wstate_free(void *state);

/* An SA's crypto failures, summed over the workers' states. */
struct dpath_sa_crypto {
	uint64_t errors;    /* operations the provider failed */
	unsigned nfallback; /* workers on which it fell back to software */
	unsigned nstopped;  /* workers on which it stopped */
};

/*
 * Sum the states of e's nslots worker slots into *out.  A reader (sad.h):
 * the caller holds e as a QSBR reader, so the states stay valid.
 */
void dpath_sa_crypto(
    const struct sad_entry *e, unsigned nslots, struct dpath_sa_crypto *out);

/* "ok", "fallback", "stopped". */
const char *dpath_crypto_state_name(enum dpath_crypto_state st);

struct dpath {
	const struct dpath_shared *sh;
	unsigned slot; /* this worker's sad_wstate slot */
	struct spd_cache *cache;
	struct ipcomp_ctx *ipcomp;
	uint64_t now_sec; /* the worker's coarse clock, set per batch */
	uint16_t ip_id;	  /* next IPv4 ID for outer headers */
	/* Unpredictable bytes for CBC IVs, refilled by the worker. */
	uint8_t rnd[4096];
	size_t rnd_left;
	/*
	 * The worker's path MTU probe toward an outer destination (0 when
	 * unknown), asked when an SA's pmtu is unknown or older than
	 * DPATH_PMTU_TTL seconds.  NULL: never asked (no MTU checks).
	 */
	uint32_t (*pmtu_probe)(void *arg, const struct addr *dst);
	void *pmtu_arg;
	/*
	 * Told once per SA when its state on this worker leaves
	 * DPATH_CRYPTO_OK (the worker logs it; dpath does not), with the
	 * SA and its new state.  NULL: nobody is told.
	 */
	void (*crypto_event)(
	    void *arg, const struct sad_entry *e, enum dpath_crypto_state st);
	void *crypto_arg;
};

/*
 * Set up d for worker slot over sh; spd_cache bits as spd_cache_new.
 * -1 on allocation failure (d is then cleared).
 */
int dpath_init(struct dpath *d, const struct dpath_shared *sh, unsigned slot,
    unsigned cache_bits);
void dpath_clear(struct dpath *d);

/* Where and how an outbound packet goes after dpath_output. */
struct dpath_out {
	struct sad_entry *sa; /* outermost SA (counters, NAT-T state); also
				 set with IPSEC_DROP_TOOBIG */
	struct addr src;      /* outer addresses (the outermost SA's) */
	struct addr dst;
	uint8_t proto;	/* outer protocol: 50, 51 or 108 */
	bool is_udp;	/* ESP-in-UDP (RFC 3948) */
	uint16_t sport; /* UDP ports, host order, when is_udp */
	uint16_t dport;
	/*
	 * On IPSEC_DROP_TOOBIG before encapsulation: the largest inner
	 * packet that fits the path MTU, for an ICMP "fragmentation
	 * needed" / "packet too big" to the inner sender (dpath_icmp_toobig);
	 * for IPv6 at least 1280, since IPv6 packets up to that size are
	 * encapsulated and the outer packet fragmented (RFC 2473 7.1).
	 */
	uint32_t inner_mtu;
	struct spd_policy *pol;	  /* the policy applied, or NULL */
	struct selector_key flow; /* with IPSEC_DROP_NOSA: for the ACQUIRE */
};

/*
 * Protect the plaintext IP packet in pb that arrived on the interface
 * with key if_id.  is_local_src: the packet's source is one of this
 * host's addresses (transport mode is refused for forwarded packets).
 * Returns IPSEC_OK with pb holding the outer packet (IP header included)
 * and *out filled; IPSEC_DUMMY when a bypass policy says send the packet
 * as it is (pb unchanged, out->sa NULL); or a drop verdict:
 * IPSEC_DROP_HDR (malformed), IPSEC_DROP_POLICY (no policy, or discard),
 * IPSEC_DROP_NOSA (a required SA is missing or unusable; out->pol says
 * which policy, for an ACQUIRE), IPSEC_DROP_TOOBIG (DF set and the result
 * would exceed the path MTU: out->inner_mtu is set and pb unchanged),
 * IPSEC_DROP_LIFETIME, IPSEC_DROP_CRYPTO (no cipher), or a transform's.
 */
enum ipsec_verdict dpath_output(struct dpath *d, uint32_t if_id,
    bool is_local_src, struct pbuf *pb, struct dpath_out *out);

/* What dpath_input found. */
struct dpath_in {
	struct sad_entry *sa; /* outermost SA used (NAT-T mapping checks) */
	uint32_t if_key;      /* interface key of the innermost SA: its
				 if_id if set, else its reqid (0 = default) */
	struct bundle_history hist;
};

/*
 * Remove IPsec from the whole IP packet in pb and check the inbound
 * policy.  IPSEC_OK with the plaintext in pb and *in filled; IPSEC_DUMMY
 * for an ESP dummy packet; IPSEC_DROP_* otherwise (bundle_input's and
 * bundle_check_policy's verdicts, IPSEC_DROP_LIFETIME).  A packet without
 * any IPsec header is IPSEC_DROP_PROTO: the sockets only deliver IPsec.
 */
enum ipsec_verdict dpath_input(
    struct dpath *d, struct pbuf *pb, struct dpath_in *in);

/*
 * The path MTU this worker knows for SA e (0 = unknown); for the worker,
 * which fragments outer packets larger than it (frag.h).
 */
uint32_t dpath_pmtu(struct dpath *d, struct sad_entry *e);

/*
 * One packet on its way through dpath, for a crypto stage that completes
 * later (DESIGN.md, "crypto is a pipeline stage"): *_begin does the
 * lookups and checks and starts the bundle, *_step goes on after each
 * crypto op:
 *
 *   v = dpath_output_begin(d, ..., job);
 *   while (v == IPSEC_PENDING) {
 *           run or submit job->run.job.op, and when it completed:
 *           v = dpath_output_step(d, job);
 *   }
 *
 * The final verdict is what dpath_output would return, with job->out (or
 * job->in) filled.  The job borrows SAs and their ciphers: the worker
 * must not pass a quiescent state while a job of its is pending (sad.h),
 * and must not move the job meanwhile (the op points into it).
 * dpath_output and dpath_input are these with the ops run inline.
 */
struct dpath_job {
	struct bundle_run run;
	struct pbuf *pb;
	size_t len; /* the packet's length when it came in */
	/* outbound */
	struct bundle_out_params p;
	struct bundle_xform x[BUNDLE_MAX];
	size_t n;
	struct dpath_out out;
	/* inbound */
	struct dpath *d;
	struct bundle_in_params ip;
	struct bundle_xform xin[BUNDLE_MAX];
	struct sad_entry *ein[BUNDLE_MAX];
	unsigned nxin;
	struct dpath_in in;
};

enum ipsec_verdict dpath_output_begin(struct dpath *d, uint32_t if_id,
    bool is_local_src, struct pbuf *pb, struct dpath_job *job);
enum ipsec_verdict dpath_output_step(struct dpath *d, struct dpath_job *job);
enum ipsec_verdict dpath_input_begin(
    struct dpath *d, struct pbuf *pb, struct dpath_job *job);
enum ipsec_verdict dpath_input_step(struct dpath *d, struct dpath_job *job);

/*
 * Record the path MTU the worker learned for SA e (from the kernel, e.g.
 * after EMSGSIZE); the next oversized DF packet gets IPSEC_DROP_TOOBIG
 * before encapsulation.
 */
void dpath_set_pmtu(struct dpath *d, struct sad_entry *e, uint32_t pmtu);

/*
 * Build, in out (reset first), the ICMP error telling the sender of the
 * IP packet at inner (len bytes) that only mtu bytes fit: ICMPv4 type 3
 * code 4 (RFC 1191) or ICMPv6 type 2 (RFC 8201, mtu at least 1280),
 * from address from (of the inner packet's family), quoting as much of the
 * packet as RFC 792 / RFC 4443 allow (IPv4: header + 8 bytes at least,
 * we quote up to 548 bytes; IPv6: up to 1280 bytes in all).  False when
 * the inner packet is malformed, is itself an ICMP error (never answer an
 * error with an error, RFC 1122 3.2.2 / RFC 4443 2.4(e)), is not the first
 * fragment, or out has no room.
 */
bool dpath_icmp_toobig(const uint8_t *inner, size_t len, uint32_t mtu,
    const struct addr *from, struct pbuf *out);

#endif
