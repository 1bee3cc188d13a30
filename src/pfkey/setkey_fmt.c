/*
 * setkey(8) output formats (see setkey_fmt.h).  The -D and -DP layouts
 * follow ipsec-tools' libipsec (pfkey_dump.c: pfkey_sadump1,
 * pfkey_spdump1, str_prefport, str_upperspec, str_time; key_debug.c:
 * ipsec_hexdump; ipsec_dump_policy.c) as they print on Linux, down to the
 * trailing spaces, so that scripts written against setkey keep working.
 */
#include "config.h"

#include "pfkey/setkey_fmt.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "crypto/alg.h"
#include "ipsec/knobs.h"
#include "ipsec/selector.h"
#include "pfkey/setkey_words.h"

/* <linux/pfkeyv2.h> SADB_SAFLAGS_*, as af_key reports SA flags. */
#define SADB_SAFLAGS_NOPMTUDISC 0x20000000u
#define SADB_SAFLAGS_DECAP_DSCP 0x40000000u
#define SADB_SAFLAGS_NOECN 0x80000000u

void
setkey_out_file(struct setkey_out *o, FILE *fp)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
}

void
setkey_out_buf(struct setkey_out *o, char *buf, size_t size)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->size = size;
	if (size > 0)
		buf[0] = '\0';
}

static void out(struct setkey_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out(struct setkey_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (o->fp != NULL) {
		n = vfprintf(o->fp, fmt, ap);
		if (n < 0)
			o->is_failed = true;
	} else {
		size_t left = o->len < o->size ? o->size - o->len : 0;

		n = vsnprintf(left > 0 ? o->buf + o->len : NULL, left, fmt, ap);
	}
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* ctime()'s "Mon dd hh:mm:ss yyyy" (setkey's str_time); 0 = blanks. */
static void
out_time(struct setkey_out *o, uint64_t sec, unsigned flags)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)sec;

	if (sec == 0) {
		out(o, "%20s", "");
		return;
	}
	/* Years past 5 digits would widen the 20-character column. */
	if (sec > (uint64_t)INT32_MAX * 1024 ||
	    ((flags & SETKEY_FMT_LOCALTIME) != 0 ? localtime_r(&t, &tm)
						 : gmtime_r(&t, &tm)) == NULL ||
	    strftime(buf, sizeof(buf), "%b %e %H:%M:%S %Y", &tm) == 0) {
		out(o, "????????????????????");
		return;
	}
	out(o, "%s", buf);
}

/* setkey's ipsec_hexdump: " xxxxxxxx" per 4 bytes, a newline per 32. */
static void
out_hex(struct setkey_out *o, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i != 0 && i % 32 == 0)
			out(o, "\n");
		if (i % 4 == 0)
			out(o, " ");
		out(o, "%02x", p[i]);
	}
}

static const char *
mode_name(uint8_t mode)
{
	const char *n = setkey_word_name(&setkey_modes, mode);

	return n != NULL ? n : "?";
}

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_ESP ? "esp"
	    : proto == IPPROTO_AH   ? "ah"
	    : proto == IPPROTO_COMP ? "ipcomp"
				    : "?";
}

static const char *
alg_setkey_name(const struct alg *a)
{
	return a->id == ALG_NULL_AUTH ? "null" : a->name;
}

static void
out_key_line(struct setkey_out *o, char tag, const struct alg *a,
    const uint8_t *key, size_t len, unsigned flags)
{
	out(o, "\t%c: %s", tag, alg_setkey_name(a));
	if ((flags & SETKEY_FMT_KEYS) != 0) {
		out(o, " ");
		out_hex(o, key, len);
	}
	out(o, "\n");
}

static uint32_t
sadb_flags(const struct sa *sa)
{
	uint32_t f = 0;

	if ((sa->flags & SA_F_NOECN) != 0)
		f |= SADB_SAFLAGS_NOECN;
	if ((sa->flags & SA_F_DECAP_DSCP) != 0)
		f |= SADB_SAFLAGS_DECAP_DSCP;
	if ((sa->flags & SA_F_NOPMTUDISC) != 0)
		f |= SADB_SAFLAGS_NOPMTUDISC;
	return f;
}

