/*
 * PF_KEY conformance: what IKE daemons do and expect (issue 4), and the
 * messages the kernel side starts.
 *
 *   strongSwan (kernel-pfkey): REGISTER for ESP and AH checking only
 *   errno; inbound SAs with ADD after deleting the GETSPI larval SA; the
 *   SA extension of a GETSPI reply, LIFETIME_CURRENT of a GET reply and
 *   the policy id of an X_SPDADD reply read without NULL checks;
 *   X_SPDADD retried as X_SPDUPDATE on EEXIST.
 *   racoon: REGISTER per SA type accepting only SUPPORTED_* in the
 *   reply; X_SPDDUMP read to seq 0; GETSPI with X_SA2 and NAT-T
 *   extensions; SRC, DST and X_POLICY required in an ACQUIRE.
 *   The kernel side: ACQUIRE (rate limit, adoption by GETSPI, negative
 *   ACQUIRE, timeout), EXPIRE soft and hard (larval SAs included),
 *   X_NAT_T_NEW_MAPPING with X_SA2; each to registered sockets only.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
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

static struct addr
A(const char *s) {
	struct addr a;

	ck_assert(addr_parse(&a, s));
	return a;
}

static uint32_t
spi_of(const struct pfkey_msg *m)
{
	struct sadb_sa s;
	const uint8_t *p;
	size_t len;

	ck_assert_ptr_nonnull(p = pfkey_msg_ext(m, SADB_EXT_SA, &len));
	ck_assert(pfkey_ext_copy(p, len, &s, sizeof(s)));
	return ntohl(s.sadb_sa_spi);
}

static struct pfkey_address
address_of(const struct pfkey_msg *m, unsigned type)
{
	struct pfkey_address a;
	struct pfkey_err err;
	const uint8_t *p;
	size_t len;

	ck_assert_ptr_nonnull(p = pfkey_msg_ext(m, type, &len));
	ck_assert(pfkey_ext_address(p, len, &a, &err));
	return a;
}

static uint16_t
port_of(const struct pfkey_msg *m, unsigned type)
{
	struct sadb_x_nat_t_port p;
	const uint8_t *x;
	size_t len;

	ck_assert_ptr_nonnull(x = pfkey_msg_ext(m, type, &len));
	ck_assert(pfkey_ext_copy(x, len, &p, sizeof(p)));
	return ntohs(p.sadb_x_nat_t_port_port);
}

static void
reg(int fd, uint8_t satype)
{
	hx_tm_register(&T, satype);
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_expect(&H, fd, &R)->hdr.error, 0);
	hx_drain(&H, fd);
}

static uint32_t
getspi(int fd, uint8_t satype, uint32_t seq)
{
	hx_tm_getspi(&T, satype, "192.0.2.1", "192.0.2.2", 0, 0);
	hx_set_seq(&T, seq, 4242);
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_expect(&H, fd, &R)->hdr.type, SADB_GETSPI);
	ck_assert_uint_eq(R.m.hdr.error, 0);
	return spi_of(&R.m);
}

/* --- strongSwan --- */

START_TEST(test_strongswan_register_esp_ah_errno_only)
{
	int a = hx_connect(&H);

	hx_tm_register(&T, SADB_SATYPE_ESP);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	hx_tm_register(&T, SADB_SATYPE_AH);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	close(a);
}
END_TEST

