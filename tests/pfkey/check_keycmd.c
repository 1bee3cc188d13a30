/*
 * ipsecctl's PF_KEY commands (src/ipsecctl/keycmd.h) against a PF_KEY
 * server: a child process runs the server (the conformance harness) while
 * the test calls keycmd_file, keycmd_dump, keycmd_flush and
 * keycmd_monitor as ipsecctl's main will, and checks their exit status
 * and what they print (setkey -D / -DP forms, errors as file:line).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "harness.h"
#include "ipsecctl/keycmd.h"

static pid_t server;
static char path[108];
static char dir[64];

/* The server child: set up, say where, serve until killed. */
static void
serve(int wfd)
{
	static struct hx h;

	/* check's runner kills its process group on SIGTERM: not ours. */
	signal(SIGTERM, SIG_DFL);
	hx_setup(&h);
	if (write(wfd, h.path, sizeof(h.path)) != sizeof(h.path))
		_exit(2);
	close(wfd);
	event_base_dispatch(h.base);
	_exit(0);
}

static void
setup(void)
{
	int fds[2];
	char *slash;

	ck_assert_int_eq(pipe(fds), 0);
	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		close(fds[0]);
		serve(fds[1]);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], path, sizeof(path)), sizeof(path));
	close(fds[0]);
	memcpy(dir, path, sizeof(dir) - 1);
	dir[sizeof(dir) - 1] = '\0';
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
}

static void
teardown(void)
{
	int status;

	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	unlink(path);
	rmdir(dir);
}

/* Output and error streams of one call, in memory. */
struct io {
	char *out, *err;
	size_t out_len, err_len;
	struct keycmd_opts o;
};

static void
io_open(struct io *io, unsigned flags)
{
	memset(io, 0, sizeof(*io));
	io->o.path = path;
	io->o.flags = flags;
	io->o.replay_window = KEYCMD_REPLAY_DEFAULT;
	ck_assert_ptr_nonnull(
	    io->o.out = open_memstream(&io->out, &io->out_len));
	ck_assert_ptr_nonnull(
	    io->o.err = open_memstream(&io->err, &io->err_len));
}

static void
io_close(struct io *io)
{
	fclose(io->o.out);
	fclose(io->o.err);
}

static void
io_free(struct io *io)
{
	free(io->out);
	free(io->err);
}

/* Run text as a file named f.conf; its exit status. */
static int
run_file(struct io *io, unsigned flags, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc;

	ck_assert_ptr_nonnull(in);
	io_open(io, flags);
	rc = keycmd_file(&io->o, "f.conf", in);
	io_close(io);
	fclose(in);
	return rc;
}

static int
run_dump(struct io *io, unsigned flags, bool is_spd)
{
	int rc;

	io_open(io, flags);
	rc = keycmd_dump(&io->o, is_spd);
	io_close(io);
	return rc;
}

static const char keys[] =
    "flush;\n"
    "spdflush;\n"
    "add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -u 5 -E aes-gcm-16 "
    "0x000102030405060708090a0b0c0d0e0f10111213;\n"
    "add 2001:db8::1 2001:db8::2 ah 0x1001 -A hmac-sha1 "
    "\"01234567890123456789\";\n"
    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec "
    "esp/tunnel/192.0.2.1-192.0.2.2/require;\n";

START_TEST(test_keycmd_file_applies)
{
	struct io io;

	ck_assert_int_eq(run_file(&io, 0, keys), KEYCMD_OK);
	ck_assert_msg(io.err_len == 0, "%s", io.err);
	io_free(&io);
	ck_assert_int_eq(run_dump(&io, 0, false), KEYCMD_OK);
	ck_assert_msg(strstr(io.out,
			  "192.0.2.1 192.0.2.2 \n\tesp mode=tunnel "
			  "spi=4096(0x00001000) reqid=5") != NULL,
	    "%s", io.out);
	ck_assert_msg(
	    strstr(io.out, "\tE: aes-gcm-16\n") != NULL, "%s", io.out);
	ck_assert_msg(
	    strstr(io.out, "ah mode=transport spi=4097") != NULL, "%s", io.out);
	/* The default replay window of -f. */
	ck_assert_msg(strstr(io.out, "replay=64 ") != NULL, "%s", io.out);
	ck_assert(strstr(io.out, "0001020304") == NULL);
	io_free(&io);
	ck_assert_int_eq(run_dump(&io, KEYCMD_SHOW_KEYS, false), KEYCMD_OK);
	ck_assert_msg(
	    strstr(io.out, "E: aes-gcm-16  00010203") != NULL, "%s", io.out);
	io_free(&io);
	ck_assert_int_eq(run_dump(&io, 0, true), KEYCMD_OK);
	ck_assert_msg(strstr(io.out,
			  "10.1.0.0/16[any] 10.2.0.0/16[any] 255\n"
			  "\tout prio def ipsec\n"
			  "\tesp/tunnel/192.0.2.1-192.0.2.2/"
			  "require\n") != NULL,
	    "%s", io.out);
	io_free(&io);
}
END_TEST

