/*
 * Fuzz target for the PF_KEY codec (src/pfkey): the first input byte picks
 * the origin (bit 0 set: the kernel side's message, else a key manager's),
 * the rest is one message.  A message the parser accepts goes through the
 * conversion its type calls for.  Properties checked, each a failure when
 * broken:
 *   - every refusal, by the parser or a conversion, carries an errno of
 *     1..255 and a reason: nothing is refused (or let through) silently;
 *   - an SA or policy a conversion accepted survives a round trip: composed
 *     back into a message (pfkey_compose), that message is accepted as the
 *     kernel side's and converts to the same struct, byte for byte.  So no
 *     value reaches a core struct that our own messages could not carry.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_pfkey_regress, whose main() (FUZZ_REGRESS) runs the
 * committed corpus (tests/fuzz/corpus/fuzz_pfkey, written by
 * `fuzz_pfkey_regress --seeds DIR`) and a bounded, deterministic mutation
 * pass over valid messages: every truncation and every single-byte change.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>

#include "common/secret.h"
#include "crypto/alg.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/pfkey_compose.h"
#include "pfkey/pfkey_conv.h"
#include "pfkey/pfkey_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rebuilt[1 << 16];

static int
refused(const struct pfkey_err *err, const char *what)
{
	if (err->code > 0 && err->code < 256 && err->why[0] != '\0')
		return 0;
	fprintf(stderr,
	    "fuzz_pfkey: %s refused without errno or reason "
	    "(errno %d, \"%s\")\n",
	    what, err->code, err->why);
	return 1;
}

/* Compose sa back, parse as the kernel's, convert: the same SA. */
static int
sa_roundtrip(const struct sa *sa)
{
	struct pfkey_hdr h = { 0, SADB_GET, 0, pfkey_proto_satype(sa->proto), 0,
		0, 1, 2 };
	struct sad_entry e;
	struct pfkey_wr w;
	struct pfkey_msg m;
	struct pfkey_err err;
	struct sa again;
	size_t n;
	int bad = 0;

	memset(&e, 0, sizeof(e));
	e.sa = *sa;
	atomic_store(&e.state, SA_STATE_MATURE);
	pfkey_wr_init(&w, rebuilt, sizeof(rebuilt));
	if ((n = pfkey_compose_sa(&w, &h, &e, PFKEY_SA_ALL)) == 0) {
		fprintf(stderr, "fuzz_pfkey: accepted SA cannot be composed\n");
		bad = 1;
	} else if (!pfkey_msg_parse(
		       &m, rebuilt, n, PFKEY_ORIGIN_KERNEL, &err)) {
		fprintf(
		    stderr, "fuzz_pfkey: composed SA refused: %s\n", err.why);
		bad = 1;
	} else if (!pfkey_conv_sa(&m, &again, &err)) {
		fprintf(stderr, "fuzz_pfkey: composed SA not converted: %s\n",
		    err.why);
		bad = 1;
	} else if (memcmp(sa, &again, sizeof(again)) != 0) {
		fprintf(stderr, "fuzz_pfkey: SA changed in a round trip\n");
		bad = 1;
	}
	secret_wipe(&again, sizeof(again));
	secret_wipe(&e, sizeof(e));
	secret_wipe(rebuilt, n);
	return bad;
}

/* Compose the policy back (as type), parse, convert: the same policy. */
static int
policy_roundtrip(const struct spd_policy *p, uint8_t type)
{
	struct pfkey_hdr h = { 0, type, 0, 0, 0, 0, 1, 2 };
	struct pfkey_wr w;
	struct pfkey_msg m;
	struct pfkey_err err;
	struct spd_policy again;
	size_t n;

	pfkey_wr_init(&w, rebuilt, sizeof(rebuilt));
	if ((n = pfkey_compose_policy(&w, &h, p, NULL)) == 0) {
		fprintf(stderr, "fuzz_pfkey: policy cannot be composed\n");
		return 1;
	}
	if (!pfkey_msg_parse(&m, rebuilt, n, PFKEY_ORIGIN_KERNEL, &err)) {
		fprintf(stderr, "fuzz_pfkey: composed policy refused: %s\n",
		    err.why);
		return 1;
	}
	if (!pfkey_conv_policy(&m, &again, &err)) {
		fprintf(stderr,
		    "fuzz_pfkey: composed policy not converted: "
		    "%s\n",
		    err.why);
		return 1;
	}
	if (memcmp(p, &again, sizeof(again)) != 0) {
		fprintf(stderr, "fuzz_pfkey: policy changed in a round trip\n");
		return 1;
	}
	return 0;
}

