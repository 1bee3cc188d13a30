/* The published interface table's lookups (iface.h). */
#include "config.h"

#include "daemon/iface.h"

#include <stdlib.h>

static int
iface_cmp(const void *x, const void *y)
{
	const struct iface *a = *(struct iface *const *)x;
	const struct iface *b = *(struct iface *const *)y;

	return a->key < b->key ? -1 : a->key > b->key;
}

bool
iface_table_sort(struct iface_table *t)
{
	qsort(t->v, t->n, sizeof(t->v[0]), iface_cmp);
	for (unsigned i = 1; i < t->n; i++)
		if (t->v[i - 1]->key == t->v[i]->key)
			return false;
	return true;
}

struct iface *
iface_table_lookup(const struct iface_table *t, uint32_t key)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		uint32_t k = t->v[mid]->key;

		if (k == key)
			return t->v[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
