/*
 * ipsecd.conf: values (numbers, marks, interface names, addresses and
 * prefixes), each parsed from one token and reported with the token and
 * what was expected when it is wrong.
 */
#include "config.h"

#include "daemon/conf_parse.h"

#include <sys/socket.h>
#include <string.h>

/* Longest address text (an IPv6 address with an IPv4 tail) plus "/128". */
#define ADDR_TEXT_MAX (ADDR_STRLEN + 4)

bool
conf_u32(const struct conf_tok *t, uint32_t *v)
{
	const char *s = t->s, *end = t->s + t->len;
	uint32_t base = 10, n = 0;

	if (t->len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return false;
	for (; s < end; s++) {
		uint32_t d;

		if (*s >= '0' && *s <= '9')
			d = (uint32_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint32_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint32_t)(*s - 'A' + 10);
		else
			return false;
		if (n > (UINT32_MAX - d) / base)
			return false;
		n = n * base + d;
	}
	*v = n;
	return true;
}

bool
conf_number(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, uint32_t min, uint32_t max, uint32_t *v)
{
	char buf[CONF_SHOW_SIZE];

	if (!conf_u32(t, v) || *v < min || *v > max) {
		conf_err(p, t->line,
		    "bad value \"%s\" for %s; expected %u to %u",
		    conf_show(t, buf), keyword, min, max);
		return false;
	}
	return true;
}

/* Split t at its first '/' into a and b (b empty with no '/'). */
static bool
split_slash(const struct conf_tok *t, struct conf_tok *a, struct conf_tok *b)
{
	const char *slash = memchr(t->s, '/', t->len);

	*a = *t;
	*b = *t;
	if (slash == NULL) {
		b->len = 0;
		return false;
	}
	a->len = (size_t)(slash - t->s);
	b->s = slash + 1;
	b->len = t->len - a->len - 1;
	return true;
}

bool
conf_mark(struct conf_parser *p, const struct conf_tok *t, struct conf_mark *m)
{
	struct conf_tok v, k;
	char buf[CONF_SHOW_SIZE];

	m->mask = UINT32_MAX;
	m->line = t->line;
	if ((split_slash(t, &v, &k) && !conf_u32(&k, &m->mask)) ||
	    !conf_u32(&v, &m->value)) {
		conf_err(p, t->line,
		    "bad mark \"%s\"; expected VALUE[/MASK] with numbers of "
		    "up to 32 bits",
		    conf_show(t, buf));
		return false;
	}
	if (m->mask == 0) {
		conf_err(p, t->line, "bad mark \"%s\"; expected a nonzero mask",
		    conf_show(t, buf));
		return false;
	}
	if ((m->value & ~m->mask) != 0) {
		conf_err(p, t->line,
		    "bad mark \"%s\"; the value has bits outside the mask",
		    conf_show(t, buf));
		return false;
	}
	return true;
}

const char *
conf_ifname_why(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= CONF_IFNAME_MAX)
		return "expected 1 to 15 bytes";
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
			ch == '.'))
			return "expected letters, digits, \"_\", \"-\" or "
			       "\".\"";
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "\".\" and \"..\" are not interface names";
	if (strcmp(name, "all") == 0 || strcmp(name, "default") == 0)
		return "the kernel keeps \"all\" and \"default\" for itself";
	return NULL;
}

bool
conf_ifname(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, char *buf)
{
	char show[CONF_SHOW_SIZE];
	const char *why;
	bool is_iface = strcmp(keyword, "interface") == 0;

	if (!conf_tok_copy(t, buf, CONF_IFNAME_MAX)) {
		conf_err(p, t->line,
		    "interface name \"%s\"%s%s too long (have %zu bytes, "
		    "max %d)",
		    conf_show(t, show), is_iface ? "" : " for ",
		    is_iface ? "" : keyword, t->len, CONF_IFNAME_MAX - 1);
		return false;
	}
	if ((why = conf_ifname_why(buf)) != NULL) {
		conf_err(p, t->line, "bad interface name \"%s\"%s%s; %s",
		    conf_show(t, show), is_iface ? "" : " for ",
		    is_iface ? "" : keyword, why);
		return false;
	}
	return true;
}

/* Not unspecified, multicast or the IPv4 limited broadcast. */
static bool
is_unicast(const struct addr *a)
{
	static const uint8_t zero[16];

	if (memcmp(a->bytes, zero, addr_len(a)) == 0)
		return false;
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) != 0xe0 &&
		    memcmp(a->bytes, "\xff\xff\xff\xff", 4) != 0;
	return a->bytes[0] != 0xff;
}

bool
conf_addr(struct conf_parser *p, const struct conf_tok *t, const char *keyword,
    struct addr *a)
{
	char text[ADDR_TEXT_MAX], buf[CONF_SHOW_SIZE];

	if (!conf_tok_copy(t, text, sizeof(text)) || !addr_parse(a, text) ||
	    !is_unicast(a)) {
		conf_err(p, t->line,
		    "bad %s \"%s\"; expected a unicast IPv4 or IPv6 address",
		    keyword, conf_show(t, buf));
		return false;
	}
	return true;
}

/* A prefix length: decimal digits only, at most max. */
static bool
parse_len(const struct conf_tok *t, unsigned max, unsigned *len)
{
	unsigned n = 0;

	if (t->len == 0 || t->len > 3)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
		n = n * 10 + (unsigned)(t->s[i] - '0');
	}
	if (n > max)
		return false;
	*len = n;
	return true;
}

bool
conf_prefix(struct conf_parser *p, const struct conf_tok *t,
    const char *keyword, bool is_route, struct prefix *pfx)
{
	struct conf_tok at, lt;
	struct addr masked;
	char text[ADDR_TEXT_MAX], buf[CONF_SHOW_SIZE], fix[PREFIX_STRLEN];
	unsigned len, max;
	bool has_len = split_slash(t, &at, &lt);

	if (!conf_tok_copy(&at, text, sizeof(text)) ||
	    !addr_parse(&pfx->addr, text) ||
	    (!is_route && !is_unicast(&pfx->addr))) {
		conf_err(p, t->line,
		    "bad %s \"%s\"; expected %s IPv4 or IPv6 address with an "
		    "optional /LEN",
		    keyword, conf_show(t, buf), is_route ? "an" : "a unicast");
		return false;
	}
	max = pfx->addr.family == AF_INET ? 32 : 128;
	len = max;
	if (has_len &&
	    (!parse_len(&lt, max, &len) || (!is_route && len == 0))) {
		conf_err(p, t->line,
		    "bad %s \"%s\"; expected a prefix length from %u to %u",
		    keyword, conf_show(t, buf), is_route ? 0 : 1, max);
		return false;
	}
	pfx->len = (uint8_t)len;
	if (!is_route)
		return true;
	masked = pfx->addr;
	addr_mask(&masked, len);
	if (!addr_eq(&masked, &pfx->addr)) {
		pfx->addr = masked;
		conf_err(p, t->line,
		    "bad %s \"%s\"; host bits set past /%u (%s?)", keyword,
		    conf_show(t, buf), len, prefix_fmt(pfx, fix, sizeof(fix)));
		return false;
	}
	return true;
}
