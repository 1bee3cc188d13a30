/* The daemon state the control tests run against (ctl_state.h). */
#include "config.h"

#include "ctl_state.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pfkeyv2.h>

#include "crypto/alg.h"
#include "ipsec/replay.h"
#include "ipsec/sad.h"
#include "ipsec/spd.h"

uint64_t
ipsecd_now(void)
{
	return CTL_NOW;
}

int
ipsecd_knob_set(
    struct ipsecd *d, const char *name, const char *value, const char **why)
{
	return knobs_set(d->knobs, name, value, why);
}

void
ipsecd_worker_totals(const struct ipsecd *d, struct worker_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < d->nworkers; w++) {
		const struct worker_stats *st = &d->workers[w].st;

		sum->tun_rx += st->tun_rx;
		sum->tun_tx += st->tun_tx;
		sum->sock_rx += st->sock_rx;
		sum->sock_tx += st->sock_tx;
		for (int v = 0; v < IPSEC_VERDICT_COUNT; v++) {
			sum->out_drops[v] += st->out_drops[v];
			sum->in_drops[v] += st->in_drops[v];
		}
	}
}

/* No worker ever failed an operation here. */
void
ipsecd_sa_crypto(const struct ipsecd *d, const struct sad_entry *e,
    struct dpath_sa_crypto *out)
{
	(void)d;
	(void)e;
	memset(out, 0, sizeof(*out));
}

static struct addr
A(const char *s) {
	struct addr a;

	if (!addr_parse(&a, s))
		abort();
	return a;
}

static void
key_fill(uint8_t *k, size_t len, uint8_t first)
{
	for (size_t i = 0; i < len; i++)
		k[i] = (uint8_t)(first + i);
}

struct sa_spec {
	uint32_t spi;
	uint8_t proto;
	uint8_t mode;
	const char *src;
	const char *dst;
	enum sa_state state;
};

static struct sad_entry *
insert(struct sad *sad, const struct sa *sa, enum sa_state state)
{
	struct sad_entry *e;
	size_t rb = replay_size(sa->replay_window);

	if (sa->replay_window == 0)
		rb = 0;
	if ((e = sad_entry_new(sa, rb, CTL_NOW - 100)) == NULL)
		return NULL;
	if (rb != 0)
		replay_init(e->sa.replay, sa->replay_window,
		    (sa->flags & SA_F_ESN) != 0);
	if (state != SA_STATE_LARVAL && !sad_state_set(e, SA_STATE_MATURE))
		abort();
	if (state == SA_STATE_DYING && !sad_state_set(e, state))
		abort();
	return sad_insert(sad, e) == SAD_OK ? e : NULL;
}

static void
sa_base(struct sa *sa, const struct sa_spec *s)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = s->spi;
	sa->proto = s->proto;
	sa->mode = s->mode;
	sa->src = A(s->src);
	sa->dst = A(s->dst);
}

static int
add_sas(struct sad *sad)
{
	static const struct sa_spec specs[] = {
		{ 0x1000, IPPROTO_ESP, SA_MODE_TUNNEL, "192.0.2.1", "192.0.2.2",
		    SA_STATE_MATURE },
		{ 0x2000, IPPROTO_ESP, SA_MODE_TRANSPORT, "2001:db8::1",
		    "2001:db8::2", SA_STATE_DYING },
		{ 0x3000, IPPROTO_AH, SA_MODE_TUNNEL, "192.0.2.2", "192.0.2.1",
		    SA_STATE_LARVAL },
		{ 0x4000, IPPROTO_COMP, SA_MODE_TUNNEL, "192.0.2.1",
		    "192.0.2.2", SA_STATE_MATURE },
	};
	struct sad_entry *e[4];
	struct sa sa[4];

	for (int i = 0; i < 4; i++)
		sa_base(&sa[i], &specs[i]);
	sa[0].reqid = 1;
	sa[0].replay_window = 64;
	sa[0].key.enc = alg_get(ALG_AES_GCM_16);
	sa[0].key.enc_len = 20;
	key_fill(sa[0].key.enc_key, 20, CTL_KEY_BYTE0);
	sa[0].hard.add_sec = 3600;
	sa[0].soft.add_sec = 3000;
	sa[1].if_id = 7;
	sa[1].flags = SA_F_ESN | SA_F_UDP_ENCAP;
	sa[1].encap_sport = 4500;
	sa[1].encap_dport = 4501;
	sa[1].key.enc = alg_get(ALG_AES_CBC);
	sa[1].key.enc_len = 16;
	key_fill(sa[1].key.enc_key, 16, CTL_KEY_BYTE0);
	sa[1].key.auth = alg_get(ALG_HMAC_SHA256_128);
	sa[1].key.auth_len = 32;
	key_fill(sa[1].key.auth_key, 32, CTL_KEY_BYTE0 + 0x20);
	sa[2].key.auth = alg_get(ALG_HMAC_SHA1_96);
	sa[2].key.auth_len = 20;
	key_fill(sa[2].key.auth_key, 20, CTL_KEY_BYTE0);
	sa[3].calg = SADB_X_CALG_DEFLATE;
	for (int i = 0; i < 4; i++)
		if ((e[i] = insert(sad, &sa[i], specs[i].state)) == NULL)
			return -1;
	atomic_store(&e[0]->cur_packets, 10);
	atomic_store(&e[0]->cur_bytes, 1500);
	atomic_store(&e[0]->sa.seq_out, 10);
	atomic_store(&e[0]->drops[IPSEC_DROP_REPLAY], 2);
	atomic_store(&e[0]->drops[IPSEC_DROP_ICV], 1);
	return 0;
}