static const char *
state_name(enum sa_state s)
{
	switch (s) {
	case SA_STATE_LARVAL:
		return "larval";
	case SA_STATE_MATURE:
		return "mature";
	case SA_STATE_DYING:
		return "dying";
	case SA_STATE_DEAD:
		return "dead";
	}
	return "?";
}

static const char *
comp_name(uint8_t calg)
{
	return setkey_word_name(&setkey_comps, calg);
}

void
setkey_fmt_sa(struct setkey_out *o, const struct sa *sa,
    const struct setkey_sa_info *in, unsigned flags)
{
	const struct cipher_key *k = &sa->key;
	bool is_udp = (sa->flags & SA_F_UDP_ENCAP) != 0;
	char a[ADDR_STRLEN];
	uint64_t diff;

	out(o, "%s", addr_fmt(&sa->src, a, sizeof(a)));
	if (is_udp)
		out(o, "[%u]", sa->encap_sport);
	out(o, " %s", addr_fmt(&sa->dst, a, sizeof(a)));
	if (is_udp)
		out(o, "[%u]", sa->encap_dport);
	out(o, " \n\t%s mode=%s spi=%u(0x%08x) reqid=%u(0x%08x)\n",
	    is_udp && sa->proto == IPPROTO_ESP ? "esp-udp"
					       : proto_name(sa->proto),
	    mode_name(sa->mode), sa->spi, sa->spi, sa->reqid, sa->reqid);
	if (sa->proto == IPPROTO_COMP) {
		const char *c = comp_name(sa->calg);

		if (c != NULL)
			out(o, "\tC: %s\n", c);
		else
			out(o, "\tC: %u\n", sa->calg);
	} else if (sa->proto == IPPROTO_ESP && k->enc != NULL) {
		out_key_line(o, 'E', k->enc, k->enc_key, k->enc_len, flags);
	}
	if (sa->proto != IPPROTO_COMP && k->auth != NULL)
		out_key_line(o, 'A', k->auth, k->auth_key, k->auth_len, flags);
	out(o, "\tseq=0x%08x replay=%u flags=0x%08x state=%s \n", in->seq,
	    sa->replay_window, sadb_flags(sa), state_name(in->state));

	diff = in->add_sec != 0 && in->now_sec > in->add_sec
	    ? in->now_sec - in->add_sec
	    : 0;
	out(o, "\tcreated: ");
	out_time(o, in->add_sec, flags);
	out(o, "\tcurrent: ");
	out_time(o, in->now_sec, flags);
	out(o, "\n\tdiff: %llu(s)\thard: %llu(s)\tsoft: %llu(s)\n",
	    (unsigned long long)diff, (unsigned long long)sa->hard.add_sec,
	    (unsigned long long)sa->soft.add_sec);
	out(o, "\tlast: ");
	out_time(o, in->use_sec, flags);
	out(o, "\thard: %llu(s)\tsoft: %llu(s)\n",
	    (unsigned long long)sa->hard.use_sec,
	    (unsigned long long)sa->soft.use_sec);
	out(o, "\tcurrent: %llu(bytes)\thard: %llu(bytes)\tsoft: %llu(bytes)\n",
	    (unsigned long long)in->bytes, (unsigned long long)sa->hard.bytes,
	    (unsigned long long)sa->soft.bytes);
	out(o, "\tallocated: %llu\thard: %llu\tsoft: %llu\n",
	    (unsigned long long)in->packets,
	    (unsigned long long)sa->hard.packets,
	    (unsigned long long)sa->soft.packets);
	out(o, "\tsadb_seq=%u pid=%u refcnt=%u\n", in->sadb_seq, in->pid,
	    in->refcnt);
}

/* Selector protocols whose port fields hold type/code or a GRE key. */
static bool
is_portless(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ||
	    proto == IPPROTO_MH || proto == IPPROTO_GRE;
}

static bool
is_any_range(uint16_t lo, uint16_t hi)
{
	return lo == 0 && hi == 0xffff;
}

/* A port range as setkey shows it: "any", "N", or ours "lo-hi". */
static void
out_port(struct setkey_out *o, uint16_t lo, uint16_t hi)
{
	if (is_any_range(lo, hi))
		out(o, "[any]");
	else if (lo == hi)
		out(o, "[%u]", lo);
	else
		out(o, "[%u-%u]", lo, hi);
}

