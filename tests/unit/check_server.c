/*
 * Unit tests for the PF_KEY server's API (src/pfkey/server.h): the
 * socket (mode, group, stale files, the peer checks), inject, loading
 * setkey files, counters and the acquire state table's bound.  The
 * protocol itself is the conformance suite's (tests/pfkey/), which this
 * shares its harness with.  Refusing a peer needs another uid: that half
 * of test_pfkey_server_listen_peer_checks runs as root only (it says so
 * when it does not).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/ipsec.h>

#include "harness.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

static struct hx H;
static struct tmsg T;
static struct hx_msg R;

static void
setup(void)
{
	hx_setup(&H);
}

static void
teardown(void)
{
	hx_teardown(&H);
}

static uint64_t
clock_fn(void *arg)
{
	(void)arg;
	return H.now;
}

static struct pfkey_server *
second_server(struct event_base *base)
{
	struct pfkey_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = H.sad;
	ctx.spd = H.spd;
	ctx.lib = H.lib;
	ctx.now = clock_fn;
	return pfkey_server_new(&ctx, base);
}

START_TEST(test_pfkey_server_listen_mode_group)
{
	struct stat st;

	ck_assert_int_eq(stat(H.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_gid, getegid());
}
END_TEST

/* A file left at the path (a crashed daemon's socket) is replaced. */
START_TEST(test_pfkey_server_listen_stale_file)
{
	struct pfkey_server *s = second_server(H.base);
	char path[140];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/stale.sock", H.dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fclose(fp);
	ck_assert_int_eq(pfkey_server_listen(s, path, getegid()), 0);
	memcpy(H.path, path, sizeof(H.path));
	fd = hx_connect(&H);
	close(fd);
	pfkey_server_free(s);
	/* Freeing the server removes its socket. */
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* sun_path holds 107 bytes and the NUL: one more is EINVAL. */
START_TEST(test_pfkey_server_listen_path_too_long)
{
	struct pfkey_server *s = second_server(H.base);
	char path[200];
	size_t n;

	n = (size_t)snprintf(path, sizeof(path), "%s/", H.dir);
	memset(path + n, 'p', sizeof(path) - n - 1);
	path[sizeof(((struct sockaddr_un *)0)->sun_path)] = '\0';
	errno = 0;
	ck_assert_int_eq(pfkey_server_listen(s, path, getegid()), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(access(path, F_OK), -1);
	path[sizeof(((struct sockaddr_un *)0)->sun_path) - 1] = '\0';
	ck_assert_int_eq(pfkey_server_listen(s, path, getegid()), 0);
	pfkey_server_free(s);
}
END_TEST

START_TEST(test_pfkey_server_listen_twice_or_no_base)
{
	struct pfkey_server *s = second_server(NULL);
	char path[140];

	snprintf(path, sizeof(path), "%s/x.sock", H.dir);
	errno = 0;
	ck_assert_int_eq(pfkey_server_listen(s, path, getegid()), -1);
	ck_assert_int_eq(errno, EINVAL);
	pfkey_server_free(s);
	errno = 0;
	ck_assert_int_eq(pfkey_server_listen(H.srv, path, getegid()), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/*
 * A child that becomes uid/gid 65534 with groups (ngroups of them),
 * connects and reports whether it was served: 0 served (a REGISTER
 * answered), 1 closed at once, 2 setup failed.
 */
static int
peer_child(const char *path, const gid_t *groups, size_t ngroups)
{
	struct sockaddr_un sun;
	uint8_t buf[1024];
	ssize_t n;
	int fd;

	if (setgroups(ngroups, groups) == -1 || setgid(65534) == -1 ||
	    setuid(65534) == -1)
		return 2;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return 2;
	hx_tm_register(&T, SADB_SATYPE_ESP);
	(void)send(fd, T.buf, tm_done(&T), MSG_NOSIGNAL);
	n = recv(fd, buf, sizeof(buf), 0);
	return n > 0 ? 0 : 1;
}

static int
run_peer(const gid_t *groups, size_t ngroups)
{
	int status = 0;
	pid_t pid = fork(), done;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(peer_child(H.path, groups, ngroups));
	while ((done = waitpid(pid, &status, WNOHANG)) == 0)
		event_base_loop(H.base, EVLOOP_ONCE);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_pfkey_server_listen_peer_checks)
{
	struct pfkey_server_stats st;
	gid_t member = 4242, other = 4343;
	int fd;

	/* Our own uid/group is served. */
	fd = hx_connect(&H);
	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_expect(&H, fd, &R)->hdr.type, SADB_REGISTER);
	close(fd);
	if (geteuid() != 0) {
		fprintf(stderr,
		    "check_server: not root: refusing a peer of "
		    "another uid is not tested\n");
		return;
	}
	/* A socket of group 4242: served when it is among the peer's
	 * groups (SO_PEERGROUPS), closed otherwise. */
	pfkey_server_free(H.srv);
	H.srv = second_server(H.base);
	ck_assert_int_eq(pfkey_server_listen(H.srv, H.path, member), 0);
	/* Anyone may reach the socket: the server's own check decides. */
	ck_assert_int_eq(chmod(H.dir, 0755), 0);
	ck_assert_int_eq(chmod(H.path, 0666), 0);
	ck_assert_int_eq(run_peer(&member, 1), 0);
	ck_assert_int_eq(run_peer(&other, 1), 1);
	ck_assert_int_eq(run_peer(NULL, 0), 1);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.rejected, 2);
}
END_TEST

START_TEST(test_pfkey_server_inject_accepted_broadcast)
{
	int fd = hx_connect(&H);
	struct pfkey_err err;

	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), &err), 0);
	ck_assert_uint_eq(sad_count(H.sad), 1);
	/* Clients learn of it as of any other ADD. */
	hx_expect(&H, fd, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_ADD);
	ck_assert_uint_eq(R.m.hdr.pid, 4242);
	/* A reply to the internal client goes nowhere. */
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), &err), 0);
	ck_assert_uint_eq(hx_drain(&H, fd), 0);
	close(fd);
}
END_TEST

