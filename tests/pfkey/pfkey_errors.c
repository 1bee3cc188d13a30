/*
 * PF_KEY conformance: issue 4's "Strict" list and the bad messages of
 * issue 3.  Each bad message gets its error reply with the errno Linux
 * would use (the request's header echoed when its base header passed;
 * server.h says what a refused base header gets), reaches no other
 * socket, changes nothing in the SAD or SPD (a digest before and after),
 * and the server keeps serving: the same client's next request works.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "harness.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

static struct hx H;
static struct tmsg T;
static struct hx_msg R;

/* One SA and one policy for every test to leave alone. */
static void
setup(void)
{
	int fd;

	hx_setup(&H);
	fd = hx_connect(&H);
	hx_add_sa(&H, fd, 0x1000, "192.0.2.1", "192.0.2.2");
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_drain(&H, fd), 1);
	close(fd);
	hx_pump(&H);
}

static void
teardown(void)
{
	hx_teardown(&H);
}

/* Put a uint16 at off of the message (host order). */
static void
put16(size_t off, uint16_t v)
{
	memcpy(T.buf + off, &v, 2);
}

/* --- the bad messages: each returns the bytes to send --- */

static size_t
short_header(void)
{
	hx_tm_bare(&T, SADB_FLUSH, 0);
	return 12;
}

static size_t
empty(void)
{
	return 0;
}

static size_t
truncated(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, "192.0.2.1", "192.0.2.2");
	tm_done(&T);
	return T.len - 8;
}

static size_t
bad_version(void)
{
	hx_tm_bare(&T, SADB_FLUSH, 0);
	T.buf[0] = 1;
	return tm_done(&T);
}

static size_t
reserved_set(void)
{
	hx_tm_bare(&T, SADB_FLUSH, 0);
	put16(offsetof(struct sadb_msg, sadb_msg_reserved), 1);
	return tm_done(&T);
}

static size_t
type_zero(void)
{
	hx_tm_bare(&T, SADB_RESERVED, 0);
	return tm_done(&T);
}

static size_t
type_past_max(void)
{
	hx_tm_bare(&T, SADB_MAX + 1, 0);
	return tm_done(&T);
}

/* 20 bytes whose sadb_msg_len (2) is 20 / 8: 4 trailing bytes. */
static size_t
trailing_bytes(void)
{
	hx_tm_bare(&T, SADB_FLUSH, 0);
	tm_done(&T);
	memset(T.buf + 16, 0, 4);
	return 20;
}

static size_t
ext_zero_length(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	put16(16, 0); /* the SA extension's sadb_ext_len */
	return tm_done(&T);
}

static size_t
ext_past_end(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	put16(16, 40);
	return tm_done(&T);
}

static size_t
ext_duplicate(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	return tm_done(&T);
}

static size_t
ext_unknown_type(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_ext(&T, SADB_EXT_MAX + 1, "abcd", 4);
	return tm_done(&T);
}

static size_t
ext_type_zero(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_ext(&T, SADB_EXT_RESERVED, "abcd", 4);
	return tm_done(&T);
}

static size_t
sa_ext_short(void)
{
	tm_hdr(&T, SADB_GET, SADB_SATYPE_ESP);
	tm_ext(&T, SADB_EXT_SA, "abcd", 4);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	return tm_done(&T);
}

static size_t
family_mismatch(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "2001:db8::2");
	return tm_done(&T);
}

static size_t
prefix_too_long(void)
{
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 33, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_NONE, IPSEC_DIR_OUTBOUND, 0, 0, NULL, 0);
	return tm_done(&T);
}

/* An IPv6 sockaddr in an extension of 3 units (needs 5). */
static size_t
ipv6_padding(void)
{
	uint8_t body[4 + 28];

	memset(body, 0, sizeof(body));
	body[0] = IPSEC_ULPROTO_ANY;
	body[1] = 128;
	tm_sockaddr(body + 4, "2001:db8::2", 0);
	hx_tm_bare(&T, SADB_GET, SADB_SATYPE_ESP);
	tm_sa(&T, 0x1000, 0, 0, 0, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "2001:db8::1");
	tm_ext(&T, SADB_EXT_ADDRESS_DST, body, 20);
	return tm_done(&T);
}

static size_t
unknown_family(void)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	/* sin_family of the source: ext hdr 16 + sadb_address 8 + 0. */
	put16(16 + 16 + 8, AF_UNIX);
	return tm_done(&T);
}

static size_t
spi_zero(void)
{
	hx_tm_add(&T, SADB_ADD, 0, "192.0.2.1", "192.0.2.2");
	return tm_done(&T);
}