/* Value of a port field for type/code and GRE keys: 0 = any. */
static unsigned
port_value(uint16_t lo, uint16_t hi)
{
	return is_any_range(lo, hi) ? 0 : lo;
}

/* address[/len][port], the /len left out at the full length. */
static void
out_range(struct setkey_out *o, const struct prefix *p, uint8_t proto,
    uint16_t lo, uint16_t hi)
{
	char a[ADDR_STRLEN];

	out(o, "%s", addr_fmt(&p->addr, a, sizeof(a)));
	if (p->len != addr_len(&p->addr) * 8)
		out(o, "/%u", p->len);
	if (!is_portless(proto))
		out_port(o, lo, hi);
}

/* " 8,0" for icmp/icmp6/mh, " key" for gre, nothing when all any. */
static void
out_upper_misc(struct setkey_out *o, const struct selector *s)
{
	unsigned sp = port_value(s->sport_lo, s->sport_hi);
	unsigned dp = port_value(s->dport_lo, s->dport_hi);

	if (is_any_range(s->sport_lo, s->sport_hi) &&
	    is_any_range(s->dport_lo, s->dport_hi))
		return;
	if (s->proto == IPPROTO_GRE)
		out(o, " %lu", ((unsigned long)sp << 16) + dp);
	else if (is_portless(s->proto))
		out(o, " %u,%u", sp, dp);
}

/*
 * " prio high + 5": the base nearest to prio and the offset from it, as
 * ipsec_dump_policy (+ is nearer the front, a lower value).
 */
static void
out_prio(struct setkey_out *o, uint32_t prio)
{
	uint32_t base;
	const char *name;

	if (prio < 0x60000000u) {
		base = SETKEY_PRIO_HIGH;
		name = "high";
	} else if (prio < 0xa0000000u) {
		base = SETKEY_PRIO_DEFAULT;
		name = "def";
	} else {
		base = SETKEY_PRIO_LOW;
		name = "low";
	}
	if (prio == base)
		out(o, " prio %s", name);
	else if (prio < base)
		out(o, " prio %s + %u", name, base - prio);
	else
		out(o, " prio %s - %u", name, prio - base);
}

static const char *
level_name(uint8_t level)
{
	const char *n = setkey_word_name(&setkey_levels, level);

	return n != NULL ? n : "?";
}

/*
 * proto/mode/src-dst/level[:reqid].  is_cmd: the input language (ports
 * from sport/dport, reqid only as unique:N); else setkey -DP's form
 * (level:N, or level#N above the manual range).
 */
static void
out_request(struct setkey_out *o, const struct spd_tmpl *t, bool is_cmd,
    uint16_t sport, uint16_t dport)
{
	char a[ADDR_STRLEN];

	out(o, "%s/%s/", proto_name(t->proto), mode_name(t->mode));
	if (t->src.family != 0) {
		out(o, "%s", addr_fmt(&t->src, a, sizeof(a)));
		if (sport != 0)
			out(o, "[%u]", sport);
		out(o, "-%s", addr_fmt(&t->dst, a, sizeof(a)));
		if (dport != 0)
			out(o, "[%u]", dport);
	}
	out(o, "/%s", level_name(t->level));
	if (t->reqid == 0)
		return;
	if (!is_cmd)
		out(o, "%c%u", t->reqid > SETKEY_REQID_MANUAL_MAX ? '#' : ':',
		    t->reqid);
	else if (t->level == KNOBS_LEVEL_UNIQUE &&
	    t->reqid <= SETKEY_REQID_MANUAL_MAX)
		out(o, ":%u", t->reqid);
}

static const char *
dir_name(uint8_t dir)
{
	const char *n = setkey_word_name(&setkey_dirs, dir);

	return n != NULL ? n : "?";
}

static const char *
action_name(uint8_t action)
{
	const char *n = setkey_word_name(&setkey_actions, action);

	return n != NULL ? n : "?";
}

/*
 * Debian's /etc/protocols name of proto, which setkey -DP prints through
 * getprotobynumber(3); NULL when it has none (then the number).
 */
