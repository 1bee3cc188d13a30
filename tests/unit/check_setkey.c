/*
 * Unit tests for the setkey(8) parser (src/pfkey/setkey*.c): every
 * command and option, IPv4 and IPv6, each algorithm of crypto/alg.h at
 * each key size, limits one past and one short, and error reporting
 * (messages, line numbers, recovery).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_setkey.h"
#include "crypto/alg.h"
#include "ipsec/knobs.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_lex.h"
#include "pfkey/setkey_words.h"

/* Parse text, which must give one command and no error. */
static const struct setkey_cmd *
parse_one(struct run *r, const char *text)
{
	run_text(r, text);
	ck_assert_msg(
	    r->nerr == 0 && r->rc == 0, "%s\nerrors: %s", text, r->err);
	ck_assert_msg(r->l.ncmds == 1, "%s: %zu commands", text, r->l.ncmds);
	return &r->l.cmds[0];
}

/* text gives exactly one error, containing want, and no command. */
static void
assert_error(const char *text, const char *want)
{
	struct run r;

	run_text(&r, text);
	ck_assert_msg(r.nerr == 1 && strstr(r.err, want) != NULL,
	    "%s\nwant one error with: %s\ngot %u: %s", text, want, r.nerr,
	    r.err);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_uint_eq(r.l.ncmds, 0);
	run_free(&r);
}

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert_msg(addr_parse(&a, s), "bad address %s", s);
	return a;
}

/* "0x0102..." for n bytes 1, 2, 3, ... (n <= 80; buf 163 bytes). */
static char *
hex_key(char *buf, size_t n)
{
	char *p = buf + 2;

	strcpy(buf, "0x");
	for (size_t i = 0; i < n; i++, p += 2)
		sprintf(p, "%02x", (unsigned)(i + 1) & 0xff);
	return buf;
}

static bool
key_is_pattern(const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (k[i] != (uint8_t)(i + 1))
			return false;
	return true;
}

/* add ---------------------------------------------------------------- */

START_TEST(test_setkey_parse_buf_add_esp_cbc_hmac)
{
	struct run r;
	const struct setkey_cmd *c = parse_one(&r,
	    "add 10.0.11.41 10.0.11.33 esp 0x10001\n"
	    "\t-E aes-cbc 0x3ffe05014819ffff3ffe05014819ffff\n"
	    "\t-A hmac-sha1 \"authentication!!1234\" ;\n");
	static const uint8_t ek[16] = { 0x3f, 0xfe, 0x05, 0x01, 0x48, 0x19,
		0xff, 0xff, 0x3f, 0xfe, 0x05, 0x01, 0x48, 0x19, 0xff, 0xff };

	ck_assert_int_eq(c->op, SETKEY_ADD);
	ck_assert_uint_eq(c->line, 1);
	{
		struct addr s = A("10.0.11.41"), d = A("10.0.11.33");

		ck_assert(addr_eq(&c->sa.src, &s));
		ck_assert(addr_eq(&c->sa.dst, &d));
	}
	ck_assert_uint_eq(c->sa.spi, 0x10001);
	ck_assert_uint_eq(c->sa.proto, IPPROTO_ESP);
	ck_assert_uint_eq(c->sa.mode, SA_MODE_ANY);
	ck_assert_ptr_eq(c->sa.key.enc, alg_get(ALG_AES_CBC));
	ck_assert_uint_eq(c->sa.key.enc_len, 16);
	ck_assert_mem_eq(c->sa.key.enc_key, ek, 16);
	ck_assert_ptr_eq(c->sa.key.auth, alg_get(ALG_HMAC_SHA1_96));
	ck_assert_uint_eq(c->sa.key.auth_len, 20);
	ck_assert_mem_eq(c->sa.key.auth_key, "authentication!!1234", 20);
	ck_assert_uint_eq(c->sa.replay_window, 0);
	ck_assert_uint_eq(c->sa.reqid, 0);
	ck_assert_uint_eq(c->sa.flags, 0);
	ck_assert_ptr_null(c->sa.replay);
	run_free(&r);
}
END_TEST

/* Every algorithm of the table, at every key size, and one byte off. */
START_TEST(test_setkey_parse_buf_every_alg_key_size)
{
	char text[512], key[2 + 2 * 80 + 1];

	for (int id = 0; id < ALG_COUNT; id++) {
		const struct alg *a = alg_get((enum alg_id)id);
		const char *name = a->id == ALG_NULL_AUTH ? "null" : a->name;

		for (int i = 0; i < a->nkeys; i++) {
			size_t len = (size_t)a->key_len[i] + a->salt_len;
			struct run r;
			const struct setkey_cmd *c;
			bool is_keyless = len == 0;

			if (a->kind == ALG_AUTH && is_keyless)
				snprintf(text, sizeof(text),
				    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E "
				    "aes-gcm-16 %s -A null;",
				    hex_key(key, 20));
			else if (a->kind == ALG_AUTH)
				snprintf(text, sizeof(text),
				    "add 192.0.2.1 192.0.2.2 ah 0x1000 -A %s "
				    "%s;",
				    name, hex_key(key, len));
			else if (is_keyless)
				snprintf(text, sizeof(text),
				    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E %s "
				    "-A hmac-sha1 %s;",
				    name, hex_key(key, 20));
			else
				snprintf(text, sizeof(text),
				    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E %s "
				    "%s;",
				    name, hex_key(key, len));
			c = parse_one(&r, text);
			if (a->kind == ALG_AUTH) {
				ck_assert_ptr_eq(c->sa.key.auth, a);
				ck_assert_uint_eq(c->sa.key.auth_len, len);
				ck_assert(
				    key_is_pattern(c->sa.key.auth_key, len));
			} else {
				ck_assert_ptr_eq(c->sa.key.enc, a);
				ck_assert_uint_eq(c->sa.key.enc_len, len);
				ck_assert(
				    key_is_pattern(c->sa.key.enc_key, len));
			}
			run_free(&r);
			if (is_keyless)
				continue;
			/* One byte short and one byte long. */
			for (int d = -1; d <= 1; d += 2) {
				char want[64];

				snprintf(text, sizeof(text),
				    "add 192.0.2.1 192.0.2.2 %s 0x1000 %s %s "
				    "%s;",
				    a->kind == ALG_AUTH ? "ah" : "esp",
				    a->kind == ALG_AUTH ? "-A" : "-E", name,
				    hex_key(key, (size_t)((int)len + d)));
				snprintf(want, sizeof(want),
				    "%s key is %zu bytes", name,
				    (size_t)((int)len + d));
				/* A neighbouring size of the same algorithm. */
				if (alg_key_index(a, (size_t)((int)len + d)) >=
				    0)
					continue;
				assert_error(text, want);
			}
		}
	}
}
END_TEST

START_TEST(test_setkey_parse_buf_setkey_alg_names)
{
	static const struct {
		const char *spec;
		enum alg_id enc, auth;
		bool has_auth;
	} rows[] = {
		{ "esp 0x1000 -E rijndael-cbc \"0123456789abcdef\"",
		    ALG_AES_CBC, 0, false },
		{ "ah 0x1000 -A hmac-sha2-256 "
		  "\"0123456789abcdef0123456789abcdef\"",
		    0, ALG_HMAC_SHA256_128, true },
		{ "ah 0x1000 -A hmac-sha2-384 "
		  "\"0123456789abcdef0123456789abcdef0123456789abcdef\"",
		    0, ALG_HMAC_SHA384_192, true },
		{ "ah 0x1000 -A hmac-sha2-512 "
		  "\"0123456789abcdef0123456789abcdef0123456789abcdef"
		  "0123456789abcdef\"",
		    0, ALG_HMAC_SHA512_256, true },
		{ "esp 0x1000 -E null-aes-gmac \"0123456789abcdefSALT\"",
		    ALG_AES_GMAC, 0, false },
		{ "esp 0x1000 -E aes-gcm8 \"0123456789abcdefSALT\"",
		    ALG_AES_GCM_8, 0, false },
		{ "esp 0x1000 -E AES-CBC \"0123456789abcdef\"", ALG_AES_CBC, 0,
		    false },
	};
	char text[512];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run r;
		const struct setkey_cmd *c;

		snprintf(text, sizeof(text), "add 192.0.2.1 192.0.2.2 %s;",
		    rows[i].spec);
		c = parse_one(&r, text);
		if (rows[i].has_auth)
			ck_assert_ptr_eq(c->sa.key.auth, alg_get(rows[i].auth));
		else
			ck_assert_ptr_eq(c->sa.key.enc, alg_get(rows[i].enc));
		run_free(&r);
	}
}
END_TEST