static size_t
spirange_reversed(void)
{
	hx_tm_getspi(
	    &T, SADB_SATYPE_ESP, "192.0.2.1", "192.0.2.2", 0x3000, 0x2000);
	return tm_done(&T);
}

static size_t
unknown_encryption(void)
{
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x2000, 32, SADB_X_AALG_SHA2_256HMAC, SADB_EALG_3DESCBC, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_ENCRYPT, 192, 24);
	tm_key(&T, SADB_EXT_KEY_AUTH, 256, 32);
	return tm_done(&T);
}

static size_t
unknown_integrity(void)
{
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_AH);
	tm_sa(&T, 0x2000, 32, SADB_AALG_MD5HMAC, 0, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_AUTH, 128, 16);
	return tm_done(&T);
}

static size_t
wrong_key_size(void)
{
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x2000, 32, 0, SADB_X_EALG_AES_GCM_ICV16, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_ENCRYPT, 152, 19);
	return tm_done(&T);
}

static size_t
key_past_ext(void)
{
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x2000, 32, 0, SADB_X_EALG_AES_GCM_ICV16, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&T, SADB_EXT_KEY_ENCRYPT, 512, 20);
	return tm_done(&T);
}

static size_t
esp_without_key(void)
{
	tm_hdr(&T, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&T, 0x2000, 32, 0, SADB_X_EALG_AES_GCM_ICV16, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	return tm_done(&T);
}

static size_t
add_satype_unspec(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, "192.0.2.1", "192.0.2.2");
	T.buf[offsetof(struct sadb_msg, sadb_msg_satype)] = 0;
	return tm_done(&T);
}

static size_t
hard_without_soft(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, "192.0.2.1", "192.0.2.2");
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, 60, 0);
	return tm_done(&T);
}

static size_t
delete_unknown_satype(void)
{
	hx_tm_sa_id(&T, SADB_DELETE, SADB_SATYPE_RSVP, 0x1000, "192.0.2.1",
	    "192.0.2.2");
	return tm_done(&T);
}

static size_t
register_past_max(void)
{
	hx_tm_register(&T, SADB_SATYPE_MAX + 1);
	return tm_done(&T);
}

static size_t
flush_bad_satype(void)
{
	hx_tm_bare(&T, SADB_FLUSH, SADB_SATYPE_RSVP);
	return tm_done(&T);
}

static size_t
five_requests(void)
{
	struct tm_req rq[5];

	for (int i = 0; i < 5; i++)
		rq[i] = (struct tm_req){ IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
			IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.5.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.6.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 5);
	return tm_done(&T);
}

static size_t
policy_dir_zero(void)
{
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.5.0.0", 16, "10.6.0.0", 16, 0);
	return tm_done(&T);
}

static size_t
policy_type_past_ipsec(void)
{
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.5.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.6.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_ENTRUST, IPSEC_DIR_OUTBOUND, 0, 0, NULL, 0);
	return tm_done(&T);
}

static size_t
tunnel_without_endpoints(void)
{
	struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };

	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.5.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.6.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &rq, 1);
	return tm_done(&T);
}

static size_t
expire_from_user(void)
{
	hx_tm_sa_id(
	    &T, SADB_EXPIRE, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	return tm_done(&T);
}

static size_t
pchange(void)
{
	hx_tm_bare(&T, SADB_X_PCHANGE, 0);
	return tm_done(&T);
}

static size_t
new_mapping_from_user(void)
{
	hx_tm_sa_id(&T, SADB_X_NAT_T_NEW_MAPPING, SADB_SATYPE_ESP, 0x1000,
	    "192.0.2.1", "192.0.2.2");
	return tm_done(&T);
}

static size_t
spdacquire(void)
{
	hx_tm_bare(&T, SADB_X_SPDACQUIRE, 0);
	return tm_done(&T);
}

static size_t
spdexpire(void)
{
	hx_tm_bare(&T, SADB_X_SPDEXPIRE, 0);
	return tm_done(&T);
}

static size_t
acquire_with_extensions(void)
{
	hx_tm_bare(&T, SADB_ACQUIRE, SADB_SATYPE_ESP);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	return tm_done(&T);
}

static size_t
natt_wrong_type(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, "192.0.2.1", "192.0.2.2");
	tm_natt(&T, UDP_ENCAP_ESPINUDP_NON_IKE, 4500, 4500);
	return tm_done(&T);
}

static size_t
natt_port_zero(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, "192.0.2.1", "192.0.2.2");
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 0);
	return tm_done(&T);
}