START_TEST(test_strongswan_add_after_deleting_larval)
{
	int a = hx_connect(&H);
	struct addr dst = A("192.0.2.2");
	uint32_t spi = getspi(a, SADB_SATYPE_ESP, 0);
	struct sad_entry *e;

	/* ADD over the larval SA is EEXIST, as in af_key... */
	hx_tm_add(&T, SADB_ADD, spi, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, EEXIST);
	/* ... so strongSwan deletes it first. */
	hx_tm_sa_id(
	    &T, SADB_DELETE, SADB_SATYPE_ESP, spi, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	hx_tm_add(&T, SADB_ADD, spi, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, 0);
	e = sad_lookup_spi(H.sad, spi, IPPROTO_ESP, &dst);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(sad_state(e), SA_STATE_MATURE);
	ck_assert_uint_eq(e->sa.key.enc_len, 20);
	close(a);
}
END_TEST

START_TEST(test_strongswan_getspi_sa_extension)
{
	int a = hx_connect(&H);
	static const uint8_t types[] = { SADB_SATYPE_ESP, SADB_SATYPE_AH,
		SADB_X_SATYPE_IPCOMP };

	for (size_t i = 0; i < sizeof(types); i++) {
		hx_tm_getspi(&T, types[i], "192.0.2.1", "192.0.2.2", 0, 0);
		hx_send_tm(&H, a, &T);
		hx_expect(&H, a, &R);
		ck_assert(pfkey_msg_has(&R.m, SADB_EXT_SA));
		ck_assert_uint_ne(spi_of(&R.m), 0);
	}
	close(a);
}
END_TEST

START_TEST(test_strongswan_get_lifetime_current)
{
	int a = hx_connect(&H);
	struct sadb_lifetime cur;
	const uint8_t *p;
	size_t len;

	hx_add_sa(&H, a, 0x1000, "192.0.2.1", "192.0.2.2");
	H.now += 5;
	hx_tm_sa_id(
	    &T, SADB_GET, SADB_SATYPE_ESP, 0x1000, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	p = pfkey_msg_ext(&R.m, SADB_EXT_LIFETIME_CURRENT, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert(pfkey_ext_copy(p, len, &cur, sizeof(cur)));
	ck_assert_uint_eq(cur.sadb_lifetime_addtime, H.now - 5);
	close(a);
}
END_TEST

static uint32_t
policy_id_of(const struct pfkey_msg *m)
{
	struct pfkey_policy p;
	struct pfkey_err err;
	const uint8_t *x;
	size_t len;

	ck_assert_ptr_nonnull(x = pfkey_msg_ext(m, SADB_X_EXT_POLICY, &len));
	ck_assert(pfkey_ext_policy(x, len, &p, &err));
	return p.id;
}

START_TEST(test_strongswan_spdadd_policy_id)
{
	int a = hx_connect(&H);
	uint32_t id;

	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	id = policy_id_of(hx_expect(&H, a, &R));
	ck_assert_uint_ne(id, 0);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, id));
	close(a);
}
END_TEST

START_TEST(test_strongswan_spdadd_eexist_then_spdupdate)
{
	int a = hx_connect(&H);
	uint32_t id;

	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	id = policy_id_of(hx_expect(&H, a, &R));
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.error, EEXIST);
	hx_tm_spdadd(&T, SADB_X_SPDUPDATE, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	ck_assert_uint_eq(R.m.hdr.error, 0);
	ck_assert_uint_eq(R.m.hdr.type, SADB_X_SPDUPDATE);
	ck_assert_uint_eq(policy_id_of(&R.m), id);
	ck_assert_uint_eq(spd_count(H.spd), 1);
	close(a);
}
END_TEST

/* strongSwan's inbound ESP-in-UDP SA: X_SA2 and the NAT-T extensions. */
START_TEST(test_strongswan_add_natt)
{
	int a = hx_connect(&H);
	struct addr dst = A("192.0.2.2");
	struct sad_entry *e;

	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 62000);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	ck_assert_uint_eq(R.m.hdr.error, 0);
	ck_assert_uint_eq(port_of(&R.m, SADB_X_EXT_NAT_T_SPORT), 4500);
	ck_assert_uint_eq(port_of(&R.m, SADB_X_EXT_NAT_T_DPORT), 62000);
	e = sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst);
	ck_assert(e->sa.flags & SA_F_UDP_ENCAP);
	ck_assert_uint_eq(e->sa.encap_dport, 62000);
	close(a);
}
END_TEST

/* --- racoon --- */