START_TEST(test_setkey_parse_buf_alg_unimplemented)
{
	static const char *enc[] = { "des-cbc", "3des-cbc", "blowfish-cbc",
		"cast128-cbc", "twofish-cbc", "camellia-cbc", "des-deriv",
		"3des-deriv", "des-32iv", "rc5-cbc", "simple" };
	static const char *auth[] = { "hmac-md5", "keyed-md5", "keyed-sha1",
		"hmac-ripemd160", "aes-xcbc-mac", "tcp-md5" };
	char text[256], want[128];

	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		snprintf(text, sizeof(text),
		    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E %s "
		    "0x0011223344556677;",
		    enc[i]);
		snprintf(want, sizeof(want),
		    "encryption algorithm \"%s\" is not implemented; "
		    "supported: "
		    "aes-gcm-8, ",
		    enc[i]);
		assert_error(text, want);
	}
	for (size_t i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
		snprintf(text, sizeof(text),
		    "add 192.0.2.1 192.0.2.2 ah 0x1000 -A %s "
		    "\"0123456789abcdef\";",
		    auth[i]);
		snprintf(want, sizeof(want),
		    "authentication algorithm \"%s\" is not implemented; "
		    "supported: hmac-sha1, hmac-sha256, hmac-sha384, "
		    "hmac-sha512 "
		    "or null",
		    auth[i]);
		assert_error(text, want);
	}
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -C lzs;",
	    "compression algorithm \"lzs\" is not implemented; supported: "
	    "deflate");
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -C oui;",
	    "compression algorithm \"oui\" is not implemented");
}
END_TEST

START_TEST(test_setkey_parse_buf_alg_unknown_or_misplaced)
{
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-129 "
		     "\"0123456789abcdef\";",
	    "unknown encryption algorithm \"aes-129\"; expected aes-gcm-8, "
	    "aes-gcm-12, aes-gcm-16, aes-gmac, chacha20-poly1305, aes-cbc, "
	    "aes-ctr or null");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E hmac-sha1 "
		     "\"01234567890123456789\";",
	    "hmac-sha1 is an authentication algorithm; it goes after -A");
	assert_error("add 192.0.2.1 192.0.2.2 ah 0x1000 -A aes-cbc "
		     "\"0123456789abcdef\";",
	    "aes-cbc is an encryption algorithm; it goes after -E");
	assert_error("add 192.0.2.1 192.0.2.2 ah 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "ah takes -A aalgo key, not -E");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -A hmac-sha1 "
		     "\"01234567890123456789\";",
	    "esp takes -E ealgo key [-A aalgo key], not -A first");
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "ipcomp takes -C deflate, not -E");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -C deflate;",
	    "esp takes -E ealgo key [-A aalgo key], not -C");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000;",
	    "expected an algorithm option -E, -A or -C, got end of statement");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E;",
	    "expected an algorithm after -E (aes-gcm-8, ");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
		     "\"0123456789abcdefSALT\" -A hmac-sha1 "
		     "\"01234567890123456789\";",
	    "esp: a combined-mode cipher takes no integrity algorithm");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E null;",
	    "esp: null encryption needs an integrity algorithm");
	assert_error("add 192.0.2.1 192.0.2.2 ah 0x1000 -A null;",
	    "ah: ah needs an integrity algorithm");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E null \"k\" "
		     "-A hmac-sha1 \"01234567890123456789\";",
	    "-E null takes no key");
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -C gzip;",
	    "unknown compression algorithm \"gzip\"; expected deflate");
}
END_TEST

START_TEST(test_setkey_parse_buf_keys_string_and_hex)
{
	struct run r;
	const struct setkey_cmd *c;

	/* ";" and "#" inside a quoted key end nothing. */
	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123;56789#bcdef\";");
	ck_assert_mem_eq(c->sa.key.enc_key, "0123;56789#bcdef", 16);
	run_free(&r);
	/* Upper-case hex and 0X. */
	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "0XA0B1C2D3E4F5a6b7c8d9eafb0c1d2e3f;");
	ck_assert_uint_eq(c->sa.key.enc_key[0], 0xa0);
	ck_assert_uint_eq(c->sa.key.enc_key[15], 0x3f);
	run_free(&r);
	/* A key string across lines keeps the newline and the count. */
	run_text(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123456\n89abcdef\";\nadd 192.0.2.1 192.0.2.2 esp 0x1000;");
	ck_assert_uint_eq(r.l.ncmds, 1);
	ck_assert_mem_eq(r.l.cmds[0].sa.key.enc_key, "0123456\n89abcdef", 16);
	ck_assert_str_eq(r.err,
	    "t.conf:3: expected an algorithm option -E, "
	    "-A or -C, got end of statement\n");
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_keys_bad_hex)
{
	struct run r;

	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "0x000102030405060708090a0b0c0d0e0;",
	    "bad hex key for aes-cbc: 31 hex digits; expected an even number");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "0x000102030405060708090a0b0c0d0eXf;",
	    "bad hex key for aes-cbc: character 33 is not a hex digit");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc 0x;",
	    "bad hex key for aes-cbc: 0 hex digits");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "3ffe05014819ffff;",
	    "expected a key (0x hex digits or a quoted string) after -E "
	    "aes-cbc, got \"3ffe05014819ffff\"");
	/* Key material never appears in messages. */
	run_text(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-129 "
	    "0x5ec2e75ec2e75ec2e75ec2e75ec2e75e;"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"5ec2e75ec2e7\";"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -m "
	    "0x5ec2e75ec2e75ec2e75ec2e75ec2e75e -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_uint_eq(r.nerr, 3);
	ck_assert_ptr_null(strstr(r.err, "5ec2e7"));
	ck_assert_ptr_nonnull(strstr(r.err, "a hex string of 32 digits"));
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_keys_too_long)
{
	char text[512], key[2 + 2 * 80 + 1];
	struct run r;
	const struct setkey_cmd *c;

	/* ALG_KEY_MAX bytes fit (HMAC-SHA-512); one more does not. */
	snprintf(text, sizeof(text),
	    "add 192.0.2.1 192.0.2.2 ah 0x1000 -A hmac-sha512 %s;",
	    hex_key(key, ALG_KEY_MAX));
	c = parse_one(&r, text);
	ck_assert_uint_eq(c->sa.key.auth_len, ALG_KEY_MAX);
	run_free(&r);
	snprintf(text, sizeof(text),
	    "add 192.0.2.1 192.0.2.2 ah 0x1000 -A hmac-sha512 %s;",
	    hex_key(key, ALG_KEY_MAX + 1));
	assert_error(text, "hmac-sha512 key is 65 bytes; expected 64 bytes");
	snprintf(text, sizeof(text),
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc %s;",
	    hex_key(key, 80));
	assert_error(
	    text, "aes-cbc key is 80 bytes; expected 16, 24 or 32 bytes");
	assert_error(
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0\";",
	    "aes-gcm-16 key is 65 bytes; expected 20, 28 or 36 bytes (key and "
	    "4-byte salt)");
}
END_TEST

/* Extensions --------------------------------------------------------- */

START_TEST(test_setkey_parse_buf_extensions)
{
	static const struct {
		const char *ext;
		uint8_t mode;
	} modes[] = { { "-m transport", SA_MODE_TRANSPORT },
		{ "-m tunnel", SA_MODE_TUNNEL }, { "-m any", SA_MODE_ANY },
		{ "-m beet", SA_MODE_BEET }, { "", SA_MODE_ANY } };
	static const struct {
		const char *ext;
		uint8_t bit;
	} pads[] = { { "zero-pad", SETKEY_EXT_PAD_ZERO },
		{ "random-pad", SETKEY_EXT_PAD_RANDOM },
		{ "seq-pad", SETKEY_EXT_PAD_SEQ },
		{ "nocyclic-seq", SETKEY_EXT_NOCYCLIC_SEQ } };
	char text[256];
	struct run r;
	const struct setkey_cmd *c;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(text, sizeof(text),
		    "add 192.0.2.1 192.0.2.2 esp 0x1000 %s -E aes-cbc "
		    "\"0123456789abcdef\";",
		    modes[i].ext);
		c = parse_one(&r, text);
		ck_assert_uint_eq(c->sa.mode, modes[i].mode);
		run_free(&r);
	}
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		snprintf(text, sizeof(text),
		    "add 192.0.2.1 192.0.2.2 esp 0x1000 -f %s -E aes-cbc "
		    "\"0123456789abcdef\";",
		    pads[i].ext);
		c = parse_one(&r, text);
		ck_assert_uint_eq(c->ext, pads[i].bit);
		run_free(&r);
	}
	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -r 255 -u 4294967295 "
	    "-lh 18446744073709551615 -ls 30 -bh 0x100000000 -bs 7 "
	    "-f zero-pad -f nocyclic-seq -E aes-cbc \"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.replay_window, 255);
	ck_assert_uint_eq(c->sa.reqid, UINT32_MAX);
	ck_assert_uint_eq(c->sa.hard.add_sec, UINT64_MAX);
	ck_assert_uint_eq(c->sa.soft.add_sec, 30);
	ck_assert_uint_eq(c->sa.hard.bytes, 0x100000000ull);
	ck_assert_uint_eq(c->sa.soft.bytes, 7);
	ck_assert_uint_eq(
	    c->ext, SETKEY_EXT_PAD_ZERO | SETKEY_EXT_NOCYCLIC_SEQ);
	run_free(&r);
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -r 256 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad replay window (packets) \"256\"; expected a number from 0 to "
	    "255");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -u 4294967296 "
		     "-E aes-cbc \"0123456789abcdef\";",
	    "bad reqid \"4294967296\"; expected a number from 0 to 4294967295");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -bs "
		     "18446744073709551616 -E aes-cbc \"0123456789abcdef\";",
	    "bad lifetime (bytes) \"18446744073709551616\"");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -m tunnel "
		     "-E aes-cbc \"0123456789abcdef\";",
	    "-m given twice");
	assert_error(
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -m transprt -E aes-cbc "
	    "\"0123456789abcdef\";",
	    "unknown mode \"transprt\"; expected any, beet, transport or "
	    "tunnel");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -f pad -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "unknown -f option \"pad\"; expected nocyclic-seq, random-pad, "
	    "seq-pad or zero-pad");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -q -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "unknown option \"-q\"; expected -m, -r, -u, -f, -lh, -ls, -bh, "
	    "-bs, -E, -A or -C");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -ctx 1 1 \"x\" "
		     "-E aes-cbc \"0123456789abcdef\";",
	    "-ctx (an SELinux security context) is not supported");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -r -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "expected a number (replay window (packets)), got \"-E\"");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x1000 -u;",
	    "expected a number (reqid), got end of statement");
}
END_TEST

