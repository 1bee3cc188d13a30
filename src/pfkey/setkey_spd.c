/*
 * SPD commands of the setkey language (setkey.h): spdadd, spdupdate and
 * spddelete, with the policy after -P in libipsec's ipsec_set_policy(3)
 * syntax (policy_parse.y, policy_token.l), read in the lexer's policy
 * mode.  Selectors are checked with selector_check, as spd_insert will.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ipsec/knobs.h"
#include "ipsec/selector.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_parse.h"
#include "pfkey/setkey_words.h"

/* libipsec's PRIORITY_OFFSET_NEGATIVE_MAX / _POSITIVE_MAX. */
#define PRIO_PLUS_MAX 0x40000000u
#define PRIO_MINUS_MAX 0x3fffffffu

/* One side of a selector: address[/prefixlen][[port]]. */
struct range {
	struct prefix pfx;
	uint16_t port; /* 0 = any */
	unsigned line;
};

static bool
is_port_proto(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	    proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE ||
	    proto == IPPROTO_DCCP;
}

static bool
is_type_proto(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ||
	    proto == IPPROTO_MH;
}

static bool
range(struct setkey_parser *p, int family, struct range *r)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	struct addr masked;
	char a[ADDR_STRLEN], m[ADDR_STRLEN];
	uint64_t len;
	bool is_ok, has_port;

	memset(r, 0, sizeof(*r));
	r->line = t.line;
	if (t.kind != SETKEY_TOK_WORD || t.s[0] == '-') {
		setkey_expected(
		    p, &t, "an address range (address[/prefixlen])");
		return false;
	}
	is_ok = setkey_addr(p, &t, family, &r->pfx.addr);
	len = addr_len(&r->pfx.addr) * 8;
	if (setkey_tok_is_char(setkey_lex_peek(&p->lx), '/')) {
		struct setkey_tok n;

		setkey_lex_next(&p->lx);
		n = *setkey_lex_peek(&p->lx);
		if (!setkey_tok_num(&n, UINT32_MAX, &len)) {
			setkey_expected(p, &n, "a prefix length after \"/\"");
			return false;
		}
		setkey_lex_next(&p->lx);
		if (len > (is_ok ? addr_len(&r->pfx.addr) * 8 : 128)) {
			char d[64];

			setkey_error(p, n.line,
			    "bad prefix length %s; expected 0 to %zu",
			    setkey_tok_describe(&n, d, sizeof(d)),
			    is_ok ? addr_len(&r->pfx.addr) * 8 : (size_t)128);
			is_ok = false;
		}
	}
	if (is_ok) {
		r->pfx.len = (uint8_t)len;
		masked = r->pfx.addr;
		addr_mask(&masked, r->pfx.len);
		if (!addr_eq(&masked, &r->pfx.addr))
			setkey_error(p, t.line,
			    "prefix %s/%u has host bits set; expected %s/%u",
			    addr_fmt(&r->pfx.addr, a, sizeof(a)), r->pfx.len,
			    addr_fmt(&masked, m, sizeof(m)), r->pfx.len);
	}
	return setkey_port(p, true, &r->port, &has_port);
}

/* any | number | name; 0 and 255 both mean any (stored as 255). */
static bool
upperspec(struct setkey_parser *p, uint8_t *proto)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w;
	uint64_t v;
	char d[64];

	*proto = SELECTOR_PROTO_ANY;
	if (t.kind != SETKEY_TOK_WORD) {
		setkey_expected(p, &t, "an upper-layer protocol");
		return false;
	}
	if (setkey_tok_is(&t, "any"))
		return true;
	if (setkey_tok_num(&t, 255, &v)) {
		*proto = v == 0 ? SELECTOR_PROTO_ANY : (uint8_t)v;
		return true;
	}
	if ((w = setkey_word_lookup(&setkey_uppers, t.s, t.len)) != NULL) {
		*proto = (uint8_t)w->value;
		return true;
	}
	setkey_error(p, t.line,
	    "unknown upper-layer protocol %s; expected any, a number from 0 "
	    "to 255 or a name (tcp, udp, icmp, icmp6, gre, sctp, ...)",
	    setkey_tok_describe(&t, d, sizeof(d)));
	return true;
}

