/*
 * Unit tests for src/pfkey/pfkey_msg.c and src/pfkey/pfkey_ext.c: the base
 * header, every extension's length and content rules, and each message
 * type's rules for both origins.  Messages are written byte by byte with
 * the kernel's structs (pfkey_testmsg.h), not with our builders.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "pfkey/pfkey_ext.h"
#include "pfkey/pfkey_msg.h"
#include "tests/unit/pfkey_testmsg.h"

#define X(t) (1u << (t))
#define USER PFKEY_ORIGIN_USER
#define KERNEL PFKEY_ORIGIN_KERNEL

static struct pfkey_msg M;
static struct pfkey_err E;

/* Parse and check the outcome: code 0 = accepted. */
static void
expect_at(int line, const void *buf, size_t len, enum pfkey_origin o, int code)
{
	bool ok = pfkey_msg_parse(&M, buf, len, o, &E);

	if (code == 0)
		ck_assert_msg(
		    ok, "line %d: refused: %s (errno %d)", line, E.why, E.code);
	else {
		ck_assert_msg(
		    !ok, "line %d: accepted, expected errno %d", line, code);
		ck_assert_msg(E.code == code,
		    "line %d: errno %d (%s), expected %d", line, E.code, E.why,
		    code);
		ck_assert_msg(E.why[0] != '\0', "line %d: no reason", line);
	}
}
#define expect(buf, len, o, code) expect_at(__LINE__, buf, len, o, code)

/* --- base header --- */

START_TEST(test_pfkey_msg_parse_header)
{
	static const struct {
		const char *what;
		int off; /* byte to overwrite, -1 none */
		uint8_t val;
		int delta; /* bytes added (+, zeros) or cut (-) at the end */
		int code;
		bool has_hdr;
	} rows[] = {
		{ "valid", -1, 0, 0, 0, true },
		{ "version 1", 0, 1, 0, EINVAL, false },
		{ "version 3", 0, 3, 0, EINVAL, false },
		{ "type 0", 1, 0, 0, EINVAL, false },
		{ "type SADB_MAX + 1", 1, SADB_MAX + 1, 0, EINVAL, false },
		{ "reserved set", 6, 1, 0, EINVAL, false },
		{ "sadb_msg_len 0", 4, 0, 0, EMSGSIZE, false },
		{ "sadb_msg_len 1", 4, 1, 0, EMSGSIZE, false },
		{ "sadb_msg_len one unit too many", 4, 5, 0, EMSGSIZE, false },
		{ "sadb_msg_len one unit too few", 4, 3, 0, EMSGSIZE, false },
		{ "one byte short", -1, 0, -1, EMSGSIZE, false },
		{ "one unit short", -1, 0, -8, EMSGSIZE, false },
		{ "one trailing byte", -1, 0, 1, EINVAL, true },
		{ "seven trailing bytes", -1, 0, 7, EINVAL, true },
		{ "eight trailing bytes", -1, 0, 8, EMSGSIZE, false },
	};
	struct tmsg t;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len;
		bool ok;

		/* REGISTER (ignores extensions) with one X_SA2: 32 bytes. */
		tm_hdr(&t, SADB_REGISTER, SADB_SATYPE_ESP);
		tm_sa2(&t, IPSEC_MODE_TUNNEL, 1);
		len = tm_done(&t);
		if (rows[i].off >= 0)
			t.buf[rows[i].off] = rows[i].val;
		len = (size_t)((long)len + rows[i].delta);
		ok = pfkey_msg_parse(&M, t.buf, len, USER, &E);
		ck_assert_msg(ok == (rows[i].code == 0), "%s: %s", rows[i].what,
		    ok ? "accepted" : E.why);
		if (!ok) {
			ck_assert_msg(E.code == rows[i].code,
			    "%s: errno %d (%s)", rows[i].what, E.code, E.why);
			ck_assert_msg(E.has_hdr == rows[i].has_hdr,
			    "%s: has_hdr", rows[i].what);
		}
	}
	/* Too short for a header at all, down to nothing. */
	for (size_t len = 0; len < 16; len++) {
		ck_assert(!pfkey_msg_parse(&M, t.buf, len, USER, &E));
		ck_assert_int_eq(E.code, EMSGSIZE);
		ck_assert(!E.has_hdr);
	}
}
END_TEST

START_TEST(test_pfkey_msg_parse_header_fields)
{
	struct tmsg t;

	tm_hdr(&t, SADB_X_SPDFLUSH, 0);
	tm_done(&t);
	expect(t.buf, t.len, USER, 0);
	ck_assert_int_eq(M.hdr.version, PF_KEY_V2);
	ck_assert_int_eq(M.hdr.type, SADB_X_SPDFLUSH);
	ck_assert_int_eq(M.hdr.error, 0);
	ck_assert_int_eq(M.hdr.satype, 0);
	ck_assert_int_eq(M.hdr.len64, 2);
	ck_assert_uint_eq(M.hdr.seq, 7);
	ck_assert_uint_eq(M.hdr.pid, 4242);
	ck_assert_ptr_eq(M.buf, t.buf);
	/* The kernel side may use the reserved field (Linux: refcount). */
	t.buf[6] = 3;
	expect(t.buf, t.len, USER, EINVAL);
	expect(t.buf, t.len, KERNEL, 0);
	ck_assert_int_eq(M.hdr.reserved, 3);
}
END_TEST

/* --- one extension of each type --- */

static const uint8_t ctx5[5] = { 's', 'y', 's', 't', 'm' };

