#ifndef IPSECD_PFKEY_PFKEY_MSG_H
#define IPSECD_PFKEY_PFKEY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pfkeyv2.h>

/*
 * PF_KEY v2 messages (RFC 2367 with the Linux/KAME extensions of
 * <linux/pfkeyv2.h> and <linux/ipsec.h>): the parsed view of one message
 * and the checks every message passes before anything reads it.
 *
 *   sadb_msg (16)  ext (len64 * 8) ext ...                  sadb_msg_len * 8
 *   |--------------|---------------|----------- ... --------|
 *
 * Byte order is the host's, as in the kernel's structs, except SPIs, ports
 * and addresses (network order inside sockaddrs and sadb_sa_spi).  Every
 * length is a count of 8-byte units; the parser converts to bytes once.
 *
 * The checks are those of Linux net/key/af_key.c (pfkey_get_base_msg,
 * parse_exthdrs and each handler's "required extensions"), applied to the
 * bytes a client sends (PFKEY_ORIGIN_USER), plus, for messages the kernel
 * side sends (PFKEY_ORIGIN_KERNEL: ipsecd's replies and broadcasts, read
 * back by ipsecctl and the tests), the extensions af_key always puts in
 * each kind of message.  Where we are stricter than af_key, or answer a
 * different errno, pfkey_msg.c's header comment says so and why.
 */

/* Extension types are 1..SADB_EXT_MAX; ext[] below is indexed by them. */
#define PFKEY_EXT_COUNT (SADB_EXT_MAX + 1)
#define PFKEY_HDR_LEN 16u
#define PFKEY_WHY_MAX 128

/* Who wrote the message: the checks of each side differ (see above). */
enum pfkey_origin {
	PFKEY_ORIGIN_USER,   /* a key manager's request to the kernel */
	PFKEY_ORIGIN_KERNEL, /* the kernel's (ipsecd's) reply or broadcast */
};

/*
 * Why a message was refused.  code is the errno Linux would answer
 * (EINVAL mostly) and goes into the sadb_msg_errno of the error reply;
 * why is a human-readable reason with the numbers that matter, e.g.
 * "ext 5 (address_src): prefixlen 33 > 32".  has_hdr tells which of
 * Linux's two ways to fail applies: true when the base header passed its
 * checks (Linux then answers with an error message built from that header,
 * pfkey_compose_error), false when it did not (Linux fails the send() call
 * itself with code and sends nothing).
 */
struct pfkey_err {
	int code;
	bool has_hdr;
	char why[PFKEY_WHY_MAX];
};

/* struct sadb_msg in host order (every field of it is host order). */
struct pfkey_hdr {
	uint8_t version; /* PF_KEY_V2 */
	uint8_t type;	 /* SADB_* message type */
	uint8_t error;	 /* sadb_msg_errno */
	uint8_t satype;	 /* SADB_SATYPE_* */
	uint16_t len64;	 /* whole message, 8-byte units */
	uint16_t reserved;
	uint32_t seq;
	uint32_t pid;
};

/* Where an extension lies in the message: byte offset and byte length. */
struct pfkey_ext_ref {
	uint32_t off;
	uint32_t len; /* 0 = absent */
};

/*
 * A parsed message, like af_key's ext_hdrs[]: the header in host order and
 * the place of each extension in the caller's buffer, which the view
 * borrows (keep the buffer alive and unchanged while using it).  Only
 * extensions that passed their checks are recorded.
 */
struct pfkey_msg {
	struct pfkey_hdr hdr;
	const uint8_t *buf;
	size_t len;
	struct pfkey_ext_ref ext[PFKEY_EXT_COUNT];
};

/*
 * Parse and check the len bytes at buf as one message from origin.  On
 * success (true) m describes it.  On failure (false) err says why and m
 * must not be used.  Every check: base header (length, version, type,
 * reserved, sadb_msg_len * 8 == len), each extension (length of at least
 * one unit, fitting what is left, the per-type minimum or exact size, type
 * known and not repeated, its own contents: sockaddrs, prefix lengths, key
 * bits, SPI range, policy requests, security context, ...), then the
 * message's own rules (required extensions, SA type, source and
 * destination of one family, policy direction and type, number of
 * requests).  A message from the kernel side with sadb_msg_errno set is an
 * error reply: only its structure is checked.
 */
bool pfkey_msg_parse(struct pfkey_msg *m, const void *buf, size_t len,
    enum pfkey_origin origin, struct pfkey_err *err);

/* Whether extension type is in m (false for types out of range). */
bool pfkey_msg_has(const struct pfkey_msg *m, unsigned type);

/*
 * The whole extension of this type (its 4-byte sadb_ext header included)
 * and its length in *len, pointing into the caller's buffer; NULL when
 * absent.
 */
const uint8_t *pfkey_msg_ext(
    const struct pfkey_msg *m, unsigned type, size_t *len);

/*
 * Names for messages and reasons: "getspi", "x_spdadd", ...;
 * "sa", "address_src", "x_policy", ...  "?" for unknown numbers.
 */
const char *pfkey_msg_name(unsigned type);
const char *pfkey_ext_name(unsigned type);

/*
 * The IP protocol of an SA type (IPPROTO_AH, IPPROTO_ESP, IPPROTO_COMP),
 * 0 for any other satype; and the SA type of an IP protocol,
 * SADB_SATYPE_UNSPEC for any other protocol.
 */
uint8_t pfkey_satype_proto(uint8_t satype);
uint8_t pfkey_proto_satype(uint8_t proto);

/* Fill err: code and a reason formatted like printf (truncated to fit). */
void pfkey_err_set(struct pfkey_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