/* SA commands -------------------------------------------------------- */

START_TEST(test_setkey_parse_buf_esp_udp)
{
	struct run r;
	const struct setkey_cmd *c;
	struct addr oa = A("10.1.2.3");

	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp-udp 0x1000 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";");
	ck_assert_uint_eq(c->sa.proto, IPPROTO_ESP);
	ck_assert_uint_eq(c->sa.flags, SA_F_UDP_ENCAP);
	ck_assert_uint_eq(c->sa.encap_sport, 4500);
	ck_assert_uint_eq(c->sa.encap_dport, 4500);
	ck_assert_uint_eq(c->natt_oa.family, 0);
	run_free(&r);
	c = parse_one(&r,
	    "add 192.0.2.1[1] 192.0.2.2[65535] esp-udp 10.1.2.3 "
	    "0x1000 -E aes-gcm-16 \"0123456789abcdefSALT\";");
	ck_assert_uint_eq(c->sa.encap_sport, 1);
	ck_assert_uint_eq(c->sa.encap_dport, 65535);
	ck_assert(addr_eq(&c->natt_oa, &oa));
	run_free(&r);
	c = parse_one(&r,
	    "add 2001:db8::1[any] 2001:db8::2[0] esp-udp 0x1000 "
	    "-E aes-gcm-16 \"0123456789abcdefSALT\";");
	ck_assert_uint_eq(c->sa.encap_sport, 4500);
	ck_assert_uint_eq(c->sa.encap_dport, 4500);
	run_free(&r);
	assert_error("add 192.0.2.1[4500] 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "ports on SA addresses are for esp-udp only");
	assert_error("add 192.0.2.1[65536] 192.0.2.2 esp-udp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad port \"65536\"; expected a number from 0 to 65535 or any");
	assert_error("deleteall 192.0.2.1[4500] 192.0.2.2 esp-udp;",
	    "deleteall takes addresses without ports");
}
END_TEST

START_TEST(test_setkey_parse_buf_ipcomp)
{
	struct run r;
	const struct setkey_cmd *c;

	c = parse_one(&r, "add 192.0.2.1 192.0.2.2 ipcomp 0xffff -C deflate;");
	ck_assert_uint_eq(c->sa.proto, IPPROTO_COMP);
	ck_assert_uint_eq(c->sa.spi, 0xffff);
	ck_assert_uint_eq(c->sa.calg, 2);
	ck_assert_uint_eq(c->ext, 0);
	ck_assert_ptr_null(c->sa.key.enc);
	run_free(&r);
	c = parse_one(&r, "add 192.0.2.1 192.0.2.2 ipcomp 1 -C deflate -R;");
	ck_assert_uint_eq(c->sa.spi, 1);
	ck_assert_uint_eq(c->ext, SETKEY_EXT_RAWCPI);
	run_free(&r);
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x10000 -C deflate;",
	    "ipcomp cpi 65536 out of range; expected 1 to 65535");
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0 -C deflate;",
	    "ipcomp cpi 0 out of range");
	assert_error("add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -R;",
	    "expected an algorithm option -E, -A or -C, got \"-R\"");
}
END_TEST

START_TEST(test_setkey_parse_buf_spi_limits)
{
	struct run r;
	const struct setkey_cmd *c;

	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp 256 -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.spi, 256);
	run_free(&r);
	c = parse_one(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0xffffffff -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.spi, 0xffffffffu);
	run_free(&r);
	c = parse_one(&r, "getspi 192.0.2.1 192.0.2.2 esp 0;");
	ck_assert_uint_eq(c->sa.spi, 0);
	run_free(&r);
	assert_error("add 192.0.2.1 192.0.2.2 esp 255 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "spi 255 is reserved (0-255, RFC 4303 section 2.1); expected 256 "
	    "or more");
	assert_error("get 192.0.2.1 192.0.2.2 ah 0;", "spi 0 is reserved");
	assert_error("getspi 192.0.2.1 192.0.2.2 esp 1;", "spi 1 is reserved");
	assert_error("add 192.0.2.1 192.0.2.2 esp 0x100000000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad spi \"0x100000000\"; expected a number up to 4294967295");
	assert_error("add 192.0.2.1 192.0.2.2 esp 4294967296 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad spi \"4294967296\"");
	assert_error("add 192.0.2.1 192.0.2.2 esp 12ab -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad spi \"12ab\"");
	assert_error("add 192.0.2.1 192.0.2.2 esp;",
	    "expected an SPI, got end of statement");
}
END_TEST

