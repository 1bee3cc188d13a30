/*
 * Unit tests for src/daemon/control.c, the control socket server: the
 * listener (mode, group, stale and live sockets), requests and replies
 * over a real socket, flow control of a 50,000-SA dump to a client that
 * reads slowly, a stalled client, too many clients, and the peer check.
 * The client runs in the test's own thread: the test turns the server's
 * event loop (EVLOOP_NONBLOCK) between its own socket calls.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <urcu-qsbr.h>

#include "ctl_state.h"
#include "daemon/control.h"

/* Loop turns a test waits for the server at most (a bound, not a time). */
#define PUMP_MAX 100000

static struct event_base *base;
static struct ctl_state *st;
static char dir[64], path[128];
static uint8_t buf[CONTROL_MSG_MAX + 1];

static void
setup(void)
{
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	ck_assert_ptr_nonnull(base = event_base_new());
	st = ctl_state_new(base, 0);
	ck_assert_ptr_nonnull(st);
	strcpy(dir, "/tmp/check_control.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
	ctl_state_free(st);
	event_base_free(base);
	urcu_qsbr_unregister_thread();
}

static struct control *
server(void)
{
	struct control *c = control_new(&st->d, path, getgid());

	ck_assert_msg(c != NULL, "control_new: %s", strerror(errno));
	return c;
}

static void
pump(void)
{
	ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
}

static int
client(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect: %s", strerror(errno));
	return fd;
}

static void
send_req(int fd, const char *req)
{
	ck_assert_int_eq(
	    send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
}

/* The next message (turning the server's loop until there is one). */
static json_t *
recv_msg(int fd)
{
	json_error_t err;
	json_t *m;

	for (int i = 0; i < PUMP_MAX; i++) {
		ssize_t n;

		pump();
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		ck_assert_msg(n > 0, "recv: %zd (%s)", n, strerror(errno));
		ck_assert_int_le(n, CONTROL_MSG_MAX);
		m = json_loadb((const char *)buf, (size_t)n, 0, &err);
		ck_assert_msg(m != NULL, "%s", err.text);
		return m;
	}
	ck_abort_msg("no message from the server");
	return NULL;
}

/* Whether the server closed fd (after any messages it still holds). */
static bool
closed(int fd)
{
	for (int i = 0; i < PUMP_MAX; i++) {
		ssize_t n;

		pump();
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0 && errno != EAGAIN)
			return false;
	}
	return false;
}

static const char *
str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static bool
is_end(const json_t *m)
{
	return json_is_true(json_object_get(m, "end"));
}

START_TEST(test_control_new_socket)
{
	struct control *c = server();
	struct stat sb;

	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 07777, 0660);
	ck_assert_uint_eq(sb.st_gid, getgid());
	control_free(c);
	ck_assert_int_ne(stat(path, &sb), 0);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_control_new_stale)
{
	struct sockaddr_un sun;
	struct control *c;
	int fd;

	/* A socket file nobody listens on: a daemon that died. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	c = server();
	control_free(c);
}
END_TEST

START_TEST(test_control_new_live)
{
	struct control *c = server();
	int fd;

	ck_assert_ptr_null(control_new(&st->d, path, getgid()));
	ck_assert_int_eq(errno, EADDRINUSE);
	/* The first server still serves. */
	fd = client();
	send_req(fd,
	    "{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet.ipsec.ecn\"}");
	json_decref(recv_msg(fd));
	close(fd);
	control_free(c);
}
END_TEST

START_TEST(test_control_new_not_socket)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_ptr_null(control_new(&st->d, path, getgid()));
	ck_assert_int_eq(errno, EEXIST);
}
END_TEST

