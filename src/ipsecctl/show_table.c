/* Aligned text tables printed in batches (show_table.h). */
#include "config.h"

#include "ipsecctl/show_table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"

/* Detail lines may hold keys (show sa --show-keys). */
static void
free_extra(char *extra)
{
	if (extra != NULL)
		secret_wipe(extra, strlen(extra));
	free(extra);
}

void
show_str_printf(struct show_str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->is_oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->is_oom = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = 2 * (b->len + (size_t)n + 1);
		char *s = realloc(b->s, cap);

		if (s == NULL) {
			b->is_oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
show_str_take(struct show_str *b)
{
	char *s = b->s;

	if (b->is_oom || s == NULL) {
		free(s);
		s = b->is_oom ? NULL : strdup("");
	}
	memset(b, 0, sizeof(*b));
	return s;
}

void
show_table_init(struct show_table *t, const char *const *hdr, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < SHOW_TABLE_COLS_MAX ? ncols : SHOW_TABLE_COLS_MAX;
	t->hdr = hdr;
	for (size_t i = 0; i < t->ncols; i++)
		t->w[i] = strlen(hdr[i]);
}

static void
free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
}

int
show_table_add(struct show_table *t, char **cells, char *extra)
{
	bool is_oom = false;

	for (size_t i = 0; i < t->ncols; i++)
		is_oom |= cells[i] == NULL;
	if (!is_oom && t->nbatch == t->cap) {
		size_t cap = t->cap == 0 ? 64 : 2 * t->cap;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		char **e;

		if (c != NULL)
			t->cells = c;
		e = c == NULL ? NULL : realloc(t->extra, cap * sizeof(*e));
		if (e != NULL) {
			t->extra = e;
			t->cap = cap;
		}
		is_oom = e == NULL;
	}
	if (is_oom) {
		free_cells(cells, t->ncols);
		free_extra(extra);
		return -1;
	}
	memcpy(
	    t->cells + t->nbatch * t->ncols, cells, t->ncols * sizeof(*cells));
	t->extra[t->nbatch++] = extra;
	return 0;
}

static void
print_row(const struct show_table *t, const char *const *cells, FILE *out)
{
	for (size_t i = 0; i < t->ncols; i++) {
		if (i + 1 < t->ncols)
			fprintf(out, "%-*s  ", (int)t->w[i], cells[i]);
		else
			fprintf(out, "%s\n", cells[i]);
	}
}

void
show_table_flush(struct show_table *t, FILE *out)
{
	for (size_t r = 0; r < t->nbatch; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t n = strlen(t->cells[r * t->ncols + i]);

			if (n > t->w[i])
				t->w[i] = n;
		}
	if (!t->is_started && t->nbatch > 0) {
		print_row(t, t->hdr, out);
		t->is_started = true;
	}
	for (size_t r = 0; r < t->nbatch; r++) {
		print_row(t, (const char *const *)t->cells + r * t->ncols, out);
		if (t->extra[r] != NULL)
			fputs(t->extra[r], out);
		free_cells(t->cells + r * t->ncols, t->ncols);
		free_extra(t->extra[r]);
	}
	t->nrows += t->nbatch;
	t->nbatch = 0;
}

void
show_table_clear(struct show_table *t)
{
	for (size_t r = 0; r < t->nbatch; r++) {
		free_cells(t->cells + r * t->ncols, t->ncols);
		free_extra(t->extra[r]);
	}
	free(t->cells);
	free(t->extra);
	memset(t, 0, sizeof(*t));
}
