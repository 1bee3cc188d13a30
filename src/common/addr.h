#ifndef IPSECD_COMMON_ADDR_H
#define IPSECD_COMMON_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An IPv4 or IPv6 address in network byte order, compact enough to be a
 * hash key: family is AF_INET or AF_INET6 (0 = unset); an IPv4 address
 * occupies bytes[0..3] and bytes[4..15] are zero, so memcmp-equality works.
 */
struct addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* An address prefix; len in bits, at most 32 or 128 by family. */
struct prefix {
	struct addr addr;
	uint8_t len;
};

#define ADDR_STRLEN 46	 /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN 50 /* address, '/', up to 3 digits, NUL */

/* Address length in bytes for the family: 4, 16, or 0 when unset. */
size_t addr_len(const struct addr *a);

/* Set from raw bytes of family AF_INET (4) or AF_INET6 (16); false otherwise. */
bool addr_set(struct addr *a, int family, const void *raw);

bool addr_eq(const struct addr *a, const struct addr *b);

/* Hash of family and bytes, mixed with seed (for hash tables). */
uint32_t addr_hash(const struct addr *a, uint32_t seed);

/* Parse a literal IPv4 or IPv6 address (no names); false if malformed. */
bool addr_parse(struct addr *a, const char *s);

/* Format into buf (ADDR_STRLEN bytes); returns buf. */
char *addr_fmt(const struct addr *a, char *buf, size_t size);

/* Clear host bits beyond len bits. */
void addr_mask(struct addr *a, unsigned len);

/*
 * Parse "addr" or "addr/len"; without /len the prefix is the full length.
 * Host bits set beyond len are an error (false), like ip(8).
 */
bool prefix_parse(struct prefix *p, const char *s);
char *prefix_fmt(const struct prefix *p, char *buf, size_t size);

/* True when a is inside p (same family; len 0 matches every address). */
bool prefix_match(const struct prefix *p, const struct addr *a);

/* 32-bit FNV-1a style mixing helper shared by the hash tables. */
uint32_t hash_bytes(const void *p, size_t len, uint32_t seed);

#endif