START_TEST(test_control_new_long_path)
{
	char longp[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	memset(longp, 'a', sizeof(longp) - 1);
	memcpy(longp, "/nonexistent/", 13);
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_ptr_null(control_new(&st->d, longp, getgid()));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* One shorter fits sun_path with its NUL (and fails later). */
	longp[sizeof(longp) - 2] = '\0';
	ck_assert_ptr_null(control_new(&st->d, longp, getgid()));
	ck_assert_int_ne(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_control_new_requests)
{
	struct control *c = server();
	struct control_stats cs;
	int fd = client();
	json_t *m;

	send_req(fd, "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}");
	m = recv_msg(fd);
	ck_assert_str_eq(str_of(m, "type"), "sa");
	ck_assert(is_end(m));
	ck_assert_uint_eq(json_array_size(json_object_get(m, "items")), 4);
	json_decref(m);
	/* A bad request gets an error; the connection stays usable. */
	send_req(fd, "{\"version\":1,\"cmd\":\"show\"");
	m = recv_msg(fd);
	ck_assert_str_eq(str_of(m, "code"), "bad-request");
	ck_assert(is_end(m));
	json_decref(m);
	send_req(fd,
	    "{\"version\":1,\"cmd\":\"set\","
	    "\"name\":\"net.inet.ipsec.ecn\",\"value\":\"1\"}");
	m = recv_msg(fd);
	ck_assert_str_eq(
	    str_of(json_array_get(json_object_get(m, "items"), 0), "value"),
	    "1");
	json_decref(m);
	ck_assert_int_eq(st->knobs.ecn, 1);
	control_stats_get(c, &cs);
	ck_assert_uint_eq(cs.requests, 3);
	ck_assert_uint_eq(cs.messages, 3);
	ck_assert_uint_eq(cs.clients, 1);
	close(fd);
	for (int i = 0; i < 10 && cs.clients > 0; i++) {
		pump();
		control_stats_get(c, &cs);
	}
	ck_assert_uint_eq(cs.clients, 0);
	control_free(c);
}
END_TEST

START_TEST(test_control_new_oversize)
{
	struct control *c = server();
	int fd = client(), sz = 4 * CONTROL_REQ_MAX;
	char *big = malloc(CONTROL_REQ_MAX + 1);
	json_t *m;

	ck_assert_int_eq(
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	memset(big, ' ', CONTROL_REQ_MAX + 1);
	ck_assert_int_eq(
	    send(fd, big, CONTROL_REQ_MAX + 1, 0), CONTROL_REQ_MAX + 1);
	m = recv_msg(fd);
	ck_assert_str_eq(str_of(m, "code"), "bad-request");
	ck_assert_str_eq(
	    str_of(m, "error"), "request of 65537 bytes; at most 65536");
	json_decref(m);
	/* Exactly at the limit it is parsed (and is bad JSON: blanks). */
	ck_assert_int_eq(send(fd, big, CONTROL_REQ_MAX, 0), CONTROL_REQ_MAX);
	m = recv_msg(fd);
	ck_assert_msg(strstr(str_of(m, "error"), "bad JSON") != NULL, "%s",
	    str_of(m, "error"));
	json_decref(m);
	free(big);
	close(fd);
	control_free(c);
}
END_TEST

/*
 * 50,000 SAs to a client that reads one message, then lets the server
 * run many turns, and so on.  The server must stop when the socket is
 * full (flow control), and every SA must arrive once, in order.
 */
START_TEST(test_control_new_slow_client)
{
	const size_t nbulk = 50000;
	struct control *c;
	struct control_stats cs, cs2;
	size_t items = 0, msgs = 0;
	json_int_t prev = -1;
	int fd;
	json_t *m;

	for (size_t i = 0; i < nbulk; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	c = server();
	fd = client();
	send_req(fd, "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}");
	for (int i = 0; i < 200; i++)
		pump();
	control_stats_get(c, &cs);
	ck_assert_uint_gt(cs.messages, 0);
	for (int i = 0; i < 200; i++)
		pump();
	control_stats_get(c, &cs2);
	ck_assert_uint_eq(cs2.messages, cs.messages);
	for (;;) {
		size_t k;
		json_t *it;

		m = recv_msg(fd);
		msgs++;
		json_array_foreach(json_object_get(m, "items"), k, it)
		{
			json_int_t spi =
			    json_integer_value(json_object_get(it, "spi"));

			ck_assert_int_gt(spi, prev);
			prev = spi;
			items++;
		}
		if (is_end(m))
			break;
		json_decref(m);
		for (int i = 0; i < 3; i++)
			pump();
	}
	ck_assert_uint_eq(items, nbulk + 4);
	ck_assert_int_eq(prev, CTL_BULK_SPI0 + nbulk - 1);
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(m, "summary"), "count")),
	    nbulk + 4);
	json_decref(m);
	/* The whole dump was never queued at once. */
	ck_assert_uint_lt(cs.messages, msgs / 4);
	/* Next request on the same connection. */
	send_req(fd, "{\"version\":1,\"cmd\":\"show\",\"what\":\"stats\"}");
	m = recv_msg(fd);
	ck_assert_str_eq(str_of(m, "type"), "stats");
	json_decref(m);
	close(fd);
	control_free(c);
}
END_TEST

START_TEST(test_control_new_stalled_client)
{
	struct control *c;
	struct control_stats cs;
	int fd;

	for (size_t i = 0; i < 5000; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	c = server();
	control_set_stall_ms(c, 1);
	fd = client();
	send_req(fd, "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}");
	memset(&cs, 0, sizeof(cs));
	for (int i = 0; i < PUMP_MAX && cs.stalled == 0; i++) {
		/* Blocks until the socket or the stall timer is ready. */
		ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
		control_stats_get(c, &cs);
	}
	ck_assert_uint_eq(cs.stalled, 1);
	ck_assert_uint_eq(cs.clients, 0);
	ck_assert(closed(fd));
	close(fd);
	control_free(c);
}
END_TEST

START_TEST(test_control_new_client_leaves_midway)
{
	struct control *c;
	struct control_stats cs;
	int fd;

	for (size_t i = 0; i < 5000; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	c = server();
	fd = client();
	send_req(fd, "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}");
	json_decref(recv_msg(fd));
	close(fd);
	for (int i = 0; i < PUMP_MAX; i++) {
		pump();
		control_stats_get(c, &cs);
		if (cs.clients == 0)
			break;
	}
	ck_assert_uint_eq(cs.clients, 0);
	/* The cursor went with it: the SAD can be changed and freed. */
	ck_assert(ctl_state_add_bulk(st, 9999));
	control_free(c);
}
END_TEST

START_TEST(test_control_new_busy)
{
	struct control *c = server();
	struct control_stats cs;
	int fds[CONTROL_CLIENTS_MAX], fd;
	json_t *m;

	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		fds[i] = client();
		pump();
	}
	control_stats_get(c, &cs);
	ck_assert_uint_eq(cs.clients, CONTROL_CLIENTS_MAX);
	fd = client();
	m = recv_msg(fd);
	ck_assert_str_eq(str_of(m, "code"), "busy");
	ck_assert_str_eq(str_of(m, "error"), "too many clients (at most 64)");
	json_decref(m);
	ck_assert(closed(fd));
	close(fd);
	control_stats_get(c, &cs);
	ck_assert_uint_eq(cs.denied, 1);
	/* The others are still served. */
	send_req(fds[0],
	    "{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet.ipsec.ecn\"}");
	m = recv_msg(fds[0]);
	ck_assert_str_eq(str_of(m, "type"), "knob");
	json_decref(m);
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
		close(fds[i]);
	control_free(c);
}
END_TEST

START_TEST(test_control_peer_check_rules)
{
	const gid_t groups[] = { 10, 20, 30 };

	ck_assert(control_peer_check(0, 5, NULL, 0, 99));
	ck_assert(control_peer_check(1000, 99, NULL, 0, 99));
	ck_assert(control_peer_check(1000, 5, groups, 3, 30));
	ck_assert(!control_peer_check(1000, 5, groups, 3, 99));
	ck_assert(!control_peer_check(1000, 5, groups, 2, 30));
	ck_assert(!control_peer_check(1000, 5, NULL, 0, 99));
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control_new");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_control_new_socket);
	tcase_add_test(tc, test_control_new_stale);
	tcase_add_test(tc, test_control_new_live);
	tcase_add_test(tc, test_control_new_not_socket);
	tcase_add_test(tc, test_control_new_long_path);
	tcase_add_test(tc, test_control_new_requests);
	tcase_add_test(tc, test_control_new_oversize);
	tcase_add_test(tc, test_control_new_slow_client);
	tcase_add_test(tc, test_control_new_stalled_client);
	tcase_add_test(tc, test_control_new_client_leaves_midway);
	tcase_add_test(tc, test_control_new_busy);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_peer_check");
	tcase_add_test(tc, test_control_peer_check_rules);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
