/*
 * Fuzz target for the PF_KEY server's dispatch: the input is one message
 * run through pfkey_server_inject, as ipsecd's include files are, against
 * a small pre-filled SAD and SPD (SAs of each type, a larval SA, two
 * policies).  Properties checked, each an abort when broken:
 *   - the server never crashes (ASan/UBSan catch the rest);
 *   - a refused message carries an errno of 1..255 and a reason, and
 *     leaves the SAD and SPD exactly as they were (counts and a digest
 *     of every SA's and policy's contents);
 *   - an accepted one may change them: the tables are then put back to
 *     the pre-filled state for the next input.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_server_regress, whose main() (FUZZ_REGRESS) runs the
 * committed corpus (tests/fuzz/corpus/fuzz_server, written by
 * `fuzz_server_regress --seeds DIR`) and a bounded, deterministic
 * mutation pass over one valid message of each kind: every truncation,
 * and eight other values of every byte.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <linux/udp.h>
#include <urcu-qsbr.h>

#include "crypto/provider.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"
#include "pfkey/pfkey_build.h"
#include "pfkey/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEED_MAX 1024

static struct crypto_lib *lib;
static struct sad *sad;
static struct spd *spd;
static struct pfkey_server *srv;
static uint32_t rnd = 0x2545f491;

static uint64_t
clock_fn(void *arg)
{
	(void)arg;
	return 1700000000;
}

static uint32_t
rand_fn(void *arg)
{
	(void)arg;
	rnd ^= rnd << 13;
	rnd ^= rnd >> 17;
	rnd ^= rnd << 5;
	return rnd;
}

static struct pfkey_address
host(const char *s, uint8_t prefixlen)
{
	struct pfkey_address a;

	memset(&a, 0, sizeof(a));
	if (!addr_parse(&a.addr, s))
		abort();
	a.prefixlen = prefixlen;
	a.proto = IPSEC_ULPROTO_ANY;
	return a;
}

static void
hdr(struct pfkey_wr *w, uint8_t type, uint8_t satype)
{
	struct pfkey_hdr h = { 0, type, 0, satype, 0, 0, 7, 4242 };

	if (!pfkey_build_hdr(w, &h))
		abort();
}

static void
pair(struct pfkey_wr *w, const char *src, const char *dst, uint8_t len)
{
	struct pfkey_address s = host(src, len), d = host(dst, len);

	pfkey_build_address(w, SADB_EXT_ADDRESS_SRC, &s);
	pfkey_build_address(w, SADB_EXT_ADDRESS_DST, &d);
}

static void
sa_ext(struct pfkey_wr *w, uint32_t spi, uint8_t auth, uint8_t enc)
{
	struct sadb_sa s;

	memset(&s, 0, sizeof(s));
	s.sadb_sa_spi = htonl(spi);
	s.sadb_sa_replay = 32;
	s.sadb_sa_auth = auth;
	s.sadb_sa_encrypt = enc;
	pfkey_build_sa(w, &s);
}

static void
sa2(struct pfkey_wr *w, uint8_t mode, uint32_t reqid)
{
	struct sadb_x_sa2 s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sa2_mode = mode;
	s.sadb_x_sa2_reqid = reqid;
	pfkey_build_sa2(w, &s);
}

static const uint8_t key[64] = "0123456789abcdef0123456789abcdef"
			       "0123456789abcdef0123456789abcdef";

/* The seeds: one valid message of each kind the server handles. */
enum seed_id {
	S_ADD_ESP,
	S_ADD_AH6,
	S_ADD_IPCOMP,
	S_ADD_NATT,
	S_GETSPI,
	S_UPDATE,
	S_DELETE,
	S_GET,
	S_ACQUIRE_NEG,
	S_REGISTER,
	S_FLUSH,
	S_DUMP,
	S_PROMISC,
	S_SPDADD,
	S_SPDUPDATE,
	S_SPDDELETE,
	S_SPDGET,
	S_SPDDELETE2,
	S_SPDFLUSH,
	S_SPDDUMP,
	S_MIGRATE,
	S_COUNT
};

