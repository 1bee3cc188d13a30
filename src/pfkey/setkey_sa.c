/*
 * SA commands of the setkey language (setkey.h): add, update, getspi,
 * get, delete, deleteall, and the protocol of flush and dump.  After
 * ipsec-tools' parse.y (add_command ... dump_command, extension_spec),
 * with ipsecd's checks of values setkey passes through unchecked.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ipsec/ipcomp.h"
#include "pfkey/setkey.h"
#include "pfkey/setkey_parse.h"
#include "pfkey/setkey_words.h"

/* SPIs below this are IANA's (RFC 4303 section 2.1). */
#define SPI_MIN 256

static bool
is_alg_option(const struct setkey_word *w)
{
	return w != NULL &&
	    (w->value == SETKEY_OPT_ENC || w->value == SETKEY_OPT_AUTH ||
		w->value == SETKEY_OPT_COMP || w->value == SETKEY_OPT_RAWCPI);
}

/* An SA address: "addr" or "addr[port]". */
static bool
endpoint(struct setkey_parser *p, int family, struct addr *a, uint16_t *port,
    bool *has_port)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);

	if (t.kind != SETKEY_TOK_WORD || t.s[0] == '-') {
		setkey_expected(p, &t, "an address");
		return false;
	}
	(void)setkey_addr(p, &t, family, a);
	return setkey_port(p, true, port, has_port);
}

/* A word that looks like an address rather than an SPI. */
static bool
looks_like_addr(const struct setkey_tok *t)
{
	return t->kind == SETKEY_TOK_WORD &&
	    (memchr(t->s, '.', t->len) != NULL ||
		memchr(t->s, ':', t->len) != NULL);
}

/* esp | ah | ipcomp | esp-udp [oa]; sets sa.proto and *is_udp. */
static bool
sa_proto(struct setkey_parser *p, int family, bool *is_udp)
{
	struct setkey_tok t = setkey_lex_next(&p->lx);
	const struct setkey_word *w = NULL;
	char d[64], choices[128];

	*is_udp = false;
	if (t.kind == SETKEY_TOK_WORD)
		w = setkey_word_lookup(&setkey_sa_protos, t.s, t.len);
	setkey_word_choices(&setkey_sa_protos, choices, sizeof(choices));
	if (w == NULL) {
		char what[160];

		snprintf(what, sizeof(what), "a protocol %s", choices);
		setkey_expected(p, &t, what);
		return false;
	}
	if (w->value == SETKEY_WORD_UNSUPPORTED) {
		setkey_error(p, t.line,
		    "protocol %s is not supported; expected %s",
		    setkey_tok_describe(&t, d, sizeof(d)), choices);
		return false;
	}
	if (w->value == SETKEY_PROTO_ESPUDP) {
		*is_udp = true;
		p->cmd.sa.proto = IPPROTO_ESP;
		if (looks_like_addr(setkey_lex_peek(&p->lx))) {
			t = setkey_lex_next(&p->lx);
			(void)setkey_addr(p, &t, family, &p->cmd.natt_oa);
		}
		return true;
	}
	p->cmd.sa.proto = (uint8_t)w->value;
	return true;
}

static bool
sa_spi(struct setkey_parser *p)
{
	struct sa *sa = &p->cmd.sa;
	struct setkey_tok t = setkey_lex_next(&p->lx);
	uint64_t v;
	char d[64];

	if (t.kind != SETKEY_TOK_WORD) {
		setkey_expected(p, &t, "an SPI");
		return false;
	}
	if (!setkey_tok_num(&t, UINT32_MAX, &v)) {
		setkey_error(p, t.line,
		    "bad spi %s; expected a number up to 4294967295 (decimal "
		    "or 0x hex)",
		    setkey_tok_describe(&t, d, sizeof(d)));
		return true;
	}
	sa->spi = (uint32_t)v;
	if (v == 0 && p->cmd.op == SETKEY_GETSPI)
		return true; /* the SAD picks one */
	if (sa->proto == IPPROTO_COMP) {
		if (v == 0 || v > IPCOMP_CPI_MAX)
			setkey_error(p, t.line,
			    "ipcomp cpi %llu out of range; expected 1 to %u",
			    (unsigned long long)v, IPCOMP_CPI_MAX);
	} else if (v < SPI_MIN) {
		setkey_error(p, t.line,
		    "spi %llu is reserved (0-255, RFC 4303 section 2.1); "
		    "expected 256 or more",
		    (unsigned long long)v);
	}
	return true;
}