/* The minimal valid extension of type into t (t->len = 0 first). */
static void
mk_ext(struct tmsg *t, unsigned type)
{
	static const struct tm_req transport = { IPPROTO_ESP,
		IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	uint8_t body[64];

	t->len = 0;
	memset(body, 0, sizeof(body));
	switch (type) {
	case SADB_EXT_SA:
		tm_sa(t, 0x1000, 32, 0, 0, 0);
		break;
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		tm_lifetime(t, (uint16_t)type, 1, 2, 3, 4);
		break;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		tm_host(t, (uint16_t)type, "192.0.2.1");
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		tm_key(t, (uint16_t)type, 128, 16);
		break;
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
		body[0] = SADB_IDENTTYPE_FQDN;
		tm_ext(t, (uint16_t)type, body, sizeof(struct sadb_ident) - 4);
		break;
	case SADB_EXT_SENSITIVITY:
		tm_ext(t, (uint16_t)type, body, sizeof(struct sadb_sens) - 4);
		break;
	case SADB_EXT_PROPOSAL:
		body[0] = 32; /* replay */
		tm_ext(t, (uint16_t)type, body, 4);
		tm_put(t, sizeof(struct sadb_comb));
		t->buf[0] = (sizeof(struct sadb_prop) + 72) / 8;
		break;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		tm_ext(t, (uint16_t)type, body, 4); /* an empty list */
		break;
	case SADB_EXT_SPIRANGE:
		tm_spirange(t, 0x100, 0x200);
		break;
	case SADB_X_EXT_KMPRIVATE:
		tm_ext(t, (uint16_t)type, body, 4);
		break;
	case SADB_X_EXT_POLICY:
		tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0,
		    &transport, 1);
		break;
	case SADB_X_EXT_SA2:
		tm_sa2(t, IPSEC_MODE_TUNNEL, 1);
		break;
	case SADB_X_EXT_NAT_T_TYPE:
		body[0] = UDP_ENCAP_ESPINUDP;
		tm_ext(t, (uint16_t)type, body, 4);
		break;
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
		body[0] = 0x11;
		body[1] = 0x94; /* 4500 */
		tm_ext(t, (uint16_t)type, body, 4);
		break;
	case SADB_X_EXT_SEC_CTX:
		body[0] = 1; /* alg: selinux */
		body[1] = 1;
		body[2] = sizeof(ctx5);
		memcpy(body + 4, ctx5, sizeof(ctx5));
		tm_ext(t, (uint16_t)type, body, 4 + sizeof(ctx5));
		break;
	case SADB_X_EXT_KMADDRESS: {
		size_t n = 4;

		n += tm_sockaddr(body + n, "192.0.2.1", 0);
		n += tm_sockaddr(body + n, "192.0.2.2", 0);
		tm_ext(t, (uint16_t)type, body, n);
		break;
	}
	case SADB_X_EXT_FILTER: {
		struct sadb_x_filter f;

		memset(&f, 0, sizeof(f));
		f.sadb_x_filter_family = AF_INET;
		f.sadb_x_filter_splen = 24;
		f.sadb_x_filter_dplen = 32;
		tm_struct(t, (uint16_t)type, &f, sizeof(f));
		break;
	}
	default:
		ck_abort_msg("no minimal extension for type %u", type);
	}
}

/* Types that accept extra bytes after their minimum (no exact size). */
static bool
takes_more(unsigned type)
{
	return type == SADB_EXT_IDENTITY_SRC || type == SADB_EXT_IDENTITY_DST ||
	    type == SADB_EXT_SUPPORTED_AUTH ||
	    type == SADB_EXT_SUPPORTED_ENCRYPT || type == SADB_X_EXT_KMPRIVATE;
}

/* pfkey_ext_check alone, at the exact, short and long lengths. */
START_TEST(test_pfkey_ext_check_lengths)
{
	for (unsigned type = 1; type <= SADB_EXT_MAX; type++) {
		struct tmsg t;
		uint8_t big[TM_MAX];
		size_t len;

		mk_ext(&t, type);
		len = t.len;
		ck_assert_msg(pfkey_ext_check(type, t.buf, len, &E),
		    "type %u: minimal refused: %s", type, E.why);
		ck_assert_msg(!pfkey_ext_check(type, t.buf, len - 1, &E),
		    "type %u: one byte short accepted", type);
		ck_assert_int_eq(E.code, EINVAL);
		if (len >= 8)
			ck_assert_msg(
			    !pfkey_ext_check(type, t.buf, len - 8, &E),
			    "type %u: one unit short accepted", type);
		ck_assert_msg(!pfkey_ext_check(type, t.buf, 0, &E),
		    "type %u: empty accepted", type);
		/* One zero unit more, the header saying so. */
		memcpy(big, t.buf, len);
		memset(big + len, 0, 8);
		big[0]++;
		ck_assert_msg(
		    pfkey_ext_check(type, big, len + 8, &E) == takes_more(type),
		    "type %u: oversize %s (%s)", type,
		    takes_more(type) ? "refused" : "accepted", E.why);
	}
	ck_assert(!pfkey_ext_check(0, NULL, 0, &E));
	ck_assert(!pfkey_ext_check(SADB_EXT_MAX + 1, NULL, 0, &E));
}
END_TEST

/* Each type inside a message: accepted, then broken every way. */
START_TEST(test_pfkey_msg_parse_ext_framing)
{
	for (unsigned type = 1; type <= SADB_EXT_MAX; type++) {
		struct tmsg e, t;
		size_t n;

		mk_ext(&e, type);
		/* X_SPDDUMP from a user has no rule beyond the framing. */
		tm_hdr(&t, SADB_X_SPDDUMP, 0);
		memcpy(tm_put(&t, e.len), e.buf, e.len);
		n = tm_done(&t);
		expect(t.buf, n, USER, 0);
		ck_assert(pfkey_msg_has(&M, type));
		{
			size_t len;
			const uint8_t *p = pfkey_msg_ext(&M, type, &len);

			ck_assert_ptr_eq(p, t.buf + 16);
			ck_assert_uint_eq(len, e.len);
		}
		/* Repeated. */
		memcpy(tm_put(&t, e.len), e.buf, e.len);
		n = tm_done(&t);
		expect(t.buf, n, USER, EINVAL);
		/* Length 0, one unit short, one unit past the end. */
		t.len = 16 + e.len;
		n = tm_done(&t);
		t.buf[16] = 0;
		expect(t.buf, n, USER, EINVAL);
		t.buf[16] = (uint8_t)(e.len / 8 - 1);
		expect(t.buf, n, USER, EINVAL);
		t.buf[16] = (uint8_t)(e.len / 8 + 1);
		expect(t.buf, n, USER, EINVAL);
		t.buf[16] = (uint8_t)(e.len / 8);
		/* Unknown type, type 0. */
		t.buf[18] = SADB_EXT_MAX + 1;
		expect(t.buf, n, USER, EINVAL);
		t.buf[18] = 0;
		expect(t.buf, n, USER, EINVAL);
		t.buf[18] = (uint8_t)type;
		expect(t.buf, n, USER, 0);
		/* A zero unit after it (trailing bytes). */
		tm_put(&t, 8);
		n = tm_done(&t);
		expect(t.buf, n, USER, EINVAL);
		/* Four bytes after it: not a whole unit. */
		expect(t.buf, n - 4, USER, EMSGSIZE);
	}
}
END_TEST

/* --- addresses --- */