START_TEST(test_racoon_register_per_satype_supported_only)
{
	int a = hx_connect(&H);
	static const uint8_t types[] = { SADB_SATYPE_AH, SADB_SATYPE_ESP,
		SADB_X_SATYPE_IPCOMP };

	for (size_t i = 0; i < sizeof(types); i++) {
		hx_tm_register(&T, types[i]);
		hx_send_tm(&H, a, &T);
		hx_expect(&H, a, &R);
		ck_assert_uint_eq(R.m.hdr.type, SADB_REGISTER);
		ck_assert_uint_eq(R.m.hdr.satype, types[i]);
		ck_assert_uint_eq(R.m.hdr.error, 0);
		for (unsigned t = 1; t <= SADB_EXT_MAX; t++)
			ck_assert_msg(!pfkey_msg_has(&R.m, t) ||
				t == SADB_EXT_SUPPORTED_AUTH ||
				t == SADB_EXT_SUPPORTED_ENCRYPT,
			    "extension %u in a REGISTER reply", t);
		ck_assert(pfkey_msg_has(&R.m, SADB_EXT_SUPPORTED_AUTH));
	}
	close(a);
}
END_TEST

START_TEST(test_racoon_spddump_ends_at_seq0)
{
	int a = hx_connect(&H);
	uint32_t last = UINT32_MAX;
	unsigned n = 0;

	for (int i = 0; i < 3; i++) {
		char src[16];

		snprintf(src, sizeof(src), "10.%d.0.0", i);
		hx_tm_spdadd(&T, SADB_X_SPDADD, src, 16, "10.9.0.0", 16,
		    IPSEC_DIR_OUTBOUND);
		hx_send_tm(&H, a, &T);
		hx_drain(&H, a);
	}
	hx_tm_bare(&T, SADB_X_SPDDUMP, 0);
	hx_send_tm(&H, a, &T);
	do {
		hx_expect(&H, a, &R);
		ck_assert_uint_eq(R.m.hdr.type, SADB_X_SPDDUMP);
		ck_assert_uint_lt(R.m.hdr.seq, last);
		last = R.m.hdr.seq;
		n++;
	} while (R.m.hdr.seq != 0);
	ck_assert_uint_eq(n, 3);
	close(a);
}
END_TEST

START_TEST(test_racoon_getspi_sa2_natt)
{
	int a = hx_connect(&H);
	struct addr dst = A("192.0.2.2");
	struct sad_entry *e;

	tm_hdr(&T, SADB_GETSPI, SADB_SATYPE_ESP);
	tm_sa2(&T, IPSEC_MODE_TRANSPORT, 0);
	tm_host(&T, SADB_EXT_ADDRESS_SRC, "192.0.2.1");
	tm_host(&T, SADB_EXT_ADDRESS_DST, "192.0.2.2");
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 4500);
	tm_spirange(&T, 0x100, 0x0fffffff);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	ck_assert_uint_eq(R.m.hdr.error, 0);
	e = sad_lookup_spi(H.sad, spi_of(&R.m), IPPROTO_ESP, &dst);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->sa.mode, SA_MODE_TRANSPORT);
	close(a);
}
END_TEST

/* An outbound tunnel policy 10.1/16 -> 10.2/16 via 192.0.2.1-2. */
static struct spd_policy *
tunnel_policy(int fd)
{
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd, &T);
	hx_expect(&H, fd, &R);
	hx_drain(&H, fd);
	return spd_lookup_id(H.spd, policy_id_of(&R.m));
}

/* A transport policy for host pairs of 10.1/16 -> 10.2/16. */
static struct spd_policy *
transport_policy(int fd)
{
	struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };

	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 7, &rq, 1);
	hx_send_tm(&H, fd, &T);
	hx_expect(&H, fd, &R);
	hx_drain(&H, fd);
	return spd_lookup_id(H.spd, policy_id_of(&R.m));
}

static struct selector_key
flow(const char *src, const char *dst)
{
	struct selector_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.proto = IPPROTO_TCP;
	k.sport = 40000;
	k.dport = 443;
	k.src = A(src);
	k.dst = A(dst);
	return k;
}