static bool
is_sa_type(uint8_t type)
{
	switch (type) {
	case SADB_GETSPI:
	case SADB_UPDATE:
	case SADB_ADD:
	case SADB_DELETE:
	case SADB_GET:
	case SADB_EXPIRE:
	case SADB_DUMP:
		return true;
	}
	return false;
}

static bool
is_policy_type(uint8_t type)
{
	switch (type) {
	case SADB_X_SPDUPDATE:
	case SADB_X_SPDADD:
	case SADB_X_SPDDELETE:
	case SADB_X_SPDSETIDX:
		return true;
	}
	return false;
}

/* The conversions of a message m of origin o accepted by the parser. */
static int
convert(const struct pfkey_msg *m, enum pfkey_origin o)
{
	struct pfkey_err err;
	struct sa sa;
	struct spd_policy pol;
	struct pfkey_sa_id id;
	struct pfkey_getspi g;
	struct pfkey_migrate mg;
	struct pfkey_filter f;
	uint32_t pid;
	enum spd_dir dir;
	uint8_t type = m->hdr.type;
	int bad = 0;

	if (o == PFKEY_ORIGIN_KERNEL && m->hdr.error != 0)
		return 0;
	if (type == SADB_ADD || type == SADB_UPDATE ||
	    (o == PFKEY_ORIGIN_KERNEL && is_sa_type(type))) {
		if (pfkey_conv_sa(m, &sa, &err))
			bad |= sa_roundtrip(&sa);
		else
			bad |= refused(&err, "sa");
		secret_wipe(&sa, sizeof(sa));
	}
	if ((type == SADB_DELETE || type == SADB_GET) &&
	    !pfkey_conv_sa_id(m, &id, &err))
		bad |= refused(&err, "sa id");
	if (type == SADB_GETSPI && !pfkey_conv_getspi(m, &g, &err))
		bad |= refused(&err, "getspi");
	if (is_policy_type(type) ||
	    (o == PFKEY_ORIGIN_KERNEL &&
		(type == SADB_X_SPDGET || type == SADB_X_SPDDUMP ||
		    type == SADB_X_SPDDELETE2))) {
		if (pfkey_conv_policy(m, &pol, &err))
			bad |= policy_roundtrip(&pol,
			    type == SADB_X_SPDDELETE ? SADB_X_SPDDELETE
						     : SADB_X_SPDADD);
		else
			bad |= refused(&err, "policy");
	}
	if ((type == SADB_X_SPDGET || type == SADB_X_SPDDELETE2) &&
	    !pfkey_conv_policy_id(m, &pid, &dir, &err))
		bad |= refused(&err, "policy id");
	if (type == SADB_X_MIGRATE && !pfkey_conv_migrate(m, &mg, &err))
		bad |= refused(&err, "migrate");
	if (type == SADB_DUMP && !pfkey_conv_filter(m, &f, &err))
		bad |= refused(&err, "filter");
	return bad;
}

