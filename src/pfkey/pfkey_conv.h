#ifndef IPSECD_PFKEY_PFKEY_CONV_H
#define IPSECD_PFKEY_PFKEY_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "ipsec/sa.h"
#include "ipsec/sad.h"
#include "ipsec/selector.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_msg.h"

/*
 * From parsed PF_KEY messages (pfkey_msg_parse) to the core's structs:
 * struct sa for ADD/UPDATE, the lookup keys of GETSPI, DELETE and GET,
 * struct spd_policy for the SPD messages, and the MIGRATE and DUMP-filter
 * contents.  Each function takes a message that passed pfkey_msg_parse
 * (either origin), judges the values the parser leaves to it (algorithms,
 * key sizes, SPIs, NAT-T type and ports, selectors), and fills its output
 * or returns false with err set (code and a reason naming the algorithm,
 * sizes or numbers involved).  Pure; no allocation.
 */

/*
 * sadb_sa_flags bits.  Linux uses SADB_SAFLAGS_PFS (1, ignored),
 * _NOPMTUDISC, _DECAP_DSCP and _NOECN (the top three bits) and has no ESN
 * flag: PF_KEY SAs on Linux never use extended sequence numbers.  Ours is
 * FreeBSD's SADB_X_SAFLAGS_ESN, 0x400, a bit Linux leaves unused and that
 * KAME's own sadb_sa_flags values (up to 0x200) do not take.  Other bits
 * are ignored, as Linux does.
 */
#define PFKEY_SAFLAGS_ESN 0x400u

/* GETSPI's range when the message has no SPIRANGE (af_key's defaults). */
#define PFKEY_SPI_MIN 0x100u
#define PFKEY_SPI_MAX 0x0fffffffu
/* IPcomp CPIs are 16 bits (RFC 3173 section 3.3). */
#define PFKEY_CPI_MAX 0xffffu

/*
 * ADD or UPDATE (or any SA message of the kernel side) to an SA:
 *   spi (host order; SPI 0 refused, RFC 4303 section 2.1 reserves it;
 *   an IPcomp CPI must fit 16 bits), proto from the SA type, mode and
 *   reqid from X_SA2 (mode "any" is transport, as in af_key; no X_SA2:
 *   transport, reqid 0), src and dst from ADDRESS_SRC/DST, flags from
 *   sadb_sa_flags (NOECN, DECAP_DSCP, NOPMTUDISC, PFKEY_SAFLAGS_ESN; ESN
 *   not for IPcomp, which has no sequence numbers),
 *   replay window from sadb_sa_replay (packets; see pfkey_conv.c for why
 *   it is not capped at 32 as in af_key), keys (algorithms by their PF_KEY
 *   numbers, key sizes by alg_key_index, combination by cipher_key_check;
 *   unknown algorithms ENOSYS, bad sizes EINVAL), lifetimes from
 *   LIFETIME_HARD/SOFT (0 = no limit, as our struct), ESP-in-UDP from
 *   X_NAT_T_TYPE (UDP_ENCAP_ESPINUDP only) with both ports non-zero and
 *   the original address from X_NAT_T_OA (same family), the BEET inner
 *   source from ADDRESS_PROXY (the one inner address PF_KEY can
 *   carry; beet_dst stays unset).  IPcomp: calg from sadb_sa_encrypt
 *   (deflate only), no keys.
 * *sa is cleared first; its key material is wiped again on failure.  On
 * success the caller owns key bytes in *sa and wipes them (cipher_key_clear)
 * when done.  The runtime fields (seq_out, replay) are left zero.
 */
bool pfkey_conv_sa(
    const struct pfkey_msg *m, struct sa *sa, struct pfkey_err *err);

/* Which SA a DELETE or GET names. */
struct pfkey_sa_id {
	uint32_t spi; /* host order */
	uint8_t proto;
	struct addr src;
	struct addr dst;
};

/*
 * DELETE / GET: SA type, SPI and addresses.  An SPI of 0 (or a CPI above
 * 16 bits) cannot name an SA ipsecd holds: ESRCH, as Linux's lookup.
 */
bool pfkey_conv_sa_id(
    const struct pfkey_msg *m, struct pfkey_sa_id *id, struct pfkey_err *err);

/* A GETSPI request. */
struct pfkey_getspi {
	struct sad_spi_req req; /* dst, proto, SPI range */
	struct addr src;
	uint8_t mode; /* enum sa_mode from X_SA2 (transport without) */
	uint32_t reqid;
};

