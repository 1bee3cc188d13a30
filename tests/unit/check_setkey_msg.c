/*
 * Unit tests for src/pfkey/setkey_msg.c: setkey commands as PF_KEY
 * messages.  setkey's ADD and SPDADD byte for byte (the same hand-checked
 * bytes as check_pfkey_build.c's, laid out as ipsec-tools' libipsec
 * writes them); every command of the example files (tests/setkey/good/)
 * and every command form converts, parses back as a key manager's
 * message, and converts (pfkey_conv_*) to the structs it came from.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>

#include "common/secret.h"
#include "hex.h"
#include "ipsec/sad.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_ext.h"
#include "pfkey/setkey_msg.h"

#ifndef SETKEY_TESTDIR
#error "SETKEY_TESTDIR (tests/setkey in the source tree) is not defined"
#endif

static uint8_t B[8192];

/* The commands of one parse, kept for the test. */
static struct setkey_list L;

static void
parse(const char *text)
{
	struct setkey_sink sink = { setkey_list_push, &L, NULL, NULL };
	unsigned nerr = 0;

	setkey_list_free(&L);
	ck_assert_int_eq(
	    setkey_parse_buf("t", text, strlen(text), &sink, &nerr), 0);
	ck_assert_uint_eq(nerr, 0);
}

static size_t
build(const struct setkey_cmd *cmd, unsigned replay)
{
	struct setkey_msg_opts o = { 1, 0x1234, replay };
	struct pfkey_wr w;

	pfkey_wr_init(&w, B, sizeof(B));
	return setkey_msg_build(&w, cmd, &o);
}

static void
teardown(void)
{
	setkey_list_free(&L);
	secret_wipe(B, sizeof(B));
}

/* Same bytes as check_pfkey_build.c's setkey_add (libipsec x1). */
static const char setkey_add[] =
    "02 03 00 03 1c 00 00 00  01 00 00 00 34 12 00 00"
    "02 00 01 00 00 00 10 00  20 00 05 0c 00 00 00 00"
    "02 00 13 00 02 00 00 00  00 00 00 00 05 00 00 00"
    "03 00 05 00 ff 20 00 00  02 00 00 00 c0 00 02 01"
    "00 00 00 00 00 00 00 00"
    "03 00 06 00 ff 20 00 00  02 00 00 00 c0 00 02 02"
    "00 00 00 00 00 00 00 00"
    "03 00 09 00 80 00 00 00  00 11 22 33 44 55 66 77"
    "88 99 aa bb cc dd ee ff"
    "05 00 08 00 00 01 00 00  00 01 02 03 04 05 06 07"
    "08 09 0a 0b 0c 0d 0e 0f  10 11 12 13 14 15 16 17"
    "18 19 1a 1b 1c 1d 1e 1f"
    "04 00 03 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "04 00 04 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00";

/* Same bytes as check_pfkey_build.c's setkey_spdadd (libipsec x4). */
static const char setkey_spdadd[] =
    "02 0e 00 00 14 00 00 00  01 00 00 00 34 12 00 00"
    "03 00 05 00 ff 10 00 00  02 00 00 00 0a 01 00 00"
    "00 00 00 00 00 00 00 00"
    "03 00 06 00 ff 10 00 00  02 00 00 00 0a 02 00 00"
    "00 00 00 00 00 00 00 00"
    "04 00 03 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
    "08 00 12 00 02 00 02 00  00 00 00 00 00 00 00 80"
    "30 00 32 00 02 02 00 00  00 00 00 00 00 00 00 00"
    "02 00 00 00 c0 00 02 01  00 00 00 00 00 00 00 00"
    "02 00 00 00 c0 00 02 02  00 00 00 00 00 00 00 00";

static void
assert_bytes(size_t n, const char *hex)
{
	static uint8_t want[512];
	size_t wn = unhex(hex, want, sizeof(want));

	ck_assert_uint_eq(n, wn);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(B[i] == want[i], "byte %zu: %02x, expected %02x",
		    i, B[i], want[i]);
}