START_TEST(test_racoon_acquire_src_dst_policy)
{
	int esp = hx_connect(&H), ah = hx_connect(&H), plain = hx_connect(&H);
	struct spd_policy *pol = tunnel_policy(plain);
	struct selector_key k = flow("10.1.0.5", "10.2.0.9");
	struct pfkey_address src, dst;

	reg(esp, SADB_SATYPE_ESP);
	reg(ah, SADB_SATYPE_AH);
	hx_drain(&H, plain);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	hx_expect(&H, esp, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_ACQUIRE);
	ck_assert_uint_eq(R.m.hdr.satype, SADB_SATYPE_ESP);
	ck_assert_uint_eq(R.m.hdr.pid, 0);
	ck_assert_uint_ne(R.m.hdr.seq, 0);
	/* The tunnel's endpoints, full length, port 0. */
	src = address_of(&R.m, SADB_EXT_ADDRESS_SRC);
	dst = address_of(&R.m, SADB_EXT_ADDRESS_DST);
	ck_assert(addr_eq(&src.addr, &pol->tmpl[0].src));
	ck_assert(addr_eq(&dst.addr, &pol->tmpl[0].dst));
	ck_assert_uint_eq(src.prefixlen, 32);
	ck_assert_uint_eq(dst.port, 0);
	ck_assert_uint_eq(policy_id_of(&R.m), pol->id);
	ck_assert(pfkey_msg_has(&R.m, SADB_EXT_PROPOSAL));
	ck_assert_uint_eq(hx_drain(&H, ah), 0);
	ck_assert_uint_eq(hx_drain(&H, plain), 0);
	close(esp);
	close(ah);
	close(plain);
}
END_TEST

/* --- ACQUIRE: rate limit, adoption, failure, timeout --- */

START_TEST(test_acquire_transport_per_host_pair)
{
	int esp = hx_connect(&H);
	struct spd_policy *pol = transport_policy(esp);
	struct selector_key k1 = flow("10.1.0.5", "10.2.0.9");
	struct selector_key k2 = flow("10.1.0.6", "10.2.0.9");
	struct pfkey_server_stats st;
	struct pfkey_address src;

	reg(esp, SADB_SATYPE_ESP);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k1), 1);
	hx_expect(&H, esp, &R);
	src = address_of(&R.m, SADB_EXT_ADDRESS_SRC);
	ck_assert(addr_eq(&src.addr, &k1.src));
	/* The same host pair again: held back while one is pending. */
	k1.sport = 40001;
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k1), 0);
	ck_assert_uint_eq(hx_drain(&H, esp), 0);
	/* Another pair needs its own SA. */
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k2), 1);
	ck_assert_uint_eq(hx_drain(&H, esp), 1);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.acquires, 2);
	ck_assert_uint_eq(st.acq_limited, 1);
	close(esp);
}
END_TEST

START_TEST(test_acquire_getspi_adopts_until_add)
{
	int esp = hx_connect(&H);
	struct spd_policy *pol = tunnel_policy(esp);
	struct selector_key k = flow("10.1.0.5", "10.2.0.9");
	uint32_t seq, spi;

	reg(esp, SADB_SATYPE_ESP);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	seq = hx_expect(&H, esp, &R)->hdr.seq;
	spi = getspi(esp, SADB_SATYPE_ESP, seq);
	/* The same seq again: the same larval SA (af_key). */
	ck_assert_uint_eq(getspi(esp, SADB_SATYPE_ESP, seq), spi);
	ck_assert_uint_eq(sad_count(H.sad), 1);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 0);
	/* UPDATE completes the SA: the acquire state is done. */
	hx_tm_add(&T, SADB_UPDATE, spi, "192.0.2.1", "192.0.2.2");
	hx_set_seq(&T, seq, 4242);
	hx_send_tm(&H, esp, &T);
	ck_assert_uint_eq(hx_expect(&H, esp, &R)->hdr.error, 0);
	/* Gone with the SA, a new one goes out at once. */
	hx_tm_sa_id(
	    &T, SADB_DELETE, SADB_SATYPE_ESP, spi, "192.0.2.1", "192.0.2.2");
	hx_send_tm(&H, esp, &T);
	hx_drain(&H, esp);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	ck_assert_uint_ne(hx_expect(&H, esp, &R)->hdr.seq, seq);
	close(esp);
}
END_TEST