START_TEST(test_keycmd_file_errors_go_on)
{
	static const char text[] =
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1001 -E aes-gcm-99 \"x\";\n"
	    "delete 192.0.2.1 192.0.2.2 esp 0x2000;\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1002 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n";
	struct io io;

	ck_assert_int_eq(run_file(&io, 0, text), KEYCMD_REFUSED);
	ck_assert_msg(strstr(io.err,
			  "f.conf:2: add esp 0x1000 192.0.2.1 "
			  "192.0.2.2: File exists\n") != NULL,
	    "%s", io.err);
	ck_assert_msg(strstr(io.err, "f.conf:3: ") != NULL, "%s", io.err);
	ck_assert_msg(strstr(io.err,
			  "f.conf:4: delete esp 0x2000 192.0.2.1 "
			  "192.0.2.2: No such process\n") != NULL,
	    "%s", io.err);
	io_free(&io);
	/* The good ones were applied all the same. */
	ck_assert_int_eq(run_dump(&io, 0, false), KEYCMD_OK);
	ck_assert(strstr(io.out, "spi=4096(") != NULL);
	ck_assert(strstr(io.out, "spi=4098(") != NULL);
	ck_assert(strstr(io.out, "spi=4097(") == NULL);
	io_free(&io);
}
END_TEST

START_TEST(test_keycmd_file_get_deleteall_dump)
{
	static const char text[] =
	    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n"
	    "add 192.0.2.1 192.0.2.2 esp 0x1001 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n"
	    "add 192.0.2.1 192.0.2.3 esp 0x1002 -E aes-gcm-16 "
	    "\"0123456789abcdefSALT\";\n"
	    "get 192.0.2.1 192.0.2.3 esp 0x1002;\n"
	    "deleteall 192.0.2.1 192.0.2.2 esp;\n"
	    "dump esp;\n"
	    "spddump;\n";
	struct io io;
	char *second;

	ck_assert_int_eq(run_file(&io, 0, text), KEYCMD_OK);
	ck_assert_msg(io.err_len == 0, "%s", io.err);
	/* get prints 0x1002; the dump after deleteall prints it alone. */
	ck_assert_ptr_nonnull(second = strstr(io.out, "spi=4098("));
	ck_assert_ptr_nonnull(strstr(second + 1, "spi=4098("));
	ck_assert(strstr(io.out, "spi=4096(") == NULL);
	ck_assert(strstr(io.out, "spi=4097(") == NULL);
	ck_assert_msg(
	    strstr(io.out, "No SPD entries.\n") != NULL, "%s", io.out);
	io_free(&io);
}
END_TEST

START_TEST(test_keycmd_flush_empties)
{
	struct io io;

	ck_assert_int_eq(run_file(&io, 0, keys), KEYCMD_OK);
	io_free(&io);
	io_open(&io, 0);
	ck_assert_int_eq(keycmd_flush(&io.o, false), KEYCMD_OK);
	ck_assert_int_eq(keycmd_flush(&io.o, true), KEYCMD_OK);
	io_close(&io);
	io_free(&io);
	ck_assert_int_eq(run_dump(&io, 0, false), KEYCMD_OK);
	ck_assert_str_eq(io.out, "No SAD entries.\n");
	io_free(&io);
	ck_assert_int_eq(run_dump(&io, 0, true), KEYCMD_OK);
	ck_assert_str_eq(io.out, "No SPD entries.\n");
	io_free(&io);
}
END_TEST

