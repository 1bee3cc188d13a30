/*
 * PF_KEY conformance: the SPD messages (X_SPDADD, X_SPDUPDATE,
 * X_SPDSETIDX, X_SPDDELETE, X_SPDDELETE2, X_SPDGET, X_SPDFLUSH,
 * X_SPDDUMP, X_MIGRATE) as af_key answers them: replies and broadcasts
 * on several sockets, policy ids, reqids picked for "unique" templates,
 * the SPD (and for X_MIGRATE the SAD) afterwards, and the context's
 * spd_changed after each change.
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

#include "harness.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_ext.h"

static struct hx H;
static struct tmsg T;
static struct hx_msg R, R2;

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

static struct pfkey_policy
policy_ext(const struct pfkey_msg *m)
{
	struct pfkey_policy p;
	struct pfkey_err err;
	const uint8_t *x;
	size_t len;

	ck_assert_ptr_nonnull(x = pfkey_msg_ext(m, SADB_X_EXT_POLICY, &len));
	ck_assert_msg(pfkey_ext_policy(x, len, &p, &err), "%s", err.why);
	return p;
}

static void
assert_reply(const struct pfkey_msg *m, uint8_t type, uint8_t error)
{
	ck_assert_uint_eq(m->hdr.type, type);
	ck_assert_uint_eq(m->hdr.error, error);
	ck_assert_uint_eq(m->hdr.pid, 4242);
	ck_assert_uint_eq(m->hdr.seq, 7);
}

/* Add a policy 10.N.0.0/16 -> 10.M.0.0/16 out; returns its id. */
static uint32_t
add_policy(int fd, const char *src, const char *dst)
{
	hx_tm_spdadd(&T, SADB_X_SPDADD, src, 16, dst, 16, IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, fd, &T);
	ck_assert_uint_eq(hx_expect(&H, fd, &R)->hdr.error, 0);
	return policy_ext(&R.m).id;
}

START_TEST(test_spdadd_broadcast_with_id)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	const struct pfkey_msg *m;
	struct pfkey_policy p;
	struct spd_policy *sp;

	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_X_SPDADD, 0);
	ck_assert_uint_eq(m->hdr.satype, 0);
	/* af_key's policy message: addresses, three lifetimes, X_POLICY. */
	ck_assert(pfkey_msg_has(m, SADB_EXT_ADDRESS_SRC));
	ck_assert(pfkey_msg_has(m, SADB_EXT_ADDRESS_DST));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_HARD));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_SOFT));
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_CURRENT));
	p = policy_ext(m);
	ck_assert_uint_ne(p.id, 0);
	ck_assert_uint_eq(p.dir, IPSEC_DIR_OUTBOUND);
	ck_assert_uint_eq(p.type, IPSEC_POLICY_IPSEC);
	ck_assert_uint_eq(p.nreq, 1);
	assert_reply(hx_expect(&H, b, &R2), SADB_X_SPDADD, 0);
	ck_assert_uint_eq(policy_ext(&R2.m).id, p.id);
	sp = spd_lookup_id(H.spd, p.id);
	ck_assert_ptr_nonnull(sp);
	ck_assert_uint_eq(sp->dir, SPD_DIR_OUT);
	ck_assert_uint_eq(sp->add_sec, H.now);
	ck_assert_uint_eq(H.spd_changes, 1);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spdadd_exists_eexist)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint64_t d;

	add_policy(a, "10.1.0.0", "10.2.0.0");
	hx_drain(&H, b);
	d = hx_digest(&H);
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDADD, EEXIST);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	ck_assert_uint_eq(hx_digest(&H), d);
	ck_assert_uint_eq(H.spd_changes, 1);
	/* Another direction is another policy. */
	hx_tm_spdadd(&T, SADB_X_SPDADD, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_INBOUND);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDADD, 0);
	ck_assert_uint_eq(spd_count(H.spd), 2);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spdupdate_replaces_keeps_id)
{
	int a = hx_connect(&H);
	struct tm_req rq = { IPPROTO_AH, IPSEC_MODE_TRANSPORT,
		IPSEC_LEVEL_REQUIRE, 0, NULL, NULL };
	uint32_t id = add_policy(a, "10.1.0.0", "10.2.0.0");

	tm_hdr(&T, SADB_X_SPDUPDATE, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 5, &rq, 1);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDUPDATE, 0);
	ck_assert_uint_eq(policy_ext(&R.m).id, id);
	ck_assert_uint_eq(spd_count(H.spd), 1);
	ck_assert_uint_eq(spd_lookup_id(H.spd, id)->tmpl[0].proto, IPPROTO_AH);
	ck_assert_uint_eq(spd_lookup_id(H.spd, id)->priority, 5);
	/* And adds when there is nothing to replace. */
	hx_tm_spdadd(&T, SADB_X_SPDUPDATE, "10.3.0.0", 16, "10.4.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDUPDATE, 0);
	ck_assert_uint_eq(spd_count(H.spd), 2);
	close(a);
}
END_TEST

