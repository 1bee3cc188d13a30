/*
 * Unit tests for the ipsecd.conf parser (src/daemon/conf*.c): defaults,
 * every keyword and the lines it records, block forms, each length and
 * count limit at its edge and one past it, error messages and their
 * lines, reload semantics, files, conf_test and the secret-file checks.
 * The bad-config suite (tests/conf/run.sh) covers the messages of whole
 * files; these tests cover the API.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf.h"

/* Every error of one parse, one per line. */
struct errs {
	char text[1 << 16];
	size_t len;
	unsigned n;
};

static struct errs errs;

static void
collect(void *arg, const char *msg)
{
	struct errs *e = arg;
	int r =
	    snprintf(e->text + e->len, sizeof(e->text) - e->len, "%s\n", msg);

	if (r > 0 && (size_t)r < sizeof(e->text) - e->len)
		e->len += (size_t)r;
	e->n++;
}

static struct conf *
parse_as(const char *name, const char *text)
{
	memset(&errs, 0, sizeof(errs));
	return conf_parse_buffer(name, text, strlen(text), collect, &errs);
}

static struct conf *
parse(const char *text)
{
	return parse_as("t.conf", text);
}

/* A clean parse of text. */
static struct conf *
parse_ok(const char *text)
{
	struct conf *c = parse(text);

	ck_assert_msg(c != NULL, "refused: %s", errs.text);
	ck_assert_uint_eq(errs.n, 0);
	return c;
}

/* text is refused with exactly the errors want ("...\n" each). */
static void
parse_bad(const char *text, const char *want)
{
	struct conf *c = parse(text);

	ck_assert_ptr_null(c);
	ck_assert_str_eq(errs.text, want);
}

/* Refused, and the first error is want. */
static void
parse_bad_first(const char *text, const char *want)
{
	struct conf *c = parse(text);
	size_t n = strlen(want);

	ck_assert_ptr_null(c);
	ck_assert_msg(strncmp(errs.text, want, n) == 0 && errs.text[n] == '\n',
	    "got %s", errs.text);
}

/* A string of n copies of ch. */
static char *
repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* printf into a fresh heap buffer. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	ck_assert_int_ge(vasprintf(&s, f, ap), 0);
	va_end(ap);
	return s;
}

static char tmpdir[64];

