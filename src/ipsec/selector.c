/* Traffic selectors and flow keys (see selector.h for the field table). */
#include "config.h"

#include "ipsec/selector.h"

#include <sys/socket.h>
#include <string.h>

static bool
selector_proto_any(uint8_t proto)
{
	return proto == 0 || proto == SELECTOR_PROTO_ANY;
}

void
selector_init_any(struct selector *s, int family)
{
	memset(s, 0, sizeof(*s));
	s->src.addr.family = (uint8_t)family;
	s->dst.addr.family = (uint8_t)family;
	s->proto = SELECTOR_PROTO_ANY;
	s->sport_hi = 0xffff;
	s->dport_hi = 0xffff;
}

static bool
selector_prefix_check(const struct prefix *p)
{
	struct addr masked = p->addr;

	if (p->len > addr_len(&p->addr) * 8)
		return false;
	addr_mask(&masked, p->len);
	return addr_eq(&masked, &p->addr);
}

bool
selector_check(const struct selector *s, const char **why)
{
	int fam = s->src.addr.family;

	if (fam != AF_INET && fam != AF_INET6) {
		*why = "selector: family not IPv4 or IPv6";
		return false;
	}
	if (s->dst.addr.family != fam) {
		*why = "selector: source and destination families differ";
		return false;
	}
	if (!selector_prefix_check(&s->src) ||
	    !selector_prefix_check(&s->dst)) {
		*why = "selector: prefix too long or host bits set";
		return false;
	}
	if (s->sport_lo > s->sport_hi || s->dport_lo > s->dport_hi) {
		*why = "selector: port range with low above high";
		return false;
	}
	if (selector_proto_any(s->proto) &&
	    (s->sport_lo != 0 || s->sport_hi != 0xffff || s->dport_lo != 0 ||
		s->dport_hi != 0xffff)) {
		*why = "selector: ports without an upper-layer protocol";
		return false;
	}
	return true;
}

bool
selector_match(const struct selector *s, const struct selector_key *k)
{
	if (k->family != s->src.addr.family)
		return false;
	if (!selector_proto_any(s->proto) && s->proto != k->proto)
		return false;
	if (k->sport < s->sport_lo || k->sport > s->sport_hi ||
	    k->dport < s->dport_lo || k->dport > s->dport_hi)
		return false;
	if (s->if_id != 0 && s->if_id != k->if_id)
		return false;
	return prefix_match(&s->src, &k->src) && prefix_match(&s->dst, &k->dst);
}

bool
selector_eq(const struct selector *a, const struct selector *b)
{
	bool pa = selector_proto_any(a->proto),
	     pb = selector_proto_any(b->proto);

	return addr_eq(&a->src.addr, &b->src.addr) &&
	    a->src.len == b->src.len && addr_eq(&a->dst.addr, &b->dst.addr) &&
	    a->dst.len == b->dst.len && pa == pb &&
	    (pa || a->proto == b->proto) && a->sport_lo == b->sport_lo &&
	    a->sport_hi == b->sport_hi && a->dport_lo == b->dport_lo &&
	    a->dport_hi == b->dport_hi && a->if_id == b->if_id;
}

uint32_t
selector_key_hash(const struct selector_key *k, uint32_t seed)
{
	uint32_t h;

	h = addr_hash(&k->src, seed ^ ((uint32_t)k->sport << 16 | k->dport));
	return addr_hash(&k->dst, h ^ k->proto ^ (k->if_id * 0x9e3779b1u));
}

bool
selector_key_eq(const struct selector_key *a, const struct selector_key *b)
{
	return a->family == b->family && a->proto == b->proto &&
	    a->sport == b->sport && a->dport == b->dport &&
	    a->if_id == b->if_id && addr_eq(&a->src, &b->src) &&
	    addr_eq(&a->dst, &b->dst);
}