static size_t
cpi_past_16_bits(void)
{
	tm_hdr(&T, SADB_ADD, SADB_X_SATYPE_IPCOMP);
	tm_sa(&T, 0x10000, 0, 0, SADB_X_CALG_DEFLATE, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	return tm_done(&T);
}

static size_t
promisc_satype_two(void)
{
	hx_tm_bare(&T, SADB_X_PROMISC, 2);
	return tm_done(&T);
}

static size_t
migrate_one_request(void)
{
	struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		IPSEC_LEVEL_REQUIRE, 0, "192.0.2.1", "192.0.2.2" };

	tm_hdr(&T, SADB_X_MIGRATE, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &rq, 1);
	return tm_done(&T);
}

static size_t
spdget_bad_dir_id(void)
{
	tm_hdr(&T, SADB_X_SPDGET, 0);
	tm_policy(&T, 0, 0, 8 + 3, 0, NULL, 0);
	return tm_done(&T);
}

/*
 * is_base: the base header is refused; the reply then carries only what
 * the bytes held of a header (nothing below 16 bytes).
 */
static const struct bad {
	const char *name;
	size_t (*make)(void);
	int code;
	bool is_base;
} bad[] = {
	{ "short_header", short_header, EMSGSIZE, true },
	{ "empty", empty, EMSGSIZE, true },
	{ "truncated", truncated, EMSGSIZE, true },
	{ "bad_version", bad_version, EINVAL, true },
	{ "reserved_set", reserved_set, EINVAL, true },
	{ "type_zero", type_zero, EINVAL, true },
	{ "type_past_max", type_past_max, EINVAL, true },
	{ "trailing_bytes", trailing_bytes, EINVAL, false },
	{ "ext_zero_length", ext_zero_length, EINVAL, false },
	{ "ext_past_end", ext_past_end, EINVAL, false },
	{ "ext_duplicate", ext_duplicate, EINVAL, false },
	{ "ext_unknown_type", ext_unknown_type, EINVAL, false },
	{ "ext_type_zero", ext_type_zero, EINVAL, false },
	{ "sa_ext_short", sa_ext_short, EINVAL, false },
	{ "family_mismatch", family_mismatch, EINVAL, false },
	{ "prefix_too_long", prefix_too_long, EINVAL, false },
	{ "ipv6_padding", ipv6_padding, EINVAL, false },
	{ "unknown_family", unknown_family, EINVAL, false },
	{ "spi_zero", spi_zero, EINVAL, false },
	{ "spirange_reversed", spirange_reversed, EINVAL, false },
	{ "unknown_encryption", unknown_encryption, ENOSYS, false },
	{ "unknown_integrity", unknown_integrity, ENOSYS, false },
	{ "wrong_key_size", wrong_key_size, EINVAL, false },
	{ "key_past_ext", key_past_ext, EINVAL, false },
	{ "esp_without_key", esp_without_key, EINVAL, false },
	{ "add_satype_unspec", add_satype_unspec, EPROTONOSUPPORT, false },
	{ "hard_without_soft", hard_without_soft, EINVAL, false },
	{ "delete_unknown_satype", delete_unknown_satype, ESRCH, false },
	{ "register_past_max", register_past_max, EINVAL, false },
	{ "flush_bad_satype", flush_bad_satype, EINVAL, false },
	{ "five_requests", five_requests, ELOOP, false },
	{ "policy_dir_zero", policy_dir_zero, EINVAL, false },
	{ "policy_type_past_ipsec", policy_type_past_ipsec, EINVAL, false },
	{ "tunnel_without_endpoints", tunnel_without_endpoints, EINVAL, false },
	{ "expire_from_user", expire_from_user, EOPNOTSUPP, false },
	{ "pchange", pchange, EOPNOTSUPP, false },
	{ "new_mapping_from_user", new_mapping_from_user, EOPNOTSUPP, false },
	{ "spdacquire", spdacquire, EOPNOTSUPP, false },
	{ "spdexpire", spdexpire, EOPNOTSUPP, false },
	{ "acquire_with_extensions", acquire_with_extensions, EOPNOTSUPP,
	    false },
	{ "natt_wrong_type", natt_wrong_type, EINVAL, false },
	{ "natt_port_zero", natt_port_zero, EINVAL, false },
	{ "cpi_past_16_bits", cpi_past_16_bits, EINVAL, false },
	{ "promisc_satype_two", promisc_satype_two, EINVAL, false },
	{ "migrate_one_request", migrate_one_request, EINVAL, false },
	{ "spdget_bad_dir_id", spdget_bad_dir_id, EINVAL, false },
};

/* The server still answers this client: GET of the SA of setup(). */
static void
still_serving(int fd)
{
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_expect(&H, fd, &R)->hdr.type, SADB_GET);
	ck_assert_uint_eq(R.m.hdr.error, 0);
}