static void
tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/check_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	char *cmd = fmt("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* A file under tmpdir with mode, holding text; returns its path. */
static char *
tmp_file(const char *name, mode_t mode, const char *text)
{
	char *path = fmt("%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* ---- conf_new ---- */

START_TEST(test_conf_new_defaults)
{
	struct conf *c = conf_new("x.conf");
	struct knobs k;

	ck_assert_ptr_nonnull(c);
	knobs_init(&k);
	ck_assert_str_eq(c->file, "x.conf");
	ck_assert_mem_eq(&c->knobs, &k, sizeof(k));
	ck_assert_uint_eq(c->workers, 0);
	ck_assert(c->tun_offload);
	ck_assert_uint_eq(c->natt_port, 4500);
	ck_assert_uint_eq(c->natt_keepalive_sec, 20);
	ck_assert_str_eq(c->pfkey_socket, "/run/ipsecd/pfkey.sock");
	ck_assert_str_eq(c->control_socket, "/run/ipsecd/control.sock");
	ck_assert_str_eq(c->group, "ipsecd");
	ck_assert_str_eq(c->user, "ipsecd");
	ck_assert_uint_eq(c->mark.value, 0x45);
	ck_assert_uint_eq(c->mark.mask, 0xff);
	ck_assert_uint_eq(c->mark.line, 0);
	ck_assert_uint_eq(c->table, 4500);
	ck_assert_uint_eq(c->rule_priority, 4500);
	ck_assert_str_eq(c->default_ifname, "ipsec0");
	ck_assert_uint_eq(c->replay_window, 64);
	for (int i = 0; i < CONF_NSETTINGS; i++)
		ck_assert_uint_eq(c->line[i], 0);
	ck_assert_uint_eq(c->nknob_lines, 0);
	ck_assert_uint_eq(c->nincludes, 0);
	ck_assert_uint_eq(c->nifaces, 0);
	conf_free(c);
	conf_free(NULL);
}
END_TEST

/* ---- conf_keyword ---- */

START_TEST(test_conf_keyword_sorted)
{
	for (int is_iface = 0; is_iface < 2; is_iface++) {
		size_t i;

		ck_assert_ptr_nonnull(conf_keyword(is_iface, 0));
		for (i = 1; conf_keyword(is_iface, i) != NULL; i++)
			ck_assert_msg(strcmp(conf_keyword(is_iface, i - 1),
					  conf_keyword(is_iface, i)) < 0,
			    "%s before %s", conf_keyword(is_iface, i - 1),
			    conf_keyword(is_iface, i));
		ck_assert_uint_eq(i, is_iface ? 7 : 16);
	}
	/* The knob table fits the per-file record of knob lines. */
	ck_assert_uint_le(knobs_count(), CONF_KNOBS_MAX);
}
END_TEST

/* Every keyword of both tables is recognised (none is "unknown"). */
START_TEST(test_conf_keyword_each_resolves)
{
	for (size_t i = 0; conf_keyword(false, i) != NULL; i++) {
		char *t = fmt("%s\n", conf_keyword(false, i));

		ck_assert_ptr_null(parse(t));
		ck_assert_ptr_null(strstr(errs.text, "unknown keyword"));
		free(t);
	}
	for (size_t i = 0; conf_keyword(true, i) != NULL; i++) {
		char *t =
		    fmt("interface ipsec0 {\n%s\n}\n", conf_keyword(true, i));

		ck_assert_ptr_null(parse(t));
		ck_assert_ptr_null(strstr(errs.text, "unknown keyword"));
		free(t);
	}
}
END_TEST

/* ---- conf_parse_buffer: what is parsed ---- */

START_TEST(test_conf_parse_buffer_empty)
{
	struct conf *c = parse_ok("");
	struct conf *d = parse_ok("\n# comment only\n   \t\n\r\n");

	ck_assert_uint_eq(c->nifaces, 0);
	ck_assert_uint_eq(d->natt_port, 4500);
	conf_free(c);
	conf_free(d);
}
END_TEST

START_TEST(test_conf_parse_buffer_every_global)
{
	struct conf *c = parse_ok("workers 3\n"
				  "natt-port 4501\n"
				  "natt-keepalive 0\n"
				  "pfkey-socket /run/x/pf.sock\n"
				  "control-socket \"/run/x/a b.sock\"\n"
				  "group wheel\n"
				  "user nobody\n"
				  "mark 0x1000/0xf000\n"
				  "table 220\n"
				  "rule-priority 32765\n"
				  "default-interface vpn0\n"
				  "replay-window 4096 # the largest\n"
				  "tun-offload 0\n");

	ck_assert_uint_eq(c->workers, 3);
	ck_assert(!c->tun_offload);
	ck_assert_uint_eq(c->line[CONF_TUN_OFFLOAD], 13);
	ck_assert_uint_eq(c->line[CONF_WORKERS], 1);
	ck_assert_uint_eq(c->natt_port, 4501);
	ck_assert_uint_eq(c->line[CONF_NATT_PORT], 2);
	ck_assert_uint_eq(c->natt_keepalive_sec, 0);
	ck_assert_uint_eq(c->line[CONF_NATT_KEEPALIVE], 3);
	ck_assert_str_eq(c->pfkey_socket, "/run/x/pf.sock");
	ck_assert_uint_eq(c->line[CONF_PFKEY_SOCKET], 4);
	ck_assert_str_eq(c->control_socket, "/run/x/a b.sock");
	ck_assert_uint_eq(c->line[CONF_CONTROL_SOCKET], 5);
	ck_assert_str_eq(c->group, "wheel");
	ck_assert_uint_eq(c->line[CONF_GROUP], 6);
	ck_assert_str_eq(c->user, "nobody");
	ck_assert_uint_eq(c->line[CONF_USER], 7);
	ck_assert_uint_eq(c->mark.value, 0x1000);
	ck_assert_uint_eq(c->mark.mask, 0xf000);
	ck_assert_uint_eq(c->mark.line, 8);
	ck_assert_uint_eq(c->line[CONF_MARK], 8);
	ck_assert_uint_eq(c->table, 220);
	ck_assert_uint_eq(c->line[CONF_TABLE], 9);
	ck_assert_uint_eq(c->rule_priority, 32765);
	ck_assert_uint_eq(c->line[CONF_RULE_PRIORITY], 10);
	ck_assert_str_eq(c->default_ifname, "vpn0");
	ck_assert_uint_eq(c->line[CONF_DEFAULT_INTERFACE], 11);
	ck_assert_uint_eq(c->replay_window, 4096);
	ck_assert_uint_eq(c->line[CONF_REPLAY_WINDOW], 12);
	conf_free(c);
}
END_TEST

/* The edges of every numeric range, inside and one past. */
START_TEST(test_conf_parse_buffer_ranges)
{
	static const struct {
		const char *ok, *bad;
	} r[] = {
		{ "workers 0", "workers 1025" },
		{ "workers 1024", "workers -1" },
		{ "tun-offload 0", "tun-offload 2" },
		{ "tun-offload 1", "tun-offload -1" },
		{ "natt-port 1", "natt-port 0" },
		{ "natt-port 65535", "natt-port 65536" },
		{ "natt-keepalive 3600", "natt-keepalive 3601" },
		{ "replay-window 32", "replay-window 31" },
		{ "replay-window 4096", "replay-window 4097" },
		{ "rule-priority 1", "rule-priority 0" },
		{ "rule-priority 32765", "rule-priority 32766" },
		{ "table 1", "table 0" },
		{ "table 252", "table 253" },
		{ "table 256", "table 255" },
		{ "table 4294967295", "table 4294967296" },
		{ "table 0xffffffff", "table 0x100000000" },
		{ "mark 0xffffffff", "mark 0x100000000" },
		{ "mark 1/1", "mark 2/1" },
		{ "interface ipsec0 {\nmtu 68\n}",
		    "interface ipsec0 {\nmtu 67\n}" },
		{ "interface ipsec0 {\nmtu 65535\n}",
		    "interface ipsec0 {\nmtu 65536\n}" },
		{ "interface x {\nreqid 4294967295\n}",
		    "interface x {\nreqid 4294967296\n}" },
		{ "interface x {\nif-id 1\n}", "interface x {\nif-id 0\n}" },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		conf_free(parse_ok(r[i].ok));
		ck_assert_msg(parse(r[i].bad) == NULL, "%s accepted", r[i].bad);
		ck_assert_uint_eq(errs.n, 1);
	}
}
END_TEST

START_TEST(test_conf_parse_buffer_knobs)
{
	struct conf *c = parse_ok("net.inet.ipsec.dfbit = 1\n"
				  "net.inet6.ipsec6.ecn=allowed\n"
				  "net.inet.ipsec.ah_offsetmask =0x1fff\n"
				  "net.inet.esp.esp_enable= 0\n");

	ck_assert_uint_eq(c->knobs.dfbit, KNOBS_DF_SET);
	ck_assert_uint_eq(c->knobs.ecn, 1);
	ck_assert_uint_eq(c->knobs.ah_offsetmask, 0x1fff);
	ck_assert(!c->knobs.esp_enable);
	ck_assert_uint_eq(c->nknob_lines, 4);
	ck_assert_str_eq(c->knob_lines[0].name, "net.inet.ipsec.dfbit");
	ck_assert_uint_eq(c->knob_lines[0].line, 1);
	/* An alias is recorded under its canonical name. */
	ck_assert_str_eq(c->knob_lines[1].name, "net.inet.ipsec.ecn");
	ck_assert_uint_eq(c->knob_lines[1].line, 2);
	ck_assert_uint_eq(c->knob_lines[3].line, 4);
	conf_free(c);
	parse_bad("net.inet.ipsec.ecn = 1\nnet.inet6.ipsec6.ecn = 1\n",
	    "t.conf:2: net.inet6.ipsec6.ecn already set at line 1 (it is the "
	    "same value as net.inet.ipsec.ecn)\n");
	parse_bad("net.inet.ipsec.dfbit = 1\nnet.inet.ipsec.dfbit = 1\n",
	    "t.conf:2: net.inet.ipsec.dfbit already set at line 1\n");
	parse_bad("net.inet.ipsec.dfbit = 3\n",
	    "t.conf:1: bad value \"3\" for net.inet.ipsec.dfbit; expected 0 "
	    "(clear), 1 (set) or 2 (copy)\n");
	parse_bad("net.inet.ipsec.dfbit 1\n",
	    "t.conf:1: missing value; expected net.inet.ipsec.dfbit = "
	    "VALUE\n");
	parse_bad("net.inet.ipsec.dfbit = = 1\n",
	    "t.conf:1: missing value; expected net.inet.ipsec.dfbit = "
	    "VALUE\n");
	parse_bad("net.inet.ipsec.dfbit = 1 2\n",
	    "t.conf:1: unexpected \"2\" after net.inet.ipsec.dfbit = VALUE; "
	    "expected the end of the line\n");
	parse_bad_first("net.inet.ipsec.nope = 1\n",
	    "t.conf:1: unknown knob \"net.inet.ipsec.nope\"; expected "
	    "net.inet.ah.ah_enable, net.inet.esp.esp_enable, "
	    "net.inet.ipcomp.ipcomp_enable, net.inet.ipsec.ah_cleartos, "
	    "net.inet.ipsec.ah_net_deflev, net.inet.ipsec.ah_offsetmask, "
	    "net.inet.ipsec.ah_trans_deflev, "
	    "net.inet.ipsec.check_policy_history, net.inet.ipsec.def_policy, "
	    "net.inet.ipsec.dfbit, net.inet.ipsec.ecn, "
	    "net.inet.ipsec.esp_net_deflev, net.inet.ipsec.esp_trans_deflev, "
	    "net.inet.ipsec.natt_cksum_policy, "
	    "net.inet6.ipsec6.ah_net_deflev, "
	    "net.inet6.ipsec6.ah_trans_deflev, net.inet6.ipsec6.def_policy, "
	    "net.inet6.ipsec6.ecn, net.inet6.ipsec6.esp_net_deflev or "
	    "net.inet6.ipsec6.esp_trans_deflev");
	/* A word with "=" after it is taken as a knob even without a dot. */
	parse_bad_first("dfbit = 1\n",
	    "t.conf:1: unknown knob \"dfbit\"; "
	    "expected net.inet.ah.ah_enable, "
	    "net.inet.esp.esp_enable, "
	    "net.inet.ipcomp.ipcomp_enable, "
	    "net.inet.ipsec.ah_cleartos, "
	    "net.inet.ipsec.ah_net_deflev, "
	    "net.inet.ipsec.ah_offsetmask, "
	    "net.inet.ipsec.ah_trans_deflev, "
	    "net.inet.ipsec.check_policy_history, "
	    "net.inet.ipsec.def_policy, "
	    "net.inet.ipsec.dfbit, "
	    "net.inet.ipsec.ecn, "
	    "net.inet.ipsec.esp_net_deflev, "
	    "net.inet.ipsec.esp_trans_deflev, "
	    "net.inet.ipsec.natt_cksum_policy, "
	    "net.inet6.ipsec6.ah_net_deflev, "
	    "net.inet6.ipsec6.ah_trans_deflev, "
	    "net.inet6.ipsec6.def_policy, "
	    "net.inet6.ipsec6.ecn, "
	    "net.inet6.ipsec6.esp_net_deflev or "
	    "net.inet6.ipsec6.esp_trans_deflev");
}
END_TEST

START_TEST(test_conf_parse_buffer_interface)
{
	struct conf *c = parse_ok("interface ipsec1 {\n"
				  "\treqid 7\n"
				  "\taddress 10.1.0.1/30\n"
				  "\taddress fd00:1::1\n"
				  "\tmtu 1280\n"
				  "\tmark 0x100/0xff00\n"
				  "\troute 10.2.0.0/16\n"
				  "\troute ::/0\n"
				  "\ttunnel 192.0.2.1 198.51.100.1\n"
				  "}\n"
				  "interface ipsec2 {\n"
				  "\tif-id 7\n"
				  "}\n");
	const struct conf_iface *i = &c->ifaces[0];
	char buf[PREFIX_STRLEN];

	ck_assert_uint_eq(c->nifaces, 2);
	ck_assert_str_eq(i->name, "ipsec1");
	ck_assert_uint_eq(i->line, 1);
	ck_assert_int_eq(i->key_kind, CONF_KEY_REQID);
	ck_assert_uint_eq(i->key, 7);
	ck_assert_uint_eq(i->key_line, 2);
	ck_assert_uint_eq(i->naddrs, 2);
	/* An address keeps its host bits: it is the interface's own. */
	ck_assert_str_eq(
	    prefix_fmt(&i->addrs[0].pfx, buf, sizeof(buf)), "10.1.0.1/30");
	ck_assert_uint_eq(i->addrs[0].line, 3);
	ck_assert_str_eq(
	    prefix_fmt(&i->addrs[1].pfx, buf, sizeof(buf)), "fd00:1::1/128");
	ck_assert_uint_eq(i->addrs[1].line, 4);
	ck_assert_uint_eq(i->mtu, 1280);
	ck_assert_uint_eq(i->mtu_line, 5);
	ck_assert_uint_eq(i->mark.value, 0x100);
	ck_assert_uint_eq(i->mark.mask, 0xff00);
	ck_assert_uint_eq(i->mark.line, 6);
	ck_assert_uint_eq(i->nroutes, 2);
	ck_assert_str_eq(
	    prefix_fmt(&i->routes[0].pfx, buf, sizeof(buf)), "10.2.0.0/16");
	ck_assert_uint_eq(i->routes[0].line, 7);
	ck_assert_str_eq(
	    prefix_fmt(&i->routes[1].pfx, buf, sizeof(buf)), "::/0");
	ck_assert_uint_eq(i->routes[1].line, 8);
	ck_assert_str_eq(
	    addr_fmt(&i->tunnel_src, buf, sizeof(buf)), "192.0.2.1");
	ck_assert_str_eq(
	    addr_fmt(&i->tunnel_dst, buf, sizeof(buf)), "198.51.100.1");
	ck_assert_uint_eq(i->tunnel_line, 9);
	i = &c->ifaces[1];
	ck_assert_str_eq(i->name, "ipsec2");
	ck_assert_uint_eq(i->line, 11);
	/* reqid 7 and if-id 7 are different keys. */
	ck_assert_int_eq(i->key_kind, CONF_KEY_IFID);
	ck_assert_uint_eq(i->key, 7);
	ck_assert_uint_eq(i->mtu, CONF_DEFAULT_MTU);
	ck_assert_uint_eq(i->mtu_line, 0);
	ck_assert_uint_eq(i->mark.line, 0);
	ck_assert_uint_eq(i->tunnel_line, 0);
	ck_assert_uint_eq(i->naddrs + i->nroutes, 0);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_parse_buffer_block_forms)
{
	struct conf *c = parse_ok("interface a { reqid 1 }\n"
				  "interface b\n"
				  "{\n"
				  "reqid 2 }\n"
				  "interface ipsec0 {\n"
				  "}\n"
				  "interface d { reqid 4\n"
				  "}");

	ck_assert_uint_eq(c->nifaces, 4);
	ck_assert_uint_eq(c->ifaces[0].key, 1);
	ck_assert_uint_eq(c->ifaces[0].key_line, 1);
	ck_assert_str_eq(c->ifaces[1].name, "b");
	ck_assert_uint_eq(c->ifaces[1].line, 2);
	ck_assert_uint_eq(c->ifaces[1].key_line, 4);
	ck_assert_uint_eq(c->ifaces[2].key_kind, CONF_KEY_NONE);
	ck_assert_uint_eq(c->ifaces[3].key, 4);
	conf_free(c);
	/* A brace must follow, on the line or the next. */
	parse_bad("interface x\nreqid 1\n}\n",
	    "t.conf:1: expected \"{\" after interface x\n"
	    "t.conf:2: unknown keyword \"reqid\"; expected control-socket, "
	    "crypto, default-interface, group, include, interface, mark, "
	    "natt-keepalive, natt-port, pfkey-socket, replay-window, "
	    "rule-priority, table, tun-offload, user, workers or a knob name "
	    "(net.inet.ipsec.dfbit, ...)\n"
	    "t.conf:3: unexpected \"}\"; no block is open\n");
	parse_bad("interface x {\nreqid 1\n",
	    "t.conf:3: unexpected end of file; expected \"}\" to close "
	    "interface x at line 1\n");
	parse_bad("interface {\n}\n",
	    "t.conf:1: missing argument; expected interface NAME {\n");
	parse_bad("interface x y {\n}\n",
	    "t.conf:1: unexpected \"y\" after interface NAME; expected "
	    "\"{\"\n");
	parse_bad("interface x {\nreqid 1\nfoo {\nbar }\n}\n",
	    "t.conf:3: unknown keyword \"foo\" in interface x; expected "
	    "address, if-id, mark, mtu, reqid, route or tunnel\n");
	parse_bad("interface x {\nreqid 1 {\n}\n}\n",
	    "t.conf:2: unexpected \"{\" after reqid; expected reqid N without "
	    "a block\n");
	parse_bad("workers 1 {\n}\n",
	    "t.conf:1: unexpected \"{\" after workers; expected workers N "
	    "without a block\n");
	/* The crypto section: errors inside it, and parsing goes on. */
	parse_bad("crypto {\n  provider { x }\n  workers 99999\n}\nworkers 2\n",
	    "t.conf:2: missing argument; expected provider NAME [{]\n"
	    "t.conf:3: unknown keyword \"workers\" in crypto; expected "
	    "offload, provider or query\n");
	parse_bad("crypto {\n",
	    "t.conf:2: unexpected end of file; expected \"}\" to close "
	    "crypto at line 1\n");
	parse_bad("{\n}\n", "t.conf:1: unexpected \"{\"; expected a keyword\n");
	parse_bad("= 1\n", "t.conf:1: unexpected \"=\"; expected a keyword\n");
}
END_TEST

START_TEST(test_conf_parse_buffer_statement_errors)
{
	parse_bad(
	    "workers\n", "t.conf:1: missing argument; expected workers N\n");
	parse_bad("workers 1 2\n",
	    "t.conf:1: unexpected \"2\" after workers N; expected the end of "
	    "the line\n");
	parse_bad("workers = 1\n",
	    "t.conf:1: unexpected \"=\"; expected workers N\n");
	parse_bad("workers 1\nworkers 2\n",
	    "t.conf:2: workers already set at line 1\n");
	/* A bad first setting still counts as set. */
	parse_bad("workers x\nworkers 2\n",
	    "t.conf:1: bad value \"x\" for workers; expected 0 to 1024\n"
	    "t.conf:2: workers already set at line 1\n");
	parse_bad("mtux 5\n",
	    "t.conf:1: unknown keyword \"mtux\"; expected control-socket, "
	    "crypto, default-interface, group, include, interface, mark, "
	    "natt-keepalive, natt-port, pfkey-socket, replay-window, "
	    "rule-priority, table, tun-offload, user, workers or a knob name "
	    "(net.inet.ipsec.dfbit, ...)\n");
	/* Many words: counted, reported, never overflowing. */
	parse_bad("workers 1 2 3 4 5 6 7 8 9 10 11 12 { x }\nworkers 3\n",
	    "t.conf:1: unexpected \"2\" after workers N; expected the end of "
	    "the line\n");
	parse_bad("tunnel\n",
	    "t.conf:1: unknown keyword \"tunnel\"; expected control-socket, "
	    "crypto, default-interface, group, include, interface, mark, "
	    "natt-keepalive, natt-port, pfkey-socket, replay-window, "
	    "rule-priority, table, tun-offload, user, workers or a knob name "
	    "(net.inet.ipsec.dfbit, ...)\n");
	parse_bad("interface x {\nreqid 1\ntunnel 10.0.0.1\n}\n",
	    "t.conf:3: missing argument; expected tunnel SOURCE "
	    "DESTINATION\n");
}
END_TEST

START_TEST(test_conf_parse_buffer_lexer)
{
	/* Not NUL-terminated: the length is the end. */
	struct conf *c =
	    conf_parse_buffer("t.conf", "workers 42", 9, collect, &errs);

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->workers, 4);
	conf_free(c);
	c = parse_ok("workers 2\r\nnatt-port 9\r\n");
	ck_assert_uint_eq(c->natt_port, 9);
	conf_free(c);
	memset(&errs, 0, sizeof(errs));
	ck_assert_ptr_null(
	    conf_parse_buffer("t.conf", "workers 4\0\n", 11, collect, &errs));
	ck_assert_str_eq(
	    errs.text, "t.conf:1: unexpected control character 0x00\n");
	parse_bad("user \"ab\001c\"\n",
	    "t.conf:1: string holds control character 0x01\n");
	parse_bad("user \"abc\ngroup x\n",
	    "t.conf:1: unterminated string; expected a closing '\"' before "
	    "the end of the line\n");
	parse_bad("user \x7f\n",
	    "t.conf:1: unexpected control character "
	    "0x7f\n");
	/* A quote ends a word; "#" in a string is not a comment. */
	c = parse_ok("pfkey-socket \"/run/#x\"# comment\n");
	ck_assert_str_eq(c->pfkey_socket, "/run/#x");
	conf_free(c);
	/* Bytes above 0x7e are shown as \xNN. */
	parse_bad("user \"\xc3\xa9\"\n",
	    "t.conf:1: bad user name \"\\xc3\\xa9\"; expected letters, "
	    "digits, \"_\", \".\" or \"-\", not starting with \"-\"\n");
}
END_TEST

/* CONF_SHOW_MAX bytes are shown whole; one more and they are cut. */
START_TEST(test_conf_parse_buffer_show_limit)
{
	char *w = repeat('a', 48), *t = fmt("%s 1\n", w), *want;

	want = fmt("t.conf:1: unknown keyword \"%s\"; expected", w);
	ck_assert_ptr_null(parse(t));
	ck_assert_msg(
	    strncmp(errs.text, want, strlen(want)) == 0, "%s", errs.text);
	free(t);
	free(want);
	t = fmt("%sa 1\n", w);
	want = fmt("t.conf:1: unknown keyword \"%s...\"; expected", w);
	ck_assert_ptr_null(parse(t));
	ck_assert_msg(
	    strncmp(errs.text, want, strlen(want)) == 0, "%s", errs.text);
	free(t);
	free(want);
	free(w);
}
END_TEST

START_TEST(test_conf_parse_buffer_values)
{
	struct conf *c;

	parse_bad("mark 0\n",
	    "t.conf:1: bad mark \"0\"; expected a nonzero value: the routing "
	    "rule must tell ipsecd's packets from unmarked ones\n");
	parse_bad("mark 0x100/0xff\n",
	    "t.conf:1: bad mark \"0x100/0xff\"; the value has bits outside "
	    "the mask\n");
	parse_bad("mark 1/0\n",
	    "t.conf:1: bad mark \"1/0\"; expected a nonzero mask\n");
	parse_bad("mark 1/\n",
	    "t.conf:1: bad mark \"1/\"; expected VALUE[/MASK] with numbers of "
	    "up to 32 bits\n");
	parse_bad("mark /1\n",
	    "t.conf:1: bad mark \"/1\"; expected VALUE[/MASK] with numbers of "
	    "up to 32 bits\n");
	parse_bad("table 254\n",
	    "t.conf:1: bad value \"254\" for table; expected 1 to 252 or 256 "
	    "to 4294967295 (253, 254 and 255 are the default, main and local "
	    "tables)\n");
	parse_bad("pfkey-socket run/x\n",
	    "t.conf:1: bad path \"run/x\" for pfkey-socket; expected an "
	    "absolute path to a socket\n");
	parse_bad("control-socket /run/\n",
	    "t.conf:1: bad path \"/run/\" for control-socket; expected an "
	    "absolute path to a socket\n");
	parse_bad("pfkey-socket /run/a\ncontrol-socket /run/a\n",
	    "t.conf:2: control-socket \"/run/a\" is also the pfkey-socket "
	    "(line 1)\n");
	parse_bad("pfkey-socket /run/ipsecd/control.sock\n",
	    "t.conf:1: pfkey-socket \"/run/ipsecd/control.sock\" is also the "
	    "control-socket (the default)\n");
	parse_bad("user -x\n",
	    "t.conf:1: bad user name \"-x\"; expected letters, digits, "
	    "\"_\", \".\" or \"-\", not starting with \"-\"\n");
	parse_bad("group \"\"\n",
	    "t.conf:1: bad group name \"\"; expected letters, digits, \"_\", "
	    "\".\" or \"-\", not starting with \"-\"\n");
	parse_bad("default-interface a/b\n",
	    "t.conf:1: bad interface name \"a/b\" for default-interface; "
	    "expected letters, digits, \"_\", \"-\" or \".\"\n");
	parse_bad("default-interface ..\n",
	    "t.conf:1: bad interface name \"..\" for default-interface; "
	    "\".\" and \"..\" are not interface names\n");
	parse_bad("interface default {\n}\n",
	    "t.conf:1: bad interface name \"default\"; the kernel keeps "
	    "\"all\" and \"default\" for itself\n");
	c = parse_ok("user a-b_c.d\ngroup _x9\n");
	ck_assert_str_eq(c->user, "a-b_c.d");
	ck_assert_str_eq(c->group, "_x9");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_parse_buffer_addresses)
{
	parse_bad("interface x {\nreqid 1\naddress 10.0.0.1/33\n}\n",
	    "t.conf:3: bad address \"10.0.0.1/33\"; expected a prefix length "
	    "from 1 to 32\n");
	parse_bad("interface x {\nreqid 1\naddress 10.0.0.1/0\n}\n",
	    "t.conf:3: bad address \"10.0.0.1/0\"; expected a prefix length "
	    "from 1 to 32\n");
	parse_bad("interface x {\nreqid 1\naddress fd00::1/129\n}\n",
	    "t.conf:3: bad address \"fd00::1/129\"; expected a prefix length "
	    "from 1 to 128\n");
	parse_bad("interface x {\nreqid 1\naddress 224.0.0.1\n}\n",
	    "t.conf:3: bad address \"224.0.0.1\"; expected a unicast IPv4 or "
	    "IPv6 address with an optional /LEN\n");
	parse_bad("interface x {\nreqid 1\naddress ::\n}\n",
	    "t.conf:3: bad address \"::\"; expected a unicast IPv4 or IPv6 "
	    "address with an optional /LEN\n");
	parse_bad("interface x {\nreqid 1\naddress ff02::1\n}\n",
	    "t.conf:3: bad address \"ff02::1\"; expected a unicast IPv4 or "
	    "IPv6 address with an optional /LEN\n");
	parse_bad("interface x {\nreqid 1\naddress 10.0.0.256\n}\n",
	    "t.conf:3: bad address \"10.0.0.256\"; expected a unicast IPv4 or "
	    "IPv6 address with an optional /LEN\n");
	parse_bad("interface x {\nreqid 1\nroute 10.0.0.1/24\n}\n",
	    "t.conf:3: bad route \"10.0.0.1/24\"; host bits set past /24 "
	    "(10.0.0.0/24?)\n");
	parse_bad("interface x {\nreqid 1\nroute 10.0.0.0/+8\n}\n",
	    "t.conf:3: bad route \"10.0.0.0/+8\"; expected a prefix length "
	    "from 0 to 32\n");
	parse_bad("interface x {\nreqid 1\nroute fd00::/0x40\n}\n",
	    "t.conf:3: bad route \"fd00::/0x40\"; expected a prefix length "
	    "from 0 to 128\n");
	parse_bad("interface x {\nreqid 1\ntunnel 10.0.0.1 fd00::1\n}\n",
	    "t.conf:3: tunnel endpoints 10.0.0.1 and fd00::1 are of "
	    "different families\n");
	parse_bad("interface x {\nreqid 1\ntunnel 10.0.0.1 10.0.0.1\n}\n",
	    "t.conf:3: tunnel source and destination are both 10.0.0.1\n");
	parse_bad("interface x {\nreqid 1\ntunnel 0.0.0.0 10.0.0.1\n}\n",
	    "t.conf:3: bad tunnel source \"0.0.0.0\"; expected a unicast IPv4 "
	    "or IPv6 address\n");
	parse_bad("interface x {\nreqid 1\ntunnel 10.0.0.1 "
		  "255.255.255.255\n}\n",
	    "t.conf:3: bad tunnel destination \"255.255.255.255\"; expected a "
	    "unicast IPv4 or IPv6 address\n");
	parse_bad("interface x {\nreqid 1\ntunnel 10.0.0.1/32 10.0.0.2\n}\n",
	    "t.conf:3: bad tunnel source \"10.0.0.1/32\"; expected a unicast "
	    "IPv4 or IPv6 address\n");
}
END_TEST

/* ---- the checks after parsing ---- */

START_TEST(test_conf_parse_buffer_whole_file_checks)
{
	parse_bad("interface a {\nreqid 1\n}\ninterface b {\nreqid 1\n}\n",
	    "t.conf:5: reqid 1 already used by interface a at line 2\n");
	parse_bad("interface a {\nif-id 9\n}\ninterface b {\nif-id 9\n}\n",
	    "t.conf:5: if-id 9 already used by interface a at line 2\n");
	parse_bad("interface a {\nreqid 1\n}\ninterface a {\nreqid 2\n}\n",
	    "t.conf:4: interface a already defined at line 1\n");
	parse_bad("interface a {\n}\n",
	    "t.conf:1: interface a has no reqid or if-id; expected one of "
	    "them (only the default interface, ipsec0, may have neither)\n");
	parse_bad("interface a {\nreqid 1\nif-id 2\n}\n",
	    "t.conf:3: interface a already has reqid at line 2; expected one "
	    "of reqid or if-id\n");
	parse_bad("interface a {\nreqid 1\nreqid 2\n}\n",
	    "t.conf:3: reqid already set at line 2\n");
	/* Same host address whatever the length, across interfaces. */
	parse_bad("interface a {\nreqid 1\naddress 10.0.0.1/24\n}\n"
		  "interface b {\nreqid 2\naddress 10.0.0.1/32\n"
		  "address fd00::1\naddress fd00::1/64\n}\n",
	    "t.conf:7: address 10.0.0.1 already on interface a at line 3\n"
	    "t.conf:9: address fd00::1 already on interface b at line 8\n");
	parse_bad(
	    "interface a {\nreqid 1\nroute 10.0.0.0/8\nroute "
	    "10.0.0.0/16\n}\ninterface b {\nreqid 2\nroute 10.0.0.0/8\n}\n",
	    "t.conf:8: route 10.0.0.0/8 already on interface a at line 3\n");
	parse_bad("interface a {\nreqid 1\ntunnel 10.0.0.1 10.0.0.2\n}\n"
		  "interface b {\nreqid 2\ntunnel 10.0.0.1 10.0.0.2\n}\n",
	    "t.conf:7: tunnel 10.0.0.1 10.0.0.2 already used by interface a "
	    "at line 3\n");
	conf_free(parse_ok("interface a {\nreqid 1\ntunnel 10.0.0.1 "
			   "10.0.0.2\n}\ninterface b {\nreqid 2\ntunnel "
			   "10.0.0.2 10.0.0.1\n}\n"));
	parse_bad("interface a {\nreqid 1\nmtu 1279\naddress fd00::1\n}\n",
	    "t.conf:3: mtu 1279 of interface a is below 1280, the IPv6 "
	    "minimum, and it has IPv6 address fd00::1 at line 4\n");
	parse_bad("interface a {\nreqid 1\nroute fd00::/16\nmtu 600\n}\n",
	    "t.conf:4: mtu 600 of interface a is below 1280, the IPv6 "
	    "minimum, and it has IPv6 route fd00::/16 at line 3\n");
	conf_free(parse_ok("interface a {\nreqid 1\nmtu 1280\naddress "
			   "fd00::1\n}\ninterface b {\nreqid 2\nmtu 68\n"
			   "address 10.9.0.1\n}\n"));
	parse_bad("interface a {\nreqid 1\nmark 0x100\n}\n",
	    "t.conf:3: mark 0x100/0xffffffff of interface a overlaps the "
	    "global mark 0x45/0xff (the default); expected a mask sharing no "
	    "bit with 0xff\n");
	parse_bad("mark 0x10000/0xf0000\ninterface a {\nreqid 1\nmark "
		  "0x10000/0x10000\n}\n",
	    "t.conf:4: mark 0x10000/0x10000 of interface a overlaps the "
	    "global mark 0x10000/0xf0000 (line 1); expected a mask sharing no "
	    "bit with 0xf0000\n");
	conf_free(parse_ok("mark 0x10000/0xf0000\ninterface a {\nreqid 1\n"
			   "mark 0xff/0xfff\n}\n"));
	/* A bad mark, global or not, is one error: no overlap is made up. */
	parse_bad("interface a {\nreqid 1\nmark 0x100/0xff\n}\n",
	    "t.conf:3: bad mark \"0x100/0xff\"; the value has bits outside "
	    "the mask\n");
	parse_bad("mark 0/0xff00\ninterface a {\nreqid 1\nmark 0x1\n}\n",
	    "t.conf:1: bad mark \"0/0xff00\"; expected a nonzero value: the "
	    "routing rule must tell ipsecd's packets from unmarked ones\n");
	/* The default interface may have no key, under its own name. */
	conf_free(parse_ok("interface ipsec0 {\nroute 0.0.0.0/0\n}\n"));
	conf_free(parse_ok("default-interface gw\ninterface gw {\n}\n"));
	parse_bad("default-interface gw\ninterface ipsec0 {\n}\n",
	    "t.conf:2: interface ipsec0 has no reqid or if-id; expected one "
	    "of them (only the default interface, gw, may have neither)\n");
}
END_TEST

/* Whole-file errors come after the others, sorted by line. */
START_TEST(test_conf_parse_buffer_error_order)
{
	parse_bad("interface b {\nreqid 1\naddress 10.0.0.1\n}\n"
		  "interface a {\nreqid 1\naddress 10.0.0.1\nworkers 1\n}\n"
		  "interface c {\n}\nmtux 1\n",
	    "t.conf:8: unknown keyword \"workers\" in interface a; expected "
	    "address, if-id, mark, mtu, reqid, route or tunnel\n"
	    "t.conf:12: unknown keyword \"mtux\"; expected control-socket, "
	    "crypto, default-interface, group, include, interface, mark, "
	    "natt-keepalive, natt-port, pfkey-socket, replay-window, "
	    "rule-priority, table, tun-offload, user, workers or a knob name "
	    "(net.inet.ipsec.dfbit, ...)\n"
	    "t.conf:6: reqid 1 already used by interface b at line 2\n"
	    "t.conf:7: address 10.0.0.1 already on interface b at line 3\n"
	    "t.conf:10: interface c has no reqid or if-id; expected one of "
	    "them (only the default interface, ipsec0, may have neither)\n");
}
END_TEST

/* ---- limits: each at its edge and one past ---- */

START_TEST(test_conf_parse_buffer_length_limits)
{
	char *p107 = repeat('p', CONF_SOCKPATH_MAX - 2);
	char *n32 = repeat('u', CONF_NAME_MAX - 1);
	char *i15 = repeat('i', CONF_IFNAME_MAX - 1);
	char *t;
	struct conf *c;

	/* "/" and 106 bytes: 107, the most sun_path holds with its NUL. */
	t = fmt("pfkey-socket /%s\n", p107);
	c = parse_ok(t);
	ck_assert_uint_eq(strlen(c->pfkey_socket), CONF_SOCKPATH_MAX - 1);
	conf_free(c);
	free(t);
	t = fmt("control-socket /%sp\n", p107);
	ck_assert_ptr_null(parse(t));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_nonnull(strstr(errs.text,
	    "too long (have 108 bytes, "
	    "max 107)"));
	free(t);
	t = fmt("user %s\ngroup %s\n", n32, n32);
	c = parse_ok(t);
	ck_assert_str_eq(c->user, n32);
	conf_free(c);
	free(t);
	t = fmt("user %su\n", n32);
	ck_assert_ptr_null(parse(t));
	ck_assert_ptr_nonnull(strstr(errs.text,
	    "too long (have 33 bytes, "
	    "max 32)"));
	free(t);
	t = fmt("default-interface %s\ninterface %s {\n}\n", i15, i15);
	c = parse_ok(t);
	ck_assert_str_eq(c->ifaces[0].name, i15);
	conf_free(c);
	free(t);
	t = fmt("interface %si {\nreqid 1\n}\n", i15);
	ck_assert_ptr_null(parse(t));
	ck_assert_str_eq(errs.text,
	    "t.conf:1: interface name "
	    "\"iiiiiiiiiiiiiiii\" too long (have 16 "
	    "bytes, max 15)\n");
	free(t);
	t = fmt("default-interface %si\n", i15);
	ck_assert_ptr_null(parse(t));
	ck_assert_str_eq(errs.text,
	    "t.conf:1: interface name \"iiiiiiiiiiiiiiii\" for "
	    "default-interface too long (have 16 bytes, max 15)\n");
	free(t);
	free(p107);
	free(n32);
	free(i15);
}
END_TEST

START_TEST(test_conf_parse_buffer_file_size)
{
	char *buf = repeat(' ', CONF_FILE_MAX + 1);
	struct conf *c;

	memcpy(buf, "workers 5\n#", 11);
	c = conf_parse_buffer("t.conf", buf, CONF_FILE_MAX, collect, &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->workers, 5);
	conf_free(c);
	memset(&errs, 0, sizeof(errs));
	ck_assert_ptr_null(conf_parse_buffer(
	    "t.conf", buf, CONF_FILE_MAX + 1, collect, &errs));
	ck_assert_str_eq(
	    errs.text, "t.conf: too large (more than 1048576 bytes)\n");
	free(buf);
}
END_TEST

/* An interface with n distinct addresses or routes, as text. */
static char *
many(bool is_route, size_t n)
{
	size_t size = n * 32 + 64, o;
	char *s = malloc(size);

	ck_assert_ptr_nonnull(s);
	o = (size_t)snprintf(s, size, "interface x {\nreqid 1\n");
	for (size_t i = 0; i < n; i++) {
		unsigned hi = (unsigned)(i >> 8 & 0xff),
			 lo = (unsigned)(i & 0xff);

		if (is_route)
			o += (size_t)snprintf(
			    s + o, size - o, "route 10.%u.%u.0/24\n", hi, lo);
		else
			o += (size_t)snprintf(s + o, size - o,
			    "address 10.9.%u.%u\n", hi, lo + 1);
	}
	snprintf(s + o, size - o, "}\n");
	return s;
}

START_TEST(test_conf_parse_buffer_count_limits)
{
	char *t;
	struct conf *c;

	t = many(false, CONF_ADDRS_MAX);
	c = parse_ok(t);
	ck_assert_uint_eq(c->ifaces[0].naddrs, CONF_ADDRS_MAX);
	conf_free(c);
	free(t);
	t = many(false, CONF_ADDRS_MAX + 1);
	ck_assert_ptr_null(parse(t));
	ck_assert_str_eq(errs.text,
	    "t.conf:67: too many addresses on "
	    "interface x (max 64)\n");
	free(t);
	t = many(true, CONF_ROUTES_MAX);
	c = parse_ok(t);
	ck_assert_uint_eq(c->ifaces[0].nroutes, CONF_ROUTES_MAX);
	conf_free(c);
	free(t);
	t = many(true, CONF_ROUTES_MAX + 1);
	ck_assert_ptr_null(parse(t));
	ck_assert_str_eq(errs.text,
	    "t.conf:4099: too many routes on "
	    "interface x (max 4096)\n");
	free(t);
}
END_TEST

START_TEST(test_conf_parse_buffer_interface_limit)
{
	size_t size = (CONF_IFACES_MAX + 1) * 48, o = 0;
	char *t = malloc(size);
	struct conf *c;

	ck_assert_ptr_nonnull(t);
	for (unsigned i = 0; i < CONF_IFACES_MAX; i++)
		o += (size_t)snprintf(
		    t + o, size - o, "interface i%u { reqid %u }\n", i, i + 1);
	c = parse_ok(t);
	ck_assert_uint_eq(c->nifaces, CONF_IFACES_MAX);
	conf_free(c);
	snprintf(t + o, size - o, "interface last { reqid 99999 }\n");
	ck_assert_ptr_null(parse(t));
	ck_assert_str_eq(errs.text,
	    "t.conf:1025: too many interfaces (max "
	    "1024)\n");
	free(t);
}
END_TEST

/* ---- includes ---- */

START_TEST(test_conf_parse_buffer_include)
{
	char *name, *t, *abs;
	struct conf *c;

	free(tmp_file("sa.conf", 0600, "flush;\n"));
	free(tmp_file("b.conf", 0400, "flush;\n"));
	name = fmt("%s/ipsecd.conf", tmpdir);
	abs = fmt("%s/b.conf", tmpdir);
	t = fmt("include sa.conf\ninclude \"%s\"\n", abs);
	c = parse_as(name, t);
	ck_assert_msg(c != NULL, "%s", errs.text);
	ck_assert_uint_eq(c->nincludes, 2);
	free(t);
	t = fmt("%s/sa.conf", tmpdir);
	ck_assert_str_eq(c->includes[0].path, t);
	ck_assert_uint_eq(c->includes[0].line, 1);
	ck_assert_str_eq(c->includes[1].path, abs);
	ck_assert_uint_eq(c->includes[1].line, 2);
	conf_free(c);
	free(t);
	/* Twice the same file, by two spellings. */
	t = fmt("include sa.conf\ninclude \"%s/sa.conf\"\n", tmpdir);
	ck_assert_ptr_null(parse_as(name, t));
	free(t);
	t = fmt(
	    "%s:2: \"%s/sa.conf\" already included at line 1\n", name, tmpdir);
	ck_assert_str_eq(errs.text, t);
	free(t);
	/* Without a directory in the name, relative stays relative. */
	ck_assert_ptr_null(parse_as("ipsecd.conf", "include nowhere.conf\n"));
	ck_assert_str_eq(errs.text,
	    "ipsecd.conf:1: include \"nowhere.conf\": "
	    "No such file or directory\n");
	parse_bad("include \"\"\n",
	    "t.conf:1: empty include path; expected include FILE\n");
	free(abs);
	free(name);
}
END_TEST

START_TEST(test_conf_parse_buffer_include_permissions)
{
	static const struct {
		mode_t mode;
		const char *why;
	} m[] = {
		{ 0640,
		    "mode 0640 gives group or others access; expected 0600 "
		    "or stricter" },
		{ 0620,
		    "mode 0620 gives group or others access; expected 0600 "
		    "or stricter" },
		{ 0610,
		    "mode 0610 gives group or others access; expected 0600 "
		    "or stricter" },
		{ 0604,
		    "mode 0604 gives group or others access; expected 0600 "
		    "or stricter" },
		{ 0602,
		    "mode 0602 gives group or others access; expected 0600 "
		    "or stricter" },
		{ 0601,
		    "mode 0601 gives group or others access; expected 0600 "
		    "or stricter" },
	};
	char *name = fmt("%s/ipsecd.conf", tmpdir), *want;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		free(tmp_file("k", m[i].mode, "x\n"));
		ck_assert_ptr_null(parse_as(name, "include k\n"));
		want = fmt("%s:1: include \"k\": %s\n", name, m[i].why);
		ck_assert_str_eq(errs.text, want);
		free(want);
	}
	free(tmp_file("k", 0700, "x\n"));
	conf_free(parse_as(name, "include k\n"));
	ck_assert_uint_eq(errs.n, 0);
	want = fmt("%s/d", tmpdir);
	ck_assert_int_eq(mkdir(want, 0700), 0);
	free(want);
	ck_assert_ptr_null(parse_as(name, "include d\n"));
	want = fmt("%s:1: include \"d\": not a regular file\n", name);
	ck_assert_str_eq(errs.text, want);
	free(want);
	free(name);
}
END_TEST

/* A path of CONF_PATH_MAX - 1 bytes passes the length check (and fails
 * at stat); one more byte fails the length check. */
START_TEST(test_conf_parse_buffer_include_length)
{
	char *p = repeat('a', CONF_PATH_MAX - 1), *t;

	p[0] = '/';
	t = fmt("include %s\n", p);
	ck_assert_ptr_null(parse(t));
	ck_assert_ptr_null(strstr(errs.text, "too long (have"));
	ck_assert_ptr_nonnull(strstr(errs.text, "File name too long"));
	free(t);
	t = fmt("include %sa\n", p);
	ck_assert_ptr_null(parse(t));
	ck_assert_ptr_nonnull(strstr(errs.text,
	    "too long (have 4096 bytes, "
	    "max 4095)"));
	free(t);
	/* Relative: the directory of the file ("d/") counts too. */
	p[0] = 'a';
	p[CONF_PATH_MAX - 3] = '\0';
	t = fmt("include %s\n", p);
	ck_assert_ptr_null(parse_as("d/x.conf", t));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_null(strstr(errs.text, "too long (have"));
	free(t);
	t = fmt("include %sa\n", p);
	ck_assert_ptr_null(parse_as("d/x.conf", t));
	ck_assert_ptr_nonnull(strstr(errs.text,
	    "too long (have 4096 bytes, "
	    "max 4095)"));
	free(t);
	free(p);
}
END_TEST

START_TEST(test_conf_parse_buffer_include_count)
{
	size_t size = (CONF_INCLUDES_MAX + 1) * 32, o = 0;
	char *t = malloc(size), *name = fmt("%s/ipsecd.conf", tmpdir);
	struct conf *c;

	ck_assert_ptr_nonnull(t);
	for (unsigned i = 0; i <= CONF_INCLUDES_MAX; i++) {
		char *f = fmt("k%u", i);

		free(tmp_file(f, 0600, "x\n"));
		free(f);
	}
	for (unsigned i = 0; i < CONF_INCLUDES_MAX; i++)
		o += (size_t)snprintf(t + o, size - o, "include k%u\n", i);
	c = parse_as(name, t);
	ck_assert_msg(c != NULL, "%s", errs.text);
	ck_assert_uint_eq(c->nincludes, CONF_INCLUDES_MAX);
	conf_free(c);
	snprintf(t + o, size - o, "include k%u\n", CONF_INCLUDES_MAX);
	ck_assert_ptr_null(parse_as(name, t));
	ck_assert_ptr_nonnull(strstr(errs.text,
	    ":65: too many include "
	    "statements (max 64)\n"));
	free(name);
	free(t);
}
END_TEST

/* ---- reload ---- */

/*
 * Reload as the daemon does it: parse into a new conf, swap only when
 * the parse returned one.  A bad file leaves the running conf as it was.
 */
START_TEST(test_conf_parse_buffer_reload)
{
	const char *good1 = "workers 2\ninterface a {\nreqid 1\n}\n";
	const char *bad = "workers 3\ninterface a {\nreqid x\n}\n";
	const char *good2 = "workers 4\n";
	struct conf *running = parse_ok(good1), *next;

	next = parse(bad);
	ck_assert_ptr_null(next);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_uint_eq(running->workers, 2);
	ck_assert_uint_eq(running->nifaces, 1);
	ck_assert_str_eq(running->ifaces[0].name, "a");
	next = parse_ok(good2);
	conf_free(running);
	running = next;
	ck_assert_uint_eq(running->workers, 4);
	ck_assert_uint_eq(running->nifaces, 0);
	conf_free(running);
}
END_TEST

/* ---- conf_parse_file and conf_test ---- */

START_TEST(test_conf_parse_file_errors)
{
	char *good = tmp_file("good.conf", 0644, "workers 7\n");
	char *missing = fmt("%s/missing.conf", tmpdir), *want;
	char *big;
	struct conf *c;
	FILE *f;

	memset(&errs, 0, sizeof(errs));
	c = conf_parse_file(good, collect, &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->file, good);
	ck_assert_uint_eq(c->workers, 7);
	conf_free(c);
	memset(&errs, 0, sizeof(errs));
	ck_assert_ptr_null(conf_parse_file(missing, collect, &errs));
	want = fmt("%s: No such file or directory\n", missing);
	ck_assert_str_eq(errs.text, want);
	free(want);
	memset(&errs, 0, sizeof(errs));
	ck_assert_ptr_null(conf_parse_file(tmpdir, collect, &errs));
	want = fmt("%s: Is a directory\n", tmpdir);
	ck_assert_str_eq(errs.text, want);
	free(want);
	/* One byte past the limit. */
	big = fmt("%s/big.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(big, "w"));
	for (size_t i = 0; i <= CONF_FILE_MAX; i++)
		fputc(i % 64 == 63 ? '\n' : ' ', f);
	fclose(f);
	memset(&errs, 0, sizeof(errs));
	ck_assert_ptr_null(conf_parse_file(big, collect, &errs));
	want = fmt("%s: too large (more than 1048576 bytes)\n", big);
	ck_assert_str_eq(errs.text, want);
	free(want);
	ck_assert_int_eq(truncate(big, CONF_FILE_MAX), 0);
	memset(&errs, 0, sizeof(errs));
	conf_free(c = conf_parse_file(big, collect, &errs));
	ck_assert_ptr_nonnull(c);
	free(big);
	free(missing);
	free(good);
}
END_TEST

/* conf_test's output and status, read back from a temporary file. */
static int
run_test(const char *path, char *out, size_t size)
{
	FILE *f = tmpfile();
	int status;
	size_t n;

	ck_assert_ptr_nonnull(f);
	status = conf_test(path, f);
	rewind(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	return status;
}

START_TEST(test_conf_test_output)
{
	char *good = tmp_file("good.conf", 0644, "workers 1\n");
	char *bad = tmp_file("bad.conf", 0644, "workers 1\nworkers 2\nfoo\n");
	char out[4096], *want;

	ck_assert_int_eq(run_test(good, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "configuration OK\n");
	ck_assert_int_eq(run_test(bad, out, sizeof(out)), 1);
	want =
	    fmt("%s:2: workers already set at line 1\n"
		"%s:3: unknown keyword \"foo\"; expected control-socket, "
		"crypto, default-interface, group, include, interface, mark, "
		"natt-keepalive, natt-port, pfkey-socket, replay-window, "
		"rule-priority, table, tun-offload, user, workers or a knob "
		"name (net.inet.ipsec.dfbit, ...)\n",
		bad, bad);
	ck_assert_str_eq(out, want);
	free(want);
	free(good);
	free(bad);
}
END_TEST

/* ---- conf_secret_check ---- */

static struct stat
st_of(mode_t mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	return st;
}

START_TEST(test_conf_secret_check_stat)
{
	char why[CONF_WHY_MAX];
	struct stat st;

	st = st_of(S_IFREG | 0600, 0);
	ck_assert(conf_secret_check(&st, 0, why, sizeof(why)));
	ck_assert(conf_secret_check(&st, 1000, why, sizeof(why)));
	st = st_of(S_IFREG | 0400, 1000);
	ck_assert(conf_secret_check(&st, 1000, why, sizeof(why)));
	st = st_of(S_IFREG | 0700, 1000);
	ck_assert(conf_secret_check(&st, 1000, why, sizeof(why)));
	st = st_of(S_IFREG | 0600, 1000);
	ck_assert(!conf_secret_check(&st, 0, why, sizeof(why)));
	ck_assert_str_eq(why, "owned by uid 1000; expected root");
	ck_assert(!conf_secret_check(&st, 1001, why, sizeof(why)));
	ck_assert_str_eq(why, "owned by uid 1000; expected root or uid 1001");
	for (mode_t bit = 1; bit <= 040; bit <<= 1) {
		st = st_of(S_IFREG | 0600 | bit, 0);
		ck_assert(!conf_secret_check(&st, 0, why, sizeof(why)));
		ck_assert_ptr_nonnull(strstr(why, "gives group or others"));
	}
	st = st_of(S_IFDIR | 0700, 0);
	ck_assert(!conf_secret_check(&st, 0, why, sizeof(why)));
	ck_assert_str_eq(why, "not a regular file");
	st = st_of(S_IFIFO | 0600, 0);
	ck_assert(!conf_secret_check(&st, 0, why, sizeof(why)));
	st = st_of(S_IFLNK | 0600, 0);
	ck_assert(!conf_secret_check(&st, 0, why, sizeof(why)));
}
END_TEST

START_TEST(test_conf_secret_check_fd_and_path)
{
	char *path = tmp_file("key", 0600, "x\n"), *missing;
	char why[CONF_WHY_MAX];
	int fd;

	ck_assert(conf_secret_check_path(path, why, sizeof(why)));
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert(conf_secret_check_fd(fd, why, sizeof(why)));
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	ck_assert(!conf_secret_check_fd(fd, why, sizeof(why)));
	ck_assert_str_eq(why,
	    "mode 0644 gives group or others access; "
	    "expected 0600 or stricter");
	ck_assert(!conf_secret_check_path(path, why, sizeof(why)));
	close(fd);
	ck_assert(!conf_secret_check_fd(fd, why, sizeof(why)));
	ck_assert_str_eq(why, strerror(EBADF));
	missing = fmt("%s/none", tmpdir);
	ck_assert(!conf_secret_check_path(missing, why, sizeof(why)));
	ck_assert_str_eq(why, strerror(ENOENT));
	free(missing);
	free(path);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("conf_new");
	tcase_add_test(tc, test_conf_new_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_keyword");
	tcase_add_test(tc, test_conf_keyword_sorted);
	tcase_add_test(tc, test_conf_keyword_each_resolves);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_parse_buffer");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_conf_parse_buffer_empty);
	tcase_add_test(tc, test_conf_parse_buffer_every_global);
	tcase_add_test(tc, test_conf_parse_buffer_ranges);
	tcase_add_test(tc, test_conf_parse_buffer_knobs);
	tcase_add_test(tc, test_conf_parse_buffer_interface);
	tcase_add_test(tc, test_conf_parse_buffer_block_forms);
	tcase_add_test(tc, test_conf_parse_buffer_statement_errors);
	tcase_add_test(tc, test_conf_parse_buffer_lexer);
	tcase_add_test(tc, test_conf_parse_buffer_show_limit);
	tcase_add_test(tc, test_conf_parse_buffer_values);
	tcase_add_test(tc, test_conf_parse_buffer_addresses);
	tcase_add_test(tc, test_conf_parse_buffer_whole_file_checks);
	tcase_add_test(tc, test_conf_parse_buffer_error_order);
	tcase_add_test(tc, test_conf_parse_buffer_length_limits);
	tcase_add_test(tc, test_conf_parse_buffer_file_size);
	tcase_add_test(tc, test_conf_parse_buffer_count_limits);
	tcase_add_test(tc, test_conf_parse_buffer_interface_limit);
	tcase_add_test(tc, test_conf_parse_buffer_include);
	tcase_add_test(tc, test_conf_parse_buffer_include_permissions);
	tcase_add_test(tc, test_conf_parse_buffer_include_length);
	tcase_add_test(tc, test_conf_parse_buffer_include_count);
	tcase_add_test(tc, test_conf_parse_buffer_reload);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_parse_file");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_conf_parse_file_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_test");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_conf_test_output);
	suite_add_tcase(s, tc);
	tc = tcase_create("conf_secret_check");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_conf_secret_check_stat);
	tcase_add_test(tc, test_conf_secret_check_fd_and_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
