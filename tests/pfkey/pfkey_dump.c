/*
 * PF_KEY conformance: dumps and delivery under load.  A dump of 100,000
 * SAs completes, every SA once, seq counting down to 0, to a reader that
 * sleeps as it reads (another process); a second dump on one socket is
 * EBUSY; SA type and X_FILTER select what is dumped; a client that does
 * not read has its queue bounded: messages past the bound are dropped and
 * counted, others are served all along, and it is served again once it
 * reads.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/ipsec.h>

#include "harness.h"
#include "ipsec/replay.h"
#include "ipsec/sad.h"
#include "pfkey/pfkey_ext.h"

#define DUMP_SAS 100000u

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

/*
 * n MATURE SAs with keys, SPIs 0x1000.., straight into the SAD, each
 * from its own source 10.x.y.z (one pair for all would put every SA in
 * one chain of the SAD's pair index).
 */
static void
fill(uint32_t n, uint8_t proto, const char *dst)
{
	struct sa sa;
	struct sad_entry *e;
	static uint32_t next = 0x1000;

	memset(&sa, 0, sizeof(sa));
	sa.proto = proto;
	sa.mode = SA_MODE_TUNNEL;
	ck_assert(addr_parse(&sa.src, "10.0.0.0"));
	ck_assert(addr_parse(&sa.dst, dst));
	if (proto == IPPROTO_AH) {
		sa.key.auth = alg_get(ALG_HMAC_SHA256_128);
		sa.key.auth_len = 32;
	} else {
		sa.key.enc = alg_get(ALG_AES_GCM_16);
		sa.key.enc_len = 20;
	}
	memset(sa.key.enc_key, 0x5a, sizeof(sa.key.enc_key));
	memset(sa.key.auth_key, 0xa5, sizeof(sa.key.auth_key));
	for (uint32_t i = 0; i < n; i++) {
		sa.spi = next++;
		sa.src.bytes[1] = (uint8_t)(sa.spi >> 16);
		sa.src.bytes[2] = (uint8_t)(sa.spi >> 8);
		sa.src.bytes[3] = (uint8_t)sa.spi;
		ck_assert_ptr_nonnull(e = sad_entry_new(&sa, 0, H.now));
		sad_state_set(e, SA_STATE_MATURE);
		ck_assert_int_eq(sad_insert(H.sad, e), SAD_OK);
	}
}

/*
 * The reader (a child process): DUMP, then every message, sleeping 1 ms
 * every 1000 messages.  Exit status 0 when DUMP_SAS messages came, each
 * SA once, with keys, seq counting down to 0.
 */
static int
slow_reader(const char *path)
{
	static uint8_t buf[4096], seen[DUMP_SAS];
	struct sockaddr_un sun;
	struct pfkey_msg m;
	struct pfkey_err err;
	struct sadb_sa sa;
	const uint8_t *p;
	size_t len;
	uint32_t want = DUMP_SAS, spi;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return 10;
	tm_hdr(&T, SADB_DUMP, SADB_SATYPE_ESP);
	if (send(fd, T.buf, tm_done(&T), 0) != PFKEY_HDR_LEN)
		return 11;
	while (want > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			return 12;
		if (!pfkey_msg_parse(
			&m, buf, (size_t)n, PFKEY_ORIGIN_KERNEL, &err) ||
		    m.hdr.type != SADB_DUMP || m.hdr.error != 0 ||
		    m.hdr.pid != 4242)
			return 13;
		if (m.hdr.seq != --want)
			return 14;
		if (!pfkey_msg_has(&m, SADB_EXT_KEY_ENCRYPT))
			return 15;
		p = pfkey_msg_ext(&m, SADB_EXT_SA, &len);
		if (p == NULL || !pfkey_ext_copy(p, len, &sa, sizeof(sa)))
			return 16;
		spi = ntohl(sa.sadb_sa_spi) - 0x1000;
		if (spi >= DUMP_SAS || seen[spi]++ != 0)
			return 17;
		if (want % 1000 == 0)
			usleep(1000);
	}
	close(fd);
	return 0;
}

START_TEST(test_dump_100000_slow_reader)
{
	struct pfkey_server_stats st;
	int status = 0;
	pid_t pid, done = 0;

	fill(DUMP_SAS, IPPROTO_ESP, "192.0.2.2");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(slow_reader(H.path));
	/* Serve until the reader is done (the tick wakes the loop). */
	while ((done = waitpid(pid, &status, WNOHANG)) == 0)
		event_base_loop(H.base, EVLOOP_ONCE);
	ck_assert_int_eq(done, pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_ge(st.sent, DUMP_SAS);
}
END_TEST

START_TEST(test_dump_busy_while_running)
{
	int a = hx_connect(&H);
	unsigned dumped = 0, busy = 0;

	fill(5000, IPPROTO_ESP, "192.0.2.2");
	hx_tm_bare(&T, SADB_DUMP, SADB_SATYPE_UNSPEC);
	hx_send_tm(&H, a, &T);
	hx_send_tm(&H, a, &T);
	for (;;) {
		hx_expect(&H, a, &R);
		ck_assert_uint_eq(R.m.hdr.type, SADB_DUMP);
		if (R.m.hdr.error != 0) {
			ck_assert_uint_eq(R.m.hdr.error, EBUSY);
			ck_assert_uint_eq(R.m.hdr.seq, 7);
			busy++;
			continue;
		}
		dumped++;
		if (R.m.hdr.seq == 0)
			break;
	}
	ck_assert_uint_eq(dumped, 5000);
	ck_assert_uint_eq(busy, 1);
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	/* Done: the next one runs. */
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_drain(&H, a), 5000);
	close(a);
}
END_TEST

