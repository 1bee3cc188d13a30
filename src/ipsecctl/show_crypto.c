/* `ipsecctl show crypto` as text (show_crypto.h). */
#include "config.h"

#include "ipsecctl/show_crypto.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecctl/show_table.h"

static const char *const alg_hdr[] = { "ALG", "KEY", "POLICY", "PROVIDER", "HW",
	"ASYNC", "FALLBACK", "OPS/S" };

#define NCOLS (sizeof(alg_hdr) / sizeof(alg_hdr[0]))

static char *str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
str(const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static const char *
jstr(const json_t *o, const char *key, const char *none)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : none;
}

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static const char *
yes_no(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "yes" : "no";
}

static void
print_providers(FILE *out, const json_t *provs, bool is_verbose)
{
	size_t i;
	json_t *p;

	fprintf(out, "providers:\n");
	json_array_foreach((json_t *)provs, i, p)
	{
		const json_t *params = json_object_get(p, "params");
		const char *k;
		json_t *v;
		bool is_first = true;

		fprintf(out, "  %s (hardware %s, %s)", jstr(p, "name", "?"),
		    jstr(p, "hardware", "?"),
		    json_is_true(json_object_get(p, "async")) ? "async"
							      : "sync");
		json_object_foreach((json_t *)params, k, v)
		{
			/* OpenSSL's own strings only with -v: long. */
			if (!json_is_integer(v) &&
			    (!is_verbose || strcmp(k, "name") == 0))
				continue;
			fprintf(out, "%s %s ", is_first ? ":" : ",", k);
			if (json_is_integer(v))
				fprintf(out, "%lld",
				    (long long)json_integer_value(v));
			else
				fprintf(out, "%s", json_string_value(v));
			is_first = false;
		}
		fprintf(out, "\n");
	}
}

static int
alg_row(struct show_table *t, const json_t *a)
{
	char *c[NCOLS], *extra = NULL;
	bool is_usable = json_is_true(json_object_get(a, "usable"));
	bool is_hw = json_is_true(json_object_get(a, "hardware"));
	const char *note = jstr(a, "note", NULL);

	c[0] = str("%s", jstr(a, "alg", "?"));
	c[1] = str("%lld", jint(a, "key_bits"));
	c[2] = str("%s", jstr(a, "policy", "?"));
	c[3] = str("%s", is_usable ? jstr(a, "provider", "-") : "none");
	c[4] = str("%s", is_usable ? yes_no(a, "hardware") : "-");
	c[5] = str("%s", is_usable ? yes_no(a, "async") : "-");
	c[6] = str("%s", is_hw ? jstr(a, "sw_provider", "-") : "-");
	c[7] = jint(a, "ops_per_sec") > 0 ? str("%lld", jint(a, "ops_per_sec"))
					  : str("-");
	if (note != NULL)
		extra = str("    %s\n", note);
	return show_table_add(t, c, extra);
}

int
show_crypto_print(FILE *out, const json_t *item, bool is_verbose)
{
	const json_t *algs = json_object_get(item, "algorithms");
	const json_t *pl = json_object_get(item, "pipeline");
	struct show_table t;
	size_t i;
	json_t *a;
	int rc = 0;

	fprintf(out, "query: %s\n", jstr(item, "query", "none"));
	print_providers(out, json_object_get(item, "providers"), is_verbose);
	show_table_init(&t, alg_hdr, NCOLS);
	json_array_foreach((json_t *)algs, i, a) if (rc == 0) rc =
	    alg_row(&t, a);
	show_table_flush(&t, out);
	show_table_clear(&t);
	fprintf(out,
	    "pipeline: %lld ops asynchronous, %lld done, %lld errors, %lld "
	    "packets dropped (queue full), %lld SAs failed over, at most "
	    "%lld in flight\n",
	    jint(pl, "async"), jint(pl, "done"), jint(pl, "errors"),
	    jint(pl, "queue_full"), jint(pl, "failovers"),
	    jint(pl, "inflight_max"));
	return rc;
}
