#ifndef IPSECD_TESTS_UNIT_HEX_H
#define IPSECD_TESTS_UNIT_HEX_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Test helper: decode hex text as RFCs print it ("AE 68 52 F8", "0x0b0b",
 * spaces, newlines and a leading 0x ignored) into out; returns the byte
 * count, or (size_t)-1 on a stray character, an odd digit count or
 * overflow of max.
 */
static inline size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s != '\0'; s++) {
		int v;

		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hi < 0) {
			s++;
			continue;
		}
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s))
			return (size_t)-1;
		v = isdigit((unsigned char)*s) ? *s - '0' :
						 tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return (size_t)-1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : (size_t)-1;
}

#endif