START_TEST(test_setkey_msg_build_setkey_add_bytes)
{
	parse("add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -u 5 -r 32 "
	      "-E aes-cbc 0x00112233445566778899aabbccddeeff "
	      "-A hmac-sha256 "
	      "0x000102030405060708090a0b0c0d0e0f"
	      "101112131415161718191a1b1c1d1e1f;");
	ck_assert_uint_eq(L.ncmds, 1);
	assert_bytes(build(&L.cmds[0], 0), setkey_add);
}
END_TEST

START_TEST(test_setkey_msg_build_setkey_spdadd_bytes)
{
	parse("spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec "
	      "esp/tunnel/192.0.2.1-192.0.2.2/require;");
	ck_assert_uint_eq(L.ncmds, 1);
	assert_bytes(build(&L.cmds[0], 0), setkey_spdadd);
}
END_TEST

/* --- round trips --- */

static uint16_t
one_port(uint16_t lo, uint16_t hi)
{
	return lo == hi ? lo : 0;
}

static uint8_t
ulproto(uint8_t p)
{
	return p == 0 ? SELECTOR_PROTO_ANY : p;
}

static void
check_sa(
    const struct setkey_cmd *cmd, const struct pfkey_msg *m, unsigned replay)
{
	const struct sa *want = &cmd->sa;
	struct pfkey_err err;
	struct sa got;
	unsigned r = want->replay_window;

	ck_assert_msg(
	    pfkey_conv_sa(m, &got, &err), "line %u: %s", cmd->line, err.why);
	if (r == 0 && want->proto != IPPROTO_COMP)
		r = replay > 255 ? 255 : replay;
	ck_assert_uint_eq(got.spi, want->spi);
	ck_assert_uint_eq(got.proto, want->proto);
	/* Mode "any" is taken as transport (af_key). */
	ck_assert_uint_eq(got.mode,
	    want->mode == SA_MODE_ANY ? SA_MODE_TRANSPORT : want->mode);
	ck_assert_uint_eq(got.reqid, want->reqid);
	ck_assert(addr_eq(&got.src, &want->src));
	ck_assert(addr_eq(&got.dst, &want->dst));
	ck_assert_uint_eq(got.flags, want->flags);
	ck_assert_uint_eq(got.calg, want->calg);
	ck_assert_uint_eq(got.replay_window, r);
	ck_assert_uint_eq(got.encap_sport, want->encap_sport);
	ck_assert_uint_eq(got.encap_dport, want->encap_dport);
	ck_assert_ptr_eq(got.key.enc, want->key.enc);
	ck_assert_ptr_eq(got.key.auth, want->key.auth);
	ck_assert_uint_eq(got.key.enc_len, want->key.enc_len);
	ck_assert_uint_eq(got.key.auth_len, want->key.auth_len);
	ck_assert_mem_eq(got.key.enc_key, want->key.enc_key, want->key.enc_len);
	ck_assert_mem_eq(
	    got.key.auth_key, want->key.auth_key, want->key.auth_len);
	ck_assert_mem_eq(&got.soft, &want->soft, sizeof(got.soft));
	ck_assert_mem_eq(&got.hard, &want->hard, sizeof(got.hard));
	if (cmd->natt_oa.family != 0) {
		struct pfkey_address oa;
		size_t len;
		const uint8_t *p = pfkey_msg_ext(m, SADB_X_EXT_NAT_T_OA, &len);

		ck_assert_ptr_nonnull(p);
		ck_assert(pfkey_ext_address(p, len, &oa, &err));
		ck_assert(addr_eq(&oa.addr, &cmd->natt_oa));
		ck_assert_uint_eq(oa.prefixlen, addr_len(&oa.addr) * 8);
	}
	cipher_key_clear(&got.key);
}