START_TEST(test_pfkey_server_inject_refused_unchanged)
{
	int fd = hx_connect(&H);
	struct pfkey_err err;
	uint64_t d;

	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), NULL), 0);
	hx_drain(&H, fd);
	d = hx_digest(&H);
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), &err), EEXIST);
	ck_assert_int_eq(err.code, EEXIST);
	ck_assert_str_ne(err.why, "");
	ck_assert_int_eq(pfkey_server_inject(H.srv, T.buf, 12, &err), EMSGSIZE);
	ck_assert(!err.has_hdr);
	ck_assert_uint_eq(hx_digest(&H), d);
	ck_assert_uint_eq(hx_drain(&H, fd), 0);
	close(fd);
}
END_TEST

START_TEST(test_pfkey_server_inject_dump_sends_nothing)
{
	int fd = hx_connect(&H);

	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), NULL), 0);
	hx_drain(&H, fd);
	hx_tm_bare(&T, SADB_DUMP, 0);
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), NULL), 0);
	hx_tm_bare(&T, SADB_X_SPDDUMP, 0);
	ck_assert_int_eq(
	    pfkey_server_inject(H.srv, T.buf, tm_done(&T), NULL), ENOENT);
	ck_assert_uint_eq(hx_drain(&H, fd), 0);
	close(fd);
}
END_TEST

/* Errors of a load, collected. */
static char errors[4096];

static void
on_error(void *arg, const char *msg)
{
	(void)arg;
	strncat(errors, msg, sizeof(errors) - strlen(errors) - 2);
	strcat(errors, "\n");
}

static const char load_text[] =
    "flush;\n"
    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
    "\"0123456789abcdefSALT\";\n"
    "add 192.0.2.1 192.0.2.2 esp 0x1001 -r 16 -E aes-gcm-16 "
    "\"0123456789abcdefSALT\";\n"
    "add 192.0.2.1 192.0.2.3 esp 0x1002 -E aes-gcm-16 "
    "\"0123456789abcdefSALT\";\n"
    "add 192.0.2.1 192.0.2.2 esp 0x1000 -E aes-gcm-16 "
    "\"0123456789abcdefSALT\";\n"
    "deleteall 192.0.2.1 192.0.2.2 esp;\n"
    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec "
    "esp/tunnel/192.0.2.1-192.0.2.3/require;\n"
    "bogus;\n"
    "spddelete 10.9.0.0/16 10.2.0.0/16 any -P out;\n";

START_TEST(test_pfkey_server_load_file)
{
	struct addr dst;
	FILE *fp;

	errors[0] = '\0';
	ck_assert_ptr_nonnull(
	    fp = fmemopen((void *)load_text, strlen(load_text), "r"));
	ck_assert_int_eq(
	    pfkey_server_load(H.srv, "keys.conf", fp, 64, on_error, NULL), -1);
	fclose(fp);
	/* The second add of 0x1000, the parse error and the spddelete. */
	ck_assert_msg(strstr(errors, "keys.conf:5: add: ") != NULL &&
		strstr(errors, "(File exists)") != NULL,
	    "%s", errors);
	ck_assert_msg(strstr(errors, "keys.conf:8: ") != NULL, "%s", errors);
	ck_assert_msg(strstr(errors, "keys.conf:9: spddelete: ") != NULL &&
		strstr(errors, "(No such file or directory)") != NULL,
	    "%s", errors);
	/* deleteall left only the SA to the other peer. */
	ck_assert_uint_eq(sad_count(H.sad), 1);
	ck_assert(addr_parse(&dst, "192.0.2.3"));
	ck_assert_uint_eq(
	    sad_lookup_spi(H.sad, 0x1002, IPPROTO_ESP, &dst)->sa.replay_window,
	    64);
	ck_assert_uint_eq(spd_count(H.spd), 1);
}
END_TEST

