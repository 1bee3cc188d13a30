/*
 * Unit tests for the setkey(8) printers (src/pfkey/setkey_fmt.c).  The
 * -D and -DP expectations reproduce real Linux `setkey -D` / `setkey -DP`
 * output published with a manual-keying guide ("使用ipsec加密Linux主机间
 * 通信", USTC, 2017: transport-mode ESP and AH between 202.141.176.2 and
 * .3), with aes-cbc in place of its 3des-cbc (the same 24-byte key) and
 * times in UTC.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_setkey.h"
#include "crypto/alg.h"
#include "ipsec/knobs.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_fmt.h"

#define T_CREATED 1511244917 /* Nov 21 06:15:17 2017 UTC */
#define T_NOW 1511248030     /* Nov 21 07:07:10 2017 */
#define T_USED 1511244934    /* Nov 21 06:15:34 2017 */

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert_msg(addr_parse(&a, s), "bad address %s", s);
	return a;
}

static struct prefix
P(const char *s) {
	struct prefix p;

	ck_assert_msg(prefix_parse(&p, s), "bad prefix %s", s);
	return p;
}

/* Format into a buffer with fn and compare with want. */
#define ASSERT_OUT(want, call)                                                 \
	do {                                                                   \
		static char buf_[8192];                                        \
		struct setkey_out o_;                                          \
                                                                               \
		setkey_out_buf(&o_, buf_, sizeof(buf_));                       \
		call;                                                          \
		ck_assert_uint_lt(o_.len, sizeof(buf_));                       \
		ck_assert_str_eq(buf_, want);                                  \
		ck_assert_uint_eq(o_.len, strlen(want));                       \
	} while (0)

/* The ESP SA of the published dump, keyed for aes-cbc (AES-192). */
static void
esp_sa(struct sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = A("202.141.176.3");
	sa->dst = A("202.141.176.2");
	sa->proto = IPPROTO_ESP;
	sa->mode = SA_MODE_TRANSPORT;
	sa->spi = 24501;
	sa->key.enc = alg_get(ALG_AES_CBC);
	sa->key.enc_len = 24;
	memcpy(sa->key.enc_key, "123456789012123456789012", 24);
}

static const struct setkey_sa_info esp_info = {
	.state = SA_STATE_MATURE,
	.bytes = 1123603,
	.packets = 1413,
	.add_sec = T_CREATED,
	.use_sec = T_USED,
	.now_sec = T_NOW,
	.sadb_seq = 1,
	.pid = 30211,
};

START_TEST(test_setkey_fmt_sa_linux_dump)
{
	struct sa sa;

	esp_sa(&sa);
	ASSERT_OUT("202.141.176.3 202.141.176.2 \n"
		   "\tesp mode=transport spi=24501(0x00005fb5) "
		   "reqid=0(0x00000000)\n"
		   "\tE: aes-cbc  31323334 35363738 39303132 31323334 "
		   "35363738 39303132\n"
		   "\tseq=0x00000000 replay=0 flags=0x00000000 state=mature \n"
		   "\tcreated: Nov 21 06:15:17 2017\tcurrent: Nov 21 07:07:10 "
		   "2017\n"
		   "\tdiff: 3113(s)\thard: 0(s)\tsoft: 0(s)\n"
		   "\tlast: Nov 21 06:15:34 2017\thard: 0(s)\tsoft: 0(s)\n"
		   "\tcurrent: 1123603(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		   "\tallocated: 1413\thard: 0\tsoft: 0\n"
		   "\tsadb_seq=1 pid=30211 refcnt=0\n",
	    setkey_fmt_sa(&o_, &sa, &esp_info, SETKEY_FMT_KEYS));
}
END_TEST

START_TEST(test_setkey_fmt_sa_keys_hidden)
{
	struct sa sa;
	static char buf[4096];
	struct setkey_out o;

	esp_sa(&sa);
	sa.key.auth = alg_get(ALG_HMAC_SHA1_96);
	sa.key.auth_len = 20;
	memcpy(sa.key.auth_key, "ABCDEFGHIJKLMNOPQRST", 20);
	setkey_out_buf(&o, buf, sizeof(buf));
	setkey_fmt_sa(&o, &sa, &esp_info, 0);
	ck_assert_ptr_nonnull(strstr(buf, "\n\tE: aes-cbc\n\tA: hmac-sha1\n"));
	ck_assert_ptr_null(strstr(buf, "31323334"));
	ck_assert_ptr_null(strstr(buf, "41424344"));
}
END_TEST

