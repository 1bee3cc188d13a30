/* The PF_KEY conformance suite's harness (harness.h). */
#include "config.h"

#include "harness.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu-qsbr.h>

#include "crypto/provider.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

static uint64_t
clock_fn(void *arg)
{
	return ((struct hx *)arg)->now;
}

/* A fixed sequence (xorshift32): tests see the same SPIs every run. */
static uint32_t
rand_fn(void *arg)
{
	struct hx *h = arg;
	uint32_t x = h->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	h->rnd = x;
	return x;
}

static void
changed_fn(void *arg)
{
	((struct hx *)arg)->spd_changes++;
}

void
hx_setup(struct hx *h)
{
	struct pfkey_ctx ctx;

	memset(h, 0, sizeof(*h));
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	h->now = 1700000000;
	h->rnd = 0x12345678;
	snprintf(h->dir, sizeof(h->dir), "/tmp/pfkey-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	snprintf(h->path, sizeof(h->path), "%s/pfkey.sock", h->dir);
	ck_assert_ptr_nonnull(h->base = event_base_new());
	ck_assert_ptr_nonnull(h->lib = crypto_lib_new(NULL));
	ck_assert_ptr_nonnull(h->sad = sad_new(1, 1000000));
	ck_assert_ptr_nonnull(h->spd = spd_new(2, 100000));
	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = h->sad;
	ctx.spd = h->spd;
	ctx.lib = h->lib;
	ctx.now = clock_fn;
	ctx.rand32 = rand_fn;
	ctx.spd_changed = changed_fn;
	ctx.arg = h;
	ck_assert_ptr_nonnull(h->srv = pfkey_server_new(&ctx, h->base));
	ck_assert_int_eq(pfkey_server_listen(h->srv, h->path, getegid()), 0);
}

void
hx_teardown(struct hx *h)
{
	pfkey_server_free(h->srv);
	event_base_free(h->base);
	sad_free(h->sad);
	spd_free(h->spd);
	crypto_lib_free(h->lib);
	rmdir(h->dir);
	if (urcu_qsbr_read_ongoing())
		urcu_qsbr_thread_offline();
	urcu_qsbr_unregister_thread();
}

void
hx_pump(struct hx *h)
{
	/* Each round serves what became ready in the one before. */
	for (int i = 0; i < 8; i++)
		event_base_loop(h->base, EVLOOP_NONBLOCK);
}

int
hx_connect(struct hx *h)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, h->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	hx_pump(h);
	return fd;
}

void
hx_send(struct hx *h, int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, 0), (ssize_t)len);
	hx_pump(h);
}

void
hx_send_tm(struct hx *h, int fd, struct tmsg *t)
{
	hx_send(h, fd, t->buf, tm_done(t));
}

/* An error reply to a refused base header: a bare header, errno set. */
static void
raw_error(struct hx_msg *out)
{
	struct sadb_msg h;

	ck_assert_msg(
	    out->len == sizeof(h), "server sent %zu bad bytes", out->len);
	memcpy(&h, out->buf, sizeof(h));
	ck_assert_uint_eq(h.sadb_msg_version, PF_KEY_V2);
	ck_assert_uint_eq(h.sadb_msg_len, 2);
	ck_assert_uint_eq(h.sadb_msg_reserved, 0);
	ck_assert_uint_ne(h.sadb_msg_errno, 0);
	memset(&out->m, 0, sizeof(out->m));
	out->m.buf = out->buf;
	out->m.len = out->len;
	out->m.hdr.version = h.sadb_msg_version;
	out->m.hdr.type = h.sadb_msg_type;
	out->m.hdr.error = h.sadb_msg_errno;
	out->m.hdr.satype = h.sadb_msg_satype;
	out->m.hdr.len64 = h.sadb_msg_len;
	out->m.hdr.seq = h.sadb_msg_seq;
	out->m.hdr.pid = h.sadb_msg_pid;
}

bool
hx_recv(struct hx *h, int fd, struct hx_msg *out)
{
	struct pfkey_err err;
	ssize_t n;

	hx_pump(h);
	n = recv(fd, out->buf, sizeof(out->buf), MSG_DONTWAIT);
	if (n == -1 && errno == EAGAIN)
		return false;
	ck_assert_int_gt(n, 0);
	out->len = (size_t)n;
	/* A promiscuous socket also gets copies of clients' requests. */
	if (pfkey_msg_parse(
		&out->m, out->buf, out->len, PFKEY_ORIGIN_KERNEL, &err) ||
	    pfkey_msg_parse(
		&out->m, out->buf, out->len, PFKEY_ORIGIN_USER, &err))
		return true;
	/*
	 * The one reply no parser takes: the error for a refused base
	 * header, which echoes the request's (maybe invalid) type.
	 */
	raw_error(out);
	return true;
}

const struct pfkey_msg *
hx_expect(struct hx *h, int fd, struct hx_msg *out)
{
	ck_assert_msg(hx_recv(h, fd, out), "no message for socket %d", fd);
	return &out->m;
}

unsigned
hx_drain(struct hx *h, int fd)
{
	static struct hx_msg m;
	unsigned n = 0;

	while (hx_recv(h, fd, &m))
		n++;
	return n;
}

void
hx_set_seq(struct tmsg *t, uint32_t seq, uint32_t pid)
{
	memcpy(t->buf + offsetof(struct sadb_msg, sadb_msg_seq), &seq, 4);
	memcpy(t->buf + offsetof(struct sadb_msg, sadb_msg_pid), &pid, 4);
}

