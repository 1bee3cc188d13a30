/*
 * Unit tests for src/daemon/control_reply.c and control_json.c: each show
 * table against a real SAD, SPD, interface table and knob set filled by
 * tests/ctl/ctl_state.c, knob get and set, errors, and the chunking of a
 * long reply.
 */
#include "config.h"

#include <netinet/in.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <urcu-qsbr.h>

#include "ctl_state.h"
#include "daemon/control.h"
#include "daemon/control_json.h"
#include "daemon/control_reply.h"
#include "ipsec/sad.h"

static struct ctl_state *st;
static uint8_t buf[CONTROL_MSG_MAX];

static void
setup(void)
{
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	st = ctl_state_new(NULL, 0);
	ck_assert_ptr_nonnull(st);
}

static void
teardown(void)
{
	ctl_state_free(st);
	urcu_qsbr_unregister_thread();
}

/*
 * The messages of the reply to request, each checked against the
 * protocol (size, version, end only on the last); when raw is not NULL
 * the texts are appended to it (at most raw_size bytes).
 */
struct run {
	json_t *msgs;
	json_t *items; /* of every message */
	char *raw;
	size_t raw_len;
};

static void
run_free(struct run *r)
{
	json_decref(r->msgs);
	json_decref(r->items);
	free(r->raw);
}

static void
run_reply(struct control_reply *rep, struct run *out)
{
	bool is_last = false;

	memset(out, 0, sizeof(*out));
	out->msgs = json_array();
	out->items = json_array();
	for (size_t i = 0; !is_last; i++) {
		size_t n = control_reply_next(rep, buf, sizeof(buf), &is_last);
		json_error_t err;
		json_t *m, *items;

		ck_assert_msg(
		    n > 0 && n <= CONTROL_MSG_MAX, "message %zu: %zu", i, n);
		m = json_loadb(
		    (const char *)buf, n, JSON_REJECT_DUPLICATES, &err);
		ck_assert_msg(m != NULL, "message %zu: %s", i, err.text);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(m, "version")),
		    CONTROL_VERSION);
		ck_assert(json_is_boolean(json_object_get(m, "end")));
		ck_assert_int_eq(
		    json_is_true(json_object_get(m, "end")), is_last);
		if ((items = json_object_get(m, "items")) != NULL)
			ck_assert_int_eq(
			    json_array_extend(out->items, items), 0);
		ck_assert_int_eq(json_array_append_new(out->msgs, m), 0);
		out->raw = realloc(out->raw, out->raw_len + n + 1);
		ck_assert_ptr_nonnull(out->raw);
		memcpy(out->raw + out->raw_len, buf, n);
		out->raw_len += n;
		out->raw[out->raw_len] = '\0';
	}
	ck_assert_uint_eq(
	    control_reply_next(rep, buf, sizeof(buf), &is_last), 0);
	control_reply_free(rep);
}

static void
run(const char *req, struct run *out)
{
	struct control_reply *rep;

	rep = control_reply_new(&st->d, req, strlen(req), CTL_NOW);
	ck_assert_ptr_nonnull(rep);
	run_reply(rep, out);
}

static json_t *
last_msg(const struct run *r)
{
	return json_array_get(r->msgs, json_array_size(r->msgs) - 1);
}

static json_int_t
int_at(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		ck_assert_uint_lt((size_t)(dot - path), sizeof(key));
		memcpy(key, path, (size_t)(dot - path));
		key[dot - path] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = json_object_get(o, path);
	ck_assert_msg(json_is_integer(o), "%s is not an integer", path);
	return json_integer_value(o);
}

static const char *
str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static json_t *
item_with(const struct run *r, const char *key, json_int_t v)
{
	size_t i;
	json_t *it;

	json_array_foreach(
	    r->items, i, it) if (json_integer_value(json_object_get(it, key)) ==
	    v) return it;
	ck_abort_msg("no item with %s %lld", key, (long long)v);
	return NULL;
}

static void
ck_error(const struct run *r, const char *code, const char *msg)
{
	json_t *m = last_msg(r);

	ck_assert_uint_eq(json_array_size(r->msgs), 1);
	ck_assert_str_eq(str_of(m, "type"), "error");
	ck_assert_str_eq(str_of(m, "code"), code);
	ck_assert_msg(
	    strstr(str_of(m, "error"), msg) != NULL, "%s", str_of(m, "error"));
	ck_assert_ptr_null(json_object_get(m, "items"));
}