START_TEST(test_setkey_fmt_sa_kinds)
{
	struct sa sa;
	struct setkey_sa_info in = { .state = SA_STATE_DYING,
		.seq = 0x1234,
		.now_sec = T_NOW,
		.pid = 7,
		.refcnt = 2 };

	/* ESP in UDP, tunnel, reqid, flags, lifetimes, a 64-byte key. */
	memset(&sa, 0, sizeof(sa));
	sa.src = A("2001:db8::1");
	sa.dst = A("2001:db8::2");
	sa.proto = IPPROTO_ESP;
	sa.mode = SA_MODE_TUNNEL;
	sa.spi = 0x10001;
	sa.reqid = 5;
	sa.flags = SA_F_UDP_ENCAP | SA_F_NOECN | SA_F_NOPMTUDISC;
	sa.encap_sport = 4500;
	sa.encap_dport = 4501;
	sa.replay_window = 32;
	sa.hard.add_sec = 3600;
	sa.soft.add_sec = 3000;
	sa.hard.use_sec = 600;
	sa.hard.bytes = 1000000;
	sa.soft.packets = 9;
	sa.key.enc = alg_get(ALG_NULL_ENC);
	sa.key.auth = alg_get(ALG_HMAC_SHA512_256);
	sa.key.auth_len = 64;
	for (int i = 0; i < 64; i++)
		sa.key.auth_key[i] = (uint8_t)i;
	ASSERT_OUT("2001:db8::1[4500] 2001:db8::2[4501] \n"
		   "\tesp-udp mode=tunnel spi=65537(0x00010001) "
		   "reqid=5(0x00000005)\n"
		   "\tE: null \n"
		   "\tA: hmac-sha512  00010203 04050607 08090a0b 0c0d0e0f "
		   "10111213 14151617 18191a1b 1c1d1e1f\n"
		   " 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637 "
		   "38393a3b 3c3d3e3f\n"
		   "\tseq=0x00001234 replay=32 flags=0xa0000000 state=dying \n"
		   "\tcreated:                     \tcurrent: Nov 21 07:07:10 "
		   "2017\n"
		   "\tdiff: 0(s)\thard: 3600(s)\tsoft: 3000(s)\n"
		   "\tlast:                     \thard: 600(s)\tsoft: 0(s)\n"
		   "\tcurrent: 0(bytes)\thard: 1000000(bytes)\tsoft: 0(bytes)\n"
		   "\tallocated: 0\thard: 0\tsoft: 9\n"
		   "\tsadb_seq=0 pid=7 refcnt=2\n",
	    setkey_fmt_sa(&o_, &sa, &in, SETKEY_FMT_KEYS));

	/* IPcomp (setkey forgets the newline after C:; we do not). */
	memset(&sa, 0, sizeof(sa));
	sa.src = A("192.0.2.1");
	sa.dst = A("192.0.2.2");
	sa.proto = IPPROTO_COMP;
	sa.mode = SA_MODE_BEET;
	sa.spi = 0x4000;
	sa.calg = 2;
	sa.flags = SA_F_DECAP_DSCP;
	in.state = SA_STATE_LARVAL;
	in.seq = 0;
	ASSERT_OUT("192.0.2.1 192.0.2.2 \n"
		   "\tipcomp mode=beet spi=16384(0x00004000) "
		   "reqid=0(0x00000000)\n"
		   "\tC: deflate\n"
		   "\tseq=0x00000000 replay=0 flags=0x40000000 state=larval \n"
		   "\tcreated:                     \tcurrent: Nov 21 07:07:10 "
		   "2017\n"
		   "\tdiff: 0(s)\thard: 0(s)\tsoft: 0(s)\n"
		   "\tlast:                     \thard: 0(s)\tsoft: 0(s)\n"
		   "\tcurrent: 0(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n"
		   "\tallocated: 0\thard: 0\tsoft: 0\n"
		   "\tsadb_seq=0 pid=7 refcnt=2\n",
	    setkey_fmt_sa(&o_, &sa, &in, SETKEY_FMT_KEYS));

	/* AH, dead, any mode: only the lines that differ are checked. */
	memset(&sa, 0, sizeof(sa));
	sa.src = A("192.0.2.1");
	sa.dst = A("192.0.2.2");
	sa.proto = IPPROTO_AH;
	sa.spi = 0x3d54;
	sa.key.auth = alg_get(ALG_HMAC_SHA256_128);
	sa.key.auth_len = 32;
	in.state = SA_STATE_DEAD;
	{
		static char buf[4096];
		struct setkey_out o;

		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_sa(&o, &sa, &in, 0);
		ck_assert_ptr_nonnull(strstr(buf,
		    "\n\tah mode=any spi=15700("
		    "0x00003d54) reqid=0(0x00000000)"
		    "\n\tA: hmac-sha256\n"));
		ck_assert_ptr_nonnull(strstr(buf, " state=dead \n"));
		ck_assert_ptr_null(strstr(buf, "E:"));
	}
}
END_TEST