static const char *
proto_db_name(uint8_t proto)
{
	static const struct {
		uint8_t proto;
		const char *name;
	} names[] = {
		{ IPPROTO_ICMP, "icmp" },
		{ IPPROTO_IGMP, "igmp" },
		{ IPPROTO_IPIP, "ipencap" },
		{ IPPROTO_TCP, "tcp" },
		{ IPPROTO_UDP, "udp" },
		{ IPPROTO_DCCP, "dccp" },
		{ IPPROTO_IPV6, "ipv6" },
		{ IPPROTO_GRE, "gre" },
		{ IPPROTO_ESP, "esp" },
		{ IPPROTO_AH, "ah" },
		{ IPPROTO_ICMPV6, "ipv6-icmp" },
		{ IPPROTO_COMP, "ipcomp" },
		{ IPPROTO_SCTP, "sctp" },
		{ IPPROTO_MH, "mobility-header" },
		{ IPPROTO_UDPLITE, "udplite" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].proto == proto)
			return names[i].name;
	return NULL;
}

void
setkey_fmt_policy(struct setkey_out *o, const struct spd_policy *pol,
    const struct setkey_spd_info *in, unsigned flags)
{
	const struct selector *s = &pol->sel;
	/* Linux reports "any" (0 or 255) as IPSEC_ULPROTO_ANY, 255. */
	uint8_t proto = s->proto == 0 ? SELECTOR_PROTO_ANY : s->proto;
	const char *pname = proto_db_name(proto);

	out_range(o, &s->src, proto, s->sport_lo, s->sport_hi);
	out(o, " ");
	out_range(o, &s->dst, proto, s->dport_lo, s->dport_hi);
	if (pname != NULL)
		out(o, " %s", pname);
	else
		out(o, " %u", proto);
	out_upper_misc(o, s);
	out(o, "\n\t%s", dir_name(pol->dir));
	out_prio(o, pol->priority);
	out(o, " %s", action_name(pol->action));
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		out(o, "\n\t");
		out_request(o, &pol->tmpl[i], false, 0, 0);
	}
	out(o, "\n\tcreated: ");
	out_time(o, pol->add_sec, flags);
	out(o, "  lastused: ");
	out_time(o, atomic_load(&pol->use_sec), flags);
	out(o, "\n\tlifetime: %llu(s) validtime: %llu(s)\n",
	    (unsigned long long)in->hard_add_sec,
	    (unsigned long long)in->hard_use_sec);
	out(o, "\tspid=%u seq=%u pid=%u\n", pol->id, in->seq, in->pid);
	out(o, "\trefcnt=%u\n", in->refcnt);
}

/* A key in the input language: 0x and hex digits, or <hidden>. */
static void
out_cmd_key(struct setkey_out *o, const struct alg *a, const uint8_t *key,
    size_t len, unsigned flags)
{
	out(o, " %s", alg_setkey_name(a));
	if (a->nkeys == 1 && a->key_len[0] == 0 && a->salt_len == 0)
		return; /* null: no key */
	if ((flags & SETKEY_FMT_KEYS) == 0) {
		out(o, " <hidden>");
		return;
	}
	out(o, " 0x");
	for (size_t i = 0; i < len; i++)
		out(o, "%02x", key[i]);
}

static void
out_cmd_lifetimes(struct setkey_out *o, const struct sa *sa)
{
	if (sa->hard.add_sec != 0)
		out(o, " -lh %llu", (unsigned long long)sa->hard.add_sec);
	if (sa->soft.add_sec != 0)
		out(o, " -ls %llu", (unsigned long long)sa->soft.add_sec);
	if (sa->hard.bytes != 0)
		out(o, " -bh %llu", (unsigned long long)sa->hard.bytes);
	if (sa->soft.bytes != 0)
		out(o, " -bs %llu", (unsigned long long)sa->soft.bytes);
}

static void
out_cmd_algs(struct setkey_out *o, const struct setkey_cmd *cmd, unsigned flags)
{
	const struct sa *sa = &cmd->sa;
	const struct cipher_key *k = &sa->key;

	if (sa->proto == IPPROTO_COMP) {
		const char *c = comp_name(sa->calg);

		if (c != NULL)
			out(o, " -C %s", c);
		else
			out(o, " -C %u", sa->calg);
		if ((cmd->ext & SETKEY_EXT_RAWCPI) != 0)
			out(o, " -R");
		return;
	}
	if (k->enc != NULL) {
		out(o, " -E");
		out_cmd_key(o, k->enc, k->enc_key, k->enc_len, flags);
	}
	if (k->auth != NULL) {
		out(o, " -A");
		out_cmd_key(o, k->auth, k->auth_key, k->auth_len, flags);
	}
}

