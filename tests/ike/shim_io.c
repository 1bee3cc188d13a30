/*
 * libipsecd-pfkey.so in a live process: this program runs with the shim
 * preloaded (it re-executes itself under LD_PRELOAD=SHIM_LIB when started
 * without) and plays both ipsecd sockets itself: a PF_KEY listener at
 * $IPSECD_PFKEY_SOCKET and a control listener at $IPSECD_CONTROL_SOCKET,
 * both in a temporary directory, so it needs no root and no daemon.
 *
 * Checked through the real calls a key manager makes: socket(PF_KEY)
 * arguments, what a send refused by the base header check leaves (nothing
 * at the server), MSG_PEEK / MSG_TRUNC / short reads, flags af_key
 * refuses, SO_TYPE and friends, the operations PF_KEY has not, dup,
 * O_NONBLOCK, poll, the server going away (ECONNRESET, no SIGPIPE), socket
 * policies recorded and dropped over the control socket, UDP_ENCAP kept
 * from the kernel, and SO_REUSEPORT set on a bind to the NAT-T port.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

static char dir[64];
static char pfkey_path[128];
static char control_path[128];

static int
listener(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/* A PF_KEY socket and the server's end of it. */
struct pair {
	int lfd;
	int client;
	int server;
};

static struct pair
open_pair(int type)
{
	struct pair p;

	p.lfd = listener(pfkey_path);
	p.client = socket(PF_KEY, type, PF_KEY_V2);
	ck_assert_msg(p.client >= 0, "socket(PF_KEY): %s", strerror(errno));
	p.server = accept(p.lfd, NULL, NULL);
	ck_assert_int_ge(p.server, 0);
	return p;
}

static void
close_pair(struct pair *p)
{
	close(p->client);
	close(p->server);
	close(p->lfd);
}

/* A message of len bytes (a multiple of 8) of type, with filler. */
static void
msg(uint8_t *b, size_t len, uint8_t type)
{
	struct sadb_msg h;

	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = type;
	h.sadb_msg_len = (uint16_t)(len / 8);
	h.sadb_msg_seq = 42;
	h.sadb_msg_pid = (uint32_t)getpid();
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)i;
	memcpy(b, &h, sizeof(h));
}

/* Nothing waiting on fd. */
static bool
is_empty(int fd)
{
	uint8_t b[8];

	return recv(fd, b, sizeof(b), MSG_DONTWAIT) == -1 && errno == EAGAIN;
}

