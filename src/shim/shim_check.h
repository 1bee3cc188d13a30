#ifndef IPSECD_SHIM_SHIM_CHECK_H
#define IPSECD_SHIM_SHIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The pure part of libipsecd-pfkey.so (shim.c): the checks the kernel
 * makes before a PF_KEY message or a socket option gets anywhere, so that
 * the shim fails the same calls with the same errno as Linux, and the
 * control-socket request that records an IKE daemon's socket policy in
 * ipsecd.  No I/O, no allocation, no logging: the unit tests and the fuzz
 * target call these directly.
 */

/* Largest PF_KEY message sent (pfkey/server.h PFKEY_SERVER_MSG_MAX). */
#define SHIM_MSG_MAX 65536u
/* sadb_msg, the PF_KEY base header. */
#define SHIM_HDR_LEN 16u

/*
 * The base header check of af_key's pfkey_sendmsg and pfkey_get_base_msg,
 * which fail the send() itself: len (the whole message) more than
 * SHIM_MSG_MAX or fewer than 16 bytes, or sadb_msg_len not len / 8 (or
 * below 2): EMSGSIZE; version not PF_KEY_V2, sadb_msg_reserved not 0, or
 * type 0 or above SADB_MAX: EINVAL.  head holds the first head_len bytes
 * of the message (at least min(len, 16)).  Returns 0 when the message may
 * be sent (any other fault is the server's to answer with an error
 * reply), else the errno.  This is exactly when pfkey_msg_parse leaves
 * has_hdr false (check_shim and fuzz_shim compare the two).
 */
int shim_msg_check(const void *head, size_t head_len, size_t len);

/* What a socket policy (IP_IPSEC_POLICY, IPV6_IPSEC_POLICY) asks. */
enum shim_pol_op {
	SHIM_POL_SET,	/* dir gets policy type */
	SHIM_POL_CLEAR, /* NULL option of length 0: both directions go */
};

struct shim_policy {
	uint8_t op;   /* enum shim_pol_op */
	uint8_t dir;  /* IPSEC_DIR_INBOUND or IPSEC_DIR_OUTBOUND */
	uint8_t type; /* IPSEC_POLICY_NONE, _ENTRUST or _BYPASS */
};

/*
 * Check the value of setsockopt(level, optname) with optname
 * IP_IPSEC_POLICY or IPV6_IPSEC_POLICY on a socket of family, as Linux's
 * xfrm_user_policy and af_key's pfkey_compile_policy do: a NULL value of
 * length 0 clears both directions; a length of 0 or more than 4096 is
 * EMSGSIZE; an option of the other family is EOPNOTSUPP; shorter than a
 * sadb_x_policy, a sadb_x_policy_len past the value, a type above BYPASS
 * or a direction other than inbound or outbound is EINVAL.  On top of
 * Linux: types DISCARD and IPSEC are EOPNOTSUPP, because ipsecd cannot
 * enforce a policy on one socket (the IKE daemon's traffic never enters
 * an ipsecN device); NONE, ENTRUST and BYPASS all let the socket's
 * traffic pass without IPsec, as in Linux.  Returns 0 with *p filled, or
 * the errno.
 */
int shim_policy_check(int family, int level, int optname, const void *val,
    size_t len, struct shim_policy *p);

/*
 * setsockopt(SOL_UDP, UDP_ENCAP): true when the value asks for ESP-in-UDP
 * (UDP_ENCAP_ESPINUDP or _NON_IKE), which the shim answers itself;
 * *err is then 0, or EINVAL when the value is shorter than an int (Linux's
 * answer, given before it looks at the value).  false: not ESP-in-UDP,
 * the kernel gets the call.
 */
bool shim_encap_check(const void *val, size_t len, int *err);

/*
 * A port number from an environment variable: 1 to 65535 in decimal, or
 * def when s is NULL, empty or anything else.
 */
uint16_t shim_port_parse(const char *s, uint16_t def);

/*
 * The control-socket request (daemon/control.h, cmd "sockpolicy") that
 * records policy p of descriptor fd (family AF_INET or AF_INET6) of
 * process pid in ipsecd, into buf (size bytes).  Returns its length, 0
 * when it does not fit.
 */
size_t shim_policy_request(char *buf, size_t size, long pid, int fd, int family,
    const struct shim_policy *p);

/*
 * The daemon's mark from its reply to a sockpolicy request (buf, len
 * bytes, not NUL-terminated): the reply must be of type "sockpolicy" and
 * carry "mark": a decimal number of at most 32 bits.  true with *mark;
 * false for an error reply or anything else.
 */
bool shim_reply_mark(const char *buf, size_t len, uint32_t *mark);

/*
 * The request that drops every socket policy of descriptor fd of pid
 * (the descriptor was closed).  Its length, 0 when it does not fit.
 */
size_t shim_policy_close_request(char *buf, size_t size, long pid, int fd);

#endif