/* A port-field value; setkey(8) and Linux read 0 as "any". */
static void
set_range(uint16_t *lo, uint16_t *hi, uint64_t v)
{
	*lo = v == 0 ? 0 : (uint16_t)v;
	*hi = v == 0 ? 0xffff : (uint16_t)v;
}

/*
 * Split the word t at sep into at most max_parts numbers, each at most
 * max; false if it is not such a list.
 */
static bool
num_list(const struct setkey_tok *t, char sep, unsigned max_parts, uint64_t max,
    uint64_t *out, unsigned *nparts)
{
	struct setkey_tok part = *t;
	size_t i = 0;

	*nparts = 0;
	while (*nparts < max_parts) {
		size_t start = i;

		while (i < t->len && t->s[i] != sep)
			i++;
		part.s = t->s + start;
		part.len = i - start;
		if (!setkey_tok_num(&part, max, &out[(*nparts)++]))
			return false;
		if (i == t->len)
			return true;
		i++; /* the separator */
	}
	return false;
}

/*
 * The word after the upperspec: "type[,code]" for icmp, icmp6 and mh
 * (type in sport, code in dport, selector.h), "key" or "a.b.c.d" for gre
 * (high and low 16 bits, as setkey's fix_portstr).
 */
static void
upper_misc(
    struct setkey_parser *p, const struct setkey_tok *t, struct selector *s)
{
	uint64_t v[4] = { 0 }, key;
	unsigned n;
	char d[64];

	if (is_type_proto(s->proto)) {
		if (!num_list(t, ',', 2, 255, v, &n)) {
			setkey_error(p, t->line,
			    "bad type,code %s; expected type[,code], each 0 "
			    "to 255",
			    setkey_tok_describe(t, d, sizeof(d)));
			return;
		}
		set_range(&s->sport_lo, &s->sport_hi, v[0]);
		set_range(&s->dport_lo, &s->dport_hi, v[1]);
		return;
	}
	if (s->proto == IPPROTO_GRE) {
		if (num_list(t, '.', 4, 255, v, &n) && n == 4)
			key = v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3];
		else if (!setkey_tok_num(t, UINT32_MAX, &key)) {
			setkey_error(p, t->line,
			    "bad gre key %s; expected a number or a.b.c.d",
			    setkey_tok_describe(t, d, sizeof(d)));
			return;
		}
		set_range(&s->sport_lo, &s->sport_hi, key >> 16);
		set_range(&s->dport_lo, &s->dport_hi, key & 0xffff);
		return;
	}
	setkey_error(p, t->line,
	    "%s after the upper-layer protocol is only for icmp, icmp6, "
	    "mobility-header (type,code) and gre (key)",
	    setkey_tok_describe(t, d, sizeof(d)));
}

/* prio[rity] N | -N | low|def|high [+|- N]; Linux: lower value wins. */
static bool
priority(struct setkey_parser *p, uint32_t *prio)
{
	const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
	const struct setkey_word *w;
	struct setkey_tok t;
	uint64_t n;

	*prio = SETKEY_PRIO_DEFAULT;
	if (!setkey_tok_is(pk, "priority") && !setkey_tok_is(pk, "prio"))
		return true;
	setkey_lex_next(&p->lx);
	pk = setkey_lex_peek(&p->lx);
	if (setkey_tok_is_char(pk, '-')) {
		setkey_lex_next(&p->lx);
		if (!setkey_num(p, "priority offset", 0x7fffffff, &n))
			return false;
		*prio = SETKEY_PRIO_DEFAULT + (uint32_t)n;
		return true;
	}
	if (pk->kind == SETKEY_TOK_WORD && pk->s[0] >= '0' && pk->s[0] <= '9') {
		if (!setkey_num(p, "priority offset", 0x80000000u, &n))
			return false;
		*prio = SETKEY_PRIO_DEFAULT - (uint32_t)n;
		return true;
	}
	t = setkey_lex_next(&p->lx);
	if (t.kind != SETKEY_TOK_WORD ||
	    (w = setkey_word_lookup(&setkey_prio_bases, t.s, t.len)) == NULL) {
		setkey_expected(
		    p, &t, "a priority (N, -N, or low, def or high [+|- N])");
		return false;
	}
	*prio = (uint32_t)w->value;
	pk = setkey_lex_peek(&p->lx);
	if (setkey_tok_is_char(pk, '+')) {
		setkey_lex_next(&p->lx);
		if (!setkey_num(p, "priority offset", PRIO_PLUS_MAX, &n))
			return false;
		*prio -= (uint32_t)n;
	} else if (setkey_tok_is_char(pk, '-')) {
		setkey_lex_next(&p->lx);
		if (!setkey_num(p, "priority offset", PRIO_MINUS_MAX, &n))
			return false;
		*prio += (uint32_t)n;
	}
	return true;
}

