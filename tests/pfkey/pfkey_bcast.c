/*
 * PF_KEY conformance: who gets what, checked on five sockets at once for
 * every kind of message the server sends (issue 4: "the broadcast rules
 * checked on several sockets at once").
 *
 *   Q  the requester (registered for nothing, not promiscuous)
 *   E  registered for ESP
 *   H  registered for AH
 *   P  promiscuous (X_PROMISC 1), registered for nothing
 *   N  plain
 *
 * The table is af_key's pfkey_broadcast: a promiscuous socket gets one
 * copy of every message sent to anyone, plus the copy it gets as a target
 * ("you receive it twice as promiscuous socket"), plus a copy of each
 * request whose base header passed (pfkey_process, BROADCAST_PROMISC_ONLY).
 * Replies (GET, GETSPI, X_SPDGET, dumps, errors) go to the requester;
 * changes to everybody; REGISTER replies, ACQUIRE, EXPIRE and
 * NEW_MAPPING to the sockets registered for the message's SA type (one
 * deliberate difference from af_key, which takes any registration:
 * server.h).  A negative ACQUIRE from a key manager gets no reply
 * (af_key's pfkey_acquire returns 0 and sends nothing).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ipsec.h>
#include <linux/udp.h>

#include "harness.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_ext.h"

enum { Q, E, AH, P, N, NSOCK };

static struct hx H;
static struct tmsg T;
static struct hx_msg R;
static int fd[NSOCK];
static uint32_t policy_id;

/* The SA every row may use: ESP-in-UDP 192.0.2.1 -> 192.0.2.9. */
#define SA_SPI 0x1000u
#define SA_SRC "192.0.2.1"
#define SA_DST "192.0.2.9"

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert(addr_parse(&a, s));
	return a;
}

static void
drain_all(void)
{
	for (int i = 0; i < NSOCK; i++)
		hx_drain(&H, fd[i]);
}

static void
send_bare(int s, uint8_t type, uint8_t satype)
{
	hx_tm_bare(&T, type, satype);
	hx_send_tm(&H, s, &T);
}

/*
 * Five sockets, an ESP-in-UDP SA and an outbound tunnel policy
 * (10.1/16 -> 10.2/16 through 192.0.2.1 -> 192.0.2.2, which has no SA).
 */
static void
setup(void)
{
	int admin;

	hx_setup(&H);
	for (int i = 0; i < NSOCK; i++)
		fd[i] = hx_connect(&H);
	admin = hx_connect(&H);
	send_bare(fd[E], SADB_REGISTER, SADB_SATYPE_ESP);
	send_bare(fd[AH], SADB_REGISTER, SADB_SATYPE_AH);
	hx_tm_add(&T, SADB_ADD, SA_SPI, SA_SRC, SA_DST);
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 4500);
	hx_send_tm(&H, admin, &T);
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, admin, &T);
	hx_drain(&H, admin);
	send_bare(fd[P], SADB_X_PROMISC, 1);
	drain_all();
	close(admin);
	hx_pump(&H);
	ck_assert_uint_eq(sad_count(H.sad), 1);
	{
		struct spd_cursor *c = spd_cursor_new(H.spd);
		struct spd_policy *p = spd_cursor_next(H.spd, c);

		ck_assert_ptr_nonnull(p);
		policy_id = p->id;
		ck_assert_ptr_null(spd_cursor_next(H.spd, c));
		spd_cursor_free(H.spd, c);
	}
}

static void
teardown(void)
{
	for (int i = 0; i < NSOCK; i++)
		close(fd[i]);
	hx_teardown(&H);
}

/* --- one function per row: make the server send something --- */