/* The operand of one extension option. */
static bool
extension(struct setkey_parser *p, const struct setkey_tok *opt,
    enum setkey_opt which)
{
	struct sa *sa = &p->cmd.sa;
	const struct setkey_table *tab = NULL;
	const struct setkey_word *w;
	struct setkey_tok t;
	uint64_t v;
	char d[64], choices[128], what[160];

	switch (which) {
	case SETKEY_OPT_MODE:
		tab = &setkey_modes;
		break;
	case SETKEY_OPT_EXT:
		tab = &setkey_pads;
		break;
	case SETKEY_OPT_REPLAY:
		if (!setkey_num(
			p, "replay window (packets)", SETKEY_REPLAY_MAX, &v))
			return false;
		sa->replay_window = (uint16_t)v;
		return true;
	case SETKEY_OPT_REQID:
		if (!setkey_num(p, "reqid", UINT32_MAX, &v))
			return false;
		sa->reqid = (uint32_t)v;
		return true;
	case SETKEY_OPT_TIME_HARD:
		return setkey_num(
		    p, "lifetime (seconds)", UINT64_MAX, &sa->hard.add_sec);
	case SETKEY_OPT_TIME_SOFT:
		return setkey_num(
		    p, "lifetime (seconds)", UINT64_MAX, &sa->soft.add_sec);
	case SETKEY_OPT_BYTES_HARD:
		return setkey_num(
		    p, "lifetime (bytes)", UINT64_MAX, &sa->hard.bytes);
	case SETKEY_OPT_BYTES_SOFT:
		return setkey_num(
		    p, "lifetime (bytes)", UINT64_MAX, &sa->soft.bytes);
	case SETKEY_OPT_CTX:
		setkey_error(p, opt->line,
		    "-ctx (an SELinux security context) is not supported");
		return false;
	case SETKEY_OPT_AUTH:
	case SETKEY_OPT_COMP:
	case SETKEY_OPT_ENC:
	case SETKEY_OPT_RAWCPI:
		break;
	}
	if (tab == NULL)
		return false;
	t = setkey_lex_next(&p->lx);
	setkey_word_choices(tab, choices, sizeof(choices));
	if (t.kind != SETKEY_TOK_WORD) {
		snprintf(what, sizeof(what), "%s after %.*s", choices,
		    (int)opt->len, opt->s);
		setkey_expected(p, &t, what);
		return false;
	}
	if ((w = setkey_word_lookup(tab, t.s, t.len)) == NULL) {
		setkey_error(p, t.line, "unknown %s %s; expected %s", tab->what,
		    setkey_tok_describe(&t, d, sizeof(d)), choices);
		return true;
	}
	if (which == SETKEY_OPT_MODE)
		sa->mode = (uint8_t)w->value;
	else
		p->cmd.ext |= (uint8_t)w->value;
	return true;
}

/* -m, -r, -u, -f, -lh, -ls, -bh, -bs, -ctx, in any order, once each. */
static bool
extensions(struct setkey_parser *p)
{
	unsigned seen = 0;

	for (;;) {
		const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
		const struct setkey_word *w = setkey_tok_option(pk);
		struct setkey_tok t;
		unsigned bit;
		char d[64];

		if (w == NULL && pk->kind == SETKEY_TOK_WORD && pk->len > 1 &&
		    pk->s[0] == '-') {
			setkey_error(p, pk->line,
			    "unknown option %s; expected -m, -r, -u, -f, -lh, "
			    "-ls, -bh, -bs, -E, -A or -C",
			    setkey_tok_describe(pk, d, sizeof(d)));
			return false;
		}
		if (w == NULL || is_alg_option(w))
			return true;
		t = setkey_lex_next(&p->lx);
		bit = 1u << w->value;
		/* -f takes one word each time; it may be repeated. */
		if ((seen & bit) != 0 && w->value != SETKEY_OPT_EXT)
			setkey_error(p, t.line, "%s given twice", w->name);
		seen |= bit;
		if (!extension(p, &t, (enum setkey_opt)w->value))
			return false;
	}
}