static void
policy(struct pfkey_wr *w, uint8_t type, uint32_t id, unsigned nreq,
    bool is_migrate)
{
	struct pfkey_policy p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.dir = IPSEC_DIR_OUTBOUND;
	p.id = id;
	p.nreq = (uint8_t)nreq;
	for (unsigned i = 0; i < nreq; i++) {
		p.req[i].proto = IPPROTO_ESP;
		p.req[i].mode = IPSEC_MODE_TUNNEL;
		p.req[i].level = IPSEC_LEVEL_UNIQUE;
		addr_parse(&p.req[i].src,
		    is_migrate && i == 1 ? "198.51.100.1" : "192.0.2.1");
		addr_parse(&p.req[i].dst,
		    is_migrate && i == 1 ? "198.51.100.2" : "192.0.2.2");
	}
	pfkey_build_policy(w, &p);
}

/* Seed id into buf; its length. */
static size_t
make_seed(enum seed_id id, uint8_t *buf)
{
	struct pfkey_wr w;
	struct sadb_lifetime none;

	memset(&none, 0, sizeof(none));
	pfkey_wr_init(&w, buf, SEED_MAX);
	switch (id) {
	case S_ADD_ESP:
	case S_UPDATE:
		hdr(&w, id == S_ADD_ESP ? SADB_ADD : SADB_UPDATE,
		    SADB_SATYPE_ESP);
		sa_ext(&w, id == S_ADD_ESP ? 0x1000 : 0x1004,
		    SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC);
		sa2(&w, IPSEC_MODE_TUNNEL, 1);
		pair(&w, "192.0.2.1", "192.0.2.2", 32);
		pfkey_build_key(&w, SADB_EXT_KEY_ENCRYPT, key, 16);
		pfkey_build_key(&w, SADB_EXT_KEY_AUTH, key, 32);
		pfkey_build_lifetime(&w, SADB_EXT_LIFETIME_HARD, &none);
		pfkey_build_lifetime(&w, SADB_EXT_LIFETIME_SOFT, &none);
		break;
	case S_ADD_AH6:
		hdr(&w, SADB_ADD, SADB_SATYPE_AH);
		sa_ext(&w, 0x1001, SADB_AALG_SHA1HMAC, 0);
		pair(&w, "2001:db8::1", "2001:db8::2", 128);
		pfkey_build_key(&w, SADB_EXT_KEY_AUTH, key, 20);
		break;
	case S_ADD_IPCOMP:
		hdr(&w, SADB_ADD, SADB_X_SATYPE_IPCOMP);
		sa_ext(&w, 0x1002, 0, SADB_X_CALG_DEFLATE);
		pair(&w, "192.0.2.1", "192.0.2.2", 32);
		break;
	case S_ADD_NATT:
		hdr(&w, SADB_ADD, SADB_SATYPE_ESP);
		sa_ext(&w, 0x1003, 0, SADB_X_EALG_AES_GCM_ICV16);
		pair(&w, "192.0.2.1", "192.0.2.2", 32);
		pfkey_build_key(&w, SADB_EXT_KEY_ENCRYPT, key, 20);
		pfkey_build_nat_t_type(&w, UDP_ENCAP_ESPINUDP);
		pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_SPORT, 4500);
		pfkey_build_nat_t_port(&w, SADB_X_EXT_NAT_T_DPORT, 4500);
		break;
	case S_GETSPI: {
		struct sadb_spirange r = { 0, 0, 0x1004, 0x1004, 0 };

		hdr(&w, SADB_GETSPI, SADB_SATYPE_ESP);
		sa2(&w, IPSEC_MODE_TUNNEL, 1);
		pair(&w, "192.0.2.1", "192.0.2.2", 32);
		pfkey_build_spirange(&w, &r);
		break;
	}
	case S_DELETE:
	case S_GET:
		hdr(&w, id == S_DELETE ? SADB_DELETE : SADB_GET,
		    SADB_SATYPE_ESP);
		sa_ext(&w, 0x1000, 0, 0);
		pair(&w, "192.0.2.1", "192.0.2.2", 32);
		break;
	case S_ACQUIRE_NEG: {
		struct pfkey_hdr h = { 0, SADB_ACQUIRE, ENOENT, SADB_SATYPE_ESP,
			0, 0, 1, 4242 };

		pfkey_build_hdr(&w, &h);
		break;
	}
	case S_REGISTER:
		hdr(&w, SADB_REGISTER, SADB_SATYPE_AH);
		break;
	case S_FLUSH:
		hdr(&w, SADB_FLUSH, SADB_SATYPE_AH);
		break;
	case S_DUMP:
		hdr(&w, SADB_DUMP, SADB_SATYPE_UNSPEC);
		break;
	case S_PROMISC:
		hdr(&w, SADB_X_PROMISC, 1);
		break;
	case S_SPDADD:
	case S_SPDUPDATE:
	case S_SPDDELETE:
		hdr(&w,
		    id == S_SPDADD	    ? SADB_X_SPDADD
			: id == S_SPDUPDATE ? SADB_X_SPDUPDATE
					    : SADB_X_SPDDELETE,
		    0);
		pair(&w, id == S_SPDADD ? "10.3.0.0" : "10.1.0.0", "10.2.0.0",
		    16);
		pfkey_build_lifetime(&w, SADB_EXT_LIFETIME_HARD, &none);
		policy(&w, IPSEC_POLICY_IPSEC, 0, id == S_SPDDELETE ? 0 : 2,
		    false);
		break;
	case S_SPDGET:
	case S_SPDDELETE2:
		hdr(&w, id == S_SPDGET ? SADB_X_SPDGET : SADB_X_SPDDELETE2, 0);
		policy(&w, 0, 1 + 8, 0, false);
		break;
	case S_SPDFLUSH:
		hdr(&w, SADB_X_SPDFLUSH, 0);
		break;
	case S_SPDDUMP:
		hdr(&w, SADB_X_SPDDUMP, 0);
		break;
	case S_MIGRATE:
		hdr(&w, SADB_X_MIGRATE, 0);
		pair(&w, "10.1.0.0", "10.2.0.0", 16);
		policy(&w, IPSEC_POLICY_IPSEC, 0, 2, true);
		break;
	case S_COUNT:
		break;
	}
	return pfkey_build_finish(&w);
}