bool
ctl_state_add_bulk(struct ctl_state *s, size_t i)
{
	struct sa_spec spec = { (uint32_t)(CTL_BULK_SPI0 + i), IPPROTO_ESP,
		SA_MODE_TUNNEL, "198.51.100.1", "198.51.100.2",
		SA_STATE_MATURE };
	struct sa sa;

	sa_base(&sa, &spec);
	sa.reqid = (uint32_t)(i % 1000 + 1);
	sa.key.enc = alg_get(ALG_AES_GCM_16);
	sa.key.enc_len = 36;
	key_fill(sa.key.enc_key, 36, CTL_KEY_BYTE0);
	return insert(s->d.sad, &sa, SA_STATE_MATURE) != NULL;
}

static int
add_policies(struct spd *spd)
{
	struct spd_policy p;
	struct spd_policy *got;
	uint32_t id;

	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_OUT;
	p.action = SPD_ACTION_IPSEC;
	p.ntmpl = 1;
	selector_init_any(&p.sel, AF_INET);
	if (!prefix_parse(&p.sel.src, "10.1.0.0/16") ||
	    !prefix_parse(&p.sel.dst, "10.2.0.0/16"))
		return -1;
	p.tmpl[0].proto = IPPROTO_ESP;
	p.tmpl[0].mode = SA_MODE_TUNNEL;
	p.tmpl[0].level = KNOBS_LEVEL_REQUIRE;
	p.tmpl[0].reqid = 1;
	p.tmpl[0].src = A("192.0.2.1");
	p.tmpl[0].dst = A("192.0.2.2");
	p.add_sec = CTL_NOW - 100;
	if (spd_insert(spd, &p, false, &id) != SPD_OK ||
	    (got = spd_lookup_id(spd, id)) == NULL)
		return -1;
	atomic_store(&got->packets, 5);
	atomic_store(&got->bytes, 500);
	p.dir = SPD_DIR_IN;
	p.sel.src = got->sel.dst;
	p.sel.dst = got->sel.src;
	p.tmpl[0].src = A("192.0.2.2");
	p.tmpl[0].dst = A("192.0.2.1");
	if (spd_insert(spd, &p, false, NULL) != SPD_OK)
		return -1;
	memset(&p, 0, sizeof(p));
	p.dir = SPD_DIR_FWD;
	p.action = SPD_ACTION_DISCARD;
	selector_init_any(&p.sel, AF_INET6);
	p.sel.proto = IPPROTO_TCP;
	p.sel.dport_lo = p.sel.dport_hi = 22;
	p.priority = 10;
	return spd_insert(spd, &p, false, NULL) == SPD_OK ? 0 : -1;
}

static struct iface *
iface_new(const char *name, uint32_t key, unsigned mtu)
{
	struct iface *ifc = calloc(1, sizeof(*ifc));

	if (ifc == NULL)
		return NULL;
	strncpy(ifc->name, name, sizeof(ifc->name) - 1);
	ifc->key = key;
	ifc->mtu = mtu;
	ifc->ifindex = 10 + (int)key;
	ifc->nqueues = CTL_NWORKERS;
	return ifc;
}

static int
add_ifaces(struct ctl_state *s)
{
	struct iface *i0 = iface_new("ipsec0", 0, 1400);
	struct iface *i1 = iface_new("ipsec1", 1, 1380);

	s->table.v[0] = i0;
	s->table.v[1] = i1;
	s->table.n = 2;
	s->table.gen = 1;
	if (i0 == NULL || i1 == NULL)
		return -1;
	for (unsigned w = 0; w < CTL_NWORKERS; w++) {
		atomic_store(&i1->st[w].out_packets, 3 + w);
		atomic_store(&i1->st[w].out_bytes, 300 + 100 * w);
		atomic_store(&i1->st[w].in_drops[IPSEC_DROP_POLICY], 1);
	}
	s->d.ifaces = &s->table;
	return 0;
}

struct ctl_state *
ctl_state_new(struct event_base *base, size_t nbulk)
{
	struct ctl_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	knobs_init(&s->knobs);
	s->d.knobs = &s->knobs;
	s->d.base = base;
	s->d.start_sec = CTL_START;
	s->d.nworkers = CTL_NWORKERS;
	s->d.workers = calloc(CTL_NWORKERS, sizeof(*s->d.workers));
	s->d.sad = sad_new(1, nbulk + CTL_SAD_ROOM);
	s->d.spd = spd_new(1, 16);
	if (s->d.workers == NULL || s->d.sad == NULL || s->d.spd == NULL ||
	    add_sas(s->d.sad) != 0 || add_policies(s->d.spd) != 0 ||
	    add_ifaces(s) != 0)
		goto fail;
	for (unsigned w = 0; w < CTL_NWORKERS; w++) {
		atomic_store(&s->d.workers[w].st.tun_rx, 7 + w);
		atomic_store(
		    &s->d.workers[w].st.in_drops[IPSEC_DROP_NOSA], 5 + w);
	}
	for (size_t i = 0; i < nbulk; i++)
		if (!ctl_state_add_bulk(s, i))
			goto fail;
	return s;
fail:
	ctl_state_free(s);
	return NULL;
}

void
ctl_state_free(struct ctl_state *s)
{
	if (s == NULL)
		return;
	if (s->d.sad != NULL)
		sad_free(s->d.sad);
	if (s->d.spd != NULL)
		spd_free(s->d.spd);
	for (unsigned i = 0; i < s->table.n; i++)
		free(s->table.v[i]);
	free(s->d.workers);
	free(s);
}