START_TEST(test_control_reply_new_show_sa)
{
	struct run r;
	json_t *sa, *sa2;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}", &r);
	ck_assert_uint_eq(json_array_size(r.items), 4);
	ck_assert_int_eq(int_at(last_msg(&r), "summary.count"), 4);
	ck_assert_str_eq(str_of(last_msg(&r), "type"), "sa");
	sa = item_with(&r, "spi", 0x1000);
	ck_assert_str_eq(str_of(sa, "proto"), "esp");
	ck_assert_str_eq(str_of(sa, "mode"), "tunnel");
	ck_assert_str_eq(str_of(sa, "state"), "mature");
	ck_assert_str_eq(str_of(sa, "src"), "192.0.2.1");
	ck_assert_str_eq(str_of(sa, "dst"), "192.0.2.2");
	ck_assert_int_eq(int_at(sa, "reqid"), 1);
	ck_assert_int_eq(int_at(sa, "packets"), 10);
	ck_assert_int_eq(int_at(sa, "bytes"), 1500);
	ck_assert_int_eq(int_at(sa, "seq_out"), 10);
	ck_assert_int_eq(int_at(sa, "replay_window"), 64);
	ck_assert_int_eq(int_at(sa, "drops.replay"), 2);
	ck_assert_int_eq(int_at(sa, "drops.icv"), 1);
	ck_assert_int_eq(int_at(sa, "drops.no-sa"), 0);
	ck_assert_int_eq(int_at(sa, "lifetime.hard.add_sec"), 3600);
	ck_assert_int_eq(int_at(sa, "lifetime.soft.add_sec"), 3000);
	ck_assert_int_eq(int_at(sa, "add_sec"), CTL_NOW - 100);
	ck_assert_int_eq(int_at(sa, "enc.key_bits"), 160);
	ck_assert_str_eq(
	    str_of(json_object_get(sa, "enc"), "alg"), "aes-gcm-16");
	ck_assert_ptr_null(json_object_get(sa, "auth"));
	/* Every reason but "ok" is there, zero or not. */
	ck_assert_uint_eq(json_object_size(json_object_get(sa, "drops")),
	    IPSEC_VERDICT_COUNT - 1);
	sa2 = item_with(&r, "spi", 0x2000);
	ck_assert_str_eq(str_of(sa2, "state"), "dying");
	ck_assert_str_eq(str_of(sa2, "src"), "2001:db8::1");
	ck_assert_int_eq(int_at(sa2, "if_id"), 7);
	ck_assert_int_eq(int_at(sa2, "encap.sport"), 4500);
	ck_assert_int_eq(int_at(sa2, "encap.dport"), 4501);
	ck_assert_int_eq(int_at(sa2, "auth.key_bits"), 256);
	ck_assert_str_eq(
	    json_string_value(json_array_get(json_object_get(sa2, "flags"), 1)),
	    "udp-encap");
	ck_assert_str_eq(
	    str_of(item_with(&r, "spi", 0x3000), "state"), "larval");
	ck_assert_str_eq(
	    str_of(item_with(&r, "spi", 0x4000), "calg"), "deflate");
	/* No key material anywhere without "keys". */
	ck_assert_ptr_null(strstr(r.raw, "_key"));
	ck_assert_ptr_null(strstr(r.raw, "a0a1a2a3"));
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_show_sa_keys)
{
	struct run r;
	json_t *sa;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\",\"keys\":true}",
	    &r);
	sa = item_with(&r, "spi", 0x1000);
	ck_assert_str_eq(
	    str_of(sa, "enc_key"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
	ck_assert_ptr_null(json_object_get(sa, "auth_key"));
	sa = item_with(&r, "spi", 0x2000);
	ck_assert_str_eq(
	    str_of(sa, "enc_key"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
	ck_assert_uint_eq(strlen(str_of(sa, "auth_key")), 64);
	ck_assert_int_eq(strncmp(str_of(sa, "auth_key"), "c0c1c2", 6), 0);
	ck_assert_ptr_null(
	    json_object_get(item_with(&r, "spi", 0x4000), "enc_key"));
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_show_sp)
{
	struct run r;
	json_t *p = NULL, *t;
	size_t i;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"sp\"}", &r);
	ck_assert_uint_eq(json_array_size(r.items), 3);
	ck_assert_int_eq(int_at(last_msg(&r), "summary.count"), 3);
	json_array_foreach(
	    r.items, i, p) if (strcmp(str_of(p, "dir"), "out") == 0) break;
	ck_assert_uint_lt(i, 3);
	ck_assert_str_eq(str_of(p, "action"), "ipsec");
	ck_assert_str_eq(str_of(p, "src"), "10.1.0.0/16");
	ck_assert_str_eq(str_of(p, "dst"), "10.2.0.0/16");
	ck_assert_int_eq(int_at(p, "packets"), 5);
	ck_assert_int_eq(int_at(p, "bytes"), 500);
	ck_assert_int_eq(int_at(p, "ul_proto"), 255);
	t = json_array_get(json_object_get(p, "templates"), 0);
	ck_assert_str_eq(str_of(t, "proto"), "esp");
	ck_assert_str_eq(str_of(t, "mode"), "tunnel");
	ck_assert_str_eq(str_of(t, "level"), "require");
	ck_assert_str_eq(str_of(t, "dst"), "192.0.2.2");
	ck_assert_int_eq(int_at(t, "reqid"), 1);
	p = json_array_get(r.items, 2);
	ck_assert_str_eq(str_of(p, "dir"), "fwd");
	ck_assert_str_eq(str_of(p, "action"), "discard");
	ck_assert_str_eq(str_of(p, "src"), "::/0");
	ck_assert_int_eq(int_at(p, "ul_proto"), IPPROTO_TCP);
	ck_assert_int_eq(int_at(p, "priority"), 10);
	ck_assert_int_eq(
	    json_integer_value(json_array_get(json_object_get(p, "dport"), 0)),
	    22);
	ck_assert_uint_eq(json_array_size(json_object_get(p, "templates")), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_show_interfaces)
{
	struct run r;
	json_t *i1;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"interfaces\"}", &r);
	ck_assert_uint_eq(json_array_size(r.items), 2);
	ck_assert_int_eq(int_at(last_msg(&r), "summary.count"), 2);
	ck_assert_str_eq(
	    str_of(json_array_get(r.items, 0), "key_kind"), "none");
	i1 = json_array_get(r.items, 1);
	ck_assert_str_eq(str_of(i1, "name"), "ipsec1");
	ck_assert_str_eq(str_of(i1, "key_kind"), "reqid");
	ck_assert_int_eq(int_at(i1, "key"), 1);
	ck_assert_int_eq(int_at(i1, "mtu"), 1380);
	/* Summed over the two workers. */
	ck_assert_int_eq(int_at(i1, "out.packets"), 7);
	ck_assert_int_eq(int_at(i1, "out.bytes"), 700);
	ck_assert_int_eq(int_at(i1, "in.drops.policy"), 2);
	ck_assert_int_eq(int_at(i1, "out.drops.policy"), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_show_stats)
{
	struct run r;
	json_t *s;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"stats\"}", &r);
	ck_assert_uint_eq(json_array_size(r.items), 1);
	ck_assert_ptr_null(json_object_get(last_msg(&r), "summary"));
	s = json_array_get(r.items, 0);
	ck_assert_int_eq(int_at(s, "uptime_sec"), CTL_NOW - CTL_START);
	ck_assert_int_eq(int_at(s, "workers"), 2);
	ck_assert_int_eq(int_at(s, "sad.count"), 4);
	ck_assert_int_eq(int_at(s, "spd.count"), 3);
	ck_assert_int_eq(int_at(s, "interfaces"), 2);
	ck_assert_int_eq(int_at(s, "packets.tun_rx"), 15);
	ck_assert_int_eq(int_at(s, "in_drops.no-sa"), 11);
	ck_assert_int_eq(int_at(s, "out_drops.no-sa"), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_show_knobs)
{
	struct run r;
	size_t i;
	json_t *k;
	bool seen = false;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"knobs\"}", &r);
	ck_assert_uint_eq(json_array_size(r.items), knobs_count());
	json_array_foreach(r.items, i, k)
	{
		ck_assert_str_eq(str_of(k, "name"), knobs_name(i));
		ck_assert_str_eq(str_of(k, "descr"), knobs_descr(i));
		if (strcmp(str_of(k, "name"), "net.inet.ipsec.dfbit") == 0) {
			ck_assert_str_eq(str_of(k, "value"), "2");
			seen = true;
		}
	}
	ck_assert(seen);
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_get)
{
	struct run r;
	json_t *k;

	run("{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet.ipsec.ecn\"}",
	    &r);
	ck_assert_uint_eq(json_array_size(r.items), 1);
	k = json_array_get(r.items, 0);
	ck_assert_str_eq(str_of(last_msg(&r), "type"), "knob");
	ck_assert_str_eq(str_of(k, "value"), "0");
	ck_assert_str_eq(str_of(k, "canonical"), "net.inet.ipsec.ecn");
	run_free(&r);
	run("{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet6.ipsec6.ecn\"}",
	    &r);
	k = json_array_get(r.items, 0);
	ck_assert_str_eq(str_of(k, "name"), "net.inet6.ipsec6.ecn");
	ck_assert_str_eq(str_of(k, "canonical"), "net.inet.ipsec.ecn");
	run_free(&r);
	run("{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet.ipsec.nope\"}",
	    &r);
	ck_error(&r, "refused", "unknown knob \"net.inet.ipsec.nope\"");
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_set)
{
	struct knobs before;
	struct run r;
	json_t *k;

	run("{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet.ipsec.dfbit\","
	    "\"value\":\"set\"}",
	    &r);
	k = json_array_get(r.items, 0);
	ck_assert_str_eq(str_of(k, "old"), "2");
	ck_assert_str_eq(str_of(k, "value"), "1");
	ck_assert_int_eq(st->knobs.dfbit, KNOBS_DF_SET);
	run_free(&r);
	before = st->knobs;
	run("{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet.ipsec.dfbit\","
	    "\"value\":\"7\"}",
	    &r);
	ck_error(&r, "refused", "net.inet.ipsec.dfbit: bad value \"7\"");
	ck_assert_mem_eq(&before, &st->knobs, sizeof(before));
	run_free(&r);
	run("{\"version\":1,\"cmd\":\"set\",\"name\":\"nope\",\"value\":\"1\"}",
	    &r);
	ck_error(&r, "refused", "unknown knob \"nope\"");
	ck_assert_mem_eq(&before, &st->knobs, sizeof(before));
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_new_bad_request)
{
	struct knobs before = st->knobs;
	struct run r;

	/* Cut one byte short of a valid set: refused, nothing changed. */
	run("{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet.ipsec.dfbit\","
	    "\"value\":\"0\"",
	    &r);
	ck_error(&r, "bad-request", "bad JSON");
	ck_assert_mem_eq(&before, &st->knobs, sizeof(before));
	run_free(&r);
	run("{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet.ipsec.dfbit\","
	    "\"value\":\"0\",\"what\":\"sa\"}",
	    &r);
	ck_error(&r, "bad-request", "member \"what\" does not go with");
	ck_assert_mem_eq(&before, &st->knobs, sizeof(before));
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_error_message)
{
	struct run r;

	run_reply(control_reply_error("busy", "too many\tclients"), &r);
	ck_error(&r, "busy", "too many?clients");
	run_free(&r);
}
END_TEST

START_TEST(test_control_reply_next_small_buffer)
{
	const char *req = "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}";
	struct control_reply *rep;
	bool is_last = true;

	rep = control_reply_new(&st->d, req, strlen(req), CTL_NOW);
	ck_assert_uint_eq(
	    control_reply_next(rep, buf, CONTROL_MSG_MAX - 1, &is_last), 0);
	ck_assert(!is_last);
	control_reply_free(rep);
}
END_TEST

/* SPIs of the SA items in order, checked to be strictly increasing. */
static size_t
ck_spis_increasing(const struct run *r)
{
	json_int_t prev = -1;
	size_t i;
	json_t *it;

	json_array_foreach(r->items, i, it)
	{
		json_int_t spi = int_at(it, "spi");

		ck_assert_msg(spi > prev, "spi %lld after %lld", (long long)spi,
		    (long long)prev);
		prev = spi;
	}
	return i;
}

START_TEST(test_control_reply_next_chunks)
{
	const size_t n = 3000;
	struct run r;

	for (size_t i = 0; i < n; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\",\"keys\":true}",
	    &r);
	ck_assert_uint_eq(ck_spis_increasing(&r), n + 4);
	ck_assert_uint_gt(json_array_size(r.msgs), 10);
	ck_assert_int_eq(int_at(last_msg(&r), "summary.count"), n + 4);
	run_free(&r);
}
END_TEST

/* Delete the bulk SA i. */
static void
del_bulk(uint32_t i)
{
	struct sad_entry *e;
	struct addr dst;

	ck_assert(addr_parse(&dst, "198.51.100.2"));
	urcu_qsbr_thread_online();
	e = sad_lookup_spi(st->d.sad, CTL_BULK_SPI0 + i, IPPROTO_ESP, &dst);
	urcu_qsbr_thread_offline();
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(sad_delete(st->d.sad, e), SAD_OK);
}

/* The walk goes on across SAD changes made between two messages. */
START_TEST(test_control_reply_next_sad_changes)
{
	const char *req = "{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}";
	struct control_reply *rep;
	size_t n, first, i;
	struct run r;
	bool is_last;
	json_t *m, *it = NULL;

	for (i = 0; i < 1000; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	rep = control_reply_new(&st->d, req, strlen(req), CTL_NOW);
	n = control_reply_next(rep, buf, sizeof(buf), &is_last);
	ck_assert(!is_last);
	m = json_loadb((const char *)buf, n, 0, NULL);
	first = json_array_size(json_object_get(m, "items"));
	json_decref(m);
	ck_assert_uint_lt(first, 500);
	/* Delete the last 500 (not visited yet), add 10 after them. */
	for (uint32_t k = 500; k < 1000; k++)
		del_bulk(k);
	for (i = 2000; i < 2010; i++)
		ck_assert(ctl_state_add_bulk(st, i));
	run_reply(rep, &r);
	ck_assert_uint_eq(first + ck_spis_increasing(&r), 4 + 500 + 10);
	json_array_foreach(r.items, i, it)
	{
		json_int_t spi = int_at(it, "spi");

		ck_assert(
		    spi < CTL_BULK_SPI0 + 500 || spi >= CTL_BULK_SPI0 + 2000);
	}
	ck_assert_int_eq(int_at(it, "spi"), CTL_BULK_SPI0 + 2009);
	ck_assert_int_eq(int_at(last_msg(&r), "summary.count"), 4 + 500 + 10);
	run_free(&r);
}
END_TEST

START_TEST(test_control_json_u64_clamp)
{
	json_t *v = control_json_u64(UINT64_MAX);

	ck_assert_int_eq(json_integer_value(v), INT64_MAX);
	json_decref(v);
	v = control_json_u64(42);
	ck_assert_int_eq(json_integer_value(v), 42);
	json_decref(v);
}
END_TEST

START_TEST(test_control_json_sa_wipe_keys)
{
	struct run r;
	json_t *it;
	const char *k;

	run("{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\",\"keys\":true}",
	    &r);
	it = item_with(&r, "spi", 0x2000);
	control_json_sa_wipe(it);
	k = str_of(it, "enc_key");
	ck_assert_uint_eq(
	    json_string_length(json_object_get(it, "enc_key")), 32);
	for (size_t i = 0; i < 32; i++)
		ck_assert_int_eq(k[i], 0);
	run_free(&r);
}
END_TEST

static Suite *
control_reply_suite(void)
{
	Suite *s = suite_create("control_reply");
	TCase *tc = tcase_create("control_reply_new");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_control_reply_new_show_sa);
	tcase_add_test(tc, test_control_reply_new_show_sa_keys);
	tcase_add_test(tc, test_control_reply_new_show_sp);
	tcase_add_test(tc, test_control_reply_new_show_interfaces);
	tcase_add_test(tc, test_control_reply_new_show_stats);
	tcase_add_test(tc, test_control_reply_new_show_knobs);
	tcase_add_test(tc, test_control_reply_new_get);
	tcase_add_test(tc, test_control_reply_new_set);
	tcase_add_test(tc, test_control_reply_new_bad_request);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_reply_error");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_control_reply_error_message);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_reply_next");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_control_reply_next_small_buffer);
	tcase_add_test(tc, test_control_reply_next_chunks);
	tcase_add_test(tc, test_control_reply_next_sad_changes);
	suite_add_tcase(s, tc);
	tc = tcase_create("control_json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_control_json_u64_clamp);
	tcase_add_test(tc, test_control_json_sa_wipe_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_reply_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