START_TEST(test_setkey_parse_buf_sa_commands)
{
	struct run r;
	const struct setkey_cmd *c;
	struct addr s6 = A("2001:db8::1"), d6 = A("2001:db8::2");

	c = parse_one(&r, "get 2001:db8::1 2001:db8::2 ah 123456;");
	ck_assert_int_eq(c->op, SETKEY_GET);
	ck_assert(addr_eq(&c->sa.src, &s6));
	ck_assert(addr_eq(&c->sa.dst, &d6));
	ck_assert_uint_eq(c->sa.proto, IPPROTO_AH);
	ck_assert_uint_eq(c->sa.spi, 123456);
	run_free(&r);
	c = parse_one(&r, "delete 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel;");
	ck_assert_int_eq(c->op, SETKEY_DELETE);
	ck_assert_uint_eq(c->sa.mode, SA_MODE_TUNNEL);
	run_free(&r);
	c = parse_one(&r, "deleteall 192.0.2.1 192.0.2.2 ipcomp;");
	ck_assert_int_eq(c->op, SETKEY_DELETEALL);
	ck_assert_uint_eq(c->sa.proto, IPPROTO_COMP);
	ck_assert_uint_eq(c->sa.spi, 0);
	run_free(&r);
	c = parse_one(
	    &r, "getspi 192.0.2.1 192.0.2.2 esp 0x2000 -m tunnel -u 9;");
	ck_assert_int_eq(c->op, SETKEY_GETSPI);
	ck_assert_uint_eq(c->sa.spi, 0x2000);
	ck_assert_uint_eq(c->sa.reqid, 9);
	run_free(&r);
	c = parse_one(&r,
	    "update 192.0.2.1 192.0.2.2 esp 0x2000 -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_int_eq(c->op, SETKEY_UPDATE);
	ck_assert_ptr_eq(c->sa.key.enc, alg_get(ALG_AES_CBC));
	run_free(&r);
	assert_error("get 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "get takes no algorithm, got \"-E\"");
	assert_error("delete 192.0.2.1 192.0.2.2 esp 0x1000 -A hmac-sha1 "
		     "\"01234567890123456789\";",
	    "delete takes no algorithm, got \"-A\"");
	assert_error("add 192.0.2.1 192.0.2.2 esp-old 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "protocol \"esp-old\" is not supported; expected ah, esp, esp-udp "
	    "or ipcomp");
	assert_error("add 192.0.2.1 192.0.2.2 tcp 0x1000 -A tcp-md5 \"k\";",
	    "protocol \"tcp\" is not supported");
	assert_error("add 192.0.2.1 192.0.2.2 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "expected a protocol ah, esp, esp-udp or ipcomp, got \"0x1000\"");
	assert_error("add host.example.com 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad address \"host.example.com\"; expected a numeric IPv4 or IPv6 "
	    "address (names are not resolved)");
	assert_error("add 192.0.2.1/32 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "expected an address, got \"/\"");
	/* The longest IPv6 text (45 characters) fits; longer words do not. */
	c = parse_one(&r,
	    "add 0000:0000:0000:0000:0000:ffff:255.255.255.255 "
	    "::ffff:1.2.3.4 esp 0x1000 -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.src.family, AF_INET6);
	ck_assert_uint_eq(c->sa.src.bytes[15], 255);
	run_free(&r);
	assert_error("add 00000:0000:0000:0000:0000:ffff:255.255.255.255 "
		     "::1 esp 0x1000 -E aes-cbc \"0123456789abcdef\";",
	    "bad address \"00000:0000:0000:0000:0000:ffff:255.255.2...\"");
	assert_error("add fe80::1%eth0 fe80::2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "bad address \"fe80::1%eth0\"");
}
END_TEST

START_TEST(test_setkey_parse_buf_flush_dump)
{
	static const struct {
		const char *text;
		enum setkey_op op;
		uint8_t satype;
	} rows[] = {
		{ "flush;", SETKEY_FLUSH, 0 },
		{ "flush esp;", SETKEY_FLUSH, IPPROTO_ESP },
		{ "flush ah ;", SETKEY_FLUSH, IPPROTO_AH },
		{ "flush ipcomp;", SETKEY_FLUSH, IPPROTO_COMP },
		{ "flush esp-udp;", SETKEY_FLUSH, IPPROTO_ESP },
		{ "dump;", SETKEY_DUMP, 0 },
		{ "dump\tah;", SETKEY_DUMP, IPPROTO_AH },
		{ "spdflush;", SETKEY_SPDFLUSH, 0 },
		{ "spddump ;", SETKEY_SPDDUMP, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run r;
		const struct setkey_cmd *c = parse_one(&r, rows[i].text);

		ck_assert_int_eq(c->op, rows[i].op);
		ck_assert_uint_eq(c->satype, rows[i].satype);
		run_free(&r);
	}
	assert_error("flush tcp;", "protocol \"tcp\" is not supported");
	assert_error("flush all;",
	    "expected a protocol ah, esp, esp-udp or "
	    "ipcomp or \";\", got \"all\"");
	assert_error("spdflush esp;",
	    "expected \";\" at the end of the command, got \"esp\"");
	assert_error("dump esp ah;",
	    "expected \";\" at the end of the command, got \"ah\"");
}
END_TEST

START_TEST(test_setkey_parse_buf_family_flags)
{
	struct run r;
	const struct setkey_cmd *c;

	c = parse_one(&r,
	    "add -4 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.src.family, AF_INET);
	run_free(&r);
	c = parse_one(&r,
	    "add -6 -n 2001:db8::1 2001:db8::2 esp 0x1000 "
	    "-E aes-cbc \"0123456789abcdef\";");
	ck_assert_uint_eq(c->sa.src.family, AF_INET6);
	run_free(&r);
	c = parse_one(&r, "spdadd -n46 ::/0 ::/0 any -P out none;");
	ck_assert_uint_eq(c->pol.sel.src.addr.family, AF_INET6);
	run_free(&r);
	assert_error("add -4 2001:db8::1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "address 2001:db8::1 is not IPv4 as -4 asks");
	assert_error("spdadd -6 10.0.0.0/8 ::/0 any -P out none;",
	    "address 10.0.0.0 is not IPv6 as -6 asks");
	assert_error("add 192.0.2.1 2001:db8::2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "source and destination are not the same family (IPv4 and IPv6)");
	assert_error("spdadd 10.0.0.0/8 2001:db8::/32 any -P out none;",
	    "source and destination ranges are not the same family");
	assert_error("add -5 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		     "\"0123456789abcdef\";",
	    "unknown address option \"-5\"; expected -4, -6 or -n");
}
END_TEST

/* SPD commands ------------------------------------------------------- */

START_TEST(test_setkey_parse_buf_spd_ranges)
{
	struct run r;
	const struct setkey_cmd *c;
	const struct selector *s;
	struct addr net = A("10.0.0.0"), host = A("192.0.2.1"), v6 = A("::");

	c = parse_one(&r,
	    "spdadd 10.0.0.0/8[80] 192.0.2.1[any] tcp "
	    "-P out none;");
	s = &c->pol.sel;
	ck_assert(addr_eq(&s->src.addr, &net));
	ck_assert_uint_eq(s->src.len, 8);
	ck_assert(addr_eq(&s->dst.addr, &host));
	ck_assert_uint_eq(s->dst.len, 32);
	ck_assert_uint_eq(s->proto, IPPROTO_TCP);
	ck_assert_uint_eq(s->sport_lo, 80);
	ck_assert_uint_eq(s->sport_hi, 80);
	ck_assert_uint_eq(s->dport_lo, 0);
	ck_assert_uint_eq(s->dport_hi, 65535);
	ck_assert_uint_eq(s->if_id, 0);
	ck_assert_uint_eq(c->pol.dir, SPD_DIR_OUT);
	ck_assert_uint_eq(c->pol.action, SPD_ACTION_NONE);
	ck_assert_uint_eq(c->pol.priority, SETKEY_PRIO_DEFAULT);
	run_free(&r);
	c = parse_one(&r, "spdadd ::/0 2001:db8::/128[65535] udp -P in none;");
	s = &c->pol.sel;
	ck_assert(addr_eq(&s->src.addr, &v6));
	ck_assert_uint_eq(s->src.len, 0);
	ck_assert_uint_eq(s->dst.len, 128);
	ck_assert_uint_eq(s->dport_lo, 65535);
	ck_assert_uint_eq(s->sport_hi, 65535);
	run_free(&r);
	/* [any] and [0] mean any port and fit every protocol. */
	c = parse_one(&r,
	    "spdadd 10.0.0.0/8[any] 10.1.0.0/16[0] any "
	    "-P out none;");
	ck_assert_uint_eq(c->pol.sel.proto, SELECTOR_PROTO_ANY);
	ck_assert_uint_eq(c->pol.sel.sport_hi, 65535);
	run_free(&r);
	c = parse_one(
	    &r, "spdadd 0.0.0.0/32 255.255.255.255/32 any -P out none;");
	ck_assert_uint_eq(c->pol.sel.src.len, 32);
	run_free(&r);
	assert_error("spdadd 10.0.0.0/33 10.1.0.0/16 any -P out none;",
	    "bad prefix length \"33\"; expected 0 to 32");
	assert_error("spdadd ::/129 ::/0 any -P out none;",
	    "bad prefix length \"129\"; expected 0 to 128");
	assert_error("spdadd 10.0.0.1/24 10.1.0.0/16 any -P out none;",
	    "prefix 10.0.0.1/24 has host bits set; expected 10.0.0.0/24");
	assert_error("spdadd ::/0 2001:db8::1/127 any -P out none;",
	    "prefix 2001:db8::1/127 has host bits set; expected "
	    "2001:db8::/127");
	assert_error("spdadd 10.0.0.0/x 10.1.0.0/16 any -P out none;",
	    "expected a prefix length after \"/\", got \"x\"");
	assert_error("spdadd 10.0.0.0/8[65536] 10.1.0.0/16 tcp -P out none;",
	    "bad port \"65536\"; expected a number from 0 to 65535 or any");
	assert_error("spdadd 10.0.0.0/8[21] 10.1.0.0/16 any -P out none;",
	    "a port needs an upper-layer protocol with ports (tcp, udp, sctp, "
	    "udplite or dccp)");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16[53] icmp -P out none;",
	    "a port needs an upper-layer protocol with ports");
	assert_error("spdadd 10.0.0.0/8[80 10.1.0.0/16 tcp -P out none;",
	    "expected \"]\" after the port, got \"10.1.0.0\"");
	assert_error("spdadd 10.0.0.0/8 -P out none;",
	    "expected an address range (address[/prefixlen]), got \"-P\"");
	assert_error("spdadd tagged \"t\" -P out none;",
	    "tagged policies (PF tags) are not supported on Linux");
}
END_TEST

START_TEST(test_setkey_parse_buf_upperspec)
{
	static const struct {
		const char *spec;
		uint8_t proto;
		uint16_t slo, shi, dlo, dhi;
	} rows[] = {
		{ "any", 255, 0, 65535, 0, 65535 },
		{ "0", 255, 0, 65535, 0, 65535 },
		{ "255", 255, 0, 65535, 0, 65535 },
		{ "6", 6, 0, 65535, 0, 65535 },
		{ "tcp", 6, 0, 65535, 0, 65535 },
		{ "icmp", 1, 0, 65535, 0, 65535 },
		{ "icmp 8", 1, 8, 8, 0, 65535 },
		{ "icmp 8,0", 1, 8, 8, 0, 65535 },
		{ "icmp 3,13", 1, 3, 3, 13, 13 },
		{ "icmp 0,5", 1, 0, 65535, 5, 5 },
		{ "icmp 255,255", 1, 255, 255, 255, 255 },
		{ "icmp6 135,0", 58, 135, 135, 0, 65535 },
		{ "ipv6-icmp 128", 58, 128, 128, 0, 65535 },
		{ "mobility-header 5", 135, 5, 5, 0, 65535 },
		{ "gre 1234", 47, 0, 65535, 1234, 1234 },
		{ "gre 0x10002", 47, 1, 1, 2, 2 },
		{ "gre 1.2.3.4", 47, 0x0102, 0x0102, 0x0304, 0x0304 },
		{ "47 4294967295", 47, 65535, 65535, 65535, 65535 },
		{ "ip4", 4, 0, 65535, 0, 65535 },
		{ "ipencap", 4, 0, 65535, 0, 65535 },
	};
	char text[256], want[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run r;
		const struct setkey_cmd *c;
		const struct selector *s;

		snprintf(text, sizeof(text),
		    "spdadd 10.0.0.0/8 10.1.0.0/16 %s -P out none;",
		    rows[i].spec);
		c = parse_one(&r, text);
		s = &c->pol.sel;
		ck_assert_msg(s->proto == rows[i].proto &&
			s->sport_lo == rows[i].slo &&
			s->sport_hi == rows[i].shi &&
			s->dport_lo == rows[i].dlo &&
			s->dport_hi == rows[i].dhi,
		    "%s: proto %u sport %u-%u dport %u-%u", rows[i].spec,
		    s->proto, s->sport_lo, s->sport_hi, s->dport_lo,
		    s->dport_hi);
		run_free(&r);
	}
	/* Every name of the table. */
	for (size_t i = 0; i < setkey_uppers.n; i++) {
		struct run r;
		const struct setkey_cmd *c;

		snprintf(text, sizeof(text),
		    "spdadd 10.0.0.0/8 10.1.0.0/16 %s -P out none;",
		    setkey_uppers.words[i].name);
		c = parse_one(&r, text);
		ck_assert_uint_eq(
		    c->pol.sel.proto, setkey_uppers.words[i].value);
		run_free(&r);
	}
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 256 -P out none;",
	    "unknown upper-layer protocol \"256\"; expected any, a number "
	    "from 0 to 255 or a name");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 tcpx -P out none;",
	    "unknown upper-layer protocol \"tcpx\"");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 icmp 256 -P out none;",
	    "bad type,code \"256\"; expected type[,code], each 0 to 255");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 icmp 8,256 -P out none;",
	    "bad type,code \"8,256\"");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 icmp 8,0,1 -P out none;",
	    "bad type,code \"8,0,1\"");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 icmp 8, -P out none;",
	    "bad type,code \"8,\"");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 gre 4294967296 -P out none;",
	    "bad gre key \"4294967296\"; expected a number or a.b.c.d");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 gre 1.2.3.256 -P out none;",
	    "bad gre key \"1.2.3.256\"");
	snprintf(want, sizeof(want),
	    "\"80\" after the upper-layer protocol is only for icmp, icmp6, "
	    "mobility-header (type,code) and gre (key)");
	assert_error("spdadd 0.0.0.0/0 0.0.0.0/0 tcp 80 -P out none;", want);
}
END_TEST