/* The pre-filled tables: SAs of each type, a larval SA, two policies. */
static void
prefill(void)
{
	static const enum seed_id fill[] = { S_ADD_ESP, S_ADD_AH6, S_ADD_IPCOMP,
		S_ADD_NATT, S_GETSPI, S_SPDUPDATE };
	uint8_t buf[SEED_MAX];
	struct pfkey_wr w;
	struct sadb_lifetime none;
	size_t n;

	for (size_t i = 0; i < sizeof(fill) / sizeof(fill[0]); i++) {
		n = make_seed(fill[i], buf);
		if (n == 0 || pfkey_server_inject(srv, buf, n, NULL) != 0)
			abort();
	}
	/* And a discard policy of the other direction. */
	memset(&none, 0, sizeof(none));
	pfkey_wr_init(&w, buf, sizeof(buf));
	hdr(&w, SADB_X_SPDADD, 0);
	pair(&w, "10.2.0.0", "10.1.0.0", 16);
	policy(&w, IPSEC_POLICY_DISCARD, 0, 0, false);
	n = pfkey_build_finish(&w);
	if (n == 0 || pfkey_server_inject(srv, buf, n, NULL) != 0)
		abort();
}

static void
init_once(void)
{
	struct pfkey_ctx ctx;

	if (srv != NULL)
		return;
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	if ((lib = crypto_lib_new(NULL)) == NULL ||
	    (sad = sad_new(1, 1024)) == NULL ||
	    (spd = spd_new(2, 1024)) == NULL)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.sad = sad;
	ctx.spd = spd;
	ctx.lib = lib;
	ctx.now = clock_fn;
	ctx.rand32 = rand_fn;
	if ((srv = pfkey_server_new(&ctx, NULL)) == NULL)
		abort();
	prefill();
}

static uint64_t
mix(uint64_t d, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		d = (d ^ b[i]) * 0x100000001b3ull;
	return d;
}