/* default | use | require | unique | unique:N, in t. */
static void
level(struct setkey_parser *p, const struct setkey_tok *t, struct spd_tmpl *r)
{
	const char *colon = memchr(t->s, ':', t->len);
	size_t n = colon != NULL ? (size_t)(colon - t->s) : t->len;
	const struct setkey_word *w =
	    setkey_word_lookup(&setkey_levels, t->s, n);
	struct setkey_tok num;
	uint64_t v;
	char d[64], choices[96];

	if (w == NULL) {
		setkey_error(p, t->line, "unknown level %s; expected %s",
		    setkey_tok_describe(t, d, sizeof(d)),
		    setkey_word_choices(
			&setkey_levels, choices, sizeof(choices)));
		return;
	}
	r->level = (uint8_t)w->value;
	if (colon == NULL)
		return;
	num = *t;
	num.s = colon + 1;
	num.len = t->len - n - 1;
	if (w->value != KNOBS_LEVEL_UNIQUE)
		setkey_error(p, t->line,
		    "only unique takes a reqid (unique:N), got %s",
		    setkey_tok_describe(t, d, sizeof(d)));
	else if (!setkey_tok_num(&num, SETKEY_REQID_MANUAL_MAX, &v) || v == 0)
		setkey_error(p, t->line,
		    "bad reqid in %s; expected unique:N with N from 1 to %u",
		    setkey_tok_describe(t, d, sizeof(d)),
		    SETKEY_REQID_MANUAL_MAX);
	else
		r->reqid = (uint32_t)v;
}

static bool
is_level_word(const struct setkey_tok *t)
{
	const char *colon;

	if (t->kind != SETKEY_TOK_WORD)
		return false;
	colon = memchr(t->s, ':', t->len);
	return setkey_word_lookup(&setkey_levels, t->s,
		   colon != NULL ? (size_t)(colon - t->s) : t->len) != NULL;
}

/* src[port]-dst[port] of a request. */
static bool
endpoints(struct setkey_parser *p, struct spd_tmpl *r, uint16_t *sport,
    uint16_t *dport)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	bool has_port;

	if (setkey_tok_is(&t, "me") || setkey_tok_is(&t, "any")) {
		/* ipsec_set_policy(3)'s me-any: socket policies only. */
		setkey_error(p, t.line,
		    "me and any are for socket policies; expected the "
		    "request's addresses src-dst");
		return false;
	}
	(void)setkey_addr(p, &t, 0, &r->src);
	if (!setkey_port(p, false, sport, &has_port) ||
	    !setkey_expect_char(p, '-', "between the request's addresses"))
		return false;
	t = setkey_lex_next(&p->lx);
	if (t.kind != SETKEY_TOK_WORD) {
		setkey_expected(p, &t, "the request's destination address");
		return false;
	}
	(void)setkey_addr(p, &t, 0, &r->dst);
	if (r->src.family != 0 && r->dst.family != 0 &&
	    r->src.family != r->dst.family)
		setkey_error(p, t.line,
		    "request addresses are not the same family (IPv4 and "
		    "IPv6)");
	return setkey_port(p, false, dport, &has_port);
}