void
hx_set_errno(struct tmsg *t, uint8_t code)
{
	t->buf[offsetof(struct sadb_msg, sadb_msg_errno)] = code;
}

static uint64_t
mix(uint64_t d, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		d = (d ^ b[i]) * 0x100000001b3ull;
	return d;
}

uint64_t
hx_digest(struct hx *h)
{
	uint64_t d = 0xcbf29ce484222325ull;
	struct sad_cursor *sc = sad_cursor_new(h->sad);
	struct spd_cursor *pc = spd_cursor_new(h->spd);
	struct sad_entry *e;
	struct spd_policy *p;
	size_t n;

	ck_assert_ptr_nonnull(sc);
	ck_assert_ptr_nonnull(pc);
	while ((e = sad_cursor_next(h->sad, sc)) != NULL) {
		uint8_t st = (uint8_t)sad_state(e);

		d = mix(d, &e->sa.spi, sizeof(e->sa.spi));
		d = mix(d, &e->sa.proto, 4); /* proto, mode, flags, calg */
		d = mix(d, &e->sa.reqid, sizeof(e->sa.reqid));
		d = mix(d, &e->sa.src, sizeof(e->sa.src));
		d = mix(d, &e->sa.dst, sizeof(e->sa.dst));
		d = mix(d, &e->sa.encap_sport, 6);
		d = mix(d, &e->sa.key, sizeof(e->sa.key));
		d = mix(d, &e->sa.soft, sizeof(e->sa.soft));
		d = mix(d, &e->sa.hard, sizeof(e->sa.hard));
		d = mix(d, &st, 1);
		d = mix(d, &e->add_sec, sizeof(e->add_sec));
	}
	while ((p = spd_cursor_next(h->spd, pc)) != NULL) {
		d = mix(d, &p->id, sizeof(p->id));
		d = mix(d, &p->dir, 3);
		d = mix(d, &p->priority, sizeof(p->priority));
		d = mix(d, &p->sel, sizeof(p->sel));
		d = mix(d, p->tmpl, sizeof(p->tmpl));
	}
	sad_cursor_free(h->sad, sc);
	spd_cursor_free(h->spd, pc);
	n = sad_count(h->sad);
	d = mix(d, &n, sizeof(n));
	n = spd_count(h->spd);
	return mix(d, &n, sizeof(n));
}

void
hx_tm_register(struct tmsg *t, uint8_t satype)
{
	tm_hdr(t, SADB_REGISTER, satype);
}

void
hx_tm_bare(struct tmsg *t, uint8_t type, uint8_t satype)
{
	tm_hdr(t, type, satype);
}

void
hx_tm_add(struct tmsg *t, uint8_t type, uint32_t spi, const char *src,
    const char *dst)
{
	tm_hdr(t, type, SADB_SATYPE_ESP);
	tm_sa(t, spi, 32, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16, 0);
	tm_sa2(t, IPSEC_MODE_TUNNEL, 1);
	tm_host(t, SADB_EXT_ADDRESS_SRC, src);
	tm_host(t, SADB_EXT_ADDRESS_DST, dst);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 160, 20);
}

void
hx_tm_sa_id(struct tmsg *t, uint8_t type, uint8_t satype, uint32_t spi,
    const char *src, const char *dst)
{
	tm_hdr(t, type, satype);
	tm_sa(t, spi, 0, 0, 0, 0);
	tm_host(t, SADB_EXT_ADDRESS_SRC, src);
	tm_host(t, SADB_EXT_ADDRESS_DST, dst);
}

void
hx_tm_getspi(struct tmsg *t, uint8_t satype, const char *src, const char *dst,
    uint32_t min, uint32_t max)
{
	tm_hdr(t, SADB_GETSPI, satype);
	tm_sa2(t, IPSEC_MODE_TUNNEL, 1);
	tm_host(t, SADB_EXT_ADDRESS_SRC, src);
	tm_host(t, SADB_EXT_ADDRESS_DST, dst);
	if (min != 0 || max != 0)
		tm_spirange(t, min, max);
}

void
hx_tm_spdadd(struct tmsg *t, uint8_t type, const char *src, uint8_t splen,
    const char *dst, uint8_t dplen, uint8_t dir)
{
	struct tm_req rq = { IPPROTO_ESP, IPSEC_MODE_TUNNEL,
		IPSEC_LEVEL_REQUIRE, 0, "192.0.2.1", "192.0.2.2" };

	tm_hdr(t, type, SADB_SATYPE_UNSPEC);
	tm_addr(t, SADB_EXT_ADDRESS_SRC, src, splen, IPSEC_ULPROTO_ANY, 0);
	tm_addr(t, SADB_EXT_ADDRESS_DST, dst, dplen, IPSEC_ULPROTO_ANY, 0);
	tm_policy(t, IPSEC_POLICY_IPSEC, dir, 0, 0x80000000u, &rq, 1);
}

void
hx_add_sa(struct hx *h, int fd, uint32_t spi, const char *src, const char *dst)
{
	static struct tmsg t;
	static struct hx_msg r;

	hx_tm_add(&t, SADB_ADD, spi, src, dst);
	hx_send_tm(h, fd, &t);
	ck_assert_int_eq(hx_expect(h, fd, &r)->hdr.error, 0);
	ck_assert_int_eq(r.m.hdr.type, SADB_ADD);
	hx_drain(h, fd);
}