/* ADD answering the acquire deletes the adopted larval SA (af_key). */
START_TEST(test_acquire_add_removes_larval)
{
	int esp = hx_connect(&H);
	struct spd_policy *pol = tunnel_policy(esp);
	struct selector_key k = flow("10.1.0.5", "10.2.0.9");
	uint32_t seq, spi;
	struct addr dst = A("192.0.2.2");

	reg(esp, SADB_SATYPE_ESP);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	seq = hx_expect(&H, esp, &R)->hdr.seq;
	spi = getspi(esp, SADB_SATYPE_ESP, seq);
	hx_tm_add(&T, SADB_ADD, spi + 1, "192.0.2.1", "192.0.2.2");
	hx_set_seq(&T, seq, 4242);
	hx_send_tm(&H, esp, &T);
	ck_assert_uint_eq(hx_expect(&H, esp, &R)->hdr.error, 0);
	ck_assert_ptr_null(sad_lookup_spi(H.sad, spi, IPPROTO_ESP, &dst));
	ck_assert_uint_eq(sad_count(H.sad), 1);
	close(esp);
}
END_TEST

START_TEST(test_acquire_negative_fails_state)
{
	int esp = hx_connect(&H);
	struct spd_policy *pol = tunnel_policy(esp);
	struct selector_key k = flow("10.1.0.5", "10.2.0.9");
	uint32_t seq;

	reg(esp, SADB_SATYPE_ESP);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	seq = hx_expect(&H, esp, &R)->hdr.seq;
	getspi(esp, SADB_SATYPE_ESP, seq);
	ck_assert_uint_eq(sad_count(H.sad), 1);
	/* The key manager gave up: a bare ACQUIRE with errno and seq. */
	hx_tm_bare(&T, SADB_ACQUIRE, SADB_SATYPE_ESP);
	hx_set_seq(&T, seq, 4242);
	hx_set_errno(&T, ENOENT);
	hx_send_tm(&H, esp, &T);
	ck_assert_uint_eq(hx_drain(&H, esp), 0); /* af_key answers nothing */
	ck_assert_uint_eq(sad_count(H.sad), 0);
	/* No new ACQUIRE until the failed state expires... */
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 0);
	H.now += PFKEY_SERVER_ACQ_EXPIRES;
	pfkey_server_tick(H.srv);
	/* ... then one. */
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	close(esp);
}
END_TEST

START_TEST(test_acquire_times_out)
{
	int esp = hx_connect(&H);
	struct spd_policy *pol = tunnel_policy(esp);
	struct selector_key k = flow("10.1.0.5", "10.2.0.9");
	struct pfkey_server_stats st;

	reg(esp, SADB_SATYPE_ESP);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	H.now += PFKEY_SERVER_ACQ_EXPIRES - 1;
	pfkey_server_tick(H.srv);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 0);
	H.now += 1;
	pfkey_server_tick(H.srv);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.acq_timeouts, 1);
	ck_assert_int_eq(pfkey_server_acquire(H.srv, pol, &k), 1);
	close(esp);
}
END_TEST

/* --- EXPIRE --- */

static void
expire_cb(struct sad *sad, struct sad_entry *e, unsigned tripped, void *arg)
{
	(void)sad;
	pfkey_server_expire(arg, e, tripped);
}