START_TEST(test_setkey_parse_buf_priority)
{
	static const struct {
		const char *prio;
		uint32_t value;
	} rows[] = {
		{ "", 0x80000000u },
		{ "prio def", 0x80000000u },
		{ "priority default", 0x80000000u },
		{ "prio 10", 0x80000000u - 10 },
		{ "priority -10", 0x80000000u + 10 },
		{ "prio 2147483648", 0 },
		{ "prio -2147483647", 0xffffffffu },
		{ "prio high", 0x40000000u },
		{ "prio high + 5", 0x40000000u - 5 },
		{ "prio high+5", 0x40000000u - 5 },
		{ "prio high - 5", 0x40000000u + 5 },
		{ "prio high + 1073741824", 0 },
		{ "prio low", 0xc0000000u },
		{ "prio low - 1073741823", 0xffffffffu },
		{ "prio low + 1073741824", 0x80000000u },
		{ "prio def - 1", 0x80000001u },
		{ "prio default+1", 0x7fffffffu },
	};
	static const struct {
		const char *prio, *want;
	} bad[] = {
		{ "prio 2147483649",
		    "bad priority offset \"2147483649\"; "
		    "expected a number from 0 to 2147483648" },
		{ "prio -2147483648",
		    "bad priority offset \"2147483648\"; "
		    "expected a number from 0 to 2147483647" },
		{ "prio high + 1073741825",
		    "expected a number from 0 to 1073741824" },
		{ "prio low - 1073741824",
		    "expected a number from 0 to 1073741823" },
		{ "prio medium",
		    "expected a priority (N, -N, or low, def or "
		    "high [+|- N]), got \"medium\"" },
		{ "prio",
		    "expected a priority (N, -N, or low, def or high "
		    "[+|- N]), got \"none\"" },
		{ "prio high +",
		    "expected a number (priority offset), got "
		    "\"none\"" },
	};
	char text[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run r;
		const struct setkey_cmd *c;

		snprintf(text, sizeof(text),
		    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out %s none;",
		    rows[i].prio);
		c = parse_one(&r, text);
		ck_assert_msg(c->pol.priority == rows[i].value,
		    "%s: 0x%x, want 0x%x", rows[i].prio, c->pol.priority,
		    rows[i].value);
		run_free(&r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
		    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out %s none;",
		    bad[i].prio);
		assert_error(text, bad[i].want);
	}
}
END_TEST

START_TEST(test_setkey_parse_buf_actions)
{
	static const struct {
		const char *policy;
		enum spd_dir dir;
		enum spd_action action;
	} rows[] = {
		{ "-P in none", SPD_DIR_IN, SPD_ACTION_NONE },
		{ "-P out discard", SPD_DIR_OUT, SPD_ACTION_DISCARD },
		{ "-P fwd ipsec esp/tunnel/192.0.2.1-192.0.2.2/require",
		    SPD_DIR_FWD, SPD_ACTION_IPSEC },
	};
	char text[256];
	struct run r;
	const struct setkey_cmd *c;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(text, sizeof(text),
		    "spdadd 10.0.0.0/8 10.1.0.0/16 any %s;", rows[i].policy);
		c = parse_one(&r, text);
		ck_assert_uint_eq(c->pol.dir, rows[i].dir);
		ck_assert_uint_eq(c->pol.action, rows[i].action);
		run_free(&r);
	}
	/* spddelete needs only the direction; spdupdate is spdadd's twin. */
	c = parse_one(&r, "spddelete 10.0.0.0/8 10.1.0.0/16 any -P fwd;");
	ck_assert_int_eq(c->op, SETKEY_SPDDELETE);
	ck_assert_uint_eq(c->pol.dir, SPD_DIR_FWD);
	ck_assert_uint_eq(c->pol.ntmpl, 0);
	run_free(&r);
	c = parse_one(
	    &r, "spdupdate 10.0.0.0/8 10.1.0.0/16 any -P in discard;");
	ck_assert_int_eq(c->op, SETKEY_SPDUPDATE);
	run_free(&r);
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out;",
	    "expected a policy discard, none or ipsec, got end of statement");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out none "
		     "esp/transport//require;",
	    "expected \";\" (only ipsec takes requests), got \"esp\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec;",
	    "ipsec needs at least one request, such as esp/transport//require");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out entrust;",
	    "policy \"entrust\" is not supported (Linux refuses it); expected "
	    "discard, ipsec or none");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out bypass;",
	    "policy \"bypass\" is not supported");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P both none;",
	    "expected a direction in, out or fwd after -P, got \"both\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any out none;",
	    "expected -P and a policy, got \"out\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -ctx 1 1 \"x\" "
		     "-P out none;",
	    "-ctx (an SELinux security context) is not supported");
}
END_TEST