/* One input: 0 when every property held. */
static int
check_one(const uint8_t *data, size_t size)
{
	struct pfkey_msg m;
	struct pfkey_err err;
	enum pfkey_origin o;

	if (size < 1)
		return 0;
	o = (data[0] & 1) != 0 ? PFKEY_ORIGIN_KERNEL : PFKEY_ORIGIN_USER;
	if (!pfkey_msg_parse(&m, data + 1, size - 1, o, &err))
		return refused(&err, "message");
	return convert(&m, o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (check_one(data, size) != 0)
		abort();
	return 0;
}

#ifdef FUZZ_REGRESS
#include <dirent.h>

#define SEED_MAX 2048
#define NSEEDS 18

struct seed {
	const char *name;
	size_t len;
	uint8_t buf[SEED_MAX];
};

static struct seed seeds[NSEEDS];

static bool
usable(const struct alg *a, void *arg)
{
	(void)arg;
	return a->id != ALG_AES_GMAC;
}

static struct pfkey_address
host(const char *s, uint8_t prefixlen, uint8_t proto, uint16_t port)
{
	struct pfkey_address a;

	memset(&a, 0, sizeof(a));
	if (!addr_parse(&a.addr, s))
		abort();
	a.prefixlen = prefixlen;
	a.proto = proto;
	a.port = port;
	return a;
}

/* Start seed i: origin byte, then a header. */
static struct pfkey_wr
seed_start(int i, const char *name, bool is_kernel)
{
	struct pfkey_wr w;

	seeds[i].name = name;
	seeds[i].buf[0] = is_kernel ? 1 : 0;
	pfkey_wr_init(&w, seeds[i].buf + 1, SEED_MAX - 1);
	return w;
}

static void
seed_end(int i, size_t n)
{
	if (n == 0)
		abort();
	seeds[i].len = n + 1;
}

static void
hdr(struct pfkey_wr *w, uint8_t type, uint8_t satype)
{
	struct pfkey_hdr h = { 0, type, 0, satype, 0, 0, 5, 4242 };

	pfkey_build_hdr(w, &h);
}

static void
sa_ext(
    struct pfkey_wr *w, uint32_t spi, uint8_t auth, uint8_t enc, uint32_t flags)
{
	struct sadb_sa s;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(spi);
	s.sadb_sa_replay = 32;
	s.sadb_sa_auth = auth;
	s.sadb_sa_encrypt = enc;
	s.sadb_sa_flags = flags;
	pfkey_build_sa(w, &s);
}

static void
sa2_ext(struct pfkey_wr *w, uint8_t mode, uint32_t reqid)
{
	struct sadb_x_sa2 s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sa2_mode = mode;
	s.sadb_x_sa2_reqid = reqid;
	pfkey_build_sa2(w, &s);
}

static void
lifetimes(struct pfkey_wr *w)
{
	struct sadb_lifetime l;

	memset(&l, 0, sizeof(l));
	l.sadb_lifetime_addtime = 3600;
	l.sadb_lifetime_bytes = 1u << 30;
	pfkey_build_lifetime(w, SADB_EXT_LIFETIME_HARD, &l);
	l.sadb_lifetime_addtime = 3000;
	pfkey_build_lifetime(w, SADB_EXT_LIFETIME_SOFT, &l);
}

static void
key(struct pfkey_wr *w, uint16_t type, size_t len)
{
	uint8_t k[64];

	for (size_t i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)(0x40 + i);
	pfkey_build_key(w, type, k, len);
}

static void
ends(struct pfkey_wr *w, const char *src, const char *dst)
{
	struct pfkey_address s = host(src, 0, IPSEC_ULPROTO_ANY, 0);
	struct pfkey_address d = host(dst, 0, IPSEC_ULPROTO_ANY, 0);

	s.prefixlen = d.prefixlen = (uint8_t)(addr_len(&s.addr) * 8);
	pfkey_build_address(w, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_build_address(w, SADB_EXT_ADDRESS_DST, &d);
}

static void
mk_sa(struct sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = 0xc1000001;
	sa->proto = IPPROTO_ESP;
	sa->mode = SA_MODE_TUNNEL;
	sa->reqid = 7;
	sa->flags = SA_F_UDP_ENCAP | SA_F_ESN;
	sa->encap_sport = 4500;
	sa->encap_dport = 4500;
	sa->replay_window = 64;
	if (!addr_parse(&sa->src, "192.0.2.1") ||
	    !addr_parse(&sa->dst, "198.51.100.2"))
		abort();
	sa->key.enc = alg_get(ALG_AES_CBC);
	sa->key.enc_len = 16;
	sa->key.auth = alg_get(ALG_HMAC_SHA256_128);
	sa->key.auth_len = 32;
	sa->hard.add_sec = 3600;
	sa->soft.add_sec = 3000;
}

static void
mk_policy(struct spd_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->id = 0x21;
	p->dir = SPD_DIR_OUT;
	p->action = SPD_ACTION_IPSEC;
	p->priority = 2000;
	p->ntmpl = 2;
	if (!prefix_parse(&p->sel.src, "10.1.0.0/16") ||
	    !prefix_parse(&p->sel.dst, "10.2.0.0/16") ||
	    !addr_parse(&p->tmpl[1].src, "192.0.2.1") ||
	    !addr_parse(&p->tmpl[1].dst, "198.51.100.2"))
		abort();
	p->sel.proto = IPPROTO_TCP;
	p->sel.sport_hi = 65535;
	p->sel.dport_lo = p->sel.dport_hi = 22;
	p->tmpl[0].proto = IPPROTO_COMP;
	p->tmpl[0].mode = SA_MODE_TRANSPORT;
	p->tmpl[0].level = KNOBS_LEVEL_USE;
	p->tmpl[1].proto = IPPROTO_ESP;
	p->tmpl[1].mode = SA_MODE_TUNNEL;
	p->tmpl[1].level = KNOBS_LEVEL_UNIQUE;
	p->tmpl[1].reqid = 7;
}

/* Key managers' SA messages, as setkey, racoon and strongSwan send them. */
static void
make_sa_seeds(void)
{
	struct pfkey_wr w;
	struct pfkey_address s;
	struct sadb_spirange range = { 0, 0, 0xc0000000, 0xcfffffff, 0 };

	w = seed_start(0, "add_esp_cbc_natt", false);
	hdr(&w, SADB_ADD, SADB_SATYPE_ESP);
	sa_ext(&w, 0x1000, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC, 0);
	sa2_ext(&w, IPSEC_MODE_TUNNEL, 5);
	ends(&w, "192.0.2.1", "192.0.2.2");
	key(&w, SADB_EXT_KEY_ENCRYPT, 16);
	key(&w, SADB_EXT_KEY_AUTH, 32);
	lifetimes(&w);
	pfkey_build_nat_t_type(&w, UDP_ENCAP_ESPINUDP);
	pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_SPORT, 4500);
	pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_DPORT, 4500);
	seed_end(0, pfkey_build_finish(&w));

	w = seed_start(1, "add_ah_v6", false);
	hdr(&w, SADB_ADD, SADB_SATYPE_AH);
	sa_ext(&w, 0x2000, SADB_AALG_SHA1HMAC, 0, PFKEY_SAFLAGS_ESN);
	sa2_ext(&w, IPSEC_MODE_TRANSPORT, 0);
	ends(&w, "2001:db8::1", "2001:db8::2");
	key(&w, SADB_EXT_KEY_AUTH, 20);
	seed_end(1, pfkey_build_finish(&w));

	w = seed_start(2, "update_gcm_beet", false);
	hdr(&w, SADB_UPDATE, SADB_SATYPE_ESP);
	sa_ext(&w, 0x3000, 0, SADB_X_EALG_AES_GCM_ICV16,
	    SADB_SAFLAGS_NOECN | SADB_SAFLAGS_DECAP_DSCP);
	sa2_ext(&w, IPSEC_MODE_BEET, 9);
	ends(&w, "192.0.2.1", "192.0.2.2");
	s = host("2001:db8::9", 128, IPSEC_ULPROTO_ANY, 0);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_PROXY, &s);
	key(&w, SADB_EXT_KEY_ENCRYPT, 36);
	seed_end(2, pfkey_build_finish(&w));

	w = seed_start(3, "add_ipcomp", false);
	hdr(&w, SADB_ADD, SADB_X_SATYPE_IPCOMP);
	sa_ext(&w, 0x4000, 0, SADB_X_CALG_DEFLATE, 0);
	ends(&w, "192.0.2.1", "192.0.2.2");
	seed_end(3, pfkey_build_finish(&w));

	w = seed_start(4, "getspi", false);
	hdr(&w, SADB_GETSPI, SADB_SATYPE_ESP);
	sa2_ext(&w, IPSEC_MODE_ANY, 17);
	ends(&w, "192.0.2.1", "192.0.2.2");
	pfkey_build_spirange(&w, &range);
	seed_end(4, pfkey_build_finish(&w));

	w = seed_start(5, "delete", false);
	hdr(&w, SADB_DELETE, SADB_SATYPE_ESP);
	sa_ext(&w, 0x1000, 0, 0, 0);
	ends(&w, "192.0.2.1", "192.0.2.2");
	seed_end(5, pfkey_build_finish(&w));
}