START_TEST(test_expire_larval_hard)
{
	int esp = hx_connect(&H), plain = hx_connect(&H);
	uint32_t spi;

	reg(esp, SADB_SATYPE_ESP);
	spi = getspi(plain, SADB_SATYPE_ESP, 0);
	ck_assert_uint_eq(
	    sad_expire_scan(
		H.sad, H.now + PFKEY_SERVER_ACQ_EXPIRES - 1, expire_cb, H.srv),
	    0);
	ck_assert_uint_eq(
	    sad_expire_scan(
		H.sad, H.now + PFKEY_SERVER_ACQ_EXPIRES, expire_cb, H.srv),
	    1);
	hx_expect(&H, esp, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_EXPIRE);
	ck_assert_uint_eq(R.m.hdr.pid, 0);
	ck_assert_uint_eq(spi_of(&R.m), spi);
	ck_assert(pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_HARD));
	ck_assert(!pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_SOFT));
	ck_assert_uint_eq(sad_count(H.sad), 0);
	ck_assert_uint_eq(hx_drain(&H, plain), 0);
	close(esp);
	close(plain);
}
END_TEST

START_TEST(test_expire_soft_then_hard)
{
	int esp = hx_connect(&H), ah = hx_connect(&H);
	struct addr dst = A("192.0.2.2");

	reg(esp, SADB_SATYPE_ESP);
	reg(ah, SADB_SATYPE_AH);
	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, 20, 0);
	tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, 0, 0, 10, 0);
	hx_send_tm(&H, esp, &T);
	hx_drain(&H, esp);
	hx_drain(&H, ah);
	sad_expire_scan(H.sad, H.now + 10, expire_cb, H.srv);
	hx_expect(&H, esp, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_EXPIRE);
	ck_assert(pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_SOFT));
	ck_assert(!pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_HARD));
	ck_assert(pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_CURRENT));
	ck_assert_int_eq(
	    sad_state(sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst)),
	    SA_STATE_DYING);
	sad_expire_scan(H.sad, H.now + 20, expire_cb, H.srv);
	hx_expect(&H, esp, &R);
	ck_assert(pfkey_msg_has(&R.m, SADB_EXT_LIFETIME_HARD));
	ck_assert_ptr_null(sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst));
	ck_assert_uint_eq(hx_drain(&H, ah), 0);
	close(esp);
	close(ah);
}
END_TEST

/*
 * Every limit, soft and hard: bytes, packets, add time, use time.  Two
 * packets of 1000 bytes go through the SA at t0 + 5 (its first use); the
 * EXPIRE carries LIFETIME_CURRENT with those counts and times, and the
 * lifetime that expired (and not the other) with the limit in it.  Soft
 * leaves the SA DYING; hard deletes it.
 */
enum lim { LIM_BYTES, LIM_PACKETS, LIM_ADD, LIM_USE };

static const struct expire_row {
	const char *name;
	enum lim lim;
	bool is_hard;
	uint64_t limit;
	uint64_t quiet_at; /* seconds after t0: not yet */
	uint64_t trip_at;  /* and reached */
} expire_rows[] = {
	{ "soft bytes", LIM_BYTES, false, 1500, 5, 5 },
	{ "hard bytes", LIM_BYTES, true, 1500, 5, 5 },
	{ "soft packets", LIM_PACKETS, false, 2, 5, 5 },
	{ "hard packets", LIM_PACKETS, true, 2, 5, 5 },
	{ "soft addtime", LIM_ADD, false, 30, 29, 30 },
	{ "hard addtime", LIM_ADD, true, 30, 29, 30 },
	{ "soft usetime", LIM_USE, false, 30, 34, 35 },
	{ "hard usetime", LIM_USE, true, 30, 34, 35 },
};

static uint64_t
lim_field(const struct sadb_lifetime *l, enum lim lim)
{
	switch (lim) {
	case LIM_BYTES:
		return l->sadb_lifetime_bytes;
	case LIM_PACKETS:
		return l->sadb_lifetime_allocations;
	case LIM_ADD:
		return l->sadb_lifetime_addtime;
	case LIM_USE:
		return l->sadb_lifetime_usetime;
	}
	return 0;
}

