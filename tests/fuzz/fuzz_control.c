/*
 * Fuzz target for the control socket's request handler: the bytes of one
 * request (what any local process in the ipsecd group may send) go to
 * control_reply_new, and the whole reply is drawn with control_reply_next,
 * against a state with SAs, policies, interfaces and knobs
 * (tests/ctl/ctl_state.c).  Besides crashes, leaks and hangs, every reply
 * is checked against the protocol: each message one JSON object of at
 * most CONTROL_MSG_MAX bytes with the version, "end" true on the last
 * only, and an error reply never after a change of the knobs.
 *
 * Built two ways: with --enable-fuzz as a libFuzzer target, and always as
 * tests/fuzz/fuzz_control_regress, whose main() (FUZZ_REGRESS) runs a
 * bounded, deterministic mutation test of the same entry point in
 * `make check`: each seed request as it is, every truncation of it (which
 * must be refused as a bad request), and every byte of it replaced by
 * each of the characters that matter to JSON.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <urcu-qsbr.h>

#include "ctl_state.h"
#include "daemon/control.h"
#include "daemon/control_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Messages of one reply at most: the state holds a handful of items. */
#define REPLY_MSGS_MAX 16

static struct ctl_state *st;
static struct knobs defaults;
static uint8_t out[CONTROL_MSG_MAX];

static void
init_once(void)
{
	if (st != NULL)
		return;
	urcu_qsbr_register_thread();
	urcu_qsbr_thread_offline();
	if ((st = ctl_state_new(NULL, 0)) == NULL)
		abort();
	defaults = st->knobs;
}

/* What one request did; abort() on a reply that breaks the protocol. */
struct outcome {
	bool is_error;
	char code[16];
	bool knobs_changed;
};

static void
check_msg(size_t n, bool is_last, struct outcome *o)
{
	const char *type, *code;
	json_t *m, *end;

	if (n == 0 || n > CONTROL_MSG_MAX)
		abort();
	m = json_loadb((const char *)out, n, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(m) ||
	    json_integer_value(json_object_get(m, "version")) !=
		CONTROL_VERSION ||
	    (type = json_string_value(json_object_get(m, "type"))) == NULL)
		abort();
	end = json_object_get(m, "end");
	if (!json_is_boolean(end) || json_is_true(end) != is_last)
		abort();
	if (strcmp(type, "error") == 0) {
		code = json_string_value(json_object_get(m, "code"));
		if (!is_last || code == NULL ||
		    json_string_value(json_object_get(m, "error")) == NULL)
			abort();
		o->is_error = true;
		snprintf(o->code, sizeof(o->code), "%s", code);
	} else if (!json_is_array(json_object_get(m, "items")))
		abort();
	json_decref(m);
}

static void
handle(const uint8_t *data, size_t size, struct outcome *o)
{
	struct control_reply *r;
	bool is_last = false;
	int i;

	memset(o, 0, sizeof(*o));
	st->knobs = defaults;
	if ((r = control_reply_new(&st->d, data, size, CTL_NOW)) == NULL)
		abort();
	for (i = 0; i < REPLY_MSGS_MAX && !is_last; i++) {
		size_t n = control_reply_next(r, out, sizeof(out), &is_last);

		check_msg(n, is_last, o);
	}
	if (!is_last || control_reply_next(r, out, sizeof(out), &is_last) != 0)
		abort();
	control_reply_free(r);
	o->knobs_changed = memcmp(&st->knobs, &defaults, sizeof(defaults)) != 0;
	/* A request that was refused changed nothing. */
	if (o->is_error && o->knobs_changed)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome o;

	init_once();
	handle(data, size, &o);
	return 0;
}

#ifdef FUZZ_REGRESS
static const char *const seeds[] = {
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\"}",
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"sa\",\"keys\":true}",
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"sp\"}",
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"interfaces\"}",
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"stats\"}",
	"{\"version\":1,\"cmd\":\"show\",\"what\":\"knobs\"}",
	"{\"version\":1,\"cmd\":\"get\",\"name\":\"net.inet.ipsec.dfbit\"}",
	"{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet.ipsec.dfbit\","
	"\"value\":\"1\"}",
	"{\"version\":1,\"cmd\":\"set\",\"name\":\"net.inet6.ipsec6.ecn\","
	"\"value\":\"0x1\"}",
};

/* Characters that matter to JSON, and bit flips. */
static const uint8_t subst[] = { 0x00, ' ', '"', '\\', '{', '}', '[', ']', ':',
	',', '1', 'a', 0x7f, 0xc3, 0xff };

/* Write the seeds into dir as libFuzzer seeds. */
static int
write_seeds(const char *dir)
{
	char path[512];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		size_t n = strlen(seeds[i]);
		FILE *f;

		snprintf(path, sizeof(path), "%s/req%zu", dir, i);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(seeds[i], 1, n, f) != n || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t mut[1024];
	unsigned runs = 0, errors = 0;
	struct outcome o;

	init_once();
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		size_t n = strlen(seeds[i]);

		memcpy(mut, seeds[i], n);
		handle(mut, n, &o);
		runs++;
		if (o.is_error) {
			fprintf(stderr, "seed %zu refused: %s\n", i, o.code);
			return 1;
		}
		for (size_t len = 0; len < n; len++, runs++) {
			handle(mut, len, &o);
			if (!o.is_error || strcmp(o.code, "bad-request") != 0) {
				fprintf(stderr, "seed %zu cut to %zu: %s\n", i,
				    len, o.is_error ? o.code : "accepted");
				return 1;
			}
		}
		for (size_t at = 0; at < n; at++) {
			for (size_t k = 0; k < sizeof(subst) + 2; k++, runs++) {
				mut[at] = k < sizeof(subst) ? subst[k]
				    : k == sizeof(subst)    ? mut[at] ^ 0x01
							    : mut[at] ^ 0x80;
				handle(mut, n, &o);
				errors += o.is_error;
				mut[at] = (uint8_t)seeds[i][at];
			}
		}
	}
	printf("fuzz_control_regress: %u requests, %u refused, no crash\n",
	    runs, errors);
	ctl_state_free(st);
	urcu_qsbr_unregister_thread();
	return 0;
}
#endif