static void
check_getspi(const struct setkey_cmd *cmd, const struct pfkey_msg *m)
{
	struct pfkey_getspi g;
	struct pfkey_err err;

	ck_assert_msg(pfkey_conv_getspi(m, &g, &err), "%s", err.why);
	ck_assert_uint_eq(g.req.proto, cmd->sa.proto);
	ck_assert(addr_eq(&g.req.dst, &cmd->sa.dst));
	ck_assert(addr_eq(&g.src, &cmd->sa.src));
	ck_assert_uint_eq(g.mode,
	    cmd->sa.mode == SA_MODE_ANY ? SA_MODE_TRANSPORT : cmd->sa.mode);
	ck_assert_uint_eq(g.reqid, cmd->sa.reqid);
	if (cmd->sa.spi != 0) {
		ck_assert_uint_eq(g.req.min, cmd->sa.spi);
		ck_assert_uint_eq(g.req.max, cmd->sa.spi);
	} else {
		ck_assert(!pfkey_msg_has(m, SADB_EXT_SPIRANGE));
	}
}

static void
check_sa_id(const struct setkey_cmd *cmd, const struct pfkey_msg *m)
{
	struct pfkey_sa_id id;
	struct pfkey_err err;

	ck_assert_msg(pfkey_conv_sa_id(m, &id, &err), "%s", err.why);
	ck_assert_uint_eq(id.spi, cmd->sa.spi);
	ck_assert_uint_eq(id.proto, cmd->sa.proto);
	ck_assert(addr_eq(&id.src, &cmd->sa.src));
	ck_assert(addr_eq(&id.dst, &cmd->sa.dst));
}

static void
check_tmpl(const struct spd_tmpl *got, const struct spd_tmpl *want)
{
	ck_assert_uint_eq(got->proto, want->proto);
	ck_assert_uint_eq(got->mode, want->mode);
	ck_assert_uint_eq(got->level, want->level);
	/* pfkey_conv keeps reqids of "unique" only (af_key). */
	ck_assert_uint_eq(
	    got->reqid, want->level == KNOBS_LEVEL_UNIQUE ? want->reqid : 0);
	/* And endpoints of tunnel mode only (af_key parse_ipsecrequest). */
	if (want->mode == SA_MODE_TUNNEL) {
		ck_assert(addr_eq(&got->src, &want->src));
		ck_assert(addr_eq(&got->dst, &want->dst));
	}
}

static void
check_policy(const struct setkey_cmd *cmd, const struct pfkey_msg *m)
{
	const struct spd_policy *want = &cmd->pol;
	const struct selector *ws = &want->sel;
	struct pfkey_err err;
	struct spd_policy got;

	ck_assert_msg(pfkey_conv_policy(m, &got, &err), "line %u: %s",
	    cmd->line, err.why);
	ck_assert_uint_eq(got.dir, want->dir);
	ck_assert_uint_eq(got.priority, want->priority);
	ck_assert_mem_eq(&got.sel.src, &ws->src, sizeof(ws->src));
	ck_assert_mem_eq(&got.sel.dst, &ws->dst, sizeof(ws->dst));
	ck_assert_uint_eq(ulproto(got.sel.proto), ulproto(ws->proto));
	ck_assert_uint_eq(one_port(got.sel.sport_lo, got.sel.sport_hi),
	    one_port(ws->sport_lo, ws->sport_hi));
	ck_assert_uint_eq(one_port(got.sel.dport_lo, got.sel.dport_hi),
	    one_port(ws->dport_lo, ws->dport_hi));
	if (cmd->op == SETKEY_SPDDELETE)
		return;
	/* Linux installs ipsec without requests as none (none here). */
	ck_assert_uint_eq(got.action, want->action);
	ck_assert_uint_eq(got.ntmpl, want->ntmpl);
	for (unsigned i = 0; i < want->ntmpl; i++)
		check_tmpl(&got.tmpl[i], &want->tmpl[i]);
}

