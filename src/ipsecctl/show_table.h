#ifndef IPSECD_IPSECCTL_SHOW_TABLE_H
#define IPSECD_IPSECCTL_SHOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * An aligned text table printed in batches (one per reply message): the
 * rows of a batch are collected, the column widths grow to fit them (and
 * never shrink, so columns stay aligned across batches), the header goes
 * out before the first row, then the rows, each followed by its detail
 * lines.  Columns are separated by two spaces; the last is not padded.
 * Detail lines are wiped when freed: put key material there, last (a
 * show_str that grows after holding a key leaves a copy behind).
 */
#define SHOW_TABLE_COLS_MAX 16

/* A growing string; is_oom once an allocation failed. */
struct show_str {
	char *s;
	size_t len;
	size_t cap;
	bool is_oom;
};

void show_str_printf(struct show_str *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The string (owned by the caller from then on) or NULL if out of memory. */
char *show_str_take(struct show_str *b);

struct show_table {
	size_t ncols;
	const char *const *hdr;
	size_t w[SHOW_TABLE_COLS_MAX];
	bool is_started;
	size_t nrows; /* printed so far, batches included */
	char **cells; /* batch: nbatch rows of ncols cells */
	char **extra; /* batch: detail lines of each row, or NULL */
	size_t nbatch;
	size_t cap;
};

void show_table_init(
    struct show_table *t, const char *const *hdr, size_t ncols);

/*
 * Add a row of ncols cells and its detail lines (each line ends with a
 * newline; NULL for none); the table takes the strings.  -1 when out of
 * memory (a NULL cell counts as that).
 */
int show_table_add(struct show_table *t, char **cells, char *extra);

/* Print the batch and empty it. */
void show_table_flush(struct show_table *t, FILE *out);

void show_table_clear(struct show_table *t);

#endif