START_TEST(test_pfkey_ext_address_rules)
{
	struct tmsg t;
	struct pfkey_address a;
	uint8_t buf[64];

	/* IPv4 and IPv6, with ports, decoded. */
	t.len = 0;
	tm_addr(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.7", 24, IPPROTO_TCP, 80);
	ck_assert_uint_eq(t.len, 24);
	ck_assert(pfkey_ext_address(t.buf, t.len, &a, &E));
	ck_assert_int_eq(a.addr.family, AF_INET);
	ck_assert_int_eq(a.addr.bytes[3], 7);
	ck_assert_int_eq(a.port, 80);
	ck_assert_int_eq(a.proto, IPPROTO_TCP);
	ck_assert_int_eq(a.prefixlen, 24);
	t.len = 0;
	tm_addr(&t, SADB_EXT_ADDRESS_DST, "2001:db8::9", 128, 0, 443);
	/* sockaddr_in6 is 28 bytes, padded to 32: 5 units. */
	ck_assert_uint_eq(t.len, 40);
	ck_assert(pfkey_ext_address(t.buf, t.len, &a, &E));
	ck_assert_int_eq(a.addr.family, AF_INET6);
	ck_assert_int_eq(a.addr.bytes[15], 9);
	ck_assert_int_eq(a.port, 443);
	/* The 4 padding bytes are not looked at (as af_key). */
	memset(t.buf + 36, 0xa5, 4);
	ck_assert(pfkey_ext_address(t.buf, t.len, &a, &E));
	/* Padded to 6 units: refused. */
	memcpy(buf, t.buf, 40);
	memset(buf + 40, 0, 8);
	buf[0] = 6;
	ck_assert(!pfkey_ext_address(buf, 48, &a, &E));
	ck_assert_int_eq(E.code, EINVAL);
	/* IPv6 sockaddr in an IPv4-sized extension: too short. */
	buf[0] = 3;
	ck_assert(!pfkey_ext_address(buf, 24, &a, &E));
	ck_assert_msg(strstr(E.why, "does not fit") != NULL, "%s", E.why);
	/* IPv4 sockaddr cut to 8 bytes (one unit short). */
	t.len = 0;
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	t.buf[0] = 2;
	ck_assert(!pfkey_ext_address(t.buf, 16, &a, &E));
	/* Only the header: the family does not fit. */
	ck_assert(!pfkey_ext_address(t.buf, 8, &a, &E));
	/* Prefix lengths at and past the family's bits. */
	t.len = 0;
	tm_addr(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32, 0, 0);
	ck_assert(pfkey_ext_address(t.buf, t.len, &a, &E));
	t.buf[5] = 33;
	ck_assert(!pfkey_ext_address(t.buf, t.len, &a, &E));
	ck_assert_str_eq(E.why, "ext 5 (address_src): prefixlen 33 > 32");
	t.len = 0;
	tm_addr(&t, SADB_EXT_ADDRESS_DST, "2001:db8::1", 128, 0, 0);
	ck_assert(pfkey_ext_address(t.buf, t.len, &a, &E));
	t.buf[5] = 129;
	ck_assert(!pfkey_ext_address(t.buf, t.len, &a, &E));
	ck_assert_str_eq(E.why, "ext 6 (address_dst): prefixlen 129 > 128");
	/* Families other than AF_INET and AF_INET6. */
	t.len = 0;
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	t.buf[8] = AF_UNIX;
	ck_assert(!pfkey_ext_address(t.buf, t.len, &a, &E));
	t.buf[8] = 0;
	ck_assert(!pfkey_ext_address(t.buf, t.len, &a, &E));
	ck_assert_int_eq(E.code, EINVAL);
}
END_TEST

START_TEST(test_pfkey_msg_parse_family_mismatch)
{
	static const struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	static const uint8_t types[] = { SADB_GETSPI, SADB_DELETE,
		SADB_X_SPDADD, SADB_X_SPDDELETE };
	struct tmsg t;

	for (size_t i = 0; i < sizeof(types); i++) {
		for (int mismatch = 0; mismatch < 2; mismatch++) {
			bool is_spd = types[i] >= SADB_X_SPDUPDATE;

			tm_hdr(&t, types[i], is_spd ? 0 : SADB_SATYPE_ESP);
			if (types[i] == SADB_DELETE)
				tm_sa(&t, 0x1000, 0, 0, 0, 0);
			tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
			tm_host(&t, SADB_EXT_ADDRESS_DST,
			    mismatch ? "2001:db8::2" : "192.0.2.2");
			if (is_spd)
				tm_policy(&t, IPSEC_POLICY_IPSEC,
				    IPSEC_DIR_OUTBOUND, 0, 0, &rq, 1);
			expect(t.buf, tm_done(&t), USER, mismatch ? EINVAL : 0);
		}
	}
}
END_TEST

/* --- keys, SPI range, other extensions with contents --- */

START_TEST(test_pfkey_ext_key_bits)
{
	static const struct {
		unsigned bits;
		size_t bytes; /* key bytes written, padded to 8 with header */
		bool ok;
	} rows[] = {
		{ 0, 0, true },
		{ 8, 1, true },
		{ 128, 16, true },
		{ 160, 20, true }, /* 8 + 20 = 28, padded to 32 */
		{ 129, 17, true }, /* whole bytes are judged later */
		{ 288, 36, true }, /* AES-256-GCM + salt */
		{ 512, 64, true },
		{ 200, 16, false }, /* 25 bytes do not fit 24 */
		{ 128, 24, false }, /* one unit too long */
		{ 64, 16, false },
		{ 0, 8, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tmsg t;
		const uint8_t *key;
		unsigned bits;
		bool ok;

		t.len = 0;
		tm_key(&t, SADB_EXT_KEY_ENCRYPT, rows[i].bits, rows[i].bytes);
		ok = pfkey_ext_check(SADB_EXT_KEY_ENCRYPT, t.buf, t.len, &E);
		ck_assert_msg(ok == rows[i].ok, "row %zu: %s", i,
		    ok ? "accepted" : E.why);
		if (!ok)
			continue;
		ck_assert(pfkey_ext_key(t.buf, t.len, &key, &bits, &E));
		ck_assert_uint_eq(bits, rows[i].bits);
		ck_assert_ptr_eq(key, t.buf + 8);
	}
}
END_TEST

START_TEST(test_pfkey_ext_spirange_min_max)
{
	struct tmsg t;

	t.len = 0;
	tm_spirange(&t, 0x200, 0x100);
	ck_assert(!pfkey_ext_check(SADB_EXT_SPIRANGE, t.buf, t.len, &E));
	ck_assert_str_eq(E.why, "ext 16 (spirange): min 0x200 > max 0x100");
	t.len = 0;
	tm_spirange(&t, 0x200, 0x200);
	ck_assert(pfkey_ext_check(SADB_EXT_SPIRANGE, t.buf, t.len, &E));
	t.len = 0;
	tm_spirange(&t, 0, 0xffffffff);
	ck_assert(pfkey_ext_check(SADB_EXT_SPIRANGE, t.buf, t.len, &E));
	/* In a GETSPI. */
	tm_hdr(&t, SADB_GETSPI, SADB_SATYPE_ESP);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_spirange(&t, 0xc0000001, 0xc0000000);
	expect(t.buf, tm_done(&t), USER, EINVAL);
}
END_TEST

START_TEST(test_pfkey_ext_check_contents)
{
	struct tmsg t;
	uint8_t *p;

	/* x_sa2 modes 0..3, not 4. */
	for (unsigned mode = 0; mode <= 4; mode++) {
		t.len = 0;
		tm_sa2(&t, (uint8_t)mode, 1);
		ck_assert(pfkey_ext_check(SADB_X_EXT_SA2, t.buf, t.len, &E) ==
		    (mode <= 3));
	}
	/* Sensitivity: exactly its bitmaps. */
	t.len = 0;
	p = tm_put(&t, 16 + 24);
	p[0] = 5;
	p[2] = SADB_EXT_SENSITIVITY;
	p[9] = 1;  /* sens_len */
	p[11] = 2; /* integ_len */
	ck_assert(pfkey_ext_check(SADB_EXT_SENSITIVITY, t.buf, t.len, &E));
	p[11] = 3;
	ck_assert(!pfkey_ext_check(SADB_EXT_SENSITIVITY, t.buf, t.len, &E));
	/* Proposal: whole sadb_combs only. */
	t.len = 0;
	p = tm_put(&t, 8 + 8);
	p[0] = 2;
	p[2] = SADB_EXT_PROPOSAL;
	ck_assert(!pfkey_ext_check(SADB_EXT_PROPOSAL, t.buf, t.len, &E));
	ck_assert(pfkey_ext_check(SADB_EXT_PROPOSAL, t.buf, 8, &E));
	/* Security context: at most 4096 bytes, filling the extension. */
	mk_ext(&t, SADB_X_EXT_SEC_CTX);
	ck_assert(pfkey_ext_check(SADB_X_EXT_SEC_CTX, t.buf, t.len, &E));
	t.buf[6] = 9; /* ctx_len 9 needs 24 bytes */
	ck_assert(!pfkey_ext_check(SADB_X_EXT_SEC_CTX, t.buf, t.len, &E));
	t.buf[6] = 8; /* exactly 16 */
	ck_assert(pfkey_ext_check(SADB_X_EXT_SEC_CTX, t.buf, t.len, &E));
	t.len = 0;
	p = tm_put(&t, 8 + 4104);
	p[0] = (uint8_t)((8 + 4104) / 8);
	p[1] = (uint8_t)((8 + 4104) / 8 >> 8);
	p[2] = SADB_X_EXT_SEC_CTX;
	memcpy(p + 6, &(uint16_t){ 4096 }, 2);
	ck_assert(pfkey_ext_check(SADB_X_EXT_SEC_CTX, t.buf, 8 + 4096, &E));
	memcpy(p + 6, &(uint16_t){ 4097 }, 2);
	ck_assert(!pfkey_ext_check(SADB_X_EXT_SEC_CTX, t.buf, 8 + 4104, &E));
	/* KM addresses: one pair of one family. */
	mk_ext(&t, SADB_X_EXT_KMADDRESS);
	{
		struct addr l, r;

		ck_assert(pfkey_ext_kmaddress(t.buf, t.len, &l, &r, &E));
		ck_assert_int_eq(l.bytes[3], 1);
		ck_assert_int_eq(r.bytes[3], 2);
	}
	t.len = 0;
	{
		uint8_t body[4 + 16 + 28];
		size_t n = 4;

		memset(body, 0, sizeof(body));
		n += tm_sockaddr(body + n, "192.0.2.1", 0);
		n += tm_sockaddr(body + n, "2001:db8::1", 0);
		tm_ext(&t, SADB_X_EXT_KMADDRESS, body, n);
		ck_assert(
		    !pfkey_ext_check(SADB_X_EXT_KMADDRESS, t.buf, t.len, &E));
		ck_assert_msg(
		    strstr(E.why, "differ in family") != NULL, "%s", E.why);
	}
	/* Filter: a family, prefixes within it (af_key: below 128). */
	mk_ext(&t, SADB_X_EXT_FILTER);
	ck_assert(pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
	t.buf[4 + 32 + 2] = 33; /* splen */
	ck_assert(!pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
	t.buf[4 + 32 + 2] = 24;
	t.buf[4 + 32] = AF_INET6;
	ck_assert(pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
	t.buf[4 + 32 + 3] = 128;
	ck_assert(!pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
	t.buf[4 + 32 + 3] = 127;
	ck_assert(pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
	t.buf[4 + 32] = 0;
	ck_assert(!pfkey_ext_check(SADB_X_EXT_FILTER, t.buf, t.len, &E));
}
END_TEST

/* --- X_POLICY and its requests --- */

static size_t
spdadd(struct tmsg *t, const struct tm_req *rq, size_t n)
{
	tm_hdr(t, SADB_X_SPDADD, 0);
	tm_addr(t, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(t, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, n);
	return tm_done(t);
}

START_TEST(test_pfkey_ext_policy_requests)
{
	static const struct tm_req rq[6] = {
		{ IPPROTO_COMP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, NULL,
		    NULL },
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 5,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		    "2001:db8::1", "2001:db8::2" },
		{ IPPROTO_ESP, IPSEC_MODE_BEET, IPSEC_LEVEL_DEFAULT, 0, NULL,
		    NULL },
		{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
		    NULL, NULL },
	};
	struct pfkey_policy pol;
	struct tmsg t;
	size_t len;
	const uint8_t *p;

	/* 0 to 4 requests; a fifth refused with ELOOP. */
	for (size_t n = 0; n <= 5; n++) {
		expect(t.buf, spdadd(&t, rq, n), USER, n <= 4 ? 0 : ELOOP);
		if (n > 4)
			continue;
		p = pfkey_msg_ext(&M, SADB_X_EXT_POLICY, &len);
		ck_assert(pfkey_ext_policy(p, len, &pol, &E));
		ck_assert_uint_eq(pol.nreq, n);
	}
	/* Decoded fields of the four. */
	ck_assert_int_eq(pol.type, IPSEC_POLICY_IPSEC);
	ck_assert_int_eq(pol.dir, IPSEC_DIR_OUTBOUND);
	ck_assert_int_eq(pol.req[0].proto, IPPROTO_COMP);
	ck_assert_int_eq(pol.req[0].level, IPSEC_LEVEL_USE);
	ck_assert_int_eq(pol.req[0].src.family, 0);
	ck_assert_int_eq(pol.req[1].reqid, 5);
	ck_assert_int_eq(pol.req[1].dst.bytes[3], 2);
	ck_assert_int_eq(pol.req[2].src.family, AF_INET6);
	ck_assert_int_eq(pol.req[3].mode, IPSEC_MODE_BEET);
	/* A transport request may carry a pair (setkey can write one). */
	expect(t.buf, spdadd(&t, &rq[4], 1), USER, 0);
	/* More than PFKEY_REQ_MAX requests: ELOOP already in the extension. */
	{
		struct tm_req many[PFKEY_REQ_MAX + 1];

		for (size_t i = 0; i < PFKEY_REQ_MAX + 1; i++)
			many[i] = rq[5];
		t.len = 0;
		tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0,
		    many, PFKEY_REQ_MAX);
		ck_assert(pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
		t.len = 0;
		tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0,
		    many, PFKEY_REQ_MAX + 1);
		ck_assert(
		    !pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
		ck_assert_int_eq(E.code, ELOOP);
	}
}
END_TEST

/* One transport request at byte 16 of an X_POLICY, broken per row. */
START_TEST(test_pfkey_ext_policy_bad_requests)
{
	static const struct tm_req esp = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	static const struct tm_req tun = { IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		IPSEC_LEVEL_REQUIRE, 0, "192.0.2.1", "192.0.2.2" };
	struct tmsg t;

	/* Request length: odd, below 16, above what is left, 0. */
	static const uint16_t lens[] = { 17, 20, 15, 8, 24, 0 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		t.len = 0;
		tm_policy(
		    &t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &esp, 1);
		memcpy(t.buf + 16, &lens[i], 2);
		ck_assert_msg(
		    !pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E),
		    "request length %u accepted", lens[i]);
		ck_assert_int_eq(E.code, EINVAL);
	}
	/* Protocol, mode, level. */
	static const struct {
		size_t off;
		uint8_t val;
	} fields[] = {
		{ 16 + 2, IPPROTO_UDP },
		{ 16 + 2, 0 },
		{ 16 + 4, 0 },
		{ 16 + 4, 4 },
		{ 16 + 5, 4 },
		{ 16 + 5, 0xff },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		t.len = 0;
		tm_policy(
		    &t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &esp, 1);
		t.buf[fields[i].off] = fields[i].val;
		ck_assert_msg(
		    !pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E),
		    "field %zu = %u accepted", fields[i].off, fields[i].val);
	}
	/* Eight bytes after the last request. */
	t.len = 0;
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &esp, 1);
	tm_put(&t, 8);
	t.buf[0] = (uint8_t)(t.len / 8);
	ck_assert(!pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
	/* Tunnel mode without endpoints. */
	t.len = 0;
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &esp, 1);
	t.buf[16 + 4] = IPSEC_MODE_TUNNEL;
	ck_assert(!pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
	ck_assert_msg(strstr(E.why, "without endpoints") != NULL, "%s", E.why);
	/* Tunnel endpoints of two families. */
	t.len = 0;
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &tun, 1);
	ck_assert(pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
	t.buf[16 + 16 + 16] = AF_INET6;
	ck_assert(!pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
	/* A first endpoint of no family. */
	t.buf[16 + 16 + 16] = AF_INET;
	t.buf[16 + 16] = AF_UNIX;
	ck_assert(!pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len, &E));
	/* A request cut one unit short of its pair. */
	t.len = 0;
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &tun, 1);
	t.buf[16] = 40;
	t.buf[0] = (uint8_t)(t.buf[0] - 1);
	ck_assert(!pfkey_ext_check(SADB_X_EXT_POLICY, t.buf, t.len - 8, &E));
}
END_TEST

/* --- message rules --- */

static const struct tm_req std_req = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
	IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
static const struct tm_req std_pair[2] = {
	{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 3, "192.0.2.1",
	    "192.0.2.2" },
	{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 3,
	    "198.51.100.1", "192.0.2.2" },
};

/* The usual extension of type for a message of type msg and satype. */
static void
add_std(struct tmsg *t, unsigned type, uint8_t msg, uint8_t satype)
{
	struct tmsg e;

	switch (type) {
	case SADB_EXT_SA:
		if (satype == SADB_SATYPE_AH)
			tm_sa(t, 0x1234, 32, SADB_X_AALG_SHA2_256HMAC, 0, 0);
		else if (satype == SADB_X_SATYPE_IPCOMP)
			tm_sa(t, 0x1234, 0, 0, SADB_X_CALG_DEFLATE, 0);
		else
			tm_sa(t, 0x1234, 32, SADB_X_AALG_SHA2_256HMAC,
			    SADB_X_EALG_AESCBC, 0);
		return;
	case SADB_EXT_ADDRESS_SRC:
		tm_host(t, (uint16_t)type, "192.0.2.1");
		return;
	case SADB_EXT_ADDRESS_DST:
		tm_host(t, (uint16_t)type, "192.0.2.2");
		return;
	case SADB_EXT_KEY_AUTH:
		tm_key(t, (uint16_t)type, 256, 32);
		return;
	case SADB_X_EXT_POLICY:
		if (msg == SADB_X_MIGRATE)
			tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0,
			    0, std_pair, 2);
		else if (msg == SADB_X_SPDGET || msg == SADB_X_SPDDELETE2)
			tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 9,
			    0, &std_req, 1);
		else if (msg == SADB_ACQUIRE)
			tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 8,
			    0, NULL, 0);
		else
			tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0,
			    0, &std_req, 1);
		return;
	}
	mk_ext(&e, type);
	memcpy(tm_put(t, e.len), e.buf, e.len);
}