/* Build cmd, parse it as a key manager's message, convert, compare. */
static void
round_trip(const struct setkey_cmd *cmd, unsigned replay)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	size_t n = build(cmd, replay);

	ck_assert_msg(n != 0, "line %u: not built", cmd->line);
	ck_assert_msg(pfkey_msg_parse(&m, B, n, PFKEY_ORIGIN_USER, &err),
	    "line %u: %s", cmd->line, err.why);
	ck_assert_uint_eq(m.hdr.type, setkey_msg_type(cmd->op));
	ck_assert_uint_eq(m.hdr.seq, 1);
	ck_assert_uint_eq(m.hdr.pid, 0x1234);
	switch (cmd->op) {
	case SETKEY_ADD:
	case SETKEY_UPDATE:
		check_sa(cmd, &m, replay);
		break;
	case SETKEY_GETSPI:
		check_getspi(cmd, &m);
		break;
	case SETKEY_GET:
	case SETKEY_DELETE:
		check_sa_id(cmd, &m);
		break;
	case SETKEY_DELETEALL:
		ck_assert_uint_eq(
		    m.hdr.satype, pfkey_proto_satype(cmd->sa.proto));
		ck_assert_uint_eq(n, PFKEY_HDR_LEN);
		break;
	case SETKEY_FLUSH:
	case SETKEY_DUMP:
		ck_assert_uint_eq(
		    m.hdr.satype, pfkey_proto_satype(cmd->satype));
		ck_assert_uint_eq(n, PFKEY_HDR_LEN);
		break;
	case SETKEY_SPDADD:
	case SETKEY_SPDUPDATE:
	case SETKEY_SPDDELETE:
		check_policy(cmd, &m);
		break;
	case SETKEY_SPDFLUSH:
	case SETKEY_SPDDUMP:
		ck_assert_uint_eq(m.hdr.satype, 0);
		ck_assert_uint_eq(n, PFKEY_HDR_LEN);
		break;
	}
}

static unsigned seen_ops;

static int
on_cmd(void *arg, const struct setkey_cmd *cmd)
{
	(void)arg;
	seen_ops |= 1u << cmd->op;
	round_trip(cmd, 0);
	round_trip(cmd, 64);
	return 0;
}

static void
on_error(void *arg, const char *msg)
{
	(void)arg;
	ck_abort_msg("parse error: %s", msg);
}

START_TEST(test_setkey_msg_build_files_round_trip)
{
	struct setkey_sink sink = { on_cmd, NULL, on_error, NULL };
	const char *dir = SETKEY_TESTDIR "/good";
	struct dirent *de;
	unsigned files = 0, nerr;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	seen_ops = 0;
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		size_t len = strlen(de->d_name);
		FILE *fp;

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		nerr = 0;
		ck_assert_int_eq(
		    setkey_parse_file(de->d_name, fp, &sink, &nerr), 0);
		fclose(fp);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 6);
	/* Every command of the language appears in the files. */
	ck_assert_uint_eq(seen_ops, (1u << (SETKEY_SPDDUMP + 1)) - 1);
}
END_TEST

/* The forms the files do not write: IPv6 SAs with NAT-T, getspi ports. */
START_TEST(test_setkey_msg_build_every_form)
{
	parse("add -6 2001:db8::1[4500] 2001:db8::2[4501] esp-udp "
	      "2001:db8::9 0x2001 -m tunnel -u 3 -lh 100 -ls 90 "
	      "-E aes-gcm-16 \"0123456789abcdefSALT\";"
	      "update 192.0.2.1 192.0.2.2 ah 0x2002 -A hmac-sha256 "
	      "\"0123456789abcdef0123456789abcdef\";"
	      "getspi 192.0.2.1[4500] 192.0.2.2[4500] esp-udp 0 -m tunnel;"
	      "getspi 192.0.2.1 192.0.2.2 ipcomp 0x300;"
	      "get 2001:db8::1 2001:db8::2 esp 0x2001;"
	      "deleteall 192.0.2.1 192.0.2.2 esp-udp;"
	      "spdadd -6 2001:db8::/64[443] 2001:db8:1::/64[any] tcp "
	      "-P in prio low ipsec "
	      "esp/tunnel/2001:db8::1[4500]-2001:db8::2[4500]/require;"
	      "spddelete 10.0.0.0/8 10.1.0.0/16 any -P fwd;");
	ck_assert_uint_eq(L.ncmds, 8);
	for (size_t i = 0; i < L.ncmds; i++) {
		round_trip(&L.cmds[i], 0);
		round_trip(&L.cmds[i], 300);
	}
}
END_TEST