/* Everything a message may change in the tables. */
static uint64_t
digest(void)
{
	struct sad_cursor *sc = sad_cursor_new(sad);
	struct spd_cursor *pc = spd_cursor_new(spd);
	uint64_t d = 0xcbf29ce484222325ull;
	struct sad_entry *e;
	struct spd_policy *p;
	size_t n;

	if (sc == NULL || pc == NULL)
		abort();
	while ((e = sad_cursor_next(sad, sc)) != NULL) {
		uint8_t st = (uint8_t)sad_state(e);

		d = mix(d, &e->sa.spi, 4);
		d = mix(d, &e->sa.proto, 4);
		d = mix(d, &e->sa.reqid, 4);
		d = mix(d, &e->sa.src, sizeof(e->sa.src));
		d = mix(d, &e->sa.dst, sizeof(e->sa.dst));
		d = mix(d, &e->sa.encap_sport, 6);
		d = mix(d, &e->sa.key, sizeof(e->sa.key));
		d = mix(d, &e->sa.soft, sizeof(e->sa.soft));
		d = mix(d, &e->sa.hard, sizeof(e->sa.hard));
		d = mix(d, &st, 1);
	}
	while ((p = spd_cursor_next(spd, pc)) != NULL) {
		d = mix(d, &p->id, 4);
		d = mix(d, &p->dir, 3);
		d = mix(d, &p->priority, 4);
		d = mix(d, &p->sel, sizeof(p->sel));
		d = mix(d, p->tmpl, sizeof(p->tmpl));
	}
	sad_cursor_free(sad, sc);
	spd_cursor_free(spd, pc);
	n = sad_count(sad);
	d = mix(d, &n, sizeof(n));
	n = spd_count(spd);
	return mix(d, &n, sizeof(n));
}

static int
check_one(const uint8_t *data, size_t size)
{
	uint64_t before = digest();
	struct pfkey_err err;
	int rc;

	rc = pfkey_server_inject(srv, data, size, &err);
	if (rc != 0) {
		if (rc < 1 || rc > 255 || err.why[0] == '\0') {
			fprintf(stderr,
			    "fuzz_server: refused without errno or reason "
			    "(%d, \"%s\")\n",
			    rc, err.why);
			return 1;
		}
		if (digest() != before) {
			fprintf(stderr,
			    "fuzz_server: refused message (%d, %s) changed "
			    "the tables\n",
			    rc, err.why);
			return 1;
		}
		return 0;
	}
	if (digest() != before) {
		sad_flush(sad, 0);
		spd_flush(spd);
		/* Forgets the lifetimes of the policies flushed. */
		pfkey_server_tick(srv);
		prefill();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	if (check_one(data, size) != 0)
		abort();
	return 0;
}

#ifdef FUZZ_REGRESS
#include <dirent.h>

static const char *const seed_names[S_COUNT] = { "add_esp", "add_ah6",
	"add_ipcomp", "add_natt", "getspi", "update", "delete", "get",
	"acquire_neg", "register", "flush", "dump", "promisc", "spdadd",
	"spdupdate", "spddelete", "spdget", "spddelete2", "spdflush", "spddump",
	"migrate" };

static int
write_seeds(const char *dir)
{
	uint8_t buf[SEED_MAX];
	char path[512];

	for (int i = 0; i < S_COUNT; i++) {
		size_t n = make_seed((enum seed_id)i, buf);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, seed_names[i]);
		if (n == 0 || (f = fopen(path, "wb")) == NULL ||
		    fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

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
	static uint8_t seed[SEED_MAX], mut[SEED_MAX];
	unsigned checked = 0, failures = 0, files = 0;

	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	init_once();
	failures += run_corpus(FUZZ_CORPUS, &files);
	for (int i = 0; i < S_COUNT; i++) {
		size_t n = make_seed((enum seed_id)i, seed);

		if (n == 0) {
			fprintf(stderr, "seed %s not built\n", seed_names[i]);
			failures++;
			continue;
		}
		/* Every truncation. */
		for (size_t len = 0; len < n; len++, checked++)
			failures += (unsigned)check_one(seed, len);
		/* Eight other values of every byte. */
		for (size_t off = 0; off < n; off++) {
			const uint8_t b = seed[off];
			const uint8_t vals[8] = { 0, 1, 0x7f, 0x80, 0xff,
				(uint8_t)(b ^ 1), (uint8_t)(b + 1),
				(uint8_t)(b - 1) };

			for (int v = 0; v < 8; v++) {
				if (vals[v] == b)
					continue;
				memcpy(mut, seed, n);
				mut[off] = vals[v];
				failures += (unsigned)check_one(mut, n);
				checked++;
			}
		}
	}
	printf("fuzz_server_regress: %u corpus files, %u mutated messages, "
	       "%u failures\n",
	    files, checked, failures);
	pfkey_server_free(srv);
	sad_free(sad);
	spd_free(spd);
	crypto_lib_free(lib);
	urcu_qsbr_unregister_thread();
	return failures == 0 && files > 0 ? 0 : 1;
}
#endif
