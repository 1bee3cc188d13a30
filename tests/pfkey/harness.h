#ifndef IPSECD_TESTS_PFKEY_HARNESS_H
#define IPSECD_TESTS_PFKEY_HARNESS_H

/*
 * Test harness of the PF_KEY conformance suite: the server on a
 * temporary socket with a real SAD and SPD, a crypto library, a clock
 * and random numbers the test controls, and client sockets.  Server and
 * clients share the test's thread: after a client sends, hx_pump runs the
 * event loop until the server has nothing left to do, so every reply and
 * broadcast is in the clients' sockets when the test reads them.  The
 * test thread is a registered QSBR thread, offline between calls, as the
 * daemon's control thread.
 *
 * Messages are written with tests/unit/pfkey_testmsg.h (the kernel's
 * structs, byte by byte, independent of the codec's builders) and read
 * back with pfkey_msg_parse as the kernel side's.  Any failure of the
 * harness itself fails the test (check's ck_assert).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfkey/pfkey_msg.h"
#include "pfkey/server.h"
#include "pfkey_testmsg.h"

#define HX_MSG_MAX 65536

struct hx {
	struct event_base *base;
	struct crypto_lib *lib;
	struct sad *sad;
	struct spd *spd;
	struct pfkey_server *srv;
	char dir[64];
	char path[108];
	uint64_t now; /* the server's clock, seconds */
	uint32_t rnd; /* state of its random numbers */
	unsigned spd_changes;
};

/* A message read by a client, parsed as the kernel side's. */
struct hx_msg {
	uint8_t buf[HX_MSG_MAX];
	size_t len;
	struct pfkey_msg m;
};

/* Set up (listen at a temporary path, group getegid()) / tear down. */
void hx_setup(struct hx *h);
void hx_teardown(struct hx *h);

/* Run the event loop until nothing is left to do. */
void hx_pump(struct hx *h);

/* A new client, connected and accepted (pumped). */
int hx_connect(struct hx *h);

/* Send len bytes as one message from fd, then pump. */
void hx_send(struct hx *h, int fd, const void *buf, size_t len);
void hx_send_tm(struct hx *h, int fd, struct tmsg *t);

/*
 * The next message for fd (after a pump): true and *out filled, parsed
 * as the kernel side's or, for the copies of requests a promiscuous
 * socket gets, as a key manager's; false when none waits.  The error
 * reply to a refused base header (server.h), which echoes a type no
 * parser takes, comes back with only its header filled in.  Anything
 * else fails the test.
 */
bool hx_recv(struct hx *h, int fd, struct hx_msg *out);

/* The next message must exist: its parse; the test fails otherwise. */
const struct pfkey_msg *hx_expect(struct hx *h, int fd, struct hx_msg *out);

/* Number of messages waiting for fd (they are read and dropped). */
unsigned hx_drain(struct hx *h, int fd);

/* Set sadb_msg_seq and sadb_msg_pid of a test message. */
void hx_set_seq(struct tmsg *t, uint32_t seq, uint32_t pid);
void hx_set_errno(struct tmsg *t, uint8_t code);

/*
 * A digest of everything in the SAD and SPD (identities, states, keys,
 * lifetimes, selectors, templates, counts), to show a refused message
 * changed nothing.
 */
uint64_t hx_digest(struct hx *h);

/* Messages of the usual shapes (seq 7, pid 4242 as tm_hdr). */
void hx_tm_register(struct tmsg *t, uint8_t satype);
void hx_tm_add(struct tmsg *t, uint8_t type, uint32_t spi, const char *src,
    const char *dst); /* ESP aes-gcm-16, tunnel, reqid 1 */
void hx_tm_sa_id(struct tmsg *t, uint8_t type, uint8_t satype, uint32_t spi,
    const char *src, const char *dst); /* DELETE, GET */
void hx_tm_getspi(struct tmsg *t, uint8_t satype, const char *src,
    const char *dst, uint32_t min, uint32_t max);
void hx_tm_spdadd(struct tmsg *t, uint8_t type, const char *src, uint8_t splen,
    const char *dst, uint8_t dplen, uint8_t dir);
/* ipsec esp/tunnel/src-dst/require */
void hx_tm_bare(struct tmsg *t, uint8_t type, uint8_t satype);

/* Install an ESP SA straight through a message (asserts success). */
void hx_add_sa(
    struct hx *h, int fd, uint32_t spi, const char *src, const char *dst);

#endif