#define SA_EXTS                                                                \
	{                                                                      \
		SADB_EXT_SA, SADB_EXT_LIFETIME_HARD, SADB_EXT_LIFETIME_SOFT,   \
		    SADB_EXT_LIFETIME_CURRENT, SADB_EXT_ADDRESS_SRC,           \
		    SADB_EXT_ADDRESS_DST, SADB_X_EXT_SA2                       \
	}
#define SA_NEED                                                                \
	(X(SADB_EXT_SA) | X(SADB_EXT_LIFETIME_CURRENT) |                       \
	    X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |                \
	    X(SADB_X_EXT_SA2))
#define SPD_EXTS                                                               \
	{                                                                      \
		SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,                    \
		    SADB_EXT_LIFETIME_HARD, SADB_EXT_LIFETIME_SOFT,            \
		    SADB_EXT_LIFETIME_CURRENT, SADB_X_EXT_POLICY               \
	}
#define SPD_NEED                                                               \
	(X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST) |                   \
	    X(SADB_EXT_LIFETIME_HARD) | X(SADB_EXT_LIFETIME_SOFT) |            \
	    X(SADB_EXT_LIFETIME_CURRENT) | X(SADB_X_EXT_POLICY))
#define SRC_DST (X(SADB_EXT_ADDRESS_SRC) | X(SADB_EXT_ADDRESS_DST))