START_TEST(test_dump_others_served_meanwhile)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	unsigned n;

	fill(20000, IPPROTO_ESP, "192.0.2.2");
	hx_tm_bare(&T, SADB_DUMP, SADB_SATYPE_UNSPEC);
	hx_send_tm(&H, a, &T);
	/* a reads nothing; b's requests are answered. */
	hx_add_sa(&H, b, 0x100000, "192.0.2.1", "192.0.2.3");
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x100000, "192.0.2.1", "192.0.2.3");
	hx_send_tm(&H, b, &T);
	ck_assert_uint_eq(hx_expect(&H, b, &R)->hdr.error, 0);
	/*
	 * a gets its whole dump, b's new SA in it (a cursor visits SAs
	 * added behind it) and the broadcast of b's ADD.
	 */
	n = hx_drain(&H, a);
	ck_assert_uint_eq(n, 20000 + 1 + 1);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_dump_satype_and_filter)
{
	int a = hx_connect(&H);
	struct sadb_x_filter f;
	unsigned n = 0;

	fill(3, IPPROTO_ESP, "192.0.2.2");
	fill(2, IPPROTO_AH, "192.0.2.2");
	fill(4, IPPROTO_ESP, "198.51.100.2");
	hx_tm_bare(&T, SADB_DUMP, SADB_SATYPE_AH);
	hx_send_tm(&H, a, &T);
	for (uint32_t seq = 2; seq-- > 0;) {
		hx_expect(&H, a, &R);
		ck_assert_uint_eq(R.m.hdr.satype, SADB_SATYPE_AH);
		ck_assert_uint_eq(R.m.hdr.seq, seq);
	}
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	/* X_FILTER: SAs towards 198.51.100.0/24. */
	memset(&f, 0, sizeof(f));
	f.sadb_x_filter_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.0", f.sadb_x_filter_daddr);
	f.sadb_x_filter_dplen = 24;
	hx_tm_bare(&T, SADB_DUMP, SADB_SATYPE_UNSPEC);
	tm_struct(&T, SADB_X_EXT_FILTER, &f, sizeof(f));
	hx_send_tm(&H, a, &T);
	do {
		hx_expect(&H, a, &R);
		ck_assert_uint_eq(R.m.hdr.error, 0);
		n++;
	} while (R.m.hdr.seq != 0);
	ck_assert_uint_eq(n, 4);
	close(a);
}
END_TEST

START_TEST(test_dump_empty_enoent)
{
	int a = hx_connect(&H);

	hx_tm_bare(&T, SADB_DUMP, SADB_SATYPE_ESP);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_DUMP);
	ck_assert_uint_eq(R.m.hdr.error, ENOENT);
	ck_assert_uint_eq(R.m.hdr.seq, 7);
	close(a);
}
END_TEST

/* An X_PROMISC carrying 60 KB: every socket gets the echo. */
static void
send_big_echo(int fd)
{
	static uint8_t big[60000];
	struct sadb_msg h;
	struct sadb_ext e;

	memset(big, 0, sizeof(big));
	memset(&h, 0, sizeof(h));
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_type = SADB_X_PROMISC;
	h.sadb_msg_len = sizeof(big) / 8;
	memcpy(big, &h, sizeof(h));
	e.sadb_ext_len = (sizeof(big) - 16) / 8;
	e.sadb_ext_type = SADB_X_EXT_KMPRIVATE;
	memcpy(big + 16, &e, sizeof(e));
	hx_send(&H, fd, big, sizeof(big));
}

START_TEST(test_queue_bounded_drops_counted)
{
	int lazy = hx_connect(&H), b = hx_connect(&H);
	struct pfkey_server_stats st;
	unsigned got;

	/* 60 echoes of 60 KB: more than the queue and the socket hold. */
	for (int i = 0; i < 60; i++) {
		send_big_echo(b);
		ck_assert_uint_eq(hx_drain(&H, b), 1);
	}
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_gt(st.dropped, 0);
	got = hx_drain(&H, lazy);
	ck_assert_uint_gt(got, 0);
	ck_assert_uint_eq(got + st.dropped, 60);
	/* Having read, lazy is served again. */
	hx_add_sa(&H, b, 0x1000, "192.0.2.1", "192.0.2.2");
	ck_assert_uint_eq(hx_drain(&H, lazy), 1);
	close(lazy);
	close(b);
}
END_TEST

static Suite *
dump_suite(void)
{
	Suite *s = suite_create("pfkey_dump");
	TCase *tc;

	tc = tcase_create("dump_100000");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_dump_100000_slow_reader);
	suite_add_tcase(s, tc);

	tc = tcase_create("dump");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dump_busy_while_running);
	tcase_add_test(tc, test_dump_others_served_meanwhile);
	tcase_add_test(tc, test_dump_satype_and_filter);
	tcase_add_test(tc, test_dump_empty_enoent);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_queue_bounded_drops_counted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dump_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