static void
out_cmd_sa(struct setkey_out *o, const struct setkey_cmd *cmd, unsigned flags)
{
	const struct sa *sa = &cmd->sa;
	bool is_udp = (sa->flags & SA_F_UDP_ENCAP) != 0;
	char a[ADDR_STRLEN];

	out(o, " %s", addr_fmt(&sa->src, a, sizeof(a)));
	if (is_udp && sa->encap_sport != 0)
		out(o, "[%u]", sa->encap_sport);
	out(o, " %s", addr_fmt(&sa->dst, a, sizeof(a)));
	if (is_udp && sa->encap_dport != 0)
		out(o, "[%u]", sa->encap_dport);
	out(o, " %s", is_udp ? "esp-udp" : proto_name(sa->proto));
	if (is_udp && cmd->natt_oa.family != 0)
		out(o, " %s", addr_fmt(&cmd->natt_oa, a, sizeof(a)));
	if (cmd->op == SETKEY_DELETEALL)
		return;
	out(o, " 0x%x", sa->spi);
	if (sa->mode != SA_MODE_ANY)
		out(o, " -m %s", mode_name(sa->mode));
	if (sa->replay_window != 0)
		out(o, " -r %u", sa->replay_window);
	if (sa->reqid != 0)
		out(o, " -u %u", sa->reqid);
	for (size_t i = 0; i < setkey_pads.n; i++)
		if ((cmd->ext & setkey_pads.words[i].value) != 0)
			out(o, " -f %s", setkey_pads.words[i].name);
	out_cmd_lifetimes(o, sa);
	if (cmd->op == SETKEY_ADD || cmd->op == SETKEY_UPDATE)
		out_cmd_algs(o, cmd, flags);
}

static void
out_cmd_spd(struct setkey_out *o, const struct setkey_cmd *cmd)
{
	const struct spd_policy *pol = &cmd->pol;
	const struct selector *s = &pol->sel;
	uint8_t proto = s->proto == 0 ? SELECTOR_PROTO_ANY : s->proto;
	const char *pname = setkey_word_name(&setkey_uppers, proto);

	out(o, " ");
	out_range(o, &s->src, proto, s->sport_lo, s->sport_hi);
	out(o, " ");
	out_range(o, &s->dst, proto, s->dport_lo, s->dport_hi);
	if (proto == SELECTOR_PROTO_ANY)
		out(o, " any");
	else if (pname != NULL)
		out(o, " %s", pname);
	else
		out(o, " %u", proto);
	out_upper_misc(o, s);
	out(o, " -P %s", dir_name(pol->dir));
	out_prio(o, pol->priority);
	out(o, " %s", action_name(pol->action));
	for (unsigned i = 0; i < pol->ntmpl && i < SPD_TMPL_MAX; i++) {
		out(o, " ");
		out_request(o, &pol->tmpl[i], true, cmd->tmpl_sport[i],
		    cmd->tmpl_dport[i]);
	}
}

void
setkey_fmt_cmd(
    struct setkey_out *o, const struct setkey_cmd *cmd, unsigned flags)
{
	const char *name = setkey_word_name(&setkey_commands, (int)cmd->op);

	out(o, "%s", name != NULL ? name : "?");
	switch (cmd->op) {
	case SETKEY_ADD:
	case SETKEY_UPDATE:
	case SETKEY_GETSPI:
	case SETKEY_GET:
	case SETKEY_DELETE:
	case SETKEY_DELETEALL:
		out_cmd_sa(o, cmd, flags);
		break;
	case SETKEY_FLUSH:
	case SETKEY_DUMP:
		if (cmd->satype != 0)
			out(o, " %s", proto_name(cmd->satype));
		break;
	case SETKEY_SPDADD:
	case SETKEY_SPDUPDATE:
	case SETKEY_SPDDELETE:
		out_cmd_spd(o, cmd);
		break;
	case SETKEY_SPDFLUSH:
	case SETKEY_SPDDUMP:
		break;
	}
	out(o, ";\n");
}