/*
 * Every message type in its minimal valid form per origin, then once
 * without each required extension: refused with EINVAL.  Types a side
 * never accepts (code) are refused even in that form.
 */
static const struct rule_row {
	uint8_t type;
	uint8_t satype;
	enum pfkey_origin origin;
	uint8_t exts[8]; /* 0-terminated */
	uint32_t need;
	int code; /* of the minimal form */
} rule_rows[] = {
	{ SADB_GETSPI, SADB_SATYPE_ESP, USER,
	    { SADB_X_EXT_SA2, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,
		SADB_EXT_SPIRANGE },
	    SRC_DST, 0 },
	{ SADB_UPDATE, SADB_SATYPE_ESP, USER,
	    { SADB_EXT_SA, SADB_X_EXT_SA2, SADB_EXT_ADDRESS_SRC,
		SADB_EXT_ADDRESS_DST, SADB_EXT_KEY_ENCRYPT, SADB_EXT_KEY_AUTH },
	    X(SADB_EXT_SA) | SRC_DST | X(SADB_EXT_KEY_ENCRYPT), 0 },
	{ SADB_ADD, SADB_SATYPE_ESP, USER,
	    { SADB_EXT_SA, SADB_X_EXT_SA2, SADB_EXT_ADDRESS_SRC,
		SADB_EXT_ADDRESS_DST, SADB_EXT_KEY_ENCRYPT, SADB_EXT_KEY_AUTH,
		SADB_EXT_LIFETIME_HARD, SADB_EXT_LIFETIME_SOFT },
	    X(SADB_EXT_SA) | SRC_DST | X(SADB_EXT_KEY_ENCRYPT) |
		X(SADB_EXT_LIFETIME_HARD) | X(SADB_EXT_LIFETIME_SOFT),
	    0 },
	{ SADB_ADD, SADB_SATYPE_AH, USER,
	    { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,
		SADB_EXT_KEY_AUTH },
	    X(SADB_EXT_SA) | SRC_DST | X(SADB_EXT_KEY_AUTH), 0 },
	{ SADB_ADD, SADB_X_SATYPE_IPCOMP, USER,
	    { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST },
	    X(SADB_EXT_SA) | SRC_DST, 0 },
	{ SADB_DELETE, SADB_SATYPE_ESP, USER,
	    { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST },
	    X(SADB_EXT_SA) | SRC_DST, 0 },
	{ SADB_GET, SADB_SATYPE_AH, USER,
	    { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST },
	    X(SADB_EXT_SA) | SRC_DST, 0 },
	{ SADB_ACQUIRE, SADB_SATYPE_ESP, USER, { 0 }, 0, 0 },
	{ SADB_REGISTER, SADB_SATYPE_ESP, USER, { 0 }, 0, 0 },
	{ SADB_REGISTER, SADB_SATYPE_UNSPEC, USER, { 0 }, 0, 0 },
	{ SADB_EXPIRE, SADB_SATYPE_ESP, USER, { 0 }, 0, EOPNOTSUPP },
	{ SADB_FLUSH, SADB_SATYPE_UNSPEC, USER, { 0 }, 0, 0 },
	{ SADB_FLUSH, SADB_X_SATYPE_IPCOMP, USER, { 0 }, 0, 0 },
	{ SADB_DUMP, SADB_SATYPE_ESP, USER, { SADB_X_EXT_FILTER }, 0, 0 },
	{ SADB_X_PROMISC, 1, USER, { 0 }, 0, 0 },
	{ SADB_X_PCHANGE, 0, USER, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDUPDATE, 0, USER,
	    { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,
		SADB_EXT_LIFETIME_HARD, SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
	{ SADB_X_SPDADD, 0, USER,
	    { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
	{ SADB_X_SPDDELETE, 0, USER,
	    { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
	{ SADB_X_SPDGET, 0, USER, { SADB_X_EXT_POLICY }, X(SADB_X_EXT_POLICY),
	    0 },
	{ SADB_X_SPDACQUIRE, 0, USER, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDDUMP, 0, USER, { 0 }, 0, 0 },
	{ SADB_X_SPDFLUSH, 0, USER, { 0 }, 0, 0 },
	{ SADB_X_SPDSETIDX, 0, USER,
	    { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
	{ SADB_X_SPDEXPIRE, 0, USER, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDDELETE2, 0, USER, { SADB_X_EXT_POLICY },
	    X(SADB_X_EXT_POLICY), 0 },
	{ SADB_X_NAT_T_NEW_MAPPING, SADB_SATYPE_ESP, USER, { 0 }, 0,
	    EOPNOTSUPP },
	{ SADB_X_MIGRATE, 0, USER,
	    { SADB_X_EXT_KMADDRESS, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,
		SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },

	{ SADB_GETSPI, SADB_SATYPE_ESP, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_UPDATE, SADB_SATYPE_ESP, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_ADD, SADB_SATYPE_AH, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_DELETE, SADB_SATYPE_ESP, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_GET, SADB_X_SATYPE_IPCOMP, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_ACQUIRE, SADB_SATYPE_ESP, KERNEL,
	    { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_POLICY,
		SADB_EXT_PROPOSAL },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
	{ SADB_REGISTER, SADB_SATYPE_ESP, KERNEL,
	    { SADB_EXT_SUPPORTED_AUTH, SADB_EXT_SUPPORTED_ENCRYPT }, 0, 0 },
	{ SADB_EXPIRE, SADB_SATYPE_ESP, KERNEL,
	    { SADB_EXT_SA, SADB_EXT_LIFETIME_SOFT, SADB_EXT_LIFETIME_CURRENT,
		SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_SA2 },
	    SA_NEED | X(SADB_EXT_LIFETIME_SOFT), 0 },
	{ SADB_FLUSH, SADB_SATYPE_ESP, KERNEL, { 0 }, 0, 0 },
	{ SADB_DUMP, SADB_SATYPE_ESP, KERNEL, SA_EXTS, SA_NEED, 0 },
	{ SADB_X_PROMISC, 0, KERNEL, { 0 }, 0, 0 },
	{ SADB_X_PCHANGE, 0, KERNEL, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDUPDATE, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_SPDADD, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_SPDDELETE, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_SPDGET, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_SPDACQUIRE, 0, KERNEL, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDDUMP, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_SPDFLUSH, 0, KERNEL, { 0 }, 0, 0 },
	{ SADB_X_SPDSETIDX, 0, KERNEL, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDEXPIRE, 0, KERNEL, { 0 }, 0, EOPNOTSUPP },
	{ SADB_X_SPDDELETE2, 0, KERNEL, SPD_EXTS, SPD_NEED, 0 },
	{ SADB_X_NAT_T_NEW_MAPPING, SADB_SATYPE_ESP, KERNEL,
	    { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_X_EXT_NAT_T_SPORT,
		SADB_EXT_ADDRESS_DST, SADB_X_EXT_NAT_T_DPORT, SADB_X_EXT_SA2 },
	    X(SADB_EXT_SA) | SRC_DST | X(SADB_X_EXT_NAT_T_SPORT) |
		X(SADB_X_EXT_NAT_T_DPORT),
	    0 },
	{ SADB_X_MIGRATE, 0, KERNEL,
	    { SADB_X_EXT_KMADDRESS, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST,
		SADB_X_EXT_POLICY },
	    SRC_DST | X(SADB_X_EXT_POLICY), 0 },
};

static size_t
build_row(struct tmsg *t, const struct rule_row *r, unsigned skip)
{
	tm_hdr(t, r->type, r->satype);
	for (size_t i = 0; i < sizeof(r->exts) && r->exts[i] != 0; i++)
		if (r->exts[i] != skip)
			add_std(t, r->exts[i], r->type, r->satype);
	return tm_done(t);
}

START_TEST(test_pfkey_msg_parse_rules)
{
	bool seen[2][SADB_MAX + 1] = { { false } };

	for (size_t i = 0; i < sizeof(rule_rows) / sizeof(rule_rows[0]); i++) {
		const struct rule_row *r = &rule_rows[i];
		struct tmsg t;
		size_t n = build_row(&t, r, 0);
		bool ok = pfkey_msg_parse(&M, t.buf, n, r->origin, &E);

		seen[r->origin][r->type] = true;
		ck_assert_msg(ok == (r->code == 0), "row %zu (%s): %s", i,
		    pfkey_msg_name(r->type), ok ? "accepted" : E.why);
		if (!ok)
			ck_assert_int_eq(E.code, r->code);
		for (unsigned type = 1; type <= SADB_EXT_MAX; type++) {
			if ((r->need & X(type)) == 0)
				continue;
			n = build_row(&t, r, type);
			ck_assert_msg(
			    !pfkey_msg_parse(&M, t.buf, n, r->origin, &E),
			    "row %zu (%s) without ext %u accepted", i,
			    pfkey_msg_name(r->type), type);
			ck_assert_msg(E.code == EINVAL, "row %zu: %d %s", i,
			    E.code, E.why);
		}
	}
	for (int o = 0; o < 2; o++)
		for (unsigned type = 1; type <= SADB_MAX; type++)
			ck_assert_msg(seen[o][type], "%s origin %d untested",
			    pfkey_msg_name(type), o);
}
END_TEST

/* An error reply of the kernel side: any type, header only. */
START_TEST(test_pfkey_msg_parse_error_reply)
{
	for (unsigned type = 1; type <= SADB_MAX; type++) {
		struct tmsg t;

		tm_hdr(&t, (uint8_t)type, SADB_SATYPE_ESP);
		t.buf[2] = ENOENT;
		expect(t.buf, tm_done(&t), KERNEL, 0);
		ck_assert_int_eq(M.hdr.error, ENOENT);
	}
}
END_TEST

/* Values the handlers judge: satype, algorithms, lifetimes, directions. */
START_TEST(test_pfkey_msg_parse_values)
{
	const struct rule_row *add = &rule_rows[2], *del = &rule_rows[5];
	struct tmsg t;
	size_t n;

	/* ADD: satype unspec EPROTONOSUPPORT, RSVP EINVAL. */
	n = build_row(&t, add, 0);
	t.buf[3] = SADB_SATYPE_UNSPEC;
	expect(t.buf, n, USER, EPROTONOSUPPORT);
	t.buf[3] = SADB_SATYPE_RSVP;
	expect(t.buf, n, USER, EINVAL);
	/* ADD: a hard lifetime without the soft one. */
	n = build_row(&t, add, SADB_EXT_LIFETIME_SOFT);
	expect(t.buf, n, USER, EINVAL);
	/* ADD: algorithm numbers past the maxima (auth 252, encrypt 254). */
	n = build_row(&t, add, 0);
	t.buf[16 + 10] = SADB_AALG_MAX + 1;
	expect(t.buf, n, USER, EINVAL);
	t.buf[16 + 10] = SADB_AALG_MAX; /* in range: judged by conversion */
	expect(t.buf, n, USER, 0);
	t.buf[16 + 11] = SADB_EALG_MAX + 1;
	expect(t.buf, n, USER, EINVAL);
	/* ADD ipcomp: compression algorithm past SADB_X_CALG_MAX. */
	n = build_row(&t, &rule_rows[4], 0);
	t.buf[16 + 11] = SADB_X_CALG_MAX + 1;
	expect(t.buf, n, USER, EINVAL);
	/* ADD: a zero-bit key for a non-null algorithm. */
	tm_hdr(&t, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&t, 0x1234, 0, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC, 0);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&t, SADB_EXT_KEY_ENCRYPT, 0, 0);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	tm_hdr(&t, SADB_ADD, SADB_SATYPE_ESP);
	tm_sa(&t, 0x1234, 0, SADB_X_AALG_NULL, SADB_EALG_NULL, 0);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_key(&t, SADB_EXT_KEY_ENCRYPT, 0, 0); /* null: 0 bits is right */
	tm_key(&t, SADB_EXT_KEY_AUTH, 0, 0);
	expect(t.buf, tm_done(&t), USER, 0);
	t.buf[16 + 10] = SADB_X_AALG_SHA2_256HMAC;
	expect(t.buf, t.len, USER, EINVAL);
	/* DELETE with an SA type naming no protocol: ESRCH, as Linux. */
	n = build_row(&t, del, 0);
	t.buf[3] = SADB_SATYPE_UNSPEC;
	expect(t.buf, n, USER, ESRCH);
	/* GETSPI with satype unspec. */
	n = build_row(&t, &rule_rows[0], 0);
	t.buf[3] = SADB_SATYPE_UNSPEC;
	expect(t.buf, n, USER, EINVAL);
	/* ACQUIRE from a user with an extension: EOPNOTSUPP. */
	tm_hdr(&t, SADB_ACQUIRE, SADB_SATYPE_ESP);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	expect(t.buf, tm_done(&t), USER, EOPNOTSUPP);
	/* REGISTER satype up to SADB_SATYPE_MAX. */
	tm_hdr(&t, SADB_REGISTER, SADB_SATYPE_MAX);
	expect(t.buf, tm_done(&t), USER, 0);
	t.buf[3] = SADB_SATYPE_MAX + 1;
	expect(t.buf, t.len, USER, EINVAL);
	/* FLUSH and DUMP: unspec, ah, esp, ipcomp only. */
	tm_hdr(&t, SADB_FLUSH, SADB_SATYPE_RSVP);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	tm_hdr(&t, SADB_DUMP, SADB_SATYPE_MIP);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	/* A bare PROMISC: 0 or 1. */
	tm_hdr(&t, SADB_X_PROMISC, 2);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	t.buf[3] = 0;
	expect(t.buf, t.len, USER, 0);
}
END_TEST

START_TEST(test_pfkey_msg_parse_policy_values)
{
	static const struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	struct tmsg t;
	size_t n = spdadd(&t, &rq, 1);
	size_t pol = n - 32; /* the X_POLICY: 16 + one 16-byte request */

	expect(t.buf, n, USER, 0);
	/* Types: discard, none, ipsec; not entrust or bypass. */
	for (uint16_t type = 0; type <= IPSEC_POLICY_BYPASS; type++) {
		memcpy(t.buf + pol + 4, &type, 2);
		expect(t.buf, n, USER, type <= IPSEC_POLICY_IPSEC ? 0 : EINVAL);
	}
	/* SPDDELETE does not look at the type (setkey sends 0). */
	t.buf[1] = SADB_X_SPDDELETE;
	expect(t.buf, n, USER, 0);
	/* Directions 1..3. */
	for (uint8_t dir = 0; dir <= IPSEC_DIR_MAX; dir++) {
		t.buf[pol + 6] = dir;
		for (int i = 0; i < 2; i++) {
			t.buf[1] = i == 0 ? SADB_X_SPDADD : SADB_X_SPDDELETE;
			memset(t.buf + pol + 4, 0, 2);
			expect(
			    t.buf, n, USER, dir >= 1 && dir <= 3 ? 0 : EINVAL);
		}
	}
	/* SPDGET: the id's direction (low 3 bits) below 3. */
	for (uint32_t id = 8; id < 16; id++) {
		tm_hdr(&t, SADB_X_SPDGET, 0);
		tm_policy(&t, 0, 0, id, 0, NULL, 0);
		expect(t.buf, tm_done(&t), USER, (id & 7) < 3 ? 0 : EINVAL);
	}
}
END_TEST

START_TEST(test_pfkey_msg_parse_migrate)
{
	struct tm_req rq[4];
	struct tmsg t;

	memcpy(rq, std_pair, sizeof(std_pair));
	memcpy(rq + 2, std_pair, sizeof(std_pair));
	rq[2].reqid = rq[3].reqid = 4;
	for (size_t n = 0; n <= 4; n++) {
		tm_hdr(&t, SADB_X_MIGRATE, 0);
		tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
		tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
		tm_policy(
		    &t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, n);
		expect(t.buf, tm_done(&t), USER, n == 2 || n == 4 ? 0 : EINVAL);
	}
	/* A pair disagreeing in reqid, a pair without endpoints. */
	rq[1].reqid = 9;
	tm_hdr(&t, SADB_X_MIGRATE, 0);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	rq[1] = std_pair[1];
	rq[1].mode = IPSEC_MODE_TRANSPORT;
	rq[0].mode = IPSEC_MODE_TRANSPORT;
	rq[1].src = rq[1].dst = NULL;
	tm_hdr(&t, SADB_X_MIGRATE, 0);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_policy(&t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
	expect(t.buf, tm_done(&t), USER, EINVAL);
	/* Direction 0. */
	tm_hdr(&t, SADB_X_MIGRATE, 0);
	tm_host(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_policy(&t, IPSEC_POLICY_IPSEC, 0, 0, 0, std_pair, 2);
	expect(t.buf, tm_done(&t), USER, EINVAL);
}
END_TEST

START_TEST(test_pfkey_msg_parse_kernel_values)
{
	static const struct rule_row expire_both = { SADB_EXPIRE,
		SADB_SATYPE_ESP, KERNEL, SA_EXTS, 0, 0 };
	struct tmsg t;
	size_t n;

	/* EXPIRE with both limits: refused; with neither: refused. */
	n = build_row(&t, &expire_both, 0);
	expect(t.buf, n, KERNEL, EINVAL);
	n = build_row(&t, &expire_both, SADB_EXT_LIFETIME_HARD);
	expect(t.buf, n, KERNEL, 0);
	/* NEW_MAPPING for AH. */
	for (size_t i = 0; i < sizeof(rule_rows) / sizeof(rule_rows[0]); i++)
		if (rule_rows[i].type == SADB_X_NAT_T_NEW_MAPPING &&
		    rule_rows[i].origin == KERNEL) {
			n = build_row(&t, &rule_rows[i], 0);
			expect(t.buf, n, KERNEL, 0);
			t.buf[3] = SADB_SATYPE_AH;
			expect(t.buf, n, KERNEL, EINVAL);
		}
	/* An SA message of satype unspec. */
	{
		static const struct rule_row get = { SADB_GET, 0, KERNEL,
			SA_EXTS, 0, 0 };

		n = build_row(&t, &get, 0);
		expect(t.buf, n, KERNEL, EINVAL);
	}
}
END_TEST

START_TEST(test_pfkey_msg_names)
{
	ck_assert_str_eq(pfkey_msg_name(SADB_X_SPDADD), "x_spdadd");
	ck_assert_str_eq(pfkey_msg_name(SADB_GETSPI), "getspi");
	ck_assert_str_eq(pfkey_msg_name(SADB_MAX + 1), "?");
	for (unsigned t = 0; t <= SADB_MAX; t++)
		ck_assert_ptr_nonnull(pfkey_msg_name(t));
	for (unsigned t = 0; t <= SADB_EXT_MAX; t++)
		ck_assert_ptr_nonnull(pfkey_ext_name(t));
	ck_assert_str_eq(pfkey_ext_name(SADB_X_EXT_FILTER), "x_filter");
	ck_assert_str_eq(pfkey_ext_name(SADB_EXT_MAX + 1), "?");
	ck_assert_int_eq(pfkey_satype_proto(SADB_SATYPE_ESP), IPPROTO_ESP);
	ck_assert_int_eq(pfkey_satype_proto(SADB_SATYPE_AH), IPPROTO_AH);
	ck_assert_int_eq(
	    pfkey_satype_proto(SADB_X_SATYPE_IPCOMP), IPPROTO_COMP);
	ck_assert_int_eq(pfkey_satype_proto(SADB_SATYPE_UNSPEC), 0);
	ck_assert_int_eq(pfkey_satype_proto(SADB_SATYPE_MIP), 0);
	ck_assert_int_eq(
	    pfkey_proto_satype(IPPROTO_COMP), SADB_X_SATYPE_IPCOMP);
	ck_assert_int_eq(pfkey_proto_satype(IPPROTO_UDP), SADB_SATYPE_UNSPEC);
}
END_TEST

static Suite *
pfkey_msg_suite(void)
{
	Suite *s = suite_create("pfkey_msg");
	TCase *tc;

	tc = tcase_create("pfkey_msg_parse");
	tcase_add_test(tc, test_pfkey_msg_parse_header);
	tcase_add_test(tc, test_pfkey_msg_parse_header_fields);
	tcase_add_test(tc, test_pfkey_msg_parse_ext_framing);
	tcase_add_test(tc, test_pfkey_msg_parse_family_mismatch);
	tcase_add_test(tc, test_pfkey_msg_parse_rules);
	tcase_add_test(tc, test_pfkey_msg_parse_error_reply);
	tcase_add_test(tc, test_pfkey_msg_parse_values);
	tcase_add_test(tc, test_pfkey_msg_parse_policy_values);
	tcase_add_test(tc, test_pfkey_msg_parse_migrate);
	tcase_add_test(tc, test_pfkey_msg_parse_kernel_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_ext_check");
	tcase_add_test(tc, test_pfkey_ext_check_lengths);
	tcase_add_test(tc, test_pfkey_ext_check_contents);
	tcase_add_test(tc, test_pfkey_ext_key_bits);
	tcase_add_test(tc, test_pfkey_ext_spirange_min_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_ext_address");
	tcase_add_test(tc, test_pfkey_ext_address_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_ext_policy");
	tcase_add_test(tc, test_pfkey_ext_policy_requests);
	tcase_add_test(tc, test_pfkey_ext_policy_bad_requests);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_msg_name");
	tcase_add_test(tc, test_pfkey_msg_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pfkey_msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
