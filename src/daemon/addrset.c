/* Sorted address sets (addrset.h). */
#include "config.h"

#include "daemon/addrset.h"

#include <stdlib.h>
#include <string.h>

static int
addr_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct addr));
}

struct addrset *
addrset_new(const struct addr *v, size_t n)
{
	struct addrset *s;
	size_t i, j;

	if (n > (SIZE_MAX - sizeof(*s)) / sizeof(struct addr))
		return NULL;
	if ((s = malloc(sizeof(*s) + n * sizeof(struct addr))) == NULL)
		return NULL;
	if (n > 0)
		memcpy(s->a, v, n * sizeof(struct addr));
	qsort(s->a, n, sizeof(struct addr), addr_cmp);
	for (i = j = 0; i < n; i++)
		if (j == 0 || addr_cmp(&s->a[j - 1], &s->a[i]) != 0)
			s->a[j++] = s->a[i];
	s->n = j;
	return s;
}

bool
addrset_has(const struct addrset *s, const struct addr *a)
{
	size_t lo = 0, hi;

	if (s == NULL)
		return false;
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&s->a[mid], a);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