static struct sadb_lifetime
lifetime_of(const struct pfkey_msg *m, unsigned type)
{
	struct sadb_lifetime l;
	const uint8_t *x;
	size_t len;

	ck_assert_ptr_nonnull(x = pfkey_msg_ext(m, type, &len));
	ck_assert(pfkey_ext_copy(x, len, &l, sizeof(l)));
	return l;
}

START_TEST(test_expire_every_limit)
{
	const struct expire_row *r = &expire_rows[_i];
	int esp = hx_connect(&H), plain = hx_connect(&H);
	struct addr dst = A("192.0.2.2");
	uint64_t t0 = H.now, v[4] = { 0 };
	unsigned mine =
	    r->is_hard ? SADB_EXT_LIFETIME_HARD : SADB_EXT_LIFETIME_SOFT;
	unsigned other =
	    r->is_hard ? SADB_EXT_LIFETIME_SOFT : SADB_EXT_LIFETIME_HARD;
	struct sadb_lifetime cur, got;
	struct sad_entry *e;

	reg(esp, SADB_SATYPE_ESP);
	v[r->lim] = r->limit;
	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, r->is_hard ? (uint32_t)v[1] : 0,
	    r->is_hard ? v[0] : 0, r->is_hard ? v[2] : 0,
	    r->is_hard ? v[3] : 0);
	tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, r->is_hard ? 0 : (uint32_t)v[1],
	    r->is_hard ? 0 : v[0], r->is_hard ? 0 : v[2],
	    r->is_hard ? 0 : v[3]);
	hx_send_tm(&H, plain, &T);
	ck_assert_uint_eq(hx_expect(&H, plain, &R)->hdr.error, 0);
	hx_drain(&H, esp);
	e = sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(sad_account(e, 1000, t0 + 5), IPSEC_OK);
	ck_assert_int_eq(sad_account(e, 1000, t0 + 5), IPSEC_OK);
	if (r->quiet_at < r->trip_at) {
		ck_assert_uint_eq(
		    sad_expire_scan(H.sad, t0 + r->quiet_at, expire_cb, H.srv),
		    0);
		ck_assert_uint_eq(hx_drain(&H, esp), 0);
	}
	ck_assert_uint_eq(
	    sad_expire_scan(H.sad, t0 + r->trip_at, expire_cb, H.srv), 1);
	hx_expect(&H, esp, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_EXPIRE);
	ck_assert_uint_eq(R.m.hdr.satype, SADB_SATYPE_ESP);
	ck_assert_uint_eq(R.m.hdr.pid, 0);
	ck_assert_uint_eq(spi_of(&R.m), 0x1000);
	cur = lifetime_of(&R.m, SADB_EXT_LIFETIME_CURRENT);
	ck_assert_uint_eq(cur.sadb_lifetime_bytes, 2000);
	ck_assert_uint_eq(cur.sadb_lifetime_allocations, 2);
	ck_assert_uint_eq(cur.sadb_lifetime_addtime, t0);
	ck_assert_uint_eq(cur.sadb_lifetime_usetime, t0 + 5);
	got = lifetime_of(&R.m, mine);
	ck_assert_msg(lim_field(&got, r->lim) == r->limit, "%s: limit %llu",
	    r->name, (unsigned long long)lim_field(&got, r->lim));
	ck_assert_msg(
	    !pfkey_msg_has(&R.m, other), "%s: both lifetimes", r->name);
	ck_assert(!pfkey_msg_has(&R.m, SADB_EXT_KEY_ENCRYPT));
	e = sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst);
	if (r->is_hard)
		ck_assert_ptr_null(e);
	else
		ck_assert_int_eq(sad_state(e), SA_STATE_DYING);
	/* Reported once; to the registered socket only. */
	ck_assert_uint_eq(
	    sad_expire_scan(H.sad, t0 + r->trip_at, expire_cb, H.srv), 0);
	ck_assert_uint_eq(hx_drain(&H, esp), 0);
	ck_assert_uint_eq(hx_drain(&H, plain), 0);
	close(esp);
	close(plain);
}
END_TEST

/* --- NEW_MAPPING --- */