START_TEST(test_strict_refused)
{
	const struct bad *b = &bad[_i];
	int a = hx_connect(&H), other = hx_connect(&H);
	uint64_t before = hx_digest(&H);
	unsigned changes = H.spd_changes;
	size_t n;

	memset(T.buf, 0, sizeof(T.buf));
	n = b->make();
	hx_send(&H, a, T.buf, n);
	ck_assert_msg(hx_recv(&H, a, &R), "%s: no reply", b->name);
	ck_assert_msg(R.m.hdr.error == b->code, "%s: errno %u, expected %d",
	    b->name, R.m.hdr.error, b->code);
	ck_assert_uint_eq(R.len, PFKEY_HDR_LEN);
	if (n >= PFKEY_HDR_LEN) {
		/* The request's header comes back. */
		ck_assert_uint_eq(R.m.hdr.type, T.buf[1]);
		ck_assert_uint_eq(R.m.hdr.pid, 4242);
		ck_assert_uint_eq(R.m.hdr.seq, 7);
	} else {
		ck_assert_msg(b->is_base, "%s", b->name);
		ck_assert_uint_eq(R.m.hdr.type, 0);
		ck_assert_uint_eq(R.m.hdr.seq, 0);
	}
	ck_assert_msg(hx_drain(&H, a) == 0, "%s: more replies", b->name);
	ck_assert_msg(hx_drain(&H, other) == 0, "%s: broadcast", b->name);
	ck_assert_msg(hx_digest(&H) == before, "%s: state changed", b->name);
	ck_assert_uint_eq(H.spd_changes, changes);
	still_serving(a);
	close(a);
	close(other);
}
END_TEST

/* Refused base headers reach no promiscuous socket; others do. */
START_TEST(test_strict_promisc_copies)
{
	int a = hx_connect(&H), p = hx_connect(&H);

	hx_tm_bare(&T, SADB_X_PROMISC, 1);
	hx_send_tm(&H, p, &T);
	hx_drain(&H, p);
	hx_drain(&H, a);
	hx_send(&H, a, T.buf, short_header());
	hx_drain(&H, a);
	ck_assert_uint_eq(hx_drain(&H, p), 0);
	hx_send(&H, a, T.buf, spi_zero());
	hx_drain(&H, a);
	/* The request and its error reply. */
	ck_assert_uint_eq(hx_drain(&H, p), 2);
	close(a);
	close(p);
}
END_TEST

/* PFKEY_SERVER_MSG_MAX bytes are taken; 8 more are EMSGSIZE. */
START_TEST(test_strict_oversize)
{
	static uint8_t big[PFKEY_SERVER_MSG_MAX + 8];
	struct sadb_msg h;
	struct sadb_ext e;
	int a = hx_connect(&H);
	uint64_t before = hx_digest(&H);

	for (size_t len = PFKEY_SERVER_MSG_MAX; len <= PFKEY_SERVER_MSG_MAX + 8;
	     len += 8) {
		memset(big, 0, sizeof(big));
		memset(&h, 0, sizeof(h));
		h.sadb_msg_version = PF_KEY_V2;
		h.sadb_msg_type = SADB_X_SPDDUMP;
		h.sadb_msg_len = (uint16_t)(len / 8 < 65535 ? len / 8 : 0);
		h.sadb_msg_seq = 7;
		h.sadb_msg_pid = 4242;
		memcpy(big, &h, sizeof(h));
		/* One X_KMPRIVATE filling the rest (any message may carry
		 * one; af_key ignores it). */
		e.sadb_ext_len = (uint16_t)((len - 16) / 8);
		e.sadb_ext_type = SADB_X_EXT_KMPRIVATE;
		memcpy(big + 16, &e, sizeof(e));
		hx_send(&H, a, big, len);
		ck_assert(hx_recv(&H, a, &R));
		ck_assert_uint_eq(R.m.hdr.type, SADB_X_SPDDUMP);
		if (len == PFKEY_SERVER_MSG_MAX) {
			/* Accepted: the policy of setup() comes back. */
			ck_assert_uint_eq(R.m.hdr.error, 0);
			ck_assert_uint_eq(R.m.hdr.seq, 0);
		} else {
			ck_assert_uint_eq(R.m.hdr.error, EMSGSIZE);
			ck_assert_uint_eq(R.m.hdr.seq, 7);
		}
		ck_assert_uint_eq(hx_drain(&H, a), 0);
	}
	ck_assert_uint_eq(hx_digest(&H), before);
	still_serving(a);
	close(a);
}
END_TEST

static Suite *
errors_suite(void)
{
	Suite *s = suite_create("pfkey_errors");
	TCase *tc = tcase_create("strict");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(
	    tc, test_strict_refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_strict_promisc_copies);
	tcase_add_test(tc, test_strict_oversize);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(errors_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