START_TEST(test_pfkey_server_load_clean)
{
	static const char text[] = "add 192.0.2.1 192.0.2.2 esp 0x1001 -r 16 "
				   "-E aes-gcm-16 \"0123456789abcdefSALT\";\n"
				   "spdflush;\n";
	struct addr dst;
	FILE *fp;

	errors[0] = '\0';
	ck_assert_ptr_nonnull(fp = fmemopen((void *)text, strlen(text), "r"));
	ck_assert_int_eq(
	    pfkey_server_load(H.srv, "k", fp, 64, on_error, NULL), 0);
	fclose(fp);
	ck_assert_str_eq(errors, "");
	ck_assert(addr_parse(&dst, "192.0.2.2"));
	ck_assert_uint_eq(
	    sad_lookup_spi(H.sad, 0x1001, IPPROTO_ESP, &dst)->sa.replay_window,
	    16);
}
END_TEST

START_TEST(test_pfkey_server_stats_counts)
{
	struct pfkey_server_stats st;
	int a = hx_connect(&H), b = hx_connect(&H);

	hx_add_sa(&H, a, 0x1000, "192.0.2.1", "192.0.2.2");
	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, EEXIST);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.clients, 2);
	ck_assert_uint_eq(st.accepted, 2);
	ck_assert_uint_eq(st.received, 2);
	ck_assert_uint_eq(st.refused, 1);
	/* Two broadcasts to two sockets, one error to one. */
	ck_assert_uint_eq(st.sent, 2 + 1);
	close(a);
	close(b);
	hx_pump(&H);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.clients, 0);
}
END_TEST

/*
 * A client gone between two events is found out by a failed send (here
 * an EXPIRE outside any dispatch) and closed at once.
 */
START_TEST(test_pfkey_server_expire_closes_gone_client)
{
	struct pfkey_server_stats st;
	struct addr dst;
	int fd = hx_connect(&H), other = hx_connect(&H);

	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, fd, &T);
	hx_drain(&H, fd);
	hx_add_sa(&H, other, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_int_eq(shutdown(fd, SHUT_RD), 0);
	ck_assert(addr_parse(&dst, "192.0.2.2"));
	pfkey_server_expire(H.srv,
	    sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst), SAD_EXP_HARD_ADD);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.clients, 1);
	ck_assert_uint_eq(st.expires, 1);
	ck_assert_uint_eq(sad_count(H.sad), 0);
	close(fd);
	close(other);
}
END_TEST

/* PFKEY_SERVER_ACQ_MAX states at most: the next ACQUIRE is dropped. */
START_TEST(test_pfkey_server_acquire_table_bound)
{
	struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	struct pfkey_server_stats st;
	struct spd_policy *pol, none;
	struct spd_cursor *c;
	struct selector_key k;
	int fd = hx_connect(&H);

	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, &rq, 1);
	hx_send_tm(&H, fd, &T);
	hx_drain(&H, fd);
	ck_assert_uint_eq(spd_count(H.spd), 1);
	ck_assert_ptr_nonnull(c = spd_cursor_new(H.spd));
	ck_assert_ptr_nonnull(pol = spd_cursor_next(H.spd, c));
	spd_cursor_free(H.spd, c);
	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	ck_assert(addr_parse(&k.src, "10.1.0.1"));
	ck_assert(addr_parse(&k.dst, "10.2.0.0"));
	for (unsigned i = 0; i < PFKEY_SERVER_ACQ_MAX; i++) {
		k.dst.bytes[2] = (uint8_t)(i >> 8);
		k.dst.bytes[3] = (uint8_t)i;
		ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	}
	k.dst.bytes[2] = 0xff;
	k.dst.bytes[3] = 0xff;
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), -1);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.acquires, PFKEY_SERVER_ACQ_MAX);
	ck_assert_uint_eq(st.acq_dropped, 1);
	/* A policy without IPsec never asks for SAs. */
	memcpy(&none, pol, sizeof(none));
	none.action = SPD_ACTION_NONE;
	ck_assert_int_eq(pfkey_server_acquire(H.srv, &none, &k), 0);
	close(fd);
}
END_TEST

static Suite *
server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *tc;

	tc = tcase_create("pfkey_server_listen");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_listen_mode_group);
	tcase_add_test(tc, test_pfkey_server_listen_stale_file);
	tcase_add_test(tc, test_pfkey_server_listen_path_too_long);
	tcase_add_test(tc, test_pfkey_server_listen_twice_or_no_base);
	tcase_add_test(tc, test_pfkey_server_listen_peer_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_server_inject");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_inject_accepted_broadcast);
	tcase_add_test(tc, test_pfkey_server_inject_refused_unchanged);
	tcase_add_test(tc, test_pfkey_server_inject_dump_sends_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_server_load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_load_file);
	tcase_add_test(tc, test_pfkey_server_load_clean);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_server_stats");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_stats_counts);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_server_expire");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_expire_closes_gone_client);
	suite_add_tcase(s, tc);

	tc = tcase_create("pfkey_server_acquire");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pfkey_server_acquire_table_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(server_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
