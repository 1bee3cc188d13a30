/* IPv4/IPv6 addresses and prefixes as hash keys and selector parts. */
#include "config.h"

#include "addr.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
addr_len(const struct addr *a)
{
	switch (a->family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool
addr_set(struct addr *a, int family, const void *raw)
{
	memset(a, 0, sizeof(*a));
	if (family != AF_INET && family != AF_INET6)
		return false;
	a->family = (uint8_t)family;
	memcpy(a->bytes, raw, family == AF_INET ? 4 : 16);
	return true;
}

bool
addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

uint32_t
hash_bytes(const void *p, size_t len, uint32_t seed)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	/* Final avalanche (murmur3 fmix32): FNV alone leaves low bits weak. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
addr_hash(const struct addr *a, uint32_t seed)
{
	return hash_bytes(a->bytes, addr_len(a), seed ^ a->family);
}

bool
addr_parse(struct addr *a, const char *s)
{
	uint8_t raw[16];

	if (inet_pton(AF_INET, s, raw) == 1)
		return addr_set(a, AF_INET, raw);
	if (inet_pton(AF_INET6, s, raw) == 1)
		return addr_set(a, AF_INET6, raw);
	return false;
}

char *
addr_fmt(const struct addr *a, char *buf, size_t size)
{
	if (a->family == 0 ||
	    inet_ntop(a->family, a->bytes, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

void
addr_mask(struct addr *a, unsigned len)
{
	size_t i, n = addr_len(a);

	for (i = 0; i < n; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		a->bytes[i] &= (uint8_t)(0xff00u >> len);
		len = 0;
	}
}

bool
prefix_parse(struct prefix *p, const char *s)
{
	char tmp[PREFIX_STRLEN];
	char *slash, *end;
	unsigned long len;
	struct addr masked;

	if (strlen(s) >= sizeof(tmp))
		return false;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!addr_parse(&p->addr, tmp))
		return false;
	len = addr_len(&p->addr) * 8;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > addr_len(&p->addr) * 8)
			return false;
	}
	p->len = (uint8_t)len;
	masked = p->addr;
	addr_mask(&masked, p->len);
	return addr_eq(&masked, &p->addr);
}

char *
prefix_fmt(const struct prefix *p, char *buf, size_t size)
{
	char a[ADDR_STRLEN];

	snprintf(buf, size, "%s/%u", addr_fmt(&p->addr, a, sizeof(a)),
	    p->len);
	return buf;
}

bool
prefix_match(const struct prefix *p, const struct addr *a)
{
	unsigned full, rest;

	if (p->addr.family != a->family)
		return false;
	full = p->len / 8;
	rest = p->len % 8;
	if (memcmp(p->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((p->addr.bytes[full] ^ a->bytes[full]) &
	    (uint8_t)(0xff00u >> rest)) == 0;
}
