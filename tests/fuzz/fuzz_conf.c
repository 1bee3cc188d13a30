/*
 * Fuzz target for the ipsecd.conf parser: conf_parse_buffer over arbitrary
 * bytes (the config is trusted more than a packet, but a reload must never
 * crash the daemon, and `ipsecd -n` runs on whatever file it is given).
 * Besides crashes, leaks and hangs, each input is checked against the
 * parser's contract: a result exactly when no error was reported, and
 * every error one line that starts with the file name.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_conf_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic mutation test of the same entry point in
 * `make check`: every truncation of the seed configurations, and every
 * byte of them replaced by each of the characters that matter to the
 * lexer, parsed twice with the same outcome.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.conf"

struct outcome {
	unsigned nerrors;
	uint32_t hash; /* of every message, in order */
	bool is_conf;
};

static void
sink(void *arg, const char *msg)
{
	struct outcome *o = arg;

	if (strncmp(msg, NAME ":", sizeof(NAME)) != 0 ||
	    strchr(msg, '\n') != NULL)
		abort();
	for (const char *s = msg; *s != '\0'; s++)
		o->hash = (o->hash ^ (uint8_t)*s) * 16777619u;
	o->nerrors++;
}

static struct outcome
run(const uint8_t *data, size_t size)
{
	struct outcome o = { 0, 2166136261u, false };
	struct conf *c = conf_parse_buffer(NAME, data, size, sink, &o);

	if ((c != NULL) != (o.nerrors == 0))
		abort();
	o.is_conf = c != NULL;
	conf_free(c);
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)run(data, size);
	return 0;
}

#ifdef FUZZ_REGRESS
/* Clean configurations that use every keyword and form between them. */
static const char *const seeds[] = {
	"# ipsecd.conf\n"
	"net.inet.ipsec.dfbit = 2\n"
	"net.inet6.ipsec6.ecn=allowed\n"
	"net.inet.ipsec.ah_offsetmask = 0x1fff\n"
	"workers 4\n"
	"natt-port 4500\n"
	"natt-keepalive 20\n"
	"pfkey-socket \"/run/ipsecd/pfkey.sock\"\n"
	"control-socket /run/ipsecd/control.sock\n"
	"group ipsecd\n"
	"user ipsecd\n"
	"mark 0x45/0xff\n"
	"table 4500\n"
	"rule-priority 4500\n"
	"default-interface ipsec0\n"
	"replay-window 64\n"
	"interface ipsec1 {\n"
	"\treqid 1\n"
	"\taddress 10.1.0.1/30\n"
	"\taddress fd00:1::1/64\n"
	"\tmtu 1400\n"
	"\tmark 0x100/0xff00\n"
	"\troute 10.2.0.0/16\n"
	"\troute fd00:2::/48\n"
	"\ttunnel 192.0.2.1 198.51.100.1\n"
	"}\n",
	"interface a { if-id 7 }\r\n"
	"interface ipsec0\n"
	"{\n"
	"route 0.0.0.0/0 }\n"
	"interface b {\n"
	"reqid 9\n"
	"tunnel fd00::1 fd00::2\n"
	"}\n",
};

#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* What the lexer and parser treat specially. */
static const char repl[] = " \n{}=\"#\0x/.:\t\r\x01\xff";

static unsigned failures;

/* Parse twice: the outcome must not depend on anything but the bytes. */
static void
check(const uint8_t *buf, size_t len, const char *what, size_t at)
{
	struct outcome a = run(buf, len), b = run(buf, len);

	if (a.nerrors != b.nerrors || a.hash != b.hash ||
	    a.is_conf != b.is_conf) {
		fprintf(stderr, "%s at %zu: two parses differ\n", what, at);
		failures++;
	}
}

static int
write_seeds(const char *dir)
{
	char path[512];

	for (size_t i = 0; i < NSEEDS; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed%zu.conf", dir, i);
		if ((f = fopen(path, "w")) == NULL ||
		    fputs(seeds[i], f) == EOF || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[4096];
	unsigned checked = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	for (size_t i = 0; i < NSEEDS; i++) {
		size_t n = strlen(seeds[i]);

		memcpy(buf, seeds[i], n);
		if (!run(buf, n).is_conf) {
			fprintf(stderr, "seed %zu refused\n", i);
			failures++;
		}
		for (size_t cut = 0; cut < n; cut++, checked++)
			check(buf, cut, "truncation", cut);
		for (size_t at = 0; at < n; at++) {
			for (size_t r = 0; r < sizeof(repl) - 1; r++) {
				buf[at] = (uint8_t)repl[r];
				check(buf, n, "replacement", at);
				checked++;
			}
			buf[at] = (uint8_t)seeds[i][at];
		}
	}
	printf("fuzz_conf_regress: %u mutated configurations, %u failures\n",
	    checked, failures);
	return failures == 0 ? 0 : 1;
}
#endif