START_TEST(test_setkey_fmt_sa_localtime)
{
	struct sa sa;
	static char buf[4096];
	struct setkey_out o;

	esp_sa(&sa);
	ck_assert_int_eq(setenv("TZ", "JST-9", 1), 0);
	tzset();
	setkey_out_buf(&o, buf, sizeof(buf));
	setkey_fmt_sa(&o, &sa, &esp_info, SETKEY_FMT_LOCALTIME);
	ck_assert_ptr_nonnull(strstr(buf,
	    "\tcreated: Nov 21 15:15:17 2017\t"
	    "current: Nov 21 16:07:10 2017\n"));
	setkey_out_buf(&o, buf, sizeof(buf));
	setkey_fmt_sa(&o, &sa, &esp_info, 0);
	ck_assert_ptr_nonnull(strstr(buf, "\tcreated: Nov 21 06:15:17 2017\t"));
}
END_TEST

/* The fwd policy of the published -DP dump. */
static void
transport_policy(struct spd_policy *p)
{
	memset(p, 0, sizeof(*p));
	selector_init_any(&p->sel, AF_INET);
	p->sel.src = P("202.141.176.3/32");
	p->sel.dst = P("202.141.176.2/32");
	p->dir = SPD_DIR_FWD;
	p->action = SPD_ACTION_IPSEC;
	p->priority = SETKEY_PRIO_DEFAULT;
	p->id = 90;
	p->ntmpl = 2;
	p->tmpl[0].proto = IPPROTO_ESP;
	p->tmpl[0].mode = SA_MODE_TRANSPORT;
	p->tmpl[0].level = KNOBS_LEVEL_REQUIRE;
	p->tmpl[1].proto = IPPROTO_AH;
	p->tmpl[1].mode = SA_MODE_TRANSPORT;
	p->tmpl[1].level = KNOBS_LEVEL_REQUIRE;
	p->add_sec = 1511253763; /* Nov 21 08:42:43 2017 */
}

START_TEST(test_setkey_fmt_policy_linux_dump)
{
	struct spd_policy p;
	struct setkey_spd_info in = { .seq = 1, .pid = 28450, .refcnt = 1 };

	transport_policy(&p);
	ASSERT_OUT("202.141.176.3[any] 202.141.176.2[any] 255\n"
		   "\tfwd prio def ipsec\n"
		   "\tesp/transport//require\n"
		   "\tah/transport//require\n"
		   "\tcreated: Nov 21 08:42:43 2017  lastused:"
		   "                     \n"
		   "\tlifetime: 0(s) validtime: 0(s)\n"
		   "\tspid=90 seq=1 pid=28450\n"
		   "\trefcnt=1\n",
	    setkey_fmt_policy(&o_, &p, &in, 0));
}
END_TEST