/* An endpoint port written on a request goes into its sockaddr. */
START_TEST(test_setkey_msg_build_request_ports)
{
	struct pfkey_policy pol;
	struct pfkey_msg m;
	struct pfkey_err err;
	const uint8_t *p;
	size_t n, len;
	uint16_t port;

	parse("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
	      "esp/tunnel/192.0.2.1[4500]-192.0.2.2[30000]/require;");
	n = build(&L.cmds[0], 0);
	ck_assert(pfkey_msg_parse(&m, B, n, PFKEY_ORIGIN_USER, &err));
	p = pfkey_msg_ext(&m, SADB_X_EXT_POLICY, &len);
	ck_assert(pfkey_ext_policy(p, len, &pol, &err));
	ck_assert_uint_eq(pol.nreq, 1);
	/* sadb_x_policy (16), sadb_x_ipsecrequest (16), sin_family (2). */
	memcpy(&port, p + 16 + 16 + 2, 2);
	ck_assert_uint_eq(ntohs(port), 4500);
	memcpy(&port, p + 16 + 16 + 16 + 2, 2);
	ck_assert_uint_eq(ntohs(port), 30000);
}
END_TEST

/* ipsecd.conf's replay-window: only for ESP and AH without -r. */
START_TEST(test_setkey_msg_build_replay_default)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	struct sadb_sa sa;
	const uint8_t *p;
	size_t n, len;
	static const struct {
		size_t cmd;
		unsigned dflt, want;
	} rows[] = {
		{ 0, 64, 64 },	  /* none given: the default */
		{ 0, 0, 0 },	  /* no default */
		{ 0, 4096, 255 }, /* one byte on the wire */
		{ 1, 64, 16 },	  /* -r 16 stays */
		{ 2, 64, 0 },	  /* ipcomp has no window */
		{ 3, 128, 128 },  /* ah */
	};

	parse("add 192.0.2.1 192.0.2.2 esp 0x300 -E aes-gcm-16 "
	      "\"0123456789abcdefSALT\";"
	      "add 192.0.2.1 192.0.2.2 esp 0x301 -r 16 -E aes-gcm-16 "
	      "\"0123456789abcdefSALT\";"
	      "add 192.0.2.1 192.0.2.2 ipcomp 0x302 -C deflate;"
	      "add 192.0.2.1 192.0.2.2 ah 0x303 -A hmac-sha1 "
	      "\"01234567890123456789\";");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = build(&L.cmds[rows[i].cmd], rows[i].dflt);
		ck_assert(pfkey_msg_parse(&m, B, n, PFKEY_ORIGIN_USER, &err));
		p = pfkey_msg_ext(&m, SADB_EXT_SA, &len);
		ck_assert(pfkey_ext_copy(p, len, &sa, sizeof(sa)));
		ck_assert_msg(sa.sadb_sa_replay == rows[i].want,
		    "row %zu: replay %u, expected %u", i, sa.sadb_sa_replay,
		    rows[i].want);
	}
}
END_TEST

/* KAME's -f and -R flags, in KAME's sadb_sa_flags bits. */
START_TEST(test_setkey_msg_build_kame_flags)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	struct sadb_sa sa;
	const uint8_t *p;
	size_t n, len;
	static const uint32_t want[] = { SETKEY_MSG_KAME_PZERO,
		SETKEY_MSG_KAME_PRAND, 0, SETKEY_MSG_KAME_RAWCPI };

	parse("add 192.0.2.1 192.0.2.2 esp 0x300 -f zero-pad -E aes-cbc "
	      "\"0123456789abcdef\";"
	      "add 192.0.2.1 192.0.2.2 esp 0x301 -f random-pad -E aes-cbc "
	      "\"0123456789abcdef\";"
	      "add 192.0.2.1 192.0.2.2 esp 0x302 -f seq-pad -f nocyclic-seq "
	      "-E aes-cbc \"0123456789abcdef\";"
	      "add 192.0.2.1 192.0.2.2 ipcomp 0x303 -C deflate -R;");
	for (size_t i = 0; i < L.ncmds; i++) {
		n = build(&L.cmds[i], 0);
		ck_assert(pfkey_msg_parse(&m, B, n, PFKEY_ORIGIN_USER, &err));
		p = pfkey_msg_ext(&m, SADB_EXT_SA, &len);
		ck_assert(pfkey_ext_copy(p, len, &sa, sizeof(sa)));
		ck_assert_uint_eq(sa.sadb_sa_flags, want[i]);
	}
}
END_TEST