START_TEST(test_new_mapping_with_sa2)
{
	int esp = hx_connect(&H), plain = hx_connect(&H);
	struct addr dst = A("192.0.2.2"), peer = A("203.0.113.7");
	struct pfkey_address a;
	struct sad_entry *e;

	reg(esp, SADB_SATYPE_ESP);
	hx_tm_add(&T, SADB_ADD, 0x1000, "192.0.2.1", "192.0.2.2");
	tm_natt(&T, UDP_ENCAP_ESPINUDP, 4500, 4500);
	hx_send_tm(&H, plain, &T);
	hx_drain(&H, plain);
	hx_drain(&H, esp);
	e = sad_lookup_spi(H.sad, 0x1000, IPPROTO_ESP, &dst);
	ck_assert_int_eq(pfkey_server_new_mapping(H.srv, e, &peer, 61000), 0);
	hx_expect(&H, esp, &R);
	ck_assert_uint_eq(R.m.hdr.type, SADB_X_NAT_T_NEW_MAPPING);
	ck_assert_uint_eq(R.m.hdr.pid, 0);
	ck_assert_uint_eq(spi_of(&R.m), 0x1000);
	ck_assert(pfkey_msg_has(&R.m, SADB_X_EXT_SA2));
	a = address_of(&R.m, SADB_EXT_ADDRESS_DST);
	ck_assert(addr_eq(&a.addr, &peer));
	ck_assert_uint_eq(port_of(&R.m, SADB_X_EXT_NAT_T_DPORT), 61000);
	ck_assert_uint_eq(port_of(&R.m, SADB_X_EXT_NAT_T_SPORT), 4500);
	ck_assert_uint_eq(hx_drain(&H, plain), 0);
	/* Not for an SA without UDP encapsulation. */
	hx_add_sa(&H, plain, 0x1001, "192.0.2.1", "192.0.2.2");
	hx_drain(&H, esp);
	e = sad_lookup_spi(H.sad, 0x1001, IPPROTO_ESP, &dst);
	ck_assert_int_eq(pfkey_server_new_mapping(H.srv, e, &peer, 61000), -1);
	ck_assert_uint_eq(hx_drain(&H, esp), 0);
	close(esp);
	close(plain);
}
END_TEST

static Suite *
ike_suite(void)
{
	Suite *s = suite_create("pfkey_ike");
	TCase *tc;

	tc = tcase_create("strongswan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_strongswan_register_esp_ah_errno_only);
	tcase_add_test(tc, test_strongswan_add_after_deleting_larval);
	tcase_add_test(tc, test_strongswan_getspi_sa_extension);
	tcase_add_test(tc, test_strongswan_get_lifetime_current);
	tcase_add_test(tc, test_strongswan_spdadd_policy_id);
	tcase_add_test(tc, test_strongswan_spdadd_eexist_then_spdupdate);
	tcase_add_test(tc, test_strongswan_add_natt);
	suite_add_tcase(s, tc);

	tc = tcase_create("racoon");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_racoon_register_per_satype_supported_only);
	tcase_add_test(tc, test_racoon_spddump_ends_at_seq0);
	tcase_add_test(tc, test_racoon_getspi_sa2_natt);
	tcase_add_test(tc, test_racoon_acquire_src_dst_policy);
	suite_add_tcase(s, tc);

	tc = tcase_create("acquire");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_acquire_transport_per_host_pair);
	tcase_add_test(tc, test_acquire_getspi_adopts_until_add);
	tcase_add_test(tc, test_acquire_add_removes_larval);
	tcase_add_test(tc, test_acquire_negative_fails_state);
	tcase_add_test(tc, test_acquire_times_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("expire_new_mapping");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_expire_larval_hard);
	tcase_add_test(tc, test_expire_soft_then_hard);
	tcase_add_loop_test(tc, test_expire_every_limit, 0,
	    (int)(sizeof(expire_rows) / sizeof(expire_rows[0])));
	tcase_add_test(tc, test_new_mapping_with_sa2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ike_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