/* Key managers' SPD messages. */
static void
make_spd_seeds(void)
{
	struct pfkey_policy pol;
	struct pfkey_wr w;
	struct pfkey_address s, d;

	memset(&pol, 0, sizeof(pol));
	pol.type = IPSEC_POLICY_IPSEC;
	pol.dir = IPSEC_DIR_OUTBOUND;
	pol.priority = 0x80000000u;
	pol.nreq = 2;
	pol.req[0].proto = IPPROTO_ESP;
	pol.req[0].mode = IPSEC_MODE_TUNNEL;
	pol.req[0].level = IPSEC_LEVEL_UNIQUE;
	pol.req[0].reqid = 5;
	if (!addr_parse(&pol.req[0].src, "192.0.2.1") ||
	    !addr_parse(&pol.req[0].dst, "192.0.2.2"))
		abort();
	pol.req[1].proto = IPPROTO_AH;
	pol.req[1].mode = IPSEC_MODE_TRANSPORT;
	pol.req[1].level = IPSEC_LEVEL_REQUIRE;
	s = host("10.1.0.0", 16, IPPROTO_UDP, 500);
	d = host("10.2.0.0", 16, IPPROTO_UDP, 0);
	w = seed_start(6, "spdadd", false);
	hdr(&w, SADB_X_SPDADD, 0);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_DST, &d);
	pfkey_build_policy(&w, &pol);
	seed_end(6, pfkey_build_finish(&w));

	pol.nreq = 0;
	pol.type = IPSEC_POLICY_DISCARD;
	w = seed_start(7, "spddelete", false);
	hdr(&w, SADB_X_SPDDELETE, 0);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_DST, &d);
	pfkey_build_policy(&w, &pol);
	seed_end(7, pfkey_build_finish(&w));

	pol.id = 0x19;
	w = seed_start(8, "spdget", false);
	hdr(&w, SADB_X_SPDGET, 0);
	pfkey_build_policy(&w, &pol);
	seed_end(8, pfkey_build_finish(&w));
}