/* esp-udp: ports of the addresses, 4500 when not given (RFC 3948). */
static void
set_udp_encap(struct setkey_parser *p, uint16_t sport, uint16_t dport)
{
	struct sa *sa = &p->cmd.sa;

	sa->flags |= SA_F_UDP_ENCAP;
	sa->encap_sport = sport != 0 ? sport : SETKEY_NATT_PORT;
	sa->encap_dport = dport != 0 ? dport : SETKEY_NATT_PORT;
}

bool
setkey_sa_command(struct setkey_parser *p)
{
	struct sa *sa = &p->cmd.sa;
	enum setkey_op op = p->cmd.op;
	uint16_t sport, dport;
	bool has_sport, has_dport, is_udp;
	const struct setkey_tok *pk;
	char d[64];
	int family;

	if (!setkey_family_flags(p, &family) ||
	    !endpoint(p, family, &sa->src, &sport, &has_sport) ||
	    !endpoint(p, family, &sa->dst, &dport, &has_dport) ||
	    !sa_proto(p, family, &is_udp))
		return false;
	if (sa->src.family != 0 && sa->dst.family != 0 &&
	    sa->src.family != sa->dst.family)
		setkey_error(p, p->cmd.line,
		    "source and destination are not the same family "
		    "(IPv4 and IPv6)");
	if (op == SETKEY_DELETEALL) {
		/* Every ESP-in-UDP SA between the addresses: no ports. */
		if (is_udp)
			sa->flags |= SA_F_UDP_ENCAP;
		if (has_sport || has_dport)
			setkey_error(p, p->cmd.line,
			    "deleteall takes addresses without ports");
		return true;
	}
	if (is_udp)
		set_udp_encap(p, sport, dport);
	else if (has_sport || has_dport)
		setkey_error(p, p->cmd.line,
		    "ports on SA addresses are for esp-udp only");
	if (!sa_spi(p) || !extensions(p))
		return false;
	if (op == SETKEY_ADD || op == SETKEY_UPDATE)
		return setkey_alg_spec(p);
	pk = setkey_lex_peek(&p->lx);
	if (is_alg_option(setkey_tok_option(pk))) {
		setkey_error(p, pk->line, "%s takes no algorithm, got %s",
		    setkey_word_name(&setkey_commands, (int)op),
		    setkey_tok_describe(pk, d, sizeof(d)));
		return false;
	}
	return true;
}

bool
setkey_satype_command(struct setkey_parser *p)
{
	const struct setkey_tok *pk = setkey_lex_peek(&p->lx);
	const struct setkey_word *w;
	char d[64], choices[128], what[160];

	if (pk->kind == SETKEY_TOK_END || setkey_tok_is_command(pk))
		return true;
	setkey_word_choices(&setkey_sa_protos, choices, sizeof(choices));
	if (pk->kind != SETKEY_TOK_WORD ||
	    (w = setkey_word_lookup(&setkey_sa_protos, pk->s, pk->len)) ==
		NULL) {
		snprintf(what, sizeof(what), "a protocol %s or \";\"", choices);
		setkey_expected(p, pk, what);
		return false;
	}
	if (w->value == SETKEY_WORD_UNSUPPORTED)
		setkey_error(p, pk->line,
		    "protocol %s is not supported; expected %s",
		    setkey_tok_describe(pk, d, sizeof(d)), choices);
	else
		p->cmd.satype = w->value == SETKEY_PROTO_ESPUDP
		    ? IPPROTO_ESP
		    : (uint8_t)w->value;
	setkey_lex_next(&p->lx);
	return true;
}