/* X_SPDSETIDX is X_SPDADD (announced as such, af_key event2poltype). */
START_TEST(test_spdsetidx_as_spdadd)
{
	int a = hx_connect(&H);

	hx_tm_spdadd(&T, SADB_X_SPDSETIDX, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDADD, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDSETIDX, EEXIST);
	close(a);
}
END_TEST

START_TEST(test_spddelete_by_selector)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint32_t id = add_policy(a, "10.1.0.0", "10.2.0.0");
	const struct pfkey_msg *m;

	hx_drain(&H, b);
	/* setkey sends X_POLICY type 0 and no requests. */
	tm_hdr(&T, SADB_X_SPDDELETE, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, 0, IPSEC_DIR_OUTBOUND, 0, 0, NULL, 0);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_X_SPDDELETE, 0);
	ck_assert_uint_eq(policy_ext(m).id, id);
	assert_reply(hx_expect(&H, b, &R2), SADB_X_SPDDELETE, 0);
	ck_assert_uint_eq(spd_count(H.spd), 0);
	ck_assert_uint_eq(H.spd_changes, 2);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDDELETE, ENOENT);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spddelete2_by_id)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint32_t id = add_policy(a, "10.1.0.0", "10.2.0.0");

	hx_drain(&H, b);
	tm_hdr(&T, SADB_X_SPDDELETE2, 0);
	tm_policy(&T, 0, 0, id, 0, NULL, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDDELETE2, 0);
	ck_assert_uint_eq(policy_ext(&R.m).id, id);
	assert_reply(hx_expect(&H, b, &R2), SADB_X_SPDDELETE2, 0);
	ck_assert_uint_eq(spd_count(H.spd), 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDDELETE2, ENOENT);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spdget_requester_only)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint32_t id = add_policy(a, "10.1.0.0", "10.2.0.0");
	const struct pfkey_msg *m;

	hx_drain(&H, b);
	tm_hdr(&T, SADB_X_SPDGET, 0);
	tm_policy(&T, 0, 0, id, 0, NULL, 0);
	hx_send_tm(&H, a, &T);
	m = hx_expect(&H, a, &R);
	assert_reply(m, SADB_X_SPDGET, 0);
	ck_assert_uint_eq(policy_ext(m).id, id);
	ck_assert(pfkey_msg_has(m, SADB_EXT_LIFETIME_CURRENT));
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	/* An id of another direction is another policy. */
	tm_hdr(&T, SADB_X_SPDGET, 0);
	tm_policy(&T, 0, 0, (id & ~7u) | SPD_DIR_IN, 0, NULL, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDGET, ENOENT);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spdflush_broadcast)
{
	int a = hx_connect(&H), b = hx_connect(&H);

	add_policy(a, "10.1.0.0", "10.2.0.0");
	add_policy(a, "10.3.0.0", "10.4.0.0");
	hx_drain(&H, b);
	hx_tm_bare(&T, SADB_X_SPDFLUSH, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDFLUSH, 0);
	ck_assert_uint_eq(R.len, PFKEY_HDR_LEN);
	assert_reply(hx_expect(&H, b, &R2), SADB_X_SPDFLUSH, 0);
	ck_assert_uint_eq(spd_count(H.spd), 0);
	ck_assert_uint_eq(H.spd_changes, 3);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spddump_countdown)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	char src[32];

	for (int i = 0; i < 5; i++) {
		snprintf(src, sizeof(src), "10.%d.0.0", i);
		add_policy(a, src, "10.200.0.0");
	}
	hx_drain(&H, b);
	hx_tm_bare(&T, SADB_X_SPDDUMP, 0);
	hx_send_tm(&H, a, &T);
	for (uint32_t seq = 5; seq-- > 0;) {
		const struct pfkey_msg *m = hx_expect(&H, a, &R);

		ck_assert_uint_eq(m->hdr.type, SADB_X_SPDDUMP);
		ck_assert_uint_eq(m->hdr.error, 0);
		ck_assert_uint_eq(m->hdr.pid, 4242);
		ck_assert_uint_eq(m->hdr.seq, seq);
		ck_assert_uint_ne(policy_ext(m).id, 0);
	}
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_spddump_empty_enoent)
{
	int a = hx_connect(&H);

	hx_tm_bare(&T, SADB_X_SPDDUMP, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDDUMP, ENOENT);
	close(a);
}
END_TEST