START_TEST(test_setkey_fmt_policy_selectors)
{
	struct spd_policy p;
	struct setkey_spd_info in = { .hard_add_sec = 10, .hard_use_sec = 20 };

	memset(&p, 0, sizeof(p));
	selector_init_any(&p.sel, AF_INET6);
	p.sel.src = P("2001:db8::/32");
	p.sel.dst = P("::/0");
	p.sel.proto = IPPROTO_ICMPV6;
	p.sel.sport_lo = p.sel.sport_hi = 135;
	p.dir = SPD_DIR_IN;
	p.action = SPD_ACTION_NONE;
	p.priority = SETKEY_PRIO_HIGH - 5;
	p.id = 8;
	atomic_store(&p.use_sec, T_USED);
	ASSERT_OUT("2001:db8::/32 ::/0 ipv6-icmp 135,0\n"
		   "\tin prio high + 5 none\n"
		   "\tcreated:                       lastused: Nov 21 06:15:34 "
		   "2017\n"
		   "\tlifetime: 10(s) validtime: 20(s)\n"
		   "\tspid=8 seq=0 pid=0\n"
		   "\trefcnt=0\n",
	    setkey_fmt_policy(&o_, &p, &in, 0));

	/* TCP ports, a range PF_KEY cannot carry, an unnamed protocol. */
	selector_init_any(&p.sel, AF_INET);
	p.sel.src = P("10.0.0.0/8");
	p.sel.dst = P("192.0.2.1/32");
	p.sel.proto = IPPROTO_TCP;
	p.sel.sport_lo = p.sel.sport_hi = 80;
	p.sel.dport_lo = 1000;
	p.sel.dport_hi = 2000;
	p.priority = SETKEY_PRIO_LOW + 7;
	p.action = SPD_ACTION_DISCARD;
	p.dir = SPD_DIR_OUT;
	{
		static char buf[4096];
		struct setkey_out o;

		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_policy(&o, &p, &in, 0);
		ck_assert_ptr_nonnull(strstr(buf,
		    "10.0.0.0/8[80] 192.0.2.1[1000-2000] tcp\n\tout prio low - "
		    "7 discard\n"));
		p.sel.proto = 200;
		p.sel.sport_lo = p.sel.dport_lo = 0;
		p.sel.sport_hi = p.sel.dport_hi = 65535;
		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_policy(&o, &p, &in, 0);
		ck_assert_ptr_nonnull(
		    strstr(buf, "10.0.0.0/8[any] 192.0.2.1[any] 200\n"));
		/* GRE key 0x10002 in the two port fields. */
		p.sel.proto = IPPROTO_GRE;
		p.sel.sport_lo = p.sel.sport_hi = 1;
		p.sel.dport_lo = p.sel.dport_hi = 2;
		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_policy(&o, &p, &in, 0);
		ck_assert_ptr_nonnull(
		    strstr(buf, "10.0.0.0/8 192.0.2.1 gre 65538\n"));
	}
}
END_TEST

START_TEST(test_setkey_fmt_policy_prio_and_levels)
{
	static const struct {
		uint32_t prio;
		const char *text;
	} rows[] = {
		{ 0, "prio high + 1073741824" },
		{ 0x40000000u, "prio high" },
		{ 0x5fffffffu, "prio high - 536870911" },
		{ 0x60000000u, "prio def + 536870912" },
		{ 0x7fffffffu, "prio def + 1" },
		{ 0x80000000u, "prio def" },
		{ 0x9fffffffu, "prio def - 536870911" },
		{ 0xa0000000u, "prio low + 536870912" },
		{ 0xc0000000u, "prio low" },
		{ 0xffffffffu, "prio low - 1073741823" },
	};
	struct spd_policy p;
	struct setkey_spd_info in = { 0 };
	static char buf[4096];
	struct setkey_out o;
	char want[128];

	transport_policy(&p);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		p.priority = rows[i].prio;
		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_policy(&o, &p, &in, 0);
		snprintf(
		    want, sizeof(want), "\n\tfwd %s ipsec\n", rows[i].text);
		ck_assert_msg(
		    strstr(buf, want) != NULL, "0x%x: %s", rows[i].prio, buf);
	}
	/* Reqids: level:N up to 16383, level#N above (IKE's). */
	p.tmpl[0].level = KNOBS_LEVEL_UNIQUE;
	p.tmpl[0].reqid = 16383;
	p.tmpl[1].reqid = 16384;
	p.tmpl[1].mode = SA_MODE_TUNNEL;
	p.tmpl[1].src = A("192.0.2.1");
	p.tmpl[1].dst = A("192.0.2.2");
	setkey_out_buf(&o, buf, sizeof(buf));
	setkey_fmt_policy(&o, &p, &in, 0);
	ck_assert_ptr_nonnull(strstr(buf,
	    "\n\tesp/transport//unique:16383\n"
	    "\tah/tunnel/192.0.2.1-192.0.2.2/"
	    "require#16384\n"));
}
END_TEST

