#ifndef IPSECD_IPSEC_KNOBS_H
#define IPSECD_IPSEC_KNOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Global behaviour switches with FreeBSD ipsec(4)'s names and meanings
 * (net.inet.ipsec.*, net.inet6.ipsec6.*, net.inet.{esp,ah,ipcomp}.*).  The
 * daemon owns one and passes it (const) to the data path.  The same table
 * of names serves ipsecd.conf, `ipsecctl set/get` and `ipsecctl show
 * knobs`; it is pure (no I/O, no allocation).
 *
 * FreeBSD keeps separate IPv6 copies of the levels and of ecn; ipsecd has
 * one value for both families, and each net.inet6.ipsec6 name is an alias
 * of its net.inet.ipsec twin.
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
	uint8_t def_policy; /* enum knobs_policy; default NONE */
	uint8_t dfbit;	    /* enum knobs_dfbit; default COPY */
	/*
	 * ecn: 0 = RFC 6040 compatibility mode (outer ECN not-ECT, inner
	 * untouched on decap), 1 = RFC 6040 normal mode.  Default 0, as
	 * FreeBSD.
	 */
	uint8_t ecn;
	bool check_policy_history; /* inbound check sees every SA applied */
	/*
	 * Transport-mode NAT-T checksums (RFC 3948 section 3.1.2), FreeBSD's
	 * values: 0 = incremental update with the NAT-OA when the IKE daemon
	 * gave one, else UDP checksum zeroed and TCP's taken as valid;
	 * 1 = full recomputation.
	 */
	uint8_t natt_cksum_policy;
	bool ah_cleartos;	  /* zero TOS/traffic class for the AH ICV */
	uint16_t ah_offsetmask;	  /* mask on frag offset in the AH ICV */
	uint8_t esp_trans_deflev; /* enum knobs_level, for level DEFAULT */
	uint8_t esp_net_deflev;
	uint8_t ah_trans_deflev;
	uint8_t ah_net_deflev;
	bool esp_enable; /* accept inbound ESP at all */
	bool ah_enable;
	bool ipcomp_enable;
};

/* The longest value knobs_get writes, NUL included ("65535"). */
#define KNOBS_VALUE_MAX 6

/*
 * The defaults of ipsec(4) except dfbit, which is 2 (copy) like Linux
 * xfrm instead of FreeBSD's 0 (clear): def_policy 1 (none), ecn 0,
 * check_policy_history 0, natt_cksum_policy 0, ah_cleartos 1,
 * ah_offsetmask 0, every *_deflev 1 (use), esp/ah/ipcomp enabled.
 */
void knobs_init(struct knobs *k);

/*
 * The table of names, canonical names and net.inet6 aliases together,
 * sorted by strcmp.  knobs_name and knobs_descr return entry i (static
 * strings), or NULL when i >= knobs_count().  The description is one line:
 * the meaning and the allowed values.
 */
size_t knobs_count(void);
const char *knobs_name(size_t i);
const char *knobs_descr(size_t i);

/*
 * The canonical name (net.inet.*) of name, which may be an alias; NULL if
 * name is not a knob.  Two names set the same value exactly when their
 * canonical names are the same pointer.
 */
const char *knobs_lookup(const char *name);

/*
 * Set knob name from value: a decimal or 0x-prefixed hexadecimal number,
 * or for knobs with named values (def_policy, dfbit, ecn, the levels,
 * natt_cksum_policy) one of those names.  Returns 0, or -1 with *why
 * pointing at a static phrase "expected ..." listing the allowed values
 * (or, for an unknown name, every knob name); k is then unchanged.
 */
int knobs_set(
    struct knobs *k, const char *name, const char *value, const char **why);

/*
 * Write the value of knob name as a decimal number into buf.  Returns 0,
 * or -1 if name is not a knob or size < KNOBS_VALUE_MAX.
 */
int knobs_get(const struct knobs *k, const char *name, char *buf, size_t size);

/*
 * Call fn once per table entry, in table order, with the entry's name, its
 * current value in k (decimal) and its description.  The strings are valid
 * only during the call.
 */
typedef void (*knobs_visit_fn)(
    void *arg, const char *name, const char *value, const char *descr);
void knobs_foreach(const struct knobs *k, knobs_visit_fn fn, void *arg);

#endif