/* proto/mode[/[src-dst][/[level]]] */
static bool
request(struct setkey_parser *p, struct spd_tmpl *r, uint16_t *sport,
    uint16_t *dport)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w = NULL;
	const struct setkey_tok *pk;
	unsigned line = t.line;
	char d[64];

	if (t.kind == SETKEY_TOK_WORD)
		w = setkey_word_lookup(&setkey_req_protos, t.s, t.len);
	if (w == NULL) {
		setkey_expected(
		    p, &t, "a request esp, ah or ipcomp/mode/src-dst/level");
		return false;
	}
	r->proto = (uint8_t)w->value;
	if (!setkey_expect_char(p, '/', "after the request's protocol"))
		return false;
	t = setkey_lex_next(&p->lx);
	w = t.kind == SETKEY_TOK_WORD
	    ? setkey_word_lookup(&setkey_modes, t.s, t.len)
	    : NULL;
	if (w == NULL || w->value == SA_MODE_ANY) {
		if (t.kind != SETKEY_TOK_WORD) {
			setkey_expected(
			    p, &t, "a mode transport, tunnel or beet");
			return false;
		}
		setkey_error(p, t.line,
		    "bad request mode %s; expected transport, tunnel or beet",
		    setkey_tok_describe(&t, d, sizeof(d)));
	} else {
		r->mode = (uint8_t)w->value;
	}
	if (setkey_tok_is_char(setkey_lex_peek(&p->lx), '/')) {
		setkey_lex_next(&p->lx);
		pk = setkey_lex_peek(&p->lx);
		if (pk->kind == SETKEY_TOK_WORD && !is_level_word(pk) &&
		    setkey_word_lookup(&setkey_req_protos, pk->s, pk->len) ==
			NULL &&
		    !setkey_tok_is_command(pk) &&
		    !endpoints(p, r, sport, dport))
			return false;
		if (setkey_tok_is_char(setkey_lex_peek(&p->lx), '/')) {
			setkey_lex_next(&p->lx);
			pk = setkey_lex_peek(&p->lx);
			/* A word that starts no request is a (bad) level. */
			if (pk->kind == SETKEY_TOK_WORD &&
			    setkey_word_lookup(
				&setkey_req_protos, pk->s, pk->len) == NULL &&
			    !setkey_tok_is_command(pk)) {
				t = setkey_lex_next(&p->lx);
				level(p, &t, r);
			}
		}
	}
	if ((r->mode == SA_MODE_TUNNEL || r->mode == SA_MODE_BEET) &&
	    r->src.family == 0 && r->dst.family == 0)
		setkey_error(p, line,
		    "%s requests need their endpoints: %s/%s/src-dst/level",
		    r->mode == SA_MODE_TUNNEL ? "tunnel" : "beet",
		    setkey_word_name(&setkey_req_protos, r->proto),
		    r->mode == SA_MODE_TUNNEL ? "tunnel" : "beet");
	return true;
}

/* discard | none | ipsec; optional for spddelete. */
static bool
action(struct setkey_parser *p, bool *has_action)
{
	const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
	const struct setkey_word *w = NULL;
	char d[64], choices[64];

	*has_action = false;
	setkey_word_choices(&setkey_actions, choices, sizeof(choices));
	if (pk->kind == SETKEY_TOK_WORD)
		w = setkey_word_lookup(&setkey_actions, pk->s, pk->len);
	if (w == NULL) {
		if (p->cmd.op == SETKEY_SPDDELETE &&
		    (pk->kind == SETKEY_TOK_END || setkey_tok_is_command(pk)))
			return true;
		setkey_expected(p, pk, "a policy discard, none or ipsec");
		return false;
	}
	if (w->value == SETKEY_WORD_UNSUPPORTED) {
		setkey_error(p, pk->line,
		    "policy %s is not supported (Linux refuses it); expected "
		    "%s",
		    setkey_tok_describe(pk, d, sizeof(d)), choices);
		return false;
	}
	setkey_lex_next(&p->lx);
	p->cmd.pol.action = (uint8_t)w->value;
	*has_action = true;
	return true;
}