/* A "unique" template without reqid gets one above 0x3fff (gen_reqid). */
START_TEST(test_spdadd_unique_reqid)
{
	int a = hx_connect(&H);
	struct tm_req rq[2] = {
		{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 0,
		    NULL, NULL },
		{ IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 0, NULL,
		    NULL },
	};
	struct pfkey_policy p;

	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
	hx_send_tm(&H, a, &T);
	p = policy_ext(hx_expect(&H, a, &R));
	ck_assert_uint_eq(p.req[0].reqid, PFKEY_SERVER_REQID_MANUAL_MAX + 1);
	ck_assert_uint_eq(p.req[1].reqid, PFKEY_SERVER_REQID_MANUAL_MAX + 2);
	ck_assert_uint_eq(p.req[0].level, IPSEC_LEVEL_UNIQUE);
	/* A manual reqid stays; a "require" template gets none. */
	rq[0].reqid = 5;
	rq[1].level = IPSEC_LEVEL_REQUIRE;
	tm_hdr(&T, SADB_X_SPDADD, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_SRC, "10.3.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(&T, SADB_EXT_ADDRESS_DST, "10.4.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(&T, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
	hx_send_tm(&H, a, &T);
	p = policy_ext(hx_expect(&H, a, &R));
	ck_assert_uint_eq(p.req[0].reqid, 5);
	ck_assert_uint_eq(p.req[1].reqid, 0);
	close(a);
}
END_TEST

/* X_MIGRATE: one tunnel moves from 192.0.2.1-2 to 198.51.100.1-2. */
static void
tm_migrate(struct tmsg *t, const char *dst_sel)
{
	struct tm_req rq[2] = {
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		    "192.0.2.1", "192.0.2.2" },
		{ IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0,
		    "198.51.100.1", "198.51.100.2" },
	};

	tm_hdr(t, SADB_X_MIGRATE, 0);
	tm_addr(t, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	tm_addr(t, SADB_EXT_ADDRESS_DST, dst_sel, 16, IPSEC_ULPROTO_ANY, 0);
	tm_policy(t, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0, rq, 2);
}

/* af_key pfkey_send_migrate: pid and seq 0, satype of the protocol. */
static void
assert_announced(const struct pfkey_msg *m)
{
	ck_assert_uint_eq(m->hdr.type, SADB_X_MIGRATE);
	ck_assert_uint_eq(m->hdr.error, 0);
	ck_assert_uint_eq(m->hdr.pid, 0);
	ck_assert_uint_eq(m->hdr.seq, 0);
	ck_assert_uint_eq(m->hdr.satype, SADB_SATYPE_ESP);
}

START_TEST(test_migrate_policy_and_sas)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	uint32_t id = add_policy(a, "10.1.0.0", "10.2.0.0");
	struct addr old_dst, new_dst, new_src;
	struct sad_entry *e;
	struct spd_policy *p;

	hx_add_sa(&H, a, 0x9000, "192.0.2.1", "192.0.2.2");
	hx_add_sa(&H, a, 0x9001, "192.0.2.1", "192.0.2.3");
	hx_drain(&H, b);
	ck_assert(addr_parse(&old_dst, "192.0.2.2"));
	ck_assert(addr_parse(&new_src, "198.51.100.1"));
	ck_assert(addr_parse(&new_dst, "198.51.100.2"));
	atomic_store(
	    &sad_lookup_spi(H.sad, 0x9000, IPPROTO_ESP, &old_dst)->sa.seq_out,
	    77);
	tm_migrate(&T, "10.2.0.0");
	hx_send_tm(&H, a, &T);
	/* No reply: the requester gets the announcement as all do. */
	assert_announced(hx_expect(&H, a, &R));
	assert_announced(hx_expect(&H, b, &R2));
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	p = spd_lookup_id(H.spd, id);
	ck_assert_ptr_nonnull(p);
	ck_assert(addr_eq(&p->tmpl[0].src, &new_src));
	ck_assert(addr_eq(&p->tmpl[0].dst, &new_dst));
	/* The SA between the old endpoints moved, counter and all. */
	ck_assert_ptr_null(
	    sad_lookup_spi(H.sad, 0x9000, IPPROTO_ESP, &old_dst));
	e = sad_lookup_spi(H.sad, 0x9000, IPPROTO_ESP, &new_dst);
	ck_assert_ptr_nonnull(e);
	ck_assert(addr_eq(&e->sa.src, &new_src));
	ck_assert_uint_eq(atomic_load(&e->sa.seq_out), 77);
	ck_assert_int_eq(sad_state(e), SA_STATE_MATURE);
	/* Not the one to another peer. */
	ck_assert_uint_eq(sad_count(H.sad), 2);
	ck_assert_uint_eq(H.spd_changes, 2);
	/* No policy for the selector: ENOENT, nothing changed. */
	{
		uint64_t d = hx_digest(&H);

		tm_migrate(&T, "10.9.0.0");
		hx_send_tm(&H, a, &T);
		assert_reply(hx_expect(&H, a, &R), SADB_X_MIGRATE, ENOENT);
		ck_assert_uint_eq(hx_digest(&H), d);
	}
	close(a);
	close(b);
}
END_TEST

/* A policy message with lifetimes (racoon's pfkey_send_spdupdate2). */
static void
tm_policy_life(uint8_t type, const char *dst, uint64_t hard_add,
    uint64_t hard_use, uint64_t soft_add)
{
	hx_tm_spdadd(&T, type, "10.1.0.0", 16, dst, 16, IPSEC_DIR_OUTBOUND);
	tm_lifetime(&T, SADB_EXT_LIFETIME_HARD, 0, 0, hard_add, hard_use);
	tm_lifetime(&T, SADB_EXT_LIFETIME_SOFT, 0, 0, soft_add, 0);
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

/*
 * Lifetimes are shown in every policy message and a hard add time
 * deletes the policy on the tick that reaches it, telling nobody (Linux:
 * key_notify_policy_expire sends nothing).
 */
START_TEST(test_spd_lifetime_hard_add_deletes_silently)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	struct pfkey_server_stats st;
	unsigned changes;
	uint64_t t0 = H.now;
	uint32_t id;

	tm_policy_life(SADB_X_SPDUPDATE, "10.2.0.0", 60, 0, 50);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDUPDATE, 0);
	ck_assert_uint_eq(
	    lifetime_of(&R.m, SADB_EXT_LIFETIME_HARD).sadb_lifetime_addtime,
	    60);
	ck_assert_uint_eq(
	    lifetime_of(&R.m, SADB_EXT_LIFETIME_SOFT).sadb_lifetime_addtime,
	    50);
	id = policy_ext(&R.m).id;
	assert_reply(hx_expect(&H, b, &R2), SADB_X_SPDUPDATE, 0);
	ck_assert_uint_eq(
	    lifetime_of(&R2.m, SADB_EXT_LIFETIME_HARD).sadb_lifetime_addtime,
	    60);
	/* X_SPDGET and X_SPDDUMP show them too. */
	tm_hdr(&T, SADB_X_SPDGET, 0);
	tm_policy(&T, 0, 0, id, 0, NULL, 0);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDGET, 0);
	ck_assert_uint_eq(
	    lifetime_of(&R.m, SADB_EXT_LIFETIME_HARD).sadb_lifetime_addtime,
	    60);
	hx_tm_bare(&T, SADB_X_SPDDUMP, 0);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(hx_expect(&H, a, &R)->hdr.seq, 0);
	ck_assert_uint_eq(
	    lifetime_of(&R.m, SADB_EXT_LIFETIME_SOFT).sadb_lifetime_addtime,
	    50);
	/* Soft: nothing.  One second short of hard: still there. */
	changes = H.spd_changes;
	H.now = t0 + 59;
	pfkey_server_tick(H.srv);
	hx_pump(&H);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, id));
	ck_assert_uint_eq(H.spd_changes, changes);
	H.now = t0 + 60;
	pfkey_server_tick(H.srv);
	hx_pump(&H);
	ck_assert_ptr_null(spd_lookup_id(H.spd, id));
	ck_assert_uint_eq(H.spd_changes, changes + 1);
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.policy_expires, 1);
	close(a);
	close(b);
}
END_TEST