/* MIGRATE, a filtered DUMP, REGISTER. */
static void
make_misc_seeds(void)
{
	struct pfkey_policy pol;
	struct pfkey_wr w;
	struct pfkey_address s, d;
	struct sadb_x_filter f;
	struct addr a1, a2;

	memset(&pol, 0, sizeof(pol));
	pol.type = IPSEC_POLICY_IPSEC;
	pol.dir = IPSEC_DIR_INBOUND;
	pol.nreq = 2;
	for (int i = 0; i < 2; i++) {
		pol.req[i].proto = IPPROTO_ESP;
		pol.req[i].mode = IPSEC_MODE_TUNNEL;
		pol.req[i].reqid = 3;
		if (!addr_parse(&pol.req[i].src,
			i == 0 ? "192.0.2.1" : "203.0.113.1") ||
		    !addr_parse(&pol.req[i].dst, "192.0.2.2"))
			abort();
	}
	if (!addr_parse(&a1, "203.0.113.1") || !addr_parse(&a2, "192.0.2.2"))
		abort();
	w = seed_start(9, "migrate", false);
	hdr(&w, SADB_X_MIGRATE, 0);
	pfkey_build_kmaddress(&w, &a1, &a2);
	s = host("10.1.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	d = host("10.2.0.0", 16, IPSEC_ULPROTO_ANY, 0);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_build_address(&w, SADB_EXT_ADDRESS_DST, &d);
	pfkey_build_policy(&w, &pol);
	seed_end(9, pfkey_build_finish(&w));

	memset(&f, 0, sizeof(f));
	f.sadb_x_filter_family = AF_INET;
	f.sadb_x_filter_splen = 24;
	f.sadb_x_filter_dplen = 24;
	w = seed_start(10, "dump_filter", false);
	hdr(&w, SADB_DUMP, SADB_SATYPE_ESP);
	pfkey_build_filter(&w, &f);
	seed_end(10, pfkey_build_finish(&w));

	w = seed_start(11, "register", false);
	hdr(&w, SADB_REGISTER, SADB_SATYPE_ESP);
	seed_end(11, pfkey_build_finish(&w));
}

static void
make_kernel_seeds(void)
{
	struct pfkey_hdr h = { 0, SADB_DUMP, 0, SADB_SATYPE_ESP, 0, 0, 1, 9 };
	struct pfkey_acquire aq;
	struct pfkey_new_mapping nm;
	struct sad_entry e;
	struct spd_policy p;
	struct pfkey_wr w;

	memset(&e, 0, sizeof(e));
	mk_sa(&e.sa);
	memset(e.sa.key.enc_key, 0x11, 16);
	memset(e.sa.key.auth_key, 0x22, 32);
	w = seed_start(12, "k_dump_sa", true);
	seed_end(12, pfkey_compose_sa(&w, &h, &e, PFKEY_SA_ALL));

	mk_policy(&p);
	h.type = SADB_X_SPDDUMP;
	h.satype = 0;
	w = seed_start(13, "k_spddump", true);
	seed_end(13, pfkey_compose_policy(&w, &h, &p, NULL));

	memset(&aq, 0, sizeof(aq));
	aq.seq = 3;
	aq.proto = IPPROTO_ESP;
	aq.src = e.sa.src;
	aq.dst = e.sa.dst;
	aq.policy_id = 0x21;
	w = seed_start(14, "k_acquire", true);
	seed_end(14, pfkey_compose_acquire(&w, &aq, usable, NULL));

	w = seed_start(15, "k_expire", true);
	seed_end(15, pfkey_compose_expire(&w, &e, true));

	memset(&nm, 0, sizeof(nm));
	nm.seq = 4;
	nm.e = &e;
	nm.addr = e.sa.dst;
	nm.port = 62000;
	w = seed_start(16, "k_new_mapping", true);
	seed_end(16, pfkey_compose_new_mapping(&w, &nm));

	h.type = SADB_REGISTER;
	h.satype = SADB_SATYPE_ESP;
	w = seed_start(17, "k_register", true);
	seed_end(17, pfkey_compose_register(&w, &h, usable, NULL));
}

static int
write_seeds(const char *dir)
{
	char path[512];

	for (int i = 0; i < NSEEDS; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(seeds[i].buf, 1, seeds[i].len, f) != seeds[i].len ||
		    fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

/* Every file of the committed corpus; returns the failures. */
static unsigned
run_corpus(const char *dir, unsigned *files)
{
	static uint8_t buf[1 << 16];
	unsigned failures = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		FILE *f;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL) {
			perror(path);
			failures++;
			continue;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (check_one(buf, n) != 0) {
			fprintf(stderr, "corpus %s failed\n", de->d_name);
			failures++;
		}
		(*files)++;
	}
	closedir(d);
	return failures;
}

int
main(int argc, char **argv)
{
	static uint8_t mut[SEED_MAX];
	unsigned checked = 0, accepted = 0, failures = 0, files = 0;

	make_sa_seeds();
	make_spd_seeds();
	make_misc_seeds();
	make_kernel_seeds();
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	failures += run_corpus(FUZZ_CORPUS, &files);
	for (int i = 0; i < NSEEDS; i++) {
		const struct seed *s = &seeds[i];
		struct pfkey_msg m;
		struct pfkey_err err;

		/* A seed is a valid message of its side. */
		if (!pfkey_msg_parse(&m, s->buf + 1, s->len - 1,
			s->buf[0] ? PFKEY_ORIGIN_KERNEL : PFKEY_ORIGIN_USER,
			&err) ||
		    check_one(s->buf, s->len) != 0) {
			fprintf(
			    stderr, "seed %s refused: %s\n", s->name, err.why);
			failures++;
		}
		/* Every truncation. */
		for (size_t n = 1; n < s->len; n++, checked++)
			failures += (unsigned)check_one(s->buf, n);
		/* Every other value of every byte after the origin byte. */
		for (size_t off = 1; off < s->len; off++) {
			for (unsigned v = 0; v < 256; v++) {
				if (v == s->buf[off])
					continue;
				memcpy(mut, s->buf, s->len);
				mut[off] = (uint8_t)v;
				failures += (unsigned)check_one(mut, s->len);
				if (pfkey_msg_parse(&m, mut + 1, s->len - 1,
					mut[0] ? PFKEY_ORIGIN_KERNEL
					       : PFKEY_ORIGIN_USER,
					&err))
					accepted++;
				checked++;
			}
		}
	}
	printf("fuzz_pfkey_regress: %u corpus files, %u mutated messages "
	       "(%u still valid), %u failures\n",
	    files, checked, accepted, failures);
	return failures == 0 && files > 0 ? 0 : 1;
}
#endif