static void
do_add(void)
{
	hx_tm_add(&T, SADB_ADD, 0x2000, SA_SRC, SA_DST);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_update(void)
{
	hx_tm_add(&T, SADB_UPDATE, SA_SPI, SA_SRC, SA_DST);
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 4500);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_delete(void)
{
	hx_tm_sa_id(&T, SADB_DELETE, SADB_SATYPE_ESP, SA_SPI, SA_SRC, SA_DST);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_get(void)
{
	hx_tm_sa_id(&T, SADB_GET, SADB_SATYPE_ESP, SA_SPI, SA_SRC, SA_DST);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_getspi(void)
{
	hx_tm_getspi(&T, SADB_SATYPE_ESP, SA_SRC, SA_DST, 0, 0);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_flush(void)
{
	send_bare(fd[Q], SADB_FLUSH, SADB_SATYPE_UNSPEC);
}

static void
do_dump(void)
{
	send_bare(fd[Q], SADB_DUMP, SADB_SATYPE_UNSPEC);
}

static void
do_register_esp(void)
{
	send_bare(fd[Q], SADB_REGISTER, SADB_SATYPE_ESP);
}

static void
do_register_ipcomp(void)
{
	send_bare(fd[Q], SADB_REGISTER, SADB_X_SATYPE_IPCOMP);
}

static void
do_promisc_echo(void)
{
	/* A bare X_PROMISC 0 from a socket that was not promiscuous. */
	send_bare(fd[Q], SADB_X_PROMISC, 0);
}

static void
do_spdadd(void)
{
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.3.0.0", 16, "10.4.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_spdupdate(void)
{
	hx_tm_spdadd(&T, SADB_X_SPDUPDATE, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_spddelete(void)
{
	hx_tm_spdadd(&T, SADB_X_SPDDELETE, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd[Q], &T);
}

static void
policy_by_id(uint8_t type)
{
	tm_hdr(&T, type, 0);
	tm_policy(&T, 0, IPSEC_DIR_OUTBOUND, policy_id, 0, NULL, 0);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_spdget(void)
{
	policy_by_id(SADB_X_SPDGET);
}

static void
do_spddelete2(void)
{
	policy_by_id(SADB_X_SPDDELETE2);
}

static void
do_spdflush(void)
{
	send_bare(fd[Q], SADB_X_SPDFLUSH, 0);
}

static void
do_spddump(void)
{
	send_bare(fd[Q], SADB_X_SPDDUMP, 0);
}

static void
do_migrate(void)
{
	struct tm_req rq[2] = {
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		    "198.51.100.1", "198.51.100.2" },
	};

	tm_hdr(&T, SADB_X_MIGRATE, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_error(void)
{
	hx_tm_sa_id(&T, SADB_GET, SADB_SATYPE_ESP, 0x7777, SA_SRC, SA_DST);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_bad_base(void)
{
	hx_tm_bare(&T, SADB_FLUSH, 0);
	tm_done(&T);
	T.buf[0] = 1; /* sadb_msg_version */
	hx_send(&H, fd[Q], T.buf, PFKEY_HDR_LEN);
}

static void
do_user_acquire_negative(void)
{
	hx_tm_bare(&T, SADB_ACQUIRE, SADB_SATYPE_ESP);
	hx_set_seq(&T, 99, 4242);
	hx_set_errno(&T, 22);
	hx_send_tm(&H, fd[Q], &T);
}

static void
do_acquire(void)
{
	struct spd_policy *pol = spd_lookup_id(H.spd, policy_id);
	struct selector_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.proto = IPPROTO_UDP;
	k.src = A("10.1.0.5");
	k.dst = A("10.2.0.9");
	ck_assert_ptr_nonnull(pol);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	hx_pump(&H);
}

static void
expire_cb(struct sad *sad, struct sad_entry *e, unsigned tripped, void *arg)
{
	(void)sad;
	pfkey_server_expire(arg, e, tripped);
}

static void
do_expire(void)
{
	struct addr dst = A(SA_DST);
	struct sad_entry *e = sad_lookup_spi(H.sad, SA_SPI, IPPROTO_ESP, &dst);

	ck_assert_ptr_nonnull(e);
	e->sa.soft.add_sec = 10;
	ck_assert_uint_eq(
	    sad_expire_scan(H.sad, H.now + 10, expire_cb, H.srv), 1);
	hx_pump(&H);
}

static void
do_new_mapping(void)
{
	struct addr dst = A(SA_DST), peer = A("203.0.113.7");
	struct sad_entry *e = sad_lookup_spi(H.sad, SA_SPI, IPPROTO_ESP, &dst);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(pfkey_server_new_mapping(H.srv, e, &peer, 61000), 0);
	hx_pump(&H);
}

/*
 * Messages each socket gets.  For P: 1 per request copy (a request from
 * Q whose base header passed) + 1 per message sent to anyone + 1 more
 * when P is itself a target.
 */
static const struct row {
	const char *name;
	void (*run)(void);
	uint8_t type;  /* of the message Q (or E) gets, 0 = none */
	uint8_t error; /* its sadb_msg_errno */
	unsigned n[NSOCK];
} rows[] = {
	/*                                              Q  E  AH P  N */
	{ "add", do_add, SADB_ADD, 0, { 1, 1, 1, 3, 1 } },
	{ "update", do_update, SADB_UPDATE, 0, { 1, 1, 1, 3, 1 } },
	{ "delete", do_delete, SADB_DELETE, 0, { 1, 1, 1, 3, 1 } },
	{ "get", do_get, SADB_GET, 0, { 1, 0, 0, 2, 0 } },
	{ "getspi", do_getspi, SADB_GETSPI, 0, { 1, 0, 0, 2, 0 } },
	{ "flush", do_flush, SADB_FLUSH, 0, { 1, 1, 1, 3, 1 } },
	{ "dump", do_dump, SADB_DUMP, 0, { 1, 0, 0, 2, 0 } },
	/* The reply to Q and to the other ESP socket. */
	{ "register_esp", do_register_esp, SADB_REGISTER, 0,
	    { 1, 1, 0, 2, 0 } },
	{ "register_ipcomp", do_register_ipcomp, SADB_REGISTER, 0,
	    { 1, 0, 0, 2, 0 } },
	{ "x_promisc_echo", do_promisc_echo, SADB_X_PROMISC, 0,
	    { 1, 1, 1, 3, 1 } },
	{ "x_spdadd", do_spdadd, SADB_X_SPDADD, 0, { 1, 1, 1, 3, 1 } },
	{ "x_spdupdate", do_spdupdate, SADB_X_SPDUPDATE, 0, { 1, 1, 1, 3, 1 } },
	{ "x_spddelete", do_spddelete, SADB_X_SPDDELETE, 0, { 1, 1, 1, 3, 1 } },
	{ "x_spddelete2", do_spddelete2, SADB_X_SPDDELETE2, 0,
	    { 1, 1, 1, 3, 1 } },
	{ "x_spdget", do_spdget, SADB_X_SPDGET, 0, { 1, 0, 0, 2, 0 } },
	{ "x_spdflush", do_spdflush, SADB_X_SPDFLUSH, 0, { 1, 1, 1, 3, 1 } },
	{ "x_spddump", do_spddump, SADB_X_SPDDUMP, 0, { 1, 0, 0, 2, 0 } },
	{ "x_migrate", do_migrate, SADB_X_MIGRATE, 0, { 1, 1, 1, 3, 1 } },
	{ "error_reply", do_error, SADB_GET, ESRCH, { 1, 0, 0, 2, 0 } },
	/* Stands for a failed send(): the sender alone, no copies. */
	{ "bad_base_header", do_bad_base, SADB_FLUSH, EINVAL,
	    { 1, 0, 0, 0, 0 } },
	{ "acquire_negative", do_user_acquire_negative, 0, 0,
	    { 0, 0, 0, 1, 0 } },
	/* Kernel-originated: registered for ESP (and promiscuous) only. */
	{ "acquire", do_acquire, 0, 0, { 0, 1, 0, 1, 0 } },
	{ "expire", do_expire, 0, 0, { 0, 1, 0, 1, 0 } },
	{ "new_mapping", do_new_mapping, 0, 0, { 0, 1, 0, 1, 0 } },
};

static const char *const sock_names[NSOCK] = { "requester", "esp", "ah",
	"promisc", "plain" };

START_TEST(test_broadcast_matrix)
{
	const struct row *r = &rows[_i];

	r->run();
	/* What the requester got first is the reply, with its header. */
	if (r->type != 0) {
		ck_assert_msg(hx_recv(&H, fd[Q], &R), "%s: no reply", r->name);
		ck_assert_msg(
		    R.m.hdr.type == r->type && R.m.hdr.error == r->error,
		    "%s: reply type %u errno %u", r->name, R.m.hdr.type,
		    R.m.hdr.error);
		/* X_MIGRATE is an announcement (pid 0), not a reply. */
		ck_assert_uint_eq(
		    R.m.hdr.pid, r->type == SADB_X_MIGRATE ? 0 : 4242);
	}
	for (int i = 0; i < NSOCK; i++) {
		unsigned want = r->n[i], got;

		if (i == Q && r->type != 0)
			want--;
		got = hx_drain(&H, fd[i]);
		ck_assert_msg(got == want, "%s: %s socket got %u, expected %u",
		    r->name, sock_names[i], got, want);
	}
}
END_TEST

/* Kernel-originated messages carry pid 0 to the registered socket. */
START_TEST(test_broadcast_kernel_pid_zero)
{
	static void (*const run[])(
	    void) = { do_acquire, do_expire, do_new_mapping };
	static const uint8_t type[] = { SADB_ACQUIRE, SADB_EXPIRE,
		SADB_X_NAT_T_NEW_MAPPING };

	for (size_t i = 0; i < 3; i++) {
		drain_all();
		run[i]();
		ck_assert(hx_recv(&H, fd[E], &R));
		ck_assert_uint_eq(R.m.hdr.type, type[i]);
		ck_assert_uint_eq(R.m.hdr.satype, SADB_SATYPE_ESP);
		ck_assert_uint_eq(R.m.hdr.pid, 0);
		ck_assert_uint_eq(R.m.hdr.error, 0);
	}
}
END_TEST

static Suite *
bcast_suite(void)
{
	Suite *s = suite_create("pfkey_bcast");
	TCase *tc = tcase_create("matrix");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_broadcast_matrix, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_broadcast_kernel_pid_zero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(bcast_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