/* A writer one byte short of each message gets nothing. */
START_TEST(test_setkey_msg_build_one_short)
{
	struct setkey_msg_opts o = { 1, 2, 0 };
	struct pfkey_wr w;
	size_t n;

	parse("add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
	      "\"0123456789abcdefSALT\";"
	      "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec "
	      "esp/tunnel/192.0.2.1-192.0.2.2/require;"
	      "flush;");
	for (size_t i = 0; i < L.ncmds; i++) {
		n = build(&L.cmds[i], 0);
		ck_assert_uint_gt(n, 0);
		pfkey_wr_init(&w, B, n);
		ck_assert_uint_eq(setkey_msg_build(&w, &L.cmds[i], &o), n);
		pfkey_wr_init(&w, B, n - 1);
		ck_assert_uint_eq(setkey_msg_build(&w, &L.cmds[i], &o), 0);
		ck_assert(w.has_failed);
	}
}
END_TEST

START_TEST(test_setkey_msg_type_each_op)
{
	static const uint8_t want[] = {
		[SETKEY_ADD] = SADB_ADD,
		[SETKEY_UPDATE] = SADB_UPDATE,
		[SETKEY_GETSPI] = SADB_GETSPI,
		[SETKEY_GET] = SADB_GET,
		[SETKEY_DELETE] = SADB_DELETE,
		[SETKEY_DELETEALL] = SADB_DUMP,
		[SETKEY_FLUSH] = SADB_FLUSH,
		[SETKEY_DUMP] = SADB_DUMP,
		[SETKEY_SPDADD] = SADB_X_SPDADD,
		[SETKEY_SPDUPDATE] = SADB_X_SPDUPDATE,
		[SETKEY_SPDDELETE] = SADB_X_SPDDELETE,
		[SETKEY_SPDFLUSH] = SADB_X_SPDFLUSH,
		[SETKEY_SPDDUMP] = SADB_X_SPDDUMP,
	};

	for (int op = SETKEY_ADD; op <= SETKEY_SPDDUMP; op++)
		ck_assert_uint_eq(
		    setkey_msg_type((enum setkey_op)op), want[op]);
	ck_assert_uint_eq(setkey_msg_satype(IPPROTO_ESP), SADB_SATYPE_ESP);
	ck_assert_uint_eq(setkey_msg_satype(0), SADB_SATYPE_UNSPEC);
}
END_TEST

/* A DUMP reply about e, as the server composes it. */
static size_t
dump_reply(struct sad_entry *e, uint8_t *buf, size_t cap)
{
	struct pfkey_hdr h = { 0, SADB_DUMP, 0, 0, 0, 0, 0, 9 };
	struct pfkey_wr w;

	h.satype = pfkey_proto_satype(e->sa.proto);
	pfkey_wr_init(&w, buf, cap);
	return pfkey_compose_sa(&w, &h, e, 0);
}

