#ifndef IPSECD_PFKEY_SETKEY_MSG_H
#define IPSECD_PFKEY_SETKEY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_msg.h"
#include "pfkey/setkey.h"

/*
 * setkey(8) commands (setkey.h) as the PF_KEY messages ipsec-tools sends
 * for them, laid out extension by extension as its libipsec (pfkey.c)
 * writes them, so that ipsecctl and ipsecd's include files send what
 * setkey and racoon would:
 *
 *   add, update   SA (spi, replay, state larval, algorithms, flags),
 *                 X_SA2 (mode, reqid), ADDRESS_SRC, ADDRESS_DST (proto
 *                 any, full prefix, port 0), [KEY_ENCRYPT], [KEY_AUTH],
 *                 LIFETIME_HARD, LIFETIME_SOFT, [X_NAT_T_TYPE,
 *                 X_NAT_T_SPORT, X_NAT_T_DPORT, [X_NAT_T_OA]]
 *                 (pfkey_send_x1)
 *   getspi        X_SA2, ADDRESS_SRC, ADDRESS_DST, [NAT-T type and
 *                 ports], [SPIRANGE spi-spi when an spi is given]
 *                 (pfkey_send_getspi_nat)
 *   get, delete   SA (spi only), ADDRESS_SRC, ADDRESS_DST (pfkey_send_x2)
 *   flush, dump   the header with the SA type (pfkey_send_x3)
 *   spdadd, spdupdate, spddelete
 *                 ADDRESS_SRC, ADDRESS_DST (prefixes, upper-layer
 *                 protocol, one port or 0), LIFETIME_HARD (zero),
 *                 X_POLICY (type, direction, id 0, priority, requests in
 *                 order, endpoints with their ports when written)
 *                 (pfkey_send_x4 with ipsec_set_policy's X_POLICY)
 *   spdflush, spddump
 *                 the bare header (pfkey_send_x3)
 *   deleteall     Linux refuses a DELETE without an SPI, so setkey on
 *                 Linux dumps the SAs of the type and deletes those
 *                 between the two addresses one by one: the message built
 *                 is that DUMP; setkey_msg_deleteall_match picks the SAs
 *                 from its replies and setkey_msg_delete_spi builds each
 *                 DELETE.
 *
 * KAME's -f and -R flags go into sadb_sa_flags with KAME's values
 * (zero-pad 0x200, random-pad 0x100, seq-pad 0, -R 0x80; nocyclic-seq
 * is KAME's default, no bit), which Linux and ipsecd ignore; the core's
 * SA flags (ESN, NOECN, DECAP_DSCP, NOPMTUDISC) as pfkey_conv.h reads
 * them.  Where libipsec writes a NAT-T original address with a prefix
 * length of its sockaddr's padded size (a bug), the full length is
 * written.  Messages that carry keys are the caller's to wipe.
 */

/* KAME sadb_sa_flags for setkey's -f and -R (Linux ignores them). */
#define SETKEY_MSG_KAME_PRAND 0x0100u
#define SETKEY_MSG_KAME_PZERO 0x0200u
#define SETKEY_MSG_KAME_RAWCPI 0x0080u

struct setkey_msg_opts {
	uint32_t seq;
	uint32_t pid;
	/*
	 * Replay window (packets) for ESP and AH SAs added or updated with
	 * none (-r absent or 0), as ipsecd.conf's replay-window; 0 leaves
	 * them without.  PF_KEY's sadb_sa_replay is one byte: larger values
	 * are sent as SETKEY_REPLAY_MAX.
	 */
	unsigned replay_window;
};

/*
 * The message for cmd, appended to w (pfkey_build.h's writer).  Returns
 * its length in bytes, 0 when it did not fit (the writer is then failed).
 */
size_t setkey_msg_build(struct pfkey_wr *w, const struct setkey_cmd *cmd,
    const struct setkey_msg_opts *o);

/* The PF_KEY message type of op's message (deleteall: SADB_DUMP). */
uint8_t setkey_msg_type(enum setkey_op op);

/* The PF_KEY SA type of an IP protocol 0 (any), ESP, AH or IPcomp. */
uint8_t setkey_msg_satype(uint8_t proto);

/*
 * Whether the SA of m, a DUMP reply (parsed with PFKEY_ORIGIN_KERNEL), is
 * one deleteall cmd removes: cmd's protocol (esp-udp: ESP SAs with UDP
 * encapsulation), source and destination.  Its SPI (host order) into
 * *spi.
 */
bool setkey_msg_deleteall_match(
    const struct setkey_cmd *cmd, const struct pfkey_msg *m, uint32_t *spi);

/* The DELETE of SA spi between deleteall cmd's addresses. */
size_t setkey_msg_delete_spi(struct pfkey_wr *w, const struct setkey_cmd *cmd,
    uint32_t spi, const struct setkey_msg_opts *o);

#endif