/* A hard use time counts from the last use, or from the add if none. */
START_TEST(test_spd_lifetime_hard_use)
{
	int a = hx_connect(&H);
	uint64_t t0 = H.now;
	uint32_t unused, used;

	tm_policy_life(SADB_X_SPDADD, "10.2.0.0", 0, 30, 0);
	hx_send_tm(&H, a, &T);
	unused = policy_ext(hx_expect(&H, a, &R)).id;
	tm_policy_life(SADB_X_SPDADD, "10.3.0.0", 0, 30, 0);
	hx_send_tm(&H, a, &T);
	used = policy_ext(hx_expect(&H, a, &R)).id;
	atomic_store(&spd_lookup_id(H.spd, used)->use_sec, t0 + 20);
	H.now = t0 + 29;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, unused));
	H.now = t0 + 30;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_null(spd_lookup_id(H.spd, unused));
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, used));
	H.now = t0 + 49;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, used));
	H.now = t0 + 50;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_null(spd_lookup_id(H.spd, used));
	close(a);
}
END_TEST

/*
 * The lifetimes belong to the policy that came with them: an
 * X_SPDUPDATE without lifetimes clears them, a deleted or flushed policy
 * takes them along, and a new policy of the same selector starts afresh.
 */
START_TEST(test_spd_lifetime_replaced_deleted_flushed)
{
	int a = hx_connect(&H);
	struct pfkey_server_stats st;
	uint64_t t0 = H.now;
	uint32_t id;

	tm_policy_life(SADB_X_SPDADD, "10.2.0.0", 10, 0, 0);
	hx_send_tm(&H, a, &T);
	id = policy_ext(hx_expect(&H, a, &R)).id;
	hx_tm_spdadd(&T, SADB_X_SPDUPDATE, "10.1.0.0", 16, "10.2.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	ck_assert_uint_eq(policy_ext(hx_expect(&H, a, &R)).id, id);
	ck_assert_uint_eq(
	    lifetime_of(&R.m, SADB_EXT_LIFETIME_HARD).sadb_lifetime_addtime, 0);
	H.now = t0 + 10;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, id));
	/* Deleted, then added again without lifetimes. */
	tm_policy_life(SADB_X_SPDADD, "10.3.0.0", 10, 0, 0);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	hx_tm_spdadd(&T, SADB_X_SPDDELETE, "10.1.0.0", 16, "10.3.0.0", 16,
	    IPSEC_DIR_OUTBOUND);
	hx_send_tm(&H, a, &T);
	assert_reply(hx_expect(&H, a, &R), SADB_X_SPDDELETE, 0);
	id = add_policy(a, "10.1.0.0", "10.3.0.0");
	/* Flushed with lifetimes, then added again without. */
	tm_policy_life(SADB_X_SPDADD, "10.4.0.0", 5, 0, 0);
	hx_send_tm(&H, a, &T);
	hx_expect(&H, a, &R);
	hx_tm_bare(&T, SADB_X_SPDFLUSH, 0);
	hx_send_tm(&H, a, &T);
	hx_drain(&H, a);
	id = add_policy(a, "10.1.0.0", "10.4.0.0");
	H.now = t0 + 1000;
	pfkey_server_tick(H.srv);
	ck_assert_ptr_nonnull(spd_lookup_id(H.spd, id));
	pfkey_server_stats(H.srv, &st);
	ck_assert_uint_eq(st.policy_expires, 0);
	close(a);
}
END_TEST

