/*
 * The setkey example files (tests/setkey/): every good/NN-what.conf parses
 * without error into the commands its NN-what.out lists (each printed in
 * the input language with its line, keys shown), and each of those prints
 * and parses back to the same command; every bad/NN-what.conf gives
 * exactly the error lines of its NN-what.err.  The sources of the files
 * are cited in their first lines.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_setkey.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_fmt.h"

#ifndef SETKEY_TESTDIR
#error "SETKEY_TESTDIR (tests/setkey in the source tree) is not defined"
#endif

/* The whole of a file, NUL-terminated; *len excludes the NUL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, fp);

		n += got;
		if (got == 0)
			break;
	}
	ck_assert(!ferror(fp));
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Names of the *.conf files of dir, sorted; returns their count. */
static size_t
conf_files(const char *dir, char names[][128], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		ck_assert_uint_lt(n, max);
		ck_assert_uint_lt(len, 128);
		strcpy(names[n++], e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]),
	    (int (*)(const void *, const void *))strcmp);
	return n;
}

/* Parse dir/name (under its base name, as messages show it). */
static void
parse_file(struct run *r, const char *dir, const char *name)
{
	struct setkey_sink s = { setkey_list_push, &r->l, run_collect, r };
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	memset(r, 0, sizeof(*r));
	r->rc = setkey_parse_file(name, fp, &s, &r->nerr);
	fclose(fp);
}

static void
sibling(
    char *path, size_t size, const char *dir, const char *name, const char *ext)
{
	snprintf(
	    path, size, "%s/%.*s%s", dir, (int)(strlen(name) - 5), name, ext);
}

START_TEST(test_setkey_parse_file_good_examples)
{
	static char names[64][128];
	const char *dir = SETKEY_TESTDIR "/good";
	size_t n = conf_files(dir, names, 64);

	ck_assert_uint_ge(n, 6);
	for (size_t i = 0; i < n; i++) {
		static struct run r;
		static char got[65536];
		struct setkey_out o;
		char path[512];
		size_t len;
		char *want;
		const char *why;

		parse_file(&r, dir, names[i]);
		ck_assert_msg(
		    r.nerr == 0 && r.rc == 0, "%s: %s", names[i], r.err);
		ck_assert_msg(r.l.ncmds > 0, "%s: no commands", names[i]);
		got[0] = '\0';
		for (size_t k = 0; k < r.l.ncmds; k++) {
			const struct setkey_cmd *c = &r.l.cmds[k];
			char one[4096];
			int h =
			    snprintf(one, sizeof(one), "# line %u\n", c->line);

			setkey_out_buf(&o, one + h, sizeof(one) - (size_t)h);
			setkey_fmt_cmd(&o, c, SETKEY_FMT_KEYS);
			ck_assert_uint_lt(o.len + (size_t)h, sizeof(one));
			ck_assert_uint_lt(
			    strlen(got) + strlen(one), sizeof(got));
			strcat(got, one);
			ck_assert_msg(cmd_round_trip(c, &why), "%s line %u: %s",
			    names[i], c->line, why);
		}
		sibling(path, sizeof(path), dir, names[i], ".out");
		want = slurp(path, &len);
		ck_assert_msg(strcmp(got, want) == 0,
		    "%s:\ngot:\n%s\nwant:\n%s", names[i], got, want);
		free(want);
		run_free(&r);
	}
}
END_TEST

START_TEST(test_setkey_parse_file_bad_examples)
{
	static char names[64][128];
	const char *dir = SETKEY_TESTDIR "/bad";
	size_t n = conf_files(dir, names, 64);

	ck_assert_uint_ge(n, 15);
	for (size_t i = 0; i < n; i++) {
		static struct run r;
		char path[512];
		size_t len, lines = 0;
		char *want;

		parse_file(&r, dir, names[i]);
		sibling(path, sizeof(path), dir, names[i], ".err");
		want = slurp(path, &len);
		for (size_t k = 0; k < len; k++)
			lines += want[k] == '\n';
		ck_assert_msg(strcmp(r.err, want) == 0,
		    "%s:\ngot:\n%s\nwant:\n%s", names[i], r.err, want);
		ck_assert_uint_gt(r.nerr, 0);
		ck_assert_uint_eq(r.nerr, lines);
		ck_assert_int_eq(r.rc, -1);
		free(want);
		run_free(&r);
	}
}
END_TEST

static Suite *
setkey_files_suite(void)
{
	Suite *s = suite_create("setkey_files");
	TCase *tc = tcase_create("parse_file");

	tcase_add_test(tc, test_setkey_parse_file_good_examples);
	tcase_add_test(tc, test_setkey_parse_file_bad_examples);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(setkey_files_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