START_TEST(test_setkey_fmt_cmd_forms)
{
	struct setkey_cmd c;
	struct spd_policy *p = &c.pol;

	memset(&c, 0, sizeof(c));
	c.op = SETKEY_SPDADD;
	transport_policy(p);
	p->tmpl[0].reqid = 3; /* require:3 cannot be written: left out */
	p->tmpl[1].level = KNOBS_LEVEL_UNIQUE;
	p->tmpl[1].reqid = 16384; /* above unique's range: left out */
	ASSERT_OUT("spdadd 202.141.176.3[any] 202.141.176.2[any] any -P fwd "
		   "prio def ipsec esp/transport//require "
		   "ah/transport//unique;\n",
	    setkey_fmt_cmd(&o_, &c, 0));
	memset(&c, 0, sizeof(c));
	c.op = SETKEY_DUMP;
	c.satype = IPPROTO_COMP;
	ASSERT_OUT("dump ipcomp;\n", setkey_fmt_cmd(&o_, &c, 0));
	c.op = SETKEY_SPDDUMP;
	ASSERT_OUT("spddump;\n", setkey_fmt_cmd(&o_, &c, 0));
}
END_TEST

/* Without SETKEY_FMT_KEYS a command carries no key and does not load. */
START_TEST(test_setkey_fmt_cmd_hidden_keys)
{
	struct run r;
	char text[512];
	struct setkey_out o;

	run_text(&r,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "\"0123456789abcdef\" -A hmac-sha1 \"01234567890123456789\";");
	ck_assert_uint_eq(r.l.ncmds, 1);
	setkey_out_buf(&o, text, sizeof(text));
	setkey_fmt_cmd(&o, &r.l.cmds[0], 0);
	ck_assert_str_eq(text,
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-cbc "
	    "<hidden> -A hmac-sha1 <hidden>;\n");
	run_free(&r);
	run_text(&r, text);
	ck_assert_uint_eq(r.l.ncmds, 0);
	ck_assert_str_eq(r.err,
	    "t.conf:1: expected a key (0x hex digits or a "
	    "quoted string) after -E aes-cbc, got \"<\"\n");
	run_free(&r);
}
END_TEST

/* parse -> print -> parse gives the same command, for every form. */
START_TEST(test_setkey_fmt_cmd_round_trip)
{
	static const char *text =
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -r 64 -u 9 "
	    "-f zero-pad -f seq-pad -lh 1 -ls 2 -bh 3 -bs 4 "
	    "-E aes-ctr \"0123456789abcdef0123\" -A hmac-sha256 "
	    "\"0123456789abcdef0123456789abcdef\";"
	    "update -6 2001:db8::1 2001:db8::2 ah 0xffffffff -m beet "
	    "-A hmac-sha384 "
	    "\"0123456789abcdef0123456789abcdef0123456789abcdef\";"
	    "add 192.0.2.1[4500] 192.0.2.2 esp-udp 10.0.0.1 256 -E "
	    "chacha20-poly1305 "
	    "\"0123456789abcdef0123456789abcdef0123\";"
	    "add 192.0.2.1 192.0.2.2 esp 257 -E null -A hmac-sha1 "
	    "\"01234567890123456789\";"
	    "add 192.0.2.1 192.0.2.2 esp 258 -E aes-gmac "
	    "\"0123456789abcdefSALT\";"
	    "add 192.0.2.1 192.0.2.2 ipcomp 65535 -C deflate -R;"
	    "getspi 192.0.2.1 192.0.2.2 esp 0 -m transport -u 1;"
	    "get 192.0.2.1 192.0.2.2 esp-udp 0x1234;"
	    "delete 192.0.2.1 192.0.2.2 ipcomp 0x2;"
	    "deleteall 192.0.2.1 192.0.2.2 esp-udp;"
	    "flush; flush ah; dump esp; spdflush; spddump;"
	    "spdadd 10.0.0.0/8[22] 0.0.0.0/0[any] tcp -P out prio 5 ipsec "
	    "esp/tunnel/192.0.2.1[4500]-192.0.2.2[4500]/unique:77 "
	    "ah/transport//use ipcomp/beet/2001:db8::1-2001:db8::2/default "
	    "esp/transport/192.0.2.1-192.0.2.2/require;"
	    "spdupdate ::/0 ::/0 icmp6 0,3 -P fwd prio low + 9 discard;"
	    "spdadd 0.0.0.0/0 0.0.0.0/0 gre 0.0.0.9 -P in prio -3 none;"
	    "spdadd 0.0.0.0/0 0.0.0.0/0 udplite -P in prio 2147483648 none;"
	    "spddelete 10.0.0.0/8 10.0.0.0/8 17 -P in;";
	struct run r;
	const char *why;

	run_text(&r, text);
	ck_assert_msg(r.nerr == 0, "%s", r.err);
	ck_assert_uint_eq(r.l.ncmds, 20);
	for (size_t i = 0; i < r.l.ncmds; i++)
		ck_assert_msg(cmd_round_trip(&r.l.cmds[i], &why),
		    "command %zu: %s", i, why);
	run_free(&r);
}
END_TEST