/*
 * With X_KMADDRESS (strongSwan's process_migrate reads the key managers'
 * addresses from it): the announcement carries it, the selector, and
 * X_POLICY with the (old, new) pair of requests.
 */
START_TEST(test_migrate_kmaddress_announced)
{
	int a = hx_connect(&H), b = hx_connect(&H);
	struct addr l, r, want_l, want_r;
	struct pfkey_policy pol;
	struct pfkey_address sel;
	struct pfkey_err err;
	const uint8_t *x;
	uint8_t km[4 + 56];
	size_t n = 4, len;

	add_policy(a, "10.1.0.0", "10.2.0.0");
	hx_drain(&H, a);
	hx_drain(&H, b);
	memset(km, 0, sizeof(km));
	n += tm_sockaddr(km + n, "198.51.100.1", 500);
	n += tm_sockaddr(km + n, "198.51.100.2", 500);
	tm_migrate(&T, "10.2.0.0");
	tm_ext(&T, SADB_X_EXT_KMADDRESS, km, n);
	hx_send_tm(&H, a, &T);
	assert_announced(hx_expect(&H, a, &R));
	assert_announced(hx_expect(&H, b, &R2));
	ck_assert_ptr_nonnull(
	    x = pfkey_msg_ext(&R2.m, SADB_X_EXT_KMADDRESS, &len));
	ck_assert_msg(pfkey_ext_kmaddress(x, len, &l, &r, &err), "%s", err.why);
	ck_assert(addr_parse(&want_l, "198.51.100.1"));
	ck_assert(addr_parse(&want_r, "198.51.100.2"));
	ck_assert(addr_eq(&l, &want_l));
	ck_assert(addr_eq(&r, &want_r));
	ck_assert_ptr_nonnull(
	    x = pfkey_msg_ext(&R2.m, SADB_EXT_ADDRESS_DST, &len));
	ck_assert(pfkey_ext_address(x, len, &sel, &err));
	ck_assert_uint_eq(sel.prefixlen, 16);
	pol = policy_ext(&R2.m);
	ck_assert_uint_eq(pol.dir, IPSEC_DIR_OUTBOUND);
	ck_assert_uint_eq(pol.nreq, 2);
	ck_assert(addr_eq(&pol.req[1].src, &want_l));
	ck_assert(addr_eq(&pol.req[1].dst, &want_r));
	ck_assert_uint_eq(hx_drain(&H, a), 0);
	ck_assert_uint_eq(hx_drain(&H, b), 0);
	close(a);
	close(b);
}
END_TEST

