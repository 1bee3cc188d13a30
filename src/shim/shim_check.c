/*
 * The shim's checks (shim_check.h), after Linux: net/key/af_key.c
 * (pfkey_sendmsg, pfkey_get_base_msg, pfkey_compile_policy),
 * net/xfrm/xfrm_state.c (xfrm_user_policy) and net/ipv4/udp.c
 * (udp_lib_setsockopt, UDP_ENCAP).
 */
#include "config.h"

#include "shim/shim_check.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "common/rd.h"

/* xfrm_user_policy: more than a page is EMSGSIZE. */
#define SHIM_POLICY_MAX 4096u

int
shim_msg_check(const void *head, size_t head_len, size_t len)
{
	struct sadb_msg h;
	struct rd r;

	if (len > SHIM_MSG_MAX)
		return EMSGSIZE;
	rd_init(&r, head, head_len < len ? head_len : len);
	if (!rd_copy(&r, &h, sizeof(h)))
		return EMSGSIZE;
	if (h.sadb_msg_version != PF_KEY_V2 || h.sadb_msg_reserved != 0 ||
	    h.sadb_msg_type == SADB_RESERVED || h.sadb_msg_type > SADB_MAX)
		return EINVAL;
	if (h.sadb_msg_len < SHIM_HDR_LEN / 8u || h.sadb_msg_len != len / 8u)
		return EMSGSIZE;
	return 0;
}

int
shim_policy_check(int family, int level, int optname, const void *val,
    size_t len, struct shim_policy *p)
{
	struct sadb_x_policy pol;
	struct rd r;

	memset(p, 0, sizeof(*p));
	if (val == NULL && len == 0) {
		p->op = SHIM_POL_CLEAR;
		return 0;
	}
	if (len == 0 || len > SHIM_POLICY_MAX)
		return EMSGSIZE;
	if (!((family == AF_INET && level == IPPROTO_IP &&
		  optname == IP_IPSEC_POLICY) ||
		(family == AF_INET6 && level == IPPROTO_IPV6 &&
		    optname == IPV6_IPSEC_POLICY)))
		return family == AF_INET || family == AF_INET6 ? EOPNOTSUPP
							       : EINVAL;
	rd_init(&r, val, len);
	if (val == NULL || !rd_copy(&r, &pol, sizeof(pol)) ||
	    (size_t)pol.sadb_x_policy_len * 8u > len ||
	    pol.sadb_x_policy_type > IPSEC_POLICY_BYPASS ||
	    (pol.sadb_x_policy_dir != IPSEC_DIR_INBOUND &&
		pol.sadb_x_policy_dir != IPSEC_DIR_OUTBOUND))
		return EINVAL;
	switch (pol.sadb_x_policy_type) {
	case IPSEC_POLICY_NONE:
	case IPSEC_POLICY_ENTRUST:
	case IPSEC_POLICY_BYPASS:
		break;
	default:
		/* DISCARD, IPSEC: not enforceable on one socket here. */
		return EOPNOTSUPP;
	}
	p->op = SHIM_POL_SET;
	p->dir = pol.sadb_x_policy_dir;
	p->type = pol.sadb_x_policy_type;
	return 0;
}

bool
shim_encap_check(const void *val, size_t len, int *err)
{
	int v;

	*err = 0;
	if (val == NULL || len < sizeof(int)) {
		/* Linux refuses a short value before looking at it. */
		*err = EINVAL;
		return true;
	}
	memcpy(&v, val, sizeof(v));
	return v == UDP_ENCAP_ESPINUDP || v == UDP_ENCAP_ESPINUDP_NON_IKE;
}

uint16_t
shim_port_parse(const char *s, uint16_t def)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 5)
		return def;
	for (const char *c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return def;
		v = v * 10 + (unsigned long)(*c - '0');
	}
	return v >= 1 && v <= 65535 ? (uint16_t)v : def;
}

static const char *
type_name(uint8_t type)
{
	switch (type) {
	case IPSEC_POLICY_NONE:
		return "none";
	case IPSEC_POLICY_ENTRUST:
		return "entrust";
	default:
		return "bypass";
	}
}

size_t
shim_policy_request(char *buf, size_t size, long pid, int fd, int family,
    const struct shim_policy *p)
{
	int n;

	if (p->op == SHIM_POL_CLEAR)
		return shim_policy_close_request(buf, size, pid, fd);
	n = snprintf(buf, size,
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\","
	    "\"pid\":%ld,\"fd\":%d,\"family\":\"%s\",\"dir\":\"%s\","
	    "\"policy\":\"%s\"}",
	    pid, fd, family == AF_INET6 ? "inet6" : "inet",
	    p->dir == IPSEC_DIR_INBOUND ? "in" : "out", type_name(p->type));
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Where the len bytes of needle start in buf[0..size); NULL if nowhere. */
static const char *
find(const char *buf, size_t size, const char *needle)
{
	size_t len = strlen(needle);

	for (size_t i = 0; len <= size && i <= size - len; i++)
		if (memcmp(buf + i, needle, len) == 0)
			return buf + i;
	return NULL;
}

bool
shim_reply_mark(const char *buf, size_t len, uint32_t *mark)
{
	static const char key[] = "\"mark\":";
	const char *p, *end = buf + len;
	uint64_t v = 0;
	size_t digits = 0;

	if (find(buf, len, "\"type\":\"sockpolicy\"") == NULL ||
	    (p = find(buf, len, key)) == NULL)
		return false;
	for (p += sizeof(key) - 1; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0 || v > UINT32_MAX)
		return false;
	*mark = (uint32_t)v;
	return true;
}

size_t
shim_policy_close_request(char *buf, size_t size, long pid, int fd)
{
	int n = snprintf(buf, size,
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\","
	    "\"pid\":%ld,\"fd\":%d}",
	    pid, fd);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