START_TEST(test_keycmd_not_running)
{
	struct io io;

	io_open(&io, 0);
	io.o.path = "/nonexistent/ipsecd/pfkey.sock";
	ck_assert_int_eq(keycmd_dump(&io.o, false), KEYCMD_NOCONN);
	io_close(&io);
	ck_assert_msg(strstr(io.err, "/nonexistent/ipsecd/pfkey.sock") != NULL,
	    "%s", io.err);
	io_free(&io);
	/* A file: the first command finds no ipsecd and stops there. */
	{
		FILE *in = fmemopen((void *)keys, strlen(keys), "r");

		io_open(&io, 0);
		io.o.path = "/nonexistent/ipsecd/pfkey.sock";
		ck_assert_int_eq(
		    keycmd_file(&io.o, "f.conf", in), KEYCMD_NOCONN);
		io_close(&io);
		fclose(in);
		ck_assert(strstr(io.err, "/nonexistent/ipsecd") != NULL);
		io_free(&io);
	}
}
END_TEST

/* A listener that closes every connection: what ipsecd does to peers
 * that are not root nor in its group. */
START_TEST(test_keycmd_closed_by_ipsecd)
{
	struct sockaddr_un sun;
	struct io io;
	char closing[140];
	int lfd, status;
	pid_t pid;

	snprintf(closing, sizeof(closing), "%s/closing.sock", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, closing);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = accept(lfd, NULL, NULL);

		close(fd);
		_exit(0);
	}
	io_open(&io, 0);
	io.o.path = closing;
	ck_assert_int_eq(keycmd_dump(&io.o, true), KEYCMD_NOCONN);
	io_close(&io);
	ck_assert_msg(
	    strstr(io.err, "closed the connection") != NULL, "%s", io.err);
	io_free(&io);
	waitpid(pid, &status, 0);
	close(lfd);
	unlink(closing);
}
END_TEST

START_TEST(test_keycmd_monitor_until_sigterm)
{
	char out[140];
	struct io io;
	FILE *fp;
	char buf[8192];
	size_t n;
	int status, fd;
	pid_t pid;
	static struct hx_msg r;
	static struct tmsg t;
	struct sockaddr_un sun;

	snprintf(out, sizeof(out), "%s/monitor.out", dir);
	/*
	 * Our own socket, served before the monitor starts (a GET answered),
	 * will see the monitor's X_PROMISC: then the monitor listens.
	 */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	hx_tm_sa_id(
	    &t, SADB_GET, SADB_SATYPE_ESP, 0x4242, "192.0.2.1", "192.0.2.2");
	ck_assert_int_gt(send(fd, t.buf, tm_done(&t), 0), 0);
	ck_assert_int_eq(recv(fd, r.buf, sizeof(r.buf), 0), 16);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct keycmd_opts o = { path, 0, 0, NULL, NULL };

		if ((o.out = fopen(out, "w")) == NULL)
			_exit(9);
		o.err = o.out;
		_exit(keycmd_monitor(&o));
	}
	do {
		ssize_t got = recv(fd, r.buf, sizeof(r.buf), 0);

		ck_assert_int_ge(got, 16);
	} while (r.buf[1] != SADB_X_PROMISC);
	close(fd);
	ck_assert_int_eq(run_file(&io, 0, keys), KEYCMD_OK);
	io_free(&io);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), KEYCMD_OK);
	ck_assert_ptr_nonnull(fp = fopen(out, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(out);
	ck_assert_msg(strstr(buf, " add satype=3 ") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, " x_spdadd satype=0 ") != NULL, "%s", buf);
	/* The ADD's broadcast is shown as an SA, without its key. */
	ck_assert_msg(
	    strstr(buf, "esp mode=tunnel spi=4096(") != NULL, "%s", buf);
	ck_assert(strstr(buf, "00010203") == NULL);
}
END_TEST

static Suite *
keycmd_suite(void)
{
	Suite *s = suite_create("keycmd");
	TCase *tc;

	tc = tcase_create("keycmd_file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keycmd_file_applies);
	tcase_add_test(tc, test_keycmd_file_errors_go_on);
	tcase_add_test(tc, test_keycmd_file_get_deleteall_dump);
	suite_add_tcase(s, tc);

	tc = tcase_create("keycmd_flush");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keycmd_flush_empties);
	suite_add_tcase(s, tc);

	tc = tcase_create("keycmd_connection");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keycmd_not_running);
	tcase_add_test(tc, test_keycmd_closed_by_ipsecd);
	suite_add_tcase(s, tc);

	tc = tcase_create("keycmd_monitor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keycmd_monitor_until_sigterm);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(keycmd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