static Suite *
spd_suite(void)
{
	Suite *s = suite_create("pfkey_spd");
	TCase *tc;

	tc = tcase_create("spdadd");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spdadd_broadcast_with_id);
	tcase_add_test(tc, test_spdadd_exists_eexist);
	tcase_add_test(tc, test_spdupdate_replaces_keeps_id);
	tcase_add_test(tc, test_spdsetidx_as_spdadd);
	tcase_add_test(tc, test_spdadd_unique_reqid);
	suite_add_tcase(s, tc);

	tc = tcase_create("spddelete_get_flush");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spddelete_by_selector);
	tcase_add_test(tc, test_spddelete2_by_id);
	tcase_add_test(tc, test_spdget_requester_only);
	tcase_add_test(tc, test_spdflush_broadcast);
	suite_add_tcase(s, tc);

	tc = tcase_create("spddump");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spddump_countdown);
	tcase_add_test(tc, test_spddump_empty_enoent);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifetimes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spd_lifetime_hard_add_deletes_silently);
	tcase_add_test(tc, test_spd_lifetime_hard_use);
	tcase_add_test(tc, test_spd_lifetime_replaced_deleted_flushed);
	suite_add_tcase(s, tc);

	tc = tcase_create("migrate");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrate_policy_and_sas);
	tcase_add_test(tc, test_migrate_kmaddress_announced);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