/* -P dir [priority] action [request...] */
static bool
policy(struct setkey_parser *p)
{
	struct spd_policy *pol = &p->cmd.pol;
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w = NULL;
	bool has_action;

	if (setkey_tok_is(&t, "-ctx")) {
		setkey_error(p, t.line,
		    "-ctx (an SELinux security context) is not supported");
		return false;
	}
	if (!setkey_tok_is(&t, "-P")) {
		setkey_expected(p, &t, "-P and a policy");
		return false;
	}
	setkey_lex_set_policy(&p->lx, true);
	t = setkey_lex_next(&p->lx);
	if (t.kind == SETKEY_TOK_WORD)
		w = setkey_word_lookup(&setkey_dirs, t.s, t.len);
	if (w == NULL) {
		setkey_expected(p, &t, "a direction in, out or fwd after -P");
		return false;
	}
	pol->dir = (uint8_t)w->value;
	if (!priority(p, &pol->priority) || !action(p, &has_action))
		return false;
	for (;;) {
		const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
		unsigned i = pol->ntmpl;

		if (pk->kind == SETKEY_TOK_END || setkey_tok_is_command(pk))
			break;
		if (pol->action != SPD_ACTION_IPSEC || !has_action) {
			setkey_expected(
			    p, pk, "\";\" (only ipsec takes requests)");
			return false;
		}
		if (i == SPD_TMPL_MAX) {
			setkey_error(p, pk->line,
			    "more than %d requests; ipsecd applies at most %d "
			    "transforms",
			    SPD_TMPL_MAX, SPD_TMPL_MAX);
			return false;
		}
		if (!request(p, &pol->tmpl[i], &p->cmd.tmpl_sport[i],
			&p->cmd.tmpl_dport[i]))
			return false;
		pol->ntmpl++;
	}
	if (has_action && pol->action == SPD_ACTION_IPSEC && pol->ntmpl == 0)
		setkey_error(p, t.line,
		    "ipsec needs at least one request, such as "
		    "esp/transport//require");
	return true;
}

/* Ports and the selector from the two ranges and the protocol. */
static void
selector(struct setkey_parser *p, const struct range *src,
    const struct range *dst, struct selector *s)
{
	const char *why;

	s->src = src->pfx;
	s->dst = dst->pfx;
	/* [any] and [0] are "any port" and fit every protocol (-DP prints
	 * them for "any"); a port number needs a protocol with ports. */
	if (src->port != 0 || dst->port != 0) {
		if (!is_port_proto(s->proto))
			setkey_error(p, src->port != 0 ? src->line : dst->line,
			    "a port needs an upper-layer protocol with ports "
			    "(tcp, udp, sctp, udplite or dccp)");
		set_range(&s->sport_lo, &s->sport_hi, src->port);
		set_range(&s->dport_lo, &s->dport_hi, dst->port);
	}
	if (s->src.addr.family != 0 && s->dst.addr.family != 0 &&
	    s->src.addr.family != s->dst.addr.family)
		setkey_error(p, dst->line,
		    "source and destination ranges are not the same family "
		    "(IPv4 and IPv6)");
	/* After an error above the selector is known to be incomplete. */
	if (!p->is_failed && !selector_check(s, &why))
		setkey_error(p, src->line, "%s", why);
}

bool
setkey_spd_command(struct setkey_parser *p)
{
	struct spd_policy *pol = &p->cmd.pol;
	struct range src, dst;
	const struct setkey_tok *pk;
	int family;

	if (!setkey_family_flags(p, &family))
		return false;
	if (setkey_tok_is(setkey_lex_peek(&p->lx), "tagged")) {
		setkey_error(p, p->cmd.line,
		    "tagged policies (PF tags) are not supported on Linux");
		return false;
	}
	selector_init_any(&pol->sel, AF_INET);
	pol->priority = SETKEY_PRIO_DEFAULT;
	if (!range(p, family, &src) || !range(p, family, &dst) ||
	    !upperspec(p, &pol->sel.proto))
		return false;
	pk = setkey_lex_peek(&p->lx);
	if (pk->kind == SETKEY_TOK_WORD && pk->s[0] >= '0' && pk->s[0] <= '9') {
		struct setkey_tok t = setkey_lex_next(&p->lx);

		upper_misc(p, &t, &pol->sel);
	}
	selector(p, &src, &dst, &pol->sel);
	return policy(p);
}