/*
 * GETSPI: range from SPIRANGE or PFKEY_SPI_MIN..PFKEY_SPI_MAX (IPcomp:
 * ..PFKEY_CPI_MAX), EINVAL for an IPcomp range past 16 bits.
 */
bool pfkey_conv_getspi(
    const struct pfkey_msg *m, struct pfkey_getspi *g, struct pfkey_err *err);

/*
 * X_SPDADD / X_SPDUPDATE / X_SPDSETIDX / X_SPDDELETE (and the kernel
 * side's policy messages) to a policy:
 *   dir = sadb_x_policy_dir - 1 (SPD_DIR_IN, _OUT, _FWD);
 *   sel from ADDRESS_SRC/DST: prefixes (host bits cleared), upper-layer
 *     protocol (0 and IPSEC_ULPROTO_ANY are "any"; the two must agree),
 *     ports (0 = any, else that one port), checked by selector_check;
 *     if_id 0 (PF_KEY has none; the server binds by reqid);
 *   action from sadb_x_policy_type: discard, none, or ipsec with 1 to 4
 *     templates; ipsec with no request is "none", as Linux installs it;
 *   priority, and id from sadb_x_policy_id (0 for new policies);
 *   templates from the requests in order: proto, mode, level, the tunnel
 *     endpoints (tunnel mode only), reqid only with level "unique" and
 *     only up to IPSEC_MANUAL_REQID_MAX (0x3fff), else 0, as af_key: a
 *     "unique" template with reqid 0 asks the server to pick a reqid of
 *     its own above 0x3fff (af_key's gen_reqid).
 * Lifetimes are not part of the policy: pfkey_conv_policy_life reads
 * them.  For X_SPDDELETE only dir and sel matter.  add_sec and counters
 * are zero.
 */
bool pfkey_conv_policy(
    const struct pfkey_msg *m, struct spd_policy *pol, struct pfkey_err *err);

/*
 * A policy's lifetimes (af_key pfkey_spdadd: xp->lft from LIFETIME_HARD
 * and _SOFT; 0 = no limit).  As in Linux only the time limits act: a
 * policy past its hard add time (seconds since it was added) or hard use
 * time (seconds since its last use, or since it was added when never
 * used) is deleted; soft limits and the byte and packet limits are kept
 * and shown, and do nothing.
 */
struct pfkey_policy_life {
	struct sa_lifetime hard;
	struct sa_lifetime soft;
};

/* The lifetimes of an X_SPDADD-like message (zero without them). */
void pfkey_conv_policy_life(
    const struct pfkey_msg *m, struct pfkey_policy_life *life);

/* Whether life sets any limit at all. */
bool pfkey_policy_life_is_set(const struct pfkey_policy_life *life);

/* X_SPDGET / X_SPDDELETE2: the policy id and the direction it encodes. */
bool pfkey_conv_policy_id(const struct pfkey_msg *m, uint32_t *id,
    enum spd_dir *dir, struct pfkey_err *err);

/* One template's move in X_MIGRATE. */
struct pfkey_migrate_item {
	uint8_t proto; /* IPPROTO_* */
	uint8_t mode;  /* enum sa_mode */
	uint32_t reqid;
	struct addr old_src;
	struct addr old_dst;
	struct addr new_src;
	struct addr new_dst;
};

struct pfkey_migrate {
	struct selector sel;
	uint8_t dir; /* enum spd_dir */
	uint8_t n;   /* items in use, 1 to SPD_TMPL_MAX */
	struct pfkey_migrate_item item[SPD_TMPL_MAX];
	bool has_km; /* X_KMADDRESS present */
	struct addr km_local;
	struct addr km_remote;
};

/* X_MIGRATE: selector, direction, (old, new) endpoint pairs, KM addresses. */
bool pfkey_conv_migrate(
    const struct pfkey_msg *m, struct pfkey_migrate *mg, struct pfkey_err *err);

/* A DUMP's X_FILTER: only SAs between these prefixes. */
struct pfkey_filter {
	bool is_set; /* false: no X_FILTER, dump everything */
	struct prefix src;
	struct prefix dst;
};

/* DUMP: the optional filter (prefix host bits cleared). */
bool pfkey_conv_filter(
    const struct pfkey_msg *m, struct pfkey_filter *f, struct pfkey_err *err);

#endif