START_TEST(test_setkey_msg_deleteall_match_addresses)
{
	static uint8_t buf[1024];
	struct sad_entry e;
	struct pfkey_msg m;
	struct pfkey_err err;
	uint32_t spi = 0;
	size_t n;
	static const struct {
		const char *src, *dst;
		uint8_t proto;
		bool is_udp, want;
	} rows[] = {
		{ "192.0.2.1", "192.0.2.2", IPPROTO_ESP, false, true },
		{ "192.0.2.1", "192.0.2.2", IPPROTO_ESP, true, true },
		{ "192.0.2.2", "192.0.2.1", IPPROTO_ESP, false, false },
		{ "192.0.2.1", "192.0.2.3", IPPROTO_ESP, false, false },
		{ "192.0.2.1", "192.0.2.2", IPPROTO_AH, false, false },
	};

	parse("deleteall 192.0.2.1 192.0.2.2 esp;"
	      "deleteall 192.0.2.1 192.0.2.2 esp-udp;");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.sa.spi = 0x1000 + (uint32_t)i;
		e.sa.proto = rows[i].proto;
		ck_assert(addr_parse(&e.sa.src, rows[i].src));
		ck_assert(addr_parse(&e.sa.dst, rows[i].dst));
		if (rows[i].is_udp) {
			e.sa.flags = SA_F_UDP_ENCAP;
			e.sa.encap_sport = e.sa.encap_dport = 4500;
		}
		n = dump_reply(&e, buf, sizeof(buf));
		ck_assert(
		    pfkey_msg_parse(&m, buf, n, PFKEY_ORIGIN_KERNEL, &err));
		ck_assert_msg(setkey_msg_deleteall_match(
				  &L.cmds[0], &m, &spi) == rows[i].want,
		    "row %zu", i);
		if (rows[i].want)
			ck_assert_uint_eq(spi, e.sa.spi);
		/* esp-udp: only SAs with UDP encapsulation. */
		ck_assert_msg(setkey_msg_deleteall_match(&L.cmds[1], &m,
				  &spi) == (rows[i].want && rows[i].is_udp),
		    "row %zu (esp-udp)", i);
	}
}
END_TEST

START_TEST(test_setkey_msg_delete_spi_message)
{
	struct setkey_msg_opts o = { 5, 6, 0 };
	struct pfkey_sa_id id;
	struct pfkey_wr w;
	struct pfkey_msg m;
	struct pfkey_err err;
	size_t n;

	parse("deleteall 2001:db8::1 2001:db8::2 ah;");
	pfkey_wr_init(&w, B, sizeof(B));
	n = setkey_msg_delete_spi(&w, &L.cmds[0], 0x4242, &o);
	ck_assert(pfkey_msg_parse(&m, B, n, PFKEY_ORIGIN_USER, &err));
	ck_assert_uint_eq(m.hdr.type, SADB_DELETE);
	ck_assert_uint_eq(m.hdr.satype, SADB_SATYPE_AH);
	ck_assert_uint_eq(m.hdr.seq, 5);
	ck_assert(pfkey_conv_sa_id(&m, &id, &err));
	ck_assert_uint_eq(id.spi, 0x4242);
	ck_assert(addr_eq(&id.src, &L.cmds[0].sa.src));
	pfkey_wr_init(&w, B, n - 1);
	ck_assert_uint_eq(setkey_msg_delete_spi(&w, &L.cmds[0], 1, &o), 0);
}
END_TEST

static Suite *
setkey_msg_suite(void)
{
	Suite *s = suite_create("setkey_msg");
	TCase *tc;

	tc = tcase_create("setkey_msg_build");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_setkey_msg_build_setkey_add_bytes);
	tcase_add_test(tc, test_setkey_msg_build_setkey_spdadd_bytes);
	tcase_add_test(tc, test_setkey_msg_build_files_round_trip);
	tcase_add_test(tc, test_setkey_msg_build_every_form);
	tcase_add_test(tc, test_setkey_msg_build_request_ports);
	tcase_add_test(tc, test_setkey_msg_build_replay_default);
	tcase_add_test(tc, test_setkey_msg_build_kame_flags);
	tcase_add_test(tc, test_setkey_msg_build_one_short);
	suite_add_tcase(s, tc);

	tc = tcase_create("setkey_msg_type");
	tcase_add_test(tc, test_setkey_msg_type_each_op);
	suite_add_tcase(s, tc);

	tc = tcase_create("setkey_msg_deleteall_match");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_setkey_msg_deleteall_match_addresses);
	suite_add_tcase(s, tc);

	tc = tcase_create("setkey_msg_delete_spi");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_setkey_msg_delete_spi_message);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(setkey_msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