START_TEST(test_setkey_parse_buf_requests)
{
	struct run r;
	const struct setkey_cmd *c;
	const struct spd_policy *p;
	struct addr a4 = A("192.0.2.1"), b4 = A("192.0.2.2");
	struct addr a6 = A("2001:db8::1"), b6 = A("2001:db8::2");

	c = parse_one(&r,
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec\n"
	    "\tipcomp/tunnel/2001:db8::1[4500]-2001:db8::2[4501]/use\n"
	    "\tesp/transport//unique:16383\n"
	    "\tah/beet/192.0.2.1-192.0.2.2/unique\n"
	    "\tesp/transport/192.0.2.1-192.0.2.2;");
	p = &c->pol;
	ck_assert_uint_eq(p->ntmpl, 4);
	ck_assert_uint_eq(p->tmpl[0].proto, IPPROTO_COMP);
	ck_assert_uint_eq(p->tmpl[0].mode, SA_MODE_TUNNEL);
	ck_assert_uint_eq(p->tmpl[0].level, KNOBS_LEVEL_USE);
	ck_assert(addr_eq(&p->tmpl[0].src, &a6));
	ck_assert(addr_eq(&p->tmpl[0].dst, &b6));
	ck_assert_uint_eq(c->tmpl_sport[0], 4500);
	ck_assert_uint_eq(c->tmpl_dport[0], 4501);
	ck_assert_uint_eq(p->tmpl[1].proto, IPPROTO_ESP);
	ck_assert_uint_eq(p->tmpl[1].mode, SA_MODE_TRANSPORT);
	ck_assert_uint_eq(p->tmpl[1].level, KNOBS_LEVEL_UNIQUE);
	ck_assert_uint_eq(p->tmpl[1].reqid, 16383);
	ck_assert_uint_eq(p->tmpl[1].src.family, 0);
	ck_assert_uint_eq(c->tmpl_sport[1], 0);
	ck_assert_uint_eq(p->tmpl[2].proto, IPPROTO_AH);
	ck_assert_uint_eq(p->tmpl[2].mode, SA_MODE_BEET);
	ck_assert_uint_eq(p->tmpl[2].level, KNOBS_LEVEL_UNIQUE);
	ck_assert_uint_eq(p->tmpl[2].reqid, 0);
	ck_assert(addr_eq(&p->tmpl[2].src, &a4));
	ck_assert(addr_eq(&p->tmpl[2].dst, &b4));
	ck_assert_uint_eq(p->tmpl[3].level, KNOBS_LEVEL_DEFAULT);
	ck_assert(addr_eq(&p->tmpl[3].src, &a4));
	run_free(&r);
	/* The short forms of libipsec's policy grammar. */
	c = parse_one(&r,
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
	    "esp/transport ah/transport/ esp/transport//;");
	ck_assert_uint_eq(c->pol.ntmpl, 3);
	ck_assert_uint_eq(c->pol.tmpl[1].proto, IPPROTO_AH);
	ck_assert_uint_eq(c->pol.tmpl[2].level, KNOBS_LEVEL_DEFAULT);
	run_free(&r);
	c = parse_one(&r,
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
	    "esp/transport//unique:1 esp/transport//require;");
	ck_assert_uint_eq(c->pol.tmpl[0].reqid, 1);
	ck_assert_uint_eq(c->pol.tmpl[1].level, KNOBS_LEVEL_REQUIRE);
	run_free(&r);
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/transport//require ah/transport//require "
		     "ipcomp/transport//use esp/transport//require "
		     "ah/transport//require;",
	    "more than 4 requests; ipsecd applies at most 4 transforms");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/tunnel//require;",
	    "tunnel requests need their endpoints: esp/tunnel/src-dst/level");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "ah/beet;",
	    "beet requests need their endpoints: ah/beet/src-dst/level");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/any//require;",
	    "bad request mode \"any\"; expected transport, tunnel or beet");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp//require;",
	    "expected a mode transport, tunnel or beet, got \"/\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp;",
	    "expected \"/\" after the request's protocol, got end of "
	    "statement");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/transport//unique:16384;",
	    "bad reqid in \"unique:16384\"; expected unique:N with N from 1 "
	    "to 16383");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/transport//unique:0;",
	    "bad reqid in \"unique:0\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/transport//require:3;",
	    "only unique takes a reqid (unique:N), got \"require:3\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/transport//always;",
	    "unknown level \"always\"; expected default, require, unique or "
	    "use");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/tunnel/192.0.2.1-2001:db8::2/require;",
	    "request addresses are not the same family (IPv4 and IPv6)");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/tunnel/192.0.2.1/require;",
	    "expected \"-\" between the request's addresses, got \"/\"");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/tunnel/192.0.2.1[any]-192.0.2.2/require;",
	    "bad port \"any\"; expected a number from 0 to 65535");
	assert_error("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		     "esp/tunnel/me-any/require;",
	    "me and any are for socket policies; expected the request's "
	    "addresses src-dst");
}
END_TEST

/* Statements, errors and recovery ------------------------------------- */

START_TEST(test_setkey_parse_buf_missing_semicolon)
{
	struct run r;

	run_text(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123456789abcdef\"\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
	    "esp/transport//require\n"
	    "flush\n"
	    "spdflush;\n"
	    "dump");
	ck_assert_str_eq(r.err,
	    "t.conf:2: missing \";\" before \"spdadd\"\n"
	    "t.conf:3: missing \";\" before \"flush\"\n"
	    "t.conf:4: missing \";\" before \"spdflush\"\n"
	    "t.conf:5: missing \";\" at the end of the "
	    "input\n");
	ck_assert_uint_eq(r.nerr, 4);
	/* The one that had its ";" went through. */
	ck_assert_uint_eq(r.l.ncmds, 1);
	ck_assert_int_eq(r.l.cmds[0].op, SETKEY_SPDFLUSH);
	ck_assert_uint_eq(r.l.cmds[0].line, 4);
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_unterminated_string)
{
	struct run r;

	run_text(&r,
	    "flush;\nadd 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123456789abcdef;\nspdflush;\n");
	ck_assert_str_eq(r.err, "t.conf:2: unterminated quoted string\n");
	ck_assert_uint_eq(r.l.ncmds, 1);
	run_free(&r);
	run_text(&r, "\"abc");
	ck_assert_str_eq(r.err, "t.conf:1: unterminated quoted string\n");
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_errors_on_several_lines)
{
	struct run r;

	run_text(&r,
	    "# header\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E 3des-cbc \"k\";\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1001\n"
	    "    -E aes-cbc \"0123456789abcdef\";\n"
	    "spdadd 10.0.0.1/8 10.1.0.0/16 any\n"
	    "    -P out ipsec esp/transport//require;\n"
	    "\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any\n"
	    "    -P out ipsec\n"
	    "    esp/tunnel//require;\n"
	    "add 192.0.2.1 192.0.2.300 esp 0x1002 -E aes-cbc \"short\";\n");
	ck_assert_str_eq(r.err,
	    "t.conf:2: encryption algorithm \"3des-cbc\" is not implemented; "
	    "supported: aes-gcm-8, aes-gcm-12, aes-gcm-16, aes-gmac, "
	    "chacha20-poly1305, aes-cbc, aes-ctr or null\n"
	    "t.conf:5: prefix 10.0.0.1/8 has host bits set; expected "
	    "10.0.0.0/8\n"
	    "t.conf:10: tunnel requests need their endpoints: "
	    "esp/tunnel/src-dst/level\n"
	    "t.conf:11: bad address \"192.0.2.300\"; expected a numeric IPv4 "
	    "or IPv6 address (names are not resolved)\n"
	    "t.conf:11: aes-cbc key is 5 bytes; expected 16, 24 or 32 bytes\n");
	ck_assert_uint_eq(r.nerr, 5);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_uint_eq(r.l.ncmds, 1);
	ck_assert_uint_eq(r.l.cmds[0].line, 3);
	ck_assert_uint_eq(r.l.cmds[0].sa.spi, 0x1001);
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_comments_and_lines)
{
	struct run r;

	run_text(&r,
	    "#!/sbin/setkey -f\n"
	    "# flush; \"not a string\n"
	    "flush; spdflush; # both on line 3; and a comment\n"
	    "\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any # selector\n"
	    "\t-P out # policy follows\n"
	    "\tipsec esp/transport//require # request\n"
	    "\t;dump\n"
	    "esp;\r\n"
	    "spddump;");
	ck_assert_msg(r.nerr == 0, "%s", r.err);
	ck_assert_uint_eq(r.l.ncmds, 5);
	ck_assert_uint_eq(r.l.cmds[0].line, 3);
	ck_assert_uint_eq(r.l.cmds[1].line, 3);
	ck_assert_int_eq(r.l.cmds[2].op, SETKEY_SPDADD);
	ck_assert_uint_eq(r.l.cmds[2].line, 5);
	ck_assert_int_eq(r.l.cmds[3].op, SETKEY_DUMP);
	ck_assert_uint_eq(r.l.cmds[3].line, 8);
	ck_assert_uint_eq(r.l.cmds[3].satype, IPPROTO_ESP);
	ck_assert_uint_eq(r.l.cmds[4].line, 10);
	run_free(&r);
}
END_TEST

START_TEST(test_setkey_parse_buf_empty)
{
	static const char *texts[] = { "", " \n\t\n", "# only a comment", ";",
		" ; ;\n;", "# a; b\n" };

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct run r;

		run_text(&r, texts[i]);
		ck_assert_int_eq(r.rc, 0);
		ck_assert_uint_eq(r.nerr, 0);
		ck_assert_uint_eq(r.l.ncmds, 0);
		run_free(&r);
	}
}
END_TEST

START_TEST(test_setkey_parse_buf_control_bytes)
{
	static const char text[] = "flush;\nspd\0flush;\nadd 192.0.2.1\001 "
				   "192.0.2.2 esp 0x1000 -E aes-cbc "
				   "\"0123456789abcdef\";\xff;spdflush;";
	struct run r;

	run_len(&r, text, sizeof(text) - 1);
	ck_assert_str_eq(r.err,
	    "t.conf:2: unknown command \"spd\"; expected add, delete, "
	    "deleteall, dump, flush, get, getspi, spdadd, spddelete, spddump, "
	    "spdflush, spdupdate or update\n"
	    "t.conf:3: expected an address, got byte 0x01\n"
	    "t.conf:3: unknown command byte 0xff; expected add, delete, "
	    "deleteall, dump, flush, get, getspi, spdadd, spddelete, spddump, "
	    "spdflush, spdupdate or update\n");
	ck_assert_uint_eq(r.l.ncmds, 2);
	ck_assert_int_eq(r.l.cmds[0].op, SETKEY_FLUSH);
	ck_assert_int_eq(r.l.cmds[1].op, SETKEY_SPDFLUSH);
	run_free(&r);
}
END_TEST