/* A buffer exactly the output's size + 1 holds it; one byte less cuts. */
START_TEST(test_setkey_out_buf_one_short)
{
	struct setkey_cmd c;
	char full[64], cut[64];
	struct setkey_out o;
	size_t n;

	memset(&c, 0, sizeof(c));
	c.op = SETKEY_FLUSH;
	c.satype = IPPROTO_ESP;
	setkey_out_buf(&o, full, sizeof(full));
	setkey_fmt_cmd(&o, &c, 0);
	n = o.len;
	ck_assert_uint_eq(n, strlen("flush esp;\n"));
	setkey_out_buf(&o, cut, n + 1);
	setkey_fmt_cmd(&o, &c, 0);
	ck_assert_uint_eq(o.len, n);
	ck_assert_str_eq(cut, "flush esp;\n");
	memset(cut, 'x', sizeof(cut));
	setkey_out_buf(&o, cut, n);
	setkey_fmt_cmd(&o, &c, 0);
	ck_assert_uint_eq(o.len, n);
	ck_assert_str_eq(cut, "flush esp;");
	ck_assert_int_eq(cut[n], 'x'); /* nothing past the buffer */
	setkey_out_buf(&o, NULL, 0);
	setkey_fmt_cmd(&o, &c, 0);
	ck_assert_uint_eq(o.len, n);
}
END_TEST

START_TEST(test_setkey_out_file_writes)
{
	char *mem = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&mem, &size);
	struct setkey_out o;
	struct setkey_cmd c;

	ck_assert_ptr_nonnull(fp);
	memset(&c, 0, sizeof(c));
	c.op = SETKEY_SPDFLUSH;
	setkey_out_file(&o, fp);
	setkey_fmt_cmd(&o, &c, 0);
	setkey_fmt_cmd(&o, &c, 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert(!o.is_failed);
	ck_assert_uint_eq(o.len, 20);
	ck_assert_str_eq(mem, "spdflush;\nspdflush;\n");
	free(mem);
}
END_TEST

static Suite *
setkey_fmt_suite(void)
{
	Suite *s = suite_create("setkey_fmt");
	TCase *tc;

	tc = tcase_create("fmt_sa");
	tcase_add_test(tc, test_setkey_fmt_sa_linux_dump);
	tcase_add_test(tc, test_setkey_fmt_sa_keys_hidden);
	tcase_add_test(tc, test_setkey_fmt_sa_kinds);
	tcase_add_test(tc, test_setkey_fmt_sa_localtime);
	suite_add_tcase(s, tc);
	tc = tcase_create("fmt_policy");
	tcase_add_test(tc, test_setkey_fmt_policy_linux_dump);
	tcase_add_test(tc, test_setkey_fmt_policy_selectors);
	tcase_add_test(tc, test_setkey_fmt_policy_prio_and_levels);
	suite_add_tcase(s, tc);
	tc = tcase_create("fmt_cmd");
	tcase_add_test(tc, test_setkey_fmt_cmd_forms);
	tcase_add_test(tc, test_setkey_fmt_cmd_hidden_keys);
	tcase_add_test(tc, test_setkey_fmt_cmd_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("out");
	tcase_add_test(tc, test_setkey_out_buf_one_short);
	tcase_add_test(tc, test_setkey_out_file_writes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(setkey_fmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