START_TEST(test_socket_arguments)
{
	errno = 0;
	ck_assert_int_eq(socket(PF_KEY, SOCK_DGRAM, PF_KEY_V2), -1);
	ck_assert_int_eq(errno, ESOCKTNOSUPPORT);
	ck_assert_int_eq(socket(PF_KEY, SOCK_RAW, PF_KEY_V2 + 1), -1);
	ck_assert_int_eq(errno, EPROTONOSUPPORT);
	/* Nobody listens: connect's error. */
	unlink(pfkey_path);
	ck_assert_int_eq(socket(PF_KEY, SOCK_RAW, PF_KEY_V2), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_getsockopt_identity)
{
	struct pair p = open_pair(SOCK_RAW | SOCK_CLOEXEC);
	int v = 0;
	socklen_t l = sizeof(v);

	ck_assert_int_eq(getsockopt(p.client, SOL_SOCKET, SO_TYPE, &v, &l), 0);
	ck_assert_int_eq(v, SOCK_RAW);
	ck_assert_int_eq(
	    getsockopt(p.client, SOL_SOCKET, SO_DOMAIN, &v, &l), 0);
	ck_assert_int_eq(v, PF_KEY);
	ck_assert_int_eq(
	    getsockopt(p.client, SOL_SOCKET, SO_PROTOCOL, &v, &l), 0);
	ck_assert_int_eq(v, PF_KEY_V2);
	ck_assert_int_eq(fcntl(p.client, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	v = 1 << 20;
	ck_assert_int_eq(
	    setsockopt(p.client, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	ck_assert_int_eq(
	    setsockopt(p.client, IPPROTO_IP, IP_TOS, &v, sizeof(v)), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	close_pair(&p);
}
END_TEST

START_TEST(test_send_base_header_refused)
{
	struct pair p = open_pair(SOCK_RAW);
	uint8_t b[64];
	struct sadb_msg *h = (struct sadb_msg *)b;

	msg(b, 16, SADB_FLUSH);
	ck_assert_int_eq(send(p.client, b, 15, 0), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	h->sadb_msg_version = 1;
	ck_assert_int_eq(write(p.client, b, 16), -1);
	ck_assert_int_eq(errno, EINVAL);
	msg(b, 24, SADB_FLUSH);
	ck_assert_int_eq(sendto(p.client, b, 16, 0, NULL, 0), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(send(p.client, b, 24, MSG_OOB), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	/* Refused sends left nothing at the server. */
	ck_assert(is_empty(p.server));
	close_pair(&p);
}
END_TEST

START_TEST(test_send_whole_message)
{
	struct pair p = open_pair(SOCK_RAW);
	uint8_t b[64], got[128];
	struct iovec iov[3];
	struct msghdr m;

	msg(b, 48, SADB_GETSPI);
	ck_assert_int_eq(send(p.client, b, 48, 0), 48);
	ck_assert_int_eq(recv(p.server, got, sizeof(got), 0), 48);
	ck_assert_mem_eq(got, b, 48);
	/* The header split over iovecs is checked as one. */
	iov[0].iov_base = b;
	iov[0].iov_len = 5;
	iov[1].iov_base = b + 5;
	iov[1].iov_len = 19;
	iov[2].iov_base = b + 24;
	iov[2].iov_len = 24;
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 3;
	ck_assert_int_eq(sendmsg(p.client, &m, 0), 48);
	ck_assert_int_eq(recv(p.server, got, sizeof(got), 0), 48);
	ck_assert_mem_eq(got, b, 48);
	ck_assert_int_eq(writev(p.client, iov, 2), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert(is_empty(p.server));
	close_pair(&p);
}
END_TEST

START_TEST(test_recv_peek_and_trunc)
{
	struct pair p = open_pair(SOCK_RAW | SOCK_NONBLOCK);
	uint8_t b[40], got[64];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct iovec iov = { got, 16 };
	struct msghdr m;

	ck_assert_int_eq(recv(p.client, got, sizeof(got), 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	msg(b, 40, SADB_DUMP);
	ck_assert_int_eq(send(p.server, b, 40, 0), 40);
	/* racoon: peek the header, then read sadb_msg_len * 8 bytes. */
	ck_assert_int_eq(recv(p.client, got, 16, MSG_PEEK), 16);
	ck_assert_int_eq(recv(p.client, got, 8, MSG_PEEK | MSG_TRUNC), 40);
	ck_assert_int_eq(recv(p.client, got, 2, MSG_WAITALL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(recvfrom(p.client, got, sizeof(got), 0,
			     (struct sockaddr *)&ss, &sl),
	    40);
	ck_assert_uint_eq(sl, 0);
	ck_assert_mem_eq(got, b, 40);
	/* A short buffer: the head, MSG_TRUNC, and the rest is gone. */
	ck_assert_int_eq(send(p.server, b, 40, 0), 40);
	memset(&m, 0, sizeof(m));
	m.msg_name = &ss;
	m.msg_namelen = sizeof(ss);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	ck_assert_int_eq(recvmsg(p.client, &m, 0), 16);
	ck_assert(m.msg_flags & MSG_TRUNC);
	ck_assert_uint_eq(m.msg_namelen, 0);
	ck_assert_int_eq(read(p.client, got, sizeof(got)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close_pair(&p);
}
END_TEST

START_TEST(test_poll_dup_and_nonblock)
{
	struct pair p = open_pair(SOCK_RAW);
	uint8_t b[16], got[16];
	struct pollfd pfd;
	int copy;

	pfd.fd = p.client;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	msg(b, 16, SADB_REGISTER);
	ck_assert_int_eq(send(p.server, b, 16, 0), 16);
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ck_assert(pfd.revents & POLLIN);
	copy = dup(p.client);
	ck_assert_int_ge(copy, 0);
	ck_assert_int_eq(read(copy, got, sizeof(got)), 16);
	ck_assert_int_eq(send(copy, b, 15, 0), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	close(copy);
	copy = fcntl(p.client, F_DUPFD_CLOEXEC, 100);
	ck_assert_int_ge(copy, 100);
	ck_assert_int_eq(send(copy, b, 15, 0), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	close(copy);
	ck_assert_int_eq(
	    fcntl(p.client, F_SETFL, fcntl(p.client, F_GETFL) | O_NONBLOCK), 0);
	ck_assert_int_eq(recv(p.client, got, sizeof(got), 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close_pair(&p);
}
END_TEST

START_TEST(test_ops_pfkey_has_not)
{
	struct pair p = open_pair(SOCK_RAW);
	struct sockaddr_un sun;
	socklen_t sl = sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(
	    bind(p.client, (struct sockaddr *)&sun, sizeof(sa_family_t)), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(
	    connect(p.client, (struct sockaddr *)&sun, sizeof(sun)), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(listen(p.client, 1), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(
	    getsockname(p.client, (struct sockaddr *)&sun, &sl), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(
	    getpeername(p.client, (struct sockaddr *)&sun, &sl), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(shutdown(p.client, SHUT_RDWR), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	close_pair(&p);
}
END_TEST

START_TEST(test_server_gone)
{
	struct pair p = open_pair(SOCK_RAW);
	uint8_t b[16];

	/* SIGPIPE kills this test if the shim lets one through. */
	signal(SIGPIPE, SIG_DFL);
	close(p.server);
	ck_assert_int_eq(recv(p.client, b, sizeof(b), 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	msg(b, 16, SADB_FLUSH);
	ck_assert_int_eq(send(p.client, b, 16, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p.client);
	close(p.lfd);
}
END_TEST

/* The fake control socket: keeps the requests it got, answers each. */
struct ctl {
	int lfd;
	pthread_t thread;
	char req[8][512];
	int n;
};

static void *
ctl_main(void *arg)
{
	struct ctl *c = arg;
	static const char ok[] = "{\"version\":1,\"type\":\"sockpolicy\","
				 "\"items\":[{\"mark\":77,\"mask\":255}],"
				 "\"end\":true}";

	while (c->n < 8) {
		int fd = accept(c->lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			break;
		n = recv(fd, c->req[c->n], sizeof(c->req[0]) - 1, 0);
		if (n > 0) {
			c->req[c->n][n] = '\0';
			c->n++;
			send(fd, ok, strlen(ok), MSG_NOSIGNAL);
		}
		close(fd);
	}
	return NULL;
}

static void
ctl_start(struct ctl *c)
{
	memset(c, 0, sizeof(*c));
	c->lfd = listener(control_path);
	ck_assert_int_eq(pthread_create(&c->thread, NULL, ctl_main, c), 0);
}

static void
ctl_stop(struct ctl *c)
{
	shutdown(c->lfd, SHUT_RDWR);
	pthread_join(c->thread, NULL);
	close(c->lfd);
}

START_TEST(test_setsockopt_socket_policy)
{
	struct sadb_x_policy pol;
	struct ctl c;
	char want[512];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), fd6;
	uint32_t mark = 1;
	socklen_t ml = sizeof(mark);

	ck_assert_int_ge(fd, 0);
	ctl_start(&c);
	memset(&pol, 0, sizeof(pol));
	pol.sadb_x_policy_len = sizeof(pol) / 8;
	pol.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	pol.sadb_x_policy_type = IPSEC_POLICY_BYPASS;
	pol.sadb_x_policy_dir = IPSEC_DIR_INBOUND;
	ck_assert_int_eq(
	    setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, &pol, sizeof(pol)), 0);
	/* An inbound one: no mark. */
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &ml), 0);
	ck_assert_uint_eq(mark, 0);
	pol.sadb_x_policy_type = IPSEC_POLICY_DISCARD;
	ck_assert_int_eq(
	    setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, &pol, sizeof(pol)), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_int_eq(
	    setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, &pol, sizeof(pol) - 1),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	/* IPv6, and a clear with a NULL value. */
	fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd6, 0);
	pol.sadb_x_policy_type = IPSEC_POLICY_NONE;
	pol.sadb_x_policy_dir = IPSEC_DIR_OUTBOUND;
	ck_assert_int_eq(
	    setsockopt(fd6, IPPROTO_IPV6, IPV6_IPSEC_POLICY, &pol, sizeof(pol)),
	    0);
	/*
	 * An outbound bypass gets the daemon's mark (setting one needs
	 * CAP_NET_ADMIN: without it the socket stays unmarked).
	 */
	ck_assert_int_eq(getsockopt(fd6, SOL_SOCKET, SO_MARK, &mark, &ml), 0);
	ck_assert_uint_eq(mark, geteuid() == 0 ? 77 : 0);
	ck_assert_int_eq(
	    setsockopt(fd6, IPPROTO_IPV6, IPV6_IPSEC_POLICY, NULL, 0), 0);
	ck_assert_int_eq(getsockopt(fd6, SOL_SOCKET, SO_MARK, &mark, &ml), 0);
	ck_assert_uint_eq(mark, 0);
	close(fd6);
	ctl_stop(&c);
	ck_assert_int_eq(c.n, 4);
	snprintf(want, sizeof(want),
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"set\",\"pid\":%d,"
	    "\"fd\":%d,\"family\":\"inet\",\"dir\":\"in\",\"policy\":"
	    "\"bypass\"}",
	    (int)getpid(), fd);
	ck_assert_str_eq(c.req[0], want);
	/* The close of a socket with a policy drops its record. */
	snprintf(want, sizeof(want),
	    "{\"version\":1,\"cmd\":\"sockpolicy\",\"op\":\"clear\",\"pid\":%d,"
	    "\"fd\":%d}",
	    (int)getpid(), fd);
	ck_assert_str_eq(c.req[1], want);
	ck_assert_ptr_nonnull(strstr(c.req[2], "\"family\":\"inet6\""));
	ck_assert_ptr_nonnull(strstr(c.req[2], "\"policy\":\"none\""));
	ck_assert_ptr_nonnull(strstr(c.req[3], "\"op\":\"clear\""));
}
END_TEST

START_TEST(test_setsockopt_policy_without_ipsecd)
{
	struct sadb_x_policy pol;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	unlink(control_path);
	memset(&pol, 0, sizeof(pol));
	pol.sadb_x_policy_len = sizeof(pol) / 8;
	pol.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	pol.sadb_x_policy_type = IPSEC_POLICY_BYPASS;
	pol.sadb_x_policy_dir = IPSEC_DIR_OUTBOUND;
	errno = 0;
	ck_assert_int_eq(
	    setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, &pol, sizeof(pol)), 0);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

START_TEST(test_setsockopt_udp_encap)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), v = UDP_ENCAP_ESPINUDP;
	socklen_t l = sizeof(v);

	ck_assert_int_eq(
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, sizeof(v)), 0);
	/* The kernel never saw it: its encap type is still none. */
	ck_assert_int_eq(getsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, &l), 0);
	ck_assert_int_eq(v, 0);
	v = UDP_ENCAP_ESPINUDP;
	ck_assert_int_eq(setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

static uint16_t
bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	return ntohs(sin.sin_port);
}

START_TEST(test_bind_natt_port_reuseport)
{
	struct sockaddr_in sin;
	int a, b, c, v = 0, one = 1;
	socklen_t l = sizeof(v);
	char port[8];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* ipsecd's side: a reuseport socket on a free port. */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(
	    setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	ck_assert_int_eq(bind(a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	snprintf(port, sizeof(port), "%u", bound_port(a));
	setenv("IPSECD_NATT_PORT", port, 1);
	/* The IKE daemon's bind joins it without asking. */
	sin.sin_port = htons(bound_port(a));
	b = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(b, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockopt(b, SOL_SOCKET, SO_REUSEPORT, &v, &l), 0);
	ck_assert_int_eq(v, 1);
	/* Another port: untouched. */
	sin.sin_port = 0;
	c = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_REUSEPORT, &v, &l), 0);
	ck_assert_int_eq(v, 0);
	close(a);
	close(b);
	close(c);
}
END_TEST

static Suite *
shim_io_suite(void)
{
	Suite *s = suite_create("shim_io");
	TCase *tc = tcase_create("pfkey");

	tcase_add_test(tc, test_socket_arguments);
	tcase_add_test(tc, test_getsockopt_identity);
	tcase_add_test(tc, test_send_base_header_refused);
	tcase_add_test(tc, test_send_whole_message);
	tcase_add_test(tc, test_recv_peek_and_trunc);
	tcase_add_test(tc, test_poll_dup_and_nonblock);
	tcase_add_test(tc, test_ops_pfkey_has_not);
	tcase_add_test(tc, test_server_gone);
	suite_add_tcase(s, tc);
	tc = tcase_create("sockopt");
	tcase_add_test(tc, test_setsockopt_socket_policy);
	tcase_add_test(tc, test_setsockopt_policy_without_ipsecd);
	tcase_add_test(tc, test_setsockopt_udp_encap);
	tcase_add_test(tc, test_bind_natt_port_reuseport);
	suite_add_tcase(s, tc);
	return s;
}

static void
asan_not_first(void)
{
	const char *old = getenv("ASAN_OPTIONS");
	char opts[512];

	snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0",
	    old != NULL ? old : "", old != NULL && *old != '\0' ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
}

/* Run again with the shim preloaded, unless it already is. */
static void
preload(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");

	if (pre != NULL && strstr(pre, "libipsecd-pfkey") != NULL)
		return;
	setenv("LD_PRELOAD", SHIM_LIB, 1);
	/* An ASan build: its runtime need not come first for this. */
	asan_not_first();
	execv("/proc/self/exe", argv);
	perror("execv");
	exit(99);
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	(void)argc;
	preload(argv);
	snprintf(dir, sizeof(dir), "/tmp/shim_io.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(pfkey_path, sizeof(pfkey_path), "%s/pfkey.sock", dir);
	snprintf(control_path, sizeof(control_path), "%s/control.sock", dir);
	setenv("IPSECD_PFKEY_SOCKET", pfkey_path, 1);
	setenv("IPSECD_CONTROL_SOCKET", control_path, 1);
	sr = srunner_create(shim_io_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(pfkey_path);
	unlink(control_path);
	rmdir(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