static int
stop_after_first(void *arg, const struct setkey_cmd *cmd)
{
	unsigned *n = arg;

	(void)cmd;
	return ++*n == 1 ? -1 : 0;
}

START_TEST(test_setkey_parse_buf_sink)
{
	struct setkey_sink stop = { stop_after_first, NULL, NULL, NULL };
	unsigned n = 0, nerr = 99;
	static const char text[] = "flush; spdflush; dump;";

	stop.cmd_arg = &n;
	ck_assert_int_eq(
	    setkey_parse_buf("s", text, strlen(text), &stop, &nerr), -1);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(nerr, 0);
	/* No sink at all: a syntax check that counts errors. */
	ck_assert_int_eq(
	    setkey_parse_buf("s", text, strlen(text), NULL, &nerr), 0);
	ck_assert_int_eq(
	    setkey_parse_buf(NULL, "fluch; dumb;", 12, NULL, &nerr), -1);
	ck_assert_uint_eq(nerr, 2);
	ck_assert_int_eq(setkey_parse_buf("s", "flush;", 6, NULL, NULL), 0);
}
END_TEST

/* Each keyword one character short is one error naming it. */
START_TEST(test_setkey_parse_buf_one_char_short)
{
	static const struct {
		const char *text, *token;
	} rows[] = {
		{ "ad 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"ad\"" },
		{ "add 192.0.2.1 192.0.2.2 es 0x1000 -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"es\"" },
		{ "add 192.0.2.1 192.0.2.2 esp-ud 0x1000 -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"esp-ud\"" },
		{ "add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunne -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"tunne\"" },
		{ "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cb "
		  "\"0123456789abcdef\";",
		    "\"aes-cb\"" },
		{ "add 192.0.2.1 192.0.2.2 ah 0x1000 -A hmac-sha "
		  "\"01234567890123456789\";",
		    "\"hmac-sha\"" },
		{ "add 192.0.2.1 192.0.2.2 esp 0x1000 -f zero-pa -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"zero-pa\"" },
		{ "add 192.0.2.1 192.0.2.2 esp 0x1000 -l 5 -E aes-cbc "
		  "\"0123456789abcdef\";",
		    "\"-l\"" },
		{ "add 192.0.2.1 192.0.2.2 ipcomp 0x1000 -C deflat;",
		    "\"deflat\"" },
		{ "flush ipcom;", "\"ipcom\"" },
		{ "spdflus;", "\"spdflus\"" },
		{ "spdad 10.0.0.0/8 10.1.0.0/16 any -P out none;",
		    "\"spdad\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 an -P out none;", "\"an\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 icmp -P ou none;", "\"ou\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out non;", "\"non\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out pri 5 none;",
		    "\"pri\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out prio hig none;",
		    "\"hig\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		  "es/transport//require;",
		    "\"es\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		  "esp/transpor//require;",
		    "\"transpor\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		  "esp/transport//requir;",
		    "\"requir\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		  "esp/transport//uniqu:5;",
		    "\"uniqu:5\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
		  "esp/tunnel/192.0.2.1-192.0.2./require;",
		    "\"192.0.2.\"" },
		{ "spdadd 10.0.0.0/8 10.1.0.0/1 any -P out none;",
		    "10.1.0.0/1" },
		{ "spdadd 10.0.0.0/8 10.1.0.0 tc -P out none;", "\"tc\"" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_error(rows[i].text, rows[i].token);
}
END_TEST

/* parse_file --------------------------------------------------------- */

static void
run_file(struct run *r, const char *text, size_t len)
{
	struct setkey_sink s = { setkey_list_push, &r->l, run_collect, r };
	FILE *fp = fmemopen((void *)text, len, "r");

	ck_assert_ptr_nonnull(fp);
	memset(r, 0, sizeof(*r));
	r->rc = setkey_parse_file("f.conf", fp, &s, &r->nerr);
	fclose(fp);
}

START_TEST(test_setkey_parse_file_same_as_buf)
{
	static const char text[] =
	    "flush;\n# c; \"q\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123;56789abcdef\";\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any\n  -P out ipsec\n"
	    "  esp/transport//require;\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E des-cbc \"k\";\n"
	    "dump";
	struct run f, b;
	const char *why;

	run_file(&f, text, sizeof(text) - 1);
	run_len(&b, text, sizeof(text) - 1);
	ck_assert_uint_eq(f.l.ncmds, 3);
	ck_assert_uint_eq(f.l.ncmds, b.l.ncmds);
	for (size_t i = 0; i < f.l.ncmds; i++) {
		ck_assert_uint_eq(f.l.cmds[i].line, b.l.cmds[i].line);
		ck_assert_msg(
		    cmd_eq(&f.l.cmds[i], &b.l.cmds[i], &why), "%s", why);
	}
	ck_assert_uint_eq(f.l.cmds[2].line, 4);
	ck_assert_uint_eq(f.nerr, 2);
	ck_assert_str_eq(f.err,
	    "f.conf:7: encryption algorithm \"des-cbc\" is not implemented; "
	    "supported: aes-gcm-8, aes-gcm-12, aes-gcm-16, aes-gmac, "
	    "chacha20-poly1305, aes-cbc, aes-ctr or null\n"
	    "f.conf:8: missing \";\" at the end of the input\n");
	run_free(&f);
	run_free(&b);
}
END_TEST

/* A statement of SETKEY_STMT_MAX bytes is read; one byte more is not. */
START_TEST(test_setkey_parse_file_statement_max)
{
	size_t len = SETKEY_STMT_MAX + 64;
	char *text = malloc(len);
	struct run r;

	ck_assert_ptr_nonnull(text);
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = 0, body = SETKEY_STMT_MAX + (size_t)extra;

		/* "flush" and blanks up to body bytes, then ";" */
		memset(text, ' ', body);
		memcpy(text, "\nflush", 6);
		n = body;
		memcpy(text + n, ";\nspdflush;", 11);
		n += 11;
		run_file(&r, text, n);
		if (extra == 0) {
			ck_assert_msg(r.nerr == 0, "%s", r.err);
			ck_assert_uint_eq(r.l.ncmds, 2);
			ck_assert_uint_eq(r.l.cmds[0].line, 2);
			ck_assert_uint_eq(r.l.cmds[1].line, 3);
		} else {
			ck_assert_str_eq(r.err,
			    "f.conf:1: statement longer "
			    "than 65536 bytes\n");
			ck_assert_uint_eq(r.l.ncmds, 1);
			ck_assert_uint_eq(r.l.cmds[0].line, 3);
		}
		run_free(&r);
	}
	free(text);
}
END_TEST

START_TEST(test_setkey_parse_file_read_error)
{
	FILE *fp = fopen("/dev/null", "w");
	struct run r;
	struct setkey_sink s = { setkey_list_push, &r.l, run_collect, &r };

	ck_assert_ptr_nonnull(fp);
	memset(&r, 0, sizeof(r));
	errno = 0;
	r.rc = setkey_parse_file("w.conf", fp, &s, &r.nerr);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_ne(errno, 0);
	ck_assert_uint_eq(r.nerr, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "w.conf:1: read error: "));
	fclose(fp);
	run_free(&r);
}
END_TEST

/* Lists, clearing, tables, tokens ------------------------------------- */

START_TEST(test_setkey_list_push_grows)
{
	struct setkey_list l = { 0 };
	struct setkey_cmd c;

	for (unsigned i = 0; i < 1000; i++) {
		memset(&c, 0, sizeof(c));
		c.op = SETKEY_ADD;
		c.line = i + 1;
		c.sa.spi = 0x1000 + i;
		memset(c.sa.key.enc_key, (int)(i & 0xff), ALG_KEY_MAX);
		ck_assert_int_eq(setkey_list_push(&l, &c), 0);
	}
	ck_assert_uint_eq(l.ncmds, 1000);
	ck_assert_uint_ge(l.cap, 1000);
	for (unsigned i = 0; i < 1000; i++) {
		ck_assert_uint_eq(l.cmds[i].line, i + 1);
		ck_assert_uint_eq(l.cmds[i].sa.spi, 0x1000 + i);
		ck_assert_uint_eq(
		    l.cmds[i].sa.key.enc_key[ALG_KEY_MAX - 1], i & 0xff);
	}
	setkey_list_free(&l);
	ck_assert_ptr_null(l.cmds);
	ck_assert_uint_eq(l.ncmds, 0);
	ck_assert_uint_eq(l.cap, 0);
	setkey_list_free(&l); /* twice is harmless */
}
END_TEST

START_TEST(test_setkey_cmd_clear_wipes)
{
	struct setkey_cmd c;
	static const struct setkey_cmd zero;

	memset(&c, 0xa5, sizeof(c));
	setkey_cmd_clear(&c);
	ck_assert_mem_eq(&c, &zero, sizeof(c));
}
END_TEST

