/*
 * Fuzz target for the setkey(8) parser: `ipsecctl -f` and ipsecd.conf's
 * include feed it files an administrator wrote, so arbitrary bytes must
 * give errors, never a crash, a hang or a read past the input.  Besides
 * not crashing, every command the parser accepts must survive the round
 * trip print -> parse unchanged (else the target aborts), and must print
 * in setkey -D / -DP form within bounds.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_setkey_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic mutation test of the same entry point in
 * `make check`: each seed (tests/fuzz/corpus/fuzz_setkey/ and the
 * examples of tests/setkey/), every truncation of it and, at up to
 * MAX_SITES positions, each of a few bytes that matter to the grammar in
 * place of the original one.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_setkey.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Larger inputs only repeat statements; keep each run short. */
#define INPUT_MAX 65536

static int
check_cmd(void *arg, const struct setkey_cmd *cmd)
{
	static char buf[16384];
	struct setkey_out o;
	const char *why;

	(void)arg;
	if (!cmd_round_trip(cmd, &why)) {
		setkey_out_buf(&o, buf, sizeof(buf));
		setkey_fmt_cmd(&o, cmd, SETKEY_FMT_KEYS);
		fprintf(stderr, "round trip failed (%s) for: %s", why, buf);
		abort();
	}
	setkey_out_buf(&o, buf, sizeof(buf));
	if (cmd->op == SETKEY_SPDADD || cmd->op == SETKEY_SPDUPDATE ||
	    cmd->op == SETKEY_SPDDELETE) {
		struct setkey_spd_info in = { 0 };

		setkey_fmt_policy(&o, &cmd->pol, &in, SETKEY_FMT_KEYS);
	} else {
		struct setkey_sa_info in = { .now_sec = 1 };

		setkey_fmt_sa(&o, &cmd->sa, &in, SETKEY_FMT_KEYS);
	}
	if (o.len >= sizeof(buf) || strlen(buf) != o.len)
		abort();
	return 0;
}

static void
count_error(void *arg, const char *msg)
{
	size_t *n = arg;

	/* "name:line: message", one line. */
	if (strncmp(msg, "fuzz:", 5) != 0 || strchr(msg, '\n') != NULL)
		abort();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nmsg = 0;
	unsigned nerr = 0;
	struct setkey_sink s = { check_cmd, NULL, count_error, &nmsg };

	if (size > INPUT_MAX)
		return 0;
	(void)setkey_parse_buf("fuzz", (const char *)data, size, &s, &nerr);
	if (nmsg != nerr)
		abort();
	return 0;
}

#ifdef FUZZ_REGRESS
#define MAX_SITES 64

static const uint8_t swaps[] = { ';', '"', '#', '\n', '/', '[', ']', '-', '0',
	'x', '\0', 0xff, ' ' };
static unsigned long runs;

static void
one(const uint8_t *data, size_t size)
{
	LLVMFuzzerTestOneInput(data, size);
	runs++;
}

static int
mutate(const char *path)
{
	FILE *fp = fopen(path, "rb");
	static uint8_t buf[INPUT_MAX], mut[INPUT_MAX];
	size_t n, step;

	if (fp == NULL) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	one(buf, n);
	step = n / MAX_SITES + 1;
	for (size_t cut = 0; cut < n; cut += step)
		one(buf, cut);
	for (size_t off = 0; off < n; off += step)
		for (size_t k = 0; k < sizeof(swaps); k++) {
			if (buf[off] == swaps[k])
				continue;
			memcpy(mut, buf, n);
			mut[off] = swaps[k];
			one(mut, n);
		}
	return 0;
}

/* Every regular file of dir (sorted for a stable order). */
static int
mutate_dir(const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort), fail = 0;
	char path[1024];

	if (n < 0) {
		perror(dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			snprintf(
			    path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			fail |= mutate(path);
		}
		free(list[i]);
	}
	free(list);
	return fail;
}

int
main(void)
{
	int fail = mutate_dir(FUZZ_CORPUS_DIR);

	fail |= mutate_dir(SETKEY_TESTDIR "/good");
	fail |= mutate_dir(SETKEY_TESTDIR "/bad");
	printf("fuzz_setkey_regress: %lu inputs parsed, %s\n", runs,
	    fail ? "FAILED" : "no failures");
	return fail;
}
#endif