START_TEST(test_setkey_word_lookup_tables_sorted)
{
	for (size_t t = 0; setkey_tables[t] != NULL; t++) {
		const struct setkey_table *tab = setkey_tables[t];

		ck_assert_uint_gt(tab->n, 0);
		for (size_t i = 0; i < tab->n; i++) {
			const char *w = tab->words[i].name;

			if (i > 0)
				ck_assert_msg(
				    strcmp(tab->words[i - 1].name, w) < 0,
				    "%s: \"%s\" before \"%s\"", tab->what,
				    tab->words[i - 1].name, w);
			ck_assert_ptr_eq(setkey_word_lookup(tab, w, strlen(w)),
			    &tab->words[i]);
			/* One character short or long is not the word. */
			ck_assert_ptr_ne(
			    setkey_word_lookup(tab, w, strlen(w) - 1),
			    &tab->words[i]);
		}
		ck_assert_ptr_null(setkey_word_lookup(tab, "zzzz", 4));
		ck_assert_ptr_null(setkey_word_lookup(tab, "", 0));
	}
}
END_TEST

START_TEST(test_setkey_word_choices_truncates)
{
	char big[256], small[10];

	ck_assert_str_eq(setkey_word_choices(&setkey_dirs, big, sizeof(big)),
	    "fwd, in or out");
	/* Unsupported words are left out. */
	ck_assert_str_eq(setkey_word_choices(&setkey_actions, big, sizeof(big)),
	    "discard, ipsec or none");
	ck_assert_str_eq(
	    setkey_word_choices(&setkey_actions, small, sizeof(small)),
	    "discard, ");
	ck_assert_str_eq(setkey_word_name(&setkey_uppers, 58), "icmp6");
	ck_assert_ptr_null(setkey_word_name(&setkey_dirs, 7));
}
END_TEST

START_TEST(test_setkey_tok_describe_cases)
{
	const char *text = "esp abcdefghijabcdefghijabcdefghijabcdefghijXYZ "
			   "0x0123456789abcdef0123 0x1234 \"secret\" [ "
			   "\x01";
	struct setkey_lex lx;
	struct setkey_tok t;
	char d[64];

	setkey_lex_init(&lx, text, strlen(text), 1);
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)), "\"esp\"");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)),
	    "\"abcdefghijabcdefghijabcdefghijabcdefghij...\"");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(
	    setkey_tok_describe(&t, d, sizeof(d)), "a hex string of 20 digits");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)), "\"0x1234\"");
	t = setkey_lex_next(&lx);
	ck_assert_int_eq(t.kind, SETKEY_TOK_STRING);
	ck_assert_str_eq(
	    setkey_tok_describe(&t, d, sizeof(d)), "a quoted string");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)), "\"[\"");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)), "byte 0x01");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(
	    setkey_tok_describe(&t, d, sizeof(d)), "end of statement");
	/* 40 characters are shown whole, 16 hex digits too; one more not. */
	text = "abcdefghijabcdefghijabcdefghijabcdefghij 0x0123456789abcdef "
	       "0x0123456789abcdef0";
	setkey_lex_init(&lx, text, strlen(text), 1);
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, sizeof(d)),
	    "\"abcdefghijabcdefghijabcdefghijabcdefghij\"");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(
	    setkey_tok_describe(&t, d, sizeof(d)), "\"0x0123456789abcdef\"");
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(
	    setkey_tok_describe(&t, d, sizeof(d)), "a hex string of 17 digits");
	/* A buffer too small for the word gets a placeholder. */
	setkey_lex_init(&lx, "abcdef", 6, 1);
	t = setkey_lex_next(&lx);
	ck_assert_str_eq(setkey_tok_describe(&t, d, 8), "a word");
}
END_TEST

START_TEST(test_setkey_lex_next_modes)
{
	static const char *text = "-P out prio def+5 esp/tunnel/1.2.3.4[4500]-"
				  "2001:db8::1/unique:3";
	static const char *cmd[] = { "-P", "out", "prio", "def", "+", "5",
		"esp", "/", "tunnel", "/", "1.2.3.4", "[", "4500", "]",
		"-2001:db8::1", "/", "unique:3" };
	static const char *pol[] = { "-", "P", "out", "prio", "def", "+", "5",
		"esp", "/", "tunnel", "/", "1.2.3.4", "[", "4500", "]", "-",
		"2001:db8::1", "/", "unique:3" };
	struct setkey_lex lx;

	for (int mode = 0; mode <= 1; mode++) {
		const char **want = mode == 0 ? cmd : pol;
		size_t n = mode == 0 ? sizeof(cmd) / sizeof(cmd[0])
				     : sizeof(pol) / sizeof(pol[0]);

		setkey_lex_init(&lx, text, strlen(text), 1);
		setkey_lex_set_policy(&lx, mode == 1);
		for (size_t i = 0; i < n; i++) {
			struct setkey_tok t = setkey_lex_next(&lx);
			char got[64];

			if (t.kind == SETKEY_TOK_CHAR) {
				got[0] = t.c;
				got[1] = '\0';
			} else {
				ck_assert(
				    setkey_tok_copy(&t, got, sizeof(got)));
			}
			ck_assert_str_eq(got, want[i]);
		}
		ck_assert_int_eq(setkey_lex_next(&lx).kind, SETKEY_TOK_END);
	}
	/* A peeked token is read again in the new mode. */
	setkey_lex_init(&lx, "a-b", 3, 1);
	ck_assert_uint_eq(setkey_lex_peek(&lx)->len, 3);
	setkey_lex_set_policy(&lx, true);
	ck_assert_uint_eq(setkey_lex_peek(&lx)->len, 1);
}
END_TEST

static Suite *
setkey_suite(void)
{
	Suite *s = suite_create("setkey");
	TCase *tc;

	tc = tcase_create("parse_buf_sa");
	tcase_add_test(tc, test_setkey_parse_buf_add_esp_cbc_hmac);
	tcase_add_test(tc, test_setkey_parse_buf_every_alg_key_size);
	tcase_add_test(tc, test_setkey_parse_buf_setkey_alg_names);
	tcase_add_test(tc, test_setkey_parse_buf_alg_unimplemented);
	tcase_add_test(tc, test_setkey_parse_buf_alg_unknown_or_misplaced);
	tcase_add_test(tc, test_setkey_parse_buf_keys_string_and_hex);
	tcase_add_test(tc, test_setkey_parse_buf_keys_bad_hex);
	tcase_add_test(tc, test_setkey_parse_buf_keys_too_long);
	tcase_add_test(tc, test_setkey_parse_buf_extensions);
	tcase_add_test(tc, test_setkey_parse_buf_esp_udp);
	tcase_add_test(tc, test_setkey_parse_buf_ipcomp);
	tcase_add_test(tc, test_setkey_parse_buf_spi_limits);
	tcase_add_test(tc, test_setkey_parse_buf_sa_commands);
	tcase_add_test(tc, test_setkey_parse_buf_flush_dump);
	tcase_add_test(tc, test_setkey_parse_buf_family_flags);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse_buf_spd");
	tcase_add_test(tc, test_setkey_parse_buf_spd_ranges);
	tcase_add_test(tc, test_setkey_parse_buf_upperspec);
	tcase_add_test(tc, test_setkey_parse_buf_priority);
	tcase_add_test(tc, test_setkey_parse_buf_actions);
	tcase_add_test(tc, test_setkey_parse_buf_requests);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse_buf_errors");
	tcase_add_test(tc, test_setkey_parse_buf_missing_semicolon);
	tcase_add_test(tc, test_setkey_parse_buf_unterminated_string);
	tcase_add_test(tc, test_setkey_parse_buf_errors_on_several_lines);
	tcase_add_test(tc, test_setkey_parse_buf_comments_and_lines);
	tcase_add_test(tc, test_setkey_parse_buf_empty);
	tcase_add_test(tc, test_setkey_parse_buf_control_bytes);
	tcase_add_test(tc, test_setkey_parse_buf_sink);
	tcase_add_test(tc, test_setkey_parse_buf_one_char_short);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse_file");
	tcase_add_test(tc, test_setkey_parse_file_same_as_buf);
	tcase_add_test(tc, test_setkey_parse_file_statement_max);
	tcase_add_test(tc, test_setkey_parse_file_read_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("list");
	tcase_add_test(tc, test_setkey_list_push_grows);
	tcase_add_test(tc, test_setkey_cmd_clear_wipes);
	suite_add_tcase(s, tc);
	tc = tcase_create("words");
	tcase_add_test(tc, test_setkey_word_lookup_tables_sorted);
	tcase_add_test(tc, test_setkey_word_choices_truncates);
	suite_add_tcase(s, tc);
	tc = tcase_create("lex");
	tcase_add_test(tc, test_setkey_tok_describe_cases);
	tcase_add_test(tc, test_setkey_lex_next_modes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(setkey_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
